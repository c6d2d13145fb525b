// `canvass audit materiality` and `canvass audit eligibility` (docs/cli.md, docs/audit.md). Their
// own header so that the commands are wired without touching commands.h.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace canvass {

// `canvass audit anomalies` (src/cli/audit_anomaly_command.cc): duplicates, column shifts and,
// with earlier releases, release deltas (tabulate/anomaly.h). Exit 0 when nothing is flagged, 1
// when something is, 2 on unreadable input or bad settings.
struct AnomalyOptions {
  ElectionFiles files;
  std::vector<std::string> previous;   // earlier releases' results files, oldest first
  std::vector<std::string> corrected;  // COUNTY/PRECINCT with a correction on the record
  std::string shift_reference;         // results file the county shares come from
  std::string ballot_order;            // candidate names, comma-separated
  // Unset: the ruleset's [anomaly] settings (the checks' defaults, 10 and 50, without one).
  std::optional<long long> duplicate_above;
  std::optional<double> shift_threshold;
};
int RunAuditAnomalies(const AnomalyOptions& options, std::ostream& out, std::ostream& err);

struct AuditOptions {
  ElectionFiles files;
  bool computed = false;  // the computed side's SDEs instead of the reported ones
  // eligibility: the precinct and its claimed figures, CANDIDATE.FIELD=VALUE with FIELD one of
  // first, final, delegates, sde.
  std::string county;
  std::string precinct;
  std::vector<std::string> claims;
};

// Exit 0 when computed (material or not), 1 when the rules or the outcome do not allow it, 2 on
// unreadable input or a malformed claim.
int RunAuditMateriality(const AuditOptions& options, std::ostream& out, std::ostream& err);
int RunAuditEligibility(const AuditOptions& options, std::ostream& out, std::ostream& err);

// `canvass audit rla` (src/cli/audit_rla_command.cc): assertions, bounds, U and the first round;
// with a seed the sample; with tallies the P-value and the decision.
struct AuditRlaOptions {
  ElectionFiles files;
  bool computed = false;
  std::string risk_limit = "5";  // percent
  std::string seed;
  std::string tallies;  // the tallies CSV of docs/formats.md
};

// Exit 0 with a decision (a full hand count included), 1 when the outcome cannot be audited, 2 on
// unreadable input or a refused tally.
int RunAuditRla(const AuditRlaOptions& options, std::ostream& out, std::ostream& err);

}  // namespace canvass
