// The anomaly gate (docs/audit.md "Anomaly gate"): which precincts a release holds back because
// their current report fails a statistical check, and the anomaly-override events that publish
// one as reported.
//
// A precinct is held when its current revision is one of a duplicate group (FindDuplicates) or
// its column-shift score passes the threshold (ScoreColumnShifts), both with the settings of the
// election's ruleset ([anomaly], AnomalySettingsFor; the checks' defaults without one) and
// scored against the snapshot itself: every reported precinct against its county's other
// reported precincts as they stand. Hard-rule errors are not held; releases already flag them
// (flags.flagged). The hold ends when a correction makes a revision that passes, or when an
// administrator records anomaly-override for the precinct, the check and that revision.
//
// The third check, release-delta, compares a release with the previous one, whose files only the
// publisher reads (src/publish/release.h): the release holds the precincts it finds, and the
// override of one is recorded here like the others, for the precinct's current revision.
//
// The checks run when a release is built and when an override is applied, never per report, so
// that a report's latency does not carry them.
//
// Thread-safety: pure functions of a state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/election.h"
#include "state/election_state.h"
#include "tabulate/anomaly.h"

namespace canvass {

struct AnomalyHold {
  int64_t precinct = 0;  // id
  int revision = 0;      // the revision that fails
  AnomalyFlag flag;      // the check, its score, threshold and what it saw
  // The anomaly-override that publishes it as reported (0: none, the precinct is held).
  int64_t override_seq = 0;
};

struct AnomalyGate {
  std::vector<AnomalyHold> held;        // kept out of the release, by precinct id then check
  std::vector<AnomalyHold> overridden;  // failing, but published as reported by an override
  bool Held(int64_t id) const;
  // Held, or overridden, for `check` (the override's precondition).
  const AnomalyHold* Find(int64_t id, AnomalyCheck check) const;
};

// The settings the gate uses: the election's ruleset's [anomaly] table, or the defaults.
AnomalySettings GateSettings(const ElectionState& state);

// The gate over every reported precinct of `state`, its figures read in the records (nothing is
// copied but the failing reports, for their flags). Without `settings`, GateSettings(state).
AnomalyGate RunAnomalyGate(const ElectionState& state,
                           const std::optional<AnomalySettings>& settings = std::nullopt);

// The anomaly-override of `check` for precinct `id` at `revision`, if any (its seq; 0: none).
int64_t FindAnomalyOverride(const ElectionState& state, int64_t id, int revision,
                            AnomalyCheck check);

// {"precinct", "county", "name", "revision", "check", "score", "threshold", "detail"} and, when
// overridden, "override": {"seq", "reason", "by"}: one entry of a release's "held" or
// "overrides" list and of GET /api/v1/holds.
nlohmann::json AnomalyHoldJson(const ElectionState& state, const AnomalyHold& hold);

}  // namespace canvass
