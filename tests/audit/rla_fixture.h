// A simulated election on a test ledger, for the risk-limiting audit's tests
// (tests/audit/rla_ledger_test.cc, tests/cli/audit_rla_ledger_test.cc): 1,000 precincts, two
// candidates, no built ties, every figure as the simulation made it.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "publish/release_fixture.h"
#include "simulate/simulate.h"

namespace canvass::publish_test {

class SimulatedLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto path = RulesetPath("iowa-dem-2020");
    ASSERT_TRUE(path.ok());
    auto toml = ReadFile(*path);
    ASSERT_TRUE(toml.ok());
    auto ruleset = ParseRuleset(*toml, "iowa-dem-2020");
    ASSERT_TRUE(ruleset.ok());
    simulate::Options o;
    o.precincts = 1000;
    o.candidates = 2;
    o.counties = 20;
    o.seed = 7;
    o.ties_ppm = 0;
    auto sim = simulate::Simulate(*ruleset, o);
    ASSERT_TRUE(sim.ok()) << sim.status().ToString();
    election_ = sim->election;
    json precincts = json::array();
    for (const PrecinctApportionment& ap : election_.apportionment) {
      json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
      if (ap.delegates) row["delegates"] = *ap.delegates;
      if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
      precincts.push_back(row);
    }
    json counties = json::object();
    for (const auto& [county, district] : election_.county_district) counties[county] = district;
    l_.Add("election-created",
           {{"name", "Simulated caucuses (audit test)"},
            {"ruleset", {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", *toml}}},
            {"candidates", election_.candidates},
            {"precincts", precincts},
            {"county_district", counties}});
    // Reports in the apportionment's order (the simulation lists them so).
    ASSERT_EQ(election_.reports.size(), election_.apportionment.size());
  }

  // Report `report`'s figures, by name: which 0 first, 1 final, 2 delegates.
  json Figures(size_t report, int which) const {
    json out = json::object();
    const PrecinctReport& r = election_.reports[report];
    for (size_t c = 0; c < r.figures.size(); ++c) {
      const CandidateReport& f = r.figures[c];
      const std::optional<Count>& v = which == 0 ? f.first : which == 1 ? f.final : f.delegates;
      if (v && *v != 0) out[election_.candidates[c]] = *v;
    }
    return out;
  }

  // Reports precincts [from, to): first alignment, then final with the delegates.
  void Report(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const auto id = static_cast<int64_t>(i + 1);
      l_.Add("first-alignment-reported", {{"precinct", id}, {"first", Figures(i, 0)}});
      l_.Add("final-alignment-reported",
             {{"precinct", id}, {"final", Figures(i, 1)}, {"delegates", Figures(i, 2)}});
    }
  }

  Election election_;
  Ledger l_;
};

}  // namespace canvass::publish_test
