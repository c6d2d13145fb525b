// The risk-limiting audit (src/audit/rla.h) before any tally: the assertions and bounds
// (materiality without its search), the plan (U, each assertion's own U, the first round) and
// the first round's PPEB sample (docs/performance.md, "Risk-limiting audit"). The precinct checks
// are made once, outside the timing, as a release has them.
//   BM_RlaIowa                 the certified Iowa record (a full hand count: nothing to draw)
//   BM_RlaSynthetic/176500     a simulated election, 8 candidates (target < 2 s)
//   BM_RlaDraws/1000           1,000 PPEB draws over the synthetic election's 176,500 bounds
// Run: build/bench/rla_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "audit/materiality.h"
#include "audit/rla.h"
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

const Input& Synthetic() {
  static const Input input = [] {
    Input in;
    in.ruleset = OrExit(LoadRuleset("iowa-dem-2020"));
    in.election = MakeSyntheticElection(in.ruleset, 176'500, 8, 2020);
    in.checks = CheckElection(in.ruleset, in.election);
    return in;
  }();
  return input;
}

// Assertions and bounds, the plan, and round 1's sample: what an audit publishes before tallies.
void Audit(benchmark::State& state, const Input& in) {
  MaterialityOptions mo;
  mo.search = false;
  RlaPlan plan;
  RlaStatus status;
  for (auto _ : state) {
    Materiality m = OrExit(ComputeMateriality(in.ruleset, in.election, in.checks, mo));
    plan = OrExit(PlanRla(in.ruleset, m, Rational(5, 100)));
    status = OrExit(RunRla(in.ruleset, m, plan, "20200203", {}));
    benchmark::DoNotOptimize(status);
  }
  state.counters["precincts"] = static_cast<double>(plan.batches.size());
  state.counters["U"] = static_cast<double>(plan.total) / kBoundScale;
  state.counters["first_round"] =
      plan.first_round.full_hand_count ? -1.0 : static_cast<double>(plan.first_round.draws);
  state.counters["draws"] = static_cast<double>(status.draws.size());
}

void BM_RlaIowa(benchmark::State& state) { Audit(state, Iowa()); }
BENCHMARK(BM_RlaIowa)->Unit(benchmark::kMillisecond);

void BM_RlaSynthetic(benchmark::State& state) { Audit(state, Synthetic()); }
BENCHMARK(BM_RlaSynthetic)->Arg(176'500)->Unit(benchmark::kMillisecond);

void BM_RlaDraws(benchmark::State& state) {
  const Input& in = Synthetic();
  MaterialityOptions mo;
  mo.search = false;
  const Materiality m = OrExit(ComputeMateriality(in.ruleset, in.election, in.checks, mo));
  const RlaPlan plan = OrExit(PlanRla(in.ruleset, m, Rational(5, 100)));
  std::vector<int64_t> weights;
  for (const RlaBatch& b : plan.batches) weights.push_back(b.bound);
  for (auto _ : state) {
    auto draws = DrawPpeb(weights, "20200203", 1, state.range(0));
    benchmark::DoNotOptimize(draws);
  }
}
BENCHMARK(BM_RlaDraws)->Arg(1'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
