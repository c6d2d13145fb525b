// End-to-end tests of the `canvass` binary: the command contracts of docs/cli.md, on real data.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"

namespace {

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;
using canvass::cli_test::Slurp;

std::string Data(const std::string& file) { return std::string(CANVASS_DATA_DIR) + "/" + file; }

std::string IowaArgs(const std::string& release) {
  return "--rules iowa-dem-2020 --results " + Data("iowa-2020/" + release) + " --apportionment " +
         Data("iowa-2020/apportionment.csv") + " --districts " +
         Data("iowa-2020/county-congressional-district.csv");
}

const char* kFirst = "results-first-complete-2020-02-08-long.csv";
const char* kCertifiedName = "results-certified-2020-04-07-long.csv";

const nlohmann::json* FindPrecinct(const nlohmann::json& check, const std::string& county,
                                   const std::string& prefix) {
  for (const auto& r : check["results"]) {
    if (r["county"] == county && r["precinct"].get<std::string>().rfind(prefix, 0) == 0) return &r;
  }
  return nullptr;
}

bool HasErrorFinding(const nlohmann::json& r) {
  for (const auto& f : r["findings"]) {
    if (f["severity"] == "error") return true;
  }
  return false;
}

TEST(CliTest, AllocatePrintsTheOcheyedanWorksheet) {
  CommandRun run = Canvass("allocate -D 3 -g Buttigieg=3 -g Klobuchar=1 -g Sanders=1 --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["delegates"]["Buttigieg"], 1);
  EXPECT_EQ(j["delegates"]["Klobuchar"], 1);
  EXPECT_EQ(j["delegates"]["Sanders"], 1);
  EXPECT_EQ(j["attendance"], 5);
  EXPECT_EQ(j["threshold"], "1/6");
  EXPECT_EQ(j["ruleset"]["name"], "iowa-dem-2020");
  EXPECT_EQ(j["ruleset"]["hash"].get<std::string>().size(), 64u);

  CommandRun text = Canvass("allocate -D 3 -g Buttigieg=3 -g Klobuchar=1 -g Sanders=1");
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("Result: Buttigieg 1, Klobuchar 1, Sanders 1"), std::string::npos)
      << text.out;
}

TEST(CliTest, AllocateSurfacesATieAndTakesItsOutcome) {
  CommandRun tie = Canvass("allocate -D 6 -g Warren=100 -g Sanders=50 -g Biden=50 --json");
  ASSERT_EQ(tie.exit_code, 0) << tie.out;
  auto j = nlohmann::json::parse(tie.out);
  EXPECT_FALSE(j["complete"].get<bool>());
  EXPECT_FALSE(j.contains("delegates"));
  ASSERT_TRUE(j["pending_tie"].is_object());
  EXPECT_EQ(j["pending_tie"]["candidates"], nlohmann::json({"Sanders", "Biden"}));

  CommandRun settled = Canvass(
      "allocate -D 6 -g Warren=100 -g Sanders=50 -g Biden=50 --tie 'Sanders,Biden->Biden' --json");
  ASSERT_EQ(settled.exit_code, 0) << settled.out;
  auto s = nlohmann::json::parse(settled.out);
  EXPECT_TRUE(s["complete"].get<bool>());
  EXPECT_EQ(s["delegates"]["Warren"], 3);
  EXPECT_EQ(s["delegates"]["Biden"], 2);
  EXPECT_EQ(s["delegates"]["Sanders"], 1);
}

TEST(CliTest, AllocateRefusesImpossibleInputWithAClearMessage) {
  CommandRun run = Canvass("allocate -D 3 -g A=2:5 -g B=1");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("final alignment counts 6 people but only 3"), std::string::npos)
      << run.out;
  CommandRun bad = Canvass("allocate -D 3 -g A=two");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("\"two\" is not a head count"), std::string::npos) << bad.out;
  CommandRun attendance = Canvass("allocate -D 3 -g A=2 -g B=2 --attendance 5");
  EXPECT_EQ(attendance.exit_code, 2);
  EXPECT_NE(attendance.out.find("first alignment total 4"), std::string::npos) << attendance.out;
}

