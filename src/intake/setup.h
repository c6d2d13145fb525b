// Setting up an election in a store: the election-created event and the credentials.
//
// CreateElection appends, in one transaction, election-created (the ruleset's own TOML text and
// hash, the candidates, every reporting unit with its apportionment, the county-to-district map)
// and one credential-issued event per precinct chair, hotline operator, campaign and
// administrator. It returns the access codes: the only time they exist outside a chair's packet.
//
// Thread-safety: as Intake.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/election.h"
#include "core/status.h"
#include "intake/credentials.h"
#include "intake/intake.h"

namespace canvass {

struct ElectionSetup {
  std::string name;          // "Iowa Democratic caucuses, 3 February 2020"
  std::string ruleset_toml;  // the ruleset file's text
  std::vector<std::string> candidates;
  std::vector<PrecinctApportionment> precincts;
  std::map<std::string, std::string> county_district;
  std::string signing_key;        // the election's public Ed25519 key (hex); empty: none
  int operators = 4;              // hotline operator accounts op-1 .. op-N
  bool campaign_accounts = true;  // one per candidate
  KdfCost cost = KdfCost::Server();
};

struct IssuedCode {
  std::string role;     // chair, operator, campaign, admin
  std::string subject;  // precinct id, operator name, candidate, "admin"
  std::string label;    // "Adair / Adair 1" for a chair, else the subject
  std::string credential;
  std::string code;  // printable access code
};

// Refuses a store that already holds an election.
Result<std::vector<IssuedCode>> CreateElection(Intake& intake, const ElectionSetup& setup);

// Revokes the live credential of (role, subject), if any, and issues a new one. `by` is the
// administrator doing it; `channel` where ("cli", "admin").
Result<IssuedCode> ReissueCredential(Intake& intake, const std::string& role,
                                     const std::string& subject, const Actor& by,
                                     const std::string& channel, KdfCost cost);

// The code sheet: role,subject,label,credential,code (CSV, RFC 4180 quoting).
std::string CodesCsv(const std::vector<IssuedCode>& codes);

// The message for an Outcome that was not accepted.
std::string OutcomeMessage(const Outcome& outcome);

}  // namespace canvass
