// Live results as the public sees them: the results document with its ETag, the ledger as an
// event stream that resumes where it left off, and the metrics an operator scrapes.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class ResultsTest : public ApiFixture<Backend> {
 protected:
  void ReportAdair() {
    const std::string chair = this->Chair(kAdair);
    ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"), {{"first", kFirst}}, chair).status, 201);
    ASSERT_EQ(this->Post(PrecinctPath(kAdair, "final"), {{"final", kFinal}}, chair).status, 201);
  }
  const json kFirst = {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 10}, {"Biden", 3}};
  const json kFinal = {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 13}};
};
TYPED_TEST_SUITE(ResultsTest, Backends, BackendNames);

// Chairs report county delegates, never SDEs: the reported side's SDEs come from the delegates
// and the county ratio; each side's national count says how many precincts it rests on, and is
// complete only when every precinct is in.
TYPED_TEST(ResultsTest, ReportedSdesAndNationalCountsOfAPartialNight) {
  const std::string chair = this->Chair(kAdair);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"), {{"first", this->kFirst}}, chair).status,
            201);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "final"),
                       {{"final", this->kFinal},
                        {"delegates", {{"Buttigieg", 4}, {"Sanders", 2}, {"Warren", 2}}}},
                       chair)
                .status,
            201);
  Reply r = this->Get("/api/v1/results");
  ASSERT_EQ(r.status, 200) << r;
  const json& reported = r.doc["totals"]["reported"];
  // 4 x 4/51 and 2 x 4/51, as the computed side has them.
  EXPECT_EQ(reported["state"]["Buttigieg"]["sde"], "0.3137");
  EXPECT_EQ(reported["state"]["Sanders"]["sde"], "0.1569");
  EXPECT_EQ(reported["state"]["Biden"]["sde"], "0.0000");
  EXPECT_EQ(reported["precincts_sde_from_delegates"], 1);
  for (const char* side : {"reported", "computed"}) {
    const json& national = r.doc["totals"][side]["national"];
    ASSERT_TRUE(national.is_object()) << side;
    EXPECT_EQ(national["precincts"], (json{{"counted", 1}, {"of", kPrecincts}})) << side;
    EXPECT_FALSE(national["complete"].get<bool>()) << side;
    int64_t seats = 0;
    for (const auto& [name, n] : national["total"].items()) seats += n.template get<int64_t>();
    EXPECT_GT(seats, 0) << side << ": national delegates all zero";
    EXPECT_EQ(national["total"]["Buttigieg"],
              r.doc["totals"]["computed"]["national"]["total"]["Buttigieg"]);
  }
  EXPECT_FALSE(r.doc["national"]["complete"].get<bool>());
  EXPECT_EQ(r.doc["precincts"]["expected"], kPrecincts);
  const json& leader = reported["summary"]["leader"];
  EXPECT_EQ(leader["sde"]["candidate"], "Buttigieg");
  EXPECT_EQ(leader["sde"]["margin"], "0.1568");
  EXPECT_EQ(
      leader["final"],
      (json{{"candidate", "Buttigieg"}, {"second", "Sanders"}, {"margin", 10}, {"tied", false}}));
  EXPECT_EQ(reported["summary"]["shares"]["Warren"]["final"], "20.63");  // 13 of 63
}

TYPED_TEST(ResultsTest, ResultsFollowTheReportsAndHonourTheETag) {
  Reply empty = this->Get("/api/v1/results");
  ASSERT_EQ(empty.status, 200) << empty;
  EXPECT_EQ(empty.doc["reporting"]["precincts"], kPrecincts);
  EXPECT_EQ(empty.doc["reporting"]["included"], 0);
  EXPECT_EQ(empty.doc["reporting"]["percent_complete"], "0.00");
  EXPECT_EQ(empty.doc["ledger"]["seq"], this->Seq());
  const std::string etag = empty.Header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(empty.Header("cache-control"), "no-cache");

  Reply same = this->Get("/api/v1/results", "", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.Header("etag"), etag);

  ASSERT_NO_FATAL_FAILURE(this->ReportAdair());
  Reply one = this->Get("/api/v1/results", "", {{"If-None-Match", etag}});
  ASSERT_EQ(one.status, 200) << one;
  EXPECT_NE(one.Header("etag"), etag);
  EXPECT_EQ(one.doc["reporting"]["included"], 1);
  EXPECT_EQ(one.doc["reporting"]["complete"], 1);
  EXPECT_EQ(one.doc["reporting"]["confirmed"], 0);
  EXPECT_EQ(one.doc["reporting"]["percent_complete"], "20.00");
  EXPECT_EQ(one.doc["reporting"]["in"], json::array({kAdair}));
  const json& reported = one.doc["totals"]["reported"]["state"];
  const json& computed = one.doc["totals"]["computed"]["state"];
  EXPECT_EQ(reported["Buttigieg"]["first"], 30);
  EXPECT_EQ(reported["Warren"]["final"], 13);
  // Adair 1NW: 4-2-2 at 4/51 SDE per delegate.
  EXPECT_EQ(computed["Buttigieg"]["sde"], "0.3137");
  EXPECT_EQ(computed["Sanders"]["sde"], "0.1569");
  EXPECT_EQ(computed["Warren"]["sde"], "0.1569");
  EXPECT_EQ(computed["Biden"]["sde"], "0.0000");
  EXPECT_EQ(one.doc["totals"]["computed"]["districts"]["3"]["Buttigieg"]["sde"], "0.3137");
  EXPECT_EQ(one.doc["precincts"]["count"], 1);

  // A precinct with only its first alignment counts as reported, not complete.
  const std::string chair = this->Chair(kOcheyedan);
  ASSERT_EQ(this->Post(PrecinctPath(kOcheyedan, "first"),
                       {{"first", {{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}}}}, chair)
                .status,
            201);
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "confirm"), json::object(), this->Chair(kAdair)).status,
            201);
  Reply two = this->Get("/api/v1/results", "", {{"If-None-Match", one.Header("etag")}});
  ASSERT_EQ(two.status, 200) << two;
  EXPECT_EQ(two.doc["reporting"]["included"], 2);
  EXPECT_EQ(two.doc["reporting"]["complete"], 1);
  EXPECT_EQ(two.doc["reporting"]["confirmed"], 1);
  EXPECT_EQ(two.doc["reporting"]["in"], json::array({kAdair, kOcheyedan}));
  EXPECT_EQ(two.doc["totals"]["reported"]["state"]["Buttigieg"]["first"], 33);
  EXPECT_EQ(two.doc["ledger"]["seq"], this->Seq());
  EXPECT_EQ(this->Get("/api/v1/results", "", {{"If-None-Match", two.Header("etag")}}).status, 304);
}

