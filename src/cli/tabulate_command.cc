#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <ostream>

#include "caucus/findings.h"
#include "caucus/json_output.h"
#include "cli/commands.h"
#include "cli/election_input.h"
#include "tabulate/tabulate.h"

namespace canvass {

void PrintFindingSummary(const std::vector<PrecinctCheck>& checks, std::ostream& out);

namespace {

std::string NationalCell(const Totals& side, size_t candidate) {
  if (!side.national) return "-";
  return std::to_string(side.national->total.at(candidate)) +
         (side.national->complete() ? "" : "?");
}

void PrintPools(const char* label, const Totals& side, const std::vector<std::string>& names,
                std::ostream& out) {
  if (!side.national) return;
  out << fmt::format("National delegates, {}:\n", label);
  for (const PoolAllocation& pool : side.national->pools) {
    std::vector<std::pair<Count, size_t>> winners;
    for (size_t c = 0; c < pool.delegates.size(); ++c) {
      if (pool.delegates[c] > 0) winners.emplace_back(pool.delegates[c], c);
    }
    std::sort(winners.begin(), winners.end(), [](auto a, auto b) { return a.first > b.first; });
    std::vector<std::string> parts;
    for (auto [n, c] : winners) parts.push_back(fmt::format("{} {}", names[c], n));
    out << fmt::format("  {:<10} {:>3}: {}{}\n", pool.name, pool.size, fmt::join(parts, ", "),
                       pool.pending_tie ? "  (tie pending: drawing of lots needed)" : "");
  }
}

}  // namespace

void PrintTabulation(const Ruleset& ruleset, const std::vector<std::string>& names,
                     const Tabulation& tab, std::ostream& out) {
  const int places = ruleset.precinct.sde_places;
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  const auto& rep = tab.reported.state.candidates;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (rep[a].sde != rep[b].sde) return rep[a].sde > rep[b].sde;
    return rep[a].first > rep[b].first;
  });
  size_t width = 9;
  for (const auto& n : names) width = std::max(width, n.size());
  out << fmt::format("{:<{}} {:>9} {:>9} {:>13} {:>13} {:>9} {:>9}\n", "Candidate", width, "First",
                     "Final", "SDE reported", "SDE computed", "Nat. rep", "Nat. comp");
  Count first = 0;
  Count final = 0;
  Rational sde_rep;
  Rational sde_comp;
  for (size_t c : order) {
    const CandidateTotals& r = tab.reported.state.candidates[c];
    const CandidateTotals& k = tab.computed.state.candidates[c];
    first += r.first;
    final += r.final;
    sde_rep += r.sde;
    sde_comp += k.sde;
    out << fmt::format("{:<{}} {:>9} {:>9} {:>13} {:>13} {:>9} {:>9}\n", names[c], width, r.first,
                       r.final, r.sde.ToDecimal(3), k.sde.ToDecimal(3),
                       NationalCell(tab.reported, c), NationalCell(tab.computed, c));
  }
  out << fmt::format("{:<{}} {:>9} {:>9} {:>13} {:>13}\n", "Total", width, first, final,
                     sde_rep.ToDecimal(3), sde_comp.ToDecimal(3));
  out << fmt::format(
      "(SDEs summed exactly from {}-place precinct figures, shown to 3 places. Computed: {} "
      "precincts complete, {} waiting for a tie outcome, {} must realign, {} not computable.\n"
      " * marks national figures from incomplete totals.)\n\n",
      places, tab.computed_complete, tab.computed_pending_tie, tab.computed_must_realign,
      tab.computed_unavailable);
  PrintPools("from reported SDEs", tab.reported, names, out);
  if (tab.computed_basis_complete) {
    PrintPools("from computed SDEs", tab.computed, names, out);
  } else {
    out << fmt::format(
        "National delegates from computed SDEs: not final. {} precincts have no computed SDEs "
        "(a tie to settle, a realignment, or a report the rules cannot compute), so the "
        "\"Nat. comp\" column counts only the rest.\n",
        tab.computed.precincts_without_sde);
  }
}

