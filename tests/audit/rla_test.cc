// The risk-limiting audit (src/audit/rla.h): Arlo's contest A, Rivest's sampler vector, the
// certified Iowa record, and simulated elections audited with tallies equal to the reported
// figures and with an error that moves a seat. The figures of contest A and of the sampler were
// recomputed with Python's fractions and hashlib (../shared/spec/audits.md 2.1).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "audit/materiality.h"
#include "audit/rla.h"
#include "caucus/findings.h"
#include "delegates/national.h"
#include "io/importers.h"
#include "simulate/simulate.h"
#include "test_data.h"

namespace canvass {
namespace {

// Contest A of votingworks/arlo server/tests/audit_math/test_macro.py: winner 60,000, loser
// 54,000; 200 batches of 400 ballots at 200/180 and 200 of 200 at 100/90. u_p = (margin_p +
// ballots_p) / 6,000.
TEST(RlaMathTest, ArloContestA) {
  Rational u;
  for (int i = 0; i < 200; ++i) u += Rational(20 + 400, 6000);
  for (int i = 0; i < 200; ++i) u += Rational(10 + 200, 6000);
  EXPECT_EQ(u, Rational(21));

  auto first = FirstRoundSize(u, Rational(1, 4), 400);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->draws, 30);
  EXPECT_FALSE(first->full_hand_count);

  // Four clean batches: P = (20/21)^4, and the next round is 26.
  long double p = 1;
  for (int i = 0; i < 4; ++i) p *= KaplanMarkovFactor(u, Rational(0));
  EXPECT_NEAR(static_cast<double>(p), std::pow(20.0 / 21.0, 4), 1e-15);
  const SampleSize next = NextRoundSize(u, Rational(1, 4), p, 400);
  EXPECT_EQ(next.draws, 26);
  EXPECT_FALSE(next.full_hand_count);

  // A 400-ballot batch audited 190/190: error 20 votes of 6,000, taint e/u = 1/21 = 1/U, so
  // the factor is exactly one and the P-value does not move.
  const Rational taint = Rational(200 - 180 - (190 - 190), 6000) / Rational(420, 6000);
  EXPECT_EQ(taint, Rational(1, 21));
  EXPECT_EQ(KaplanMarkovFactor(u, taint), 1.0L);
  EXPECT_EQ(NextRoundSize(u, Rational(1, 4), p * KaplanMarkovFactor(u, taint), 400).draws, 26);

