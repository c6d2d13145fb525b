// Release signatures: the election's Ed25519 key pair (libsodium).
//
// `canvass init` makes the pair. The public key (32 bytes, 64 lower-case hex digits) goes on the
// ledger in election-created's "signing_key", so anyone holding the ledger export knows it; the
// secret stays in a file beside the store, owner-only. A key file holds the 32-byte seed as 64
// hex digits and a line break: the same 32 bytes OpenSSL calls the raw Ed25519 private key
// (docs/releases.md shows how to verify a release with `openssl pkeyutl`).
//
// A signature is 64 bytes, written as 128 lower-case hex digits: the detached signature of the
// exact bytes of release-N.json.
//
// Thread-safety: pure functions but ReadSigningKeyFile (sodium_init is called once, thread-safely).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace canvass {

struct SigningKey {
  std::string seed_hex;    // 64 hex: the secret
  std::string public_hex;  // 64 hex
};

// A fresh key pair from the system's random source.
SigningKey NewSigningKey();

// The pair for a seed (64 hex digits). InvalidArgument when it is not one.
Result<SigningKey> SigningKeyFromSeed(std::string_view seed_hex);

// Reads a key file's text (the seed, surrounding white space ignored).
Result<SigningKey> ParseSigningKeyFile(std::string_view text);

// Reads a key file; an empty optional when there is no file at `path`. Writing one is the
// command line's job (owner-only, 0600).
Result<std::optional<SigningKey>> ReadSigningKeyFile(const std::string& path);

// 128 hex digits: the Ed25519 signature of `message`.
std::string SignHex(const SigningKey& key, std::string_view message);

// Whether `signature_hex` (128 hex digits, surrounding white space ignored) is a valid signature
// of `message` under `public_hex` (64 hex digits). False for anything malformed.
bool VerifySignatureHex(std::string_view public_hex, std::string_view message,
                        std::string_view signature_hex);

// Lower-case hex digits of bytes, and back (nullopt-like failure: an empty Result on odd length
// or a non-hex digit).
std::string ToHex(std::string_view bytes);
Result<std::string> FromHex(std::string_view hex);

}  // namespace canvass
