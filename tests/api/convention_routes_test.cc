// Conventions through the API (docs/api.md "Conventions"): an administrator creates one and
// publishes its procedure, the filing desk enters filings, each campaign reviews its own filers,
// a voter's code (issued through the API) is refused a ballot before voting opens; anyone reads
// the convention. Refusals write nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api_fixture.h"
#include "ledger/event.h"
#include "state/convention.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class ConventionRoutesTest : public ApiFixture<Backend> {};

TYPED_TEST_SUITE(ConventionRoutesTest, Backends, BackendNames);

TYPED_TEST(ConventionRoutesTest, FromProcedureToReviewWithEveryRefusal) {
  const std::string admin = this->Admin();
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/conventions", {{"convention", "CD3"}}), 401, "unauthenticated"));
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/conventions", {{"convention", "CD3"}, {"district", "IA-03"}},
                         this->Chair(kAdair)),
              403, "forbidden"));
  Reply created =
      this->Post("/api/v1/conventions",
                 {{"convention", "CD3"}, {"district", "IA-03"}, {"notice_days", 0}}, admin);
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.doc["receipt"]["event"], "convention-created");
  Reply published = this->Post("/api/v1/conventions/CD3/procedures",
                               {{"formula", "droop"},
                                {"pools", json::array({{{"name", "District"}, {"seats", 4}}})},
                                {"filing_deadline", "2099-04-16T23:59:59.999Z"}},
                               admin);
  ASSERT_EQ(published.status, 201) << published;
  ASSERT_EQ(this->Post("/api/v1/conventions/CD3/stages", {{"stage", "filing"}}, admin).status, 201);
  const json filing = {{"name", "Ann Ames"},
                       {"preference", "Sanders"},
                       {"gender", "woman"},
                       {"district", "IA-03"},
                       {"pledge", "I support Bernie Sanders."}};
  ASSERT_EQ(this->Post("/api/v1/conventions/CD3/filings", filing, admin).status, 201);
  const int64_t seq = this->Seq();

  // Refused, nothing written: another convention in the body, a filing twice, a campaign
  // reviewing another's filer, a ballot before voting opens, a step that does not exist.
  json other = filing;
  other["convention"] = "CD4";
  EXPECT_TRUE(IsError(this->Post("/api/v1/conventions/CD3/filings", other, admin), 422,
                      "convention-mismatch", "convention"));
  EXPECT_TRUE(IsError(this->Post("/api/v1/conventions/CD3/filings", filing, admin), 409,
                      "already-filed", "name"));
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/conventions/CD3/reviews",
                         {{"filer", "Ann Ames"}, {"decision", "struck"}}, this->Campaign("Biden")),
              403, "forbidden"));
  Reply voter =
      this->Post("/api/v1/credentials/reissue", {{"role", "voter"}, {"subject", "CD3"}}, admin);
  ASSERT_EQ(voter.status, 201) << voter;
  Reply login = this->LoginWith(voter.doc["code"].get<std::string>());
  ASSERT_EQ(login.status, 200) << login;
  EXPECT_EQ(login.doc["role"], "voter");
  const int64_t after_login = this->Seq();  // the voter code and its first login
  EXPECT_EQ(after_login, seq + 2);
  EXPECT_TRUE(IsError(
      this->Post("/api/v1/conventions/CD3/ballots", {{"pool", "District"}, {"slate", "Joe"}},
                 login.doc["token"].get<std::string>()),
      409, "voting-not-open"));
  EXPECT_TRUE(IsError(this->Post("/api/v1/conventions/CD3/votes", {{"pool", "District"}}, admin),
                      404, "not-found"));
  EXPECT_EQ(this->Seq(), after_login);

  Reply reviewed =
      this->Post("/api/v1/conventions/CD3/reviews",
                 {{"filer", "Ann Ames"}, {"decision", "approved"}}, this->Campaign("Sanders"));
  ASSERT_EQ(reviewed.status, 201) << reviewed;

  // Anyone reads it: the procedure with its hash, the filing stage, the filer and her review.
  Reply list = this->Get("/api/v1/conventions");
  ASSERT_EQ(list.status, 200) << list;
  EXPECT_EQ(list.doc["conventions"][0]["convention"], "CD3");
  Reply shown = this->Get("/api/v1/conventions/CD3");
  ASSERT_EQ(shown.status, 200) << shown;
  EXPECT_EQ(shown.doc["procedures"][0]["formula"], "droop");
  EXPECT_EQ(shown.doc["procedures"][0]["hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(shown.doc["filing"]["procedure"], published.doc["receipt"]["seq"]);
  EXPECT_EQ(shown.doc["filers"][0]["review"], "approved");
  EXPECT_TRUE(shown.doc["voting"].is_null());
  EXPECT_TRUE(IsError(this->Get("/api/v1/conventions/CD9"), 404, "unknown-convention"));
  EXPECT_EQ(this->Call("DELETE", "/api/v1/conventions/CD3").status, 405);
}

// The voter roll (POST .../voters) and "have I voted" (GET .../my-ballot): the convention's officer
// issues 3 voter codes for pool B, an administrator one for pool A; each B voter votes once and
// finds its ballot's seq, time and hash; a fourth ballot from the first is a duplicate, a B voter
// is refused in pool A; a campaign or a chair issues none; reissuing one voter's code revokes that
// one only; a restart replays the roll and the ballots.
TYPED_TEST(ConventionRoutesTest, VoterRollEachVoterVotesOnceInItsPool) {
  const std::string admin = this->Admin();
  ASSERT_EQ(this->Post("/api/v1/conventions",
                       {{"convention", "CD5"},
                        {"district", "IA-05"},
                        {"notice_days", 0},
                        {"min_approved_per_slot", 0}},
                       admin)
                .status,
            201);
  // Filing closes 3 s from now: the filings are in by then, and voting opens after it.
  const std::string deadline =
      LedgerTimeFromMillis(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count() +
                           3000);
  const json pools = json::array({{{"name", "A"}, {"preference", "Biden"}, {"seats", 1}},
                                  {{"name", "B"}, {"preference", "Sanders"}, {"seats", 1}}});
  ASSERT_EQ(
      this->Post("/api/v1/conventions/CD5/procedures",
                 {{"formula", "block"}, {"pools", pools}, {"filing_deadline", deadline}}, admin)
          .status,
      201);
  ASSERT_EQ(this->Post("/api/v1/conventions/CD5/stages", {{"stage", "filing"}}, admin).status, 201);
  for (const auto& [name, pref] :
       {std::pair{"Ann", "Biden"}, {"Di", "Sanders"}, {"Ed", "Sanders"}}) {
    Reply filed = this->Post("/api/v1/conventions/CD5/filings",
                             {{"name", name},
                              {"preference", pref},
                              {"gender", "woman"},
                              {"district", "IA-05"},
                              {"pledge", std::string("I support ") + pref + "."}},
                             admin);
    ASSERT_EQ(filed.status, 201) << filed;
  }
  Reply officer_code =
      this->Post("/api/v1/credentials/reissue", {{"role", "officer"}, {"subject", "CD5"}}, admin);
  ASSERT_EQ(officer_code.status, 201) << officer_code;
  Reply officer_login = this->LoginWith(officer_code.doc["code"].get<std::string>());
  ASSERT_EQ(officer_login.status, 200) << officer_login;
  const std::string officer = officer_login.doc["token"].get<std::string>();

  // Refused, nothing written: a campaign, a chair, no count, a count out of bounds, an unknown
  // pool.
  const int64_t before = this->Seq();
  const std::string voters = "/api/v1/conventions/CD5/voters";
  EXPECT_TRUE(IsError(this->Post(voters, {{"count", 3}}), 401, "unauthenticated"));
  EXPECT_TRUE(
      IsError(this->Post(voters, {{"count", 3}}, this->Campaign("Sanders")), 403, "forbidden"));
  EXPECT_TRUE(IsError(this->Post(voters, {{"count", 3}}, this->Chair(kAdair)), 403, "forbidden"));
  EXPECT_TRUE(
      IsError(this->Post(voters, {{"pool", "B"}}, officer), 422, "malformed-request", "count"));
  EXPECT_TRUE(IsError(this->Post(voters, {{"count", 0}}, officer), 422, "bad-count", "count"));
  EXPECT_TRUE(IsError(this->Post(voters, {{"count", kMaxVotersPerIssue + 1}}, officer), 422,
                      "bad-count", "count"));
  EXPECT_TRUE(IsError(this->Post(voters, {{"count", 1}, {"pool", "Z"}}, officer), 404,
                      "unknown-pool", "pool"));
  EXPECT_EQ(this->Seq(), before);

  // The officer issues 3 codes for pool B: answered once, only their hashes on the ledger.
  Reply roll = this->Post(voters, {{"submission", "roll-B"}, {"pool", "B"}, {"count", 3}}, officer);
  ASSERT_EQ(roll.status, 201) << roll;
  EXPECT_EQ(roll.doc["receipt"]["event"], "voters-issued");
  ASSERT_EQ(roll.doc["voters"].size(), 3u);
  std::vector<std::string> codes, ids;
  for (const json& v : roll.doc["voters"]) {
    codes.push_back(v["code"].get<std::string>());
    ids.push_back(v["credential"].get<std::string>());
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 3u);
  const json line = this->LedgerEvents().back();
  EXPECT_EQ(line["type"], "voters-issued");
  ASSERT_EQ(line["payload"]["voters"].size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(line["payload"]["voters"][k]["credential"], ids[k]);
    EXPECT_EQ(line["payload"]["voters"][k]["hash"].get<std::string>().rfind("$argon2id$", 0), 0u);
    const std::string secret = codes[k].substr(5);  // "ID-XXXX-..." without the public id
    EXPECT_EQ(line.dump().find(secret.substr(0, 4) + "-" + secret.substr(5, 4)), std::string::npos);
  }
  // A retry of the same submission: the receipt again, no codes (they were never kept).
  Reply again =
      this->Post(voters, {{"submission", "roll-B"}, {"pool", "B"}, {"count", 3}}, officer);
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.doc["receipt"], roll.doc["receipt"]);
  EXPECT_TRUE(again.doc["voters"].empty());
  Reply roll_a = this->Post(voters, {{"pool", "A"}, {"count", 1}}, admin);
  ASSERT_EQ(roll_a.status, 201) << roll_a;

  std::vector<std::string> tokens;
  for (const std::string& code : codes) {
    Reply login = this->LoginWith(code);
    ASSERT_EQ(login.status, 200) << login;
    EXPECT_EQ(login.doc["role"], "voter");
    EXPECT_EQ(login.doc["subject"], "CD5/B");
    tokens.push_back(login.doc["token"].get<std::string>());
  }
  const std::string mine = "/api/v1/conventions/CD5/my-ballot";
  Reply not_yet = this->Get(mine, tokens[0]);
  ASSERT_EQ(not_yet.status, 200) << not_yet;
  EXPECT_EQ(not_yet.doc["voted"], false);
  EXPECT_EQ(not_yet.doc["pools"], json::array({{{"pool", "B"}, {"voted", false}}}));
  EXPECT_TRUE(IsError(this->Get(mine), 401, "unauthenticated"));
  EXPECT_TRUE(IsError(this->Get(mine, officer), 403, "forbidden"));
  EXPECT_TRUE(IsError(this->Get(mine, this->Campaign("Sanders")), 403, "forbidden"));

  // Voting opens once the filing deadline has passed.
  ASSERT_TRUE(Eventually(
      [&] {
        return this->Post("/api/v1/conventions/CD5/stages", {{"stage", "voting"}}, officer)
                   .status == 201;
      },
      std::chrono::seconds(30)));
  std::vector<json> receipts;
  for (size_t k = 0; k < 3; ++k) {
    Reply cast = this->Post("/api/v1/conventions/CD5/ballots",
                            {{"pool", "B"}, {"marks", {{k == 1 ? "Ed" : "Di", 1}}}}, tokens[k]);
    ASSERT_EQ(cast.status, 201) << cast;
    receipts.push_back(cast.doc["receipt"]);
    Reply voted = this->Get(mine, tokens[k]);
    ASSERT_EQ(voted.status, 200) << voted;
    EXPECT_EQ(voted.doc["voted"], true);
    EXPECT_EQ(voted.doc["credential"], ids[k]);
    const json& ballot = voted.doc["pools"][0]["ballot"];
    EXPECT_EQ(ballot["seq"], cast.doc["receipt"]["seq"]);
    EXPECT_EQ(ballot["hash"], cast.doc["receipt"]["hash"]);
    EXPECT_EQ(this->LedgerEvents().back()["time"], ballot["time"]);
  }
  const int64_t cast_seq = this->Seq();
  EXPECT_TRUE(IsError(this->Post("/api/v1/conventions/CD5/ballots",
                                 {{"pool", "B"}, {"marks", {{"Ed", 1}}}}, tokens[0]),
                      409, "duplicate-ballot"));
  EXPECT_TRUE(IsError(this->Post("/api/v1/conventions/CD5/ballots",
                                 {{"pool", "A"}, {"marks", {{"Ann", 1}}}}, tokens[1]),
                      403, "ineligible-voter"));
  EXPECT_EQ(this->Seq(), cast_seq);

  // Reissuing the second voter's code revokes that one alone.
  Reply reissued = this->Post("/api/v1/credentials/reissue", {{"credential", ids[1]}}, admin);
  ASSERT_EQ(reissued.status, 201) << reissued;
  EXPECT_EQ(reissued.doc["subject"], "CD5/B");
  EXPECT_TRUE(IsError(this->Get(mine, tokens[1]), 401, "credential-revoked"));
  EXPECT_EQ(this->Get(mine, tokens[0]).status, 200);
  EXPECT_EQ(this->Get(mine, tokens[2]).status, 200);
  EXPECT_TRUE(IsError(this->Post("/api/v1/credentials/reissue", {{"credential", ids[1]}}, admin),
                      409, "reissue-refused"));

  // A restart replays the roll and the ballots.
  ASSERT_NO_FATAL_FAILURE(this->Restart());
  Reply shown = this->Get("/api/v1/conventions/CD5");
  ASSERT_EQ(shown.status, 200) << shown;
  ASSERT_EQ(shown.doc["voter_roll"].size(), 2u);
  EXPECT_EQ(shown.doc["voter_roll"][0]["pool"], "B");
  EXPECT_EQ(shown.doc["voter_roll"][0]["count"], 3);
  EXPECT_EQ(shown.doc["voter_roll"][0]["by"],
            "officer/" + officer_code.doc["credential"].get<std::string>());
  EXPECT_EQ(shown.doc["voter_roll"][1]["pool"], "A");
  const json& b = shown.doc["results"][1];
  EXPECT_EQ(b["pool"], "B");
  EXPECT_EQ(b["source"]["ballots"], 3);
  EXPECT_EQ(b["votes"], json({{"Di", 2}, {"Ed", 1}}));
  Reply kept = this->Get(mine, tokens[2]);
  ASSERT_EQ(kept.status, 200) << kept;
  EXPECT_EQ(kept.doc["pools"][0]["ballot"]["seq"], receipts[2]["seq"]);
  EXPECT_EQ(kept.doc["pools"][0]["ballot"]["hash"], receipts[2]["hash"]);
  EXPECT_TRUE(IsError(this->Post("/api/v1/conventions/CD5/ballots",
                                 {{"pool", "B"}, {"marks", {{"Ed", 1}}}}, tokens[2]),
                      409, "duplicate-ballot"));
}

}  // namespace
}  // namespace canvass::api_test
