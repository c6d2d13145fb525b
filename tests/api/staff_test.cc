// What the staff pages read and write beyond a chair's flow: the reconciliation queue names each
// operator and keeps every figure they entered (delegates too); a campaign's verdict is recorded
// once, and its verdicts can be listed; the publication policy can be read.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class StaffTest : public ApiFixture<Backend> {
 protected:
  Reply Enter(int op, const json& entry) {
    return this->Post("/api/v1/hotline/entries", entry, this->Operator(op));
  }
  Reply Attest(const std::string& campaign, const json& body) {
    return this->Post(PrecinctPath(kAdair, "attestations"), body, this->Campaign(campaign));
  }
  void ReportAdair() {
    const std::string chair = this->Chair(kAdair);
    ASSERT_EQ(
        this->Post(PrecinctPath(kAdair, "first"),
                   {{"first", {{"Buttigieg", 30}, {"Klobuchar", 25}, {"Sanders", 25}}}}, chair)
            .status,
        201);
    ASSERT_EQ(
        this->Post(PrecinctPath(kAdair, "final"),
                   {{"final", {{"Buttigieg", 30}, {"Klobuchar", 25}, {"Sanders", 25}}}}, chair)
            .status,
        201);
  }
};
TYPED_TEST_SUITE(StaffTest, Backends, BackendNames);

// Vermillion (D = 6): 40/35 are both viable; the operators agree on heads, not on delegates.
const json kStaffFirst = {{"Warren", 40}, {"Sanders", 35}};

TYPED_TEST(StaffTest, ReconciliationNamesOperatorsAndKeepsDelegates) {
  ASSERT_EQ(this->Enter(1, {{"precinct", kVermillion}, {"first", kStaffFirst}}).status, 201);
  ASSERT_EQ(this->Enter(2, {{"precinct", kVermillion}, {"first", kStaffFirst}}).status, 201);
  ASSERT_EQ(this->StatusOf(kVermillion), "first-reported");
  Reply a = this->Enter(1, {{"precinct", kVermillion},
                            {"final", kStaffFirst},
                            {"delegates", {{"Warren", 3}, {"Sanders", 3}}}});
  ASSERT_EQ(a.status, 201) << a;
  Reply b = this->Enter(3, {{"precinct", kVermillion},
                            {"final", kStaffFirst},
                            {"delegates", {{"Warren", 4}, {"Sanders", 2}}}});
  ASSERT_EQ(b.status, 201) << b;
  EXPECT_EQ(b.doc["hotline"], "mismatch");

  Reply q = this->Get("/api/v1/hotline/reconciliation", this->Operator(4));
  ASSERT_EQ(q.status, 200) << q;
  ASSERT_EQ(q.doc["queue"].size(), 1u) << q;
  const json& entries = q.doc["queue"][0]["entries"];
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["operator_name"], "op-1");
  EXPECT_EQ(entries[1]["operator_name"], "op-3");
  EXPECT_NE(entries[0]["operator"], entries[0]["operator_name"]);  // the credential id
  EXPECT_EQ(entries[0]["figures"]["final"], entries[1]["figures"]["final"]);
  EXPECT_EQ(entries[0]["figures"]["delegates"], json({{"Warren", 3}, {"Sanders", 3}}));
  EXPECT_EQ(entries[1]["figures"]["delegates"], json({{"Warren", 4}, {"Sanders", 2}}));

  // A third entry agreeing with one of them settles it.
  Reply c = this->Enter(4, {{"precinct", kVermillion},
                            {"final", kStaffFirst},
                            {"delegates", {{"Warren", 4}, {"Sanders", 2}}}});
  ASSERT_EQ(c.status, 201) << c;
  EXPECT_EQ(c.doc["hotline"], "accepted");
  EXPECT_EQ(this->Precinct(kVermillion)["reported"]["delegates"],
            json({{"Warren", 4}, {"Sanders", 2}}));
  EXPECT_TRUE(this->Get("/api/v1/hotline/reconciliation", this->Admin()).doc["queue"].empty());
}

