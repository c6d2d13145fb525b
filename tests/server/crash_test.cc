// A server killed with SIGKILL while chairs report, restarted on the same store, again and again:
// every report it acknowledged is in the ledger exactly once, reports sent again with the same
// submission id after a lost answer are not recorded twice, and the chain verifies.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "server/server_process.h"
#include "store/store_backends.h"

namespace canvass::server_test {
namespace {

constexpr size_t kPrecincts = 150;  // two reports each: first and final alignment
constexpr int kThreads = 6;
// SIGKILL when this many reports have been acknowledged: by count, never by time.
constexpr size_t kKillPoints[] = {60, 150, 240};

// Where the server is now, and what the chairs have been told.
class Run {
 public:
  explicit Run(uint16_t port) : port_(port) {}

  uint16_t port() {
    std::lock_guard lock(mu_);
    return port_;
  }
  void MovedTo(uint16_t port) {
    std::lock_guard lock(mu_);
    port_ = port;
  }
  void Acknowledge(Acknowledged a) {
    {
      std::lock_guard lock(mu_);
      acked_.push_back(std::move(a));
    }
    cv_.notify_all();
  }
  void Fail(std::string why) {
    {
      std::lock_guard lock(mu_);
      failures_.push_back(std::move(why));
    }
    cv_.notify_all();
  }
  void ThreadDone() {
    {
      std::lock_guard lock(mu_);
      ++threads_done_;
    }
    cv_.notify_all();
  }
  // Waits until `count` reports are acknowledged; false if every thread ended first.
  bool WaitForAcknowledged(size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, Clock::now() + kDeadline, [&] {
      return acked_.size() >= count || threads_done_ == kThreads;
    }) && acked_.size() >= count;
  }
  // Waits until every thread has sent all its reports.
  bool WaitForThreads() {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, Clock::now() + kDeadline,
                          [&] { return threads_done_ == kThreads; });
  }
  std::vector<Acknowledged> acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }
  std::vector<std::string> failures() {
    std::lock_guard lock(mu_);
    return failures_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint16_t port_;
  std::vector<Acknowledged> acked_;
  std::vector<std::string> failures_;
  int threads_done_ = 0;
};

