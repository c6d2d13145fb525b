// PostgresStore: the Store in a PostgreSQL database shared by several server nodes (private to
// src/store/; use OpenStore).
//
// Schema (version 1, in meta('schema')), in the first schema of the connection's search_path:
//   events(seq BIGINT PRIMARY KEY, line TEXT NOT NULL, hash TEXT NOT NULL)
//   blobs(hash TEXT PRIMARY KEY, bytes BYTEA NOT NULL)
//   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)   'schema', 'head_seq', 'head_hash'
// Creating it is serialised by an advisory lock, so nodes may start at the same moment. An append
// is one READ COMMITTED transaction that first takes a transaction-scoped advisory lock keyed on
// the events table, then reads what others appended, so every node sees every earlier event
// before it writes; synchronous_commit is forced on, so a committed append is on the server's
// disk. All data travels as parameters (PQexecParams), never inside SQL text.
//
// A connection found broken (a server restart, a network cut) is reset once and the operation
// retried, as long as the retry cannot repeat a write: reads and idempotent blob puts retry
// freely; an append retries only when the connection fails before its transaction began. An
// append that fails later returns IoError and the next call reconnects. If the connection breaks
// while COMMIT is in flight the outcome is unknown to the caller, as with any database: the next
// Append's missed events tell the writer whether its events made it.
//
// Thread-safety: as Store; one object per thread. Any number of objects, processes and hosts may
// share the database.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

struct pg_conn;

namespace canvass {

class PostgresStore final : public Store {
 public:
  // Connects with libpq `conninfo` ("postgresql://..." or "host=... dbname=...") and creates the
  // schema when absent. Messages name the server without its password.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo);

  const char* kind() const override { return "postgresql"; }
  Result<std::vector<StoredEvent>> ReadAfter(int64_t after, int64_t limit) override;
  Result<StoreHead> Head() override;
  Result<StoreHead> RecordedHead() override;
  Status Append(int64_t after, const Writer& write) override;
  Status PutBlob(const std::string& sha256_hex, std::string_view bytes) override;
  Status PutBlobs(const std::vector<BlobWrite>& blobs) override;
  Result<std::optional<std::string>> GetBlob(const std::string& sha256_hex) override;

  // For tests: runs SQL on this object's own session ("SET default_transaction_read_only = on"),
  // and the server process behind it (to terminate it from elsewhere).
  Status ExecForTesting(const std::string& sql);
  int BackendPidForTesting() const;

  struct Closer {
    void operator()(pg_conn* conn) const;
  };

 private:
  PostgresStore(std::string location, std::unique_ptr<pg_conn, Closer> conn);

  // Session settings, again after every reset.
  Status PrepareSession();
  Status CreateSchema();
  // Resets the connection when libpq already knows it is broken.
  Status EnsureConnected();
  // True when the connection is broken now; then resets it (once) for a retry.
  bool ResetIfBroken();
  Result<StoreHead> ReadHead();
  Result<std::vector<StoredEvent>> Read(int64_t after, int64_t limit);
  Result<StoreHead> ReadRecordedHead();
  Status WriteBlob(const std::string& sha256_hex, std::string_view bytes);
  Result<std::optional<std::string>> ReadBlob(const std::string& sha256_hex);

  std::string location_;     // "postgresql://user@host:port/dbname", no password
  int64_t append_lock_ = 0;  // advisory lock key for appends to this events table
  std::unique_ptr<pg_conn, Closer> conn_;
};

}  // namespace canvass
