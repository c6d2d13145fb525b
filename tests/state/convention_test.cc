// Conventions on the ledger (state/convention.h): the Michigan 2020 switch replayed with its
// refusal and its waiver shown on the result, and a district convention rehearsed end to end,
// from the procedure's publication through filing, review, voting and results, under every seat
// formula with equal division. The count on the ledger is checked against the figures worked out
// here by hand and against CountConvention given the same vote directly.
#include "state/convention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ledger/event.h"
#include "rules/ruleset.h"
#include "state/election_state.h"
#include "state/memory_ledger.h"

namespace canvass {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kHash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

// An election of Biden and Sanders with one Wayne precinct and a credential for each campaign.
class Ledger : public testing_ledger::MemoryLedger {
 public:
  Ledger() {
    time = "2020-02-01T12:00:00.000Z";
    const std::string text = testing_ledger::RulesetText("iowa-dem-2020");
    auto parsed = ParseRuleset(text, "iowa-dem-2020");
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    Accept(Admin(), "election-created",
           {{"name", "conventions"},
            {"ruleset", {{"name", parsed->name}, {"hash", parsed->hash}, {"toml", text}}},
            {"candidates", {"Biden", "Sanders"}},
            {"precincts",
             json::array({{{"county", "Wayne"}, {"precinct", "Detroit-1"}, {"delegates", 4}}})}});
    Issue("CB01", "campaign", "Biden");
    Issue("CS01", "campaign", "Sanders");
  }

  void Issue(const std::string& id, const std::string& role, const std::string& subject) {
    Accept(Admin(), "credential-issued",
           {{"credential", id}, {"role", role}, {"subject", subject}, {"hash", kHash}});
  }
  const ConventionRecord& Convention(const std::string& name) const {
    return *state.conventions()->find(name);
  }
};

json Filer(const std::string& name, const std::string& preference, const std::string& gender,
           const std::string& district = "MI-05") {
  return {{"convention", district == "MI-05" ? "CD5" : "CD1"},
          {"name", name},
          {"preference", preference},
          {"gender", gender},
          {"district", district},
          {"pledge", "I support " + preference + " for the nomination."}};
}

std::vector<std::string> Elected(const json& result) {
  std::vector<std::string> names;
  for (const json& d : result["elected"]) names.push_back(d["name"].get<std::string>());
  return names;
}

// MDP, May 2020 (spec delegates.md §2.4): plurality announced on 5 May, slates on 6 May, voting
// on 7 May. The slate vote may not open a day after its publication; the waiver lets it, and the
// result says so.
TEST(ConventionTest, MichiganSwitchIsRefusedThenWaivedAndTheWaiverIsOnTheResult) {
  Ledger l;
  l.Accept(Ledger::Admin(), "convention-created", {{"convention", "CD5"}, {"district", "MI-05"}});
  l.Issue("OF05", "officer", "CD5");
  const Actor officer{"officer", "OF05"};
  const json pools = json::array({{{"name", "Biden"}, {"preference", "Biden"}, {"seats", 3}},
                                  {{"name", "Sanders"}, {"preference", "Sanders"}, {"seats", 2}}});
  l.Accept(Ledger::Admin(), "procedure-published",
           {{"convention", "CD5"},
            {"formula", "block"},
            {"pools", pools},
            {"filing_deadline", "2020-04-16T23:59:59.999Z"}});
  l.time = "2020-03-02T12:00:00.000Z";
  l.Accept(officer, "convention-stage-opened", {{"convention", "CD5"}, {"stage", "filing"}});
  l.time = "2020-04-10T12:00:00.000Z";
  for (const auto& [name, pref, gender] :
       std::vector<std::tuple<std::string, std::string, std::string>>{{"Ann", "Biden", "woman"},
                                                                      {"Bo", "Biden", "man"},
                                                                      {"Cy", "Biden", "woman"},
                                                                      {"Dee", "Biden", "man"},
                                                                      {"Di", "Sanders", "woman"},
                                                                      {"Ed", "Sanders", "man"}}) {
    l.Accept(officer, "delegate-filed", Filer(name, pref, gender));
    l.Accept(Actor{"campaign", pref == "Biden" ? "CB01" : "CS01"}, "filer-reviewed",
             {{"convention", "CD5"}, {"filer", name}, {"decision", "approved"}});
  }
  l.time = "2020-05-05T12:00:00.000Z";
  l.Accept(Ledger::Admin(), "procedure-published",
           {{"convention", "CD5"},
            {"formula", "block"},
            {"pools", pools},
            {"filing_deadline", "2020-04-16T23:59:59.999Z"},
            {"note", "decided by a plurality vote"}});
  l.time = "2020-05-06T12:00:00.000Z";
  l.Accept(Ledger::Admin(), "procedure-published",
           {{"convention", "CD5"},
            {"formula", "dhondt"},
            {"pools", pools},
            {"filing_deadline", "2020-04-16T23:59:59.999Z"},
            {"note", "slate voting, slates due 4:00 pm on 7 May"}});
  const int64_t slate_procedure = l.state.seq();
  const std::string slate_hash = l.state.head_hash();
  l.time = "2020-05-07T15:00:00.000Z";
  l.Accept(officer, "slate-filed",
           {{"convention", "CD5"},
            {"pool", "Biden"},
            {"slate", "Unity"},
            {"nominees", {"Ann", "Bo", "Dee"}}});
  l.Accept(officer, "slate-filed",
           {{"convention", "CD5"}, {"pool", "Biden"}, {"slate", "Renewal"}, {"nominees", {"Cy"}}});
  l.Accept(officer, "slate-filed",
           {{"convention", "CD5"},
            {"pool", "Sanders"},
            {"slate", "Movement"},
            {"nominees", {"Di", "Ed"}}});
  l.time = "2020-05-07T16:00:00.000Z";
  auto refusal =
      l.Offer(officer, "convention-stage-opened", {{"convention", "CD5"}, {"stage", "voting"}});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, "notice-too-short");
  EXPECT_EQ(refusal->kind, Rejection::Kind::kConflict);
  EXPECT_THAT(refusal->message, HasSubstr("published 2020-05-06T12:00:00.000Z"));
  EXPECT_THAT(refusal->message, HasSubstr("30 days' notice, until 2020-06-05T12:00:00.000Z"));
  EXPECT_THAT(refusal->message, HasSubstr("only 1 day 4 hours have passed"));
  EXPECT_FALSE(l.Convention("CD5").voting.has_value());

