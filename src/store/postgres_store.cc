#include "store/postgres_store.h"

#include <dlfcn.h>
#include <libpq-fe.h>

#include <cassert>
#include <type_traits>

#include <limits>
#include <utility>

#include "store/store_checks.h"

namespace canvass {

namespace {

using store_internal::kSchemaVersion;

// libpq is opened when a PostgreSQL store is first opened, not at process start: it brings some
// twenty libraries (Kerberos, LDAP, GnuTLS, ...) whose loading and ~8,000 relocations were the
// larger part of starting any canvass command, `canvass check` included (docs/performance.md).
struct LibPq {
  decltype(&::PQbackendPID) backendPID;
  decltype(&::PQclear) clear;
  decltype(&::PQcmdStatus) cmdStatus;
  decltype(&::PQconnectdb) connectdb;
  decltype(&::PQdb) db;
  decltype(&::PQerrorMessage) errorMessage;
  decltype(&::PQexec) exec;
  decltype(&::PQexecParams) execParams;
  decltype(&::PQfinish) finish;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQgetlength) getlength;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQhost) host;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQport) port;
  decltype(&::PQreset) reset;
  decltype(&::PQresultErrorField) resultErrorField;
  decltype(&::PQresultStatus) resultStatus;
  decltype(&::PQsetClientEncoding) setClientEncoding;
  decltype(&::PQsetNoticeProcessor) setNoticeProcessor;
  decltype(&::PQstatus) status;
  decltype(&::PQtransactionStatus) transactionStatus;
  decltype(&::PQuser) user;
};

// Loaded once; `error` says why not (no libpq.so.5, a missing symbol).
const LibPq* LoadLibPq(std::string* error) {
  static std::string failure;
  static const LibPq* loaded = []() -> const LibPq* {
    void* handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      failure = std::string("cannot load the PostgreSQL client library libpq.so.5: ") +
                (why != nullptr ? why : "unknown error");
      return nullptr;
    }
    static LibPq lib;
    bool complete = true;
    auto Load = [&](auto& fn, const char* name) {
      void* symbol = dlsym(handle, name);
      if (symbol == nullptr) {
        if (complete) failure = std::string("libpq.so.5 has no ") + name;
        complete = false;
      }
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(symbol);
    };
    Load(lib.backendPID, "PQbackendPID");
    Load(lib.clear, "PQclear");
    Load(lib.cmdStatus, "PQcmdStatus");
    Load(lib.connectdb, "PQconnectdb");
    Load(lib.db, "PQdb");
    Load(lib.errorMessage, "PQerrorMessage");
    Load(lib.exec, "PQexec");
    Load(lib.execParams, "PQexecParams");
    Load(lib.finish, "PQfinish");
    Load(lib.getisnull, "PQgetisnull");
    Load(lib.getlength, "PQgetlength");
    Load(lib.getvalue, "PQgetvalue");
    Load(lib.host, "PQhost");
    Load(lib.ntuples, "PQntuples");
    Load(lib.port, "PQport");
    Load(lib.reset, "PQreset");
    Load(lib.resultErrorField, "PQresultErrorField");
    Load(lib.resultStatus, "PQresultStatus");
    Load(lib.setClientEncoding, "PQsetClientEncoding");
    Load(lib.setNoticeProcessor, "PQsetNoticeProcessor");
    Load(lib.status, "PQstatus");
    Load(lib.transactionStatus, "PQtransactionStatus");
    Load(lib.user, "PQuser");
    return complete ? &lib : nullptr;
  }();
  if (loaded == nullptr && error != nullptr) *error = failure;
  return loaded;
}

// Every call below runs on a connection, which Open made only after LoadLibPq succeeded.
const LibPq& Pq() {
  const LibPq* lib = LoadLibPq(nullptr);
  assert(lib != nullptr);
  return *lib;
}

// Advisory lock keys: 'CVSS' in the high half; the low half is 0 while creating the schema and
// the events table's oid for appends, so stores in different schemas of one database do not
// wait for each other.
constexpr int64_t kSchemaLockKey = int64_t{0x43565353} << 32;

