// The anomaly checks on hand-made elections (each rule of tabulate/anomaly.h at its edge) and on
// synthetic elections from `canvass simulate`, which carry no anomaly and must raise no flag.
#include "tabulate/anomaly.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rules/ruleset.h"
#include "simulate/simulate.h"
#include "tabulate/anomaly_test_util.h"

namespace canvass {
namespace {

// An election of A, B, C, D with reports given as {first..., final...} per precinct.
struct Row {
  std::string county;
  std::string precinct;
  std::vector<Count> first;
  std::vector<Count> final;
};

Election Make(const std::vector<Row>& rows) {
  Election e;
  e.candidates = {"A", "B", "C", "D"};
  for (const Row& row : rows) {
    PrecinctReport r;
    r.county = row.county;
    r.precinct = row.precinct;
    for (size_t c = 0; c < e.candidates.size(); ++c) {
      CandidateReport f;
      f.first = row.first[c];
      f.final = row.final[c];
      r.figures.push_back(f);
    }
    e.reports.push_back(std::move(r));
  }
  return e;
}

TEST(AnomalyDuplicates, MoreThanTheBoundAndEveryFigureEqual) {
  Election e = Make({{"X", "1", {5, 3, 2, 0}, {6, 4, 0, 0}},
                     {"Y", "2", {5, 3, 2, 0}, {6, 4, 0, 0}},    // 10 attendees: not above 10
                     {"X", "3", {6, 3, 2, 0}, {7, 4, 0, 0}},    // 11
                     {"Y", "4", {6, 3, 2, 0}, {7, 4, 0, 0}},    // 11, same as 3
                     {"Z", "5", {6, 3, 2, 0}, {7, 4, 0, 0}},    // 11, same as 3
                     {"Z", "6", {6, 3, 2, 0}, {7, 3, 1, 0}}});  // one final figure differs
  AnomalySettings s;
  std::vector<DuplicateGroup> groups = FindDuplicates(e, s);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].reports, (std::vector<size_t>{2, 3, 4}));
  EXPECT_EQ(groups[0].attendance, 11);
  EXPECT_EQ(DuplicatesOf(e, 3, s), (std::vector<size_t>{2, 4}));
  EXPECT_TRUE(DuplicatesOf(e, 0, s).empty());
  std::vector<AnomalyFlag> flags = DuplicateFlags(e, groups, s);
  ASSERT_EQ(flags.size(), 3u);
  EXPECT_EQ(flags[0].precinct, "3");
  EXPECT_EQ(flags[0].score, "11 attendees");
  EXPECT_EQ(flags[0].detail,
            "first and final figures identical to Y / 4, Z / 5 (A 6/7, B 3/4, C 2/0)");

  s.duplicate_above = 9;
  EXPECT_EQ(FindDuplicates(e, s).size(), 2u);
  // A figure not reported equals only a figure not reported.
  e.reports[3].figures[3].first.reset();
  s.duplicate_above = 10;
  ASSERT_EQ(FindDuplicates(e, s).size(), 1u);
  EXPECT_EQ(FindDuplicates(e, s)[0].reports, (std::vector<size_t>{2, 4}));
}

// A county of four precincts where A and B lead and C, D are small; precinct "s" has B's figures
// entered under C (one column right from B) or A's under... one column left.
std::vector<Row> County() {
  return {{"X", "1", {60, 50, 5, 1}, {62, 53, 0, 0}},
          {"X", "2", {70, 40, 3, 2}, {72, 43, 0, 0}},
          {"X", "3", {55, 45, 6, 0}, {58, 48, 0, 0}},
          {"Y", "9", {1, 2, 60, 50}, {0, 0, 63, 50}}};
}