  // A taint of one: an infinite P-value, and a full hand count.
  EXPECT_TRUE(std::isinf(KaplanMarkovFactor(u, Rational(1))));
  EXPECT_TRUE(NextRoundSize(u, Rational(1, 4), p * KaplanMarkovFactor(u, Rational(1)), 400)
                  .full_hand_count);
  // Capped at N: 30 draws of a contest of 30 batches are a full hand count.
  EXPECT_TRUE(FirstRoundSize(u, Rational(1, 4), 30)->full_hand_count);
  EXPECT_FALSE(FirstRoundSize(u, Rational(1, 4), 31)->full_hand_count);
}

TEST(RlaMathTest, FirstRoundIsExactAtAWholeNumber) {
  // (1 - 1/2)^2 = 1/4 exactly: n = 2 + 1, where logarithms could give 2.0000000001.
  EXPECT_EQ(FirstRoundSize(Rational(2), Rational(1, 4), 100)->draws, 3);
  EXPECT_EQ(FirstRoundSize(Rational(4), Rational(27, 64), 100)->draws, 4);  // (3/4)^3
  EXPECT_FALSE(FirstRoundSize(Rational(1), Rational(1, 4), 100).ok());
  EXPECT_FALSE(FirstRoundSize(Rational(2), Rational(1), 100).ok());
}

TEST(RlaSamplerTest, RivestSeed314159) {
  const std::vector<std::string> order =
      ConsistentOrder({"A-1", "A-2", "A-3", "B-1", "B-2", "B-3"}, "314159");
  EXPECT_EQ(order, (std::vector<std::string>{"B-2", "B-3", "A-3", "A-2", "B-1", "A-1"}));
  EXPECT_EQ(ConsistentTicket("314159", "B-2").substr(0, 13), "0.41031085809");
  EXPECT_EQ(ConsistentTicket("314159", "A-1").substr(0, 13), "0.98285157242");
}

TEST(RlaSamplerTest, PpebDraws) {
  // Recomputed with Python: for i in 1..8, the ticket of str(i) under seed "314159", times the
  // total weight 10, floor, located among the cumulative weights 3, 3, 8, 10.
  const std::vector<int64_t> weights = {3, 0, 5, 2};
  const std::vector<size_t> draws = DrawPpeb(weights, "314159", 1, 8);
  ASSERT_EQ(draws.size(), 8u);
  for (size_t b : draws) EXPECT_NE(b, 1u);  // weight 0 is never drawn
  // Consistent: the draws of a later round continue the sequence.
  std::vector<size_t> split = DrawPpeb(weights, "314159", 1, 3);
  const std::vector<size_t> rest = DrawPpeb(weights, "314159", 4, 5);
  split.insert(split.end(), rest.begin(), rest.end());
  EXPECT_EQ(split, draws);
  EXPECT_EQ(draws, (std::vector<size_t>{0, 3, 3, 2, 0, 2, 2, 0}));
}

struct Loaded {
  Ruleset ruleset;
  Election election;
  std::vector<PrecinctCheck> checks;
};

Loaded LoadIowa() {
  Loaded in;
  in.ruleset = *LoadRuleset("iowa-dem-2020");
  in.election = *LoadResultsFile(kIowa + "results-certified-2020-04-07-long.csv");
  in.election.apportionment = *LoadApportionmentFile(kIowa + "apportionment.csv");
  in.election.county_district = *LoadDistrictsFile(kIowa + "county-congressional-district.csv");
  in.checks = CheckElection(in.ruleset, in.election);
  return in;
}

TEST(RlaIowaTest, CertifiedRecordNeedsAFullHandCount) {
  const Loaded in = LoadIowa();
  MaterialityOptions mo;
  mo.search = false;
  auto mat = ComputeMateriality(in.ruleset, in.election, in.checks, mo);
  ASSERT_TRUE(mat.ok()) << mat.status().ToString();
  auto plan = PlanRla(in.ruleset, *mat, Rational(5, 100));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->batches.size(), 1765u);
  EXPECT_TRUE(plan->unbounded.empty());
  // The tightest assertion: PLEO, Buttigieg 2 against Sanders 1, U about 2,308 (audits.md 2.3).
  const AssertionRisk& tight = plan->assertions.front();
  EXPECT_EQ(mat->assertions[tight.assertion].Describe(mat->candidates, mat->outcome),
            "PLEO: Buttigieg 2 against Sanders 1");
  EXPECT_GT(tight.total_bound, Rational(2307));
  EXPECT_LT(tight.total_bound, Rational(2309));
  EXPECT_TRUE(tight.first_round.full_hand_count);
  // MACRO over every assertion: U about 2,313, above every single assertion's.
  EXPECT_GE(plan->total_bound(), tight.total_bound);
  EXPECT_GT(plan->total_bound(), Rational(2312));
  EXPECT_LT(plan->total_bound(), Rational(2315));
  EXPECT_TRUE(plan->first_round.full_hand_count);
  // Every risk limit up to 46% needs at least 1,765 draws: (1 - 1/U)^1764 is about 0.467.
  for (int pct : {1, 5, 10, 25, 46}) {
    auto p = PlanRla(in.ruleset, *mat, Rational(pct, 100));
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->first_round.full_hand_count) << pct;
  }
  EXPECT_FALSE(PlanRla(in.ruleset, *mat, Rational(1, 2))->first_round.full_hand_count);
  auto status = RunRla(in.ruleset, *mat, *plan, "314159", {});
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->decision, RlaDecision::kFullHandCount);
  EXPECT_TRUE(status->draws.empty());
  EXPECT_NE(status->reason.find("1765 precincts"), std::string::npos) << status->reason;
}