TYPED_TEST(ResultsTest, EventsStreamInOrderAndResume) {
  const int64_t start = this->Seq();
  auto watcher = this->NewClient();
  auto head =
      watcher->OpenEventStream("/api/v1/events", {{"Last-Event-ID", std::to_string(start)}});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  ASSERT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-type").rfind("text/event-stream", 0), 0u);

  // Reports made after the stream opened arrive on it, in ledger order.
  ASSERT_NO_FATAL_FAILURE(this->ReportAdair());
  const std::vector<std::string> types = {"first-alignment-reported", "final-alignment-reported"};
  for (int64_t i = 1; i <= 2; ++i) {
    auto event = watcher->ReadEvent(std::chrono::seconds(20));
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    EXPECT_EQ(event->id, start + i);
    EXPECT_EQ(event->event, types[static_cast<size_t>(i - 1)]);
    json line = json::parse(event->data, nullptr, false);
    EXPECT_EQ(line["seq"], start + i);
    EXPECT_EQ(line["type"], event->event);
    EXPECT_EQ(line["payload"]["precinct"], kAdair);
  }
  watcher->Close();

  // Reconnecting with the last id seen gives what came after it, and nothing twice.
  auto again = this->NewClient();
  ASSERT_TRUE(
      again->OpenEventStream("/api/v1/events", {{"Last-Event-ID", std::to_string(start + 1)}})
          .ok());
  auto next = again->ReadEvent(std::chrono::seconds(20));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->id, start + 2);
  EXPECT_EQ(next->event, "final-alignment-reported");
  // ... and then the next new event.
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "confirm"), json::object(), this->Chair(kAdair)).status,
            201);
  auto confirmed = again->ReadEvent(std::chrono::seconds(20));
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  EXPECT_EQ(confirmed->id, start + 3);
  EXPECT_EQ(confirmed->event, "report-confirmed");

  // ?after= does the same for clients that cannot set headers; no position: from the start.
  auto by_query = this->NewClient();
  ASSERT_TRUE(by_query->OpenEventStream("/api/v1/events?after=" + std::to_string(start)).ok());
  auto q = by_query->ReadEvent(std::chrono::seconds(20));
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->id, start + 1);
  auto from_start = this->NewClient();
  ASSERT_TRUE(from_start->OpenEventStream("/api/v1/events").ok());
  auto genesis = from_start->ReadEvent(std::chrono::seconds(20));
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  EXPECT_EQ(genesis->id, 1);
  EXPECT_EQ(genesis->event, "election-created");

  Reply bad = this->Get("/api/v1/events", "", {{"Last-Event-ID", "seven"}});
  EXPECT_TRUE(IsError(bad, 400, "malformed-event-id"));
}

TYPED_TEST(ResultsTest, MetricsCountRequestsAndSubmissions) {
  ASSERT_NO_FATAL_FAILURE(this->ReportAdair());
  (void)this->Post(PrecinctPath(kAdair, "first"), {{"first", this->kFirst}}, this->Chair(kAdair));
  Reply m = this->Get("/metrics");
  ASSERT_EQ(m.status, 200) << m;
  EXPECT_EQ(m.Header("content-type").rfind("text/plain", 0), 0u);
  bool requests = false;
  bool accepted = false;
  bool rejected = false;
  std::istringstream lines(m.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("canvass_http_requests_total{", 0) == 0 &&
        line.find("/api/v1/precincts/:id/first") != std::string::npos) {
      requests = true;
    }
    if (line.rfind("canvass_submissions_total{", 0) == 0 &&
        line.find("type=\"first-alignment-reported\"") != std::string::npos) {
      if (line.find("outcome=\"accepted\"") != std::string::npos) {
        accepted = true;
        EXPECT_EQ(line.substr(line.rfind(' ') + 1), "1") << line;
      }
      if (line.find("outcome=\"rejected\"") != std::string::npos) rejected = true;
    }
  }
  EXPECT_TRUE(requests) << m.body;
  EXPECT_TRUE(accepted) << m.body;
  EXPECT_TRUE(rejected) << m.body;
  EXPECT_NE(m.body.find("canvass_ledger_seq " + std::to_string(this->Seq())), std::string::npos)
      << m.body;
}

}  // namespace
}  // namespace canvass::api_test
