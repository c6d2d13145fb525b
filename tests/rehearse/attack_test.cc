// The attack against a real server in the test process: it must count what the server answered
// each kind of hostile traffic, end promptly, and leave the server serving. The server runs with
// a short request timeout so that the slow-drip connections are refused within the test.
#include "rehearse/attack.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/api_fixture.h"
#include "http/client.h"
#include "http/metrics.h"
#include "http/server.h"
#include "intake/intake.h"
#include "intake/setup.h"
#include "store/store_backends.h"

namespace canvass::rehearse {
namespace {

using api_test::Eventually;
using api_test::IowaSlice;
using nlohmann::json;
using namespace std::chrono_literals;

// Threads of this process now (Linux).
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

int64_t StatusCount(const AttackKindCounts& counts, int status) {
  auto it = counts.status.find(status);
  return it == counts.status.end() ? 0 : it->second;
}

int64_t Answered(const AttackKindCounts& counts) {
  int64_t n = 0;
  for (const auto& [status, count] : counts.status) n += count;
  return n;
}

int64_t ServerErrors(const AttackKindCounts& counts) {
  int64_t n = 0;
  for (const auto& [status, count] : counts.status) n += status >= 500 ? count : 0;
  return n;
}

std::string Describe(const AttackReport& report) { return report.ToJson().dump(); }

class AttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(backend_.Prepare().ok());
    auto setup = IowaSlice();
    ASSERT_TRUE(setup.ok()) << setup.status().ToString();
    auto intake = Intake::Open(backend_.location());
    ASSERT_TRUE(intake.ok()) << intake.status().ToString();
    intake_ = std::move(intake).value();
    auto codes = CreateElection(*intake_, *setup);
    ASSERT_TRUE(codes.ok()) << codes.status().ToString();
    codes_ = *codes;
  }

  void TearDown() override {
    if (api_ != nullptr) api_->SetStreamNotifier(nullptr);
    if (server_ != nullptr) server_->Stop();
    server_.reset();
    api_.reset();
    intake_.reset();
  }

  // The Api and the server, as `canvass serve` puts them together, with `limits`.
  void StartServer(HttpLimits limits) {
    ApiOptions options;
    options.session_key = NewSessionKey();
    options.kdf = KdfCost::Test();
    options.submissions_per_second = 0;
    options.results_max_age = 0ms;
    api_ = std::make_unique<Api>(*intake_, metrics_, options);
    HttpServerOptions http;
    http.address = "127.0.0.1";
    http.port = 0;
    http.threads = 2;
    http.limits = std::move(limits);
    http.limits.body_limits_by_prefix.emplace_back("/api/v1/precincts/", options.max_photo_bytes);
    Api* api = api_.get();
    server_ = std::make_unique<HttpServer>(
        http, [api](HttpRequest req, Respond respond) { api->Handle(std::move(req), respond); },
        &metrics_, &Api::RouteLabel);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    HttpServer* server = server_.get();
    api_->SetStreamNotifier([server] { server->NotifyStreams(); });
  }

  static HttpLimits TestLimits() {
    HttpLimits limits;
    limits.request_timeout = 800ms;  // slow-drip connections get their 408 within a second
    limits.rate_per_second = 0;
    return limits;
  }

  // Only the given kinds, few of each.
  AttackOptions Quiet() const {
    AttackOptions o;
    o.ports = {server_->port()};
    o.flood_workers = 0;
    o.guess_workers = 0;
    o.oversize_workers = 0;
    o.slowloris = 0;
    o.readers = 0;
    o.subscribers = 0;
    o.address_count = 8;
    o.seed = 20200203;
    return o;
  }

  std::string Code(const std::string& role, const std::string& subject) const {
    for (const IssuedCode& c : codes_) {
      if (c.role == role && c.subject == subject) return c.code;
    }
    return "";
  }

  int64_t Seq() {
    HttpClient client("127.0.0.1", server_->port());
    auto r = client.Get("/api/v1/health");
    if (!r.ok() || r->status != 200) return -1;
    return json::parse(r->body)["seq"].get<int64_t>();
  }

  testing_store::SqliteBackend backend_;
  std::unique_ptr<Intake> intake_;
  std::vector<IssuedCode> codes_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> server_;
};

