// The intake's rebuild from its store is the one replay (state/replay.h): a server opens a sound
// ledger at its head, and refuses, naming the event, a store whose line was changed under it
// (a server that extended such a ledger would chain new events to a hash no line has).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "intake/intake.h"
#include "ledger/chain.h"
#include "store/store.h"

namespace canvass {
namespace {

using ::testing::StartsWith;

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "canvass-intake-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// docs/example-ledger.jsonl in a SQLite store at `path`.
std::vector<StoredEvent> WriteExample(const std::string& path) {
  std::ifstream in(std::string(CANVASS_DATA_DIR) + "/../docs/example-ledger.jsonl",
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<StoredEvent> rows = ReadJsonLines(text.str());
  EXPECT_EQ(rows.size(), 20u);
  auto store = OpenStore(path, true);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return rows;
  Status appended = (*store)->Append(
      0, [&](const std::vector<StoredEvent>&) -> Result<std::vector<StoredEvent>> { return rows; });
  EXPECT_TRUE(appended.ok()) << appended.ToString();
  return rows;
}

void Execute(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(IntakeReplayTest, OpensASoundLedgerAtItsHead) {
  TempDir dir;
  const std::string path = dir.path() + "/canvass.db";
  const std::vector<StoredEvent> rows = WriteExample(path);
  auto intake = Intake::Open(path);
  ASSERT_TRUE(intake.ok()) << intake.status().ToString();
  const auto head = (*intake)->Read([](const ElectionState& s) {
    return StoreHead{s.seq(), s.head_hash()};
  });
  EXPECT_EQ(head.seq, 20);
  EXPECT_EQ(head.hash, rows.back().hash);
}

TEST(IntakeReplayTest, RefusesALineChangedInTheStore) {
  TempDir dir;
  const std::string path = dir.path() + "/canvass.db";
  WriteExample(path);
  // Precinct 1's first alignment with Sanders 11 instead of 10: the line still decodes and
  // would apply; only its hash shows the change.
  Execute(path,
          "UPDATE events SET line = replace(line, '\"Sanders\":10,', '\"Sanders\":11,') "
          "WHERE seq = 10");
  auto intake = Intake::Open(path);
  ASSERT_FALSE(intake.ok());
  EXPECT_EQ(intake.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(intake.status().message(),
              StartsWith("the ledger is damaged at event 10: hash-mismatch: the line of event 10 "
                         "hashes to "));
}

TEST(IntakeReplayTest, RefusesAStoreCutShortOfItsRecordedHead) {
  TempDir dir;
  const std::string path = dir.path() + "/canvass.db";
  WriteExample(path);
  Execute(path, "DELETE FROM events WHERE seq > 17");
  auto intake = Intake::Open(path);
  ASSERT_FALSE(intake.ok());
  EXPECT_EQ(intake.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(intake.status().message(),
              StartsWith("the ledger is damaged at event 18: truncated: the ledger ends after "
                         "event 17, but the store's recorded head is event 20"));
}

}  // namespace
}  // namespace canvass