struct Simulated {
  Ruleset ruleset;
  Election election;
  std::vector<PrecinctCheck> checks;
  Materiality mat;
};

Simulated Simulate(int64_t precincts, int32_t candidates, uint64_t seed) {
  Simulated s;
  s.ruleset = *LoadRuleset("iowa-dem-2020");
  simulate::Options o;
  o.precincts = precincts;
  o.candidates = candidates;
  o.counties = 40;
  o.seed = seed;
  s.election = simulate::Simulate(s.ruleset, o)->election;
  s.checks = CheckElection(s.ruleset, s.election);
  MaterialityOptions mo;
  mo.search = false;
  s.mat = *ComputeMateriality(s.ruleset, s.election, s.checks, mo);
  return s;
}

// Audits round after round, each time giving the tallies of the precincts drawn so far from
// `truth` (per report), until the audit confirms or asks for a full hand count.
RlaStatus AuditWith(const Simulated& s, const RlaPlan& plan,
                    const std::vector<std::vector<Rational>>& truth) {
  std::vector<AuditedTally> tallies;
  std::vector<bool> given(plan.batches.size(), false);
  for (int step = 0; step < 100; ++step) {
    auto status = RunRla(s.ruleset, s.mat, plan, "20200203", tallies);
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    if (!status.ok() || status->decision != RlaDecision::kAwaiting) return *status;
    for (const RlaDraw& d : status->draws) {
      if (d.audited || given[d.batch]) continue;
      given[d.batch] = true;
      const RlaBatch& b = plan.batches[d.batch];
      tallies.push_back({b.county, b.precinct, false, truth[b.report], 0});
    }
  }
  ADD_FAILURE() << "the audit did not end";
  return {};
}

TEST(RlaSimulatedTest, CleanTalliesConfirmWithinThePredictedSample) {
  const Simulated s = Simulate(3000, 2, 7);
  auto plan = PlanRla(s.ruleset, s.mat, Rational(5, 100));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_TRUE(plan->unbounded.empty());
  ASSERT_FALSE(plan->first_round.full_hand_count) << plan->total_bound().ToDecimal(3);
  // Two candidates, every pool's margins wide: U about 98, 293 draws of 3,000 precincts.
  EXPECT_LT(plan->first_round.draws, 300);
  std::vector<std::vector<Rational>> truth;
  for (const PrecinctMateriality& p : s.mat.precincts) truth.push_back(p.sde);
  const RlaStatus status = AuditWith(s, *plan, truth);
  EXPECT_EQ(status.decision, RlaDecision::kConfirmed);
  ASSERT_EQ(status.rounds.size(), 1u);
  EXPECT_EQ(static_cast<int64_t>(status.draws.size()), plan->first_round.draws);
  // Every draw clean: P = (1 - 1/U)^n <= 5%.
  const long double u = static_cast<long double>(plan->total) / kBoundScale;
  EXPECT_NEAR(static_cast<double>(status.p_value),
              std::pow(static_cast<double>(1 - 1 / u), static_cast<double>(status.draws.size())),
              1e-12);
  EXPECT_LE(status.p_value, 0.05L);
}

