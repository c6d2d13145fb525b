// Feeds untrusted bytes to the early-vote card reader (io/early_cards.h), and what it accepts to
// the judging of each precinct's cards (state/early_votes.h) and to the rules with the valid ones
// (AllocatePrecinct): any input must give cards or a Status, never a crash or a sanitizer report.
// What the reader accepts must also make an unambiguous canonical list: one line per card.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "caucus/allocation.h"
#include "io/early_cards.h"
#include "state/early_votes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canvass;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rows = ParseEarlyCardsCsv(text, "fuzz");
  if (!rows.ok()) {
    (void)rows.status().message();
    return 0;
  }
  static const std::vector<std::string> kCandidates = {"Biden", "Sanders", "Warren", "Buttigieg"};
  PrecinctRules rules;
  rules.early_vote.enabled = true;
  rules.thresholds = {{1, std::nullopt, Rational(3, 20)}};
  std::map<std::pair<std::string, std::string>, std::vector<EarlyVoteCardRecord>> by_precinct;
  for (const EarlyCardRow& r : *rows) {
    if (r.choices.size() > kEarlyCardChoiceColumns) __builtin_trap();
    by_precinct[{r.county, r.precinct}].push_back({r.id, r.choices, ""});
  }
  for (auto& [where, cards] : by_precinct) {
    std::vector<EarlyCardText> text_cards;
    for (const EarlyVoteCardRecord& c : cards) text_cards.push_back({c.id, c.choices});
    const std::string canonical = CanonicalEarlyCards(text_cards);
    size_t lines = 0;
    for (char ch : canonical) lines += ch == '\n';
    if (lines != cards.size()) __builtin_trap();
    auto set = JudgeEarlyVotes(rules.early_vote, kCandidates, std::move(cards));
    if (!set.ok()) __builtin_trap();  // the reader already refused a card id given twice
    if (set->hash != EarlyCardsHash(std::move(text_cards))) __builtin_trap();
    PrecinctInput input;
    input.delegates = 5;
    input.first = {3, 2, 1, 0};
    input.early_votes = set->valid;
    auto a = AllocatePrecinct(rules, input, kCandidates.size());
    if (!a.ok()) __builtin_trap();  // valid cards name known candidates, within the rules
  }
  return 0;
}
