// Seat formulas for electing the people who fill a district's or a preference's seats (stage 2,
// docs/conventions.md; ../shared/spec/delegates.md §3.2).
//
// One ConventionCount describes an election: the formula, the number of seats, the options (lists
// or slates for the list formulas, candidates for the others), their tallies or the ranked
// ballots, and the order in which recorded lots were drawn. CountConvention gives the seats, the
// people who fill them (after equal division, when asked), every tie the lots decided, the
// formula's sweep share for that number of seats, and what the DNC's Hare largest remainder with
// its 15% threshold would have given on the same vote.
//
// Where the counts come from is not this module's business: a tally typed in by the convention's
// officers and the sum of ballots cast by credentialed voters look the same here, so the ledger
// can hand either over once it has checked who voted.
//
// Arithmetic is exact: integers and Rational. STV vote values are integers in millionths of a
// vote (kStvUnit); each transferred ballot value is truncated to that unit, as statutory STV counts
// do with their fixed decimal places, and what truncation leaves behind stays with the elected
// candidate, so every unit of the vote is always with a candidate or exhausted.
//
// Ties are never settled silently: a tie that decides a seat (or the order of a count) is decided
// by `lots`, the options in the order a drawing of lots put them (the first drawn wins). Without a
// recorded order that covers the tied options the count stops with FailedPrecondition naming them.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"

