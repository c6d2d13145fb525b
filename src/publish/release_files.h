// Reading a published release's files back from the store: the one path every reader takes (the
// API's file routes, timeline and proofs, the static site, the publisher's previous release).
//
// A release-published event names each file's SHA-256 in "files"; a file stored by part
// (store/parts.h) is also named as "<name>.parts", its manifest's SHA-256, and a file cut by
// group of precincts (the precincts CSV and the CDF since format canvass-release-3, the records
// since canvass-release-4) by its manifest alone. Releases published
// before files were stored by part name whole-file blobs only, and read as they always did.
//
// Thread-safety: pure functions (apart from what `get` does).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "publish/release.h"
#include "state/election_state.h"
#include "store/parts.h"

namespace canvass {

// File `name` of release `record`, its parts and whole file checked against their hashes
// (ReadStoredFile). NotFound when the release names no such file or the store lacks it (or a
// part of it, named); Corruption when a stored part, manifest or the whole file is damaged.
Result<std::string> ReadReleaseFile(const BlobGet& get, const ReleaseRecord& record,
                                    const std::string& name);

// Release `record` as published: its JSON and, when the release names one (format
// canvass-release-4 on), its records file (release-N-records.jsonl), each read as ReadReleaseFile
// reads it.
Result<PublishedFiles> ReadPublishedRelease(const BlobGet& get, const ReleaseRecord& record);

// The hash that names file `name` of release `record` (a strong ETag): its SHA-256, or for a file
// cut by group of precincts (named by its manifest alone, format canvass-release-3) its
// manifest's; "" when the release names no such file.
std::string ReleaseFileTag(const ReleaseRecord& record, const std::string& name);

// Every file the release names, in the event's order, each once: its files, their manifests
// (NAME.parts), and a file named by its manifest alone after that manifest.
std::vector<std::string> ReleaseFileNames(const ReleaseRecord& record);

}  // namespace canvass
