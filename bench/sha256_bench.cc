// SHA-256 as the engine computes it (src/core/sha256.h: OpenSSL's libcrypto) against libsodium's
// portable code, which it replaced, on the input sizes a release hashes: a Merkle node, a ledger
// line, a small part, a full part (docs/performance.md, "The release build: SHA-256 and the
// large files written in one piece"). Both give the same digest (checked before timing).
// Run: build/bench/sha256_bench
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/sha256.h"

namespace canvass::bench {
namespace {

std::string Input(int64_t size) {
  std::string s(static_cast<size_t>(size), '\0');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i * 131 + 7);
  return s;
}

std::string Sodium(const std::string& s) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

void BM_Sha256Libcrypto(benchmark::State& state) {
  const std::string s = Input(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(Sha256Bytes(s));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256Libcrypto)->Arg(64)->Arg(500)->Arg(4096)->Arg(1 << 20);

void BM_Sha256Libsodium(benchmark::State& state) {
  if (sodium_init() < 0) std::abort();
  const std::string s = Input(state.range(0));
  if (Sodium(s) != Sha256Bytes(s)) {
    std::fprintf(stderr, "sha256_bench: the two digests differ\n");
    std::exit(1);
  }
  for (auto _ : state) benchmark::DoNotOptimize(Sodium(s));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256Libsodium)->Arg(64)->Arg(500)->Arg(4096)->Arg(1 << 20);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
