// Release benchmarks (docs/releases.md, "Performance"): the real Iowa 2020 first-complete
// results of 8 February, replayed into an ElectionState as first and final alignment events
// (the local administrator reporting every precinct), then the whole release built and
// serialized.
//   BM_IowaRelease        BuildRelease: tabulation + every format; per-format times and sizes
//                         as counters (ms per release; bytes)
//   BM_IowaReleaseCompared  release 2, compared with release 1 as published (release deltas)
//   BM_ScaleRelease/N     a synthetic election of N precincts (17,650 and 176,500), all reported
//   BM_ScaleReleaseFirst/N  the night's first release: one precinct in a hundred reported, nothing
//                         kept from before
//   BM_ScaleReleaseCompared/N  its release 2, compared with release 1 as published
//   BM_ScaleReleaseKept/N  the same, through what the publisher keeps of release 1
//   BM_ScaleReleaseChanged/N/K  release 2 through what was kept, K precincts corrected since
//   BM_IowaReleaseSign    Ed25519 signature of release-N.json
//   BM_IowaReleaseVerify  canvass release verify's work: verify the export's chain, replay
//                         events 1..S, rebuild and compare every file
// Run: build-pub/bench/release_bench --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <fmt/format.h>

#include "bench/synthetic.h"
#include "cli/election_input.h"
#include "io/importers.h"
#include "ledger/event.h"
#include "publish/release.h"
#include "publish/release_delta.h"
#include "publish/signing.h"
#include "publish/verify.h"
#include "rules/ruleset.h"

namespace canvass::bench {
namespace {

using nlohmann::json;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "release_bench: %s\n", why.c_str());
  std::exit(1);
}

struct IowaLedger {
  ElectionState state;
  std::string jsonl;
  int64_t reports = 0;
  int64_t refused = 0;
};

void Append(IowaLedger& l, const std::string& type, json payload) {
  Event e;
  e.seq = l.state.seq() + 1;
  e.prev = e.seq == 1 ? std::string(kGenesisPrev) : l.state.head_hash();
  const int64_t t = 3600 + e.seq;  // one event a second from 01:00 on 4 February
  e.time = fmt::format("2020-02-{:02}T{:02}:{:02}:{:02}.000Z", 4 + t / 86400, t / 3600 % 24,
                       t / 60 % 60, t % 60);
  e.actor = Actor{"admin", "cli"};
  e.channel = "cli";
  e.type = type;
  e.payload = std::move(payload);
  auto stored = EncodeEvent(e);
  if (!stored.ok()) Die(stored.status().ToString());
  if (auto r = l.state.Apply(e, *stored)) {
    if (type == "election-created") Die(r->message);
    ++l.refused;  // an impossible report (the party published a few): left out, as intake would
    return;
  }
  l.jsonl += stored->line + "\n";
}

// The election's ledger: election-created, then each report's first and final alignment.
IowaLedger* MakeLedger(const Election& election, const Ruleset& ruleset, const std::string& toml,
                       const std::string& name) {
  auto* l = new IowaLedger;
  json precincts = json::array();
  std::map<std::pair<std::string, std::string>, int64_t> ids;
  for (const PrecinctApportionment& ap : election.apportionment) {
    json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
    if (ap.delegates) row["delegates"] = *ap.delegates;
    if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
    if (ap.site_sde) row["site_sde"] = ap.site_sde->ToString();
    if (ap.district) row["district"] = *ap.district;
    precincts.push_back(std::move(row));
    ids[{ap.county, ap.precinct}] = static_cast<int64_t>(precincts.size());
  }
  json counties = json::object();
  for (const auto& [county, district] : election.county_district) counties[county] = district;
  Append(*l, "election-created",
         {{"name", name},
          {"ruleset", {{"name", ruleset.name}, {"hash", ruleset.hash}, {"toml", toml}}},
          {"candidates", election.candidates},
          {"precincts", precincts},
          {"county_district", counties},
          {"signing_key", SigningKeyFromSeed(std::string(64, '7'))->public_hex}});
  for (const PrecinctReport& r : election.reports) {
    auto it = ids.find({r.county, r.precinct});
    if (it == ids.end()) continue;
    json first = json::object(), final = json::object(), delegates = json::object();
    bool has_delegates = false;
    for (size_t c = 0; c < r.figures.size(); ++c) {
      const std::string& candidate = election.candidates[c];
      if (r.figures[c].first.value_or(0) != 0) first[candidate] = *r.figures[c].first;
      if (r.figures[c].final.value_or(0) != 0) final[candidate] = *r.figures[c].final;
      if (r.figures[c].delegates) {
        has_delegates = true;
        if (*r.figures[c].delegates != 0) delegates[candidate] = *r.figures[c].delegates;
      }
    }
    const std::string sub = std::to_string(it->second);
    Append(*l, "first-alignment-reported",
           {{"precinct", it->second}, {"submission", "f" + sub}, {"first", first}});
    json payload = {{"precinct", it->second}, {"submission", "g" + sub}, {"final", final}};
    if (has_delegates) payload["delegates"] = delegates;
    Append(*l, "final-alignment-reported", std::move(payload));
    ++l->reports;
  }
  return l;
}

