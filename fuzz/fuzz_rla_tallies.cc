// Feeds untrusted bytes to ParseRlaTallies (the audited tallies CSV of `canvass audit rla
// --tallies`), against a small simulated election: any input must give tallies or a Status, never
// a crash or a sanitizer report; tallies it accepts must run through the audit (RunRla) to a
// result or a Status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/materiality.h"
#include "audit/rla.h"
#include "caucus/findings.h"
#include "simulate/simulate.h"

namespace {

struct Setup {
  canvass::Ruleset ruleset;
  canvass::Election election;
  canvass::Materiality materiality;
  canvass::RlaPlan plan;
};

const Setup& TheElection() {
  static const Setup* setup = [] {
    auto* s = new Setup;
    auto ruleset = canvass::LoadRuleset("iowa-dem-2020");
    if (!ruleset.ok()) std::abort();
    s->ruleset = *ruleset;
    canvass::simulate::Options o;
    o.precincts = 40;
    o.candidates = 3;
    o.counties = 4;
    o.seed = 7;
    o.ties_ppm = 0;
    auto sim = canvass::simulate::Simulate(s->ruleset, o);
    if (!sim.ok()) std::abort();
    s->election = sim->election;
    canvass::MaterialityOptions mo;
    mo.search = false;
    auto mat = canvass::ComputeMateriality(s->ruleset, s->election,
                                           canvass::CheckElection(s->ruleset, s->election), mo);
    if (!mat.ok()) std::abort();
    s->materiality = *mat;
    auto plan = canvass::PlanRla(s->ruleset, s->materiality, canvass::Rational(10, 100));
    if (!plan.ok()) std::abort();
    s->plan = *plan;
    return s;
  }();
  return *setup;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Setup& s = TheElection();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tallies = canvass::ParseRlaTallies(text, "fuzz", s.ruleset, s.election, s.materiality);
  if (!tallies.ok()) {
    (void)tallies.status().message();
    return 0;
  }
  auto status = canvass::RunRla(s.ruleset, s.materiality, s.plan, "20200203", *tallies);
  if (!status.ok()) (void)status.status().message();
  return 0;
}
