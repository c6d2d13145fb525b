#include "io/importers.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "io/values.h"

namespace canvass {
namespace {

std::string ResultsError(std::string_view text) {
  auto e = ParseResults(text, "results.csv");
  return e.ok() ? "" : e.status().message();
}

std::string ApportionmentError(std::string_view text) {
  auto t = ParseApportionment(text, "app.csv");
  return t.ok() ? "" : t.status().message();
}

constexpr std::string_view kLongHeader = "county,precinct,candidate,measure,value\n";

TEST(LongCsvTest, ReadsFiguresAndDropsCountyTotals) {
  std::string text(kLongHeader);
  text +=
      "Adair,1NW ADAIR,Biden,expression_1,6\n"
      "Adair,1NW ADAIR,Biden,expression_2,6\n"
      "Adair,1NW ADAIR,Biden,sde,0.07840000000000001\n"
      "Adair,1NW ADAIR,Warren,expression_1,9\n"
      "Adair,Total,Biden,expression_1,600\n"
      "Adair,Total_recalc,Biden,sde,9.99\n"
      "CD1 Satellite,\"Cedar Rapids, IA - Library\",Biden,expression_1,4\n";
  auto e = ParseResults(text, "results.csv");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->candidates, (std::vector<std::string>{"Biden", "Warren"}));
  ASSERT_EQ(e->reports.size(), 2u);
  const auto& adair = e->reports[0];
  EXPECT_EQ(adair.precinct, "1NW ADAIR");
  EXPECT_FALSE(adair.satellite);
  EXPECT_EQ(adair.source.ToString(), "results.csv:2");
  EXPECT_EQ(adair.figures[0].first, 6);
  EXPECT_EQ(adair.figures[0].sde, Rational(784, 10000));
  EXPECT_EQ(adair.figures[1].first, 9);
  EXPECT_FALSE(adair.figures[1].final.has_value());  // not reported
  EXPECT_TRUE(e->reports[1].satellite);
  EXPECT_EQ(e->reports[1].precinct, "Cedar Rapids, IA - Library");
}

TEST(LongCsvTest, NamesAreNormalised) {
  std::string text(kLongHeader);
  text +=
      "Pottawattamie,Council Bluff  04,Biden,expression_1,1\n"
      "Pottawattamie ,Council Bluff 04,Biden,expression_2,1\n"
      "Carroll,W3 &amp;amp; Twp,Biden,expression_1,1\n"
      "Carroll,W3 &amp; Twp,Biden,expression_2,1\n";
  auto e = ParseResults(text, "results.csv");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->reports.size(), 2u);
  EXPECT_EQ(e->reports[0].precinct, "Council Bluff 04");
  EXPECT_EQ(e->reports[1].precinct, "W3 & Twp");
  EXPECT_EQ(e->reports[1].figures[0].final, 1);
}

TEST(LongCsvTest, CandidatesInAnotherOrderPerPrecinctAndSpelledTwoWays) {
  // The reader looks up a candidate from its last match on; every order must give the same
  // figures to the same candidate.
  std::string text(kLongHeader);
  text +=
      "A,P1,Biden,expression_1,1\n"
      "A,P1,Biden,expression_2,2\n"
      "A,P1,Sanders,expression_1,3\n"
      "A,P1,Warren,expression_1,5\n"
      "A,P2,Warren,expression_1,7\n"
      "A,P2,Sanders,expression_1,11\n"
      "A,P2,Biden,expression_1,13\n"
      "A,P2, Sanders ,expression_2,17\n"
      "A,P2,Warren,expression_2,19\n"
      "A,P2,Biden,expression_2,23\n";
  auto e = ParseResults(text, "results.csv");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->candidates, (std::vector<std::string>{"Biden", "Sanders", "Warren"}));
  ASSERT_EQ(e->reports.size(), 2u);
  const auto& p1 = e->reports[0];
  EXPECT_EQ(p1.figures[0].first, 1);
  EXPECT_EQ(p1.figures[0].final, 2);
  EXPECT_EQ(p1.figures[1].first, 3);
  EXPECT_EQ(p1.figures[2].first, 5);
  const auto& p2 = e->reports[1];
  EXPECT_EQ(p2.figures[2].first, 7);
  EXPECT_EQ(p2.figures[1].first, 11);
  EXPECT_EQ(p2.figures[0].first, 13);
  EXPECT_EQ(p2.figures[1].final, 17);
  EXPECT_EQ(p2.figures[2].final, 19);
  EXPECT_EQ(p2.figures[0].final, 23);
  // A repeated row is still found after the cache moved on.
  EXPECT_EQ(ResultsError(text + "A,P2,Sanders,expression_1,1\n"),
            "results.csv:12:14: a second expression_1 row for A / P2 / Sanders");
}

