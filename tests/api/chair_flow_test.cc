// A precinct chair's evening on real Iowa precincts, through the HTTP API: log in, read the
// precinct's facts, report the first and final alignments, settle a tie, attach the worksheet
// photo, confirm; then corrections, and campaigns confirming or disputing the report.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <string>

#include "api_fixture.h"
#include "core/sha256.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class ChairFlowTest : public ApiFixture<Backend> {};
TYPED_TEST_SUITE(ChairFlowTest, Backends, BackendNames);

// The Warren test (README, docs/findings.md): D = 6, Warren 100, Sanders 50, Biden 50. Sanders
// and Biden both round 1.5 up, 7 delegates for 6: a coin toss decides who loses one.
const json kWarrenTie = {{"Warren", 100}, {"Sanders", 50}, {"Biden", 50}};

TYPED_TEST(ChairFlowTest, WholeEveningOnVermillionWithATie) {
  // Logging in with the packet's code, typed carelessly (lower case, spaces for hyphens).
  std::string typed = this->Code("chair", std::to_string(kVermillion));
  for (char& c : typed) c = c == '-' ? ' ' : static_cast<char>(std::tolower(c));
  Reply login = this->LoginWith(typed);
  ASSERT_EQ(login.status, 200) << login;
  EXPECT_EQ(login.doc["role"], "chair");
  EXPECT_EQ(login.doc["subject"], std::to_string(kVermillion));
  EXPECT_EQ(login.doc["precinct"]["county"], "Appanoose");
  const std::string token = login.doc["token"];

  Reply me = this->Get("/api/v1/session", token);
  ASSERT_EQ(me.status, 200) << me;
  EXPECT_EQ(me.doc["role"], "chair");

  // The facts a chair announces before anyone moves.
  json facts = this->Precinct(kVermillion);
  EXPECT_EQ(facts["county"], "Appanoose");
  EXPECT_EQ(facts["precinct"], "Vermillion/Douglas/Sharon");
  EXPECT_EQ(facts["delegates"], 6);
  EXPECT_EQ(facts["threshold"], "3/20");
  EXPECT_EQ(facts["sde_per_delegate"], "2/25");
  EXPECT_EQ(facts["district"], "2");
  EXPECT_EQ(facts["status"], "not-reported");
  EXPECT_EQ(facts["revision"], 0);

  Reply first = this->Post(PrecinctPath(kVermillion, "first"),
                           {{"submission", "vm-first"}, {"first", kWarrenTie}}, token);
  ASSERT_EQ(first.status, 201) << first;
  EXPECT_EQ(first.doc["receipt"]["event"], "first-alignment-reported");
  EXPECT_EQ(first.doc["receipt"]["hash"].get<std::string>().size(), 64u);
  const json& after_first = first.doc["precinct"];
  EXPECT_EQ(after_first["status"], "first-reported");
  EXPECT_EQ(after_first["revision"], 1);
  EXPECT_EQ(after_first["channel"], "web");
  EXPECT_EQ(after_first["viability"]["attendance"], 200);
  EXPECT_EQ(after_first["viability"]["threshold_head_count"], 30);
  const std::vector<std::string> all_three = {"Biden", "Sanders", "Warren"};
  EXPECT_EQ(Names(after_first["viability"]["viable"]), all_three);
  EXPECT_EQ(Names(after_first["viability"]["locked"]), all_three);
  EXPECT_TRUE(after_first["computed"].is_null());

  Reply final = this->Post(PrecinctPath(kVermillion, "final"),
                           {{"submission", "vm-final"}, {"final", kWarrenTie}}, token);
  ASSERT_EQ(final.status, 201) << final;
  const json& tied = final.doc["precinct"];
  EXPECT_EQ(tied["status"], "tie-pending");
  ASSERT_TRUE(tied["ties"]["pending"].is_object()) << tied.dump();
  EXPECT_EQ(Names(tied["ties"]["pending"]["candidates"]),
            (std::vector<std::string>{"Biden", "Sanders"}));
  EXPECT_EQ(tied["ties"]["pending"]["kind"], "loss");
  EXPECT_EQ(tied["ties"]["pending"]["delegates_at_stake"], 1);
  EXPECT_EQ(tied["ties"]["pending"]["breaker"], "coin toss");
  EXPECT_TRUE(HasFinding(tied, "tie-pending")) << tied["findings"].dump();

  const int64_t before_confirm = this->Seq();
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kVermillion, "confirm"), json::object(), token), 409,
                      "tie-pending"));
  EXPECT_EQ(this->Seq(), before_confirm);

  Reply toss = this->Post(PrecinctPath(kVermillion, "ties"),
                          {{"submission", "vm-toss"},
                           {"tied", {"Sanders", "Biden"}},
                           {"favoured", {"Sanders"}},
                           {"detail", "coin toss, called heads by the Sanders captain"}},
                          token);
  ASSERT_EQ(toss.status, 201) << toss;
  const json& settled = toss.doc["precinct"];
  EXPECT_EQ(settled["status"], "final-reported");
  EXPECT_TRUE(settled["ties"]["pending"].is_null());
  ASSERT_EQ(settled["ties"]["recorded"].size(), 1u);
  EXPECT_EQ(settled["ties"]["recorded"][0]["detail"],
            "coin toss, called heads by the Sanders captain");
  EXPECT_EQ(Names(settled["ties"]["recorded"][0]["favoured"]), std::vector<std::string>{"Sanders"});
  EXPECT_EQ(ComputedDelegates(settled),
            (std::map<std::string, int64_t>{{"Warren", 3}, {"Sanders", 2}, {"Biden", 1}}));
  // SDEs at 2/25 per delegate.
  EXPECT_EQ(settled["computed_sde"]["Warren"], "0.2400");
  EXPECT_EQ(settled["computed_sde"]["Sanders"], "0.1600");
  EXPECT_EQ(settled["computed_sde"]["Biden"], "0.0800");

  // The worksheet photo: JPEG bytes (magic FF D8 FF), not JSON.
  std::string jpeg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00", 14);
  for (int i = 0; i < 3000; ++i) jpeg.push_back(static_cast<char>(i * 7 % 256));
  jpeg += "\xFF\xD9";
  const std::string sha = Sha256Hex(jpeg);
  Reply photo = this->Call("POST", PrecinctPath(kVermillion, "photo"), jpeg, token,
                           {{"Content-Type", "image/jpeg"}});
  ASSERT_EQ(photo.status, 201) << photo;
  EXPECT_EQ(photo.doc["receipt"]["event"], "photo-attached");
  EXPECT_EQ(photo.doc["precinct"]["photos"], json::array({sha}));
  Reply got = this->Get("/api/v1/photos/" + sha);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, jpeg);
  EXPECT_EQ(got.Header("content-type"), "image/jpeg");
  EXPECT_EQ(got.Header("etag"), "\"" + sha + "\"");

  Reply confirm =
      this->Post(PrecinctPath(kVermillion, "confirm"), {{"submission", "vm-ok"}}, token);
  ASSERT_EQ(confirm.status, 201) << confirm;
  EXPECT_EQ(confirm.doc["precinct"]["status"], "confirmed");
  json now = this->Precinct(kVermillion);
  EXPECT_EQ(now["status"], "confirmed");
  EXPECT_EQ(now["confirmed"], true);
  EXPECT_EQ(now["reported"]["final"], kWarrenTie);
  EXPECT_EQ(now["events"].size(), 5u);  // first, final, tie, photo, confirm
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kVermillion, "confirm"), json::object(), token), 409,
                      "already-confirmed"));
}

