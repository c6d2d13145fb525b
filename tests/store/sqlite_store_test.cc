// What only the SQLite backend has: a file path, WAL mode, and a disk that can fill up (made
// deterministic with PRAGMA max_page_count on the store's own connection).
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/sha256.h"
#include "store_backends.h"

namespace canvass {
namespace {

using testing_store::AppendTexts;
using testing_store::SqliteBackend;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(backend_.Prepare().ok()); }
  std::string path() const { return backend_.dir() + "/ledger.db"; }

  SqliteBackend backend_;
};

TEST_F(SqliteStoreTest, OpenStoreTakesPrefixedAndPlainPaths) {
  auto prefixed = OpenStore("sqlite:" + path());
  ASSERT_TRUE(prefixed.ok()) << prefixed.status().ToString();
  EXPECT_STREQ((*prefixed)->kind(), "sqlite");
  ASSERT_TRUE(AppendTexts(**prefixed, {"a"}).ok());

  auto plain = OpenStore(path());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_STREQ((*plain)->kind(), "sqlite");
  auto head = (*plain)->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 1);

  auto empty = OpenStore("sqlite:");
  EXPECT_EQ(empty.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(SqliteStoreTest, UnopenableFileNamesThePath) {
  std::string missing = backend_.dir() + "/no/such/dir/ledger.db";
  auto store = OpenStore("sqlite:" + missing);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kIoError);
  EXPECT_NE(store.status().message().find(missing), std::string::npos) << store.status().message();

  std::string junk = backend_.dir() + "/junk.db";
  std::ofstream(junk) << std::string(8192, 'x');
  store = OpenStore(junk);
  ASSERT_FALSE(store.ok());
  // Bad input, not damage: a file that is not a database is refused as not a Canvass store.
  EXPECT_EQ(store.status().code(), Status::Code::kInvalidArgument) << store.status().ToString();
  EXPECT_NE(store.status().message().find(junk + " is not a Canvass store"), std::string::npos)
      << store.status().message();
}

TEST_F(SqliteStoreTest, FileIsInWalModeWithTheDocumentedSchema) {
  {
    auto store = OpenStore(path());
    ASSERT_TRUE(store.ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto one = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        if (!out.empty()) out += ",";
        out += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      }
    }
    sqlite3_finalize(s);
    return out;
  };
  EXPECT_EQ(one("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(one("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
            "blobs,events,meta");
  EXPECT_EQ(one("SELECT value FROM meta WHERE key = 'schema'"), "1");
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, FullDiskIsAnIoErrorThatWritesNothingAndPasses) {
  auto opened = SqliteStore::Open(path());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteStore& store = **opened;
  ASSERT_TRUE(AppendTexts(store, {"a", "b"}).ok());
  auto before = store.RecordedHead();
  ASSERT_TRUE(before.ok());

  // The limit cannot go below the current size, so this caps the file where it is now.
  ASSERT_TRUE(store.ExecForTesting("PRAGMA max_page_count = 1").ok());
  const std::string big(100'000, 'x');
  Status st = AppendTexts(store, {big});
  EXPECT_EQ(st.code(), Status::Code::kIoError) << st.ToString();
  EXPECT_NE(st.message().find("the database is full"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(path()), std::string::npos) << st.message();
  st = store.PutBlob(Sha256Hex(big), big);
  EXPECT_EQ(st.code(), Status::Code::kIoError) << st.ToString();

  // Nothing was written, as another connection sees it.
  {
    auto other = OpenStore(path());
    ASSERT_TRUE(other.ok());
    auto events = (*other)->ReadAfter(0, 10);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 2u);
    auto recorded = (*other)->RecordedHead();
    ASSERT_TRUE(recorded.ok());
    EXPECT_EQ(recorded->seq, before->seq);
    EXPECT_EQ(recorded->hash, before->hash);
    auto blob = (*other)->GetBlob(Sha256Hex(big));
    ASSERT_TRUE(blob.ok());
    EXPECT_FALSE(blob->has_value());
  }

  // Room again: the same store object appends.
  ASSERT_TRUE(store.ExecForTesting("PRAGMA max_page_count = 1073741823").ok());
  st = AppendTexts(store, {big});
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(store.PutBlob(Sha256Hex(big), big).ok());
  auto head = store.Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 3);
}

TEST_F(SqliteStoreTest, ABusyWriterIsWaitedFor) {
  auto store = OpenStore(path());
  ASSERT_TRUE(store.ok());
  // Another connection holds the write lock for a moment; the append waits instead of failing.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread release([db] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  });
  Status st = AppendTexts(**store, {"a"});
  release.join();
  sqlite3_close(db);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

// Blobs live in `<path>-blobs`: a writer holding that file's lock (a release's files being
// stored) does not hold up an append to the ledger, and blobs stored in the ledger file by
// earlier versions are still found.
TEST_F(SqliteStoreTest, BlobsHaveAFileOfTheirOwn) {
  auto opened = SqliteStore::Open(path());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteStore& store = **opened;
  const std::string photo = "\xFF\xD8\xFF photo bytes";
  ASSERT_TRUE(store.PutBlob(Sha256Hex(photo), photo).ok());

  sqlite3* blobs = nullptr;
  ASSERT_EQ(sqlite3_open_v2((path() + "-blobs").c_str(), &blobs, SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(blobs, "SELECT count(*) FROM blobs", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 1);
  sqlite3_finalize(s);

  // Another writer holds the blob file's write lock; the ledger still appends (no busy wait:
  // the busy timeout is 10 s, and a waiting append would take that long and fail).
  ASSERT_EQ(sqlite3_exec(blobs, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto began = std::chrono::steady_clock::now();
  Status st = AppendTexts(store, {"a"});
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - began,
            std::chrono::seconds(SqliteStore::kBusyTimeoutMs / 1000));
  ASSERT_EQ(sqlite3_exec(blobs, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blobs);

  // A blob in the ledger file's own table (as stores made before the blob file keep them).
  sqlite3* ledger = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path().c_str(), &ledger, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  const std::string old = "an old photo";
  const std::string sql = "INSERT INTO blobs (hash, bytes) VALUES ('" + Sha256Hex(old) +
                          "', x'616e206f6c642070686f746f')";
  ASSERT_EQ(sqlite3_exec(ledger, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(ledger);
  auto found = store.GetBlob(Sha256Hex(old));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, old);
  auto mine = store.GetBlob(Sha256Hex(photo));
  ASSERT_TRUE(mine.ok() && mine->has_value());
  EXPECT_EQ(**mine, photo);
}

}  // namespace
}  // namespace canvass
