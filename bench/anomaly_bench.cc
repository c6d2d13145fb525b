// The anomaly checks (src/tabulate/anomaly.h) at the two moments they run (docs/performance.md,
// "Anomaly checks"):
//   BM_AnomalyReportIowa            one report as it is accepted, against the certified Iowa record
//                                   (1,765 units): its duplicates and its column-shift score, the
//                                   county shares rebuilt inside the timing (target < 5 ms)
//   BM_AnomalyRelease/176500        a release of 176,500 synthetic precincts, 14 candidates:
//                                   duplicates, every column-shift score, and the release delta
//                                   against the release before it (90% of the precincts, one of
//                                   them corrected since) (target < 1 s)
// Run: build/bench/anomaly_bench --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/synthetic.h"
#include "io/importers.h"
#include "rules/ruleset.h"
#include "tabulate/anomaly.h"

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

void BM_AnomalyReportIowa(benchmark::State& state) {
  // The wide file lists the candidates in ballot order.
  static const Election election = OrExit(LoadResultsFile(kData + "precincts-certified-wide.csv"));
  const AnomalySettings settings;
  size_t report = 0;
  double flagged = 0;
  for (auto _ : state) {
    const std::vector<size_t> duplicates = DuplicatesOf(election, report, settings);
    const ShiftBasis basis(election);
    const ShiftScore score = basis.Score(election, report, settings);
    flagged += !duplicates.empty() || score.gain > settings.shift_threshold_nats;
    benchmark::DoNotOptimize(score.gain);
    report = (report + 1) % election.reports.size();
  }
  state.counters["precincts"] = static_cast<double>(election.reports.size());
  state.counters["flagged"] = flagged;
}
BENCHMARK(BM_AnomalyReportIowa)->Unit(benchmark::kMillisecond);

void BM_AnomalyRelease(benchmark::State& state) {
  const Ruleset ruleset = OrExit(LoadRuleset("iowa-dem-2020"));
  const Election election = MakeSyntheticElection(ruleset, state.range(0), 14, 2020);
  Election previous = election;
  previous.reports.resize(election.reports.size() * 9 / 10);
  previous.reports[0].figures[0].first = previous.reports[0].figures[0].first.value_or(0) + 1;
  const std::vector<PrecinctId> corrected = {
      {previous.reports[0].county, previous.reports[0].precinct}};
  const AnomalySettings settings;
  size_t flags = 0;
  for (auto _ : state) {
    const std::vector<DuplicateGroup> duplicates = FindDuplicates(election, settings);
    const std::vector<ShiftScore> scores = ScoreColumnShifts(election, settings);
    auto delta = CompareReleases(previous, election, corrected);
    if (!delta.ok()) std::abort();
    flags = DuplicateFlags(election, duplicates, settings).size() +
            ShiftFlags(election, scores, settings).size() + DeltaFlags(*delta).size();
    benchmark::DoNotOptimize(flags);
  }
  state.counters["precincts"] = static_cast<double>(election.reports.size());
  state.counters["flags"] = static_cast<double>(flags);
}
BENCHMARK(BM_AnomalyRelease)->Arg(176'500)->Unit(benchmark::kMillisecond)->Iterations(3);

// The release's three checks one by one, on the same election.
const Election& Synthetic176500() {
  static const Election election = [] {
    const Ruleset ruleset = OrExit(LoadRuleset("iowa-dem-2020"));
    return MakeSyntheticElection(ruleset, 176'500, 14, 2020);
  }();
  return election;
}

void BM_AnomalyDuplicates(benchmark::State& state) {
  const Election& election = Synthetic176500();
  for (auto _ : state) benchmark::DoNotOptimize(FindDuplicates(election, AnomalySettings{}));
}
BENCHMARK(BM_AnomalyDuplicates)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_AnomalyShifts(benchmark::State& state) {
  const Election& election = Synthetic176500();
  for (auto _ : state) benchmark::DoNotOptimize(ScoreColumnShifts(election, AnomalySettings{}));
}
BENCHMARK(BM_AnomalyShifts)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_AnomalyDelta(benchmark::State& state) {
  const Election& election = Synthetic176500();
  Election previous = election;
  previous.reports.resize(election.reports.size() * 9 / 10);
  for (auto _ : state) benchmark::DoNotOptimize(CompareReleases(previous, election, {}));
}
BENCHMARK(BM_AnomalyDelta)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