// Ocheyedan as the party published it on 8 February: Buttigieg 3, Klobuchar 1, Sanders 1 at
// D = 3, delegates 2-1-0. The rules give 1-1-1. The worksheet is kept as reported, beside what the
// rules compute, and the difference is a finding.
TYPED_TEST(ChairFlowTest, WorksheetDelegatesThatDifferFromTheRulesAreKeptAsReported) {
  const std::string token = this->Chair(kOcheyedan);
  const json figures = {{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}};
  ASSERT_EQ(this->Post(PrecinctPath(kOcheyedan, "first"), {{"first", figures}}, token).status, 201);
  json facts = this->Precinct(kOcheyedan);
  EXPECT_EQ(facts["threshold"], "1/6");
  EXPECT_EQ(facts["viability"]["threshold_head_count"], 1);

  const json worksheet = {{"Buttigieg", 2}, {"Klobuchar", 1}};
  Reply final = this->Post(PrecinctPath(kOcheyedan, "final"),
                           {{"final", figures}, {"delegates", worksheet}}, token);
  ASSERT_EQ(final.status, 201) << final;
  const json& p = final.doc["precinct"];
  EXPECT_EQ(p["reported"]["delegates"], worksheet);
  EXPECT_EQ(ComputedDelegates(p),
            (std::map<std::string, int64_t>{{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}}));
  EXPECT_TRUE(HasFinding(p, "allocation-differs")) << p["findings"].dump();
  EXPECT_TRUE(HasFinding(p, "viable-group-without-delegate")) << p["findings"].dump();
  EXPECT_EQ(p["status"], "final-reported");
  // The ledger holds the worksheet's figures as the chair sent them.
  bool seen = false;
  for (const json& e : this->LedgerEvents()) {
    if (e["type"] == "final-alignment-reported" && e["payload"]["precinct"] == kOcheyedan) {
      EXPECT_EQ(e["payload"]["delegates"], worksheet);
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
  Reply listed = this->Get("/api/v1/precincts");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.doc["precincts"][kOcheyedan - 1]["flagged"], true);
  EXPECT_EQ(listed.doc["precincts"][kAdair - 1]["flagged"], false);
}

// Adair 1NW: Biden (3 of 63) is not viable and joins Warren.
const json kAdairFirst = {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 10}, {"Biden", 3}};
const json kAdairFinal = {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 13}};