TYPED_TEST(StaffTest, AVerdictIsRecordedOnceAndListed) {
  ASSERT_NO_FATAL_FAILURE(this->ReportAdair());
  const json dispute = {{"verdict", "dispute"}, {"reason", "our observer counted 29"}};
  Reply first = this->Attest("Klobuchar", dispute);
  ASSERT_EQ(first.status, 201) << first;
  const int64_t seq = this->Seq();
  // The same dispute again, under a new submission id (a second tap): refused, nothing written.
  Reply again = this->Attest("Klobuchar", {{"verdict", "dispute"},
                                           {"reason", " our observer counted 29 "},
                                           {"submission", "second-tap"}});
  EXPECT_TRUE(IsError(again, 409, "already-attested")) << again;
  EXPECT_NE(again.doc["error"]["message"].get<std::string>().find("Klobuchar already disputes"),
            std::string::npos);
  EXPECT_EQ(this->Seq(), seq);
  // The same submission id again is a retry: the first answer.
  Reply retry = this->Attest("Klobuchar", {{"verdict", "dispute"},
                                           {"reason", "our observer counted 29"},
                                           {"submission", "second-tap"}});
  EXPECT_TRUE(IsError(retry, 409, "already-attested"));
  // A new reason is a new dispute; another campaign's identical one is its own.
  ASSERT_EQ(
      this->Attest("Klobuchar", {{"verdict", "dispute"}, {"reason", "and 31 at the first"}}).status,
      201);
  ASSERT_EQ(this->Attest("Sanders", dispute).status, 201);
  // Confirming withdraws the dispute; confirming twice adds nothing.
  Reply confirm = this->Attest("Klobuchar", {{"verdict", "confirm"}});
  ASSERT_EQ(confirm.status, 201) << confirm;
  EXPECT_TRUE(
      IsError(this->Attest("Klobuchar", {{"verdict", "confirm"}}), 409, "already-attested"));
  // After a confirmation, the earlier dispute may be made again.
  ASSERT_EQ(this->Attest("Klobuchar", dispute).status, 201);

  Reply mine = this->Get("/api/v1/attestations?campaign=Klobuchar");
  ASSERT_EQ(mine.status, 200) << mine;
  const json& list = mine.doc["attestations"];
  ASSERT_EQ(list.size(), 4u) << mine;
  EXPECT_EQ(list[0]["verdict"], "dispute");
  EXPECT_EQ(list[0]["reason"], "our observer counted 29");
  EXPECT_EQ(list[0]["precinct"], kAdair);
  EXPECT_EQ(list[0]["county"], "Adair");
  EXPECT_EQ(list[0]["name"], "1NW ADAIR");
  EXPECT_EQ(list[0]["revision"], 1);
  EXPECT_EQ(list[0]["standing"], false);
  EXPECT_EQ(list[2]["verdict"], "confirm");
  EXPECT_EQ(list[2]["reason"], "");
  EXPECT_EQ(list[3]["standing"], true);
  for (const json& a : list) EXPECT_EQ(a["campaign"], "Klobuchar");
  Reply all = this->Get("/api/v1/attestations");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.doc["attestations"].size(), 5u);
  EXPECT_EQ(this->Get("/api/v1/attestations?campaign=Nobody").doc["attestations"].size(), 0u);
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/attestations", json::object()), 405, "method-not-allowed"));

  // A correction starts a new revision: the same dispute may be made about it.
  Reply corrected = this->Post(PrecinctPath(kAdair, "corrections"),
                               {{"reason", "recount"},
                                {"first", {{"Buttigieg", 29}, {"Klobuchar", 26}, {"Sanders", 25}}},
                                {"final", {{"Buttigieg", 29}, {"Klobuchar", 26}, {"Sanders", 25}}}},
                               this->Chair(kAdair));
  ASSERT_EQ(corrected.status, 201) << corrected;
  ASSERT_EQ(this->Attest("Klobuchar", dispute).status, 201);
  Reply after = this->Get("/api/v1/attestations?campaign=Klobuchar");
  for (const json& a : after.doc["attestations"]) {
    EXPECT_EQ(a["current_revision"], 2);
    EXPECT_EQ(a["standing"], a["revision"] == 2);
  }
}

// An operator attaches the same photo (a faxed page holding two worksheets) to two precincts,
// without a submission id: each precinct gets it; sending it again is a retry.
TYPED_TEST(StaffTest, OnePhotoForTwoPrecincts) {
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "two worksheets on one page";
  const std::string op = this->Operator(1);
  const int64_t start = this->Seq();
  for (int64_t id : {kAdair, kStuart}) {
    Reply r =
        this->Call("POST", PrecinctPath(id, "photo"), png, op, {{"Content-Type", "image/png"}});
    ASSERT_EQ(r.status, 201) << r;
    EXPECT_EQ(r.doc["precinct"]["id"], id);
    EXPECT_EQ(this->Precinct(id)["photos"].size(), 1u);
  }
  EXPECT_EQ(this->Seq(), start + 2);
  Reply again =
      this->Call("POST", PrecinctPath(kStuart, "photo"), png, op, {{"Content-Type", "image/png"}});
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.doc["precinct"]["id"], kStuart);
  EXPECT_EQ(this->Seq(), start + 2);
}

TYPED_TEST(StaffTest, PublicationPolicyIsReadable) {
  Reply p = this->Get("/api/v1/releases/policy");
  ASSERT_EQ(p.status, 200) << p;
  EXPECT_EQ(p.doc["mode"], "manual");
  EXPECT_EQ(p.doc["seconds"], 0);
  EXPECT_EQ(p.doc["seq"], 0);
  EXPECT_EQ(p.doc["can_publish"], false);  // this fixture's server holds no signing key
  Reply set =
      this->Post("/api/v1/releases/policy", {{"mode", "interval"}, {"seconds", 30}}, this->Admin());
  ASSERT_EQ(set.status, 201) << set;
  p = this->Get("/api/v1/releases/policy");
  EXPECT_EQ(p.doc["mode"], "interval");
  EXPECT_EQ(p.doc["seconds"], 30);
  EXPECT_EQ(p.doc["seq"], this->Seq());
  EXPECT_TRUE(IsError(this->Call("DELETE", "/api/v1/releases/policy"), 405, "method-not-allowed"));
}

}  // namespace
}  // namespace canvass::api_test