TEST(RlaSimulatedTest, AnErrorThatMovesASeatEscalates) {
  const Simulated s = Simulate(3000, 3, 7);
  auto plan = PlanRla(s.ruleset, s.mat, Rational(5, 100));
  ASSERT_TRUE(plan.ok());
  // The truth: for the tightest assertion, precincts of its pool give their whole total to the
  // candidate it weighs least, the largest contributions first, until a pool's seats move.
  const AssertionRisk& tight = plan->assertions.front();
  const Assertion& a = s.mat.assertions[tight.assertion];
  size_t lo = 0;
  for (size_t c = 0; c < a.weights.size(); ++c) {
    if (a.weights[c] < a.weights[lo]) lo = c;
  }
  const size_t n = s.mat.candidates.size();
  std::vector<std::vector<Rational>> truth;
  for (const PrecinctMateriality& p : s.mat.precincts) truth.push_back(p.sde);
  const NationalPool& pool = s.ruleset.national->pools[a.pool];
  auto allocate = [&] {
    NationalVotes v;
    v.state.assign(n, Rational(0));
    for (size_t i = 0; i < truth.size(); ++i) {
      const PrecinctMateriality& p = s.mat.precincts[i];
      std::vector<Rational>& d = v.districts[p.district >= 0 ? s.mat.districts[p.district] : ""];
      d.resize(n);
      for (size_t c = 0; c < n; ++c) {
        v.state[c] += truth[i][c];
        d[c] += truth[i][c];
      }
    }
    v.districts.erase("");
    return *AllocateNational(*s.ruleset.national, v);
  };
  size_t changed = 0, seen = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const PrecinctMateriality& p = s.mat.precincts[i];
    const bool covered = pool.scope == PoolScope::kStatewide ||
                         (p.district >= 0 && s.mat.districts[p.district] == pool.district);
    if (!covered || seen++ % 2 == 1) continue;  // every other precinct of the pool
    Rational total;
    for (const Rational& x : truth[i]) total += x;
    truth[i].assign(n, Rational(0));
    truth[i][lo] = total;
    ++changed;
    if (changed % 25 == 0 &&
        allocate().pools[a.pool].delegates != s.mat.outcome.pools[a.pool].delegates) {
      break;
    }
  }
  ASSERT_NE(allocate().pools[a.pool].delegates, s.mat.outcome.pools[a.pool].delegates);
  const RlaStatus status = AuditWith(s, *plan, truth);
  EXPECT_EQ(status.decision, RlaDecision::kFullHandCount) << status.reason;
  EXPECT_GT(status.p_value, 0.05L);
}