// Every kind at once, with the public ids known: no guess gets in, every refusal has its status,
// the subscribers see the report a chair sends meanwhile, and the server still serves.
TEST_F(AttackTest, EveryKindIsAnsweredAndNoGuessIsAdmitted) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TestLimits()));
  const int64_t seq_before = Seq();
  ASSERT_GE(seq_before, 1);

  AttackOptions o = Quiet();
  o.flood_workers = 2;
  o.guess_workers = 2;
  o.oversize_workers = 1;
  o.slowloris = 10;
  o.readers = 20;
  o.subscribers = 20;
  for (const IssuedCode& c : codes_) o.known_ids.push_back(c.credential);
  ASSERT_FALSE(o.known_ids.empty());

  const int threads_before = ThreadCount();
  Attack attack(o);
  attack.Start();
  // Each subscriber has its stream open.
  EXPECT_TRUE(Eventually(
      [&] { return StatusCount(attack.Report().kinds["subscriber"], 200) >= o.subscribers; }, 60s))
      << Describe(attack.Report());
  // A few threads, not one per connection (50 connections are held open now).
  const int threads_during = ThreadCount();
  EXPECT_LE(threads_during - threads_before, 8) << threads_before << " -> " << threads_during;

  // A chair logs in and sends a practice report, from an address of its own.
  HttpClient chair("127.0.0.1", server_->port());
  auto login = chair.Request("POST", "/api/v1/session", json{{"code", Code("chair", "1")}}.dump(),
                             {{"Content-Type", "application/json"}});
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  ASSERT_EQ(login->status, 200) << login->body;
  const std::string token = json::parse(login->body)["token"].get<std::string>();
  const json practice = {
      {"submission", "practice-during-attack"},
      {"first", {{"Buttigieg", 30}, {"Klobuchar", 25}, {"Sanders", 20}, {"Warren", 5}}},
      {"final", {{"Buttigieg", 33}, {"Klobuchar", 27}, {"Sanders", 20}}}};
  auto report =
      chair.Request("POST", "/api/v1/precincts/1/practice", practice.dump(),
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->status, 201) << report->body;

  // Every subscriber receives it; and by now every kind has met its refusal.
  EXPECT_TRUE(Eventually(
      [&] {
        AttackReport r = attack.Report();
        return r.sse_events >= o.subscribers && r.guesses_locked_out > 0 &&
               StatusCount(r.kinds["slowloris"], 408) > 0 && r.reader_not_modified > 0 &&
               StatusCount(r.kinds["oversized"], 413) > 0 &&
               StatusCount(r.kinds["malformed"], 400) > 0 && r.seconds >= 1.5;
      },
      60s))
      << Describe(attack.Report());

  const auto stop_started = std::chrono::steady_clock::now();
  attack.Stop();
  const auto stop_took = std::chrono::steady_clock::now() - stop_started;
  EXPECT_LT(stop_took, 5s);
  attack.Stop();  // idempotent

  const AttackReport r = attack.Report();
  SCOPED_TRACE(Describe(r));
  RecordProperty("attack_report", Describe(r));
  ASSERT_EQ(r.kinds.size(), 7u);

  // Guessing: many codes tried, wrong ones refused, then the lockout; never a session.
  EXPECT_GT(r.guesses, 0);
  EXPECT_EQ(r.guesses_admitted, 0);
  const AttackKindCounts& guess = r.kinds.at("guess");
  EXPECT_EQ(r.guesses, Answered(guess));
  EXPECT_EQ(StatusCount(guess, 200), 0);
  EXPECT_GT(StatusCount(guess, 401), 0);
  EXPECT_GT(StatusCount(guess, 429), 0);
  EXPECT_EQ(r.guesses_locked_out, StatusCount(guess, 429));

  // The floods: refused for want of a session, unknown routes, wrong methods; no server error.
  const AttackKindCounts& flood = r.kinds.at("flood");
  EXPECT_GT(flood.sent, 0);
  EXPECT_GT(StatusCount(flood, 401), 0);
  EXPECT_GT(StatusCount(flood, 404), 0);
  EXPECT_GT(StatusCount(flood, 405), 0);
  EXPECT_EQ(StatusCount(flood, 201), 0);
  EXPECT_EQ(StatusCount(flood, 200), 0);
  EXPECT_EQ(ServerErrors(flood), 0);

  const AttackKindCounts& malformed = r.kinds.at("malformed");
  EXPECT_GT(StatusCount(malformed, 400), 0);
  EXPECT_EQ(StatusCount(malformed, 200), 0);
  EXPECT_EQ(ServerErrors(malformed), 0);

  const AttackKindCounts& oversized = r.kinds.at("oversized");
  EXPECT_GT(StatusCount(oversized, 413), 0);
  EXPECT_EQ(StatusCount(oversized, 200), 0);
  EXPECT_EQ(ServerErrors(oversized), 0);

  const AttackKindCounts& slow = r.kinds.at("slowloris");
  EXPECT_GE(slow.sent, o.slowloris);
  EXPECT_GT(StatusCount(slow, 408), 0);

  const AttackKindCounts& reader = r.kinds.at("reader");
  EXPECT_GT(StatusCount(reader, 200), 0);
  EXPECT_GT(StatusCount(reader, 304), 0);
  EXPECT_EQ(r.reader_not_modified, StatusCount(reader, 304));
  EXPECT_EQ(ServerErrors(reader), 0);

  EXPECT_GE(StatusCount(r.kinds.at("subscriber"), 200), o.subscribers);
  EXPECT_GE(r.sse_events, o.subscribers);
  EXPECT_GE(r.seconds, 1.5);

  for (const auto& [name, counts] : r.kinds) {
    EXPECT_GE(counts.sent, Answered(counts) + counts.transport_failures) << name;
  }

  chair.Close();
  // Nothing the attackers sent reached the ledger: only the chair's first login (session-opened)
  // and practice report.
  EXPECT_EQ(Seq(), seq_before + 2);
  // The server still serves, and every attacker connection is gone.
  HttpClient after("127.0.0.1", server_->port());
  auto health = after.Get("/api/v1/health");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  after.Close();
  EXPECT_TRUE(Eventually([&] { return metrics_.Value("canvass_http_open_connections") == 0; }, 20s))
      << metrics_.Value("canvass_http_open_connections");
}

