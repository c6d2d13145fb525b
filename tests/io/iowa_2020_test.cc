// The loaders against the parties' real 2020 files and the totals published for them
// (data/README.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "io/convert.h"
#include "io/csv.h"
#include "io/importers.h"
#include "io/values.h"
#include "test_data.h"

namespace canvass {
namespace {

const std::string kNevada = std::string(CANVASS_DATA_DIR) + "/nevada-2020/";

struct Totals {
  size_t units = 0;
  size_t counties = 0;
  Count first = 0;
  Count final = 0;
  Rational sde;
  std::map<std::string, Rational> sde_by_candidate;
};

Totals Sum(const Election& e) {
  Totals t;
  std::set<std::string> counties;
  t.units = e.reports.size();
  for (const auto& r : e.reports) {
    counties.insert(r.county);
    for (size_t c = 0; c < r.figures.size(); ++c) {
      const auto& f = r.figures[c];
      t.first += f.first.value_or(0);
      t.final += f.final.value_or(0);
      if (f.sde) {
        t.sde += *f.sde;
        t.sde_by_candidate[e.candidates[c]] += *f.sde;
      }
    }
  }
  t.counties = counties.size();
  return t;
}

// A release's published totals: the README shows SDEs to 3 places.
struct Published {
  Count first;
  Count final;
  const char* sde;
  const char* buttigieg;
  const char* sanders;
};
constexpr Published kFirstComplete = {176436, 172521, "2152.889", "564.012", "562.497"};
constexpr Published kCertified = {176352, 172300, "2150.832", "562.954", "562.021"};

void ExpectTotals(const Election& e, const Published& p) {
  Totals t = Sum(e);
  EXPECT_EQ(t.units, 1765u);
  EXPECT_EQ(t.counties, 104u);
  EXPECT_EQ(e.candidates.size(), 14u);
  EXPECT_EQ(t.first, p.first);
  EXPECT_EQ(t.final, p.final);
  EXPECT_EQ(t.sde.ToDecimal(3), p.sde);
  EXPECT_EQ(t.sde_by_candidate["Buttigieg"].ToDecimal(3), p.buttigieg);
  EXPECT_EQ(t.sde_by_candidate["Sanders"].ToDecimal(3), p.sanders);
  size_t satellites = 0;
  for (const auto& r : e.reports) satellites += r.satellite ? 1 : 0;
  EXPECT_EQ(satellites, 87u);
}

std::set<std::string> SortedCandidates(const Election& e) {
  return {e.candidates.begin(), e.candidates.end()};
}

Election Load(const std::string& path) {
  auto e = LoadResultsFile(path);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(e).value() : Election{};
}

TEST(Iowa2020Test, FirstCompleteLongCsv) {
  ExpectTotals(Load(kIowa + "results-first-complete-2020-02-08-long.csv"), kFirstComplete);
}

TEST(Iowa2020Test, CertifiedLongCsv) {
  ExpectTotals(Load(kIowa + "results-certified-2020-04-07-long.csv"), kCertified);
}

TEST(Iowa2020Test, FirstCompleteWideCsv) {
  Election e = Load(kIowa + "precincts-first-complete-wide.csv");
  ExpectTotals(e, kFirstComplete);
  EXPECT_EQ(e.apportionment.size(), 1765u);
}

TEST(Iowa2020Test, CertifiedWideCsv) {
  ExpectTotals(Load(kIowa + "precincts-certified-wide.csv"), kCertified);
}

// The long and wide CSVs of one release name the same units the same way and carry the same
// figures.
TEST(Iowa2020Test, LongAndWideCsvAgree) {
  Election lng = Load(kIowa + "results-certified-2020-04-07-long.csv");
  Election wide = Load(kIowa + "precincts-certified-wide.csv");
  ASSERT_EQ(SortedCandidates(lng), SortedCandidates(wide));
  ASSERT_EQ(lng.reports.size(), wide.reports.size());
  std::map<std::pair<std::string, std::string>, const PrecinctReport*> by_name;
  for (const auto& r : wide.reports) by_name[{r.county, r.precinct}] = &r;
  for (const auto& r : lng.reports) {
    auto it = by_name.find({r.county, r.precinct});
    ASSERT_NE(it, by_name.end()) << r.county << " / " << r.precinct;
    for (size_t c = 0; c < r.figures.size(); ++c) {
      const CandidateReport& other = it->second->figures[*wide.FindCandidate(lng.candidates[c])];
      EXPECT_EQ(r.figures[c].first, other.first);
      EXPECT_EQ(r.figures[c].final, other.final);
      EXPECT_EQ(r.figures[c].sde, other.sde);
    }
  }
}

// The media feed names precincts by the party's short code; the wide CSV joins them.
TEST(Iowa2020Test, MediaFeedEqualsFirstCompleteLongCsv) {
  Election feed = Load(kIowa + "media-feed-2020-02-09.json");
  Election lng = Load(kIowa + "results-first-complete-2020-02-08-long.csv");
  Election wide = Load(kIowa + "precincts-first-complete-wide.csv");
  ASSERT_EQ(SortedCandidates(feed), SortedCandidates(lng));
  ASSERT_EQ(feed.reports.size(), 1765u);
  std::map<std::pair<std::string, std::string>, std::string> full_name;
  for (const auto& row : wide.apportionment) {
    full_name[{row.county, row.short_code}] = row.precinct;
  }
  std::map<std::pair<std::string, std::string>, const PrecinctReport*> by_name;
  for (const auto& r : lng.reports) by_name[{r.county, r.precinct}] = &r;
  size_t compared = 0;
  for (const auto& r : feed.reports) {
    auto name = full_name.find({r.county, r.precinct});
    ASSERT_NE(name, full_name.end()) << r.county << " / " << r.precinct;
    auto it = by_name.find({r.county, name->second});
    ASSERT_NE(it, by_name.end()) << r.county << " / " << name->second;
    EXPECT_EQ(r.satellite, it->second->satellite);
    for (size_t c = 0; c < r.figures.size(); ++c) {
      SCOPED_TRACE(r.county + " / " + r.precinct + " / " + feed.candidates[c]);
      const CandidateReport& other = it->second->figures[*lng.FindCandidate(feed.candidates[c])];
      EXPECT_EQ(r.figures[c].first, other.first);
      EXPECT_EQ(r.figures[c].final, other.final);
      EXPECT_EQ(r.figures[c].sde, other.sde);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 1765u * 14u);
  ExpectTotals(feed, kFirstComplete);
}

TEST(Iowa2020Test, IdpApportionmentTable) {
  auto table = LoadApportionmentFile(kIowa + "precinct-delegate-apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->size(), 1681u);
  Count delegates = 0;
  Rational sde;
  std::set<std::string> counties;
  for (const auto& row : *table) {
    counties.insert(row.county);
    delegates += *row.delegates;
    ASSERT_TRUE(row.sde_per_delegate.has_value()) << row.county;
    sde += *row.delegates * *row.sde_per_delegate;
    EXPECT_EQ(row.short_code, row.precinct);
    if (row.county == "Adair") {
      EXPECT_EQ(*row.sde_per_delegate, Rational(4, 51));
    }
  }
  EXPECT_EQ(counties.size(), 99u);
  EXPECT_TRUE(counties.count("Guthrie"));  // "Guthrie " in the file
  EXPECT_EQ(delegates, 11402);
  EXPECT_EQ(sde, Rational(2107));
}

// The premise of the exact county ratio: every county's precinct SDEs add up to a whole number.
TEST(Iowa2020Test, EveryCountySdeSumIsWhole) {
  auto text = ReadFile(kIowa + "precinct-delegate-apportionment.csv");
  ASSERT_TRUE(text.ok());
  CsvReader r(*text, "idp");
  bool has = false;
  ASSERT_TRUE(r.Next(&has).ok());
  std::map<std::string, __int128> nanos;
  for (;;) {
    ASSERT_TRUE(r.Next(&has).ok());
    if (!has) break;
    nanos[CanonicalName(r[0])] += *ParseNanos(r[3]);
  }
  ASSERT_EQ(nanos.size(), 99u);
  for (const auto& [county, sum] : nanos) {
    __int128 whole = (sum + 500'000'000) / 1'000'000'000;
    __int128 off = sum - whole * 1'000'000'000;
    EXPECT_LE(off < 0 ? -off : off, 1'000'000) << county << " " << NanosToString(sum);
  }
}

TEST(Iowa2020Test, WideCsvRatiosMatchTheIdpTable) {
  auto table = LoadApportionmentFile(kIowa + "precinct-delegate-apportionment.csv");
  ASSERT_TRUE(table.ok());
  std::map<std::string, Rational> ratio;
  for (const auto& row : *table) ratio[row.county] = *row.sde_per_delegate;
  Election wide = Load(kIowa + "precincts-certified-wide.csv");
  size_t checked = 0;
  for (const auto& row : wide.apportionment) {
    if (row.satellite) {
      EXPECT_FALSE(row.delegates.has_value());
      EXPECT_TRUE(row.site_sde.has_value());
      continue;
    }
    EXPECT_EQ(*row.sde_per_delegate, ratio.at(row.county)) << row.county;
    ++checked;
  }
  EXPECT_EQ(checked, 1678u);
}

TEST(Iowa2020Test, DistrictMapCoversEveryCounty) {
  auto map = LoadDistrictsFile(kIowa + "county-congressional-district.csv");
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  auto table = LoadApportionmentFile(kIowa + "precinct-delegate-apportionment.csv");
  ASSERT_TRUE(table.ok());
  std::set<std::string> counties;
  for (const auto& row : *table) counties.insert(row.county);
  ASSERT_EQ(counties.size(), 99u);
  for (const auto& county : counties) {
    ASSERT_TRUE(map->count(county)) << county;
    EXPECT_TRUE(map->at(county) >= "1" && map->at(county) <= "4") << county;
  }
  EXPECT_EQ(map->at("CD3 Satellite"), "3");
  EXPECT_FALSE(map->count("Out of State Satellite"));
}

TEST(Nevada2020Test, ApportionmentTable) {
  auto table = LoadApportionmentFile(kNevada + "precinct-delegate-apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->size(), 2088u);
  Count delegates = 0;
  std::set<std::string> districts;
  for (const auto& row : *table) {
    delegates += *row.delegates;
    districts.insert(*row.district);
    EXPECT_FALSE(row.sde_per_delegate.has_value());
  }
  EXPECT_EQ(delegates, 14675);
  EXPECT_EQ(districts, (std::set<std::string>{"1", "2", "3", "4"}));
}

// data/iowa-2020/apportionment.csv is generated; regenerate it and compare byte for byte.
// CANVASS_REGENERATE=1 rewrites the committed file instead.
TEST(Iowa2020Test, CommittedApportionmentCsvIsUpToDate) {
  auto generated = ConvertToApportionmentCsv(kIowa + "precincts-certified-wide.csv",
                                             kIowa + "county-congressional-district.csv");
  ASSERT_TRUE(generated.ok()) << generated.status().ToString();
  const std::string committed_path = kIowa + "apportionment.csv";
  if (const char* regen = std::getenv("CANVASS_REGENERATE"); regen && std::string(regen) == "1") {
    std::ofstream(committed_path, std::ios::binary) << *generated;
  }
  auto committed = ReadFile(committed_path);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_TRUE(*committed == *generated) << "run with CANVASS_REGENERATE=1 and review the diff";
}

TEST(Iowa2020Test, CommittedApportionmentCsvContents) {
  auto table = LoadApportionmentFile(kIowa + "apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->size(), 1765u);
  Election lng = Load(kIowa + "results-certified-2020-04-07-long.csv");
  std::set<std::pair<std::string, std::string>> names;
  for (const auto& r : lng.reports) names.insert({r.county, r.precinct});
  Count delegates = 0;
  Rational sde;
  size_t satellites = 0, statewide_only = 0;
  for (const auto& row : *table) {
    EXPECT_TRUE(names.count({row.county, row.precinct})) << row.county << " / " << row.precinct;
    if (row.satellite) {
      ++satellites;
      EXPECT_TRUE(row.site_sde.has_value());
      if (!row.district) ++statewide_only;
      continue;
    }
    delegates += *row.delegates;
    sde += *row.delegates * *row.sde_per_delegate;
    EXPECT_TRUE(row.district.has_value());
  }
  EXPECT_EQ(satellites, 87u);
  EXPECT_GT(statewide_only, 0u);
  EXPECT_EQ(delegates, 11402);
  EXPECT_EQ(sde, Rational(2107));
}

}  // namespace
}  // namespace canvass