TEST(LongCsvTest, Errors) {
  std::string h(kLongHeader);
  EXPECT_EQ(ResultsError(h + "A,P,Biden,expression_1,6\nA,P,Biden,expression_1,-3\n"),
            "results.csv:3:11: a second expression_1 row for A / P / Biden");
  EXPECT_EQ(ResultsError(h + "A,P,Biden,expression_1,-3\n"),
            "results.csv:2:24: column \"value\": \"-3\" is not a count");
  EXPECT_EQ(ResultsError(h + "A,P,Biden,expression_2,2.5\n"),
            "results.csv:2:24: column \"value\": \"2.5\" is not a count");
  EXPECT_EQ(ResultsError(h + "A,P,Biden,expression_2,10000001\n"),
            "results.csv:2:24: column \"value\": \"10000001\" is not a count: above 10000000");
  EXPECT_EQ(ResultsError(h + "A,P,Biden,sde,0.1234567891\n"),
            "results.csv:2:15: column \"value\": \"0.1234567891\" is not an SDE figure: more "
            "than 9 decimal places");
  EXPECT_EQ(ResultsError(h + "A,P,Biden,votes,3\n"),
            "results.csv:2:11: column \"measure\": unknown measure \"votes\" (expected "
            "expression_1, expression_2 or sde)");
  EXPECT_EQ(ResultsError(h + "A,,Biden,sde,3\n"),
            "results.csv:2:3: column \"precinct\": empty name");
  EXPECT_EQ(ResultsError(h + "A,P,Biden,sde\n"),
            "results.csv:2:14: record has 4 fields, the header has 5");
}

TEST(ResultsFormatTest, UnknownHeaderAndEmptyFile) {
  EXPECT_EQ(ResultsError("county;precinct\n").substr(0, 43),
            "results.csv:1:1: unrecognised results heade");
  EXPECT_EQ(ResultsError(""), "results.csv:1:1: empty file: expected a header line");
  EXPECT_EQ(ResultsError("\n\n"), "results.csv:1:1: empty file: expected a header line");
}

TEST(OurResultsCsvTest, ColumnsInAnyOrderAndEmptyCells) {
  auto e = ParseResults(
      "precinct,sde,county,final,first,candidate\n"
      "P1,0.5,A,,10,Biden\n"
      "P1,,A,7,8,Warren\n",
      "ours.csv");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->reports.size(), 1u);
  const auto& f = e->reports[0].figures;
  EXPECT_EQ(f[0].first, 10);
  EXPECT_FALSE(f[0].final.has_value());
  EXPECT_EQ(f[0].sde, Rational(1, 2));
  EXPECT_FALSE(f[1].sde.has_value());
  EXPECT_EQ(f[1].final, 7);
}

TEST(OurResultsCsvTest, Errors) {
  const std::string h = "county,precinct,candidate,first,final\n";
  EXPECT_EQ(ResultsError(h + "A,P,Biden,1,1\nA,P,Biden,2,2\n"),
            "results.csv:3:5: a second row for A / P / Biden");
  EXPECT_EQ(ResultsError("county,precinct,candidate,first,final,votes\n"),
            "results.csv:1:39: unknown column \"votes\"");
  EXPECT_EQ(ResultsError("county,precinct,candidate,first,first\n"),
            "results.csv:1:33: column \"first\" appears twice");
  EXPECT_EQ(ResultsError("county,precinct,candidate,first\n"),
            "results.csv:1:1: missing column \"final\"");
  EXPECT_EQ(ResultsError(h + "A,P,Biden,x,1\n"),
            "results.csv:2:11: column \"first\": \"x\" is not a count");
  EXPECT_EQ(ResultsError("county,precinct,candidate,first,final,sde\nA,P,B,1,1,1/0\n"),
            "results.csv:2:11: column \"sde\": \"1/0\" is not an SDE figure: zero denominator");
}

