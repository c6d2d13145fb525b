// A recanvass through the API: a campaign files the request, the party accepts it and enters the
// signed worksheet, the correction lands as a new revision citing the entry, and the public
// record (GET /api/v1/audit) shows each step with its ledger position. Roles are checked before
// anything is written; refusals name what is wrong.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"
#include "state/replay.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class ReviewRoutesTest : public ApiFixture<Backend> {
 protected:
  // Every precinct reports its final alignment (Ocheyedan as the party published it on
  // 8 February: 2-1-0 where the rules give 1-1-1), then a release of the whole ledger: requests
  // open with it.
  void ReportAllAndRelease() {
    const json figures[] = {
        {{"Buttigieg", 30}, {"Klobuchar", 25}, {"Sanders", 25}},
        {{"Biden", 20}, {"Buttigieg", 30}, {"Sanders", 40}},
        {{"Warren", 100}, {"Sanders", 60}},
        {{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}},
        {{"Biden", 30}, {"Warren", 30}, {"Sanders", 30}},
    };
    for (int64_t id = 1; id <= kPrecincts; ++id) {
      const std::string chair = this->Chair(id);
      const json& f = figures[id - 1];
      ASSERT_EQ(this->Post(PrecinctPath(id, "first"), {{"first", f}}, chair).status, 201);
      json final = {{"final", f}};
      if (id == kOcheyedan) final["delegates"] = {{"Buttigieg", 2}, {"Klobuchar", 1}};
      Reply r = this->Post(PrecinctPath(id, "final"), final, chair);
      ASSERT_EQ(r.status, 201) << r;
    }
    // A release of the ledger as it stands (what the publisher appends after building one).
    const auto [seq, head] = this->intake_->Read([](const ElectionState& s) {
      return std::pair{s.seq(), s.head_hash()};
    });
    Outcome o = this->intake_->SubmitAndWait(
        Submission{"release-published",
                   Actor{"admin", "cli"},
                   "cli",
                   {{"number", 1}, {"ledger_seq", seq}, {"ledger_head", head}}});
    ASSERT_EQ(o.kind, Outcome::Kind::kAccepted) << (o.rejection ? o.rejection->message : "");
  }

  json Request() const {
    return {
        {"submission", "req-1"},
        {"kind", "recanvass"},
        {"reason", "a viable group lost its only delegate"},
        {"precincts",
         {{{"precinct", kOcheyedan},
           {"claims",
            {{{"field", "delegates"}, {"candidate", "Sanders"}, {"reported", 0}, {"claimed", 1}},
             {{"field", "delegates"},
              {"candidate", "Buttigieg"},
              {"reported", 2},
              {"claimed", 1}}}}}}}};
  }
};
TYPED_TEST_SUITE(ReviewRoutesTest, Backends, BackendNames);

