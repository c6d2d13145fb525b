// The shipped rulesets, the arithmetic on a loaded ruleset, and the content hash.
#include "rules/ruleset.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/sha256.h"

namespace canvass {
namespace {

const std::string kRulesDir = CANVASS_RULES_DIR;
const char* const kShipped[] = {"dnc-2016", "dnc-2020", "iowa-dem-2016", "iowa-dem-2020", "iowa-gop-2020",
                                "nevada-dem-2020", "rnc-2016"};

Ruleset Load(const std::string& name) {
  auto r = LoadRuleset(name);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Ruleset();
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool IsLowerHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(ShippedRulesets, EveryOneLoadsWithAStableHash) {
  for (const char* name : kShipped) {
    SCOPED_TRACE(name);
    Ruleset a = Load(name);
    EXPECT_EQ(a.name, name);
    EXPECT_FALSE(a.version.empty());
    EXPECT_EQ(a.published.size(), 10u);
    EXPECT_FALSE(a.sources.empty());
    EXPECT_TRUE(IsLowerHex64(a.hash)) << a.hash;
    EXPECT_EQ(a.ShortHash(), a.hash.substr(0, 12));
    // The same file, loaded again and through its path, gives the same hash.
    EXPECT_EQ(Load(name).hash, a.hash);
    EXPECT_EQ(Load(kRulesDir + "/" + name + ".toml").hash, a.hash);
  }
}

TEST(ShippedRulesets, HashesDiffer) {
  std::set<std::string> hashes;
  for (const char* name : kShipped) hashes.insert(Load(name).hash);
  EXPECT_EQ(hashes.size(), std::size(kShipped));
}

TEST(ShippedRulesets, ListedInOrder) {
  std::vector<std::string> names = ListRulesets();
  for (const char* name : kShipped) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(ShippedRulesets, Iowa2020) {
  Ruleset r = Load("iowa-dem-2020");
  const PrecinctRules& p = r.precinct;
  EXPECT_EQ(p.method, PrecinctMethod::kCaucus);
  EXPECT_TRUE(p.lock_viable_groups);
  EXPECT_EQ(p.realignment_minutes, 15);
  EXPECT_TRUE(p.attendance_fixed_at_first);
  EXPECT_TRUE(p.final_viability_recheck);
  EXPECT_TRUE(p.minimum_one_delegate);
  EXPECT_EQ(p.over_allocation, OverAllocation::kSmallestRealign);
  EXPECT_EQ(p.tie_precision, TiePrecision::kRound4);
  EXPECT_EQ(p.tie_breaker, TieBreaker::kCoin);
  // The party's practice (docs/rulesets.md): the largest group takes a single delegate, and the
  // smallest group(s) made to realign are released from the lock.
  EXPECT_EQ(p.single_delegate, SingleDelegateRule::kPlurality);
  EXPECT_TRUE(p.smallest_realign_releases_lock);
  EXPECT_TRUE(p.satellites_enabled);
  EXPECT_EQ(p.satellite_sde, SatelliteSdeRule::kAttendance);
  EXPECT_EQ(p.sde_places, 4);
  EXPECT_FALSE(p.early_vote.enabled);
  ASSERT_TRUE(r.national.has_value());
  EXPECT_EQ(r.national->basis, NationalBasis::kSde);
  EXPECT_EQ(r.national->threshold, Rational(3, 20));
  EXPECT_EQ(r.national->fallback, ThresholdFallback::kHalfFrontRunner);
  EXPECT_EQ(r.national->share_precision, SharePrecision::kExact);
  ASSERT_EQ(r.national->pools.size(), 6u);
  const std::pair<const char*, Count> district[] = {{"1", 7}, {"2", 7}, {"3", 8}, {"4", 5}};
  for (size_t i = 0; i < 4; ++i) {
    const NationalPool& pool = r.national->pools[i];
    EXPECT_EQ(pool.name, "CD" + std::string(district[i].first));
    EXPECT_EQ(pool.scope, PoolScope::kDistrict);
    EXPECT_EQ(pool.district, district[i].first);
    EXPECT_EQ(pool.size, district[i].second);
  }
  EXPECT_EQ(r.national->pools[4].name, "At-large");
  EXPECT_EQ(r.national->pools[4].scope, PoolScope::kStatewide);
  EXPECT_EQ(r.national->pools[4].size, 9);
  EXPECT_EQ(r.national->pools[5].name, "PLEO");
  EXPECT_EQ(r.national->pools[5].size, 5);
  EXPECT_FALSE(r.convention.has_value());
}

TEST(ShippedRulesets, Iowa2016DiffersFrom2020OnlyWhereTheSpecSays) {
  Ruleset r16 = Load("iowa-dem-2016");
  Ruleset r20 = Load("iowa-dem-2020");
  EXPECT_FALSE(r16.precinct.lock_viable_groups);
  EXPECT_EQ(r16.precinct.realignment_minutes, 30);
  EXPECT_FALSE(r16.precinct.satellites_enabled);
  EXPECT_FALSE(r16.national.has_value());
  for (Count d : {1, 2, 3, 4, 36}) {
    EXPECT_EQ(r16.precinct.ThresholdFor(d), r20.precinct.ThresholdFor(d)) << d;
  }
  EXPECT_EQ(r16.precinct.over_allocation, r20.precinct.over_allocation);
  EXPECT_EQ(r16.precinct.minimum_one_delegate, r20.precinct.minimum_one_delegate);
  EXPECT_EQ(r16.precinct.single_delegate, r20.precinct.single_delegate);
}

TEST(ShippedRulesets, Nevada2020) {
  Ruleset r = Load("nevada-dem-2020");
  EXPECT_TRUE(r.precinct.lock_viable_groups);
  EXPECT_EQ(r.precinct.over_allocation, OverAllocation::kAddDelegates);
  EXPECT_EQ(r.precinct.tie_breaker, TieBreaker::kCardDraw);
  EXPECT_EQ(r.precinct.tie_precision, TiePrecision::kRound4);
  EXPECT_TRUE(r.precinct.early_vote.enabled);
  EXPECT_EQ(r.precinct.early_vote.min_choices, 3);
  EXPECT_EQ(r.precinct.early_vote.max_choices, 5);
  EXPECT_TRUE(r.precinct.early_vote.distinct_choices);
  EXPECT_FALSE(r.precinct.satellites_enabled);
  ASSERT_TRUE(r.national.has_value());
  EXPECT_EQ(r.national->basis, NationalBasis::kCountyDelegates);
  Count district = 0, total = 0;
  for (const NationalPool& pool : r.national->pools) {
    total += pool.size;
    if (pool.scope == PoolScope::kDistrict) district += pool.size;
  }
  EXPECT_EQ(district, 23);  // spec 3.1
  EXPECT_EQ(total, 36);
}

TEST(ShippedRulesets, Dnc2020) {
  Ruleset r = Load("dnc-2020");
  EXPECT_EQ(r.precinct.method, PrecinctMethod::kNone);
  EXPECT_TRUE(r.precinct.thresholds.empty());
  ASSERT_TRUE(r.national.has_value());
  EXPECT_EQ(r.national->threshold, Rational(3, 20));
  EXPECT_EQ(r.national->fallback, ThresholdFallback::kHalfFrontRunner);
  EXPECT_EQ(r.national->share_precision, SharePrecision::kExact);
  EXPECT_TRUE(r.national->pools.empty());
  ASSERT_TRUE(r.convention.has_value());
  EXPECT_EQ(r.convention->pledged_delegates, 3979);
  EXPECT_EQ(r.convention->total_delegates, 4750);
  EXPECT_EQ(r.convention->majority, MajorityFormula::kCeilHalfPlusOne);
  EXPECT_EQ(r.convention->MajorityOf(3979), 1991);  // spec 4.3
}

TEST(ShippedRulesets, IowaGop2020) {
  Ruleset r = Load("iowa-gop-2020");
  EXPECT_EQ(r.precinct.method, PrecinctMethod::kStrawPoll);
  EXPECT_TRUE(r.precinct.thresholds.empty());
  ASSERT_TRUE(r.national.has_value());
  EXPECT_EQ(r.national->basis, NationalBasis::kFirstAlignment);
  EXPECT_EQ(r.national->threshold, Rational(0));
  EXPECT_EQ(r.national->fallback, ThresholdFallback::kNone);
  EXPECT_EQ(r.national->tie_breaker, TieBreaker::kLot);
  ASSERT_EQ(r.national->pools.size(), 1u);
  EXPECT_EQ(r.national->pools[0].name, "Statewide");
  EXPECT_EQ(r.national->pools[0].scope, PoolScope::kStatewide);
  EXPECT_EQ(r.national->pools[0].size, 40);
}

TEST(PrecinctRulesTest, ThresholdForEveryEdge) {
  const PrecinctRules& p = Load("iowa-dem-2020").precinct;
  EXPECT_EQ(p.ThresholdFor(1), Rational(1, 2));
  EXPECT_EQ(p.ThresholdFor(2), Rational(1, 4));
  EXPECT_EQ(p.ThresholdFor(3), Rational(1, 6));
  EXPECT_EQ(p.ThresholdFor(4), Rational(3, 20));
  EXPECT_EQ(p.ThresholdFor(36), Rational(3, 20));
  EXPECT_EQ(p.ThresholdFor(kMaxDelegates), Rational(3, 20));
  EXPECT_EQ(p.ThresholdFor(0), std::nullopt);
  EXPECT_EQ(p.ThresholdFor(-1), std::nullopt);
}

TEST(PrecinctRulesTest, SatelliteDelegatesAtEveryBracketEdge) {
  const PrecinctRules& p = Load("iowa-dem-2020").precinct;
  const std::pair<Count, Count> cases[] = {{1, 4},  {20, 4}, {21, 5}, {40, 5},  {41, 6},  {60, 6},
                                           {61, 7}, {80, 7}, {81, 8}, {100, 8}, {101, 9}, {500, 9}};
  for (auto [attendance, delegates] : cases) {
    EXPECT_EQ(p.SatelliteDelegatesFor(attendance), delegates) << attendance;
  }
  EXPECT_EQ(p.SatelliteDelegatesFor(0), std::nullopt);
  EXPECT_EQ(Load("iowa-dem-2016").precinct.SatelliteDelegatesFor(10), std::nullopt);
}

TEST(ConventionRulesTest, MajorityOf3979BothWays) {
  ConventionRules c;
  c.majority = MajorityFormula::kFloorHalfPlusOne;
  EXPECT_EQ(c.MajorityOf(3979), 1990);
  EXPECT_EQ(c.MajorityOf(4750), 2376);
  c.majority = MajorityFormula::kCeilHalfPlusOne;
  EXPECT_EQ(c.MajorityOf(3979), 1991);
  EXPECT_EQ(c.MajorityOf(4750), 2376);
}

// floor(N/2)+1 is the least strict majority; ceil(N/2+1) adds one only when N is odd.
RC_GTEST_PROP(ConventionRulesProperty, MajorityFormulas, ()) {
  const Count n = *rc::gen::inRange<Count>(0, 1'000'000);
  ConventionRules floor_rule{0, 0, MajorityFormula::kFloorHalfPlusOne};
  ConventionRules ceil_rule{0, 0, MajorityFormula::kCeilHalfPlusOne};
  const Count m = floor_rule.MajorityOf(n);
  RC_ASSERT(2 * m > n);
  RC_ASSERT(2 * (m - 1) <= n);
  RC_ASSERT(ceil_rule.MajorityOf(n) == m + (n % 2));
}

TEST(CanonicalJsonTest, HoldsEveryFieldWithDefaultsAndExactRationals) {
  Ruleset r = Load("iowa-gop-2020");
  nlohmann::json j = nlohmann::json::parse(r.CanonicalJson());
  // Defaults the file never wrote are still spelled out.
  EXPECT_EQ(j["precinct"]["viability_comparison"], "at_least");
  EXPECT_EQ(j["precinct"]["early_vote"]["min_choices"], 3);
  EXPECT_EQ(j["precinct"]["satellites"]["enabled"], false);
  EXPECT_EQ(j["national"]["threshold"], "0/1");
  EXPECT_TRUE(j["convention"].is_null());
  Ruleset ia = Load("iowa-dem-2020");
  nlohmann::json k = nlohmann::json::parse(ia.CanonicalJson());
  EXPECT_EQ(k["precinct"]["threshold"][2]["threshold"], "1/6");
  EXPECT_TRUE(k["precinct"]["threshold"][3]["max_delegates"].is_null());
  EXPECT_EQ(k["precinct"]["satellites"]["bracket"][5]["delegates"], 9);
  EXPECT_EQ(k["national"]["pool"][0]["district"], "1");
  EXPECT_EQ(k["precinct"]["single_delegate"], "plurality");
  EXPECT_EQ(k["precinct"]["smallest_realign_releases_lock"], true);
  // Compact, with sorted keys: dumping the parsed value again gives the same bytes.
  EXPECT_EQ(k.dump(), ia.CanonicalJson());
  EXPECT_EQ(ia.CanonicalJson().find('\n'), std::string::npos);
}

TEST(CanonicalJsonTest, HashIsSha256OfCanonicalJson) {
  Ruleset r = Load("dnc-2020");
  EXPECT_EQ(r.hash, Sha256Hex(r.CanonicalJson()));
  Ruleset changed = r;
  changed.convention->majority = MajorityFormula::kFloorHalfPlusOne;
  EXPECT_NE(changed.CanonicalJson(), r.CanonicalJson());
  // The strict reading of the lock is a different ruleset, with a different hash.
  Ruleset ia = Load("iowa-dem-2020");
  Ruleset strict = ia;
  strict.precinct.smallest_realign_releases_lock = false;
  EXPECT_NE(Sha256Hex(strict.CanonicalJson()), ia.hash);
}

const char kBase[] = R"(# comment
[ruleset]
name = "t"
version = "1"
published = 2020-01-01
sources = ["a", "b"]

[precinct]
lock_viable_groups = true
realignment_minutes = 15

[[precinct.threshold]]
min_delegates = 1
max_delegates = 3
threshold = "1/4"

[[precinct.threshold]]
min_delegates = 4
threshold = "3/20"

[national]
threshold = "15%"
fallback = "none"
)";

// The same content: keys reordered, tables moved, comments and spacing changed, and the
// thresholds spelled differently ("0.25" is 1/4, "0.15" is 15%).
const char kReordered[] = R"(
[national]
fallback = "none"     # trailing comment
threshold = "0.15"

[precinct]
realignment_minutes   =   15
lock_viable_groups = true
[[precinct.threshold]]
threshold = "0.25"
max_delegates = 3
min_delegates = 1
[[precinct.threshold]]
threshold = "3/20"
min_delegates = 4

[ruleset]
sources = ["a", "b"]
published = 2020-01-01
version = "1"
name = "t"
)";

Ruleset ParseOk(std::string_view text) {
  auto r = ParseRuleset(text, "t.toml");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Ruleset();
}

TEST(HashTest, KeyOrderCommentsAndSpellingDoNotChangeIt) {
  Ruleset a = ParseOk(kBase);
  Ruleset b = ParseOk(kReordered);
  EXPECT_TRUE(IsLowerHex64(a.hash));
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.CanonicalJson(), b.CanonicalJson());
}

TEST(HashTest, WritingADefaultOutDoesNotChangeIt) {
  std::string explicit_default = kBase;
  explicit_default += "share_precision = \"exact\"\n";
  EXPECT_EQ(ParseOk(kBase).hash, ParseOk(explicit_default).hash);
}

TEST(HashTest, AnyChangeOfSubstanceChangesIt) {
  const std::string base = kBase;
  const std::string hash = ParseOk(base).hash;
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = base;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"realignment_minutes = 15", "realignment_minutes = 16"},
           {"\"1/4\"", "\"1/5\""},
           {"max_delegates = 3\nthreshold = \"1/4\"\n\n[[precinct.threshold]]\nmin_delegates = 4",
            "max_delegates = 2\nthreshold = \"1/4\"\n\n[[precinct.threshold]]\nmin_delegates = 3"},
           {"min_delegates = 4",
            "min_delegates = 4\nmax_delegates = 9\nthreshold = \"1/9\"\n"
            "[[precinct.threshold]]\nmin_delegates = 10"},
           {"lock_viable_groups = true", "lock_viable_groups = false"},
           {"sources = [\"a\", \"b\"]", "sources = [\"b\", \"a\"]"},
           {"version = \"1\"", "version = \"2\""},
           {"fallback = \"none\"", "fallback = \"half_front_runner\""},
           {"\"15%\"", "\"15.1%\""},
       }) {
    auto changed = ParseRuleset(replaced(from, to), "t.toml");
    ASSERT_TRUE(changed.ok()) << changed.status().ToString();
    EXPECT_NE(changed->hash, hash) << from << " -> " << to;
  }
  // Adding a section that was absent is a change too.
  EXPECT_NE(ParseOk(base + "[convention]\npledged_delegates = 10\n").hash, hash);
}

