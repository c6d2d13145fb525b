// `canvass audit rla` end to end: the certified Iowa record goes to a full hand count; a simulated
// election audited with its own reported SDEs is confirmed in the first round; refused input
// exits 2 naming the line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "test_data.h"

namespace {

using canvass::kIowa;
using canvass::cli_test::Canvass;

const std::string kIowaFiles = "--results " + kIowa + "results-certified-2020-04-07-long.csv" +
                               " --apportionment " + kIowa + "apportionment.csv" + " --districts " +
                               kIowa + "county-congressional-district.csv";

TEST(AuditRlaCliTest, IowaNeedsAFullHandCount) {
  auto run = Canvass("audit rla --json --seed 314159 " + kIowaFiles);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["precincts"], 1765);
  EXPECT_EQ(doc["risk_limit"], "0.05");
  EXPECT_EQ(doc["assertions"][0]["assertion"], "PLEO: Buttigieg 2 against Sanders 1");
  EXPECT_EQ(doc["first_round"]["full_hand_count"], true);
  EXPECT_EQ(doc["decision"], "full_hand_count");
  EXPECT_EQ(doc["bounds"].size(), 1765u);

  auto text = Canvass("audit rla --risk-limit 10 " + kIowaFiles);
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("First round at 10%: full hand count"), std::string::npos) << text.out;
}

TEST(AuditRlaCliTest, RefusesARiskLimitOutOfRange) {
  auto run = Canvass("audit rla --risk-limit 0 " + kIowaFiles);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("--risk-limit 0: a percentage above 0 and below 100"), std::string::npos)
      << run.out;
  auto no_seed = Canvass("audit rla --tallies x.csv " + kIowaFiles);
  EXPECT_EQ(no_seed.exit_code, 2);
  EXPECT_NE(no_seed.out.find("--tallies needs --seed"), std::string::npos) << no_seed.out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AuditRlaCliTest, SimulatedElectionConfirmsWithItsOwnFigures) {
  char dir_template[] = "/tmp/canvass-rla-XXXXXX";
  const char* dir_made = mkdtemp(dir_template);
  ASSERT_NE(dir_made, nullptr);
  const std::string dir = dir_made;
  auto sim = Canvass(
      "simulate --precincts 3000 --candidates 2 --counties 40 --seed 7 --results-out " + dir +
      "/r.csv --apportionment-out " + dir + "/a.csv --districts-out " + dir + "/d.csv");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  const std::string files =
      "--results " + dir + "/r.csv --apportionment " + dir + "/a.csv --districts " + dir + "/d.csv";
  auto plan = Canvass("audit rla --json --seed 20200203 " + files);
  ASSERT_EQ(plan.exit_code, 0) << plan.out;
  auto doc = nlohmann::json::parse(plan.out);
  ASSERT_EQ(doc["first_round"]["full_hand_count"], false);
  const int64_t predicted = doc["first_round"]["draws"];
  EXPECT_LT(predicted, 3000);
  EXPECT_EQ(doc["decision"], "awaiting_tallies");
  std::set<std::pair<std::string, std::string>> drawn;
  for (const auto& d : doc["draws"]) drawn.emplace(d["county"], d["precinct"]);

  // The tallies: each drawn precinct's reported SDEs (results columns
  // county,precinct,candidate,first,final,delegates,sde).
  std::istringstream results(ReadAll(dir + "/r.csv"));
  std::string line;
  std::getline(results, line);
  std::string tallies = "county,precinct,candidate,figure,value\n";
  while (std::getline(results, line)) {
    std::vector<std::string> f;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) f.push_back(cell);
    while (f.size() < 7) f.push_back("");
    if (!drawn.count({f[0], f[1]})) continue;
    tallies += f[0] + "," + f[1] + "," + f[2] + ",sde," + (f[6].empty() ? "0" : f[6]) + "\n";
  }
  std::ofstream(dir + "/tallies.csv") << tallies;
  auto audited =
      Canvass("audit rla --json --seed 20200203 --tallies " + dir + "/tallies.csv " + files);
  ASSERT_EQ(audited.exit_code, 0) << audited.out;
  auto result = nlohmann::json::parse(audited.out);
  EXPECT_EQ(result["decision"], "confirmed");
  EXPECT_EQ(result["draws"].size(), static_cast<size_t>(predicted));
  EXPECT_LE(result["p_value"].get<double>(), 0.05);
  auto text = Canvass("audit rla --seed 20200203 --tallies " + dir + "/tallies.csv " + files);
  EXPECT_NE(text.out.find("Decision: confirmed."), std::string::npos) << text.out;

  // A second row for the same candidate is refused by its line, and nothing is decided.
  const size_t first_row_end = tallies.find('\n', tallies.find('\n') + 1);
  const std::string doubled =
      tallies.substr(0, first_row_end + 1) + tallies.substr(tallies.find('\n') + 1);
  std::ofstream(dir + "/bad.csv") << doubled;
  auto bad = Canvass("audit rla --seed 20200203 --tallies " + dir + "/bad.csv " + files);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("bad.csv:3:"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("is given twice"), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find("Decision"), std::string::npos);
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

}  // namespace
