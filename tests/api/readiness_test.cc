// Readiness: which chairs have logged in is on the ledger (session-opened, once per credential,
// no secret), so the figure the administrator sees survives a restart of the server and is the
// same on every node that shares the store.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class ReadinessTest : public ApiFixture<Backend> {
 protected:
  bool LogInEveryone() const override { return false; }

  std::vector<json> SessionEvents() {
    std::vector<json> out;
    for (const json& e : this->LedgerEvents()) {
      if (e.is_object() && e["type"] == "session-opened") out.push_back(e);
    }
    return out;
  }
};
TYPED_TEST_SUITE(ReadinessTest, Backends, BackendNames);

// A second `canvass serve` over the same store: its own intake, Api and server.
struct Node {
  std::unique_ptr<Intake> intake;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<Api> api;
  std::unique_ptr<HttpServer> server;

  ~Node() {
    if (server != nullptr) server->Stop();
    intake.reset();
  }
};

std::unique_ptr<Node> StartNode(const std::string& location, const ApiOptions& options) {
  auto node = std::make_unique<Node>();
  auto intake = Intake::Open(location);
  EXPECT_TRUE(intake.ok()) << intake.status().ToString();
  if (!intake.ok()) return nullptr;
  node->intake = std::move(intake).value();
  node->metrics = std::make_unique<Metrics>();
  node->api = std::make_unique<Api>(*node->intake, *node->metrics, options);
  HttpServerOptions http;
  http.address = "127.0.0.1";
  http.port = 0;
  http.threads = 2;
  http.limits.rate_per_second = 0;
  Api* api = node->api.get();
  node->server = std::make_unique<HttpServer>(
      http, [api](HttpRequest req, Respond respond) { api->Handle(std::move(req), respond); },
      node->metrics.get(), &Api::RouteLabel);
  Status st = node->server->Start();
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return nullptr;
  return node;
}

TYPED_TEST(ReadinessTest, FirstLoginIsOnTheLedgerOnceAndSurvivesARestart) {
  const std::string admin = this->Admin();
  Reply ready = this->Get("/api/v1/readiness", admin);
  ASSERT_EQ(ready.status, 200) << ready;
  EXPECT_EQ(ready.doc["chairs_logged_in"], 0);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["chair_logged_in"], false);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["chair_login_seq"], 0);

  // The administrator's own login is on the ledger too (it is a credential that logged in).
  std::vector<json> sessions = this->SessionEvents();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]["actor"]["role"], "admin");

  const int64_t before = this->Seq();
  const std::string chair = this->Chair(kAdair);
  ASSERT_FALSE(chair.empty());
  // The answer came once the event was durable: the ledger already holds it.
  EXPECT_EQ(this->Seq(), before + 1);
  sessions = this->SessionEvents();
  ASSERT_EQ(sessions.size(), 2u);
  const json& opened = sessions.back();
  EXPECT_EQ(opened["seq"], before + 1);
  EXPECT_EQ(opened["actor"]["role"], "chair");
  EXPECT_EQ(opened["channel"], "web");
  EXPECT_EQ(opened["payload"], json::object());  // who and when only: never the code
  const std::string code = this->Code("chair", std::to_string(kAdair));
  EXPECT_EQ(code.substr(0, 4), opened["actor"]["id"].get<std::string>());
  EXPECT_EQ(opened.dump().find(code.substr(5)), std::string::npos);

  // Logging in again (another phone, a reload) writes nothing more.
  for (int i = 0; i < 3; ++i) {
    Reply again = this->LoginWith(code);
    ASSERT_EQ(again.status, 200) << again;
  }
  EXPECT_EQ(this->Seq(), before + 1);

  ready = this->Get("/api/v1/readiness", admin);
  ASSERT_EQ(ready.status, 200) << ready;
  EXPECT_EQ(ready.doc["chairs_logged_in"], 1);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["chair_logged_in"], true);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["chair_login_seq"], before + 1);
  EXPECT_EQ(ready.doc["precincts"][kStuart - 1]["chair_logged_in"], false);

  // A login changes no figure: the ledger "moved" only for what a release would say.
  Reply results = this->Get("/api/v1/results");
  ASSERT_EQ(results.status, 200) << results;

  // After a restart the server knows from the ledger who has logged in.
  const json before_restart = ready.doc;
  this->Restart();
  ready = this->Get("/api/v1/readiness", this->Admin());
  ASSERT_EQ(ready.status, 200) << ready;
  EXPECT_EQ(ready.doc, before_restart);
  EXPECT_EQ(ready.doc["chairs_logged_in"], 1);
  // And still writes nothing for a credential that has logged in before.
  ASSERT_EQ(this->LoginWith(code).status, 200);
  EXPECT_EQ(this->Seq(), before + 1);
}