  l.Accept(Ledger::Admin(), "procedure-waived",
           {{"convention", "CD5"},
            {"procedure", slate_procedure},
            {"stage", "voting"},
            {"reason", "COVID-19: remote voting"}});
  const int64_t waiver = l.state.seq();
  l.Accept(officer, "convention-stage-opened", {{"convention", "CD5"}, {"stage", "voting"}});
  // 60 votes for the Unity slate, 40 for Renewal: D'Hondt 60, 40, 30 -> 2 and 1 (60% is under
  // the sweep share 3/4); the officers enter the tally.
  l.Accept(
      officer, "convention-tally",
      {{"convention", "CD5"}, {"pool", "Biden"}, {"tallies", {{"Unity", 60}, {"Renewal", 40}}}});
  l.Accept(officer, "convention-tally",
           {{"convention", "CD5"}, {"pool", "Sanders"}, {"tallies", {{"Movement", 35}}}});
  l.Accept(officer, "voting-closed", {{"convention", "CD5"}});

  const ConventionRecord& c = l.Convention("CD5");
  ASSERT_EQ(c.procedures.size(), 3u);
  EXPECT_EQ(c.voting->procedure, slate_procedure);
  EXPECT_EQ(c.voting->waiver, waiver);
  for (const std::string pool : {"Biden", "Sanders"}) {
    const json r = ConventionPoolJson(c, pool);
    EXPECT_EQ(r["status"], "final") << r.dump();
    EXPECT_EQ(r["formula"], "dhondt");
    EXPECT_EQ(r["procedure"]["seq"], slate_procedure);
    EXPECT_EQ(r["procedure"]["hash"], slate_hash);
    ASSERT_EQ(r["waivers"].size(), 1u) << r.dump();
    EXPECT_EQ(r["waivers"][0]["reason"], "COVID-19: remote voting");
    EXPECT_EQ(r["waivers"][0]["by"], "admin/cli");
  }
  const json biden = ConventionPoolJson(c, "Biden");
  EXPECT_EQ(biden["sweep_share"], "3/4");
  EXPECT_EQ(biden["won"], json({{"Unity", 2}, {"Renewal", 1}}));
  // Unity fills its two seats from the top (Ann, Bo), Renewal its one (Cy): 2 women, 1 man.
  EXPECT_THAT(Elected(biden), ElementsAre("Ann", "Bo", "Cy"));
  EXPECT_EQ(biden["equal_division"]["balanced"], true);
  // The DNC's Hare method on the same vote: 60 and 40 of 100 for 3 seats -> 2 and 1.
  EXPECT_EQ(biden["dnc"]["groups"]["Unity"]["seats"], 2);
  EXPECT_EQ(biden["dnc"]["groups"]["Renewal"]["seats"], 1);
  EXPECT_EQ(ConventionPoolJson(c, "Sanders")["sweep_share"], "2/3");
  EXPECT_THAT(Elected(ConventionPoolJson(c, "Sanders")), ElementsAre("Di", "Ed"));
}

