#include "ledger/event.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <string>
#include <vector>

#include "core/sha256.h"
#include "ledger_fixture.h"

namespace canvass {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The example of docs/ledger-format.md. The lines were written by a separate implementation
// (Python's json.dumps with sort_keys=True, separators=(",", ":"), ensure_ascii=False) and the
// hashes computed with `sed -n Np golden.jsonl | tr -d '\n' | sha256sum`, so these constants
// are what an outsider gets, not what this code happens to print.
constexpr std::string_view kGolden1 =
    R"({"actor":{"id":"admin","role":"admin"},"channel":"cli","payload":{"election":"iowa-dem-2020","ruleset":"iowa-dem-2020"},"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"time":"2020-02-03T17:00:00.000Z","type":"election-created"})";
constexpr std::string_view kGolden2 =
    R"({"actor":{"id":"osceola/ocheyedan","role":"chair"},"channel":"web","payload":{"groups":{"Biden":5,"Buttigieg":12,"Sanders":8},"note":"café \"back room\"\tline 2","precinct":"osceola/ocheyedan"},"prev":"fd03314973598a921a803eda9ef049e70e5d21a2847bf64b4a4cf5fadb9ef07a","seq":2,"time":"2020-02-03T19:31:07.250Z","type":"first-alignment-reported"})";
constexpr std::string_view kGolden3 =
    R"({"actor":{"id":"op-7","role":"operator"},"channel":"hotline","payload":{"precinct":"osceola/ocheyedan","summary":"chair called in the final alignment"},"prev":"44161fe02892ddc80a468f025db71fc3c4a54f607d033030399da5be09455911","seq":3,"time":"2020-02-03T20:02:45.901Z","type":"hotline-entry"})";
constexpr std::string_view kGoldenHash1 =
    "fd03314973598a921a803eda9ef049e70e5d21a2847bf64b4a4cf5fadb9ef07a";
constexpr std::string_view kGoldenHash2 =
    "44161fe02892ddc80a468f025db71fc3c4a54f607d033030399da5be09455911";
constexpr std::string_view kGoldenHash3 =
    "bc1f72ecc18518ae8f4128b700600877576205602ce0570261ef36c035b1e140";

Event GoldenEvent2() {
  Event e;
  e.seq = 2;
  e.time = "2020-02-03T19:31:07.250Z";
  e.actor = Actor{"chair", "osceola/ocheyedan"};
  e.channel = "web";
  e.type = "first-alignment-reported";
  // Members in another order than the canonical one: the line sorts them.
  e.payload = nlohmann::json::parse(R"({"precinct": "osceola/ocheyedan",
      "note": "café \"back room\"\tline 2", "groups": {"Sanders": 8, "Buttigieg": 12, "Biden": 5}})");
  e.prev = std::string(kGoldenHash1);
  return e;
}

Event ValidEvent() {
  Event e = testing::SampleEvent(1);
  e.prev = std::string(kGenesisPrev);
  return e;
}

TEST(EventTest, GoldenLinesAndHashesMatchAnOutsidersComputation) {
  EXPECT_EQ(Sha256Hex(kGolden1), kGoldenHash1);
  EXPECT_EQ(Sha256Hex(kGolden2), kGoldenHash2);
  EXPECT_EQ(Sha256Hex(kGolden3), kGoldenHash3);

  Result<StoredEvent> second = EncodeEvent(GoldenEvent2());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->line, kGolden2);
  EXPECT_EQ(second->hash, kGoldenHash2);
  EXPECT_EQ(second->seq, 2);

  // The sha256sum property: the hash of line N is the prev of line N+1.
  EXPECT_EQ(DecodeEvent(kGolden1)->prev, kGenesisPrev);
  EXPECT_EQ(DecodeEvent(kGolden2)->prev, Sha256Hex(kGolden1));
  EXPECT_EQ(DecodeEvent(kGolden3)->prev, Sha256Hex(kGolden2));
}

