// Release deltas in the anomaly gate (docs/audit.md "Release deltas"; ../shared/spec/audits.md
// 4.2): each release is compared with the previous release of the same ledger, as published.
//
// A precinct the previous release showed with figures (counted, or held with its figures listed)
// must show the same figures now unless the ledger recorded a figure event about it after the
// previous release's position (a report, a game of chance, a correction: PrecinctRecord::
// figures_seq). One that changed without such an event, or that is no longer reported, is held
// for "release-delta" until a correction explains it or an administrator's anomaly-override of
// that check publishes it. In a ledger-driven system this never fires: it guards against a bug
// or tampering between the ledger and what was published.
//
// The comparison reads both sides as the release JSON shows them (reported figures, and computed
// SDEs rounded to the ruleset's places), so that an unchanged precinct compares equal bit for bit.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"
#include "publish/merkle.h"
#include "state/election_state.h"
#include "state/holds.h"
#include "store/parts.h"
#include "tabulate/anomaly.h"

namespace canvass {

struct PublishedRelease;  // publish/release.h

// One precinct entry of a release as the next release compares it: whether it listed reported
// figures (counted or held) and was included in the figures, and the SHA-256 of its figures as
// written (FiguresDigest).
struct ShownDigest {
  std::array<unsigned char, 32> sha{};
  bool shown = false;
  bool counted = false;
  bool sde = false;  // its "computed"."sde" was an object (compared only then)
  // Its figures were its record's as the state it was built from holds it (not the figures of
  // an earlier release kept by a release-delta hold): the same record now shows the same.
  bool from_record = false;
};

// The SHA-256 of an entry's figures as the comparison reads them: its "reported" object and its
// "computed"."sde" (null when the entry lists none), each as canonical JSON, joined by a line
// break. Equal digests mean equal figures; a precinct whose digest is unchanged needs nothing
// more of the previous release.
std::array<unsigned char, 32> FiguresDigest(const nlohmann::json& reported,
                                            const nlohmann::json& sde);

// A precinct's entry as a release wrote it, kept for the next release (PreviousRelease::entries):
// its text (shared, not copied, by the releases that write it unchanged; its Merkle leaf is in
// the kept tree, PreviousRelease::merkle) and what the entry says besides its record. The next
// release writes it again as it is when the precinct has the same record (the same object: the
// state it was built from holds it) and the same status and flags; everything else an entry says
// comes from its record and the election.
struct KeptEntry {
  std::shared_ptr<const std::string> text;  // null: not kept (held, or with early-vote cards)
  std::string_view status;                  // ElectionState::StatusName: a constant
  bool disputed = false;
  bool under_recanvass = false;
  bool unauditable = false;
  // Held by the anomaly gate (`text` null): its rows in the precincts CSV (no figures) and the
  // CDF (none) are the same again while it stays held with the same record, status and flags.
  bool held = false;
};

// The parts one group of precincts made in a file of the release built last (publish/release.cc
// cuts the precincts CSV and the CDF at the boundaries of groups of precincts): stored already,
// and the same bytes again when every precinct of the group has its entry kept (KeptEntry).
struct KeptGroup {
  bool valid = false;          // made by that release (an empty group makes no part)
  bool after_element = false;  // written after an element of its array (its first has a comma)
  std::vector<PartRef> parts;
};
struct KeptParts {
  std::vector<KeptGroup> records;     // by group: the records' lines
  std::vector<KeptGroup> csv;         // by group: the precincts CSV's rows
  std::vector<KeptGroup> cdf_units;   // by group: the CDF's precinct reporting units
  std::vector<KeptGroup> cdf_counts;  // by candidate * groups + group: the CDF's precinct counts
  // By district, then by county: the precincts a reporting unit of the CDF is composed of (the
  // same for as long as the election's precincts are).
  std::vector<KeptGroup> cdf_lists;
};

// The CDF's reporting units of an election's precincts: their ids, and the precincts of each
// county and district (publish/release.cc). The same for every release of one election.
struct CdfLayout;
// What a release says of one precinct besides its entry: its record as counted, status and flags
// (publish/release.cc).
struct PrecinctRow;

// What a release needs of the previous one: either read from its JSON as published
// (ReadPreviousRelease: `shown` and `counted`), or kept by whoever built it (`digests_only`: the
// publisher holds that between releases instead of reading back and parsing the previous
// release, whose records at national scale are 110 MB). Then a precinct whose figures are
// unchanged (the same record, or the same digest) is not compared further; the previous figures
// of one that changed are recomputed from the state the release was built from (`built_from`,
// which shares every unchanged record with the current state) and used only when their digest is
// the one kept, that is, when they are what the release showed. When they are not (a precinct
// still showing an earlier release's figures under a release-delta hold), AddReleaseDeltaHolds
// and ReleaseDeltaJson say so and the caller reads the previous release.
struct PreviousRelease {
  int64_t number = 0;
  int64_t ledger_seq = 0;
  std::string sha256;  // of its JSON
  // Per precinct id, the entry's "reported" and "computed" objects, for every entry that listed
  // reported figures (counted or held): what the public saw of the precinct.
  std::map<int64_t, std::pair<nlohmann::json, nlohmann::json>> shown;
  std::vector<int64_t> counted;  // ids of the entries included in its figures
  bool digests_only = false;
  std::vector<ShownDigest> digests;                 // per precinct id - 1, when digests_only
  std::shared_ptr<const ElectionState> built_from;  // when digests_only
  // Per precinct id - 1, when digests_only and kept by the publisher: each entry as written
  // (KeptEntry). Empty when not kept.
  std::vector<KeptEntry> entries;
  // The parts its files stored by group of precincts (KeptGroup), when kept by the publisher.
  KeptParts parts;
  // Its CDF's reporting units, when kept by the publisher: the next release of the same election
  // takes them as they are.
  std::shared_ptr<const CdfLayout> cdf_layout;
  // The running sums its tabulation was finished from, when kept by the publisher: the next
  // release takes away and adds again only the precincts whose record or hold changed.
  std::shared_ptr<const TabulationSums> tab_sums;
  // Its Merkle tree with every node, when kept by the publisher: the next release replaces the
  // leaves of the entries it writes anew and hashes their paths only.
  std::shared_ptr<const MerkleTree> merkle;
  // Its precincts' rows, when kept by the publisher: a precinct with the same record and hold has
  // the same row in the next release.
  std::shared_ptr<const std::vector<PrecinctRow>> rows;
};

// Reads release N-1 for the release N of `state`: its number, ledger position and precinct
// entries (ReleaseEntries). FailedPrecondition when its JSON's SHA-256 is not the one the
// ledger's release-published event for N-1 recorded, or its records are not those the JSON names
// (their parts manifest's SHA-256); InvalidArgument, naming the field, when it is not a release of
// this election.
Result<PreviousRelease> ReadPreviousRelease(const ElectionState& state,
                                            const PublishedRelease& previous);

// One precinct's entry figures as the release JSON shows them.
nlohmann::json ReportedFiguresJson(const ElectionState& state, const PrecinctRecord& record);
// The computed SDEs ({candidate: "0.1569"}, zeros left out), or null before an allocation.
nlohmann::json ComputedSdeJson(const ElectionState& state, const PrecinctRecord& record);

// The release-delta holds: precincts `previous` showed with figures that now differ without a
// figure event after its position, or that are no longer reported. Overrides (FindAnomalyOverride
// for the current revision) move a hold to `overridden`. Added to `gate`, kept in its order.
// With `previous.digests_only`, when the previous figures of a precinct whose figures changed are
// not known (see PreviousRelease), nothing is added and *figures_needed is set: the comparison
// needs the previous release read.
Status AddReleaseDeltaHolds(const ElectionState& state, const PreviousRelease& previous,
                            AnomalyGate& gate, bool* figures_needed);

// The "delta" summary of a release, built entry by entry as the release is written: its counted
// precinct entries (in the order of the release JSON) against the previous release's (none for
// release 1), per candidate: the SDE change and where it came from. `gate` says which precincts
// are held now. Nothing of an entry is kept unless the previous release counted the precinct
// too: a new precinct's figures are summed as they come, and one whose figures are unchanged
// (the same digest, with `previous->digests_only`) only counted. With `previous->digests_only`,
// when the previous figures of a precinct counted then and changed since are not known, Finish
// returns null and sets *figures_needed, as AddReleaseDeltaHolds does.
class ReleaseDeltaBuilder {
 public:
  ReleaseDeltaBuilder(const ElectionState& state, const PreviousRelease* previous,
                      const AnomalyGate& gate);
  // A counted entry's "reported" and "computed" objects as written, and FiguresDigest of them
  // (used with digests only). InvalidArgument naming the precinct when a figure is not one.
  Status Add(int64_t id, const nlohmann::json& reported, const nlohmann::json& computed,
             const std::array<unsigned char, 32>& digest);
  // A counted entry written as the previous release wrote it (KeptEntry): true when that
  // release counted it too, so that it is unchanged; false, adding nothing, when it did not
  // (then Add it with its figures).
  bool AddUnchanged(int64_t id);
  Result<nlohmann::json> Finish(bool* figures_needed);

 private:
  const ElectionState& s_;
  const PreviousRelease* previous_;
  const AnomalyGate& gate_;
  std::vector<bool> counted_before_;  // by id - 1: counted and shown by the previous release
  std::vector<bool> same_;            // by id - 1: unchanged since (digests only)
  int64_t unchanged_ = 0;
  Election paired_;  // entries the previous release counted too, changed (or not compared)
  std::unordered_map<std::string, int64_t> paired_ids_;  // their ids, by NameKey
  // New precincts, summed as they come: per candidate, the SDE of those counted as new and of
  // those an override of release-delta put back (unexplained), and the people of the latter.
  std::vector<Rational> sde_new_;
  std::vector<Rational> sde_back_;
  std::vector<Count> heads_back_;
  int64_t new_ = 0;
  int64_t back_ = 0;
};

}  // namespace canvass
