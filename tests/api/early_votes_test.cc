// Nevada's early-vote cards through HTTP: the chair reports the people in the room, and the
// answer, the preview and the precinct's page show the cards beside them at each alignment (in
// person, early, total; T; viability; the cards that move at realignment and where; those with
// no viable choice; the void ones), for the chair, the hotline's double entry, a correction and
// a practice report. The figures are the Nevada memo's examples with some people voting early.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_fixture.h"
#include "state/early_votes.h"

namespace canvass::api_test {
namespace {

// Three precincts of data/nevada-2020's apportionment: Carson City 109 elects 10, Carson City
// 411 and Churchill 6 elect 4. The first two hold early-vote cards; Churchill 6 holds none.
inline constexpr int64_t kCarson109 = 1;
inline constexpr int64_t kCarson411 = 2;
inline constexpr int64_t kChurchill6 = 3;

Result<ElectionSetup> NevadaSlice() {
  const std::string dir = std::string(CANVASS_DATA_DIR) + "/nevada-2020";
  auto table = LoadApportionmentFile(dir + "/precinct-delegate-apportionment.csv");
  if (!table.ok()) return table.status();
  auto path = RulesetPath("nevada-dem-2020");
  if (!path.ok()) return path.status();
  auto toml = ReadFile(*path);
  if (!toml.ok()) return toml.status();
  ElectionSetup s;
  s.name = "Nevada Democratic caucuses, 22 February 2020 (test slice)";
  s.ruleset_toml = *toml;
  s.candidates = {"Biden",   "Buttigieg", "Gabbard", "Klobuchar",
                  "Sanders", "Steyer",    "Warren",  "Yang"};
  const std::vector<std::pair<std::string, std::string>> places = {
      {"Carson City", "109"}, {"Carson City", "411"}, {"Churchill", "6"}};
  for (const auto& [county, precinct] : places) {
    bool found = false;
    for (const PrecinctApportionment& ap : *table) {
      if (ap.county == county && ap.precinct == precinct) {
        s.precincts.push_back(ap);
        found = true;
        break;
      }
    }
    if (!found)
      return Status::NotFound("the Nevada apportionment has no " + county + " " + precinct);
  }
  s.operators = 4;
  s.cost = KdfCost::Test();
  return s;
}

template <typename Backend>
class EarlyVotesApiTest : public ApiFixture<Backend> {
 protected:
  Result<ElectionSetup> ElectionToCreate() const override { return NevadaSlice(); }

  void SetUp() override {
    ApiFixture<Backend>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    // Carson City 109, the memo's Principle 3 Example B: five early voters put Steyer first and
    // Sanders second; three cards are void (a repeat, too few choices, a name not on the ballot).
    std::vector<EarlyVoteCardRecord> p3b;
    for (int k = 1; k <= 5; ++k) {
      p3b.push_back({"EV-10" + std::to_string(k), {"Steyer", "Sanders", "Biden"}, ""});
    }
    p3b.push_back({"EV-201", {"Sanders", "Sanders", "Biden"}, ""});
    p3b.push_back({"EV-202", {"Biden", "Warren"}, ""});
    p3b.push_back({"EV-203", {"Bloomberg", "Biden", "Sanders"}, ""});
    ASSERT_NO_FATAL_FAILURE(Load(kCarson109, p3b));
    // Carson City 411, Principle 2 Example A: two early voters ranked only candidates nobody
    // else supports.
    ASSERT_NO_FATAL_FAILURE(Load(kCarson411, {{"EV-1", {"Steyer", "Gabbard", "Yang"}, ""},
                                              {"EV-2", {"Steyer", "Yang", "Gabbard"}, ""}}));
  }

  // What `canvass early-votes load` appends for one precinct.
  void Load(int64_t precinct, std::vector<EarlyVoteCardRecord> cards) {
    auto set = JudgeEarlyVotes(NevadaRules().precinct.early_vote, NevadaSlice()->candidates,
                               std::move(cards));
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    Outcome o = this->intake_->SubmitAndWait(Submission{"early-votes-loaded", Actor{"admin", "cli"},
                                                        "cli", EarlyVotesPayload(precinct, *set)});
    ASSERT_EQ(o.kind, Outcome::Kind::kAccepted)
        << (o.rejection ? o.rejection->message : o.unavailable);
  }

