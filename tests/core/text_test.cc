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
  EXPECT_EQ(NormaliseName("AT&T"), "AT&T");       // not an entity: kept
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

}  // namespace
}  // namespace canvass
