// The body of an accepted submission's answer (and of a retry's: the same bytes), rendered from
// the facts the state keeps (state/election_state.h, Answer): the receipt, the precinct as it
// stood right after the event and, for the hotline, whether another operator's entry agrees.
//
// Thread-safety: pure; call under the intake's read lock (it reads the election's constants).
#pragma once

#include <nlohmann/json.hpp>

#include "state/election_state.h"

namespace canvass {

// {"receipt": {"seq", "event", "hash"}, "precinct": {...}, "hotline": "..."}; a practice report's
// is the practice worksheet with "receipt" and "practice": {"reports", "last_seq"}; an event
// about no precinct is answered with its receipt alone.
nlohmann::json AnswerJson(const ElectionState& state, const Answer& answer);

}  // namespace canvass
