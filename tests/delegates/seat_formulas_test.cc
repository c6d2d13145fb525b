// Seat formulas (src/delegates/seat_formulas.h): hand-checked vectors per formula, the sweep shares
// of ../shared/spec/delegates.md §2.3 and §3.2 derived and checked against the counts themselves,
// an STV count small enough to follow by hand, ties by lot, and equal division.
#include "delegates/seat_formulas.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <numeric>
#include <string>
#include <vector>

namespace canvass {
namespace {

// "C0", "C1", ... (appending, which g++ 12's -Wrestrict accepts where "C" + to_string does not).
std::string Numbered(size_t i) {
  std::string s = "C";
  s += std::to_string(i);
  return s;
}

ConventionCount Lists(SeatFormula f, Count seats, std::vector<Count> tallies) {
  ConventionCount c;
  c.formula = f;
  c.seats = seats;
  for (size_t i = 0; i < tallies.size(); ++i) {
    c.options.push_back({std::string(1, static_cast<char>('A' + i)), {}, std::nullopt, ""});
  }
  c.tallies = std::move(tallies);
  return c;
}

std::vector<Count> Won(const ConventionCount& c) {
  auto r = CountConvention(c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->won : std::vector<Count>{};
}

// Spec §3.2: 5 seats, slates of 61 / 24 / 15 per cent.
TEST(SeatFormulasTest, TheSpecsThreeSlateExample) {
  EXPECT_EQ(Won(Lists(SeatFormula::kHareLargestRemainder, 5, {61, 24, 15})),
            (std::vector<Count>{3, 1, 1}));
  EXPECT_EQ(Won(Lists(SeatFormula::kDroopLargestRemainder, 5, {61, 24, 15})),
            (std::vector<Count>{3, 1, 1}));
  EXPECT_EQ(Won(Lists(SeatFormula::kSainteLague, 5, {61, 24, 15})), (std::vector<Count>{3, 1, 1}));
  EXPECT_EQ(Won(Lists(SeatFormula::kDhondt, 5, {61, 24, 15})), (std::vector<Count>{4, 1, 0}));
}

TEST(SeatFormulasTest, HandCheckedListVectors) {
  // D'Hondt, 7 seats, 100/80/30/20: quotients 100 80 50 40 33.3 30 26.7 -> A3 B3 C1 D0.
  EXPECT_EQ(Won(Lists(SeatFormula::kDhondt, 7, {100, 80, 30, 20})),
            (std::vector<Count>{3, 3, 1, 0}));
  // Sainte-Laguë, 7 seats: A/1 100, B/1 80, A/3 33.3, C/1 30, B/3 26.7, then A/5 = D/1 = 20 for
  // the last two seats (both fit, no lot): A3 B2 C1 D1.
  EXPECT_EQ(Won(Lists(SeatFormula::kSainteLague, 7, {100, 80, 30, 20})),
            (std::vector<Count>{3, 2, 1, 1}));
  // Hare, 7 seats, quota 230/7: quotients 3.04 2.43 0.91 0.61 -> floors 3 2 0 0, remainders
  // .04 .43 .91 .61 -> C, D: A3 B2 C1 D1.
  EXPECT_EQ(Won(Lists(SeatFormula::kHareLargestRemainder, 7, {100, 80, 30, 20})),
            (std::vector<Count>{3, 2, 1, 1}));
  // Droop, 7 seats, quota 230/8: 3.48 2.78 1.04 0.70 -> floors 3 2 1 0, one left: B (.78).
  EXPECT_EQ(Won(Lists(SeatFormula::kDroopLargestRemainder, 7, {100, 80, 30, 20})),
            (std::vector<Count>{3, 3, 1, 0}));
}

TEST(SeatFormulasTest, CandidateFormulasTakeTheMostVotes) {
  ConventionCount c = Lists(SeatFormula::kBlockPlurality, 2, {30, 50, 10, 40});
  auto r = CountConvention(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->order, (std::vector<uint32_t>{1, 3}));
  c.formula = SeatFormula::kCumulative;
  EXPECT_EQ(Won(c), (std::vector<Count>{0, 1, 0, 1}));
  c.formula = SeatFormula::kLimitedVoting;
  c.votes_per_voter = 2;  // must be fewer than the seats
  EXPECT_FALSE(CountConvention(c).ok());
  c.votes_per_voter = 1;
  EXPECT_EQ(Won(c), (std::vector<Count>{0, 1, 0, 1}));
  c.seats = 5;
  auto few = CountConvention(c);
  ASSERT_FALSE(few.ok());
  EXPECT_NE(few.status().message().find("5 seats but only 4 candidate(s)"), std::string::npos);
}

// The spec's sweep shares (§3.2, with 5 seats): block > 50%, D'Hondt, Droop, cumulative, STV >
// 83.3%, Hare and Sainte-Laguë > 90%.
TEST(SeatFormulasTest, SweepSharesMatchTheSpec) {
  EXPECT_EQ(SweepShare(SeatFormula::kBlockPlurality, 5), Rational(1, 2));
  EXPECT_EQ(SweepShare(SeatFormula::kDhondt, 5), Rational(5, 6));
  EXPECT_EQ(SweepShare(SeatFormula::kDroopLargestRemainder, 5), Rational(5, 6));
  EXPECT_EQ(SweepShare(SeatFormula::kCumulative, 5), Rational(5, 6));
  EXPECT_EQ(SweepShare(SeatFormula::kStv, 5), Rational(5, 6));
  EXPECT_EQ(SweepShare(SeatFormula::kHareLargestRemainder, 5), Rational(9, 10));
  EXPECT_EQ(SweepShare(SeatFormula::kSainteLague, 5), Rational(9, 10));
  EXPECT_EQ(SweepShare(SeatFormula::kLimitedVoting, 5, 2), Rational(5, 7));
  EXPECT_EQ(SweepSentence(SeatFormula::kDhondt, 5),
            "with 5 seats, a slate above 83.3% takes all 5");
  EXPECT_EQ(SweepSentence(SeatFormula::kHareLargestRemainder, 5),
            "with 5 seats, a slate above 90.0% takes all 5");
  // The Michigan 2017 illustration: 84% sweeps 5 of 5 under D'Hondt, not under Hare.
  EXPECT_EQ(Won(Lists(SeatFormula::kDhondt, 5, {84, 16})), (std::vector<Count>{5, 0}));
  EXPECT_EQ(Won(Lists(SeatFormula::kHareLargestRemainder, 5, {84, 16})),
            (std::vector<Count>{4, 1}));
  auto r = CountConvention(Lists(SeatFormula::kDhondt, 5, {84, 16}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sweep, "with 5 seats, a slate above 83.3% takes all 5");
  // ... and the DNC's Hare largest remainder would have given 4 and 1.
  EXPECT_EQ(r->dnc_seats, (std::vector<Count>{4, 1}));
}

// The derived sweep shares hold for the counts themselves: one vote above the share sweeps, one
// below leaves the smaller slate a seat, and exactly at it the lots decide (the divisor and
// remainder formulas tie there).
TEST(SeatFormulasTest, SweepSharesAreWhereTheCountsSweep) {
  for (SeatFormula f : {SeatFormula::kDhondt, SeatFormula::kSainteLague,
                        SeatFormula::kHareLargestRemainder, SeatFormula::kDroopLargestRemainder}) {
    for (Count m = 1; m <= 12; ++m) {
      const Count total = 2 * m * (m + 1) * 1000;
      const Rational s = SweepShare(f, m);
      const Count at = (s * Rational(total)).num();
      ASSERT_TRUE((s * Rational(total)).is_integer());
      EXPECT_EQ(Won(Lists(f, m, {at + 1, total - at - 1}))[0], m) << SeatFormulaName(f) << m;
      EXPECT_EQ(Won(Lists(f, m, {at - 1, total - at + 1}))[0], m - 1) << SeatFormulaName(f) << m;
      auto tie = CountConvention(Lists(f, m, {at, total - at}));
      if (f != SeatFormula::kDroopLargestRemainder) {
        ASSERT_FALSE(tie.ok()) << SeatFormulaName(f) << m;
        EXPECT_EQ(tie.status().code(), Status::Code::kFailedPrecondition);
      }
    }
  }
  // STV with party-line ballots, 5 seats: 501 of 600 sweep, 499 do not.
  for (Count a : {501, 499}) {
    ConventionCount c;
    c.formula = SeatFormula::kStv;
    c.seats = 5;
    for (int i = 0; i < 10; ++i) c.options.push_back({Numbered(i), {}, std::nullopt, ""});
    c.ballots.push_back({{0, 1, 2, 3, 4}, a});
    c.ballots.push_back({{5, 6, 7, 8, 9}, 600 - a});
    auto r = CountConvention(c);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    Count first = 0;
    for (uint32_t e : r->order) first += e < 5 ? 1 : 0;
    EXPECT_EQ(first, a == 501 ? 5 : 4);
  }
}

// 3 seats, 100 ballots, quota 25 (elected above it):
//   40 A>B, 15 B>C, 20 C, 12 D>C, 13 E>D.
// Stage 1: A 40 elected. Stage 2: A's surplus 15 moves at 15/40 = 0.375: B 15 + 15 = 30, elected.
// Stage 3: B's surplus 5 moves at 5/30: the 15 B>C ballots carry 15 x 0.166666 (truncated to a
// millionth) = 2.49999 to C; the 40 A>B ballots at 0.0625 have no further choice: 2.5 exhausted;
// B keeps 25.00001. Stage 4: nobody above 25: D (12) is excluded, C 22.49999 + 12 = 34.49999,
// elected.
TEST(SeatFormulasTest, AnStvCountSmallEnoughToFollowByHand) {
  ConventionCount c;
  c.formula = SeatFormula::kStv;
  c.seats = 3;
  for (const char* n : {"A", "B", "C", "D", "E"}) c.options.push_back({n, {}, std::nullopt, ""});
  c.ballots = {{{0, 1}, 40}, {{1, 2}, 15}, {{2}, 20}, {{3, 2}, 12}, {{4, 3}, 13}};
  auto r = CountConvention(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->quota, Rational(25));
  EXPECT_EQ(r->order, (std::vector<uint32_t>{0, 1, 2}));
  ASSERT_EQ(r->stages.size(), 4u);
  EXPECT_EQ(r->stages[0].elected, (std::vector<uint32_t>{0}));
  EXPECT_EQ(r->stages[1].values[1], 30'000'000);
  EXPECT_EQ(r->stages[1].values[0], 25'000'000);
  EXPECT_EQ(r->stages[1].elected, (std::vector<uint32_t>{1}));
  EXPECT_EQ(r->stages[2].values[2], 22'499'990);
  EXPECT_EQ(r->stages[2].values[1], 25'000'010);
  EXPECT_EQ(r->stages[2].exhausted, 2'500'000);
  EXPECT_EQ(r->stages[3].kind, StvStage::Kind::kExclusion);
  EXPECT_EQ(r->stages[3].candidate, 3u);
  EXPECT_EQ(r->stages[3].values[2], 34'499'990);
  EXPECT_EQ(r->stages[3].elected, (std::vector<uint32_t>{2}));
  for (const StvStage& s : r->stages) {
    EXPECT_EQ(std::accumulate(s.values.begin(), s.values.end(), s.exhausted), 100 * kStvUnit);
  }
  // First preferences under the DNC's method: A 40 B 15 C 20 D 12 E 13; A, B (at exactly 15%) and
  // C qualify: quotas 1.6, 0.6, 0.8: C takes a remainder seat and A and B tie for the last.
  EXPECT_FALSE(r->dnc_complete);
  c.lots = {1, 0};
  r = CountConvention(c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->order, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_TRUE(r->dnc_complete);
  EXPECT_EQ(r->dnc_seats, (std::vector<Count>{1, 1, 1, 0, 0}));
}

TEST(SeatFormulasTest, StvExclusionTiesLookBackThenToTheLots) {
  ConventionCount c;
  c.formula = SeatFormula::kStv;
  c.seats = 1;
  for (const char* n : {"A", "B", "C"}) c.options.push_back({n, {}, std::nullopt, ""});
  // A 4, B 3, C 3: nobody above 10/2 = 5; B and C tie at every stage: the lots keep one.
  c.ballots = {{{0}, 4}, {{1, 0}, 3}, {{2, 1}, 3}};
  auto r = CountConvention(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("B, C"), std::string::npos) << r.status().message();
  c.lots = {1, 2};  // B drawn first: C is excluded, B reaches 6 and wins
  r = CountConvention(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->order, (std::vector<uint32_t>{1}));
  ASSERT_EQ(r->ties.size(), 1u);
  c.lots = {2, 1};  // C kept: B excluded, B's ballots go to A: A 7 wins
  r = CountConvention(c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->order, (std::vector<uint32_t>{0}));
}

TEST(SeatFormulasTest, TiesAreDecidedByRecordedLotsNeverSilently) {
  ConventionCount c = Lists(SeatFormula::kDhondt, 3, {50, 50});
  auto r = CountConvention(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("the 3rd seat under slate, D'Hondt"), std::string::npos)
      << r.status().message();
  c.lots = {1, 0};
  r = CountConvention(c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->won, (std::vector<Count>{1, 2}));
  ASSERT_EQ(r->ties.size(), 1u);
  EXPECT_EQ(r->ties[0].favoured, (std::vector<uint32_t>{1}));
  // Block plurality, a tie for the last seat.
  ConventionCount b = Lists(SeatFormula::kBlockPlurality, 2, {9, 7, 7});
  EXPECT_FALSE(CountConvention(b).ok());
  b.lots = {2};  // only C was drawn: B is not named
  EXPECT_FALSE(CountConvention(b).ok());
  b.lots = {2, 1};
  EXPECT_EQ(Won(b), (std::vector<Count>{1, 0, 1}));
  // Droop: every list holds whole quotas (4/6 and 2/6 of the vote, 5 seats): they over-fill.
  ConventionCount d = Lists(SeatFormula::kDroopLargestRemainder, 5, {40, 20});
  EXPECT_FALSE(CountConvention(d).ok());
  d.lots = {0, 1};
  EXPECT_EQ(Won(d), (std::vector<Count>{4, 1}));
}

Nominee N(const std::string& name, Gender g) { return {name, g}; }

TEST(SeatFormulasTest, EqualDivisionSwapsInTheNextOfTheSameList) {
  // D'Hondt 5 seats, 60/40: A 3, B 2. A lists three men first; B a man and a woman.
  ConventionCount c = Lists(SeatFormula::kDhondt, 5, {60, 40});
  c.options[0].nominees = {N("a1", Gender::kMan), N("a2", Gender::kMan), N("a3", Gender::kMan),
                           N("a4", Gender::kWoman), N("a5", Gender::kWoman)};
  c.options[1].nominees = {N("b1", Gender::kMan), N("b2", Gender::kWoman), N("b3", Gender::kWoman)};
  auto plain = CountConvention(c);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->men, 4);
  EXPECT_EQ(plain->women, 1);
  c.equal_division.enabled = true;
  auto r = CountConvention(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->won, (std::vector<Count>{3, 2}));  // the lists keep their seats
  EXPECT_EQ(r->men, 3);
  EXPECT_EQ(r->women, 2);
  EXPECT_TRUE(r->balanced);
  ASSERT_EQ(r->swaps.size(), 1u);
  EXPECT_EQ(r->swaps[0], "a4 (woman) in for a3 (man) on A");
  std::vector<std::string> names;
  for (const Delegate& d : r->delegates) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a1", "a2", "a4", "b1", "b2"}));
  // Variance 0 on 5 seats cannot be met; the count says so instead of forcing it.
  c.equal_division.variance = 0;
  r = CountConvention(c);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->balanced);
  // A nominee without a gender is refused under equal division.
  c.options[1].nominees[2].gender.reset();
  EXPECT_FALSE(CountConvention(c).ok());
}

TEST(SeatFormulasTest, NonBinaryDelegatesFollowTheSwitch) {
  ConventionCount c = Lists(SeatFormula::kHareLargestRemainder, 4, {1, 0});
  c.options[0].nominees = {N("x", Gender::kNonBinary), N("m1", Gender::kMan), N("m2", Gender::kMan),
                           N("w1", Gender::kWoman), N("w2", Gender::kWoman)};
  c.equal_division.enabled = true;
  c.equal_division.variance = 0;
  // Outside the balance (the default): x, m1, m2, w1 are 2 men and 1 woman; a swap would only
  // turn that around, so the count reports it unbalanced and swaps nobody.
  auto r = CountConvention(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->non_binary, 1);
  EXPECT_FALSE(r->balanced);
  EXPECT_TRUE(r->swaps.empty());
  // Counted on either side: x balances 2 men and 1 woman with no swap.
  c.equal_division.non_binary = NonBinaryRule::kEitherSide;
  r = CountConvention(c);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->balanced);
  EXPECT_TRUE(r->swaps.empty());
  EXPECT_EQ(r->men, 2);
  EXPECT_EQ(r->women, 1);
}

TEST(SeatFormulasTest, MarkedBallotsAreTalliedWithinWhatTheFormulaAllows) {
  // Three candidates, two seats.
  auto block =
      TallyMarkedBallots(SeatFormula::kBlockPlurality, 2, 0, 3, {{1, 1, 0}, {0, 1, 1}, {1, 0, 0}});
  ASSERT_TRUE(block.ok()) << block.status().ToString();
  EXPECT_EQ(*block, (std::vector<Count>{2, 2, 1}));
  auto over = TallyMarkedBallots(SeatFormula::kBlockPlurality, 2, 0, 3, {{1, 0, 0}, {1, 1, 1}});
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("ballot #2 casts more than 2"), std::string::npos);
  EXPECT_FALSE(TallyMarkedBallots(SeatFormula::kBlockPlurality, 2, 0, 3, {{2, 0, 0}}).ok());
  EXPECT_FALSE(TallyMarkedBallots(SeatFormula::kLimitedVoting, 2, 1, 3, {{1, 1, 0}}).ok());
  auto cumulative = TallyMarkedBallots(SeatFormula::kCumulative, 2, 0, 3, {{2, 0, 0}, {1, 0, 1}});
  ASSERT_TRUE(cumulative.ok());
  EXPECT_EQ(*cumulative, (std::vector<Count>{3, 0, 1}));
  EXPECT_FALSE(TallyMarkedBallots(SeatFormula::kCumulative, 2, 0, 3, {{2, 1, 0}}).ok());
  EXPECT_FALSE(TallyMarkedBallots(SeatFormula::kDhondt, 2, 0, 3, {{1, 0, 0}}).ok());
  EXPECT_FALSE(TallyMarkedBallots(SeatFormula::kBlockPlurality, 2, 0, 3, {{1, 0}}).ok());
}

TEST(SeatFormulasTest, EqualDivisionAmongCandidatesSwapsWithinTheirGroup) {
  // Block plurality, 3 seats; two preference groups. The winners are three men.
  ConventionCount c = Lists(SeatFormula::kBlockPlurality, 3, {90, 80, 70, 60, 50, 40});
  const Gender g[6] = {Gender::kMan,   Gender::kMan,   Gender::kMan,
                       Gender::kWoman, Gender::kWoman, Gender::kWoman};
  const char* group[6] = {"P", "P", "Q", "Q", "P", "P"};
  for (size_t i = 0; i < 6; ++i) {
    c.options[i].gender = g[i];
    c.options[i].group = group[i];
  }
  c.equal_division.enabled = true;
  auto r = CountConvention(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // P holds two seats and goes first: its lowest man (B, 80) gives way to its best woman (E, 50).
  EXPECT_EQ(r->swaps, (std::vector<std::string>{"E (woman) in for B (man) on P"}));
  EXPECT_EQ(r->won, (std::vector<Count>{1, 0, 1, 0, 1, 0}));
  EXPECT_EQ(r->men, 2);
  EXPECT_EQ(r->women, 1);
  // The DNC comparison runs over the groups: P 90+80+50+40 = 260, Q 130.
  EXPECT_EQ(r->dnc_groups, (std::vector<std::string>{"P", "Q"}));
  EXPECT_EQ(r->dnc_seats, (std::vector<Count>{2, 1}));
}

TEST(SeatFormulasTest, BadInputIsRefusedWithTheReason) {
  EXPECT_FALSE(CountConvention(Lists(SeatFormula::kDhondt, 0, {1, 2})).ok());
  EXPECT_FALSE(CountConvention(Lists(SeatFormula::kDhondt, 3, {0, 0})).ok());
  EXPECT_FALSE(CountConvention(Lists(SeatFormula::kDhondt, 3, {-1, 5})).ok());
  ConventionCount stv = Lists(SeatFormula::kStv, 1, {3, 4});
  auto r = CountConvention(stv);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("STV counts ranked ballots"), std::string::npos);
  stv.tallies.clear();
  stv.ballots = {{{0, 0}, 1}};
  r = CountConvention(stv);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ranks A twice"), std::string::npos);
  EXPECT_FALSE(ParseSeatFormula("plurality").ok());
  EXPECT_EQ(*ParseSeatFormula("Sainte-Lague"), SeatFormula::kSainteLague);
}

std::vector<uint32_t> AllLots(size_t n) {
  std::vector<uint32_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

RC_GTEST_PROP(SeatFormulasProperty, SeatsAlwaysSumToTheDistrictsSeats, ()) {
  const auto f =
      *rc::gen::element(SeatFormula::kHareLargestRemainder, SeatFormula::kDroopLargestRemainder,
                        SeatFormula::kDhondt, SeatFormula::kSainteLague);
  const Count m = *rc::gen::inRange<Count>(1, 30);
  auto tallies = *rc::gen::container<std::vector<Count>>(*rc::gen::inRange<size_t>(1, 8),
                                                         rc::gen::inRange<Count>(0, 10000));
  RC_PRE(std::accumulate(tallies.begin(), tallies.end(), Count{0}) > 0);
  ConventionCount c = Lists(f, m, tallies);
  c.lots = AllLots(tallies.size());
  auto r = CountConvention(c);
  RC_ASSERT(r.ok());
  RC_ASSERT(std::accumulate(r->won.begin(), r->won.end(), Count{0}) == m);
  // A larger list never has fewer seats (D'Hondt, Sainte-Laguë and both remainders).
  for (size_t i = 0; i < tallies.size(); ++i) {
    for (size_t j = 0; j < tallies.size(); ++j) {
      if (tallies[i] > tallies[j]) RC_ASSERT(r->won[i] >= r->won[j]);
    }
  }
  // And a list with every vote takes every seat.
  std::vector<Count> alone(tallies.size(), 0);
  alone[0] = 1 + tallies[0];
  ConventionCount all = Lists(f, m, alone);
  all.lots = c.lots;
  auto a = CountConvention(all);
  RC_ASSERT(a.ok());
  RC_ASSERT(a->won[0] == m);
}

RC_GTEST_PROP(SeatFormulasProperty, StvFillsEverySeatAndKeepsEveryVote, ()) {
  const size_t n = *rc::gen::inRange<size_t>(2, 7);
  const Count m = *rc::gen::inRange<Count>(1, static_cast<Count>(n) + 1);
  ConventionCount c;
  c.formula = SeatFormula::kStv;
  c.seats = m;
  for (size_t i = 0; i < n; ++i) c.options.push_back({Numbered(i), {}, std::nullopt, ""});
  const size_t kinds = *rc::gen::inRange<size_t>(1, 12);
  Count total = 0;
  for (size_t k = 0; k < kinds; ++k) {
    std::vector<uint32_t> order = AllLots(n);
    const size_t len = *rc::gen::inRange<size_t>(1, n + 1);
    for (size_t i = 0; i < n; ++i) std::swap(order[i], order[*rc::gen::inRange<size_t>(i, n)]);
    order.resize(len);
    const Count count = *rc::gen::inRange<Count>(1, 50);
    total += count;
    c.ballots.push_back({order, count});
  }
  c.lots = AllLots(n);
  auto r = CountConvention(c);
  RC_ASSERT(r.ok());
  RC_ASSERT(static_cast<Count>(r->order.size()) == m);
  for (const StvStage& s : r->stages) {
    RC_ASSERT(std::accumulate(s.values.begin(), s.values.end(), s.exhausted) == total * kStvUnit);
  }
}

}  // namespace
}  // namespace canvass
