// The second stage's math at the sizes: STV and the list formulas on 10,000 ballots for a
// 20-seat district (target under 1 s), and the geographic analysis of a plan with 100 sub-pools
// (target under 100 ms). Ballots and votes come from SplitMix64 with fixed seeds.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "delegates/geography.h"
#include "delegates/seat_formulas.h"

namespace canvass {
namespace {

constexpr int kBallots = 10'000;
constexpr Count kSeats = 20;

std::string Name(const char* prefix, size_t i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

// 10,000 ranked ballots over 40 candidates in 4 slates of 10: each voter ranks 1 to 12
// candidates, mostly from their own slate first (a slate's supporters ranking it, then others).
ConventionCount StvElection() {
  ConventionCount c;
  c.formula = SeatFormula::kStv;
  c.seats = kSeats;
  const size_t n = 40;
  for (size_t i = 0; i < n; ++i) {
    c.options.push_back(
        {Name("C", i), {}, i % 2 == 0 ? Gender::kWoman : Gender::kMan, Name("S", i / 10)});
    c.lots.push_back(static_cast<uint32_t>(i));
  }
  SplitMix64 rng(15);
  const uint64_t slate_weight[4] = {45, 30, 15, 10};
  for (int b = 0; b < kBallots; ++b) {
    uint64_t pick = rng.Below(100), slate = 0;
    while (pick >= slate_weight[slate]) pick -= slate_weight[slate++];
    std::vector<bool> used(n, false);
    RankedBallot ballot;
    const size_t len = 1 + rng.Below(12);
    while (ballot.ranking.size() < len) {
      const bool own = rng.Below(4) != 0;
      const size_t cand = own ? slate * 10 + rng.Below(10) : rng.Below(n);
      if (used[cand]) continue;
      used[cand] = true;
      ballot.ranking.push_back(static_cast<uint32_t>(cand));
    }
    c.ballots.push_back(std::move(ballot));
  }
  return c;
}

void BM_Stv10000Ballots20Seats(benchmark::State& state) {
  ConventionCount c = StvElection();
  c.equal_division.enabled = state.range(0) == 1;
  for (auto _ : state) {
    auto r = CountConvention(c);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->order.data());
    state.counters["stages"] = static_cast<double>(r->stages.size());
  }
}
BENCHMARK(BM_Stv10000Ballots20Seats)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A list formula from the ballots: 10,000 single-mark ballots over 6 slates tallied, then counted.
void BM_List10000Ballots20Seats(benchmark::State& state) {
  const auto formula = static_cast<SeatFormula>(state.range(0));
  SplitMix64 rng(16);
  std::vector<uint32_t> marks;
  for (int b = 0; b < kBallots; ++b) marks.push_back(static_cast<uint32_t>(rng.Below(6)));
  ConventionCount c;
  c.formula = formula;
  c.seats = kSeats;
  for (size_t i = 0; i < 6; ++i) {
    ConventionOption o{Name("L", i), {}, std::nullopt, ""};
    for (size_t p = 0; p < kSeats; ++p) {
      o.nominees.push_back({Name("N", i * 100 + p), p % 3 == 0 ? Gender::kWoman : Gender::kMan});
    }
    c.options.push_back(std::move(o));
    c.lots.push_back(static_cast<uint32_t>(i));
  }
  c.equal_division.enabled = true;
  for (auto _ : state) {
    c.tallies.assign(6, 0);
    for (uint32_t m : marks) ++c.tallies[m];
    auto r = CountConvention(c);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->won.data());
  }
  state.SetLabel(std::string(SeatFormulaName(formula)));
}
BENCHMARK(BM_List10000Ballots20Seats)
    ->Arg(static_cast<int>(SeatFormula::kHareLargestRemainder))
    ->Arg(static_cast<int>(SeatFormula::kDroopLargestRemainder))
    ->Arg(static_cast<int>(SeatFormula::kDhondt))
    ->Arg(static_cast<int>(SeatFormula::kSainteLague))
    ->Unit(benchmark::kMicrosecond);

// 100 sub-pools of 1 to 5 seats, 6 candidates, votes per sub-pool from 2,000 to 60,000.
void BM_Geography100SubPools(benchmark::State& state) {
  SplitMix64 rng(17);
  DistrictPlan plan;
  plan.district = "D";
  DistrictVotes votes;
  for (size_t i = 0; i < 6; ++i) votes.candidates.push_back(Name("Cand", i));
  for (size_t k = 0; k < 100; ++k) {
    const Count seats = 1 + static_cast<Count>(rng.Below(5));
    plan.pools.push_back({Name("P", k), seats});
    plan.seats += seats;
    std::vector<Count> v;
    for (size_t i = 0; i < 6; ++i) v.push_back(300 + static_cast<Count>(rng.Below(10'000)));
    votes.pools.push_back(v);
  }
  GeographyOptions options;
  for (CandidateIndex i = 0; i < 6; ++i) options.lots.push_back(i);
  for (auto _ : state) {
    auto a = AnalyzePlan(plan, votes, options);
    if (!a.ok()) {
      state.SkipWithError(a.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(a->plan_seats.data());
  }
  state.counters["seats"] = static_cast<double>(plan.seats);
}
BENCHMARK(BM_Geography100SubPools)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace canvass
BENCHMARK_MAIN();
