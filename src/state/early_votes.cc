// early-votes-loaded: a precinct's early-vote cards, before its first report.
#include "state/early_votes.h"

#include <fmt/format.h>

#include <algorithm>

#include "io/early_cards.h"
#include "state/payload.h"

namespace canvass {

using nlohmann::json;
using namespace state_internal;

Result<EarlyVoteSet> JudgeEarlyVotes(const EarlyVoteRules& rules,
                                     const std::vector<std::string>& candidates,
                                     std::vector<EarlyVoteCardRecord> cards) {
  std::sort(cards.begin(), cards.end(),
            [](const EarlyVoteCardRecord& a, const EarlyVoteCardRecord& b) { return a.id < b.id; });
  EarlyVoteSet set;
  std::vector<EarlyCardText> text;
  text.reserve(cards.size());
  for (size_t k = 0; k < cards.size(); ++k) {
    EarlyVoteCardRecord& card = cards[k];
    if (k > 0 && cards[k - 1].id == card.id) {
      return Status::InvalidArgument(fmt::format("card \"{}\" is given twice", card.id));
    }
    EarlyVoteCard indices;
    card.void_reason.clear();
    for (const std::string& name : card.choices) {
      auto at = std::find(candidates.begin(), candidates.end(), name);
      if (at == candidates.end()) {
        card.void_reason = fmt::format("\"{}\" is not a candidate in this election", name);
        break;
      }
      indices.choices.push_back(static_cast<CandidateIndex>(at - candidates.begin()));
    }
    if (card.void_reason.empty()) {
      card.void_reason = EarlyVoteCardVoidReason(rules, indices, candidates);
    }
    if (card.void_reason.empty()) set.valid.push_back(std::move(indices));
    text.push_back({card.id, card.choices});
  }
  set.hash = EarlyCardsHash(std::move(text));
  set.cards = std::move(cards);
  return set;
}

json EarlyVotesPayload(int64_t id, const EarlyVoteSet& set) {
  json cards = json::array();
  for (const EarlyVoteCardRecord& c : set.cards) {
    json card = {{"id", c.id}, {"choices", c.choices}};
    if (!c.void_reason.empty()) card["void"] = c.void_reason;
    cards.push_back(std::move(card));
  }
  return {{"precinct", id}, {"cards", std::move(cards)}, {"hash", set.hash}};
}

std::optional<Rejection> ElectionState::ApplyEarlyVotesLoaded(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only an administrator loads early-vote cards");
  }
  if (!ruleset_.precinct.early_vote.enabled) {
    return Conflict("no-early-vote",
                    fmt::format("the ruleset {} has no early vote: its precincts take no cards",
                                ruleset_.name));
  }
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  const json* list = Member(e.payload, "cards");
  if (list == nullptr || !list->is_array() || list->empty()) {
    return Invalid("malformed-cards", "cards must be a list of at least one card", "cards");
  }
  std::vector<EarlyVoteCardRecord> cards;
  std::vector<std::string> claimed;  // the void reason each card states, in payload order
  // A tab or a line feed would make the canonical list ambiguous: no control character at all.
  auto plain = [](const std::string& s) {
    return std::none_of(s.begin(), s.end(), [](char ch) {
      return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
    });
  };
  cards.reserve(list->size());
  for (size_t k = 0; k < list->size(); ++k) {
    const json& c = (*list)[k];
    const std::string field = fmt::format("cards[{}]", k);
    auto card_id = StringMember(c, "id");
    const json* choices = Member(c, "choices");
    if (!card_id || card_id->empty() || !plain(*card_id)) {
      return Invalid("malformed-cards", field + " has no id, or one with a control character",
                     field + ".id");
    }
    if (choices == nullptr || !choices->is_array() || choices->size() > kEarlyCardChoiceColumns ||
        !std::all_of(choices->begin(), choices->end(), [&](const json& x) {
          return x.is_string() && !x.get<std::string>().empty() && plain(x.get<std::string>());
        })) {
      return Invalid("malformed-cards",
                     fmt::format("card \"{}\": choices must be a list of at most {} names, "
                                 "without control characters",
                                 *card_id, kEarlyCardChoiceColumns),
                     field + ".choices");
    }
    const json* why = Member(c, "void");
    if (why != nullptr && (!why->is_string() || why->get<std::string>().empty())) {
      return Invalid("malformed-cards", fmt::format("card \"{}\": void must be a reason", *card_id),
                     field + ".void");
    }
    cards.push_back({*card_id, choices->get<std::vector<std::string>>(), ""});
    claimed.push_back(why != nullptr ? why->get<std::string>() : std::string());
  }
  std::map<std::string, std::string> stated;
  for (size_t k = 0; k < cards.size(); ++k) stated[cards[k].id] = claimed[k];
  auto set = JudgeEarlyVotes(ruleset_.precinct.early_vote, election_->candidates, std::move(cards));
  if (!set.ok()) return Invalid("duplicate-card", set.status().message(), "cards");
  for (const EarlyVoteCardRecord& c : set->cards) {
    if (stated[c.id] != c.void_reason) {
      return Invalid("void-reason-mismatch",
                     fmt::format("card \"{}\": the event says {}, the rules say {}", c.id,
                                 stated[c.id].empty() ? "valid" : "void (" + stated[c.id] + ")",
                                 c.void_reason.empty() ? "valid" : "void (" + c.void_reason + ")"),
                     "cards");
    }
  }
  auto hash = StringMember(e.payload, "hash");
  if (!hash || *hash != set->hash) {
    return Invalid("early-votes-hash-mismatch",
                   fmt::format("the hash of these cards' canonical list is {}, not {}", set->hash,
                               hash ? *hash : std::string("missing")),
                   "hash");
  }
  const PrecinctApportionment& ap = election_->apportionment[static_cast<size_t>(id - 1)];
  const PrecinctRecord& now = *records_[static_cast<size_t>(id - 1)];
  if (now.early_votes && now.early_votes->hash == set->hash) {
    return Conflict(
        "early-votes-unchanged",
        fmt::format("{} / {} already holds these {} cards (event {}, hash {}): loading "
                    "the same cards again changes nothing",
                    ap.county, ap.precinct, set->cards.size(), now.early_votes->seq, set->hash));
  }
  if (now.first) {
    return Conflict("cards-after-report",
                    fmt::format("{} / {} has reported: its early-vote cards (hash {}) were counted "
                                "in that report and cannot be replaced",
                                ap.county, ap.precinct,
                                now.early_votes ? now.early_votes->hash : std::string("none")));
  }
  set->seq = e.seq;
  PrecinctRecord next = now;
  next.early_votes = std::make_shared<const EarlyVoteSet>(std::move(set).value());
  return CommitRecord(e, id, std::move(next));
}

}  // namespace canvass
