// The national count: every state's pools allocated by its family, the national totals, the
// majorities, each candidate's status (clinched, mathematically eliminated, open with the share
// of the remaining seats it needs) and whether the convention is brokered; with a published
// allocation, every pool where it differs from the rules is a finding.
//
// A state with seats but no votes is projected: its seats count as remaining. So do seats no
// candidate holds yet (a tie awaiting its drawing, a pool without votes) and seats that go to no
// candidate (unbound, or nobody reached the threshold): anyone may still win them.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/rational.h"
#include "core/status.h"
#include "delegates/national.h"
#include "io/national_inputs.h"
#include "rules/ruleset.h"

namespace canvass {

struct TrackedPool {
  std::string name;
  DelegateKind kind = DelegateKind::kDistrict;
  std::string basis;  // where its votes came from: "own rows", "statewide", or "" (no votes)
  PoolAllocation allocation;
  Count allocated = 0;  // seats held by candidates
};

struct TrackedState {
  std::string state;
  AllocationFamily family = AllocationFamily::kDnc;
  bool voted = false;  // any votes at all; otherwise projected
  Count pledged = 0;
  Count automatic = 0;
  std::vector<TrackedPool> pools;
  std::vector<Count> won;  // per candidate
  std::vector<std::string> notes;
};

enum class CandidateStatus : uint8_t { kClinched, kEliminated, kOpen };
std::string_view CandidateStatusName(CandidateStatus status);

struct CandidateStanding {
  std::string name;
  Count won = 0;
  CandidateStatus status = CandidateStatus::kOpen;
  Count needs = 0;      // delegates still needed for the first-ballot majority (0 once clinched)
  Rational need_share;  // needs / remaining (0 when clinched; above 1 when eliminated)
};

struct PublishedFinding {
  std::string code;  // "published-differs", "published-sum"; "published-unchecked" (no votes)
  std::string state, pool;
  int64_t line = 0;  // the published file's first row of the pool
  std::string message;
  std::vector<Count> published, computed;  // per candidate
};

struct NationalCount {
  std::string ruleset, ruleset_hash;
  std::vector<std::string> candidates;
  std::vector<TrackedState> states;
  Count pledged = 0, automatic = 0;
  Count allocated = 0;  // pledged seats held by candidates
  Count remaining = 0;  // pledged seats (and, when everyone votes on the first ballot, automatic
                        // delegates) that anyone may still win
  Count first_ballot_delegates = 0;
  Count majority = 0;           // the ruleset's first-ballot majority
  Count majority_floor = 0;     // floor(N/2)+1
  Count majority_ceil = 0;      // ceil(N/2+1)
  Rational later_ballot_votes;  // all votes on a later ballot
  Rational later_ballot_majority;
  std::vector<CandidateStanding> standings;  // in candidate order
  bool brokered = false;                     // nobody can reach the first-ballot majority
  std::vector<PublishedFinding> findings;
  // Published pools the count cannot check: the pool has no votes (district returns not in the
  // votes file), so the rules give nothing to compare with. Not findings: nothing is wrong.
  std::vector<PublishedFinding> unchecked;
  std::vector<std::string> warnings;  // e.g. the delegates file disagrees with the ruleset
};

// A state whose pools were allocated elsewhere: a Canvass election's own tabulation, whose pools
// follow its ruleset and its recorded drawings of lots. Its allocations are taken as they are, in
// place of the state's votes rows, so the live row is the election's results and not a second
// computation of them.
struct AllocatedState {
  std::string state;
  std::vector<std::string> candidates;  // the order of every allocation's per-candidate vectors
  // Each with the delegates file's name of the pool (see MatchPoolName) in `name`.
  std::vector<PoolAllocation> pools;
  std::string basis;  // each pool's basis in the count, e.g. "computed"
};

// The delegates file's pool of `state` that an election's pool is: the same name, else for a
// district pool the district row whose name ends in the same number ("CD1", district "1" is
// "CD01"), else the statewide row of the same name ignoring case. Empty when there is none.
std::string MatchPoolName(const std::vector<DelegateRow>& delegates, const std::string& state,
                          const NationalPool& pool);

// `rules` must have [national] and [convention]. A state in `allocated` takes those pools (every
// one must be a pool of the delegates file; pools it lacks count as not yet voted) and ignores
// its rows in the votes file.
Result<NationalCount> CountNational(const Ruleset& rules, const NationalInputs& inputs,
                                    const std::vector<AllocatedState>& allocated = {});

}  // namespace canvass
