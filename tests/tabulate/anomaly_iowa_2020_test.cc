// The anomaly checks on the party's 2020 releases (data/iowa-2020; ../shared/spec/audits.md 4):
// what they find in the 8 February release and the certified record, and the two column errors
// of 5 February rebuilt from the certified figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "io/importers.h"
#include "tabulate/anomaly.h"
#include "tabulate/anomaly_test_util.h"
#include "test_data.h"

namespace canvass {
namespace {

// The wide files list the candidates in ballot order (the long ones alphabetically, with Other
// and Uncommitted among them), so the column-shift tests read those.
Election Load(const std::string& file) {
  auto election = LoadResultsFile(kIowa + file);
  EXPECT_TRUE(election.ok()) << election.status().ToString();
  return election.ok() ? std::move(election).value() : Election{};
}

const std::vector<std::string> kBallot = {
    "Bennet",  "Biden",   "Bloomberg", "Buttigieg", "Delaney", "Gabbard", "Klobuchar",
    "Patrick", "Sanders", "Steyer",    "Warren",    "Yang",    "Other",   "Uncommitted"};

size_t Find(const Election& e, const std::string& county, const std::string& precinct) {
  for (size_t i = 0; i < e.reports.size(); ++i) {
    if (e.reports[i].county == county && e.reports[i].precinct == precinct) return i;
  }
  ADD_FAILURE() << county << " / " << precinct << " not found";
  return 0;
}

TEST(AnomalyIowa2020, CertifiedRecordHasNoShiftAboveFiftyNats) {
  const Election e = Load("precincts-certified-wide.csv");
  ASSERT_EQ(e.candidates, kBallot);
  const AnomalySettings settings;
  const std::vector<ShiftScore> scores = ScoreColumnShifts(e, settings);
  ASSERT_EQ(scores.size(), 1765u);
  auto top =
      std::max_element(scores.begin(), scores.end(),
                       [](const ShiftScore& a, const ShiftScore& b) { return a.gain < b.gain; });
  EXPECT_EQ(e.reports[top->report].county, "Pottawattamie");
  EXPECT_EQ(e.reports[top->report].precinct, "Walnut");
  EXPECT_NEAR(top->gain, 41.008, 0.001);
  EXPECT_EQ(
      std::count_if(scores.begin(), scores.end(), [](const ShiftScore& s) { return s.gain > 20; }),
      26);
  EXPECT_TRUE(ShiftFlags(e, scores, settings).empty());
  EXPECT_TRUE(FindDuplicates(e, settings).empty());
}

TEST(AnomalyIowa2020, FebruaryEighthDuplicates) {
  const Election e = Load("results-first-complete-2020-02-08-long.csv");
  const AnomalySettings settings;
  const std::vector<DuplicateGroup> groups = FindDuplicates(e, settings);
  std::set<std::set<std::string>> found;
  for (const DuplicateGroup& g : groups) {
    std::set<std::string> names;
    for (size_t i : g.reports) names.insert(e.reports[i].county + " / " + e.reports[i].precinct);
    found.insert(names);
  }
  const std::set<std::set<std::string>> expected = {
      {"Scott / (B52) City of Bettendorf", "Scott / (D52) City of Davenport"},
      {"Scott / (BG) Blue Grass Township", "Scott / (D31) City of Davenport"},
      {"Woodbury / Sioux City 05", "Woodbury / Sioux City 20"}};
  EXPECT_EQ(found, expected);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].attendance, 356);
  const std::vector<AnomalyFlag> flags = DuplicateFlags(e, groups, settings);
  ASSERT_EQ(flags.size(), 6u);
  EXPECT_EQ(flags[0].check, AnomalyCheck::kDuplicate);
  EXPECT_EQ(flags[0].threshold, "more than 10 attendees");
  // The same file read as the media feed reads it: the wide release agrees.
  EXPECT_EQ(FindDuplicates(Load("precincts-first-complete-wide.csv"), settings).size(), 3u);
}

