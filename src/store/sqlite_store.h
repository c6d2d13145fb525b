// SqliteStore: the Store in one SQLite file (private to src/store/; use OpenStore).
//
// Schema (version 1, in meta('schema')):
//   events(seq INTEGER PRIMARY KEY, line TEXT NOT NULL, hash TEXT NOT NULL)
//   blobs(hash TEXT PRIMARY KEY, bytes BLOB NOT NULL)
//   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)   'schema', 'head_seq', 'head_hash'
// The file is in WAL mode with synchronous=FULL, so a committed append survives a power cut, and
// every connection waits up to kBusyTimeoutMs for another process's write lock before it gives
// up with IoError. An append is one BEGIN IMMEDIATE transaction: the write lock is taken before
// anything is read, so the missed events handed to the writer are all of them.
//
// Thread-safety: as Store; one object per thread. Any number of objects and processes may open
// the same file.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

struct sqlite3;

namespace canvass {

class SqliteStore final : public Store {
 public:
  static constexpr int kBusyTimeoutMs = 10'000;

  // Opens `path`, creating the file (with `create`) and the schema when absent. IoError names the
  // path and what failed; FailedPrecondition for a schema version this build does not know;
  // NotFound when the file is absent and not to be created; InvalidArgument for a file that is not
  // a Canvass store (not an SQLite database, an empty file, or a database without Canvass's
  // tables), which is left as it was.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, bool create = true);

  const char* kind() const override { return "sqlite"; }
  Result<std::vector<StoredEvent>> ReadAfter(int64_t after, int64_t limit) override;
  Result<StoreHead> Head() override;
  Result<StoreHead> RecordedHead() override;
  Status Append(int64_t after, const Writer& write) override;
  Status PutBlob(const std::string& sha256_hex, std::string_view bytes) override;
  Status PutBlobs(const std::vector<BlobWrite>& blobs) override;
  Result<std::optional<std::string>> GetBlob(const std::string& sha256_hex) override;

  // For tests: runs SQL on this object's own connection (a PRAGMA on the blobs' one as well), e.g.
  // "PRAGMA max_page_count = 10" to make the disk look full, or "PRAGMA query_only = 1" to make the
  // database look read-only.
  Status ExecForTesting(const std::string& sql);

  struct Closer {
    void operator()(sqlite3* db) const;
  };

 private:
  SqliteStore(std::string path, std::unique_ptr<sqlite3, Closer> db);

  Status Exec(const char* sql, const char* doing);
  Status CreateSchema();
  // InvalidArgument unless the file is empty (with `create`) or holds Canvass's tables.
  Status CheckIsCanvassStore(bool create);
  Status OpenBlobs();
  Result<StoreHead> ReadHead();
  Result<std::vector<StoredEvent>> Read(int64_t after, int64_t limit);
  // The Status for SQLite result code `rc` while `doing`: IoError, Corruption, ...
  // `on`: the connection that failed (default: the ledger's).
  Status Error(int rc, const std::string& doing, sqlite3* on = nullptr) const;

  std::string path_;
  std::string location_;  // "sqlite:" + path_, for messages
  std::unique_ptr<sqlite3, Closer> db_;
  std::unique_ptr<sqlite3, Closer> blobs_;  // <path>-blobs: photos and release files
};

}  // namespace canvass
