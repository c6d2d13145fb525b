// `canvass audit anomalies` end to end on the 2020 releases: the certified record clean, the
// 8 February duplicates, and Des Moines-55 shifted as on 5 February, caught by the column-shift
// check and, against the release before, by the release delta; bad settings refused with exit 2.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "test_data.h"

namespace {

using canvass::kIowa;
using canvass::cli_test::Canvass;

const std::string kCertified = kIowa + "precincts-certified-wide.csv";

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  return cells;
}

// The certified wide file with Des Moines-55's columns from Sanders on entered one place left.
std::string ShiftedDesMoines55() {
  std::ifstream in(kCertified);
  std::string header;
  std::getline(in, header);
  const std::vector<std::string> names = Split(header);
  std::ostringstream out;
  out << header << "\n";
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Polk,DES MOINES-55,", 0) == 0) {
      std::vector<std::string> cells = Split(line);
      const std::vector<std::string> original = cells;
      const std::string zero(1, '0');
      for (const std::string measure : {"_first", "_final", "_sde"}) {
        std::vector<size_t> at;  // this measure's columns, in ballot order
        for (size_t i = 0; i < names.size(); ++i) {
          if (names[i].ends_with(measure)) at.push_back(i);
        }
        size_t sanders = 0;
        while (names[at[sanders]] != "Sanders" + measure) ++sanders;
        for (size_t k = sanders - 1; k + 1 < at.size(); ++k) cells[at[k]] = original[at[k + 1]];
        cells[at.back()] = zero;
      }
      line.clear();
      for (size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) line.push_back(',');
        line.append(cells[i]);
      }
    }
    out << line << "\n";
  }
  const std::string path = testing::TempDir() + "/dm55-shifted-wide.csv";
  std::ofstream(path) << out.str();
  return path;
}

