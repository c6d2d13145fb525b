// The national count (delegates/tracker.h) over a whole calendar: the 2020 delegates file (57
// contests, 529 pools) with votes for every pool, six candidates each. The target: under
// 50 ms, so the live page can follow each release.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "delegates/tracker.h"
#include "io/national_inputs.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

void BM_NationalCount(benchmark::State& state) {
  auto rules = LoadRuleset("dnc-2020");
  auto in =
      LoadNationalInputs(CANVASS_SOURCE_DIR "/data/dnc-2020/delegates.csv",
                         CANVASS_SOURCE_DIR "/tests/delegates/data/iowa-2020-sde-votes.csv", "");
  if (!rules.ok() || !in.ok()) {
    state.SkipWithError("cannot load the ruleset or the 2020 delegates file");
    return;
  }
  // Votes for every pool: six candidates, figures from a fixed linear congruential sequence.
  in->votes.clear();
  uint64_t x = 7;
  for (const DelegateRow& d : in->delegates) {
    if (d.delegates == 0 || d.kind == DelegateKind::kAutomatic) continue;
    for (int c = 0; c < 6; ++c) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      VoteRow v;
      v.state = d.state;
      v.pool = d.pool;
      v.candidate = "Candidate " + std::to_string(c);
      v.votes = Rational(static_cast<int64_t>(x >> 44) + 1);
      in->votes.push_back(v);
    }
  }
  int64_t pools = 0;
  for (auto _ : state) {
    auto n = CountNational(*rules, *in);
    if (!n.ok()) {
      state.SkipWithError(n.status().message().c_str());
      return;
    }
    pools = 0;
    for (const TrackedState& s : n->states) pools += static_cast<int64_t>(s.pools.size());
    benchmark::DoNotOptimize(n->allocated);
  }
  state.counters["pools"] = static_cast<double>(pools);
}
BENCHMARK(BM_NationalCount)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace canvass
BENCHMARK_MAIN();
