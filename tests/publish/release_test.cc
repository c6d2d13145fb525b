// Releases: fixed bytes for a fixed ledger (golden files), the partial-release and flag
// contracts, numbering and the release-published checks on replay.
//
// Regenerate the golden files after an intended format change with
//   CANVASS_UPDATE_GOLDEN=1 build-pub/canvass_publish_tests --gtest_filter='Golden*'
// and review the diff of tests/publish/golden/ like any other change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "publish/release.h"
#include "publish/signing.h"
#include "release_fixture.h"

namespace canvass::publish_test {
namespace {

std::string GoldenDir() { return std::string(CANVASS_TEST_CASES_DIR) + "/../publish/golden"; }

void CheckGolden(const std::string& name, const std::string& bytes) {
  const std::string path = GoldenDir() + "/" + name;
  if (std::getenv("CANVASS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << bytes;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing: run with CANVASS_UPDATE_GOLDEN=1";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), bytes) << name << " differs from its golden file";
}

TEST(GoldenRelease, EveryFormatHasFixedBytes) {
  Ledger l;
  BuildFixture(l);
  const Release one = l.Publish();
  AddVermillion(l);
  auto rel = BuildRelease(l.state, PublishedOf(one));  // compared with release 1, as published
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  EXPECT_EQ(rel->number, 2);
  for (const ReleaseFile* f : rel->files()) CheckGolden(f->name, f->bytes);
  CheckGolden(ReleaseSignatureName(2), SignHex(FixtureKey(), rel->json.bytes) + "\n");
  CheckGolden(ReleaseRootSignatureName(2), SignHex(FixtureKey(), rel->root.bytes) + "\n");
  CheckGolden("ledger.jsonl", l.JsonLines());
}

TEST(Release, IsAPureFunctionOfThePrefix) {
  Ledger a;
  BuildFixture(a);
  Ledger b;
  BuildFixture(b);
  auto ra = BuildRelease(a.state);
  auto rb = BuildRelease(b.state);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->json.bytes, rb->json.bytes);
  EXPECT_EQ(ra->cdf.bytes, rb->cdf.bytes);
  EXPECT_EQ(ra->number, 1);
  EXPECT_EQ(ra->ledger_seq, 9);
  EXPECT_EQ(ra->ledger_head, a.state.head_hash());
  EXPECT_EQ(ra->time, "2020-02-04T01:09:00.000Z");
}

TEST(Release, JsonNamesTheOtherFilesAndHasNoFloats) {
  Ledger l;
  BuildFixture(l);
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok());
  json doc = json::parse(rel->json.bytes);
  EXPECT_EQ(doc.dump(), rel->json.bytes);  // canonical: sorted keys, no white space
  // The CDF and the precincts CSV are named by their parts manifests (cut by group of precincts).
  EXPECT_EQ(doc["files"]["cdf"]["manifest"], Sha256Hex(rel->cdf.manifest));
  EXPECT_EQ(doc["files"]["precincts_csv"]["manifest"], Sha256Hex(rel->precincts_csv.manifest));
  EXPECT_FALSE(doc["files"]["cdf"].contains("sha256"));
  EXPECT_TRUE(CheckFileAgainstManifest(rel->cdf.bytes, rel->cdf.manifest).ok());
  EXPECT_TRUE(CheckFileAgainstManifest(rel->precincts_csv.bytes, rel->precincts_csv.manifest).ok());
  EXPECT_EQ(doc["files"]["totals_csv"]["sha256"], rel->totals_csv.sha256);
  EXPECT_EQ(doc["ruleset"]["name"], "iowa-dem-2020");
  EXPECT_EQ(doc["ledger"]["seq"], 9);
  EXPECT_EQ(doc["election"]["signing_key"], FixtureKey().public_hex);
  std::function<void(const json&)> no_floats = [&](const json& j) {
    EXPECT_FALSE(j.is_number_float()) << j.dump();
    if (j.is_structured()) {
      for (const json& c : j) no_floats(c);
    }
  };
  no_floats(doc);
  no_floats(json::parse(rel->cdf.bytes));
}