// With the per-address rate limit on, a flood meets 429s, and moving between addresses does not
// get it past them for long.
TEST_F(AttackTest, FloodMeetsTheRateLimit) {
  HttpLimits limits = TestLimits();
  limits.rate_per_second = 20;
  limits.rate_burst = 20;
  ASSERT_NO_FATAL_FAILURE(StartServer(limits));
  AttackOptions o = Quiet();
  o.flood_workers = 2;
  o.address_count = 2;
  Attack attack(o);
  attack.Start();
  EXPECT_TRUE(Eventually(
      [&] {
        AttackReport r = attack.Report();
        return StatusCount(r.kinds["flood"], 429) >= 10 && r.seconds >= 1.5;
      },
      60s))
      << Describe(attack.Report());
  attack.Stop();
  const AttackReport r = attack.Report();
  const AttackKindCounts& flood = r.kinds.at("flood");
  EXPECT_GE(StatusCount(flood, 429), 10) << Describe(r);
  EXPECT_GT(StatusCount(flood, 401) + StatusCount(flood, 404) + StatusCount(flood, 405), 0)
      << Describe(r);
  // Two addresses at 20 a second with a burst of 20 each: most of the flood was refused.
  EXPECT_GT(StatusCount(flood, 429), Answered(flood) - StatusCount(flood, 429)) << Describe(r);
  EXPECT_EQ(ServerErrors(flood), 0) << Describe(r);
  // The other kinds did nothing.
  EXPECT_EQ(r.kinds.at("guess").sent, 0);
  EXPECT_EQ(r.kinds.at("subscriber").sent, 0);
  EXPECT_EQ(r.guesses, 0);
}

