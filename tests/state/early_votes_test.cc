// early-votes-loaded (state/early_votes.h): a Nevada precinct's ranked cards on the ledger, kept
// with their void reasons and hash, refused when they cannot count, and counted by the rules in
// every report of their precinct (T = in person + valid cards).
#include "state/early_votes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/sha256.h"
#include "io/early_cards.h"
#include "rules/ruleset.h"
#include "state/early_votes_fixture.h"
#include "state/election_state.h"

namespace canvass {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing_ledger::AbcElection;
using testing_ledger::Cards;
using testing_ledger::NevadaCards;
using testing_ledger::Payload;

TEST(EarlyVotes, JudgedSortedHashedAndVoidKeptWithReasons) {
  auto set = JudgeEarlyVotes(NevadaCards(), {"A", "B", "C"}, Cards());
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->cards.size(), 6u);
  EXPECT_EQ(set->cards[0].id, "EV1");
  EXPECT_EQ(set->valid.size(), 3u);
  EXPECT_EQ(set->void_count(), 3u);
  EXPECT_EQ(set->cards[3].void_reason, "2 choice(s), fewer than the 3 required");
  EXPECT_EQ(set->cards[4].void_reason, "B is ranked twice");
  EXPECT_EQ(set->cards[5].void_reason, "\"Z\" is not a candidate in this election");
  // The hash is of the canonical list, whatever order the cards came in.
  EXPECT_EQ(set->hash, Sha256Hex("EV1\tB\tC\tA\nEV2\tB\tA\tC\nEV3\tC\tA\tB\nEV4\tB\tA\n"
                                 "EV5\tB\tB\tA\nEV6\tZ\tA\tB\n"));
  auto twice = JudgeEarlyVotes(NevadaCards(), {"A", "B", "C"},
                               {{"EV1", {"A", "B", "C"}, ""}, {"EV1", {"B", "A", "C"}, ""}});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr("\"EV1\" is given twice"));
}

TEST(EarlyVotes, LoadedThenCountedInTheReport) {
  AbcElection l("nevada-dem-2020");
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, Cards())).has_value());
  const PrecinctRecord* r = l.state.precinct(1);
  ASSERT_NE(r->early_votes, nullptr);
  EXPECT_EQ(r->early_votes->cards.size(), 6u);
  EXPECT_EQ(r->early_votes->void_count(), 3u);
  EXPECT_EQ(r->early_votes->seq, 2);
  EXPECT_EQ(l.state.precinct(2)->early_votes, nullptr);
  // How the API shows the cards and the worksheet beside them: tests/api/precinct_json_test.cc.

  // In person A 12, B 1. With the three valid cards (B, B, C first) T = 16 and the threshold
  // (1/6 for 3 delegates) is 3: B (1 + 2 cards) is viable, C (its card) is not, and the C card
  // moves to its next viable choice, A. Final: A 12 + 1, B 1 + 2: 2.4375 -> 2 and 0.5625 -> 1.
  ASSERT_FALSE(
      l.Admin("first-alignment-reported", {{"precinct", 1}, {"first", {{"A", 12}, {"B", 1}}}})
          .has_value());
  ASSERT_FALSE(
      l.Admin("final-alignment-reported", {{"precinct", 1}, {"final", {{"A", 12}, {"B", 1}}}})
          .has_value());
  r = l.state.precinct(1);
  ASSERT_TRUE(r->check->computed.has_value());
  const Allocation& a = *r->check->computed;
  EXPECT_EQ(a.attendance, 16);
  EXPECT_EQ(a.threshold_head_count, 3);
  EXPECT_EQ(a.delegates, (std::vector<Count>{2, 1, 0}));
  EXPECT_TRUE(r->check->findings.empty() ||
              std::none_of(r->check->findings.begin(), r->check->findings.end(),
                           [](const Finding& f) { return f.severity == Severity::kError; }));
  // The same figures without cards (precinct 2 has none, but elects 4): A 12 and B 1 alone, B
  // is not viable and A takes every delegate: the cards are what made B viable above.
  ASSERT_FALSE(
      l.Admin("first-alignment-reported", {{"precinct", 2}, {"first", {{"A", 12}, {"B", 1}}}})
          .has_value());
  ASSERT_FALSE(
      l.Admin("final-alignment-reported", {{"precinct", 2}, {"final", {{"A", 12}, {"B", 1}}}})
          .has_value());
  ASSERT_TRUE(l.state.precinct(2)->check->computed.has_value());
  EXPECT_EQ(l.state.precinct(2)->check->computed->attendance, 13);
  EXPECT_EQ(l.state.precinct(2)->check->computed->delegates, (std::vector<Count>{4, 0, 0}));
}

