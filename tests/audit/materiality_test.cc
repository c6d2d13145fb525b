#include "audit/materiality.h"

#include <gtest/gtest.h>

#include "caucus/findings.h"

namespace canvass {
namespace {

// Two candidates, X and Y, one statewide pool of 3 seats on SDEs, and one county whose county
// delegate is worth exactly one SDE, so that every figure below is checked by hand:
//
//   Near: D 10, X 10 Y 0     Far: D 2, X 1 Y 1     Big: D 89, X 45 Y 44
//   State: X 56, Y 45 (101). Quotas 3 x 56/101 = 1.663 and 3 x 45/101 = 1.337: X 2, Y 1.
//
// The tightest assertion is X's second seat against Y: 3 (x_X - x_Y) > 0, margin G = 3 x 11 = 33.
// A precinct can take from it at most 3 (x_X,p - x_Y,p) + 3 S_p:
//   Far:  (0 + 6) / 33 = 2/11 < 1    (nothing it reports can move a seat)
//   Near: (30 + 30) / 33 = 20/11     (5 delegates X to Y leaves X 51 - Y 50, X keeps 2;
//                                      6 make it 50 - 51: Y takes the second seat)
class MaterialityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = LoadRuleset("iowa-dem-2020");
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    ruleset_ = *rules;
    NationalRules& national = *ruleset_.national;
    national.pools = {NationalPool{"State", PoolScope::kStatewide, "", 3}};
    election_.candidates = {"X", "Y"};
    election_.county_district = {{"A", "1"}};
    Add("Near", 10, 10, 0);
    Add("Far", 2, 1, 1);
    Add("Big", 89, 45, 44);
  }

  void Add(const std::string& name, Count delegates, Count x, Count y) {
    PrecinctApportionment a;
    a.county = "A";
    a.precinct = name;
    a.delegates = delegates;
    a.sde_per_delegate = Rational(1);
    a.district = "1";
    election_.apportionment.push_back(a);
    PrecinctReport r;
    r.county = "A";
    r.precinct = name;
    r.figures.resize(2);
    // Head counts that give the same delegates: 10 people per delegate.
    r.figures[0] = {x * 10, x * 10, x, Rational(x)};
    r.figures[1] = {y * 10, y * 10, y, Rational(y)};
    election_.reports.push_back(r);
  }

  Materiality Compute() {
    checks_ = CheckElection(ruleset_, election_);
    auto m = ComputeMateriality(ruleset_, election_, checks_);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : Materiality{};
  }

  Result<Eligibility> Claim(const std::string& precinct, std::vector<ClaimedFigure> claims) {
    checks_ = CheckElection(ruleset_, election_);
    return CheckEligibility(ruleset_, election_, checks_, "A", precinct, claims);
  }

  Ruleset ruleset_;
  Election election_;
  std::vector<PrecinctCheck> checks_;
};

TEST_F(MaterialityTest, ReportedOutcomeIsTheHandAllocation) {
  Materiality m = Compute();
  ASSERT_EQ(m.outcome.pools.size(), 1u);
  EXPECT_EQ(m.outcome.pools[0].delegates, (std::vector<Count>{2, 1}));
  // Per candidate a viability assertion, and the two ordered Hamilton pairs.
  EXPECT_EQ(m.assertions.size(), 4u);
}

TEST_F(MaterialityTest, PrecinctFarFromAnyBoundaryCannotMatter) {
  Materiality m = Compute();
  const PrecinctMateriality& far = m.precincts[1];
  EXPECT_EQ(far.precinct, "Far");
  ASSERT_TRUE(far.bounded);
  EXPECT_EQ(far.bound, Rational(2, 11));
  EXPECT_FALSE(far.possibly_material());
  EXPECT_FALSE(far.smallest.has_value());
  ASSERT_TRUE(far.assertion.has_value());
  EXPECT_EQ(m.assertions[*far.assertion].Describe(m.candidates, m.outcome),
            "State: X 2 against Y 1");
}

TEST_F(MaterialityTest, PrecinctAtTheRoundingBoundaryHasItsSmallestChange) {
  Materiality m = Compute();
  const PrecinctMateriality& near = m.precincts[0];
  ASSERT_TRUE(near.bounded);
  EXPECT_EQ(near.bound, Rational(20, 11));
  ASSERT_TRUE(near.smallest.has_value());
  const PrecinctChange& ch = *near.smallest;
  ASSERT_TRUE(ch.from.has_value());
  EXPECT_EQ(*ch.from, 0u);
  EXPECT_EQ(ch.to, 1u);
  EXPECT_EQ(ch.delegates, 6);
  EXPECT_EQ(ch.sde_moved, Rational(6));
  EXPECT_EQ(ch.delegates_after, (std::vector<Count>{4, 6}));
  ASSERT_EQ(ch.pools.size(), 1u);
  EXPECT_EQ(ch.pools[0].after, (std::vector<Count>{1, 2}));
  EXPECT_FALSE(ch.pools[0].tie);
  EXPECT_EQ(ch.Describe(m.candidates, m.outcome),
            "move 6 county delegates from X to Y (6.0000 SDE): State X 2-1 Y becomes 1-2");
  EXPECT_EQ(m.possibly_material, 2);  // Near and Big
  EXPECT_EQ(m.material, 2);
  EXPECT_EQ(m.by_pair, 2);
}

