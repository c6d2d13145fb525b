// SplitMix64 (Steele, Lea and Flood 2014): a fixed, portable generator for everything Canvass
// draws by seed (simulated elections, rehearsed chairs, attack traffic). Not for secrets: access
// codes and keys come from libsodium. The same seed gives the same numbers on every machine, so a
// simulated election or a rehearsal is reproduced from its seed alone.
//
// Thread-safety: a value; one per thread or stream.
#pragma once

#include <cstdint>

namespace canvass {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  // One independent stream per (seed, a, b): a simulated county (purpose, index), a rehearsed
  // precinct (precinct, purpose). Streams do not overlap in practice: each starts at a mixed point.
  SplitMix64(uint64_t seed, uint64_t a, uint64_t b)
      : state_(Mix(Mix(seed) ^ Mix(a * 0x632be59bd9b4e019ULL + b))) {}

  uint64_t Next() {
    state_ += kGamma;
    return Finalize(state_);
  }

  // Uniform in [0, n), n > 0, without modulo bias (draws again below 2^64 mod n).
  uint64_t Below(uint64_t n) {
    const uint64_t reject_below = (0 - n) % n;
    for (;;) {
      const uint64_t r = Next();
      if (r >= reject_below) return r % n;
    }
  }

  // The generator's output function applied once to z + gamma: a good 64-bit mix of one value.
  static uint64_t Mix(uint64_t z) { return Finalize(z + kGamma); }

 private:
  static constexpr uint64_t kGamma = 0x9e3779b97f4a7c15ULL;
  static uint64_t Finalize(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_;
};

}  // namespace canvass
