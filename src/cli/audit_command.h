// `canvass audit materiality` and `canvass audit eligibility` (docs/cli.md, docs/audit.md). Their
// own header so that the commands are wired without touching commands.h.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace canvass {

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

}  // namespace canvass
