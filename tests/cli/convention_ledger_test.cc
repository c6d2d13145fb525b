// `canvass convention record` and `show` (docs/cli.md): a convention's events written to a store
// by the command line, refused as the ledger refuses them, and read back; `ledger verify`
// replays them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/command.h"

namespace canvass {
namespace {

using cli_test::Canvass;
using cli_test::CommandRun;
using ::testing::HasSubstr;

class ConventionLedgerCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "canvass-conv-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    Write("ap.csv", "county,precinct,delegates\nWayne,Detroit-1,4\n");
    CommandRun init =
        Canvass("init --store " + Path("t.db") + " --rules iowa-dem-2020 --apportionment " +
                Path("ap.csv") + " --candidate Biden --candidate Sanders --fast-kdf --codes-out " +
                Path("codes.csv") + " --signing-key-file " + Path("t.sign"));
    ASSERT_EQ(init.exit_code, 0) << init.out;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << text;
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  // `convention record` with the payload written to a file (no shell quoting of JSON).
  CommandRun Record(const std::string& event, const std::string& payload,
                    const std::string& more = "") {
    Write("payload.json", payload);
    return Canvass("convention record --store " + Path("t.db") + " --event " + event +
                   " --payload @" + Path("payload.json") + more);
  }

  std::string dir_;
};

TEST_F(ConventionLedgerCli, RecordsTheStagesAndShowsTheConvention) {
  ASSERT_EQ(Record("convention-created", R"({"convention": "CD5", "district": "MI-05"})").exit_code,
            0);
  CommandRun published =
      Record("procedure-published", R"({"convention": "CD5", "formula": "dhondt", "pools": )"
                                    R"([{"name": "District", "seats": 5}], )"
                                    R"("filing_deadline": "2099-04-16T23:59:59.999Z"})");
  ASSERT_EQ(published.exit_code, 0) << published.out;
  EXPECT_THAT(published.out, HasSubstr("(procedure-published)"));
  // Published just now: filing cannot open for 30 days without a waiver.
  CommandRun early =
      Record("convention-stage-opened", R"({"convention": "CD5", "stage": "filing"})");
  EXPECT_EQ(early.exit_code, 2);
  EXPECT_THAT(early.out, HasSubstr("refused (notice-too-short)"));
  EXPECT_THAT(early.out, HasSubstr("30 days' notice"));
  CommandRun waived =
      Record("procedure-waived", R"({"convention": "CD5", "procedure": 11, "stage": "filing", )"
                                 R"("reason": "rehearsal of the filing desk"})");
  ASSERT_EQ(waived.exit_code, 0) << waived.out;
  ASSERT_EQ(
      Record("convention-stage-opened", R"({"convention": "CD5", "stage": "filing"})").exit_code,
      0);
  ASSERT_EQ(Record("delegate-filed", R"({"convention": "CD5", "name": "Ann Ames", )"
                                     R"("preference": "Biden", "gender": "woman", )"
                                     R"("district": "MI-05", "pledge": "I support Joe Biden."})")
                .exit_code,
            0);
  // Right of review: the Sanders campaign cannot strike a Biden filer; the Biden campaign
  // approves her.
  CommandRun other = Record("filer-reviewed",
                            R"({"convention": "CD5", "filer": "Ann Ames", "decision": "struck"})",
                            " --campaign Sanders");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.out, HasSubstr("refused (forbidden)"));
  CommandRun own = Record("filer-reviewed",
                          R"({"convention": "CD5", "filer": "Ann Ames", "decision": "approved"})",
                          " --campaign Biden");
  ASSERT_EQ(own.exit_code, 0) << own.out;
  CommandRun ballot = Record("convention-ballot", R"({"convention": "CD5"})");
  EXPECT_EQ(ballot.exit_code, 2);
  EXPECT_THAT(ballot.out, HasSubstr("ballots come from voters' codes"));

