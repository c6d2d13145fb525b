// The hotline: a chair phones in the figures and two operators type them independently. Nothing
// counts until two operators agree; a disagreement waits in the reconciliation queue until a
// third operator's entry agrees with one of them.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class HotlineTest : public ApiFixture<Backend> {
 protected:
  Reply Enter(int op, const json& entry) {
    return this->Post("/api/v1/hotline/entries", entry, this->Operator(op));
  }
  json Queue(const std::string& token) {
    Reply r = this->Get("/api/v1/hotline/reconciliation", token);
    EXPECT_EQ(r.status, 200) << r;
    return r.doc.is_object() ? r.doc["queue"] : json();
  }
};
TYPED_TEST_SUITE(HotlineTest, Backends, BackendNames);

// Stuart (D = 11, 100 people): Biden's 10 are below 15 and realign.
const json kHotlineFirst = {{"Buttigieg", 40}, {"Sanders", 30}, {"Warren", 20}, {"Biden", 10}};
const json kFinalA = {{"Buttigieg", 40}, {"Sanders", 30}, {"Warren", 30}};
const json kFinalB = {{"Buttigieg", 40}, {"Sanders", 35}, {"Warren", 25}};

TYPED_TEST(HotlineTest, TwoOperatorsMustAgree) {
  const int64_t start = this->Seq();
  Reply a =
      this->Enter(1, {{"precinct", kStuart}, {"submission", "a-first"}, {"first", kHotlineFirst}});
  ASSERT_EQ(a.status, 201) << a;
  EXPECT_EQ(a.doc["hotline"], "waiting");
  EXPECT_EQ(a.doc["receipt"]["event"], "hotline-entry");
  json p = this->Precinct(kStuart);
  EXPECT_EQ(p["status"], "not-reported");
  EXPECT_EQ(p["reported"], json::object());
  EXPECT_EQ(p["hotline_entries_pending"], 1);
  Reply results = this->Get("/api/v1/results");
  EXPECT_EQ(results.doc["reporting"]["included"], 0) << results;
  EXPECT_EQ(this->Seq(), start + 1);

  // The same operator cannot be the second pair of eyes.
  EXPECT_TRUE(IsError(this->Enter(1, {{"precinct", kStuart}, {"first", kHotlineFirst}}), 409,
                      "already-entered"));

  Reply b =
      this->Enter(2, {{"precinct", kStuart}, {"submission", "b-first"}, {"first", kHotlineFirst}});
  ASSERT_EQ(b.status, 201) << b;
  EXPECT_EQ(b.doc["hotline"], "accepted");
  EXPECT_EQ(b.doc["receipt"]["event"], "first-alignment-reported");
  EXPECT_EQ(b.doc["precinct"]["status"], "first-reported");
  EXPECT_EQ(b.doc["precinct"]["channel"], "hotline");
  EXPECT_EQ(this->Seq(), start + 3);  // B's entry and the report citing both
  p = this->Precinct(kStuart);
  EXPECT_EQ(p["status"], "first-reported");
  EXPECT_EQ(p["channel"], "hotline");
  EXPECT_EQ(p["reported"]["first"], kHotlineFirst);
  EXPECT_EQ(p["hotline_entries_pending"], 0);
  const std::vector<json> events = this->LedgerEvents();
  ASSERT_EQ(static_cast<int64_t>(events.size()), start + 3);
  const json& report = events.back();
  EXPECT_EQ(report["type"], "first-alignment-reported");
  EXPECT_EQ(report["channel"], "hotline");
  EXPECT_EQ(report["payload"]["hotline_entries"], json::array({start + 1, start + 2}));
  EXPECT_TRUE(this->Queue(this->Operator(1)).empty());

  // The final alignment: B types something else.
  Reply fa = this->Enter(1, {{"precinct", kStuart}, {"final", kFinalA}});
  ASSERT_EQ(fa.status, 201) << fa;
  EXPECT_EQ(fa.doc["hotline"], "waiting");
  Reply fb = this->Enter(2, {{"precinct", kStuart}, {"final", kFinalB}});
  ASSERT_EQ(fb.status, 201) << fb;
  EXPECT_EQ(fb.doc["hotline"], "mismatch");
  EXPECT_EQ(this->StatusOf(kStuart), "first-reported");
  for (const std::string& who : {this->Operator(3), this->Admin()}) {
    json queue = this->Queue(who);
    ASSERT_EQ(queue.size(), 1u) << queue.dump();
    EXPECT_EQ(queue[0]["precinct"], kStuart);
    EXPECT_EQ(queue[0]["stage"], "final");
    EXPECT_EQ(queue[0]["county"], "Adair");
    EXPECT_EQ(queue[0]["name"], "2NE STUART");
    ASSERT_EQ(queue[0]["entries"].size(), 2u);
    EXPECT_EQ(queue[0]["entries"][0]["figures"]["final"], kFinalA);
    EXPECT_EQ(queue[0]["entries"][1]["figures"]["final"], kFinalB);
  }

  // A third operator re-takes the call and agrees with A.
  Reply fc = this->Enter(3, {{"precinct", kStuart}, {"submission", "c-final"}, {"final", kFinalA}});
  ASSERT_EQ(fc.status, 201) << fc;
  EXPECT_EQ(fc.doc["hotline"], "accepted");
  p = this->Precinct(kStuart);
  EXPECT_EQ(p["status"], "final-reported");
  EXPECT_EQ(p["channel"], "hotline");
  EXPECT_EQ(p["reported"]["final"], kFinalA);
  EXPECT_EQ(p["hotline_entries_pending"], 0);
  EXPECT_TRUE(this->Queue(this->Operator(1)).empty());
  EXPECT_FALSE(ComputedDelegates(p).empty());

  // Once recorded, the hotline cannot enter that stage again.
  EXPECT_TRUE(IsError(this->Enter(4, {{"precinct", kStuart}, {"final", kFinalB}}), 409,
                      "already-reported"));
}