struct ResultCloser {
  void operator()(PGresult* r) const { Pq().clear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultCloser>;

// One query parameter: integers travel as decimal text, strings and bytes as binary (raw bytes
// with a length, so nothing is cut at a NUL and the server checks the encoding of text).
struct Param {
  std::string bytes;
  int format;
};
Param IntParam(int64_t v) { return Param{std::to_string(v), 0}; }
Param BytesParam(std::string_view s) { return Param{std::string(s), 1}; }

// libpq's messages end in a newline and may span lines; a Status message is one line.
std::string OneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Status PgError(PGconn* conn, const PGresult* res, const std::string& location,
               const std::string& doing) {
  const char* state = res != nullptr ? Pq().resultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary =
      res != nullptr ? Pq().resultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = OneLine(primary != nullptr ? primary : Pq().errorMessage(conn));
  if (message.empty()) message = "unknown error";
  std::string detail = location + ": " + doing + ": " + message;
  std::string_view code = state != nullptr ? state : "";
  if (Pq().status(conn) == CONNECTION_BAD || StartsWith(code, "08") || StartsWith(code, "57P")) {
    return Status::IoError("the database is unreachable: " + detail);
  }
  if (code == "53100") return Status::IoError("the database is full: " + detail);
  if (code == "25006") return Status::IoError("the database is read-only: " + detail);
  if (StartsWith(code, "22")) return Status::InvalidArgument(detail);
  if (code == "23505") return Status::FailedPrecondition(detail);
  if (StartsWith(code, "XX")) return Status::Corruption(detail);
  return Status::IoError(detail);
}

Result<PgResult> Run(PGconn* conn, const std::string& location, const char* sql,
                     const std::vector<Param>& params, const std::string& doing,
                     int result_format = 0) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const Param& p : params) {
    // libpq takes lengths as int; the server's own limit (1 GB a value) is lower still.
    if (p.bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
      return Status::InvalidArgument(location + ": " + doing + ": a value of " +
                                     std::to_string(p.bytes.size()) + " bytes is too large");
    }
    values.push_back(p.bytes.c_str());
    lengths.push_back(static_cast<int>(p.bytes.size()));
    formats.push_back(p.format);
  }
  PgResult res(Pq().execParams(conn, sql, static_cast<int>(params.size()), nullptr, values.data(),
                               lengths.data(), formats.data(), result_format));
  ExecStatusType st = res != nullptr ? Pq().resultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
  return PgError(conn, res.get(), location, doing);
}

std::string Value(const PGresult* res, int row, int col) {
  return std::string(Pq().getvalue(res, row, col), Pq().getlength(res, row, col));
}

Status Int64Value(const PGresult* res, int row, int col, const std::string& location,
                  int64_t* out) {
  std::string text = Value(res, row, col);
  if (!store_internal::ParseInt64(text, out)) {
    return Status::Corruption(location + ": \"" + text + "\" is not an integer");
  }
  return Status::Ok();
}

// Rolls back on destruction unless committed, when the connection still has a transaction open.
class Transaction {
 public:
  explicit Transaction(PGconn* conn) : conn_(conn) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (!committed_ && Pq().status(conn_) == CONNECTION_OK &&
        Pq().transactionStatus(conn_) != PQTRANS_IDLE) {
      Pq().clear(Pq().exec(conn_, "ROLLBACK"));
    }
  }
  void MarkCommitted() { committed_ = true; }

 private:
  PGconn* conn_;
  bool committed_ = false;
};

void IgnoreNotice(void*, const char*) {}

}  // namespace

void PostgresStore::Closer::operator()(pg_conn* conn) const { Pq().finish(conn); }

PostgresStore::PostgresStore(std::string location, std::unique_ptr<pg_conn, Closer> conn)
    : location_(std::move(location)), conn_(std::move(conn)) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& conninfo) {
  std::string why;
  if (LoadLibPq(&why) == nullptr) return Status::IoError("postgresql: " + why);
  std::unique_ptr<pg_conn, Closer> conn(Pq().connectdb(conninfo.c_str()));
  if (conn == nullptr) return Status::IoError("postgresql: out of memory while connecting");
  // Named from what libpq resolved (defaults and environment included), never with a password.
  std::string location = "postgresql://";
  if (const char* user = Pq().user(conn.get()); user != nullptr && *user != '\0') {
    location += std::string(user) + "@";
  }
  if (const char* host = Pq().host(conn.get()); host != nullptr) location += host;
  if (const char* port = Pq().port(conn.get()); port != nullptr && *port != '\0') {
    location += std::string(":") + port;
  }
  if (const char* db = Pq().db(conn.get()); db != nullptr) location += std::string("/") + db;
  if (Pq().status(conn.get()) != CONNECTION_OK) {
    return Status::IoError("the database is unreachable: " + location +
                           ": cannot connect: " + OneLine(Pq().errorMessage(conn.get())));
  }
  Pq().setNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(location), std::move(conn)));
  CANVASS_RETURN_IF_ERROR(store->PrepareSession());
  CANVASS_RETURN_IF_ERROR(store->CreateSchema());
  return store;
}

