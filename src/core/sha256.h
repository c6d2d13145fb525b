// SHA-256 as lower-case hex or raw bytes: content hashes of rulesets, ledger events, release
// files and their parts, Merkle tree nodes.
//
// Computed by OpenSSL's libcrypto, which uses the CPU's SHA instructions where it has them: about
// 1.6 GB/s here against 370 MB/s for libsodium's portable code, and faster for short inputs too
// (docs/performance.md, "The release build: SHA-256 and the large files written in one piece").
// A release at national scale hashes gigabytes.
//
// Thread-safety: every function may be called from any thread; a Sha256Stream belongs to one.
#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace canvass {

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);

// The 32 raw bytes of the SHA-256 of the bytes (Merkle tree nodes, docs/releases.md).
std::string Sha256Bytes(std::string_view bytes);

// Which library computes Sha256Hex and Sha256Bytes. libcrypto, the default, is the faster by
// far once set up, but a process's first digest through it costs 1 to 6 ms on this project's
// machines (OpenSSL initialises its library and its default provider). A command that hashes a
// few kilobytes and exits (`canvass check`: the ruleset's hash) asks for libsodium instead, which
// needs no set-up. The digests are the same bytes either way. Sha256Stream always uses libcrypto.
enum class Sha256Engine { kLibcrypto, kLibsodium };
// Sets the engine for the whole process; returns the one it replaces.
Sha256Engine SetSha256Engine(Sha256Engine engine);

// True when `s` is what Sha256Hex gives: 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);

// SHA-256 of bytes given piece by piece (a file written as it is built, store/parts.h): the same
// digest as Sha256Hex of the pieces joined.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  Sha256Stream(Sha256Stream&& other) noexcept;
  Sha256Stream& operator=(Sha256Stream&& other) noexcept;

  void Update(std::string_view bytes);
  // The lower-case hex digest of everything given; the stream starts again empty.
  std::string FinishHex();

 private:
  evp_md_ctx_st* ctx_ = nullptr;
};

}  // namespace canvass
