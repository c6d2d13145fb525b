#include "cli/audit_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <ostream>

#include "audit/materiality.h"
#include "caucus/findings.h"
#include "cli/election_input.h"
#include "core/text.h"

namespace canvass {
namespace {

Result<ClaimedFigure> ParseClaim(const Election& election, const std::string& text) {
  const size_t eq = text.rfind('=');
  const size_t dot = eq == std::string::npos ? std::string::npos : text.rfind('.', eq);
  if (eq == std::string::npos || dot == std::string::npos || dot == 0) {
    return Status::InvalidArgument(fmt::format(
        "--claim \"{}\": expected CANDIDATE.FIELD=VALUE, e.g. Sanders.delegates=3", text));
  }
  const std::string name = NormaliseName(text.substr(0, dot));
  const std::string field = text.substr(dot + 1, eq - dot - 1);
  auto candidate = election.FindCandidate(name);
  if (!candidate) {
    return Status::InvalidArgument(
        fmt::format("--claim \"{}\": no candidate \"{}\" in the results; they name {}", text, name,
                    fmt::join(election.candidates, ", ")));
  }
  ClaimedFigure claim;
  claim.candidate = *candidate;
  if (field == "first") {
    claim.field = ClaimField::kFirst;
  } else if (field == "final") {
    claim.field = ClaimField::kFinal;
  } else if (field == "delegates") {
    claim.field = ClaimField::kDelegates;
  } else if (field == "sde") {
    claim.field = ClaimField::kSde;
  } else {
    return Status::InvalidArgument(fmt::format(
        "--claim \"{}\": unknown field \"{}\"; the fields are first, final, delegates, sde", text,
        field));
  }
  auto value = Rational::Parse(text.substr(eq + 1));
  if (!value.ok()) {
    return Status::InvalidArgument(
        fmt::format("--claim \"{}\": {}", text, value.status().message()));
  }
  claim.value = *value;
  return claim;
}

}  // namespace

int RunAuditMateriality(const AuditOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = LoadElection(options.files);
  if (!loaded.ok()) {
    err << "canvass audit materiality: " << loaded.status().message() << "\n";
    return kExitUsage;
  }
  const std::vector<PrecinctCheck> checks = CheckElection(loaded->ruleset, loaded->election);
  MaterialityOptions mo;
  mo.side = options.computed ? ResultSide::kComputed : ResultSide::kReported;
  auto mat = ComputeMateriality(loaded->ruleset, loaded->election, checks, mo);
  if (!mat.ok()) {
    err << "canvass audit materiality: " << mat.status().message() << "\n";
    return kExitFailure;
  }
  if (options.files.json) {
    out << MaterialityToJson(loaded->ruleset, *mat).dump() << "\n";
    return kExitOk;
  }
  const std::vector<std::string>& names = mat->candidates;
  out << fmt::format(
      "canvass audit materiality: ruleset {} (hash {}), {} side, {} precincts, {} assertions\n",
      loaded->ruleset.name, loaded->ruleset.ShortHash(),
      mat->side == ResultSide::kReported ? "reported" : "computed", mat->precincts.size(),
      mat->assertions.size());
  out << fmt::format(
      "{} precincts have a bound u_p >= 1 (or none); a change confined to {} of them alters a "
      "national delegate ({} by moving delegates between two candidates, {} only by giving "
      "every delegate to one). u_p < 1 proves that no change confined to the precinct can.\n\n",
      mat->possibly_material, mat->material, mat->by_pair, mat->by_whole);
  // Material precincts first, the least SDE moved first; then the rest by bound, largest first.
  std::vector<size_t> order(mat->precincts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const PrecinctMateriality& a = mat->precincts[x];
    const PrecinctMateriality& b = mat->precincts[y];
    if (a.smallest.has_value() != b.smallest.has_value()) return a.smallest.has_value();
    if (a.smallest && a.smallest->sde_moved != b.smallest->sde_moved) {
      return a.smallest->sde_moved < b.smallest->sde_moved;
    }
    if (a.bounded != b.bounded) return !a.bounded;
    return a.bound > b.bound;
  });
  out << fmt::format("{:<16} {:<40} {:>9}  {}\n", "County", "Precinct", "u_p",
                     "Smallest change that alters a national delegate");
  for (size_t i : order) {
    const PrecinctMateriality& p = mat->precincts[i];
    std::string what;
    if (p.smallest) {
      what = p.smallest->Describe(names, mat->outcome);
    } else if (!p.has_figures) {
      what = "no SDEs on this side: counted as possibly material";
    } else if (p.possibly_material()) {
      what = "none found by moving delegates (bound from " +
             (p.assertion ? mat->assertions[*p.assertion].Describe(names, mat->outcome)
                          : std::string("an empty pool")) +
             ")";
    } else {
      what = "-";
    }
    out << fmt::format("{:<16} {:<40} {:>9}  {}\n", p.county, p.precinct,
                       p.bounded ? p.bound.ToDecimal(4) : std::string("unbounded"), what);
  }
  return kExitOk;
}

