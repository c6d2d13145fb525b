// CountEarlyVotes' trace of the cards (caucus/allocation.h): what the cards add at each
// alignment, the cards that move at realignment and where, those with no viable choice, and the
// void ones, on the Nevada memo's examples with some of their people voting early; and, on many
// small precincts, that the trace is the allocation's own count of the cards.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "caucus/allocation.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

PrecinctRules Nevada() {
  std::ifstream in(std::string(CANVASS_RULES_DIR) + "/nevada-dem-2020.toml");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseRuleset(text.str(), "nevada-dem-2020");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed->precinct;
}

std::vector<EarlyVoteCard> Cards(const std::vector<std::vector<CandidateIndex>>& list) {
  std::vector<EarlyVoteCard> out;
  for (const auto& choices : list) out.push_back({choices});
  return out;
}

// The memo's Principle 3 Example B (D = 10, T = 75; D 23 and E 27 in the final alignment, 25
// people left: 5 and 5) with E's last five as early voters whose first choice, Y, is not viable:
// in person D 23, E 22, X 25; five cards Y > E > D. Their five of 75 are below 12, so they move
// to E, and E's 27 are as in the memo.
TEST(EarlyVoteTrace, MemoP3bCardsMoveFromANonViableFirstChoice) {
  const PrecinctRules rules = Nevada();
  enum : CandidateIndex { D, E, X, Y };
  const std::vector<EarlyVoteCard> cards =
      Cards({{Y, E, D}, {Y, E, D}, {Y, E, D}, {Y, E, D}, {Y, E, D}, {D, E, X}, {E, E, D}, {X, D}});
  const std::vector<Count> first = {23, 21, 24, 0};
  // With two of the cards void (E ranked twice; two choices), D's card makes D 24, and X 24.
  EarlyVoteCounts c = CountEarlyVotes(rules, cards, first, 10);
  EXPECT_EQ(c.valid_cards, 6);
  EXPECT_EQ(c.void_cards, 2);
  EXPECT_EQ(c.attendance, 74);
  EXPECT_EQ(c.first, (std::vector<Count>{1, 0, 0, 5}));
  EXPECT_EQ(c.viable, (std::vector<uint8_t>{1, 1, 1, 0}));
  EXPECT_EQ(c.final, (std::vector<Count>{1, 5, 0, 0}));
  EXPECT_EQ(c.moves, (std::vector<EarlyVoteMove>{{Y, E, 5}}));
  EXPECT_EQ(c.no_viable_choice_total, 0);

  // The memo's figures: 23 + 22 + 25 in person and the five Y cards, T = 75.
  PrecinctInput input;
  input.delegates = 10;
  input.first = {23, 22, 25, 0};
  input.final = {23, 22, 0, 0};
  input.early_votes = Cards({{Y, E, D}, {Y, E, D}, {Y, E, D}, {Y, E, D}, {Y, E, D}});
  c = CountEarlyVotes(rules, input.early_votes, input.first, input.delegates);
  EXPECT_EQ(c.attendance, 75);
  EXPECT_EQ(c.moves, (std::vector<EarlyVoteMove>{{Y, E, 5}}));
  auto a = AllocatePrecinct(rules, input, 4);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->attendance, 75);
  EXPECT_EQ(a->delegates, (std::vector<Count>{5, 5, 0, 0}));
}

// The memo's Principle 2 Example A (D = 4; 13, 13, 13, 13 and 24 of T = 76: five viable groups,
// a delegate added): E's 24 are 22 in person and two cards F > G > H whose choices are none of
// them viable. The cards count in T (76) but nowhere in the final alignment; every viable group
// still gets its one delegate and the precinct elects 5.
TEST(EarlyVoteTrace, MemoP2aCardsWithNoViableChoice) {
  const PrecinctRules rules = Nevada();
  enum : CandidateIndex { F = 5, G, H };
  PrecinctInput input;
  input.delegates = 4;
  input.first = {13, 13, 13, 13, 22, 0, 0, 0};
  input.early_votes = Cards({{F, G, H}, {F, H, G}});
  const EarlyVoteCounts c = CountEarlyVotes(rules, input.early_votes, input.first, 4);
  EXPECT_EQ(c.attendance, 76);
  EXPECT_EQ(c.first, (std::vector<Count>{0, 0, 0, 0, 0, 2, 0, 0}));
  EXPECT_EQ(c.final, (std::vector<Count>(8, 0)));
  EXPECT_TRUE(c.moves.empty());
  EXPECT_EQ(c.no_viable_choice_total, 2);
  EXPECT_EQ(c.no_viable_choice, (std::vector<Count>{0, 0, 0, 0, 0, 2, 0, 0}));
  auto a = AllocatePrecinct(rules, input, 8);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->attendance, 76);
  EXPECT_EQ(a->total_delegates, 5);
  EXPECT_EQ(a->delegates, (std::vector<Count>{1, 1, 1, 1, 1, 0, 0, 0}));
}

