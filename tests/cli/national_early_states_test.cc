// `canvass national` on data/dnc-2020's early states (Iowa's certified SDEs, New Hampshire's
// statewide primary vote) against the allocations published in 2020: every pool the votes file
// can check follows the rules, the pools it cannot check are said to be unchecked (not flagged),
// and a published pool changed to break the rules exits 1 naming the pool.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"

namespace {

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;

const std::string kDir = std::string(CANVASS_DATA_DIR) + "/dnc-2020";
const std::string kArgs = "national --rules dnc-2020 --delegates " + kDir +
                          "/delegates.csv --votes " + kDir + "/votes-early-states.csv";

using Seats = std::map<std::string, int>;

Seats SeatsOf(const nlohmann::json& object) {
  Seats out;
  for (const auto& [name, n] : object.items()) out[name] = n.get<int>();
  return out;
}

const nlohmann::json& StateOf(const nlohmann::json& j, const std::string& name) {
  for (const auto& s : j["states"]) {
    if (s["state"] == name) return s;
  }
  ADD_FAILURE() << "no state " << name;
  static const nlohmann::json none = nlohmann::json::object();
  return none;
}

const nlohmann::json& PoolOf(const nlohmann::json& state, const std::string& name) {
  for (const auto& p : state["pools"]) {
    if (p["pool"] == name) return p;
  }
  ADD_FAILURE() << "no pool " << name;
  static const nlohmann::json none = nlohmann::json::object();
  return none;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(NationalEarlyStatesTest, ReproducesThePublishedAllocationsItCanCheck) {
  CommandRun run = Canvass(kArgs + " --published " + kDir + "/published-early-states.csv --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_TRUE(j["findings"].empty()) << j["findings"].dump(2);

  // Iowa: 14/12/8/6/1, districts of 7, 7, 8 and 5.
  const nlohmann::json& ia = StateOf(j, "Iowa");
  EXPECT_EQ(ia["status"], "voted");
  EXPECT_EQ(
      SeatsOf(ia["won"]),
      (Seats{{"Buttigieg", 14}, {"Sanders", 12}, {"Warren", 8}, {"Biden", 6}, {"Klobuchar", 1}}));
  EXPECT_EQ(PoolOf(ia, "CD01")["seats"], 7);
  EXPECT_EQ(PoolOf(ia, "CD02")["seats"], 7);
  EXPECT_EQ(PoolOf(ia, "CD03")["seats"], 8);
  EXPECT_EQ(PoolOf(ia, "CD04")["seats"], 5);
  for (const char* pool : {"CD01", "CD02", "CD03", "CD04", "At-large", "PLEO"}) {
    EXPECT_EQ(PoolOf(ia, pool)["allocated"], PoolOf(ia, pool)["seats"]) << pool;
    EXPECT_EQ(PoolOf(ia, pool)["basis"], pool[0] == 'C' ? "own rows" : "statewide") << pool;
  }

  // New Hampshire: the statewide vote gives At-large 2/2/1 and PLEO 1/1/1. Its two districts
  // have no returns in the votes file: they are not allocated from the statewide vote (a
  // district pool is its district's vote), and their published 3/3/2 is unchecked.
  const nlohmann::json& nh = StateOf(j, "New Hampshire");
  EXPECT_EQ(SeatsOf(PoolOf(nh, "At-large")["allocation"]),
            (Seats{{"Sanders", 2}, {"Buttigieg", 2}, {"Klobuchar", 1}}));
  EXPECT_EQ(SeatsOf(PoolOf(nh, "PLEO")["allocation"]),
            (Seats{{"Sanders", 1}, {"Buttigieg", 1}, {"Klobuchar", 1}}));
  for (const char* pool : {"CD01", "CD02"}) {
    EXPECT_EQ(PoolOf(nh, pool)["seats"], 8) << pool;
    EXPECT_EQ(PoolOf(nh, pool)["allocated"], 0) << pool;
    EXPECT_EQ(PoolOf(nh, pool)["basis"], "") << pool;
  }
  // The statewide pools computed here plus the published districts are the published
  // 9/9/6.
  Seats nh_total = SeatsOf(nh["won"]);
  std::map<std::string, std::string> unchecked;
  for (const auto& u : j["unchecked"]) {
    EXPECT_EQ(u["code"], "published-unchecked");
    const std::string where = u["state"].get<std::string>() + " " + u["pool"].get<std::string>();
    unchecked[where] = u["message"];
    if (u["state"] == "New Hampshire") {
      for (const auto& [name, n] : SeatsOf(u["published"])) nh_total[name] += n;
    }
  }
  EXPECT_EQ(nh_total, (Seats{{"Sanders", 9}, {"Buttigieg", 9}, {"Klobuchar", 6}}));
  // Nevada's county convention delegates and South Carolina's primary vote are not in the
  // votes file: every district they published is unchecked, none flagged.
  EXPECT_EQ(unchecked.size(), 2u + 4u + 7u);
  EXPECT_NE(unchecked["Nevada CD03"].find("published-early-states.csv:35: Nevada CD03"),
            std::string::npos)
      << unchecked["Nevada CD03"];
  EXPECT_EQ(j["pledged"], 3979);
  EXPECT_EQ(j["allocated"], 41 + 8);
  EXPECT_EQ(j["first_ballot"]["majority"], 1991);
  EXPECT_EQ(j["brokered"], false);
}

TEST(NationalEarlyStatesTest, AChangedPublishedPoolIsFlaggedByName) {
  // The published file with Iowa's PLEO changed: Warren's seat given to Sanders.
  std::string text = Read(kDir + "/published-early-states.csv");
  const std::string from = "Iowa,PLEO,Sanders,1\nIowa,PLEO,Warren,1\n";
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "Iowa,PLEO,Sanders,2\n");
  std::string pattern = ::testing::TempDir() + "/canvass-early-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::string path = pattern + "/published.csv";
  std::ofstream(path, std::ios::binary) << text;

  CommandRun run = Canvass(kArgs + " --published " + path);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("published-differs: " + path +
                         ":21: Iowa PLEO: published Biden 1, Buttigieg 2, Sanders 2; the rules "
                         "give Biden 1, Buttigieg 2, Sanders 1, Warren 1"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("published-differs: " + path + ":1:"), std::string::npos);
}

}  // namespace
