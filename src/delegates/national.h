// National delegates: a state's pledged delegates allocated pool by pool (DNC Rule 14; spec 4).
//
// Each pool (a congressional district, the at-large seats, the party leaders) is allocated on its
// own, from the votes of its scope: a district pool from that district's totals, a statewide pool
// from the state's. "Votes" are whatever the ruleset's basis says (SDEs, county delegates, head
// counts); this module does not care, it only sees one exact Rational per candidate.
//
// The steps are the DNC's: shares of the vote at the ruleset's share precision, drop everyone
// below the threshold (with the Rule 14.F fallback when nobody reaches it), shares of the
// qualified vote at the same precision, quota = pool size x share, whole parts, then the seats
// left over by largest fractional remainder. A tie among remainders for the last seat(s) is
// never settled here: the pool carries a PoolTieEvent until the recorded outcome (a drawing of
// lots, a coin) is passed back as a PoolTieOutcome, as the precinct math does with its ties.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"
#include "rules/ruleset.h"

namespace canvass {

// Candidates tied on their fractional remainder when there are fewer seats left than of them.
struct PoolTieEvent {
  std::string pool;                        // the pool's name
  std::vector<CandidateIndex> candidates;  // the tied candidates, ascending index
  Count seats_at_stake = 0;                // how many of them gain (or, rarely, lose) one seat
  bool loss = false;   // true when rounded shares over-fill the pool and seats must be taken back
  Rational remainder;  // the remainder (or, for a plurality family, the vote) they tie on
  TieBreaker breaker = TieBreaker::kLot;
  Count seats_per_favoured = 1;  // a plurality family: the seats each favoured candidate gains
};

// A recorded game of chance for one PoolTieEvent.
struct PoolTieOutcome {
  std::string pool;                      // the pool's name
  std::vector<CandidateIndex> tied;      // must equal the event's candidates (any order)
  std::vector<CandidateIndex> favoured;  // seats_at_stake of them: they gain the seat, or keep it
  std::string detail;                    // "drawn by lot at the state committee, 2020-04-25"
};

struct PoolAllocation {
  std::string name;
  Count size = 0;
  std::vector<Rational> votes;    // per candidate, as given
  Rational total_vote;            // sum of votes
  std::vector<Rational> shares;   // vote / total at the share precision (zero when total is 0)
  Rational threshold;             // the threshold actually applied
  bool fallback_applied = false;  // nobody reached the ruleset's threshold (Rule 14.F)
  std::vector<bool> qualified;    // per candidate
  Rational qualified_vote;        // sum of the qualified candidates' votes
  std::vector<Rational> qualified_shares;   // vote / qualified vote at the share precision
  std::vector<Rational> quotas;             // size x qualified share, exact
  std::vector<Count> delegates;             // per candidate; tied candidates hold only their
                                            // settled seats while a tie is pending
  std::vector<PoolTieEvent> resolved_ties;  // settled by the given outcomes
  std::optional<PoolTieEvent> pending_tie;  // chance is needed and no outcome was given
  std::vector<std::string> notes;           // the steps that were not routine, in order
  bool complete() const { return !pending_tie; }
};

// Allocates one pool by the family of `rules` (docs/rulesets.md, "Allocation families"):
// kDnc and kProportional by threshold and largest remainder; kProportionalTrigger the same
// unless a share passes the trigger in the pool (trigger_scope pool or both); kWinnerTakeMost and
// kWinnerTakeAll by plurality; kBoundAtConvention takes the votes as the convention's seats (they
// must be whole and add up to the pool); kUnbound allocates nothing. A statewide trigger is the
// caller's (AwardPool). `votes` has one entry per candidate. Outcomes for other pools are ignored.
// Errors (InvalidArgument): a negative vote or pool size, an outcome naming the wrong candidates
// or the wrong number of favoured ones.
Result<PoolAllocation> AllocatePool(const NationalRules& rules, const NationalPool& pool,
                                    const std::vector<Rational>& votes,
                                    const std::vector<PoolTieOutcome>& outcomes = {});

// Every seat of `pool` to `winner` (a statewide winner-take-all trigger), with `note`.
PoolAllocation AwardPool(const NationalPool& pool, const std::vector<Rational>& votes,
                         CandidateIndex winner, std::string note);

// The basis totals a state's pools are allocated from.
struct NationalVotes {
  std::vector<Rational> state;                             // per candidate
  std::map<std::string, std::vector<Rational>> districts;  // district ("1") -> per candidate
};

struct NationalAllocation {
  std::vector<PoolAllocation> pools;  // in the ruleset's order
  std::vector<Count> total;           // per candidate, over all pools
  bool complete() const;
};

// Allocates every pool of `rules`: kDistrict pools from votes.districts[pool.district] (all
// zero when the district has no votes), kStatewide pools from votes.state.
Result<NationalAllocation> AllocateNational(const NationalRules& rules, const NationalVotes& votes,
                                            const std::vector<PoolTieOutcome>& outcomes = {});

}  // namespace canvass