TEST(AnomalyShift, UndoesAShiftEitherWayAndScoresTheGain) {
  std::vector<Row> rows = County();
  rows.push_back({"X", "s", {64, 52, 4, 0}, {66, 54, 0, 0}});
  Election e = Make(rows);
  const AnomalySettings s;
  // Clean: nothing to gain.
  EXPECT_LT(ScoreColumnShifts(e, s)[4].gain, 1.0);

  // B's figures on entered one column to the right: A 64, B 0, C 52, D 4.
  EnterShifted(e.reports[4], 1, +1);
  ShiftScore right = ScoreColumnShifts(e, s)[4];
  EXPECT_EQ(right.direction, -1);
  EXPECT_EQ(right.start_candidate, 1u);
  EXPECT_EQ(right.first, (std::vector<Count>{64, 52, 4, 0}));
  EXPECT_EQ(right.final, (std::vector<Count>{66, 54, 0, 0}));
  // The gain by hand: S = the other X precincts' first alignment (185, 135, 14, 3).
  const double w[] = {std::log(371.0), std::log(271.0), std::log(29.0), std::log(7.0)};
  const double expected = (52 - 0) * w[1] + (4 - 52) * w[2] + (0 - 4) * w[3] +  // first
                          (54 - 0) * w[1] + (0 - 54) * w[2];                    // final
  EXPECT_NEAR(right.gain, expected, 1e-9);
  EXPECT_GT(right.gain, 50);
  std::vector<AnomalyFlag> flags = ShiftFlags(e, {right}, s);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].threshold, "50 nats");
  EXPECT_EQ(flags[0].score, fmt::format("{:.2f} nats", expected));
  EXPECT_EQ(flags[0].detail,
            "the figures from B on read as entered one column to the right; moved back: "
            "B 0/0 -> 52/54, C 52/54 -> 4/0, D 4/0 -> 0/0");

  // Entered one column to the left, into a column the county does not vote for: in county W, A
  // is nobody's choice, and precinct t's B figures on land one column left, A's 0 lost.
  Election left = Make({{"W", "1", {1, 60, 50, 5}, {0, 62, 53, 0}},
                        {"W", "2", {0, 70, 40, 3}, {0, 72, 43, 0}},
                        {"W", "t", {0, 64, 52, 4}, {0, 66, 54, 0}}});
  EnterShifted(left.reports[2], 1, -1);
  ShiftScore l = ScoreColumnShifts(left, s)[2];
  EXPECT_EQ(l.direction, +1);
  EXPECT_EQ(l.start_candidate, 0u);
  EXPECT_EQ(l.first, (std::vector<Count>{0, 64, 52, 4}));
  EXPECT_EQ(l.final, (std::vector<Count>{0, 66, 54, 0}));
  EXPECT_GT(l.gain, 50);
  // The same error in X, where A leads, moves figures towards more popular columns: it reads as
  // more likely, not less, and the check cannot see it (docs/audit.md).
  Election towards = Make(rows);
  EnterShifted(towards.reports[4], 1, -1);
  EXPECT_EQ(ScoreColumnShifts(towards, s)[4].gain, 0.0);
}

TEST(AnomalyShift, AnUndoMustLoseNoOne) {
  // The same right shift, but D's figures, pushed off the end by an undo, are not 0: the only
  // undo that would restore B would drop them, so it is not considered.
  std::vector<Row> rows = County();
  rows.push_back({"X", "s", {64, 0, 52, 4}, {66, 0, 54, 1}});
  Election e = Make(rows);
  ShiftScore s = ScoreColumnShifts(e, AnomalySettings{})[4];
  EXPECT_NE(s.direction, +1);
  // Moving the suffix from B left needs B empty, and it is: allowed, D's column emptied.
  EXPECT_EQ(s.direction, -1);
  EXPECT_EQ(s.first, (std::vector<Count>{64, 52, 4, 0}));
  EXPECT_EQ(s.final, (std::vector<Count>{66, 54, 1, 0}));
}