int RunTabulate(const ElectionFiles& files, std::ostream& out, std::ostream& err) {
  auto loaded = LoadElection(files);
  if (!loaded.ok()) {
    err << "canvass tabulate: " << loaded.status().message() << "\n";
    return kExitUsage;
  }
  std::vector<PrecinctCheck> checks = CheckElection(loaded->ruleset, loaded->election);
  auto tab = Tabulate(loaded->ruleset, loaded->election, checks);
  if (!tab.ok()) {
    err << "canvass tabulate: " << tab.status().message() << "\n";
    return kExitFailure;
  }
  if (files.json) {
    out << TabulationToJson(loaded->ruleset, loaded->election.candidates, *tab).dump() << "\n";
    return kExitOk;
  }
  out << fmt::format("canvass tabulate: ruleset {} version {} (hash {}), {} precincts\n\n",
                     loaded->ruleset.name, loaded->ruleset.version, loaded->ruleset.hash,
                     tab->included);
  PrintTabulation(loaded->ruleset, loaded->election.candidates, *tab, out);
  return kExitOk;
}

int RunDemo(const std::string& data_dir, std::ostream& out, std::ostream& err) {
  struct Release {
    const char* label;
    const char* file;
  };
  const Release releases[] = {
      {"first \"100% reporting\" release, 8 February 2020",
       "/iowa-2020/results-first-complete-2020-02-08-long.csv"},
      {"certified release, 7 April 2020 (after the recanvass and recount)",
       "/iowa-2020/results-certified-2020-04-07-long.csv"},
  };
  out << "Iowa Democratic caucuses, 3 February 2020: the party's published precinct results,\n"
         "checked against its published rules and tabulated to national delegates.\n";
  int rc = kExitOk;
  for (const Release& release : releases) {
    ElectionFiles files;
    files.rules = "iowa-dem-2020";
    files.results = data_dir + release.file;
    files.apportionment = data_dir + "/iowa-2020/apportionment.csv";
    files.districts = data_dir + "/iowa-2020/county-congressional-district.csv";
    auto loaded = LoadElection(files);
    if (!loaded.ok()) {
      err << "canvass demo: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    std::vector<PrecinctCheck> checks = CheckElection(loaded->ruleset, loaded->election);
    auto tab = Tabulate(loaded->ruleset, loaded->election, checks);
    if (!tab.ok()) {
      err << "canvass demo: " << tab.status().message() << "\n";
      return kExitFailure;
    }
    out << fmt::format("\n=== The {}\n{} reporting units; ruleset {} (hash {})\n\n", release.label,
                       tab->included, loaded->ruleset.name, loaded->ruleset.hash);
    PrintTabulation(loaded->ruleset, loaded->election.candidates, *tab, out);
    out << "\n";
    PrintFindingSummary(checks, out);
    int shown = 0;
    for (const PrecinctCheck& c : checks) {
      if (c.precinct.rfind("Ocheyedan", 0) != 0) continue;
      for (const Finding& f : c.findings) {
        if (shown++ == 0)
          out << "\nFor example, Ocheyedan (Osceola County), 5 people split 3/1/1 for 3 "
                 "delegates:\n";
        out << fmt::format("  {} [{}] {}\n", SeverityName(f.severity), f.code, f.message);
      }
      if (shown == 0)
        out << "\nOcheyedan (Osceola County): no findings; its report follows the rules.\n";
    }
  }
  out << "\nEvery finding, per precinct: canvass check --rules iowa-dem-2020 --results " << data_dir
      << releases[0].file << " --apportionment " << data_dir
      << "/iowa-2020/apportionment.csv --districts " << data_dir
      << "/iowa-2020/county-congressional-district.csv\n";
  return rc;
}

}  // namespace canvass
