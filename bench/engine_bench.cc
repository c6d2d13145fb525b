// Engine benchmarks (issue targets in docs/performance.md):
//   BM_AllocatePrecinct      one precinct's allocation: the median ns is the figure to report
//   BM_CheckTabulateIowa     load + check + tabulate a whole Iowa 2020 release, in process
//   BM_CheckTabulateSynthetic/200000  200,000 precincts x 15 candidates: check + tabulate
// Run: build/bench/engine_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "bench/synthetic.h"
#include "caucus/allocation.h"
#include "caucus/findings.h"
#include "cli/election_input.h"
#include "rules/ruleset.h"
#include "tabulate/tabulate.h"

namespace canvass::bench {
namespace {

const Ruleset& Iowa2020() {
  static const Ruleset ruleset = [] {
    auto r = LoadRuleset("iowa-dem-2020");
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(r).value();
  }();
  return ruleset;
}

void BM_AllocatePrecinct(benchmark::State& state) {
  const Ruleset& ruleset = Iowa2020();
  PrecinctInput in;
  in.delegates = 7;
  in.first = {14, 19, 18, 12, 16, 3, 2, 0, 1, 0, 0, 4, 0, 0, 0};
  in.final = {17, 22, 20, 12, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  in.explain = false;
  for (auto _ : state) {
    auto a = AllocatePrecinct(ruleset.precinct, in, in.first.size());
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_AllocatePrecinct)->Repetitions(9)->ReportAggregatesOnly(true);  // median reported

void BM_CheckTabulateIowa(benchmark::State& state) {
  const Ruleset& ruleset = Iowa2020();
  std::string data = std::string(CANVASS_SOURCE_DIR) + "/data/iowa-2020/";
  for (auto _ : state) {
    auto election =
        LoadElectionFiles(data + "results-first-complete-2020-02-08-long.csv",
                          data + "apportionment.csv", data + "county-congressional-district.csv");
    if (!election.ok()) {
      state.SkipWithError(election.status().ToString().c_str());
      return;
    }
    auto checks = CheckElection(ruleset, *election);
    auto tab = Tabulate(ruleset, *election, checks);
    benchmark::DoNotOptimize(tab);
  }
}
BENCHMARK(BM_CheckTabulateIowa)->Unit(benchmark::kMillisecond);

void BM_CheckTabulateSynthetic(benchmark::State& state) {
  const Ruleset& ruleset = Iowa2020();
  Election election = MakeSyntheticElection(ruleset, state.range(0), 15, 2020);
  for (auto _ : state) {
    auto checks = CheckElection(ruleset, election);
    auto tab = Tabulate(ruleset, election, checks);
    benchmark::DoNotOptimize(tab);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MiB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  state.counters["precincts"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_CheckTabulateSynthetic)->Arg(200000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
