#include <fmt/format.h>

#include <cstdio>
#include <ostream>

#include "cli/commands.h"
#include "io/early_cards.h"
#include "io/importers.h"
#include "rules/ruleset.h"
#include "simulate/simulate.h"

namespace canvass {

namespace {

// "results.csv" -> "results-early-votes.csv" (in the same directory).
std::string EarlyVotesBeside(const std::string& results) {
  std::string stem = results;
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".csv") == 0)
    stem.resize(stem.size() - 4);
  return stem + "-early-votes.csv";
}

}  // namespace

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
  std::string cards_out = options.early_votes_out;
  if (!options.early_votes.empty()) {
    if (!ruleset->precinct.early_vote.enabled) {
      err << "canvass simulate: --early-votes: " << ruleset->name << " has no early vote\n";
      return kExitUsage;
    }
    auto ppm = simulate::ParseFraction(options.early_votes);
    if (!ppm.ok()) {
      err << "canvass simulate: --early-votes: " << ppm.status().message() << "\n";
      return kExitUsage;
    }
    o.early_votes_ppm = *ppm;
    if (cards_out.empty()) cards_out = EarlyVotesBeside(options.results_out);
  } else if (!cards_out.empty()) {
    err << "canvass simulate: --early-votes-out goes with --early-votes\n";
    return kExitUsage;
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
       !write(options.districts_out, simulate::WriteDistrictsCsv(e))) ||
      (!cards_out.empty() && !write(cards_out, WriteEarlyCardsCsv(sim->cards)))) {
    return kExitFailure;
  }
  int64_t satellites = 0;
  for (const PrecinctReport& r : e.reports) satellites += r.satellite ? 1 : 0;
  out << fmt::format(
      "canvass simulate: ruleset {} (hash {}), seed {}: {} units ({} satellites) in {} counties, "
      "{} candidates, {} ties settled by a seeded coin, {} injected errors\n",
      ruleset->name, ruleset->ShortHash(), options.seed, e.reports.size(), satellites,
      e.county_district.size(), e.candidates.size(), sim->ties, sim->errors.size());
  if (!cards_out.empty()) {
    out << fmt::format(
        "  early-vote cards: {} ({} void) in {}; the results hold the people in the room, and "
        "the delegates the rules give with the valid cards\n",
        sim->cards.size(), sim->void_cards, cards_out);
  }
  for (const simulate::InjectedError& x : sim->errors) {
    const PrecinctReport& r = e.reports[x.report];
    out << fmt::format("  error {}: {} / {}: {}\n", simulate::ErrorKindName(x.kind), r.county,
                       r.precinct, x.detail);
  }
  return kExitOk;
}

}  // namespace canvass
