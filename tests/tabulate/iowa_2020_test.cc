// The real Iowa 2020 release of February 8 (data/iowa-2020), tabulated: the reported totals must
// be the ones in data/README.md and the reported national delegates the party's projection
// (spec 1.13).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "caucus/findings.h"
#include "io/importers.h"
#include "rules/ruleset.h"
#include "tabulate/tabulate.h"
#include "test_data.h"

namespace canvass {
namespace {

class Iowa2020Tabulation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ruleset = LoadRuleset("iowa-dem-2020");
    ASSERT_TRUE(ruleset.ok()) << ruleset.status().ToString();
    auto election = LoadResultsFile(kIowa + "results-first-complete-2020-02-08-long.csv");
    ASSERT_TRUE(election.ok()) << election.status().ToString();
    auto apportionment = LoadApportionmentFile(kIowa + "apportionment.csv");
    ASSERT_TRUE(apportionment.ok()) << apportionment.status().ToString();
    auto districts = LoadDistrictsFile(kIowa + "county-congressional-district.csv");
    ASSERT_TRUE(districts.ok()) << districts.status().ToString();
    election->apportionment = std::move(apportionment).value();
    election->county_district = std::move(districts).value();
    for (PrecinctApportionment& row : election->apportionment) {
      auto it = election->county_district.find(row.county);
      if (!row.district && it != election->county_district.end()) row.district = it->second;
    }
    ruleset_ = new Ruleset(std::move(ruleset).value());
    election_ = new Election(std::move(election).value());
    auto tab = Tabulate(*ruleset_, *election_, CheckElection(*ruleset_, *election_));
    ASSERT_TRUE(tab.ok()) << tab.status().ToString();
    tabulation_ = new Tabulation(std::move(tab).value());
  }
  static void TearDownTestSuite() {
    delete tabulation_;
    delete election_;
    delete ruleset_;
  }
  void SetUp() override { ASSERT_NE(tabulation_, nullptr); }

  static CandidateIndex Index(const std::string& name) {
    auto c = election_->FindCandidate(name);
    EXPECT_TRUE(c.has_value()) << name;
    return c.value_or(0);
  }
  // Non-zero allocations by name.
  static std::map<std::string, Count> Named(const std::vector<Count>& delegates) {
    std::map<std::string, Count> out;
    for (size_t c = 0; c < delegates.size(); ++c) {
      if (delegates[c] != 0) out[election_->candidates[c]] = delegates[c];
    }
    return out;
  }
  static const PoolAllocation* DistrictPool(const NationalAllocation& n, const std::string& d) {
    for (size_t i = 0; i < n.pools.size(); ++i) {
      const NationalPool& rule = ruleset_->national->pools[i];
      if (rule.scope == PoolScope::kDistrict && rule.district == d) return &n.pools[i];
    }
    return nullptr;
  }
  static const PoolAllocation* StatewidePool(const NationalAllocation& n, Count size) {
    for (size_t i = 0; i < n.pools.size(); ++i) {
      const NationalPool& rule = ruleset_->national->pools[i];
      if (rule.scope == PoolScope::kStatewide && rule.size == size) return &n.pools[i];
    }
    return nullptr;
  }

  static Ruleset* ruleset_;
  static Election* election_;
  static Tabulation* tabulation_;
};

Ruleset* Iowa2020Tabulation::ruleset_ = nullptr;
Election* Iowa2020Tabulation::election_ = nullptr;
Tabulation* Iowa2020Tabulation::tabulation_ = nullptr;