// tests/cases/nevada-cards.case "nv-card-moves-to-highest-viable" (what `canvass allocate --card`
// gives), through the ledger: precinct 2 elects 4; C (1 in person + its card, T = 19, threshold
// 3) is not viable, and the card moves to B: final A 10, B 8 + 1, delegates 2, 2.
TEST(EarlyVotes, TheEnginesCardCaseThroughTheLedger) {
  AbcElection l("nevada-dem-2020");
  ASSERT_FALSE(
      l.Admin("early-votes-loaded", Payload(2, {{"W1", {"C", "B", "A"}, ""}})).has_value());
  ASSERT_FALSE(l.Admin("first-alignment-reported",
                       {{"precinct", 2}, {"first", {{"A", 10}, {"B", 7}, {"C", 1}}}})
                   .has_value());
  const std::optional<Allocation> preview = l.state.Worksheet(2, *l.state.precinct(2));
  ASSERT_TRUE(preview.has_value());
  EXPECT_EQ(preview->attendance, 19);  // the chair's worksheet counts it
  ASSERT_FALSE(
      l.Admin("final-alignment-reported", {{"precinct", 2}, {"final", {{"A", 10}, {"B", 8}}}})
          .has_value());
  const Allocation& kept = *l.state.precinct(2)->check->computed;
  EXPECT_EQ(kept.attendance, 19);
  EXPECT_EQ(kept.delegates, (std::vector<Count>{2, 2, 0}));
  // The record keeps the results, not the worksheet; Worksheet() rebuilds it with its notes.
  EXPECT_TRUE(kept.notes.empty());
  EXPECT_TRUE(kept.lines.empty());
  const std::optional<Allocation> a = l.state.Worksheet(2, *l.state.precinct(2));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->delegates, kept.delegates);
  EXPECT_FALSE(a->lines.empty());
  EXPECT_TRUE(std::any_of(a->notes.begin(), a->notes.end(), [](const std::string& n) {
    return n.find("1 early-vote card(s) moved") != std::string::npos;
  }));
}

TEST(EarlyVotes, ReportedDelegatesAreCheckedAgainstTheCards) {
  AbcElection l("nevada-dem-2020");
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, Cards())).has_value());
  ASSERT_FALSE(
      l.Admin("first-alignment-reported", {{"precinct", 1}, {"first", {{"A", 12}, {"B", 1}}}})
          .has_value());
  // Delegates as if the cards did not count (A 3) contradict the rules: B is viable with them.
  ASSERT_FALSE(
      l.Admin("final-alignment-reported",
              {{"precinct", 1}, {"final", {{"A", 12}, {"B", 1}}}, {"delegates", {{"A", 3}}}})
          .has_value());
  const PrecinctCheck& c = *l.state.precinct(1)->check;
  EXPECT_TRUE(std::any_of(c.findings.begin(), c.findings.end(),
                          [](const Finding& f) { return f.severity == Severity::kError; }));
}

TEST(EarlyVotes, SameCardsAgainChangeNothing) {
  AbcElection l("nevada-dem-2020");
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, Cards())).has_value());
  auto again = l.Admin("early-votes-loaded", Payload(1, Cards()));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->code, "early-votes-unchanged");
  EXPECT_EQ(l.state.seq(), 2);
}

