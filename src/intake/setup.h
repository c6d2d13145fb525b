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
#include <set>
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

// Revokes the live credential `credential` (one of many voter codes of a pool, say) and issues
// a new one for its role and subject; the others of that subject are untouched. NotFound for an
// id never issued, FailedPrecondition for a revoked one.
Result<IssuedCode> ReissueCredentialById(Intake& intake, const std::string& credential,
                                         const Actor& by, const std::string& channel, KdfCost cost);

// A convention's voter roll (voters-issued, docs/conventions.md "The voter roll"): `count` fresh
// voter codes for `subject` ("CONVENTION" or "CONVENTION/POOL"), ids distinct and not in
// `taken`, each hashed (Argon2id); `voters` is the event's list, [{"credential", "hash"}], in the
// codes' order. InvalidArgument unless 1 <= count <= kMaxVotersPerIssue.
struct VoterCodes {
  std::vector<IssuedCode> codes;
  nlohmann::json voters;
};
Result<VoterCodes> NewVoterCodes(const std::set<std::string>& taken, const std::string& subject,
                                 int64_t count, KdfCost cost);

// Appends one voters-issued event by `by` for `convention` (and `pool`, unless empty) and
// returns the codes: the only time they exist. A refusal is InvalidArgument with its message;
// a retry of `submission` already accepted is FailedPrecondition (its codes were given the first
// time, and are not kept).
Result<std::vector<IssuedCode>> IssueVoters(Intake& intake, const std::string& convention,
                                            const std::string& pool, int64_t count, const Actor& by,
                                            const std::string& channel,
                                            const std::string& submission, KdfCost cost);

// The code sheet: role,subject,label,credential,code (CSV, RFC 4180 quoting).
std::string CodesCsv(const std::vector<IssuedCode>& codes);

// The message for an Outcome that was not accepted.
std::string OutcomeMessage(const Outcome& outcome);

}  // namespace canvass
