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

// SHA-256 of bytes given piece by piece (a file written as it is built, store/parts.h): the same
// digest as Sha256Hex of the pieces joined.
class Sha256Stream {
 public:
  Sha256Stream();
  void Update(std::string_view bytes);
  // The lower-case hex digest of everything given; the stream starts again empty.
  std::string FinishHex();

 private:
  alignas(16) unsigned char state_[128];  // libsodium's crypto_hash_sha256_state
};

}  // namespace canvass