TEST(LoadRulesetTest, UnknownNameListsTheAvailableOnes) {
  auto r = LoadRuleset("no-such-rules");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find("no-such-rules"), std::string::npos);
  EXPECT_NE(r.status().message().find("iowa-dem-2020"), std::string::npos);
  auto path = LoadRuleset("/nonexistent/x.toml");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Status::Code::kIoError);
  EXPECT_NE(path.status().message().find("/nonexistent/x.toml"), std::string::npos);
}

TEST(LoadRulesetTest, RulesDirectoryFromTheEnvironment) {
  const std::string dir = ::testing::TempDir() + "/canvass-rules-env";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/zz-local.toml") << kBase;
  std::ofstream(dir + "/notes.txt") << "not a ruleset";
  ASSERT_EQ(setenv("CANVASS_RULES_DIR", dir.c_str(), 1), 0);
  std::vector<std::string> names = ListRulesets();
  auto local = LoadRuleset("zz-local");
  auto shipped = LoadRuleset("iowa-dem-2020");
  unsetenv("CANVASS_RULES_DIR");
  EXPECT_EQ(names, std::vector<std::string>{"zz-local"});
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(local->name, "t");
  EXPECT_FALSE(shipped.ok());
  // A path is a path wherever the rules directory is.
  EXPECT_TRUE(LoadRuleset(dir + "/zz-local.toml").ok());
  EXPECT_TRUE(LoadRuleset("iowa-dem-2020").ok());
}

