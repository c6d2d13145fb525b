// Materiality (src/audit/materiality.h) of every precinct: the bound u_p and, where u_p >= 1, the
// search for the smallest change that alters a national delegate (docs/performance.md,
// "Materiality"). The precinct checks are made once, outside the timing, as a release has them.
//   BM_MaterialityIowa                the certified Iowa record, 1,765 units (target < 100 ms)
//   BM_MaterialityIowaWithChecks      the same with CheckElection inside the timing
//   BM_MaterialitySynthetic/176500    a simulated election, 8 candidates (target < 2 s)
// Run: build/bench/materiality_bench --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "audit/materiality.h"
#include "bench/synthetic.h"
#include "caucus/findings.h"
#include "io/importers.h"
#include "rules/ruleset.h"

namespace canvass::bench {
namespace {

const std::string kData = std::string(CANVASS_SOURCE_DIR) + "/data/iowa-2020/";

template <typename T>
T OrExit(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

struct Input {
  Ruleset ruleset;
  Election election;
  std::vector<PrecinctCheck> checks;
};

const Input& Iowa() {
  static const Input input = [] {
    Input in;
    in.ruleset = OrExit(LoadRuleset("iowa-dem-2020"));
    in.election = OrExit(LoadResultsFile(kData + "results-certified-2020-04-07-long.csv"));
    in.election.apportionment = OrExit(LoadApportionmentFile(kData + "apportionment.csv"));
    in.election.county_district =
        OrExit(LoadDistrictsFile(kData + "county-congressional-district.csv"));
    in.checks = CheckElection(in.ruleset, in.election);
    return in;
  }();
  return input;
}

void Report(benchmark::State& state, const Materiality& m) {
  state.counters["precincts"] = static_cast<double>(m.precincts.size());
  state.counters["possibly_material"] = static_cast<double>(m.possibly_material);
  state.counters["material"] = static_cast<double>(m.material);
}

void BM_MaterialityIowa(benchmark::State& state) {
  const Input& in = Iowa();
  Materiality m;
  for (auto _ : state) {
    m = OrExit(ComputeMateriality(in.ruleset, in.election, in.checks));
    benchmark::DoNotOptimize(m);
  }
  Report(state, m);
}
BENCHMARK(BM_MaterialityIowa)->Unit(benchmark::kMillisecond);

void BM_MaterialityIowaWithChecks(benchmark::State& state) {
  const Input& in = Iowa();
  Materiality m;
  for (auto _ : state) {
    auto checks = CheckElection(in.ruleset, in.election);
    m = OrExit(ComputeMateriality(in.ruleset, in.election, checks));
    benchmark::DoNotOptimize(m);
  }
  Report(state, m);
}
BENCHMARK(BM_MaterialityIowaWithChecks)->Unit(benchmark::kMillisecond);

void BM_MaterialitySynthetic(benchmark::State& state) {
  static Input in;
  if (in.election.reports.size() != static_cast<size_t>(state.range(0))) {
    in.ruleset = OrExit(LoadRuleset("iowa-dem-2020"));
    in.election = MakeSyntheticElection(in.ruleset, state.range(0), 8, 2020);
    in.checks = CheckElection(in.ruleset, in.election);
  }
  Materiality m;
  for (auto _ : state) {
    m = OrExit(ComputeMateriality(in.ruleset, in.election, in.checks));
    benchmark::DoNotOptimize(m);
  }
  Report(state, m);
}
BENCHMARK(BM_MaterialitySynthetic)->Arg(176'500)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