TEST(EventTest, CanonicalFormRoundTrips) {
  for (std::string_view line : {kGolden1, kGolden2, kGolden3}) {
    Result<Event> event = DecodeEvent(line);
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    Result<std::string> again = CanonicalLine(*event);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, line);
  }
  Result<Event> e = DecodeEvent(kGolden2);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->seq, 2);
  EXPECT_EQ(e->time, "2020-02-03T19:31:07.250Z");
  EXPECT_EQ(e->actor.role, "chair");
  EXPECT_EQ(e->actor.id, "osceola/ocheyedan");
  EXPECT_EQ(e->channel, "web");
  EXPECT_EQ(e->type, "first-alignment-reported");
  EXPECT_EQ(e->payload["groups"]["Buttigieg"], 12);
  EXPECT_EQ(e->payload["note"], "café \"back room\"\tline 2");
}

TEST(EventTest, KeysSortByBytesAtEveryLevelAndWhiteSpaceGoes) {
  Event e = ValidEvent();
  e.payload = nlohmann::json::parse(
      "{ \"b\" : [ {\"z\":1, \"a\":2} ], \"a\" : {\"\xC3\xA9\":1,\"e\":2,\"E\":3,\"~\":4}, \"B\": "
      "0 }");
  Result<std::string> line = CanonicalLine(e);
  ASSERT_TRUE(line.ok());
  // Upper case before lower case before "~" (0x7E) before any non-ASCII letter (0xC3 ...).
  EXPECT_THAT(*line,
              HasSubstr(R"("payload":{"B":0,"a":{"E":3,"e":2,"~":4,"é":1},"b":[{"a":2,"z":1}]})"));
  EXPECT_EQ(line->find(": "), std::string::npos);
  EXPECT_EQ(line->find(", "), std::string::npos);
}

TEST(EventTest, StringsAreEscapedOnlyWhereJsonRequires) {
  Event e = ValidEvent();
  e.payload = {
      {"s", std::string("q\" b\\ / \x01 \x1f \x7f \b\f\n\r\t é \xE2\x80\xA8 \xF0\x9F\x97\xB3")}};
  Result<std::string> line = CanonicalLine(e);
  ASSERT_TRUE(line.ok());
  EXPECT_THAT(*line,
              HasSubstr("\"s\":\"q\\\" b\\\\ / \\u0001 \\u001f \x7f \\b\\f\\n\\r\\t é \xE2\x80\xA8 "
                        "\xF0\x9F\x97\xB3\""));
  Result<Event> back = DecodeEvent(*line);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->payload, e.payload);
}

TEST(EventTest, FloatsAreRefusedAndNamedByPointer) {
  Event e = ValidEvent();
  e.payload = nlohmann::json::parse(R"({"a":{"b/c":[1, 2.5]}})");
  Result<std::string> line = CanonicalLine(e);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(line.status().message(), HasSubstr("floating point number at /payload/a/b~1c/1"));

  e.payload = {{"share", 0.0}};
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("/payload/share"));
  EXPECT_FALSE(EncodeEvent(e).ok());

  // A stored line with a number that is not an integer, in every spelling JSON has.
  std::string good(kGolden1);
  for (std::string number : {"2.0", "1e3", "-0.0", "1E+2", "18446744073709551616"}) {
    std::string line2 = good;
    const std::string_view last = "\"iowa-dem-2020\"}";
    line2.replace(line2.find(last), last.size(), number + "}");
    Result<Event> bad = DecodeEvent(line2);
    ASSERT_FALSE(bad.ok()) << number;
    EXPECT_EQ(bad.status().code(), Status::Code::kCorruption);
    EXPECT_THAT(bad.status().message(), HasSubstr("floating point number at /payload/ruleset"))
        << number;
  }
}

TEST(EventTest, IntegersStayWithinWhatADoubleHoldsExactly) {
  Event e = ValidEvent();
  e.payload = {{"n", int64_t{9007199254740991}}, {"m", int64_t{-9007199254740991}}};
  EXPECT_TRUE(CanonicalLine(e).ok());
  e.payload = {{"n", int64_t{9007199254740992}}};
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("integer at /payload/n"));
  e.payload = {{"n", {int64_t{-9007199254740992}}}};
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("integer at /payload/n/0"));
  e.payload = {{"n", uint64_t{18446744073709551615u}}};
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("integer at /payload/n"));
}

