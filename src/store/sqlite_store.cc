#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string_view>
#include <thread>
#include <utility>

#include "store/store_checks.h"

namespace canvass {

namespace {

using store_internal::kSchemaVersion;

// Runs `step` (a statement that switches a database to WAL) again while SQLite answers busy or
// locked, for up to the busy timeout: the switch takes the database's exclusive lock, and while
// another connection opening the same new database holds it, SQLite answers at once without
// waiting in the busy handler.
template <typename Step>
int RetryWhileBusy(int timeout_ms, const Step& step) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const int rc = step();
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
        std::chrono::steady_clock::now() >= deadline) {
      return rc;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// A prepared statement, finalized on destruction so that no read snapshot outlives its use.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~Statement() {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
  }

  int Prepare(sqlite3* db, const char* sql) {
    return sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  int BindInt64(int i, int64_t v) { return sqlite3_bind_int64(stmt_, i, v); }
  // A null pointer would bind SQL NULL, so empty values point at a literal.
  int BindText(int i, std::string_view s) {
    return sqlite3_bind_text64(stmt_, i, s.empty() ? "" : s.data(), s.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  }
  int BindBlob(int i, std::string_view s) {
    if (s.empty()) return sqlite3_bind_zeroblob(stmt_, i, 0);
    return sqlite3_bind_blob64(stmt_, i, s.data(), s.size(), SQLITE_TRANSIENT);
  }
  int Step() { return sqlite3_step(stmt_); }
  int Reset() {
    int rc = sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return rc;
  }

  int64_t Int64(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
  }
  std::string Blob(int col) {
    const void* p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Rolls back on destruction unless committed: every early return, including a writer's error,
// leaves nothing behind. SQLite may already have rolled back itself (after SQLITE_FULL, say).
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (!committed_ && sqlite3_get_autocommit(db_) == 0) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  void MarkCommitted() { committed_ = true; }

 private:
  sqlite3* db_;
  bool committed_ = false;
};

// Whether an i/o error is a write that found no room. SQLite turns ENOSPC from its writes into
// SQLITE_FULL but says only "disk I/O error" for EFBIG (past the process's file size limit,
// RLIMIT_FSIZE), EDQUOT, and ENOSPC from fsync or truncate; the errno is the last one recorded on
// the write-ahead log or the database file.
bool NoRoom(int rc, sqlite3* db) {
  if (db == nullptr ||
      (rc != SQLITE_IOERR_WRITE && rc != SQLITE_IOERR_FSYNC && rc != SQLITE_IOERR_TRUNCATE)) {
    return false;
  }
  auto no_room = [](int e) { return e == ENOSPC || e == EFBIG || e == EDQUOT; };
  int e = 0;
  sqlite3_file* wal = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) == SQLITE_OK &&
      wal != nullptr && wal->pMethods != nullptr &&
      wal->pMethods->xFileControl(wal, SQLITE_FCNTL_LAST_ERRNO, &e) == SQLITE_OK && no_room(e)) {
    return true;
  }
  e = 0;
  return sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &e) == SQLITE_OK && no_room(e);
}

}  // namespace

void SqliteStore::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

SqliteStore::SqliteStore(std::string path, std::unique_ptr<sqlite3, Closer> db)
    : path_(std::move(path)), location_("sqlite:" + path_), db_(std::move(db)) {}

Status SqliteStore::Error(int rc, const std::string& doing, sqlite3* on) const {
  sqlite3* db = on != nullptr ? on : db_.get();
  std::string detail = location_ + ": " + doing + ": ";
  detail += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::IoError("the database is full: " + detail);
    case SQLITE_IOERR:
      if (NoRoom(rc, db)) {
        return Status::IoError(
            std::string("the database is full: the disk is full or the file size limit was "
                        "reached: ")
                .append(detail));
      }
      return Status::IoError(detail);
    case SQLITE_READONLY:
      return Status::IoError("the database is read-only: " + detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::IoError("the database is busy (another writer held it for more than " +
                             std::to_string(kBusyTimeoutMs / 1000) + " s): " + detail);
    case SQLITE_TOOBIG:
      return Status::InvalidArgument(detail);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(detail);
    default:
      return Status::IoError(detail);
  }
}

Status SqliteStore::Exec(const char* sql, const char* doing) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, doing);
  return Status::Ok();
}

