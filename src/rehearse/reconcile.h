// The rehearsal's reconciliation: after the last report, the latest release and the ledger must
// hold exactly what the simulated chairs and operators had acknowledged. Nothing lost (every
// acknowledged submission is on the ledger), nothing counted twice (no submission written twice),
// nothing extra (a precinct nobody reported is not reported), every figure equal.
//
// Pure: works on the bytes the server sent (the release file and the ledger's JSON Lines), so it
// can be tested on doctored copies.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace canvass::rehearse {

// What a precinct must look like at the end, from the submissions the server acknowledged.
struct ExpectedPrecinct {
  int64_t id = 0;  // the server's precinct id
  std::string county;
  std::string precinct;
  // Figures objects {"Name": count} as the release writes them (zero counts left out); null when
  // that part was never accepted.
  nlohmann::json first;
  nlohmann::json final;
  nlohmann::json delegates;
  int64_t revision = 0;  // 0: nothing accepted
  bool confirmed = false;
  int64_t photos = 0;  // distinct photos attached
  // What the rules give for the accepted figures (with the precinct's early-vote cards): the
  // release's computed delegates must be these. Null: not checked (the input's delegates are
  // the party's, or the figures accepted are not the input's).
  nlohmann::json computed_delegates;
  // Nevada's early-vote cards (with ReconcileInput::check_early_votes): the SHA-256 of the
  // precinct's canonical card list (io/early_cards.h) its latest early-votes-loaded event must
  // carry, loaded before its first report, and how many cards; "" when it must have none.
  std::string early_votes_hash;
  int64_t early_votes_cards = 0;
};

// One submission the server acknowledged (201, or 200 for a repeat of an accepted one).
struct Acknowledged {
  std::string submission;  // the client's id
  std::string event_type;  // the event it wrote, e.g. "final-alignment-reported"
  int64_t seq = 0;         // receipt.seq
};

struct ReconcileInput {
  std::vector<ExpectedPrecinct> expected;  // every precinct of the election, driven or not
  std::vector<Acknowledged> acks;
  std::string release_json;        // the latest release-N.json, as served
  std::string release_records;     // its release-N-records.jsonl (none before that format)
  std::string ledger_jsonl;        // the whole ledger, as GET /api/v1/ledger pages it
  bool check_early_votes = false;  // compare the ledger's cards with ExpectedPrecinct's
};

struct Reconciliation {
  bool ok = false;  // every check below passed
  // The release.
  int64_t release_number = 0;
  int64_t release_ledger_seq = 0;
  int64_t precincts = 0;         // in the release
  int64_t matched = 0;           // equal to what was expected
  int64_t differing = 0;         // a figure, status, revision or photo count differs
  int64_t missing = 0;           // expected to be reported, not in the release
  int64_t extra = 0;             // reported in the release, nothing acknowledged for it
  bool covers_last_ack = false;  // release_ledger_seq >= the highest acknowledged seq
  // The ledger.
  int64_t events = 0;
  bool chain_ok = false;  // hash chain and replay (ElectionState) verified
  std::string chain_problem;
  int64_t acks = 0;
  int64_t acks_found = 0;     // acknowledged and on the ledger at receipt.seq with that submission
  int64_t acks_missing = 0;   // acknowledged but not on the ledger: lost
  int64_t written_twice = 0;  // (event type, submission) pairs written more than once
  // The rules' figures: precincts whose computed delegates in the release were compared with
  // ExpectedPrecinct::computed_delegates (a difference counts in `differing`).
  int64_t computed_checked = 0;
  int64_t computed_held = 0;  // not compared: held by the anomaly gate, no computed figure shown
  // Early-vote cards (ReconcileInput::check_early_votes): precincts whose cards on the ledger
  // are the expected ones by hash, loaded before any report of theirs, and the cards in them;
  // precincts whose cards are not (another hash, missing, unexpected, or loaded after a report).
  int64_t early_votes_precincts = 0;
  int64_t early_votes_cards = 0;
  int64_t early_votes_differing = 0;
  // The first problems, one line each, naming the precinct or submission.
  std::vector<std::string> problems;

  nlohmann::json ToJson() const;
};

Reconciliation Reconcile(const ReconcileInput& input);

}  // namespace canvass::rehearse
