#include "core/random.h"

#include <gtest/gtest.h>

#include <vector>

namespace canvass {
namespace {

// The reference outputs of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
TEST(SplitMix64Test, MatchesTheReferenceSequence) {
  SplitMix64 rng(1234567);
  EXPECT_EQ(rng.Next(), 6457827717110365317ULL);
  EXPECT_EQ(rng.Next(), 3203168211198807973ULL);
  EXPECT_EQ(rng.Next(), 9817491932198370423ULL);
}

// A stream is fixed by (seed, a, b): simulated elections and rehearsals are reproduced from their
// seed, so the value must not change between versions.
TEST(SplitMix64Test, StreamsAreFixedAndDistinct) {
  EXPECT_EQ(SplitMix64(7, 3, 5).Next(), 6910806792601460933ULL);
  EXPECT_NE(SplitMix64(7, 3, 5).Next(), SplitMix64(7, 5, 3).Next());
  EXPECT_NE(SplitMix64(7, 3, 5).Next(), SplitMix64(8, 3, 5).Next());
}

TEST(SplitMix64Test, BelowStaysInRangeAndReachesEveryValue) {
  SplitMix64 rng(42);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t v = rng.Below(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  for (int count : seen) EXPECT_GT(count, 800);
  EXPECT_EQ(rng.Below(1), 0u);
}

}  // namespace
}  // namespace canvass
