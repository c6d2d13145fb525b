// The early-vote card file (io/early_cards.h, docs/formats.md): cards as written, void ones
// included; every line that cannot be read is refused with its line and column.
#include "io/early_cards.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sha256.h"

namespace canvass {
namespace {

using ::testing::HasSubstr;

constexpr const char* kHeader = "county,precinct,card,choice1,choice2,choice3,choice4,choice5\n";

TEST(EarlyCards, ReadsCardsAsWrittenKeepingThoseTheRulesWillVoid) {
  auto rows = ParseEarlyCardsCsv(std::string(kHeader) +
                                     "Clark,1001,EV-1,Sanders,Warren,Buttigieg,Biden,Klobuchar\r\n"
                                     "Clark,1001,EV-2,Warren,Sanders,,,\r\n"  // too few
                                     "Clark,1001,EV-3,Biden,Biden,Biden,,\n"  // repeated
                                     "\"Washoe\",2002,EV-1,Nobody,  Steyer ,Biden,,\n"
                                     "Clark,1001,EV-4,,,,,\n",  // no choice at all
                                 "cards.csv");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ((*rows)[0].choices,
            (std::vector<std::string>{"Sanders", "Warren", "Buttigieg", "Biden", "Klobuchar"}));
  EXPECT_EQ((*rows)[1].choices, (std::vector<std::string>{"Warren", "Sanders"}));
  EXPECT_EQ((*rows)[2].choices, (std::vector<std::string>{"Biden", "Biden", "Biden"}));
  EXPECT_EQ((*rows)[3].county, "Washoe");
  EXPECT_EQ((*rows)[3].id, "EV-1");  // ids are per precinct
  EXPECT_EQ((*rows)[3].choices, (std::vector<std::string>{"Nobody", "Steyer", "Biden"}));
  EXPECT_EQ((*rows)[3].line, 5);
  EXPECT_TRUE((*rows)[4].choices.empty());
}

// Each malformed file names where it goes wrong.
struct Bad {
  std::string text;
  std::string where;  // "cards.csv:LINE:COLUMN"
  std::string what;
};

TEST(EarlyCards, EachMalformedLineIsNamed) {
  const std::string h = kHeader;
  const std::vector<Bad> bad = {
      {"", "cards.csv:1:1", "empty file"},
      {"county,precinct,card,choice1,choice2,choice3\n", "cards.csv:1:1", "6 columns"},
      {"county,precinct,id,choice1,choice2,choice3,choice4,choice5\n",
       "cards.csv:1:", "column 3 is \"id\""},
      {h, "cards.csv:2:1", "no cards"},
      {h + "Clark,1001,EV-1,A,B\n", "cards.csv:2:", "field"},
      {h + "Clark,1001,EV-1,A,B,\"C,,\n", "cards.csv:2:", "quote"},
      {h + ",1001,EV-1,A,B,C,,\n", "cards.csv:2:1", "column \"county\": empty"},
      {h + "Clark, ,EV-1,A,B,C,,\n", "cards.csv:2:7", "column \"precinct\": empty"},
      {h + "Clark,1001,,A,B,C,,\n", "cards.csv:2:12", "column \"card\": empty"},
      {h + "Clark,1001,EV-1,A,,C,,\n", "cards.csv:2:20", "choice3 is given but choice2 is empty"},
      {h + "Clark,1001,EV-1,A,B,C,,\nClark,1001,EV-1,B,A,C,,\n", "cards.csv:3:12",
       "card \"EV-1\" of Clark / 1001 is given twice (first on line 2)"},
      {h + "Clark,1001,EV\x01,A,B,C,,\n", "cards.csv:2:12", "control character 0x01"},
      {h + "Clark,1001,EV-1,A\xff,B,C,,\n", "cards.csv:2:17", "not valid UTF-8"},
      {h + "Clark,1001,\"EV\t1\",A,B,C,,\n", "cards.csv:2:12", "control character 0x09"},
  };
  for (const Bad& b : bad) {
    auto rows = ParseEarlyCardsCsv(b.text, "cards.csv");
    ASSERT_FALSE(rows.ok()) << b.text;
    EXPECT_THAT(rows.status().message(), HasSubstr(b.where)) << b.text;
    EXPECT_THAT(rows.status().message(), HasSubstr(b.what)) << b.text;
  }
}

TEST(EarlyCards, CanonicalListIsSortedByIdAndHashed) {
  std::vector<EarlyCardText> cards = {
      {"EV-2", {"B", "A", "C"}}, {"EV-10", {"A"}}, {"EV-1", {"C", "B", "A"}}};
  const std::string canonical = "EV-1\tC\tB\tA\nEV-10\tA\nEV-2\tB\tA\tC\n";
  EXPECT_EQ(CanonicalEarlyCards(cards), canonical);
  EXPECT_EQ(EarlyCardsHash(cards), Sha256Hex(canonical));
  std::swap(cards[0], cards[2]);
  EXPECT_EQ(EarlyCardsHash(cards), Sha256Hex(canonical));
  cards[0].choices.pop_back();
  EXPECT_NE(EarlyCardsHash(cards), Sha256Hex(canonical));
}

}  // namespace
}  // namespace canvass
