#include "store/store.h"

#include <cctype>
#include <charconv>

#include "core/sha256.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "store/store_checks.h"

namespace canvass {

namespace store_internal {

Status CheckContinues(std::string_view location, int64_t head_seq,
                      const std::vector<StoredEvent>& events) {
  int64_t expected = head_seq + 1;
  for (const StoredEvent& e : events) {
    if (e.seq != expected) {
      return Status::FailedPrecondition(std::string(location) + ": event with seq " +
                                        std::to_string(e.seq) +
                                        " does not continue the ledger: expected seq " +
                                        std::to_string(expected) + "; nothing was written");
    }
    for (char c : e.line) {
      if (c == '\0' || c == '\n' || c == '\r') {
        return Status::InvalidArgument(std::string(location) + ": event " + std::to_string(e.seq) +
                                       ": line holds a NUL byte or a line break; nothing was "
                                       "written");
      }
    }
    ++expected;
  }
  return Status::Ok();
}

Status CheckAfter(std::string_view location, int64_t after, int64_t head_seq) {
  if (after < 0) {
    return Status::InvalidArgument(std::string(location) + ": negative position " +
                                   std::to_string(after));
  }
  if (after > head_seq) {
    return Status::FailedPrecondition(std::string(location) + ": position " +
                                      std::to_string(after) + " is beyond the last event (" +
                                      std::to_string(head_seq) + "); nothing was written");
  }
  return Status::Ok();
}

Status CheckLimit(std::string_view location, int64_t limit) {
  if (limit < 0) {
    return Status::InvalidArgument(std::string(location) + ": negative limit " +
                                   std::to_string(limit));
  }
  return Status::Ok();
}

Status CheckBlobHash(std::string_view location, const std::string& sha256_hex,
                     std::string_view bytes) {
  if (Sha256Hex(bytes) != sha256_hex) {
    return Status::InvalidArgument(std::string(location) + ": blob \"" + sha256_hex +
                                   "\" is not the lower-case hex SHA-256 of its " +
                                   std::to_string(bytes.size()) + " bytes");
  }
  return Status::Ok();
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace store_internal

Status Store::PutBlobs(const std::vector<BlobWrite>& blobs) {
  for (const BlobWrite& b : blobs) CANVASS_RETURN_IF_ERROR(PutBlob(b.sha256_hex, b.bytes));
  return Status::Ok();
}

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "host=db1 dbname=canvass": libpq's key=value form starts with a keyword and '='.
bool LooksLikeConninfo(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  size_t key_begin = i;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  if (i == key_begin) return false;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return i < s.size() && s[i] == '=';
}

}  // namespace

bool IsPostgresLocation(std::string_view location) {
  return StartsWith(location, "postgresql://") || StartsWith(location, "postgres://") ||
         LooksLikeConninfo(location);
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, bool create) {
  std::string_view loc = location;
  if (IsPostgresLocation(loc)) {
    auto store = PostgresStore::Open(location);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  std::string path = StartsWith(loc, "sqlite:") ? location.substr(7) : location;
  if (path.empty()) {
    return Status::InvalidArgument("store location \"" + location + "\" names no file");
  }
  auto store = SqliteStore::Open(path, create);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace canvass
