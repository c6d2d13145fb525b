// `canvass audit rla start|seed|tally|status --store` on a rehearsed night, and `canvass ledger
// verify` finding a tally of a precinct the seed had not drawn (a ledger written around the API's
// check: the replay accepts the event, only the audit's math can refuse it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/rla_fixture.h"
#include "audit/rla_ledger.h"
#include "cli/command.h"

namespace canvass::publish_test {
namespace {

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;

class AuditRlaLedgerTest : public SimulatedLedgerTest {
 protected:
  void SetUp() override {
    SimulatedLedgerTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() /
           ("canvass-audit-rla-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(AuditRlaLedgerTest, ThePartyStartsSeedsAndTalliesOnAStore) {
  const std::string night = (dir_ / "night").string();
  CommandRun run = Canvass(
      "rehearse --simulate 12 --candidates 3 --compress max --fast-kdf --faults none --dir " +
      night);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string store = night + "/canvass.db";

  CommandRun none = Canvass("audit rla status --store " + store);
  EXPECT_EQ(none.exit_code, 2) << none.out;
  EXPECT_NE(none.out.find("no risk-limiting audit has been started"), std::string::npos)
      << none.out;
  CommandRun no_sample = Canvass("audit rla sample --store " + store);
  EXPECT_EQ(no_sample.exit_code, 2) << no_sample.out;
  CommandRun early = Canvass("audit rla seed --store " + store + " --seed 123");
  EXPECT_EQ(early.exit_code, 2) << early.out;
  EXPECT_NE(early.out.find("audit-not-started"), std::string::npos) << early.out;
  CommandRun bad = Canvass("audit rla start --store " + store + " --risk-limit 150");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find("bad-risk-limit"), std::string::npos) << bad.out;

  CommandRun start = Canvass("audit rla start --store " + store + " --risk-limit 10");
  ASSERT_EQ(start.exit_code, 0) << start.out;
  EXPECT_NE(start.out.find("(rla-started)"), std::string::npos) << start.out;
  CommandRun seed = Canvass("audit rla seed --store " + store + " --seed 31415926535897932384");
  ASSERT_EQ(seed.exit_code, 0) << seed.out;
  CommandRun again = Canvass("audit rla seed --store " + store + " --seed 2");
  EXPECT_EQ(again.exit_code, 2) << again.out;
  EXPECT_NE(again.out.find("seed-entered"), std::string::npos) << again.out;

  // Twelve precincts cannot be sampled around: a full hand count, said as the decision.
  CommandRun status = Canvass("audit rla status --store " + store);
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("risk limit 10%"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("Seed \"31415926535897932384\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("Decision: full hand count"), std::string::npos) << status.out;
  CommandRun sample = Canvass("audit rla sample --store " + store);
  ASSERT_EQ(sample.exit_code, 0) << sample.out;
  EXPECT_NE(sample.out.find("Full hand count: every precinct is counted"), std::string::npos)
      << sample.out;

  // Precinct 1's figures, from the ledger: the cards sorted as reported give its delegates.
  CommandRun exported = Canvass("ledger export --store " + store);
  ASSERT_EQ(exported.exit_code, 0);
  std::istringstream lines(exported.out);
  std::string line;
  json first, final;
  while (std::getline(lines, line)) {
    json e = json::parse(line, nullptr, false);
    if (!e.is_object() || e["payload"].value("precinct", 0) != 1) continue;
    if (e["type"] == "first-alignment-reported") first = e["payload"]["first"];
    if (e["type"] == "final-alignment-reported") final = e["payload"]["final"];
  }
  ASSERT_FALSE(first.is_null());
  auto list = [](const json& figures) {
    std::string out;
    for (const auto& [name, n] : figures.items()) {
      out += (out.empty() ? "" : ",") + name + "=" + std::to_string(n.get<int64_t>());
    }
    return "'" + out + "'";
  };
  CommandRun tally = Canvass("audit rla tally --store " + store + " --precinct 1 --first " +
                             list(first) + " --final " + list(final));
  ASSERT_EQ(tally.exit_code, 0) << tally.out;
  // `record` is the same command as `tally`.
  CommandRun twice = Canvass("audit rla record --store " + store +
                             " --precinct 1 --unauditable --custody 'packet not found'");
  EXPECT_EQ(twice.exit_code, 2) << twice.out;
  EXPECT_NE(twice.out.find("already-tallied"), std::string::npos) << twice.out;
  CommandRun json_status = Canvass("audit rla status --json --store " + store);
  ASSERT_EQ(json_status.exit_code, 0) << json_status.out;
  const json j = json::parse(json_status.out);
  ASSERT_EQ(j["tallies"].size(), 1u);
  EXPECT_EQ(j["tallies"][0]["first"], first);
  EXPECT_EQ(j["decision"], "full_hand_count");
  CommandRun verified = Canvass("ledger verify --store " + store);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

TEST_F(AuditRlaLedgerTest, VerifyRefusesATallyOfAPrecinctNotDrawn) {
  Report(0, election_.reports.size());
  l_.Add("rla-started", {{"risk_limit", "5"}});
  l_.Add("rla-seed", {{"seed", "31415926535897932384"}});
  auto audit = AuditOfLedger(l_.state);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_FALSE(audit->plan.full_hand_count());
  std::set<int64_t> drawn;
  for (const RlaDraw& d : audit->status->draws) {
    drawn.insert(audit->record->ids[audit->plan.batches[d.batch].report]);
  }
  int64_t outside = 1;
  while (drawn.count(outside) != 0) ++outside;
  const std::string path = (dir_ / "ledger.jsonl").string();
  std::ofstream(path) << l_.JsonLines();
  CommandRun clean = Canvass("ledger verify --file " + path);
  EXPECT_EQ(clean.exit_code, 0) << clean.out;

  // The state's replay alone accepts it: the sample is the audit's.
  l_.Add("rla-tally",
         {{"precinct", outside}, {"delegates", Figures(static_cast<size_t>(outside - 1), 2)}});
  std::ofstream(path, std::ios::trunc) << l_.JsonLines();
  CommandRun damaged = Canvass("ledger verify --file " + path);
  EXPECT_EQ(damaged.exit_code, 1) << damaged.out;
  EXPECT_NE(damaged.out.find(fmt::format("DAMAGED at event {}: audit:", l_.state.seq())),
            std::string::npos)
      << damaged.out;
  EXPECT_NE(damaged.out.find("is not in the sample"), std::string::npos) << damaged.out;
}

}  // namespace
}  // namespace canvass::publish_test
