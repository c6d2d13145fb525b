// A precinct as the API shows it (api/precinct_json.h), rendered from the facts the state keeps:
// a Nevada precinct's early-vote cards and the worksheet that counts them beside the people in
// the room, for the precinct as it stands, a preview and a practice report.
#include "api/precinct_json.h"

#include <gtest/gtest.h>

#include <variant>

#include <nlohmann/json.hpp>

#include "state/early_votes_fixture.h"

namespace canvass {
namespace {

using nlohmann::json;
using testing_ledger::AbcElection;
using testing_ledger::Cards;
using testing_ledger::Payload;

TEST(PrecinctJson, ShowsTheCardsThenTheWorksheetThatCountsThem) {
  AbcElection l("nevada-dem-2020");
  l.Accept(AbcElection::Admin(), "early-votes-loaded", Payload(1, Cards()));
  const json shown = PrecinctJson(l.state, 1, false)["early_votes"];
  EXPECT_EQ(shown["cards"], 6);
  EXPECT_EQ(shown["void"], 3);
  EXPECT_EQ(shown["valid"], 3);
  EXPECT_EQ(shown["hash"], l.state.precinct(1)->early_votes->hash);
  EXPECT_EQ(shown["seq"], 2);
  EXPECT_EQ(shown["first_choices"], (json{{"B", 2}, {"C", 1}}));
  EXPECT_EQ(shown["void_cards"], json::parse(R"([{"id": "EV4", "choices": ["B", "A"],
                              "reason": "2 choice(s), fewer than the 3 required"},
                             {"id": "EV5", "choices": ["B", "B", "A"], "reason": "B is ranked twice"},
                             {"id": "EV6", "choices": ["Z", "A", "B"],
                              "reason": "\"Z\" is not a candidate in this election"}])"));
  EXPECT_TRUE(shown["worksheet"].is_null()) << "nothing reported: no worksheet yet";
  EXPECT_FALSE(PrecinctJson(l.state, 2, false).contains("early_votes"));

  // In person A 12, B 1; with the cards (B, B, C first) T = 16, threshold 3: B viable, C not,
  // and the C card moves to A (tests/state/early_votes_test.cc has the allocation).
  l.Accept(AbcElection::Admin(), "first-alignment-reported",
           {{"precinct", 1}, {"first", {{"A", 12}, {"B", 1}}}});
  l.Accept(AbcElection::Admin(), "final-alignment-reported",
           {{"precinct", 1}, {"final", {{"A", 12}, {"B", 1}}}});
  const json precinct = PrecinctJson(l.state, 1, true);
  EXPECT_EQ(precinct["status"], "final-reported");
  EXPECT_EQ(precinct["events"], (json{2, 3, 4}));
  EXPECT_EQ(precinct["computed"]["delegates"], (json{{"A", 2}, {"B", 1}}));
  const json& ws = precinct["early_votes"]["worksheet"];
  EXPECT_EQ(ws["attendance"], 16);
  EXPECT_EQ(ws["in_person"], 13);
  EXPECT_EQ(ws["early"], 3);
  EXPECT_EQ(ws["threshold"], "1/6");
  EXPECT_EQ(ws["threshold_head_count"], 3);
  EXPECT_EQ(ws["viable"], (json{"A", "B"}));
  EXPECT_EQ(ws["first"], json::parse(R"([
      {"candidate": "A", "in_person": 12, "early": 0, "total": 12, "viable": true},
      {"candidate": "B", "in_person": 1, "early": 2, "total": 3, "viable": true},
      {"candidate": "C", "in_person": 0, "early": 1, "total": 1, "viable": false}])"));
  EXPECT_EQ(ws["moves"], json::parse(R"([{"from": "C", "to": "A", "cards": 1}])"));
  EXPECT_EQ(ws["no_viable_choice"], json::parse(R"({"cards": 0, "by_first_choice": {}})"));
  EXPECT_EQ(ws["final"], json::parse(R"([
      {"candidate": "A", "in_person": 12, "early": 1, "total": 13, "viable": true},
      {"candidate": "B", "in_person": 1, "early": 2, "total": 3, "viable": true},
      {"candidate": "C", "in_person": 0, "early": 0, "total": 0, "viable": false}])"));
}

// A preview is the record the figures would make, shown with the precinct's status as it stands;
// nothing is recorded.
TEST(PrecinctJson, APreviewShowsTheFiguresWithTheStatusAsItStands) {
  AbcElection l("nevada-dem-2020");
  l.Accept(AbcElection::Admin(), "early-votes-loaded", Payload(1, Cards()));
  l.Accept(AbcElection::Admin(), "first-alignment-reported",
           {{"precinct", 1}, {"first", {{"A", 12}, {"B", 1}}}});
  auto preview = l.state.Preview(1, {{"final", {{"A", 12}, {"B", 1}}}});
  ASSERT_TRUE(std::holds_alternative<PrecinctRecord>(preview));
  const json shown = PrecinctRecordJson(l.state, 1, std::get<PrecinctRecord>(preview), false);
  EXPECT_EQ(shown["status"], "first-reported") << "the preview is not a report";
  EXPECT_EQ(shown["reported"]["final"], (json{{"A", 12}, {"B", 1}}));
  EXPECT_EQ(shown["computed"]["delegates"], (json{{"A", 2}, {"B", 1}}));
  EXPECT_EQ(shown["early_votes"]["worksheet"]["attendance"], 16);
  EXPECT_FALSE(l.state.precinct(1)->final.has_value());
  EXPECT_FALSE(PrecinctJson(l.state, 1, false)["reported"].contains("final"));

  // Figures the rules refuse are refused by the preview as by a report.
  auto refused = l.state.Preview(1, {{"final", {{"A", 400}}}});
  ASSERT_TRUE(std::holds_alternative<Rejection>(refused));
  EXPECT_EQ(std::get<Rejection>(refused).code, "final-exceeds-attendance");
}

// A practice report is checked on a blank worksheet with the precinct's cards: the practice
// answer shows the early part as the night's would.
TEST(PrecinctJson, APracticeWorksheetCountsTheCards) {
  AbcElection l("nevada-dem-2020");
  l.Accept(AbcElection::Admin(), "early-votes-loaded", Payload(1, Cards()));
  auto practice = l.state.PracticeRecord(
      1, {{"first", {{"A", 12}, {"B", 1}}}, {"final", {{"A", 12}, {"B", 1}}}});
  ASSERT_TRUE(std::holds_alternative<PrecinctRecord>(practice));
  const json ws = PrecinctRecordJson(l.state, 1, std::get<PrecinctRecord>(practice),
                                     false)["early_votes"]["worksheet"];
  EXPECT_EQ(ws["attendance"], 16);
  EXPECT_EQ(ws["moves"], json::parse(R"([{"from": "C", "to": "A", "cards": 1}])"));
}

}  // namespace
}  // namespace canvass
