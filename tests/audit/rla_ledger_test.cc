// The risk-limiting audit on the ledger (src/state/rla.cc, src/audit/rla_ledger.h): rla-started
// freezes the reported outcome, rla-seed draws the sample, rla-tally records what the board found.
// On a simulated election of 1,000 precincts and two candidates (wide margins): clean tallies of
// the drawn precincts confirm the outcome within the first round Arlo's formula gives, and a replay
// of the ledger finds the same audit; an unauditable precinct escalates to a full hand count.
// Every refusal (the wrong order, a second seed or tally, a precinct not drawn, figures that
// cannot be) names what is wrong and writes nothing.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "audit/rla_fixture.h"
#include "audit/rla_ledger.h"

namespace canvass::publish_test {
namespace {

class RlaLedgerTest : public SimulatedLedgerTest {
 protected:
  // The code of the refusal, after checking that nothing was written.
  std::string Refusal(const std::string& type, const json& payload,
                      Actor actor = Actor{"admin", "cli"}) {
    const int64_t before = l_.state.seq();
    auto r = l_.TryAdd(type, payload, actor);
    if (!r) return "accepted";
    EXPECT_EQ(l_.state.seq(), before);
    EXPECT_FALSE(r->message.empty());
    return r->code;
  }

  LedgerRla Audit() const {
    auto audit = AuditOfLedger(l_.state);
    EXPECT_TRUE(audit.ok()) << audit.status().ToString();
    return audit.ok() ? *audit : LedgerRla{};
  }