namespace canvass {

enum class SeatFormula : uint8_t {
  kBlockPlurality,         // each voter marks up to `seats` candidates, one mark each
  kLimitedVoting,          // each voter marks up to votes_per_voter < seats candidates
  kCumulative,             // each voter has `seats` votes and may stack them
  kHareLargestRemainder,   // lists: quota V/seats, whole quotas, then largest remainders
  kDroopLargestRemainder,  // lists: quota V/(seats+1), whole quotas, then largest remainders
  kDhondt,                 // lists: highest averages v/1, v/2, v/3, ...
  kSainteLague,            // lists: highest averages v/1, v/3, v/5, ...
  kStv,                    // ranked ballots: Droop quota, Gregory surplus transfers
};

// "block", "limited", "cumulative", "hare", "droop", "dhondt", "sainte-lague", "stv".
std::string_view SeatFormulaName(SeatFormula formula);
// "block plurality", ..., "single transferable vote (Droop quota)".
std::string_view SeatFormulaTitle(SeatFormula formula);
// The names above; InvalidArgument listing them for anything else.
Result<SeatFormula> ParseSeatFormula(std::string_view name);
bool IsListFormula(SeatFormula formula);

// The share of the vote above which the larger of two cohesive groups takes every one of `seats`
// seats (each group votes its own slate, the smaller one as well as it can). Derived in
// docs/conventions.md: block 1/2; limited seats/(seats+L); cumulative, Droop largest
// remainder, D'Hondt and STV seats/(seats+1); Hare largest remainder and Sainte-Laguë
// (2·seats-1)/(2·seats). `votes_per_voter` is limited voting's L (ignored otherwise).
// Requires seats >= 1 (and 1 <= L for limited voting).
Rational SweepShare(SeatFormula formula, Count seats, Count votes_per_voter = 0);
// "with 5 seats, a slate above 83.3% takes all 5".
std::string SweepSentence(SeatFormula formula, Count seats, Count votes_per_voter = 0);

enum class Gender : uint8_t { kWoman, kMan, kNonBinary };
// "woman", "man", "non-binary".
std::string_view GenderName(Gender gender);
// Accepts those names and "w", "m", "f", "female", "male", "nb", "x" (any case).
Result<Gender> ParseGender(std::string_view text);

// How non-binary delegates count toward equal division. The 2020 DNC Rule 6.C text could not be
// read (spec §1.2, [U]); the default keeps them outside the balance.
enum class NonBinaryRule : uint8_t {
  kOutsideBalance,  // counted on neither side: |women - men| <= variance among the others
  kEitherSide,      // each may stand on the smaller side: |women - men| - non-binary <= variance
};

struct EqualDivision {
  bool enabled = false;
  Count variance = 1;  // the largest difference allowed between women and men
  NonBinaryRule non_binary = NonBinaryRule::kOutsideBalance;
};

struct Nominee {
  std::string name;
  std::optional<Gender> gender;  // required when equal division is on
};

// A list (slate) under a list formula, or a candidate under the others.
struct ConventionOption {
  std::string name;
  // List formulas: the nominees in list order; they fill the list's seats from the top.
  std::vector<Nominee> nominees;
  // Candidate formulas: the candidate's gender, and the group (preference, slate) whose
  // unelected candidates replace them under equal division; empty means one group for all.
  std::optional<Gender> gender;
  std::string group;
};

// One ranked ballot (or `count` identical ones): option indices, most preferred first.
struct RankedBallot {
  std::vector<uint32_t> ranking;
  Count count = 1;
};

struct ConventionCount {
  SeatFormula formula = SeatFormula::kDhondt;
  Count seats = 0;
  std::vector<ConventionOption> options;
  std::vector<Count> tallies;         // per option; every formula but STV
  std::vector<RankedBallot> ballots;  // STV only
  Count votes_per_voter = 0;          // limited voting's L, 1 <= L < seats
  std::vector<uint32_t> lots;         // options in the order lots were drawn; first drawn wins
  EqualDivision equal_division;
};

// A tie the recorded lots decided.
struct TieDecision {
  std::string what;                // "the 5th seat under D'Hondt (quotient 20)"
  std::vector<uint32_t> tied;      // ascending option index
  std::vector<uint32_t> favoured;  // those the lots favoured
};

// Millionths of a vote: the unit of STV vote values.
inline constexpr Count kStvUnit = 1'000'000;

struct StvStage {
  enum class Kind : uint8_t { kFirstPreferences, kSurplus, kExclusion, kFilled };
  Kind kind = Kind::kFirstPreferences;
  std::optional<uint32_t> candidate;  // whose surplus or votes moved
  std::vector<uint32_t> elected;      // reached the quota (or filled the last seats) here
  std::vector<Count> values;          // per option after the stage, in kStvUnit
  Count exhausted = 0;                // with no further preference, in kStvUnit
  std::string note;
};

struct Delegate {
  std::string name;  // empty for a seat left vacant (a list with too few nominees)
  uint32_t option = 0;
  std::string group;
  std::optional<Gender> gender;
  bool swapped_in = false;  // placed by equal division
};

struct ConventionResult {
  SeatFormula formula = SeatFormula::kDhondt;
  Count seats = 0;
  Rational sweep_share;
  std::string sweep;            // SweepSentence
  std::vector<Count> won;       // seats per option (list formulas), 0/1 per candidate otherwise
  std::vector<uint32_t> order;  // the options elected (candidate formulas), in order of election
  Rational quota;               // largest remainder and STV (in votes), else 0
  std::vector<Delegate> delegates;  // list formulas: only for lists that name nominees
  std::vector<TieDecision> ties;
  std::vector<StvStage> stages;  // STV only
  // Equal division.
  bool balanced = true;
  Count women = 0, men = 0, non_binary = 0;
  std::vector<std::string> swaps;  // "Bea (woman) for Al (man) on list A"
  // The DNC's Hare largest remainder with the 15% threshold (AllocatePool) on the same vote,
  // per group: the lists, or the candidates' groups when every candidate names one.
  std::vector<std::string> dnc_groups;
  std::vector<Rational> dnc_votes;
  std::vector<Count> dnc_seats;
  bool dnc_complete = true;  // false when a tie there was not covered by the lots
  std::vector<std::string> notes;
};

// Adds up marked ballots for block, limited or cumulative voting: each ballot gives the votes it
// casts per option. Block: at most one per candidate and `seats` in all; limited: at most one per
// candidate and `votes_per_voter` in all; cumulative: any whole split of at most `seats`. A ballot
// that marks more than its formula allows is refused with its number (1-based), so that whoever
// accepted it (the convention's officers, the ledger) can say which ballot to set aside.
Result<std::vector<Count>> TallyMarkedBallots(SeatFormula formula, Count seats,
                                              Count votes_per_voter, size_t options,
                                              const std::vector<std::vector<Count>>& ballots);

// Errors: InvalidArgument for a count that cannot be made (no seats, fewer candidates than seats,
// a negative tally, tallies or ballots that do not match the formula, a ballot naming an unknown
// option or one twice, a nominee without a gender under equal division); FailedPrecondition for a
// tie the lots do not settle.
Result<ConventionResult> CountConvention(const ConventionCount& count);

}  // namespace canvass
