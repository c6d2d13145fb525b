#include "core/sha256.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace canvass {

namespace {

constexpr size_t kDigestBytes = 32;
static_assert(crypto_hash_sha256_BYTES == kDigestBytes);

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "canvass: fatal: OpenSSL SHA-256: %s\n", what);
  std::abort();
}

// The algorithm, fetched once: a fetch per digest costs more than hashing a short input.
const EVP_MD* Md() {
  static EVP_MD* const md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) Fatal("the algorithm is not available");
    return m;
  }();
  return md;
}

EVP_MD_CTX* NewContext() {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx, Md(), nullptr) != 1) Fatal("no context");
  return ctx;
}

void Finish(EVP_MD_CTX* ctx, unsigned char* digest) {
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &n) != 1 || n != kDigestBytes) Fatal("final");
}

void Update(EVP_MD_CTX* ctx, std::string_view bytes) {
  if (EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) != 1) Fatal("update");
}

std::atomic<Sha256Engine> g_engine{Sha256Engine::kLibcrypto};

// One context per thread, reused: a one-shot digest allocates none.
void Digest(std::string_view bytes, unsigned char* digest) {
  if (g_engine.load(std::memory_order_relaxed) == Sha256Engine::kLibsodium) {
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return;
  }
  struct Context {
    EVP_MD_CTX* ctx = NewContext();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context c;
  if (EVP_DigestInit_ex2(c.ctx, Md(), nullptr) != 1) Fatal("init");
  Update(c.ctx, bytes);
  Finish(c.ctx, digest);
}

std::string Hex(const unsigned char* digest) {
  char hex[kDigestBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, kDigestBytes);
  return std::string(hex);
}

}  // namespace

Sha256Engine SetSha256Engine(Sha256Engine engine) { return g_engine.exchange(engine); }

std::string Sha256Bytes(std::string_view bytes) {
  unsigned char digest[kDigestBytes];
  Digest(bytes, digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[kDigestBytes];
  Digest(bytes, digest);
  return Hex(digest);
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Sha256Stream::Sha256Stream() : ctx_(NewContext()) {}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(ctx_); }

Sha256Stream::Sha256Stream(Sha256Stream&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256Stream& Sha256Stream::operator=(Sha256Stream&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void Sha256Stream::Update(std::string_view bytes) {
  if (ctx_ == nullptr) ctx_ = NewContext();  // after a move
  canvass::Update(ctx_, bytes);
}

std::string Sha256Stream::FinishHex() {
  if (ctx_ == nullptr) ctx_ = NewContext();
  unsigned char digest[kDigestBytes];
  Finish(ctx_, digest);
  if (EVP_DigestInit_ex2(ctx_, Md(), nullptr) != 1) Fatal("init");
  return Hex(digest);
}

}  // namespace canvass
