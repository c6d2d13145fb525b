#include "core/text.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace canvass {
namespace {

TEST(TextTest, NormalisesPartyNames) {
  EXPECT_EQ(NormaliseName("CF W2 P2 &amp; CF Twp"), "CF W2 P2 & CF Twp");
  EXPECT_EQ(NormaliseName("Council Bluff  04"), "Council Bluff 04");
  EXPECT_EQ(NormaliseName("Guthrie "), "Guthrie");
  EXPECT_EQ(NormaliseName("  a\t b \r\n"), "a b");
  EXPECT_EQ(NormaliseName("O&#39;Brien"), "O'Brien");
  EXPECT_EQ(NormaliseName("caf&#xE9;"), "caf\xC3\xA9");
  EXPECT_EQ(NormaliseName("AT&T"), "AT&T");        // not an entity: kept
  EXPECT_EQ(NormaliseName("&bogus;"), "&bogus;");  // unknown entity: kept
  EXPECT_EQ(NormaliseName("&#0;"), "&#0;");
}

TEST(TextTest, SplitKeepsEmptyFields) {
  auto parts = Split("a,,b,", ',');
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
}

TEST(Sha256Test, MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, RecognisesItsOwnHexOnly) {
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("abc")));
  EXPECT_FALSE(IsSha256Hex(""));
  EXPECT_FALSE(IsSha256Hex(Sha256Hex("abc").substr(1)));
  EXPECT_FALSE(IsSha256Hex(Sha256Hex("abc") + "0"));
  std::string upper = Sha256Hex("abc");
  upper[0] = 'B';
  EXPECT_FALSE(IsSha256Hex(upper));
  std::string other = Sha256Hex("abc");
  other[63] = 'g';
  EXPECT_FALSE(IsSha256Hex(other));
}

}  // namespace
}  // namespace canvass
