// SHA-256 (libsodium) as lower-case hex: content hashes of rulesets, and later of ledger events.
#pragma once

#include <string>
#include <string_view>

namespace canvass {

// Lower-case hex SHA-256 of the bytes. Calls sodium_init() once, thread-safely.
std::string Sha256Hex(std::string_view bytes);

// The 32 raw bytes of the SHA-256 of the bytes (Merkle tree nodes, docs/releases.md).
std::string Sha256Bytes(std::string_view bytes);

// True when `s` is what Sha256Hex gives: 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);

}  // namespace canvass
