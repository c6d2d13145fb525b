// Materiality on the party's certified 2020 record (../shared/spec/audits.md 3.3), checked
// independently by tests/audit/materiality_iowa.py (docs/audit.md).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "audit/materiality.h"
#include "caucus/findings.h"
#include "io/importers.h"
#include "test_data.h"

namespace canvass {
namespace {

TEST(IowaMaterialityTest, CertifiedRecord) {
  auto ruleset = LoadRuleset("iowa-dem-2020");
  ASSERT_TRUE(ruleset.ok()) << ruleset.status().ToString();
  auto election = LoadResultsFile(kIowa + "results-certified-2020-04-07-long.csv");
  ASSERT_TRUE(election.ok()) << election.status().ToString();
  auto apportionment = LoadApportionmentFile(kIowa + "apportionment.csv");
  ASSERT_TRUE(apportionment.ok());
  election->apportionment = *apportionment;
  auto districts = LoadDistrictsFile(kIowa + "county-congressional-district.csv");
  ASSERT_TRUE(districts.ok());
  election->county_district = *districts;

  const auto checks = CheckElection(*ruleset, *election);
  auto m = ComputeMateriality(*ruleset, *election, checks);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->precincts.size(), 1765u);
  EXPECT_EQ(m->possibly_material, 885);
  EXPECT_EQ(m->material, 885);
  EXPECT_EQ(m->by_pair, 438);
  EXPECT_EQ(m->by_whole, 447);

  // The least SDE any material change moves: two county delegates of a Warren County precinct
  // (7/30 SDE each), 0.4666 or 0.4667 after each candidate's SDEs are rounded to 4 places.
  Rational least(1'000'000);
  for (const PrecinctMateriality& p : m->precincts) {
    if (p.smallest && p.smallest->sde_moved < least) least = p.smallest->sde_moved;
  }
  EXPECT_EQ(least, Rational(4666, 10000));
  std::set<std::string> warren_pairs;
  for (const PrecinctMateriality& p : m->precincts) {
    if (!p.smallest || p.smallest->sde_moved > Rational(4667, 10000)) continue;
    if (p.county != "Warren") continue;
    const PrecinctChange& ch = *p.smallest;
    EXPECT_EQ(ch.delegates, 2) << p.precinct;
    EXPECT_EQ(m->candidates[*ch.from], "Buttigieg");
    EXPECT_EQ(m->candidates[ch.to], "Sanders");
    EXPECT_NE(ch.Describe(m->candidates, m->outcome).find("PLEO Buttigieg 2-1 Sanders becomes 1-2"),
              std::string::npos);
    warren_pairs.insert(p.precinct);
  }
  for (const char* example : {"INDIANOLA 1", "INDIANOLA 2", "INDIANOLA 4", "INDIANOLA 5",
                              "INDIANOLA 6", "ALLEN 2", "ALLEN 3"}) {
    EXPECT_TRUE(warren_pairs.count(example)) << example;
  }
  // A precinct whose bound is below one: nothing it could report moves a national delegate.
  for (const PrecinctMateriality& p : m->precincts) {
    if (p.county == "Washington" && p.precinct == "Riverside") {
      EXPECT_TRUE(p.bounded);
      EXPECT_LT(p.bound, Rational(1));
      EXPECT_GT(p.bound, Rational(99, 100));
      EXPECT_FALSE(p.smallest.has_value());
    }
  }
}

}  // namespace
}  // namespace canvass
