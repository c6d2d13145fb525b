// `canvass rehearse` end to end: the binary sets up an election, starts its server, drives the
// night with every kind of fault, and reconciles; and the same against a server started apart.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli/command.h"
#include "rehearse/server_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;
using canvass::cli_test::Slurp;

class RehearseTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("canvass-rehearse-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  json ReadReport(const std::string& path) {
    json j = json::parse(Slurp(path), nullptr, false);
    EXPECT_TRUE(j.is_object()) << path;
    return j;
  }

  fs::path dir_;
};

int64_t Sum(const json& counts, const std::string& prefix) {
  int64_t n = 0;
  for (const auto& [k, v] : counts.items()) {
    if (k.rfind(prefix, 0) == 0) n += v.get<int64_t>();
  }
  return n;
}

constexpr const char* kEveryFault =
    "--faults wrong-code=0.2,typo=0.2,lost-answer=0.2,dropped=0.2,double-tap=0.2,hotline=0.15,"
    "mishear=0.5,correction=0.2";

TEST_F(RehearseTest, SimulatedNightWithEveryFaultReconcilesExactly) {
  const std::string night = (dir_ / "night").string();
  const std::string report = (dir_ / "report.json").string();
  CommandRun run = Canvass(
      "rehearse --simulate 150 --candidates 6 --seed 7 --compress max "
      "--fast-kdf --publish interval:1 --dir " +
      night + " --json " + report + " " + kEveryFault);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("RESULT: OK"), std::string::npos) << run.out;
  json r = ReadReport(report);
  EXPECT_TRUE(r["ok"].get<bool>());
  EXPECT_EQ(r["driven"], 150);
  EXPECT_EQ(r["submissions_lost"], 0);
  EXPECT_EQ(r["wrong_codes_admitted"], 0);
  const json& faults = r["faults"];
  const json& outcomes = r["fault_outcomes"];
  // Every planned mistake happened and came out as it must.
  for (const char* f : {"wrong-code", "typo", "lost-answer", "dropped-connection", "double-tap",
                        "hotline", "hotline-mishear", "late-correction"}) {
    EXPECT_GT(faults.value(f, 0), 0) << f;
  }
  EXPECT_EQ(Sum(outcomes, "wrong code refused (401 wrong-code)"), faults["wrong-code"]);
  EXPECT_EQ(Sum(outcomes, "typo refused (422 final-exceeds-attendance)"), faults["typo"]);
  EXPECT_EQ(Sum(outcomes, "double tap: 200 with the first receipt"), faults["double-tap"]);
  EXPECT_EQ(Sum(outcomes, "hotline: misheard figure answered \"mismatch\""),
            2 * faults["hotline-mishear"].get<int64_t>());  // first and final
  EXPECT_EQ(Sum(outcomes, "answer lost, sent again: 20"), faults["lost-answer"]);
  EXPECT_EQ(Sum(outcomes, "connection dropped mid-body, sent again: 201"),
            faults["dropped-connection"]);
  EXPECT_GT(Sum(outcomes, "late correction: 201"), 0);
  EXPECT_EQ(Sum(outcomes, "typo ACCEPTED"), 0);
  const json& rec = r["reconciliation"];
  EXPECT_TRUE(rec["ok"].get<bool>()) << rec.dump(2);
  EXPECT_EQ(rec["matched"], 150);
  EXPECT_EQ(rec["differing"], 0);
  EXPECT_EQ(rec["acks_missing"], 0);
  EXPECT_EQ(rec["written_twice"], 0);
  EXPECT_TRUE(rec["chain_ok"].get<bool>());
  EXPECT_GT(r["seconds_to_published"].get<double>(), 0);

  // The election it left verifies on its own.
  CommandRun verify = Canvass("ledger verify --store " + night + "/canvass.db");
  EXPECT_EQ(verify.exit_code, 0) << verify.out;

  // A second rehearsal replaces the directory it made.
  CommandRun again = Canvass(
      "rehearse --simulate 20 --compress max --fast-kdf --faults none "
      "--publish interval:1 --dir " +
      night);
  EXPECT_EQ(again.exit_code, 0) << again.out;
}

