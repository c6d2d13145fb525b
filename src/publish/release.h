// Releases: immutable, numbered snapshots of the results, each a pure function of a ledger
// prefix (docs/releases.md).
//
// BuildRelease(state) takes the state after events 1..S (S = state.seq()) and returns the
// release those events make, byte for byte: anyone holding the ledger export can replay the
// prefix with the same ElectionState code and rebuild it. Nothing in it comes from a clock, a
// random source or the machine: its number is one more than the release-published events in the
// prefix, its time is event S's time, and every figure is an integer or an exact decimal string.
//
// A release is six files: release-N.json (canonical JSON: keys sorted by their bytes, no white
// space, no floating point number; the totals, what is counted and held, and the SHA-256 of the
// five others, or for the three cut by group of precincts the SHA-256 of their parts manifests,
// so that one signature of it covers all six), release-N-records.jsonl (each precinct's entry,
// its canonical record, a line each in precinct-id order), release-N-precincts.csv (one row per
// precinct and candidate), release-N-totals.csv (one row per area and candidate, both sides),
// release-N-cdf.json (NIST SP 1500-100 v2 Election Results Common Data Format) and
// release-N-root.json (the Merkle root over the canonical precinct records, proof.h; signed on
// its own too, so that one precinct can be checked without the rest). Every precinct is listed
// with its status and flags, reported or not; flagged precincts are counted and marked, never
// dropped.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "state/election_state.h"
#include "state/holds.h"
#include "store/parts.h"
#include "tabulate/tabulate.h"

