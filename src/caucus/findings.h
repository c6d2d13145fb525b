// Findings: what checking a reported precinct against the rules found.
//
// Checking never overwrites: the reported figures and the computed figures are both kept, and
// every difference becomes a Finding with a stable code (docs/findings.md lists them all).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "caucus/allocation.h"
#include "core/election.h"
#include "rules/ruleset.h"

namespace canvass {

enum class Severity : uint8_t {
  kError,    // impossible, or contradicts the rules
  kWarning,  // suspicious
  kInfo,
};
const char* SeverityName(Severity s);  // "error", "warning", "info"

struct Finding {
  std::string code;  // stable, kebab-case: "final-exceeds-attendance"
  Severity severity = Severity::kInfo;
  std::vector<std::string> candidates;  // names concerned, may be empty
  std::string message;                  // plain words for a chair, a campaign or a reporter
};

// Everything known about one precinct after checking it.
struct PrecinctCheck {
  std::string county;
  std::string precinct;
  std::optional<Allocation> computed;  // absent when the report cannot be computed at all
  std::vector<Rational> computed_sde;  // per candidate; empty when not computable
  std::vector<Finding> findings;
  bool has_error() const;
};

// Checks one reported precinct. `apportionment` may be null (unknown precinct: a finding).
// `explain` keeps the computed worksheet: its lines with their notes. Without it (bulk checks)
// `computed` holds the delegates, ties and totals but no lines, to keep 200,000 checks small.
// `tie_outcomes` are the recorded games of chance for this precinct, in the order the ties arose
// (the intake records them); without them a tie the rules need is reported as pending.
// `early_votes` are the precinct's valid early-vote cards (Nevada): the report holds the in-person
// figures only, and the cards count as the rules say (docs/caucus-math.md, steps 1 to 6).
PrecinctCheck CheckPrecinct(const Ruleset& ruleset, const std::vector<std::string>& candidates,
                            const PrecinctReport& report,
                            const PrecinctApportionment* apportionment, bool explain = false,
                            const std::vector<TieOutcome>& tie_outcomes = {},
                            const std::vector<EarlyVoteCard>& early_votes = {});

// Checks a whole election: every report, plus findings that need more than one precinct
// (duplicated records with identical numbers; apportioned precincts never reported).
// Results are in report order.
std::vector<PrecinctCheck> CheckElection(const Ruleset& ruleset, const Election& election);

// Apportioned precincts that no report names: one PrecinctCheck each (no computed figures), with
// a "precinct-not-reported" warning, in apportionment order. Kept apart from CheckElection so
// that its results stay one per report.
std::vector<PrecinctCheck> CheckUnreportedPrecincts(const Election& election);

}  // namespace canvass
