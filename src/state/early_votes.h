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

}  // namespace canvass
