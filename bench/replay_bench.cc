// Replay benchmarks (docs/performance.md, "Replaying a ledger"): what the server's rebuild from
// its store costs (Intake::Replay, at every start), and how much of it the chain check is.
//   BM_ReplayStore     ReplayStore into a fresh ElectionState: read, SHA-256 of every line and
//                      the prev links, decode, Apply (the rebuild, and `canvass ledger verify`)
//   BM_ReadAndDecode   reading the store's pages and decoding every line, nothing applied
//   BM_HashLines       SHA-256 of every line alone: what verifying the chain adds to a rebuild
//                      that only decoded and applied
// The ledger is a real one: CANVASS_REPLAY_STORE names a store, e.g. the rehearsal's
//   build/canvass rehearse --demo --dir /tmp/r1
//   CANVASS_REPLAY_STORE=/tmp/r1/canvass.db build/bench/replay_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "ledger/event.h"
#include "state/election_state.h"
#include "state/replay.h"
#include "store/store.h"

namespace canvass::bench {
namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "replay_bench: %s\n", why.c_str());
  std::exit(1);
}

Store& LedgerStore() {
  static Store* store = [] {
    const char* location = std::getenv("CANVASS_REPLAY_STORE");
    if (location == nullptr || *location == '\0') {
      Die("set CANVASS_REPLAY_STORE to a store, e.g. /tmp/r1/canvass.db from "
          "`canvass rehearse --demo --dir /tmp/r1`");
    }
    auto opened = OpenStore(location, false);
    if (!opened.ok()) Die(opened.status().ToString());
    return opened->release();
  }();
  return *store;
}

// Every stored event, read once, for the benchmarks that do not measure reading.
const std::vector<StoredEvent>& Lines() {
  static const std::vector<StoredEvent>* lines = [] {
    auto* all = new std::vector<StoredEvent>;
    for (;;) {
      const int64_t after = all->empty() ? 0 : all->back().seq;
      auto page = LedgerStore().ReadAfter(after, 1000);
      if (!page.ok()) Die(page.status().ToString());
      if (page->empty()) break;
      all->insert(all->end(), page->begin(), page->end());
    }
    return all;
  }();
  return *lines;
}

void BM_ReplayStore(benchmark::State& state) {
  int64_t events = 0;
  for (auto _ : state) {
    ElectionState fresh;
    ChainReport report = ReplayStore(LedgerStore(), fresh);
    if (!report.ok()) Die(report.problem->message);
    events = report.events;
    benchmark::DoNotOptimize(fresh.seq());
  }
  state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_ReplayStore)->Unit(benchmark::kMillisecond);

void BM_ReadAndDecode(benchmark::State& state) {
  for (auto _ : state) {
    int64_t after = 0;
    for (;;) {
      auto page = LedgerStore().ReadAfter(after, 1000);
      if (!page.ok()) Die(page.status().ToString());
      if (page->empty()) break;
      for (const StoredEvent& stored : *page) {
        auto event = DecodeEvent(stored.line);
        if (!event.ok()) Die(event.status().ToString());
        benchmark::DoNotOptimize(event->seq);
      }
      after = page->back().seq;
    }
  }
  state.counters["events"] = static_cast<double>(Lines().size());
}
BENCHMARK(BM_ReadAndDecode)->Unit(benchmark::kMillisecond);

void BM_HashLines(benchmark::State& state) {
  const std::vector<StoredEvent>& lines = Lines();
  int64_t bytes = 0;
  for (const StoredEvent& stored : lines) bytes += static_cast<int64_t>(stored.line.size());
  for (auto _ : state) {
    for (const StoredEvent& stored : lines) benchmark::DoNotOptimize(Sha256Hex(stored.line));
  }
  state.counters["events"] = static_cast<double>(lines.size());
  state.counters["line_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_HashLines)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
