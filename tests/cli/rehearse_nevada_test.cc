// `canvass rehearse --rules nevada-dem-2020` end to end: the simulated election is set up with
// its early-vote cards loaded before any report, the chairs and the hotline report the people in
// the room, ties go to a card draw, corrections come late, and the reconciliation is exact,
// every precinct's cards included.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "http/client.h"
#include "publish/release.h"
#include "rehearse/server_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;
using canvass::cli_test::Slurp;

class RehearseNevadaTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("canvass-rehearse-nv-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

int64_t Sum(const json& counts, const std::string& prefix) {
  int64_t n = 0;
  for (const auto& [k, v] : counts.items()) {
    if (k.rfind(prefix, 0) == 0) n += v.get<int64_t>();
  }
  return n;
}

int64_t Count(const json& figures, const std::string& name) {
  return figures.is_object() ? figures.value(name, int64_t{0}) : 0;
}

// Every reported precinct's alignments: in person (as reported), early (the cards), and their
// sum; some cards counted at each alignment.
void ExpectReleaseJsonApart(const json& release) {
  ASSERT_TRUE(release.is_object() && release.contains("precincts"));
  int64_t reported = 0, early_first = 0, early_final = 0;
  for (const json& p : release["precincts"]) {
    const json& a = p.value("alignments", json());
    if (p.value("status", std::string()) == "not-reported") continue;
    ++reported;
    ASSERT_TRUE(a.is_object()) << p.dump();
    for (const char* which : {"first", "final"}) {
      const json& in_person = a["in_person"][which];
      const json& early = a["early"][which];
      const json& total = a["total"][which];
      EXPECT_EQ(in_person, p["reported"][which]) << p["id"] << " " << which;
      std::set<std::string> names;
      for (const json* f : {&in_person, &early, &total}) {
        if (f->is_object()) {
          for (const auto& [name, n] : f->items()) names.insert(name);
        }
      }
      for (const std::string& name : names) {
        EXPECT_EQ(Count(in_person, name) + Count(early, name), Count(total, name))
            << p["id"] << " " << which << " " << name;
        (std::string(which) == "first" ? early_first : early_final) += Count(early, name);
      }
    }
  }
  EXPECT_EQ(reported, 200);
  EXPECT_GT(early_first, 0);
  EXPECT_GT(early_final, 0);
}

// Every row: first = first_in_person + first_early, final = final_in_person + final_early.
void ExpectTotalsCsvApart(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line.rfind("area_type,area,candidate,first,first_in_person,first_early,final,"
                       "final_in_person,final_early,",
                       0),
            0u)
      << line;
  int64_t rows = 0, state_early = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cell;
    std::istringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) cell.push_back(c);
    ASSERT_GE(cell.size(), 9u) << line;
    auto n = [&](size_t i) { return std::stoll(cell[i]); };
    EXPECT_EQ(n(3), n(4) + n(5)) << line;
    EXPECT_EQ(n(6), n(7) + n(8)) << line;
    if (cell[0] == "state") state_early += n(5);
    ++rows;
  }
  EXPECT_GT(rows, 7);
  EXPECT_GT(state_early, 0);
}

