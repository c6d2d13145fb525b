// `canvass check --json` as written by PrecinctCheckJsonWriter is byte for byte the document the
// nlohmann::json trees give, over every precinct of both Iowa 2020 releases; and the binary does
// not load libpq until a PostgreSQL store is opened (docs/performance.md, "Caucus engine").
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "caucus/findings.h"
#include "caucus/json_output.h"
#include "cli/command.h"
#include "cli/election_input.h"
#include "rules/ruleset.h"
#include "test_data.h"

namespace canvass {
namespace {

using cli_test::Canvass;

// The document as RunCheck built it before the writer: one tree, dumped.
std::string TreeDocument(const Ruleset& ruleset, const Election& election,
                         const std::vector<PrecinctCheck>& checks) {
  nlohmann::json results = nlohmann::json::array();
  for (const PrecinctCheck& c : checks) {
    results.push_back(PrecinctCheckJson(c, election.candidates, ruleset.precinct.sde_places));
  }
  nlohmann::json j = {{"ruleset", RulesetRefJson(ruleset)},
                      {"precincts", checks.size()},
                      {"candidates", election.candidates},
                      {"results", std::move(results)}};
  return j.dump() + "\n";
}

class CheckJsonTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckJsonTest, TheCommandWritesWhatTheTreesWould) {
  const std::string results = kIowa + GetParam();
  auto ruleset = LoadRuleset("iowa-dem-2020");
  ASSERT_TRUE(ruleset.ok()) << ruleset.status().ToString();
  auto election = LoadElectionFiles(results, kIowa + "apportionment.csv",
                                    kIowa + "county-congressional-district.csv");
  ASSERT_TRUE(election.ok()) << election.status().ToString();
  const std::vector<PrecinctCheck> checks = CheckElection(*ruleset, *election);
  ASSERT_EQ(checks.size(), 1765u);

  // Precinct by precinct, so that a difference names its precinct.
  const PrecinctCheckJsonWriter writer(election->candidates, ruleset->precinct.sde_places);
  int with_ties = 0, with_findings = 0;
  for (const PrecinctCheck& c : checks) {
    std::string text;
    writer.Append(text, c);
    ASSERT_EQ(text, PrecinctCheckJson(c, election->candidates, ruleset->precinct.sde_places).dump())
        << c.county << " / " << c.precinct;
    with_ties += c.computed && (c.computed->pending_tie || !c.computed->resolved_ties.empty());
    with_findings += !c.findings.empty();
  }
  EXPECT_GT(with_ties, 0);
  EXPECT_GT(with_findings, 100);

  // The whole command's output.
  auto run = Canvass("check --json --rules iowa-dem-2020 --results " + results +
                     " --apportionment " + kIowa + "apportionment.csv --districts " + kIowa +
                     "county-congressional-district.csv");
  EXPECT_EQ(run.exit_code, 1);  // both releases have error findings
  EXPECT_TRUE(run.out == TreeDocument(*ruleset, *election, checks))
      << "the output differs from the tree's document (" << run.out.size() << " bytes)";
}

INSTANTIATE_TEST_SUITE_P(BothReleases, CheckJsonTest,
                         ::testing::Values("results-first-complete-2020-02-08-long.csv",
                                           "results-certified-2020-04-07-long.csv"));

TEST(StartupTest, LibpqIsNotLoadedAtProcessStart) {
  // The dynamic loader lists what it would load and exits (what ldd does).
  auto run = Canvass("--help");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  std::string cmd = "LD_TRACE_LOADED_OBJECTS=1 " + std::string(CANVASS_BINARY);
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string listed;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) listed.append(buf, n);
  pclose(pipe);
  EXPECT_NE(listed.find("libc.so"), std::string::npos) << listed;
  EXPECT_EQ(listed.find("libpq"), std::string::npos) << listed;
}

}  // namespace
}  // namespace canvass