// A card moves to its highest-ranked viable choice, skipping a viable-looking lower one, and
// cards from one first choice may go to different groups: one move per (from, to), in order.
TEST(EarlyVoteTrace, MovesArePerFromAndTo) {
  const PrecinctRules rules = Nevada();
  enum : CandidateIndex { A, B, C, D };
  // In person A 10, B 10; cards C > B > A, C > A > B, C > D > A, D > C > B. T = 24, threshold
  // 15% for 4 delegates: 4 (3.6 rounded up). C (3 cards) and D (1) are not viable.
  const EarlyVoteCounts c = CountEarlyVotes(
      rules, Cards({{C, B, A}, {C, A, B}, {C, D, A}, {D, C, B}}), {10, 10, 0, 0}, 4);
  EXPECT_EQ(c.attendance, 24);
  EXPECT_EQ(c.viable, (std::vector<uint8_t>{1, 1, 0, 0}));
  EXPECT_EQ(c.moves, (std::vector<EarlyVoteMove>{{C, A, 2}, {C, B, 1}, {D, B, 1}}));
  EXPECT_EQ(c.final, (std::vector<Count>{2, 2, 0, 0}));
}

// Many small precincts (a fixed pseudo-random sequence): the trace agrees with the allocation
// (T; each group's final count is the people in the room plus the cards the trace gives it), and
// every valid card is in exactly one place: staying, moved or with no viable choice.
TEST(EarlyVoteTrace, TheTraceIsTheAllocationsCount) {
  const PrecinctRules rules = Nevada();
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&](uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  int with_moves = 0;
  int with_dropped = 0;
  for (int round = 0; round < 2000; ++round) {
    const size_t n = 3 + next(4);
    PrecinctInput input;
    input.delegates = static_cast<Count>(1 + next(8));
    input.first.resize(n);
    for (Count& x : input.first) x = static_cast<Count>(next(3) == 0 ? 0 : next(20));
    const size_t cards = next(12);
    for (size_t k = 0; k < cards; ++k) {
      EarlyVoteCard card;
      const size_t len = 2 + next(4);  // some too short: void
      for (size_t j = 0; j < len; ++j) card.choices.push_back(static_cast<CandidateIndex>(next(n)));
      input.early_votes.push_back(card);
    }
    const EarlyVoteCounts c =
        CountEarlyVotes(rules, input.early_votes, input.first, input.delegates);
    EXPECT_EQ(c.valid_cards + c.void_cards, static_cast<Count>(cards));
    Count placed = 0;
    std::vector<Count> moved_in(n, 0);
    std::vector<Count> moved_out(n, 0);
    for (const EarlyVoteMove& m : c.moves) {
      EXPECT_FALSE(c.viable[m.from]);
      EXPECT_TRUE(c.viable[m.to]);
      EXPECT_GT(m.cards, 0);
      moved_in[m.to] += m.cards;
      moved_out[m.from] += m.cards;
    }
    for (size_t i = 0; i < n; ++i) {
      placed += c.final[i];
      // A group's own cards stay when it is viable, else move or drop.
      const Count stayed = c.final[i] - moved_in[i];
      EXPECT_EQ(c.first[i], stayed + moved_out[i] + c.no_viable_choice[i]) << "round " << round;
      if (!c.viable[i]) {
        EXPECT_EQ(c.final[i], 0);
      }
    }
    EXPECT_EQ(placed + c.no_viable_choice_total, c.valid_cards);
    with_moves += !c.moves.empty();
    with_dropped += c.no_viable_choice_total > 0;

    input.final = input.first;  // nobody in the room realigns
    auto a = AllocatePrecinct(rules, input, n);
    if (!a.ok()) continue;  // e.g. nobody at all
    EXPECT_EQ(a->attendance, c.attendance) << "round " << round;
    for (const WorksheetLine& line : a->lines) {
      EXPECT_EQ(line.first, input.first[line.candidate] + c.first[line.candidate]);
      EXPECT_EQ(line.final, input.final[line.candidate] + c.final[line.candidate])
          << "round " << round << " candidate " << line.candidate;
      EXPECT_EQ(line.viable_first, c.viable[line.candidate] != 0);
    }
  }
  // The sequence exercises both paths.
  EXPECT_GT(with_moves, 100);
  EXPECT_GT(with_dropped, 10);
}

}  // namespace
}  // namespace canvass
