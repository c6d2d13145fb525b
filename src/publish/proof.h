// Precinct-by-precinct proofs: that one precinct's record is in a signed release, checked in
// O(log n) without the release's other records (docs/releases.md, "Precinct by precinct").
//
// A release's canonical precinct records are its precincts, one each, in precinct-id order: the
// lines of release-N-records.jsonl (format canvass-release-4 on; before, the objects of
// release-N.json's "precincts" array), each in canonical JSON (keys sorted by their bytes, no
// white space). The Merkle root over them (merkle.h) is named in release-N.json
// (covered by its signature) and in release-N-root.json, a small document signed on its own
// (release-N-root.json.sig), so that a reader holding a record, its path and that document can
// check the record against the election's key.
//
// A proof (canvass-precinct-proof-1) is canonical JSON:
//   {"format", "release": N, "precinct": id, "index": leaf index (0-based), "leaves": n,
//    "record": the record's exact bytes as a string, "leaf": hex SHA-256(0x00 || record),
//    "path": [{"side": "left" | "right", "hash": hex}, ...] from the leaf up, "root": hex,
//    "root_statement": release-N-root.json's exact bytes as a string,
//    "root_signature": its signature (128 hex) or null}
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "publish/verify.h"

namespace canvass {

// The canonical records of a release document (release-N.json, parsed) and its records file
// (`lines`, release-N-records.jsonl; empty before format canvass-release-4), in order.
// InvalidArgument when it has none or the ids are not 1, 2, ... in order.
Result<std::vector<std::string>> ReleaseRecords(const nlohmann::json& release,
                                                std::string_view lines);

// A release's records and their Merkle leaves, checked against the root the release names (kept
// by a server to answer many proofs from one parse).
struct ReleaseTree {
  int64_t number = 0;
  std::vector<std::string> records;  // canonical, in precinct-id order
  std::vector<std::string> leaves;   // raw leaf hashes
  std::string root;                  // hex
};
Result<ReleaseTree> ReleaseTreeOf(std::string_view release_json, std::string_view records);

// The proof of `precinct` from a release's tree (as BuildPrecinctProof).
Result<nlohmann::json> PrecinctProof(const ReleaseTree& tree, std::string_view root_statement,
                                     std::string_view root_signature_hex, int64_t precinct);

// The proof of `precinct` in the release whose JSON is `release_json` and records `records`
// (release-N-records.jsonl; empty before format canvass-release-4), with its root statement
// and that statement's signature (empty: none stored). NotFound when the release has no such
// precinct; InvalidArgument when the release carries no Merkle root (format canvass-release-1)
// or the root statement does not name the same root.
Result<nlohmann::json> BuildPrecinctProof(std::string_view release_json, std::string_view records,
                                          std::string_view root_statement,
                                          std::string_view root_signature_hex, int64_t precinct);

// The path of a proof as text, one step a line from the leaf up: "left HEX" or "right HEX" (the
// file the shell procedure of docs/releases.md reads).
std::string ProofPathText(const nlohmann::json& proof);

// Checks a proof (its text) for `precinct`: the record names that precinct; the path from its
// leaf hash reaches the root the root statement names (sides as the index implies); the
// statement is signed under `public_key_hex` (empty: under the key the statement names, which
// the reader must then compare with the ledger's election-created); and, when `record` is given
// (what the campaign saw), the proof's record is exactly those bytes.
ReleaseVerification VerifyPrecinctProof(std::string_view proof_text, int64_t precinct,
                                        const std::string& public_key_hex,
                                        const std::optional<std::string>& record);

}  // namespace canvass
