// The NIST SP 1500-100 V2 CDF against the official V2 JSON schema (nist-cdf/, docs/releases.md):
// every golden CDF under tests/, the release of the whole Iowa 2020 night (1,765 precincts, the
// party's first-complete results of 8 February), the release of an election with no report
// yet and that of a Nevada election with early-vote cards (early, in-person and total counts),
// each checked by validate_cdf.py, a JSON Schema draft-04 validator run with Debian's
// /usr/bin/python3 and its python3-jsonschema (scripts/setup installs it), so that every machine
// checks with the same validator.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/importers.h"
#include "ledger/event.h"
#include "nevada_fixture.h"
#include "publish/release.h"
#include "publish/signing.h"
#include "rules/ruleset.h"
#include "state/election_state.h"

namespace canvass::publish_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPython = "/usr/bin/python3";

std::string PublishTestDir() { return std::string(CANVASS_TEST_CASES_DIR) + "/../publish"; }
std::string Schema() {
  return PublishTestDir() + "/nist-cdf/NIST_V2_election_results_reporting.json";
}

struct Validation {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// validate_cdf.py SCHEMA FILES... (paths without shell metacharacters: the test's own).
Validation Validate(const std::vector<std::string>& files) {
  std::string cmd = fmt::format("{} {}/validate_cdf.py {}", kPython, PublishTestDir(), Schema());
  for (const std::string& f : files) cmd += " " + f;
  cmd += " 2>&1";
  Validation v;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return v;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) v.out.append(buf.data(), n);
  const int status = pclose(pipe);
  v.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return v;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "canvass-cdf-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  std::string Write(const std::string& name, const std::string& bytes) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  bool ok() const { return !path_.empty(); }

 private:
  std::string path_;
};

// The real Iowa 2020 election as the ledger holds it, reported by the local administrator with
// the party's first-complete figures (the reports the rules refuse as impossible are left out,
// as the intake would).
struct IowaNight {
  ElectionState state;
  int64_t refused = 0;

  // Appends an event; false when Apply refuses it.
  bool Append(const std::string& type, json payload) {
    Event e;
    e.seq = state.seq() + 1;
    e.prev = e.seq == 1 ? std::string(kGenesisPrev) : state.head_hash();
    e.time = fmt::format("2020-02-04T{:02}:{:02}:{:02}.{:03}Z", 1 + e.seq / 3600, e.seq / 60 % 60,
                         e.seq % 60, e.seq % 1000);
    e.actor = Actor{"admin", "cli"};
    e.channel = "cli";
    e.type = type;
    e.payload = std::move(payload);
    auto stored = EncodeEvent(e);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (!stored.ok()) return false;
    return !state.Apply(e, *stored).has_value();
  }
};

