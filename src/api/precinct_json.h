// A precinct as the API shows it (GET /api/v1/precincts/{id}, the answer to a report, the
// worksheet preview, a chair's login): its facts, figures as reported, what the rules compute,
// findings, ties, photos, attestations, early-vote cards and the events that made it, rendered
// from what the state keeps (state/election_state.h, PrecinctRecord). The state holds facts only;
// this is the one place they become the API's JSON (docs/api.md "Precincts").
//
// Thread-safety: pure; call under the intake's read lock (it reads the election's constants).
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "caucus/allocation.h"
#include "state/election_state.h"

namespace canvass {

// Precinct `id` as it stands: PrecinctRecordJson of its current record.
nlohmann::json PrecinctJson(const ElectionState& state, int64_t id, bool with_history);
// The same for a given record of precinct `id` (a preview, a practice report, the record an
// answer kept), its status and disputes those of `status_of` (the precinct's record now, when not
// given). `with_history` adds "events", the seq of every event about the precinct.
nlohmann::json PrecinctRecordJson(const ElectionState& state, int64_t id,
                                  const PrecinctRecord& record, bool with_history,
                                  const PrecinctRecord* status_of = nullptr);

// The "early_votes" part of the JSON of a precinct holding cards (PrecinctRecordJson; docs/api.md
// "A precinct with early-vote cards"): the set (cards, void, hash, seq), each void card with its
// reason, the valid cards' first choices and, once `allocation` is computed from the record's
// in-person figures (the preview of a first alignment, or the check of a final one),
// "worksheet": each alignment's groups in person, early and in total, T, the threshold, viability,
// the cards that move at realignment (from, to, how many) and those with no viable choice
// (CountEarlyVotes). `allocation` may be null: "worksheet" is null then. `record.early_votes`
// must be set.
nlohmann::json EarlyVotesJson(const ElectionState& state, const PrecinctRecord& record,
                              const Allocation* allocation);

}  // namespace canvass
