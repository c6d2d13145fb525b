// Practice reports: a chair sends a worksheet before the night to show the app works. The answer
// is the worksheet; readiness counts it (from the ledger); no figure, status, result or release
// changes.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class PracticeTest : public ApiFixture<Backend> {
 protected:
  bool LogInEveryone() const override { return false; }  // readiness counts logins
};
TYPED_TEST_SUITE(PracticeTest, Backends, BackendNames);

// Adair 1NW elects 8: 30/25/20/5 first, 33/27/20 final (Warren's 5 are not viable).
json PracticeBody(const std::string& submission) {
  return {{"submission", submission},
          {"first", {{"Buttigieg", 30}, {"Klobuchar", 25}, {"Sanders", 20}, {"Warren", 5}}},
          {"final", {{"Buttigieg", 33}, {"Klobuchar", 27}, {"Sanders", 20}}}};
}

// The results document without its ledger position (which every event moves).
json ResultsWithoutLedger(Reply r) {
  EXPECT_EQ(r.status, 200) << r;
  if (r.doc.is_object()) r.doc.erase("ledger");
  return r.doc;
}

TYPED_TEST(PracticeTest, CountsInReadinessAndChangesNothingElse) {
  const std::string admin = this->Admin();
  Reply ready = this->Get("/api/v1/readiness", admin);
  ASSERT_EQ(ready.status, 200) << ready;
  EXPECT_EQ(ready.doc["chairs_practised"], 0);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["practice_reports"], 0);

  const std::string chair = this->Chair(kAdair);
  const json precinct_before = this->Precinct(kAdair);
  const json results_before = ResultsWithoutLedger(this->Get("/api/v1/results"));
  const json list_before = this->Get("/api/v1/precincts").doc["precincts"];
  const json releases_before = this->Get("/api/v1/releases").doc["releases"];
  const int64_t seq = this->Seq();

  Reply r = this->Post(PrecinctPath(kAdair, "practice"), PracticeBody("practice-1"), chair);
  ASSERT_EQ(r.status, 201) << r;
  // The answer is the worksheet the rules give, as /preview would, with the receipt.
  EXPECT_EQ(r.doc["receipt"]["event"], "practice-report");
  EXPECT_EQ(r.doc["receipt"]["seq"], seq + 1);
  EXPECT_EQ(r.doc["practice"]["reports"], 1);
  EXPECT_EQ(r.doc["practice"]["last_seq"], seq + 1);
  EXPECT_TRUE(r.doc["precinct"].is_string()) << r;  // the worksheet's name, not a precinct record
  EXPECT_EQ(r.doc["id"], kAdair);
  EXPECT_EQ(r.doc["reported"]["final"]["Klobuchar"], 27);
  EXPECT_EQ(r.doc["viability"]["attendance"], 80);
  const std::map<std::string, int64_t> delegates = ComputedDelegates(r.doc);
  EXPECT_FALSE(delegates.empty()) << r;
  json preview = PracticeBody("");
  preview.erase("submission");
  Reply p = this->Post(PrecinctPath(kAdair, "preview"), preview, chair);
  ASSERT_EQ(p.status, 200) << p;
  EXPECT_EQ(r.doc["computed"], p.doc["computed"]);
  EXPECT_EQ(r.doc["findings"], p.doc["findings"]);

  // The ledger holds it as a practice-report; nothing else moved.
  const std::vector<json> events = this->LedgerEvents();
  ASSERT_EQ(static_cast<int64_t>(events.size()), seq + 1);
  EXPECT_EQ(events.back()["type"], "practice-report");
  EXPECT_EQ(events.back()["payload"]["precinct"], kAdair);
  EXPECT_EQ(this->Precinct(kAdair), precinct_before);
  EXPECT_EQ(this->StatusOf(kAdair), "not-reported");
  EXPECT_EQ(ResultsWithoutLedger(this->Get("/api/v1/results")), results_before);
  EXPECT_EQ(this->Get("/api/v1/precincts").doc["precincts"], list_before);
  EXPECT_EQ(this->Get("/api/v1/releases").doc["releases"], releases_before);

  // An administrator may send one for any precinct.
  Reply by_admin = this->Post(PrecinctPath(kStuart, "practice"),
                              {{"submission", "p-admin"}, {"first", {{"Biden", 40}}}}, admin);
  ASSERT_EQ(by_admin.status, 201) << by_admin;

  ready = this->Get("/api/v1/readiness", admin);
  ASSERT_EQ(ready.status, 200) << ready;
  EXPECT_EQ(ready.doc["chairs_practised"], 2);
  EXPECT_EQ(ready.doc["chairs_ready"], 1);  // Adair's chair logged in and practised
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["practice_reports"], 1);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["practice_seq"], seq + 1);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["chair_logged_in"], true);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["status"], "not-reported");
  EXPECT_EQ(ready.doc["precincts"][kFontanelle - 1]["practice_reports"], 0);

  // Readiness comes from the ledger: a restarted node still knows (logins too: readiness_test).
  this->Restart();
  ready = this->Get("/api/v1/readiness", this->Admin());
  ASSERT_EQ(ready.status, 200) << ready;
  EXPECT_EQ(ready.doc["chairs_practised"], 2);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["practice_reports"], 1);

  // The night itself is untouched: the real first alignment is still the first.
  Reply first = this->Post(PrecinctPath(kAdair, "first"),
                           {{"submission", "real-1"}, {"first", {{"Biden", 12}}}}, chair);
  EXPECT_EQ(first.status, 201) << first;
  EXPECT_EQ(this->Precinct(kAdair)["revision"], 1);
}