  CommandRun shown = Canvass("convention show --store " + Path("t.db") + " --convention CD5");
  ASSERT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_THAT(shown.out, HasSubstr("Convention CD5 (district MI-05): notice 30 days"));
  EXPECT_THAT(shown.out, HasSubstr("procedure 11 published"));
  EXPECT_THAT(shown.out, HasSubstr("slate, D'Hondt; seats District 5"));
  EXPECT_THAT(shown.out, HasSubstr("notice waived by event 12: rehearsal of the filing desk"));
  EXPECT_THAT(shown.out, HasSubstr("filer Ann Ames (Biden, woman): approved"));
  CommandRun json = Canvass("convention show --store " + Path("t.db") + " --convention CD5 --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_THAT(json.out, HasSubstr(R"("review": "approved")"));
  CommandRun missing = Canvass("convention show --store " + Path("t.db") + " --convention CD9");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.out, HasSubstr("there is no convention CD9"));

  CommandRun verify = Canvass("ledger verify --store " + Path("t.db"));
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(ConventionLedgerCli, RefusesWhatIsNotAConventionEventOrNotJson) {
  CommandRun other = Record("first-alignment-reported", R"({"precinct": 1})");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.out, HasSubstr("not an event the command line writes"));
  CommandRun bad = Record("convention-created", R"({"convention": "CD5", "convention": "CD6"})");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.out, HasSubstr("--payload"));
  CommandRun list = Record("convention-created", R"(["CD5"])");
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_THAT(list.out, HasSubstr("must be a JSON object"));
}

// `convention voters`: N codes for a pool in an owner-only CSV, each logging in as its own voter
// credential; the count is bounded, the pool checked, and `ledger verify` replays the roll.
TEST_F(ConventionLedgerCli, VotersWritesTheRollsCodesToAnOwnerOnlySheet) {
  ASSERT_EQ(Record("convention-created", R"({"convention": "CD5", "district": "MI-05"})").exit_code,
            0);
  ASSERT_EQ(Record("procedure-published", R"({"convention": "CD5", "formula": "block", "pools": )"
                                          R"([{"name": "District", "seats": 2}], )"
                                          R"("filing_deadline": "2099-04-16T23:59:59.999Z"})")
                .exit_code,
            0);
  const std::string base = "convention voters --store " + Path("t.db") +
                           " --convention CD5 --fast-kdf --out " + Path("voters.csv");
  CommandRun issued = Canvass(base + " --pool District --count 3");
  ASSERT_EQ(issued.exit_code, 0) << issued.out;
  EXPECT_THAT(issued.out, HasSubstr("3 voter code(s) for CD5/District written to"));
  std::ifstream sheet(Path("voters.csv"));
  std::string line;
  std::getline(sheet, line);
  EXPECT_EQ(line, "role,subject,label,credential,code");
  int rows = 0;
  while (std::getline(sheet, line)) {
    EXPECT_EQ(line.rfind("voter,CD5/District,CD5/District,", 0), 0u) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 3);
  EXPECT_EQ(std::filesystem::status(Path("voters.csv")).permissions() &
                std::filesystem::perms::group_read,
            std::filesystem::perms::none);

  CommandRun zero = Canvass(base + " --count 0");
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_THAT(zero.out, HasSubstr("--count is 1 to 500"));
  CommandRun pool = Canvass(base + " --pool Mayors --count 1");
  EXPECT_EQ(pool.exit_code, 2);
  EXPECT_THAT(pool.out, HasSubstr("has no pool Mayors"));
  CommandRun by_hand = Record("voters-issued", R"({"convention": "CD5", "voters": []})");
  EXPECT_EQ(by_hand.exit_code, 2);
  EXPECT_THAT(by_hand.out, HasSubstr("convention voters"));

  CommandRun json = Canvass("convention show --store " + Path("t.db") + " --convention CD5 --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_THAT(json.out, HasSubstr(R"("count": 3)"));
  CommandRun verify = Canvass("ledger verify --store " + Path("t.db"));
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

}  // namespace
}  // namespace canvass