Status PostgresStore::PrepareSession() {
  if (Pq().setClientEncoding(conn_.get(), "UTF8") != 0) {
    return PgError(conn_.get(), nullptr, location_, "setting the client encoding");
  }
  // A committed append must be on the server's disk, whatever the server's default says.
  auto sync =
      Run(conn_.get(), location_, "SET synchronous_commit = on", {}, "preparing the session");
  if (!sync.ok()) return sync.status();
  return Status::Ok();
}

Status PostgresStore::EnsureConnected() {
  if (Pq().status(conn_.get()) == CONNECTION_OK) return Status::Ok();
  Pq().reset(conn_.get());
  if (Pq().status(conn_.get()) != CONNECTION_OK) {
    return Status::IoError("the database is unreachable: " + location_ +
                           ": cannot reconnect: " + OneLine(Pq().errorMessage(conn_.get())));
  }
  return PrepareSession();
}

bool PostgresStore::ResetIfBroken() {
  if (Pq().status(conn_.get()) == CONNECTION_OK) return false;
  return EnsureConnected().ok();
}

Status PostgresStore::CreateSchema() {
  PGconn* c = conn_.get();
  // Read first, so that an existing schema opens without any DDL (a read-only role can read).
  // Asking to_regclass first keeps a new database's server log free of "does not exist" errors.
  std::string version;
  {
    auto exists =
        Run(c, location_, "SELECT to_regclass('meta') IS NOT NULL", {}, "looking for the schema");
    if (!exists.ok()) return exists.status();
    if (Value(exists->get(), 0, 0) == "t") {
      auto read = Run(c, location_, "SELECT value FROM meta WHERE key = 'schema'", {},
                      "reading the schema");
      if (!read.ok()) return read.status();
      if (Pq().ntuples(read->get()) == 1) version = Value(read->get(), 0, 0);
    }
  }
  if (version.empty()) {
    auto begin = Run(c, location_, "BEGIN", {}, "creating the schema");
    if (!begin.ok()) return begin.status();
    Transaction txn(c);
    // Two nodes starting at once would otherwise race in CREATE TABLE IF NOT EXISTS.
    struct Step {
      const char* sql;
      std::vector<Param> params;
    };
    const Step steps[] = {
        {"SELECT pg_advisory_xact_lock($1)", {IntParam(kSchemaLockKey)}},
        {"CREATE TABLE IF NOT EXISTS events ("
         "seq BIGINT PRIMARY KEY, line TEXT NOT NULL, hash TEXT NOT NULL)",
         {}},
        {"CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, bytes BYTEA NOT NULL)", {}},
        {"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", {}},
        {"INSERT INTO meta (key, value) VALUES ('schema', $1) ON CONFLICT (key) DO NOTHING",
         {BytesParam(kSchemaVersion)}},
    };
    for (const Step& step : steps) {
      auto r = Run(c, location_, step.sql, step.params, "creating the schema");
      if (!r.ok()) return r.status();
    }
    auto read =
        Run(c, location_, "SELECT value FROM meta WHERE key = 'schema'", {}, "reading the schema");
    if (!read.ok()) return read.status();
    if (Pq().ntuples(read->get()) == 1) version = Value(read->get(), 0, 0);
    auto commit = Run(c, location_, "COMMIT", {}, "creating the schema");
    if (!commit.ok()) return commit.status();
    txn.MarkCommitted();
  }
  if (version != kSchemaVersion) {
    return Status::FailedPrecondition(location_ + ": the store has schema version \"" + version +
                                      "\"; this build knows only version " +
                                      std::string(kSchemaVersion));
  }
  auto oid =
      Run(c, location_, "SELECT to_regclass('events')::oid::int8", {}, "finding the events table");
  if (!oid.ok()) return oid.status();
  int64_t events_oid = 0;
  if (Pq().ntuples(oid->get()) != 1 || Pq().getisnull(oid->get(), 0, 0)) {
    return Status::IoError(location_ + ": table events is not on the search_path");
  }
  CANVASS_RETURN_IF_ERROR(Int64Value(oid->get(), 0, 0, location_, &events_oid));
  append_lock_ = kSchemaLockKey | events_oid;
  return Status::Ok();
}