// The rehearsal: district CD1 elects 4 delegates in one pool. Filers: Biden A1 (w), A2 (m),
// A3 (w), A4 (m); Sanders S1 (m), S2 (m), S3 (w); uncommitted U1 (non-binary). Sanders strikes
// S2. Ten credentialed voters cast ballots; the officers close the vote and, where a tie needs
// them, record lots.
class Rehearsal {
 public:
  explicit Rehearsal(const std::string& formula, json extra = json::object()) {
    l.Accept(Ledger::Admin(), "convention-created",
             {{"convention", "CD1"}, {"district", "MI-01"}, {"min_approved_per_slot", 0}});
    l.Issue("OF01", "officer", "CD1");
    for (int v = 1; v <= 10; ++v) l.Issue(fmt::format("V{:03}", v), "voter", "CD1");
    json procedure = {{"convention", "CD1"},
                      {"formula", formula},
                      {"pools", json::array({{{"name", "District"}, {"seats", 4}}})},
                      {"filing_deadline", "2020-04-16T23:59:59.999Z"}};
    procedure.update(extra);
    l.Accept(Ledger::Admin(), "procedure-published", procedure);
    l.time = "2020-03-02T12:00:00.000Z";
    l.Accept(officer, "convention-stage-opened", {{"convention", "CD1"}, {"stage", "filing"}});
    l.time = "2020-04-01T12:00:00.000Z";
    for (const auto& [name, pref, gender] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"A1", "Biden", "woman"},
             {"A2", "Biden", "man"},
             {"A3", "Biden", "woman"},
             {"A4", "Biden", "man"},
             {"S1", "Sanders", "man"},
             {"S2", "Sanders", "man"},
             {"S3", "Sanders", "woman"},
             {"U1", "uncommitted", "non-binary"}}) {
      l.Accept(officer, "delegate-filed", Filer(name, pref, gender, "MI-01"));
    }
    for (const char* a : {"A1", "A2", "A3", "A4"}) {
      l.Accept(Actor{"campaign", "CB01"}, "filer-reviewed",
               {{"convention", "CD1"}, {"filer", a}, {"decision", "approved"}});
    }
    l.Accept(Actor{"campaign", "CS01"}, "filer-reviewed",
             {{"convention", "CD1"},
              {"filer", "S2"},
              {"decision", "struck"},
              {"reason", "not a bona fide supporter"}});
  }
  void Slate(const std::string& name, std::vector<std::string> nominees) {
    l.Accept(
        officer, "slate-filed",
        {{"convention", "CD1"}, {"pool", "District"}, {"slate", name}, {"nominees", nominees}});
  }
  void Open() {
    l.time = "2020-05-16T09:00:00.000Z";
    l.Accept(officer, "convention-stage-opened", {{"convention", "CD1"}, {"stage", "voting"}});
  }
  // Voters V001.. in turn, each ballot `count` times.
  void Vote(int count, const json& ballot) {
    for (int k = 0; k < count; ++k) {
      json payload = {{"convention", "CD1"}, {"pool", "District"}};
      payload.update(ballot);
      l.Accept(Actor{"voter", fmt::format("V{:03}", ++voter_)}, "convention-ballot", payload);
    }
  }
  json Close(std::vector<std::string> lots = {}) {
    l.Accept(officer, "voting-closed", {{"convention", "CD1"}});
    if (!lots.empty()) {
      l.Accept(officer, "convention-lots",
               {{"convention", "CD1"}, {"pool", "District"}, {"order", lots}});
    }
    return ConventionPoolJson(l.Convention("CD1"), "District");
  }

  Ledger l;
  const Actor officer{"officer", "OF01"};
  int voter_ = 0;
};

