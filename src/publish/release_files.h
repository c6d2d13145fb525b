// Reading a published release's files back from the store: the one path every reader takes (the
// API's file routes, timeline and proofs, the static site, the publisher's previous release).
//
// A release-published event names each file's SHA-256 in "files"; a file stored by part
// (store/parts.h) is also named as "<name>.parts", its manifest's SHA-256. Releases published
// before files were stored by part name whole-file blobs only, and read as they always did.
//
// Thread-safety: pure functions (apart from what `get` does).
#pragma once

#include <string>

#include "core/status.h"
#include "state/election_state.h"
#include "store/parts.h"

namespace canvass {

// File `name` of release `record`, its parts and whole file checked against their hashes
// (ReadStoredFile). NotFound when the release names no such file or the store lacks it (or a
// part of it, named); Corruption when a stored part, manifest or the whole file is damaged.
Result<std::string> ReadReleaseFile(const BlobGet& get, const ReleaseRecord& record,
                                    const std::string& name);

}  // namespace canvass
