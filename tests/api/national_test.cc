// GET /api/v1/national: the election's state live from its results beside the other states of
// the files `canvass serve` was given, with the tracker's statuses and majorities; errors named.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"
#include "delegates/national_json.h"
#include "delegates/tracker.h"
#include "tabulate/tabulate.h"

namespace canvass::api_test {
namespace {

const std::string kDir = std::string(CANVASS_DATA_DIR) + "/dnc-2020";

template <typename Backend>
class NationalTest : public ApiFixture<Backend> {
 protected:
  void SetUp() override {
    ApiFixture<Backend>::SetUp();
    if (this->IsSkipped()) return;
    auto setup = LoadNationalSetup("dnc-2020", "Iowa", kDir + "/delegates.csv",
                                   kDir + "/votes-early-states.csv", kDir + "/calendar.csv");
    ASSERT_TRUE(setup.ok()) << setup.status().ToString();
    setup_ = *setup;
    this->options_.national = setup_;
    ASSERT_NO_FATAL_FAILURE(this->Restart());
  }

  void Report(int64_t id, const json& first, const json& final) {
    const std::string chair = this->Chair(id);
    ASSERT_EQ(this->Post(PrecinctPath(id, "first"), {{"first", first}}, chair).status, 201);
    ASSERT_EQ(this->Post(PrecinctPath(id, "final"), {{"final", final}}, chair).status, 201);
  }

  // The tracker's count for the election as it stands: its tabulation's `side` pools as the
  // Iowa row, every other state from the files.
  json Expected(bool computed) {
    return this->intake_->Read([&](const ElectionState& s) -> json {
      auto tab = Tabulate(s.ruleset(), s.ReportedElection(), s.ReportedChecks());
      EXPECT_TRUE(tab.ok()) << tab.status().ToString();
      const Totals& totals = computed ? tab->computed : tab->reported;
      AllocatedState live;
      live.state = "Iowa";
      live.candidates = s.candidates();
      live.basis = computed ? "computed" : "reported";
      EXPECT_TRUE(totals.national.has_value());
      for (const PoolAllocation& p : totals.national->pools) {
        for (const NationalPool& np : s.ruleset().national->pools) {
          if (np.name != p.name) continue;
          live.pools.push_back(p);
          live.pools.back().name = MatchPoolName(setup_->inputs.delegates, "Iowa", np);
        }
      }
      auto count = CountNational(setup_->rules, setup_->inputs, {live});
      EXPECT_TRUE(count.ok()) << count.status().ToString();
      return NationalCountToJson(*count);
    });
  }

  std::shared_ptr<const NationalSetup> setup_;
  const json kFirst = {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 10}, {"Biden", 3}};
  const json kFinal = {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 13}};
};
TYPED_TEST_SUITE(NationalTest, Backends, BackendNames);

