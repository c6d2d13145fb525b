// Two `canvass serve` processes on one PostgreSQL database, sharing a session key: chairs report
// to both at once, some to the same precinct through both. The ledger stays one linear chain,
// every acknowledged report is in it once, the loser of a race for a precinct is refused with a
// conflict (or, with the same submission id, given the winner's receipt), and both nodes come to
// serve the same ledger head.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <mutex>
#include <thread>

#include "server/server_process.h"
#include "store/store_backends.h"

namespace canvass::server_test {
namespace {

struct Answer {
  char node = '?';
  int64_t precinct = 0;
  std::string stage;
  int status = 0;
  std::string code;  // error.code of a refusal
  Acknowledged ack;
};

class Answers {
 public:
  void Add(Answer a) {
    std::lock_guard lock(mu_);
    all_.push_back(std::move(a));
  }
  std::vector<Answer> all() {
    std::lock_guard lock(mu_);
    return all_;
  }

 private:
  std::mutex mu_;
  std::vector<Answer> all_;
};

// Sends one report until it has an answer other than 503 (or no answer at all).
Answer Send(char node, Chair& chair, int64_t precinct, const std::string& stage,
            const std::string& submission) {
  Answer a;
  a.node = node;
  a.precinct = precinct;
  a.stage = stage;
  a.ack.actor = chair.code().credential;
  a.ack.submission = submission;
  a.ack.type = stage == "first" ? "first-alignment-reported" : "final-alignment-reported";
  const std::string target = "/api/v1/precincts/" + std::to_string(precinct) + "/" + stage;
  const auto deadline = Clock::now() + kDeadline;
  while (Clock::now() < deadline) {
    ++a.ack.attempts;
    auto r = chair.Post(target, Report(stage, "Warren", submission));
    if (!r.ok() || r->status == 503) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    a.status = r->status;
    json body = json::parse(r->body, nullptr, false);
    if (r->status == 200 || r->status == 201) {
      ReadReceipt(r->body, a.ack);
    } else if (!body.is_discarded() && body.contains("error")) {
      a.code = body["error"].value("code", "");
    }
    return a;
  }
  return a;
}

json Election(uint16_t port) {
  HttpClient client("127.0.0.1", port);
  auto r = client.Get("/api/v1/election");
  if (!r.ok() || r->status != 200) return json();
  return json::parse(r->body, nullptr, false);
}

TEST(TwoNodesTest, OneDatabaseOneChain) {
  if (std::string why = testing_store::PostgresBackend::Unavailable(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  testing_store::PostgresBackend pg;
  Status prepared = pg.Prepare();
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string store = pg.location();
  CommandRun init = InitDemo(dir.path(), store);
  ASSERT_EQ(init.exit_code, 0) << init.out;
  const int64_t setup_events = VerifiedEvents(dir.path(), store);
  std::map<std::string, AccessCode> chairs;
  for (const AccessCode& c : ReadCodes(dir / "codes.csv")) {
    if (c.role == "chair") chairs[c.subject] = c;
  }

  const std::vector<std::string> args = {
      "--store",          store, "--fast-kdf", "--no-rate-limits", "--session-key-file",
      dir / "session.key"};
  ServerProcess a(dir.path(), args, "node-a");
  ServerProcess b(dir.path(), args, "node-b");
  // One after the other: the first creates the session key file, the second reads it.
  ASSERT_TRUE(a.Start().ok()) << a.log();
  ASSERT_TRUE(b.Start().ok()) << b.log();

  std::vector<int64_t> precincts;
  {
    HttpClient probe("127.0.0.1", a.port());
    precincts = ReportablePrecincts(probe, 1, 100);
  }
  ASSERT_EQ(precincts.size(), 100u);
  const std::vector<int64_t> only_a(precincts.begin(), precincts.begin() + 40);
  const std::vector<int64_t> only_b(precincts.begin() + 40, precincts.begin() + 80);
  // Reported through both nodes: the first ten with a submission id per node, the other ten with
  // the same id on both (the phone sent it again through the other node).
  const std::vector<int64_t> both(precincts.begin() + 80, precincts.end());
  auto same_id = [&](int64_t precinct) {
    return std::find(both.begin() + 10, both.end(), precinct) != both.end();
  };

  {  // A session from one node is good on the other.
    Chair chair(chairs.at(std::to_string(both.front())), a.port());
    ASSERT_TRUE(chair.Login());
    HttpClient other("127.0.0.1", b.port());
    auto r = other.Get("/api/v1/session", {{"Authorization", "Bearer " + chair.token()}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200) << r->body;
  }

  Answers answers;
  {
    auto work = [&](char node, uint16_t port, std::vector<int64_t> list) {
      for (int64_t p : list) {
        Chair chair(chairs.at(std::to_string(p)), port);
        for (const char* stage : {"first", "final"}) {
          std::string submission = fmt::format("{}-{}", stage, p);
          if (std::find(both.begin(), both.end(), p) != both.end() && !same_id(p)) {
            submission += std::string("-") + node;
          }
          answers.Add(Send(node, chair, p, stage, submission));
        }
      }
    };
    std::vector<std::jthread> threads;
    threads.emplace_back(work, 'a', a.port(), std::vector(only_a.begin(), only_a.begin() + 20));
    threads.emplace_back(work, 'a', a.port(), std::vector(only_a.begin() + 20, only_a.end()));
    threads.emplace_back(work, 'b', b.port(), std::vector(only_b.begin(), only_b.begin() + 20));
    threads.emplace_back(work, 'b', b.port(), std::vector(only_b.begin() + 20, only_b.end()));
    threads.emplace_back(work, 'a', a.port(), both);
    threads.emplace_back(work, 'b', b.port(), both);
  }

  std::vector<Acknowledged> acked;
  std::map<std::pair<int64_t, std::string>, std::vector<Answer>> by_report;
  for (const Answer& ans : answers.all()) {
    by_report[{ans.precinct, ans.stage}].push_back(ans);
    if (ans.status == 200 || ans.status == 201) acked.push_back(ans.ack);
  }
  ASSERT_EQ(by_report.size(), 2 * precincts.size());
  size_t conflicts = 0;
  for (const auto& [key, list] : by_report) {
    const std::string what = fmt::format("precinct {} {}", key.first, key.second);
    if (std::find(both.begin(), both.end(), key.first) == both.end()) {
      ASSERT_EQ(list.size(), 1u) << what;
      EXPECT_EQ(list[0].status, 201) << what << " " << list[0].code;
      continue;
    }
    ASSERT_EQ(list.size(), 2u) << what;
    std::vector<int> statuses = {list[0].status, list[1].status};
    std::sort(statuses.begin(), statuses.end());
    if (same_id(key.first)) {
      // One records it, the other answers with the first answer's receipt.
      EXPECT_EQ(statuses, (std::vector<int>{200, 201})) << what;
      EXPECT_EQ(list[0].ack.seq, list[1].ack.seq) << what;
    } else {
      EXPECT_EQ(statuses, (std::vector<int>{201, 409})) << what;
      const Answer& refused = list[0].status == 409 ? list[0] : list[1];
      EXPECT_EQ(refused.code, "already-reported") << what;
      ++conflicts;
    }
  }
  EXPECT_EQ(conflicts, 20u);

  const std::vector<std::string> lines = ExpectLedgerHolds(dir.path(), store, acked);
  // Besides the reports, one session-opened per chair, whichever node it first logged in on.
  EXPECT_EQ(static_cast<int64_t>(lines.size()) - SessionsOpened(lines),
            setup_events + 2 * static_cast<int64_t>(precincts.size()));
  EXPECT_LE(SessionsOpened(lines), static_cast<int64_t>(precincts.size()));
  ASSERT_FALSE(lines.empty());
  const int64_t head_seq = static_cast<int64_t>(lines.size());
  const std::string head_hash = Sha256Hex(lines.back());
  CommandRun verify = RunCommand(dir.path(), {"ledger", "verify", "--store", store});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_NE(verify.out.find(fmt::format("head {}:{}", head_seq, head_hash)), std::string::npos)
      << verify.out;

  // Each node catches up with what the other appended (it polls the store when idle).
  const auto deadline = Clock::now() + kDeadline;
  json ea;
  json eb;
  for (;;) {
    ea = Election(a.port());
    eb = Election(b.port());
    const bool caught_up = ea.is_object() && eb.is_object() && ea["seq"] == head_seq &&
                           eb["seq"] == head_seq && ea["head"] == head_hash &&
                           eb["head"] == head_hash;
    if (caught_up || Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ea["seq"], head_seq) << ea.dump();
  EXPECT_EQ(eb["seq"], head_seq) << eb.dump();
  EXPECT_EQ(ea["head"], head_hash);
  EXPECT_EQ(eb["head"], head_hash);
}

}  // namespace
}  // namespace canvass::server_test
