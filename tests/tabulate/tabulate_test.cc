#include "tabulate/tabulate.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

namespace canvass {
namespace {

Rational R(const char* s) {
  auto r = Rational::Parse(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Rational();
}

// Three candidates (X, Y, Z); counties A (district 1), B (district 2), "Out of State Satellite"
// (no district); pools CD1 2, CD2 2, At-large 3 on SDEs.
class TabulateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ruleset_.name = "test-rules";
    ruleset_.hash = "abc123";
    ruleset_.precinct.sde_places = 4;
    NationalRules national;
    national.basis = NationalBasis::kSde;
    national.threshold = Rational(15, 100);
    NationalPool cd1{"CD1", PoolScope::kDistrict, "1", 2};
    NationalPool cd2{"CD2", PoolScope::kDistrict, "2", 2};
    NationalPool at_large{"At-large", PoolScope::kStatewide, "", 3};
    national.pools = {cd1, cd2, at_large};
    ruleset_.national = national;

    election_.candidates = {"X", "Y", "Z"};
    election_.county_district = {{"A", "1"}, {"B", "2"}};
  }

  // Adds a report and its check. `computed_sde` empty: not computable. `pending`: the computed
  // allocation waits for a tie.
  void Add(const std::string& county, const std::string& precinct,
           std::vector<std::optional<Count>> first, std::vector<std::optional<Count>> final,
           std::vector<const char*> reported_sde, std::vector<const char*> computed_sde,
           std::vector<Count> computed_delegates = {}, bool pending = false) {
    PrecinctReport report;
    report.county = county;
    report.precinct = precinct;
    report.figures.resize(3);
    for (size_t c = 0; c < 3; ++c) {
      report.figures[c].first = first[c];
      report.figures[c].final = final[c];
      if (!reported_sde.empty()) report.figures[c].sde = R(reported_sde[c]);
    }
    election_.reports.push_back(report);
    PrecinctCheck check;
    check.county = county;
    check.precinct = precinct;
    if (!computed_sde.empty() || pending) {
      Allocation a;
      a.delegates = computed_delegates.empty() ? std::vector<Count>(3, 0) : computed_delegates;
      if (pending) a.pending_tie = TieEvent{};
      check.computed = a;
      for (const char* s : computed_sde) check.computed_sde.push_back(R(s));
    }
    checks_.push_back(check);
  }

  // The tabulation, checked equal (its whole JSON) to the borrowed form a release uses over a
  // state's records (TabulationAreas, checks by pointer, an Election of the reports alone): with
  // each report's apportionment row found by name, and given.
  Tabulation Run() {
    auto t = Tabulate(ruleset_, election_, checks_);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return Tabulation();
    std::vector<const PrecinctCheck*> refs;
    for (const PrecinctCheck& c : checks_) refs.push_back(&c);
    std::vector<const PrecinctApportionment*> rows;
    for (const PrecinctReport& r : election_.reports) {
      const PrecinctApportionment* row = nullptr;
      for (const PrecinctApportionment& a : election_.apportionment) {
        if (a.county == r.county && a.precinct == r.precinct) row = &a;
      }
      rows.push_back(row);
    }
    Election reports_only;
    reports_only.candidates = election_.candidates;
    reports_only.reports = election_.reports;
    const nlohmann::json expected = TabulationToJson(ruleset_, election_.candidates, *t);
    const std::vector<const PrecinctApportionment*>* forms[] = {&rows, nullptr};
    for (const auto* given : forms) {
      auto b = Tabulate(ruleset_, reports_only,
                        {&election_.apportionment, &election_.county_district, given}, refs);
      EXPECT_TRUE(b.ok()) << b.status().ToString();
      if (b.ok()) {
        EXPECT_EQ(TabulationToJson(ruleset_, election_.candidates, *b), expected)
            << (given != nullptr ? "rows given" : "rows found by name");
      }
    }
    return *t;
  }