TYPED_TEST(ReviewRoutesTest, ACampaignsRecanvassRequestEndsInACorrectionCitingTheWorksheet) {
  ASSERT_NO_FATAL_FAILURE(this->ReportAllAndRelease());
  const std::string sanders = this->Campaign("Sanders");
  const std::string admin = this->Admin();

  Reply filed = this->Post("/api/v1/reviews", this->Request(), sanders);
  ASSERT_EQ(filed.status, 201) << filed;
  const int64_t request = filed.doc["receipt"]["seq"].get<int64_t>();
  EXPECT_EQ(filed.doc["receipt"]["event"], "review-requested");
  // A retry is the same answer, nothing written.
  Reply again = this->Post("/api/v1/reviews", this->Request(), sanders);
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.doc["receipt"]["seq"], request);

  const std::string base = "/api/v1/reviews/" + std::to_string(request);
  Reply decided = this->Post(base + "/decisions",
                             {{"submission", "d-1"},
                              {"precinct", kOcheyedan},
                              {"decision", "accepted"},
                              {"reason", "the signed worksheet is on file"}},
                             admin);
  ASSERT_EQ(decided.status, 201) << decided;

  const json same = {{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}};
  Reply entered = this->Post(
      base + "/recanvass",
      {{"submission", "e-1"},
       {"precinct", kOcheyedan},
       {"worksheet",
        {{"first", same}, {"final", same}, {"delegates", {{"Buttigieg", 2}, {"Klobuchar", 1}}}}}},
      admin);
  ASSERT_EQ(entered.status, 201) << entered;
  // The answer is the correction's: the precinct's new revision.
  EXPECT_EQ(entered.doc["receipt"]["event"], "report-corrected");
  const int64_t correction = entered.doc["receipt"]["seq"].get<int64_t>();

  json p = this->Precinct(kOcheyedan);
  EXPECT_EQ(p["revision"], 2) << p;

  Reply record = this->Get("/api/v1/audit");
  ASSERT_EQ(record.status, 200) << record;
  ASSERT_EQ(record.doc["requests"].size(), 1u) << record;
  const json& r = record.doc["requests"][0];
  EXPECT_EQ(r["seq"], request);
  EXPECT_EQ(r["requester"], "Sanders");
  const json& pr = r["precincts"][0];
  EXPECT_EQ(pr["decision"]["seq"], decided.doc["receipt"]["seq"]);
  ASSERT_EQ(pr["entries"].size(), 1u);
  EXPECT_EQ(pr["entries"][0]["seq"], correction - 1);
  EXPECT_EQ(pr["entries"][0]["layers"][0]["layer"], "rule-misapplication");
  EXPECT_EQ(pr["entries"][0]["correction"]["seq"], correction);
  EXPECT_EQ(pr["entries"][0]["correction"]["delegates"],
            json({{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}}));
  EXPECT_EQ(pr["revision"], 2);
  // Cached by ledger position, revalidated by its ETag.
  Reply cached = this->Get("/api/v1/audit", "", {{"If-None-Match", record.Header("etag")}});
  EXPECT_EQ(cached.status, 304);

  // The ledger replays to the same head.
  auto [lines, head] = this->intake_->Read([](const ElectionState& s) {
    return std::pair{s.lines(), s.head_hash()};
  });
  ElectionState replayed;
  ChainReport report = ReplayEvents(lines, replayed);
  ASSERT_TRUE(report.ok()) << report.problem->message;
  EXPECT_EQ(replayed.head_hash(), head);
  EXPECT_EQ(replayed.precinct(kOcheyedan)->revision, 2);
}

TYPED_TEST(ReviewRoutesTest, RolesAndBadRequestsAreRefusedWithTheirReason) {
  // Before a complete release: no request yet.
  Reply early = this->Post("/api/v1/reviews", this->Request(), this->Campaign("Sanders"));
  EXPECT_TRUE(IsError(early, 409, "no-complete-release")) << early;
  ASSERT_NO_FATAL_FAILURE(this->ReportAllAndRelease());
  const int64_t before = this->Seq();
  // Who may ask: not the public, not a chair, not the party chair under iowa-dem-2020.
  EXPECT_TRUE(IsError(this->Post("/api/v1/reviews", this->Request()), 401, "unauthenticated"));
  EXPECT_TRUE(IsError(this->Post("/api/v1/reviews", this->Request(), this->Chair(kAdair)), 403,
                      "forbidden"));
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/reviews", this->Request(), this->Admin()), 403, "forbidden"));
  // What is wrong is named.
  json unknown = this->Request();
  unknown["precincts"][0]["precinct"] = 77;
  EXPECT_TRUE(IsError(this->Post("/api/v1/reviews", unknown, this->Campaign("Sanders")), 404,
                      "unknown-precinct", "precincts[0].precinct"));
  json impossible = this->Request();
  const json claim = {
      {"field", "final"}, {"candidate", "Sanders"}, {"reported", 1}, {"claimed", 9}};
  impossible["precincts"][0]["claims"] = json::array({claim});
  EXPECT_TRUE(IsError(this->Post("/api/v1/reviews", impossible, this->Campaign("Sanders")), 422,
                      "impossible-claim", "precincts[0].claims"));
  // Decisions and entries: the party only, on a request that exists.
  EXPECT_TRUE(IsError(
      this->Post("/api/v1/reviews/3/decisions",
                 {{"precinct", kOcheyedan}, {"decision", "accepted"}}, this->Campaign("Sanders")),
      403, "forbidden"));
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/reviews/3/decisions",
                         {{"precinct", kOcheyedan}, {"decision", "accepted"}, {"reason", "ok"}},
                         this->Admin()),
              404, "unknown-request", "request"));
  EXPECT_EQ(this->Seq(), before);
}

}  // namespace
}  // namespace canvass::api_test