// Many held connections (slow drips and streams) end at once on Stop(), and the server sees
// them all go.
TEST_F(AttackTest, StopEndsEveryConnectionPromptly) {
  HttpLimits limits = TestLimits();
  limits.request_timeout = 60s;  // the slow drips are not refused while the test runs
  ASSERT_NO_FATAL_FAILURE(StartServer(limits));
  AttackOptions o = Quiet();
  o.slowloris = 100;
  o.subscribers = 100;
  o.address_count = 16;
  const int threads_before = ThreadCount();
  Attack attack(o);
  attack.Start();
  EXPECT_TRUE(
      Eventually([&] { return metrics_.Value("canvass_http_open_connections") >= 200; }, 60s))
      << metrics_.Value("canvass_http_open_connections") << " " << Describe(attack.Report());
  EXPECT_LE(ThreadCount() - threads_before, 8);
  // A subscriber's connection is open before its 200 is read: wait for every answer (a loaded
  // machine may take a while), not for a moment.
  EXPECT_TRUE(Eventually(
      [&] { return StatusCount(attack.Report().kinds.at("subscriber"), 200) >= 100; }, 60s))
      << Describe(attack.Report());

  const auto stop_started = std::chrono::steady_clock::now();
  attack.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 5s);
  EXPECT_TRUE(Eventually([&] { return metrics_.Value("canvass_http_open_connections") == 0; }, 20s))
      << metrics_.Value("canvass_http_open_connections");
  const AttackReport r = attack.Report();
  EXPECT_GE(r.kinds.at("slowloris").sent, 100) << Describe(r);
  EXPECT_EQ(StatusCount(r.kinds.at("slowloris"), 408), 0) << Describe(r);
  EXPECT_GE(StatusCount(r.kinds.at("subscriber"), 200), 100) << Describe(r);
  EXPECT_EQ(r.sse_events, 0) << Describe(r);  // nothing was appended
}

// No server at the port: every attempt is a transport failure, and Stop() still ends it all.
TEST_F(AttackTest, CountsTransportFailuresWithoutAServer) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TestLimits()));
  const uint16_t port = server_->port();
  server_->Stop();  // the port is free again, and nothing listens there
  AttackOptions o = Quiet();
  o.ports = {port};
  o.flood_workers = 1;
  o.guess_workers = 1;
  o.readers = 3;
  Attack attack(o);
  attack.Start();
  EXPECT_TRUE(Eventually(
      [&] {
        AttackReport r = attack.Report();
        return r.kinds["flood"].transport_failures > 0 && r.kinds["guess"].transport_failures > 0 &&
               r.kinds["reader"].transport_failures > 0;
      },
      30s))
      << Describe(attack.Report());
  attack.Stop();
  const AttackReport r = attack.Report();
  EXPECT_EQ(r.guesses, 0) << Describe(r);
  EXPECT_EQ(Answered(r.kinds.at("flood")), 0) << Describe(r);
  EXPECT_EQ(Answered(r.kinds.at("reader")), 0) << Describe(r);
}

// The report's JSON has every field and every kind, counts as integers and status codes as
// keys; an attack never started reports zeros and stops cleanly.
TEST(AttackReportTest, JsonHasEveryKindAndField) {
  Attack idle(AttackOptions{});
  idle.Stop();
  idle.Stop();
  const json empty = idle.Report().ToJson();
  for (const char* kind :
       {"flood", "malformed", "oversized", "slowloris", "guess", "reader", "subscriber"}) {
    ASSERT_TRUE(empty["kinds"].contains(kind)) << empty.dump();
    EXPECT_EQ(empty["kinds"][kind]["sent"], 0);
    EXPECT_EQ(empty["kinds"][kind]["status"], json::object());
    EXPECT_EQ(empty["kinds"][kind]["transport_failures"], 0);
  }
  EXPECT_EQ(empty["seconds"], 0.0);

  AttackReport r;
  r.kinds["guess"].sent = 12;
  r.kinds["guess"].status[401] = 10;
  r.kinds["guess"].status[429] = 2;
  r.kinds["slowloris"].status[0] = 3;
  r.kinds["slowloris"].transport_failures = 1;
  r.guesses = 12;
  r.guesses_locked_out = 2;
  r.sse_events = 40;
  r.reader_not_modified = 7;
  r.seconds = 2.5;
  const json j = r.ToJson();
  EXPECT_EQ(j["kinds"]["guess"]["status"], (json{{"401", 10}, {"429", 2}}));
  EXPECT_TRUE(j["kinds"]["guess"]["sent"].is_number_integer());
  EXPECT_EQ(j["kinds"]["slowloris"]["status"]["0"], 3);
  EXPECT_EQ(j["kinds"]["slowloris"]["transport_failures"], 1);
  EXPECT_EQ(j["guesses"], 12);
  EXPECT_EQ(j["guesses_admitted"], 0);
  EXPECT_EQ(j["guesses_locked_out"], 2);
  EXPECT_EQ(j["sse_events"], 40);
  EXPECT_EQ(j["reader_not_modified"], 7);
  EXPECT_EQ(j["seconds"], 2.5);
}

}  // namespace
}  // namespace canvass::rehearse