TEST(AuditAnomaliesCliTest, CertifiedRecordIsClean) {
  auto run = Canvass("audit anomalies --results " + kCertified);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("highest column-shift score: 41.01 nats (Pottawattamie / Walnut)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("\n0 flags\n"), std::string::npos) << run.out;
}

TEST(AuditAnomaliesCliTest, FebruaryEighthDuplicatesInJson) {
  auto run = Canvass("audit anomalies --json --results " + kIowa +
                     "results-first-complete-2020-02-08-long.csv");
  ASSERT_EQ(run.exit_code, 1) << run.out;
  auto doc = nlohmann::json::parse(run.out);
  int duplicates = 0;
  for (const auto& f : doc["flags"]) {
    if (f["check"] != "duplicate") continue;
    ++duplicates;
    EXPECT_EQ(f["threshold"], "more than 10 attendees");
    EXPECT_TRUE(f["county"] == "Scott" || f["county"] == "Woodbury") << f.dump();
  }
  EXPECT_EQ(duplicates, 6);
}

TEST(AuditAnomaliesCliTest, ShiftedPrecinctAgainstTheReleaseBefore) {
  const std::string shifted = ShiftedDesMoines55();
  auto run = Canvass("audit anomalies --json --results " + shifted + " --previous " + kCertified);
  ASSERT_EQ(run.exit_code, 1) << run.out;
  auto doc = nlohmann::json::parse(run.out);
  ASSERT_EQ(doc["flags"].size(), 2u) << run.out;
  EXPECT_EQ(doc["flags"][0]["check"], "column-shift");
  EXPECT_EQ(doc["flags"][0]["precinct"], "DES MOINES-55");
  EXPECT_EQ(doc["flags"][0]["score"], "4376.54 nats");
  EXPECT_EQ(doc["flags"][0]["threshold"], "50 nats");
  EXPECT_EQ(doc["flags"][1]["check"], "release-delta");
  EXPECT_EQ(doc["flags"][1]["precinct"], "DES MOINES-55");
  ASSERT_EQ(doc["releases"].size(), 1u);
  EXPECT_EQ(doc["releases"][0]["changed"], 1);
  for (const auto& c : doc["releases"][0]["candidates"]) {
    if (c["name"] != "Patrick") continue;
    EXPECT_EQ(c["sde_unexplained"], "1.3990");
    EXPECT_EQ(c["explained"], false);
  }

  // With the correction on the record only the column shift remains.
  auto corrected = Canvass("audit anomalies --json --results " + shifted + " --previous " +
                           kCertified + " --corrected 'Polk/DES MOINES-55'");
  ASSERT_EQ(corrected.exit_code, 1) << corrected.out;
  auto doc2 = nlohmann::json::parse(corrected.out);
  ASSERT_EQ(doc2["flags"].size(), 1u);
  EXPECT_EQ(doc2["flags"][0]["check"], "column-shift");
  EXPECT_EQ(doc2["releases"][0]["corrected"], 1);

  // The text names the precinct, the check, the score and the threshold.
  auto text = Canvass("audit anomalies --results " + shifted);
  EXPECT_NE(text.out.find("column-shift  Polk / DES MOINES-55: 4376.54 nats (threshold: 50 nats)"),
            std::string::npos)
      << text.out;
  // A threshold above the score lets it through.
  EXPECT_EQ(Canvass("audit anomalies --shift-threshold 5000 --results " + shifted).exit_code, 0);
}

// The ruleset's [anomaly] table sets the thresholds; a flag overrides its own. Under 40 nats the
// certified record's highest score, Pottawattamie / Walnut's 41.01, is flagged.
TEST(AuditAnomaliesCliTest, ThresholdsFromTheRuleset) {
  std::ifstream in(std::string(CANVASS_RULES_DIR) + "/iowa-dem-2020.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string toml = text.str();
  const std::string from = "shift_threshold_nats = 50";
  ASSERT_NE(toml.find(from), std::string::npos);
  toml.replace(toml.find(from), from.size(), "shift_threshold_nats = 40");
  const std::string rules = testing::TempDir() + "/anomaly-40.toml";
  std::ofstream(rules) << toml;
  auto strict = Canvass("audit anomalies --rules " + rules + " --results " + kCertified);
  EXPECT_EQ(strict.exit_code, 1) << strict.out;
  EXPECT_NE(strict.out.find("column shift above 40 nats"), std::string::npos) << strict.out;
  EXPECT_NE(
      strict.out.find("column-shift  Pottawattamie / Walnut: 41.01 nats (threshold: 40 nats)"),
      std::string::npos)
      << strict.out;
  auto flag =
      Canvass("audit anomalies --rules " + rules + " --shift-threshold 45 --results " + kCertified);
  EXPECT_EQ(flag.exit_code, 0) << flag.out;
  EXPECT_NE(flag.out.find("column shift above 45 nats"), std::string::npos) << flag.out;
}

TEST(AuditAnomaliesCliTest, BadSettingsRefused) {
  auto order = Canvass("audit anomalies --results " + kCertified + " --ballot-order Bennet,Nobody");
  EXPECT_EQ(order.exit_code, 2);
  EXPECT_NE(order.out.find("no candidate \"Nobody\""), std::string::npos) << order.out;
  auto partial = Canvass("audit anomalies --results " + kCertified + " --ballot-order Bennet");
  EXPECT_EQ(partial.exit_code, 2);
  EXPECT_NE(partial.out.find("the ballot order names 1 candidates; the results have 14"),
            std::string::npos)
      << partial.out;
  auto corrected = Canvass("audit anomalies --results " + kCertified + " --corrected Polk");
  EXPECT_EQ(corrected.exit_code, 2);
  EXPECT_NE(corrected.out.find("expected COUNTY/PRECINCT"), std::string::npos) << corrected.out;
  auto threshold = Canvass("audit anomalies --results " + kCertified + " --shift-threshold 0");
  EXPECT_EQ(threshold.exit_code, 2);
  EXPECT_NE(threshold.out.find("positive number of nats"), std::string::npos) << threshold.out;
  auto previous = Canvass("audit anomalies --results " + kCertified + " --previous /nonexistent");
  EXPECT_EQ(previous.exit_code, 2);
  EXPECT_NE(previous.out.find("--previous"), std::string::npos) << previous.out;
}

}  // namespace