TEST(LoadRulesetTest, ShippedFileParsedFromTextHasTheSameHash) {
  const std::string path = kRulesDir + "/nevada-dem-2020.toml";
  auto from_text = ParseRuleset(ReadText(path), "elsewhere.toml");
  ASSERT_TRUE(from_text.ok()) << from_text.status().ToString();
  EXPECT_EQ(from_text->hash, Load("nevada-dem-2020").hash);  // the origin is not content
}

// Any well-formed threshold table written as TOML reads back to the same look-up.
RC_GTEST_PROP(ThresholdTableProperty, ReadsBackAsWritten, ()) {
  const auto widths = *rc::gen::container<std::vector<Count>>(*rc::gen::inRange<size_t>(0, 6),
                                                              rc::gen::inRange<Count>(1, 10));
  const auto dens = *rc::gen::container<std::vector<int64_t>>(widths.size() + 1,
                                                              rc::gen::inRange<int64_t>(1, 50));
  std::string text = "[ruleset]\nname = \"p\"\nversion = \"1\"\npublished = 2020-01-01\n";
  std::vector<std::pair<Count, Rational>> starts;
  Count start = 1;
  for (size_t i = 0; i <= widths.size(); ++i) {
    const bool last = i == widths.size();
    const Rational t(1, dens[i]);
    text += "[[precinct.threshold]]\nmin_delegates = " + std::to_string(start) + "\n";
    if (!last) text += "max_delegates = " + std::to_string(start + widths[i] - 1) + "\n";
    text += "threshold = \"" + t.ToString() + "\"\n";
    starts.emplace_back(start, t);
    if (!last) start += widths[i];
  }
  auto r = ParseRuleset(text, "p.toml");
  RC_ASSERT(r.ok());
  RC_ASSERT(!r->precinct.ThresholdFor(0).has_value());
  for (Count d = 1; d <= start + 5; ++d) {
    Rational expected;
    for (const auto& [s, t] : starts) {
      if (d >= s) expected = t;
    }
    RC_ASSERT(r->precinct.ThresholdFor(d) == std::optional<Rational>(expected));
  }
}

}  // namespace
}  // namespace canvass
