// Conventions on the ledger at the size: a 20-seat district convention whose 10,000
// credentialed voters each cast one STV ballot as its own event (convention-ballot through
// ElectionState::Apply, every check included), then the count with equal division and the DNC
// comparison (ConventionPoolJson). The book is changed in place between snapshots, so the ballots
// cost about the same each, not more as the pile grows. Ballots come from SplitMix64, seed 15.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/random.h"
#include "ledger/event.h"
#include "rules/ruleset.h"
#include "state/convention.h"
#include "state/election_state.h"

namespace canvass {
namespace {

constexpr int kVoters = 10'000;
constexpr int kCandidates = 40;

// prefix + i, appended (g++ 12 at -O3 warns falsely, -Wrestrict, on Name("C", i)).
std::string Name(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

class BenchLedger {
 public:
  void Offer(const Actor& actor, const std::string& type, nlohmann::json payload) {
    Event e;
    e.seq = state.seq() + 1;
    e.time = time;
    e.actor = actor;
    e.channel = "web";
    e.type = type;
    e.payload = std::move(payload);
    e.prev = state.seq() == 0 ? std::string(kGenesisPrev) : state.head_hash();
    auto stored = EncodeEvent(e);
    if (!stored.ok() || state.Apply(e, *stored).has_value()) std::abort();
  }
  ElectionState state;
  std::string time = "2020-02-01T12:00:00.000Z";
};

// Everything up to the open vote: the election, the convention, its 40 filers in 4 preferences'
// groups, the voters' codes.
void Prepare(BenchLedger& l) {
  std::ifstream in(std::string(CANVASS_SOURCE_DIR) + "/rules/iowa-dem-2020.toml");
  std::stringstream text;
  text << in.rdbuf();
  auto rules = ParseRuleset(text.str(), "iowa-dem-2020");
  if (!rules.ok()) std::abort();
  const Actor admin{"admin", "cli"};
  l.Offer(admin, "election-created",
          {{"name", "bench"},
           {"ruleset", {{"name", rules->name}, {"hash", rules->hash}, {"toml", text.str()}}},
           {"candidates", {"P0", "P1", "P2", "P3"}},
           {"precincts", nlohmann::json::array({{{"county", "C"}, {"precinct", "1"}}})}});
  l.Offer(
      admin, "convention-created",
      {{"convention", "D"}, {"district", "D"}, {"notice_days", 0}, {"min_approved_per_slot", 0}});
  l.Offer(admin, "procedure-published",
          {{"convention", "D"},
           {"formula", "stv"},
           {"pools", nlohmann::json::array({{{"name", "District"}, {"seats", 20}}})},
           {"filing_deadline", "2020-03-01T00:00:00.000Z"}});
  l.Offer(admin, "convention-stage-opened", {{"convention", "D"}, {"stage", "filing"}});
  for (int i = 0; i < kCandidates; ++i) {
    l.Offer(admin, "delegate-filed",
            {{"convention", "D"},
             {"name", Name("C", i)},
             {"preference", Name("P", i / 10)},
             {"gender", i % 2 == 0 ? "woman" : "man"},
             {"district", "D"},
             {"pledge", Name("I support P", i / 10)}});
  }
  for (int v = 0; v < kVoters; ++v) {
    char id[8];
    std::snprintf(id, sizeof id, "%04X", v);
    l.Offer(admin, "credential-issued",
            {{"credential", id},
             {"role", "voter"},
             {"subject", "D"},
             {"hash", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"}});
  }
  l.time = "2020-03-02T12:00:00.000Z";
  l.Offer(admin, "convention-stage-opened", {{"convention", "D"}, {"stage", "voting"}});
}

// Each voter ranks 1 to 12 candidates, mostly of one preference's group first.
std::vector<nlohmann::json> Ballots() {
  SplitMix64 rng(15);
  const uint64_t weight[4] = {45, 30, 15, 10};
  std::vector<nlohmann::json> out;
  for (int b = 0; b < kVoters; ++b) {
    uint64_t pick = rng.Next() % 100;
    int group = 0;
    while (pick >= weight[group]) pick -= weight[group++];
    const int length = 1 + static_cast<int>(rng.Next() % 12);
    std::vector<std::string> ranking;
    for (int k = 0; k < length; ++k) {
      const int g = k < 6 ? group : static_cast<int>(rng.Next() % 4);
      const std::string name = Name("C", g * 10 + static_cast<int>(rng.Next() % 10));
      if (std::find(ranking.begin(), ranking.end(), name) == ranking.end()) ranking.push_back(name);
    }
    out.push_back({{"convention", "D"}, {"pool", "District"}, {"ranking", ranking}});
  }
  return out;
}

void BM_ConventionBallotsOnTheLedger(benchmark::State& st) {
  const std::vector<nlohmann::json> ballots = Ballots();
  for (auto _ : st) {
    st.PauseTiming();
    BenchLedger l;
    Prepare(l);
    st.ResumeTiming();
    for (int v = 0; v < kVoters; ++v) {
      char id[8];
      std::snprintf(id, sizeof id, "%04X", v);
      l.Offer(Actor{"voter", id}, "convention-ballot", ballots[static_cast<size_t>(v)]);
    }
    st.PauseTiming();
    if (l.state.conventions()->find("D")->votes.at("District").ballots.size() != kVoters) {
      std::abort();
    }
    st.ResumeTiming();
  }
  st.SetItemsProcessed(st.iterations() * kVoters);
}
BENCHMARK(BM_ConventionBallotsOnTheLedger)->Unit(benchmark::kMillisecond);

void BM_ConventionResultOnTheLedger(benchmark::State& st) {
  const std::vector<nlohmann::json> ballots = Ballots();
  BenchLedger l;
  Prepare(l);
  for (int v = 0; v < kVoters; ++v) {
    char id[8];
    std::snprintf(id, sizeof id, "%04X", v);
    l.Offer(Actor{"voter", id}, "convention-ballot", ballots[static_cast<size_t>(v)]);
  }
  std::vector<std::string> order;
  for (int i = 0; i < kCandidates; ++i) order.push_back(Name("C", i));
  l.Offer(Actor{"admin", "cli"}, "voting-closed", {{"convention", "D"}});
  l.Offer(Actor{"admin", "cli"}, "convention-lots",
          {{"convention", "D"}, {"pool", "District"}, {"order", order}});
  const ConventionRecord& c = *l.state.conventions()->find("D");
  for (auto _ : st) {
    nlohmann::json r = ConventionPoolJson(c, "District");
    if (r["status"] != "final") std::abort();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ConventionResultOnTheLedger)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace canvass

BENCHMARK_MAIN();