TEST(EarlyVotes, ADifferentSetReplacesBeforeTheReportAndIsRefusedAfter) {
  AbcElection l("nevada-dem-2020");
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, Cards())).has_value());
  std::vector<EarlyVoteCardRecord> fewer = {{"EV1", {"B", "C", "A"}, ""}};
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, fewer)).has_value());
  EXPECT_EQ(l.state.precinct(1)->early_votes->cards.size(), 1u);
  ASSERT_FALSE(
      l.Admin("first-alignment-reported", {{"precinct", 1}, {"first", {{"A", 12}, {"B", 1}}}})
          .has_value());
  auto after = l.Admin("early-votes-loaded", Payload(1, Cards()));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->code, "cards-after-report");
  EXPECT_EQ(after->kind, Rejection::Kind::kConflict);
  EXPECT_EQ(l.state.precinct(1)->early_votes->cards.size(), 1u);
  // The same set as recorded is still "unchanged", not a refusal for the report.
  auto same = l.Admin("early-votes-loaded", Payload(1, fewer));
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->code, "early-votes-unchanged");
}

// A practice report is checked on a blank worksheet, but with the precinct's cards: T counts them
// as the night's report would, and the practice answer shows the early part.
TEST(EarlyVotes, APracticeReportCountsTheCards) {
  AbcElection l("nevada-dem-2020");
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, Cards())).has_value());
  auto practice = l.state.PracticeRecord(
      1, {{"first", {{"A", 12}, {"B", 1}}}, {"final", {{"A", 12}, {"B", 1}}}});
  auto* r = std::get_if<PrecinctRecord>(&practice);
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->check->computed.has_value());
  EXPECT_EQ(r->check->computed->attendance, 16);
  EXPECT_EQ(r->check->computed->delegates, (std::vector<Count>{2, 1, 0}));
  // Nothing about the precinct changed.
  EXPECT_FALSE(l.state.precinct(1)->first.has_value());
}

TEST(EarlyVotes, RefusedWhenTheyCannotCount) {
  AbcElection iowa("iowa-dem-2020");
  auto no_early = iowa.Admin("early-votes-loaded", Payload(1, Cards()));
  ASSERT_TRUE(no_early.has_value());
  EXPECT_EQ(no_early->code, "no-early-vote");

  AbcElection l("nevada-dem-2020");
  auto chair = l.Offer(Actor{"chair", "CH01"}, "early-votes-loaded", Payload(1, Cards()));
  ASSERT_TRUE(chair.has_value());
  EXPECT_EQ(chair->kind, Rejection::Kind::kForbidden);

  auto unknown = l.Admin("early-votes-loaded", Payload(3, Cards()));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->code, "unknown-precinct");

  json wrong_hash = Payload(1, Cards());
  wrong_hash["hash"] = std::string(64, '0');
  auto hash = l.Admin("early-votes-loaded", wrong_hash);
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->code, "early-votes-hash-mismatch");

  json hidden_void = Payload(1, Cards());
  for (json& c : hidden_void["cards"]) c.erase("void");  // a void card passed off as valid
  auto reason = l.Admin("early-votes-loaded", hidden_void);
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->code, "void-reason-mismatch");
  EXPECT_THAT(reason->message, HasSubstr("EV4"));

  json tab = Payload(1, {{"EV1", {"A\tB", "C", "A"}, ""}});
  auto control = l.Admin("early-votes-loaded", tab);
  ASSERT_TRUE(control.has_value());
  EXPECT_EQ(control->code, "malformed-cards");

  auto empty =
      l.Admin("early-votes-loaded", {{"precinct", 1}, {"cards", json::array()}, {"hash", ""}});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->code, "malformed-cards");
  EXPECT_EQ(l.state.seq(), 1);
}

}  // namespace
}  // namespace canvass
