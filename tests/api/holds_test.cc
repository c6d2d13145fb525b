// The anomaly gate's queue through the API (docs/api.md "GET /api/v1/holds"): two precincts
// keyed with the same figures are held, an administrator sees them and publishes one as reported
// with a reason; refusals write nothing, and no one but an administrator sees or releases holds.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class HoldsTest : public ApiFixture<Backend> {};

TYPED_TEST_SUITE(HoldsTest, Backends, BackendNames);

TYPED_TEST(HoldsTest, DuplicatesQueuedAndOverridden) {
  // Adair 1NW and 3SW Fontanelle with the same form: 80 attendees, identical in both alignments.
  const json figures = {{"Biden", 22}, {"Buttigieg", 31}, {"Sanders", 15}, {"Warren", 12}};
  for (int64_t id : {kAdair, kFontanelle}) {
    const std::string chair = this->Chair(id);
    ASSERT_EQ(this->Post(PrecinctPath(id, "first"), {{"first", figures}}, chair).status, 201);
    Reply r = this->Post(PrecinctPath(id, "final"), {{"final", figures}}, chair);
    ASSERT_EQ(r.status, 201) << r;
  }
  const std::string admin = this->Admin();
  EXPECT_TRUE(IsError(this->Get("/api/v1/holds"), 401, "unauthenticated"));
  EXPECT_TRUE(IsError(this->Get("/api/v1/holds", this->Chair(kAdair)), 403, "forbidden"));
  Reply queue = this->Get("/api/v1/holds", admin);
  ASSERT_EQ(queue.status, 200) << queue;
  ASSERT_EQ(queue.doc["held"].size(), 2u) << queue;
  EXPECT_EQ(queue.doc["held"][0]["precinct"], kAdair);
  EXPECT_EQ(queue.doc["held"][1]["precinct"], kFontanelle);
  EXPECT_EQ(queue.doc["held"][0]["check"], "duplicate");
  EXPECT_EQ(queue.doc["held"][0]["score"], "80 attendees");
  EXPECT_TRUE(queue.doc["overrides"].empty());
  const int64_t seq = queue.doc["ledger_seq"].get<int64_t>();

  // Refused, nothing written.
  const json ok = {{"submission", "ov-1"},
                   {"precinct", kAdair},
                   {"check", "duplicate"},
                   {"reason", "the worksheet is the legal record"}};
  json bad = ok;
  bad.erase("reason");
  EXPECT_TRUE(IsError(this->Post("/api/v1/holds", bad, admin), 422, "reason-required", "reason"));
  bad = ok;
  bad["check"] = "column-shift";
  EXPECT_TRUE(IsError(this->Post("/api/v1/holds", bad, admin), 409, "not-held", "precinct"));
  bad = ok;
  bad["precinct"] = kStuart;
  EXPECT_TRUE(IsError(this->Post("/api/v1/holds", bad, admin), 409, "not-held", "precinct"));
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/holds", ok, this->Campaign("Sanders")), 403, "forbidden"));
  EXPECT_EQ(this->Get("/api/v1/holds", admin).doc["ledger_seq"], seq);

  Reply done = this->Post("/api/v1/holds", ok, admin);
  ASSERT_EQ(done.status, 201) << done;
  Reply after = this->Get("/api/v1/holds", admin);
  ASSERT_EQ(after.doc["held"].size(), 1u) << after;
  EXPECT_EQ(after.doc["held"][0]["precinct"], kFontanelle);
  ASSERT_EQ(after.doc["overrides"].size(), 1u);
  EXPECT_EQ(after.doc["overrides"][0]["precinct"], kAdair);
  EXPECT_EQ(after.doc["overrides"][0]["override"]["reason"], "the worksheet is the legal record");
  EXPECT_EQ(after.doc["overrides"][0]["override"]["seq"], seq + 1);
}

}  // namespace
}  // namespace canvass::api_test
