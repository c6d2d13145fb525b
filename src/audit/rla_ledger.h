// The risk-limiting audit as the ledger holds it (docs/audit.md "The audit on the ledger"): the
// outcome frozen at rla-started, the seed of rla-seed and the board's rla-tally events (and, for a
// drawn precinct without one, the latest recount entered after rla-started), run through the
// audit's math (audit/rla.h). A pure function of the state, so that the server, the
// command line and `ledger verify` find the same sample, the same risk and the same decision.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/materiality.h"
#include "audit/rla.h"
#include "core/status.h"
#include "state/election_state.h"

namespace canvass {

struct LedgerRla {
  const RlaRecord* record = nullptr;  // the state's (valid while the state is)
  // Of the frozen outcome, bounds only: the reported side, or the computed side when no chair
  // reported delegates (the SDEs are then the rules' for the reported alignments).
  Materiality materiality;
  RlaPlan plan;
  // The tallies in ledger order: the rla-tally events and the recounts taken in for drawn
  // precincts without one; `from_recount` is the recount-entered seq of each (0: an rla-tally).
  std::vector<RlaTallyRecord> records;
  std::vector<int64_t> from_recount;
  std::vector<AuditedTally> tallies;  // the same, as the math takes them
  std::optional<RlaStatus> status;    // after the seed
};

// NotFound when no audit was started. InvalidArgument when the frozen outcome cannot be audited
// (materiality or the plan refuse it) or a recorded tally is of a precinct the seed has not drawn.
Result<LedgerRla> AuditOfLedger(const ElectionState& state);

// Before an rla-tally of precinct `id` is appended: the seed has drawn the precinct in a round so
// far (any precinct, in a full hand count): FailedPrecondition naming the precinct otherwise;
// NotFound for no such precinct; the audit's own refusal (InvalidArgument) when the outcome
// cannot be audited. Ok before the start or the seed: the state refuses the tally with its reason.
Status CheckTallyDrawn(const ElectionState& state, int64_t id);

// GET /api/v1/audit/rla and `canvass audit rla status --store`: the ledger's facts (start,
// committed head, seed, tallies with reported and audited delegates) and the math's RlaToJson.
nlohmann::json LedgerRlaJson(const ElectionState& state, const LedgerRla& audit);

}  // namespace canvass
