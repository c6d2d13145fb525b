// `canvass districts analyze` and `canvass convention count` end to end: the spec's PACK map and
// a D'Hondt slate count as text and JSON, and every refusal (a plan whose seats do not add up, an
// unknown sub-pool, a malformed row, ballots of the wrong shape, a tie no lot settles) with the
// file, line and column and its exit code.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"

namespace {

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;

std::string Dir() {
  static const std::string dir = [] {
    std::string pattern = ::testing::TempDir() + "/canvass-convention-XXXXXX";
    char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    return std::string(made == nullptr ? ::testing::TempDir() : made);
  }();
  return dir;
}

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = Dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The PACK map of delegates.md §3.3: blocks 0-4 elect 2, blocks 5-9 elect 3.
std::string PackVotes() {
  const int x[10] = {920, 800, 700, 600, 330, 250, 200, 100, 50, 50};
  std::string csv = "pool,unit,candidate,votes\n";
  for (int b = 0; b < 10; ++b) {
    const std::string pool = b < 5 ? "North" : "South";
    csv += pool + ",block" + std::to_string(b) + ",X," + std::to_string(x[b]) + "\n";
    csv += pool + ",block" + std::to_string(b) + ",Y," + std::to_string(1000 - x[b]) + "\n";
  }
  return csv;
}

const char* kPlan = "district,pool,seats\nCD9,,5\nCD9,North,2\nCD9,South,3\n";

TEST(ConventionCliTest, DistrictsAnalyzeThePackMap) {
  const std::string plan = Write("plan.csv", kPlan);
  const std::string votes = Write("votes.csv", PackVotes());
  CommandRun text = Canvass("districts analyze --plan " + plan + " --votes " + votes);
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("Gallagher: plan 0.2000 (square 1/25)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("EG* +0.2333"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("warning: seats per voter differ by 1.50 to 1"), std::string::npos);

  CommandRun run = Canvass("districts analyze --plan " + plan + " --votes " + votes + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["district"], "CD9");
  EXPECT_EQ(j["candidates"][0]["candidate"], "X");
  EXPECT_EQ(j["candidates"][0]["plan_seats"], 1);
  EXPECT_EQ(j["candidates"][0]["one_pool_seats"], 2);
  EXPECT_EQ(j["candidates"][0]["map_effect"], -1);
  EXPECT_EQ(j["eg_star"]["exact"], "7/30");
  EXPECT_EQ(j["eg_delta"]["exact"], "5/24");
  EXPECT_EQ(j["plan"]["gallagher_square"], "1/25");
  EXPECT_EQ(j["warnings"].size(), 2u);

  // A ratio of 3/2 allows the PACK map's seat prices.
  CommandRun loose =
      Canvass("districts analyze --plan " + plan + " --votes " + votes + " --ratio 1.5 --json");
  ASSERT_EQ(loose.exit_code, 0) << loose.out;
  EXPECT_EQ(nlohmann::json::parse(loose.out)["warnings"].size(), 1u);
}

TEST(ConventionCliTest, DistrictsAnalyzeRefusesBadPlansAndVotes) {
  const std::string votes = Write("votes.csv", PackVotes());
  const std::string short_plan =
      Write("short.csv", "district,pool,seats\nCD9,,5\nCD9,North,2\nCD9,South,2\n");
  CommandRun run = Canvass("districts analyze --plan " + short_plan + " --votes " + votes);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("short.csv:2:6: the sub-pools' seats add up to 4 (lines 3-4), but "
                         "district CD9 has 5"),
            std::string::npos)
      << run.out;

  const std::string plan = Write("plan.csv", kPlan);
  const std::string unknown =
      Write("unknown.csv", "pool,unit,candidate,votes\nNorth,b1,X,10\nEast,b2,X,5\n");
  run = Canvass("districts analyze --plan " + plan + " --votes " + unknown);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("unknown.csv:3:1: unknown sub-pool \"East\": the plan's are North, South"),
            std::string::npos)
      << run.out;

  const std::string malformed =
      Write("malformed.csv", "pool,unit,candidate,votes\nNorth,b1,X,ten\n");
  run = Canvass("districts analyze --plan " + plan + " --votes " + malformed);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("malformed.csv:2:12: column \"votes\""), std::string::npos) << run.out;

  const std::string twice =
      Write("twice.csv", "pool,unit,candidate,votes\nNorth,b1,X,1\nSouth,b1,Y,2\n");
  run = Canvass("districts analyze --plan " + plan + " --votes " + twice);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("twice.csv:3:1: unit \"b1\" is in sub-pool North on line 2"),
            std::string::npos)
      << run.out;

  // A remainder tie with no lots drawn: the analysis cannot be made (exit 1); with them it is.
  const std::string one = Write("one.csv", "district,pool,seats\nD,,1\nD,A,1\n");
  const std::string even = Write("even.csv", "pool,unit,candidate,votes\nA,u,X,5\nA,u,Y,5\n");
  run = Canvass("districts analyze --plan " + one + " --votes " + even);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("X, Y tie on their remainders"), std::string::npos) << run.out;
  run = Canvass("districts analyze --plan " + one + " --votes " + even + " --lots Y,X");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  run = Canvass("districts analyze --plan " + one + " --votes " + even + " --lots Z");
  EXPECT_EQ(run.exit_code, 2) << run.out;
}

