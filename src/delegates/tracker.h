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
  std::string code;  // "published-differs", "published-sum"
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
  std::vector<std::string> warnings;  // e.g. the delegates file disagrees with the ruleset
};

// `rules` must have [national] and [convention].
Result<NationalCount> CountNational(const Ruleset& rules, const NationalInputs& inputs);

}  // namespace canvass
