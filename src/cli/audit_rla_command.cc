// `canvass audit rla`: the risk-limiting audit of the national delegates, offline (docs/audit.md,
// "Risk-limiting audit"; docs/cli.md).
#include <fmt/format.h>

#include <cmath>
#include <ostream>

#include "audit/materiality.h"
#include "audit/rla.h"
#include "caucus/findings.h"
#include "cli/audit_command.h"
#include "cli/election_input.h"
#include "io/importers.h"

namespace canvass {
namespace {

std::string SizeText(const SampleSize& s) {
  return s.full_hand_count ? std::string("full hand count") : fmt::format("{} draws", s.draws);
}

std::string PValueText(long double p) {
  if (std::isinf(p)) return "infinite";
  return fmt::format("{:.6f}", static_cast<double>(p));
}

}  // namespace

int RunAuditRla(const AuditRlaOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&](const std::string& message, int code) {
    err << "canvass audit rla: " << message << "\n";
    return code;
  };
  auto pct = Rational::Parse(options.risk_limit);
  if (!pct.ok()) {
    return fail(fmt::format("--risk-limit \"{}\": {}", options.risk_limit, pct.status().message()),
                kExitUsage);
  }
  if (*pct <= Rational(0) || *pct >= Rational(100)) {
    return fail(
        fmt::format("--risk-limit {}: a percentage above 0 and below 100", options.risk_limit),
        kExitUsage);
  }
  if (options.files.results.empty()) {
    return fail(
        "give the election's files (--results, --apportionment, --districts), or audit a store: "
        "canvass audit rla start|seed|tally|status --store",
        kExitUsage);
  }
  if (!options.tallies.empty() && options.seed.empty()) {
    return fail("--tallies needs --seed: tallies are of the precincts the seed draws", kExitUsage);
  }
  auto loaded = LoadElection(options.files);
  if (!loaded.ok()) return fail(loaded.status().message(), kExitUsage);
  const Ruleset& ruleset = loaded->ruleset;
  const Election& election = loaded->election;
  const std::vector<PrecinctCheck> checks = CheckElection(ruleset, election);
  MaterialityOptions mo;
  mo.side = options.computed ? ResultSide::kComputed : ResultSide::kReported;
  mo.search = false;  // the audit needs the bounds, not the smallest changes
  auto mat = ComputeMateriality(ruleset, election, checks, mo);
  if (!mat.ok()) return fail(mat.status().message(), kExitFailure);
  auto plan = PlanRla(ruleset, *mat, *pct / Rational(100));
  if (!plan.ok()) return fail(plan.status().message(), kExitFailure);

  std::vector<AuditedTally> tallies;
  if (!options.tallies.empty()) {
    auto text = ReadFile(options.tallies);
    if (!text.ok()) return fail(text.status().message(), kExitUsage);
    auto parsed = ParseRlaTallies(*text, options.tallies, ruleset, election, *mat);
    if (!parsed.ok()) return fail(parsed.status().message(), kExitUsage);
    tallies = std::move(parsed).value();
  }
  std::optional<RlaStatus> status;
  if (!options.seed.empty()) {
    auto run = RunRla(ruleset, *mat, *plan, options.seed, tallies);
    if (!run.ok()) {
      return fail(fmt::format("{}: {}", options.tallies, run.status().message()), kExitUsage);
    }
    status = std::move(run).value();
  }

  if (options.files.json) {
    out << RlaToJson(ruleset, *mat, *plan, options.seed, status ? &*status : nullptr).dump()
        << "\n";
    return kExitOk;
  }
  const std::vector<std::string>& names = mat->candidates;
  out << fmt::format(
      "canvass audit rla: ruleset {} (hash {}), {} side, {} precincts, {} assertions, risk limit "
      "{}%\n\n",
      ruleset.name, ruleset.ShortHash(),
      mat->side == ResultSide::kReported ? "reported" : "computed", plan->batches.size(),
      mat->assertions.size(), pct->ToShortDecimal());
  out << "Assertions (the reported national delegates hold while all do), tightest first:\n";
  out << fmt::format("  {:<48} {:>12} {:>12} {:>14}  {}\n", "Assertion", "margin G", "diluted mu",
                     "U alone", "first round alone");
  for (const AssertionRisk& r : plan->assertions) {
    out << fmt::format("  {:<48} {:>12} {:>12} {:>14}  {}\n",
                       mat->assertions[r.assertion].Describe(names, mat->outcome),
                       r.margin.ToDecimal(4), r.diluted_margin.ToDecimal(6),
                       r.total_bound.ToDecimal(3), SizeText(r.first_round));
  }
  out << fmt::format(
      "\nU = {} (MACRO: each precinct's u_p is its largest over the assertions of its pools, "
      "rounded up at 10^-9)\n",
      plan->total_bound().ToDecimal(3));
  for (const std::string& u : plan->unbounded) out << "  no bound: " << u << "\n";
  out << fmt::format(
      "First round at {}%: {}\n", pct->ToShortDecimal(),
      plan->first_round.full_hand_count
          ? fmt::format("full hand count (n would reach the {} precincts)", plan->batches.size())
          : SizeText(plan->first_round));
  if (!status) {
    out << "\nGive --seed (a public seed drawn after the results are committed) to draw the "
           "sample.\n";
    return kExitOk;
  }
  out << fmt::format("Seed: {}\n", options.seed);
  for (const RlaRound& round : status->rounds) {
    if (round.size.full_hand_count) continue;
    out << fmt::format("\nRound {}: draws {} to {}\n", &round - &status->rounds.front() + 1,
                       round.first_draw, round.first_draw + round.size.draws - 1);
    out << fmt::format("  {:>5}  {:<16} {:<32} {:>12} {:>12} {:>10} {:>10}\n", "draw", "County",
                       "Precinct", "u_p", "error e_p", "taint", "P after");
    for (const RlaDraw& d : status->draws) {
      if (d.draw < round.first_draw || d.draw >= round.first_draw + round.size.draws) continue;
      const RlaBatch& b = plan->batches[d.batch];
      std::string audited = "not yet audited";
      if (d.audited) {
        audited = fmt::format("{:>12} {:>10} {:>10}",
                              d.unauditable ? std::string("unauditable") : d.error.ToDecimal(6),
                              fmt::format("{:.6f}", static_cast<double>(d.taint)),
                              std::isnan(d.p_value) ? std::string("-") : PValueText(d.p_value));
      }
      out << fmt::format("  {:>5}  {:<16} {:<32} {:>12} {}\n", d.draw, b.county, b.precinct,
                         Rational(b.bound, kBoundScale).ToDecimal(6), audited);
    }
  }
  out << "\n";
  switch (status->decision) {
    case RlaDecision::kConfirmed:
      out << fmt::format(
          "Decision: confirmed. P = {} <= {}% after {} draws: the reported national delegates "
          "stand at this risk limit.\n",
          PValueText(status->p_value), pct->ToShortDecimal(), status->draws.size());
      break;
    case RlaDecision::kAwaiting:
      out << fmt::format("Decision: {}. {} drawn precinct(s) without a tally; P so far = {}.\n",
                         status->rounds.size() > 1 ? fmt::format("another round of {} draws",
                                                                 status->rounds.back().size.draws)
                                                   : std::string("round 1 in progress"),
                         status->awaiting, PValueText(status->p_value));
      break;
    case RlaDecision::kFullHandCount:
      out << fmt::format("Decision: full hand count. {}.\n", status->reason);
      break;
  }
  return kExitOk;
}

}  // namespace canvass
