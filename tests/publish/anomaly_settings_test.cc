// The anomaly gate with the election's own settings (the ruleset's [anomaly] table) and with
// release deltas (publish/release_delta.h; docs/audit.md "Anomaly gate"). The elections are
// counties of the party's certified 2020 record (data/iowa-2020, in ballot order), reported
// through ElectionState::Apply.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/sha256.h"
#include "publish/certified_record.h"
#include "publish/release_fixture.h"
#include "publish/verify.h"
#include "state/holds.h"
#include "test_data.h"

namespace canvass::publish_test {
namespace {

// rules/iowa-dem-2020.toml with its [anomaly] table replaced by `anomaly`.
std::string IowaRules(const std::string& anomaly) {
  auto path = RulesetPath("iowa-dem-2020");
  EXPECT_TRUE(path.ok());
  auto toml = ReadFile(*path);
  EXPECT_TRUE(toml.ok());
  std::string text = *toml;
  const size_t at = text.find("\n[anomaly]");
  EXPECT_NE(at, std::string::npos);
  return text.substr(0, at + 1) + anomaly;
}

// The election of `reports`' precincts under the ruleset `toml`; ids follow `reports`' order.
void Create(Ledger& l, const std::vector<PrecinctReport>& reports, const std::string& toml) {
  auto table = LoadApportionmentFile(kIowa + "apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::map<std::pair<std::string, std::string>, const PrecinctApportionment*> by_name;
  for (const PrecinctApportionment& ap : *table) by_name[{ap.county, ap.precinct}] = &ap;
  json precincts = json::array();
  for (const PrecinctReport& r : reports) {
    auto it = by_name.find({r.county, r.precinct});
    ASSERT_NE(it, by_name.end()) << r.county << " / " << r.precinct;
    const PrecinctApportionment& ap = *it->second;
    json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
    if (ap.delegates) row["delegates"] = *ap.delegates;
    if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
    if (ap.site_sde) row["site_sde"] = ap.site_sde->ToString();
    precincts.push_back(row);
  }
  auto ruleset = ParseRuleset(toml, "iowa-dem-2020");
  ASSERT_TRUE(ruleset.ok()) << ruleset.status().ToString();
  l.Add("election-created",
        {{"name", "Iowa Democratic caucuses 2020 (anomaly settings test)"},
         {"ruleset", {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", toml}}},
         {"candidates", CertifiedRecord().candidates},
         {"precincts", precincts},
         {"county_district", json::object()},
         {"signing_key", FixtureKey().public_hex}});
}

bool ReportFirst(Ledger& l, int64_t id, const PrecinctReport& r) {
  return !l.TryAdd("first-alignment-reported", {{"precinct", id},
                                                {"submission", "f" + std::to_string(id)},
                                                {"first", Side(l.state, r, false)}});
}

bool ReportFinal(Ledger& l, int64_t id, const PrecinctReport& r) {
  return !l.TryAdd("final-alignment-reported", {{"precinct", id},
                                                {"submission", "g" + std::to_string(id)},
                                                {"final", Side(l.state, r, true)}});
}

// Reports every precinct of `reports` (both alignments); the ids the rules accepted.
std::vector<int64_t> ReportAll(Ledger& l, const std::vector<PrecinctReport>& reports) {
  std::vector<int64_t> in;
  for (size_t i = 0; i < reports.size(); ++i) {
    const int64_t id = static_cast<int64_t>(i + 1);
    if (ReportFirst(l, id, reports[i]) && ReportFinal(l, id, reports[i])) in.push_back(id);
  }
  return in;
}

json JsonOf(const Release& r) { return json::parse(r.json.bytes); }

// The first precinct of `reports` that the rules give SDEs once both alignments are in (no game
// of chance pending), as a release shows it.
int64_t WithSde(const std::vector<PrecinctReport>& reports) {
  Ledger probe;
  Create(probe, reports, IowaRules(""));
  ReportAll(probe, reports);
  auto rel = BuildRelease(probe.state, PublishedRelease{});
  EXPECT_TRUE(rel.ok());
  for (const json& p : EntriesOf(*rel)) {
    if (p["computed"]["sde"].is_object() && !p["computed"]["sde"].empty()) {
      return p["id"].get<int64_t>();
    }
  }
  ADD_FAILURE() << "no precinct with SDEs";
  return 1;
}

std::vector<std::string> HeldNames(const json& doc, const std::string& check) {
  std::vector<std::string> out;
  for (const json& h : doc["held"]) {
    if (h["check"] == check) out.push_back(h["name"].get<std::string>());
  }
  return out;
}

// Records `rel` as published with `bytes` as its JSON: a release built by code other than the
// ledger's (a bug, or tampering), signed and recorded like any other.
// Records `rel` on the ledger as published with precinct entries `entries` instead of its own:
// its records and the JSON naming them. Returns that JSON.
std::string RecordAs(Ledger& l, Release rel, const json& entries) {
  std::string records;
  for (const json& e : entries) records += e.dump() + "\n";
  json doc = JsonOf(rel);
  rel.records.bytes = records;
  rel.records.manifest_sha256 = ReleaseRecordsManifestSha256(records);
  doc["files"]["records"]["manifest"] = rel.records.manifest_sha256;
  doc["files"]["records"]["bytes"] = records.size();
  const std::string bytes = doc.dump();
  rel.json.bytes = bytes;
  rel.json.sha256 = Sha256Hex(bytes);
  l.Add("release-published", ReleaseEventPayload(rel, SignHex(FixtureKey(), bytes)));
  l.published[rel.number] = PublishedFiles{bytes, records};
  return bytes;
}

TEST(AnomalySettings, FromTheRulesetWithTheElectionsCandidates) {
  auto ruleset =
      ParseRuleset(IowaRules("[anomaly]\nduplicate_above = 30\nshift_threshold_nats = \"12.5\"\n"
                             "ballot_order = [\"Sanders\", \"Biden\", \"Patrick\", \"Warren\"]\n"),
                   "r.toml");
  ASSERT_TRUE(ruleset.ok()) << ruleset.status().ToString();
  // Patrick did not run here and is skipped; Buttigieg, not named, follows the named ones.
  const AnomalySettings s =
      AnomalySettingsFor(*ruleset, {"Biden", "Buttigieg", "Sanders", "Warren"});
  EXPECT_EQ(s.duplicate_above, 30);
  EXPECT_EQ(s.shift_threshold_nats, 12.5);
  EXPECT_EQ(s.ballot_order, (std::vector<CandidateIndex>{2, 0, 3, 1}));
  // Without the table: the checks' defaults.
  auto bare = ParseRuleset(IowaRules(""), "r.toml");
  ASSERT_TRUE(bare.ok());
  const AnomalySettings d = AnomalySettingsFor(*bare, {"Biden"});
  EXPECT_EQ(d.duplicate_above, AnomalySettings{}.duplicate_above);
  EXPECT_EQ(d.shift_threshold_nats, AnomalySettings{}.shift_threshold_nats);
  EXPECT_TRUE(d.ballot_order.empty());
}

// Pottawattamie / Walnut has the certified record's highest column-shift score, 41.01 nats, a
// mild one: held under a threshold of 40, published under 45 (and the default, 50).
TEST(AnomalySettings, ShiftThresholdFromTheRuleset) {
  const std::vector<PrecinctReport> county = CertifiedReports("Pottawattamie");
  ASSERT_GE(county.size(), 40u);
  for (const char* threshold : {"40", "45"}) {
    SCOPED_TRACE(threshold);
    Ledger l;
    Create(l, county, IowaRules(fmt::format("[anomaly]\nshift_threshold_nats = {}\n", threshold)));
    ReportAll(l, county);
    const json doc = JsonOf(l.Publish());
    const std::vector<std::string> held = HeldNames(doc, "column-shift");
    if (std::string(threshold) == "40") {
      ASSERT_EQ(held, std::vector<std::string>{"Walnut"}) << doc["held"].dump();
      EXPECT_EQ(doc["held"][0]["threshold"], "40 nats");  // the configured value
      // GET /api/v1/holds reads the same gate.
      const AnomalyGate gate = RunAnomalyGate(l.state);
      ASSERT_EQ(gate.held.size(), 1u);
      EXPECT_EQ(gate.held[0].flag.threshold, "40 nats");
    } else {
      EXPECT_TRUE(held.empty()) << doc["held"].dump();
      EXPECT_TRUE(RunAnomalyGate(l.state).held.empty());
    }
  }
}

// Two precincts with the same figures: held when their attendance is above duplicate_above,
// published when it is not.
TEST(AnomalySettings, DuplicateAboveFromTheRuleset) {
  std::vector<PrecinctReport> county = CertifiedReports("Adair");
  ASSERT_GT(county.size(), 3u);
  Count attendance = 0;
  for (const CandidateReport& f : county[0].figures) attendance += f.first.value_or(0);
  ASSERT_GT(attendance, 10);
  county[1].figures = county[0].figures;  // one form keyed twice
  for (const Count bound : {attendance, attendance - 1}) {
    SCOPED_TRACE(bound);
    Ledger l;
    Create(l, county, IowaRules(fmt::format("[anomaly]\nduplicate_above = {}\n", bound)));
    ReportAll(l, county);
    const json doc = JsonOf(l.Publish());
    const std::vector<std::string> held = HeldNames(doc, "duplicate");
    if (bound == attendance) {
      EXPECT_TRUE(held.empty()) << doc["held"].dump();
    } else {
      ASSERT_EQ(held.size(), 2u) << doc["held"].dump();
      EXPECT_EQ(doc["held"][0]["threshold"], fmt::format("more than {} attendees", bound));
    }
  }
}

// The gate reads the figures where the records hold them: it finds, precinct for precinct and
// word for word, what the two checks find over the reported election (the state's reports
// copied out), with two forms keyed twice, one with a first alignment only, and thresholds low
// enough that many of a county's precincts fail the column-shift check.
TEST(AnomalySettings, TheGateOverTheRecordsIsTheChecksOverTheReports) {
  std::vector<PrecinctReport> county = CertifiedReports("Polk");
  ASSERT_GT(county.size(), 20u);
  county[3].figures = county[2].figures;  // one form keyed twice
  county[9].figures = county[7].figures;
  county[8].figures = county[7].figures;
  Ledger l;
  Create(l, county, IowaRules("[anomaly]\nduplicate_above = 5\nshift_threshold_nats = 3\n"));
  size_t in = 0;
  for (size_t i = 0; i < county.size(); ++i) {
    const auto id = static_cast<int64_t>(i + 1);
    // The last precinct with its first alignment only.
    if (ReportFirst(l, id, county[i]) &&
        (i + 1 == county.size() || ReportFinal(l, id, county[i]))) {
      ++in;
    }
  }
  ASSERT_GT(in, 20u);
  // A correction that makes precinct 5 the third of 3 and 4's duplicates.
  ASSERT_EQ(l.TryAdd("report-corrected", {{"precinct", 5},
                                          {"reason", "re-keyed"},
                                          {"first", Side(l.state, county[2], false)},
                                          {"final", Side(l.state, county[2], true)}}),
            std::nullopt);
  ASSERT_TRUE(l.state.precinct(static_cast<int64_t>(county.size()))->first.has_value());
  ASSERT_FALSE(l.state.precinct(static_cast<int64_t>(county.size()))->final.has_value());

  const AnomalyGate gate = RunAnomalyGate(l.state);
  const Election reported = l.state.ReportedReports();
  const std::vector<int64_t> ids = l.state.ReportedIds();
  const AnomalySettings settings = GateSettings(l.state);
  std::vector<AnomalyFlag> expected =
      DuplicateFlags(reported, FindDuplicates(reported, settings), settings);
  std::vector<int64_t> expected_ids;
  for (const DuplicateGroup& g : FindDuplicates(reported, settings)) {
    for (size_t r : g.reports) expected_ids.push_back(ids[r]);
  }
  const std::vector<ShiftScore> scores = ScoreColumnShifts(reported, settings);
  for (AnomalyFlag& f : ShiftFlags(reported, scores, settings)) expected.push_back(std::move(f));
  for (const ShiftScore& sc : scores) {
    if (sc.gain > settings.shift_threshold_nats) expected_ids.push_back(ids[sc.report]);
  }
  ASSERT_EQ(expected.size(), expected_ids.size());
  std::vector<std::tuple<int64_t, std::string, std::string, std::string, std::string>> want, got;
  for (size_t k = 0; k < expected.size(); ++k) {
    const AnomalyFlag& f = expected[k];
    want.emplace_back(expected_ids[k], AnomalyCheckName(f.check), f.score, f.threshold, f.detail);
  }
  for (const auto* list : {&gate.held, &gate.overridden}) {
    for (const AnomalyHold& h : *list) {
      got.emplace_back(h.precinct, AnomalyCheckName(h.flag.check), h.flag.score, h.flag.threshold,
                       h.flag.detail);
    }
  }
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  // Both checks found something: two groups of three duplicates (3, 4 and 5; 8, 9 and 10) and
  // several shifts.
  size_t duplicates = 0;
  for (const auto& w : want) duplicates += std::get<1>(w) == "duplicate" ? 1 : 0;
  EXPECT_EQ(duplicates, 6u);
  EXPECT_GT(want.size(), duplicates + 2);
}

// A ledger that does not move makes a release whose changes are all explained (none); a final
// alignment reported after the previous release is an update on the ledger.
TEST(ReleaseDelta, ChangesComeFromTheLedger) {
  const std::vector<PrecinctReport> county = CertifiedReports("Adair");
  const int64_t late = WithSde(county);  // reports its final alignment after release 1
  Ledger l;
  Create(l, county, IowaRules(""));
  for (size_t i = 0; i < county.size(); ++i) {
    const int64_t id = static_cast<int64_t>(i + 1);
    ReportFirst(l, id, county[i]);
    if (id != late) ReportFinal(l, id, county[i]);
  }
  const json one = JsonOf(l.Publish());
  EXPECT_EQ(one["delta"]["previous"], json());
  EXPECT_EQ(one["delta"]["precincts"]["new"], one["reporting"]["included"]);
  for (const auto& [name, c] : one["delta"]["candidates"].items()) {
    EXPECT_EQ(c["sde"], c["sde_new"]) << name;
    EXPECT_EQ(c["explained"], true) << name;
  }

  // The same ledger again: nothing changed, everything explained.
  auto same = BuildRelease(l.state, l.published.at(1).view());
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  const json again = JsonOf(*same);
  EXPECT_EQ(again["delta"]["previous"]["number"], 1);
  EXPECT_EQ(again["delta"]["previous"]["sha256"], Sha256Hex(l.published.at(1).json));
  EXPECT_EQ(again["delta"]["precincts"], (json{{"new", 0},
                                               {"updated", 0},
                                               {"held", 0},
                                               {"unexplained", 0},
                                               {"unchanged", one["reporting"]["included"]}}));
  for (const auto& [name, c] : again["delta"]["candidates"].items()) {
    EXPECT_EQ(c["sde"], "0.0000") << name;
    EXPECT_EQ(c["explained"], true) << name;
  }
  EXPECT_TRUE(again["held"].empty());

  // The late precinct's final alignment: its SDEs arrive as an update.
  ASSERT_TRUE(ReportFinal(l, late, county[static_cast<size_t>(late - 1)]));
  const json two = JsonOf(l.Publish());
  EXPECT_EQ(two["delta"]["precincts"]["updated"], 1);
  EXPECT_EQ(two["delta"]["precincts"]["unexplained"], 0);
  bool some = false;
  for (const auto& [name, c] : two["delta"]["candidates"].items()) {
    EXPECT_EQ(c["sde"], c["sde_updated"]) << name;
    EXPECT_EQ(c["explained"], true) << name;
    some = some || c["sde"] != "0.0000";
  }
  EXPECT_TRUE(some) << two["delta"].dump();
  EXPECT_TRUE(two["held"].empty());
}

// Release 1 as recorded says something the ledger never did: precinct 2's Biden figure is 7
// higher. Release 2 holds the precinct for release-delta, keeping what release 1 showed, until an
// administrator's override publishes the ledger's figures.
TEST(ReleaseDelta, AChangeWithoutACorrectionIsHeldUntilOverridden) {
  const std::vector<PrecinctReport> county = CertifiedReports("Adair");
  Ledger l;
  Create(l, county, IowaRules(""));
  ReportAll(l, county);
  const int64_t x = WithSde(county);
  auto built = BuildRelease(l.state, PublishedRelease{});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  json doctored = EntriesOf(*built);
  json& entry = doctored[static_cast<size_t>(x - 1)];
  const std::string biden = "Biden";
  const Count ledger_biden = entry["reported"]["first"].value(biden, Count{0});
  entry["reported"]["first"][biden] = ledger_biden + 7;
  const std::string recorded = RecordAs(l, *built, doctored);

  // A previous release other than the recorded one is refused, naming both hashes.
  auto wrong = BuildRelease(l.state, PublishedOf(*built));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(wrong.status().message().find(Sha256Hex(recorded)), std::string::npos)
      << wrong.status().message();
  EXPECT_FALSE(BuildRelease(l.state, PublishedRelease{}).ok());
  // So are the recorded JSON with records other than its own (the ledger's, undoctored).
  auto mixed = BuildRelease(l.state, PublishedRelease{recorded, built->records.bytes});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(mixed.status().message().find(ReleaseRecordsName(1)), std::string::npos)
      << mixed.status().message();

  const Release r2 = l.Publish();
  const json two = JsonOf(r2);
  ASSERT_EQ(HeldNames(two, "release-delta").size(), 1u) << two["held"].dump();
  const json& h = two["held"][0];
  EXPECT_EQ(h["precinct"], x);
  EXPECT_EQ(h["revision"], 1);
  EXPECT_EQ(h["threshold"], kReleaseDeltaThreshold);
  EXPECT_NE(h["detail"].get<std::string>().find("Biden -7/+0"), std::string::npos) << h.dump();
  // Out of every figure; its entry keeps what release 1 showed, for the next comparison.
  const json p = EntriesOf(r2)[static_cast<size_t>(x - 1)];
  EXPECT_EQ(p["flags"]["held"], true);
  EXPECT_EQ(p["included"], false);
  EXPECT_EQ(p["reported"]["first"][biden], ledger_biden + 7);
  EXPECT_EQ(two["delta"]["precincts"]["held"], 1);
  EXPECT_EQ(two["delta"]["precincts"]["unexplained"], 0);
  for (const auto& [name, c] : two["delta"]["candidates"].items()) {
    EXPECT_EQ(c["sde"], c["sde_held"]) << name;
    EXPECT_EQ(c["explained"], true) << name;
  }

  // The next release still holds it: nothing on the ledger explains the change.
  l.Add("photo-attached", {{"precinct", x}, {"submission", "p"}, {"sha256", std::string(64, 'a')}});
  auto three = BuildRelease(l.state, PublishedOf(r2));
  ASSERT_TRUE(three.ok()) << three.status().ToString();
  EXPECT_EQ(HeldNames(JsonOf(*three), "release-delta").size(), 1u);

  // The override: a reason is required, and one per revision.
  const json ok = {{"precinct", x},
                   {"check", "release-delta"},
                   {"revision", 1},
                   {"reason", "the ledger's figures are the worksheet's"}};
  json no_reason = ok;
  no_reason.erase("reason");
  EXPECT_EQ(l.TryAdd("anomaly-override", no_reason)->code, "reason-required");
  l.Add("anomaly-override", ok);
  EXPECT_EQ(l.TryAdd("anomaly-override", ok)->code, "already-overridden");
  const Release r4 = l.Publish();
  const json four = JsonOf(r4);
  EXPECT_TRUE(four["held"].empty()) << four["held"].dump();
  ASSERT_EQ(four["overrides"].size(), 1u);
  EXPECT_EQ(four["overrides"][0]["check"], "release-delta");
  EXPECT_EQ(four["overrides"][0]["override"]["reason"], "the ledger's figures are the worksheet's");
  const json q = EntriesOf(r4)[static_cast<size_t>(x - 1)];
  EXPECT_EQ(q["included"], true);
  EXPECT_EQ(q["reported"]["first"][biden], ledger_biden);
  // Put back by an override, not by the ledger: its SDEs are the unexplained part.
  EXPECT_EQ(four["delta"]["precincts"]["unexplained"], 1);
  bool unexplained = false;
  for (const auto& [name, c] : four["delta"]["candidates"].items()) {
    if (c["sde_unexplained"] != "0.0000") {
      unexplained = true;
      EXPECT_EQ(c["explained"], false) << name;
    }
  }
  EXPECT_TRUE(unexplained);

  // `canvass release verify` rebuilds release 2 only with release 1 as published.
  ReleaseVerification without;
  CheckReleaseAgainstLedger(r2.json.bytes, l.JsonLines(), "ledger.jsonl", {}, std::nullopt,
                            without);
  ASSERT_FALSE(without.ok());
  EXPECT_NE(without.problems.front().find("give that file"), std::string::npos)
      << without.problems.front();
  ReleaseVerification with;
  CheckReleaseAgainstLedger(r2.json.bytes, l.JsonLines(), "ledger.jsonl", {}, std::nullopt, with,
                            l.published.at(1));
  EXPECT_TRUE(with.ok()) << with.problems.front();
}

// The same doctored release, then a correction of the precinct on the ledger: the change is
// explained and the precinct published, with no override.
TEST(ReleaseDelta, ACorrectionOnTheLedgerExplainsTheChange) {
  const std::vector<PrecinctReport> county = CertifiedReports("Adair");
  Ledger l;
  Create(l, county, IowaRules(""));
  ReportAll(l, county);
  const int64_t x = WithSde(county);
  auto built = BuildRelease(l.state, PublishedRelease{});
  ASSERT_TRUE(built.ok());
  json doctored = EntriesOf(*built);
  doctored[static_cast<size_t>(x - 1)]["reported"]["first"]["Biden"] = 1000;
  RecordAs(l, *built, doctored);
  const PrecinctReport& r = county[static_cast<size_t>(x - 1)];
  l.Add("report-corrected", {{"precinct", x},
                             {"reason", "the worksheet, read again"},
                             {"first", Side(l.state, r, false)},
                             {"final", Side(l.state, r, true)}});
  const Release r2 = l.Publish();
  const json two = JsonOf(r2);
  EXPECT_TRUE(two["held"].empty()) << two["held"].dump();
  EXPECT_EQ(two["delta"]["precincts"]["updated"], 1);
  EXPECT_EQ(two["delta"]["precincts"]["unexplained"], 0);
  EXPECT_EQ(EntriesOf(r2)[static_cast<size_t>(x - 1)]["included"], true);
}

}  // namespace
}  // namespace canvass::publish_test
