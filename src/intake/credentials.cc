#include "intake/credentials.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace canvass {
namespace {

constexpr size_t kIdLength = 4;
constexpr size_t kSecretLength = 12;
constexpr size_t kCodeLength = kIdLength + kSecretLength;
constexpr std::string_view kTokenVersion = "v1";
constexpr size_t kSessionKeyBytes = 32;

void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) {
      std::fprintf(stderr, "canvass: fatal: libsodium failed to initialise\n");
      std::abort();
    }
    return true;
  }();
  (void)initialised;
}

// One character drawn uniformly from the 32-character alphabet (randombytes_uniform has no
// modulo bias, though 32 divides 2^32 anyway).
char RandomCodeCharacter() {
  return kCodeAlphabet[randombytes_uniform(static_cast<uint32_t>(kCodeAlphabet.size()))];
}

std::string RandomCodeCharacters(size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = RandomCodeCharacter();
  return out;
}

bool InAlphabet(char c) { return kCodeAlphabet.find(c) != std::string_view::npos; }

// Length in bytes of a separator starting at `text[i]` that a person (or their phone) may type
// between groups: ASCII whitespace and '-', the no-break space, and the Unicode dashes (phones
// turn "-" into "–" unasked). 0 when `text[i]` is not a separator.
size_t SeparatorLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
  };
  switch (byte(0)) {
    case ' ':
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case '-':
      return 1;
    case 0xC2:  // U+00A0 no-break space
      return byte(1) == 0xA0 ? 2 : 0;
    case 0xE2:
      if (byte(1) == 0x80 && byte(2) >= 0x90 && byte(2) <= 0x95) return 3;  // U+2010..U+2015
      if (byte(1) == 0x88 && byte(2) == 0x92) return 3;                     // U+2212 minus
      return 0;
    default:
      return 0;
  }
}

// How a refused character is named in a message: quoted when printable ASCII, as a byte
// otherwise (the message must stay valid UTF-8 on one line whatever was typed).
std::string DescribeCharacter(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u <= 0x7E) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02X}", static_cast<unsigned>(u));
}

uint64_t ClampOps(uint64_t ops) {
  return std::clamp<uint64_t>(ops, crypto_pwhash_argon2id_OPSLIMIT_MIN,
                              crypto_pwhash_argon2id_OPSLIMIT_MAX);
}

size_t ClampMem(size_t mem) {
  return std::clamp<size_t>(mem, crypto_pwhash_argon2id_MEMLIMIT_MIN,
                            crypto_pwhash_argon2id_MEMLIMIT_MAX);
}

// The 32-byte HMAC key behind a session key's hex, or nullopt when it is not 64 hex digits.
std::optional<std::vector<unsigned char>> DecodeSessionKey(const std::string& key) {
  if (key.size() != kSessionKeyBytes * 2) return std::nullopt;
  std::vector<unsigned char> bytes(kSessionKeyBytes);
  size_t len = 0;
  if (sodium_hex2bin(bytes.data(), bytes.size(), key.data(), key.size(), nullptr, &len, nullptr) !=
          0 ||
      len != kSessionKeyBytes) {
    return std::nullopt;
  }
  return bytes;
}

