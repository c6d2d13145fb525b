// PrecinctCheckJsonWriter writes exactly the bytes of PrecinctCheckJson(...).dump(): keys in the
// tree's sorted order, the same escapes, the same numbers. (tests/cli/check_json_test.cc holds
// it to that over every precinct of both Iowa 2020 releases.)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "caucus/findings.h"
#include "caucus/json_output.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

const Ruleset& Iowa() {
  static const Ruleset r = LoadRuleset("iowa-dem-2020").value();
  return r;
}

std::string Written(const PrecinctCheck& check, const std::vector<std::string>& candidates,
                    int places) {
  std::string out;
  PrecinctCheckJsonWriter(candidates, places).Append(out, check);
  return out;
}

std::string Tree(const PrecinctCheck& check, const std::vector<std::string>& candidates,
                 int places) {
  return PrecinctCheckJson(check, candidates, places).dump();
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonWriterTest, StringsAreEscapedAsTheLibraryEscapesThem) {
  std::string every_ascii;
  for (int c = 1; c < 0x80; ++c) every_ascii += static_cast<char>(c);
  for (std::string s : {std::string(), std::string("plain"), std::string("a \"quoted\" \\ name"),
                        std::string("tab\there\nline\rreturn\bbell\ffeed"), std::string(1, '\0'),
                        std::string("\x01\x1f\x7f"), every_ascii, std::string("Chávez Ñ 日本"),
                        std::string("Mixed \"é\"\n")}) {
    EXPECT_EQ(JsonString(s), nlohmann::json(s).dump()) << s;
  }
  EXPECT_EQ(JsonString("\x01"), "\"\\u0001\"");
  EXPECT_EQ(JsonString("\x1f"), "\"\\u001f\"");
}

TEST(JsonWriterTest, InvalidUtf8FailsAsTheLibraryFails) {
  EXPECT_THROW(nlohmann::json(std::string("bad \xff byte")).dump(), nlohmann::json::type_error);
  EXPECT_THROW(JsonString("bad \xff byte"), nlohmann::json::type_error);
}

PrecinctReport Report(std::vector<Count> first, std::vector<Count> final) {
  PrecinctReport r;
  r.county = "Osceola \"North\"";
  r.precinct = "Ocheyedan\t1";
  r.source = {"results.csv", 7};
  r.figures.resize(first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    r.figures[i].first = first[i];
    r.figures[i].final = final[i];
  }
  return r;
}

PrecinctApportionment Apportioned(Count d) {
  PrecinctApportionment a;
  a.county = "Osceola \"North\"";
  a.precinct = "Ocheyedan\t1";
  a.delegates = d;
  a.sde_per_delegate = Rational(4, 51);
  return a;
}

TEST(JsonWriterTest, ChecksWithTiesFindingsAndUnsortedNamesMatchTheTree) {
  // Names out of order, so that the sorted key order of the tree matters.
  const std::vector<std::string> names = {"Warren", "Sanders", "Biden", "Ölander", "Buttigieg"};
  const int places = Iowa().precinct.sde_places;
  struct Case {
    std::vector<Count> first, final;
    Count d;
  };
  const std::vector<Case> cases = {
      {{100, 50, 50, 0, 0}, {100, 50, 50, 0, 0}, 6},  // a pending tie for the loss
      {{2, 1, 2, 0, 0}, {3, 0, 2, 0, 0}, 3},          // small precinct, a group below viability
      {{10, 20, 30, 5, 7}, {12, 20, 33, 0, 7}, 5},    // final exceeds attendance
      {{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, 2},          // nobody came
      {{40, 30, 20, 9, 1}, {45, 32, 23, 0, 0}, 4},
  };
  int computed = 0, ties = 0, findings = 0;
  for (const Case& c : cases) {
    PrecinctApportionment a = Apportioned(c.d);
    PrecinctCheck check = CheckPrecinct(Iowa(), names, Report(c.first, c.final), &a);
    computed += check.computed && check.computed->complete();
    ties +=
        check.computed && (check.computed->pending_tie || !check.computed->resolved_ties.empty());
    findings += static_cast<int>(check.findings.size());
    EXPECT_EQ(Written(check, names, places), Tree(check, names, places));
  }
  // The cases reach every part of the entry.
  EXPECT_GT(computed, 0);
  EXPECT_GT(ties, 0);
  EXPECT_GT(findings, 0);
  // Not computable at all: no "computed", no "total_delegates".
  PrecinctCheck unapportioned =
      CheckPrecinct(Iowa(), names, Report({1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}), nullptr);
  EXPECT_FALSE(unapportioned.computed);
  EXPECT_EQ(Written(unapportioned, names, places), Tree(unapportioned, names, places));
}

TEST(JsonWriterTest, RepeatedCandidateNamesKeepTheLastAsTheTreeDoes) {
  PrecinctCheck check;
  check.county = "C";
  check.precinct = "P";
  Allocation a;
  a.total_delegates = 3;
  a.delegates = {1, 2, 0};
  check.computed = a;
  check.computed_sde = {Rational(1, 3), Rational(2, 3)};  // shorter than the candidates
  const std::vector<std::string> names = {"Same", "Other", "Same"};
  ASSERT_TRUE(check.computed->complete());
  EXPECT_EQ(Written(check, names, 4), Tree(check, names, 4));
}

}  // namespace
}  // namespace canvass