TEST(RlaTalliesTest, RefusedRowsNameTheLine) {
  const Simulated s = Simulate(3000, 3, 7);
  const PrecinctMateriality& p = s.mat.precincts[0];
  const std::string& c0 = s.mat.candidates[0];
  const std::string head = "county,precinct,candidate,figure,value\n";
  const std::string row = p.county + "," + p.precinct + ",";
  auto parse = [&](const std::string& body) {
    return ParseRlaTallies(head + body, "tallies.csv", s.ruleset, s.election, s.mat);
  };
  auto expect_error = [&](const std::string& body, const std::string& what) {
    auto r = parse(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
  };
  expect_error("Nowhere,X," + c0 + ",sde,1\n", "tallies.csv:2:");
  expect_error("Nowhere,X," + c0 + ",sde,1\n", "not in the election's results");
  expect_error(row + "Nobody,sde,1\n", "no candidate \"Nobody\"");
  expect_error(row + c0 + ",sde,-1\n", "negative");
  expect_error(row + c0 + ",sde,0.123456\n", "decimal places");
  expect_error(row + c0 + ",votes,3\n", "unknown figure");
  expect_error(row + c0 + ",sde,1\n" + row + c0 + ",sde,1\n", "tallies.csv:3:");
  expect_error(row + c0 + ",sde,1\n" + row + c0 + ",delegates,1\n", "mixes figures");
  expect_error(row + c0 + ",sde,100000\n", "more than");
  expect_error(row + c0 + ",delegates,1000\n", "add up to 1000");
  auto headless = ParseRlaTallies("a,b,c\n", "tallies.csv", s.ruleset, s.election, s.mat);
  ASSERT_FALSE(headless.ok());
  EXPECT_NE(headless.status().message().find("expected the header"), std::string::npos);

  // The reported figures themselves are accepted, and a precinct not drawn is refused by line.
  std::string body = row + ",unauditable,\n";
  auto ok = parse(body);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_TRUE((*ok)[0].unauditable);
  std::string sde_rows;
  for (size_t c = 0; c < s.mat.candidates.size(); ++c) {
    sde_rows += row + s.mat.candidates[c] + ",sde," + p.sde[c].ToShortDecimal() + "\n";
  }
  auto same = parse(sde_rows);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ((*same)[0].sde, p.sde);
  // A tally for a precinct the sample did not draw is refused by its line.
  auto plan = PlanRla(s.ruleset, s.mat, Rational(5, 100));
  ASSERT_TRUE(plan.ok());
  ASSERT_FALSE(plan->full_hand_count());
  auto drawn = RunRla(s.ruleset, s.mat, *plan, "1", {});
  ASSERT_TRUE(drawn.ok());
  std::vector<bool> in_sample(plan->batches.size(), false);
  for (const RlaDraw& d : drawn->draws) in_sample[d.batch] = true;
  size_t outside = 0;
  while (outside < plan->batches.size() && in_sample[outside]) ++outside;
  ASSERT_LT(outside, plan->batches.size());
  const RlaBatch& b = plan->batches[outside];
  auto refused = RunRla(s.ruleset, s.mat, *plan, "1", {{b.county, b.precinct, true, {}, 7}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "line 7: " + b.county + " / " + b.precinct + " is not in the sample");
}

// The first drawn precinct audited with a tenth of its first candidate's SDEs moved to the
// second (the other draws clean): a positive taint below one, so round 1 ends above the risk
// limit and a second, smaller round is drawn; marked unauditable instead, taint 1 and a full hand
// count.
TEST(RlaSimulatedTest, AnOverstatementAsksForAnotherRoundAndUnauditableEscalates) {
  const Simulated s = Simulate(3000, 2, 7);
  auto plan = PlanRla(s.ruleset, s.mat, Rational(5, 100));
  ASSERT_TRUE(plan.ok());
  auto first = RunRla(s.ruleset, s.mat, *plan, "20200203", {});
  ASSERT_TRUE(first.ok());
  const RlaBatch& shifted_batch = plan->batches[first->draws.front().batch];
  std::vector<std::vector<Rational>> truth;
  for (const PrecinctMateriality& p : s.mat.precincts) truth.push_back(p.sde);
  std::vector<Rational>& shifted = truth[shifted_batch.report];
  const Rational tenth = (shifted[0] / Rational(10)).RoundTo(4, DecimalRounding::kTruncate);
  shifted[0] -= tenth;
  shifted[1] += tenth;
  const RlaStatus status = AuditWith(s, *plan, truth);
  EXPECT_EQ(status.decision, RlaDecision::kConfirmed);
  ASSERT_GE(status.rounds.size(), 2u);
  const int64_t n1 = plan->first_round.draws;
  const RlaDraw& end_of_round_1 = status.draws[static_cast<size_t>(n1 - 1)];
  EXPECT_GT(status.draws.front().taint, 0.0L);
  EXPECT_LT(status.draws.front().taint, 1.0L);
  EXPECT_GT(end_of_round_1.p_value, 0.05L);
  const SampleSize second =
      NextRoundSize(plan->total_bound(), plan->risk_limit, end_of_round_1.p_value, 3000);
  EXPECT_EQ(status.rounds[1].first_draw, n1 + 1);
  EXPECT_EQ(status.rounds[1].size.draws, second.draws);
  EXPECT_LT(second.draws, n1);
  EXPECT_LE(status.p_value, 0.05L);

  // The same precinct unauditable: taint 1, an infinite P-value, a full hand count.
  std::vector<AuditedTally> tallies = {{shifted_batch.county, shifted_batch.precinct, true, {}, 0}};
  std::vector<bool> given(plan->batches.size(), false);
  given[first->draws.front().batch] = true;
  for (const RlaDraw& d : first->draws) {
    if (given[d.batch]) continue;
    given[d.batch] = true;
    const RlaBatch& b = plan->batches[d.batch];
    tallies.push_back({b.county, b.precinct, false, s.mat.precincts[b.report].sde, 0});
  }
  auto escalated = RunRla(s.ruleset, s.mat, *plan, "20200203", tallies);
  ASSERT_TRUE(escalated.ok()) << escalated.status().ToString();
  EXPECT_EQ(escalated->decision, RlaDecision::kFullHandCount);
  EXPECT_TRUE(std::isinf(escalated->p_value));
  EXPECT_NE(escalated->reason.find("taint 1 (unauditable)"), std::string::npos)
      << escalated->reason;
}

}  // namespace
}  // namespace canvass