// For every unit and candidate, each alignment's count is its in-person and early-vote parts.
void ExpectCdfApart(const json& cdf) {
  ASSERT_TRUE(cdf.is_object() && cdf.contains("Election")) << cdf.dump().substr(0, 200);
  int64_t checked = 0;
  for (const json& contest : cdf["Election"][0]["Contest"]) {
    for (const json& selection : contest["ContestSelection"]) {
      std::map<std::pair<std::string, std::string>, int64_t> count;  // (unit, type) -> count
      for (const json& v : selection.value("VoteCounts", json::array())) {
        count[{v["GpUnitId"].get<std::string>(), v["OtherType"].get<std::string>()}] =
            v["Count"].get<int64_t>();
      }
      for (const auto& [key, total] : count) {
        const auto& [unit, type] = key;
        if (type != "first-alignment" && type != "final-alignment") continue;
        ASSERT_TRUE(count.count({unit, type + "-in-person"}) == 1) << unit << " " << type;
        ASSERT_TRUE(count.count({unit, type + "-early-vote"}) == 1) << unit << " " << type;
        const int64_t in_person = count[{unit, type + "-in-person"}];
        const int64_t early = count[{unit, type + "-early-vote"}];
        EXPECT_EQ(total, in_person + early) << unit << " " << type;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 400);
}

TEST_F(RehearseNevadaTest, ANevadaNightWithCardsReconcilesExactly) {
  const std::string night = (dir_ / "night").string();
  const std::string report = (dir_ / "report.json").string();
  CommandRun run = Canvass(
      "rehearse --simulate 200 --rules nevada-dem-2020 --candidates 7 --seed 11 --compress max "
      "--fast-kdf --publish interval:1 --dir " +
      night + " --json " + report +
      " --faults typo=0.1,lost-answer=0.1,dropped=0.1,double-tap=0.1,hotline=0.2,mishear=0.5,"
      "correction=0.2");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("RESULT: OK"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("early-vote cards ("), std::string::npos) << run.out;
  const json r = json::parse(Slurp(report), nullptr, false);
  ASSERT_TRUE(r.is_object()) << report;
  EXPECT_TRUE(r["ok"].get<bool>());
  EXPECT_EQ(r["driven"], 200);
  EXPECT_EQ(r["submissions_lost"], 0);
  EXPECT_GT(r["faults"].value("hotline", 0), 0);
  EXPECT_GT(Sum(r["fault_outcomes"], "late correction: 201"), 0);
  EXPECT_GT(r["steps"]["ties"]["count"].get<int64_t>(), 0) << "some card draws";

  // Every precinct's cards, as the file the election was set up with lists them.
  const std::string cards = Slurp(night + "/early-votes.csv");
  std::istringstream lines(cards);
  std::string line;
  std::getline(lines, line);  // the header
  int64_t rows = 0;
  std::set<std::string> precincts;
  while (std::getline(lines, line)) {
    ++rows;
    const size_t second = line.find(',', line.find(',') + 1);
    precincts.insert(line.substr(0, second));
  }
  ASSERT_GT(rows, 2000);
  const json& rec = r["reconciliation"];
  EXPECT_TRUE(rec["ok"].get<bool>()) << rec.dump(2);
  EXPECT_EQ(rec["matched"], 200);
  EXPECT_EQ(rec["differing"], 0);
  // The release's delegates are the rules', with the cards (a precinct the anomaly gate holds
  // shows none).
  EXPECT_EQ(rec["computed_checked"].get<int64_t>() + rec["computed_held"].get<int64_t>(), 200);
  EXPECT_GT(rec["computed_checked"].get<int64_t>(), 190);
  EXPECT_EQ(rec["early_votes_precincts"], static_cast<int64_t>(precincts.size()));
  EXPECT_EQ(rec["early_votes_cards"], rows);
  EXPECT_EQ(rec["early_votes_differing"], 0);

  // The ledger records the ties as card draws.
  CommandRun ledger = Canvass("ledger export --store " + night + "/canvass.db");
  ASSERT_EQ(ledger.exit_code, 0);
  EXPECT_NE(ledger.out.find("\"detail\":\"card draw: "), std::string::npos);
  EXPECT_EQ(ledger.out.find("coin toss"), std::string::npos);

  // The latest release lists the early and the in-person alignments apart, and early + in person
  // = total, in the JSON, the totals CSV and the CDF.
  canvass::ServerProcess server(CANVASS_BINARY, dir_.string(),
                                {"--store", night + "/canvass.db", "--fast-kdf"});
  ASSERT_TRUE(server.Start().ok()) << server.log();
  canvass::HttpClient http("127.0.0.1", server.port());
  auto get = [&](const std::string& target) {
    auto answer = http.Get(target, {}, std::chrono::seconds(60));
    EXPECT_TRUE(answer.ok() && answer->status == 200) << target;
    return answer.ok() ? answer->body : std::string();
  };
  {
    // The release's entries, beside it: put in as "precincts" for the check.
    json release = json::parse(get("/api/v1/releases/latest"), nullptr, false);
    auto entries = canvass::ReleaseEntries(release, get("/api/v1/releases/latest/records.jsonl"));
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    release["precincts"] = std::move(entries).value();
    ExpectReleaseJsonApart(release);
  }
  ExpectTotalsCsvApart(get("/api/v1/releases/latest/totals.csv"));
  ExpectCdfApart(json::parse(get("/api/v1/releases/latest/cdf.json"), nullptr, false));
  server.Terminate();
}

TEST_F(RehearseNevadaTest, WithoutCardsTheLedgerMustHoldNone) {
  const std::string report = (dir_ / "report.json").string();
  CommandRun run = Canvass(
      "rehearse --simulate 30 --rules nevada-dem-2020 --early-votes 0 --compress max --fast-kdf "
      "--faults none --publish interval:1 --dir " +
      (dir_ / "night").string() + " --json " + report);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const json r = json::parse(Slurp(report), nullptr, false);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["reconciliation"]["early_votes_precincts"], 0);
  EXPECT_EQ(r["reconciliation"]["early_votes_differing"], 0);
  EXPECT_FALSE(fs::exists(dir_ / "night" / "early-votes.csv"));
}

TEST_F(RehearseNevadaTest, EarlyVotesAskedOfARulesetWithoutThemAreRefused) {
  CommandRun run =
      Canvass("rehearse --simulate 5 --early-votes 0.5 --dir " + (dir_ / "iowa").string());
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("has no early vote"), std::string::npos) << run.out;
  CommandRun bad = Canvass("rehearse --demo ohio --dir " + (dir_ / "x").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
}

}  // namespace
