// What the chair page relies on (the staff-pages issue, chair items 1-5): a chair corrects a
// report at any stage, a correction keeps the coin toss that still settles the same tie, an empty
// final alignment is refused as an empty first is, a report with error findings is confirmed only
// by someone who acknowledges them, and the advice the server gives the hotline names who can act.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class ChairPageTest : public ApiFixture<Backend> {};
TYPED_TEST_SUITE(ChairPageTest, Backends, BackendNames);

// Adair 1NW elects 8: Biden, Sanders and Warren 30 each (Klobuchar's 5 are not viable) round to
// 3 each, 9 for 8: a coin toss decides which of the three loses one.
const json kThreeWayTie = {{"Biden", 30}, {"Sanders", 30}, {"Warren", 30}, {"Klobuchar", 5}};

TYPED_TEST(ChairPageTest, AnEmptyFinalAlignmentIsRefusedAsAnEmptyFirstIs) {
  const std::string chair = this->Chair(kAdair);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"), {{"first", kThreeWayTie}}, chair).status,
            201);
  const int64_t before = this->Seq();
  Reply empty = this->Post(PrecinctPath(kAdair, "final"), {{"final", json::object()}}, chair);
  EXPECT_TRUE(IsError(empty, 422, "no-final-attendance", "final")) << empty;
  EXPECT_NE(empty.doc["error"]["message"].get<std::string>().find("counts nobody"),
            std::string::npos)
      << empty;
  EXPECT_TRUE(IsError(
      this->Post(PrecinctPath(kAdair, "final"), {{"final", {{"Biden", 0}, {"Sanders", 0}}}}, chair),
      422, "no-final-attendance", "final"));
  EXPECT_TRUE(
      IsError(this->Post(PrecinctPath(kAdair, "preview"), {{"final", json::object()}}, chair), 422,
              "no-final-attendance", "final"));
  EXPECT_EQ(this->Seq(), before);
  EXPECT_EQ(this->StatusOf(kAdair), "first-reported");

  // Nor can a correction empty a final alignment that was sent.
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "final"), {{"final", kThreeWayTie}}, chair).status,
            201);
  EXPECT_TRUE(
      IsError(this->Post(PrecinctPath(kAdair, "corrections"),
                         {{"reason", "cleared by mistake"}, {"final", json::object()}}, chair),
              422, "no-final-attendance", "final"));
}

TYPED_TEST(ChairPageTest, ConfirmingAReportWithErrorsNeedsThemAcknowledged) {
  const std::string chair = this->Chair(kAdair);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"), {{"first", kThreeWayTie}}, chair).status,
            201);
  // The worksheet says 3/3/3 (nine delegates for eight) before the toss.
  Reply final = this->Post(
      PrecinctPath(kAdair, "final"),
      {{"final", kThreeWayTie}, {"delegates", {{"Biden", 3}, {"Sanders", 3}, {"Warren", 3}}}},
      chair);
  ASSERT_EQ(final.status, 201) << final;
  EXPECT_EQ(final.doc["precinct"]["status"], "tie-pending");
  Reply toss = this->Post(PrecinctPath(kAdair, "ties"),
                          {{"tied", {"Biden", "Sanders", "Warren"}},
                           {"favoured", {"Biden", "Sanders"}},
                           {"detail", "Warren lost the coin toss"}},
                          chair);
  ASSERT_EQ(toss.status, 201) << toss;
  EXPECT_TRUE(HasFinding(toss.doc["precinct"], "allocation-differs"));
  EXPECT_TRUE(HasFinding(toss.doc["precinct"], "delegate-total-differs"));

  const int64_t before = this->Seq();
  Reply plain = this->Post(PrecinctPath(kAdair, "confirm"), {{"revision", 1}}, chair);
  EXPECT_TRUE(IsError(plain, 409, "findings-unacknowledged", "acknowledged")) << plain;
  const std::string message = plain.doc["error"]["message"];
  EXPECT_NE(message.find("allocation-differs"), std::string::npos) << message;
  EXPECT_NE(message.find("delegate-total-differs"), std::string::npos) << message;
  EXPECT_NE(message.find("send a correction"), std::string::npos) << message;
  // Acknowledging only one of the two is not enough; a malformed list is refused.
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kAdair, "confirm"),
                                 {{"acknowledged", {"allocation-differs"}}}, chair),
                      409, "findings-unacknowledged", "acknowledged"));
  EXPECT_TRUE(IsError(
      this->Post(PrecinctPath(kAdair, "confirm"), {{"acknowledged", "allocation-differs"}}, chair),
      422, "malformed-confirmation", "acknowledged"));
  EXPECT_EQ(this->Seq(), before);

  Reply ok = this->Post(PrecinctPath(kAdair, "confirm"),
                        {{"submission", "ack"},
                         {"revision", 1},
                         {"acknowledged", {"allocation-differs", "delegate-total-differs"}}},
                        chair);
  ASSERT_EQ(ok.status, 201) << ok;
  EXPECT_EQ(ok.doc["precinct"]["status"], "confirmed");
  const json last = this->LedgerEvents().back();
  EXPECT_EQ(last["type"], "report-confirmed");
  EXPECT_EQ(last["payload"]["acknowledged"],
            json({"allocation-differs", "delegate-total-differs"}));
}

