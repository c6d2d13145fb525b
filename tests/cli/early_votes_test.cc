// `canvass init --early-votes` and `canvass early-votes load` (docs/cli.md): the cards file onto
// the ledger, a line per precinct with its cards, void cards and hash; the same file again
// changes nothing; what cannot be loaded is refused by name before anything is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/command.h"
#include "core/sha256.h"

namespace canvass {
namespace {

using cli_test::Canvass;
using cli_test::CommandRun;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHeader = "county,precinct,card,choice1,choice2,choice3,choice4,choice5\n";

class EarlyVotesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "canvass-early-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    Write("ap.csv", "county,precinct,delegates\nClark,1001,3\nWashoe,2002,4\n");
    Write("cards.csv", std::string(kHeader) +
                           "Clark,1001,EV6,Z,A,B,,\n"
                           "Clark,1001,EV1,B,C,A,,\n"
                           "Clark,1001,EV2,B,A,C,,\n"
                           "Clark,1001,EV3,C,A,B,,\n"
                           "Clark,1001,EV4,B,A,,,\n"
                           "Clark,1001,EV5,B,B,A,,\n"
                           "Washoe,2002,W1,A,B,C,,\n");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << text;
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  CommandRun Init(const std::string& rules, const std::string& cards) {
    return Canvass("init --store " + Path("t.db") + " --rules " + rules + " --apportionment " +
                   Path("ap.csv") + " --candidate A --candidate B --candidate C --fast-kdf" +
                   " --codes-out " + Path("codes.csv") + " --signing-key-file " + Path("t.sign") +
                   " --early-votes " + Path(cards));
  }
  CommandRun Load(const std::string& cards) {
    return Canvass("early-votes load --store " + Path("t.db") + " --file " + Path(cards));
  }

  std::string dir_;
};

TEST_F(EarlyVotesCli, InitLoadsTheCardsAndTheSameFileAgainChangesNothing) {
  const std::string clark = Sha256Hex(
      "EV1\tB\tC\tA\nEV2\tB\tA\tC\nEV3\tC\tA\tB\nEV4\tB\tA\nEV5\tB\tB\tA\nEV6\tZ\tA\tB\n");
  CommandRun init = Init("nevada-dem-2020", "cards.csv");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_THAT(init.out,
              HasSubstr("Clark / 1001: 6 cards, 3 void, sha256 " + clark + ": loaded (event 12)"));
  EXPECT_THAT(init.out, HasSubstr("Washoe / 2002: 1 cards, 0 void"));
  EXPECT_THAT(init.out, HasSubstr("2 loaded, 0 unchanged, 0 refused"));

  CommandRun again = Load("cards.csv");
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out,
              HasSubstr("Clark / 1001: 6 cards, 3 void, sha256 " + clark + ": unchanged"));
  EXPECT_THAT(again.out, HasSubstr("0 loaded, 2 unchanged, 0 refused"));

  // A new set for one precinct, before its report, replaces the old; the other is unchanged.
  Write("more.csv", std::string(kHeader) + "Washoe,2002,W1,A,B,C,,\nWashoe,2002,W2,C,B,A,,\n");
  CommandRun more = Load("more.csv");
  ASSERT_EQ(more.exit_code, 0) << more.out;
  EXPECT_THAT(more.out, HasSubstr("Washoe / 2002: 2 cards, 0 void"));
  EXPECT_THAT(more.out, HasSubstr("loaded (event 14)"));
  EXPECT_THAT(more.out, Not(HasSubstr("Clark")));

  CommandRun verify = Canvass("ledger verify --store " + Path("t.db"));
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("14 events"));
}

TEST_F(EarlyVotesCli, WhatCannotBeLoadedIsRefusedByName) {
  // Iowa has no early vote: refused before the store is created.
  CommandRun iowa = Init("iowa-dem-2020", "cards.csv");
  EXPECT_EQ(iowa.exit_code, 2) << iowa.out;
  EXPECT_THAT(iowa.out, HasSubstr("the ruleset iowa-dem-2020 has no early vote"));
  EXPECT_FALSE(std::filesystem::exists(Path("t.db")));

  // A card for a precinct the election does not have: named by line, before the store exists.
  Write("elsewhere.csv", std::string(kHeader) + "Clark,1001,EV1,A,B,C,,\nNye,7,N1,A,B,C,,\n");
  CommandRun elsewhere = Init("nevada-dem-2020", "elsewhere.csv");
  EXPECT_EQ(elsewhere.exit_code, 2) << elsewhere.out;
  EXPECT_THAT(elsewhere.out,
              HasSubstr("elsewhere.csv:3: Nye / 7 is not a reporting unit of this election"));
  EXPECT_FALSE(std::filesystem::exists(Path("t.db")));

  ASSERT_EQ(Init("nevada-dem-2020", "cards.csv").exit_code, 0);
  Write("gap.csv", std::string(kHeader) + "Clark,1001,EV1,A,,C,,\n");
  CommandRun gap = Load("gap.csv");
  EXPECT_EQ(gap.exit_code, 2) << gap.out;
  EXPECT_THAT(gap.out, HasSubstr("gap.csv:2:19: choice3 is given but choice2 is empty"));

  CommandRun missing = Load("missing.csv");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;

  CommandRun no_store =
      Canvass("early-votes load --store " + Path("none.db") + " --file " + Path("cards.csv"));
  EXPECT_EQ(no_store.exit_code, 1) << no_store.out;
  EXPECT_FALSE(std::filesystem::exists(Path("none.db")));

  CommandRun verify = Canvass("ledger verify --store " + Path("t.db"));
  EXPECT_THAT(verify.out, HasSubstr("13 events"));
}

}  // namespace
}  // namespace canvass
