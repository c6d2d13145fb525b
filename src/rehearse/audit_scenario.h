// A risk-limiting audit played after the rehearsed night (`canvass rehearse --audit`, docs/audit.md
// "The audit on the ledger"), over HTTP against the same server, as the party would run it: the
// administrator starts the audit at a risk limit, enters the public seed, and enters the tally of
// every precinct the seed draws, round after round, until the audit confirms the reported national
// delegates or asks for a full hand count. In a full hand count every precinct is tallied.
//
// The audit audits the record as the night left it: a precinct without its final alignment has no
// bound, and the audit says so (a full hand count).
//
// The tallies are what the board would find: the cards sorted as `truth` has the precinct (the
// certified record for the Iowa demo, the simulation's own figures otherwise), from which the
// engine computes the delegates (sorts that leave a tie to settle by lot are refused,
// `figures-required`, and counted). Every refusal is counted by its code, never hidden.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/election.h"
#include "core/status.h"

namespace canvass::rehearse {

struct AuditScenarioOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string codes_csv;         // the code sheet: the administrator's code
  std::string risk_limit = "5";  // percent
  std::string seed;              // the public seed
  const Election* truth = nullptr;
  std::chrono::seconds give_up{120};  // per request, retries included
  // In a full hand count, the precincts tallied in the rehearsal (in id order): a hand count of a
  // whole state takes days, and the server admits a few writes a second per credential.
  int64_t hand_count_tallies = 50;
};

struct AuditScenarioReport {
  std::string start_refused;  // "409 results-not-committed: ..." when the start was refused
  std::string risk_limit, seed;
  std::string total_bound;  // U
  int64_t first_round = 0;  // draws (0: a full hand count from the start)
  std::string tightest;     // the tightest assertion, with its U alone
  int64_t rounds = 0, draws = 0;
  int64_t tallied = 0;                      // rla-tally events written
  int64_t precincts = 0;                    // precincts in the audit
  std::map<std::string, int64_t> refusals;  // code -> tallies refused
  std::string decision;                     // "confirmed", "full_hand_count", "awaiting_tallies"
  std::string reason;                       // why a full hand count
  std::string p_value;
  int64_t calls = 0;
  int64_t hand_count_tallies = 0;  // as asked

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

Result<AuditScenarioReport> RunAuditScenario(const AuditScenarioOptions& options);

// What a rehearsal asks of the audit after its night (`--audit`).
struct AuditAfterTheNight {
  std::string risk_limit = "5";
  std::string seed;
  std::optional<Election> truth;  // absent: the night's own input
  int64_t hand_count_tallies = 50;
};

}  // namespace canvass::rehearse