TYPED_TEST(ChairPageTest, ACorrectionKeepsTheCoinTossThatStillSettlesTheSameTie) {
  const std::string chair = this->Chair(kAdair);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"), {{"first", kThreeWayTie}}, chair).status,
            201);
  // Sent while the tie was open, without the worksheet's delegates; they come with the toss.
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "final"), {{"final", kThreeWayTie}}, chair).status,
            201);
  Reply toss = this->Post(PrecinctPath(kAdair, "ties"),
                          {{"tied", {"Warren", "Biden", "Sanders"}},
                           {"favoured", {"Biden", "Sanders"}},
                           {"detail", "Warren lost the coin toss"},
                           {"delegates", {{"Biden", 3}, {"Sanders", 3}, {"Warren", 2}}}},
                          chair);
  ASSERT_EQ(toss.status, 201) << toss;
  json p = toss.doc["precinct"];
  EXPECT_EQ(p["status"], "final-reported");
  EXPECT_EQ(p["reported"]["delegates"], json({{"Biden", 3}, {"Sanders", 3}, {"Warren", 2}}));
  EXPECT_FALSE(p["findings"].dump().find("\"error\"") != std::string::npos) << p["findings"];

  // The delegates of a tie outcome are checked like a final alignment's.
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kAdair, "corrections"),
                                 {{"reason", "x"}, {"delegates", {{"Biden", -1}}}}, chair),
                      422, "negative-count", "delegates.Biden"));

  // A correction that leaves the tie as it was (one Klobuchar supporter had gone home) keeps
  // the toss: the page does not ask for a second one.
  json fewer = kThreeWayTie;
  fewer["Klobuchar"] = 4;
  Reply fix = this->Post(PrecinctPath(kAdair, "corrections"),
                         {{"submission", "fix-1"},
                          {"reason", "one Klobuchar supporter had gone home"},
                          {"final", fewer}},
                         chair);
  ASSERT_EQ(fix.status, 201) << fix;
  p = fix.doc["precinct"];
  EXPECT_EQ(p["revision"], 2);
  EXPECT_EQ(p["status"], "final-reported");
  ASSERT_EQ(p["ties"]["recorded"].size(), 1u) << p["ties"];
  EXPECT_EQ(p["ties"]["recorded"][0]["detail"], "Warren lost the coin toss");
  EXPECT_TRUE(p["ties"]["pending"].is_null());
  EXPECT_EQ(ComputedDelegates(p),
            (std::map<std::string, int64_t>{{"Biden", 3}, {"Sanders", 3}, {"Warren", 2}}));
  EXPECT_EQ(this->LedgerEvents().back()["payload"]["keep_ties"], true);

  // Told to start again, the toss is asked for again.
  Reply again = this->Post(
      PrecinctPath(kAdair, "corrections"),
      {{"reason", "the toss was held before the count was finished"}, {"keep_ties", false}}, chair);
  ASSERT_EQ(again.status, 201) << again;
  EXPECT_EQ(again.doc["precinct"]["status"], "tie-pending");
  EXPECT_TRUE(again.doc["precinct"]["ties"]["recorded"].empty());
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kAdair, "corrections"),
                                 {{"reason", "x"}, {"keep_ties", "yes"}}, chair),
                      422, "malformed-correction", "keep_ties"));

  // Settled again, then a correction that makes a different tie: the old toss does not fit.
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "ties"),
                       {{"tied", {"Biden", "Sanders", "Warren"}},
                        {"favoured", {"Biden", "Warren"}},
                        {"detail", "Sanders lost"}},
                       chair)
                .status,
            201);
  Reply other = this->Post(PrecinctPath(kAdair, "corrections"),
                           {{"reason", "Warren had 31, Biden 29"},
                            {"final", {{"Biden", 30}, {"Sanders", 30}, {"Warren", 31}}}},
                           chair);
  ASSERT_EQ(other.status, 201) << other;
  EXPECT_TRUE(other.doc["precinct"]["ties"]["recorded"].empty()) << other.doc["precinct"]["ties"];
}

