// Recanvass on the ledger: requests, decisions and worksheet entries as ElectionState applies them
// (src/state/review.cc), on the publication tests' election of five real Iowa precincts. Ocheyedan
// (Osceola) reported 2-1-0 where the rules give 1-1-1: a recanvass that enters the signed
// worksheet classifies it as a rule misapplication, and the correction gives Sanders the
// delegate. Every refused request, decision or entry names what is wrong and writes nothing.
#include <gtest/gtest.h>

#include <string>

#include "audit/review_json.h"
#include "publish/release.h"
#include "publish/release_fixture.h"
#include "state/replay.h"

namespace canvass::publish_test {
namespace {

constexpr int64_t kOcheyedan = 4;

// The fixture's events, then every precinct's final alignment and the first complete release:
// requests are open from then until request_hours (88) after it.
class RecanvassTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(BuildFixture(l_));
    l_.Add("credential-issued", {{"credential", "BUT1"},
                                 {"role", "campaign"},
                                 {"subject", "Buttigieg"},
                                 {"hash", "$argon2id$v=19$m=8,t=1,p=1$fixture$fixture"}});
    l_.Add("final-alignment-reported", {{"precinct", 2},
                                        {"final", Figures({{"Biden", 15},
                                                           {"Buttigieg", 25},
                                                           {"Klobuchar", 10},
                                                           {"Sanders", 30},
                                                           {"Warren", 20}})}});
    AddVermillion(l_);
    const json f = Figures({{"Biden", 20}, {"Buttigieg", 20}, {"Sanders", 20}});
    l_.Add("first-alignment-reported", {{"precinct", 5}, {"first", f}});
    // Requests are refused until a release has every precinct's final alignment.
    l_.Add("final-alignment-reported", {{"precinct", 5}, {"final", f}});
    EXPECT_EQ(Refusal(SandersRequest()), "no-complete-release");
    l_.Publish();
    ASSERT_TRUE(l_.state.releases().back().complete);
  }

  // Sanders claims Ocheyedan's delegates: Buttigieg 2 -> 1, Sanders 0 -> 1.
  json SandersRequest() const {
    return {
        {"submission", "r1"},
        {"kind", "recanvass"},
        {"reason", "a viable group lost its only delegate"},
        {"precincts",
         {{{"precinct", kOcheyedan},
           {"claims",
            {{{"field", "delegates"}, {"candidate", "Buttigieg"}, {"reported", 2}, {"claimed", 1}},
             {{"field", "delegates"},
              {"candidate", "Sanders"},
              {"reported", 0},
              {"claimed", 1}}}}}}}};
  }

  // The code of the refusal, after checking that nothing was written.
  std::string Refusal(const json& payload, const std::string& type = "review-requested",
                      Actor actor = Actor{"campaign", "SAN1"}) {
    const int64_t before = l_.state.seq();
    auto r = l_.TryAdd(type, payload, actor);
    if (!r) return "accepted";
    EXPECT_EQ(l_.state.seq(), before);
    EXPECT_FALSE(r->message.empty());
    return r->code;
  }

  Ledger l_;
};

