// A synthetic caucus election for benchmarks: any number of precincts and candidates, with
// realistic first alignments (a few strong candidates, a long tail), non-viable groups
// realigning or leaving, and reported figures equal to what the rules compute (so that checking
// walks the whole compare path). Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "caucus/allocation.h"
#include "core/election.h"
#include "rules/ruleset.h"

namespace canvass::bench {

inline Election MakeSyntheticElection(const Ruleset& ruleset, int64_t precincts, int candidates,
                                      uint64_t seed) {
  std::mt19937_64 rng(seed);
  Election e;
  for (int c = 0; c < candidates; ++c) e.candidates.push_back("Candidate " + std::to_string(c + 1));
  const int counties = 100;
  for (int c = 0; c < counties; ++c) {
    e.county_district["County " + std::to_string(c)] = std::to_string(c % 4 + 1);
  }
  // Candidate c draws support in proportion to 1/(c+1): integer cumulative weights.
  std::vector<uint64_t> cumulative(candidates);
  uint64_t sum = 0;
  for (int c = 0; c < candidates; ++c) cumulative[c] = sum += 27720 / (1 + c);
  auto pick = [&](std::mt19937_64& g) {
    uint64_t r = g() % sum;
    int c = 0;
    while (cumulative[c] <= r) ++c;
    return c;
  };
  e.reports.reserve(precincts);
  e.apportionment.reserve(precincts);
  for (int64_t p = 0; p < precincts; ++p) {
    int county = static_cast<int>(p % counties);
    PrecinctApportionment ap;
    ap.county = "County " + std::to_string(county);
    ap.precinct = "Precinct " + std::to_string(p);
    Count d = 1 + static_cast<Count>(rng() % 12);
    ap.delegates = d;
    ap.sde_per_delegate = Rational(1 + county % 7, 10 + county % 13);
    ap.district = std::to_string(county % 4 + 1);
    PrecinctInput in;
    in.delegates = d;
    in.first.assign(candidates, 0);
    Count attendance = 10 + static_cast<Count>(rng() % 300);
    for (Count i = 0; i < attendance; ++i) ++in.first[pick(rng)];
    // Non-viable supporters realign to their first viable pick or go home; viable groups lock.
    auto threshold = ruleset.precinct.ThresholdFor(d).value_or(Rational(3, 20));
    in.final = in.first;
    for (int c = 0; c < candidates; ++c) {
      bool viable = Rational(in.first[c]) >= threshold * Rational(attendance);
      if (viable) continue;
      for (Count i = 0; i < in.first[c]; ++i) {
        int to = pick(rng);
        if (Rational(in.first[to]) >= threshold * Rational(attendance) && rng() % 5 != 0) {
          ++in.final[to];
        }
      }
      in.final[c] = 0;
    }
    // Roughly one precinct in fifty has a tie the chair settled; outcomes are not modelled,
    // so those precincts stay with a pending tie, as a real unreported coin toss would.
    PrecinctReport r;
    r.county = ap.county;
    r.precinct = ap.precinct;
    r.figures.resize(candidates);
    auto computed = AllocatePrecinct(ruleset.precinct, in, candidates);
    std::vector<Rational> sde;
    if (computed.ok()) sde = ComputeSde(ruleset.precinct, *computed, ap);
    for (int c = 0; c < candidates; ++c) {
      r.figures[c].first = in.first[c];
      r.figures[c].final = in.final[c];
      if (!sde.empty()) r.figures[c].sde = sde[c];
    }
    e.reports.push_back(std::move(r));
    e.apportionment.push_back(std::move(ap));
  }
  return e;
}

}  // namespace canvass::bench