// Sends one report until it is answered 200 or 201, through kills and restarts, always with the
// same submission id.
void SendUntilAnswered(Run& run, Chair& chair, int64_t precinct, const std::string& stage,
                       const std::string& candidate, const std::stop_token& stop) {
  const std::string submission = stage + "-" + std::to_string(precinct);
  const std::string target = "/api/v1/precincts/" + std::to_string(precinct) + "/" + stage;
  Acknowledged ack;
  ack.actor = chair.code().credential;
  ack.submission = submission;
  ack.type = stage == "first" ? "first-alignment-reported" : "final-alignment-reported";
  const auto deadline = Clock::now() + kDeadline;
  while (!stop.stop_requested() && Clock::now() < deadline) {
    chair.MoveTo(run.port());
    ++ack.attempts;
    auto r = chair.Post(target, Report(stage, candidate, submission));
    if (!r.ok()) {  // no answer: the server is down, or coming back up
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (r->status == 401) {  // the session is not valid (any more): log in again
      chair.Forget();
      continue;
    }
    if (r->status == 503) {  // not recorded, try again
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (r->status != 200 && r->status != 201) {
      run.Fail(fmt::format("{} {}: {} {}", target, submission, r->status, r->body));
      return;
    }
    ack.status = r->status;
    if (!ReadReceipt(r->body, ack)) {
      run.Fail(fmt::format("{} {}: no receipt in {}", target, submission, r->body));
      return;
    }
    run.Acknowledge(std::move(ack));
    return;
  }
  if (!stop.stop_requested()) run.Fail(target + " " + submission + ": never answered");
}

void CrashAndRestart(const std::string& dir, const std::string& store) {
  CommandRun init = InitDemo(dir, store);
  ASSERT_EQ(init.exit_code, 0) << init.out;
  const int64_t setup_events = VerifiedEvents(dir, store);
  std::map<std::string, AccessCode> chairs;
  for (const AccessCode& c : ReadCodes(dir + "/codes.csv")) {
    if (c.role == "chair") chairs[c.subject] = c;
  }
  ASSERT_EQ(chairs.size(), 1765u);

  ServerProcess server(dir, {"--store", store, "--fast-kdf", "--no-rate-limits",
                             "--session-key-file", dir + "/session.key"});
  ASSERT_TRUE(server.Start().ok()) << server.log();
  std::vector<int64_t> precincts;
  {
    HttpClient probe("127.0.0.1", server.port());
    precincts = ReportablePrecincts(probe, 1, kPrecincts);
  }
  ASSERT_EQ(precincts.size(), kPrecincts);

  // A session from before the crashes (the key is in a file, shared by every run).
  Chair early(chairs.at(std::to_string(precincts.front())), server.port());
  ASSERT_TRUE(early.Login());

  Run run(server.port());
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t](std::stop_token stop) {
        for (size_t i = static_cast<size_t>(t); i < precincts.size() && !stop.stop_requested();
             i += kThreads) {
          Chair chair(chairs.at(std::to_string(precincts[i])), run.port());
          for (const char* stage : {"first", "final"}) {
            SendUntilAnswered(run, chair, precincts[i], stage, i % 2 == 0 ? "Sanders" : "Buttigieg",
                              stop);
          }
        }
        run.ThreadDone();
      });
    }
    for (size_t kill_at : kKillPoints) {
      ASSERT_TRUE(run.WaitForAcknowledged(kill_at))
          << "only " << run.acked().size() << " acknowledged; failures: "
          << (run.failures().empty() ? "none" : run.failures().front());
      server.Kill();
      Status restarted = server.Start();
      ASSERT_TRUE(restarted.ok()) << restarted.ToString();
      run.MovedTo(server.port());
    }
    EXPECT_TRUE(run.WaitForThreads());
  }  // a thread still running (only after a failure) is stopped here

  for (const std::string& f : run.failures()) ADD_FAILURE() << f;
  {
    HttpClient client("127.0.0.1", server.port());
    auto r = client.Get("/api/v1/session", {{"Authorization", "Bearer " + early.token()}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200) << "a session outlives a restart: " << r->body;
  }
  const std::vector<Acknowledged> acked = run.acked();
  EXPECT_EQ(acked.size(), 2 * kPrecincts);
  EXPECT_EQ(server.starts(), 1 + static_cast<int>(std::size(kKillPoints)));
  const auto retried = std::count_if(acked.begin(), acked.end(),
                                     [](const Acknowledged& a) { return a.attempts > 1; });
  const auto answered_again = std::count_if(acked.begin(), acked.end(),
                                            [](const Acknowledged& a) { return a.status == 200; });
  std::cout << acked.size() << " reports acknowledged, " << retried << " after a lost answer, "
            << answered_again << " of them already recorded before the crash\n";
  // A clean stop exits 0 (128 + SIGTERM only if the signal beat `serve` to watching for it).
  const int stopped = server.Terminate();
  EXPECT_TRUE(stopped == 0 || stopped == 128 + SIGTERM) << stopped << "\n" << server.log();

  const std::vector<std::string> lines = ExpectLedgerHolds(dir, store, acked);
  // Besides the reports, each chair's first login (session-opened), once however often it
  // logged in again after the crash.
  const int64_t sessions = SessionsOpened(lines);
  EXPECT_LE(sessions, static_cast<int64_t>(kPrecincts));
  EXPECT_EQ(static_cast<int64_t>(lines.size()) - sessions,
            setup_events + 2 * static_cast<int64_t>(kPrecincts));
  const auto last =
      std::max_element(acked.begin(), acked.end(),
                       [](const Acknowledged& a, const Acknowledged& b) { return a.seq < b.seq; });
  ASSERT_NE(last, acked.end());
  CommandRun verify = RunCommand(dir, {"ledger", "verify", "--store", store, "--expect-head",
                                       std::to_string(last->seq) + ":" + last->hash});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_NE(verify.out.find("ok. " + std::to_string(lines.size()) + " events"), std::string::npos)
      << verify.out;
}

TEST(ServerCrashTest, SqliteKeepsEveryAcknowledgedReportOnce) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  CrashAndRestart(dir.path(), dir / "canvass.db");
}

TEST(ServerCrashTest, PostgresKeepsEveryAcknowledgedReportOnce) {
  if (std::string why = testing_store::PostgresBackend::Unavailable(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  testing_store::PostgresBackend pg;
  Status prepared = pg.Prepare();
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  CrashAndRestart(dir.path(), pg.location());
}

}  // namespace
}  // namespace canvass::server_test