TEST(WideCsvTest, FillsApportionmentWithExactRatios) {
  const std::string text =
      "county,precinct,is_satellite,idp_short_code,nyt_precinct_id,county_delegates_apportioned,"
      "sde_apportioned,sde_per_county_delegate,first_total,final_total,sde_total,Biden_first,"
      "Biden_final,Biden_sde\n"
      "Adair,1NW ADAIR,0,01NW,1,8,0.6274509803921569,0.078431,6,6,0.0784,6,6,0.0784\n"
      "Adair,2NE,0,02NE,2,43,3.3725490196078427,0.078431,0,0,0,0,0,0.0\n"
      "CD1 Satellite,Site,1,Site,3,,,,4,4,0.3215,4,4,0.3215\n";
  auto e = ParseResults(text, "wide.csv");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->apportionment.size(), 3u);
  EXPECT_EQ(e->apportionment[0].sde_per_delegate, Rational(4, 51));
  EXPECT_EQ(e->apportionment[0].short_code, "01NW");
  EXPECT_EQ(e->apportionment[2].site_sde, Rational(3215, 10000));
  EXPECT_TRUE(e->reports[2].satellite);
}

TEST(WideCsvTest, RefusesACountyWhoseSdesAreNotWhole) {
  const std::string text =
      "county,precinct,is_satellite,idp_short_code,nyt_precinct_id,county_delegates_apportioned,"
      "sde_apportioned,sde_per_county_delegate,first_total,final_total,sde_total,Biden_first,"
      "Biden_final,Biden_sde\n"
      "Adair,1NW ADAIR,0,01NW,1,8,0.62,0.078431,6,6,0.0784,6,6,0.0784\n";
  EXPECT_EQ(ResultsError(text),
            "results.csv:2: county \"Adair\": its precincts' SDEs add up to 0.62, not a whole "
            "number of state delegates");
}

TEST(IdpTableTest, StripsCountySpacesAndComputesRatios) {
  auto t = ParseApportionment(
      "County,Precinct Short Name,Delegates to County Convention,State Delegate Equivalents\n"
      "\"Guthrie \",8,2,0.17142857142857143\n"
      "Guthrie,9,33,2.8285714285714287\n",
      "idp.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].county, "Guthrie");
  EXPECT_EQ((*t)[0].short_code, "8");
  EXPECT_EQ((*t)[0].sde_per_delegate, Rational(3, 35));
  EXPECT_EQ(
      ApportionmentError("County,Precinct Short Name,Delegates to County Convention,State Delegate "
                         "Equivalents\nA,1,2,1\nA,1,2,1\n"),
      "app.csv:3:3: a second row for A / 1 (first at line 2)");
}

TEST(OurApportionmentTest, ReadsEveryColumn) {
  auto t = ParseApportionment(
      "county,precinct,delegates,sde_per_delegate,district,satellite,site_sde,short_code\n"
      "Adair,1NW,8,4/51,3,0,,01NW\n"
      "Out of State Satellite,Paris,,,,1,0.0304,Paris\n"
      "Polk,X,5,0.5,3,0,,\n",
      "app.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].sde_per_delegate, Rational(4, 51));
  EXPECT_EQ((*t)[0].district, "3");
  EXPECT_FALSE((*t)[1].delegates.has_value());
  EXPECT_FALSE((*t)[1].district.has_value());
  EXPECT_TRUE((*t)[1].satellite);
  EXPECT_EQ((*t)[1].site_sde, Rational(304, 10000));
  EXPECT_EQ((*t)[2].sde_per_delegate, Rational(1, 2));
  EXPECT_EQ(ApportionmentError("county,precinct,delegates,satellite\nA,B,1,yes\n"),
            "app.csv:2:7: column \"satellite\": \"yes\" is not 0 or 1");
  EXPECT_EQ(ApportionmentError("county,precinct,delegates\nA,B,100001\n"),
            "app.csv:2:5: column \"delegates\": \"100001\" is not a count: above 100000");
  EXPECT_EQ(ApportionmentError("county,precinct\n").substr(0, 47),
            "app.csv:1:1: unrecognised apportionment header ");
}

TEST(DistrictsTest, ReadsAndRefusesDuplicates) {
  auto m = ParseDistricts("county,congressional_district\nAdair,3\n\"Guthrie \",3\n", "d.csv");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->at("Guthrie"), "3");
  auto dup = ParseDistricts("county,congressional_district\nA,1\nA,2\n", "d.csv");
  EXPECT_EQ(dup.status().message(), "d.csv:3:1: county \"A\" appears twice (first at line 2)");
  auto bad = ParseDistricts("county,district\n", "d.csv");
  EXPECT_FALSE(bad.ok());
}

TEST(MediaFeedTest, ReadsTextOfNumbersAndMapsCandidateKeys) {
  const std::string text = R"({"meta":{"total_votes":1.5},"precincts":[
    {"precinct":"FM5","locality_name":"Lee","results_align1":{"buttigiegp":30,"other":1},
     "results_alignfinal":{"buttigiegp":35},"results":{"buttigiegp":0.07840000000000001}},
    {"precinct":8,"locality_name":"Sac","results_align1":{"uncommitted":2},"results":{}}]})";
  auto e = ParseResults(text, "feed.json");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->reports.size(), 2u);
  CandidateIndex b = *e->FindCandidate("Buttigieg");
  EXPECT_EQ(e->reports[0].figures[b].first, 30);
  EXPECT_EQ(e->reports[0].figures[b].final, 35);
  EXPECT_EQ(e->reports[0].figures[b].sde, Rational(784, 10000));
  EXPECT_EQ(e->reports[0].figures[*e->FindCandidate("Other")].first, 1);
  EXPECT_EQ(e->reports[1].precinct, "8");
  EXPECT_EQ(e->reports[1].figures[*e->FindCandidate("Uncommitted")].first, 2);
}

