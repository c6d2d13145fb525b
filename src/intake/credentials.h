// Credentials: access codes, their Argon2id hashes, session tokens and the lockout.
//
// An access code is what a precinct chair (or operator, campaign, admin) types to log in. It is
// 16 characters of Crockford's base32 (0-9 A-Z without I, L, O, U), printed in four groups,
// "7QF2-M3XR-9TWD-HPK4": the first group is the credential's public id (20 bits, unique in the
// election, on the ledger), the other twelve the secret (60 bits). Typing is forgiving: case,
// spaces and hyphens are ignored, and O/I/L read as 0/1/1.
//
// Only an Argon2id hash of the secret (libsodium's crypto_pwhash_str, salted, parameters in the
// string) is ever stored; the code itself is shown once, when issued, and printed on the packet.
//
// A session token is "v1.<credential id>.<expiry unix seconds>.<HMAC-SHA-256 hex>" under a
// server key that every node sharing a store reads from it, so any node can check any token
// without a lookup; revoking the credential ends its sessions (the caller checks the credential
// is still live).
//
// Thread-safety: the free functions are pure or use libsodium's thread-safe RNG; LoginGuard is
// internally locked.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace canvass {

inline constexpr std::string_view kCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

struct AccessCode {
  std::string id;      // 4 characters
  std::string secret;  // 12 characters
  // "7QF2-M3XR-9TWD-HPK4"
  std::string Printable() const;
};

// Argon2id cost. kInteractive suits a server (a few ms per check on one core); kTest is the
// library minimum, for tests that issue thousands of codes.
struct KdfCost {
  uint64_t ops = 2;
  size_t mem_bytes = 1024 * 1024;
  static KdfCost Server() { return KdfCost{}; }
  static KdfCost Test() { return KdfCost{1, 8192}; }
};

// A fresh code whose id is not in `taken` (ids already issued).
AccessCode NewAccessCode(const std::function<bool(const std::string& id)>& taken);

// Reads what a person typed. InvalidArgument ("an access code has 16 characters ...") when it
// cannot be a code.
Result<AccessCode> ParseAccessCode(std::string_view typed);

// The Argon2id string of `secret` ("$argon2id$v=19$m=...,t=...,p=1$...$...").
Result<std::string> HashSecret(std::string_view secret, KdfCost cost);
// Constant-time check of `secret` against a stored hash.
bool VerifySecret(std::string_view secret, const std::string& hash);
// Spends about as long as VerifySecret on a hash of `cost`, for unknown ids (no timing oracle).
void VerifyDummy(KdfCost cost);

// Session tokens.
std::string NewSessionKey();  // 32 random bytes, hex
std::string IssueToken(const std::string& key, const std::string& credential_id,
                       int64_t expires_unix);
// The credential id of a valid, unexpired token; nullopt otherwise (constant-time MAC check).
std::optional<std::string> CheckToken(const std::string& key, std::string_view token,
                                      int64_t now_unix);

// Wrong-code lockout. After `max_failures` wrong codes within `window` for one credential id,
// or `max_failures_per_address` from one address, further attempts are refused for `lockout`
// without checking the code, so guessing gets nowhere. Time is injected for tests.
class LoginGuard {
 public:
  struct Options {
    int max_failures = 5;
    int max_failures_per_address = 20;
    std::chrono::seconds window{15 * 60};
    std::chrono::seconds lockout{15 * 60};
  };
  LoginGuard() : LoginGuard(Options{}) {}
  explicit LoginGuard(Options options) : options_(options) {}

  // Seconds until `credential_id` / `address` may try again; 0 when allowed now.
  int64_t BlockedFor(const std::string& credential_id, const std::string& address,
                     int64_t now_unix);
  void RecordFailure(const std::string& credential_id, const std::string& address,
                     int64_t now_unix);
  void RecordSuccess(const std::string& credential_id);

 private:
  struct Tally {
    int failures = 0;
    int64_t window_start = 0;
    int64_t blocked_until = 0;
  };
  void Bump(Tally& t, int max, int64_t now);
  Options options_;
  std::mutex mu_;
  std::map<std::string, Tally> by_credential_;
  std::map<std::string, Tally> by_address_;
};

}  // namespace canvass