TEST(Release, PartialListsExactlyThePrecinctsIn) {
  Ledger l;
  BuildFixture(l);
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok());
  json doc = json::parse(rel->json.bytes);
  EXPECT_EQ(doc["status"], "unofficial-partial");
  EXPECT_EQ(doc["reporting"]["in"], json({1, 2, 4}));
  EXPECT_EQ(doc["reporting"]["included"], 3);
  EXPECT_EQ(doc["reporting"]["precincts"], 5);
  EXPECT_EQ(doc["tabulation"]["precincts"]["count"], 3);
  // Named by id in `reporting.in`, not again by name in the tabulation.
  EXPECT_FALSE(doc["tabulation"]["precincts"].contains("included"));
  const json entries = EntriesOf(*rel);
  EXPECT_EQ(entries[0]["precinct"], "1NW ADAIR");
  EXPECT_EQ(entries[1]["precinct"], "2NE STUART");
  EXPECT_EQ(entries[3]["precinct"], "Ocheyedan Precinct 0500");
  ASSERT_EQ(entries.size(), 5u);  // every precinct is listed, in or not
  EXPECT_EQ(entries[2]["status"], "not-reported");
  EXPECT_EQ(entries[2]["included"], false);
  EXPECT_EQ(entries[1]["status"], "first-reported");
  EXPECT_EQ(doc["reporting"]["by_status"]["confirmed"], 1);
  // The CSV has a row per precinct and candidate; the ones not in have no figures.
  EXPECT_NE(
      rel->precincts_csv.bytes.find(
          "3,Appanoose,Vermillion/Douglas/Sharon,2,Biden,,,,,,not-reported,false,false,,false,"
          "false\n"),
      std::string::npos)
      << rel->precincts_csv.bytes;
  json cdf = json::parse(rel->cdf.bytes);
  EXPECT_EQ(cdf["Status"], "unofficial-partial");
  EXPECT_EQ(cdf["GpUnit"][0]["SubUnitsReported"], 3);
  EXPECT_EQ(cdf["GpUnit"][0]["TotalSubUnits"], 5);
}

TEST(Release, FlaggedAndDisputedPrecinctsArePresentAndMarked) {
  Ledger l;
  BuildFixture(l);
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok());
  const json doc = json::parse(rel->json.bytes);
  const json entries = EntriesOf(*rel);
  const json& och = entries[3];
  EXPECT_EQ(och["precinct"], "Ocheyedan Precinct 0500");
  EXPECT_EQ(och["included"], true);
  EXPECT_EQ(och["flags"]["flagged"], true);
  EXPECT_FALSE(och["flags"]["findings"].empty());
  EXPECT_EQ(och["flags"]["under_recanvass"], false);
  EXPECT_EQ(och["reported"]["delegates"], json({{"Buttigieg", 2}, {"Klobuchar", 1}}));
  EXPECT_EQ(och["computed"]["delegates"],
            json({{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}}));
  const json& adair = entries[0];
  EXPECT_EQ(adair["flags"]["disputed"], true);
  EXPECT_EQ(adair["status"], "confirmed");
  EXPECT_EQ(doc["reporting"]["flagged"], 1);
  EXPECT_EQ(doc["reporting"]["disputed"], 1);
  // Counted in the totals, not dropped: Ocheyedan's Klobuchar group is the state's only one.
  EXPECT_EQ(doc["tabulation"]["totals"]["computed"]["state"]["Klobuchar"]["final"], 1);
  const std::string code = och["flags"]["findings"][0].get<std::string>();
  EXPECT_NE(rel->precincts_csv.bytes.find(",final-reported,false,true," + code), std::string::npos);
}

TEST(Release, TotalsCsvHasBothSides) {
  Ledger l;
  BuildFixture(l);
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok());
  const std::string& csv = rel->totals_csv.bytes;
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "area_type,area,candidate,first,final,reported_delegates,reported_sde,"
            "computed_delegates,computed_sde");
  EXPECT_NE(csv.find("\nstate,state,Klobuchar,11,1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ncounty,Osceola,Buttigieg,3,3,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ndistrict,4,"), std::string::npos) << csv;
}

