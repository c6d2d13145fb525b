#include "io/values.h"

#include <gtest/gtest.h>

namespace canvass {
namespace {

TEST(CanonicalNameTest, NormalisesPartySpellings) {
  EXPECT_EQ(CanonicalName("CF W2 P2 &amp; CF Twp"), "CF W2 P2 & CF Twp");
  EXPECT_EQ(CanonicalName("Council Bluff  04"), "Council Bluff 04");
  EXPECT_EQ(CanonicalName("Guthrie "), "Guthrie");
  // The long CSV encodes two Carroll precincts twice; the wide CSV once.
  EXPECT_EQ(CanonicalName("Carroll Ward Three &amp;amp; S1/2 Maple River Twp"),
            CanonicalName("Carroll Ward Three &amp; S1/2 Maple River Twp"));
  EXPECT_EQ(CanonicalName("AT&T"), "AT&T");
  EXPECT_EQ(CanonicalName("  "), "");
}

TEST(ParseCountTest, AcceptsPlainDigitsWithinBound) {
  EXPECT_EQ(*ParseCount("0", 10), 0);
  EXPECT_EQ(*ParseCount("007", 10), 7);
  EXPECT_EQ(*ParseCount("10", 10), 10);
}

TEST(ParseCountTest, RefusesEverythingElse) {
  EXPECT_EQ(ParseCount("-3", 10).status().message(), "\"-3\" is not a count");
  EXPECT_EQ(ParseCount("11", 10).status().message(), "\"11\" is not a count: above 10");
  for (const char* bad : {"", "+1", "1.0", " 1", "1e3", "0x1", "99999999999999999999999"}) {
    EXPECT_FALSE(ParseCount(bad, kMaxHeadCount).ok()) << bad;
  }
}

TEST(ParseSdeTest, ExactDecimalsAndFractions) {
  EXPECT_EQ(*ParseSde("0.1569", DecimalSource::kExact), Rational(1569, 10000));
  EXPECT_EQ(*ParseSde("4/51", DecimalSource::kExact), Rational(4, 51));
  EXPECT_EQ(*ParseSde(".5", DecimalSource::kExact), Rational(1, 2));
  EXPECT_EQ(*ParseSde("0.123456789", DecimalSource::kExact), Rational(123456789, 1000000000));
  EXPECT_EQ(*ParseSde("0.1230000000", DecimalSource::kExact), Rational(123, 1000));
  EXPECT_EQ(ParseSde("0.1234567891", DecimalSource::kExact).status().message(),
            "\"0.1234567891\" is not an SDE figure: more than 9 decimal places");
  for (const char* bad : {"", "-1", "1.", "1e-3", "4/0", "1/-2", "1000000", "0.5/2", "nan"}) {
    EXPECT_FALSE(ParseSde(bad, DecimalSource::kExact).ok()) << bad;
  }
}

TEST(ParseSdeTest, FloatingPrintoutsOfThePartysExports) {
  auto f = DecimalSource::kFloatingPrintout;
  EXPECT_EQ(*ParseSde("0.07840000000000001", f), Rational(784, 10000));
  EXPECT_EQ(*ParseSde("0.3921999999999999", f), Rational(3922, 10000));
  EXPECT_EQ(*ParseSde("0.9999999999999999", f), Rational(1));
  EXPECT_EQ(*ParseSde("0.1569", f), Rational(1569, 10000));
  EXPECT_FALSE(ParseSde("0.1234567891", f).ok());
  EXPECT_FALSE(ParseSde("0.1234567890001", f).ok());  // places 10-13 are "0001"
  EXPECT_FALSE(ParseSde("4/51", f).ok());
}

TEST(ParseNanosTest, TruncatesLongDecimals) {
  EXPECT_EQ(*ParseNanos("0.6274509803921569"), 627450980);
  EXPECT_EQ(*ParseNanos("3"), 3000000000);
  EXPECT_FALSE(ParseNanos("1e-5").ok());
  EXPECT_FALSE(ParseNanos("-1").ok());
  EXPECT_EQ(NanosToString(627450980), "0.62745098");
  EXPECT_EQ(NanosToString(3000000000), "3");
}

TEST(RationalToTextTest, DecimalWhenItTerminates) {
  EXPECT_EQ(RationalToText(Rational(1569, 10000)), "0.1569");
  EXPECT_EQ(RationalToText(Rational(4, 51)), "4/51");
  EXPECT_EQ(RationalToText(Rational(3)), "3");
}

}  // namespace
}  // namespace canvass
