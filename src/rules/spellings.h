// The TOML spelling of every ruleset enum, shared by the loader (text to value) and the canonical
// JSON (value to text), so a value reads back exactly as it was written.
//
// Thread-safety: constant tables.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rules/ruleset.h"

namespace canvass::rules_internal {

template <typename E>
struct Spelling {
  E value;
  std::string_view text;
};

inline constexpr Spelling<PrecinctMethod> kPrecinctMethods[] = {
    {PrecinctMethod::kCaucus, "caucus"},
    {PrecinctMethod::kStrawPoll, "straw_poll"},
    {PrecinctMethod::kNone, "none"},
};
inline constexpr Spelling<ViabilityComparison> kViabilityComparisons[] = {
    {ViabilityComparison::kAtLeast, "at_least"},
    {ViabilityComparison::kGreaterThan, "greater_than"},
};
inline constexpr Spelling<TiePrecision> kTiePrecisions[] = {
    {TiePrecision::kExact, "exact"},
    {TiePrecision::kRound4, "round4"},
    {TiePrecision::kTrunc4, "trunc4"},
};
inline constexpr Spelling<OverAllocation> kOverAllocations[] = {
    {OverAllocation::kSmallestRealign, "smallest_realign"},
    {OverAllocation::kAddDelegates, "add_delegates"},
};
inline constexpr Spelling<TieBreaker> kTieBreakers[] = {
    {TieBreaker::kCoin, "coin"},
    {TieBreaker::kCardDraw, "card_draw"},
    {TieBreaker::kLot, "lot"},
};
inline constexpr Spelling<SingleDelegateRule> kSingleDelegateRules[] = {
    {SingleDelegateRule::kThreshold, "threshold"},
    {SingleDelegateRule::kPlurality, "plurality"},
};
inline constexpr Spelling<SatelliteSdeRule> kSatelliteSdeRules[] = {
    {SatelliteSdeRule::kAttendance, "attendance"},
    {SatelliteSdeRule::kCountyDelegates, "county_delegates"},
};
inline constexpr Spelling<NationalBasis> kNationalBases[] = {
    {NationalBasis::kSde, "sde"},
    {NationalBasis::kCountyDelegates, "county_delegates"},
    {NationalBasis::kFirstAlignment, "first_alignment"},
    {NationalBasis::kFinalAlignment, "final_alignment"},
};
inline constexpr Spelling<SharePrecision> kSharePrecisions[] = {
    {SharePrecision::kExact, "exact"},
    {SharePrecision::kFraction3, "fraction3"},
    {SharePrecision::kPercent3, "percent3"},
};
inline constexpr Spelling<ThresholdFallback> kThresholdFallbacks[] = {
    {ThresholdFallback::kNone, "none"},
    {ThresholdFallback::kHalfFrontRunner, "half_front_runner"},
    {ThresholdFallback::kFrontRunnerMinus10, "front_runner_minus_10"},
};
inline constexpr Spelling<MajorityFormula> kMajorityFormulas[] = {
    {MajorityFormula::kFloorHalfPlusOne, "floor_half_plus_one"},
    {MajorityFormula::kCeilHalfPlusOne, "ceil_half_plus_one"},
};
inline constexpr Spelling<PoolScope> kPoolScopes[] = {
    {PoolScope::kDistrict, "district"},
    {PoolScope::kStatewide, "statewide"},
};
inline constexpr Spelling<AllocationFamily> kAllocationFamilies[] = {
    {AllocationFamily::kDnc, "dnc"},
    {AllocationFamily::kProportional, "proportional"},
    {AllocationFamily::kProportionalTrigger, "proportional_wta_trigger"},
    {AllocationFamily::kWinnerTakeMost, "winner_take_most"},
    {AllocationFamily::kWinnerTakeAll, "winner_take_all"},
    {AllocationFamily::kBoundAtConvention, "bound_at_convention"},
    {AllocationFamily::kUnbound, "unbound"},
};
inline constexpr Spelling<TriggerScope> kTriggerScopes[] = {
    {TriggerScope::kStatewide, "statewide"},
    {TriggerScope::kPool, "pool"},
    {TriggerScope::kBoth, "both"},
};
inline constexpr Spelling<FirstBallot> kFirstBallots[] = {
    {FirstBallot::kPledged, "pledged"},
    {FirstBallot::kAll, "all"},
};

// Every enumerator has a row, so a miss is a programmer error: an empty view makes it visible.
template <typename E>
std::string_view Spell(E value, std::span<const Spelling<E>> table) {
  for (const Spelling<E>& s : table) {
    if (s.value == value) return s.text;
  }
  return {};
}

template <typename E>
std::optional<E> LookUp(std::string_view text, std::span<const Spelling<E>> table) {
  for (const Spelling<E>& s : table) {
    if (s.text == text) return s.value;
  }
  return std::nullopt;
}

// "\"a\", \"b\" or \"c\"", for messages.
template <typename E>
std::string AllowedSpellings(std::span<const Spelling<E>> table) {
  std::string out;
  for (size_t i = 0; i < table.size(); ++i) {
    if (i > 0) out += i + 1 == table.size() ? " or " : ", ";
    out += "\"";
    out += table[i].text;
    out += "\"";
  }
  return out;
}

}  // namespace canvass::rules_internal