TEST(MediaFeedTest, Errors) {
  auto err = [](std::string_view text) {
    auto e = ParseResults(text, "feed.json");
    return e.ok() ? "" : e.status().message();
  };
  EXPECT_EQ(err("{\"precincts\":[\n{\"precinct\":}]}").substr(0, 35),
            "feed.json:2:14 (byte 28): malformed");
  EXPECT_EQ(err(R"({"precincts":[{"precinct":"A","locality_name":"L","results_align1":{"x":1}}]})"),
            "feed.json: precincts[0] (L, A): results_align1.x: unknown candidate key");
  EXPECT_EQ(
      err(R"({"precincts":[{"precinct":"A","locality_name":"L","results_align1":{"yanga":-3}}]})"),
      "feed.json: precincts[0] (L, A): results_align1.yanga: \"-3\" is not a count");
  EXPECT_EQ(err(R"({"precincts":[{"locality_name":"L"}]})"),
            "feed.json: precincts[0]: no \"precinct\"");
  EXPECT_EQ(err(R"({"meta":{}})"), "feed.json: no \"precincts\" array: not a media feed");
  EXPECT_EQ(err(R"({"precincts":[{"precinct":"A","locality_name":"L"},)"
                R"({"precinct":"A","locality_name":"L"}]})"),
            "feed.json: precincts[1] (L, A): the same county and precinct appear twice");
}

// Names, counts and SDEs that our formats must carry unchanged.
rc::Gen<std::string> GenName() {
  return rc::gen::map(
      rc::gen::container<std::string>(rc::gen::element('a', 'Z', ' ', ',', '"', '&', '\n', '1')),
      [](std::string s) {
        std::string n = CanonicalName(s);
        return n.empty() ? std::string("x") : n;
      });
}

// Inside a property: a value from `gen`, or nothing.
template <typename T>
std::optional<T> Maybe(const rc::Gen<T>& gen) {
  if (*rc::gen::arbitrary<bool>()) return *gen;
  return std::nullopt;
}

rc::Gen<Rational> GenSde() {
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange<int64_t>(0, 100'000'000),
                   [](int64_t n) { return Rational(n, 10000); }),
      rc::gen::map(
          rc::gen::pair(rc::gen::inRange<int64_t>(0, 1000), rc::gen::inRange<int64_t>(1, 1000)),
          [](std::pair<int64_t, int64_t> p) { return Rational(p.first, p.second); }));
}

