// Geographic distribution: what a plan that splits a district's seats into sub-pools does to the
// result (docs/conventions.md, "Geographic distribution"; ../shared/spec/delegates.md §3.3-3.4).
//
// Every sub-pool is allocated as the DNC allocates a pool (AllocatePool: 15% threshold, Rule 14.F
// fallback, Hare largest remainder), and so is the whole district as one pool, the baseline the
// DNC rules give. Against both, per candidate: the seat bonus s - m·v over the proportional
// entitlement, and the map effect (plan seats - single-pool seats). For the plan and the
// baseline: the Loosemore-Hanby index ½Σ|s_i - v_i| (exact) and Gallagher's index
// √(½Σ(s_i - v_i)²), reported as its exact square and a rounded decimal for display, and the
// efficiency-gap analogue: wasted votes per candidate under the Droop quota (and the Hare quota),
// each candidate's excess waste (W_i - v_i·W)/V, and for two candidates EG, ΔEG against the
// baseline and the corrected EG* = EG - (v_X - v_Y)·W/V.
//
// Warnings: a one-seat sub-pool; seats per voter that differ across sub-pools by more than a
// ratio; a sub-pool with seats and no votes; votes a candidate loses under a sub-pool threshold it
// clears district-wide.
//
// Exactness: the sums of the efficiency gap run over sub-pools with different quotas, so their
// denominators multiply; they are kept as 128-bit fractions (WideFraction), bounded by the limits
// on seats and votes below. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"
#include "delegates/national.h"
#include "rules/ruleset.h"

namespace canvass {

// Limits that keep the exact arithmetic within 128 bits.
inline constexpr Count kMaxPlanSeats = 1000;
inline constexpr Count kMaxPlanVotes = 100'000'000'000;  // votes in the whole district
inline constexpr size_t kMaxPlanCandidates = 100;

// An exact fraction in 128 bits, always reduced with a positive denominator.
struct WideFraction {
  __int128 num = 0;
  __int128 den = 1;
  static WideFraction Of(__int128 num, __int128 den);
  // "-1/30"; "0".
  std::string ToString() const;
  // Rounded half away from zero to `places` decimals: "-0.0333".
  std::string ToDecimal(int places) const;
  // The square root, rounded half up to `places` decimals (for a non-negative value): display.
  std::string SqrtDecimal(int places) const;
  friend bool operator==(const WideFraction& a, const WideFraction& b) {
    return a.num == b.num && a.den == b.den;
  }
};

struct SubPool {
  std::string name;
  Count seats = 0;
};

struct DistrictPlan {
  std::string district = "district";
  Count seats = 0;  // the district's seats; the sub-pools' must add up to it
  std::vector<SubPool> pools;
};

struct DistrictVotes {
  std::vector<std::string> candidates;
  std::vector<std::vector<Count>> pools;  // [sub-pool][candidate], in the plan's order
};

struct GeographyOptions {
  // Warn when one sub-pool's seats per voter exceed another's by more than this ratio.
  Rational seats_per_voter_ratio{5, 4};
  // Candidates in the order lots were drawn, for a remainder tie in a pool; first drawn wins.
  std::vector<CandidateIndex> lots;
};

struct DisproportionIndices {
  Rational loosemore_hanby;       // ½Σ|s_i - v_i|, seat and vote shares
  WideFraction gallagher_square;  // ½Σ(s_i - v_i)²
  std::string gallagher;          // its square root to 4 places, for display only
};

// Wasted votes under one quota: W_ik = v_ik - seats_ik·q_k, summed over the pools.
struct WasteFigures {
  std::vector<WideFraction> wasted;  // per candidate, in votes
  WideFraction total;                // W
  std::vector<WideFraction> excess;  // (W_i - v_i·W)/V per candidate
  std::optional<WideFraction> gap;   // two candidates: (W_0 - W_1)/V
};

struct GeographyAnalysis {
  DistrictPlan plan;
  std::vector<std::string> candidates;
  Count total_votes = 0;
  std::vector<Count> candidate_votes;
  std::vector<Rational> vote_shares;  // v_i
  std::vector<PoolAllocation> pools;  // per sub-pool
  PoolAllocation baseline;            // the district as one pool
  std::vector<Count> plan_seats;      // per candidate
  std::vector<Count> baseline_seats;
  std::vector<Rational> bonus;           // plan seats - m·v_i
  std::vector<Rational> baseline_bonus;  // single-pool seats - m·v_i
  std::vector<Count> map_effect;         // plan seats - single-pool seats
  DisproportionIndices plan_indices, baseline_indices;
  WasteFigures droop, hare, baseline_droop, baseline_hare;
  // Two candidates only: EG* = (excess_0 - excess_1) under the Droop quota, and ΔEG.
  std::optional<WideFraction> eg_star;
  std::optional<WideFraction> eg_delta;
  std::vector<std::string> warnings;
  std::vector<std::string> notes;  // ties the lots decided, fallbacks applied
};

// Errors: InvalidArgument for a plan whose sub-pool seats do not add up to the district's, a
// sub-pool named twice, seats or votes out of range, votes not shaped like the plan, sub-pool
// sizes whose least common multiple passes 10^15 (the exact waste sums would not fit);
// FailedPrecondition for a remainder tie the lots do not cover.
Result<GeographyAnalysis> AnalyzePlan(const DistrictPlan& plan, const DistrictVotes& votes,
                                      const GeographyOptions& options = {});

// AllocatePool, with a pending remainder tie settled by the recorded lots: `lot_rank` gives each
// candidate's place in the drawing (nullopt: not drawn). A tie among candidates not all drawn is
// left pending, as AllocatePool leaves it.
Result<PoolAllocation> AllocatePoolByLots(const NationalRules& rules, const NationalPool& pool,
                                          const std::vector<Rational>& votes,
                                          const std::vector<std::optional<size_t>>& lot_rank);

}  // namespace canvass
