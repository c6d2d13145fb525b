#include "delegates/national.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <numeric>

namespace canvass {
namespace {

std::vector<Rational> Votes(std::initializer_list<int64_t> counts) {
  return std::vector<Rational>(counts.begin(), counts.end());
}

NationalRules Dnc(SharePrecision precision = SharePrecision::kExact,
                  ThresholdFallback fallback = ThresholdFallback::kHalfFrontRunner) {
  NationalRules rules;
  rules.threshold = Rational(15, 100);
  rules.share_precision = precision;
  rules.fallback = fallback;
  return rules;
}

NationalPool Pool(const std::string& name, Count size) {
  NationalPool pool;
  pool.name = name;
  pool.size = size;
  return pool;
}

PoolAllocation Allocate(const NationalRules& rules, Count size, const std::vector<Rational>& votes,
                        const std::vector<PoolTieOutcome>& outcomes = {}) {
  auto r = AllocatePool(rules, Pool("P", size), votes, outcomes);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : PoolAllocation();
}

Count Sum(const std::vector<Count>& v) { return std::accumulate(v.begin(), v.end(), Count{0}); }

TEST(AllocatePoolTest, WholePartsThenLargestRemainder) {
  // Quotas 3.5, 2.1, 1.4: whole parts 3+2+1 = 6, the seventh seat to the largest remainder (0.5).
  PoolAllocation a = Allocate(Dnc(), 7, Votes({50, 30, 20}));
  EXPECT_EQ(a.delegates, (std::vector<Count>{4, 2, 1}));
  EXPECT_EQ(a.quotas[0], Rational(7, 2));
  EXPECT_EQ(a.threshold, Rational(15, 100));
  EXPECT_FALSE(a.fallback_applied);
  EXPECT_TRUE(a.complete());
}

TEST(AllocatePoolTest, BelowThresholdGetsNothingAndSharesAreOfTheQualifiedVote) {
  PoolAllocation a = Allocate(Dnc(), 6, Votes({60, 30, 10}));
  EXPECT_EQ(a.qualified, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(a.qualified_vote, Rational(90));
  EXPECT_EQ(a.qualified_shares[0], Rational(2, 3));
  EXPECT_EQ(a.delegates, (std::vector<Count>{4, 2, 0}));
}

TEST(AllocatePoolTest, ACandidateAboveThresholdCanWinNothing) {
  // Quotas 1.0, 0.6, 0.4: B's remainder takes the second seat; C qualifies at 20% and wins
  // nothing.
  PoolAllocation a = Allocate(Dnc(), 2, Votes({50, 30, 20}));
  EXPECT_EQ(a.qualified, (std::vector<bool>{true, true, true}));
  EXPECT_TRUE(a.complete());
  EXPECT_EQ(a.delegates, (std::vector<Count>{1, 1, 0}));
}

// Nobody reaches 15%: front-runner at 14%.
const std::initializer_list<int64_t> kSplitField = {14, 13, 13, 12, 12, 12, 12, 6, 6};

TEST(AllocatePoolTest, FallbackHalfTheFrontRunner) {
  PoolAllocation a = Allocate(Dnc(), 10, Votes(kSplitField));
  EXPECT_TRUE(a.fallback_applied);
  EXPECT_EQ(a.threshold, Rational(7, 100));
  EXPECT_EQ(a.qualified,
            (std::vector<bool>{true, true, true, true, true, true, true, false, false}));
  EXPECT_EQ(a.qualified_vote, Rational(88));
  EXPECT_EQ(Sum(a.delegates), 10);
  EXPECT_EQ(a.delegates[7], 0);
}

TEST(AllocatePoolTest, FallbackFrontRunnerMinusTenPoints) {
  PoolAllocation a = Allocate(Dnc(SharePrecision::kExact, ThresholdFallback::kFrontRunnerMinus10),
                              10, Votes(kSplitField));
  EXPECT_TRUE(a.fallback_applied);
  EXPECT_EQ(a.threshold, Rational(4, 100));
  EXPECT_TRUE(a.qualified[7]);
  EXPECT_TRUE(a.qualified[8]);
  EXPECT_EQ(a.qualified_vote, Rational(100));
}

TEST(AllocatePoolTest, NoFallbackMeansNothingAllocated) {
  PoolAllocation a =
      Allocate(Dnc(SharePrecision::kExact, ThresholdFallback::kNone), 10, Votes(kSplitField));
  EXPECT_FALSE(a.fallback_applied);
  EXPECT_EQ(Sum(a.delegates), 0);
  EXPECT_FALSE(a.notes.empty());
}

TEST(AllocatePoolTest, SharePrecisionDecidesANearThresholdCandidate) {
  // 149,996 of 1,000,000 is 14.9996%: 15.000% at three decimals of a percentage, 0.150 at three
  // decimals of a fraction, and below 15% exactly.
  const auto votes = Votes({149'996, 850'004});
  EXPECT_TRUE(Allocate(Dnc(SharePrecision::kPercent3), 7, votes).qualified[0]);
  EXPECT_TRUE(Allocate(Dnc(SharePrecision::kFraction3), 7, votes).qualified[0]);
  PoolAllocation exact = Allocate(Dnc(SharePrecision::kExact), 7, votes);
  EXPECT_FALSE(exact.qualified[0]);
  EXPECT_EQ(exact.delegates, (std::vector<Count>{0, 7}));

  // 14.96%: 0.150 as a fraction to three decimals, but 14.960% as a percentage.
  const auto near = Votes({1'496, 8'504});
  EXPECT_TRUE(Allocate(Dnc(SharePrecision::kFraction3), 7, near).qualified[0]);
  PoolAllocation percent = Allocate(Dnc(SharePrecision::kPercent3), 7, near);
  EXPECT_FALSE(percent.qualified[0]);
  EXPECT_EQ(percent.shares[0], Rational(1'496, 10'000));
}

TEST(AllocatePoolTest, RoundedQualifiedSharesDriveTheQuota) {
  PoolAllocation a = Allocate(Dnc(SharePrecision::kFraction3), 7, Votes({2, 1}));
  EXPECT_EQ(a.qualified_shares[0], Rational(667, 1000));
  EXPECT_EQ(a.quotas[0], Rational(7 * 667, 1000));
  EXPECT_EQ(a.delegates, (std::vector<Count>{5, 2}));
}

TEST(AllocatePoolTest, RemainderTieIsAnEventNotADecision) {
  PoolAllocation a = Allocate(Dnc(), 2, Votes({50, 25, 25}));
  ASSERT_TRUE(a.pending_tie.has_value());
  EXPECT_FALSE(a.complete());
  EXPECT_EQ(a.pending_tie->candidates, (std::vector<CandidateIndex>{1, 2}));
  EXPECT_EQ(a.pending_tie->seats_at_stake, 1);
  EXPECT_FALSE(a.pending_tie->loss);
  EXPECT_EQ(a.pending_tie->remainder, Rational(1, 2));
  EXPECT_EQ(a.pending_tie->pool, "P");
  EXPECT_EQ(a.delegates, (std::vector<Count>{1, 0, 0}));
}

TEST(AllocatePoolTest, RecordedOutcomeSettlesTheTie) {
  PoolTieOutcome outcome{"P", {2, 1}, {2}, "drawn by lot"};
  PoolAllocation a = Allocate(Dnc(), 2, Votes({50, 25, 25}), {outcome});
  EXPECT_TRUE(a.complete());
  EXPECT_EQ(a.delegates, (std::vector<Count>{1, 0, 1}));
  ASSERT_EQ(a.resolved_ties.size(), 1u);
  EXPECT_EQ(a.resolved_ties[0].candidates, (std::vector<CandidateIndex>{1, 2}));

  // An outcome for another pool is not this pool's business.
  PoolAllocation other = Allocate(Dnc(), 2, Votes({50, 25, 25}), {{"Q", {1, 2}, {2}, ""}});
  EXPECT_TRUE(other.pending_tie.has_value());
}

TEST(AllocatePoolTest, OutcomeThatDoesNotFitTheTieIsRefused) {
  const auto votes = Votes({50, 25, 25});
  EXPECT_FALSE(AllocatePool(Dnc(), Pool("P", 2), votes, {{"P", {0, 1}, {1}, ""}}).ok());
  EXPECT_FALSE(AllocatePool(Dnc(), Pool("P", 2), votes, {{"P", {1, 2}, {1, 2}, ""}}).ok());
  EXPECT_FALSE(AllocatePool(Dnc(), Pool("P", 2), votes, {{"P", {1, 2}, {0}, ""}}).ok());
  EXPECT_FALSE(AllocatePool(Dnc(), Pool("P", 2), votes, {{"P", {1, 2}, {}, ""}}).ok());
}

TEST(AllocatePoolTest, OverfilledRoundedSharesGiveSeatsBackAndTieOnTheLoss) {
  // .3335 and .3335 round up to .334: 668 + 668 + 666 = 2,002 whole seats of 2,000.
  PoolAllocation a = Allocate(Dnc(SharePrecision::kFraction3), 2000, Votes({3335, 3335, 3330}));
  ASSERT_TRUE(a.pending_tie.has_value());
  EXPECT_TRUE(a.pending_tie->loss);
  EXPECT_EQ(a.pending_tie->seats_at_stake, 2);
  EXPECT_EQ(a.pending_tie->candidates, (std::vector<CandidateIndex>{0, 1, 2}));
  EXPECT_LE(Sum(a.delegates), 2000);
  PoolAllocation settled = Allocate(Dnc(SharePrecision::kFraction3), 2000,
                                    Votes({3335, 3335, 3330}), {{"P", {0, 1, 2}, {0}, ""}});
  EXPECT_EQ(settled.delegates, (std::vector<Count>{668, 667, 665}));
}

TEST(AllocatePoolTest, ThresholdZeroQualifiesEveryoneWithVotes) {
  NationalRules rules = Dnc();
  rules.threshold = Rational(0);
  rules.fallback = ThresholdFallback::kNone;
  PoolAllocation a = Allocate(rules, 10, Votes({90, 9, 1, 0}));
  EXPECT_EQ(a.qualified, (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(a.delegates, (std::vector<Count>{9, 1, 0, 0}));
}

TEST(AllocatePoolTest, IowaRepublicans2016) {
  // Straw poll, 30 delegates, no threshold, largest remainder (spec 6): Christie's remainder
  // 0.527 loses the last seat to Huckabee's 0.537.
  NationalRules rules;
  rules.threshold = Rational(0);
  rules.fallback = ThresholdFallback::kNone;
  rules.share_precision = SharePrecision::kExact;
  const auto votes =
      Votes({51666, 45429, 43165, 17395, 8481, 5238, 3485, 3474, 3345, 3284, 1783, 117, 12});
  PoolAllocation a = Allocate(rules, 30, votes);
  EXPECT_TRUE(a.complete());
  EXPECT_EQ(a.delegates, (std::vector<Count>{8, 7, 7, 3, 1, 1, 1, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(a.quotas[9].FractionalPart().RoundTo(3), Rational(527, 1000));
  EXPECT_EQ(a.quotas[8].FractionalPart().RoundTo(3), Rational(537, 1000));
}

TEST(AllocatePoolTest, IowaRepublicanRulesetGivesThe2016Result) {
  // The shipped iowa-gop-2020 rules are the 2016 rules with 40 seats: on a 30-seat pool they must
  // reproduce 2016.
  auto ruleset = LoadRuleset("iowa-gop-2020");
  ASSERT_TRUE(ruleset.ok()) << ruleset.status().ToString();
  ASSERT_TRUE(ruleset->national.has_value());
  ASSERT_EQ(ruleset->national->pools.size(), 1u);
  NationalPool pool = ruleset->national->pools[0];
  EXPECT_EQ(pool.scope, PoolScope::kStatewide);
  pool.size = 30;
  const auto votes =
      Votes({51666, 45429, 43165, 17395, 8481, 5238, 3485, 3474, 3345, 3284, 1783, 117, 12});
  auto a = AllocatePool(*ruleset->national, pool, votes);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->delegates, (std::vector<Count>{8, 7, 7, 3, 1, 1, 1, 1, 1, 0, 0, 0, 0}));
}

TEST(AllocatePoolTest, NoVotesOrNoSeats) {
  EXPECT_EQ(Sum(Allocate(Dnc(), 5, Votes({0, 0})).delegates), 0);
  EXPECT_EQ(Sum(Allocate(Dnc(), 0, Votes({3, 1})).delegates), 0);
  EXPECT_EQ(Sum(Allocate(Dnc(), 5, {}).delegates), 0);
}

TEST(AllocatePoolTest, RefusesNegativeInput) {
  EXPECT_FALSE(AllocatePool(Dnc(), Pool("P", 3), Votes({5, -1})).ok());
  EXPECT_FALSE(AllocatePool(Dnc(), Pool("P", -1), Votes({5, 1})).ok());
}

TEST(AllocateNationalTest, DistrictPoolsUseTheirDistrictAndStatewidePoolsTheState) {
  NationalRules rules = Dnc();
  NationalPool cd1 = Pool("CD1", 3);
  cd1.scope = PoolScope::kDistrict;
  cd1.district = "1";
  NationalPool cd2 = Pool("CD2", 2);
  cd2.scope = PoolScope::kDistrict;
  cd2.district = "2";
  NationalPool cd3 = Pool("CD3", 2);
  cd3.scope = PoolScope::kDistrict;
  cd3.district = "3";
  rules.pools = {cd1, cd2, cd3, Pool("At-large", 4)};
  NationalVotes votes;
  votes.districts["1"] = Votes({100, 0});
  votes.districts["2"] = Votes({0, 100});
  votes.state = Votes({100, 100});
  auto r = AllocateNational(rules, votes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->pools.size(), 4u);
  EXPECT_EQ(r->pools[0].delegates, (std::vector<Count>{3, 0}));
  EXPECT_EQ(r->pools[1].delegates, (std::vector<Count>{0, 2}));
  EXPECT_EQ(r->pools[2].delegates, (std::vector<Count>{0, 0}));  // no votes in district 3
  EXPECT_EQ(r->pools[3].delegates, (std::vector<Count>{2, 2}));
  EXPECT_EQ(r->total, (std::vector<Count>{5, 4}));
  EXPECT_TRUE(r->complete());

  votes.districts["2"] = Votes({1});
  EXPECT_FALSE(AllocateNational(rules, votes).ok());
}

// Exact shares and any votes: every seat is allocated unless a tie is pending, and nobody is
// further than one seat from their quota.
RC_GTEST_PROP(AllocatePoolProperty, SeatsStayWithinOneOfTheQuota,
              (const std::vector<uint16_t>& raw, uint8_t raw_size)) {
  std::vector<Rational> votes;
  for (uint16_t v : raw) votes.emplace_back(static_cast<int64_t>(v));
  const Count size = raw_size % 60;
  auto r = AllocatePool(Dnc(), Pool("P", size), votes);
  RC_ASSERT(r.ok());
  const Count total = Sum(r->delegates);
  bool anyone = std::find(r->qualified.begin(), r->qualified.end(), true) != r->qualified.end();
  if (!anyone) {
    RC_ASSERT(total == 0);
    return;
  }
  if (r->complete()) {
    RC_ASSERT(total == size);
  } else {
    RC_ASSERT(total + r->pending_tie->seats_at_stake == size);
  }
  for (size_t c = 0; c < votes.size(); ++c) {
    if (!r->qualified[c]) {
      RC_ASSERT(r->delegates[c] == 0);
      continue;
    }
    RC_ASSERT(r->delegates[c] >= r->quotas[c].Floor());
    RC_ASSERT(r->delegates[c] <= r->quotas[c].Ceil());
  }
}

}  // namespace
}  // namespace canvass