TEST_F(RecanvassTest, OcheyedanIsARuleMisapplicationAndTheCorrectionGivesSandersTheDelegate) {
  l_.Add("review-requested", SandersRequest(), Actor{"campaign", "SAN1"});
  const int64_t request = l_.state.seq();
  ASSERT_EQ(l_.state.reviews().size(), 1u);
  EXPECT_EQ(l_.state.reviews()[0].requester, "Sanders");
  EXPECT_FALSE(l_.state.UnderRecanvass(kOcheyedan));  // not before the party accepts

  // Entering a worksheet before the party accepts the precinct is refused.
  const json sheet = {{"first", Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}})},
                      {"final", Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}})},
                      {"delegates", Figures({{"Buttigieg", 2}, {"Klobuchar", 1}})}};
  const json entry = {{"request", request}, {"precinct", kOcheyedan}, {"worksheet", sheet}};
  EXPECT_EQ(Refusal(entry, "recanvass-entered", Actor{"admin", "cli"}), "not-accepted");

  l_.Add("review-decided", {{"request", request},
                            {"precinct", kOcheyedan},
                            {"decision", "accepted"},
                            {"reason", "the worksheet is on file"},
                            {"cost", "350.00"}});
  EXPECT_TRUE(l_.state.UnderRecanvass(kOcheyedan));
  // The party stated a cost: nothing is entered until the campaign accepts it.
  EXPECT_EQ(Refusal(entry, "recanvass-entered", Actor{"admin", "cli"}), "costs-not-accepted");
  l_.Add("review-costs", {{"request", request}, {"precinct", kOcheyedan}, {"accepted", true}},
         Actor{"campaign", "SAN1"});
  auto under = BuildRelease(l_.state);
  ASSERT_TRUE(under.ok()) << under.status().ToString();
  EXPECT_NE(under->records.bytes.find("\"under_recanvass\":true"), std::string::npos);

  l_.Add("recanvass-entered", entry);
  const int64_t entered = l_.state.seq();
  const RecanvassEntry& found = l_.state.recanvass_entries().at(entered);
  EXPECT_TRUE(found.transcription.empty());  // reported as the worksheet says
  EXPECT_TRUE(found.rule_misapplication);
  EXPECT_FALSE(found.count);
  ASSERT_TRUE(found.corrects);
  EXPECT_EQ(found.corrected_layers, std::vector<std::string>{"rule-misapplication"});
  EXPECT_FALSE(l_.state.UnderRecanvass(kOcheyedan));

  // The correction cites the entry; one with other figures is refused.
  json wrong = {{"precinct", kOcheyedan},
                {"reason", "recanvass"},
                {"recanvass", entered},
                {"delegates", Figures({{"Buttigieg", 2}, {"Sanders", 1}})}};
  EXPECT_EQ(Refusal(wrong, "report-corrected", Actor{"admin", "cli"}), "correction-differs");
  l_.Add("report-corrected", {{"precinct", kOcheyedan},
                              {"reason", "recanvass"},
                              {"recanvass", entered},
                              {"keep_ties", true},
                              {"delegates", l_.state.FiguresJson(found.rules_delegates)}});
  const PrecinctRecord& now = *l_.state.precinct(kOcheyedan);
  EXPECT_EQ(now.revision, 2);
  ASSERT_TRUE(now.delegates);
  const json delegates = l_.state.FiguresJson(*now.delegates);
  EXPECT_EQ(delegates, Figures({{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}}));
  EXPECT_EQ(l_.state.recanvass_entries().at(entered).correction_seq, l_.state.seq());
  // Applied once.
  EXPECT_EQ(Refusal(wrong, "report-corrected", Actor{"admin", "cli"}), "already-corrected");

  // The next release carries revision 2 with Sanders's delegate.
  auto rel = BuildRelease(l_.state);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  const json doc = json::parse(rel->json.bytes);
  const json entries = EntriesOf(*rel);
  bool seen = false;
  for (const json& p : entries) {
    if (p["id"] != kOcheyedan) continue;
    seen = true;
    EXPECT_EQ(p["revision"], 2);
    EXPECT_EQ(p["reported"]["delegates"], delegates);
    EXPECT_EQ(p["flags"]["under_recanvass"], false);
  }
  EXPECT_TRUE(seen);

  // The public record names every step with its ledger position, and the claim's eligibility.
  const json record = ReviewsJson(l_.state);
  ASSERT_EQ(record["requests"].size(), 1u);
  const json& p = record["requests"][0]["precincts"][0];
  EXPECT_EQ(p["name"], "Ocheyedan Precinct 0500");
  EXPECT_EQ(p["decision"]["decision"], "accepted");
  EXPECT_EQ(p["decision"]["cost"], "350.00");
  ASSERT_EQ(p["entries"].size(), 1u);
  EXPECT_EQ(p["entries"][0]["seq"], entered);
  EXPECT_EQ(p["entries"][0]["layers"][0]["layer"], "rule-misapplication");
  EXPECT_EQ(p["entries"][0]["correction"]["seq"], l_.state.seq());
  EXPECT_TRUE(p["eligibility"].is_object()) << p.dump();

  // A replay of the ledger reaches the same state: the same classification and correction.
  ElectionState replayed;
  ChainReport report = ReplayEvents(l_.lines, replayed);
  ASSERT_TRUE(report.ok()) << report.problem->message;
  EXPECT_EQ(replayed.head_hash(), l_.state.head_hash());
  EXPECT_EQ(ReviewsJson(replayed), record);
}