std::pair<Ruleset, std::string> LoadRuleset(const std::string& name) {
  auto path = RulesetPath(name);
  if (!path.ok()) Die(path.status().ToString());
  auto toml = ReadFile(*path);
  if (!toml.ok()) Die(toml.status().ToString());
  auto ruleset = ParseRuleset(*toml, *path);
  if (!ruleset.ok()) Die(ruleset.status().ToString());
  return {std::move(ruleset).value(), std::move(toml).value()};
}

IowaLedger* MakeIowa() {
  const std::string d = std::string(CANVASS_SOURCE_DIR) + "/data/iowa-2020";
  auto election =
      LoadElectionFiles(d + "/results-first-complete-2020-02-08-long.csv", d + "/apportionment.csv",
                        d + "/county-congressional-district.csv");
  if (!election.ok()) Die(election.status().ToString());
  const auto [ruleset, toml] = LoadRuleset("iowa-dem-2020");
  return MakeLedger(*election, ruleset, toml, "Iowa Democratic caucuses, 3 February 2020");
}

const IowaLedger& Iowa() {
  static const IowaLedger* ledger = MakeIowa();
  return *ledger;
}

// The same night with release 1 published: what the next release is compared with.
struct IowaPublished {
  IowaLedger* ledger = nullptr;
  PublishedFiles release_1;
};

// Builds release 1 of the ledger and appends its release-published event; its JSON and records.
PublishedFiles PublishRelease1(IowaLedger& l) {
  auto rel = BuildRelease(l.state, PublishedRelease{});
  if (!rel.ok()) Die(rel.status().ToString());
  const SigningKey key = *SigningKeyFromSeed(std::string(64, '7'));
  Append(l, "release-published",
         ReleaseEventPayload(*rel, SignHex(key, rel->json.bytes), SignHex(key, rel->root.bytes)));
  return PublishedFiles{std::move(rel->json.bytes), std::move(rel->records.bytes)};
}

const IowaPublished& IowaAfterRelease1() {
  static const IowaPublished* published = [] {
    auto* p = new IowaPublished;
    p->ledger = MakeIowa();
    p->release_1 = PublishRelease1(*p->ledger);
    return p;
  }();
  return *published;
}

// Each phase's time, summed over the iterations.
void AddTimings(ReleaseTimings& sum, const ReleaseTimings& t) {
  sum.gate += t.gate;
  sum.tabulate += t.tabulate;
  sum.json += t.json;
  sum.records += t.records;
  sum.precincts_csv += t.precincts_csv;
  sum.totals_csv += t.totals_csv;
  sum.cdf += t.cdf;
  sum.entries_kept += t.entries_kept;
  sum.groups_reused += t.groups_reused;
}

// Each phase's time as a counter, in ms per release.
void TimingCounters(benchmark::State& state, const ReleaseTimings& sum) {
  const double n = static_cast<double>(state.iterations()) * 1e6;  // ns -> ms per release
  state.counters["gate_ms"] = static_cast<double>(sum.gate) / n;
  state.counters["tabulate_ms"] = static_cast<double>(sum.tabulate) / n;
  state.counters["json_ms"] = static_cast<double>(sum.json) / n;
  state.counters["records_ms"] = static_cast<double>(sum.records) / n;
  state.counters["precincts_csv_ms"] = static_cast<double>(sum.precincts_csv) / n;
  state.counters["totals_csv_ms"] = static_cast<double>(sum.totals_csv) / n;
  state.counters["cdf_ms"] = static_cast<double>(sum.cdf) / n;
  // Precinct entries written as the previous release wrote them, per release.
  state.counters["entries_kept"] =
      static_cast<double>(sum.entries_kept) / static_cast<double>(state.iterations());
  state.counters["groups_reused"] =
      static_cast<double>(sum.groups_reused) / static_cast<double>(state.iterations());
}