TEST(AnomalyShift, BallotOrderAndReference) {
  std::vector<Row> rows = County();
  rows.push_back({"X", "s", {64, 0, 52, 4}, {66, 0, 54, 0}});
  Election e = Make(rows);
  AnomalySettings s;
  const double in_order = ScoreColumnShifts(e, s)[4].gain;
  EXPECT_GT(in_order, 50);
  // On a form listing D, C, B, A the same figures are no shift of a suffix that helps.
  s.ballot_order = {3, 2, 1, 0};
  EXPECT_LT(ScoreColumnShifts(e, s)[4].gain, 50);
  // A reference without the county gives equal shares: no gain.
  Election other = Make({{"Z", "1", {10, 10, 10, 10}, {10, 10, 10, 10}}});
  EXPECT_EQ(ScoreColumnShifts(e, AnomalySettings{}, &other)[4].gain, 0.0);
  // The reference holding the precinct itself: its own figures there are left out.
  EXPECT_DOUBLE_EQ(ScoreColumnShifts(e, AnomalySettings{}, &e)[4].gain, in_order);
  // A precinct alone in its county has nothing to be compared with.
  EXPECT_EQ(ScoreColumnShifts(e, AnomalySettings{})[3].gain, 0.0);
}

TEST(AnomalySettingsTest, RefusedWithTheReason) {
  Election e = Make(County());
  AnomalySettings s;
  EXPECT_TRUE(ValidateAnomalySettings(s, e).ok());
  s.ballot_order = {0, 1, 2};
  EXPECT_EQ(ValidateAnomalySettings(s, e).message(),
            "the ballot order names 3 candidates; the results have 4: A, B, C, D");
  s.ballot_order = {0, 1, 1, 3};
  EXPECT_EQ(ValidateAnomalySettings(s, e).message(), "the ballot order names B twice");
  s.ballot_order = {};
  s.shift_threshold_nats = 0;
  EXPECT_FALSE(ValidateAnomalySettings(s, e).ok());
  s.shift_threshold_nats = NAN;
  EXPECT_FALSE(ValidateAnomalySettings(s, e).ok());
  s.shift_threshold_nats = 50;
  s.duplicate_above = -1;
  EXPECT_FALSE(ValidateAnomalySettings(s, e).ok());
}

TEST(AnomalyReleaseDelta, NewCorrectedChangedRemoved) {
  Election before = Make({{"X", "1", {5, 5, 0, 0}, {5, 5, 0, 0}},
                          {"X", "2", {3, 3, 3, 0}, {3, 3, 3, 0}},
                          {"X", "3", {4, 0, 0, 0}, {4, 0, 0, 0}},
                          {"X", "4", {1, 1, 1, 1}, {1, 1, 1, 1}}});
  Election after = Make({{"X", "1", {5, 5, 0, 0}, {5, 5, 0, 0}},    // unchanged
                         {"X", "2", {3, 3, 0, 3}, {3, 3, 0, 3}},    // corrected
                         {"X", "3", {0, 4, 0, 0}, {0, 4, 0, 0}},    // changed
                         {"X", "5", {2, 0, 0, 0}, {2, 0, 0, 0}}});  // new; 4 removed
  after.reports[1].figures[3].sde = Rational(1, 2);
  auto d = CompareReleases(before, after, {{"X", "2"}});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->unchanged, 1);
  ASSERT_EQ(d->precincts.size(), 4u);
  EXPECT_EQ(d->precincts[0].kind, DeltaKind::kCorrected);
  EXPECT_EQ(d->precincts[1].kind, DeltaKind::kChanged);
  EXPECT_EQ(d->precincts[2].kind, DeltaKind::kNew);
  EXPECT_EQ(d->precincts[3].kind, DeltaKind::kRemoved);
  const CandidateDelta& a = d->by_candidate[0];
  EXPECT_EQ(a.first_change, -4 + 2 - 1);
  EXPECT_EQ(a.first_unexplained, -4 - 1);
  const CandidateDelta& dd = d->by_candidate[3];
  EXPECT_EQ(dd.sde_from_corrected, Rational(1, 2));
  EXPECT_EQ(dd.first_unexplained, -1);
  std::vector<AnomalyFlag> flags = DeltaFlags(*d);
  ASSERT_EQ(flags.size(), 2u);
  EXPECT_EQ(flags[0].precinct, "3");
  EXPECT_EQ(flags[0].score, "16 people, 0.0000 SDE moved");
  EXPECT_EQ(flags[0].detail,
            "changed since the previous release without a correction: A -4/-4 SDE +0.0000, "
            "B +4/+4 SDE +0.0000");
  EXPECT_EQ(flags[1].precinct, "4");
  EXPECT_EQ(flags[1].score, "8 people, 0.0000 SDE moved");
}