TEST_F(RecanvassTest, ATranscriptionErrorIsCorrectedFromTheWorksheet) {
  json request = SandersRequest();
  request["precincts"][0]["claims"] = json::array();
  l_.Add("review-requested", request, Actor{"campaign", "SAN1"});
  const int64_t seq = l_.state.seq();
  l_.Add("review-decided",
         {{"request", seq}, {"precinct", kOcheyedan}, {"decision", "accepted"}, {"reason", "ok"}});
  // The signed worksheet gives 1-1-1, as the rules do; 2-1-0 was reported.
  const json figures = Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}});
  const json delegates = Figures({{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}});
  l_.Add("recanvass-entered",
         {{"request", seq},
          {"precinct", kOcheyedan},
          {"worksheet", {{"first", figures}, {"final", figures}, {"delegates", delegates}}}});
  const RecanvassEntry& e = l_.state.recanvass_entries().at(l_.state.seq());
  EXPECT_EQ(e.transcription,
            (std::vector<std::string>{"delegates.Buttigieg", "delegates.Sanders"}));
  EXPECT_FALSE(e.rule_misapplication);
  EXPECT_EQ(e.corrected_layers, std::vector<std::string>{"transcription"});
  ASSERT_TRUE(e.correct_delegates);
  EXPECT_EQ(l_.state.FiguresJson(*e.correct_delegates), delegates);
  EXPECT_FALSE(e.correct_first);  // the alignments agree
  EXPECT_FALSE(e.correct_final);
}

TEST_F(RecanvassTest, AWorksheetWhoseCountsCannotBeRightIsLeftForARecount) {
  l_.Add("review-requested", SandersRequest(), Actor{"campaign", "SAN1"});
  const int64_t seq = l_.state.seq();
  l_.Add("review-decided",
         {{"request", seq}, {"precinct", kOcheyedan}, {"decision", "accepted"}, {"reason", "ok"}});
  // Seven at the final alignment where five came: only the cards can say.
  l_.Add("recanvass-entered",
         {{"request", seq},
          {"precinct", kOcheyedan},
          {"worksheet",
           {{"first", Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}})},
            {"final", Figures({{"Buttigieg", 5}, {"Klobuchar", 1}, {"Sanders", 1}})}}}});
  const RecanvassEntry& e = l_.state.recanvass_entries().at(l_.state.seq());
  EXPECT_TRUE(e.count);
  EXPECT_NE(e.count_reason.find("final alignment"), std::string::npos) << e.count_reason;
  EXPECT_FALSE(e.corrects);
  EXPECT_EQ(l_.state.precinct(kOcheyedan)->revision, 1);
  // A recount may follow, since the precinct was recanvassed.
  json recount = SandersRequest();
  recount["kind"] = "recount";
  recount["submission"] = "r2";
  EXPECT_EQ(Refusal(recount), "accepted");
}