TEST(EventTest, InvalidUtf8IsRefused) {
  const std::vector<std::string> bad = {
      "\xC3",              // truncated sequence
      "\xC0\xAF",          // overlong "/"
      "\xE0\x80\xAF",      // overlong, three bytes
      "\xED\xA0\x80",      // a surrogate
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xFF",              // never in UTF-8
      "ok\x80",            // a lone continuation byte
  };
  for (const std::string& s : bad) {
    Event e = ValidEvent();
    e.payload = {{"list", {"fine", s}}};
    Result<std::string> line = CanonicalLine(e);
    ASSERT_FALSE(line.ok());
    EXPECT_EQ(line.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(line.status().message(), HasSubstr("string at /payload/list/1 is not valid UTF-8"));

    e = ValidEvent();
    e.actor.id = s;
    EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("/actor/id"));

    e = ValidEvent();
    e.payload = {{s, 1}};
    EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("a key of /payload"));

    // Raw in a stored line: the parser refuses it.
    std::string stored(kGolden1);
    stored.replace(stored.find("iowa-dem-2020\"}"), 13, s);
    Result<Event> decoded = DecodeEvent(stored);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption);
    EXPECT_THAT(decoded.status().message(), StartsWith("line is not JSON: "));
  }
  // Valid four-byte and three-byte text passes.
  Event e = ValidEvent();
  e.payload = {{"s", "\xF0\x9F\x97\xB3 \xE2\x82\xAC \xEF\xBF\xBF"}};
  EXPECT_TRUE(CanonicalLine(e).ok());
}

TEST(EventTest, EnvelopeFieldsAreChecked) {
  Event e = ValidEvent();
  e.seq = 0;
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("seq 0"));
  e = ValidEvent();
  e.time = "2020-02-03T19:04:05Z";
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("time"));
  e = ValidEvent();
  e.prev = std::string(64, 'A');
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("prev"));
  e = ValidEvent();
  e.type = "";
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("type is empty"));
  e = ValidEvent();
  e.payload = nlohmann::json::array();
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("payload must be an object"));
  e = ValidEvent();
  e.time = LedgerTimeNow();
  EXPECT_TRUE(CanonicalLine(e).ok()) << e.time;
}

struct Refusal {
  std::string line;
  std::string message;  // expected substring
};