TYPED_TEST(ChairFlowTest, CorrectionAfterConfirmKeepsTheOldFiguresInTheLedger) {
  const std::string token = this->Chair(kAdair);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"), {{"first", kAdairFirst}}, token).status, 201);
  Reply final = this->Post(PrecinctPath(kAdair, "final"), {{"final", kAdairFinal}}, token);
  ASSERT_EQ(final.status, 201) << final;
  EXPECT_EQ(ComputedDelegates(final.doc["precinct"]),
            (std::map<std::string, int64_t>{{"Buttigieg", 4}, {"Sanders", 2}, {"Warren", 2}}));
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "confirm"), json::object(), token).status, 201);
  EXPECT_EQ(this->StatusOf(kAdair), "confirmed");

  const json corrected = {{"Buttigieg", 30}, {"Sanders", 21}, {"Warren", 12}};
  Reply fix = this->Post(PrecinctPath(kAdair, "corrections"),
                         {{"submission", "adair-fix"},
                          {"reason", "one Biden supporter joined Sanders, not Warren"},
                          {"final", corrected}},
                         token);
  ASSERT_EQ(fix.status, 201) << fix;
  EXPECT_EQ(fix.doc["receipt"]["event"], "report-corrected");
  json p = this->Precinct(kAdair);
  EXPECT_EQ(p["revision"], 2);
  EXPECT_EQ(p["status"], "final-reported");
  EXPECT_EQ(p["confirmed"], false);
  EXPECT_EQ(p["reported"]["final"], corrected);
  EXPECT_EQ(p["reported"]["first"], kAdairFirst);

  // Both versions stay on the ledger, in order.
  std::vector<json> mine;
  for (const json& e : this->LedgerEvents()) {
    if (e["payload"].value("precinct", int64_t{0}) == kAdair) mine.push_back(e);
  }
  ASSERT_EQ(mine.size(), 4u);
  EXPECT_EQ(mine[1]["type"], "final-alignment-reported");
  EXPECT_EQ(mine[1]["payload"]["final"], kAdairFinal);
  EXPECT_EQ(mine[2]["type"], "report-confirmed");
  EXPECT_EQ(mine[3]["type"], "report-corrected");
  EXPECT_EQ(mine[3]["payload"]["final"], corrected);
  EXPECT_EQ(mine[3]["payload"]["reason"], "one Biden supporter joined Sanders, not Warren");
  EXPECT_EQ(mine[3]["actor"]["role"], "chair");

  // Revision 2 can be confirmed again; naming revision 1 is refused.
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kAdair, "confirm"), {{"revision", 1}}, token), 409,
                      "stale-revision", "revision"));
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "confirm"), {{"revision", 2}}, token).status, 201);
  EXPECT_EQ(this->StatusOf(kAdair), "confirmed");
}

TYPED_TEST(ChairFlowTest, CampaignsConfirmAndDisputeAReport) {
  const std::string chair = this->Chair(kAdair);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"), {{"first", kAdairFirst}}, chair).status, 201);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "final"), {{"final", kAdairFinal}}, chair).status, 201);
  EXPECT_EQ(this->Precinct(kAdair)["disputed"], false);

  Reply ok = this->Post(PrecinctPath(kAdair, "attestations"), {{"verdict", "confirm"}},
                        this->Campaign("Buttigieg"));
  ASSERT_EQ(ok.status, 201) << ok;
  EXPECT_EQ(ok.doc["receipt"]["event"], "campaign-attestation");
  EXPECT_EQ(this->Precinct(kAdair)["disputed"], false);

  Reply dispute = this->Post(
      PrecinctPath(kAdair, "attestations"),
      {{"verdict", "dispute"}, {"reason", "our captain counted 14 for Warren"}, {"revision", 1}},
      this->Campaign("Warren"));
  ASSERT_EQ(dispute.status, 201) << dispute;

  json p = this->Precinct(kAdair);
  EXPECT_EQ(p["disputed"], true);
  ASSERT_EQ(p["attestations"].size(), 2u);
  EXPECT_EQ(p["attestations"][0]["campaign"], "Buttigieg");
  EXPECT_EQ(p["attestations"][0]["verdict"], "confirm");
  EXPECT_EQ(p["attestations"][1]["campaign"], "Warren");
  EXPECT_EQ(p["attestations"][1]["verdict"], "dispute");
  EXPECT_EQ(p["attestations"][1]["reason"], "our captain counted 14 for Warren");
  EXPECT_EQ(p["attestations"][1]["revision"], 1);
  Reply listed = this->Get("/api/v1/precincts");
  EXPECT_EQ(listed.doc["precincts"][kAdair - 1]["disputed"], true);

  // The campaign withdraws its dispute by confirming: the latest verdict per campaign counts.
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "attestations"), {{"verdict", "confirm"}},
                       this->Campaign("Warren"))
                .status,
            201);
  EXPECT_EQ(this->Precinct(kAdair)["disputed"], false);
}

}  // namespace
}  // namespace canvass::api_test
