// The reconciliation of a Nevada night: early-vote cards loaded before the reports, the chair
// reporting the people in the room, the release's computed delegates the rules' with the cards.
// Each precinct's cards on the ledger must be the cards file's (by the hash of its canonical
// list), and the release's computed delegates what the rules give; every doctored expectation
// fails on its own counter.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_fixture.h"
#include "intake/intake.h"
#include "intake/setup.h"
#include "io/early_cards.h"
#include "ledger/chain.h"
#include "publish/release.h"
#include "rehearse/reconcile.h"
#include "state/early_votes.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace canvass::rehearse {
namespace {

using nlohmann::json;

// Carson City 109 (D = 10), 411 and Churchill 6 (D = 4) of data/nevada-2020.
Result<ElectionSetup> NevadaSlice() {
  const std::string dir = std::string(CANVASS_DATA_DIR) + "/nevada-2020";
  auto table = LoadApportionmentFile(dir + "/precinct-delegate-apportionment.csv");
  if (!table.ok()) return table.status();
  auto path = RulesetPath("nevada-dem-2020");
  if (!path.ok()) return path.status();
  auto toml = ReadFile(*path);
  if (!toml.ok()) return toml.status();
  ElectionSetup s;
  s.name = "Nevada (reconciliation slice)";
  s.ruleset_toml = *toml;
  s.candidates = {"Biden", "Buttigieg", "Sanders", "Steyer", "Warren"};
  for (const auto& [county, precinct] : std::vector<std::pair<std::string, std::string>>{
           {"Carson City", "109"}, {"Carson City", "411"}, {"Churchill", "6"}}) {
    for (const PrecinctApportionment& ap : *table) {
      if (ap.county == county && ap.precinct == precinct) s.precincts.push_back(ap);
    }
  }
  if (s.precincts.size() != 3) return Status::NotFound("the Nevada slice's precincts");
  s.operators = 2;
  s.cost = KdfCost::Test();
  return s;
}

// The memo's Principle 3 Example B: five Steyer-first cards, and one void card (too few).
std::vector<EarlyVoteCardRecord> Carson109Cards() {
  std::vector<EarlyVoteCardRecord> cards;
  for (int k = 1; k <= 5; ++k) {
    cards.push_back({"EV-10" + std::to_string(k), {"Steyer", "Sanders", "Biden"}, ""});
  }
  cards.push_back({"EV-201", {"Biden", "Warren"}, ""});
  return cards;
}
std::vector<EarlyVoteCardRecord> Carson411Cards() {
  return {{"EV-1", {"Warren", "Biden", "Sanders"}, ""},
          {"EV-2", {"Biden", "Warren", "Steyer", "Sanders"}, ""}};
}

std::string HashOf(const std::vector<EarlyVoteCardRecord>& cards) {
  std::vector<EarlyCardText> text;
  for (const EarlyVoteCardRecord& c : cards) text.push_back({c.id, c.choices});
  return EarlyCardsHash(std::move(text));
}

std::string ProblemsOf(const Reconciliation& r) { return r.ToJson().dump(2); }

class ReconcileEarlyVotesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    location_ = "sqlite:" + dir_.path() + "/ledger.db";
    auto setup = NevadaSlice();
    ASSERT_TRUE(setup.ok()) << setup.status().ToString();
    auto intake = Intake::Open(location_);
    ASSERT_TRUE(intake.ok()) << intake.status().ToString();
    intake_ = std::move(intake).value();
    auto codes = CreateElection(*intake_, *setup);
    ASSERT_TRUE(codes.ok()) << codes.status().ToString();
    Actor chair;
    for (const IssuedCode& c : *codes) {
      if (c.role == "chair" && c.subject == "1") chair = Actor{"chair", c.credential};
    }
    auto rules = ParseRuleset(setup->ruleset_toml, "nevada-dem-2020");
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    // The cards first, as `canvass init --early-votes` loads them.
    for (auto [id, cards] :
         {std::pair{int64_t{1}, Carson109Cards()}, std::pair{int64_t{2}, Carson411Cards()}}) {
      auto set = JudgeEarlyVotes(rules->precinct.early_vote, setup->candidates, cards);
      ASSERT_TRUE(set.ok()) << set.status().ToString();
      Outcome o = intake_->SubmitAndWait(Submission{"early-votes-loaded", Actor{"admin", "cli"},
                                                    "cli", EarlyVotesPayload(id, *set)});
      ASSERT_EQ(o.kind, Outcome::Kind::kAccepted) << OutcomeMessage(o);
    }
    // Carson City 109 in the room: Biden 23, Sanders 22, Buttigieg 25 (T = 75 with the five
    // valid cards); the Steyer cards move to Sanders, Buttigieg's people leave: 5 and 5.
    const json first = {{"Biden", 23}, {"Buttigieg", 25}, {"Sanders", 22}};
    const json final = {{"Biden", 23}, {"Sanders", 22}};
    const json delegates = {{"Biden", 5}, {"Sanders", 5}};
    Send("first-alignment-reported", chair,
         {{"precinct", 1}, {"submission", "carson-first"}, {"first", first}});
    Send("final-alignment-reported", chair,
         {{"precinct", 1},
          {"submission", "carson-final"},
          {"final", final},
          {"delegates", delegates}});