// 5 February, 85% release: in Des Moines-55 every column from Sanders on moved one place left
// (Patrick 191/218 were Sanders's, Steyer had Warren's, Yang and Uncommitted none).
TEST(AnomalyIowa2020, DesMoines55ShiftRebuilt) {
  const Election certified = Load("precincts-certified-wide.csv");
  Election e = certified;
  const size_t dm55 = Find(e, "Polk", "DES MOINES-55");
  const CandidateIndex sanders = *e.FindCandidate("Sanders");
  const CandidateIndex patrick = *e.FindCandidate("Patrick");
  EnterShifted(e.reports[dm55], sanders, -1);
  ASSERT_EQ(e.reports[dm55].figures[patrick].first, 191);
  ASSERT_EQ(e.reports[dm55].figures[patrick].final, 218);

  const AnomalySettings settings;
  const std::vector<ShiftScore> scores = ScoreColumnShifts(e, settings);
  const ShiftScore& s = scores[dm55];
  EXPECT_NEAR(s.gain, 4376.54, 0.01);
  EXPECT_EQ(s.start_candidate, patrick);
  EXPECT_EQ(s.direction, +1);
  // Undoing the shift gives back the certified figures.
  for (size_t c = 0; c < e.candidates.size(); ++c) {
    EXPECT_EQ(s.first[c], certified.reports[dm55].figures[c].first.value_or(0)) << c;
    EXPECT_EQ(s.final[c], certified.reports[dm55].figures[c].final.value_or(0)) << c;
  }
  const std::vector<AnomalyFlag> flags = ShiftFlags(e, scores, settings);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].check, AnomalyCheck::kColumnShift);
  EXPECT_EQ(flags[0].precinct, "DES MOINES-55");
  EXPECT_EQ(flags[0].score, "4376.54 nats");
  EXPECT_EQ(flags[0].threshold, "50 nats");
  EXPECT_NE(flags[0].detail.find("Patrick 191/218 -> 0/0"), std::string::npos) << flags[0].detail;
  EXPECT_NE(flags[0].detail.find("Sanders 0/0 -> 191/218"), std::string::npos) << flags[0].detail;

  // One precinct checked as it is accepted, against the county as it stood: the same score.
  const ShiftBasis basis(e);
  EXPECT_DOUBLE_EQ(basis.Score(e, dm55, settings).gain, s.gain);
}

// 5 February: the new Black Hawk batch with Sanders's figures entered one column to the right
// (Sanders empty, Steyer holding his), checked before release against the county's precincts
// already published.
TEST(AnomalyIowa2020, BlackHawkBatchShiftedRightIsCaught) {
  const Election certified = Load("precincts-certified-wide.csv");
  const CandidateIndex sanders = *certified.FindCandidate("Sanders");
  Election published = certified;
  published.reports.clear();
  Election release = certified;
  std::vector<size_t> batch;
  for (size_t i = 0; i < certified.reports.size(); ++i) {
    const PrecinctReport& r = certified.reports[i];
    if (r.county == "Black Hawk" && batch.size() < 20) {
      batch.push_back(i);
      EnterShifted(release.reports[i], sanders, +1);
    } else {
      published.reports.push_back(r);
    }
  }
  ASSERT_EQ(batch.size(), 20u);
  const AnomalySettings settings;
  const std::vector<ShiftScore> scores = ScoreColumnShifts(release, settings, &published);
  // A statistical check needs figures to go on: every precinct where Sanders had 15 or more is
  // caught, with his figures moved back; the two smallest (3 of 16 and 10 of 59) are not.
  const CandidateIndex steyer = *certified.FindCandidate("Steyer");
  int caught = 0;
  for (size_t i : batch) {
    const CandidateReport& truth = certified.reports[i].figures[sanders];
    const bool flagged = scores[i].gain > settings.shift_threshold_nats;
    caught += flagged;
    if (truth.first.value_or(0) < 15) continue;
    EXPECT_TRUE(flagged) << certified.reports[i].precinct << " scores " << scores[i].gain;
    ASSERT_FALSE(scores[i].first.empty());
    EXPECT_EQ(scores[i].first[sanders], truth.first.value_or(0));
    EXPECT_EQ(scores[i].final[sanders], truth.final.value_or(0));
    EXPECT_EQ(scores[i].first[steyer], certified.reports[i].figures[steyer].first.value_or(0));
    EXPECT_EQ(scores[i].direction, -1);
  }
  EXPECT_EQ(caught, 18);
  // Every other precinct stays below the threshold.
  for (size_t i = 0; i < scores.size(); ++i) {
    if (std::find(batch.begin(), batch.end(), i) != batch.end()) continue;
    EXPECT_LE(scores[i].gain, settings.shift_threshold_nats) << release.reports[i].precinct;
  }
}