void ExpectFormulaShown(const json& r, SeatFormula formula, Count l = 0) {
  EXPECT_EQ(r["status"], "final") << r.dump(2);
  EXPECT_EQ(r["formula"], std::string(SeatFormulaName(formula)));
  EXPECT_EQ(r["title"], std::string(SeatFormulaTitle(formula)));
  EXPECT_EQ(r["sweep_share"], SweepShare(formula, 4, l).ToString());
  EXPECT_EQ(r["sweep"], SweepSentence(formula, 4, l));
  EXPECT_EQ(r["waivers"], json::array());
  EXPECT_EQ(r["equal_division"]["balanced"], true) << r.dump(2);
}

TEST(ConventionTest, RehearsalBlockPluralityMajoritySweeps) {
  Rehearsal r("block");
  r.Open();
  r.Vote(6, {{"marks", {{"A1", 1}, {"A2", 1}, {"A3", 1}, {"A4", 1}}}});
  r.Vote(4, {{"marks", {{"S1", 1}, {"S3", 1}, {"U1", 1}}}});
  const json res = r.Close();
  ExpectFormulaShown(res, SeatFormula::kBlockPlurality);
  EXPECT_EQ(res["sweep_share"], "1/2");
  EXPECT_THAT(Elected(res), ElementsAre("A1", "A2", "A3", "A4"));
  EXPECT_EQ(res["votes"]["A1"], 6);
  EXPECT_EQ(res["votes"]["U1"], 4);
  // The DNC's Hare method on the marks (Biden 24, Sanders 8, uncommitted 4 of 36): the
  // uncommitted 11% is under 15%; Biden 24/32 of 4 = 3, Sanders 1.
  EXPECT_EQ(res["dnc"]["groups"]["Biden"]["seats"], 3);
  EXPECT_EQ(res["dnc"]["groups"]["Sanders"]["seats"], 1);
  EXPECT_EQ(res["dnc"]["groups"]["uncommitted"]["seats"], 0);
  EXPECT_EQ(res["source"]["ballots"], 10);
}

TEST(ConventionTest, RehearsalLimitedVotingGivesTheMinorityTwo) {
  Rehearsal r("limited", {{"votes_per_voter", 2}});
  r.Open();
  r.Vote(6, {{"marks", {{"A1", 1}, {"A2", 1}}}});
  r.Vote(4, {{"marks", {{"S1", 1}, {"S3", 1}}}});
  const json res = r.Close();
  ExpectFormulaShown(res, SeatFormula::kLimitedVoting, 2);
  EXPECT_EQ(res["sweep_share"], "2/3");  // m/(m+L) = 4/6
  EXPECT_THAT(Elected(res), ElementsAre("A1", "A2", "S1", "S3"));
}