TYPED_TEST(HotlineTest, OperatorsUseDoubleEntryOnly) {
  const int64_t start = this->Seq();
  const std::string op = this->Operator(1);
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kStuart, "first"), {{"first", kHotlineFirst}}, op),
                      403, "forbidden"));
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kStuart, "final"), {{"final", kFinalA}}, op), 403,
                      "forbidden"));
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kStuart, "corrections"),
                                 {{"reason", "caller"}, {"first", kHotlineFirst}}, op),
                      403, "forbidden"));
  // Forging the double entry from outside is refused: hotline_entries never comes from a body.
  EXPECT_TRUE(IsError(
      this->Post(PrecinctPath(kStuart, "first"),
                 {{"first", kHotlineFirst}, {"hotline_entries", {1, 2}}}, this->Chair(kStuart)),
      403, "forbidden"));
  // Bad entries.
  EXPECT_TRUE(
      IsError(this->Enter(1, {{"first", kHotlineFirst}}), 422, "precinct-required", "precinct"));
  EXPECT_TRUE(IsError(this->Enter(1, {{"precinct", "2"}, {"first", kHotlineFirst}}), 422,
                      "precinct-required", "precinct"));
  EXPECT_TRUE(IsError(this->Enter(1, {{"precinct", 99}, {"first", kHotlineFirst}}), 404,
                      "unknown-precinct"));
  EXPECT_TRUE(IsError(this->Enter(1, {{"precinct", kStuart}}), 422, "malformed-entry"));
  EXPECT_TRUE(
      IsError(this->Enter(1, {{"precinct", kStuart}, {"first", kHotlineFirst}, {"final", kFinalA}}),
              422, "malformed-entry"));
  EXPECT_TRUE(IsError(this->Enter(1, {{"precinct", kStuart}, {"final", kFinalA}}), 409,
                      "first-alignment-missing"));
  EXPECT_TRUE(IsError(this->Enter(1, {{"precinct", kStuart}, {"first", {{"Name", 1}}}}), 404,
                      "unknown-candidate", "first.Name"));
  EXPECT_EQ(this->Seq(), start);
  // A chair cannot use the hotline; nor can a campaign.
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/hotline/entries",
                         {{"precinct", kStuart}, {"first", kHotlineFirst}}, this->Chair(kStuart)),
              403, "forbidden"));
  EXPECT_TRUE(IsError(this->Get("/api/v1/hotline/reconciliation", this->Campaign("Biden")), 403,
                      "forbidden"));
  EXPECT_EQ(this->Seq(), start);
}

}  // namespace
}  // namespace canvass::api_test