Status SqliteStore::ExecForTesting(const std::string& sql) {
  CANVASS_RETURN_IF_ERROR(Exec(sql.c_str(), "running a test statement"));
  if (sql.rfind("PRAGMA", 0) != 0) return Status::Ok();  // tables are the ledger file's
  const int rc = sqlite3_exec(blobs_.get(), sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "running a test statement", blobs_.get());
  return Status::Ok();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, bool create) {
  // What is at `path` is looked at before SQLite opens it: a missing store is not created unless
  // asked, and a file that is not an SQLite database (a CSV, a ledger export) is named as such
  // instead of failing later with "file is not a database".
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create) return Status::NotFound(path + ": no such store");
  } else if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(path + " is a directory, not a Canvass store");
  } else {
    std::ifstream file(path, std::ios::binary);
    std::array<char, 16> header{};
    file.read(header.data(), header.size());
    const std::streamsize n = file.gcount();
    constexpr std::string_view kSqliteHeader("SQLite format 3\0", 16);
    if (n == 0 && !create) {
      return Status::InvalidArgument(path + " is not a Canvass store: the file is empty");
    }
    if (n > 0 && std::string_view(header.data(), static_cast<size_t>(n)) != kSqliteHeader) {
      return Status::InvalidArgument(path +
                                     " is not a Canvass store: the file is not an SQLite database");
    }
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // Even a failed open may hand back a handle that needs closing.
  std::unique_ptr<sqlite3, Closer> db(raw);
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, std::move(db)));
  if (rc != SQLITE_OK) return store->Error(rc, "cannot open");
  sqlite3_extended_result_codes(store->db_.get(), 1);
  sqlite3_busy_timeout(store->db_.get(), kBusyTimeoutMs);
  // Before anything is written (the journal mode is): another program's database stays as it is.
  CANVASS_RETURN_IF_ERROR(store->CheckIsCanvassStore(create));

  {
    Statement wal;
    rc = RetryWhileBusy(kBusyTimeoutMs, [&] {
      wal = Statement();
      int step = wal.Prepare(store->db_.get(), "PRAGMA journal_mode = WAL");
      if (step == SQLITE_OK) step = wal.Step();
      return step;
    });
    if (rc != SQLITE_ROW) return store->Error(rc, "cannot switch to WAL journal mode");
    if (wal.Text(0) != "wal") {
      return Status::IoError(store->location_ + ": cannot switch to WAL journal mode (still \"" +
                             wal.Text(0) + "\")");
    }
  }
  CANVASS_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous = FULL", "cannot set synchronous"));
  CANVASS_RETURN_IF_ERROR(store->CreateSchema());
  CANVASS_RETURN_IF_ERROR(store->OpenBlobs());
  return store;
}

// Blobs (photos, release files of several MB) live in a file of their own beside the ledger,
// `<path>-blobs`, with its own write lock and write-ahead log: storing a release's files never
// holds up a report's append, and their checkpoints are not run by the appending connection.
Status SqliteStore::OpenBlobs() {
  const std::string path = path_ + "-blobs";
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  blobs_.reset(raw);
  if (rc != SQLITE_OK) return Error(rc, "cannot open " + path, blobs_.get());
  sqlite3_extended_result_codes(blobs_.get(), 1);
  sqlite3_busy_timeout(blobs_.get(), kBusyTimeoutMs);
  for (const char* sql : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                          "CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, bytes BLOB "
                          "NOT NULL)"}) {
    rc = RetryWhileBusy(kBusyTimeoutMs,
                        [&] { return sqlite3_exec(blobs_.get(), sql, nullptr, nullptr, nullptr); });
    if (rc != SQLITE_OK) return Error(rc, "setting up " + path, blobs_.get());
  }
  return Status::Ok();
}

Status SqliteStore::CheckIsCanvassStore(bool create) {
  Statement s;
  int rc = s.Prepare(db_.get(),
                     "SELECT count(*), coalesce(sum(name = 'meta'), 0) FROM sqlite_master "
                     "WHERE type = 'table'");
  if (rc == SQLITE_OK) rc = s.Step();
  if ((rc & 0xff) == SQLITE_NOTADB) {
    return Status::InvalidArgument(path_ +
                                   " is not a Canvass store: the file is not an SQLite database");
  }
  if (rc != SQLITE_ROW) return Error(rc, "reading the list of tables");
  const int64_t tables = s.Int64(0);
  const int64_t meta = s.Int64(1);
  if (tables > 0 && meta == 0) {
    return Status::InvalidArgument(
        path_ + " is not a Canvass store: an SQLite database without Canvass's tables");
  }
  if (tables == 0 && !create) {
    return Status::InvalidArgument(path_ + " is not a Canvass store: an empty SQLite database");
  }
  return Status::Ok();
}