// Chairs report county delegates, never SDEs: the release's reported side derives them from the
// delegates and the county ratio (Adair 4/51, Osceola 1/10), and its national count says it rests
// on the precincts in, not on all of them.
TEST(Release, ReportedSdesComeFromTheChairsDelegates) {
  Ledger l;
  BuildFixture(l);
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  const json doc = json::parse(rel->json.bytes);
  const json& reported = doc["tabulation"]["totals"]["reported"];
  EXPECT_EQ(reported["counties"]["Adair"]["Buttigieg"]["sde"], "0.2353");  // 3 x 4/51
  EXPECT_EQ(reported["counties"]["Adair"]["Warren"]["sde"], "0.0784");     // 1 x 4/51
  EXPECT_EQ(reported["state"]["Buttigieg"]["sde"], "0.4353");              // + 2 x 1/10
  EXPECT_EQ(reported["precincts_sde_from_delegates"], 2);
  // Adair and Ocheyedan of five precincts; Stuart has its first alignment only.
  EXPECT_EQ(reported["national"]["precincts"], (json{{"counted", 2}, {"of", 5}}));
  EXPECT_FALSE(reported["national"]["complete"].get<bool>());
  EXPECT_FALSE(doc["tabulation"]["national"]["complete"].get<bool>());
  const std::string& csv = rel->totals_csv.bytes;
  const size_t row = csv.find("\ncounty,Adair,Buttigieg,");
  ASSERT_NE(row, std::string::npos) << csv;
  EXPECT_NE(csv.substr(row, csv.find('\n', row + 1) - row).find(",0.2353,"), std::string::npos)
      << csv;
}

TEST(ReleaseTimeline, APointPerReleaseFromItsJson) {
  Ledger l;
  BuildFixture(l);
  const Release one = l.Publish();
  AddVermillion(l);
  auto two = BuildRelease(l.state);
  ASSERT_TRUE(two.ok());
  auto p1 = ReleaseTimelinePoint(json::parse(one.json.bytes));
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  EXPECT_EQ((*p1)["number"], 1);
  EXPECT_EQ((*p1)["ledger_seq"], 9);
  EXPECT_EQ((*p1)["reporting"], (json{{"precincts", 5}, {"included", 3}, {"complete", 2}}));
  // Reported SDEs 0.1569, 0.4353, 0.1, 0.1569, 0.0784 of 0.9275.
  EXPECT_EQ((*p1)["reported"]["sde"]["Buttigieg"], "0.4353");
  EXPECT_EQ((*p1)["reported"]["sde_share"]["Buttigieg"], "46.93");
  EXPECT_EQ((*p1)["reported"]["sde_share"]["Biden"], "16.92");
  EXPECT_EQ((*p1)["reported"]["sde_share"]["Klobuchar"], "10.78");
  EXPECT_EQ((*p1)["reported"]["sde_share"]["Warren"], "8.45");
  EXPECT_TRUE((*p1)["reported"]["national"].is_object());
  EXPECT_TRUE((*p1)["computed"]["sde_share"].is_object());
  auto p2 = ReleaseTimelinePoint(json::parse(two->json.bytes));
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ((*p2)["number"], 2);
  EXPECT_EQ((*p2)["reporting"]["included"], 4);
  EXPECT_EQ((*p2)["reporting"]["complete"], 2);  // Vermillion waits for its coin toss

  json broken = json::parse(one.json.bytes);
  broken["tabulation"]["totals"]["reported"]["state"]["Biden"]["sde"] = "lots";
  auto bad = ReleaseTimelinePoint(broken);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("reported.state.Biden"), std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(ReleaseTimelinePoint(json{{"number", 1}}).ok());
}

