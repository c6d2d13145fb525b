// A phone on a bad connection sends the same report again: the same submission id gets the same
// answer and is written once, also when both copies arrive at the same moment, and also after the
// server restarted over the same store.
#include <gtest/gtest.h>

#include <latch>
#include <set>
#include <string>
#include <thread>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class IdempotencyTest : public ApiFixture<Backend> {};
TYPED_TEST_SUITE(IdempotencyTest, Backends, BackendNames);

const json kFinal = {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 13}};

TYPED_TEST(IdempotencyTest, TheSameSubmissionTwiceIsWrittenOnce) {
  const std::string chair = this->Chair(kAdair);
  const int64_t before = this->Seq();
  const json body = {{"submission", "adair-first-1"}, {"first", kFirst}};
  Reply once = this->Post(PrecinctPath(kAdair, "first"), body, chair);
  ASSERT_EQ(once.status, 201) << once;
  Reply again = this->Post(PrecinctPath(kAdair, "first"), body, chair);
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.body, once.body);
  EXPECT_EQ(this->Seq(), before + 1);
  EXPECT_EQ(once.doc["receipt"]["seq"], before + 1);

  // A retry that arrives after later events still gets the first answer, not the state now.
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "final"), {{"final", kFinal}}, chair).status, 201);
  Reply late = this->Post(PrecinctPath(kAdair, "first"), body, chair);
  EXPECT_EQ(late.status, 200);
  EXPECT_EQ(late.body, once.body);
  EXPECT_EQ(this->Seq(), before + 2);

  // Without a submission id a second first alignment is a conflict, not a retry.
  EXPECT_TRUE(IsError(this->Post(PrecinctPath(kAdair, "first"), {{"first", kFirst}}, chair), 409,
                      "already-reported"));
  // Submission ids belong to the actor: another chair's id "adair-first-1" is its own.
  Reply other = this->Post(PrecinctPath(kStuart, "first"), body, this->Chair(kStuart));
  EXPECT_EQ(other.status, 201) << other;
  EXPECT_EQ(this->Seq(), before + 3);

  // A photo sent twice: its id defaults to its hash.
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  Reply p1 = this->Call("POST", PrecinctPath(kAdair, "photo"), png, chair);
  ASSERT_EQ(p1.status, 201) << p1;
  Reply p2 = this->Call("POST", PrecinctPath(kAdair, "photo"), png, chair);
  EXPECT_EQ(p2.status, 200) << p2;
  EXPECT_EQ(p2.body, p1.body);
  EXPECT_EQ(this->Seq(), before + 4);
}

TYPED_TEST(IdempotencyTest, TwoIdenticalSubmissionsAtOnceAreWrittenOnce) {
  const std::string chair = this->Chair(kAdair);
  for (const std::string stage : {"first", "final"}) {
    const int64_t before = this->Seq();
    const json body = {{"submission", "both-" + stage},
                       {stage, stage == "first" ? kFirst : kFinal}};
    std::vector<Reply> replies(2);
    std::latch go(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        auto client = this->NewClient();
        // Connect first so that both requests leave together.
        (void)this->Call(*client, "GET", "/api/v1/health");
        go.arrive_and_wait();
        replies[static_cast<size_t>(t)] =
            this->Call(*client, "POST", PrecinctPath(kAdair, stage), body.dump(), chair);
      });
    }
    for (auto& t : threads) t.join();
    std::multiset<int> statuses = {replies[0].status, replies[1].status};
    EXPECT_EQ(statuses, (std::multiset<int>{200, 201})) << replies[0] << "\n" << replies[1];
    EXPECT_EQ(replies[0].body, replies[1].body);
    EXPECT_EQ(this->Seq(), before + 1) << stage;
  }
  EXPECT_EQ(this->StatusOf(kAdair), "final-reported");
}

