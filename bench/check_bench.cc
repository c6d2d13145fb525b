// `canvass check --json` of one Iowa 2020 release, phase by phase, in process (docs/performance.md;
// bench/check_iowa.sh times the whole process):
//   BM_CheckPhase/ReadFile        read the long CSV (3.8 MB) into memory
//   BM_CheckPhase/ParseLongCsv    parse it into an Election (bytes/s is the parse rate)
//   BM_CheckPhase/LoadRuleset     load and hash the iowa-dem-2020 ruleset
//   BM_CheckPhase/Apportionment   read the apportionment and districts tables
//   BM_CheckPhase/CheckElection   the 1,765 precinct checks
//   BM_CheckPhase/JsonWriter      the JSON text as `check --json` writes it
//   BM_CheckPhase/JsonTree        the same bytes through nlohmann::json trees, for comparison
// Run: build/bench/check_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "caucus/findings.h"
#include "caucus/json_output.h"
#include "io/importers.h"
#include "rules/ruleset.h"

namespace canvass::bench {
namespace {

const std::string kData = std::string(CANVASS_SOURCE_DIR) + "/data/iowa-2020/";
const std::string kResults = kData + "results-first-complete-2020-02-08-long.csv";

template <typename T>
T OrExit(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

struct Loaded {
  std::string text;
  Ruleset ruleset;
  Election election;
  std::vector<PrecinctCheck> checks;
};

const Loaded& Iowa() {
  static const Loaded loaded = [] {
    Loaded l;
    l.text = OrExit(ReadFile(kResults));
    l.ruleset = OrExit(LoadRuleset("iowa-dem-2020"));
    l.election = OrExit(ParseResults(l.text, kResults));
    l.election.apportionment = OrExit(LoadApportionmentFile(kData + "apportionment.csv"));
    l.checks = CheckElection(l.ruleset, l.election);
    return l;
  }();
  return loaded;
}

void BM_ReadFile(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(OrExit(ReadFile(kResults)));
}
BENCHMARK(BM_ReadFile)->Name("BM_CheckPhase/ReadFile")->Unit(benchmark::kMillisecond);

void BM_ParseLongCsv(benchmark::State& state) {
  const std::string& text = Iowa().text;
  for (auto _ : state) benchmark::DoNotOptimize(OrExit(ParseResults(text, kResults)));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseLongCsv)->Name("BM_CheckPhase/ParseLongCsv")->Unit(benchmark::kMillisecond);

void BM_LoadRuleset(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(OrExit(LoadRuleset("iowa-dem-2020")));
}
BENCHMARK(BM_LoadRuleset)->Name("BM_CheckPhase/LoadRuleset")->Unit(benchmark::kMillisecond);

void BM_Apportionment(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(OrExit(LoadApportionmentFile(kData + "apportionment.csv")));
    benchmark::DoNotOptimize(
        OrExit(LoadDistrictsFile(kData + "county-congressional-district.csv")));
  }
}
BENCHMARK(BM_Apportionment)->Name("BM_CheckPhase/Apportionment")->Unit(benchmark::kMillisecond);

void BM_CheckElection(benchmark::State& state) {
  const Loaded& l = Iowa();
  for (auto _ : state) benchmark::DoNotOptimize(CheckElection(l.ruleset, l.election));
}
BENCHMARK(BM_CheckElection)->Name("BM_CheckPhase/CheckElection")->Unit(benchmark::kMillisecond);

void BM_JsonWriter(benchmark::State& state) {
  const Loaded& l = Iowa();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    const PrecinctCheckJsonWriter writer(l.election.candidates, l.ruleset.precinct.sde_places);
    for (const PrecinctCheck& c : l.checks) writer.Append(out, c);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_JsonWriter)->Name("BM_CheckPhase/JsonWriter")->Unit(benchmark::kMillisecond);

void BM_JsonTree(benchmark::State& state) {
  const Loaded& l = Iowa();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    for (const PrecinctCheck& c : l.checks) {
      out += PrecinctCheckJson(c, l.election.candidates, l.ruleset.precinct.sde_places).dump();
    }
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_JsonTree)->Name("BM_CheckPhase/JsonTree")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