// Each line differs from kGolden1 in one way; DecodeEvent must say which.
std::vector<Refusal> Refusals() {
  const std::string g(kGolden1);
  auto with = [&](std::string_view from, std::string_view to) {
    std::string s = g;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    return s;
  };
  const std::string zeros(64, '0');
  return {
      {"", "line is not JSON: "},
      {"{", "line is not JSON: "},
      {g.substr(0, g.size() - 1), "line is not JSON: "},
      {g + "x", "line is not JSON: "},
      {"[1,2]", "line is an array, not a JSON object"},
      {"\"text\"", "line is a string, not a JSON object"},
      {with("\"channel\":\"cli\",", ""), "member \"channel\" is missing"},
      {with("\"actor\":{\"id\":\"admin\",\"role\":\"admin\"},", ""), "member \"actor\" is missing"},
      {with("\"payload\":{\"election\":\"iowa-dem-2020\",\"ruleset\":\"iowa-dem-2020\"},", ""),
       "member \"payload\" is missing"},
      {with("\"seq\":1,", ""), "member \"seq\" is missing"},
      {with("\"prev\":\"" + zeros + "\",", ""), "member \"prev\" is missing"},
      {with(",\"time\":\"2020-02-03T17:00:00.000Z\"", ""), "member \"time\" is missing"},
      {with(",\"type\":\"election-created\"", ""), "member \"type\" is missing"},
      {with("\"seq\":1,", "\"seq\":1,\"sig\":\"x\","), "unknown member \"sig\""},
      {with("\"actor\":{", "\"actor\":{\"key\":1,"), "unknown member \"actor.key\""},
      {with("\"id\":\"admin\",", ""), "member \"actor.id\" is missing"},
      {with("\"role\":\"admin\"", "\"role\":7"),
       "member \"actor.role\" must be a string, not an integer"},
      {with("\"actor\":{\"id\":\"admin\",\"role\":\"admin\"}", "\"actor\":\"admin\""),
       "member \"actor\" must be an object, not a string"},
      {with("\"channel\":\"cli\"", "\"channel\":null"),
       "member \"channel\" must be a string, not null"},
      {with("\"payload\":{\"election\":\"iowa-dem-2020\",\"ruleset\":\"iowa-dem-2020\"}",
            "\"payload\":[]"),
       "member \"payload\" must be an object, not an array"},
      {with("\"seq\":1", "\"seq\":\"1\""), "member \"seq\" must be an integer, not a string"},
      {with("\"seq\":1", "\"seq\":1.0"), "member \"seq\" must be an integer, not a floating point"},
      {with("\"seq\":1", "\"seq\":true"), "member \"seq\" must be an integer, not a boolean"},
      {with("\"seq\":1", "\"seq\":0"), "seq 0 is outside 1..2^53-1"},
      {with("\"seq\":1", "\"seq\":-3"), "seq -3 is outside 1..2^53-1"},
      {with("\"seq\":1", "\"seq\":9007199254740992"), "seq 9007199254740992 is outside"},
      {with("\"seq\":1", "\"seq\":01"), "line is not JSON: "},
      {with(zeros, std::string(63, '0')), "is not 64 lower-case hexadecimal digits"},
      {with(zeros, std::string(63, '0') + "A"), "is not 64 lower-case hexadecimal digits"},
      {with(zeros, std::string(63, '0') + "g"), "is not 64 lower-case hexadecimal digits"},
      {with("\"prev\":\"" + zeros + "\"", "\"prev\":0"), "member \"prev\" must be a string"},
      {with("17:00:00.000Z", "17:00:00Z"), "time \"2020-02-03T17:00:00Z\" is not in the form"},
      {with("17:00:00.000Z", "17:00:00.000+00:00"), "is not in the form"},
      {with("2020-02-03T", "2020-02-30T"), "time \"2020-02-30T17:00:00.000Z\" is not in the form"},
      {with("2020-02-03T", "2019-02-29T"), "is not in the form"},
      {with("17:00:00.000Z", "24:00:00.000Z"), "is not in the form"},
      {with("17:00:00.000Z", "17:00:60.000Z"), "is not in the form"},
      {with("2020-02-03T", "2020-02-03t"), "is not in the form"},
      {with("\"type\":\"election-created\"", "\"type\":\"\""), "type is empty"},
      {with("\"iowa-dem-2020\"}", "[1.5]}"), "floating point number at /payload/ruleset/0"},
      // Not canonical: each of these parses to a valid event, but is not the bytes it encodes to.
      {with("\"channel\":\"cli\"", "\"channel\" : \"cli\""),
       "line is not in canonical form: byte "},
      {" " + g, "line is not in canonical form: byte 0"},
      {g + "\n", "line is not in canonical form: byte "},
      {g + "\r", "line is not in canonical form: byte "},
      {with("\"election\":\"iowa-dem-2020\",\"ruleset\":\"iowa-dem-2020\"",
            "\"ruleset\":\"iowa-dem-2020\",\"election\":\"iowa-dem-2020\""),
       "not in canonical form"},
      {with("\"cli\"", "\"\\u0063li\""), "not in canonical form"},
      {with("\"iowa-dem-2020\"}", "\"iowa\\/dem\"}"), "not in canonical form"},
      {with("\"seq\":1,", "\"seq\":1,\"seq\":1,"), "not in canonical form"},
      {with("\"seq\":1", "\"seq\":-0"), "seq 0 is outside 1..2^53-1"},
      {with("\"iowa-dem-2020\"}", "-0}"), "not in canonical form"},
      {std::string(65, '[') + std::string(65, ']'), "nests deeper than 64 levels"},
  };
}

TEST(EventTest, DecodeSaysExactlyWhatIsWrong) {
  for (const Refusal& r : Refusals()) {
    Result<Event> e = DecodeEvent(r.line);
    ASSERT_FALSE(e.ok()) << r.line;
    EXPECT_EQ(e.status().code(), Status::Code::kCorruption) << r.line;
    EXPECT_THAT(e.status().message(), HasSubstr(r.message)) << r.line;
  }
}

TEST(EventTest, NonCanonicalMessageShowsWhere) {
  std::string spaced(kGolden1);
  spaced.insert(spaced.find("\"channel\"") + 10, " ");
  Result<Event> e = DecodeEvent(spaced);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(),
            "line is not in canonical form: byte 49 reads \"},\"channel\": \"cli\",\"payl\" where "
            "the canonical line has \"},\"channel\":\"cli\",\"paylo\"");
}