TEST_F(RecanvassTest, BadRequestsAreRefusedWithTheirReasonAndNothingIsWritten) {
  // By a role the ruleset does not let ask: the party chair (request_roles = ["campaign"]).
  EXPECT_EQ(Refusal(SandersRequest(), "review-requested", Actor{"admin", "cli"}), "forbidden");
  // For a precinct not in the election.
  json unknown = SandersRequest();
  unknown["precincts"][0]["precinct"] = 99;
  EXPECT_EQ(Refusal(unknown), "unknown-precinct");
  // A reported figure that is not the record's.
  json differs = SandersRequest();
  differs["precincts"][0]["claims"][0]["reported"] = 3;
  EXPECT_EQ(Refusal(differs), "reported-differs");
  // An impossible claim: more at the final alignment than came.
  json impossible = SandersRequest();
  impossible["precincts"][0]["claims"] = {
      {{"field", "final"}, {"candidate", "Sanders"}, {"reported", 1}, {"claimed", 50}}};
  EXPECT_EQ(Refusal(impossible), "impossible-claim");
  // Delegates that do not add up to the precinct's three.
  json sum = SandersRequest();
  sum["precincts"][0]["claims"][0]["claimed"] = 0;
  EXPECT_EQ(Refusal(sum), "impossible-claim");
  // No reason; an unknown kind; a recount before any recanvass.
  json no_reason = SandersRequest();
  no_reason["reason"] = " ";
  EXPECT_EQ(Refusal(no_reason), "reason-required");
  json kind = SandersRequest();
  kind["kind"] = "audit";
  EXPECT_EQ(Refusal(kind), "malformed-request");
  json recount = SandersRequest();
  recount["kind"] = "recount";
  EXPECT_EQ(Refusal(recount), "recanvass-first");
  // After the deadline: 88 hours after the complete release (2020-02-04T01:xx).
  l_.time = "2020-02-07T18:00:00.000Z";
  EXPECT_EQ(Refusal(SandersRequest()), "request-deadline-passed");
  l_.time = "2020-02-07T17:00:00.000Z";
  EXPECT_EQ(Refusal(SandersRequest()), "accepted");
  EXPECT_EQ(l_.state.reviews().size(), 1u);
  const int64_t seq = l_.state.seq();
  // Decisions: only the party, on a precinct of the request, with a reason.
  const json decide = {
      {"request", seq}, {"precinct", kOcheyedan}, {"decision", "accepted"}, {"reason", "ok"}};
  EXPECT_EQ(Refusal(decide, "review-decided", Actor{"campaign", "SAN1"}), "forbidden");
  json other = decide;
  other["precinct"] = 1;
  EXPECT_EQ(Refusal(other, "review-decided", Actor{"admin", "cli"}), "not-in-request");
  json unknown_request = decide;
  unknown_request["request"] = 3;
  EXPECT_EQ(Refusal(unknown_request, "review-decided", Actor{"admin", "cli"}), "unknown-request");
  json no_why = decide;
  no_why.erase("reason");
  EXPECT_EQ(Refusal(no_why, "review-decided", Actor{"admin", "cli"}), "reason-required");
  // The party answers late (more than 48 hours after the request): recorded, and shown late.
  l_.time = "2020-02-10T18:00:00.000Z";
  l_.Add("review-decided", decide);
  EXPECT_TRUE(l_.state.reviews()[0].precincts[0].decision()->late);
}

TEST_F(RecanvassTest, ClaimsForSelfFollowTheRuleset) {
  // Under iowa-dem-2020 (claims_for_self = true), Sanders may claim a delegate for Sanders.
  EXPECT_TRUE(l_.state.ruleset().review->claims_for_self);
  EXPECT_EQ(Refusal(SandersRequest()), "accepted");
}

// Accepts precinct 4 of `request` and enters its worksheet as reported (2-1-0).
void RecanvassAsReported(Ledger& l, int64_t request) {
  l.Add(
      "review-decided",
      {{"request", request}, {"precinct", kOcheyedan}, {"decision", "accepted"}, {"reason", "ok"}});
  const json same = Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}});
  l.Add("recanvass-entered", {{"request", request},
                              {"precinct", kOcheyedan},
                              {"worksheet",
                               {{"first", same},
                                {"final", same},
                                {"delegates", Figures({{"Buttigieg", 2}, {"Klobuchar", 1}})}}}});
}

TEST_F(RecanvassTest, ARecountCountsTheCardsAndTheirFiguresReplaceTheReport) {
  l_.Add("review-requested", SandersRequest(), Actor{"campaign", "SAN1"});
  RecanvassAsReported(l_, l_.state.seq());
  json ask = SandersRequest();
  ask["kind"] = "recount";
  ask["submission"] = "r2";
  l_.Add("review-requested", ask, Actor{"campaign", "SAN1"});
  const int64_t request = l_.state.seq();
  l_.Add("review-decided", {{"request", request},
                            {"precinct", kOcheyedan},
                            {"decision", "accepted"},
                            {"reason", "a national delegate turns on it"}});
  // The cards: 5 counted, 2-1-2 at both sorts.
  const json sort = Figures({{"Buttigieg", 2}, {"Klobuchar", 1}, {"Sanders", 2}});
  json tally = {{"request", request},
                {"precinct", kOcheyedan},
                {"cards", 6},
                {"first", sort},
                {"final", sort}};
  EXPECT_EQ(Refusal(tally, "recount-entered", Actor{"admin", "cli"}), "cards-differ");
  json as_recanvass = tally;
  EXPECT_EQ(Refusal(as_recanvass, "recanvass-entered", Actor{"admin", "cli"}), "not-a-recanvass");
  tally["cards"] = 5;
  l_.Add("recount-entered", tally);
  const int64_t entered = l_.state.seq();
  const RecanvassEntry& e = l_.state.recanvass_entries().at(entered);
  EXPECT_EQ(e.kind, "recount");
  EXPECT_EQ(e.count_fields, (std::vector<std::string>{"first.Buttigieg", "first.Sanders",
                                                      "final.Buttigieg", "final.Sanders"}));
  ASSERT_TRUE(e.corrects);
  EXPECT_EQ(l_.state.FiguresJson(e.rules_delegates),
            Figures({{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}}));
  l_.Add("report-corrected", {{"precinct", kOcheyedan},
                              {"reason", "recount"},
                              {"recount", entered},
                              {"keep_ties", true},
                              {"first", sort},
                              {"final", sort},
                              {"delegates", l_.state.FiguresJson(e.rules_delegates)}});
  EXPECT_EQ(l_.state.precinct(kOcheyedan)->revision, 2);
  EXPECT_EQ(l_.state.recanvass_entries().at(entered).correction_seq, l_.state.seq());
  const json record = ReviewsJson(l_.state);
  const json& entry = record["requests"][1]["precincts"][0]["entries"][0];
  EXPECT_EQ(entry["kind"], "recount");
  EXPECT_EQ(entry["recount"]["cards"], 5);
  EXPECT_EQ(entry["layers"][0]["layer"], "count");
}

