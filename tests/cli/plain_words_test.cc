// The command line says what it means: names instead of internal indices, bad input refused with
// exit 2 and a message that names what is wrong, and nothing created at a mistyped store path.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cli/command.h"

namespace {

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;
using canvass::cli_test::Slurp;

// A fresh directory of this test's own.
std::string FreshDir() {
  std::string pattern = ::testing::TempDir() + "/canvass-cli-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return made == nullptr ? ::testing::TempDir() : std::string(made);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// "candidate 0", "candidate 12": an index where a name belongs.
bool NamesAnIndex(const std::string& text) {
  const std::string word = "candidate ";
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const size_t next = at + word.size();
    if (next < text.size() && text[next] >= '0' && text[next] <= '9') return true;
  }
  return false;
}

TEST(PlainWordsTest, AllocateNamesTheGroupsInTiesAndNotes) {
  // Three equal groups share four delegates: chance decides the fourth.
  CommandRun pending = Canvass("allocate -D 4 -g Warren=10 -g Sanders=10 -g Biden=10");
  ASSERT_EQ(pending.exit_code, 0) << pending.out;
  EXPECT_FALSE(NamesAnIndex(pending.out)) << pending.out;
  EXPECT_TRUE(Contains(pending.out, "Warren, Sanders, Biden tie")) << pending.out;

  CommandRun settled = Canvass(
      "allocate -D 4 -g Warren=10 -g Sanders=10 -g Biden=10 --tie 'Warren,Sanders,Biden->Biden'");
  ASSERT_EQ(settled.exit_code, 0) << settled.out;
  EXPECT_FALSE(NamesAnIndex(settled.out)) << settled.out;
  EXPECT_TRUE(Contains(settled.out, "Result: Warren 1, Sanders 1, Biden 2")) << settled.out;

  CommandRun realign = Canvass(
      "allocate -D 6 -g Warren=100 -g Sanders=50 -g Biden=50 "
      "--tie 'Sanders,Biden->Sanders'");
  ASSERT_EQ(realign.exit_code, 0) << realign.out;
  EXPECT_FALSE(NamesAnIndex(realign.out)) << realign.out;
}

TEST(PlainWordsTest, AllocateRefusesAPrecinctWithNoDelegates) {
  CommandRun zero = Canvass("allocate -D 0 -g Warren=10 -g Sanders=5");
  EXPECT_EQ(zero.exit_code, 2) << zero.out;
  EXPECT_TRUE(Contains(zero.out, "--delegates 0")) << zero.out;
  EXPECT_TRUE(Contains(zero.out, "at least 1 delegate")) << zero.out;
  EXPECT_FALSE(Contains(zero.out, "needs 0 people")) << zero.out;

  CommandRun none = Canvass("allocate -g Warren=10 -g Sanders=5");
  EXPECT_EQ(none.exit_code, 2) << none.out;
  EXPECT_TRUE(Contains(none.out, "--delegates D is required")) << none.out;
}

TEST(PlainWordsTest, ServeOnAMissingStoreCreatesNothing) {
  const std::string dir = FreshDir();
  const std::string store = dir + "/missing.db";
  CommandRun run = Canvass("serve --port 0 --store " + store);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_TRUE(Contains(run.out, store + ": no such store")) << run.out;
  EXPECT_TRUE(Contains(run.out, "canvass init")) << run.out;
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "serve created files in " << dir;

  CommandRun reissue = Canvass("credentials reissue --role chair --subject 1 --store " + store);
  EXPECT_EQ(reissue.exit_code, 2) << reissue.out;
  EXPECT_TRUE(Contains(reissue.out, "no such store")) << reissue.out;
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "reissue created files in " << dir;
}

TEST(PlainWordsTest, ServeOnAFileThatIsNotAStoreSaysSo) {
  const std::string dir = FreshDir();
  const std::string csv = dir + "/results.csv";
  const std::string text = "county,precinct,candidate,first,final\nPolk,DM 1,Biden,12,10\n";
  std::ofstream(csv) << text;
  CommandRun run = Canvass("serve --port 0 --store " + csv);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_TRUE(Contains(run.out, csv + " is not a Canvass store")) << run.out;
  EXPECT_FALSE(Contains(run.out, "WAL")) << run.out;
  // Untouched, and nothing beside it.
  EXPECT_EQ(Slurp(csv), text);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);

  CommandRun verify = Canvass("ledger verify --store " + csv);
  EXPECT_EQ(verify.exit_code, 2) << verify.out;
  EXPECT_TRUE(Contains(verify.out, "is not a Canvass store")) << verify.out;
  EXPECT_EQ(Slurp(csv), text);
}

TEST(PlainWordsTest, LedgerVerifyOfAFileThatIsNotAnExportSaysSo) {
  const std::string dir = FreshDir();
  const std::string csv = dir + "/results.csv";
  std::ofstream(csv) << "county,precinct,candidate,first,final\nPolk,DM 1,Biden,12,10\n";
  CommandRun run = Canvass("ledger verify --file " + csv);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_TRUE(Contains(run.out, csv + " is not a ledger export")) << run.out;
  EXPECT_FALSE(Contains(run.out, "DAMAGED")) << run.out;

  // A real export with one line damaged is still reported as damaged (exit 1).
  const std::string store = dir + "/night.db";
  CommandRun init =
      Canvass("init --demo --fast-kdf --operators 1 --store " + store + " --codes-out " + dir +
              "/codes.csv --signing-key-file " + dir + "/night.sign");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  const std::string exported = dir + "/ledger.jsonl";
  ASSERT_EQ(Canvass("ledger export --store " + store + " --out " + exported).exit_code, 0);
  std::string lines = Slurp(exported);
  const size_t second = lines.find('\n') + 1;
  ASSERT_LT(second + 20, lines.size());
  lines[second + 15] = lines[second + 15] == 'x' ? 'y' : 'x';
  const std::string damaged = dir + "/damaged.jsonl";
  std::ofstream(damaged, std::ios::binary) << lines;
  CommandRun bad = Canvass("ledger verify --file " + damaged);
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_TRUE(Contains(bad.out, "DAMAGED")) << bad.out;
}

TEST(PlainWordsTest, AnUnknownCommandIsNamedAndTheCommandsListed) {
  CommandRun top = Canvass("frobnicate --store x.db");
  EXPECT_EQ(top.exit_code, 2) << top.out;
  EXPECT_TRUE(Contains(top.out, "unknown command \"frobnicate\"")) << top.out;
  for (const char* command : {"allocate", "check", "init", "serve", "ledger", "publish"}) {
    EXPECT_TRUE(Contains(top.out, command)) << command << ": " << top.out;
  }
  EXPECT_FALSE(Contains(top.out, "A subcommand is required")) << top.out;

  CommandRun nested = Canvass("ledger veify");
  EXPECT_EQ(nested.exit_code, 2) << nested.out;
  EXPECT_TRUE(Contains(nested.out, "canvass ledger: unknown command \"veify\"")) << nested.out;
  EXPECT_TRUE(Contains(nested.out, "verify, export")) << nested.out;

  // Known commands still parse as before.
  EXPECT_EQ(Canvass("rules list").exit_code, 0);
  EXPECT_EQ(Canvass("rules show iowa-dem-2020").exit_code, 0);
}

}  // namespace
