// Conventions on the ledger (docs/conventions.md "On the ledger", docs/ledger-format.md): the
// second stage, from the procedure that governs it to the people it elects.
//
// A convention (convention-created) elects the seats of one district, in pools: each preference's
// seats voted apart, or the district's seats at once. Its procedure (procedure-published: seat
// formula, pools and seats, filing deadline, equal division) is an event with its own time and
// hash; publishing another is changing the method, and starts a new notice. A stage (filing,
// voting) opens under the procedure that stands (convention-stage-opened) only when that
// procedure was published at least the convention's notice period before (30 days unless the
// convention says otherwise), or when an administrator recorded a waiver with a reason
// (procedure-waived); every result of the stage shows the waiver.
//
// Delegate candidates file until the deadline (delegate-filed: name, preference or uncommitted,
// gender, district, the pledge they signed); each campaign reviews only its own filers
// (filer-reviewed: approved or struck), and a struck filer is never elected for it. Voting opens
// when every preference's pool has at least min_approved_per_slot approved filers per seat. The
// vote is either ballots, one per credentialed voter and pool (convention-ballot), or the
// officers' tallies (convention-tally); never both in one pool. Ties are settled by the order
// of a recorded drawing of lots (convention-lots). The count is CountConvention
// (delegates/seat_formulas.h), with equal division, and every result shows the formula's sweep
// share for its seats and what the DNC's Hare method would give on the same vote.
//
// Roles: an administrator (the command line or an admin code) creates conventions, publishes
// procedures and waivers; the convention's officers (credential role "officer", subject the
// convention) or an administrator enter filings, slates, tallies and lots, open and close
// stages, and issue the voter roll (voters-issued: many voter codes at once, each its own
// credential); a voter (role "voter", subject the convention, or "CONVENTION/POOL" for one pool)
// casts one ballot per pool; a campaign reviews the filers pledged to its candidate, and states
// its reason when it strikes one.
//
// ElectionState holds the book copy-on-write: an event changes it in place while the state alone
// holds it, and copies it first when a snapshot shares it, so a snapshot keeps what it saw and a
// convention's ballots are not copied with every ballot.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "delegates/seat_formulas.h"
#include "state/election_state.h"