Result<StoreHead> PostgresStore::ReadHead() {
  auto r = Run(conn_.get(), location_, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", {},
               "reading the head");
  if (!r.ok()) return r.status();
  StoreHead head;
  if (Pq().ntuples(r->get()) == 1) {
    CANVASS_RETURN_IF_ERROR(Int64Value(r->get(), 0, 0, location_, &head.seq));
    head.hash = Value(r->get(), 0, 1);
  }
  return head;
}

Result<std::vector<StoredEvent>> PostgresStore::Read(int64_t after, int64_t limit) {
  auto r = Run(conn_.get(), location_,
               "SELECT seq, line, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
               {IntParam(after), IntParam(limit)}, "reading events");
  if (!r.ok()) return r.status();
  std::vector<StoredEvent> events;
  int n = Pq().ntuples(r->get());
  events.reserve(n);
  for (int i = 0; i < n; ++i) {
    StoredEvent e;
    CANVASS_RETURN_IF_ERROR(Int64Value(r->get(), i, 0, location_, &e.seq));
    e.line = Value(r->get(), i, 1);
    e.hash = Value(r->get(), i, 2);
    events.push_back(std::move(e));
  }
  return events;
}

Result<StoreHead> PostgresStore::ReadRecordedHead() {
  auto r = Run(conn_.get(), location_,
               "SELECT key, value FROM meta WHERE key IN ('head_seq', 'head_hash')", {},
               "reading the recorded head");
  if (!r.ok()) return r.status();
  StoreHead head;
  for (int i = 0; i < Pq().ntuples(r->get()); ++i) {
    if (Value(r->get(), i, 0) == "head_seq") {
      CANVASS_RETURN_IF_ERROR(Int64Value(r->get(), i, 1, location_, &head.seq));
    } else {
      head.hash = Value(r->get(), i, 1);
    }
  }
  return head;
}

