// The two backends as the store tests see them: where a fresh, empty store lives, and how to run
// SQL on a store's own connection. SQLite: a file in a new temporary directory. PostgreSQL: a new
// schema (on the server CANVASS_TEST_POSTGRES names) selected through the connection's
// search_path and dropped afterwards, so tests run in parallel without seeing each other.
//
// Thread-safety: one backend object per test.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "core/status.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace canvass::testing_store {

// A fresh temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "canvass-store-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
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

class SqliteBackend {
 public:
  static constexpr const char* kName = "Sqlite";
  static std::string Unavailable() { return ""; }
  Status Prepare() {
    if (dir_.path().empty()) return Status::IoError("cannot create a temporary directory");
    return Status::Ok();
  }
  std::string location() const { return "sqlite:" + dir_.path() + "/ledger.db"; }
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
};

struct PgConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;

// libpq conninfo quoting: 'value' with \ and ' escaped.
inline std::string QuoteConninfo(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// `base` (URI or key=value, possibly empty) rewritten as key=value with `options` extended by
// extra server options.
inline std::string WithServerOptions(const std::string& base, const std::string& extra) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(base.c_str(), &err);
  if (opts == nullptr) {
    if (err != nullptr) PQfreemem(err);
    return base + " options=" + QuoteConninfo(extra);
  }
  std::string out;
  std::string options = extra;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (std::string(o->keyword) == "options") {
      options = std::string(o->val) + " " + extra;
      continue;
    }
    out += std::string(o->keyword) + "=" + QuoteConninfo(o->val) + " ";
  }
  PQconninfoFree(opts);
  return out + "options=" + QuoteConninfo(options);
}

inline Status PgExec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  std::string message = PQerrorMessage(conn);
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return Status::IoError(sql + ": " + message);
  }
  return Status::Ok();
}

class PostgresBackend {
 public:
  static constexpr const char* kName = "Postgres";
  static const char* Conninfo() { return std::getenv("CANVASS_TEST_POSTGRES"); }
  // Empty when CANVASS_TEST_POSTGRES is set, else why the PostgreSQL tests are skipped.
  static std::string Unavailable() {
    if (Conninfo() != nullptr) return "";
    return "CANVASS_TEST_POSTGRES is not set (a libpq conninfo, empty for libpq's defaults; "
           "scripts/test sets it inside pg_virtualenv)";
  }

  Status Prepare() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    schema_ = "canvass_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
              std::to_string(rd() % 1000000);
    admin_.reset(PQconnectdb(WithServerOptions(Conninfo(), "-csearch_path=" + schema_).c_str()));
    if (PQstatus(admin_.get()) != CONNECTION_OK) {
      return Status::IoError(std::string("cannot connect to CANVASS_TEST_POSTGRES: ") +
                             PQerrorMessage(admin_.get()));
    }
    PQclear(PQexec(admin_.get(), "SET client_min_messages = warning"));
    location_ = WithServerOptions(Conninfo(), "-csearch_path=" + schema_);
    return PgExec(admin_.get(), "CREATE SCHEMA " + schema_);
  }
  ~PostgresBackend() {
    if (admin_ != nullptr && PQstatus(admin_.get()) == CONNECTION_OK && !schema_.empty()) {
      (void)PgExec(admin_.get(), "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    }
  }
  std::string location() const { return location_; }
  // Runs SQL on the test's own connection (search_path = the test's schema).
  Status AdminExec(const std::string& sql) { return PgExec(admin_.get(), sql); }

 private:
  std::string schema_;
  std::string location_;
  PgConnPtr admin_;
};

// Runs `sql` on the store's own connection.
inline Status ExecOn(Store& store, const std::string& sql) {
  if (auto* s = dynamic_cast<SqliteStore*>(&store)) return s->ExecForTesting(sql);
  if (auto* p = dynamic_cast<PostgresStore*>(&store)) return p->ExecForTesting(sql);
  return Status::InvalidArgument("unknown store kind");
}

// The statement that makes the store's own session read-only, or writable again.
inline std::string ReadOnlySql(const Store& store, bool read_only) {
  if (std::string(store.kind()) == "sqlite") {
    return read_only ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0";
  }
  return read_only ? "SET default_transaction_read_only = on"
                   : "SET default_transaction_read_only = off";
}

// A test event: a line that names its predecessor's hash, like the ledger's.
inline StoredEvent MakeEvent(int64_t seq, const std::string& prev, const std::string& text) {
  StoredEvent e;
  e.seq = seq;
  e.line = "{\"prev\":\"" + (prev.empty() ? std::string(64, '0') : prev) +
           "\",\"seq\":" + std::to_string(seq) + ",\"text\":\"" + text + "\"}";
  e.hash = Sha256Hex(e.line);
  return e;
}

// The `prev` a test event names.
inline std::string PrevOf(const StoredEvent& e) {
  size_t at = e.line.find("\"prev\":\"");
  if (at == std::string::npos) return "";
  return e.line.substr(at + 8, 64);
}

// Appends one event per text, continuing whatever the store holds.
inline Status AppendTexts(Store& store, const std::vector<std::string>& texts) {
  Result<StoreHead> head = store.Head();
  if (!head.ok()) return head.status();
  return store.Append(
      head->seq, [&](const std::vector<StoredEvent>& missed) -> Result<std::vector<StoredEvent>> {
        int64_t seq = missed.empty() ? head->seq : missed.back().seq;
        std::string prev = missed.empty() ? head->hash : missed.back().hash;
        std::vector<StoredEvent> out;
        for (const std::string& t : texts) {
          out.push_back(MakeEvent(++seq, prev, t));
          prev = out.back().hash;
        }
        return out;
      });
}

}  // namespace canvass::testing_store