namespace canvass {

// The notice a procedure needs before a stage opens under it, unless the convention says
// otherwise (MDP Rule 2.14 as the spec reports it: 30 days, not read in its own text).
inline constexpr int64_t kDefaultNoticeDays = 30;
// The preference of a delegate candidate who runs pledged to nobody.
inline constexpr const char* kUncommitted = "uncommitted";
// The most voter codes one voters-issued event holds: every code costs an Argon2id hash when it
// is issued, and the event is one ledger line. A larger roll is several events.
inline constexpr int64_t kMaxVotersPerIssue = 500;

// The seats voted on together: one preference's seats ("preference" names it), or the district's
// seats ("preference" empty: every filer stands, the groups are their preferences).
struct ConventionPool {
  std::string name;
  std::string preference;
  Count seats = 0;
};

struct ConventionProcedure {
  int64_t seq = 0;  // the procedure-published event
  std::string time;
  std::string hash;  // that event's hash
  SeatFormula formula = SeatFormula::kDhondt;
  Count votes_per_voter = 0;  // limited voting's L
  std::vector<ConventionPool> pools;
  std::string filing_deadline;  // ledger time
  EqualDivision equal_division;
  std::string note;  // as published ("replaces the plurality vote of 5 May")
  const ConventionPool* pool(const std::string& name) const;
};

struct ConventionWaiver {
  int64_t seq = 0;
  std::string time;
  Actor actor;
  int64_t procedure = 0;
  std::string stage;  // "filing", "voting"
  std::string reason;
};

// An open stage: the procedure it opened under, and the waiver that let it open early (0: none).
struct ConventionStage {
  int64_t seq = 0;
  std::string time;
  int64_t procedure = 0;
  int64_t waiver = 0;
};

struct ConventionFiler {
  int64_t seq = 0;
  std::string time;
  std::string name;
  std::string preference;  // a candidate of the election, or "uncommitted"
  Gender gender = Gender::kWoman;
  std::string district;
  std::string pledge;  // the statement they signed
  std::string review;  // "" (not reviewed), "approved", "struck"
  int64_t review_seq = 0;
  std::string review_reason;
  bool struck() const { return review == "struck"; }
};

struct ConventionSlate {
  int64_t seq = 0;
  std::string pool;
  std::string name;
  std::vector<std::string> nominees;  // filer names, in list order
};

// What one pool's vote holds: ballots (by voter) or one tally, and the recorded lots.
struct ConventionPoolVotes {
  // Ballots as cast: the voter's credential id and the ballot's options by name (marks for block,
  // limited and cumulative; one slate; a ranking for STV).
  struct Ballot {
    int64_t seq = 0;
    std::string time;
    std::string hash;  // the convention-ballot event's, for the voter to find it on the ledger
    std::string voter;
    std::map<std::string, Count> marks;  // block, limited, cumulative; the slate (1 vote)
    std::vector<std::string> ranking;    // STV
  };
  std::vector<Ballot> ballots;
  std::map<std::string, size_t> voters;  // credential id -> its ballot (index in `ballots`)
  int64_t tally_seq = 0;                 // the convention-tally event (0: none)
  std::map<std::string, Count> tally;
  std::vector<RankedBallot> tally_ballots;  // STV tallies: rankings with counts
  std::vector<std::string> lots;            // names, in the order drawn
  int64_t lots_seq = 0;
};

// Voter codes issued together (voters-issued): for the whole convention, or one pool.
struct ConventionRoll {
  int64_t seq = 0;
  std::string time;
  Actor actor;
  std::string pool;  // "" for the whole convention
  std::vector<std::string> credentials;
};

struct ConventionRecord {
  std::string name;
  std::string district;
  int64_t seq = 0;
  std::string time;
  int64_t notice_days = kDefaultNoticeDays;
  int64_t min_approved_per_slot = 1;
  std::vector<ConventionProcedure> procedures;  // in order; the last one stands
  std::vector<ConventionWaiver> waivers;
  std::optional<ConventionStage> filing, voting;
  int64_t closed_seq = 0;  // voting-closed (0: voting not closed)
  std::string closed_time;
  std::vector<ConventionFiler> filers;  // in filing order
  std::vector<ConventionSlate> slates;
  std::map<std::string, ConventionPoolVotes> votes;  // by pool
  std::vector<ConventionRoll> rolls;                 // in issue order

  const ConventionProcedure* procedure() const {
    return procedures.empty() ? nullptr : &procedures.back();
  }
  const ConventionProcedure* procedure(int64_t seq) const;
  const ConventionWaiver* waiver(int64_t seq) const;
  const ConventionFiler* filer(const std::string& name) const;
};

struct ConventionBook {
  std::map<std::string, ConventionRecord> conventions;
  const ConventionRecord* find(const std::string& name) const;
};

// Whether `type` is one of the convention family's events.
bool IsConventionEvent(const std::string& type);

// The count of `pool` of the convention as the ledger stands: the procedure the voting stage
// opened under, its options (the pool's electable filers, or its slates), the ballots or the
// tally, and the lots. FailedPrecondition when voting has not opened or the lots do not settle a
// tie (naming it); InvalidArgument when the vote cannot be counted (no votes yet).
Result<ConventionResult> CountConventionPool(const ConventionRecord& convention,
                                             const std::string& pool);

// A pool's result as the API and the command line show it: the formula's name and title, the
// seats, the sweep share and its sentence, the procedure (seq, time, hash) and every waiver of
// the voting stage, the votes, the people elected, the ties the lots settled, equal division and
// the DNC's Hare result on the same vote; "status" is "final" after voting-closed, "provisional"
// before, or "needs-lots" / "no-votes" with "message" when the count cannot be made.
nlohmann::json ConventionPoolJson(const ConventionRecord& convention, const std::string& pool);

// The convention as a whole: settings, procedures, waivers, stages, filers with their reviews,
// slates, the voter roll (codes issued per pool, never the codes), and per pool its ballots
// count and result.
nlohmann::json ConventionJson(const ConventionRecord& convention);

// What a voter's credential (`subject` "CONVENTION" or "CONVENTION/POOL") has cast: per pool it
// votes in, whether it voted and the ballot's seq, time and hash.
nlohmann::json VoterBallotsJson(const ConventionRecord& convention, const std::string& credential,
                                const std::string& subject);

}  // namespace canvass
