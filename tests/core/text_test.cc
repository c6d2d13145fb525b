#include "core/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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

// FIPS 180-2's examples: empty, two blocks, and a million a's; raw bytes, hex, and a stream fed in
// uneven pieces (a file stored by part) all agree.
TEST(Sha256Test, MatchesTheStandardsVectorsWholeAndInPieces) {
  const std::string million(1'000'000, 'a');
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"}};
  for (const auto& [text, hex] : vectors) {
    EXPECT_EQ(Sha256Hex(text), hex);
    std::string raw;
    for (size_t i = 0; i < hex.size(); i += 2) {
      raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    EXPECT_EQ(Sha256Bytes(text), raw);
    Sha256Stream stream;
    size_t at = 0;
    for (size_t piece = 1; at < text.size(); piece = piece * 3 + 1) {
      const size_t n = std::min(piece, text.size() - at);
      stream.Update(std::string_view(text).substr(at, n));
      at += n;
    }
    EXPECT_EQ(stream.FinishHex(), hex);
    // The stream starts again empty, and keeps working once moved.
    Sha256Stream moved = std::move(stream);
    moved.Update(text);
    EXPECT_EQ(moved.FinishHex(), hex);
  }
}

// A one-shot command hashes with libsodium (no set-up), everything else with libcrypto: the same
// digests, the standard's vectors included, at every length around a block's 64 bytes and its
// 55-byte padding limit, and beyond.
TEST(Sha256Test, BothEnginesGiveTheSameDigests) {
  const Sha256Engine before = SetSha256Engine(Sha256Engine::kLibsodium);
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  std::string bytes;
  uint32_t x = 12345;
  for (int i = 0; i < 70'000; ++i) {
    x = x * 1664525u + 1013904223u;
    bytes += static_cast<char>(x >> 24);
  }
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 200; ++n) lengths.push_back(n);
  for (size_t n : {1000u, 4096u, 65'536u, 70'000u}) lengths.push_back(n);
  for (size_t n : lengths) {
    const std::string_view input = std::string_view(bytes).substr(0, n);
    SetSha256Engine(Sha256Engine::kLibsodium);
    const std::string light_hex = Sha256Hex(input), light_raw = Sha256Bytes(input);
    SetSha256Engine(Sha256Engine::kLibcrypto);
    EXPECT_EQ(Sha256Hex(input), light_hex) << n << " bytes";
    EXPECT_EQ(Sha256Bytes(input), light_raw) << n << " bytes";
  }
  EXPECT_EQ(SetSha256Engine(before), Sha256Engine::kLibcrypto);
}

// Each thread hashes with its own context: digests from several at once are each right.
TEST(Sha256Test, ThreadsHashAtOnce) {
  std::vector<std::thread> threads;
  std::vector<int> right(8, 0);
  for (size_t t = 0; t < right.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        right[t] +=
            Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int r : right) EXPECT_EQ(r, 500);
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