TEST_F(RecanvassTest, AMissingPacketLeavesThePrecinctAsReportedAndFlagged) {
  l_.Add("review-requested", SandersRequest(), Actor{"campaign", "SAN1"});
  RecanvassAsReported(l_, l_.state.seq());
  json ask = SandersRequest();
  ask["kind"] = "recount";
  ask["submission"] = "r2";
  l_.Add("review-requested", ask, Actor{"campaign", "SAN1"});
  const int64_t request = l_.state.seq();
  l_.Add(
      "review-decided",
      {{"request", request}, {"precinct", kOcheyedan}, {"decision", "accepted"}, {"reason", "ok"}});
  json missing = {{"request", request}, {"precinct", kOcheyedan}, {"unauditable", true}};
  EXPECT_EQ(Refusal(missing, "recount-entered", Actor{"admin", "cli"}), "reason-required");
  missing["custody"] = "the packet was not in the county's box";
  l_.Add("recount-entered", missing);
  EXPECT_TRUE(l_.state.Unauditable(kOcheyedan));
  EXPECT_FALSE(l_.state.recanvass_entries().at(l_.state.seq()).corrects);
  EXPECT_EQ(l_.state.precinct(kOcheyedan)->revision, 1);
  auto rel = BuildRelease(l_.state);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  EXPECT_NE(rel->records.bytes.find("\"unauditable\":true"), std::string::npos);
}

TEST_F(RecanvassTest, CertificationWaitsForEveryAcceptedPrecinctAndMakesReleasesOfficial) {
  l_.Add("review-requested", SandersRequest(), Actor{"campaign", "SAN1"});
  const int64_t request = l_.state.seq();
  l_.Add(
      "review-decided",
      {{"request", request}, {"precinct", kOcheyedan}, {"decision", "accepted"}, {"reason", "ok"}});
  const json certify = {{"reason", "State Central Committee, 26-14"}};
  EXPECT_EQ(Refusal(certify, "results-certified", Actor{"admin", "cli"}), "reviews-open");
  EXPECT_EQ(Refusal(certify, "results-certified", Actor{"campaign", "SAN1"}), "forbidden");
  const json same = Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}});
  l_.Add("recanvass-entered", {{"request", request},
                               {"precinct", kOcheyedan},
                               {"worksheet", {{"first", same}, {"final", same}}}});
  EXPECT_EQ(Refusal(json::object(), "results-certified", Actor{"admin", "cli"}), "reason-required");
  auto before = BuildRelease(l_.state);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(json::parse(before->json.bytes)["official"], false);
  l_.Add("results-certified", certify);
  EXPECT_EQ(Refusal(certify, "results-certified", Actor{"admin", "cli"}), "already-certified");
  auto after = BuildRelease(l_.state);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  const json doc = json::parse(after->json.bytes);
  const json entries = EntriesOf(*after);
  EXPECT_EQ(doc["status"], "certified");
  EXPECT_EQ(doc["official"], true);
  EXPECT_EQ(json::parse(after->cdf.bytes)["Status"], "certified");
  // What was never corrected keeps its flags: Ocheyedan's allocation still differs.
  for (const json& p : entries) {
    if (p["id"] == kOcheyedan) {
      EXPECT_EQ(p["flags"]["flagged"], true);
    }
  }
}

