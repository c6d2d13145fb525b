#include "rules/threshold.h"

#include <gtest/gtest.h>

namespace canvass {
namespace {

TEST(ThresholdTest, ViabilityAtLeastAndMoreThan) {
  const Rational fifteen(15, 100);
  // 15% of 20 is exactly 3: viable "at least", not "more than".
  EXPECT_TRUE(IsViable(3, 20, fifteen, ViabilityComparison::kAtLeast));
  EXPECT_FALSE(IsViable(3, 20, fifteen, ViabilityComparison::kGreaterThan));
  EXPECT_FALSE(IsViable(2, 20, fifteen, ViabilityComparison::kAtLeast));
  EXPECT_TRUE(IsViable(4, 20, fifteen, ViabilityComparison::kGreaterThan));
  // One sixth of 13 is 2.1666...: 3 people.
  EXPECT_FALSE(IsViable(2, 13, Rational(1, 6), ViabilityComparison::kAtLeast));
  EXPECT_TRUE(IsViable(3, 13, Rational(1, 6), ViabilityComparison::kAtLeast));
}

TEST(ThresholdTest, NobodyAndAnEmptyRoomAreNeverViable) {
  EXPECT_FALSE(IsViable(0, 10, Rational(0), ViabilityComparison::kAtLeast));
  EXPECT_FALSE(IsViable(5, 0, Rational(15, 100), ViabilityComparison::kAtLeast));
}

TEST(ThresholdTest, HugeCountsDoNotOverflow) {
  const Count big = Count{1} << 60;
  EXPECT_TRUE(IsViable(big, big, Rational(99, 100), ViabilityComparison::kGreaterThan));
  EXPECT_FALSE(IsViable(big / 100 * 14, big, Rational(15, 100), ViabilityComparison::kAtLeast));
}

TEST(ThresholdTest, SharesMeetTheThresholdAsTheComparisonSays) {
  EXPECT_TRUE(MeetsThreshold(Rational(15, 100), Rational(15, 100), ViabilityComparison::kAtLeast));
  EXPECT_FALSE(
      MeetsThreshold(Rational(15, 100), Rational(15, 100), ViabilityComparison::kGreaterThan));
  EXPECT_FALSE(MeetsThreshold(Rational(1, 10), Rational(15, 100), ViabilityComparison::kAtLeast));
}

TEST(ThresholdTest, TextIsAPercentageWhenWhole) {
  EXPECT_EQ(ThresholdText(Rational(15, 100)), "15%");
  EXPECT_EQ(ThresholdText(Rational(1, 2)), "50%");
  EXPECT_EQ(ThresholdText(Rational(1, 6)), Rational(1, 6).ToString());
}

}  // namespace
}  // namespace canvass
