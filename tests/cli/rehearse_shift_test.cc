// `canvass rehearse --inject-shift N`: three chairs of a simulated night report their figures one
// column off (Des Moines-55, 5 February 2020); the anomaly gate must hold each from every release
// until the chair corrects one and the administrator overrides the others. The report's account
// is checked against the ledger the night left, read apart from the rehearsal.
//
// Twelve candidates and manual publication: a simulated precinct is smaller than an Iowa one and
// its shares smoother, so a shift scores less; with twelve candidates the last ones have no
// supporters in more precincts (the figure a shift pushes off must be 0), and with manual
// publication no release comes between a precinct's two alignments, so the first alignment alone
// need not score above the threshold (docs/cli.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"

namespace {

namespace fs = std::filesystem;
using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;
using nlohmann::json;

class RehearseShiftTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("canvass-rehearse-shift-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

double Nats(const json& text) { return std::stod(text.get<std::string>()); }

TEST_F(RehearseShiftTest, EachShiftIsHeldUntilCorrectedOrOverridden) {
  const std::string report = (dir_ / "report.json").string();
  CommandRun run = Canvass(
      "rehearse --simulate 300 --candidates 12 --seed 7 --inject-shift 3 --compress max --fast-kdf "
      "--faults none --no-photos --publish manual --dir " +
      dir_.string() + " --json " + report);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("Injected column shifts: 3 asked, 3 reported shifted and accepted, 3 "
                         "held by the release after the night, 1 corrected, 2 overridden"),
            std::string::npos)
      << run.out;
  std::ifstream in(report);
  const json j = json::parse(in);
  ASSERT_TRUE(j["reconciliation"]["ok"].get<bool>()) << j["reconciliation"];
  const json& s = j["shift"];
  ASSERT_TRUE(s.is_object()) << j;
  EXPECT_TRUE(s["ok"].get<bool>()) << s["problems"];
  EXPECT_TRUE(s["problems"].empty()) << s["problems"];
  EXPECT_EQ(s["requested"], 3);
  EXPECT_EQ(s["injected"], 3);
  EXPECT_EQ(s["held"], 3);
  EXPECT_EQ(s["corrected"], 1);
  EXPECT_EQ(s["overridden"], 2);
  ASSERT_EQ(s["precincts"].size(), 3u);

  std::map<int64_t, std::string> resolution;  // precinct -> how it was resolved
  std::map<std::string, int> counties;
  for (const json& p : s["precincts"]) {
    const int64_t id = p["id"].get<int64_t>();
    resolution[id] = p["resolution"].get<std::string>();
    ++counties[p["county"].get<std::string>()];
    EXPECT_TRUE(p["accepted"].get<bool>()) << p;
    EXPECT_GT(Nats(p["score"]), Nats(p["threshold"])) << p;
    EXPECT_EQ(p["threshold"], "50 nats") << p;
    EXPECT_EQ(p["revision"], 1) << p;
    // Held from the release after it reported until it was resolved, never counted meanwhile,
    // and counted in a later release than every one that held it.
    ASSERT_FALSE(p["held_in"].empty()) << p;
    EXPECT_TRUE(p["counted_unresolved"].empty()) << p;
    EXPECT_GT(p["published_in"].get<int64_t>(), p["held_in"].back().get<int64_t>()) << p;
    EXPECT_GT(p["resolved_seq"].get<int64_t>(), 0) << p;
  }
  EXPECT_EQ(counties.size(), 3u);  // one per county: each is scored against true neighbours
  EXPECT_EQ(s["precincts"][0]["resolution"], "corrected");
  EXPECT_EQ(s["precincts"][1]["resolution"], "overridden");
  EXPECT_EQ(s["precincts"][2]["resolution"], "overridden");

  // The ledger, apart from the rehearsal's reading of it: it verifies; the overrides name the
  // precinct, the check and the reason; the correction is the chair's, after the report.
  const std::string store = (dir_ / "canvass.db").string();
  CommandRun verified = Canvass("ledger verify --store " + store);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  CommandRun exported = Canvass("ledger export --store " + store);
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  std::map<int64_t, int> overrides, corrections, shifted_finals;
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);) {
    const json e = json::parse(line, nullptr, false);
    if (!e.is_object() || !e.contains("payload")) continue;
    const json& payload = e["payload"];
    const std::string type = e.value("type", "");
    if (!payload.is_object() || !payload.contains("precinct")) continue;
    const int64_t id =
        payload["precinct"].is_number_integer() ? payload["precinct"].get<int64_t>() : 0;
    if (resolution.count(id) == 0) continue;
    if (type == "anomaly-override") {
      ++overrides[id];
      EXPECT_EQ(payload.value("check", ""), "column-shift") << line;
      EXPECT_EQ(payload.value("reason", ""), "the worksheet is the legal record") << line;
    } else if (type == "report-corrected") {
      ++corrections[id];
    } else if (type == "final-alignment-reported") {
      ++shifted_finals[id];
    }
  }
  for (const auto& [id, how] : resolution) {
    EXPECT_EQ(shifted_finals[id], 1) << id;
    EXPECT_EQ(overrides[id], how == "overridden" ? 1 : 0) << id;
    EXPECT_EQ(corrections[id], how == "corrected" ? 1 : 0) << id;
  }
}

TEST_F(RehearseShiftTest, MoreShiftsThanTheElectionCanCarryIsRefusedByName) {
  CommandRun run = Canvass(
      "rehearse --simulate 40 --seed 7 --inject-shift 1000 --compress max --fast-kdf --faults none "
      "--no-photos --dir " +
      dir_.string());
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("--inject-shift 1000: only "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("can carry a column shift the check must flag"), std::string::npos)
      << run.out;
}

}  // namespace