TEST_F(RehearseTest, TheIowaDemoReplaysEveryRealReport) {
  const std::string report = (dir_ / "report.json").string();
  CommandRun run = Canvass("rehearse --demo --compress max --fast-kdf --publish interval:1 --dir " +
                           (dir_ / "iowa").string() + " --json " + report);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  json r = ReadReport(report);
  EXPECT_EQ(r["driven"], 1765);
  EXPECT_EQ(r["reconciliation"]["matched"], 1765);
  // The 8 February release holds 92 reports the rules do not allow (finals larger than the
  // attendance, locked groups grown beyond everyone free to realign, reports without attendance;
  // 119 under the strict reading of the lock, which also refused the smallest viable groups'
  // realignment, as in Carroll / Eden): each is refused exactly once, whichever channel and
  // faults its precinct was given.
  const json& refused = r["refused"];
  int64_t input_refusals = 0;
  for (const auto& [k, v] : refused.items()) {
    if (k.rfind("confirm:", 0) != 0) input_refusals += v.get<int64_t>();
  }
  EXPECT_EQ(input_refusals, 92) << refused.dump(2);
}

// A server started apart (as on the night), rehearsed with --url; the same election cannot be
// rehearsed twice.
TEST_F(RehearseTest, DrivesARunningServerAndRefusesAReportedElection) {
  const std::string results = (dir_ / "results.csv").string();
  const std::string apportionment = (dir_ / "apportionment.csv").string();
  const std::string store = (dir_ / "night.db").string();
  const std::string codes = (dir_ / "codes.csv").string();
  ASSERT_EQ(Canvass("simulate --precincts 40 --seed 3 --results-out " + results +
                    " --apportionment-out " + apportionment)
                .exit_code,
            0);
  CommandRun init =
      Canvass("init --store " + store + " --apportionment " + apportionment +
              " --candidates-from " + results + " --codes-out " + codes + " --fast-kdf");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  canvass::ServerProcess server(CANVASS_BINARY, dir_.string(), {"--store", store, "--fast-kdf"});
  ASSERT_TRUE(server.Start().ok()) << server.log();
  const std::string port = std::to_string(server.port());
  const std::string url =
      "--url http://127.0.0.1:" + port + " --codes " + codes + " --results " + results;
  CommandRun run = Canvass("rehearse " + url + " --compress max --publish interval:1");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("40 precincts equal"), std::string::npos) << run.out;
  CommandRun twice = Canvass("rehearse " + url + " --compress max");
  EXPECT_EQ(twice.exit_code, 1) << twice.out;
  EXPECT_NE(twice.out.find("is already reported"), std::string::npos) << twice.out;
  server.Terminate();
}

TEST_F(RehearseTest, BadOptionsAreRefusedWithTheReason) {
  CommandRun none = Canvass("rehearse");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("--demo, --simulate N, or --url"), std::string::npos) << none.out;
  CommandRun compress = Canvass("rehearse --simulate 5 --compress 0 --dir " + dir_.string());
  EXPECT_EQ(compress.exit_code, 2);
  EXPECT_NE(compress.out.find("--compress"), std::string::npos) << compress.out;
  CommandRun faults = Canvass("rehearse --simulate 5 --faults typos=0.1 --dir " + dir_.string());
  EXPECT_EQ(faults.exit_code, 2);
  EXPECT_NE(faults.out.find("\"typos=0.1\""), std::string::npos) << faults.out;
  CommandRun fraction = Canvass("rehearse --simulate 5 --faults typo=2 --dir " + dir_.string());
  EXPECT_EQ(fraction.exit_code, 2);
  EXPECT_NE(fraction.out.find("typo:"), std::string::npos) << fraction.out;
  // A directory the rehearsal did not make is never cleared.
  std::ofstream(dir_ / "precious.txt") << "keep me\n";
  CommandRun other = Canvass("rehearse --simulate 5 --dir " + dir_.string());
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.out.find("was not made by `canvass rehearse`"), std::string::npos) << other.out;
  EXPECT_TRUE(fs::exists(dir_ / "precious.txt"));
  CommandRun url = Canvass("rehearse --url http://127.0.0.1:1");
  EXPECT_EQ(url.exit_code, 2);
  EXPECT_NE(url.out.find("--codes"), std::string::npos) << url.out;
}

}  // namespace
