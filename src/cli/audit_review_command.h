// `canvass audit record|request|decide|recanvass` (docs/cli.md, docs/audit.md "Requests and
// decisions"): the recanvass on the ledger of a store, from the party's command line. The ledger
// decides, as for the API: a refusal names what is wrong and writes nothing.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "intake/intake.h"

namespace canvass {

struct AuditReviewOptions {
  std::string store;
  bool json = false;
  // request: the campaign whose written request the party records (its credential is the
  // actor; without one the party chair's own request, where the ruleset allows it), and the
  // request as POST /api/v1/reviews takes it.
  std::string campaign;
  std::string file;
  // decide, recanvass: the request (its seq) and the precinct (its id).
  long long request = 0;
  long long precinct = 0;
  bool accept = false, refuse = false;
  std::string reason;
  std::string cost;
  // recanvass: the worksheet, NAME=COUNT,NAME=COUNT.
  std::string first, final, delegates;
  std::string photo;
  std::string note;
  // recanvass, recount: the campaigns whose observers were present, NAME,NAME.
  std::string observers;
  // schedule: when (ledger time) and where the packet is opened.
  std::string at, place;
  // recount: the cards counted, or a packet missing or short (with what is wrong).
  long long cards = 0;
  bool unauditable = false;
  std::string custody;
  // rla start: the risk limit in percent; rla seed: the public seed.
  std::string risk_limit = "5";
  std::string seed;
};

// Exit 0 done, 1 the store failed, 2 bad input or a refusal (its code and message printed).
int RunAuditRecord(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
int RunAuditRequest(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
int RunAuditDecide(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
int RunAuditRecanvass(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
int RunAuditRecount(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
// `canvass audit costs --campaign --accept|--decline`: the requesting campaign answers the cost
// the party stated for an accepted precinct. `canvass audit schedule --at --place`.
int RunAuditCosts(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
int RunAuditSchedule(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
// `canvass audit certify --reason`: the party certifies (refused while accepted requests are open).
int RunAuditCertify(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);

// `canvass audit rla start|seed|tally|status --store` (audit_rla_ledger_command.cc, docs/audit.md
// "The audit on the ledger"): the risk-limiting audit on a store's ledger.
int RunAuditRlaStart(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
int RunAuditRlaSeed(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
int RunAuditRlaTally(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
int RunAuditRlaStatus(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);
// `canvass audit rla sample --store [--json]`: every draw so far (draw number, precinct, whether
// tallied and from which event), in draw order; a full hand count says every precinct is counted.
int RunAuditRlaSample(const AuditReviewOptions& options, std::ostream& out, std::ostream& err);

// "Sanders=3,Buttigieg=2" as {"Sanders": 3, "Buttigieg": 2}; names are checked by the ledger.
Result<nlohmann::json> ParseFigureList(const std::string& text, const char* option);
// Appends `s` and prints its receipt; a refusal prints its code and message (exit 2), a store
// that could not keep it exit 1.
int SubmitAndReport(Intake& intake, Submission s, std::ostream& out, std::ostream& err);
// The submission id of a command line write: a fresh one per run (a retry is a new run).
std::string CliSubmission(const char* what);
// Who a command line write acts as: the administrator, or with `campaign` (--campaign) that
// campaign's account in the election; nullopt, with the message printed, when it has none.
std::optional<Actor> CliActor(Intake& intake, const std::string& campaign, std::ostream& err);

// The intake of a store that already exists (nothing is created at a mistyped path), and the
// exit code and message for a store that could not be opened (server_commands.cc).
Result<std::unique_ptr<Intake>> OpenExistingStore(const std::string& location);
int StoreOpenFailure(std::ostream& err, const Status& status);

}  // namespace canvass
