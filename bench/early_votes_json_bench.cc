// What the early-vote cards cost a precinct's JSON (docs/api.md, "A precinct with early-vote
// cards"): every answer, preview and GET of a Nevada precinct counts its cards again
// (CountEarlyVotes) to show them beside the people in the room. One precinct electing 10 under
// nevada-dem-2020 with 8 candidates, reported (first and final), holding N valid ranked cards
// (seeded; three distinct choices each); N = 0 is the same precinct without cards.
//   BM_PrecinctJsonWithCards/N   PrecinctJson of the reported precinct (api/precinct_json.h)
//   BM_PreviewWithCards/N        ElectionState::Preview of a final alignment (what a chair's
//                                phone asks as they type): recheck, allocation, and its JSON
// Run: build/bench/early_votes_json_bench --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "api/precinct_json.h"
#include "io/importers.h"
#include "ledger/chain.h"
#include "ledger/event.h"
#include "rules/ruleset.h"
#include "state/early_votes.h"
#include "state/election_state.h"

namespace canvass::bench {
namespace {

using nlohmann::json;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "early_votes_json_bench: %s\n", why.c_str());
  std::exit(1);
}

const std::vector<std::string> kCandidates = {"Biden",   "Bloomberg", "Buttigieg", "Klobuchar",
                                              "Sanders", "Steyer",    "Warren",    "Yang"};

void Append(ElectionState& state, const std::string& type, json payload) {
  Event e;
  e.seq = state.seq() + 1;
  e.prev = e.seq == 1 ? std::string(kGenesisPrev) : state.head_hash();
  e.time = fmt::format("2020-02-22T12:00:{:02}.000Z", e.seq % 60);
  e.actor = Actor{"admin", "cli"};
  e.channel = "cli";
  e.type = type;
  e.payload = std::move(payload);
  auto stored = EncodeEvent(e);
  if (!stored.ok()) Die(stored.status().ToString());
  if (auto r = state.Apply(e, *stored)) Die(type + ": " + r->message);
}

// A reported Nevada precinct with `cards` early-vote cards (none when 0).
std::unique_ptr<ElectionState> Precinct(int64_t cards) {
  auto path = RulesetPath("nevada-dem-2020");
  if (!path.ok()) Die(path.status().ToString());
  auto toml = ReadFile(*path);
  if (!toml.ok()) Die(toml.status().ToString());
  auto ruleset = ParseRuleset(*toml, *path);
  if (!ruleset.ok()) Die(ruleset.status().ToString());
  auto state = std::make_unique<ElectionState>();
  Append(*state, "election-created",
         {{"name", "bench"},
          {"ruleset", {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", *toml}}},
          {"candidates", kCandidates},
          {"precincts", json::array({{{"county", "Carson City"},
                                      {"precinct", "109"},
                                      {"satellite", false},
                                      {"delegates", 10}}})},
          {"county_district", json::object()}});
  if (cards > 0) {
    uint64_t x = 2020;
    auto next = [&](uint64_t bound) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      return (x >> 33) % bound;
    };
    std::vector<EarlyVoteCardRecord> list;
    for (int64_t k = 0; k < cards; ++k) {
      std::vector<std::string> pool = kCandidates;
      std::vector<std::string> choices;
      for (int j = 0; j < 3; ++j) {
        const size_t at = next(pool.size());
        choices.push_back(pool[at]);
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(at));
      }
      list.push_back({fmt::format("EV-{:06}", k), choices, ""});
    }
    auto set = JudgeEarlyVotes(ruleset->precinct.early_vote, kCandidates, std::move(list));
    if (!set.ok()) Die(set.status().ToString());
    Append(*state, "early-votes-loaded", EarlyVotesPayload(1, *set));
  }
  const json first = {{"Biden", 40}, {"Buttigieg", 35}, {"Sanders", 60}, {"Klobuchar", 9}};
  Append(*state, "first-alignment-reported", {{"precinct", 1}, {"first", first}});
  Append(*state, "final-alignment-reported",
         {{"precinct", 1}, {"final", {{"Biden", 44}, {"Buttigieg", 37}, {"Sanders", 60}}}});
  return state;
}

void BM_PrecinctJsonWithCards(benchmark::State& st) {
  auto state = Precinct(st.range(0));
  size_t bytes = 0;
  for (auto _ : st) {
    json j = PrecinctJson(*state, 1, false);
    bytes = j.dump().size();
    benchmark::DoNotOptimize(j);
  }
  st.counters["json_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_PrecinctJsonWithCards)
    ->Arg(0)
    ->Arg(40)
    ->Arg(400)
    ->Arg(4000)
    ->Unit(benchmark::kMicrosecond);

void BM_PreviewWithCards(benchmark::State& st) {
  auto state = Precinct(st.range(0));
  const json body = {{"final", {{"Biden", 45}, {"Buttigieg", 36}, {"Sanders", 60}}}};
  for (auto _ : st) {
    auto out = state->Preview(1, body);
    if (std::holds_alternative<Rejection>(out)) Die(std::get<Rejection>(out).message);
    json j = PrecinctRecordJson(*state, 1, std::get<PrecinctRecord>(out), false);
    benchmark::DoNotOptimize(j);
  }
}
BENCHMARK(BM_PreviewWithCards)->Arg(0)->Arg(40)->Arg(400)->Arg(4000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
