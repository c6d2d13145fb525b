// A synthetic caucus election for benchmarks: the generator of `canvass simulate`
// (src/simulate/simulate.h) with no satellites, no injected errors and its default share of
// ties. Reported figures equal what the rules compute (so that checking walks the whole compare
// path). Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <iostream>

#include "core/election.h"
#include "rules/ruleset.h"
#include "simulate/simulate.h"

namespace canvass::bench {

inline Election MakeSyntheticElection(const Ruleset& ruleset, int64_t precincts, int candidates,
                                      uint64_t seed) {
  simulate::Options options;
  options.precincts = precincts;
  options.candidates = candidates;
  options.counties = 100;
  options.seed = seed;
  auto sim = simulate::Simulate(ruleset, options);
  if (!sim.ok()) {
    std::cerr << "synthetic election: " << sim.status().message() << "\n";
    std::abort();
  }
  return std::move(sim).value().election;
}

}  // namespace canvass::bench