TEST_F(MaterialityTest, EligibilityOfClaimedDelegates) {
  auto five = Claim(
      "Near", {{0, ClaimField::kDelegates, Rational(5)}, {1, ClaimField::kDelegates, Rational(5)}});
  ASSERT_TRUE(five.ok()) << five.status().ToString();
  EXPECT_FALSE(five->eligible());
  EXPECT_TRUE(five->failed.empty());

  auto six = Claim(
      "Near", {{0, ClaimField::kDelegates, Rational(4)}, {1, ClaimField::kDelegates, Rational(6)}});
  ASSERT_TRUE(six.ok()) << six.status().ToString();
  ASSERT_TRUE(six->eligible());
  EXPECT_EQ(six->pools[0].after, (std::vector<Count>{1, 2}));
  ASSERT_EQ(six->failed.size(), 1u);
  EXPECT_EQ(six->failed[0].Describe(election_.candidates, six->outcome), "State: X 2 against Y 1");
}

TEST_F(MaterialityTest, EligibilityOfClaimedAlignmentsRunsThePrecinctRules) {
  // 40 and 60 people for 10 delegates: 4 and 6, the same as the eligible claim above.
  auto e = Claim("Near", {{0, ClaimField::kFirst, Rational(40)},
                          {0, ClaimField::kFinal, Rational(40)},
                          {1, ClaimField::kFirst, Rational(60)},
                          {1, ClaimField::kFinal, Rational(60)}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->sde_claimed, (std::vector<Rational>{Rational(4), Rational(6)}));
  EXPECT_TRUE(e->eligible());
}

TEST_F(MaterialityTest, EligibilityRefusesWhatCannotBe) {
  auto sum = Claim("Near", {{0, ClaimField::kDelegates, Rational(4)}});
  ASSERT_FALSE(sum.ok());
  EXPECT_NE(sum.status().message().find("add up to 4, but the precinct elects 10"),
            std::string::npos)
      << sum.status().message();
  auto nowhere = Claim("Nowhere", {{0, ClaimField::kSde, Rational(1)}});
  ASSERT_FALSE(nowhere.ok());
  EXPECT_NE(nowhere.status().message().find("A / Nowhere is not in the election"),
            std::string::npos);
  auto negative = Claim("Near", {{1, ClaimField::kSde, Rational(-1)}});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("Y's claimed figure -1 is negative"),
            std::string::npos);
  auto half = Claim("Near", {{1, ClaimField::kDelegates, Rational(1, 2)}});
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("not a whole number"), std::string::npos);
  auto fine = Claim("Near", {{1, ClaimField::kSde, Rational(1, 100000)}});
  ASSERT_FALSE(fine.ok());
  EXPECT_NE(fine.status().message().find("more than 4 decimal places"), std::string::npos);
}

TEST_F(MaterialityTest, RulesTheAssertionsDoNotDescribeAreRefused) {
  checks_ = CheckElection(ruleset_, election_);
  // Rounded shares are audited (tests/audit/share_rounding_test.cc), but only with a threshold
  // on their grid: 0.1504 is not a multiple of 0.001.
  Ruleset rounded = ruleset_;
  rounded.national->share_precision = SharePrecision::kFraction3;
  rounded.national->threshold = Rational(1504, 10000);
  auto r = ComputeMateriality(rounded, election_, checks_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("national.threshold 0.1504 is not a multiple of 0.001"),
            std::string::npos)
      << r.status().message();
  Ruleset heads = ruleset_;
  heads.national->basis = NationalBasis::kFinalAlignment;
  r = ComputeMateriality(heads, election_, checks_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("SDE basis"), std::string::npos);
  Ruleset none = ruleset_;
  none.national.reset();
  r = ComputeMateriality(none, election_, checks_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no national rules"), std::string::npos);
}

TEST_F(MaterialityTest, AThinMarginMakesEvenTheSmallPrecinctMaterial) {
  // Near X 5 Y 5: the state is X 51, Y 50, quotas 1.515 and 1.485, still X 2, Y 1, and the
  // margin 3 (51 - 50) is thin: Far's bound is (0 + 3 x 2) / 3 = 2, and one delegate from X to Y
  // (50 - 51) gives Y the second seat.
  election_.reports[0].figures[0] = {50, 50, 5, Rational(5)};
  election_.reports[0].figures[1] = {50, 50, 5, Rational(5)};
  Materiality m = Compute();
  EXPECT_EQ(m.outcome.pools[0].delegates, (std::vector<Count>{2, 1}));
  EXPECT_EQ(m.precincts[1].bound, Rational(2));
  ASSERT_TRUE(m.precincts[1].smallest.has_value());
  EXPECT_EQ(m.precincts[1].smallest->delegates, 1);
  EXPECT_EQ(m.precincts[1].smallest->pools[0].after, (std::vector<Count>{1, 2}));
}

}  // namespace
}  // namespace canvass