void CreateIowa(IowaNight& night, Election& election) {
  const std::string d = std::string(CANVASS_DATA_DIR) + "/iowa-2020";
  auto results = LoadResultsFile(d + "/results-first-complete-2020-02-08-long.csv");
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  election = std::move(results).value();
  auto table = LoadApportionmentFile(d + "/apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  election.apportionment = std::move(table).value();
  auto districts = LoadDistrictsFile(d + "/county-congressional-district.csv");
  ASSERT_TRUE(districts.ok()) << districts.status().ToString();
  election.county_district = std::move(districts).value();
  auto path = RulesetPath("iowa-dem-2020");
  ASSERT_TRUE(path.ok());
  auto toml = ReadFile(*path);
  ASSERT_TRUE(toml.ok());
  auto ruleset = ParseRuleset(*toml, *path);
  ASSERT_TRUE(ruleset.ok()) << ruleset.status().ToString();
  json precincts = json::array();
  for (const PrecinctApportionment& ap : election.apportionment) {
    json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
    if (ap.delegates) row["delegates"] = *ap.delegates;
    if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
    if (ap.site_sde) row["site_sde"] = ap.site_sde->ToString();
    if (ap.district) row["district"] = *ap.district;
    precincts.push_back(std::move(row));
  }
  json counties = json::object();
  for (const auto& [county, district] : election.county_district) counties[county] = district;
  ASSERT_TRUE(night.Append(
      "election-created",
      {{"name", "Iowa Democratic caucuses, 3 February 2020"},
       {"ruleset", {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", *toml}}},
       {"candidates", election.candidates},
       {"precincts", precincts},
       {"county_district", counties},
       {"signing_key", SigningKeyFromSeed(std::string(64, '7'))->public_hex}}));
}

void ReportIowa(IowaNight& night, const Election& election) {
  std::map<std::pair<std::string, std::string>, int64_t> ids;
  for (size_t i = 0; i < election.apportionment.size(); ++i) {
    ids[{election.apportionment[i].county, election.apportionment[i].precinct}] =
        static_cast<int64_t>(i + 1);
  }
  for (const PrecinctReport& r : election.reports) {
    auto it = ids.find({r.county, r.precinct});
    if (it == ids.end()) continue;
    json first = json::object(), final = json::object(), delegates = json::object();
    bool has_delegates = false;
    for (size_t c = 0; c < r.figures.size(); ++c) {
      const std::string& name = election.candidates[c];
      if (r.figures[c].first.value_or(0) != 0) first[name] = *r.figures[c].first;
      if (r.figures[c].final.value_or(0) != 0) final[name] = *r.figures[c].final;
      if (r.figures[c].delegates) {
        has_delegates = true;
        if (*r.figures[c].delegates != 0) delegates[name] = *r.figures[c].delegates;
      }
    }
    const std::string sub = std::to_string(it->second);
    if (!night.Append("first-alignment-reported",
                      {{"precinct", it->second}, {"submission", "f" + sub}, {"first", first}})) {
      ++night.refused;
      continue;
    }
    json payload = {{"precinct", it->second}, {"submission", "g" + sub}, {"final", final}};
    if (has_delegates) payload["delegates"] = delegates;
    if (!night.Append("final-alignment-reported", std::move(payload))) ++night.refused;
  }
}

TEST(ReleaseCdfSchema, EveryGoldenCdfIsValid) {
  std::vector<std::string> cdfs;
  for (const auto& entry : fs::recursive_directory_iterator(PublishTestDir() + "/..")) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > 9 &&
        name.compare(name.size() - 9, 9, "-cdf.json") == 0) {
      cdfs.push_back(entry.path().string());
    }
  }
  ASSERT_FALSE(cdfs.empty()) << "no golden CDF (*-cdf.json) under tests/";
  const Validation v = Validate(cdfs);
  EXPECT_EQ(v.exit_code, 0) << v.out;
}

TEST(ReleaseCdfSchema, TheWholeIowaNightIsValid) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  IowaNight night;
  Election election;
  CreateIowa(night, election);
  ASSERT_EQ(night.state.precincts().size(), 1765u);

  // Release 1: the election set up, not one report in.
  auto empty = BuildRelease(night.state);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  const std::string empty_path = dir.Write("empty-cdf.json", empty->cdf.bytes);

  ReportIowa(night, election);
  auto rel = BuildRelease(night.state);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  const json cdf = json::parse(rel->cdf.bytes);
  const json& contest = cdf["Election"][0]["Contest"][0];
  EXPECT_EQ(contest["TotalSubUnits"], 1765);
  EXPECT_GT(contest["SubUnitsReported"].get<int64_t>(), 1600);
  EXPECT_EQ(contest["ContestSelection"].size(), election.candidates.size());
  int64_t precinct_units = 0;
  for (const json& unit : cdf["GpUnit"]) {
    precinct_units += unit["@id"].get<std::string>().rfind("gpu-precinct-", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(precinct_units, 1765);
  const std::string full_path = dir.Write("iowa-cdf.json", rel->cdf.bytes);

  const Validation v = Validate({empty_path, full_path});
  EXPECT_EQ(v.exit_code, 0) << v.out;
}

// Nevada with early-vote cards: every area and precinct has the in-person and early-vote parts of
// each alignment beside its total, as `other` counts the schema allows.
TEST(ReleaseCdfSchema, ANevadaReleaseWithEarlyVoteCardsIsValid) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  Ledger l;
  BuildNevadaFixture(l);
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  const json cdf = json::parse(rel->cdf.bytes);
  std::map<std::string, int64_t> types;
  for (const json& sel : cdf["Election"][0]["Contest"][0]["ContestSelection"]) {
    for (const json& v : sel["VoteCounts"]) {
      EXPECT_EQ(v["Type"], "other");
      types[v["OtherType"].get<std::string>()] += 1;
    }
  }
  for (const char* t : {"first-alignment-in-person", "first-alignment-early-vote",
                        "final-alignment-in-person", "final-alignment-early-vote"}) {
    EXPECT_EQ(types[t], types[std::string(t).substr(0, 15)]) << t;
    EXPECT_GT(types[t], 0) << t;
  }
  const Validation v = Validate({dir.Write("nevada-cdf.json", rel->cdf.bytes)});
  EXPECT_EQ(v.exit_code, 0) << v.out;
}

// The validator is not a formality: the liberties the schema forbids are each found and named.
TEST(ReleaseCdfSchema, TheValidatorNamesEachError) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::ifstream in(PublishTestDir() + "/golden/release-2-cdf.json", std::ios::binary);
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  json doc = json::parse(ss.str());
  ASSERT_EQ(doc["GpUnit"].size(), 12u);
  doc["GpUnit"].push_back(doc["GpUnit"][4]);
  doc["GeneratedDate"] = "2020-02-04T01:12:00.000Z";
  doc["GpUnit"][4]["Name"] = "Adair";
  json& contest = doc["Election"][0]["Contest"][0];
  contest["BallotSelection"] = json::array();
  contest["ContestSelection"][0]["VoteCounts"][0]["GpUnitId"] = "gpu-county-404";
  contest["ContestSelection"][1]["CandidateIds"][0] = "gpu-state";
  const Validation bad = Validate({dir.Write("bad-cdf.json", doc.dump())});
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  for (const char* expected : {
           "/GeneratedDate: '2020-02-04T01:12:00.000Z' does not match",
           "/GpUnit/4/Name: 'Adair' is not of type 'object'",
           "/Election/0/Contest/0: Additional properties are not allowed ('BallotSelection' was "
           "unexpected)",
           "/Election/0/Contest/0/ContestSelection/0/VoteCounts/0/GpUnitId: 'gpu-county-404' "
           "names no object of this file",
           "/Election/0/Contest/0/ContestSelection/1/CandidateIds/0: 'gpu-state' is a "
           "ElectionResults.ReportingUnit, where the schema requires ElectionResults.Candidate",
           "/GpUnit/12/@id: 'gpu-county-1' is the @id of an earlier object",
           "6 errors against",
       }) {
    EXPECT_NE(bad.out.find(expected), std::string::npos) << expected << "\n" << bad.out;
  }
}

}  // namespace
}  // namespace canvass::publish_test