TEST(EventTest, DeepNestingIsRefusedWithoutRecursingIntoIt) {
  Event e = ValidEvent();
  nlohmann::json deep = 1;
  for (int i = 0; i < 100; ++i) deep = nlohmann::json::array({deep});
  e.payload = {{"deep", deep}};
  EXPECT_THAT(CanonicalLine(e).status().message(), HasSubstr("nests deeper than 64 levels"));
  std::string huge(std::string(200000, '[') + std::string(200000, ']'));
  EXPECT_THAT(DecodeEvent(huge).status().message(), HasSubstr("nests deeper than 64 levels"));
  // Brackets inside strings do not count.
  e.payload = {{"s", std::string(100, '[')}};
  Result<StoredEvent> ok = EncodeEvent(e);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(DecodeEvent(ok->line).ok());
}

// Random payloads: anything CanonicalLine accepts decodes to the same event, and re-encodes to
// the same bytes.
rc::Gen<std::string> Utf8Text() {
  return rc::gen::map(
      rc::gen::container<std::vector<uint32_t>>(rc::gen::oneOf(
          rc::gen::inRange<uint32_t>(0, 0x80), rc::gen::inRange<uint32_t>(0x80, 0x800),
          rc::gen::inRange<uint32_t>(0x800, 0xD800), rc::gen::inRange<uint32_t>(0xE000, 0x10000),
          rc::gen::inRange<uint32_t>(0x10000, 0x110000))),
      [](const std::vector<uint32_t>& cps) {
        std::string s;
        for (uint32_t c : cps) {
          if (c < 0x80) {
            s += static_cast<char>(c);
          } else if (c < 0x800) {
            s += static_cast<char>(0xC0 | (c >> 6));
            s += static_cast<char>(0x80 | (c & 0x3F));
          } else if (c < 0x10000) {
            s += static_cast<char>(0xE0 | (c >> 12));
            s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (c & 0x3F));
          } else {
            s += static_cast<char>(0xF0 | (c >> 18));
            s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (c & 0x3F));
          }
        }
        return s;
      });
}

nlohmann::json RandomValue(int depth) {
  const int kind = *rc::gen::inRange(0, depth > 3 ? 4 : 6);
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return *rc::gen::arbitrary<bool>();
    case 2:
      return *rc::gen::inRange<int64_t>(-9007199254740991, 9007199254740992);
    case 3:
      return *Utf8Text();
    case 4: {
      nlohmann::json a = nlohmann::json::array();
      const int n = *rc::gen::inRange(0, 4);
      for (int i = 0; i < n; ++i) a.push_back(RandomValue(depth + 1));
      return a;
    }
    default: {
      nlohmann::json o = nlohmann::json::object();
      const int n = *rc::gen::inRange(0, 4);
      for (int i = 0; i < n; ++i) o[*Utf8Text()] = RandomValue(depth + 1);
      return o;
    }
  }
}

TEST(EventTest, RandomEventsRoundTrip) {
  const bool ok = rc::check([] {
    Event e;
    e.seq = *rc::gen::inRange<int64_t>(1, 9007199254740992);
    e.time = "2020-02-03T19:04:05.123Z";
    e.actor = Actor{*Utf8Text(), *Utf8Text()};
    e.channel = *Utf8Text();
    e.type = *rc::gen::nonEmpty(Utf8Text());
    e.prev = Sha256Hex(*Utf8Text());
    const int n = *rc::gen::inRange(0, 5);
    for (int i = 0; i < n; ++i) e.payload[*Utf8Text()] = RandomValue(2);
    Result<StoredEvent> stored = EncodeEvent(e);
    RC_ASSERT(stored.ok());
    RC_ASSERT(stored->hash == Sha256Hex(stored->line));
    RC_ASSERT(stored->line.find('\n') == std::string::npos);
    Result<Event> back = DecodeEvent(stored->line);
    RC_ASSERT(back.ok());
    RC_ASSERT(back->seq == e.seq);
    RC_ASSERT(back->actor.id == e.actor.id);
    RC_ASSERT(back->actor.role == e.actor.role);
    RC_ASSERT(back->channel == e.channel);
    RC_ASSERT(back->type == e.type);
    RC_ASSERT(back->prev == e.prev);
    RC_ASSERT(back->payload == e.payload);
    RC_ASSERT(*CanonicalLine(*back) == stored->line);
  });
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace canvass