  void AddStandardPrecincts() {
    Add("A", "A1", {10, 5, 1}, {11, 5, 0}, {"0.3000", "0.1569", "0"}, {"0.3000", "0.1569", "0"},
        {2, 1, 0});
    Add("A", "A2", {4, 4, 2}, {5, 5, 0}, {"0.2", "0.2", "0"}, {"0.25", "0.15", "0"}, {5, 3, 0});
    Add("B", "B1", {1, 9, 0}, {0, 10, 0}, {"0", "1.0001", "0"}, {"0", "1.0001", "0"}, {0, 4, 0});
    Add("Out of State Satellite", "Paris", {3, 0, 3}, {3, 0, 3}, {"0.0123", "0", "0.0123"}, {}, {},
        /*pending=*/true);
  }

  Ruleset ruleset_;
  Election election_;
  std::vector<PrecinctCheck> checks_;
};

TEST_F(TabulateTest, SumsCountiesDistrictsAndStateOnBothSides) {
  AddStandardPrecincts();
  Tabulation t = Run();
  const auto& state = t.reported.state.candidates;
  ASSERT_EQ(state.size(), 3u);
  EXPECT_EQ(state[0].first, 18);
  EXPECT_EQ(state[0].final, 19);
  EXPECT_EQ(state[0].sde, R("0.5123"));
  EXPECT_EQ(state[1].sde, R("1.3570"));
  EXPECT_EQ(state[2].sde, R("0.0123"));
  EXPECT_EQ(t.reported.state.precincts, 4);

  // Head counts are the same on the computed side; SDEs come from the engine.
  const auto& cstate = t.computed.state.candidates;
  EXPECT_EQ(cstate[0].first, 18);
  EXPECT_EQ(cstate[0].final, 19);
  EXPECT_EQ(cstate[0].sde, R("0.55"));
  EXPECT_EQ(cstate[1].sde, R("1.307"));
  EXPECT_EQ(cstate[2].sde, R("0"));  // the satellite's computed SDEs are unknown

  ASSERT_EQ(t.reported.counties.size(), 3u);
  EXPECT_EQ(t.reported.counties.at("A").candidates[1].sde, R("0.3569"));
  EXPECT_EQ(t.reported.counties.at("A").precincts, 2);
  ASSERT_EQ(t.reported.districts.size(), 2u);
  EXPECT_EQ(t.reported.districts.at("1").candidates[0].first, 14);
  EXPECT_EQ(t.reported.districts.at("2").candidates[1].sde, R("1.0001"));
  EXPECT_EQ(t.computed.districts.at("1").candidates[0].sde, R("0.55"));
  EXPECT_EQ(t.without_district, 1);

  EXPECT_EQ(t.included, 4);
  EXPECT_EQ(t.computed_complete, 3);
  EXPECT_EQ(t.computed_pending_tie, 1);
  EXPECT_EQ(t.computed_unavailable, 0);
  EXPECT_EQ(t.reported.precincts_without_sde, 0);
  EXPECT_EQ(t.computed.precincts_without_sde, 1);
  EXPECT_EQ(t.computed.precincts_without_delegates, 1);
}

TEST_F(TabulateTest, DelegatesOnlyWhereEveryPrecinctHasThem) {
  AddStandardPrecincts();
  Tabulation t = Run();
  // Nothing reported delegates.
  EXPECT_FALSE(t.reported.state.candidates[0].delegates.has_value());
  // Computed: county A is complete, the state is not (the satellite waits for a tie).
  EXPECT_EQ(t.computed.counties.at("A").candidates[0].delegates, std::optional<Count>(7));
  EXPECT_EQ(t.computed.districts.at("2").candidates[1].delegates, std::optional<Count>(4));
  EXPECT_FALSE(t.computed.state.candidates[0].delegates.has_value());

  election_.reports[0].figures[0].delegates = 2;
  election_.reports[0].figures[1].delegates = 1;
  election_.reports[1].figures[0].delegates = 5;
  Tabulation again = Run();
  EXPECT_EQ(again.reported.counties.at("A").candidates[0].delegates, std::optional<Count>(7));
  EXPECT_EQ(again.reported.counties.at("A").candidates[2].delegates, std::optional<Count>(0));
  EXPECT_FALSE(again.reported.counties.at("B").candidates[0].delegates.has_value());
}

TEST_F(TabulateTest, ApportionmentDistrictOverridesTheCountyMap) {
  AddStandardPrecincts();
  PrecinctApportionment ap;
  ap.county = "A";
  ap.precinct = "A2";
  ap.district = "2";
  election_.apportionment.push_back(ap);
  Tabulation t = Run();
  EXPECT_EQ(t.reported.districts.at("1").candidates[0].first, 10);
  EXPECT_EQ(t.reported.districts.at("2").candidates[0].first, 5);
  EXPECT_EQ(t.reported.districts.at("2").precincts, 2);
  EXPECT_EQ(t.reported.counties.at("A").precincts, 2);
}

TEST_F(TabulateTest, NationalPoolsFromEachSidesSdes) {
  AddStandardPrecincts();
  Tabulation t = Run();
  ASSERT_TRUE(t.reported.national.has_value());
  ASSERT_EQ(t.reported.national->pools.size(), 3u);
  const PoolAllocation& cd1 = t.reported.national->pools[0];
  EXPECT_EQ(cd1.votes[0], R("0.5"));
  EXPECT_EQ(cd1.votes[1], R("0.3569"));
  // 0.5 : 0.3569 of 2 seats: quotas 1.167 and 0.833: one each.
  EXPECT_EQ(cd1.delegates, (std::vector<Count>{1, 1, 0}));
  const PoolAllocation& cd2 = t.reported.national->pools[1];
  EXPECT_EQ(cd2.delegates, (std::vector<Count>{0, 2, 0}));
  const PoolAllocation& at_large = t.reported.national->pools[2];
  EXPECT_EQ(at_large.votes[2], R("0.0123"));  // the satellite counts statewide
  ASSERT_TRUE(t.computed.national.has_value());
  EXPECT_EQ(t.computed.national->pools[0].votes[0], R("0.55"));

  // The computed side lacks the satellite's SDEs: the headline is the reported side.
  EXPECT_FALSE(t.computed_is_complete());
  EXPECT_EQ(t.headline_national(), &*t.reported.national);
}

TEST_F(TabulateTest, HeadlineIsComputedWhenTheComputedSideIsComplete) {
  Add("A", "A1", {10, 5, 1}, {11, 5, 0}, {"0.3", "0.1", "0"}, {"0.3", "0.2", "0"}, {3, 2, 0});
  Add("B", "B1", {1, 9, 0}, {0, 10, 0}, {"0", "1", "0"}, {"0", "1", "0"}, {0, 4, 0});
  Tabulation t = Run();
  EXPECT_TRUE(t.computed_basis_complete);
  EXPECT_TRUE(t.computed_is_complete());
  EXPECT_EQ(t.headline_national(), &*t.computed.national);
  EXPECT_EQ(t.computed.national->total, (std::vector<Count>{2, 5, 0}));
}

TEST_F(TabulateTest, NoNationalRulesMeansNoNationalResult) {
  ruleset_.national.reset();
  AddStandardPrecincts();
  Tabulation t = Run();
  EXPECT_FALSE(t.reported.national.has_value());
  EXPECT_EQ(t.headline_national(), nullptr);
  EXPECT_TRUE(TabulationToJson(ruleset_, election_.candidates, t)["national"].is_null());
}

TEST_F(TabulateTest, CountyDelegateBasisNeedsDelegatesOnThatSide) {
  ruleset_.national->basis = NationalBasis::kCountyDelegates;
  AddStandardPrecincts();
  Tabulation t = Run();
  EXPECT_FALSE(t.reported.national.has_value());  // never reported
  EXPECT_FALSE(t.computed.national.has_value());  // the satellite is pending
}

TEST_F(TabulateTest, RefusesChecksThatDoNotMatchTheReports) {
  AddStandardPrecincts();
  checks_.pop_back();
  EXPECT_FALSE(Tabulate(ruleset_, election_, checks_).ok());
  AddStandardPrecincts();
  checks_.resize(election_.reports.size());
  EXPECT_FALSE(Tabulate(ruleset_, election_, checks_).ok());
}

// Walks a JSON document and calls `visit` on every value.
void Walk(const nlohmann::json& j, const std::function<void(const nlohmann::json&)>& visit) {
  visit(j);
  if (j.is_structured()) {
    for (const auto& item : j) Walk(item, visit);
  }
}

TEST_F(TabulateTest, JsonFollowsTheContract) {
  AddStandardPrecincts();
  Tabulation t = Run();
  nlohmann::json j = TabulationToJson(ruleset_, election_.candidates, t);
  EXPECT_EQ(j["ruleset"]["name"], "test-rules");
  EXPECT_EQ(j["ruleset"]["hash"], "abc123");
  const auto& state = j["totals"]["reported"]["state"];
  EXPECT_EQ(state["X"]["first"], 18);
  EXPECT_TRUE(state["X"]["first"].is_number_integer());
  EXPECT_EQ(state["X"]["final"], 19);
  EXPECT_EQ(state["Y"]["sde"], "1.3570");
  EXPECT_FALSE(state["X"].contains("delegates"));
  EXPECT_EQ(j["totals"]["computed"]["counties"]["A"]["X"]["delegates"], 7);
  EXPECT_EQ(j["totals"]["reported"]["districts"]["2"]["Y"]["sde"], "1.0001");
  EXPECT_TRUE(j["totals"]["reported"]["counties"].contains("Out of State Satellite"));

  const auto& national = j["national"];
  EXPECT_EQ(national["source"], "reported");
  ASSERT_EQ(national["pools"].size(), 3u);
  EXPECT_EQ(national["pools"][0]["name"], "CD1");
  EXPECT_EQ(national["pools"][0]["size"], 2);
  EXPECT_EQ(national["pools"][0]["allocation"]["X"], 1);
  EXPECT_EQ(national["pools"][0]["allocation"]["Z"], 0);
  int64_t sum = 0;
  for (const auto& [name, n] : national["total"].items()) sum += n.get<int64_t>();
  EXPECT_EQ(sum, 7);
  EXPECT_EQ(j["totals"]["computed"]["national"]["pools"].size(), 3u);
  EXPECT_EQ(j["precincts"]["count"], 4);
  EXPECT_FALSE(j["precincts"].contains("included"));  // the precincts are named elsewhere

  int floats = 0;
  Walk(j, [&](const nlohmann::json& v) { floats += v.is_number_float(); });
  EXPECT_EQ(floats, 0);
}

TEST_F(TabulateTest, PendingPoolTieShowsInJson) {
  // CD1 has 3 seats and X and Y have 1.5 each: one seat each, and a drawing for the third.
  ruleset_.national->pools = {{"CD1", PoolScope::kDistrict, "1", 3}};
  Add("A", "A1", {1, 1, 0}, {1, 1, 0}, {"0.5", "0.5", "0"}, {"0.5", "0.5", "0"}, {1, 1, 0});
  Tabulation t = Run();
  ASSERT_TRUE(t.reported.national.has_value());
  EXPECT_FALSE(t.reported.national->complete());
  EXPECT_FALSE(t.computed_is_complete());
  nlohmann::json j = TabulationToJson(ruleset_, election_.candidates, t);
  const auto& tie = j["national"]["pools"][0]["pending_tie"];
  EXPECT_EQ(tie["candidates"], (nlohmann::json{"X", "Y"}));
  EXPECT_EQ(tie["seats"], 1);

  auto settled = Tabulate(ruleset_, election_, checks_, {{"CD1", {0, 1}, {1}, "lot"}});
  ASSERT_TRUE(settled.ok());
  EXPECT_TRUE(settled->computed_is_complete());
  EXPECT_EQ(settled->computed.national->total, (std::vector<Count>{1, 2, 0}));
}

// Chairs report county delegates, never SDEs: the reported side derives each precinct's SDEs from
// its reported delegates and the county's ratio, rounded as ComputeSde rounds.
class ReportedSdeTest : public TabulateTest {
 protected:
  void Apportion(const std::string& county, const std::string& precinct, Rational ratio,
                 std::optional<Rational> site_sde = std::nullopt) {
    PrecinctApportionment ap;
    ap.county = county;
    ap.precinct = precinct;
    ap.delegates = 3;
    ap.sde_per_delegate = ratio;
    if (site_sde) {
      ap.satellite = true;
      ap.site_sde = site_sde;
    }
    election_.apportionment.push_back(ap);
  }
  // A chair's report: head counts and county delegates, no SDE.
  void AddDelegates(const std::string& county, const std::string& precinct,
                    std::vector<Count> final, std::vector<Count> delegates) {
    Add(county, precinct, {final[0], final[1], final[2]}, {final[0], final[1], final[2]}, {}, {});
    for (size_t c = 0; c < 3; ++c) election_.reports.back().figures[c].delegates = delegates[c];
  }
};

TEST_F(ReportedSdeTest, DerivedFromReportedDelegatesAndTheCountyRatio) {
  Apportion("A", "A1", Rational(4, 51));
  Apportion("A", "A2", Rational(4, 51));
  Apportion("B", "B1", Rational(1, 7));
  AddDelegates("A", "A1", {11, 5, 0}, {2, 1, 0});
  AddDelegates("A", "A2", {5, 5, 0}, {2, 1, 0});
  AddDelegates("B", "B1", {0, 10, 2}, {0, 2, 1});
  Tabulation t = Run();
  // 2 x 4/51 = 0.156862... -> 0.1569; 1 x 4/51 = 0.078431... -> 0.0784; 2 x 1/7 -> 0.2857.
  EXPECT_EQ(t.reported.counties.at("A").candidates[0].sde, R("0.3138"));
  EXPECT_EQ(t.reported.counties.at("A").candidates[1].sde, R("0.1568"));
  EXPECT_EQ(t.reported.state.candidates[1].sde, R("0.4425"));
  EXPECT_EQ(t.reported.state.candidates[2].sde, R("0.1429"));
  EXPECT_EQ(t.reported.precincts_without_sde, 0);
  EXPECT_EQ(t.reported.precincts_sde_from_delegates, 3);
  ASSERT_TRUE(t.reported.national.has_value());
  Count seats = 0;
  for (Count d : t.reported.national->total) seats += d;
  EXPECT_EQ(seats, 7);  // every pool allocated, none left at zero
  nlohmann::json j = TabulationToJson(ruleset_, election_.candidates, t);
  EXPECT_EQ(j["totals"]["reported"]["state"]["X"]["sde"], "0.3138");
  EXPECT_EQ(j["totals"]["reported"]["precincts_sde_from_delegates"], 3);
  EXPECT_FALSE(j["totals"]["computed"].contains("precincts_sde_from_delegates"));
}

TEST_F(ReportedSdeTest, ReportedSdesAreKeptAndSatellitesShareTheirSite) {
  Apportion("A", "A1", Rational(4, 51));
  Apportion("Out of State Satellite", "Paris", Rational(1, 10), R("0.5"));
  // A report that carries its own SDEs keeps them, even where they disagree with the ratio.
  Add("A", "A1", {11, 5, 0}, {11, 5, 0}, {"1", "0.5", "0"}, {});
  for (size_t c = 0; c < 3; ++c) election_.reports.back().figures[c].delegates = 1;
  // The satellite's site SDEs (iowa-dem-2020: attendance) split by its delegates: 1 of 3, 2 of 3.
  ruleset_.precinct.satellite_sde = SatelliteSdeRule::kAttendance;
  AddDelegates("Out of State Satellite", "Paris", {3, 0, 6}, {1, 0, 2});
  Tabulation t = Run();
  EXPECT_EQ(t.reported.state.candidates[0].sde, R("1.1667"));
  EXPECT_EQ(t.reported.state.candidates[2].sde, R("0.3333"));
  EXPECT_EQ(t.reported.precincts_sde_from_delegates, 1);
}

TEST_F(ReportedSdeTest, NoSdeWithoutDelegatesOrRatio) {
  Apportion("A", "A1", Rational(4, 51));
  AddDelegates("A", "A1", {11, 5, 0}, {2, 1, 0});
  election_.reports.back().figures[2].delegates.reset();  // one candidate's delegates missing
  Add("B", "B1", {1, 9, 0}, {0, 10, 0}, {}, {});          // first and final only
  AddDelegates("B", "B2", {0, 10, 2}, {0, 2, 1});         // not apportioned: no ratio
  Tabulation t = Run();
  EXPECT_EQ(t.reported.precincts_without_sde, 3);
  EXPECT_EQ(t.reported.precincts_sde_from_delegates, 0);
  EXPECT_EQ(t.reported.state.candidates[0].sde, R("0"));
}

TEST_F(ReportedSdeTest, NationalIsCompleteOnlyWhenEveryPrecinctIsIn) {
  Apportion("A", "A1", Rational(4, 51));
  Apportion("A", "A2", Rational(4, 51));
  Apportion("B", "B1", Rational(1, 7));
  AddDelegates("A", "A1", {11, 5, 0}, {2, 1, 0});
  // First alignment only: no delegates, no SDEs yet.
  Add("A", "A2", {5, 5, 0}, {std::nullopt, std::nullopt, std::nullopt}, {}, {});
  AddDelegates("B", "B1", {0, 10, 2}, {0, 2, 1});
  Tabulation t = Run();
  EXPECT_EQ(t.precincts_expected, 3);
  EXPECT_EQ(t.reported.national_precincts, 2);
  nlohmann::json j = TabulationToJson(ruleset_, election_.candidates, t);
  EXPECT_EQ(j["precincts"]["expected"], 3);
  const auto& reported = j["totals"]["reported"]["national"];
  EXPECT_EQ(reported["precincts"], (nlohmann::json{{"counted", 2}, {"of", 3}}));
  EXPECT_FALSE(reported["complete"].get<bool>());
  EXPECT_EQ(j["national"]["source"], "reported");
  EXPECT_FALSE(j["national"]["complete"].get<bool>());
  EXPECT_EQ(j["national"]["precincts"]["counted"], 2);

  // The last precinct's delegates come in: every precinct is in.
  election_.reports[1].figures[0].final = 5;
  election_.reports[1].figures[1].final = 5;
  election_.reports[1].figures[2].final = 0;
  for (size_t c = 0; c < 3; ++c) election_.reports[1].figures[c].delegates = c == 2 ? 0 : 1;
  nlohmann::json all = TabulationToJson(ruleset_, election_.candidates, Run());
  EXPECT_EQ(all["totals"]["reported"]["national"]["precincts"]["counted"], 3);
  EXPECT_TRUE(all["totals"]["reported"]["national"]["complete"].get<bool>());
  EXPECT_TRUE(all["national"]["complete"].get<bool>());
}

TEST_F(TabulateTest, SharesAndLeadersOfEachSide) {
  AddStandardPrecincts();
  nlohmann::json j = TabulationToJson(ruleset_, election_.candidates, Run());
  const auto& reported = j["totals"]["reported"]["summary"];
  // Reported SDEs 0.5123, 1.3570, 0.0123 of 1.8816; final 19, 20, 3 of 42.
  EXPECT_EQ(reported["shares"]["X"]["sde"], "27.23");
  EXPECT_EQ(reported["shares"]["Y"]["sde"], "72.12");
  EXPECT_EQ(reported["shares"]["Z"]["sde"], "0.65");
  EXPECT_EQ(reported["shares"]["X"]["final"], "45.24");
  EXPECT_EQ(reported["shares"]["Y"]["final"], "47.62");
  EXPECT_EQ(
      reported["leader"]["sde"],
      (nlohmann::json{{"candidate", "Y"}, {"second", "X"}, {"margin", "0.8447"}, {"tied", false}}));
  EXPECT_EQ(reported["leader"]["final"],
            (nlohmann::json{{"candidate", "Y"}, {"second", "X"}, {"margin", 1}, {"tied", false}}));
  const auto& computed = j["totals"]["computed"]["summary"];
  EXPECT_EQ(computed["leader"]["sde"]["margin"], "0.7570");  // 1.307 - 0.55
  EXPECT_EQ(computed["shares"]["Z"]["sde"], "0.00");
}

TEST_F(TabulateTest, NoLeaderBeforeAnyFigureAndTiesAreSaid) {
  nlohmann::json empty = TabulationToJson(ruleset_, election_.candidates, Run());
  EXPECT_TRUE(empty["totals"]["reported"]["summary"]["leader"]["sde"].is_null());
  EXPECT_EQ(empty["totals"]["reported"]["summary"]["shares"]["X"]["sde"], "0.00");
  Add("A", "A1", {5, 5, 0}, {5, 5, 0}, {"0.5", "0.5", "0"}, {});
  nlohmann::json tied = TabulationToJson(ruleset_, election_.candidates, Run());
  EXPECT_EQ(tied["totals"]["reported"]["summary"]["leader"]["final"],
            (nlohmann::json{{"candidate", "X"}, {"second", "Y"}, {"margin", 0}, {"tied", true}}));
}

// Whatever the precincts, the state equals the sum of the counties, and the districts plus the
// units without a district; and the state SDE equals the plain exact sum.
RC_GTEST_PROP(TabulateProperty, AreasAddUpExactly, ()) {
  const size_t n = *rc::gen::inRange<size_t>(1, 5);
  const int precincts = *rc::gen::inRange(0, 40);
  Ruleset ruleset;
  ruleset.precinct.sde_places = 4;
  Election e;
  // Appended, not "C" + std::to_string(c): g++ 12 at -O3 warns (-Wrestrict) on that inlined.
  for (size_t c = 0; c < n; ++c) e.candidates.push_back(std::string("C").append(std::to_string(c)));
  e.county_district = {{"K0", "1"}, {"K1", "1"}, {"K2", "2"}};
  std::vector<PrecinctCheck> checks;
  std::vector<Rational> expected(n);
  for (int p = 0; p < precincts; ++p) {
    PrecinctReport r;
    r.county = "K" + std::to_string(*rc::gen::inRange(0, 4));  // K3 has no district
    r.precinct = "P" + std::to_string(p);
    r.figures.resize(n);
    for (size_t c = 0; c < n; ++c) {
      r.figures[c].first = *rc::gen::inRange<Count>(0, 500);
      r.figures[c].final = *rc::gen::inRange<Count>(0, 500);
      r.figures[c].sde = Rational(*rc::gen::inRange<int64_t>(0, 100000), 10000);
      expected[c] += *r.figures[c].sde;
    }
    e.reports.push_back(r);
    PrecinctCheck check;
    check.county = r.county;
    check.precinct = r.precinct;
    checks.push_back(check);
  }
  auto t = Tabulate(ruleset, e, checks);
  RC_ASSERT(t.ok());
  for (size_t c = 0; c < n; ++c) {
    RC_ASSERT(t->reported.state.candidates[c].sde == expected[c]);
    Count first = 0;
    Rational sde;
    for (const auto& [name, area] : t->reported.counties) {
      first += area.candidates[c].first;
      sde += area.candidates[c].sde;
    }
    RC_ASSERT(first == t->reported.state.candidates[c].first);
    RC_ASSERT(sde == expected[c]);
    Count district_first = 0;
    for (const auto& [name, area] : t->reported.districts)
      district_first += area.candidates[c].first;
    auto k3 = t->reported.counties.find("K3");
    if (k3 != t->reported.counties.end()) district_first += k3->second.candidates[c].first;
    RC_ASSERT(district_first == t->reported.state.candidates[c].first);
  }
  RC_ASSERT(t->computed_unavailable == precincts);
}

}  // namespace
}  // namespace canvass
