// `canvass rehearse`: a caucus night against a running server, as the real one would go.
//
// One simulated chair per precinct logs in with the code on its packet, reports the first and the
// final alignment of the input election (the real Iowa 2020 release, or a simulated one), settles
// any tie the rules leave to chance, attaches a worksheet photo and confirms; some precincts
// phone the hotline instead, where two operators enter the figures. Arrival times follow the
// shape of a caucus evening (doors at 19:00, first alignments from about 19:25, finals from about
// 19:45, late corrections after 22:00), compressed by a factor. And people make mistakes: a
// mistyped access code, a typo in a count that the checks must refuse, an answer lost to a
// timeout and the report sent again, a connection dropped in the middle of a request, a double
// tap, a hotline operator mishearing a figure, a worksheet copied wrongly and corrected late.
//
// Every write carries its own submission id and is retried with that id, with back-off, on any
// failure that may not have reached the ledger (no answer, 5xx, 429, 408), against the next
// server when several are given, until it is acknowledged or `give_up` passes. So the rehearsal
// rides through servers killed and restarted under it, and then proves that nothing was lost or
// counted twice: at the end it waits for the release that covers the last acknowledged report and
// reconciles it, and the whole ledger, with what was acknowledged (rehearse/reconcile.h).
//
// Thread-safety: RunRehearsal runs its own worker threads; call it from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/election.h"
#include "core/status.h"
#include "rehearse/attack.h"
#include "rehearse/audit_scenario.h"
#include "rehearse/recanvass.h"
#include "rehearse/reconcile.h"
#include "rehearse/shift_scenario.h"

namespace canvass::rehearse {

// Shares of precincts given each fault, in parts per million (simulate::ParseFraction reads them
// from "0.02").
struct FaultRates {
  uint32_t wrong_code = 20'000;   // the chair first types the code with one character wrong
  uint32_t typo = 20'000;         // a final count typed with a digit too many: must be refused
  uint32_t lost_answer = 20'000;  // the answer to the first alignment is lost; sent again
  uint32_t dropped = 20'000;      // the connection drops halfway through the final's body
  uint32_t duplicate = 20'000;    // a double tap: the final alignment sent twice
  uint32_t hotline = 30'000;      // reported by phone: two operators' entries
  uint32_t mishear = 250'000;     // of hotline precincts: the second operator mishears a figure
  uint32_t correction = 10'000;   // a figure reported wrongly, corrected late with a reason

  static FaultRates None() { return FaultRates{0, 0, 0, 0, 0, 0, 0, 0}; }
};

struct Options {
  std::string host = "127.0.0.1";
  std::vector<uint16_t> ports;  // one or more servers (nodes of one election)
  std::string codes_csv;        // the code sheet `canvass init` wrote (its text)
  Election input;               // what the precincts report
  // The input's delegates are what the rules compute, with the cards (a simulated election): the
  // reconciliation then checks the release's computed delegates against them too.
  bool input_delegates_computed = false;
  // Nevada's early-vote cards the election was set up with, as a cards file (docs/formats.md):
  // the reconciliation checks every precinct's cards on the ledger against them by hash, loaded
  // before its first report. Empty: the ledger must hold no cards. Null: not checked.
  std::optional<std::string> early_votes_csv;
  uint64_t seed = 1;
  // The evening (about four hours) runs this many times faster; 0: as fast as the server answers.
  int64_t compress = 120;
  int workers = 64;  // simulated phones in flight at once
  FaultRates faults;
  bool photos = true;
  // The publication policy to set first: "interval:N", "each-report" or "manual" (then the
  // rehearsal asks for a release at the end), or "keep" (leave the election's policy).
  std::string publish = "interval:5";
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::seconds give_up{120};          // per submission, retries included
  std::chrono::seconds publish_timeout{300};  // for the release covering the last report
  std::optional<AttackOptions> attack;        // hostile traffic while the chairs report
  // After the night, the 2020 recanvass against this certified record (rehearse/recanvass.h).
  std::optional<Election> recanvass_certified;
  // After the night (and the recanvass), a risk-limiting audit (rehearse/audit_scenario.h).
  std::optional<AuditAfterTheNight> audit;
  // This many precincts' chairs report their figures one column off, and the anomaly gate must
  // hold each until it is corrected or overridden (rehearse/shift_scenario.h).
  int64_t inject_shift = 0;
  // Progress lines (about every five seconds), or nothing.
  std::function<void(const std::string&)> progress;
};

// Latency of one step of the flow: from the first attempt to the answer that settled it (retries
// included), in microseconds.
struct StepStats {
  int64_t count = 0;
  int64_t first_try = 0;  // settled by the first attempt
  int64_t failed = 0;     // never settled (gave up)
  int64_t p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;
};

struct Report {
  // The election and the run.
  int64_t precincts = 0;        // the server's
  int64_t driven = 0;           // matched to an input report and driven
  int64_t unmatched = 0;        // server precincts with no input report (left unreported)
  int64_t input_unmatched = 0;  // input reports with no server precinct
  int64_t candidates = 0;
  int64_t compress = 0;
  uint64_t seed = 0;
  int workers = 0;
  int servers = 0;
  std::map<std::string, int64_t> faults;  // fault -> precincts given it
  // Outcomes.
  std::map<std::string, StepStats> steps;  // login, first, final, ties, photo, confirm, ...
  int64_t requests = 0;
  int64_t chair_requests = 0;              // requests made for chairs and operators
  int64_t chair_requests_first_try = 0;    // answered as expected at the first attempt
  std::map<std::string, int64_t> errors;   // failed attempts by kind ("503 store-unavailable")
  std::map<std::string, int64_t> refused;  // input reports the checks refused, by code
  std::map<std::string, int64_t> fault_outcomes;  // "typo refused (final-exceeds-attendance)", ...
  int64_t wrong_codes_admitted = 0;               // a mistyped code that got a session: must be 0
  int64_t submissions_lost = 0;                   // gave up without an acknowledgement
  // Publication.
  double seconds = 0;                  // start to the last acknowledgement
  double seconds_to_published = -1;    // start to the release covering it (-1: never)
  double last_report_to_release = -1;  // the last acknowledgement to that release
  int64_t last_ack_seq = 0;
  int64_t releases = 0;  // releases published during the rehearsal
  std::optional<Reconciliation> reconciliation;
  std::optional<AttackReport> attack;
  std::optional<RecanvassReport> recanvass;  // with Options::recanvass_certified
  std::optional<AuditScenarioReport> audit;  // with Options::audit
  std::optional<ShiftScenarioReport> shift;  // with Options::inject_shift

  // Reconciled, nothing lost, no wrong code admitted, no guess admitted, every injected shift
  // held until resolved.
  bool ok() const;
  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Runs the rehearsal. An error only when it cannot start (no server, a code sheet without chairs,
// an election that already has reports); what goes wrong during the night is in the report.
Result<Report> RunRehearsal(const Options& options);

}  // namespace canvass::rehearse
