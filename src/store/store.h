// Store: where the ledger lives. One small interface, two implementations: SQLite (the embedded
// default, one file) and PostgreSQL (several server nodes sharing one database).
//
// The store knows nothing of what an event means. It keeps, per event, the sequence number, the
// canonical line (docs/ledger-format.md) and that line's SHA-256; and, beside the events, blobs
// addressed by their SHA-256 (worksheet photos). It checks nothing about the chain: verifying is
// the ledger's job (ledger/chain.h), so that a damaged store can still be read and the damage
// located.
//
// Appends are exclusive: Append() takes the store's write lock (SQLite: BEGIN IMMEDIATE;
// PostgreSQL: a transaction-scoped advisory lock), hands the writer every event that other
// writers appended since the caller last looked, and commits what the writer returns in the
// same transaction. An event is durable when Append returns ok (SQLite: WAL with
// synchronous=FULL; PostgreSQL: a committed transaction), so two processes on one store can
// never fork the chain: the second writer always sees the first one's events before it writes.
//
// Thread-safety: one Store object is used by one thread at a time; open one per thread. Several
// Store objects, in one process or several, may share the same database.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace canvass {

struct StoredEvent {
  int64_t seq = 0;   // 1, 2, 3, ...
  std::string line;  // the canonical bytes (no trailing newline)
  std::string hash;  // lower-case hex SHA-256 of `line`
};

struct StoreHead {
  int64_t seq = 0;   // 0 for an empty ledger
  std::string hash;  // empty for an empty ledger
};

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite" or "postgresql".
  virtual const char* kind() const = 0;

  // Events with seq > after, ascending by seq, at most `limit` of them.
  virtual Result<std::vector<StoredEvent>> ReadAfter(int64_t after, int64_t limit) = 0;

  // The event with the highest seq, as the store records it (seq and hash of that row).
  virtual Result<StoreHead> Head() = 0;

  // The head as the store wrote it down beside the events, in the same transaction as every
  // append ({0, ""} before the first). Equal to Head() in an undamaged store; when rows at the
  // tail were deleted, Head() moves back but this does not, which lets the verifier say that the
  // ledger was truncated rather than just ending early.
  virtual Result<StoreHead> RecordedHead() = 0;

  // Returns the events to append, given those appended by others since the caller's `after`
  // (which the writer must take into account first). Returning an error Status aborts the
  // transaction; nothing is written and Append returns that Status.
  using Writer =
      std::function<Result<std::vector<StoredEvent>>(const std::vector<StoredEvent>& missed)>;

  // Exclusive, durable append. The events returned by `write` must continue the sequence
  // (first seq = last missed seq + 1, or after + 1); otherwise FailedPrecondition and nothing is
  // written. `after` beyond the stored head is FailedPrecondition too, before `write` is called.
  // A line holding a NUL byte or a line break is InvalidArgument (it could be neither exported
  // as one line of JSON Lines nor stored as PostgreSQL text). IoError when the disk is full or
  // the database read-only or unreachable: nothing is written then either, and the store stays
  // usable once the cause is gone. An empty vector from `write` commits nothing and is ok.
  virtual Status Append(int64_t after, const Writer& write) = 0;

  // Content-addressed blobs. PutBlob of an existing hash is a no-op. Durable on return.
  // InvalidArgument when `sha256_hex` is not the lower-case hex SHA-256 of `bytes`.
  virtual Status PutBlob(const std::string& sha256_hex, std::string_view bytes) = 0;
  // Several blobs, durable together on return: one transaction where the store has them (a
  // release's parts, stored by the thousand, would otherwise each wait for the disk). The same
  // checks as PutBlob, all made before anything is written. On an error some may be stored, which
  // is harmless: blobs are content-addressed and only an event names them. By default, PutBlob
  // one after another.
  struct BlobWrite {
    std::string sha256_hex;
    std::string_view bytes;
  };
  virtual Status PutBlobs(const std::vector<BlobWrite>& blobs);
  virtual Result<std::optional<std::string>> GetBlob(const std::string& sha256_hex) = 0;
};

// Opens (with `create`, creating when absent) the store at `location`:
//   "postgresql://..." or "postgres://..." or "host=... dbname=..."  PostgreSQL (libpq conninfo)
//   "sqlite:PATH" or a plain PATH                                  SQLite file
// Creates the schema when missing. Errors name the location and the reason. Without `create`, a
// SQLite file that is absent is NotFound and nothing is created. A file that is not a Canvass
// store (not an SQLite database, or one without Canvass's tables) is InvalidArgument, and is
// left untouched.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, bool create = true);

// True when OpenStore would open `location` as PostgreSQL (a postgresql:// or postgres:// URL, or
// libpq's "key=value" form), false for an SQLite file.
bool IsPostgresLocation(std::string_view location);

}  // namespace canvass