TEST(CliTest, CheckFlagsOcheyedanIn2020FebruaryButNotCertified) {
  CommandRun first = Canvass("check --json " + IowaArgs(kFirst));
  EXPECT_EQ(first.exit_code, 1) << first.out.substr(0, 2000);
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["ruleset"]["name"], "iowa-dem-2020");
  EXPECT_EQ(j["precincts"], 1765);
  const nlohmann::json* oc = FindPrecinct(j, "Osceola", "Ocheyedan");
  ASSERT_NE(oc, nullptr);
  EXPECT_TRUE(HasErrorFinding(*oc)) << oc->dump();
  EXPECT_EQ((*oc)["computed"]["Sanders"], 1);
  EXPECT_EQ((*oc)["computed"]["Buttigieg"], 1);

  CommandRun certified = Canvass("check --json " + IowaArgs(kCertifiedName));
  auto c = nlohmann::json::parse(certified.out);
  const nlohmann::json* oc2 = FindPrecinct(c, "Osceola", "Ocheyedan");
  ASSERT_NE(oc2, nullptr);
  EXPECT_FALSE(HasErrorFinding(*oc2)) << oc2->dump();
}

TEST(CliTest, TabulateGivesTheNationalDelegates) {
  CommandRun run = Canvass("tabulate --json " + IowaArgs(kFirst));
  ASSERT_EQ(run.exit_code, 0) << run.out.substr(0, 2000);
  auto j = nlohmann::json::parse(run.out);
  const auto& state = j["totals"]["reported"]["state"];
  EXPECT_EQ(state["Buttigieg"]["sde"].get<std::string>().substr(0, 7), "564.012");
  int64_t total_first = 0;
  for (const auto& [name, figures] : state.items()) total_first += figures["first"].get<int64_t>();
  EXPECT_EQ(total_first, 176436);
  // The headline national result: 14 / 12 / 8 / 6 / 1 (the party's own projection).
  const auto& total = j["national"]["total"];
  EXPECT_EQ(total["Buttigieg"], 14);
  EXPECT_EQ(total["Sanders"], 12);
  EXPECT_EQ(total["Warren"], 8);
  EXPECT_EQ(total["Biden"], 6);
  EXPECT_EQ(total["Klobuchar"], 1);
}

TEST(CliTest, DemoRunsTheMainJob) {
  CommandRun run = Canvass("demo");
  ASSERT_EQ(run.exit_code, 0) << run.out.substr(0, 2000);
  EXPECT_NE(run.out.find("Buttigieg"), std::string::npos);
  EXPECT_NE(run.out.find("Ocheyedan"), std::string::npos);
  EXPECT_NE(run.out.find("certified"), std::string::npos);
}

TEST(CliTest, UnreadableInputIsAUsageErrorNamingTheFile) {
  CommandRun missing = Canvass("check --rules iowa-dem-2020 --results /nonexistent/results.csv");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("/nonexistent/results.csv"), std::string::npos) << missing.out;

  std::string path = ::testing::TempDir() + "/malformed.csv";
  std::ofstream(path) << "county,precinct,candidate,first,final\nPolk,DM 1,Biden,12,x\n";
  CommandRun malformed = Canvass("check --rules iowa-dem-2020 --results " + path);
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.out.find("malformed.csv:2"), std::string::npos) << malformed.out;

  CommandRun rules = Canvass("check --rules no-such-rules --results " + path);
  EXPECT_EQ(rules.exit_code, 2);
  EXPECT_NE(rules.out.find("no-such-rules"), std::string::npos) << rules.out;
}

TEST(CliTest, RulesShowAndCheck) {
  CommandRun list = Canvass("rules list");
  ASSERT_EQ(list.exit_code, 0);
  for (const char* name :
       {"iowa-dem-2020", "iowa-dem-2016", "nevada-dem-2020", "dnc-2020", "iowa-gop-2020"}) {
    EXPECT_NE(list.out.find(name), std::string::npos) << name;
  }
  CommandRun show = Canvass("rules show nevada-dem-2020");
  ASSERT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("hash "), std::string::npos);

  std::string path = ::testing::TempDir() + "/bad.toml";
  std::ofstream(path) << "[ruleset]\nname = \"x\"\nversion = \"1\"\npublished = 2020-01-01\n"
                         "[precinct]\nno_such_key = true\n";
  CommandRun check = Canvass("rules check " + path);
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("no_such_key"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("bad.toml:6"), std::string::npos) << check.out;
}