Status SqliteStore::CreateSchema() {
  // Read first, so that an existing store opens without taking the write lock.
  std::string version;
  {
    Statement read;
    if (read.Prepare(db_.get(), "SELECT value FROM meta WHERE key = 'schema'") == SQLITE_OK &&
        read.Step() == SQLITE_ROW) {
      version = read.Text(0);
    }
  }
  if (version.empty()) {
    CANVASS_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "creating the schema"));
    Transaction txn(db_.get());
    CANVASS_RETURN_IF_ERROR(
        Exec("CREATE TABLE IF NOT EXISTS events ("
             "  seq INTEGER PRIMARY KEY, line TEXT NOT NULL, hash TEXT NOT NULL);"
             "CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, bytes BLOB NOT NULL);"
             "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
             "creating the schema"));
    Statement insert;
    int rc = insert.Prepare(db_.get(),
                            "INSERT INTO meta (key, value) VALUES ('schema', ?1) "
                            "ON CONFLICT (key) DO NOTHING");
    if (rc == SQLITE_OK) rc = insert.BindText(1, kSchemaVersion);
    if (rc == SQLITE_OK) rc = insert.Step();
    if (rc != SQLITE_DONE) return Error(rc, "creating the schema");
    Statement read;
    rc = read.Prepare(db_.get(), "SELECT value FROM meta WHERE key = 'schema'");
    if (rc == SQLITE_OK) rc = read.Step();
    if (rc != SQLITE_ROW) return Error(rc, "reading the schema version");
    version = read.Text(0);
    CANVASS_RETURN_IF_ERROR(Exec("COMMIT", "creating the schema"));
    txn.MarkCommitted();
  }
  if (version != kSchemaVersion) {
    return Status::FailedPrecondition(location_ + ": the store has schema version \"" + version +
                                      "\"; this build knows only version " +
                                      std::string(kSchemaVersion));
  }
  return Status::Ok();
}