std::string TokenBody(std::string_view credential_id, int64_t expires_unix) {
  return fmt::format("{}.{}.{}", kTokenVersion, credential_id, expires_unix);
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string AccessCode::Printable() const {
  std::string out = id;
  for (size_t i = 0; i < secret.size(); i += 4) {
    out += '-';
    out += secret.substr(i, 4);
  }
  return out;
}

AccessCode NewAccessCode(const std::function<bool(const std::string& id)>& taken) {
  EnsureSodium();
  AccessCode code;
  // 2^20 ids: an election issues a few thousand, so a free one comes in a draw or two (and
  // none would, forever, were all of them taken).
  do {
    code.id = RandomCodeCharacters(kIdLength);
  } while (taken && taken(code.id));
  code.secret = RandomCodeCharacters(kSecretLength);
  return code;
}

Result<AccessCode> ParseAccessCode(std::string_view typed) {
  std::string chars;
  chars.reserve(kCodeLength);
  size_t count = 0;  // code characters typed, which may exceed what `chars` keeps
  for (size_t i = 0; i < typed.size();) {
    if (size_t sep = SeparatorLength(typed, i); sep > 0) {
      i += sep;
      continue;
    }
    const char raw = typed[i++];
    char c = raw;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (!InAlphabet(c)) {
      if (c == 'U') {
        return Status::InvalidArgument(fmt::format(
            "access code: {} is not used in access codes (they have the digits 0-9 and the "
            "letters A-Z except U; O, I and L read as 0, 1 and 1)",
            DescribeCharacter(raw)));
      }
      return Status::InvalidArgument(fmt::format(
          "access code: {} cannot be part of an access code (only the digits 0-9, the letters "
          "A-Z except U, spaces and hyphens)",
          DescribeCharacter(raw)));
    }
    ++count;
    if (chars.size() < kCodeLength) chars += c;
  }
  if (count != kCodeLength) {
    return Status::InvalidArgument(fmt::format(
        "an access code has 16 characters, in four groups of four like 7QF2-M3XR-9TWD-HPK4; "
        "{} {} typed",
        count == 0 ? std::string("none") : std::to_string(count), count == 1 ? "was" : "were"));
  }
  AccessCode code;
  code.id = chars.substr(0, kIdLength);
  code.secret = chars.substr(kIdLength);
  return code;
}

Result<std::string> HashSecret(std::string_view secret, KdfCost cost) {
  EnsureSodium();
  if (secret.size() > crypto_pwhash_PASSWD_MAX) {
    return Status::InvalidArgument("access code secret is too long to hash");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), ClampOps(cost.ops),
                            ClampMem(cost.mem_bytes), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::IoError(fmt::format(
        "cannot hash an access code: Argon2id could not allocate {} bytes", cost.mem_bytes));
  }
  return std::string(out);
}

bool VerifySecret(std::string_view secret, const std::string& hash) {
  EnsureSodium();
  // libsodium reads the hash up to its NUL; one inside, or a string longer than any hash it
  // writes, is not a stored hash.
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string::npos) return false;
  if (secret.size() > crypto_pwhash_PASSWD_MAX) return false;
  return crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
}

void VerifyDummy(KdfCost cost) {
  EnsureSodium();
  // Verifying recomputes Argon2id with the stored parameters; computing it directly with the
  // same parameters spends the same time and memory.
  static constexpr char kDummySecret[] = "000000000000";
  unsigned char salt[crypto_pwhash_SALTBYTES] = {};
  unsigned char out[32];
  // It fails only when the memory cannot be had, as the real check would.
  const int failed =
      crypto_pwhash(out, sizeof out, kDummySecret, sizeof kDummySecret - 1, salt,
                    ClampOps(cost.ops), ClampMem(cost.mem_bytes), crypto_pwhash_ALG_ARGON2ID13);
  (void)failed;
  sodium_memzero(out, sizeof out);
}

std::string NewSessionKey() {
  EnsureSodium();
  unsigned char key[kSessionKeyBytes];
  randombytes_buf(key, sizeof key);
  char hex[kSessionKeyBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, key, sizeof key);
  sodium_memzero(key, sizeof key);
  return std::string(hex);
}

std::string IssueToken(const std::string& key, const std::string& credential_id,
                       int64_t expires_unix) {
  EnsureSodium();
  auto key_bytes = DecodeSessionKey(key);
  // The key comes from NewSessionKey and the id from the ledger: either being malformed is a
  // bug. An empty string is never a valid token, so a release build fails closed.
  assert(key_bytes && "session key must be 64 hex digits (NewSessionKey)");
  assert(!credential_id.empty() && credential_id.find('.') == std::string::npos);
  if (!key_bytes || credential_id.empty() || credential_id.find('.') != std::string::npos) {
    return std::string();
  }
  const std::string body = TokenBody(credential_id, expires_unix);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                         key_bytes->data());
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  sodium_memzero(key_bytes->data(), key_bytes->size());
  return body + "." + hex;
}

