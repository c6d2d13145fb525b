// An injected column shift (`canvass rehearse --inject-shift N`, docs/audit.md "Anomaly gate"):
// during the night, N precincts' chairs report their figures one column off, the error of
// Des Moines-55 on 5 February 2020, and the rehearsal proves that the anomaly gate holds each of
// them from the release until an administrator resolves it.
//
// Before the night, ChooseShifts picks the precincts and the shift from the rehearsal's seed: a
// precinct driven by its chair without other faults, with a final alignment, one per county, and
// a shift that loses nobody (the figure pushed off the end is 0 in both alignments, so the report
// is possible on its own and is accepted) and that the column-shift check scores above twice its
// threshold against the county's other precincts, from the first alignment alone as well when a
// release may be built between the two alignments (a simulated election's precincts, smaller and
// with smoother shares than Iowa's, rarely allow that: rehearse them with --publish manual). The
// server's own /preview must accept the shifted figures. The chosen precincts report after every
// other first alignment, so that their county's shares are in when the gate scores them.
//
// After the night, ResolveShifts checks that the release covering the night holds each of them
// (its "held" list, GET /api/v1/holds: check "column-shift", the score above the threshold) and
// counts none of their figures; the chair of the first corrects the report to the true figures
// (ties settled again if the new figures leave one, then confirmed), an administrator records
// an anomaly override for each of the others ("the worksheet is the legal record"); then the
// release covering that includes them all, the overrides listed, the corrected one with the true
// figures, and no hold of theirs remains. Every release from the night's first to that one is
// read: an injected report counted in one before it was resolved, or never held, is a problem
// named in the report, and fails the rehearsal.
//
// Thread-safety: none; one thread (the rehearsal's, before and after its workers).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/election.h"
#include "core/status.h"
#include "rehearse/reconcile.h"

namespace canvass::rehearse {

// A precinct the night could shift: the server's id and its input report's county and name.
struct ShiftCandidate {
  int64_t id = 0;
  std::string county;
  std::string precinct;
};

// One injected shift: what the chair reports instead of the truth, and when.
struct ShiftInjection {
  int64_t id = 0;
  std::string county;
  std::string precinct;
  // Figures objects {"Name": count} (zero counts left out), as the chair sends them; delegates
  // null when the input has none.
  nlohmann::json first, final, delegates;                 // shifted
  nlohmann::json true_first, true_final, true_delegates;  // the input's
  // The error, in ballot order: +1, the figures from ballot position `start` + 1 on entered one
  // column to the left (Des Moines-55), -1, those from `start` on entered one column to the right.
  // The gate's undo moves them back the other way (ShiftScore's direction).
  size_t start = 0;
  int direction = 0;
  std::string description;  // "from Sanders on, one column to the left (under Patrick)"
  double gain = 0;          // nats, against the county's other precincts in the input
  double gain_first = 0;    // the first alignment alone
  int64_t attendance = 0;   // first alignment
  int64_t first_at = 0;     // evening milliseconds after 19:00
  int64_t final_at = 0;
};

struct ShiftChoiceOptions {
  const Election* input = nullptr;
  std::vector<std::string> server_candidates;  // GET /api/v1/election: the ballot order
  std::vector<ShiftCandidate> eligible;
  int64_t count = 0;
  uint64_t seed = 1;
  int64_t min_attendance = 20;  // first-alignment attendees
  // A release may be built between the two alignments (any policy but manual): the first
  // alignment alone must then score above the margin too.
  bool first_alone_published = true;
  // Figures -> whether the server would accept them (POST /preview as the administrator).
  std::function<bool(int64_t id, const nlohmann::json& preview_body)> accepted;
};

// The injections, in the order chosen. FailedPrecondition naming how many could be found when
// fewer than `count` precincts can carry a shift the check must flag; InvalidArgument when the
// server's candidates are not the input's.
Result<std::vector<ShiftInjection>> ChooseShifts(const ShiftChoiceOptions& options);

// What became of one injected shift.
struct ShiftOutcome {
  int64_t id = 0;
  std::string county, precinct, description;
  int64_t attendance = 0;
  bool accepted = false;         // the shifted report is what the ledger has after the night
  std::string score, threshold;  // as GET /api/v1/holds gave them ("" when not held)
  int64_t revision = 0;          // the held revision
  std::vector<int64_t> held_in;  // releases that held it
  std::string resolution;        // "corrected", "overridden", or "" when not resolved
  int64_t resolved_seq = 0;      // the correction's or the override's event
  int64_t published_in = 0;      // the first release counting it once resolved (0: none)
  std::vector<int64_t> counted_unresolved;  // releases that counted the shifted figures
};

struct ShiftScenarioReport {
  int64_t requested = 0;
  int64_t injected = 0;    // accepted as shifted
  int64_t held = 0;        // held by the release covering the night and listed by GET holds
  int64_t corrected = 0;   // corrected to the true figures and published so
  int64_t overridden = 0;  // overridden and published as reported
  int64_t releases_read = 0;
  int64_t other_holds = 0;  // precincts the gate held after the night that were not injected
  std::vector<ShiftOutcome> precincts;
  std::vector<std::string> problems;  // each names the precinct and what went wrong

  bool ok() const { return problems.empty(); }
  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// What the night's reconciliation must now expect of a corrected precinct.
struct ShiftCorrected {
  int64_t id = 0;
  nlohmann::json first, final, delegates;
  int64_t revision = 0;
  bool confirmed = false;
};

struct ShiftResolution {
  ShiftScenarioReport report;
  std::vector<Acknowledged> acks;  // the corrections', ties', confirmations' and overrides'
  std::vector<ShiftCorrected> corrected;
};

struct ShiftResolveOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string codes_csv;  // the administrator's and the chairs' codes
  std::vector<ShiftInjection> injections;
  int64_t night_seq = 0;                      // the last acknowledged submission of the night
  int64_t releases_before = 0;                // the latest release before the night
  bool ask_for_releases = false;              // the policy is manual: the administrator publishes
  std::chrono::seconds give_up{120};          // per request, retries included
  std::chrono::seconds publish_timeout{300};  // per release waited for
  uint64_t seed = 1;
};

// An error only when it cannot start (no administrator on the code sheet); everything that goes
// wrong afterwards is a problem in the report.
Result<ShiftResolution> ResolveShifts(const ShiftResolveOptions& options);

}  // namespace canvass::rehearse