TEST(ConventionTest, RehearsalCumulativeTieSettledByTheRecordedLots) {
  Rehearsal r("cumulative");
  r.Open();
  // The majority spreads its 4 votes, the minority stacks them on S3: S3 16 takes a seat, and
  // A1..A4 tie at 6 for the other three. Without lots the count stops and names them.
  r.Vote(6, {{"marks", {{"A1", 1}, {"A2", 1}, {"A3", 1}, {"A4", 1}}}});
  r.Vote(4, {{"marks", {{"S3", 4}}}});
  const json before = ConventionPoolJson(r.l.Convention("CD1"), "District");
  EXPECT_EQ(before["status"], "needs-lots") << before.dump(2);
  EXPECT_THAT(before["message"].get<std::string>(), HasSubstr("A3"));
  const json res = r.Close({"A4", "A1", "A2", "A3"});
  ExpectFormulaShown(res, SeatFormula::kCumulative);
  std::vector<std::string> elected = Elected(res);
  std::sort(elected.begin(), elected.end());
  EXPECT_THAT(elected, ElementsAre("A1", "A2", "A4", "S3"));
  ASSERT_EQ(res["ties"].size(), 1u) << res.dump(2);
  EXPECT_EQ(res["lots"]["order"], json({"A4", "A1", "A2", "A3"}));
}

TEST(ConventionTest, RehearsalStvMatchesTheDirectCount) {
  Rehearsal r("stv");
  r.Open();
  r.Vote(6, {{"ranking", {"A1", "A2", "A3", "A4"}}});
  r.Vote(4, {{"ranking", {"S3", "S1", "U1"}}});
  const json res = r.Close({"A3", "S1", "U1", "A4", "A1", "A2", "S3"});
  ExpectFormulaShown(res, SeatFormula::kStv);
  EXPECT_EQ(res["quota"], "2");  // 10 / (4 + 1)
  EXPECT_EQ(res["votes"]["A1"], 6);
  EXPECT_EQ(res["votes"]["S3"], 4);
  // A1 (6) and S3 (4) pass the quota at once; A1's surplus (4) elects A2, S3's (2) goes to S1,
  // A2's (2) to A3. S1 and A3 then tie at 2 for the last seat; S1 was ahead at the stage before,
  // so A3 is excluded (no lot needed) and S1 takes it.
  const std::vector<std::string> elected = Elected(res);
  EXPECT_THAT(elected, ElementsAre("A1", "S3", "A2", "S1"));
  EXPECT_EQ(res["ties"], json::array());
  // The same vote given to CountConvention directly: the ledger hands over the same count.
  ConventionCount direct;
  direct.formula = SeatFormula::kStv;
  direct.seats = 4;
  for (const auto& [name, gender, group] :
       std::vector<std::tuple<std::string, Gender, std::string>>{
           {"A1", Gender::kWoman, "Biden"},
           {"A2", Gender::kMan, "Biden"},
           {"A3", Gender::kWoman, "Biden"},
           {"A4", Gender::kMan, "Biden"},
           {"S1", Gender::kMan, "Sanders"},
           {"S3", Gender::kWoman, "Sanders"},
           {"U1", Gender::kNonBinary, "uncommitted"}}) {
    ConventionOption o;
    o.name = name;
    o.gender = gender;
    o.group = group;
    direct.options.push_back(o);
  }
  direct.ballots = {{{0, 1, 2, 3}, 6}, {{5, 4, 6}, 4}};
  direct.lots = {2, 4, 6, 3, 0, 1, 5};
  direct.equal_division.enabled = true;
  auto expected = CountConvention(direct);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  std::vector<std::string> names;
  for (const Delegate& d : expected->delegates) names.push_back(d.name);
  EXPECT_EQ(elected, names);
}

