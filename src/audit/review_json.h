// The public record of what happened after the night, as GET /api/v1/audit and the audit page
// show it: every recanvass and recount request, the party's decisions, each recanvass entry with
// the layer of every difference and the correction it led to, with the ledger position of each;
// and, for every claimed change, whether it would alter a national delegate (the eligibility test
// of docs/audit.md, computed on the figures as they stand).
//
// Thread-safety: pure functions of a state the caller holds still.
#pragma once

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "state/election_state.h"

namespace canvass {

// {"seq", "ruleset", "review" (the ruleset's [review] or null), "deadline", "requests": [...]}.
// docs/api.md "Audit" describes every member.
nlohmann::json ReviewsJson(const ElectionState& state);

// The materiality of every reported precinct on the reported side (docs/audit.md), as
// `canvass audit materiality --json` prints it, with the ledger position it was computed at.
// InvalidArgument when the ruleset has no national pools to be material to.
Result<nlohmann::json> StateMaterialityJson(const ElectionState& state);

}  // namespace canvass