// Costs (cost_hours = 24 after the decision), a schedule and the observers present: each a ledger
// event or part of one, each refusal named.
TEST_F(RecanvassTest, CostsScheduleAndObserversAreOnTheRecord) {
  l_.Add("review-requested", SandersRequest(), Actor{"campaign", "SAN1"});
  const int64_t request = l_.state.seq();
  const json costs = {{"request", request}, {"precinct", kOcheyedan}, {"accepted", true}};
  // No cost stated yet.
  EXPECT_EQ(Refusal(costs, "review-costs"), "no-costs");
  l_.Add("review-decided", {{"request", request},
                            {"precinct", kOcheyedan},
                            {"decision", "accepted"},
                            {"reason", "the worksheet is on file"},
                            {"cost", "350.00"}});
  // Only the campaign that asked answers its costs.
  EXPECT_EQ(Refusal(costs, "review-costs", Actor{"campaign", "BUT1"}), "forbidden");
  EXPECT_EQ(Refusal(costs, "review-costs", Actor{"admin", "cli"}), "forbidden");
  json malformed = costs;
  malformed["accepted"] = "yes";
  EXPECT_EQ(Refusal(malformed, "review-costs"), "malformed-costs");

  // A schedule: when and where the packet is opened.
  const json when = {{"request", request},
                     {"precinct", kOcheyedan},
                     {"at", "2020-02-12T15:00:00.000Z"},
                     {"place", "IDP headquarters, Des Moines"}};
  EXPECT_EQ(Refusal(when, "review-scheduled", Actor{"campaign", "SAN1"}), "forbidden");
  json bad_time = when;
  bad_time["at"] = "Wednesday";
  EXPECT_EQ(Refusal(bad_time, "review-scheduled", Actor{"admin", "cli"}), "malformed-schedule");
  json no_place = when;
  no_place["place"] = " ";
  EXPECT_EQ(Refusal(no_place, "review-scheduled", Actor{"admin", "cli"}), "place-required");
  json past = when;
  past["at"] = "2020-02-01T15:00:00.000Z";
  EXPECT_EQ(Refusal(past, "review-scheduled", Actor{"admin", "cli"}), "schedule-in-past");
  l_.Add("review-scheduled", when);

  const json sheet = {{"first", Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}})},
                      {"final", Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}})},
                      {"delegates", Figures({{"Buttigieg", 2}, {"Klobuchar", 1}})}};
  json entry = {{"request", request},
                {"precinct", kOcheyedan},
                {"worksheet", sheet},
                {"observers", {"Sanders", "Buttigieg"}}};
  EXPECT_EQ(Refusal(entry, "recanvass-entered", Actor{"admin", "cli"}), "costs-not-accepted");
  l_.Add("review-costs", costs, Actor{"campaign", "SAN1"});
  EXPECT_EQ(Refusal(costs, "review-costs"), "costs-answered");

  json unknown = entry;
  unknown["observers"] = {"Sanders", "Bloomberg"};
  EXPECT_EQ(Refusal(unknown, "recanvass-entered", Actor{"admin", "cli"}), "unknown-candidate");
  json twice = entry;
  twice["observers"] = {"Sanders", "Sanders"};
  EXPECT_EQ(Refusal(twice, "recanvass-entered", Actor{"admin", "cli"}), "duplicate-observer");
  l_.Add("recanvass-entered", entry);
  const RecanvassEntry& found = l_.state.recanvass_entries().at(l_.state.seq());
  // In the election's candidate order.
  EXPECT_EQ(found.observers, (std::vector<std::string>{"Buttigieg", "Sanders"}));
  // Rescheduling after the entry is refused.
  EXPECT_EQ(Refusal(when, "review-scheduled", Actor{"admin", "cli"}), "already-entered");

  const json record = ReviewsJson(l_.state);
  const json& p = record["requests"][0]["precincts"][0];
  EXPECT_EQ(p["costs"]["amount"], "350.00");
  EXPECT_EQ(p["costs"]["answer"]["accepted"], true);
  EXPECT_EQ(p["schedule"]["place"], "IDP headquarters, Des Moines");
  EXPECT_EQ(p["schedule"]["at"], "2020-02-12T15:00:00.000Z");
  EXPECT_EQ(p["entries"][0]["observers"], json({"Buttigieg", "Sanders"}));

  ElectionState replayed;
  ChainReport report = ReplayEvents(l_.lines, replayed);
  ASSERT_TRUE(report.ok()) << report.problem->message;
  EXPECT_EQ(ReviewsJson(replayed), record);
}