TEST(AnomalyReleaseDelta, CandidatesByNameAndRepeatedPrecincts) {
  Election before = Make({{"X", "1", {5, 7, 0, 0}, {5, 7, 0, 0}}});
  before.candidates = {"B", "A", "C", "E"};  // B 5 and A 7, in other columns
  Election after = Make({{"X", "1", {7, 5, 0, 0}, {7, 5, 0, 0}}});
  auto d = CompareReleases(before, after, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->candidates, (std::vector<std::string>{"A", "B", "C", "D", "E"}));
  EXPECT_TRUE(d->precincts.empty());
  EXPECT_EQ(d->unchanged, 1);
  after.reports[0].figures[0].first = 6;  // A 7 -> 6
  auto changed = CompareReleases(before, after, {});
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(changed->precincts.size(), 1u);
  EXPECT_EQ(changed->by_candidate[0].first_unexplained, -1);
  EXPECT_EQ(changed->by_candidate[1].first_unexplained, 0);

  after.reports.push_back(after.reports[0]);
  after.reports[1].source = SourceRef{"after.csv", 7};
  auto twice = CompareReleases(before, after, {});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "the current release names X / 1 twice (after.csv:7)");
}

// `canvass simulate` elections carry no column error and no keyed-twice form: every flag on them
// is a false positive (the count over ten elections of 17,650 precincts is in docs/audit.md).
TEST(AnomalySynthetic, NoFlagsOnACleanElection) {
  auto rules = LoadRuleset("iowa-dem-2020");
  ASSERT_TRUE(rules.ok());
  for (int64_t precincts : {1765, 17650}) {
    simulate::Options o;
    o.precincts = precincts;
    o.candidates = 8;
    o.seed = 2020;
    // No precinct built to tie: three equal groups placed at random among the candidates are a
    // construction of the generator, not a count, and can read as shifted (docs/audit.md gives
    // the count of those flags with the generator's default share of ties).
    o.ties_ppm = 0;
    auto sim = simulate::Simulate(*rules, o);
    ASSERT_TRUE(sim.ok()) << sim.status().ToString();
    const Election& e = sim->election;
    const AnomalySettings s;
    // At Iowa's size no two precincts agree; at ten times it, two small ones can by chance
    // (seed 2020: a pair of 14 attendees, one group after realignment), never a large one.
    for (const DuplicateGroup& g : FindDuplicates(e, s)) {
      EXPECT_GT(precincts, 1765);
      EXPECT_LE(g.attendance, 20);
    }
    const std::vector<ShiftScore> scores = ScoreColumnShifts(e, s);
    EXPECT_TRUE(ShiftFlags(e, scores, s).empty()) << precincts;
    // The same election shifted in one precinct is caught there and nowhere else.
    Election shifted = e;
    size_t big = e.reports.size();
    for (size_t i = 0; i < e.reports.size(); ++i) {
      Count t = 0;
      for (const CandidateReport& f : e.reports[i].figures) t += f.first.value_or(0);
      if (t > 150) {
        big = i;
        break;
      }
    }
    ASSERT_LT(big, e.reports.size());
    // The second candidate's figures on entered one column to the right, towards the long tail.
    EnterShifted(shifted.reports[big], 1, +1);
    const std::vector<AnomalyFlag> flags = ShiftFlags(shifted, ScoreColumnShifts(shifted, s), s);
    ASSERT_EQ(flags.size(), 1u) << precincts;
    EXPECT_EQ(flags[0].precinct, e.reports[big].precinct);
  }
}

}  // namespace
}  // namespace canvass