TEST(ReleaseEvents, NumberingFollowsTheLedger) {
  Ledger l;
  BuildFixture(l);
  EXPECT_TRUE(LedgerMovedSinceRelease(l.state));
  Release r1 = l.Publish();
  EXPECT_EQ(r1.number, 1);
  ASSERT_EQ(l.state.releases().size(), 1u);
  EXPECT_EQ(l.state.releases()[0].ledger_seq, 9);
  EXPECT_EQ(l.state.releases()[0].seq, 10);
  EXPECT_FALSE(LedgerMovedSinceRelease(l.state));
  l.Add("publication-policy-set", {{"mode", "each-report"}, {"seconds", 0}});
  EXPECT_FALSE(LedgerMovedSinceRelease(l.state));  // policy changes are no new results
  AddVermillion(l);
  EXPECT_TRUE(LedgerMovedSinceRelease(l.state));
  Release r2 = l.Publish();
  EXPECT_EQ(r2.number, 2);
  EXPECT_EQ(r2.ledger_seq, 13);
  EXPECT_EQ(l.state.publication_policy().mode, "each-report");
}

// A report that arrives while a release is being built is not in it: the ledger has moved
// although the release-published event comes after the report.
TEST(ReleaseEvents, AReportAppendedDuringTheBuildStillMovesTheLedger) {
  Ledger l;
  BuildFixture(l);
  auto rel = BuildRelease(l.state);  // the prefix 1..9
  ASSERT_TRUE(rel.ok());
  AddVermillion(l);  // arrives while it is built
  l.Add("release-published", ReleaseEventPayload(*rel, SignHex(FixtureKey(), rel->json.bytes)));
  ASSERT_EQ(l.state.releases().back().ledger_seq, 9);
  EXPECT_TRUE(LedgerMovedSinceRelease(l.state));
  Release r2 = l.Publish();
  EXPECT_EQ(r2.number, 2);
  EXPECT_FALSE(LedgerMovedSinceRelease(l.state));
}

TEST(ReleaseEvents, ReplayRefusesBadReleases) {
  Ledger l;
  BuildFixture(l);
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok());
  json good = ReleaseEventPayload(*rel, SignHex(FixtureKey(), rel->json.bytes));
  auto with = [&](const char* key, json value) {
    json p = good;
    p[key] = std::move(value);
    return p;
  };
  EXPECT_EQ(l.TryAdd("release-published", with("number", 2))->code, "release-number");
  EXPECT_EQ(l.TryAdd("release-published", with("number", 0))->code, "release-number");
  EXPECT_EQ(l.TryAdd("release-published", with("ledger_seq", 10))->code, "malformed-event");
  EXPECT_EQ(l.TryAdd("release-published", with("ledger_head", std::string(64, 'a')))->code,
            "release-head-mismatch");
  EXPECT_EQ(l.TryAdd("release-published", with("ledger_seq", 8))->code, "release-head-mismatch");
  EXPECT_EQ(l.TryAdd("release-published", good, Actor{"campaign", "SAN1"})->code, "forbidden");
  EXPECT_EQ(l.state.seq(), 9);  // nothing of that was applied
  l.Add("release-published", good);
  // A second release from the same prefix: not the next number (two nodes raced).
  EXPECT_EQ(l.TryAdd("release-published", good)->code, "release-number");
  // Number 2 built from before release 1 was published: stale.
  json stale = with("number", 2);
  EXPECT_EQ(l.TryAdd("release-published", stale)->code, "release-stale");
  EXPECT_EQ(l.TryAdd("publication-policy-set", {{"mode", "sometimes"}})->code, "malformed-policy");
  EXPECT_EQ(l.TryAdd("publication-policy-set", {{"mode", "interval"}, {"seconds", 0}})->code,
            "malformed-policy");
  EXPECT_EQ(
      l.TryAdd("publication-policy-set", {{"mode", "manual"}}, Actor{"campaign", "SAN1"})->code,
      "forbidden");
}

TEST(ReleaseEvents, SigningKeyMustBeHex) {
  Ledger l;
  auto r = l.TryAdd("election-created", {{"name", "x"},
                                         {"ruleset", {{"toml", ""}, {"hash", ""}}},
                                         {"candidates", {"A"}},
                                         {"precincts", json::array()},
                                         {"signing_key", "XYZ"}});
  ASSERT_TRUE(r.has_value());
}

}  // namespace
}  // namespace canvass::publish_test