namespace canvass {

struct PreviousRelease;  // publish/release_delta.h

struct ReleaseFile {
  std::string name;          // "release-3-cdf.json"
  std::string content_type;  // "application/json", "text/csv; charset=utf-8"
  std::string bytes;         // empty when the file was written straight into the store
  // Lower-case hex of the file's bytes; empty for a file cut by group of precincts (the records,
  // the precincts CSV and the CDF), which is named by its parts manifest alone (manifest_sha256).
  std::string sha256;
  int64_t size = 0;  // the file's bytes
  // Stored by part (store/parts.h, BuildAndStoreRelease): the SHA-256 of its parts manifest.
  std::string manifest_sha256;
  // Cut by group of precincts (sha256 empty): its parts manifest's text (canvass-parts-2), which
  // the site writes beside the file.
  std::string manifest;
};

struct Release {
  int64_t number = 0;
  int64_t ledger_seq = 0;     // S
  std::string ledger_head;    // the hash of event S
  std::string time;           // event S's time
  ReleaseFile json;           // release-N.json
  ReleaseFile precincts_csv;  // release-N-precincts.csv
  ReleaseFile totals_csv;     // release-N-totals.csv
  ReleaseFile cdf;            // release-N-cdf.json
  ReleaseFile root;           // release-N-root.json: the Merkle root statement (proof.h)
  ReleaseFile records;        // release-N-records.jsonl: the precinct entries (proof.h)
  std::string merkle_root;    // hex: the root over the canonical precinct records
  // The six files, JSON first.
  std::vector<const ReleaseFile*> files() const {
    return {&json, &precincts_csv, &totals_csv, &cdf, &root, &records};
  }
};

// A release as published, to compare the next one with: release-N.json and, since format
// canvass-release-4, release-N-records.jsonl (empty before: the entries were in the JSON).
struct PublishedRelease {
  std::string_view json;
  std::string_view records;
};
// The same, holding its bytes (read back from the store).
struct PublishedFiles {
  std::string json;
  std::string records;
  PublishedRelease view() const { return {json, records}; }
};
// The published form of a release built in memory (its JSON and records bytes).
inline PublishedRelease PublishedOf(const Release& release) {
  return {release.json.bytes, release.records.bytes};
}

// The precinct entries of a release, parsed, in precinct-id order: the lines of `records`
// (release-N-records.jsonl) since format canvass-release-4, the release document's "precincts"
// before. InvalidArgument naming what is wrong when the document is not a release, a line is not
// a JSON object, or a release without "precincts" is given without its records.
Result<nlohmann::json> ReleaseEntries(const nlohmann::json& release, std::string_view records);
Result<nlohmann::json> ReleaseEntries(const PublishedRelease& release);
// The SHA-256 of the parts manifest release-N-records.jsonl has when its text is `records` (cut by
// group of precincts, as the release names it).
std::string ReleaseRecordsManifestSha256(std::string_view records);

// Where BuildRelease spends its time, in nanoseconds (for bench/release_bench.cc).
struct ReleaseTimings {
  int64_t tabulate = 0;  // ReportedElection, ReportedChecks and Tabulate
  int64_t gate = 0;      // the anomaly gate's checks (state/holds.h)
  int64_t precincts_csv = 0;
  int64_t totals_csv = 0;
  int64_t cdf = 0;
  int64_t json = 0;     // the precinct entries, TabulationToJson and the canonical dump
  int64_t records = 0;  // release-N-records.jsonl, by group of precincts
  // Precinct entries written as the previous release wrote them (publish/release_delta.h,
  // KeptEntry), not built again.
  int64_t entries_kept = 0;
  // Segments of the records, the precincts CSV and the CDF (a group of precincts' entries or
  // rows, counts of one candidate, or reporting units) named again from the previous release, not
  // written.
  int64_t groups_reused = 0;
};

// The release of the state's ledger prefix 1..state.seq(), compared with the previous release
// (publish/release_delta.h): `previous` is release N-1 as published (its JSON, whose SHA-256
// must be the one N-1's release-published event recorded, FailedPrecondition otherwise, and its
// records, checked against the manifest its JSON names), and is empty for release 1. The comparison
// holds the precincts that changed without a figure event on the ledger ("release-delta") and fills
// the release's "delta". FailedPrecondition when no election was created; an error when the
// tabulation fails (a total too large to represent). `timings`, when given, is filled in; it never
// changes the bytes.
Result<Release> BuildRelease(const ElectionState& state, const PublishedRelease& previous,
                             ReleaseTimings* timings = nullptr);
// The same without the previous release: release 1 as above; a later release is built
// uncompared, with "delta": null and no release-delta check (tools and tests that read one
// release; the publisher and `canvass release verify` always compare).
Result<Release> BuildRelease(const ElectionState& state, ReleaseTimings* timings = nullptr);
// BuildRelease(state, previous), every file stored by part through `put` as the publisher
// stores them (store/parts.h; docs/releases.md "Stored by part"): the records, the precincts CSV
// and the NIST CDF are written into the store as they are built, so that none is ever whole in
// memory (their `bytes` are left empty); the JSON, the totals CSV and the root statement keep
// their bytes (the JSON and the root are signed). Each file's manifest_sha256 is set. The same
// files, byte for byte, as BuildRelease; `put`'s first error is returned.
Result<Release> BuildAndStoreRelease(const ElectionState& state, const PublishedRelease& previous,
                                     const BlobPut& put, ReleaseTimings* timings = nullptr);
// The same as the publisher builds it, without reading the previous release back when it can:
// `kept` is what the call that built the previous release left in its `keep` (its precincts'
// figure digests, publish/release_delta.h), used when it is that release (its number, and the
// SHA-256 its release-published event recorded). `read_previous` returns release N-1 as
// published (its JSON, and its records: release-N-records.jsonl, or empty before format 4); it is
// called when nothing usable was kept, or when the digests do not suffice (a precinct the previous
// release showed now shows other figures, or none). `keep`, when given, receives what the next
// release needs of this one. The same bytes as the other forms.
Result<Release> BuildAndStoreRelease(const ElectionState& state, const PreviousRelease* kept,
                                     const std::function<Result<PublishedFiles>()>& read_previous,
                                     const BlobPut& put, PreviousRelease* keep,
                                     ReleaseTimings* timings = nullptr);

// What every public figure counts, from one state: the reported precincts the anomaly gate
// (state/holds.h) does not hold, tabulated, and how many precincts are in. A release and
// GET /api/v1/results both come from it, so the live page and the release built from the same
// ledger position count the same precincts (docs/releases.md "Reporting").
struct CountedResults {
  AnomalyGate gate;       // the duplicate and column-shift checks (no release-delta: no previous)
  Tabulation tabulation;  // the precincts the gate does not hold
  // {"precincts", "included", "complete", "confirmed", "percent_complete", "by_status" {status:
  // count}, "disputed", "flagged", "under_recanvass", "held", "in" [ids counted]}: the one
  // `reporting` shape of releases and /results (docs/releases.md).
  nlohmann::json reporting;
};
// FailedPrecondition when no election was created; the tabulation's error when it fails.
Result<CountedResults> CountResults(const ElectionState& state);

// The valid early-vote cards of the precincts `ids` (ReportedIds() order, or a subset of it), for
// Tabulate: null for a precinct without cards; empty when the ruleset does not enable early
// vote. The pointers are into the state's records: valid while `state` is.
ReportCards ReportedCards(const ElectionState& state, const std::vector<int64_t>& ids);

// Precinct `id`'s alignments by source when the ruleset enables early vote (docs/releases.md):
// {"in_person": {"first", "final"}, "early": {...}, "total": {...}}, each a figure per candidate
// name (zeros left out; "final" null before the final alignment), in person as the chair reported
// it (`first`, `final`), early what the precinct's valid cards add (EarlyVotePart), total their
// sum. Null when the precinct has not reported (`first` null).
nlohmann::json AlignmentsBySourceJson(const ElectionState& state, int64_t id,
                                      const std::optional<std::vector<Count>>& first,
                                      const std::optional<std::vector<Count>>& final);

// The format release-N.json names ("canvass-release-4": docs/releases.md "Versions").
inline constexpr const char* kReleaseFormat = "canvass-release-4";
// The records, the precincts CSV and the CDF are cut into parts at the boundaries of groups of this
// many precincts, by id: 1 to 32, 33 to 64, ... (docs/releases.md "Stored by part"). Smaller groups
// rewrite less per changed precinct and name more parts per release: at 176,500 precincts, 5,516
// groups, a CDF manifest of about 50,000 lines.
inline constexpr size_t kReleaseGroupPrecincts = 32;

// File names of release `number`.
std::string ReleaseJsonName(int64_t number);           // release-N.json
std::string ReleaseRecordsName(int64_t number);        // release-N-records.jsonl
std::string ReleasePrecinctsCsvName(int64_t number);   // release-N-precincts.csv
std::string ReleaseTotalsCsvName(int64_t number);      // release-N-totals.csv
std::string ReleaseCdfName(int64_t number);            // release-N-cdf.json
std::string ReleaseSignatureName(int64_t number);      // release-N.json.sig
std::string ReleaseRootName(int64_t number);           // release-N-root.json
std::string ReleaseRootSignatureName(int64_t number);  // release-N-root.json.sig
// The name under which a release-published event's "files" names the parts manifest of file
// `name` stored by part: "release-N-cdf.json" -> "release-N-cdf.json.parts".
std::string ReleasePartsName(const std::string& name);
// The reverse: "release-N-cdf.json.parts" -> "release-N-cdf.json"; "" for a name that is not a
// manifest's.
std::string ReleaseFileOfPartsName(const std::string& name);

// The bytes of a signature file: the hex signature and a line break.
inline std::string SignatureFileBytes(const std::string& signature_hex) {
  return signature_hex + "\n";
}

// The payload of the release-published event for `release` and its signature (hex):
// {"number", "ledger_seq", "ledger_head", "files": {name: sha256}, "signature"}. When the root
// statement's signature is given, "files" also names release-N-root.json.sig, the SHA-256 of
// SignatureFileBytes(root_signature_hex), stored as a blob like the files. A file stored by part
// (manifest_sha256 set) is also named as ReleasePartsName(name): its manifest's SHA-256.
nlohmann::json ReleaseEventPayload(const Release& release, const std::string& signature_hex,
                                   const std::string& root_signature_hex = "");

// One point of the release timeline (GET /api/v1/releases/timeline), read from a release's JSON
// document (release-N.json, parsed): {"number", "time", "ledger_seq", "reporting": {"precincts",
// "included", "complete"}, "reported" and "computed": {"sde": {candidate: "564.0124"},
// "sde_share": {candidate: "26.21"}, "national": {candidate: 14} or null}}. Shares are percent of
// the state's SDEs on that side, rounded half up to two places, computed exactly from the SDE
// strings, so any release (whatever code built it) gives the same point. InvalidArgument naming
// the field when the document is not a release.
Result<nlohmann::json> ReleaseTimelinePoint(const nlohmann::json& release);

// Whether the ledger has moved since the last release: an event after the prefix the last
// release was built from (its ledger_seq; events appended while it was built count) that is not
// itself about publishing (release-published, publication-policy-set), a practice report
// (practice-report) or a login (session-opened), which change no figure. True when there is no
// release yet and the election exists.
bool LedgerMovedSinceRelease(const ElectionState& state);

}  // namespace canvass