TYPED_TEST(IdempotencyTest, ARestartKeepsStatusesAndAnswers) {
  const std::string adair = this->Chair(kAdair);
  const std::string vermillion = this->Chair(kVermillion);
  const json tie = {{"Warren", 100}, {"Sanders", 50}, {"Biden", 50}};
  const json first_body = {{"submission", "adair-1"}, {"first", kFirst}};
  Reply adair_first = this->Post(PrecinctPath(kAdair, "first"), first_body, adair);
  ASSERT_EQ(adair_first.status, 201);
  ASSERT_EQ(this->Post(PrecinctPath(kVermillion, "first"), {{"first", tie}}, vermillion).status,
            201);
  ASSERT_EQ(this->Post(PrecinctPath(kVermillion, "final"), {{"final", tie}}, vermillion).status,
            201);
  const json toss_body = {{"submission", "toss"},
                          {"tied", {"Biden", "Sanders"}},
                          {"favoured", {"Biden"}},
                          {"detail", "coin toss"}};
  Reply toss = this->Post(PrecinctPath(kVermillion, "ties"), toss_body, vermillion);
  ASSERT_EQ(toss.status, 201) << toss;
  ASSERT_EQ(this->Post(PrecinctPath(kVermillion, "confirm"), json::object(), vermillion).status,
            201);
  const json entry = {{"precinct", kStuart},
                      {"submission", "call-17"},
                      {"first", {{"Sanders", 40}, {"Buttigieg", 35}}}};
  Reply waiting = this->Post("/api/v1/hotline/entries", entry, this->Operator(1));
  ASSERT_EQ(waiting.status, 201) << waiting;
  ASSERT_EQ(waiting.doc["hotline"], "waiting");
  ASSERT_EQ(this->Post(PrecinctPath(kFontanelle, "attestations"), {{"verdict", "confirm"}},
                       this->Campaign("Yang"))
                .status,
            409);

  const std::string election = this->Get("/api/v1/election").body;
  const std::string precincts = this->Get("/api/v1/precincts").body;
  const std::string vermillion_now = this->Get(PrecinctPath(kVermillion)).body;
  const std::string stuart_now = this->Get(PrecinctPath(kStuart)).body;
  const std::string results = this->Get("/api/v1/results").body;
  const std::string ledger = this->Get("/api/v1/ledger?limit=10000").body;

  ASSERT_NO_FATAL_FAILURE(this->Restart());

  EXPECT_EQ(this->Get("/api/v1/election").body, election);
  EXPECT_EQ(this->Get("/api/v1/precincts").body, precincts);
  EXPECT_EQ(this->Get(PrecinctPath(kVermillion)).body, vermillion_now);
  EXPECT_EQ(this->Get(PrecinctPath(kStuart)).body, stuart_now);
  EXPECT_EQ(this->Get("/api/v1/results").body, results);
  EXPECT_EQ(this->Get("/api/v1/ledger?limit=10000").body, ledger);
  EXPECT_EQ(this->StatusOf(kVermillion), "confirmed");
  EXPECT_EQ(this->StatusOf(kAdair), "first-reported");

  // Sessions survive (same key); retries get the first answers, and nothing is written.
  const int64_t seq = this->Seq();
  Reply again = this->Post(PrecinctPath(kAdair, "first"), first_body, adair);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, adair_first.body);
  Reply toss_again = this->Post(PrecinctPath(kVermillion, "ties"), toss_body, vermillion);
  EXPECT_EQ(toss_again.status, 200);
  EXPECT_EQ(toss_again.body, toss.body);
  Reply waiting_again = this->Post("/api/v1/hotline/entries", entry, this->Operator(1));
  EXPECT_EQ(waiting_again.status, 200);
  EXPECT_EQ(waiting_again.body, waiting.body);
  EXPECT_EQ(this->Seq(), seq);

  // The pending hotline entry survived too: a second operator completes it.
  Reply agreed = this->Post("/api/v1/hotline/entries", entry, this->Operator(2));
  ASSERT_EQ(agreed.status, 201) << agreed;
  EXPECT_EQ(agreed.doc["hotline"], "accepted");
  EXPECT_EQ(this->StatusOf(kStuart), "first-reported");
}

}  // namespace
}  // namespace canvass::api_test