Status PostgresStore::WriteBlob(const std::string& sha256_hex, std::string_view bytes) {
  auto r = Run(conn_.get(), location_,
               "INSERT INTO blobs (hash, bytes) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
               {BytesParam(sha256_hex), BytesParam(bytes)}, "storing blob " + sha256_hex);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::optional<std::string>> PostgresStore::ReadBlob(const std::string& sha256_hex) {
  auto r = Run(conn_.get(), location_, "SELECT bytes FROM blobs WHERE hash = $1",
               {BytesParam(sha256_hex)}, "reading blob " + sha256_hex, /*result_format=*/1);
  if (!r.ok()) return r.status();
  if (Pq().ntuples(r->get()) == 0) return std::optional<std::string>();
  return std::optional<std::string>(Value(r->get(), 0, 0));
}

// Reads and blob puts are safe to repeat, so they get one retry on a connection found broken.
Result<std::vector<StoredEvent>> PostgresStore::ReadAfter(int64_t after, int64_t limit) {
  CANVASS_RETURN_IF_ERROR(store_internal::CheckLimit(location_, limit));
  CANVASS_RETURN_IF_ERROR(EnsureConnected());
  auto r = Read(after, limit);
  if (!r.ok() && ResetIfBroken()) r = Read(after, limit);
  return r;
}

Result<StoreHead> PostgresStore::Head() {
  CANVASS_RETURN_IF_ERROR(EnsureConnected());
  auto r = ReadHead();
  if (!r.ok() && ResetIfBroken()) r = ReadHead();
  return r;
}

Result<StoreHead> PostgresStore::RecordedHead() {
  CANVASS_RETURN_IF_ERROR(EnsureConnected());
  auto r = ReadRecordedHead();
  if (!r.ok() && ResetIfBroken()) r = ReadRecordedHead();
  return r;
}

Status PostgresStore::PutBlob(const std::string& sha256_hex, std::string_view bytes) {
  CANVASS_RETURN_IF_ERROR(store_internal::CheckBlobHash(location_, sha256_hex, bytes));
  CANVASS_RETURN_IF_ERROR(EnsureConnected());
  Status st = WriteBlob(sha256_hex, bytes);
  if (!st.ok() && ResetIfBroken()) st = WriteBlob(sha256_hex, bytes);
  return st;
}

Status PostgresStore::PutBlobs(const std::vector<BlobWrite>& blobs) {
  for (const BlobWrite& b : blobs) {
    CANVASS_RETURN_IF_ERROR(store_internal::CheckBlobHash(location_, b.sha256_hex, b.bytes));
  }
  if (blobs.empty()) return Status::Ok();
  CANVASS_RETURN_IF_ERROR(EnsureConnected());
  auto in_one = [&]() -> Status {
    PGconn* c = conn_.get();
    auto begin = Run(c, location_, "BEGIN", {}, "storing blobs");
    if (!begin.ok()) return begin.status();
    Transaction txn(c);
    for (const BlobWrite& b : blobs) CANVASS_RETURN_IF_ERROR(WriteBlob(b.sha256_hex, b.bytes));
    auto commit = Run(c, location_, "COMMIT", {}, "committing blobs");
    if (!commit.ok()) return commit.status();
    txn.MarkCommitted();
    return Status::Ok();
  };
  // Blob puts are safe to repeat: one retry on a connection found broken, as PutBlob.
  Status st = in_one();
  if (!st.ok() && ResetIfBroken()) st = in_one();
  return st;
}

Result<std::optional<std::string>> PostgresStore::GetBlob(const std::string& sha256_hex) {
  CANVASS_RETURN_IF_ERROR(EnsureConnected());
  auto r = ReadBlob(sha256_hex);
  if (!r.ok() && ResetIfBroken()) r = ReadBlob(sha256_hex);
  return r;
}

Status PostgresStore::Append(int64_t after, const Writer& write) {
  PGconn* c = conn_.get();
  CANVASS_RETURN_IF_ERROR(EnsureConnected());
  // READ COMMITTED whatever the server default: each statement after the lock sees every append
  // committed before we got it. (REPEATABLE READ would freeze the snapshot at the lock query.)
  const char* begin_sql = "BEGIN ISOLATION LEVEL READ COMMITTED";
  auto begin = Run(c, location_, begin_sql, {}, "beginning the append");
  // Nothing has been sent that could commit, so a connection that died while idle (a server
  // restart) is reset and the append starts over.
  if (!begin.ok() && ResetIfBroken())
    begin = Run(c, location_, begin_sql, {}, "beginning the append");
  if (!begin.ok()) return begin.status();
  Transaction txn(c);

  auto lock = Run(c, location_, "SELECT pg_advisory_xact_lock($1)", {IntParam(append_lock_)},
                  "taking the write lock");
  if (!lock.ok()) return lock.status();
  Result<StoreHead> head = ReadHead();
  if (!head.ok()) return head.status();
  CANVASS_RETURN_IF_ERROR(store_internal::CheckAfter(location_, after, head->seq));
  Result<std::vector<StoredEvent>> missed = Read(after, std::numeric_limits<int64_t>::max());
  if (!missed.ok()) return missed.status();

  Result<std::vector<StoredEvent>> events = write(*missed);
  if (!events.ok()) return events.status();
  CANVASS_RETURN_IF_ERROR(store_internal::CheckContinues(location_, head->seq, *events));
  if (events->empty()) return Status::Ok();  // nothing to commit; the guard ends the transaction

  for (const StoredEvent& e : *events) {
    auto r = Run(c, location_, "INSERT INTO events (seq, line, hash) VALUES ($1, $2, $3)",
                 {IntParam(e.seq), BytesParam(e.line), BytesParam(e.hash)},
                 "appending event " + std::to_string(e.seq));
    if (!r.ok()) return r.status();
  }
  auto meta = Run(c, location_,
                  "INSERT INTO meta (key, value) VALUES ('head_seq', $1), ('head_hash', $2) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  {BytesParam(std::to_string(events->back().seq)), BytesParam(events->back().hash)},
                  "recording the head");
  if (!meta.ok()) return meta.status();

  auto commit = Run(c, location_, "COMMIT", {}, "committing the append");
  if (!commit.ok()) return commit.status();
  txn.MarkCommitted();
  // A transaction that failed server-side answers COMMIT with ROLLBACK.
  if (std::string_view(Pq().cmdStatus(commit->get())) != "COMMIT") {
    return Status::IoError(location_ + ": the server rolled the append back (" +
                           std::string(Pq().cmdStatus(commit->get())) + ")");
  }
  return Status::Ok();
}

Status PostgresStore::ExecForTesting(const std::string& sql) {
  auto r = Run(conn_.get(), location_, sql.c_str(), {}, "running a test statement");
  return r.ok() ? Status::Ok() : r.status();
}

int PostgresStore::BackendPidForTesting() const { return Pq().backendPID(conn_.get()); }

}  // namespace canvass