TYPED_TEST(NationalTest, TheRouteIsTheTrackersCountWithIowaLive) {
  ASSERT_NO_FATAL_FAILURE(this->Report(kAdair, this->kFirst, this->kFinal));
  ASSERT_NO_FATAL_FAILURE(this->Report(kStuart, {{"Sanders", 40}, {"Biden", 25}, {"Warren", 5}},
                                       {{"Sanders", 40}, {"Biden", 30}}));
  Reply results = this->Get("/api/v1/results");
  ASSERT_EQ(results.status, 200) << results;
  const json& headline = results.doc["national"];
  ASSERT_TRUE(headline.is_object()) << results;
  Reply r = this->Get("/api/v1/national");
  ASSERT_EQ(r.status, 200) << r;
  // The side the results headline is the side that feeds Iowa.
  EXPECT_EQ(r.doc["side"], headline["source"]);
  EXPECT_EQ(r.doc["state"], "Iowa");
  const bool computed = headline["source"] == "computed";
  EXPECT_TRUE(r.doc["national"] == this->Expected(computed))
      << "the route differs from the tracker";
  EXPECT_EQ(r.doc["ledger"]["seq"], this->Seq());
  for (const bool side : {true, false}) {
    Reply one = this->Get(std::string("/api/v1/national?side=") + (side ? "computed" : "reported"));
    ASSERT_EQ(one.status, 200) << one.status;
    EXPECT_EQ(one.doc["side"], side ? "computed" : "reported");
    EXPECT_TRUE(one.doc["national"] == this->Expected(side)) << "side " << side;
  }

  // Iowa's row is the results' national allocation, seat for seat.
  json iowa;
  for (const json& s : r.doc["national"]["states"]) {
    if (s["state"] == "Iowa") iowa = s;
  }
  ASSERT_TRUE(iowa.is_object());
  EXPECT_EQ(iowa["status"], "voted");
  int64_t seats = 0;
  for (const auto& [name, n] : headline["total"].items()) {
    if (n.template get<int64_t>() == 0) continue;
    seats += n.template get<int64_t>();
    EXPECT_EQ(iowa["won"][name], n) << name;
  }
  EXPECT_GT(seats, 0);
  EXPECT_EQ(iowa["won"].size(), 3u) << iowa["won"];  // Biden, Buttigieg, Sanders
  for (const json& p : iowa["pools"]) EXPECT_EQ(p["basis"], headline["source"]) << p["pool"];
  EXPECT_EQ(r.doc["election"][headline["source"].get<std::string>()], iowa);

  // New Hampshire from the votes file; the majorities are the 2020 convention's.
  const json& n = r.doc["national"];
  EXPECT_EQ(n["pledged"], 3979);
  EXPECT_EQ(n["allocated"], seats + 8);
  EXPECT_EQ(n["first_ballot"]["majority"], 1991);
  EXPECT_EQ(n["later_ballot"]["majority"], "2375.5");
  EXPECT_EQ(r.doc["calendar"].size(), 57u);
  EXPECT_EQ(r.doc["calendar"][0], (json{{"state", "Iowa"}, {"date", "2020-02-03"}}));

  Reply nh = this->Get("/api/v1/national?state=New+Hampshire");
  ASSERT_EQ(nh.status, 200) << nh;
  EXPECT_EQ(nh.doc["state"]["won"], (json{{"Buttigieg", 3}, {"Klobuchar", 2}, {"Sanders", 3}}));
}

TYPED_TEST(NationalTest, FollowsTheLedgerAndHonoursTheETag) {
  Reply before = this->Get("/api/v1/national");
  ASSERT_EQ(before.status, 200) << before;
  const std::string etag = before.Header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(this->Get("/api/v1/national", "", {{"If-None-Match", etag}}).status, 304);
  // Nobody has reported: Iowa is projected, its seats remaining.
  EXPECT_EQ(before.doc["national"]["allocated"], 8);
  ASSERT_NO_FATAL_FAILURE(this->Report(kAdair, this->kFirst, this->kFinal));
  Reply after = this->Get("/api/v1/national", "", {{"If-None-Match", etag}});
  ASSERT_EQ(after.status, 200) << after;
  EXPECT_NE(after.Header("etag"), etag);
  EXPECT_GT(after.doc["national"]["allocated"].get<int64_t>(), 8);
  EXPECT_TRUE(after.doc["national"] == this->Expected(after.doc["side"] == "computed"));
}

TYPED_TEST(NationalTest, ErrorsNameWhatIsWrong) {
  EXPECT_TRUE(IsError(this->Get("/api/v1/national?side=sideways"), 400, "malformed-query", "side"));
  EXPECT_TRUE(IsError(this->Get("/api/v1/national?state=Atlantis"), 404, "unknown-state", "state"));
  EXPECT_TRUE(IsError(this->Get("/api/v1/national/Iowa"), 404, "not-found"));
  EXPECT_TRUE(IsError(this->Post("/api/v1/national", json::object()), 405, "method-not-allowed"));
}

TEST(NationalSetupTest, BadFilesAndOptionsAreRefusedByName) {
  auto votes_alone =
      LoadNationalSetup("dnc-2020", "Iowa", "", kDir + "/votes-early-states.csv", "");
  ASSERT_FALSE(votes_alone.ok());
  EXPECT_NE(votes_alone.status().message().find("--national-delegates"), std::string::npos);
  auto no_convention = LoadNationalSetup("iowa-dem-2020", "Iowa", "", "", "");
  ASSERT_FALSE(no_convention.ok());
  EXPECT_NE(no_convention.status().message().find("--national-rules"), std::string::npos)
      << no_convention.status().ToString();
  auto bad_calendar = LoadNationalSetup("dnc-2020", "Iowa", kDir + "/delegates.csv", "",
                                        kDir + "/votes-early-states.csv");
  ASSERT_FALSE(bad_calendar.ok());
  EXPECT_NE(bad_calendar.status().message().find("votes-early-states.csv:1:"), std::string::npos)
      << bad_calendar.status().ToString();
}

}  // namespace
}  // namespace canvass::api_test