TEST_F(Iowa2020Tabulation, ReportedStateTotalsAreTheReadmeTotals) {
  const AreaTotals& state = tabulation_->reported.state;
  Count first = 0, final = 0;
  Rational sde;
  for (const CandidateTotals& t : state.candidates) {
    first += t.first;
    final += t.final;
    sde += t.sde;
  }
  EXPECT_EQ(first, 176'436);
  EXPECT_EQ(final, 172'521);
  EXPECT_EQ(sde.ToDecimal(3), "2152.889");
  EXPECT_EQ(state.candidates[Index("Buttigieg")].sde.ToDecimal(3), "564.012");
  EXPECT_EQ(state.candidates[Index("Sanders")].sde.ToDecimal(3), "562.497");
  EXPECT_EQ(state.precincts, 1765);
  EXPECT_EQ(tabulation_->included, 1765);
  EXPECT_EQ(tabulation_->reported.counties.size(), 104u);
  EXPECT_EQ(tabulation_->reported.districts.size(), 4u);
  // Only the out-of-state satellites count statewide only.
  EXPECT_EQ(tabulation_->without_district,
            tabulation_->reported.counties.at("Out of State Satellite").precincts);
  EXPECT_GT(tabulation_->without_district, 0);
  // Computed head counts are the reported ones.
  EXPECT_EQ(tabulation_->computed.state.candidates[Index("Biden")].first,
            state.candidates[Index("Biden")].first);
}

TEST_F(Iowa2020Tabulation, ReportedNationalDelegatesAreTheProjection) {
  ASSERT_TRUE(tabulation_->reported.national.has_value());
  const NationalAllocation& n = *tabulation_->reported.national;
  EXPECT_TRUE(n.complete());
  using M = std::map<std::string, Count>;
  EXPECT_EQ(Named(n.total),
            (M{{"Buttigieg", 14}, {"Sanders", 12}, {"Warren", 8}, {"Biden", 6}, {"Klobuchar", 1}}));

  const std::map<std::string, std::pair<Count, M>> districts = {
      {"1", {7, {{"Buttigieg", 2}, {"Sanders", 2}, {"Biden", 2}, {"Warren", 1}}}},
      {"2", {7, {{"Sanders", 3}, {"Buttigieg", 2}, {"Warren", 2}}}},
      {"3", {8, {{"Buttigieg", 3}, {"Sanders", 2}, {"Warren", 2}, {"Biden", 1}}}},
      {"4", {5, {{"Buttigieg", 2}, {"Sanders", 1}, {"Biden", 1}, {"Klobuchar", 1}}}},
  };
  for (const auto& [district, expected] : districts) {
    const PoolAllocation* pool = DistrictPool(n, district);
    ASSERT_NE(pool, nullptr) << district;
    EXPECT_EQ(pool->size, expected.first) << district;
    EXPECT_EQ(Named(pool->delegates), expected.second) << district;
  }
  // Klobuchar qualified in CD4 with 16.09% of its SDEs.
  const PoolAllocation* cd4 = DistrictPool(n, "4");
  ASSERT_NE(cd4, nullptr);
  EXPECT_EQ((cd4->votes[Index("Klobuchar")] / cd4->total_vote).RoundTo(4), Rational(1609, 10000));

  const PoolAllocation* at_large = StatewidePool(n, 9);
  ASSERT_NE(at_large, nullptr);
  EXPECT_EQ(Named(at_large->delegates),
            (M{{"Buttigieg", 3}, {"Sanders", 3}, {"Warren", 2}, {"Biden", 1}}));
  const PoolAllocation* pleo = StatewidePool(n, 5);
  ASSERT_NE(pleo, nullptr);
  EXPECT_EQ(Named(pleo->delegates),
            (M{{"Buttigieg", 2}, {"Sanders", 1}, {"Warren", 1}, {"Biden", 1}}));
}

TEST_F(Iowa2020Tabulation, JsonHeadlinesTheSideItSays) {
  nlohmann::json j = TabulationToJson(*ruleset_, election_->candidates, *tabulation_);
  EXPECT_EQ(j["ruleset"]["name"], "iowa-dem-2020");
  EXPECT_EQ(j["ruleset"]["hash"], ruleset_->hash);
  EXPECT_EQ(j["totals"]["reported"]["state"]["Buttigieg"]["first"],
            tabulation_->reported.state.candidates[Index("Buttigieg")].first);
  const std::string source = j["national"]["source"];
  EXPECT_EQ(source, tabulation_->computed_is_complete() ? "computed" : "reported");
  EXPECT_EQ(j["national"]["total"], j["totals"][source]["national"]["total"]);
  if (source == "reported") {
    EXPECT_EQ(j["national"]["total"]["Buttigieg"], 14);
  }
}

}  // namespace
}  // namespace canvass