void BM_IowaRelease(benchmark::State& state) {
  const IowaLedger& l = Iowa();
  ReleaseTimings sum;
  Release last;
  for (auto _ : state) {
    ReleaseTimings t;
    auto rel = BuildRelease(l.state, &t);
    if (!rel.ok()) Die(rel.status().ToString());
    AddTimings(sum, t);
    last = std::move(rel).value();
    benchmark::DoNotOptimize(last.json.bytes.data());
  }
  TimingCounters(state, sum);
  state.counters["json_bytes"] = static_cast<double>(last.json.bytes.size());
  state.counters["precincts_csv_bytes"] = static_cast<double>(last.precincts_csv.bytes.size());
  state.counters["totals_csv_bytes"] = static_cast<double>(last.totals_csv.bytes.size());
  state.counters["cdf_bytes"] = static_cast<double>(last.cdf.bytes.size());
  state.counters["held"] = static_cast<double>(
      nlohmann::json::parse(last.json.bytes)["reporting"]["held"].get<int64_t>());
  state.counters["ledger_events"] = static_cast<double>(l.state.seq());
  state.counters["precincts_reported"] = static_cast<double>(l.reports);
  state.counters["reports_refused"] = static_cast<double>(l.refused);
}
BENCHMARK(BM_IowaRelease)->Unit(benchmark::kMillisecond);

// Release 2 of the same night, compared with release 1 as published (publish/release_delta.h):
// reading release-1.json back, the release-delta check over every precinct and the "delta"
// summary. gate_ms holds the check; the summary is in json_ms.
void BM_IowaReleaseCompared(benchmark::State& state) {
  const IowaPublished& p = IowaAfterRelease1();
  ReleaseTimings sum;
  Release last;
  for (auto _ : state) {
    ReleaseTimings t;
    auto rel = BuildRelease(p.ledger->state, p.release_1.view(), &t);
    if (!rel.ok()) Die(rel.status().ToString());
    sum.gate += t.gate;
    sum.json += t.json;
    last = std::move(rel).value();
    benchmark::DoNotOptimize(last.json.bytes.data());
  }
  const double n = static_cast<double>(state.iterations()) * 1e6;
  state.counters["gate_ms"] = static_cast<double>(sum.gate) / n;
  state.counters["json_ms"] = static_cast<double>(sum.json) / n;
  const json doc = json::parse(last.json.bytes);
  state.counters["held"] = static_cast<double>(doc["reporting"]["held"].get<int64_t>());
  state.counters["unchanged"] =
      static_cast<double>(doc["delta"]["precincts"]["unchanged"].get<int64_t>());
}
BENCHMARK(BM_IowaReleaseCompared)->Unit(benchmark::kMillisecond);

// A whole release of a synthetic election of N precincts (bench/synthetic.h: 8 candidates,
// every precinct reported), each format's time as a counter: the national-scale figure of
// docs/performance.md ("National scale"). The ledger is built once per size, outside the timing.
// Run: release_bench --benchmark_filter=BM_ScaleRelease/17650/
IowaLedger* MakeScaleLedger(int64_t n) {
  const auto [ruleset, toml] = LoadRuleset("iowa-dem-2020");
  return MakeLedger(MakeSyntheticElection(ruleset, n, 8, 1), ruleset, toml,
                    fmt::format("Synthetic caucus of {} precincts", n));
}

