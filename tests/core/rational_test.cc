#include "core/rational.h"

#include <gtest/gtest.h>

namespace canvass {
namespace {

Rational R(const char* s) {
  auto r = Rational::Parse(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Rational();
}

TEST(RationalTest, ParsesDecimalsAndFractionsExactly) {
  EXPECT_EQ(R("0.078431"), Rational(78431, 1000000));
  EXPECT_EQ(R("4/51"), Rational(4, 51));
  EXPECT_EQ(R("-1.50"), Rational(-3, 2));
  EXPECT_EQ(R(".5"), Rational(1, 2));
  EXPECT_EQ(R("12"), Rational(12));
  EXPECT_EQ(R("0.1000000000000"), Rational(1, 10));  // zeros past 9 places are harmless
}

TEST(RationalTest, RefusesWhatIsNotANumber) {
  for (const char* bad : {"", "-", ".", "1.2.3", "1e3", "abc", "1/0", "1/-2", "0.1234567891",
                          "1/2.5", " 1", "1000000000000"}) {
    EXPECT_FALSE(Rational::Parse(bad).ok()) << bad;
  }
}

// Found by fuzz_ruleset (a threshold "000600000000000.60005998"): a whole part within the limit
// with many decimals does not fit in 64-bit terms; it is refused, never an abort.
TEST(RationalTest, RefusesADecimalTooLargeForItsPlaces) {
  for (const char* big :
       {"000600000000000.60005998", "999999999999.999999999", "-600000000000.60005998"}) {
    auto r = Rational::Parse(big);
    ASSERT_FALSE(r.ok()) << big;
    EXPECT_NE(r.status().message().find("too large"), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(R("999999999999.5"), Rational(1999999999999, 2));  // fits: still exact
}

TEST(RationalTest, ArithmeticIsExact) {
  EXPECT_EQ(Rational(1, 3) + Rational(1, 6), Rational(1, 2));
  EXPECT_EQ(Rational(3) * Rational(7, 79), Rational(21, 79));
  EXPECT_EQ(Rational(1, 2) - Rational(3, 4), Rational(-1, 4));
  EXPECT_EQ(Rational(2, 3) / Rational(4, 9), Rational(3, 2));
  EXPECT_LT(Rational(100, 667), Rational(15, 100));  // 100 of 667 people is below 15%
  EXPECT_GE(Rational(101, 667), Rational(15, 100));
}

TEST(RationalTest, FloorCeilAndFraction) {
  EXPECT_EQ(Rational(9, 5).Floor(), 1);
  EXPECT_EQ(Rational(9, 5).Ceil(), 2);
  EXPECT_EQ(Rational(-9, 5).Floor(), -2);
  EXPECT_EQ(Rational(-9, 5).Ceil(), -1);
  EXPECT_EQ(Rational(9, 5).FractionalPart(), Rational(4, 5));
  EXPECT_EQ(Rational(4).Ceil(), 4);
}

TEST(RationalTest, RoundsToPlaces) {
  // 12 x 7 / 79 = 1.0632911...: the NV memo truncates to 1.0632, others round to 1.0633.
  Rational raw(84, 79);
  EXPECT_EQ(raw.ToDecimal(4, DecimalRounding::kTruncate), "1.0632");
  EXPECT_EQ(raw.ToDecimal(4), "1.0633");
  EXPECT_EQ((Rational(2) * Rational(4, 51)).ToDecimal(4), "0.1569");
  EXPECT_EQ(Rational(1, 2).ToDecimal(0), "1");
  EXPECT_EQ(Rational(-1, 2).ToDecimal(0), "-1");
  EXPECT_EQ(Rational(5, 2).RoundTo(0), Rational(3));
  EXPECT_EQ(Rational(1, 20000).ToDecimal(4), "0.0001");
  EXPECT_EQ(Rational(7).ToDecimal(2), "7.00");
  // A value already at the places is itself, either way, negative or not.
  EXPECT_EQ(Rational(-5640124, 10000).RoundTo(4), Rational(-5640124, 10000));
  EXPECT_EQ(Rational(1569, 10000).RoundTo(4, DecimalRounding::kTruncate), Rational(1569, 10000));
  EXPECT_EQ(Rational(-3, 4).ToDecimal(2), "-0.75");
  EXPECT_EQ(Rational(-3, 4).ToDecimal(1), "-0.8");  // not at the places: rounded away from zero
  EXPECT_EQ(Rational(-3, 4).ToDecimal(1, DecimalRounding::kTruncate), "-0.7");
}

TEST(RationalTest, PrintsExactlyAndShort) {
  EXPECT_EQ(Rational(4, 51).ToString(), "4/51");
  EXPECT_EQ(Rational(-3).ToString(), "-3");
  EXPECT_EQ(Rational(1569, 10000).ToShortDecimal(), "0.1569");
  EXPECT_EQ(Rational(3).ToShortDecimal(), "3");
  EXPECT_EQ(R(Rational(4, 51).ToString().c_str()), Rational(4, 51));
}

}  // namespace
}  // namespace canvass
