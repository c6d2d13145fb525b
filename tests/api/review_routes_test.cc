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
  const std::string head =
      this->intake_->Read([](const ElectionState& s) { return s.head_hash(); });
  auto lines = this->intake_->ReadEvents(0, 100000);
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  ElectionState replayed;
  ChainReport report = ReplayEvents(*lines, replayed);
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

// Evidence uploaded by the campaign and cited by hash, a cost the campaign must accept before the
// worksheet is entered, a schedule and the observers present: each on the public record.
TYPED_TEST(ReviewRoutesTest, EvidenceCostsScheduleAndObserversGoThroughTheApi) {
  ASSERT_NO_FATAL_FAILURE(this->ReportAllAndRelease());
  const std::string sanders = this->Campaign("Sanders");
  const std::string admin = this->Admin();
  const std::string pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
  // Only campaigns and the party upload evidence; only photos and PDFs.
  EXPECT_TRUE(
      IsError(this->Call("POST", "/api/v1/evidence", pdf, this->Chair(kAdair)), 403, "forbidden"));
  EXPECT_TRUE(IsError(this->Call("POST", "/api/v1/evidence", "plain text", sanders), 415,
                      "unsupported-evidence"));
  Reply up = this->Call("POST", "/api/v1/evidence", pdf, sanders);
  ASSERT_EQ(up.status, 201) << up;
  const std::string hash = up.doc["sha256"].get<std::string>();
  EXPECT_EQ(up.doc["content_type"], "application/pdf");
  Reply served = this->Get("/api/v1/photos/" + hash);
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.body, pdf);
  EXPECT_NE(served.Header("content-disposition").find("attachment"), std::string::npos);

  // A request citing a hash never uploaded is refused, naming the field.
  json request = this->Request();
  // Built as values first: a braced single-element list assigned into a member leaks under
  // clang 14's nlohmann::json initializer-list handling.
  const json never_uploaded = json::array({json(std::string(64, 'a'))});
  request["precincts"][0]["evidence"] = never_uploaded;
  const int64_t before = this->Seq();
  EXPECT_TRUE(IsError(this->Post("/api/v1/reviews", request, sanders), 422, "unknown-evidence",
                      "precincts[0].evidence"));
  EXPECT_EQ(this->Seq(), before);
  const json cited = json::array({json(hash)});
  request["precincts"][0]["evidence"] = cited;
  Reply filed = this->Post("/api/v1/reviews", request, sanders);
  ASSERT_EQ(filed.status, 201) << filed;
  const std::string base = "/api/v1/reviews/" + filed.doc["receipt"]["seq"].dump();
  ASSERT_EQ(this->Post(base + "/decisions",
                       {{"submission", "d-1"},
                        {"precinct", kOcheyedan},
                        {"decision", "accepted"},
                        {"reason", "on file"},
                        {"cost", "350.00"}},
                       admin)
                .status,
            201);
  const json same = {{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}};
  const json entry = {{"submission", "e-1"},
                      {"precinct", kOcheyedan},
                      {"worksheet", {{"first", same}, {"final", same}}},
                      {"observers", {"Sanders", "Buttigieg"}}};
  EXPECT_TRUE(IsError(this->Post(base + "/recanvass", entry, admin), 409, "costs-not-accepted"));
  // Only the campaign that asked answers the costs.
  const json yes = {{"submission", "c-1"}, {"precinct", kOcheyedan}, {"accepted", true}};
  EXPECT_TRUE(IsError(this->Post(base + "/costs", yes, admin), 403, "forbidden"));
  EXPECT_TRUE(
      IsError(this->Post(base + "/costs", yes, this->Campaign("Buttigieg")), 403, "forbidden"));
  ASSERT_EQ(this->Post(base + "/costs", yes, sanders).status, 201);
  EXPECT_TRUE(IsError(this->Post(base + "/schedule",
                                 {{"submission", "s-0"},
                                  {"precinct", kOcheyedan},
                                  {"at", "2020-02-12T15:00:00.000Z"},
                                  {"place", "IDP"}},
                                 sanders),
                      403, "forbidden"));
  Reply scheduled = this->Post(base + "/schedule",
                               {{"submission", "s-1"},
                                {"precinct", kOcheyedan},
                                {"at", "2099-02-12T15:00:00.000Z"},
                                {"place", "IDP headquarters"}},
                               admin);
  ASSERT_EQ(scheduled.status, 201) << scheduled;
  ASSERT_EQ(this->Post(base + "/recanvass", entry, admin).status, 201);

  Reply record = this->Get("/api/v1/audit");
  ASSERT_EQ(record.status, 200);
  const json& pr = record.doc["requests"][0]["precincts"][0];
  EXPECT_EQ(pr["evidence"], json({hash}));
  EXPECT_EQ(pr["costs"]["amount"], "350.00");
  EXPECT_EQ(pr["costs"]["answer"]["accepted"], true);
  EXPECT_EQ(pr["schedule"]["place"], "IDP headquarters");
  EXPECT_EQ(pr["entries"][0]["observers"], json({"Buttigieg", "Sanders"}));
  EXPECT_TRUE(record.doc["requests"][0]["judged_on"].is_number_integer());
}

}  // namespace
}  // namespace canvass::api_test
