// `canvass rehearse --demo --audit`: after the real Iowa night the party starts the risk-limiting
// audit over the API, enters the seed and tallies precincts from the certified record; the audit's
// answer for Iowa 2020 is a full hand count, with its reason. The audit is then on the ledger,
// which verifies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"

namespace {

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;
using nlohmann::json;

TEST(RehearseAuditTest, TheIowaNightEndsInAFullHandCount) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("canvass-rehearse-audit-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string report = (dir / "report.json").string();
  CommandRun run = Canvass(
      "rehearse --demo --audit --audit-tallies 10 --audit-seed 20200203 "
      "--compress max --fast-kdf --faults none --dir " +
      dir.string() + " --json " + report);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("decision: full hand count ("), std::string::npos) << run.out;
  std::ifstream in(report);
  const json j = json::parse(in);
  const json& a = j["audit"];
  EXPECT_EQ(a["decision"], "full_hand_count");
  EXPECT_EQ(a["seed"], "20200203");
  EXPECT_EQ(a["first_round"], 0);  // nothing to sample: a full hand count from the start
  EXPECT_EQ(a["draws"], 0);
  // Ten precincts tried, each tallied or refused with its code.
  int64_t refused = 0;
  for (const auto& [code, n] : a["refusals"].items()) refused += n.get<int64_t>();
  EXPECT_EQ(a["tallied"].get<int64_t>() + refused, 10);
  EXPECT_GT(a["tallied"].get<int64_t>(), 0);
  // The reason names the precincts the night left without a bound.
  EXPECT_NE(a["reason"].get<std::string>().find("have no error bound"), std::string::npos) << a;

  const std::string store = (dir / "canvass.db").string();
  CommandRun status = Canvass("audit rla status --json --store " + store);
  ASSERT_EQ(status.exit_code, 0) << status.out;
  const json s = json::parse(status.out);
  EXPECT_EQ(s["decision"], "full_hand_count");
  EXPECT_EQ(s["tallies"].size(), a["tallied"].get<size_t>());
  EXPECT_FALSE(s["unbounded"].empty());
  CommandRun verified = Canvass("ledger verify --store " + store);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  std::filesystem::remove_all(dir);
}

TEST(RehearseAuditTest, OptionsThatGoTogether) {
  CommandRun seed_alone = Canvass("rehearse --demo --audit-seed 1 --dir /nonexistent/x");
  EXPECT_EQ(seed_alone.exit_code, 2) << seed_alone.out;
  EXPECT_NE(seed_alone.out.find("--audit-seed goes with --audit"), std::string::npos)
      << seed_alone.out;
}

}  // namespace