void BM_ScaleRelease(benchmark::State& state) {
  static std::map<int64_t, IowaLedger*> ledgers;
  const int64_t n = state.range(0);
  if (!ledgers.count(n)) ledgers[n] = MakeScaleLedger(n);
  const IowaLedger& l = *ledgers[n];
  ReleaseTimings sum;
  Release last;
  // As the server builds it: every file stored by part as it is written (here the parts are
  // counted, not kept), release-N.json kept whole for its signature.
  int64_t parts = 0;
  int64_t part_bytes = 0;
  const BlobPut put = [&](const std::string&, std::string_view bytes) {
    ++parts;
    part_bytes += static_cast<int64_t>(bytes.size());
    return Status::Ok();
  };
  for (auto _ : state) {
    ReleaseTimings t;
    auto rel = BuildAndStoreRelease(l.state, PublishedRelease{}, put, &t);
    if (!rel.ok()) Die(rel.status().ToString());
    AddTimings(sum, t);
    last = std::move(rel).value();
    benchmark::DoNotOptimize(last.json.bytes.data());
  }
  TimingCounters(state, sum);
  state.counters["json_bytes"] = static_cast<double>(last.json.bytes.size());
  state.counters["cdf_bytes"] = static_cast<double>(last.cdf.size);
  state.counters["stored_bytes"] = static_cast<double>(part_bytes) / state.iterations();
  state.counters["parts"] = static_cast<double>(parts) / state.iterations();
  state.counters["precincts_reported"] = static_cast<double>(l.reports);
}
BENCHMARK(BM_ScaleRelease)->Arg(17650)->Arg(176500)->Unit(benchmark::kMillisecond)->Iterations(3);

// The night's first release at N precincts: one precinct in a hundred reported, nothing kept
// from a release before (the publisher's first release of the night, or its first after a
// restart), every file stored by part as the server stores it.
void BM_ScaleReleaseFirst(benchmark::State& state) {
  static std::map<int64_t, IowaLedger*> ledgers;
  const int64_t n = state.range(0);
  if (!ledgers.count(n)) {
    const auto [ruleset, toml] = LoadRuleset("iowa-dem-2020");
    Election e = MakeSyntheticElection(ruleset, n, 8, 1);
    std::vector<PrecinctReport> few;
    for (size_t i = 0; i < e.reports.size(); i += 100) few.push_back(e.reports[i]);
    e.reports = std::move(few);
    ledgers[n] = MakeLedger(e, ruleset, toml, fmt::format("Synthetic caucus of {} precincts", n));
  }
  const IowaLedger& l = *ledgers[n];
  ReleaseTimings sum;
  const BlobPut put = [](const std::string&, std::string_view) { return Status::Ok(); };
  for (auto _ : state) {
    ReleaseTimings t;
    auto rel = BuildAndStoreRelease(l.state, PublishedRelease{}, put, &t);
    if (!rel.ok()) Die(rel.status().ToString());
    AddTimings(sum, t);
    benchmark::DoNotOptimize(rel->json.bytes.data());
  }
  TimingCounters(state, sum);
  state.counters["precincts_reported"] = static_cast<double>(l.reports);
}
BENCHMARK(BM_ScaleReleaseFirst)->Arg(176500)->Unit(benchmark::kMillisecond)->Iterations(3);

// Release 2 of the same synthetic election, compared with release 1 as published: what each
// release under the each-report policy does besides BM_ScaleRelease's work (release-1.json read
// back and parsed, the release-delta check over every precinct, the "delta" summary). The parse
// is outside the phase counters: compare the whole time with BM_ScaleRelease's.
void BM_ScaleReleaseCompared(benchmark::State& state) {
  static std::map<int64_t, std::pair<IowaLedger*, PublishedFiles>> published;
  const int64_t n = state.range(0);
  if (!published.count(n)) {
    IowaLedger* l = MakeScaleLedger(n);
    published[n] = {l, PublishRelease1(*l)};
  }
  const auto& [l, release_1] = published[n];
  ReleaseTimings sum;
  const BlobPut put = [](const std::string&, std::string_view) { return Status::Ok(); };
  for (auto _ : state) {
    ReleaseTimings t;
    auto rel = BuildAndStoreRelease(l->state, release_1.view(), put, &t);
    if (!rel.ok()) Die(rel.status().ToString());
    AddTimings(sum, t);
    benchmark::DoNotOptimize(rel->json.bytes.data());
  }
  TimingCounters(state, sum);
}
BENCHMARK(BM_ScaleReleaseCompared)
    ->Arg(17650)
    ->Arg(176500)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Release 2 of the synthetic election of `n` precincts through what the publisher kept of
