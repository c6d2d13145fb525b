// Every way a ruleset file can be wrong yields a message naming the file, line, column, dotted
// key and the problem; positions are computed from the test text, not written by hand.
#include <gtest/gtest.h>

#include <string>

#include "rules/ruleset.h"

namespace canvass {
namespace {

const char kValid[] = R"([ruleset]
name = "v"
version = "1"
published = 2020-01-01

[precinct]
realignment_minutes = 15

[[precinct.threshold]]
min_delegates = 1
max_delegates = 2
threshold = "1/4"

[[precinct.threshold]]
min_delegates = 3
threshold = "15%"
)";

// "v.toml:LINE:COLUMN" of the first occurrence of `needle` in `text` (both 1-based).
std::string Where(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  if (at == std::string::npos) return "?";
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "v.toml:" + std::to_string(line) + ":" + std::to_string(at - line_start + 1);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The error message for `text`, which must be invalid.
std::string ErrorOf(const std::string& text) {
  auto r = ParseRuleset(text, "v.toml");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Status::Code::kParseError);
  return r.status().message();
}

// The message holds one line "<where>: <key>: ...<problem>...".
void ExpectError(const std::string& text, const std::string& where, const std::string& key,
                 const std::string& problem) {
  const std::string message = ErrorOf(text);
  const std::string head = where + ": " + key + ": ";
  size_t at = message.find(head);
  ASSERT_NE(at, std::string::npos) << "no \"" << head << "\" in:\n" << message;
  size_t end = message.find('\n', at);
  std::string line = message.substr(at, end == std::string::npos ? std::string::npos : end - at);
  EXPECT_NE(line.find(problem), std::string::npos) << "no \"" << problem << "\" in: " << line;
}

TEST(ValidationTest, TheBaseIsValid) {
  auto r = ParseRuleset(kValid, "v.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->precinct.ThresholdFor(3), Rational(3, 20));
}

TEST(ValidationTest, SyntaxErrorNamesThePosition) {
  std::string text = std::string(kValid) + "oops = = 1\n";
  std::string message = ErrorOf(text);
  EXPECT_EQ(message.rfind(Where(text, "oops").substr(0, 9), 0), 0u) << message;  // "v.toml:17"
}

// A table header whose key starts with a character no key can start with: an error at its
// position, not an assertion inside the TOML library (found by fuzz_ruleset).
TEST(ValidationTest, ATableHeaderWithABadKeyCharacterIsAnError) {
  const std::string text = "[<precinct]\nenabled = true\n";
  auto r = ParseRuleset(text, "v.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(Where(text, "<precinct")), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("expected bare key starting character"), std::string::npos)
      << r.status().message();
}

TEST(ValidationTest, UnknownKeyAtEveryLevel) {
  const std::string base = kValid;
  struct Case {
    std::string after;  // insert the key after this text
    std::string key;    // dotted
  };
  for (const Case& c : std::vector<Case>{
           {"published = 2020-01-01\n", "ruleset.colour"},
           {"realignment_minutes = 15\n", "precinct.colour"},
           {"threshold = \"1/4\"\n", "precinct.threshold[0].colour"},
       }) {
    std::string text = Replace(base, c.after, c.after + "colour = 1\n");
    ExpectError(text, Where(text, "colour"), c.key, "unknown key");
  }
  std::string top = "colour = 1\n" + base;
  ExpectError(top, "v.toml:1:1", "colour", "unknown key");
  std::string table = base + "[colours]\nred = 1\n";
  ExpectError(table, Where(table, "colours"), "colours", "unknown key");
  for (const std::string& section :
       {std::string("[precinct.satellites]\nenabled = false\ncolour = 1\n"),
        std::string("[precinct.satellites]\n[[precinct.satellites.bracket]]\nmin_attendance = 1\n"
                    "delegates = 4\ncolour = 1\n"),
        std::string("[precinct.early_vote]\ncolour = 1\n"), std::string("[national]\ncolour = 1\n"),
        std::string("[[national.pool]]\nname = \"A\"\nsize = 1\ncolour = 1\n"),
        std::string("[convention]\npledged_delegates = 9\ncolour = 1\n")}) {
    std::string text = base + section;
    std::string message = ErrorOf(text);
    EXPECT_NE(message.find(Where(text, "colour") + ": "), std::string::npos) << message;
    EXPECT_NE(message.find(".colour: unknown key (known keys here: "), std::string::npos)
        << message;
  }
}

TEST(ValidationTest, UnknownKeyWithStrangeCharactersStaysOnOneLine) {
  std::string text = std::string(kValid) + "\"a\\nb\" = 1\n";
  std::string message = ErrorOf(text);
  EXPECT_NE(message.find("precinct.threshold[1].\"a\\u000Ab\": unknown key"), std::string::npos)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(ValidationTest, UnknownKeyMessageMatchesTheCliExample) {
  std::string text =
      "[ruleset]\nname = \"x\"\nversion = \"1\"\npublished = 2020-01-01\n[precinct]\n"
      "no_such_key = true\n";
  std::string message = ErrorOf(text);
  EXPECT_NE(message.find("v.toml:6:1: precinct.no_such_key: unknown key"), std::string::npos)
      << message;
}

TEST(ValidationTest, WrongTypes) {
  const std::string base = kValid;
  std::string t1 = Replace(base, "realignment_minutes = 15", "realignment_minutes = \"15\"");
  ExpectError(t1, Where(t1, "realignment_minutes"), "precinct.realignment_minutes",
              "expected an integer, found a string");
  std::string t2 = Replace(base, "realignment_minutes = 15", "lock_viable_groups = 1");
  ExpectError(t2, Where(t2, "lock_viable_groups"), "precinct.lock_viable_groups",
              "expected true or false, found an integer");
  std::string t3 = Replace(base, "name = \"v\"", "name = 3");
  ExpectError(t3, Where(t3, "name"), "ruleset.name", "expected a string, found an integer");
  std::string t4 = Replace(base, "published = 2020-01-01", "published = \"2020-01-01\"");
  ExpectError(t4, Where(t4, "published"), "ruleset.published", "expected a date");
  std::string t5 = Replace(base, "realignment_minutes = 15", "realignment_minutes = 15.0");
  ExpectError(t5, Where(t5, "realignment_minutes"), "precinct.realignment_minutes",
              "floats are not allowed");
  std::string t6 = "precinct = 4\n" + base.substr(0, base.find("[precinct]"));
  ExpectError(t6, Where(t6, "precinct = 4"), "precinct", "expected a table, found an integer");
  std::string t7 =
      Replace(base, "published = 2020-01-01", "published = 2020-01-01\nsources = [\"a\", 2]");
  ExpectError(t7, Where(t7, "2]"), "ruleset.sources[1]", "expected a string, found an integer");
}

TEST(ValidationTest, MissingRequiredKeys) {
  const std::string base = kValid;
  for (const std::string key :
       {"name = \"v\"\n", "version = \"1\"\n", "published = 2020-01-01\n"}) {
    std::string text = Replace(base, key, "");
    std::string name = key.substr(0, key.find(' '));
    ExpectError(text, "v.toml:1:1", "ruleset." + name, "required key is missing");
  }
  std::string no_header = base.substr(base.find("[precinct]"));
  ExpectError(no_header, "v.toml:1:1", "ruleset", "required table [ruleset] is missing");
  std::string pool = base + "[[national.pool]]\nname = \"A\"\n";
  ExpectError(pool, Where(pool, "[[national.pool]]"), "national.pool[0].size",
              "required key is missing");
  std::string pool_name = base + "[[national.pool]]\nsize = 3\n";
  ExpectError(pool_name, Where(pool_name, "[[national.pool]]"), "national.pool[0].name",
              "required key is missing");
  std::string convention = base + "[convention]\ntotal_delegates = 9\n";
  ExpectError(convention, Where(convention, "[convention]"), "convention.pledged_delegates",
              "required key is missing");
  std::string row = Replace(base, "threshold = \"1/4\"\n", "");
  ExpectError(row, Where(row, "[[precinct.threshold]]"), "precinct.threshold[0].threshold",
              "required key is missing");
}

TEST(ValidationTest, CaucusNeedsThresholdRows) {
  const std::string base = kValid;
  std::string text = base.substr(0, base.find("[[precinct.threshold]]"));
  ExpectError(text, Where(text, "[precinct]"), "precinct.threshold",
              "required when precinct.method = \"caucus\"");
  // With no [precinct] at all, the default method is still caucus.
  std::string header = base.substr(0, base.find("[precinct]"));
  std::string message = ErrorOf(header);
  EXPECT_NE(message.find("v.toml:1:1: precinct.threshold: required when"), std::string::npos)
      << message;
}

TEST(ValidationTest, ThresholdTableMustTileFromOne) {
  const std::string base = kValid;
  std::string start = Replace(base, "min_delegates = 1", "min_delegates = 2");
  ExpectError(start, Where(start, "min_delegates = 2"), "precinct.threshold[0].min_delegates",
              "the first row must start at 1, not 2");
  std::string gap = Replace(base, "min_delegates = 3", "min_delegates = 5");
  ExpectError(gap, Where(gap, "min_delegates = 5"), "precinct.threshold[1].min_delegates",
              "gap: this row starts at 5 but the row before ends at 2");
  std::string overlap = Replace(base, "min_delegates = 3", "min_delegates = 2");
  ExpectError(overlap, Where(overlap, "min_delegates = 2"), "precinct.threshold[1].min_delegates",
              "overlap: this row starts at 2 but the row before ends at 2");
  std::string capped =
      Replace(base, "threshold = \"15%\"", "max_delegates = 40\nthreshold = \"15%\"");
  ExpectError(capped, Where(capped, "max_delegates = 40"), "precinct.threshold[1].max_delegates",
              "the last row must be open-ended");
  std::string open = Replace(base, "max_delegates = 2\n", "");
  ExpectError(open, Where(open, "[[precinct.threshold]]"), "precinct.threshold[0].max_delegates",
              "only the last row may omit max_delegates");
  std::string backwards =
      Replace(base, "min_delegates = 1\nmax_delegates = 2", "min_delegates = 1\nmax_delegates = 0");
  ExpectError(backwards, Where(backwards, "max_delegates = 0"),
              "precinct.threshold[0].max_delegates", "out of range");
  std::string huge = Replace(base, "min_delegates = 3", "min_delegates = 100001");
  ExpectError(huge, Where(huge, "min_delegates = 100001"), "precinct.threshold[1].min_delegates",
              "out of range: must be from 1 to 100000");
}

TEST(ValidationTest, ThresholdValues) {
  const std::string base = kValid;
  for (const std::string bad : {"\"0\"", "\"3/2\"", "\"-1/4\"", "\"101%\"", "\"0%\""}) {
    std::string text = Replace(base, "\"1/4\"", bad);
    ExpectError(text, Where(text, "threshold = " + bad), "precinct.threshold[0].threshold",
                "outside (0, 1]");
  }
  std::string flt = Replace(base, "\"1/4\"", "0.25");
  ExpectError(flt, Where(flt, "threshold = 0.25"), "precinct.threshold[0].threshold",
              "a float is inexact");
  EXPECT_NE(ErrorOf(flt).find("write the number as a string: \"0.25\""), std::string::npos);
  std::string junk = Replace(base, "\"1/4\"", "\"a quarter\"");
  ExpectError(junk, Where(junk, "threshold = \"a"), "precinct.threshold[0].threshold",
              "is not a number");
  std::string integer = Replace(base, "\"1/4\"", "1");
  ExpectError(integer, Where(integer, "threshold = 1"), "precinct.threshold[0].threshold",
              "expected a string");
  std::string national = base + "[national]\nthreshold = \"-1%\"\n";
  ExpectError(national, Where(national, "threshold = \"-1%"), "national.threshold",
              "outside [0, 1]");
  // The accepted spellings all mean 1/4.
  for (const std::string good : {"\"0.25\"", "\"25%\"", "\"2/8\"", "\"1\""}) {
    auto r = ParseRuleset(Replace(base, "\"1/4\"", good), "v.toml");
    ASSERT_TRUE(r.ok()) << good << ": " << r.status().ToString();
    EXPECT_EQ(r->precinct.ThresholdFor(1), good == "\"1\"" ? Rational(1) : Rational(1, 4));
  }
}

TEST(ValidationTest, SatelliteBrackets) {
  const std::string base = std::string(kValid) + R"(
[precinct.satellites]
enabled = true

[[precinct.satellites.bracket]]
min_attendance = 1
max_attendance = 20
delegates = 4

[[precinct.satellites.bracket]]
min_attendance = 21
delegates = 5
)";
  auto ok = ParseRuleset(base, "v.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->precinct.SatelliteDelegatesFor(21), 5);
  std::string start = Replace(base, "min_attendance = 1\n", "min_attendance = 2\n");
  ExpectError(start, Where(start, "min_attendance = 2"),
              "precinct.satellites.bracket[0].min_attendance", "must start at 1");
  std::string gap = Replace(base, "min_attendance = 21", "min_attendance = 25");
  ExpectError(gap, Where(gap, "min_attendance = 25"),
              "precinct.satellites.bracket[1].min_attendance",
              "gap: this row starts at 25 but the row before ends at 20");
  std::string overlap = Replace(base, "min_attendance = 21", "min_attendance = 19");
  ExpectError(overlap, Where(overlap, "min_attendance = 19"),
              "precinct.satellites.bracket[1].min_attendance", "overlap");
  std::string zero = Replace(base, "delegates = 5", "delegates = 0");
  ExpectError(zero, Where(zero, "delegates = 0"), "precinct.satellites.bracket[1].delegates",
              "out of range");
  std::string none = base.substr(0, base.find("[[precinct.satellites.bracket]]"));
  ExpectError(none, Where(none, "[precinct.satellites]"), "precinct.satellites.bracket",
              "required when satellites are enabled");
  std::string rule = Replace(base, "enabled = true", "enabled = true\nsde_rule = \"turnout\"");
  ExpectError(rule, Where(rule, "sde_rule"), "precinct.satellites.sde_rule",
              "unknown value \"turnout\": expected \"attendance\" or \"county_delegates\"");
}

TEST(ValidationTest, Pools) {
  const std::string base = std::string(kValid) + R"(
[national]

[[national.pool]]
name = "CD1"
scope = "district"
district = "1"
size = 7

[[national.pool]]
name = "At-large"
size = 9
)";
  auto ok = ParseRuleset(base, "v.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->national->pools.size(), 2u);
  EXPECT_EQ(ok->national->pools[1].scope, PoolScope::kStatewide);  // the default
  std::string dup = Replace(base, "name = \"At-large\"", "name = \"CD1\"");
  ExpectError(dup, Where(dup, "name = \"CD1\"\nsize"), "national.pool[1].name",
              "duplicate pool name \"CD1\"");
  std::string no_district = Replace(base, "district = \"1\"\n", "");
  ExpectError(no_district, Where(no_district, "scope = \"district\""), "national.pool[0].district",
              "required when scope = \"district\"");
  std::string statewide = Replace(base, "size = 9", "district = \"2\"\nsize = 9");
  ExpectError(statewide, Where(statewide, "district = \"2\""), "national.pool[1].district",
              "a statewide pool has no district");
  for (const std::string size : {"0", "-3", "100001"}) {
    std::string text = Replace(base, "size = 9", "size = " + size);
    ExpectError(text, Where(text, "size = " + size), "national.pool[1].size",
                "out of range: must be from 1 to 100000");
  }
  std::string scope = Replace(base, "\"district\"", "\"county\"");
  ExpectError(scope, Where(scope, "scope"), "national.pool[0].scope",
              "expected \"district\" or \"statewide\"");
  std::string not_array = std::string(kValid) + "[national]\npool = 3\n";
  ExpectError(not_array, Where(not_array, "pool = 3"), "national.pool",
              "expected an array of tables");
}

TEST(ValidationTest, UnknownEnumSpellingsListTheAllowedOnes) {
  const std::string base = kValid;
  struct Case {
    std::string key, value, allowed;
  };
  for (const Case& c : std::vector<Case>{
           {"method", "primary", "\"caucus\", \"straw_poll\" or \"none\""},
           {"viability_comparison", "gte", "\"at_least\" or \"greater_than\""},
           {"over_allocation", "drop", "\"smallest_realign\" or \"add_delegates\""},
           {"tie_precision", "round2", "\"exact\", \"round4\" or \"trunc4\""},
           {"tie_breaker", "dice", "\"coin\", \"card_draw\" or \"lot\""},
           {"single_delegate", "vote", "\"threshold\" or \"plurality\""},
       }) {
    std::string text = Replace(base, "realignment_minutes = 15", c.key + " = \"" + c.value + "\"");
    ExpectError(text, Where(text, c.key + " ="), "precinct." + c.key,
                "unknown value \"" + c.value + "\": expected " + c.allowed);
  }
  for (const Case& c : std::vector<Case>{
           {"basis", "votes",
            "\"sde\", \"county_delegates\", \"first_alignment\" or \"final_alignment\""},
           {"share_precision", "percent2", "\"exact\", \"fraction3\" or \"percent3\""},
           {"fallback", "x", "\"none\", \"half_front_runner\" or \"front_runner_minus_10\""},
       }) {
    std::string text = base + "[national]\n" + c.key + " = \"" + c.value + "\"\n";
    ExpectError(text, Where(text, c.key + " ="), "national." + c.key, c.allowed);
  }
  std::string majority = base + "[convention]\npledged_delegates = 9\nmajority = \"half\"\n";
  ExpectError(majority, Where(majority, "majority ="), "convention.majority",
              "\"floor_half_plus_one\" or \"ceil_half_plus_one\"");
}

TEST(ValidationTest, OtherRanges) {
  const std::string base = kValid;
  std::string minutes = Replace(base, "= 15", "= -1");
  ExpectError(minutes, Where(minutes, "realignment_minutes"), "precinct.realignment_minutes",
              "out of range");
  std::string places = Replace(base, "realignment_minutes = 15", "sde_places = 13");
  ExpectError(places, Where(places, "sde_places"), "precinct.sde_places", "out of range");
  std::string choices =
      base + "[precinct.early_vote]\nenabled = true\nmin_choices = 4\nmax_choices = 3\n";
  ExpectError(choices, Where(choices, "max_choices"), "precinct.early_vote.max_choices",
              "below min_choices (4)");
  std::string convention = base + "[convention]\npledged_delegates = 10\ntotal_delegates = 9\n";
  ExpectError(convention, Where(convention, "total_delegates"), "convention.total_delegates",
              "fewer than the 10 pledged delegates");
  std::string empty = Replace(base, "name = \"v\"", "name = \"\"");
  ExpectError(empty, Where(empty, "name"), "ruleset.name", "must not be empty");
}

TEST(ValidationTest, CaucusSettingsRefusedWithoutACaucus) {
  const std::string base = kValid;
  std::string straw = Replace(base, "[precinct]\n", "[precinct]\nmethod = \"straw_poll\"\n");
  ExpectError(straw, Where(straw, "threshold]]"), "precinct.threshold",
              "applies only when precinct.method = \"caucus\", not \"straw_poll\"");
  std::string none = base.substr(0, base.find("[precinct]")) +
                     "[precinct]\nmethod = \"none\"\n[precinct.early_vote]\nenabled = true\n";
  ExpectError(none, Where(none, "early_vote"), "precinct.early_vote",
              "applies only when precinct.method = \"caucus\", not \"none\"");
}

TEST(ValidationTest, SmallestRealignReleasesLock) {
  const std::string base = kValid;
  std::string wrong_type =
      Replace(base, "realignment_minutes = 15", "smallest_realign_releases_lock = \"yes\"");
  ExpectError(wrong_type, Where(wrong_type, "smallest_realign_releases_lock"),
              "precinct.smallest_realign_releases_lock", "expected true or false, found a string");
  // Read only when groups are locked and the smallest must realign: refused otherwise.
  std::string unlocked =
      Replace(base, "realignment_minutes = 15",
              "lock_viable_groups = false\nsmallest_realign_releases_lock = true");
  ExpectError(unlocked, Where(unlocked, "smallest_realign_releases_lock"),
              "precinct.smallest_realign_releases_lock",
              "applies only with lock_viable_groups = true and over_allocation = "
              "\"smallest_realign\", not lock_viable_groups = false");
  std::string added =
      Replace(base, "realignment_minutes = 15",
              "smallest_realign_releases_lock = false\nover_allocation = \"add_delegates\"");
  ExpectError(added, Where(added, "smallest_realign_releases_lock"),
              "precinct.smallest_realign_releases_lock", "over_allocation = \"add_delegates\"");
  for (const char* value : {"true", "false"}) {
    std::string ok = Replace(base, "realignment_minutes = 15",
                             std::string("smallest_realign_releases_lock = ") + value);
    auto r = ParseRuleset(ok, "v.toml");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->precinct.smallest_realign_releases_lock, std::string(value) == "true");
  }
  // Absent, it defaults to true (the rules' own reading of spec 1.7), whatever the lock says.
  auto plain = ParseRuleset(base, "v.toml");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->precinct.smallest_realign_releases_lock);
}

TEST(ValidationTest, EveryProblemIsReportedInFileOrder) {
  std::string text = Replace(kValid, "name = \"v\"", "name = 1");
  text = Replace(text, "min_delegates = 3", "min_delegates = 4");
  text += "[national]\nfallback = \"sometimes\"\n";
  std::string message = ErrorOf(text);
  size_t a = message.find("ruleset.name");
  size_t b = message.find("precinct.threshold[1].min_delegates: gap");
  size_t c = message.find("national.fallback");
  ASSERT_NE(a, std::string::npos) << message;
  ASSERT_NE(b, std::string::npos) << message;
  ASSERT_NE(c, std::string::npos) << message;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 2) << message;
}

TEST(ValidationTest, ManyProblemsAreCapped) {
  std::string text = kValid;
  for (int i = 0; i < 40; ++i) text += "[x" + std::to_string(i) + "]\n";
  std::string message = ErrorOf(text);
  EXPECT_NE(message.find("15 more problems not shown"), std::string::npos) << message;
}

TEST(ValidationTest, HostileInputIsAStatusNotACrash) {
  for (const std::string& text :
       {std::string(""), std::string("\xff\xfe"), std::string("a = [[[[[[[[[[[[[["),
        std::string(1, '\0'), std::string("[ruleset]\nname = \"\xc3\x28\"\n"),
        std::string(kValid) + "[[precinct.threshold]]\nthreshold = \"999999999999/1\"\n",
        std::string(kValid) + "[national]\nthreshold = \"1/999999999999\"\n",
        std::string(kValid) + "[[precinct.threshold]]\nmin_delegates = 9223372036854775807\n"}) {
    auto r = ParseRuleset(text, "v.toml");
    if (text.find("1/999999999999") != std::string::npos) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    } else {
      EXPECT_FALSE(r.ok());
      EXPECT_EQ(r.status().message().rfind("v.toml:", 0), 0u) << r.status().message();
    }
  }
}

}  // namespace
}  // namespace canvass