RC_GTEST_PROP(RoundTripTest, ResultsCsv, ()) {
  Election e;
  e.candidates = *rc::gen::unique<std::vector<std::string>>(GenName());
  RC_PRE(!e.candidates.empty());
  auto count = rc::gen::inRange<Count>(0, kMaxHeadCount + 1);
  const auto units = *rc::gen::inRange<size_t>(1, 6);
  for (size_t u = 0; u < units; ++u) {
    PrecinctReport r;
    r.county = *GenName();
    r.precinct = *GenName() + " " + std::to_string(u);  // units are distinct
    r.satellite = *rc::gen::arbitrary<bool>();
    for (size_t c = 0; c < e.candidates.size(); ++c) {
      CandidateReport f;
      f.first = Maybe(count);
      f.final = Maybe(count);
      f.delegates = Maybe(rc::gen::inRange<Count>(0, kMaxDelegates + 1));
      f.sde = Maybe(GenSde());
      r.figures.push_back(f);
    }
    e.reports.push_back(r);
  }
  auto back = ParseResults(WriteResultsCsv(e), "rt.csv");
  RC_ASSERT(back.ok());
  RC_ASSERT(back->candidates == e.candidates);
  RC_ASSERT(back->reports.size() == e.reports.size());
  for (size_t u = 0; u < units; ++u) {
    const auto& a = e.reports[u];
    const auto& b = back->reports[u];
    RC_ASSERT(a.county == b.county && a.precinct == b.precinct && a.satellite == b.satellite);
    for (size_t c = 0; c < e.candidates.size(); ++c) {
      RC_ASSERT(a.figures[c].first == b.figures[c].first);
      RC_ASSERT(a.figures[c].final == b.figures[c].final);
      RC_ASSERT(a.figures[c].delegates == b.figures[c].delegates);
      RC_ASSERT(a.figures[c].sde == b.figures[c].sde);
    }
  }
}

RC_GTEST_PROP(RoundTripTest, ApportionmentCsv, ()) {
  std::vector<PrecinctApportionment> table;
  const auto rows = *rc::gen::inRange<size_t>(0, 6);
  for (size_t i = 0; i < rows; ++i) {
    PrecinctApportionment a;
    a.county = *GenName();
    a.precinct = *GenName() + " " + std::to_string(i);
    a.satellite = *rc::gen::arbitrary<bool>();
    a.delegates = Maybe(rc::gen::inRange<Count>(0, kMaxDelegates + 1));
    a.sde_per_delegate = Maybe(GenSde());
    a.site_sde = Maybe(GenSde());
    a.district = Maybe(GenName());
    a.short_code = *rc::gen::oneOf(rc::gen::just(std::string()), GenName());
    table.push_back(a);
  }
  auto back = ParseApportionment(WriteApportionmentCsv(table), "rt.csv");
  RC_ASSERT(back.ok());
  RC_ASSERT(back->size() == rows);
  for (size_t i = 0; i < rows; ++i) {
    const auto& a = table[i];
    const auto& b = (*back)[i];
    RC_ASSERT(a.county == b.county && a.precinct == b.precinct && a.satellite == b.satellite);
    RC_ASSERT(a.delegates == b.delegates && a.sde_per_delegate == b.sde_per_delegate);
    RC_ASSERT(a.site_sde == b.site_sde && a.district == b.district);
    RC_ASSERT(a.short_code == b.short_code);
  }
}

TEST(RoundTripTest, IowaCertifiedThroughOurFormats) {
  auto e =
      LoadResultsFile(std::string(CANVASS_DATA_DIR) + "/iowa-2020/precincts-certified-wide.csv");
  ASSERT_TRUE(e.ok());
  auto back = ParseResults(WriteResultsCsv(*e), "rt.csv");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->candidates, e->candidates);
  ASSERT_EQ(back->reports.size(), e->reports.size());
  for (size_t u = 0; u < e->reports.size(); ++u) {
    for (size_t c = 0; c < e->candidates.size(); ++c) {
      EXPECT_EQ(back->reports[u].figures[c].sde, e->reports[u].figures[c].sde);
      EXPECT_EQ(back->reports[u].figures[c].first, e->reports[u].figures[c].first);
    }
  }
  auto table = ParseApportionment(WriteApportionmentCsv(e->apportionment), "rt.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->size(), e->apportionment.size());
  for (size_t i = 0; i < table->size(); ++i) {
    EXPECT_EQ((*table)[i].sde_per_delegate, e->apportionment[i].sde_per_delegate);
    EXPECT_EQ((*table)[i].site_sde, e->apportionment[i].site_sde);
  }
}

}  // namespace
}  // namespace canvass