TEST(AnomalyIowa2020, RecanvassChangesAreReleaseDeltas) {
  const Election feb8 = Load("results-first-complete-2020-02-08-long.csv");
  const Election certified = Load("results-certified-2020-04-07-long.csv");
  auto delta = CompareReleases(feb8, certified, {});
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  // data/README.md: 101 precincts differ between the two releases.
  EXPECT_EQ(delta->precincts.size(), 101u);
  EXPECT_EQ(delta->unchanged, 1765 - 101);
  EXPECT_EQ(DeltaFlags(*delta).size(), 101u);
  // Statewide first alignment 176,436 -> 176,352.
  Count first = 0;
  for (const CandidateDelta& c : delta->by_candidate) first += c.first_change;
  EXPECT_EQ(first, 176352 - 176436);

  // The same changes, each with its correction on the record: nothing unexplained.
  std::vector<PrecinctId> corrected;
  for (const PrecinctDelta& d : delta->precincts) corrected.push_back({d.county, d.precinct});
  auto explained = CompareReleases(feb8, certified, corrected);
  ASSERT_TRUE(explained.ok());
  EXPECT_TRUE(DeltaFlags(*explained).empty());
  for (const CandidateDelta& c : explained->by_candidate) EXPECT_TRUE(c.explained());
}

// Patrick from nothing: the certified release again with Des Moines-55 shifted. Against the
// release before, the precinct changed with no correction, and Patrick's 1.399 SDEs are
// unexplained; the same shift in a precinct newly in is explained by the delta check and left to
// the column-shift check.
TEST(AnomalyIowa2020, PatrickFromNothingIsAnUnexplainedDelta) {
  const Election certified = Load("precincts-certified-wide.csv");
  Election shifted = certified;
  const size_t dm55 = Find(shifted, "Polk", "DES MOINES-55");
  EnterShifted(shifted.reports[dm55], *shifted.FindCandidate("Sanders"), -1);
  auto delta = CompareReleases(certified, shifted, {});
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  ASSERT_EQ(delta->precincts.size(), 1u);
  EXPECT_EQ(delta->precincts[0].kind, DeltaKind::kChanged);
  const CandidateIndex patrick = *shifted.FindCandidate("Patrick");
  const CandidateDelta& p = delta->by_candidate[patrick];
  EXPECT_EQ(p.sde_change, Rational(1399, 1000));
  EXPECT_EQ(p.sde_unexplained, Rational(1399, 1000));
  EXPECT_EQ(p.first_unexplained, 191);
  EXPECT_FALSE(p.explained());
  const std::vector<AnomalyFlag> flags = DeltaFlags(*delta);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].precinct, "DES MOINES-55");
  EXPECT_EQ(flags[0].score, "1654 people, 5.0364 SDE moved");
  EXPECT_NE(flags[0].detail.find("Patrick +191/+218 SDE +1.3990"), std::string::npos)
      << flags[0].detail;

  // With its correction on the record, the change is explained.
  auto corrected = CompareReleases(certified, shifted, {{"Polk", "DES MOINES-55"}});
  ASSERT_TRUE(corrected.ok());
  EXPECT_TRUE(corrected->by_candidate[patrick].explained());
  EXPECT_EQ(corrected->by_candidate[patrick].sde_from_corrected, Rational(1399, 1000));

  // A release before Polk reported: the shifted precinct is new, so its figures explain the
  // change; the column-shift check, against the rest of Polk in the new release, catches it.
  Election before_polk = certified;
  std::erase_if(before_polk.reports, [](const PrecinctReport& r) { return r.county == "Polk"; });
  auto partial = CompareReleases(before_polk, shifted, {});
  ASSERT_TRUE(partial.ok());
  EXPECT_TRUE(DeltaFlags(*partial).empty());
  EXPECT_EQ(partial->by_candidate[patrick].sde_from_new, Rational(1399, 1000));
  EXPECT_GT(ScoreColumnShifts(shifted, AnomalySettings{})[dm55].gain, 4000);
}

}  // namespace
}  // namespace canvass