TEST(CliTest, SimulateWritesAnElectionThatChecksClean) {
  const std::string dir = ::testing::TempDir();
  auto files = [&](const std::string& tag) {
    return " --results-out " + dir + "/sim-r" + tag + ".csv --apportionment-out " + dir + "/sim-a" +
           tag + ".csv --districts-out " + dir + "/sim-d" + tag + ".csv";
  };
  const std::string args = "simulate --precincts 400 --candidates 9 --seed 11 --satellites 0.05";
  CommandRun one = Canvass(args + files("1"));
  ASSERT_EQ(one.exit_code, 0) << one.out;
  EXPECT_NE(one.out.find("400 units"), std::string::npos) << one.out;
  ASSERT_EQ(Canvass(args + files("2")).exit_code, 0);
  EXPECT_EQ(Slurp(dir + "/sim-r1.csv"), Slurp(dir + "/sim-r2.csv"));
  EXPECT_EQ(Slurp(dir + "/sim-a1.csv"), Slurp(dir + "/sim-a2.csv"));
  ASSERT_EQ(Canvass("simulate --precincts 400 --candidates 9 --seed 12" + files("3")).exit_code, 0);
  EXPECT_NE(Slurp(dir + "/sim-r1.csv"), Slurp(dir + "/sim-r3.csv"));

  const std::string inputs = " --results " + dir + "/sim-r1.csv --apportionment " + dir +
                             "/sim-a1.csv --districts " + dir + "/sim-d1.csv";
  CommandRun check = Canvass("check --rules iowa-dem-2020" + inputs);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("Findings: 0 errors"), std::string::npos) << check.out;
  EXPECT_EQ(Canvass("tabulate --rules iowa-dem-2020" + inputs).exit_code, 0);

  CommandRun errors = Canvass(args + " --errors 0.05" + files("4"));
  ASSERT_EQ(errors.exit_code, 0) << errors.out;
  EXPECT_NE(errors.out.find("error "), std::string::npos) << errors.out;
  CommandRun bad = Canvass("check --rules iowa-dem-2020 --results " + dir +
                           "/sim-r4.csv --apportionment " + dir + "/sim-a4.csv");
  EXPECT_EQ(bad.exit_code, 1) << bad.out;

  EXPECT_EQ(Canvass("simulate --rules nevada-dem-2020 --precincts 5 --satellites 0.5" + files("5"))
                .exit_code,
            2);
  EXPECT_EQ(Canvass("simulate --precincts 5 --errors 1.5" + files("5")).exit_code, 2);
  // Early-vote cards beside the results (default name), read back by the loader's reader.
  CommandRun cards =
      Canvass("simulate --rules nevada-dem-2020 --precincts 5 --early-votes 0.5" + files("5"));
  EXPECT_EQ(cards.exit_code, 0) << cards.out;
  EXPECT_NE(cards.out.find("early-vote cards: "), std::string::npos) << cards.out;
  const std::string written = Slurp(dir + "/sim-r5-early-votes.csv");
  EXPECT_EQ(written.rfind("county,precinct,card,choice1,", 0), 0u) << written;
  EXPECT_EQ(Canvass("simulate --rules nevada-dem-2020 --precincts 5 --early-votes 0.5"
                    " --early-votes-out " +
                    dir + "/sim-c6.csv" + files("6"))
                .exit_code,
            0);
  EXPECT_EQ(Slurp(dir + "/sim-c6.csv"), written);
  EXPECT_EQ(Canvass("simulate --precincts 5 --early-votes 0.5" + files("7")).exit_code, 2);
  EXPECT_EQ(Canvass("simulate --rules nevada-dem-2020 --precincts 5 --early-votes 2" + files("7"))
                .exit_code,
            2);
}

}  // namespace