Result<StoreHead> SqliteStore::ReadHead() {
  Statement s;
  int rc = s.Prepare(db_.get(), "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
  if (rc == SQLITE_OK) rc = s.Step();
  StoreHead head;
  if (rc == SQLITE_ROW) {
    head.seq = s.Int64(0);
    head.hash = s.Text(1);
  } else if (rc != SQLITE_DONE) {
    return Error(rc, "reading the head");
  }
  return head;
}

Result<std::vector<StoredEvent>> SqliteStore::Read(int64_t after, int64_t limit) {
  Statement s;
  int rc = s.Prepare(db_.get(),
                     "SELECT seq, line, hash FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (rc == SQLITE_OK) rc = s.BindInt64(1, after);
  if (rc == SQLITE_OK) rc = s.BindInt64(2, limit);
  if (rc != SQLITE_OK) return Error(rc, "reading events");
  std::vector<StoredEvent> events;
  while ((rc = s.Step()) == SQLITE_ROW) {
    events.push_back(StoredEvent{s.Int64(0), s.Text(1), s.Text(2)});
  }
  if (rc != SQLITE_DONE) return Error(rc, "reading events");
  return events;
}

Result<std::vector<StoredEvent>> SqliteStore::ReadAfter(int64_t after, int64_t limit) {
  CANVASS_RETURN_IF_ERROR(store_internal::CheckLimit(location_, limit));
  return Read(after, limit);
}

Result<StoreHead> SqliteStore::Head() { return ReadHead(); }

Result<StoreHead> SqliteStore::RecordedHead() {
  Statement s;
  int rc =
      s.Prepare(db_.get(), "SELECT key, value FROM meta WHERE key IN ('head_seq', 'head_hash')");
  if (rc != SQLITE_OK) return Error(rc, "reading the recorded head");
  StoreHead head;
  std::string seq_text;
  while ((rc = s.Step()) == SQLITE_ROW) {
    (s.Text(0) == "head_seq" ? seq_text : head.hash) = s.Text(1);
  }
  if (rc != SQLITE_DONE) return Error(rc, "reading the recorded head");
  if (!seq_text.empty() && !store_internal::ParseInt64(seq_text, &head.seq)) {
    return Status::Corruption(location_ + ": meta head_seq \"" + seq_text + "\" is not an integer");
  }
  return head;
}

Status SqliteStore::Append(int64_t after, const Writer& write) {
  // IMMEDIATE takes the write lock now, so the reads below see every committed event and no one
  // can append between them and our insert.
  CANVASS_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "taking the write lock"));
  Transaction txn(db_.get());

  Result<StoreHead> head = ReadHead();
  if (!head.ok()) return head.status();
  CANVASS_RETURN_IF_ERROR(store_internal::CheckAfter(location_, after, head->seq));
  Result<std::vector<StoredEvent>> missed = Read(after, std::numeric_limits<int64_t>::max());
  if (!missed.ok()) return missed.status();

  Result<std::vector<StoredEvent>> events = write(*missed);
  if (!events.ok()) return events.status();
  CANVASS_RETURN_IF_ERROR(store_internal::CheckContinues(location_, head->seq, *events));
  if (events->empty()) return Status::Ok();  // nothing to commit; the guard ends the transaction

  Statement insert;
  int rc = insert.Prepare(db_.get(), "INSERT INTO events (seq, line, hash) VALUES (?1, ?2, ?3)");
  if (rc != SQLITE_OK) return Error(rc, "appending");
  for (const StoredEvent& e : *events) {
    rc = insert.BindInt64(1, e.seq);
    if (rc == SQLITE_OK) rc = insert.BindText(2, e.line);
    if (rc == SQLITE_OK) rc = insert.BindText(3, e.hash);
    if (rc == SQLITE_OK) rc = insert.Step();
    if (rc != SQLITE_DONE) return Error(rc, "appending event " + std::to_string(e.seq));
    insert.Reset();
  }

  Statement meta;
  rc = meta.Prepare(db_.get(),
                    "INSERT INTO meta (key, value) VALUES ('head_seq', ?1), ('head_hash', ?2) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (rc == SQLITE_OK) rc = meta.BindText(1, std::to_string(events->back().seq));
  if (rc == SQLITE_OK) rc = meta.BindText(2, events->back().hash);
  if (rc == SQLITE_OK) rc = meta.Step();
  if (rc != SQLITE_DONE) return Error(rc, "recording the head");

  CANVASS_RETURN_IF_ERROR(Exec("COMMIT", "committing the append"));
  txn.MarkCommitted();
  return Status::Ok();
}

Status SqliteStore::PutBlob(const std::string& sha256_hex, std::string_view bytes) {
  CANVASS_RETURN_IF_ERROR(store_internal::CheckBlobHash(location_, sha256_hex, bytes));
  Statement s;
  int rc =
      s.Prepare(blobs_.get(),
                "INSERT INTO blobs (hash, bytes) VALUES (?1, ?2) ON CONFLICT (hash) DO NOTHING");
  if (rc == SQLITE_OK) rc = s.BindText(1, sha256_hex);
  if (rc == SQLITE_OK) rc = s.BindBlob(2, bytes);
  if (rc == SQLITE_OK) rc = s.Step();
  if (rc != SQLITE_DONE) return Error(rc, "storing blob " + sha256_hex, blobs_.get());
  return Status::Ok();
}

Status SqliteStore::PutBlobs(const std::vector<BlobWrite>& blobs) {
  for (const BlobWrite& b : blobs) {
    CANVASS_RETURN_IF_ERROR(store_internal::CheckBlobHash(location_, b.sha256_hex, b.bytes));
  }
  if (blobs.empty()) return Status::Ok();
  sqlite3* db = blobs_.get();
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "storing blobs", db);
  Status st = Status::Ok();
  {
    Statement s;
    rc = s.Prepare(db,
                   "INSERT INTO blobs (hash, bytes) VALUES (?1, ?2) ON CONFLICT (hash) DO NOTHING");
    if (rc != SQLITE_OK) st = Error(rc, "storing blobs", db);
    for (size_t i = 0; st.ok() && i < blobs.size(); ++i) {
      if (i > 0) rc = s.Reset();
      if (rc == SQLITE_OK) rc = s.BindText(1, blobs[i].sha256_hex);
      if (rc == SQLITE_OK) rc = s.BindBlob(2, blobs[i].bytes);
      if (rc == SQLITE_OK) rc = s.Step();
      if (rc != SQLITE_DONE) st = Error(rc, "storing blob " + blobs[i].sha256_hex, db);
    }
  }
  if (st.ok()) {
    rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return Status::Ok();
    st = Error(rc, "committing blobs", db);
  }
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  return st;
}

Result<std::optional<std::string>> SqliteStore::GetBlob(const std::string& sha256_hex) {
  // The blob file first; then the ledger file's own table, where stores made before the blob
  // file existed keep theirs.
  for (sqlite3* db : {blobs_.get(), db_.get()}) {
    Statement s;
    int rc = s.Prepare(db, "SELECT bytes FROM blobs WHERE hash = ?1");
    if (rc == SQLITE_OK) rc = s.BindText(1, sha256_hex);
    if (rc == SQLITE_OK) rc = s.Step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(s.Blob(0));
    if (rc != SQLITE_DONE) return Error(rc, "reading blob " + sha256_hex, db);
  }
  return std::optional<std::string>();
}

}  // namespace canvass
