// The 2020 Iowa recanvass, played after the rehearsed night on the party's own record (`canvass
// rehearse --recanvass`, docs/audit.md "The 2020 recanvass, replayed"), over HTTP against the same
// server.
//
// The precincts where the night's input (the 8 February release) and the certified record differ in
// a first or final head count or an SDE are asked for, one request per precinct, by a campaign with
// its own credential: the campaign of the candidate the certified record raises the most there
// (SDEs first, then the final alignment, then the first; ties to the first in the certified file's
// order), among the candidates whose figures it changes (so, when it raises no one, the one it
// lowers the least). The claims are the differing head counts, as the record has them and as the
// certified record has them. An administrator accepts every precinct and enters the certified
// figures as the signed worksheet (first, final, and the county delegates the certified SDEs stand
// for); the engine classifies each entry in its three layers and corrects what the ruleset lets a
// recanvass correct. At the end every requested precinct's current figures are compared with the
// certified record, and each one that does not match is named with the reason.
//
// Requests open with the first complete release (every precinct with its final alignment): the
// scenario asks for one when the record allows it, and otherwise files the requests anyway and
// reports what the server answers, with the precincts that keep the record incomplete.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/election.h"
#include "core/status.h"

namespace canvass::rehearse {

struct RecanvassOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string codes_csv;  // the code sheet: the campaigns' and the administrator's codes
  const Election* reported = nullptr;   // what the night reported (the 8 February release)
  const Election* certified = nullptr;  // the certified record
  std::chrono::seconds give_up{120};    // per request, retries included
  std::chrono::seconds publish_timeout{120};
};

// One requested precinct, from the request to the comparison.
struct RecanvassPrecinct {
  int64_t id = 0;
  std::string county, precinct;
  std::string campaign;                  // who asked
  std::vector<std::string> differences;  // the files' differences: "final.Sanders 12 -> 14"
  int claims = 0;                        // claims the request carried
  std::string refused;                   // the code and message of a refused request, if any
  int64_t request = 0;                   // the request's seq (0: refused)
  bool accepted = false;
  int64_t entry = 0;                    // the recanvass entry's seq
  std::vector<std::string> layers;      // transcription, rule-misapplication, count
  std::vector<std::string> corrected;   // the layers the correction applied
  int64_t correction = 0;               // the report-corrected seq
  bool matches = false;                 // the ledger now holds the certified figures
  std::vector<std::string> mismatches;  // what still differs: "final.Sanders 12, certified 14"
  std::string why;                      // why it still differs
};

struct RecanvassReport {
  int64_t compared = 0;              // server precincts found in both records
  int64_t differing = 0;             // of them, where the records differ
  int64_t missing_final = 0;         // server precincts without a final alignment after the night
  std::vector<int64_t> missing_ids;  // their ids
  std::vector<std::string> missing_examples;  // a few of them, named
  std::string deadline;     // the request deadline the server gives ("" : no complete release)
  int64_t requested = 0;    // requests filed (one per differing precinct)
  int64_t refused = 0;      // requests refused
  int64_t filed_again = 0;  // refused for their claims, filed again without them
  int64_t accepted = 0;
  int64_t entered = 0;
  int64_t corrected = 0;  // entries that led to a correction
  int64_t now_equal = 0;  // requested precincts whose figures now equal the certified record
  std::map<std::string, int64_t> layers;         // layer -> entries found in it ("none": agrees)
  std::map<std::string, int64_t> refusals;       // code -> filings refused (refused claims too)
  std::map<std::string, int64_t> by_campaign;    // campaign -> requests filed
  std::map<std::string, int64_t> unmatched_why;  // reason kind -> precincts still differing
  std::vector<RecanvassPrecinct> precincts;
  double seconds = 0;
  int64_t calls = 0;                       // HTTP requests made
  std::map<std::string, int64_t> retried;  // "POST 429" -> attempts answered so, and retried

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Runs the scenario. An error only when it cannot start (no administrator on the code sheet, the
// server unreachable); every refusal is in the report.
Result<RecanvassReport> RunRecanvass(const RecanvassOptions& options);

}  // namespace canvass::rehearse