  static Ruleset NevadaRules() {
    auto setup = NevadaSlice();
    auto rules = ParseRuleset(setup->ruleset_toml, "nevada-dem-2020");
    EXPECT_TRUE(rules.ok()) << rules.status().ToString();
    return *rules;
  }
};
TYPED_TEST_SUITE(EarlyVotesApiTest, Backends, BackendNames);

// {"candidate", "in_person", "early", "total", "viable"} rows, as the API gives them.
json Row(const std::string& candidate, int64_t in_person, int64_t early, bool viable) {
  return {{"candidate", candidate},
          {"in_person", in_person},
          {"early", early},
          {"total", in_person + early},
          {"viable", viable}};
}

// Carson City 109 (D = 10): in person Biden 23, Sanders 22, Buttigieg 25 and the five Steyer
// cards: T = 75, 15% of 75 = 12 people. Steyer's five are not viable and move to Sanders; 25
// Buttigieg people leave. Final: Biden 23, Sanders 22 + 5 = 27: 5 and 5, as in the memo.
TYPED_TEST(EarlyVotesApiTest, AChairsReportShowsTheCardsThatMove) {
  const std::string chair = this->Chair(kCarson109);
  json p = this->Precinct(kCarson109);
  const json& ev = p["early_votes"];
  EXPECT_EQ(ev["cards"], 8);
  EXPECT_EQ(ev["valid"], 5);
  EXPECT_EQ(ev["void"], 3);
  EXPECT_EQ(ev["first_choices"], (json{{"Steyer", 5}}));
  ASSERT_EQ(ev["void_cards"].size(), 3u) << ev.dump();
  EXPECT_EQ(ev["void_cards"][0], (json{{"id", "EV-201"},
                                       {"choices", {"Sanders", "Sanders", "Biden"}},
                                       {"reason", "Sanders is ranked twice"}}));
  EXPECT_EQ(ev["void_cards"][1]["reason"], "2 choice(s), fewer than the 3 required");
  EXPECT_EQ(ev["void_cards"][2]["reason"], "\"Bloomberg\" is not a candidate in this election");
  EXPECT_TRUE(ev["worksheet"].is_null());
  EXPECT_FALSE(this->Precinct(kChurchill6).contains("early_votes"));

  const json first = {{"Biden", 23}, {"Sanders", 22}, {"Buttigieg", 25}};
  const json first_rows = json::array({Row("Biden", 23, 0, true), Row("Buttigieg", 25, 0, true),
                                       Row("Sanders", 22, 0, true), Row("Steyer", 0, 5, false)});
  const json moves = json::parse(R"([{"from": "Steyer", "to": "Sanders", "cards": 5}])");
  // The preview, as the chair types.
  Reply preview = this->Post(PrecinctPath(kCarson109, "preview"), {{"first", first}}, chair);
  ASSERT_EQ(preview.status, 200) << preview;
  const json& pw = preview.doc["early_votes"]["worksheet"];
  EXPECT_EQ(pw["attendance"], 75);
  EXPECT_EQ(pw["in_person"], 70);
  EXPECT_EQ(pw["early"], 5);
  EXPECT_EQ(pw["delegates"], 10);
  EXPECT_EQ(pw["threshold"], "3/20");
  EXPECT_EQ(pw["threshold_head_count"], 12);
  EXPECT_EQ(pw["viable"], (json{"Biden", "Buttigieg", "Sanders"}));
  EXPECT_EQ(pw["first"], first_rows);
  EXPECT_EQ(pw["moves"], moves);
  EXPECT_EQ(pw["no_viable_choice"]["cards"], 0);
  EXPECT_TRUE(pw["final"].is_null());
  // The same worksheet as the engine's: T and the threshold the page shows above it.
  EXPECT_EQ(preview.doc["viability"]["attendance"], 75);
  EXPECT_EQ(preview.doc["viability"]["threshold_head_count"], 12);

  // The report's answer carries it; the chair's figures stay in-person ones.
  Reply r = this->Post(PrecinctPath(kCarson109, "first"), {{"submission", "f1"}, {"first", first}},
                       chair);
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(r.doc["precinct"]["reported"]["first"], first);
  EXPECT_EQ(r.doc["precinct"]["early_votes"]["worksheet"], pw);

  const json final = {{"Biden", 23}, {"Sanders", 22}};
  r = this->Post(
      PrecinctPath(kCarson109, "final"),
      {{"submission", "f2"}, {"final", final}, {"delegates", {{"Biden", 5}, {"Sanders", 5}}}},
      chair);
  ASSERT_EQ(r.status, 201) << r;
  const json& done = r.doc["precinct"];
  EXPECT_EQ(done["status"], "final-reported");
  EXPECT_EQ(ComputedDelegates(done),
            (std::map<std::string, int64_t>{{"Biden", 5}, {"Sanders", 5}}));
  // Buttigieg's 25 left: a warning (legal only if they all left), no error.
  for (const json& f : done["findings"]) EXPECT_NE(f["severity"], "error") << f.dump();
  const json& fw = done["early_votes"]["worksheet"];
  EXPECT_EQ(fw["first"], first_rows);
  EXPECT_EQ(fw["moves"], moves);
  EXPECT_EQ(fw["final"], json::array({Row("Biden", 23, 0, true), Row("Buttigieg", 0, 0, false),
                                      Row("Sanders", 22, 5, true), Row("Steyer", 0, 0, false)}));
  // Each final total is the engine's final count for the group.
  for (const json& g : done["computed"]["groups"]) {
    for (const json& row : fw["final"]) {
      if (row["candidate"] == g["candidate"]) {
        EXPECT_EQ(row["total"], g["final"]) << g.dump();
      }
    }
  }
  EXPECT_EQ(this->Precinct(kCarson109)["early_votes"], done["early_votes"]);

  // A correction (Sanders had 21 in the room) shows the new in-person figure beside the same
  // five cards.
  r = this->Post(PrecinctPath(kCarson109, "corrections"),
                 {{"submission", "c1"},
                  {"reason", "one Sanders supporter left before the count"},
                  {"final", {{"Biden", 23}, {"Sanders", 21}}}},
                 chair);
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(r.doc["precinct"]["revision"], 2);
  EXPECT_EQ(r.doc["precinct"]["early_votes"]["worksheet"]["final"][2], Row("Sanders", 21, 5, true));
}

// A figure the rules refuse is refused with the cards counted as the rules count them, and
// nothing is written: the final alignment in the room cannot exceed the first.
TYPED_TEST(EarlyVotesApiTest, ARefusedFigureWritesNothing) {
  const std::string chair = this->Chair(kCarson109);
  const int64_t before = this->Seq();
  const json first = {{"Biden", 23}, {"Sanders", 22}, {"Buttigieg", 25}};
  Reply bad = this->Post(PrecinctPath(kCarson109, "preview"),
                         {{"first", first}, {"final", {{"Biden", 23}, {"Sanders", 48}}}}, chair);
  EXPECT_TRUE(IsError(bad, 422, "final-exceeds-attendance", "final")) << bad;
  ASSERT_EQ(
      this->Post(PrecinctPath(kCarson109, "first"), {{"submission", "f"}, {"first", first}}, chair)
          .status,
      201);
  bad = this->Post(PrecinctPath(kCarson109, "final"),
                   {{"submission", "x"}, {"final", {{"Biden", 23}, {"Sanders", 48}}}}, chair);
  EXPECT_TRUE(IsError(bad, 422, "final-exceeds-attendance", "final")) << bad;
  EXPECT_EQ(this->Seq(), before + 1);
  EXPECT_EQ(this->StatusOf(kCarson109), "first-reported");
}

// Carson City 411 (D = 4), Principle 2 Example A: in person 13, 13, 13, 13 and Sanders 22, and
// the two cards that rank Steyer, Gabbard and Yang: T = 76, and none of their choices is viable,
// so they count nowhere in the final alignment. Five groups are viable for four delegates: one
// is added. Phoned in: two operators enter each alignment, and the answers show the cards.
TYPED_TEST(EarlyVotesApiTest, TheHotlinesDoubleEntryShowsTheCardsWithNoViableChoice) {
  const json first = {
      {"Biden", 13}, {"Buttigieg", 13}, {"Klobuchar", 13}, {"Warren", 13}, {"Sanders", 22}};
  // A practice report before the night counts the cards as the night will.
  Reply practice = this->Post(PrecinctPath(kCarson411, "practice"),
                              {{"submission", "p1"}, {"first", first}}, this->Chair(kCarson411));
  ASSERT_EQ(practice.status, 201) << practice;
  EXPECT_EQ(practice.doc["viability"]["attendance"], 76);
  EXPECT_EQ(practice.doc["early_votes"]["worksheet"]["no_viable_choice"],
            json::parse(R"({"cards": 2, "by_first_choice": {"Steyer": 2}})"));
  EXPECT_EQ(this->StatusOf(kCarson411), "not-reported");

  // An operator sees the early part of what they typed through the preview.
  Reply seen =
      this->Post(PrecinctPath(kCarson411, "preview"), {{"first", first}}, this->Operator(1));
  ASSERT_EQ(seen.status, 200) << seen;
  EXPECT_EQ(seen.doc["early_votes"]["worksheet"]["attendance"], 76);

  Reply a = this->Post("/api/v1/hotline/entries",
                       {{"submission", "a1"}, {"precinct", kCarson411}, {"first", first}},
                       this->Operator(1));
  ASSERT_EQ(a.status, 201) << a;
  EXPECT_EQ(a.doc["hotline"], "waiting");
  EXPECT_TRUE(a.doc["precinct"]["early_votes"]["worksheet"].is_null());
  Reply b = this->Post("/api/v1/hotline/entries",
                       {{"submission", "b1"}, {"precinct", kCarson411}, {"first", first}},
                       this->Operator(2));
  ASSERT_EQ(b.status, 201) << b;
  EXPECT_EQ(b.doc["hotline"], "accepted");
  const json& w = b.doc["precinct"]["early_votes"]["worksheet"];
  EXPECT_EQ(w["attendance"], 76);
  EXPECT_EQ(w["threshold_head_count"], 12);
  EXPECT_EQ(w["viable"], (json{"Biden", "Buttigieg", "Klobuchar", "Sanders", "Warren"}));
  EXPECT_EQ(w["first"][4], Row("Steyer", 0, 2, false));
  EXPECT_TRUE(w["moves"].empty());
  EXPECT_EQ(w["no_viable_choice"],
            json::parse(R"({"cards": 2, "by_first_choice": {"Steyer": 2}})"));

  const json delegates = {
      {"Biden", 1}, {"Buttigieg", 1}, {"Klobuchar", 1}, {"Warren", 1}, {"Sanders", 1}};
  for (int op : {3, 4}) {
    Reply f = this->Post("/api/v1/hotline/entries",
                         {{"submission", "fin" + std::to_string(op)},
                          {"precinct", kCarson411},
                          {"final", first},
                          {"delegates", delegates}},
                         this->Operator(op));
    ASSERT_EQ(f.status, 201) << f;
    if (op == 4) {
      EXPECT_EQ(f.doc["hotline"], "accepted");
      const json& p = f.doc["precinct"];
      EXPECT_EQ(p["computed"]["total_delegates"], 5);
      EXPECT_EQ(p["early_votes"]["worksheet"]["final"][4], Row("Steyer", 0, 0, false));
      EXPECT_EQ(p["early_votes"]["worksheet"]["final"][3], Row("Sanders", 22, 0, true));
    }
  }
  EXPECT_EQ(this->StatusOf(kCarson411), "final-reported");
}

}  // namespace
}  // namespace canvass::api_test