int RunAuditEligibility(const AuditOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = LoadElection(options.files);
  if (!loaded.ok()) {
    err << "canvass audit eligibility: " << loaded.status().message() << "\n";
    return kExitUsage;
  }
  std::vector<ClaimedFigure> claims;
  for (const std::string& text : options.claims) {
    auto claim = ParseClaim(loaded->election, text);
    if (!claim.ok()) {
      err << "canvass audit eligibility: " << claim.status().message() << "\n";
      return kExitUsage;
    }
    claims.push_back(*claim);
  }
  const std::vector<PrecinctCheck> checks = CheckElection(loaded->ruleset, loaded->election);
  auto e = CheckEligibility(loaded->ruleset, loaded->election, checks,
                            NormaliseName(options.county), NormaliseName(options.precinct), claims,
                            options.computed ? ResultSide::kComputed : ResultSide::kReported);
  if (!e.ok()) {
    err << "canvass audit eligibility: " << e.status().message() << "\n";
    return kExitUsage;
  }
  const std::vector<std::string>& names = loaded->election.candidates;
  if (options.files.json) {
    out << EligibilityToJson(loaded->ruleset, names, *e).dump() << "\n";
    return kExitOk;
  }
  const int places = loaded->ruleset.precinct.sde_places;
  out << fmt::format("canvass audit eligibility: {} / {}, ruleset {} (hash {})\n\n", e->county,
                     e->precinct, loaded->ruleset.name, loaded->ruleset.ShortHash());
  out << fmt::format("{:<14} {:>10} {:>10}\n", "Candidate", "SDE now", "claimed");
  for (size_t c = 0; c < names.size(); ++c) {
    if (e->sde_before[c].is_zero() && e->sde_claimed[c].is_zero()) continue;
    out << fmt::format("{:<14} {:>10} {:>10}\n", names[c], e->sde_before[c].ToDecimal(places),
                       e->sde_claimed[c].ToDecimal(places));
  }
  out << "\n";
  if (!e->eligible()) {
    out << "Not eligible: with the claimed figures every national delegate stays where it is.\n";
  } else {
    out << "Eligible: the claimed figures change national delegates:\n";
    for (const PoolChange& p : e->pools) {
      std::vector<std::string> parts;
      for (size_t c = 0; c < names.size(); ++c) {
        if (p.before[c] != p.after[c]) {
          parts.push_back(fmt::format("{} {} to {}", names[c], p.before[c], p.after[c]));
        }
      }
      out << fmt::format("  {}: {}{}\n", e->outcome.pools[p.pool].name, fmt::join(parts, ", "),
                         p.tie ? " (the last seat goes to a drawing of lots)" : "");
    }
  }
  for (const Assertion& a : e->failed) {
    out << fmt::format("  assertion broken: {}\n", a.Describe(names, e->outcome));
  }
  return kExitOk;
}

}  // namespace canvass
