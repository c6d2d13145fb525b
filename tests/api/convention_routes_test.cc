// Conventions through the API (docs/api.md "Conventions"): an administrator creates one and
// publishes its procedure, the filing desk enters filings, each campaign reviews its own filers,
// a voter's code (issued through the API) is refused a ballot before voting opens; anyone reads
// the convention. Refusals write nothing.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

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

}  // namespace
}  // namespace canvass::api_test
