// Checking a release: its signature, the hashes of its files, and (given the ledger export) that
// replaying the ledger prefix it names rebuilds it byte for byte (`canvass release verify`).
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "publish/release.h"

namespace canvass {

struct ReleaseVerification {
  std::vector<std::string> checked;   // what was found sound, one sentence each
  std::vector<std::string> problems;  // what differs, one sentence each, naming the file
  bool ok() const { return problems.empty(); }
};

// Checks release JSON bytes against a detached signature (hex; nullopt: not checked) under
// `public_key_hex`, and every other file given (file name -> bytes) against the SHA-256 the
// release JSON declares for that name. A release that is not JSON is one problem.
ReleaseVerification VerifyRelease(std::string_view release_json,
                                  const std::optional<std::string>& signature_hex,
                                  const std::string& public_key_hex,
                                  const std::map<std::string, std::string>& files);

// Verifies the export's chain through the head the release names, replays events
// 1..ledger_seq with ElectionState, rebuilds the release and compares every file: the JSON with
// `release_json`, the others with `files` (when given) and with the hashes declared. When the
// export also holds this release's release-published event, its hashes and signature are
// compared too (`signature_hex` when given). A release compared with the previous one (its
// "delta" names it) is rebuilt against `previous`, release N-1 as published (release-(N-1).json,
// which must be the one the ledger's release-published event for N-1 recorded, and its records);
// without it that is a problem naming the file to give. Adds to `out`.
void CheckReleaseAgainstLedger(std::string_view release_json, std::string_view ledger_text,
                               const std::string& origin,
                               const std::map<std::string, std::string>& files,
                               const std::optional<std::string>& signature_hex,
                               ReleaseVerification& out,
                               const std::optional<PublishedFiles>& previous = std::nullopt);

// The signing key election-created names in a ledger export (its first line). NotFound when
// it names none.
Result<std::string> SigningKeyInLedger(std::string_view ledger_text);

}  // namespace canvass