TYPED_TEST(ChairPageTest, MustRealignLeadsToACorrectionTheChairCanSend) {
  // Ocheyedan elects 3; four viable groups: the smallest must realign.
  const std::string chair = this->Chair(kOcheyedan);
  const json four = {{"Buttigieg", 12}, {"Klobuchar", 11}, {"Sanders", 10}, {"Warren", 9}};
  ASSERT_EQ(this->Post(PrecinctPath(kOcheyedan, "first"), {{"first", four}}, chair).status, 201);
  Reply final = this->Post(PrecinctPath(kOcheyedan, "final"), {{"final", four}}, chair);
  ASSERT_EQ(final.status, 201) << final;
  ASSERT_EQ(final.doc["precinct"]["status"], "must-realign") << final.doc["precinct"]["computed"];

  // The hotline cannot change it, and is told who can.
  const std::string op = this->Operator(1);
  Reply by_phone = this->Post(PrecinctPath(kOcheyedan, "corrections"),
                              {{"reason", "the chair phoned"}, {"final", four}}, op);
  EXPECT_TRUE(IsError(by_phone, 403, "forbidden")) << by_phone;
  EXPECT_NE(by_phone.doc["error"]["message"].get<std::string>().find("chair page"),
            std::string::npos)
      << by_phone;
  Reply entry =
      this->Post("/api/v1/hotline/entries", {{"precinct", kOcheyedan}, {"final", four}}, op);
  EXPECT_TRUE(IsError(entry, 409, "already-reported")) << entry;
  EXPECT_NE(entry.doc["error"]["message"].get<std::string>().find("chair page"), std::string::npos)
      << entry;
  Reply op_confirm = this->Post(PrecinctPath(kOcheyedan, "confirm"), json::object(), op);
  EXPECT_TRUE(IsError(op_confirm, 409, "must-realign")) << op_confirm;
  EXPECT_NE(op_confirm.doc["error"]["message"].get<std::string>().find("chair page"),
            std::string::npos)
      << op_confirm;
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kOcheyedan, "confirm"), json::object(), chair), 409,
                      "must-realign"));

  // The chair's correction: Warren's group joins Buttigieg.
  const json realigned = {{"Buttigieg", 21}, {"Klobuchar", 11}, {"Sanders", 10}};
  Reply fix = this->Post(PrecinctPath(kOcheyedan, "corrections"),
                         {{"reason", "Warren's group realigned"}, {"final", realigned}}, chair);
  ASSERT_EQ(fix.status, 201) << fix;
  EXPECT_EQ(fix.doc["precinct"]["status"], "final-reported");
  EXPECT_EQ(fix.doc["precinct"]["revision"], 2);
  Reply ok = this->Post(PrecinctPath(kOcheyedan, "confirm"), {{"revision", 2}}, chair);
  ASSERT_EQ(ok.status, 201) << ok;
  EXPECT_EQ(this->StatusOf(kOcheyedan), "confirmed");
}

}  // namespace
}  // namespace canvass::api_test
