// `canvass audit record|request|decide|recanvass` on a rehearsed night's store: the party records
// a campaign's written request, accepts it, enters the worksheet; the ledger refuses what is wrong
// (exit 2, the code named) and `ledger verify` replays what was written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"

namespace {

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;
using nlohmann::json;

class AuditReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("canvass-audit-review-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(AuditReviewTest, ThePartyRecordsARequestDecidesAndEntersTheWorksheet) {
  const std::string night = (dir_ / "night").string();
  CommandRun run = Canvass(
      "rehearse --simulate 12 --compress max --fast-kdf --faults none --publish interval:1 "
      "--dir " +
      night);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string store = night + "/canvass.db";

  // Precinct 1's candidates and reported figures, from the ledger.
  CommandRun exported = Canvass("ledger export --store " + store);
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  std::istringstream lines(exported.out);
  std::string line;
  json first, final;
  std::string campaign;
  while (std::getline(lines, line)) {
    json e = json::parse(line, nullptr, false);
    if (!e.is_object()) continue;
    if (e["type"] == "election-created") campaign = e["payload"]["candidates"][0];
    if (e["payload"].value("precinct", int64_t{0}) != 1) continue;
    if (e["type"] == "first-alignment-reported") first = e["payload"]["first"];
    if (e["type"] == "final-alignment-reported") final = e["payload"]["final"];
  }
  ASSERT_TRUE(first.is_object() && final.is_object()) << exported.out.substr(0, 2000);

  CommandRun open = Canvass("audit record --store " + store);
  ASSERT_EQ(open.exit_code, 0) << open.out;
  EXPECT_EQ(open.out.find("no complete release"), std::string::npos) << open.out;

  // Refused: a precinct not in the election; nothing written.
  const std::string bad = Write(
      "bad.json", R"({"kind": "recanvass", "reason": "r", "precincts": [{"precinct": 999}]})");
  CommandRun refused = Canvass("audit request --store " + store + " --campaign '" + campaign + "'" +
                               " --file " + bad);
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("unknown-precinct"), std::string::npos) << refused.out;
  // Refused: the party chair, whom iowa-dem-2020 does not let ask.
  const std::string good = Write(
      "req.json", R"({"kind": "recanvass", "reason": "check it", "precincts": [{"precinct": 1}]})");
  CommandRun party = Canvass("audit request --store " + store + " --file " + good);
  EXPECT_EQ(party.exit_code, 2) << party.out;
  EXPECT_NE(party.out.find("forbidden"), std::string::npos) << party.out;

  CommandRun filed = Canvass("audit request --store " + store + " --campaign '" + campaign + "'" +
                             " --file " + good);
  ASSERT_EQ(filed.exit_code, 0) << filed.out;
  const size_t at = filed.out.find("event ");
  ASSERT_NE(at, std::string::npos) << filed.out;
  const std::string request = std::to_string(std::stoll(filed.out.substr(at + 6)));

  CommandRun decided = Canvass("audit decide --store " + store + " --request " + request +
                               " --precinct 1 --accept --reason 'worksheet on file' --cost 350.00");
  ASSERT_EQ(decided.exit_code, 0) << decided.out;
  CommandRun both = Canvass("audit decide --store " + store + " --request " + request +
                            " --precinct 1 --reason x");
  EXPECT_EQ(both.exit_code, 2) << both.out;

  // The worksheet as reported: it agrees, and nothing is corrected.
  auto list = [](const json& figures) {
    std::string out;
    for (const auto& [name, n] : figures.items()) {
      out += (out.empty() ? "" : ",") + name + "=" + std::to_string(n.get<int64_t>());
    }
    return "'" + out + "'";
  };
  // The cost stated: nothing is entered until the campaign accepts it.
  const std::string sheet = " --precinct 1 --first " + list(first) + " --final " + list(final);
  CommandRun unpaid = Canvass("audit recanvass --store " + store + " --request " + request + sheet);
  EXPECT_EQ(unpaid.exit_code, 2) << unpaid.out;
  EXPECT_NE(unpaid.out.find("costs-not-accepted"), std::string::npos) << unpaid.out;
  CommandRun neither = Canvass("audit costs --store " + store + " --campaign '" + campaign +
                               "' --request " + request + " --precinct 1");
  EXPECT_EQ(neither.exit_code, 2) << neither.out;
  CommandRun paid = Canvass("audit costs --store " + store + " --campaign '" + campaign +
                            "' --request " + request + " --precinct 1 --accept");
  ASSERT_EQ(paid.exit_code, 0) << paid.out;
  CommandRun scheduled =
      Canvass("audit schedule --store " + store + " --request " + request +
              " --precinct 1 --at 2099-02-12T15:00:00.000Z --place 'IDP headquarters'");
  ASSERT_EQ(scheduled.exit_code, 0) << scheduled.out;
  CommandRun stranger = Canvass("audit recanvass --store " + store + " --request " + request +
                                sheet + " --observers Nobody");
  EXPECT_EQ(stranger.exit_code, 2) << stranger.out;
  EXPECT_NE(stranger.out.find("unknown-candidate"), std::string::npos) << stranger.out;
  CommandRun entered = Canvass("audit recanvass --store " + store + " --request " + request +
                               sheet + " --observers '" + campaign + "'");
  ASSERT_EQ(entered.exit_code, 0) << entered.out;
  EXPECT_NE(entered.out.find("agrees"), std::string::npos) << entered.out;
  CommandRun malformed = Canvass("audit recanvass --store " + store + " --request " + request +
                                 " --precinct 1 --first 'Somebody'");
  EXPECT_EQ(malformed.exit_code, 2) << malformed.out;
  EXPECT_NE(malformed.out.find("NAME=COUNT"), std::string::npos) << malformed.out;

  // Every accepted precinct is closed: the party certifies, once.
  CommandRun certified = Canvass("audit certify --store " + store + " --reason 'SCC vote'");
  ASSERT_EQ(certified.exit_code, 0) << certified.out;
  CommandRun twice = Canvass("audit certify --store " + store + " --reason 'SCC vote'");
  EXPECT_EQ(twice.exit_code, 2) << twice.out;
  EXPECT_NE(twice.out.find("already-certified"), std::string::npos) << twice.out;

  CommandRun record = Canvass("audit record --json --store " + store);
  ASSERT_EQ(record.exit_code, 0) << record.out;
  const json doc = json::parse(record.out);
  ASSERT_EQ(doc["requests"].size(), 1u) << record.out;
  EXPECT_EQ(doc["requests"][0]["requester"], campaign);
  EXPECT_EQ(doc["requests"][0]["precincts"][0]["decision"]["decision"], "accepted");
  EXPECT_EQ(doc["requests"][0]["precincts"][0]["entries"][0]["agrees"], true);
  EXPECT_EQ(doc["requests"][0]["precincts"][0]["entries"][0]["observers"], json({campaign}));
  EXPECT_EQ(doc["requests"][0]["precincts"][0]["costs"]["answer"]["accepted"], true);
  EXPECT_EQ(doc["requests"][0]["precincts"][0]["schedule"]["place"], "IDP headquarters");
  EXPECT_TRUE(doc["certified"].is_number()) << record.out;

  CommandRun verify = Canvass("ledger verify --store " + store);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

}  // namespace
