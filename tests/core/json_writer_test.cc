#include "core/json_writer.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <stdexcept>

namespace canvass {
namespace {

using nlohmann::json;

// Writes `v` member by member, as a release writer does, for comparison with dump().
void WriteAll(JsonWriter& w, const json& v) {
  if (v.is_object()) {
    w.BeginObject();
    for (const auto& [k, x] : v.items()) {  // nlohmann's map: members in byte order already
      w.Key(k);
      WriteAll(w, x);
    }
    w.EndObject();
  } else if (v.is_array()) {
    w.BeginArray();
    for (const json& x : v) WriteAll(w, x);
    w.EndArray();
  } else if (v.is_string()) {
    w.String(v.get<std::string>());
  } else if (v.is_number_integer()) {
    w.Int(v.get<int64_t>());
  } else {
    w.Value(v);
  }
}

std::string Written(const json& v) {
  std::string out;
  JsonWriter w(out);
  WriteAll(w, v);
  EXPECT_TRUE(w.done());
  return out;
}

TEST(JsonWriterTest, WritesWhatDumpWrites) {
  const json v = {
      {"@type", "ElectionResults.VoteCounts"},
      {"Count", -12},
      {"GpUnitId", "gpu-precinct-7"},
      {"Names", json::array({"O'Brien", "Décorah", "tab\there", "quote\"back\\slash", "\x01"})},
      {"Empty", json::object()},
      {"None", json::array()},
      {"Nested", {{"b", json::array({1, json::array({2}), json::object()})}, {"a", nullptr}}},
      {"Flag", true}};
  EXPECT_EQ(Written(v), v.dump());
}

TEST(JsonWriterTest, MembersOutOfByteOrderAreAProgrammingError) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Member("b", int64_t{1});
  EXPECT_THROW(w.Key("a"), std::logic_error);
  EXPECT_THROW(w.Key("b"), std::logic_error);  // a name given twice
  // Uppercase sorts before lowercase, '@' before both: byte order, as dump() sorts.
  std::string out2;
  JsonWriter w2(out2);
  w2.BeginObject();
  w2.Member("@type", "x");
  w2.Member("Count", int64_t{1});
  w2.Member("a", "y");
  w2.EndObject();
  EXPECT_EQ(out2, R"({"@type":"x","Count":1,"a":"y"})");
}

// A value written beforehand (a precinct entry, a VoteCounts from pre-escaped pieces) goes in as
// it is, with the separators the writer would have put around it.
TEST(JsonWriterTest, RawValuesTakeTheirPlaceAsWrittenValuesDo) {
  const json entry = {{"id", 7}, {"reported", {{"first", {{"A", 3}}}}}};
  const json doc = {{"a", json::array({entry, entry})}, {"b", entry}, {"c", "x"}};
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("a").BeginArray();
  w.Raw(entry.dump());
  w.Raw(entry.dump());
  w.EndArray();
  w.Key("b").Raw(entry.dump());
  w.Member("c", "x");
  w.EndObject();
  EXPECT_TRUE(w.done());
  EXPECT_EQ(out, doc.dump());
  std::string bare;
  JsonWriter w2(bare);
  w2.BeginObject();
  EXPECT_THROW(w2.Raw("1"), std::logic_error);  // a value in an object needs its name
}

TEST(JsonWriterTest, RefusesValuesWithoutNamesAndUnbalancedEnds) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  EXPECT_THROW(w.Int(3), std::logic_error);
  EXPECT_THROW(w.EndArray(), std::logic_error);
  w.Key("k");
  EXPECT_THROW(w.EndObject(), std::logic_error);  // a name without its value
}

TEST(JsonWriterTest, InvalidUtf8IsRefusedAsDumpRefusesIt) {
  std::string out;
  EXPECT_THROW(AppendJsonString(out, "\xff\xfe"), json::type_error);
}

// Any tree of objects, arrays, strings (any code point, control characters included) and
// integers: the writer's bytes are dump()'s.
json ArbitraryJson(int depth) {
  const int kind = *rc::gen::inRange(0, depth > 0 ? 5 : 3);
  switch (kind) {
    case 0:
      return *rc::gen::arbitrary<int64_t>();
    case 1: {
      const auto code_points = *rc::gen::container<std::vector<uint32_t>>(rc::gen::oneOf(
          rc::gen::inRange<uint32_t>(0, 0x80), rc::gen::inRange<uint32_t>(0x80, 0xd800),
          rc::gen::inRange<uint32_t>(0xe000, 0x110000)));
      std::string s;
      for (uint32_t cp : code_points) {
        if (cp < 0x80) {
          s += static_cast<char>(cp);
        } else if (cp < 0x800) {
          s += static_cast<char>(0xc0 | (cp >> 6));
          s += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
          s += static_cast<char>(0xe0 | (cp >> 12));
          s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
          s += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
          s += static_cast<char>(0xf0 | (cp >> 18));
          s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
          s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
          s += static_cast<char>(0x80 | (cp & 0x3f));
        }
      }
      return s;
    }
    case 2:
      return *rc::gen::arbitrary<bool>();
    case 3: {
      json a = json::array();
      const int n = *rc::gen::inRange(0, 4);
      for (int i = 0; i < n; ++i) a.push_back(ArbitraryJson(depth - 1));
      return a;
    }
    default: {
      json o = json::object();
      const int n = *rc::gen::inRange(0, 4);
      for (int i = 0; i < n; ++i) {
        o[*rc::gen::container<std::string>(rc::gen::inRange<char>(0x20, 0x7f))] =
            ArbitraryJson(depth - 1);
      }
      return o;
    }
  }
}

RC_GTEST_PROP(JsonWriterProperty, BytesEqualDump, ()) {
  const json v = ArbitraryJson(3);
  RC_ASSERT(Written(v) == v.dump());
}

}  // namespace
}  // namespace canvass