TYPED_TEST(PracticeTest, RefusedForAnotherPrecinctsChairAndForBadFigures) {
  // Logged in before counting: a code's first login is a ledger event (session-opened).
  this->Chair(kStuart);
  this->Chair(kAdair);
  this->Operator(1);
  const int64_t seq = this->Seq();
  EXPECT_TRUE(
      IsError(this->Post(PrecinctPath(kAdair, "practice"), PracticeBody("x"), this->Chair(kStuart)),
              403, "forbidden"));
  EXPECT_TRUE(
      IsError(this->Post(PrecinctPath(kAdair, "practice"), PracticeBody("x"), this->Operator(1)),
              403, "forbidden"));
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kAdair, "practice"), PracticeBody("x")), 401,
                      "unauthenticated"));
  // The same engine: what the night would refuse, practice refuses too.
  EXPECT_TRUE(IsError(
      this->Post(PrecinctPath(kAdair, "practice"),
                 {{"submission", "big"}, {"first", {{"Biden", 10}}}, {"final", {{"Biden", 11}}}},
                 this->Chair(kAdair)),
      422, "final-exceeds-attendance", "final"));
  EXPECT_TRUE(
      IsError(this->Post(PrecinctPath(kAdair, "practice"),
                         {{"submission", "who"}, {"first", {{"Nobody", 10}}}}, this->Chair(kAdair)),
              404, "unknown-candidate", "first.Nobody"));
  EXPECT_TRUE(IsError(
      this->Post(PrecinctPath(kAdair, "practice"), {{"submission", "none"}}, this->Chair(kAdair)),
      422, "missing-figures", "first"));
  EXPECT_EQ(this->Seq(), seq);
  Reply ready = this->Get("/api/v1/readiness", this->Admin());
  EXPECT_EQ(ready.doc["chairs_practised"], 0);
}

TYPED_TEST(PracticeTest, Idempotent) {
  const std::string chair = this->Chair(kAdair);
  Reply one = this->Post(PrecinctPath(kAdair, "practice"), PracticeBody("again"), chair);
  ASSERT_EQ(one.status, 201) << one;
  const int64_t seq = this->Seq();
  Reply two = this->Post(PrecinctPath(kAdair, "practice"), PracticeBody("again"), chair);
  EXPECT_EQ(two.status, 200) << two;
  EXPECT_EQ(two.doc, one.doc);
  EXPECT_EQ(this->Seq(), seq);
  Reply ready = this->Get("/api/v1/readiness", this->Admin());
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["practice_reports"], 1);
  // A new submission id is a new practice report; a chair may practise as often as they like.
  Reply three = this->Post(PrecinctPath(kAdair, "practice"), PracticeBody("third"), chair);
  EXPECT_EQ(three.status, 201) << three;
  EXPECT_EQ(three.doc["practice"]["reports"], 2);
  ready = this->Get("/api/v1/readiness", this->Admin());
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["practice_reports"], 2);
  EXPECT_EQ(ready.doc["chairs_practised"], 1);
}

}  // namespace
}  // namespace canvass::api_test