std::optional<std::string> CheckToken(const std::string& key, std::string_view token,
                                      int64_t now_unix) {
  EnsureSodium();
  // v1.<id>.<expiry>.<mac>: exactly four fields. The checks before the MAC look only at the
  // token's shape, so their timing says nothing about the right MAC.
  std::string_view fields[4];
  size_t start = 0;
  for (size_t f = 0; f < 4; ++f) {
    const size_t dot = f < 3 ? token.find('.', start) : token.size();
    if (dot == std::string_view::npos) return std::nullopt;
    fields[f] = token.substr(start, dot - start);
    start = dot + 1;
  }
  const std::string_view version = fields[0], id = fields[1], expiry = fields[2],
                         mac_hex = fields[3];
  if (version != kTokenVersion || id.empty() || id.find('.') != std::string_view::npos) {
    return std::nullopt;
  }
  int64_t expires_unix = 0;
  const auto [end, ec] =
      std::from_chars(expiry.data(), expiry.data() + expiry.size(), expires_unix);
  if (expiry.empty() || ec != std::errc() || end != expiry.data() + expiry.size()) {
    return std::nullopt;
  }
  // Only the lower-case hex IssueToken writes: another spelling of the same MAC is refused.
  if (mac_hex.size() != crypto_auth_hmacsha256_BYTES * 2 || !IsLowerHex(mac_hex)) {
    return std::nullopt;
  }
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  size_t mac_len = 0;
  if (sodium_hex2bin(mac, sizeof mac, mac_hex.data(), mac_hex.size(), nullptr, &mac_len, nullptr) !=
          0 ||
      mac_len != sizeof mac) {
    return std::nullopt;
  }
  auto key_bytes = DecodeSessionKey(key);
  if (!key_bytes) return std::nullopt;
  // The MAC covers the token's own bytes, so a re-spelt expiry ("+5", "05") cannot pass.
  const std::string_view body = token.substr(0, token.size() - mac_hex.size() - 1);
  const bool authentic =
      crypto_auth_hmacsha256_verify(mac, reinterpret_cast<const unsigned char*>(body.data()),
                                    body.size(), key_bytes->data()) == 0;
  sodium_memzero(key_bytes->data(), key_bytes->size());
  if (!authentic || now_unix >= expires_unix) return std::nullopt;
  return std::string(id);
}

int64_t LoginGuard::BlockedFor(const std::string& credential_id, const std::string& address,
                               int64_t now_unix) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t wait = 0;
  if (auto it = by_credential_.find(credential_id); it != by_credential_.end()) {
    wait = std::max(wait, it->second.blocked_until - now_unix);
  }
  if (auto it = by_address_.find(address); it != by_address_.end()) {
    wait = std::max(wait, it->second.blocked_until - now_unix);
  }
  return wait;
}

void LoginGuard::RecordFailure(const std::string& credential_id, const std::string& address,
                               int64_t now_unix) {
  std::lock_guard<std::mutex> lock(mu_);
  // A new key first drops the tallies that no longer hold anything back (window over, no
  // lockout running), whenever its map has reached a power of two, so addresses seen once do
  // not pile up; the cost stays amortised constant per failure.
  const auto tally = [&](std::map<std::string, Tally>& tallies, const std::string& key) -> Tally& {
    if (auto it = tallies.find(key); it != tallies.end()) return it->second;
    const size_t n = tallies.size();
    if (n >= 1024 && (n & (n - 1)) == 0) {
      std::erase_if(tallies, [&](const auto& entry) {
        const Tally& t = entry.second;
        return t.blocked_until <= now_unix && now_unix - t.window_start >= options_.window.count();
      });
    }
    return tallies[key];
  };
  Bump(tally(by_credential_, credential_id), options_.max_failures, now_unix);
  Bump(tally(by_address_, address), options_.max_failures_per_address, now_unix);
}

void LoginGuard::RecordSuccess(const std::string& credential_id) {
  std::lock_guard<std::mutex> lock(mu_);
  // Only the credential's count: one good code from an address does not refund its guesses at
  // other credentials.
  by_credential_.erase(credential_id);
}

void LoginGuard::Bump(Tally& t, int max, int64_t now) {
  if (t.blocked_until > now) return;  // already refused; the lockout is not extended
  // Fixed windows: the first failure opens one of `window`; failures after it open the next.
  if (t.failures == 0 || now - t.window_start >= options_.window.count()) {
    t.failures = 0;
    t.window_start = now;
  }
  ++t.failures;
  if (t.failures >= max) {
    t.blocked_until = now + options_.lockout.count();
    t.failures = 0;  // counting starts afresh when the lockout ends
  }
}

}  // namespace canvass
