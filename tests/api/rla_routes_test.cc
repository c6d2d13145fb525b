// The risk-limiting audit through the API: the party starts it once the results are in, enters
// the public seed once, and enters tallies; the public reads it at GET /api/v1/audit/rla. On five
// real Iowa precincts the margins are far too thin to sample, so the audit is a full hand count
// from the start, and every precinct may be tallied. Roles and order are checked before anything
// is written; refusals name what is wrong.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class RlaRoutesTest : public ApiFixture<Backend> {
 protected:
  // Precincts first..last report their first and final alignment.
  void Report(int64_t first, int64_t last) {
    const json figures[] = {
        {{"Buttigieg", 30}, {"Klobuchar", 25}, {"Sanders", 25}},
        {{"Biden", 20}, {"Buttigieg", 30}, {"Sanders", 40}},
        {{"Warren", 100}, {"Sanders", 60}},
        {{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}},
        {{"Biden", 30}, {"Warren", 30}, {"Sanders", 30}},
    };
    for (int64_t id = first; id <= last; ++id) {
      const std::string chair = this->Chair(id);
      const json& f = figures[id - 1];
      ASSERT_EQ(this->Post(PrecinctPath(id, "first"), {{"first", f}}, chair).status, 201);
      json final = {{"final", f}};
      if (id == kOcheyedan) final["delegates"] = {{"Buttigieg", 2}, {"Klobuchar", 1}};
      Reply r = this->Post(PrecinctPath(id, "final"), final, chair);
      ASSERT_EQ(r.status, 201) << r;
    }
  }
};
TYPED_TEST_SUITE(RlaRoutesTest, Backends, BackendNames);

TYPED_TEST(RlaRoutesTest, StartSeedAndTallyInOrderAndThePublicReadsIt) {
  const std::string admin = this->Admin();
  Reply none = this->Get("/api/v1/audit/rla");
  EXPECT_TRUE(IsError(none, 404, "no-audit")) << none;
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/audit/rla", {{"risk_limit", "5"}}), 401, "unauthenticated"));
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/audit/rla", {{"risk_limit", "5"}}, this->Campaign("Sanders")),
              403, "forbidden"));
  int64_t before = this->Seq();
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/audit/rla", {{"submission", "s1"}, {"risk_limit", "5"}}, admin),
              409, "results-not-committed"));
  EXPECT_EQ(this->Seq(), before);
  ASSERT_NO_FATAL_FAILURE(this->Report(1, kPrecincts));
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/audit/rla", {{"submission", "s1"}, {"risk_limit", "0"}}, admin),
              422, "bad-risk-limit"));
  Reply started =
      this->Post("/api/v1/audit/rla", {{"submission", "s1"}, {"risk_limit", "10"}}, admin);
  ASSERT_EQ(started.status, 201) << started;
  EXPECT_EQ(started.doc["receipt"]["event"], "rla-started");
  const int64_t start_seq = started.doc["receipt"]["seq"].get<int64_t>();

  // Before the seed: the plan, no sample; a tally is refused.
  Reply planned = this->Get("/api/v1/audit/rla");
  ASSERT_EQ(planned.status, 200) << planned;
  EXPECT_EQ(planned.doc["started"]["seq"], start_seq);
  EXPECT_EQ(planned.doc["started"]["risk_limit"], "10");
  EXPECT_EQ(planned.doc["started"]["committed_seq"], start_seq - 1);
  EXPECT_EQ(planned.doc["precincts"], kPrecincts);
  EXPECT_TRUE(planned.doc["seed_event"].is_null());
  EXPECT_FALSE(planned.doc.contains("decision"));
  const json tally = {{"submission", "t1"},
                      {"precinct", kOcheyedan},
                      {"delegates", {{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}}}};
  EXPECT_TRUE(IsError(this->Post("/api/v1/audit/rla/tallies", tally, admin), 409, "no-seed"));

  Reply seeded =
      this->Post("/api/v1/audit/rla/seed", {{"submission", "d1"}, {"seed", "0314159265"}}, admin);
  ASSERT_EQ(seeded.status, 201) << seeded;
  before = this->Seq();
  EXPECT_TRUE(
      IsError(this->Post("/api/v1/audit/rla/seed", {{"submission", "d2"}, {"seed", "2718"}}, admin),
              409, "seed-entered"));
  EXPECT_EQ(this->Seq(), before);

  // Five precincts and thin margins: a full hand count, so every precinct may be tallied.
  Reply status = this->Get("/api/v1/audit/rla");
  ASSERT_EQ(status.status, 200) << status;
  EXPECT_EQ(status.doc["decision"], "full_hand_count");
  EXPECT_EQ(status.doc["seed_event"]["seed"], "0314159265");
  EXPECT_TRUE(IsError(this->Post("/api/v1/audit/rla/tallies", {{"submission", "t0"}}, admin), 422,
                      "precinct-required"));
  EXPECT_TRUE(IsError(
      this->Post("/api/v1/audit/rla/tallies", {{"submission", "t0"}, {"precinct", 99}}, admin), 404,
      "unknown-precinct"));
  EXPECT_TRUE(IsError(
      this->Post(
          "/api/v1/audit/rla/tallies",
          {{"submission", "t0"}, {"precinct", kOcheyedan}, {"delegates", {{"Buttigieg", 1}}}},
          admin),
      422, "delegates-total"));
  Reply tallied = this->Post("/api/v1/audit/rla/tallies", tally, admin);
  ASSERT_EQ(tallied.status, 201) << tallied;
  EXPECT_TRUE(IsError(this->Post("/api/v1/audit/rla/tallies",
                                 {{"submission", "t2"},
                                  {"precinct", kOcheyedan},
                                  {"unauditable", true},
                                  {"custody", "found short"}},
                                 admin),
                      409, "already-tallied"));
  Reply read = this->Get("/api/v1/audit/rla");
  ASSERT_EQ(read.status, 200) << read;
  ASSERT_EQ(read.doc["tallies"].size(), 1u);
  const json& t = read.doc["tallies"][0];
  EXPECT_EQ(t["precinct"], kOcheyedan);
  EXPECT_EQ(t["delegates"], json({{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}}));
  EXPECT_EQ(t["reported"]["delegates"], json({{"Buttigieg", 2}, {"Klobuchar", 1}}));
  EXPECT_EQ(read.doc["ledger_seq"], this->Seq());
  // A reader that has it gets 304.
  const std::string etag = fmt::format("\"r{}\"", this->Seq());
  Reply cached = this->Call("GET", "/api/v1/audit/rla", "", "", {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304);
}

}  // namespace
}  // namespace canvass::api_test