// release 1, with `changed` precincts corrected since (one person more in the first candidate's
// group, in both alignments), spread evenly over the election.
void ReleaseThroughKept(benchmark::State& state, int64_t n, int64_t changed) {
  struct Kept {
    IowaLedger* ledger = nullptr;
    PreviousRelease kept;
  };
  static std::map<std::pair<int64_t, int64_t>, Kept> published;
  const BlobPut put = [](const std::string&, std::string_view) { return Status::Ok(); };
  const auto no_read = []() -> Result<PublishedFiles> {
    return Status::FailedPrecondition("release 1 read back: what was kept did not suffice");
  };
  if (!published.count({n, changed})) {
    Kept k;
    k.ledger = MakeScaleLedger(n);
    auto rel = BuildAndStoreRelease(k.ledger->state, nullptr, no_read, put, &k.kept);
    if (!rel.ok()) Die(rel.status().ToString());
    k.kept.built_from = k.ledger->state.Snapshot();
    const SigningKey key = *SigningKeyFromSeed(std::string(64, '7'));
    Append(*k.ledger, "release-published",
           ReleaseEventPayload(*rel, SignHex(key, rel->json.bytes), SignHex(key, rel->root.bytes)));
    for (int64_t i = 0; i < changed; ++i) {
      const int64_t id = 1 + i * n / changed;
      const PrecinctRecord* r = k.ledger->state.precinct(id);
      if (r == nullptr || !r->first || !r->final) Die(fmt::format("precinct {} not final", id));
      std::vector<Count> first = *r->first;
      std::vector<Count> final = *r->final;
      first[0] += 1;
      final[0] += 1;
      Append(*k.ledger, "report-corrected",
             {{"precinct", id},
              {"reason", "a late arrival counted"},
              {"first", k.ledger->state.FiguresJson(first)},
              {"final", k.ledger->state.FiguresJson(final)}});
    }
    published[{n, changed}] = std::move(k);
  }
  const Kept& k = published[{n, changed}];
  ReleaseTimings sum;
  for (auto _ : state) {
    ReleaseTimings t;
    PreviousRelease keep;
    auto rel = BuildAndStoreRelease(k.ledger->state, &k.kept, no_read, put, &keep, &t);
    if (!rel.ok()) Die(rel.status().ToString());
    AddTimings(sum, t);
    benchmark::DoNotOptimize(rel->json.bytes.data());
  }
  TimingCounters(state, sum);
}

// The same release 2 as the publisher builds it: compared through what it kept of release 1
// (PreviousRelease::digests_only: a digest per precinct and the state release 1 was built from)
// instead of reading release-1.json back. Compare with BM_ScaleReleaseCompared and
// BM_ScaleRelease.
void BM_ScaleReleaseKept(benchmark::State& state) { ReleaseThroughKept(state, state.range(0), 0); }
BENCHMARK(BM_ScaleReleaseKept)
    ->Arg(17650)
    ->Arg(176500)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Release 2 as the publisher builds it under each-report: through what it kept of release 1,
// with `changed` precincts corrected since (one person more in the first candidate's group, in
// both alignments), spread evenly over the election. The others' entries are kept, and the
// groups of 32 precincts none of them is in are named again in the CSV and the CDF, not written.
// Run: release_bench --benchmark_filter=BM_ScaleReleaseChanged/176500/
void BM_ScaleReleaseChanged(benchmark::State& state) {
  ReleaseThroughKept(state, state.range(0), state.range(1));
}
BENCHMARK(BM_ScaleReleaseChanged)
    ->Args({17650, 100})
    ->Args({176500, 100})
    ->Args({176500, 1000})
    ->Args({176500, 2500})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_IowaReleaseSign(benchmark::State& state) {
  auto rel = BuildRelease(Iowa().state);
  if (!rel.ok()) Die(rel.status().ToString());
  const SigningKey key = *SigningKeyFromSeed(std::string(64, '7'));
  for (auto _ : state) benchmark::DoNotOptimize(SignHex(key, rel->json.bytes));
}
BENCHMARK(BM_IowaReleaseSign)->Unit(benchmark::kMillisecond);

void BM_IowaReleaseVerify(benchmark::State& state) {
  const IowaLedger& l = Iowa();
  auto rel = BuildRelease(l.state);
  if (!rel.ok()) Die(rel.status().ToString());
  std::map<std::string, std::string> files;
  for (const ReleaseFile* f : rel->files()) {
    if (f != &rel->json) files[f->name] = f->bytes;
  }
  for (auto _ : state) {
    ReleaseVerification v;
    CheckReleaseAgainstLedger(rel->json.bytes, l.jsonl, "ledger.jsonl", files, std::nullopt, v);
    if (!v.ok()) Die(v.problems.front());
  }
}
BENCHMARK(BM_IowaReleaseVerify)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace canvass::bench

BENCHMARK_MAIN();