// The slate formulas, 7 ballots for Joe (A1, A3, A2, A4) and 3 for Bern (S3, S1): every one
// gives Joe 3 and Bern 1 here (D'Hondt 7, 3.5, 3, 2.33; Sainte-Laguë 7, 3, 2.33, 1.4; Hare quota
// 2.5: 2 + 1 and the larger remainder 0.8; Droop quota 2: 3 + 1). Joe's top three are A1, A3 (w)
// and A2 (m); with S3 (w) that is 3 women and 1 man: equal division puts A4 in for A3.
TEST(ConventionTest, RehearsalSlateFormulasWithEqualDivision) {
  for (SeatFormula f : {SeatFormula::kHareLargestRemainder, SeatFormula::kDroopLargestRemainder,
                        SeatFormula::kDhondt, SeatFormula::kSainteLague}) {
    SCOPED_TRACE(std::string(SeatFormulaName(f)));
    Rehearsal r(std::string(SeatFormulaName(f)));
    r.Slate("Joe", {"A1", "A3", "A2", "A4"});
    r.Slate("Bern", {"S3", "S1"});
    r.Open();
    r.Vote(7, {{"slate", "Joe"}});
    r.Vote(3, {{"slate", "Bern"}});
    const json res = r.Close();
    ExpectFormulaShown(res, f);
    EXPECT_EQ(res["won"], json({{"Joe", 3}, {"Bern", 1}}));
    EXPECT_THAT(Elected(res), ::testing::UnorderedElementsAre("A1", "A2", "A4", "S3"));
    ASSERT_EQ(res["equal_division"]["swaps"].size(), 1u) << res.dump(2);
    EXPECT_THAT(res["equal_division"]["swaps"][0].get<std::string>(), HasSubstr("A4"));
    EXPECT_EQ(res["equal_division"]["women"], 2);
    EXPECT_EQ(res["equal_division"]["men"], 2);
    EXPECT_EQ(res["dnc"]["groups"]["Joe"]["seats"], 3);
    EXPECT_EQ(res["dnc"]["groups"]["Bern"]["seats"], 1);
    // The whole convention's view carries the same result and S2's strike.
    const json all = ConventionJson(r.l.Convention("CD1"));
    EXPECT_EQ(all["results"][0], res);
    EXPECT_EQ(all["filers"][5]["name"], "S2");
    EXPECT_EQ(all["filers"][5]["review"], "struck");
  }
}

// A filer struck after the slate naming her was filed stays on the slate's record but is never
// elected for the campaign: the slate's seat goes to the next name.
TEST(ConventionTest, AFilerStruckAfterTheSlateIsNeverElected) {
  Rehearsal r("dhondt");
  r.Slate("Joe", {"A1", "A3", "A2", "A4"});
  r.Slate("Bern", {"S3", "S1"});
  r.l.Accept(Actor{"campaign", "CS01"}, "filer-reviewed",
             {{"convention", "CD1"},
              {"filer", "S3"},
              {"decision", "struck"},
              {"reason", "signed another campaign's pledge"}});
  r.Open();
  r.Vote(7, {{"slate", "Joe"}});
  r.Vote(3, {{"slate", "Bern"}});
  const json res = r.Close();
  EXPECT_EQ(res["won"], json({{"Joe", 3}, {"Bern", 1}}));
  EXPECT_THAT(Elected(res), ElementsAre("A1", "A3", "A2", "S1"));
  EXPECT_EQ(res["equal_division"]["swaps"], json::array());
}

// The book is changed in place while the state alone holds it, copied when a snapshot shares
// it: the snapshot keeps the ballots it saw, and a refused ballot changes neither.
TEST(ConventionTest, ASnapshotKeepsTheBallotsItSaw) {
  Rehearsal r("block");
  r.Open();
  r.Vote(3, {{"marks", {{"A1", 1}}}});
  std::shared_ptr<const ElectionState> before = r.l.state.Snapshot();
  r.Vote(2, {{"marks", {{"S3", 1}}}});
  auto dup = r.l.Offer(Actor{"voter", "V001"}, "convention-ballot",
                       {{"convention", "CD1"}, {"pool", "District"}, {"marks", {{"A2", 1}}}});
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->code, "duplicate-ballot");
  EXPECT_EQ(before->conventions()->find("CD1")->votes.at("District").ballots.size(), 3u);
  EXPECT_EQ(r.l.Convention("CD1").votes.at("District").ballots.size(), 5u);
  EXPECT_EQ(
      ConventionPoolJson(*before->conventions()->find("CD1"), "District")["source"]["ballots"], 3);
  EXPECT_EQ(ConventionPoolJson(r.l.Convention("CD1"), "District")["source"]["ballots"], 5);
}

}  // namespace
}  // namespace canvass
