#include "io/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace canvass {
namespace {

// Every record of `text`, or the first error's message.
struct Read {
  std::vector<std::vector<std::string>> records;
  std::string error;
};

Read ReadAll(std::string_view text) {
  Read out;
  CsvReader r(text, "t.csv");
  for (;;) {
    bool has = false;
    Status st = r.Next(&has);
    if (!st.ok()) {
      out.error = st.message();
      return out;
    }
    if (!has) return out;
    std::vector<std::string> rec;
    for (size_t i = 0; i < r.size(); ++i) rec.emplace_back(r[i]);
    out.records.push_back(rec);
  }
}

using Records = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, PlainRecords) {
  auto r = ReadAll("a,b\n1,2\n");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.records, (Records{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvReaderTest, QuotedCommasDoubledQuotesAndLineBreaks) {
  auto r = ReadAll("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",\"\"\n");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.records, (Records{{"a", "b"}, {"x, y", "say \"hi\""}, {"two\nlines", ""}}));
}

TEST(CsvReaderTest, CrlfAndFinalLineWithoutNewline) {
  auto r = ReadAll("a,b\r\n1,2\r\n3,\"4\"");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.records, (Records{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
}

TEST(CsvReaderTest, EmptyFieldsAndTrailingComma) {
  auto r = ReadAll("a,b,c\n,,\n1,,\n");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.records, (Records{{"a", "b", "c"}, {"", "", ""}, {"1", "", ""}}));
}

TEST(CsvReaderTest, BlankTrailingLinesAreFine) {
  auto r = ReadAll("a,b\n1,2\n\n\r\n  \n");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.records.size(), 2u);
}

TEST(CsvReaderTest, ByteOrderMarkIsSkipped) {
  auto r = ReadAll(
      "\xEF\xBB\xBF"
      "a,b\n1,2\n");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.records[0][0], "a");
}

TEST(CsvReaderTest, BlankLineInTheMiddleIsAShortRecord) {
  EXPECT_EQ(ReadAll("a,b\n\n1,2\n").error, "t.csv:2:1: record has 1 fields, the header has 2");
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheOpeningQuote) {
  EXPECT_EQ(ReadAll("a,b\n1,\"open\n\nmore").error, "t.csv:2:3: unterminated quoted field");
}

TEST(CsvReaderTest, StrayQuoteInUnquotedField) {
  EXPECT_EQ(ReadAll("a,b\n1,ab\"c\n").error, "t.csv:2:5: quote inside an unquoted field");
}

TEST(CsvReaderTest, CharacterAfterClosingQuote) {
  EXPECT_EQ(ReadAll("a,b\n\"x\"y,2\n").error,
            "t.csv:2:4: unexpected character after a closing quote");
}

TEST(CsvReaderTest, BareCarriageReturn) {
  EXPECT_EQ(ReadAll("a,b\r1,2\n").error, "t.csv:1:4: carriage return without a line feed");
}

TEST(CsvReaderTest, TooManyFieldsPointsAtTheFirstExtra) {
  EXPECT_EQ(ReadAll("a,b\n1,2\n3,4,5\n").error, "t.csv:3:5: record has 3 fields, the header has 2");
}

TEST(CsvReaderTest, TooFewFieldsPointsAtTheLineEnd) {
  EXPECT_EQ(ReadAll("a,b,c\n1,2\n").error, "t.csv:2:4: record has 2 fields, the header has 3");
}

TEST(CsvReaderTest, LineNumbersCountBreaksInsideQuotes) {
  // The record on line 4 follows a field that spans lines 2 and 3.
  EXPECT_EQ(ReadAll("a,b\n\"x\ny\",1\n2,\"z\"w\n").error,
            "t.csv:4:6: unexpected character after a closing quote");
}

TEST(CsvReaderTest, LineNumbersCountEveryBreakInsideQuotesWithDoubledQuotes) {
  auto r = ReadAll("a,b\n\"x\n\"\"y\n\n\"\"\",\"\n\"\n1,2\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.records, (Records{{"a", "b"}, {"x\n\"y\n\n\"", "\n"}, {"1", "2"}}));
  EXPECT_EQ(ReadAll("a,b\n\"x\n\"\"y\n\n\"\"\",\"\n\"\n1,2\"\n").error,
            "t.csv:7:4: quote inside an unquoted field");
}

TEST(CsvReaderTest, FieldPositions) {
  CsvReader r("a,bb\n\"q\",xyz\n", "p.csv");
  bool has = false;
  ASSERT_TRUE(r.Next(&has).ok());
  ASSERT_TRUE(r.Next(&has).ok());
  ASSERT_TRUE(has);
  EXPECT_EQ(r.line(), 2);
  EXPECT_EQ(r.field_column(0), 1);
  EXPECT_EQ(r.field_column(1), 5);
  EXPECT_EQ(r.FieldError(1, "bad").message(), "p.csv:2:5: bad");
}

TEST(CsvReaderTest, EmptyTextHasNoRecords) {
  auto r = ReadAll("");
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(r.records.empty());
}

}  // namespace
}  // namespace canvass
