// The synthetic election generator: reproducible by seed, clean unless asked for errors, and the
// injected errors found by the checks.
#include "simulate/simulate.h"

#include <gtest/gtest.h>

#include <set>

#include "caucus/findings.h"
#include "core/sha256.h"
#include "io/importers.h"
#include "simulate/simulate_fixture.h"

namespace canvass::simulate {
namespace {

std::string Bytes(const Simulation& s) {
  return WriteResultsCsv(s.election) + "\n--\n" + WriteApportionmentCsv(s.election.apportionment) +
         "\n--\n" + WriteDistrictsCsv(s.election);
}

Options Sized(int64_t precincts, uint64_t seed) {
  Options o;
  o.precincts = precincts;
  o.seed = seed;
  return o;
}

TEST(SimulateTest, SameSeedSameBytesOtherSeedOtherBytes) {
  Ruleset iowa = Rules("iowa-dem-2020");
  Options o = Sized(500, 42);
  o.satellites_ppm = 50'000;
  o.errors_ppm = 20'000;
  const std::string a = Bytes(Make(iowa, o));
  EXPECT_EQ(a, Bytes(Make(iowa, o)));
  o.seed = 43;
  EXPECT_NE(a, Bytes(Make(iowa, o)));
}

// The bytes are pinned: the PRNG and the distributions are our own integer code, so a change of
// compiler or standard library cannot change them (a change of the generator must update this).
TEST(SimulateTest, OutputIsPinned) {
  Ruleset iowa = Rules("iowa-dem-2020");
  Options o = Sized(200, 1);
  o.satellites_ppm = 100'000;
  o.ties_ppm = 50'000;
  o.errors_ppm = 50'000;
  EXPECT_EQ(Sha256Hex(Bytes(Make(iowa, o))),
            "4c30ee791be2b07de0dd4b6f5f2b06d42581faeae57b7f09236c8d4413a811a9");
}

TEST(SimulateTest, FilesReadBackIntoTheSameElection) {
  Ruleset iowa = Rules("iowa-dem-2020");
  Options o = Sized(300, 5);
  o.satellites_ppm = 100'000;
  Simulation s = Make(iowa, o);
  auto results = ParseResults(WriteResultsCsv(s.election), "r.csv");
  ASSERT_TRUE(results.ok()) << results.status().message();
  auto table = ParseApportionment(WriteApportionmentCsv(s.election.apportionment), "a.csv");
  ASSERT_TRUE(table.ok()) << table.status().message();
  auto districts = ParseDistricts(WriteDistrictsCsv(s.election), "d.csv");
  ASSERT_TRUE(districts.ok()) << districts.status().message();
  EXPECT_EQ(results->reports.size(), s.election.reports.size());
  EXPECT_EQ(table->size(), s.election.apportionment.size());
  EXPECT_EQ(*districts, s.election.county_district);
  Election back = std::move(results).value();
  back.apportionment = std::move(table).value();
  back.county_district = std::move(districts).value();
  EXPECT_EQ(WriteResultsCsv(back), WriteResultsCsv(s.election));
}

void ExpectClean(const std::string& rules_name, Options o) {
  Ruleset rules = Rules(rules_name);
  Simulation s = Make(rules, o);
  EXPECT_TRUE(s.errors.empty());
  EXPECT_GT(s.ties, 0) << "some exact ties, settled by a coin";
  int64_t tie_outcomes = 0, satellites = 0;
  for (const PrecinctCheck& c : CheckElection(rules, s.election)) {
    for (const Finding& f : c.findings) {
      EXPECT_NE(f.severity, Severity::kError) << rules_name << " " << c.county << " / "
                                              << c.precinct << ": " << f.code << ": " << f.message;
      if (f.code == "allocation-is-tie-outcome") ++tie_outcomes;
    }
  }
  for (const PrecinctReport& r : s.election.reports) satellites += r.satellite ? 1 : 0;
  EXPECT_EQ(tie_outcomes, s.ties);
  if (o.satellites_ppm > 0) {
    EXPECT_GT(satellites, 0);
  }
}

TEST(SimulateTest, NoErrorFindingsWithoutInjectedErrors) {
  Options o = Sized(3000, 2020);
  o.satellites_ppm = 50'000;
  o.ties_ppm = 20'000;
  ExpectClean("iowa-dem-2020", o);
  o.satellites_ppm = 0;
  o.candidates = 12;
  ExpectClean("nevada-dem-2020", o);
  o.candidates = 5;
  ExpectClean("iowa-dem-2016", o);
}

TEST(SimulateTest, InjectedErrorsAreFound) {
  Ruleset iowa = Rules("iowa-dem-2020");
  Options o = Sized(2000, 9);
  o.satellites_ppm = 50'000;
  o.errors_ppm = 30'000;
  Simulation s = Make(iowa, o);
  ASSERT_GT(s.errors.size(), 20u);
  std::set<ErrorKind> kinds;
  std::set<size_t> injected;
  for (const InjectedError& x : s.errors) {
    kinds.insert(x.kind);
    injected.insert(x.report);
  }
  EXPECT_EQ(kinds.size(), 3u) << "every kind of error";
  auto checks = CheckElection(iowa, s.election);
  ASSERT_EQ(checks.size(), s.election.reports.size());
  for (size_t i = 0; i < checks.size(); ++i) {
    EXPECT_EQ(checks[i].has_error(), injected.count(i) == 1)
        << checks[i].county << " / " << checks[i].precinct;
  }
  for (const InjectedError& x : s.errors) {
    if (x.kind == ErrorKind::kViableGroupWithoutDelegate ||
        x.kind == ErrorKind::kFinalExceedsAttendance) {
      bool named = false;
      for (const Finding& f : checks[x.report].findings)
        named = named || f.code == ErrorKindName(x.kind);
      EXPECT_TRUE(named) << ErrorKindName(x.kind) << ": " << x.detail;
    }
  }
}

TEST(SimulateTest, OneCountyAndOnePrecinct) {
  Ruleset iowa = Rules("iowa-dem-2020");
  Simulation one = Make(iowa, Sized(1, 3));
  ASSERT_EQ(one.election.reports.size(), 1u);
  EXPECT_EQ(one.election.county_district.size(), 1u);
  Options o = Sized(40, 3);
  o.counties = 1;
  Simulation county = Make(iowa, o);
  EXPECT_EQ(county.election.county_district.size(), 1u);
  for (const PrecinctReport& r : county.election.reports) EXPECT_EQ(r.county, "County 1");
  for (const PrecinctCheck& c : CheckElection(iowa, county.election)) EXPECT_FALSE(c.has_error());
}

TEST(SimulateTest, TwoHundredThousandPrecincts) {
  Ruleset iowa = Rules("iowa-dem-2020");
  Options o = Sized(200'000, 1);
  o.candidates = 4;
  Simulation s = Make(iowa, o);
  EXPECT_EQ(s.election.reports.size(), 200'000u);
  EXPECT_EQ(s.election.apportionment.size(), 200'000u);
  EXPECT_EQ(s.election.county_district.size(), 99u);
  EXPECT_GT(s.ties, 0);
}

TEST(SimulateTest, RefusesWhatTheRulesetCannotDo) {
  Options o = Sized(10, 1);
  o.satellites_ppm = 100'000;
  EXPECT_FALSE(Simulate(Rules("nevada-dem-2020"), o).ok());
  EXPECT_FALSE(Simulate(Rules("iowa-gop-2020"), Sized(10, 1)).ok());
  EXPECT_FALSE(Simulate(Rules("iowa-dem-2020"), Sized(0, 1)).ok());
}

TEST(SimulateTest, ParsesFractionsWithoutFloatingPoint) {
  EXPECT_EQ(*ParseFraction("0"), 0u);
  EXPECT_EQ(*ParseFraction("1"), kMillion);
  EXPECT_EQ(*ParseFraction("0.05"), 50'000u);
  EXPECT_EQ(*ParseFraction(".000001"), 1u);
  EXPECT_EQ(*ParseFraction("1.0"), kMillion);
  for (const char* bad : {"", ".", "1.5", "2", "-0.1", "0.0000001", "1e-3", "0,5", "5%"}) {
    EXPECT_FALSE(ParseFraction(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace canvass::simulate
