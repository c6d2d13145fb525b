#include "core/json_text.h"

#include <gtest/gtest.h>

#include <string>

namespace canvass {
namespace {

JsonTextError Refusal(const std::string& text) {
  auto parsed = ParseJsonText(text);
  EXPECT_TRUE(std::holds_alternative<JsonTextError>(parsed)) << "accepted: " << text;
  if (auto* e = std::get_if<JsonTextError>(&parsed)) return *e;
  return {};
}

TEST(JsonTextTest, ReadsJsonWithDistinctNames) {
  auto parsed =
      ParseJsonText(R"({"first": {"Biden": 3, "Sanders": 4}, "list": [{"a": 1}, {"a": 2}]})");
  ASSERT_TRUE(std::holds_alternative<nlohmann::json>(parsed));
  const auto& j = std::get<nlohmann::json>(parsed);
  EXPECT_EQ(j["first"]["Biden"], 3);
  EXPECT_EQ(j["list"][1]["a"], 2);
}

TEST(JsonTextTest, TheSameNameInDifferentObjectsIsNoRepeat) {
  auto parsed = ParseJsonText(R"({"first": {"Biden": 3}, "final": {"Biden": 3}, "Biden": 1})");
  EXPECT_TRUE(std::holds_alternative<nlohmann::json>(parsed));
}

TEST(JsonTextTest, RefusesARepeatedMemberNamingIt) {
  JsonTextError e = Refusal(R"({"first": {"Biden": 3, "Biden": 300}})");
  EXPECT_EQ(e.kind, JsonTextError::Kind::kDuplicateKey);
  EXPECT_EQ(e.field, "first.Biden");
  EXPECT_EQ(e.message, "\"Biden\" is given twice in first; give each name once");
}

TEST(JsonTextTest, RefusesARepeatedTopLevelMember) {
  JsonTextError e = Refusal(R"({"code": "A", "reason": "x", "code": "B"})");
  EXPECT_EQ(e.kind, JsonTextError::Kind::kDuplicateKey);
  EXPECT_EQ(e.field, "code");
  EXPECT_EQ(e.message, "\"code\" is given twice; give each name once");
}

TEST(JsonTextTest, NamesARepeatInsideAnArray) {
  JsonTextError e = Refusal(R"({"groups": [{"A": 1}, [], {"B": 1, "B": 2}]})");
  EXPECT_EQ(e.field, "groups[2].B");
  EXPECT_NE(e.message.find("in groups[2]"), std::string::npos) << e.message;
}

TEST(JsonTextTest, AnEscapedSpellingIsTheSameName) {
  JsonTextError e = Refusal(R"({"Biden": 3, "\u0042iden": 300})");
  EXPECT_EQ(e.kind, JsonTextError::Kind::kDuplicateKey);
  EXPECT_EQ(e.field, "Biden");
}

TEST(JsonTextTest, ReportsTheFirstRepeatInReadingOrder) {
  JsonTextError e = Refusal(R"({"a": {"x": 1, "x": 2}, "b": 1, "b": 2})");
  EXPECT_EQ(e.field, "a.x");
}

TEST(JsonTextTest, RefusesTextThatIsNotJson) {
  for (const char* text : {"", "{", R"({"a": 1,})", "{'a': 1}", R"({"a": 1} x)"}) {
    JsonTextError e = Refusal(text);
    EXPECT_EQ(e.kind, JsonTextError::Kind::kNotJson) << text;
    EXPECT_TRUE(e.field.empty()) << text;
  }
}

TEST(JsonLinesTest, ReadsEachLineInOrder) {
  auto lines = ParseJsonLines("{\"id\":1}\n[2]\n\"three\"\n");
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(*lines, nlohmann::json::parse("[{\"id\":1},[2],\"three\"]"));
  auto none = ParseJsonLines("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(JsonLinesTest, NamesTheLineThatIsNotJsonOrNotEnded) {
  auto bad = ParseJsonLines("{\"id\":1}\n{\"id\":\n{\"id\":3}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "line 2 is not JSON");
  auto unended = ParseJsonLines("{\"id\":1}\n{\"id\":2}");
  ASSERT_FALSE(unended.ok());
  EXPECT_EQ(unended.status().message(), "line 2 has no line break at its end");
  EXPECT_FALSE(ParseJsonLines("\n").ok());  // an empty line is not JSON
}

}  // namespace
}  // namespace canvass