TEST(ConventionCliTest, ConventionCountSlatesWithEqualDivision) {
  const std::string tallies = Write("tallies.csv", "option,votes\nA,60\nB,40\n");
  const std::string nominees = Write("nominees.csv",
                                     "list,name,gender\nA,a1,man\nA,a2,man\nA,a3,man\nA,a4,woman\n"
                                     "B,b1,man\nB,b2,woman\n");
  CommandRun run = Canvass("convention count --formula dhondt --seats 5 --ballots " + tallies +
                           " --nominees " + nominees + " --equal-division --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["formula"], "dhondt");
  EXPECT_EQ(j["sweep"], "with 5 seats, a slate above 83.3% takes all 5");
  EXPECT_EQ(j["options"][0]["seats"], 3);
  EXPECT_EQ(j["options"][1]["seats"], 2);
  EXPECT_EQ(j["equal_division"]["balanced"], true);
  EXPECT_EQ(j["equal_division"]["swaps"][0], "a4 (woman) in for a3 (man) on A");
  EXPECT_EQ(j["dnc_hare_15"][0]["seats"], 3);

  CommandRun text = Canvass("convention count --formula hare --seats 5 --ballots " + tallies);
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("with 5 seats, a slate above 90.0% takes all 5"), std::string::npos)
      << text.out;
}

TEST(ConventionCliTest, ConventionCountStv) {
  const std::string ballots =
      Write("ranked.csv", "count,ranking\n40,A>B\n15,B>C\n20,C\n12,D>C\n13,E>D\n");
  CommandRun run = Canvass("convention count --formula stv --seats 3 --ballots " + ballots +
                           " --lots B,A --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["elected"], "A, B, C");
  EXPECT_EQ(j["quota"], "25");
  EXPECT_EQ(j["stages"][2]["values"]["C"], "22.49999");
  EXPECT_EQ(j["stages"][2]["exhausted"], "2.5");
}

TEST(ConventionCliTest, ConventionCountRefusals) {
  const std::string tallies = Write("tallies.csv", "option,votes\nA,50\nB,50\n");
  const std::string ranked = Write("ranked.csv", "count,ranking\n3,A>B\n");
  CommandRun run = Canvass("convention count --formula stv --seats 1 --ballots " + tallies);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("--formula stv counts ranked ballots"), std::string::npos) << run.out;
  run = Canvass("convention count --formula dhondt --seats 1 --ballots " + ranked);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  run = Canvass("convention count --formula plurality --seats 1 --ballots " + tallies);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("unknown seat formula \"plurality\""), std::string::npos) << run.out;

  const std::string twice = Write("twice.csv", "count,ranking\n3,A>B>A\n");
  run = Canvass("convention count --formula stv --seats 1 --ballots " + twice);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("twice.csv:2:3: column \"ranking\": A is ranked twice"), std::string::npos)
      << run.out;

  const std::string bad = Write("bad.csv", "option,votes\nA,-3\n");
  run = Canvass("convention count --formula dhondt --seats 1 --ballots " + bad);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("bad.csv:2:3: column \"votes\""), std::string::npos) << run.out;

  const std::string nominees = Write("nominees.csv", "list,name,gender\nC,c1,woman\n");
  run = Canvass("convention count --formula dhondt --seats 2 --ballots " + tallies +
                " --nominees " + nominees);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("nominees.csv:2:1: list \"C\" has no tally"), std::string::npos)
      << run.out;
  const std::string gender = Write("gender.csv", "list,name,gender\nA,a1,unknown\n");
  run = Canvass("convention count --formula dhondt --seats 2 --ballots " + tallies +
                " --nominees " + gender);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("gender.csv:2:6: unknown gender"), std::string::npos) << run.out;

  // 50/50 for one seat: a tie the lots must settle (exit 1), then settled.
  run = Canvass("convention count --formula dhondt --seats 1 --ballots " + tallies);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("recorded lots"), std::string::npos) << run.out;
  run = Canvass("convention count --formula dhondt --seats 1 --ballots " + tallies +
                " --lots B,A --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(nlohmann::json::parse(run.out)["options"][1]["seats"], 1);
}

}  // namespace