// A precinct whose costs the campaign declined, or never accepted in time, is closed without an
// entry: it does not hold certification back, and no entry is taken for it.
TEST_F(RecanvassTest, DeclinedOrLateCostsCloseThePrecinct) {
  l_.Add("review-requested", SandersRequest(), Actor{"campaign", "SAN1"});
  const int64_t request = l_.state.seq();
  l_.Add("review-decided", {{"request", request},
                            {"precinct", kOcheyedan},
                            {"decision", "accepted"},
                            {"reason", "on file"},
                            {"cost", "350.00"}});
  EXPECT_EQ(l_.state.OpenReviews().size(), 1u);
  const std::string due = l_.state.CostDeadline(l_.state.reviews()[0].precincts[0]);
  ASSERT_FALSE(due.empty());
  // Past the deadline: the answer is refused with the deadline, and the precinct is closed.
  l_.time = "2020-02-20T00:00:00.000Z";
  const json costs = {{"request", request}, {"precinct", kOcheyedan}, {"accepted", true}};
  const int64_t before = l_.state.seq();
  auto late = l_.TryAdd("review-costs", costs, Actor{"campaign", "SAN1"});
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->code, "cost-deadline-passed");
  EXPECT_NE(late->message.find(due), std::string::npos) << late->message;
  EXPECT_EQ(l_.state.seq(), before);
  EXPECT_TRUE(l_.state.OpenReviews("2020-02-20T00:00:00.000Z").empty());
  l_.time.clear();
  // Declined in time: closed too, and an entry is refused.
  EXPECT_EQ(l_.state.OpenReviews().size(), 1u);
  l_.Add("review-costs", {{"request", request}, {"precinct", kOcheyedan}, {"accepted", false}},
         Actor{"campaign", "SAN1"});
  EXPECT_TRUE(l_.state.OpenReviews().empty());
  const json sheet = {{"first", Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}})}};
  EXPECT_EQ(Refusal({{"request", request}, {"precinct", kOcheyedan}, {"worksheet", sheet}},
                    "recanvass-entered", Actor{"admin", "cli"}),
            "costs-declined");
}

// A claim's eligibility is judged on the results as they stood when the request was filed: a
// later correction elsewhere changes what the materiality list says now, not the request's answer.
TEST_F(RecanvassTest, EligibilityIsJudgedOnTheResultsWhenTheRequestWasFiled) {
  l_.Add("review-requested", SandersRequest(), Actor{"campaign", "SAN1"});
  const ReviewRequest& filed = l_.state.reviews()[0];
  ASSERT_TRUE(filed.election);
  const int64_t judged_on = filed.records_seq;
  EXPECT_GT(judged_on, 0);
  const json before = ReviewsJson(l_.state)["requests"][0];
  EXPECT_EQ(before["judged_on"], judged_on);
  // A second request with no change in between shares the same frozen results.
  json second = SandersRequest();
  second["submission"] = "r2";
  second["precincts"][0]["claims"][0]["claimed"] = 0;
  second["precincts"][0]["claims"][1]["claimed"] = 2;
  l_.Add("review-requested", second, Actor{"campaign", "SAN1"});
  EXPECT_EQ(l_.state.reviews()[1].election.get(), l_.state.reviews()[0].election.get());
  // A correction of another precinct's report: the first request's answer is unchanged.
  l_.Add("report-corrected",
         {{"precinct", 5},
          {"reason", "typo"},
          {"first", Figures({{"Biden", 21}, {"Buttigieg", 20}, {"Sanders", 19}})},
          {"final", Figures({{"Biden", 21}, {"Buttigieg", 20}, {"Sanders", 19}})}});
  const json after = ReviewsJson(l_.state)["requests"][0];
  EXPECT_EQ(after["judged_on"], judged_on);
  EXPECT_EQ(after["precincts"][0]["eligibility"], before["precincts"][0]["eligibility"]);
  l_.Add(
      "review-requested",
      [&] {
        json third = second;
        third["submission"] = "r3";
        return third;
      }(),
      Actor{"campaign", "SAN1"});
  EXPECT_NE(l_.state.reviews()[2].election.get(), l_.state.reviews()[0].election.get());
  EXPECT_GT(l_.state.reviews()[2].records_seq, judged_on);
}

}  // namespace
}  // namespace canvass::publish_test
