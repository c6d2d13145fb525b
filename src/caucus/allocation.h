// Precinct caucus math: viability, realignment limits, county-delegate allocation, ties.
//
// Pure functions of (ruleset, precinct input). Exact integer and rational arithmetic only.
// The same code serves the chair's worksheet preview, the intake check, the importer, the
// recanvass and the auditor's verifier.
//
// A tie is never decided here: when the rules need chance, the result carries a TieEvent naming
// the tied groups and the delegates at stake, and the allocation stays incomplete until the
// recorded outcome (a coin toss, a card draw) is passed back in PrecinctInput::tie_outcomes.
//
// Candidates are indices into the caller's candidate list; every vector below is indexed by them.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/election.h"
#include "core/rational.h"
#include "rules/ruleset.h"

namespace canvass {

// A Nevada early-vote ranked card: candidate indices, most preferred first.
struct EarlyVoteCard {
  std::vector<CandidateIndex> choices;
};

// A recorded game of chance for one TieEvent.
struct TieOutcome {
  std::vector<CandidateIndex> tied;      // must equal the TieEvent's groups (any order)
  std::vector<CandidateIndex> favoured;  // the groups chance favoured: they gain the delegate(s)
                                         // at stake, or keep theirs in a tie for a loss
  std::string detail;                    // "Sanders called heads; heads" / "W: KS, B: 3H"
};

struct PrecinctInput {
  Count delegates = 0;  // D as apportioned; ignored for a satellite (brackets decide)
  bool satellite = false;
  std::vector<Count> first;  // in-person first alignment, per candidate
  std::vector<Count> final;  // in-person final alignment, per candidate (empty: not yet held)
  std::vector<EarlyVoteCard> early_votes;  // only when the ruleset enables early vote
  std::vector<TieOutcome> tie_outcomes;    // in the order the ties arose
  // Candidate names for messages and notes (optional; "candidate 3" when empty).
  std::vector<std::string> names;
  // Fill the worksheet notes. Bulk checks turn this off: notes are the only strings built.
  bool explain = true;
};

struct TieEvent {
  enum class Kind : uint8_t { kGain, kLoss };
  Kind kind = Kind::kGain;
  std::vector<CandidateIndex> groups;  // the tied groups, ascending index
  Count delegates_at_stake = 0;        // how many of them gain (kGain) or lose (kLoss) one
  Rational decimal;                    // the decimal they tie on, at the ruleset's tie precision
  TieBreaker breaker = TieBreaker::kCoin;
};

// One group's line on the worksheet, with the reason for each number.
struct WorksheetLine {
  CandidateIndex candidate = 0;
  Count first = 0;  // first alignment (in person + early-vote first choices)
  Count final = 0;  // final alignment (in person + transferred cards)
  bool viable_first = false;
  bool viable_final = false;
  bool locked = false;             // viable at the first alignment under a lock rule
  Rational raw;                    // final x D / T, exact (zero when not viable)
  Rational raw_at_precision;       // raw at the ruleset's tie precision
  Count rounded = 0;               // after round-half-up and the minimum of one
  Count delegates = 0;             // after every adjustment (and recorded tie outcomes)
  std::vector<std::string> notes;  // "rounded 1.8 up to 2", "gave up one: lowest decimal ..."
};

struct Allocation {
  Count apportioned_delegates = 0;      // D (for a satellite: from the attendance bracket)
  Count total_delegates = 0;            // D, or more when Nevada adds delegates
  Count attendance = 0;                 // T: first alignment total, fixed
  Rational threshold;                   // t
  Count threshold_head_count = 0;       // smallest whole group that is viable: ceil(t x T)
  std::vector<WorksheetLine> lines;     // one per candidate with any support, ascending index
  std::vector<Count> delegates;         // per candidate (all candidates); final only if complete
  std::vector<TieEvent> resolved_ties;  // ties settled by the given outcomes, in order
  std::optional<TieEvent> pending_tie;  // set when chance is needed and no outcome was given
  // Iowa over-allocation: these groups must realign (a third alignment); no allocation until then.
  std::vector<CandidateIndex> must_realign;
  std::vector<std::string> notes;  // precinct-level steps, in order, for the worksheet
  // True when every delegate is allocated: no pending tie and no realignment required.
  bool complete() const { return !pending_tie && must_realign.empty(); }
};

// The groups the lock no longer holds because Iowa's over-allocation rule makes them realign
// (spec 1.3 and 1.7). With lock_viable_groups, over_allocation = kSmallestRealign, the minimum of
// one and smallest_realign_releases_lock, when more groups are viable at the first alignment than
// the precinct elects delegates, the smallest viable group(s), all tied at the smallest size, must
// realign, and then the next smallest while the groups left still outnumber D (by their first
// alignment sizes: the alignment in between is not reported). Nobody is released at D = 1 under
// single_delegate = kPlurality, where the largest group takes the delegate.
struct LockRelease {
  std::vector<CandidateIndex> groups;  // released, ascending index
  // A tie at the smallest size among more groups than had to realign (7, 5, 5 for D = 2: one of
  // the two 5s would do). The rules (the IDP app) release all of them; the room may have sent
  // only some. Empty when no such tie.
  std::vector<CandidateIndex> tied;  // ascending index
  Count tied_must_realign = 0;       // how many of `tied` had to realign
};
// `first` holds each candidate's first alignment, `viable_first` whether it was viable then.
LockRelease GroupsReleasedFromLock(const PrecinctRules& rules, Count delegates,
                                   const std::vector<Count>& first,
                                   const std::vector<uint8_t>& viable_first);

// Checks the input against the rules the engine can enforce outright (negative counts, final
// larger than the attendance, sizes of vectors, cards naming unknown candidates) and computes
// the allocation. An error Status is returned only for input that cannot describe any caucus;
// everything merely suspicious is for the findings (caucus/findings.h).
Result<Allocation> AllocatePrecinct(const PrecinctRules& rules, const PrecinctInput& input,
                                    size_t candidate_count);

// Why `card` is void under the early-vote rules (step 1 of docs/caucus-math.md: too few or too
// many choices, a candidate ranked twice), or "" when it is valid. `names` name the candidates in
// the message ("candidate 3" when empty). Unknown candidate indices are the caller's to refuse.
std::string EarlyVoteCardVoidReason(const EarlyVoteRules& rules, const EarlyVoteCard& card,
                                    const std::vector<std::string>& names);

// What valid early-vote cards add to each group, per candidate: their first choices at the first
// alignment, and at the final one where each card stays or moves (steps 1, 2, 4 and 6), for a
// precinct electing `delegates` whose in-person first alignment is `first`. The counts the
// allocation's worksheet lines hold beyond the people in the room; checks of reported figures
// compare these sums (caucus/findings.h). Void cards and cards naming an index outside `first` add
// nothing. With no threshold (D = 0) no group is viable, so no card counts at the final alignment.
//
// The rest is the trace of each card at realignment, for the worksheet beside the people in the
// room (the chair's page, the precinct's JSON): which groups were viable with the cards, the cards
// that moved (from their non-viable first choice to their highest-ranked viable one), and the
// cards that named no viable candidate. Every valid card is in exactly one of: staying with its
// first choice (final[c] minus the moves into c), a move, or no_viable_choice.
struct EarlyVoteMove {
  CandidateIndex from = 0;  // the card's first choice, not viable
  CandidateIndex to = 0;    // its highest-ranked viable choice
  Count cards = 0;
  bool operator==(const EarlyVoteMove&) const = default;
};
struct EarlyVoteCounts {
  std::vector<Count> first;
  std::vector<Count> final;
  Count valid_cards = 0;
  Count void_cards = 0;              // void by the rules, or naming an index outside `first`
  Count attendance = 0;              // T: in person + valid cards' first choices
  std::vector<uint8_t> viable;       // per candidate, at the first alignment with the cards
  std::vector<EarlyVoteMove> moves;  // ascending (from, to)
  // Per candidate: cards whose first choice it was and that named no viable candidate at all;
  // they count nowhere in the final alignment.
  std::vector<Count> no_viable_choice;
  Count no_viable_choice_total = 0;
};
EarlyVoteCounts CountEarlyVotes(const PrecinctRules& rules, const std::vector<EarlyVoteCard>& cards,
                                const std::vector<Count>& first, Count delegates);

// State delegate equivalents of each candidate, rounded to rules.sde_places: delegates x
// sde_per_delegate, or for a satellite with SatelliteSdeRule::kAttendance, site_sde x
// delegates / D. Empty when the allocation is incomplete or the ratio is unknown.
std::vector<Rational> ComputeSde(const PrecinctRules& rules, const Allocation& allocation,
                                 const PrecinctApportionment& apportionment);

// The same SDEs from delegates given per candidate (`delegates`, electing `total_delegates` in
// all): the reported side's SDEs, since chairs report county delegates and never SDEs. Empty when
// the ratio (or a satellite's site_sde) is unknown.
std::vector<Rational> SdeFromDelegates(const PrecinctRules& rules,
                                       const std::vector<Count>& delegates, Count total_delegates,
                                       const PrecinctApportionment& apportionment);

}  // namespace canvass