TYPED_TEST(ReadinessTest, AReissuedCodeCountsOnlyOnceItLogsIn) {
  const std::string admin = this->Admin();
  ASSERT_FALSE(this->Chair(kAdair).empty());
  Reply reissued = this->Post("/api/v1/credentials/reissue",
                              {{"role", "chair"}, {"subject", std::to_string(kAdair)}}, admin);
  ASSERT_EQ(reissued.status, 201) << reissued;
  Reply ready = this->Get("/api/v1/readiness", admin);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["chair_logged_in"], false) << ready;
  EXPECT_EQ(ready.doc["chairs_logged_in"], 0);
  const int64_t before = this->Seq();
  ASSERT_EQ(this->LoginWith(reissued.doc["code"].get<std::string>()).status, 200);
  EXPECT_EQ(this->Seq(), before + 1);
  ready = this->Get("/api/v1/readiness", admin);
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["chair_logged_in"], true) << ready;
  EXPECT_EQ(ready.doc["chairs_logged_in"], 1);
}

TYPED_TEST(ReadinessTest, TwoNodesAgree) {
  // Node B over the same store, started before anyone logs in.
  std::unique_ptr<Node> b = StartNode(this->backend_.location(), this->options_);
  ASSERT_NE(b, nullptr);
  auto on_b = std::make_unique<HttpClient>("127.0.0.1", b->server->port());
  const std::string admin = this->Admin();  // on node A

  // Chairs log in on either node; one logs in on both.
  const std::string adair = this->Code("chair", std::to_string(kAdair));
  const std::string stuart = this->Code("chair", std::to_string(kStuart));
  const std::string ocheyedan = this->Code("chair", std::to_string(kOcheyedan));
  auto login_b = [&](const std::string& code) {
    return this->Call(*on_b, "POST", "/api/v1/session", json{{"code", code}}.dump(), "",
                      {{"Content-Type", "application/json"}});
  };
  ASSERT_EQ(this->LoginWith(adair).status, 200);
  ASSERT_EQ(login_b(stuart).status, 200);
  ASSERT_EQ(login_b(ocheyedan).status, 200);
  ASSERT_EQ(this->LoginWith(ocheyedan).status, 200);

  // Both nodes come to the same ledger head (each polls for what the other appended), and
  // then show the same readiness.
  auto health = [&](HttpClient& c) { return this->Call(c, "GET", "/api/v1/health").doc; };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  json ha = health(*this->client_);
  json hb = health(*on_b);
  while (ha["seq"] != hb["seq"] && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ha = health(*this->client_);
    hb = health(*on_b);
  }
  ASSERT_EQ(ha["seq"], hb["seq"]) << ha << hb;
  Reply ready_a = this->Get("/api/v1/readiness", admin);
  Reply ready_b = this->Call(*on_b, "GET", "/api/v1/readiness", "", admin);
  ASSERT_EQ(ready_a.status, 200) << ready_a;
  ASSERT_EQ(ready_b.status, 200) << ready_b;
  EXPECT_EQ(ready_a.doc["chairs_logged_in"], 3);
  EXPECT_EQ(ready_a.doc, ready_b.doc);
  // One event per credential, whichever node it logged in on first.
  int chairs = 0;
  for (const json& e : this->SessionEvents()) chairs += e["actor"]["role"] == "chair" ? 1 : 0;
  EXPECT_EQ(chairs, 3);
}

}  // namespace
}  // namespace canvass::api_test
