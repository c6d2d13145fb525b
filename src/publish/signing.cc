#include "publish/signing.h"

#include <sodium.h>

#include <cstdlib>
#include <filesystem>

#include "core/text.h"
#include "io/importers.h"

namespace canvass {

namespace {

void InitSodium() {
  static const int once = [] {
    if (sodium_init() < 0) std::abort();  // no usable random source: nothing can be signed
    return 0;
  }();
  (void)once;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string ToHex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status::InvalidArgument("an odd number of hex digits");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("not lower-case hex digits");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Result<SigningKey> SigningKeyFromSeed(std::string_view seed_hex) {
  InitSodium();
  auto seed = FromHex(seed_hex);
  if (!seed.ok() || seed->size() != crypto_sign_SEEDBYTES) {
    return Status::InvalidArgument("a signing key is 64 lower-case hex digits");
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed->data()));
  sodium_memzero(sk, sizeof sk);
  return SigningKey{std::string(seed_hex),
                    ToHex(std::string_view(reinterpret_cast<const char*>(pk), sizeof pk))};
}

SigningKey NewSigningKey() {
  InitSodium();
  unsigned char seed[crypto_sign_SEEDBYTES];
  randombytes_buf(seed, sizeof seed);
  auto key =
      SigningKeyFromSeed(ToHex(std::string_view(reinterpret_cast<char*>(seed), sizeof seed)));
  sodium_memzero(seed, sizeof seed);
  return std::move(key).value();
}

Result<SigningKey> ParseSigningKeyFile(std::string_view text) {
  return SigningKeyFromSeed(Trim(text));
}

Result<std::optional<SigningKey>> ReadSigningKeyFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<SigningKey>();
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto key = ParseSigningKeyFile(*text);
  if (!key.ok()) return Status::InvalidArgument(path + ": " + key.status().message());
  return std::optional<SigningKey>(std::move(key).value());
}

std::string SignHex(const SigningKey& key, std::string_view message) {
  InitSodium();
  auto seed = FromHex(key.seed_hex);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed->data()));
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sk);
  sodium_memzero(sk, sizeof sk);
  return ToHex(std::string_view(reinterpret_cast<char*>(sig), sizeof sig));
}

bool VerifySignatureHex(std::string_view public_hex, std::string_view message,
                        std::string_view signature_hex) {
  InitSodium();
  auto pk = FromHex(Trim(public_hex));
  auto sig = FromHex(Trim(signature_hex));
  if (!pk.ok() || !sig.ok() || pk->size() != crypto_sign_PUBLICKEYBYTES ||
      sig->size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(),
                                     reinterpret_cast<const unsigned char*>(pk->data())) == 0;
}

}  // namespace canvass