    auto rel = intake_->Read([](const ElectionState& s) { return BuildRelease(s); });
    ASSERT_TRUE(rel.ok()) << rel.status().ToString();
    input_.release_json = rel->json.bytes;
    input_.release_records = rel->records.bytes;
    auto store = OpenStore(location_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::ostringstream ledger;
    ASSERT_TRUE(ExportJsonLines(**store, ledger).ok());
    input_.ledger_jsonl = ledger.str();
    input_.check_early_votes = true;

    const char* names[][2] = {{"Carson City", "109"}, {"Carson City", "411"}, {"Churchill", "6"}};
    for (int64_t id = 1; id <= 3; ++id) {
      ExpectedPrecinct e;
      e.id = id;
      e.county = names[id - 1][0];
      e.precinct = names[id - 1][1];
      input_.expected.push_back(std::move(e));
    }
    ExpectedPrecinct& carson = input_.expected[0];
    carson.first = first;
    carson.final = final;
    carson.delegates = delegates;
    carson.computed_delegates = delegates;
    carson.revision = 1;
    carson.early_votes_hash = HashOf(Carson109Cards());
    carson.early_votes_cards = 6;
    input_.expected[1].early_votes_hash = HashOf(Carson411Cards());
    input_.expected[1].early_votes_cards = 2;
  }

  void Send(const std::string& type, const Actor& actor, json payload) {
    const std::string submission = payload.at("submission").get<std::string>();
    Outcome o = intake_->SubmitAndWait(Submission{type, actor, "web", std::move(payload)});
    ASSERT_EQ(o.kind, Outcome::Kind::kAccepted) << type << ": " << OutcomeMessage(o);
    input_.acks.push_back(Acknowledged{submission, o.answer.event, o.answer.seq});
  }

  testing_store::TempDir dir_;
  std::string location_;
  std::unique_ptr<Intake> intake_;
  ReconcileInput input_;
};

TEST_F(ReconcileEarlyVotesTest, TheCardsAndTheRulesFiguresReconcile) {
  const Reconciliation r = Reconcile(input_);
  EXPECT_TRUE(r.ok) << ProblemsOf(r);
  EXPECT_EQ(r.matched, 3);
  EXPECT_EQ(r.computed_checked, 1);
  EXPECT_EQ(r.early_votes_precincts, 2);
  EXPECT_EQ(r.early_votes_cards, 8);
  EXPECT_EQ(r.early_votes_differing, 0);
  const json j = r.ToJson();
  for (const char* key : {"computed_checked", "early_votes_precincts", "early_votes_cards",
                          "early_votes_differing"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  // Not asked, the cards are not looked at.
  input_.check_early_votes = false;
  input_.expected[1].early_votes_hash = "0";
  const Reconciliation unchecked = Reconcile(input_);
  EXPECT_TRUE(unchecked.ok) << ProblemsOf(unchecked);
  EXPECT_EQ(unchecked.early_votes_precincts, 0);
}

TEST_F(ReconcileEarlyVotesTest, OtherCardsThanTheFileFail) {
  // Another set for Carson City 411 (one card fewer).
  auto fewer = Carson411Cards();
  fewer.pop_back();
  input_.expected[1].early_votes_hash = HashOf(fewer);
  input_.expected[1].early_votes_cards = 1;
  Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.early_votes_differing, 1) << ProblemsOf(r);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].find("Carson City / 411): cards: the ledger holds 2 cards"),
            std::string::npos)
      << ProblemsOf(r);
}

TEST_F(ReconcileEarlyVotesTest, CardsMissingOrUnexpectedFail) {
  input_.expected[2].early_votes_hash = HashOf(Carson411Cards());  // Churchill 6 has none
  input_.expected[2].early_votes_cards = 2;
  input_.expected[0].early_votes_hash.clear();  // Carson City 109 has six
  Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.early_votes_differing, 2) << ProblemsOf(r);
  EXPECT_EQ(r.early_votes_precincts, 1);
  // A precinct the rehearsal does not know holds cards.
  input_.expected.erase(input_.expected.begin() + 1);
  input_.expected[1].early_votes_hash.clear();
  r = Reconcile(input_);
  EXPECT_EQ(r.early_votes_differing, 2) << ProblemsOf(r);
}

TEST_F(ReconcileEarlyVotesTest, ReleaseDelegatesOtherThanTheRulesFail) {
  // What the rules would give without the cards: Sanders loses his realigned Steyer voters.
  input_.expected[0].computed_delegates = {{"Biden", 6}, {"Sanders", 4}};
  Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.differing, 1) << ProblemsOf(r);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].find("computed delegates (the rules, with the precinct's cards): "
                               "Biden expected 6, the release has 5"),
            std::string::npos)
      << ProblemsOf(r);
}

}  // namespace
}  // namespace canvass::rehearse
