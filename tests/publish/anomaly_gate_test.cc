// The anomaly gate in releases (state/holds.h; docs/audit.md "Anomaly gate"): a precinct whose
// report fails the duplicate or column-shift check is held out of every figure of the next
// release, listed with its score, until a correction passes or an administrator's
// anomaly-override publishes it as reported. The elections are the party's certified 2020
// record (data/iowa-2020, in ballot order), reported through ElectionState::Apply.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "publish/certified_record.h"
#include "publish/release_fixture.h"
#include "state/holds.h"
#include "state/replay.h"
#include "tabulate/anomaly_test_util.h"
#include "test_data.h"

namespace canvass::publish_test {
namespace {

// Creates the election of `reports`' precincts (the party's apportionment) with the certified
// record's candidates; precinct ids follow `reports`' order.
void Create(Ledger& l, const std::vector<PrecinctReport>& reports) {
  auto table = LoadApportionmentFile(kIowa + "apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto districts = LoadDistrictsFile(kIowa + "county-congressional-district.csv");
  ASSERT_TRUE(districts.ok());
  std::map<std::pair<std::string, std::string>, const PrecinctApportionment*> by_name;
  for (const PrecinctApportionment& ap : *table) by_name[{ap.county, ap.precinct}] = &ap;
  json precincts = json::array();
  json counties = json::object();
  for (const PrecinctReport& r : reports) {
    auto it = by_name.find({r.county, r.precinct});
    ASSERT_NE(it, by_name.end()) << r.county << " / " << r.precinct;
    const PrecinctApportionment& ap = *it->second;
    json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
    if (ap.delegates) row["delegates"] = *ap.delegates;
    if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
    if (ap.site_sde) row["site_sde"] = ap.site_sde->ToString();
    if (ap.district) row["district"] = *ap.district;
    precincts.push_back(row);
    if (districts->count(ap.county)) counties[ap.county] = districts->at(ap.county);
  }
  auto path = RulesetPath("iowa-dem-2020");
  ASSERT_TRUE(path.ok());
  auto toml = ReadFile(*path);
  ASSERT_TRUE(toml.ok());
  auto ruleset = ParseRuleset(*toml, "iowa-dem-2020");
  ASSERT_TRUE(ruleset.ok());
  l.Add("election-created",
        {{"name", "Iowa Democratic caucuses 2020 (anomaly gate test)"},
         {"ruleset", {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", *toml}}},
         {"candidates", CertifiedRecord().candidates},
         {"precincts", precincts},
         {"county_district", counties},
         {"signing_key", FixtureKey().public_hex}});
}

// Reports precinct `id`'s first and final alignment as `r` has them; false when refused.
bool Report(Ledger& l, int64_t id, const PrecinctReport& r) {
  const std::string sub = std::to_string(id);
  if (l.TryAdd("first-alignment-reported",
               {{"precinct", id}, {"submission", "f" + sub}, {"first", Side(l.state, r, false)}})) {
    return false;
  }
  return !l.TryAdd(
      "final-alignment-reported",
      {{"precinct", id}, {"submission", "g" + sub}, {"final", Side(l.state, r, true)}});
}

void Correct(Ledger& l, int64_t id, const PrecinctReport& r, const std::string& reason) {
  l.Add("report-corrected", {{"precinct", id},
                             {"reason", reason},
                             {"first", Side(l.state, r, false)},
                             {"final", Side(l.state, r, true)}});
}

int64_t IdOf(const std::vector<PrecinctReport>& reports, const std::string& precinct) {
  for (size_t i = 0; i < reports.size(); ++i) {
    if (reports[i].precinct == precinct) return static_cast<int64_t>(i + 1);
  }
  ADD_FAILURE() << precinct << " not found";
  return 0;
}

std::string Refusal(Ledger& l, json payload, Actor actor = Actor{"admin", "cli"}) {
  auto r = l.TryAdd("anomaly-override", std::move(payload), actor);
  return r ? r->code : "accepted";
}

// The release's JSON, its precinct entries put in as "precincts" (where releases held them before
// their records were beside).
json Doc(const Release& r) {
  json doc = json::parse(r.json.bytes);
  doc["precincts"] = EntriesOf(r);
  return doc;
}

// 5 February 2020: Des Moines-55's figures from Sanders on keyed one column to the left
// (Patrick 191/218). The whole of Polk reports; the gate holds Des Moines-55 alone.
TEST(AnomalyGate, ColumnShiftHeldUntilOverridden) {
  const std::vector<PrecinctReport> polk = CertifiedReports("Polk");
  ASSERT_GT(polk.size(), 100u);
  const int64_t dm55 = IdOf(polk, "DES MOINES-55");
  PrecinctReport shifted = polk[static_cast<size_t>(dm55 - 1)];
  EnterShifted(shifted, *CertifiedRecord().FindCandidate("Sanders"), -1);
  ASSERT_EQ(shifted.figures[*CertifiedRecord().FindCandidate("Patrick")].first, 191);

  Ledger l;
  Create(l, polk);
  Ledger without;  // the same night without Des Moines-55: what a release holding it must show
  Create(without, polk);
  for (size_t i = 0; i < polk.size(); ++i) {
    const int64_t id = static_cast<int64_t>(i + 1);
    const bool ok = Report(l, id, id == dm55 ? shifted : polk[i]);
    if (id != dm55) {
      EXPECT_EQ(ok, Report(without, id, polk[i])) << polk[i].precinct;
    } else {
      ASSERT_TRUE(ok);
    }
  }

  const json held = Doc(l.Publish());
  ASSERT_EQ(held["held"].size(), 1u) << held["held"].dump();
  const json& h = held["held"][0];
  EXPECT_EQ(h["precinct"], dm55);
  EXPECT_EQ(h["name"], "DES MOINES-55");
  EXPECT_EQ(h["check"], "column-shift");
  EXPECT_EQ(h["score"], "4376.54 nats");
  EXPECT_EQ(h["threshold"], "50 nats");
  EXPECT_EQ(h["revision"], 1);
  EXPECT_FALSE(h.contains("override"));
  EXPECT_TRUE(held["overrides"].empty());
  EXPECT_EQ(held["reporting"]["held"], 1);
  const json& p = held["precincts"][static_cast<size_t>(dm55 - 1)];
  EXPECT_EQ(p["flags"]["held"], true);
  EXPECT_EQ(p["included"], false);
  // Its entry keeps what was reported, as the ledger has it; nothing is computed from it.
  EXPECT_EQ(p["reported"]["first"]["Patrick"], 191);
  EXPECT_EQ(p["revision"], 1);
  EXPECT_EQ(p["computed"]["sde"], json());
  // Its figures are in none of the totals: they are those of the night without it.
  auto bare = BuildRelease(without.state);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(held["tabulation"], Doc(*bare)["tabulation"]);
  EXPECT_EQ(Doc(*bare)["held"], json::array());

  // Refused, with nothing written: no reason, the wrong check, a precinct not held, not an
  // administrator, a stale revision.
  const int64_t before = l.state.seq();
  const json ok = {{"precinct", dm55},
                   {"check", "column-shift"},
                   {"revision", 1},
                   {"reason", "the worksheet is the legal record"}};
  json no_reason = ok;
  no_reason.erase("reason");
  EXPECT_EQ(Refusal(l, no_reason), "reason-required");
  no_reason["reason"] = "  ";
  EXPECT_EQ(Refusal(l, no_reason), "reason-required");
  json other = ok;
  other["check"] = "duplicate";
  EXPECT_EQ(Refusal(l, other), "not-held");
  other["check"] = "stuffing";
  EXPECT_EQ(Refusal(l, other), "unknown-check");
  other = ok;
  other["precinct"] = dm55 == 1 ? 2 : 1;
  other.erase("revision");
  EXPECT_EQ(Refusal(l, other), "not-held");
  other["precinct"] = 100000;
  EXPECT_EQ(Refusal(l, other), "unknown-precinct");
  other = ok;
  other["revision"] = 2;
  EXPECT_EQ(Refusal(l, other), "stale-revision");
  EXPECT_EQ(Refusal(l, ok, Actor{"campaign", "SAN1"}), "forbidden");
  EXPECT_EQ(l.state.seq(), before);
  EXPECT_TRUE(l.state.anomaly_overrides().empty());

  // Published as reported: listed with the override, counted in the figures.
  l.Add("anomaly-override", ok);
  EXPECT_EQ(Refusal(l, ok), "already-overridden");
  const json overridden = Doc(l.Publish());
  EXPECT_TRUE(overridden["held"].empty());
  ASSERT_EQ(overridden["overrides"].size(), 1u);
  const json& o = overridden["overrides"][0];
  EXPECT_EQ(o["precinct"], dm55);
  EXPECT_EQ(o["check"], "column-shift");
  EXPECT_EQ(o["override"]["reason"], "the worksheet is the legal record");
  EXPECT_EQ(o["override"]["seq"], before + 1);
  EXPECT_EQ(o["override"]["by"], "admin/cli");
  EXPECT_EQ(overridden["precincts"][static_cast<size_t>(dm55 - 1)]["flags"]["held"], false);
  EXPECT_EQ(
      overridden["tabulation"]["totals"]["reported"]["state"]["Patrick"]["first"],
      held["tabulation"]["totals"]["reported"]["state"]["Patrick"]["first"].get<int64_t>() + 191);

  // The ledger replays with its override (as `canvass ledger verify` does).
  ElectionState replayed;
  const ChainReport report = ReplayEvents(l.lines, replayed);
  ASSERT_TRUE(report.ok()) << report.problem->message;
  EXPECT_EQ(replayed.head_hash(), l.state.head_hash());
  ASSERT_EQ(replayed.anomaly_overrides().size(), 1u);
  EXPECT_EQ(replayed.anomaly_overrides()[0].score, "4376.54 nats");

  // A correction with the certified figures passes; the override named revision 1 and no
  // longer applies, and keying the shift again (revision 3) is held again.
  Correct(l, dm55, polk[static_cast<size_t>(dm55 - 1)], "the worksheet, read again");
  const json corrected = Doc(l.Publish());
  EXPECT_TRUE(corrected["held"].empty());
  EXPECT_TRUE(corrected["overrides"].empty());
  EXPECT_EQ(Refusal(l, {{"precinct", dm55}, {"check", "column-shift"}, {"reason", "r"}}),
            "not-held");
  Correct(l, dm55, shifted, "keyed again");
  const json again = Doc(l.Publish());
  ASSERT_EQ(again["held"].size(), 1u);
  EXPECT_EQ(again["held"][0]["revision"], 3);
}

// One form keyed twice (as Scott's B52/D52 on 8 February): both precincts are held, since
// either may be the one keyed wrong, until a correction tells them apart.
TEST(AnomalyGate, DuplicatePairHeldUntilCorrected) {
  const std::vector<PrecinctReport> polk = CertifiedReports("Polk");
  // The first two precincts with more than 10 attendees.
  std::vector<int64_t> big;
  for (size_t i = 0; i < polk.size() && big.size() < 2; ++i) {
    Count t = 0;
    for (const CandidateReport& f : polk[i].figures) t += f.first.value_or(0);
    if (t > 10) big.push_back(static_cast<int64_t>(i + 1));
  }
  ASSERT_EQ(big.size(), 2u);
  Ledger l;
  Create(l, polk);
  for (size_t i = 0; i < polk.size(); ++i) {
    const int64_t id = static_cast<int64_t>(i + 1);
    Report(l, id, id == big[1] ? polk[static_cast<size_t>(big[0] - 1)] : polk[i]);
  }
  const json doc = Doc(l.Publish());
  ASSERT_EQ(doc["held"].size(), 2u) << doc["held"].dump();
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(doc["held"][k]["precinct"], big[k]);
    EXPECT_EQ(doc["held"][k]["check"], "duplicate");
    EXPECT_EQ(doc["held"][k]["threshold"], "more than 10 attendees");
    EXPECT_EQ(doc["precincts"][static_cast<size_t>(big[k] - 1)]["flags"]["held"], true);
  }
  EXPECT_EQ(doc["reporting"]["held"], 2);
  EXPECT_EQ(Refusal(l, {{"precinct", big[0]}, {"check", "column-shift"}, {"reason", "r"}}),
            "not-held");

  Correct(l, big[1], polk[static_cast<size_t>(big[1] - 1)], "keyed from the wrong form");
  const json fixed = Doc(l.Publish());
  EXPECT_TRUE(fixed["held"].empty());
  EXPECT_EQ(fixed["reporting"]["held"], 0);
}

// A clean election of Iowa's size, the certified record: nothing held.
TEST(AnomalyGate, CleanElectionHasNoHolds) {
  const std::vector<PrecinctReport> all = CertifiedReports("");
  ASSERT_EQ(all.size(), 1765u);
  Ledger l;
  l.time = "2020-02-04T03:00:00.000Z";  // more events than the fixture's clock has minutes
  Create(l, all);
  int64_t reported = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    reported += Report(l, static_cast<int64_t>(i + 1), all[i]) ? 1 : 0;
  }
  // The rules refuse a few of the party's reports (figures no caucus can have); the rest are in.
  EXPECT_GT(reported, 1600);
  const json doc = Doc(l.Publish());
  EXPECT_EQ(doc["held"], json::array());
  EXPECT_EQ(doc["overrides"], json::array());
  EXPECT_EQ(doc["reporting"]["held"], 0);
}

}  // namespace
}  // namespace canvass::publish_test
