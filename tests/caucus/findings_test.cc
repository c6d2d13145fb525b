// Findings on hand-made reports, and the checks that need more than one precinct.
#include "caucus/findings.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "rules/ruleset.h"

namespace canvass {
namespace {

const Ruleset& IowaRules() {
  static const Ruleset r = LoadRuleset("iowa-dem-2020").value();
  return r;
}

PrecinctReport Report(const std::string& precinct, std::vector<Count> first,
                      std::vector<Count> final, std::vector<std::string> sde = {}) {
  PrecinctReport r;
  r.county = "Osceola";
  r.precinct = precinct;
  r.source = {"results.csv", 7};
  r.figures.resize(first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    r.figures[i].first = first[i];
    r.figures[i].final = final[i];
    if (!sde.empty()) r.figures[i].sde = Rational::Parse(sde[i]).value();
  }
  return r;
}

PrecinctApportionment Apportioned(const std::string& precinct, Count d, Rational ratio) {
  PrecinctApportionment a;
  a.county = "Osceola";
  a.precinct = precinct;
  a.delegates = d;
  a.sde_per_delegate = ratio;
  return a;
}

std::vector<std::string> Codes(const PrecinctCheck& c) {
  std::vector<std::string> out;
  for (const Finding& f : c.findings) out.push_back(f.code);
  return out;
}

bool Has(const PrecinctCheck& c, const std::string& code) {
  auto codes = Codes(c);
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

const Finding* Get(const PrecinctCheck& c, const std::string& code) {
  for (const Finding& f : c.findings) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

const std::vector<std::string> kThree = {"Buttigieg", "Klobuchar", "Sanders"};

TEST(SeverityName, NamesEachSeverity) {
  EXPECT_STREQ(SeverityName(Severity::kError), "error");
  EXPECT_STREQ(SeverityName(Severity::kWarning), "warning");
  EXPECT_STREQ(SeverityName(Severity::kInfo), "info");
}

TEST(CheckPrecinct, OcheyedanKeepsReportedAndComputedApart) {
  PrecinctReport report = Report("Ocheyedan", {3, 1, 1}, {3, 1, 1}, {"0.2", "0.1", "0"});
  PrecinctApportionment ap = Apportioned("Ocheyedan", 3, Rational(1, 10));
  PrecinctCheck check = CheckPrecinct(IowaRules(), kThree, report, &ap);
  EXPECT_TRUE(check.has_error());
  ASSERT_TRUE(check.computed.has_value());
  EXPECT_EQ(check.computed->delegates, (std::vector<Count>{1, 1, 1}));
  ASSERT_EQ(check.computed_sde.size(), 3u);
  for (const Rational& s : check.computed_sde) EXPECT_EQ(s, Rational(1, 10));
  // The report itself is untouched: still 2-1-0.
  EXPECT_EQ(*report.figures[0].sde, Rational(2, 10));
  const Finding* differs = Get(check, "allocation-differs");
  ASSERT_NE(differs, nullptr);
  EXPECT_EQ(differs->severity, Severity::kError);
  EXPECT_EQ(differs->candidates, (std::vector<std::string>{"Buttigieg", "Sanders"}));
  EXPECT_NE(differs->message.find("Sanders 0"), std::string::npos) << differs->message;
  const Finding* without = Get(check, "viable-group-without-delegate");
  ASSERT_NE(without, nullptr);
  EXPECT_EQ(without->candidates, std::vector<std::string>{"Sanders"});
  EXPECT_EQ(check.county, "Osceola");
  EXPECT_EQ(check.precinct, "Ocheyedan");
}

TEST(CheckPrecinct, NotesOnlyWhenAsked) {
  PrecinctReport report = Report("Ocheyedan", {3, 1, 1}, {3, 1, 1}, {"0.1", "0.1", "0.1"});
  PrecinctApportionment ap = Apportioned("Ocheyedan", 3, Rational(1, 10));
  PrecinctCheck quiet = CheckPrecinct(IowaRules(), kThree, report, &ap);
  ASSERT_TRUE(quiet.computed.has_value());
  EXPECT_TRUE(quiet.computed->notes.empty());
  EXPECT_TRUE(quiet.findings.empty()) << Codes(quiet).front();
  PrecinctCheck loud = CheckPrecinct(IowaRules(), kThree, report, &ap, /*explain=*/true);
  ASSERT_TRUE(loud.computed.has_value());
  EXPECT_FALSE(loud.computed->notes.empty());
  bool named = false;
  for (const auto& line : loud.computed->lines) {
    for (const auto& note : line.notes)
      named = named || note.find("only delegate") != std::string::npos;
  }
  EXPECT_TRUE(named);
}

TEST(CheckPrecinct, WrongNumberOfFiguresIsMalformed) {
  PrecinctReport report = Report("X", {3, 1}, {3, 1});
  PrecinctApportionment ap = Apportioned("X", 3, Rational(1, 10));
  PrecinctCheck check = CheckPrecinct(IowaRules(), kThree, report, &ap);
  EXPECT_EQ(Codes(check), std::vector<std::string>{"malformed-report"});
  EXPECT_FALSE(check.computed.has_value());
}

TEST(CheckPrecinct, StrawPollGetsOnlySanityChecks) {
  Ruleset gop = LoadRuleset("iowa-gop-2020").value();
  ASSERT_EQ(gop.precinct.method, PrecinctMethod::kStrawPoll);
  PrecinctReport report = Report("X", {30, 2, 0}, {0, 0, 40});  // finals would be absurd
  PrecinctCheck check = CheckPrecinct(gop, kThree, report, nullptr);
  EXPECT_TRUE(check.findings.empty()) << Codes(check).front();
  EXPECT_FALSE(check.computed.has_value());
  report.figures[1].first = -2;
  check = CheckPrecinct(gop, kThree, report, nullptr);
  EXPECT_EQ(Codes(check), std::vector<std::string>{"count-out-of-range"});
}

TEST(CheckPrecinct, DelegatesDerivedFromSdesAtTheReportingPrecision) {
  // Adair: 4/51 SDEs per delegate was published as 0.078431; 2 delegates show as 0.1569.
  PrecinctReport report = Report("Adair 1", {10, 10}, {10, 10}, {"0.1569", "0.1569"});
  PrecinctApportionment ap = Apportioned("Adair 1", 4, Rational::Parse("0.078431").value());
  PrecinctCheck check = CheckPrecinct(IowaRules(), {"A", "B"}, report, &ap);
  EXPECT_TRUE(check.findings.empty()) << Codes(check).front();
  report.figures[0].sde = Rational::Parse("0.1568").value();
  check = CheckPrecinct(IowaRules(), {"A", "B"}, report, &ap);
  EXPECT_TRUE(Has(check, "sde-not-whole-delegates"));
}

TEST(CheckElection, DuplicatedRecordsNameEachOther) {
  Election e;
  e.candidates = {"A", "B"};
  e.apportionment = {Apportioned("P1", 4, Rational(1, 10)), Apportioned("P2", 4, Rational(1, 10))};
  e.reports = {Report("P1", {60, 40}, {60, 40}, {"0.2", "0.2"}),
               Report("P1", {60, 40}, {60, 40}, {"0.2", "0.2"}),
               Report("P2", {60, 40}, {60, 40}, {"0.2", "0.2"})};
  e.reports[1].source.line = 9;
  std::vector<PrecinctCheck> checks = CheckElection(IowaRules(), e);
  ASSERT_EQ(checks.size(), 3u);
  const Finding* first = Get(checks[0], "duplicate-precinct-record");
  const Finding* second = Get(checks[1], "duplicate-precinct-record");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->severity, Severity::kWarning);
  EXPECT_NE(first->message.find("results.csv:9"), std::string::npos) << first->message;
  EXPECT_NE(second->message.find("results.csv:7"), std::string::npos) << second->message;
  // P2 has the very same figures as P1, under another name.
  EXPECT_TRUE(Has(checks[2], "identical-precinct-figures"));
  EXPECT_TRUE(Has(checks[0], "identical-precinct-figures"));
  EXPECT_FALSE(Has(checks[1], "identical-precinct-figures"));
}

TEST(CheckElection, ConflictingRecordsAreAnError) {
  Election e;
  e.candidates = {"A", "B"};
  e.apportionment = {Apportioned("P1", 4, Rational(1, 10))};
  e.reports = {Report("P1", {60, 40}, {60, 40}), Report("P1", {61, 39}, {61, 39})};
  std::vector<PrecinctCheck> checks = CheckElection(IowaRules(), e);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_TRUE(Has(checks[0], "conflicting-precinct-records"));
  EXPECT_TRUE(checks[1].has_error());
}

TEST(CheckElection, SmallCoincidencesAreNotDuplicates) {
  Election e;
  e.candidates = {"A", "B"};
  e.apportionment = {Apportioned("P1", 2, Rational(1, 10)), Apportioned("P2", 2, Rational(1, 10))};
  e.reports = {Report("P1", {3, 2}, {3, 2}), Report("P2", {3, 2}, {3, 2})};
  std::vector<PrecinctCheck> checks = CheckElection(IowaRules(), e);
  EXPECT_FALSE(Has(checks[0], "identical-precinct-figures"));
  EXPECT_FALSE(Has(checks[1], "identical-precinct-figures"));
}

TEST(CheckElection, UnknownPrecinctAndUnreportedPrecinct) {
  Election e;
  e.candidates = {"A", "B"};
  e.apportionment = {Apportioned("P1", 4, Rational(1, 10)), Apportioned("P9", 6, Rational(1, 10))};
  e.reports = {Report("P1", {60, 40}, {60, 40}), Report("P2", {50, 50}, {50, 50})};
  std::vector<PrecinctCheck> checks = CheckElection(IowaRules(), e);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_FALSE(Has(checks[0], "precinct-not-apportioned"));
  EXPECT_TRUE(Has(checks[1], "precinct-not-apportioned"));
  std::vector<PrecinctCheck> missing = CheckUnreportedPrecincts(e);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].precinct, "P9");
  ASSERT_EQ(Codes(missing[0]), std::vector<std::string>{"precinct-not-reported"});
  EXPECT_EQ(missing[0].findings[0].severity, Severity::kWarning);
  EXPECT_FALSE(missing[0].computed.has_value());
}

TEST(CheckElection, ResultsAreInReportOrder) {
  Election e;
  e.candidates = {"A", "B"};
  for (int i = 0; i < 5; ++i) {
    std::string name = "P" + std::to_string(i);
    e.apportionment.push_back(Apportioned(name, 4, Rational(1, 10)));
    e.reports.push_back(Report(name, {60 + i, 40}, {60 + i, 40}));
  }
  std::reverse(e.reports.begin(), e.reports.end());
  std::vector<PrecinctCheck> checks = CheckElection(IowaRules(), e);
  ASSERT_EQ(checks.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(checks[i].precinct, e.reports[i].precinct);
}

}  // namespace
}  // namespace canvass
