// SHA-256 (libsodium) as lower-case hex: content hashes of rulesets, and later of ledger events.
#pragma once

#include <string>
#include <string_view>

namespace canvass {

// Lower-case hex SHA-256 of the bytes. Calls sodium_init() once, thread-safely.
std::string Sha256Hex(std::string_view bytes);

}  // namespace canvass
