// `canvass national` end to end: the 2020 delegates file and Iowa's SDEs give the party's national
// delegates, a published allocation that breaks the rules exits 1 naming the pool, and a malformed
// votes file exits 2 naming file, line and column.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"

namespace {

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;

const std::string kDelegates = std::string(CANVASS_DATA_DIR) + "/dnc-2020/delegates.csv";
const std::string kIowaVotes =
    std::string(CANVASS_TEST_CASES_DIR) + "/../delegates/data/iowa-2020-sde-votes.csv";

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string pattern = ::testing::TempDir() + "/canvass-national-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  const std::string path = std::string(made == nullptr ? ::testing::TempDir() : made) + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(NationalCliTest, IowaFromItsSdesAndTheMajorities) {
  CommandRun run =
      Canvass("national --delegates " + kDelegates + " --votes " + kIowaVotes + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["pledged"], 3979);
  EXPECT_EQ(j["allocated"], 41);
  EXPECT_EQ(j["remaining"], 3938);
  EXPECT_EQ(j["first_ballot"]["majority"], 1991);
  EXPECT_EQ(j["first_ballot"]["majority_floor_half_plus_one"], 1990);
  EXPECT_EQ(j["later_ballot"]["majority"], "2375.5");
  EXPECT_EQ(j["brokered"], false);
  std::map<std::string, int> won;
  for (const auto& s : j["standings"]) {
    won[s["candidate"].get<std::string>()] = s["won"].get<int>();
    EXPECT_EQ(s["status"], "open") << s.dump();
  }
  EXPECT_EQ(won["Buttigieg"], 14);
  EXPECT_EQ(won["Sanders"], 12);
  EXPECT_EQ(won["Warren"], 8);
  EXPECT_EQ(won["Biden"], 6);
  EXPECT_EQ(won["Klobuchar"], 1);
}

TEST(NationalCliTest, APublishedAllocationThatBreaksTheRulesExitsOneNamingThePool) {
  // The rules give CD04 (5 seats) Biden 1, Buttigieg 2, Klobuchar 1, Sanders 1.
  const std::string published = WriteTemp(
      "published.csv",
      "state,pool,candidate,delegates\n"
      "Iowa,CD04,Biden,1\nIowa,CD04,Buttigieg,3\nIowa,CD04,Klobuchar,0\nIowa,CD04,Sanders,1\n");
  CommandRun run = Canvass("national --delegates " + kDelegates + " --votes " + kIowaVotes +
                           " --published " + published);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("CD04"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("published.csv:2"), std::string::npos) << run.out;

  const std::string agrees = WriteTemp(
      "published.csv",
      "state,pool,candidate,delegates\n"
      "Iowa,CD04,Biden,1\nIowa,CD04,Buttigieg,2\nIowa,CD04,Klobuchar,1\nIowa,CD04,Sanders,1\n");
  CommandRun clean = Canvass("national --delegates " + kDelegates + " --votes " + kIowaVotes +
                             " --published " + agrees);
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
}

TEST(NationalCliTest, AnUnknownPoolIsRefusedWithFileLineAndColumn) {
  const std::string votes =
      WriteTemp("votes.csv", "state,pool,candidate,votes\nIowa,CD9,Biden,3\n");
  CommandRun run = Canvass("national --delegates " + kDelegates + " --votes " + votes);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("votes.csv:2:6: unknown pool \"CD9\" of Iowa"), std::string::npos)
      << run.out;
}

}  // namespace
