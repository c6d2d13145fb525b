// The ruleset's arithmetic (threshold and bracket look-ups, the nominating majority) and its
// canonical form. The loader lives in loader.cc.
#include "rules/ruleset.h"

#include <cassert>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "rules/spellings.h"

namespace canvass {

namespace {

using rules_internal::Spell;
using rules_internal::Spelling;

template <typename E, size_t N>
std::string Text(E value, const Spelling<E> (&table)[N]) {
  return std::string(Spell<E>(value, table));
}

// Always "n/d", even for whole numbers, so the spelling of a rational never depends on its value.
std::string Exact(const Rational& r) {
  return std::to_string(r.num()) + "/" + std::to_string(r.den());
}

nlohmann::json MaybeCount(const std::optional<Count>& c) {
  return c ? nlohmann::json(*c) : nlohmann::json(nullptr);
}

nlohmann::json PrecinctJson(const PrecinctRules& p) {
  using namespace rules_internal;
  nlohmann::json thresholds = nlohmann::json::array();
  for (const ThresholdRow& row : p.thresholds) {
    thresholds.push_back({{"min_delegates", row.min_delegates},
                          {"max_delegates", MaybeCount(row.max_delegates)},
                          {"threshold", Exact(row.threshold)}});
  }
  nlohmann::json brackets = nlohmann::json::array();
  for (const SatelliteBracket& b : p.satellite_brackets) {
    brackets.push_back({{"min_attendance", b.min_attendance},
                        {"max_attendance", MaybeCount(b.max_attendance)},
                        {"delegates", b.delegates}});
  }
  return {
      {"method", Text(p.method, kPrecinctMethods)},
      {"threshold", std::move(thresholds)},
      {"viability_comparison", Text(p.viability_comparison, kViabilityComparisons)},
      {"lock_viable_groups", p.lock_viable_groups},
      {"smallest_realign_releases_lock", p.smallest_realign_releases_lock},
      {"realignment_minutes", p.realignment_minutes},
      {"attendance_fixed_at_first", p.attendance_fixed_at_first},
      {"final_viability_recheck", p.final_viability_recheck},
      {"minimum_one_delegate", p.minimum_one_delegate},
      {"over_allocation", Text(p.over_allocation, kOverAllocations)},
      {"tie_precision", Text(p.tie_precision, kTiePrecisions)},
      {"tie_breaker", Text(p.tie_breaker, kTieBreakers)},
      {"single_delegate", Text(p.single_delegate, kSingleDelegateRules)},
      {"sde_places", p.sde_places},
      {"satellites",
       {{"enabled", p.satellites_enabled},
        {"sde_rule", Text(p.satellite_sde, kSatelliteSdeRules)},
        {"bracket", std::move(brackets)}}},
      {"early_vote",
       {{"enabled", p.early_vote.enabled},
        {"min_choices", p.early_vote.min_choices},
        {"max_choices", p.early_vote.max_choices},
        {"distinct_choices", p.early_vote.distinct_choices}}},
  };
}

nlohmann::json NationalJson(const NationalRules& n) {
  using namespace rules_internal;
  nlohmann::json pools = nlohmann::json::array();
  for (const NationalPool& pool : n.pools) {
    pools.push_back({{"name", pool.name},
                     {"scope", Text(pool.scope, kPoolScopes)},
                     {"district", pool.district},
                     {"size", pool.size}});
  }
  nlohmann::json j = {
      {"basis", Text(n.basis, kNationalBases)},
      {"threshold", Exact(n.threshold)},
      {"share_precision", Text(n.share_precision, kSharePrecisions)},
      {"fallback", Text(n.fallback, kThresholdFallbacks)},
      {"tie_breaker", Text(n.tie_breaker, kTieBreakers)},
      {"pool", std::move(pools)},
  };
  // Keys of the national count: present only when not at their default (see ruleset.h).
  const NationalRules defaults;
  if (n.family != defaults.family) j["family"] = Text(n.family, kAllocationFamilies);
  if (n.threshold_comparison != defaults.threshold_comparison) {
    j["threshold_comparison"] = Text(n.threshold_comparison, kViabilityComparisons);
  }
  if (n.trigger != defaults.trigger) j["trigger"] = Exact(n.trigger);
  if (n.trigger_scope != defaults.trigger_scope) {
    j["trigger_scope"] = Text(n.trigger_scope, kTriggerScopes);
  }
  if (n.runner_up_seats != defaults.runner_up_seats) j["runner_up_seats"] = n.runner_up_seats;
  if (!n.states.empty()) {
    nlohmann::json states = nlohmann::json::array();
    for (const StateAllocationRules& st : n.states) {
      states.push_back(
          {{"state", st.state},
           {"version", st.version},
           {"sources", st.sources},
           {"family", Text(st.family, kAllocationFamilies)},
           {"threshold", Exact(st.threshold)},
           {"threshold_comparison", Text(st.threshold_comparison, kViabilityComparisons)},
           {"share_precision", Text(st.share_precision, kSharePrecisions)},
           {"fallback", Text(st.fallback, kThresholdFallbacks)},
           {"tie_breaker", Text(st.tie_breaker, kTieBreakers)},
           {"trigger", Exact(st.trigger)},
           {"trigger_scope", Text(st.trigger_scope, kTriggerScopes)},
           {"runner_up_seats", st.runner_up_seats}});
    }
    j["state"] = std::move(states);
  }
  return j;
}

nlohmann::json ConventionJson(const ConventionRules& c) {
  nlohmann::json j = {
      {"pledged_delegates", c.pledged_delegates},
      {"total_delegates", c.total_delegates},
      {"majority", Text(c.majority, rules_internal::kMajorityFormulas)},
  };
  // Keys of the national count: present only when set (see ruleset.h).
  if (c.first_ballot != FirstBallot::kPledged) {
    j["first_ballot"] = Text(c.first_ballot, rules_internal::kFirstBallots);
  }
  if (c.vote_unit != Rational(1)) j["vote_unit"] = Exact(c.vote_unit);
  if (!c.later_ballot_votes.is_zero()) j["later_ballot_votes"] = Exact(c.later_ballot_votes);
  return j;
}

}  // namespace

nlohmann::json ReviewRulesJson(const ReviewRules& r) {
  return {{"request_roles", r.request_roles}, {"claims_for_self", r.claims_for_self},
          {"request_hours", r.request_hours}, {"answer_hours", r.answer_hours},
          {"cost_hours", r.cost_hours},       {"recanvass_corrects", r.recanvass_corrects}};
}

nlohmann::json AnomalyRulesJson(const AnomalyRules& r) {
  return {{"duplicate_above", r.duplicate_above},
          {"shift_threshold_nats", Exact(r.shift_threshold_nats)},
          {"ballot_order", r.ballot_order}};
}

std::optional<Rational> PrecinctRules::ThresholdFor(Count delegates) const {
  for (const ThresholdRow& row : thresholds) {
    if (delegates >= row.min_delegates && (!row.max_delegates || delegates <= *row.max_delegates)) {
      return row.threshold;
    }
  }
  return std::nullopt;
}

std::optional<Count> PrecinctRules::SatelliteDelegatesFor(Count attendance) const {
  for (const SatelliteBracket& b : satellite_brackets) {
    if (attendance >= b.min_attendance && (!b.max_attendance || attendance <= *b.max_attendance)) {
      return b.delegates;
    }
  }
  return std::nullopt;
}

Count ConventionRules::MajorityOf(Count n) const {
  assert(n >= 0 && "a delegate count is never negative");
  switch (majority) {
    case MajorityFormula::kFloorHalfPlusOne:
      return n / 2 + 1;
    case MajorityFormula::kCeilHalfPlusOne:
      // ceil(n/2 + 1) = ceil(n/2) + 1: one more than the floor rule when n is odd.
      return (n + 1) / 2 + 1;
  }
  return n / 2 + 1;
}

Rational ConventionRules::VoteMajorityOf(const Rational& votes) const {
  // Votes in units of vote_unit: more than half of u units is floor(u/2) + 1 units.
  const Rational units = votes / vote_unit;
  return Rational(units.Floor() / 2 + 1) * vote_unit;
}

NationalRules NationalRules::ForState(const std::string& state) const {
  NationalRules out = *this;
  out.states.clear();
  for (const StateAllocationRules& s : states) {
    if (s.state != state) continue;
    out.family = s.family;
    out.threshold = s.threshold;
    out.threshold_comparison = s.threshold_comparison;
    out.share_precision = s.share_precision;
    out.fallback = s.fallback;
    out.tie_breaker = s.tie_breaker;
    out.trigger = s.trigger;
    out.trigger_scope = s.trigger_scope;
    out.runner_up_seats = s.runner_up_seats;
  }
  return out;
}

std::string Ruleset::CanonicalJson() const {
  nlohmann::json sources_json = nlohmann::json::array();
  for (const std::string& s : sources) sources_json.push_back(s);
  // nlohmann::json objects are std::maps, so keys come out sorted at every level.
  nlohmann::json j = {
      {"ruleset",
       {{"name", name},
        {"version", version},
        {"published", published},
        {"description", description},
        {"sources", std::move(sources_json)}}},
      {"precinct", PrecinctJson(precinct)},
      {"national", national ? NationalJson(*national) : nlohmann::json(nullptr)},
      {"convention", convention ? ConventionJson(*convention) : nlohmann::json(nullptr)},
  };
  // Present only when the file has [review], so that the hash of a ruleset without one is what
  // it was before the section existed.
  if (review) j["review"] = ReviewRulesJson(*review);
  if (anomaly) j["anomaly"] = AnomalyRulesJson(*anomaly);  // likewise [anomaly]
  // The loader only admits valid UTF-8; `replace` keeps a hand-built value from throwing.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace canvass
