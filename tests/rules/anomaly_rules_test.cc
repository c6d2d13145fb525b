// The optional [anomaly] table: the gate's thresholds as ruleset data (docs/rulesets.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "rules/ruleset.h"

namespace canvass {
namespace {

const char kAnomalyBase[] = R"([ruleset]
name = "a"
version = "1"
published = 2020-01-01
sources = ["s"]

[precinct]
[[precinct.threshold]]
min_delegates = 1
threshold = "15%"
)";

Result<Ruleset> Parse(const std::string& anomaly) {
  return ParseRuleset(std::string(kAnomalyBase) + anomaly, "a.toml");
}

// The message of a refused [anomaly] table, which must name the file, line and key.
std::string Refusal(const std::string& anomaly) {
  auto r = Parse(anomaly);
  EXPECT_FALSE(r.ok()) << "accepted: " << anomaly;
  return r.ok() ? std::string() : r.status().message();
}

TEST(AnomalyRules, AbsentTableKeepsTheCanonicalFormAndHash) {
  auto without = Parse("");
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_FALSE(without->anomaly.has_value());
  EXPECT_EQ(without->CanonicalJson().find("anomaly"), std::string::npos);
  // A table, even one that writes the defaults out, is a ruleset of its own.
  auto with = Parse("[anomaly]\nduplicate_above = 10\nshift_threshold_nats = 50\n");
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_NE(with->hash, without->hash);
  const nlohmann::json j = nlohmann::json::parse(with->CanonicalJson());
  EXPECT_EQ(j["anomaly"], (nlohmann::json{{"duplicate_above", 10},
                                          {"shift_threshold_nats", "50/1"},
                                          {"ballot_order", nlohmann::json::array()}}));
}

TEST(AnomalyRules, ThresholdIsExactWhateverItsSpelling) {
  auto a = Parse("[anomaly]\nshift_threshold_nats = \"12.5\"\n");
  auto b = Parse("[anomaly]\nshift_threshold_nats = \"25/2\"\n");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->anomaly->shift_threshold_nats, Rational(25, 2));
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_NE(Parse("[anomaly]\nshift_threshold_nats = \"12.6\"\n")->hash, a->hash);
}

TEST(AnomalyRules, BadValuesAreRefusedNamingTheKey) {
  EXPECT_NE(Refusal("[anomaly]\nshift_threshold_nats = 0\n")
                .find("a.toml:12:1: anomaly.shift_threshold_nats: 0 is not a positive number"),
            std::string::npos)
      << Refusal("[anomaly]\nshift_threshold_nats = 0\n");
  EXPECT_NE(Refusal("[anomaly]\nshift_threshold_nats = \"-3\"\n")
                .find("anomaly.shift_threshold_nats: -3 is not a positive number"),
            std::string::npos);
  EXPECT_NE(Refusal("[anomaly]\nshift_threshold_nats = 50.0\n")
                .find("anomaly.shift_threshold_nats: a float is inexact"),
            std::string::npos);
  EXPECT_NE(Refusal("[anomaly]\nshift_threshold_nats = \"50%\"\n")
                .find("anomaly.shift_threshold_nats: a number of nats, not a percentage"),
            std::string::npos);
  EXPECT_NE(Refusal("[anomaly]\nshift_threshold_nats = \"many\"\n")
                .find("anomaly.shift_threshold_nats: "),
            std::string::npos);
  EXPECT_NE(Refusal("[anomaly]\nduplicate_above = -1\n")
                .find("anomaly.duplicate_above: -1 is out of range"),
            std::string::npos);
  EXPECT_NE(Refusal("[anomaly]\nduplicate_above = \"10\"\n")
                .find("anomaly.duplicate_above: expected an integer"),
            std::string::npos);
  EXPECT_NE(Refusal("[anomaly]\nballot_order = [\"A\", \"B\", \"A\"]\n")
                .find("anomaly.ballot_order: \"A\" is named twice"),
            std::string::npos);
  EXPECT_NE(Refusal("[anomaly]\nballot_order = [\"A\", \" \"]\n")
                .find("anomaly.ballot_order: a candidate name is blank"),
            std::string::npos);
  EXPECT_NE(Refusal("[anomaly]\nshift_threshold = 40\n")
                .find("anomaly.shift_threshold: unknown key (known keys here: duplicate_above, "
                      "shift_threshold_nats, ballot_order)"),
            std::string::npos)
      << Refusal("[anomaly]\nshift_threshold = 40\n");
}

TEST(AnomalyRules, Iowa2020CarriesTheDefaultsWithTheirEvidence) {
  auto r = LoadRuleset("iowa-dem-2020");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->anomaly.has_value());
  EXPECT_EQ(r->version, "4");
  EXPECT_EQ(r->anomaly->duplicate_above, 10);
  EXPECT_EQ(r->anomaly->shift_threshold_nats, Rational(50));
  EXPECT_TRUE(r->anomaly->ballot_order.empty());
}

}  // namespace
}  // namespace canvass
