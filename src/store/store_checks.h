// What both backends check before they write: private to src/store/.
//
// The store checks nothing about the chain (that is the ledger's job), only what it needs to stay
// a gap-free sequence of storable lines, and that a blob is filed under its own hash. Keeping the
// checks here makes the two backends refuse exactly the same things with the same messages.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace canvass::store_internal {

// Ok when `events` continue a ledger whose last seq is `head_seq` (head_seq + 1, + 2, ...) and
// every line is storable (no NUL byte, no line break). FailedPrecondition for a broken sequence,
// InvalidArgument for a line that cannot be stored. `location` prefixes the message.
Status CheckContinues(std::string_view location, int64_t head_seq,
                      const std::vector<StoredEvent>& events);

// Ok when 0 <= after <= head_seq; FailedPrecondition or InvalidArgument otherwise.
Status CheckAfter(std::string_view location, int64_t after, int64_t head_seq);

// Ok when `limit` >= 0.
Status CheckLimit(std::string_view location, int64_t limit);

// Ok when `sha256_hex` is the lower-case hex SHA-256 of `bytes`.
Status CheckBlobHash(std::string_view location, const std::string& sha256_hex,
                     std::string_view bytes);

// The schema version both backends write to meta('schema') and accept.
inline constexpr std::string_view kSchemaVersion = "1";

// Parses a decimal int64 written by the store itself (meta values, PostgreSQL text results).
bool ParseInt64(std::string_view text, int64_t* out);

}  // namespace canvass::store_internal
