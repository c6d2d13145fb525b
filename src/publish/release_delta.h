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

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/election.h"
#include "core/status.h"
#include "state/election_state.h"
#include "state/holds.h"
#include "tabulate/anomaly.h"

namespace canvass {

// What a release needs of the previous one.
struct PreviousRelease {
  int64_t number = 0;
  int64_t ledger_seq = 0;
  std::string sha256;  // of its JSON
  // Per precinct id, the entry's "reported" and "computed" objects, for every entry that listed
  // reported figures (counted or held): what the public saw of the precinct.
  std::map<int64_t, std::pair<nlohmann::json, nlohmann::json>> shown;
  std::vector<int64_t> counted;  // ids of the entries included in its figures
};

// Reads release-(N-1).json for the release N of `state`: its number, ledger position and
// precinct entries. FailedPrecondition when its SHA-256 is not the one the ledger's
// release-published event for N-1 recorded; InvalidArgument, naming the field, when it is not a
// release of this election.
Result<PreviousRelease> ReadPreviousRelease(const ElectionState& state, std::string_view bytes);

// One precinct's entry figures as the release JSON shows them.
nlohmann::json ReportedFiguresJson(const ElectionState& state, const PrecinctRecord& record);
// The computed SDEs ({candidate: "0.1569"}, zeros left out), or null before an allocation.
nlohmann::json ComputedSdeJson(const ElectionState& state, const PrecinctRecord& record);

// The release-delta holds: precincts `previous` showed with figures that now differ without a
// figure event after its position, or that are no longer reported. Overrides (FindAnomalyOverride
// for the current revision) move a hold to `overridden`. Added to `gate`, kept in its order.
Status AddReleaseDeltaHolds(const ElectionState& state, const PreviousRelease& previous,
                            AnomalyGate& gate);

// A counted precinct entry of a release: its "reported" and "computed" objects, as written.
struct CountedEntry {
  int64_t id = 0;
  nlohmann::json reported;
  nlohmann::json computed;
};

// The "delta" summary of a release: its counted precinct entries (in the order of the release
// JSON) against the previous release's (none for release 1), per candidate: the SDE change and
// where it came from. `gate` says which precincts are held now.
Result<nlohmann::json> ReleaseDeltaJson(const ElectionState& state, const PreviousRelease* previous,
                                        const std::vector<CountedEntry>& counted,
                                        const AnomalyGate& gate);

}  // namespace canvass
