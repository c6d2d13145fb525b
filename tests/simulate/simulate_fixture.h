// The simulator's tests' ruleset and simulation, each asserted to load.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "rules/ruleset.h"
#include "simulate/simulate.h"

namespace canvass::simulate {

inline Ruleset Rules(const std::string& name) {
  auto r = LoadRuleset(name);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

inline Simulation Make(const Ruleset& rules, const Options& o) {
  auto sim = Simulate(rules, o);
  EXPECT_TRUE(sim.ok()) << sim.status().message();
  return std::move(sim).value();
}

}  // namespace canvass::simulate