  // Tallies every drawn precinct still without one with what it reported, until the audit decides.
  RlaStatus TallyAsReported() {
    for (int step = 0; step < 20; ++step) {
      const LedgerRla audit = Audit();
      if (!audit.status || audit.status->decision != RlaDecision::kAwaiting) {
        return audit.status.value_or(RlaStatus{});
      }
      for (const RlaDraw& d : audit.status->draws) {
        if (d.audited) continue;
        const size_t report = audit.plan.batches[d.batch].report;
        const int64_t id = audit.record->ids[report];
        if (l_.state.rla()->tally(id) != nullptr) continue;
        EXPECT_TRUE(CheckTallyDrawn(l_.state, id).ok());
        l_.Add("rla-tally", {{"precinct", id}, {"delegates", Figures(report, 2)}});
      }
    }
    ADD_FAILURE() << "the audit did not end";
    return {};
  }
};

TEST_F(RlaLedgerTest, RefusalsNameWhatIsWrongAndWriteNothing) {
  EXPECT_EQ(Refusal("rla-seed", {{"seed", "12345"}}), "audit-not-started");
  const size_t n = election_.reports.size();
  // Nothing reported: nothing to audit.
  EXPECT_EQ(Refusal("rla-started", {{"risk_limit", "5"}}), "results-not-committed");
  Report(0, n);
  EXPECT_EQ(Refusal("rla-started", {{"risk_limit", "5"}}, Actor{"campaign", "Candidate 1"}),
            "forbidden");
  EXPECT_EQ(Refusal("rla-started", json::object()), "risk-limit-required");
  for (const char* bad : {"0", "100", "-5", "five"}) {
    EXPECT_EQ(Refusal("rla-started", {{"risk_limit", bad}}), "bad-risk-limit") << bad;
  }
  EXPECT_EQ(Refusal("rla-tally", {{"precinct", 1}, {"delegates", Figures(0, 2)}}),
            "audit-not-started");
  l_.Add("rla-started", {{"risk_limit", "5"}});
  const int64_t started = l_.state.seq();
  EXPECT_EQ(Refusal("rla-started", {{"risk_limit", "10"}}), "audit-started");
  EXPECT_EQ(l_.state.rla()->committed_head, l_.lines[static_cast<size_t>(started - 2)].hash);
  EXPECT_EQ(Refusal("rla-tally", {{"precinct", 1}, {"delegates", Figures(0, 2)}}), "no-seed");
  EXPECT_EQ(Refusal("rla-seed", {{"seed", "  "}}), "seed-required");
  EXPECT_EQ(Refusal("rla-seed", {{"seed", "12\n34"}}), "bad-seed");
  l_.Add("rla-seed", {{"seed", "31415926535897932384"}});
  EXPECT_EQ(Refusal("rla-seed", {{"seed", "27182818284590452353"}}), "seed-entered");

  // The audit decides which precincts are tallied.
  const LedgerRla audit = Audit();
  ASSERT_TRUE(audit.status.has_value());
  ASSERT_EQ(audit.status->decision, RlaDecision::kAwaiting);
  std::set<int64_t> drawn;
  for (const RlaDraw& d : audit.status->draws) {
    drawn.insert(audit.record->ids[audit.plan.batches[d.batch].report]);
  }
  int64_t not_drawn = 1;
  while (drawn.count(not_drawn) != 0) ++not_drawn;
  const Status refused = CheckTallyDrawn(l_.state, not_drawn);
  EXPECT_EQ(refused.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.message().find(fmt::format("precinct {} (", not_drawn)), std::string::npos)
      << refused.message();
  EXPECT_EQ(CheckTallyDrawn(l_.state, 99999).code(), Status::Code::kNotFound);

  // Figures that cannot be: refused by the ledger with the field.
  const int64_t id = *drawn.begin();
  const size_t report = static_cast<size_t>(id - 1);
  json short_by_one = Figures(report, 2);
  short_by_one[short_by_one.begin().key()] = short_by_one.begin()->get<int64_t>() + 1;
  EXPECT_EQ(Refusal("rla-tally", {{"precinct", id}, {"delegates", short_by_one}}),
            "delegates-total");
  EXPECT_EQ(Refusal("rla-tally", {{"precinct", id}, {"delegates", {{"Nobody", 1}}}}),
            "unknown-candidate");
  EXPECT_EQ(Refusal("rla-tally", {{"precinct", id}, {"unauditable", true}}), "custody-required");
  EXPECT_EQ(Refusal("rla-tally", {{"precinct", id}}), "figures-required");
  EXPECT_EQ(Refusal("rla-tally", {{"precinct", id}, {"first", Figures(report, 0)}}),
            "sorts-required");
  // The cards' sorts: the engine gives the delegates; other delegates beside them are refused.
  json wrong = Figures(report, 2);
  if (wrong.size() == 2) {
    auto a = wrong.begin();
    auto b = std::next(a);
    const int64_t moved = a->get<int64_t>();
    *b = b->get<int64_t>() + moved;
    *a = 0;
    EXPECT_EQ(Refusal("rla-tally", {{"precinct", id},
                                    {"first", Figures(report, 0)},
                                    {"final", Figures(report, 1)},
                                    {"delegates", wrong}}),
              "delegates-differ");
  }
  l_.Add("rla-tally",
         {{"precinct", id}, {"first", Figures(report, 0)}, {"final", Figures(report, 1)}});
  EXPECT_EQ(l_.state.rla()->tally(id)->delegates.size(), election_.candidates.size());
  EXPECT_EQ(Refusal("rla-tally", {{"precinct", id}, {"delegates", Figures(report, 2)}}),
            "already-tallied");
}

TEST_F(RlaLedgerTest, CleanTalliesConfirmWithinTheFirstRoundAndReplay) {
  Report(0, election_.reports.size());
  l_.Add("rla-started", {{"risk_limit", "5"}});
  // A correction after the start changes the results, not the audited outcome.
  const int64_t total_before = Audit().plan.total;
  const json f = Figures(0, 0);
  l_.Add("report-corrected", {{"precinct", 1},
                              {"reason", "a typo"},
                              {"first", f},
                              {"final", Figures(0, 1)},
                              {"delegates", Figures(0, 2)},
                              {"keep_ties", true}});
  EXPECT_EQ(Audit().plan.total, total_before);
  l_.Add("rla-seed", {{"seed", "31415926535897932384"}});
  const LedgerRla planned = Audit();
  ASSERT_FALSE(planned.plan.full_hand_count()) << planned.plan.total_bound().ToDecimal(3);
  const RlaStatus status = TallyAsReported();
  EXPECT_EQ(status.decision, RlaDecision::kConfirmed);
  ASSERT_EQ(status.rounds.size(), 1u);
  EXPECT_EQ(static_cast<int64_t>(status.draws.size()), planned.plan.first_round.draws);
  EXPECT_LE(status.p_value, 0.05L);

  // Anyone replaying the ledger finds the same audit, byte for byte.
  ElectionState replayed;
  for (const StoredEvent& s : l_.lines) {
    auto e = DecodeEvent(s.line);
    ASSERT_TRUE(e.ok());
    ASSERT_FALSE(replayed.Apply(*e, s).has_value());
  }
  const LedgerRla again = *AuditOfLedger(replayed);
  EXPECT_EQ(LedgerRlaJson(replayed, again).dump(), LedgerRlaJson(l_.state, Audit()).dump());
  const json j = LedgerRlaJson(l_.state, Audit());
  EXPECT_EQ(j["decision"], "confirmed");
  EXPECT_EQ(j["tallies"].size(), l_.state.rla()->tallies.size());
  EXPECT_EQ(j["started"]["risk_limit"], "5");
  for (const json& d : j["draws"]) EXPECT_TRUE(d["id"].is_number_integer());
}

// A precinct not reported when the audit starts has nothing to bound: a full hand count naming it.
TEST_F(RlaLedgerTest, APrecinctNotReportedMakesAFullHandCount) {
  const size_t n = election_.reports.size();
  Report(0, n - 1);
  l_.Add("rla-started", {{"risk_limit", "5"}});
  l_.Add("rla-seed", {{"seed", "20200203"}});
  const LedgerRla audit = Audit();
  ASSERT_TRUE(audit.plan.full_hand_count());
  ASSERT_EQ(audit.plan.unbounded.size(), 1u);
  EXPECT_NE(
      audit.plan.unbounded[0].find(election_.apportionment[n - 1].precinct + " (not reported"),
      std::string::npos)
      << audit.plan.unbounded[0];
  ASSERT_TRUE(audit.status.has_value());
  EXPECT_EQ(audit.status->decision, RlaDecision::kFullHandCount);
  EXPECT_TRUE(CheckTallyDrawn(l_.state, 1).ok());  // every precinct is counted
}

TEST_F(RlaLedgerTest, AnUnauditablePrecinctEscalatesToAFullHandCount) {
  Report(0, election_.reports.size());
  l_.Add("rla-started", {{"risk_limit", "5"}});
  l_.Add("rla-seed", {{"seed", "20200203"}});
  const LedgerRla audit = Audit();
  ASSERT_TRUE(audit.status.has_value());
  const int64_t id = audit.record->ids[audit.plan.batches[audit.status->draws[0].batch].report];
  l_.Add("rla-tally", {{"precinct", id}, {"unauditable", true}, {"custody", "packet not found"}});
  const RlaStatus status = TallyAsReported();
  EXPECT_EQ(status.decision, RlaDecision::kFullHandCount);
  EXPECT_NE(status.reason.find("unauditable"), std::string::npos) << status.reason;
}

// A recount entered under a recount request after the audit started is the audit's tally of a
// drawn precinct that has none (the cards counted once serve both); a recount of a precinct the
// seed has not drawn is not taken in, so `ledger verify` finds nothing out of the sample.
TEST_F(RlaLedgerTest, ARecountOfADrawnPrecinctIsItsTally) {
  Report(0, election_.reports.size());
  l_.Add("credential-issued", {{"credential", "CAM1"},
                               {"role", "campaign"},
                               {"subject", election_.candidates[0]},
                               {"hash", "$argon2id$v=19$m=8,t=1,p=1$fixture$fixture"}});
  l_.Publish();  // the first complete release opens requests
  l_.Add("rla-started", {{"risk_limit", "5"}});
  l_.Add("rla-seed", {{"seed", "20200203"}});
  const LedgerRla planned = Audit();
  ASSERT_TRUE(planned.status.has_value());
  ASSERT_FALSE(planned.status->draws.empty());
  const size_t drawn_report = planned.plan.batches[planned.status->draws[0].batch].report;
  std::set<size_t> drawn;
  for (const RlaDraw& d : planned.status->draws) drawn.insert(planned.plan.batches[d.batch].report);
  size_t other_report = 0;
  while (drawn.count(other_report) != 0) ++other_report;

  // Recanvass, then recount, each requested by the campaign and accepted by the party.
  auto review = [&](const std::string& kind, size_t report) {
    const int64_t id = planned.record->ids[report];
    l_.Add("review-requested",
           {{"submission", kind + std::to_string(id)},
            {"kind", kind},
            {"reason", "the audit drew it"},
            {"precincts", {{{"precinct", id}}}}},
           Actor{"campaign", "CAM1"});
    const int64_t request = l_.state.seq();
    l_.Add("review-decided",
           {{"request", request}, {"precinct", id}, {"decision", "accepted"}, {"reason", "ok"}});
    if (kind == "recanvass") {
      l_.Add("recanvass-entered", {{"request", request},
                                   {"precinct", id},
                                   {"worksheet",
                                    {{"first", Figures(report, 0)},
                                     {"final", Figures(report, 1)},
                                     {"delegates", Figures(report, 2)}}}});
      return;
    }
    Count cards = 0;
    for (const CandidateReport& f : election_.reports[report].figures) cards += f.first.value_or(0);
    l_.Add("recount-entered", {{"request", request},
                               {"precinct", id},
                               {"cards", cards},
                               {"first", Figures(report, 0)},
                               {"final", Figures(report, 1)}});
  };
  for (size_t report : {drawn_report, other_report}) {
    review("recanvass", report);
    review("recount", report);
  }
  const int64_t drawn_id = planned.record->ids[drawn_report];
  const int64_t other_id = planned.record->ids[other_report];
  EXPECT_EQ(l_.state.rla()->tally(drawn_id), nullptr);  // no rla-tally event

  const LedgerRla audit = Audit();
  bool taken = false;
  for (size_t i = 0; i < audit.records.size(); ++i) {
    EXPECT_NE(audit.records[i].precinct, other_id) << "a recount out of the sample was taken";
    if (audit.records[i].precinct == drawn_id) {
      taken = true;
      EXPECT_NE(audit.from_recount[i], 0);
      EXPECT_EQ(audit.records[i].delegates.size(), election_.candidates.size());
    }
  }
  EXPECT_TRUE(taken);
  const json j = LedgerRlaJson(l_.state, audit);
  ASSERT_EQ(j["tallies"].size(), 1u);
  EXPECT_EQ(j["tallies"][0]["source"], "recount");
  EXPECT_EQ(j["tallies"][0]["precinct"], drawn_id);
  // The recount agreed with the report: the rest tallied as reported confirms.
  const RlaStatus status = TallyAsReported();
  EXPECT_EQ(status.decision, RlaDecision::kConfirmed);
  EXPECT_EQ(l_.state.rla()->tally(drawn_id), nullptr);  // never asked for a second count
}

}  // namespace
}  // namespace canvass::publish_test
