#include <fmt/format.h>

#include <cstdio>
#include <ostream>

#include "cli/commands.h"
#include "io/importers.h"
#include "rules/ruleset.h"
#include "simulate/simulate.h"

namespace canvass {

int RunSimulate(const SimulateOptions& options, std::ostream& out, std::ostream& err) {
  auto ruleset = LoadRuleset(options.rules);
  if (!ruleset.ok()) {
    err << "canvass simulate: " << ruleset.status().message() << "\n";
    return kExitUsage;
  }
  simulate::Options o;
  o.precincts = options.precincts;
  o.candidates = options.candidates;
  o.counties = options.counties;
  o.seed = options.seed;
  const std::pair<const char*, const std::string*> fractions[] = {
      {"--satellites", &options.satellites},
      {"--ties", &options.ties},
      {"--errors", &options.errors}};
  uint32_t* targets[] = {&o.satellites_ppm, &o.ties_ppm, &o.errors_ppm};
  for (size_t i = 0; i < 3; ++i) {
    auto ppm = simulate::ParseFraction(*fractions[i].second);
    if (!ppm.ok()) {
      err << "canvass simulate: " << fractions[i].first << ": " << ppm.status().message() << "\n";
      return kExitUsage;
    }
    *targets[i] = *ppm;
  }
  if (options.early_votes) {
    if (!ruleset->precinct.early_vote.enabled) {
      err << "canvass simulate: --early-votes: " << ruleset->name << " has no early vote\n";
      return kExitUsage;
    }
    err << "canvass simulate: note: early-vote cards are not generated: our results CSV has no "
           "column for them, so first and final are in-person counts only\n";
  }
  auto sim = simulate::Simulate(*ruleset, o);
  if (!sim.ok()) {
    err << "canvass simulate: " << sim.status().message() << "\n";
    return kExitUsage;
  }
  auto write = [&](const std::string& path, const std::string& bytes) {
    FILE* f = std::fopen(path.c_str(), "wb");
    bool ok = f != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (f != nullptr && std::fclose(f) != 0) ok = false;
    if (!ok) err << "canvass simulate: cannot write " << path << "\n";
    return ok;
  };
  const Election& e = sim->election;
  if (!write(options.results_out, WriteResultsCsv(e)) ||
      !write(options.apportionment_out, WriteApportionmentCsv(e.apportionment)) ||
      (!options.districts_out.empty() &&
       !write(options.districts_out, simulate::WriteDistrictsCsv(e)))) {
    return kExitFailure;
  }
  int64_t satellites = 0;
  for (const PrecinctReport& r : e.reports) satellites += r.satellite ? 1 : 0;
  out << fmt::format(
      "canvass simulate: ruleset {} (hash {}), seed {}: {} units ({} satellites) in {} counties, "
      "{} candidates, {} ties settled by a seeded coin, {} injected errors\n",
      ruleset->name, ruleset->ShortHash(), options.seed, e.reports.size(), satellites,
      e.county_district.size(), e.candidates.size(), sim->ties, sim->errors.size());
  for (const simulate::InjectedError& x : sim->errors) {
    const PrecinctReport& r = e.reports[x.report];
    out << fmt::format("  error {}: {} / {}: {}\n", simulate::ErrorKindName(x.kind), r.county,
                       r.precinct, x.detail);
  }
  return kExitOk;
}

}  // namespace canvass
