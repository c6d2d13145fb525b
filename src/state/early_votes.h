// Early-vote cards on the ledger (early-votes-loaded, docs/ledger-format.md).
//
// One event per precinct carries all its cards: ids, choices by name, the void ones with their
// reason, and the SHA-256 of the precinct's canonical card list (io/early_cards.h). The applier
// (ElectionState::ApplyEarlyVotesLoaded, early_votes.cc) judges the cards again and refuses an
// event whose reasons or hash are not what the rules and the cards give, so the ledger alone
// shows which cards count. The loader builds the event with the same JudgeEarlyVotes.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "rules/ruleset.h"
#include "state/election_state.h"

namespace canvass {

// Judges one precinct's cards: sorted by id; a card naming what is not one of `candidates` is
// void ("\"X\" is not a candidate in this election"), else EarlyVoteCardVoidReason decides; the
// valid ones are kept as candidate indices; the hash is EarlyCardsHash. InvalidArgument when two
// cards share an id. `seq` is left 0.
Result<EarlyVoteSet> JudgeEarlyVotes(const EarlyVoteRules& rules,
                                     const std::vector<std::string>& candidates,
                                     std::vector<EarlyVoteCardRecord> cards);

// The early-votes-loaded payload for precinct `id`:
// {"precinct": id, "cards": [{"id", "choices", "void"?}, ...], "hash": ...}.
nlohmann::json EarlyVotesPayload(int64_t id, const EarlyVoteSet& set);

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
