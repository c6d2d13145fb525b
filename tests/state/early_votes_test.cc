// early-votes-loaded (state/early_votes.h): a Nevada precinct's ranked cards on the ledger, kept
// with their void reasons and hash, refused when they cannot count, and counted by the rules in
// every report of their precinct (T = in person + valid cards).
#include "state/early_votes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "core/sha256.h"
#include "io/early_cards.h"
#include "ledger/chain.h"
#include "ledger/event.h"
#include "rules/ruleset.h"
#include "state/election_state.h"

namespace canvass {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string RulesetText(const std::string& name) {
  std::ifstream in(std::string(CANVASS_RULES_DIR) + "/" + name + ".toml");
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A ledger in memory: each event offered to Apply as the intake offers it.
class Ledger {
 public:
  // Candidates A, B, C; precinct 1 elects 3 delegates, precinct 2 elects 4.
  explicit Ledger(const std::string& ruleset) {
    const std::string text = RulesetText(ruleset);
    auto parsed = ParseRuleset(text, ruleset);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    json precincts = json::array(
        {{{"county", "Clark"}, {"precinct", "1001"}, {"satellite", false}, {"delegates", 3}},
         {{"county", "Washoe"}, {"precinct", "2002"}, {"satellite", false}, {"delegates", 4}}});
    auto refusal =
        Offer(Actor{"admin", "cli"}, "election-created",
              {{"name", "test"},
               {"ruleset", {{"name", parsed->name}, {"hash", parsed->hash}, {"toml", text}}},
               {"candidates", {"A", "B", "C"}},
               {"precincts", precincts},
               {"county_district", json::object()}});
    EXPECT_FALSE(refusal.has_value()) << refusal->message;
  }

  std::optional<Rejection> Offer(const Actor& actor, const std::string& type, json payload) {
    Event e;
    e.seq = state.seq() + 1;
    e.time = "2020-02-22T12:00:00.000Z";
    e.actor = actor;
    e.channel = actor.id == "cli" ? "cli" : "web";
    e.type = type;
    e.payload = std::move(payload);
    e.prev = state.seq() == 0 ? std::string(kGenesisPrev) : state.head_hash();
    auto stored = EncodeEvent(e);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    const int64_t before = state.seq();
    auto refusal = state.Apply(e, *stored);
    if (refusal) {
      EXPECT_EQ(state.seq(), before) << "a refused event moved the ledger";
    }
    return refusal;
  }
  std::optional<Rejection> Admin(const std::string& type, json payload) {
    return Offer(Actor{"admin", "cli"}, type, std::move(payload));
  }

  ElectionState state;
};

EarlyVoteRules NevadaCards() {
  EarlyVoteRules r;
  r.enabled = true;
  return r;
}

// Precinct 1's cards: three valid, three void (too few, a repeat, an unknown name).
std::vector<EarlyVoteCardRecord> Cards() {
  return {{"EV6", {"Z", "A", "B"}, ""}, {"EV1", {"B", "C", "A"}, ""}, {"EV2", {"B", "A", "C"}, ""},
          {"EV3", {"C", "A", "B"}, ""}, {"EV4", {"B", "A"}, ""},      {"EV5", {"B", "B", "A"}, ""}};
}

json Payload(int64_t precinct, std::vector<EarlyVoteCardRecord> cards) {
  auto set = JudgeEarlyVotes(NevadaCards(), {"A", "B", "C"}, std::move(cards));
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return EarlyVotesPayload(precinct, *set);
}

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
  Ledger l("nevada-dem-2020");
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, Cards())).has_value());
  const PrecinctRecord* r = l.state.precinct(1);
  ASSERT_NE(r->early_votes, nullptr);
  EXPECT_EQ(r->early_votes->cards.size(), 6u);
  EXPECT_EQ(r->early_votes->void_count(), 3u);
  EXPECT_EQ(r->early_votes->seq, 2);
  EXPECT_EQ(l.state.precinct(2)->early_votes, nullptr);
  const json shown = PrecinctJson(l.state, 1, false)["early_votes"];
  EXPECT_EQ(shown["cards"], 6);
  EXPECT_EQ(shown["void"], 3);
  EXPECT_EQ(shown["valid"], 3);
  EXPECT_EQ(shown["hash"], r->early_votes->hash);
  EXPECT_EQ(shown["seq"], 2);
  EXPECT_EQ(shown["first_choices"], (json{{"B", 2}, {"C", 1}}));
  EXPECT_EQ(shown["void_cards"], json::parse(R"([{"id": "EV4", "choices": ["B", "A"],
                              "reason": "2 choice(s), fewer than the 3 required"},
                             {"id": "EV5", "choices": ["B", "B", "A"], "reason": "B is ranked twice"},
                             {"id": "EV6", "choices": ["Z", "A", "B"],
                              "reason": "\"Z\" is not a candidate in this election"}])"));
  EXPECT_TRUE(shown["worksheet"].is_null()) << "nothing reported: no worksheet yet";
  EXPECT_FALSE(PrecinctJson(l.state, 2, false).contains("early_votes"));

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
  // The JSON shows the early part beside the people in the room at each alignment.
  const json ws = PrecinctJson(l.state, 1, false)["early_votes"]["worksheet"];
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
  Ledger l("nevada-dem-2020");
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
  Ledger l("nevada-dem-2020");
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
  Ledger l("nevada-dem-2020");
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, Cards())).has_value());
  auto again = l.Admin("early-votes-loaded", Payload(1, Cards()));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->code, "early-votes-unchanged");
  EXPECT_EQ(l.state.seq(), 2);
}

TEST(EarlyVotes, ADifferentSetReplacesBeforeTheReportAndIsRefusedAfter) {
  Ledger l("nevada-dem-2020");
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
  Ledger l("nevada-dem-2020");
  ASSERT_FALSE(l.Admin("early-votes-loaded", Payload(1, Cards())).has_value());
  auto practice = l.state.PracticeRecord(
      1, {{"first", {{"A", 12}, {"B", 1}}}, {"final", {{"A", 12}, {"B", 1}}}});
  auto* r = std::get_if<PrecinctRecord>(&practice);
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->check->computed.has_value());
  EXPECT_EQ(r->check->computed->attendance, 16);
  EXPECT_EQ(r->check->computed->delegates, (std::vector<Count>{2, 1, 0}));
  const json ws = PrecinctRecordJson(l.state, 1, *r, false)["early_votes"]["worksheet"];
  EXPECT_EQ(ws["attendance"], 16);
  EXPECT_EQ(ws["moves"], json::parse(R"([{"from": "C", "to": "A", "cards": 1}])"));
  // Nothing about the precinct changed.
  EXPECT_FALSE(l.state.precinct(1)->first.has_value());
}

TEST(EarlyVotes, RefusedWhenTheyCannotCount) {
  Ledger iowa("iowa-dem-2020");
  auto no_early = iowa.Admin("early-votes-loaded", Payload(1, Cards()));
  ASSERT_TRUE(no_early.has_value());
  EXPECT_EQ(no_early->code, "no-early-vote");

  Ledger l("nevada-dem-2020");
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
