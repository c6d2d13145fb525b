#include "audit/materiality.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "caucus/allocation.h"
#include "tabulate/tabulate.h"

namespace canvass {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

std::string Key(const std::string& county, const std::string& precinct) {
  return county + '\x1f' + precinct;
}

// The value in units of 10^-places, or nullopt when it is finer than that.
std::optional<int64_t> Units(const Rational& v, int64_t scale) {
  if (scale % v.den() != 0) return std::nullopt;
  __int128 u = static_cast<__int128>(v.num()) * (scale / v.den());
  if (u > kInt64Max || u < -kInt64Max) return std::nullopt;
  return static_cast<int64_t>(u);
}

bool Fits(__int128 v) { return v <= kInt64Max && v >= -kInt64Max; }

// One precinct as the model sees it.
struct Unit {
  std::vector<int64_t> sigma;  // SDEs per candidate, in units; empty: no figures on this side
  int32_t district = -1;       // index into Model::districts, or -1 (statewide only)
  const PrecinctApportionment* apportionment = nullptr;
  Count elects = 0;              // D: county delegates the precinct elects (0: unknown)
  std::vector<Count> delegates;  // per candidate, as the side has them (empty: unknown)
  std::vector<int64_t> sde_of;   // SDE units of d delegates, d = 0..elects
  int64_t max_units = 0;         // the largest SDE total the rules let it report, in units
  bool capped = false;           // max_units is known (an apportioned unit with a ratio)
};

// Everything the bound, the search and the eligibility share: the side's pool totals, the
// reported outcome, the assertions as scaled integers.
struct Model {
  const Ruleset* ruleset = nullptr;
  const NationalRules* rules = nullptr;
  size_t n = 0;
  int64_t scale = 1;
  NationalVotes votes;
  NationalAllocation outcome;
  std::vector<std::string> districts;  // district names, as in the data
  std::vector<Assertion> assertions;
  int64_t weight_scale = 1;             // L: weights x L are integers
  std::vector<std::vector<int64_t>> W;  // per assertion, per candidate: w x L
  std::vector<int64_t> wmin;            // per assertion: |min(0, min W)|
  std::vector<int64_t> margin;          // per assertion: G x L x scale
  // Assertions that apply to a precinct: statewide pools', and its district pool's.
  std::vector<size_t> statewide;
  std::vector<std::vector<size_t>> of_district;
  std::vector<bool> pool_empty;  // a pool with no votes: any change there is possibly material
  std::vector<Unit> units;
};

bool PoolCovers(const NationalPool& pool, const Model& m, int32_t district) {
  if (pool.scope == PoolScope::kStatewide) return true;
  return district >= 0 && m.districts[static_cast<size_t>(district)] == pool.district;
}

// Half the step shares are rounded to. Rounded half up, a share s becomes the grid point g with
// g - h <= s < g + h.
Rational HalfStep(SharePrecision precision) {
  switch (precision) {
    case SharePrecision::kExact:
      return Rational(0);
    case SharePrecision::kFraction3:
      return Rational(1, 2'000);
    case SharePrecision::kPercent3:
      return Rational(1, 200'000);
  }
  return Rational(0);
}

const char* PrecisionName(SharePrecision precision) {
  switch (precision) {
    case SharePrecision::kExact:
      return "exact";
    case SharePrecision::kFraction3:
      return "fraction3";
    case SharePrecision::kPercent3:
      return "percent3";
  }
  return "";
}

// The family and the threshold as the assertions need them; `who` names the rules in messages.
Status CheckAllocationRules(const NationalRules& r, const std::string& who) {
  if (r.family != AllocationFamily::kDnc && r.family != AllocationFamily::kProportional) {
    return Status::InvalidArgument(
        fmt::format("{}: materiality needs threshold-and-largest-remainder pools (the dnc or "
                    "proportional family); the assertions do not describe this family",
                    who));
  }
  const Rational step = HalfStep(r.share_precision) * Rational(2);
  if (!step.is_zero() && !(r.threshold / step).is_integer()) {
    return Status::InvalidArgument(fmt::format(
        "{}: national.threshold {} is not a multiple of {}, the step shares are rounded to "
        "(share_precision = \"{}\"); the assertions compare exact shares with the threshold "
        "moved by half a step, which is exact only for a threshold on that grid",
        who, r.threshold.ToShortDecimal(), step.ToShortDecimal(),
        PrecisionName(r.share_precision)));
  }
  return Status::Ok();
}

Rational Weigh(const std::vector<Rational>& weights, const std::vector<Rational>& x) {
  Rational g;
  for (size_t c = 0; c < x.size() && c < weights.size(); ++c) {
    if (!weights[c].is_zero()) g += weights[c] * x[c];
  }
  return g;
}

Status CheckRules(const Ruleset& ruleset) {
  if (!ruleset.national) {
    return Status::InvalidArgument(fmt::format(
        "ruleset {} has no national rules: materiality is about national delegates", ruleset.name));
  }
  const NationalRules& r = *ruleset.national;
  if (r.basis != NationalBasis::kSde) {
    return Status::InvalidArgument(fmt::format(
        "ruleset {}: materiality is computed on an SDE basis; national.basis is not \"sde\"",
        ruleset.name));
  }
  CANVASS_RETURN_IF_ERROR(CheckAllocationRules(r, "ruleset " + ruleset.name));
  if (ruleset.precinct.sde_places < 0 || ruleset.precinct.sde_places > 12) {
    return Status::InvalidArgument(
        fmt::format("sde_places {} is out of range 0..12", ruleset.precinct.sde_places));
  }
  return Status::Ok();
}

// The exact share of the pool at which a candidate's rounded share qualifies. AllocatePool
// compares the share of the pool's whole vote, rounded half up to the grid of step 2h on which
// tau lies: round(s) >= tau iff s >= tau - h, and round(s) > tau iff round(s) >= tau + 2h iff
// s >= tau + h. So viability stays an exact linear condition, with the threshold moved. A
// rounded share is never below 0, so under "at least" the line is never below 0 either (a zero
// threshold asks only for a vote, which AllocatePool requires anyway).
Rational ViabilityLine(const NationalRules& rules) {
  const Rational h = HalfStep(rules.share_precision);
  if (h.is_zero()) return rules.threshold;
  if (rules.threshold_comparison == ViabilityComparison::kGreaterThan) return rules.threshold + h;
  const Rational line = rules.threshold - h;
  return line.is_negative() ? Rational(0) : line;
}

// The precinct's SDEs on `side`, or empty when it has none. The reported side follows Tabulate:
// SDEs as reported, or (no SDE at all but delegates for everyone) derived from the delegates.
std::vector<Rational> SideSde(const Ruleset& ruleset, const PrecinctReport& report,
                              const PrecinctCheck& check, const PrecinctApportionment* ap,
                              ResultSide side, size_t n) {
  if (side == ResultSide::kComputed) return check.computed_sde;
  bool any_sde = false;
  bool all_delegates = n > 0;
  std::vector<Count> delegates(n);
  Count total = 0;
  for (size_t c = 0; c < n; ++c) {
    const CandidateReport& f = report.figures[c];
    any_sde = any_sde || f.sde.has_value();
    all_delegates = all_delegates && f.delegates.has_value();
    delegates[c] = f.delegates.value_or(0);
    total += delegates[c];
  }
  if (any_sde) {
    std::vector<Rational> sde(n);
    for (size_t c = 0; c < n; ++c) sde[c] = report.figures[c].sde.value_or(Rational(0));
    return sde;
  }
  if (all_delegates && ap != nullptr)
    return SdeFromDelegates(ruleset.precinct, delegates, total, *ap);
  return {};
}

Status BuildUnit(const Model& m, const Election& election, size_t i, const PrecinctCheck& check,
                 const PrecinctApportionment* ap, ResultSide side,
                 const std::unordered_map<std::string, int32_t>& district_index, Unit& u) {
  const PrecinctReport& report = election.reports[i];
  const size_t n = m.n;
  u.apportionment = ap;
  std::optional<std::string> district;
  if (ap != nullptr && ap->district) {
    district = ap->district;
  } else if (auto it = election.county_district.find(report.county);
             it != election.county_district.end()) {
    district = it->second;
  }
  if (district) {
    auto it = district_index.find(*district);
    if (it != district_index.end()) u.district = it->second;
  }
  std::vector<Rational> sde = SideSde(*m.ruleset, report, check, ap, side, n);
  if (sde.size() == n) {
    u.sigma.resize(n);
    for (size_t c = 0; c < n; ++c) {
      auto units = Units(sde[c], m.scale);
      if (!units) {
        return Status::InvalidArgument(fmt::format(
            "{}: {} / {}: {}'s SDE {} is finer than the ruleset's {} places; materiality needs "
            "every SDE at that precision",
            report.source.ToString(), report.county, report.precinct, election.candidates[c],
            sde[c].ToString(), m.ruleset->precinct.sde_places));
      }
      u.sigma[c] = *units;
    }
  }
  if (ap == nullptr) return Status::Ok();
  // D, and the delegates each candidate holds on this side.
  if (check.computed) {
    u.elects = check.computed->apportioned_delegates;
  } else if (!ap->satellite && ap->delegates) {
    u.elects = *ap->delegates;
  } else if (ap->satellite) {
    Count attendance = 0;
    for (const CandidateReport& f : report.figures) attendance += f.first.value_or(0);
    u.elects = m.ruleset->precinct.SatelliteDelegatesFor(attendance).value_or(0);
  }
  if (u.elects < 0 || u.elects > kMaxDelegates) u.elects = 0;
  // The most SDE the precinct can report: D x ratio (a satellite: the site's SDEs), plus half a
  // unit of rounding for each candidate that can hold a delegate.
  std::optional<Rational> exact;
  if (ap->satellite && ap->site_sde) {
    exact = *ap->site_sde;
  } else if (!ap->satellite && ap->delegates && ap->sde_per_delegate) {
    exact = *ap->sde_per_delegate * Rational(*ap->delegates);
  }
  if (exact) {
    const Count holders =
        u.elects > 0 ? std::min<Count>(u.elects, static_cast<Count>(n)) : static_cast<Count>(n);
    // No slack when every multiple of the per-delegate SDE is already at sde_places.
    const bool rounds =
        u.elects == 0 || !(*exact * Rational(m.scale) / Rational(u.elects)).is_integer();
    const Rational slack = exact->is_zero() || !rounds ? Rational(0) : Rational(holders, 2);
    u.max_units = (*exact * Rational(m.scale) + slack).Ceil();
    u.capped = true;
  }
  if (u.elects == 0) return Status::Ok();
  std::vector<Count> ladder(static_cast<size_t>(u.elects) + 1);
  std::iota(ladder.begin(), ladder.end(), Count{0});
  std::vector<Rational> per = SdeFromDelegates(m.ruleset->precinct, ladder, u.elects, *ap);
  if (per.size() != ladder.size()) {
    u.elects = 0;  // no ratio: SDEs cannot follow from delegates
    return Status::Ok();
  }
  u.sde_of.resize(per.size());
  for (size_t d = 0; d < per.size(); ++d) {
    auto units = Units(per[d], m.scale);
    if (!units) return Status::InvalidArgument("an SDE is finer than sde_places");
    u.sde_of[d] = *units;
  }
  // Delegates: reported, computed, or (reported SDEs only) the whole number of delegates nearest
  // to SDE / ratio, as the party derived the SDEs from them.
  const Rational unit_sde = Rational(u.sde_of.back(), m.scale) / Rational(u.elects);
  if (side == ResultSide::kComputed) {
    if (check.computed && check.computed->complete() && check.computed->delegates.size() == n) {
      u.delegates = check.computed->delegates;
    }
  } else {
    bool all = n > 0;
    for (const CandidateReport& f : report.figures) all = all && f.delegates.has_value();
    if (all) {
      for (const CandidateReport& f : report.figures) u.delegates.push_back(*f.delegates);
    } else if (!u.sigma.empty() && !unit_sde.is_zero()) {
      for (size_t c = 0; c < n; ++c) {
        u.delegates.push_back((Rational(u.sigma[c], m.scale) / unit_sde)
                                  .RoundTo(0, DecimalRounding::kHalfUp)
                                  .Floor());
      }
    }
  }
  for (Count d : u.delegates) {
    if (d < 0 || d > u.elects) {
      u.delegates.clear();  // a report beyond the rules: no move can start from it
      break;
    }
  }
  return Status::Ok();
}

Status BuildAssertions(Model& m) {
  const NationalRules& rules = *m.rules;
  m.pool_empty.assign(rules.pools.size(), false);
  for (size_t p = 0; p < rules.pools.size(); ++p) {
    const PoolAllocation& alloc = m.outcome.pools[p];
    m.pool_empty[p] = alloc.total_vote.is_zero();
    auto pool = PoolAssertions(rules, p, alloc);
    if (!pool.ok()) return pool.status();
    for (Assertion& a : *pool) m.assertions.push_back(std::move(a));
  }
  // Integers: W = w x L with L the weights' common denominator, margin = G x L x scale (totals
  // are whole units, weights whole once scaled, so the product is whole).
  for (const Assertion& a : m.assertions) {
    for (const Rational& w : a.weights) {
      const int64_t l = std::lcm(m.weight_scale, w.den());
      if (l > 1'000'000'000'000) {
        return Status::InvalidArgument(
            "the assertions' weights have no common denominator below 10^12: the threshold is "
            "too fine for materiality");
      }
      m.weight_scale = l;
    }
  }
  const auto wide_scale = static_cast<__int128>(m.weight_scale) * m.scale;
  m.W.reserve(m.assertions.size());
  for (const Assertion& a : m.assertions) {
    std::vector<int64_t> w(m.n);
    int64_t least = 0;
    for (size_t c = 0; c < m.n; ++c) {
      const __int128 scaled =
          static_cast<__int128>(a.weights[c].num()) * (m.weight_scale / a.weights[c].den());
      if (!Fits(scaled)) return Status::InvalidArgument("an assertion's weight is too large");
      w[c] = static_cast<int64_t>(scaled);
      least = std::min(least, w[c]);
    }
    m.W.push_back(std::move(w));
    m.wmin.push_back(-least);
    if (wide_scale % a.margin.den() != 0) {
      return Status::InvalidArgument(
          "a pool total is finer than sde_places; materiality needs every SDE at that precision");
    }
    const __int128 g = static_cast<__int128>(a.margin.num()) * (wide_scale / a.margin.den());
    if (!Fits(g)) {
      return Status::InvalidArgument(
          fmt::format("an assertion's margin {} is too large for materiality's integers",
                      a.margin.ToShortDecimal()));
    }
    m.margin.push_back(static_cast<int64_t>(g));
  }
  m.of_district.assign(m.districts.size(), {});
  for (size_t j = 0; j < m.assertions.size(); ++j) {
    const NationalPool& pool = rules.pools[m.assertions[j].pool];
    if (pool.scope == PoolScope::kStatewide) {
      m.statewide.push_back(j);
      continue;
    }
    for (size_t d = 0; d < m.districts.size(); ++d) {
      if (m.districts[d] == pool.district) m.of_district[d].push_back(j);
    }
  }
  return Status::Ok();
}

Result<Model> BuildModel(const Ruleset& ruleset, const Election& election,
                         const std::vector<PrecinctCheck>& checks, ResultSide side) {
  CANVASS_RETURN_IF_ERROR(CheckRules(ruleset));
  if (checks.size() != election.reports.size()) {
    return Status::InvalidArgument(
        fmt::format("{} precinct checks for {} reports", checks.size(), election.reports.size()));
  }
  Model m;
  m.ruleset = &ruleset;
  m.rules = &*ruleset.national;
  m.n = election.candidates.size();
  for (int i = 0; i < ruleset.precinct.sde_places; ++i) m.scale *= 10;

  // The pool totals and the outcome are the tabulation's, side for side.
  auto tab = Tabulate(ruleset, election, checks);
  if (!tab.ok()) return tab.status();
  const Totals& totals = side == ResultSide::kReported ? tab->reported : tab->computed;
  if (!totals.national) {
    return Status::InvalidArgument(fmt::format(
        "the {} side has no national allocation: {} precincts have no SDEs on it",
        side == ResultSide::kReported ? "reported" : "computed", totals.precincts_without_sde));
  }
  m.outcome = *totals.national;
  std::unordered_map<std::string, int32_t> district_index;
  for (const auto& [name, area] : totals.districts) {
    district_index.emplace(name, static_cast<int32_t>(m.districts.size()));
    m.districts.push_back(name);
  }
  CANVASS_RETURN_IF_ERROR(BuildAssertions(m));
  for (size_t d = 0; d < m.districts.size(); ++d) {
    std::vector<Rational> x(m.n);
    const AreaTotals& area = totals.districts.at(m.districts[d]);
    for (size_t c = 0; c < m.n; ++c) x[c] = area.candidates[c].sde;
    m.votes.districts.emplace(m.districts[d], std::move(x));
  }
  m.votes.state.resize(m.n);
  for (size_t c = 0; c < m.n; ++c) m.votes.state[c] = totals.state.candidates[c].sde;

  std::unordered_map<std::string, const PrecinctApportionment*> apportioned;
  apportioned.reserve(election.apportionment.size());
  for (const PrecinctApportionment& a : election.apportionment) {
    apportioned.emplace(Key(a.county, a.precinct), &a);
  }
  m.units.resize(election.reports.size());
  for (size_t i = 0; i < election.reports.size(); ++i) {
    const PrecinctReport& r = election.reports[i];
    auto it = apportioned.find(Key(r.county, r.precinct));
    const PrecinctApportionment* ap = it == apportioned.end() ? nullptr : it->second;
    CANVASS_RETURN_IF_ERROR(
        BuildUnit(m, election, i, checks[i], ap, side, district_index, m.units[i]));
  }
  return m;
}

const std::vector<size_t>& DistrictAssertions(const Model& m, int32_t district) {
  static const std::vector<size_t> kNone;
  return district < 0 ? kNone : m.of_district[static_cast<size_t>(district)];
}

template <typename F>
void ForEachAssertion(const Model& m, const Unit& u, F f) {
  for (size_t j : m.statewide) f(j);
  for (size_t j : DistrictAssertions(m, u.district)) f(j);
}

bool InEmptyPool(const Model& m, const Unit& u) {
  for (size_t p = 0; p < m.rules->pools.size(); ++p) {
    if (m.pool_empty[p] && PoolCovers(m.rules->pools[p], m, u.district)) return true;
  }
  return false;
}

// The national pools with `delta` (SDE units per candidate) added to the precinct's pools, and
// the pools whose seats differ from the outcome (a pending tie counts as a difference).
Result<std::vector<PoolChange>> Recompute(const Model& m, const Unit& u,
                                          const std::vector<int64_t>& delta,
                                          NationalAllocation* recomputed = nullptr) {
  NationalVotes votes = m.votes;
  for (size_t c = 0; c < m.n; ++c) {
    if (delta[c] == 0) continue;
    const Rational d(delta[c], m.scale);
    votes.state[c] += d;
    if (u.district >= 0) votes.districts[m.districts[static_cast<size_t>(u.district)]][c] += d;
  }
  auto national = AllocateNational(*m.rules, votes);
  if (!national.ok()) return national.status();
  std::vector<PoolChange> changes;
  for (size_t p = 0; p < national->pools.size(); ++p) {
    const PoolAllocation& after = national->pools[p];
    const PoolAllocation& before = m.outcome.pools[p];
    if (after.delegates == before.delegates && !after.pending_tie) continue;
    changes.push_back({p, before.delegates, after.delegates, after.pending_tie.has_value()});
  }
  if (recomputed != nullptr) *recomputed = std::move(national).value();
  return changes;
}

// True when adding `delta` to the totals breaks (or brings to equality) some assertion of the
// precinct's pools: only then can the outcome change.
bool BreaksAny(const Model& m, const Unit& u, const std::vector<int64_t>& delta,
               const std::vector<size_t>& changed) {
  bool breaks = false;
  ForEachAssertion(m, u, [&](size_t j) {
    if (breaks) return;
    __int128 s = 0;
    for (size_t c : changed) s += static_cast<__int128>(m.W[j][c]) * delta[c];
    if (s + m.margin[j] <= 0) breaks = true;
  });
  return breaks;
}

Result<std::optional<PrecinctChange>> SmallestChange(const Model& m, const Unit& u) {
  if (u.elects <= 0 || u.sigma.empty() || u.delegates.size() != m.n) {
    return std::optional<PrecinctChange>();
  }
  const size_t n = m.n;
  std::vector<int64_t> delta(n, 0);
  std::vector<size_t> changed;
  auto found = [&](std::optional<CandidateIndex> from, CandidateIndex to, Count k,
                   std::vector<Count> after,
                   std::vector<PoolChange> pools) -> Result<std::optional<PrecinctChange>> {
    PrecinctChange change;
    change.from = from;
    change.to = to;
    change.delegates = k;
    int64_t moved = 0;
    for (size_t c = 0; c < n; ++c) moved += delta[c] < 0 ? -delta[c] : delta[c];
    change.sde_moved = Rational(moved, 2 * m.scale);
    change.sde_after.resize(n);
    for (size_t c = 0; c < n; ++c) change.sde_after[c] = Rational(u.sigma[c] + delta[c], m.scale);
    change.delegates_after = std::move(after);
    change.pools = std::move(pools);
    return std::optional<PrecinctChange>(std::move(change));
  };
  for (Count k = 1; k <= u.elects; ++k) {
    // k delegates from one candidate to another.
    for (CandidateIndex a = 0; a < n; ++a) {
      if (u.delegates[a] < k) continue;
      for (CandidateIndex b = 0; b < n; ++b) {
        if (a == b || u.delegates[b] + k > u.elects) continue;
        std::fill(delta.begin(), delta.end(), 0);
        delta[a] = u.sde_of[static_cast<size_t>(u.delegates[a] - k)] - u.sigma[a];
        delta[b] = u.sde_of[static_cast<size_t>(u.delegates[b] + k)] - u.sigma[b];
        changed = {a, b};
        if (!BreaksAny(m, u, delta, changed)) continue;
        auto pools = Recompute(m, u, delta);
        if (!pools.ok()) return pools.status();
        if (pools->empty()) continue;
        std::vector<Count> after = u.delegates;
        after[a] -= k;
        after[b] += k;
        return found(a, b, k, std::move(after), std::move(pools).value());
      }
    }
    // Every delegate to one candidate, when that moves k of them from several candidates.
    for (CandidateIndex b = 0; b < n; ++b) {
      if (u.elects - u.delegates[b] != k) continue;
      int64_t givers = 0;
      for (size_t c = 0; c < n; ++c) givers += c != b && u.delegates[c] > 0;
      if (givers < 2) continue;  // one giver: the move above already tried it
      changed.clear();
      for (size_t c = 0; c < n; ++c) {
        delta[c] = (c == b ? u.sde_of.back() : 0) - u.sigma[c];
        if (delta[c] != 0) changed.push_back(c);
      }
      if (!BreaksAny(m, u, delta, changed)) continue;
      auto pools = Recompute(m, u, delta);
      if (!pools.ok()) return pools.status();
      if (pools->empty()) continue;
      std::vector<Count> after(n, 0);
      after[b] = u.elects;
      return found(std::nullopt, b, k, std::move(after), std::move(pools).value());
    }
  }
  return std::optional<PrecinctChange>();
}

std::string SeatsText(const std::vector<Count>& seats, const std::vector<size_t>& who) {
  std::vector<std::string> parts;
  for (size_t c : who) parts.push_back(std::to_string(seats[c]));
  return fmt::format("{}", fmt::join(parts, "-"));
}

std::string PoolChangeText(const std::vector<std::string>& candidates,
                           const NationalAllocation& outcome, const PoolChange& change) {
  const std::string& pool = outcome.pools[change.pool].name;
  std::vector<size_t> who;
  for (size_t c = 0; c < change.before.size(); ++c) {
    if (change.before[c] != change.after[c]) who.push_back(c);
  }
  if (change.tie) {
    return fmt::format("{}: the last seat goes to a drawing of lots", pool);
  }
  if (who.size() == 2) {
    return fmt::format("{} {} {}-{} {} becomes {}", pool, candidates[who[0]], change.before[who[0]],
                       change.before[who[1]], candidates[who[1]], SeatsText(change.after, who));
  }
  std::vector<std::string> parts;
  for (size_t c : who) {
    parts.push_back(fmt::format("{} {} to {}", candidates[c], change.before[c], change.after[c]));
  }
  return fmt::format("{}: {}", pool, fmt::join(parts, ", "));
}

nlohmann::json PoolChangesJson(const std::vector<std::string>& candidates,
                               const NationalAllocation& outcome,
                               const std::vector<PoolChange>& changes) {
  nlohmann::json out = nlohmann::json::array();
  for (const PoolChange& ch : changes) {
    nlohmann::json before = nlohmann::json::object();
    nlohmann::json after = nlohmann::json::object();
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (ch.before[c] == 0 && ch.after[c] == 0) continue;
      before[candidates[c]] = ch.before[c];
      after[candidates[c]] = ch.after[c];
    }
    out.push_back({{"pool", outcome.pools[ch.pool].name},
                   {"before", std::move(before)},
                   {"after", std::move(after)},
                   {"tie", ch.tie},
                   {"text", PoolChangeText(candidates, outcome, ch)}});
  }
  return out;
}

// Why an assertion whose margin is not positive leaves its precincts without a bound.
std::string UnconfirmedReason(const Assertion& a, const std::vector<std::string>& candidates,
                              const NationalAllocation& outcome) {
  const std::string what = a.Describe(candidates, outcome);
  if (a.rounding == SharePrecision::kExact) {
    return fmt::format("{}: the margin is {}; the assertion holds only at equality", what,
                       a.margin.ToDecimal(4));
  }
  return fmt::format(
      "{}: cannot be confirmed from exact shares, the reported outcome is within the rounding "
      "step (margin {} on exact shares, {} after the rounding allowance of {})",
      what, a.exact_margin.ToDecimal(4), a.margin.ToDecimal(4), a.allowance().ToDecimal(4));
}

}  // namespace

Rational AssertionMargin(const Assertion& assertion, const std::vector<Rational>& x) {
  return Weigh(assertion.weights, x);
}

Result<std::vector<Assertion>> PoolAssertions(const NationalRules& rules, size_t p,
                                              const PoolAllocation& alloc) {
  if (p >= rules.pools.size()) {
    return Status::InvalidArgument(
        fmt::format("pool #{} is not among the rules' {} pools", p, rules.pools.size()));
  }
  CANVASS_RETURN_IF_ERROR(CheckAllocationRules(rules, "the national rules"));
  const NationalPool& pool = rules.pools[p];
  if (alloc.pending_tie) {
    return Status::InvalidArgument(fmt::format(
        "pool {} is tied for its last seat(s) and waits for a drawing of lots: materiality "
        "starts from a settled outcome",
        pool.name));
  }
  std::vector<Assertion> out;
  if (alloc.total_vote.is_zero()) return out;
  if (alloc.fallback_applied) {
    return Status::InvalidArgument(fmt::format(
        "pool {}: nobody reached the threshold and the fallback applied; the assertions do not "
        "describe a fallback allocation",
        pool.name));
  }
  const size_t n = alloc.votes.size();
  if (alloc.qualified.size() != n || alloc.delegates.size() != n) {
    return Status::InvalidArgument(
        fmt::format("pool {}: the allocation has {} votes but {} qualified flags and {} seats",
                    pool.name, n, alloc.qualified.size(), alloc.delegates.size()));
  }
  const std::vector<Rational>& x = alloc.votes;
  const SharePrecision precision = rules.share_precision;
  const Rational line = ViabilityLine(rules);
  // c's share of the pool reaches t (viable) or stays below it: (1 - t) x_c - t (X - x_c).
  auto viability = [n](CandidateIndex c, const Rational& t, bool viable) {
    std::vector<Rational> w(n, viable ? -t : t);
    w[c] = viable ? Rational(1) - t : t - Rational(1);
    return w;
  };
  for (CandidateIndex c = 0; c < n; ++c) {
    Assertion a;
    a.kind = alloc.qualified[c] ? AssertionKind::kViable : AssertionKind::kNotViable;
    a.pool = p;
    a.a = c;
    a.rounding = precision;
    a.threshold = line;
    a.weights = viability(c, line, alloc.qualified[c]);
    a.margin = AssertionMargin(a, x);
    a.exact_margin = line == rules.threshold
                         ? a.margin
                         : Weigh(viability(c, rules.threshold, alloc.qualified[c]), x);
    out.push_back(std::move(a));
  }
  // i keeps its seats against j: S (x_i - x_j) + k Y > 0, k = 1 - s_i + s_j. With rounded shares
  // the quotas are S round(x/Y), each within hS of S x/Y, so the pair's slacks differ from the
  // exact ones by less than 2hS; taking 2hS Y from the margin makes the condition sufficient.
  const Rational allowance = HalfStep(precision) * Rational(2) * Rational(pool.size);
  for (CandidateIndex i = 0; i < n; ++i) {
    for (CandidateIndex j = 0; j < n; ++j) {
      if (i == j || !alloc.qualified[i] || !alloc.qualified[j]) continue;
      const Rational k(1 - alloc.delegates[i] + alloc.delegates[j]);
      auto pair = [&](const Rational& less) {
        std::vector<Rational> w(n, Rational(0));
        for (size_t o = 0; o < n; ++o) {
          if (alloc.qualified[o]) w[o] = k - less;
        }
        w[i] = Rational(pool.size) + k - less;
        w[j] = -Rational(pool.size) + k - less;
        return w;
      };
      Assertion a;
      a.kind = AssertionKind::kHamilton;
      a.pool = p;
      a.a = i;
      a.b = j;
      a.rounding = precision;
      a.weights = pair(allowance);
      a.margin = AssertionMargin(a, x);
      a.exact_margin = allowance.is_zero() ? a.margin : Weigh(pair(Rational(0)), x);
      out.push_back(std::move(a));
    }
  }
  return out;
}

std::string Assertion::Describe(const std::vector<std::string>& candidates,
                                const NationalAllocation& outcome) const {
  const PoolAllocation& p = outcome.pools[pool];
  const bool rounded = rounding != SharePrecision::kExact;
  switch (kind) {
    case AssertionKind::kViable:
      return fmt::format("{}: {} viable{}", p.name, candidates[a],
                         rounded ? fmt::format(" ({} shares: at least {} of the pool)",
                                               PrecisionName(rounding), threshold.ToShortDecimal())
                                 : "");
    case AssertionKind::kNotViable:
      return fmt::format("{}: {} not viable{}", p.name, candidates[a],
                         rounded ? fmt::format(" ({} shares: below {} of the pool)",
                                               PrecisionName(rounding), threshold.ToShortDecimal())
                                 : "");
    case AssertionKind::kHamilton:
      return fmt::format(
          "{}: {} {} against {} {}{}", p.name, candidates[a], p.delegates[a], candidates[b],
          p.delegates[b],
          rounded
              ? fmt::format(" ({} shares: margin less {} x the qualified SDEs)",
                            PrecisionName(rounding),
                            (HalfStep(rounding) * Rational(2) * Rational(p.size)).ToShortDecimal())
              : "");
  }
  return "";
}

std::string PrecinctChange::Describe(const std::vector<std::string>& candidates,
                                     const NationalAllocation& outcome) const {
  std::vector<std::string> effects;
  for (const PoolChange& p : pools) effects.push_back(PoolChangeText(candidates, outcome, p));
  const std::string what =
      from ? fmt::format("move {} county delegate{} from {} to {}", delegates,
                         delegates == 1 ? "" : "s", candidates[*from], candidates[to])
           : fmt::format("give every county delegate to {} ({} moved)", candidates[to], delegates);
  return fmt::format("{} ({} SDE): {}", what, sde_moved.ToDecimal(4), fmt::join(effects, "; "));
}

Result<Materiality> ComputeMateriality(const Ruleset& ruleset, const Election& election,
                                       const std::vector<PrecinctCheck>& checks,
                                       const MaterialityOptions& options) {
  auto model = BuildModel(ruleset, election, checks, options.side);
  if (!model.ok()) return model.status();
  const Model& m = *model;
  Materiality out;
  out.side = options.side;
  out.candidates = election.candidates;
  out.outcome = m.outcome;
  out.assertions = m.assertions;
  out.districts = m.districts;
  out.precincts.resize(election.reports.size());
  for (size_t i = 0; i < election.reports.size(); ++i) {
    const Unit& u = m.units[i];
    PrecinctMateriality& pm = out.precincts[i];
    pm.county = election.reports[i].county;
    pm.precinct = election.reports[i].precinct;
    pm.has_figures = !u.sigma.empty();
    pm.sde.reserve(u.sigma.size());
    for (int64_t s : u.sigma) pm.sde.emplace_back(s, m.scale);
    if (u.capped) pm.max_sde = Rational(u.max_units, m.scale);
    pm.district = u.district;
    pm.bounded = pm.has_figures && u.capped && !InEmptyPool(m, u);
    if (!pm.has_figures) {
      pm.unbounded_reason = "no SDEs on this side";
    } else if (!u.capped) {
      pm.unbounded_reason = "no apportioned SDE total";
    } else if (!pm.bounded) {
      pm.unbounded_reason = "a pool it enters has no votes: any vote there may move a seat";
    }
    if (pm.bounded) {
      // u_p^j = (g_p x L x scale + |wmin| x Smax) / (G x L x scale); the largest, compared
      // exactly by cross-multiplying.
      __int128 best_num = -1;
      __int128 best_den = 1;
      ForEachAssertion(m, u, [&](size_t j) {
        if (!pm.bounded) return;
        __int128 g = 0;
        for (size_t c = 0; c < m.n; ++c) g += static_cast<__int128>(m.W[j][c]) * u.sigma[c];
        const __int128 num = g + static_cast<__int128>(m.wmin[j]) * u.max_units;
        const __int128 den = m.margin[j];
        if (den <= 0) {  // any change may tip it: nothing to divide by
          pm.bounded = false;
          pm.assertion = j;
          pm.unbounded_reason = UnconfirmedReason(m.assertions[j], election.candidates, m.outcome);
          return;
        }
        if (!pm.assertion || num * best_den > best_num * den) {
          best_num = num;
          best_den = den;
          pm.assertion = j;
        }
      });
      if (pm.bounded && pm.assertion) {
        if (Fits(best_num) && Fits(best_den)) {
          pm.bound = Rational(static_cast<int64_t>(best_num), static_cast<int64_t>(best_den));
        } else {  // too wide for a Rational: 12 places, rounded up (the test below is exact)
          const __int128 q = best_num * 1'000'000'000'000 / best_den + 1;
          pm.bound = Rational(static_cast<int64_t>(q), 1'000'000'000'000);
          if (best_num >= best_den && pm.bound < Rational(1)) pm.bound = Rational(1);
        }
      } else if (pm.bounded) {
        pm.bound = Rational(0);  // no pool covers it
      }
    }
    if (!pm.possibly_material()) continue;
    ++out.possibly_material;
    if (!options.search) continue;
    auto change = SmallestChange(m, u);
    if (!change.ok()) return change.status();
    pm.smallest = std::move(change).value();
    if (pm.smallest) {
      ++out.material;
      ++(pm.smallest->from ? out.by_pair : out.by_whole);
    }
  }
  return out;
}

Result<Eligibility> CheckEligibility(const Ruleset& ruleset, const Election& election,
                                     const std::vector<PrecinctCheck>& checks,
                                     const std::string& county, const std::string& precinct,
                                     const std::vector<ClaimedFigure>& claims, ResultSide side) {
  size_t index = election.reports.size();
  for (size_t i = 0; i < election.reports.size(); ++i) {
    if (election.reports[i].county == county && election.reports[i].precinct == precinct) {
      index = i;
      break;
    }
  }
  if (index == election.reports.size()) {
    return Status::InvalidArgument(
        fmt::format("precinct {} / {} is not in the election's results", county, precinct));
  }
  if (claims.empty()) return Status::InvalidArgument("no claimed figure: nothing to check");
  auto model = BuildModel(ruleset, election, checks, side);
  if (!model.ok()) return model.status();
  const Model& m = *model;
  const Unit& u = m.units[index];
  const PrecinctReport& report = election.reports[index];
  const size_t n = m.n;
  if (u.sigma.empty()) {
    return Status::InvalidArgument(
        fmt::format("{} / {} has no SDEs on this side: there is nothing to compare a claim with",
                    county, precinct));
  }
  bool any_sde = false, any_delegates = false, any_alignment = false;
  for (const ClaimedFigure& f : claims) {
    if (f.candidate >= n) return Status::InvalidArgument("a claim names an unknown candidate");
    const std::string& who = election.candidates[f.candidate];
    if (f.value.is_negative()) {
      return Status::InvalidArgument(fmt::format("{} / {}: {}'s claimed figure {} is negative",
                                                 county, precinct, who, f.value.ToString()));
    }
    if (f.field != ClaimField::kSde && !f.value.is_integer()) {
      return Status::InvalidArgument(fmt::format(
          "{} / {}: {}'s claimed {} {} is not a whole number", county, precinct, who,
          f.field == ClaimField::kDelegates ? "delegates" : "head count", f.value.ToString()));
    }
    any_sde = any_sde || f.field == ClaimField::kSde;
    any_delegates = any_delegates || f.field == ClaimField::kDelegates;
    any_alignment = any_alignment || f.field == ClaimField::kFirst || f.field == ClaimField::kFinal;
  }
  if (any_sde + any_delegates + any_alignment > 1) {
    return Status::InvalidArgument(
        "claim SDEs, delegates or alignments, not a mix: each gives the SDEs a different way");
  }
  std::vector<int64_t> claimed = u.sigma;
  if (any_sde) {
    for (const ClaimedFigure& f : claims) {
      auto units = Units(f.value, m.scale);
      if (!units) {
        return Status::InvalidArgument(fmt::format(
            "{} / {}: {}'s claimed SDE {} has more than {} decimal places", county, precinct,
            election.candidates[f.candidate], f.value.ToString(), ruleset.precinct.sde_places));
      }
      claimed[f.candidate] = *units;
    }
  } else if (any_delegates) {
    if (u.elects <= 0 || u.delegates.size() != n) {
      return Status::InvalidArgument(
          fmt::format("{} / {}: its delegates are not known on this side; claim its SDEs instead",
                      county, precinct));
    }
    std::vector<Count> d = u.delegates;
    for (const ClaimedFigure& f : claims) d[f.candidate] = f.value.num();
    const Count total = std::accumulate(d.begin(), d.end(), Count{0});
    if (total != u.elects) {
      return Status::InvalidArgument(
          fmt::format("{} / {}: the claimed delegates add up to {}, but the precinct elects {}",
                      county, precinct, total, u.elects));
    }
    for (size_t c = 0; c < n; ++c) {
      if (d[c] != u.delegates[c]) claimed[c] = u.sde_of[static_cast<size_t>(d[c])];
    }
  } else {
    PrecinctReport changed = report;
    for (CandidateReport& f : changed.figures) {
      f.delegates.reset();
      f.sde.reset();
    }
    for (const ClaimedFigure& f : claims) {
      CandidateReport& r = changed.figures[f.candidate];
      (f.field == ClaimField::kFirst ? r.first : r.final) = f.value.num();
    }
    PrecinctCheck check = CheckPrecinct(ruleset, election.candidates, changed, u.apportionment);
    if (check.computed_sde.size() != n) {
      std::string why = "the rules cannot allocate them";
      for (const Finding& f : check.findings) {
        if (f.severity == Severity::kError) {
          why = f.message;
          break;
        }
      }
      if (check.computed && check.computed->pending_tie) why = "they end in a tie for chance";
      if (check.computed && !check.computed->must_realign.empty()) {
        why = "they leave more viable groups than delegates (a realignment)";
      }
      return Status::InvalidArgument(
          fmt::format("{} / {}: the claimed alignments give no SDEs: {}", county, precinct, why));
    }
    for (size_t c = 0; c < n; ++c) {
      auto units = Units(check.computed_sde[c], m.scale);
      if (!units) return Status::InvalidArgument("a computed SDE is finer than sde_places");
      claimed[c] = *units;
    }
  }
  Eligibility e;
  e.county = county;
  e.precinct = precinct;
  e.outcome = m.outcome;
  std::vector<int64_t> delta(n);
  std::vector<size_t> changed;
  for (size_t c = 0; c < n; ++c) {
    e.sde_before.push_back(Rational(u.sigma[c], m.scale));
    e.sde_claimed.push_back(Rational(claimed[c], m.scale));
    delta[c] = claimed[c] - u.sigma[c];
    if (delta[c] != 0) changed.push_back(c);
  }
  auto pools = Recompute(m, u, delta, &e.recomputed);
  if (!pools.ok()) return pools.status();
  e.pools = std::move(pools).value();
  ForEachAssertion(m, u, [&](size_t j) {
    __int128 s = 0;
    for (size_t c : changed) s += static_cast<__int128>(m.W[j][c]) * delta[c];
    if (s + m.margin[j] <= 0) e.failed.push_back(m.assertions[j]);
  });
  return e;
}

nlohmann::json MaterialityToJson(const Ruleset& ruleset, const Materiality& mat) {
  const int places = ruleset.precinct.sde_places;
  nlohmann::json pools = nlohmann::json::array();
  for (const PoolAllocation& p : mat.outcome.pools) {
    nlohmann::json seats = nlohmann::json::object();
    for (size_t c = 0; c < mat.candidates.size(); ++c) {
      if (p.delegates[c] > 0) seats[mat.candidates[c]] = p.delegates[c];
    }
    pools.push_back({{"name", p.name}, {"size", p.size}, {"allocation", std::move(seats)}});
  }
  nlohmann::json precincts = nlohmann::json::array();
  for (const PrecinctMateriality& p : mat.precincts) {
    nlohmann::json row = {{"county", p.county},
                          {"precinct", p.precinct},
                          {"bounded", p.bounded},
                          {"possibly_material", p.possibly_material()},
                          {"material", p.smallest.has_value()}};
    if (p.bounded) {
      row["bound"] = p.bound.ToDecimal(4);
      row["bound_exact"] = p.bound.ToString();
    } else {
      row["bound"] = nullptr;
      row["unbounded_reason"] = p.unbounded_reason;
    }
    row["assertion"] =
        p.assertion
            ? nlohmann::json(mat.assertions[*p.assertion].Describe(mat.candidates, mat.outcome))
            : nlohmann::json();
    if (p.smallest) {
      const PrecinctChange& ch = *p.smallest;
      nlohmann::json sde = nlohmann::json::object();
      nlohmann::json dels = nlohmann::json::object();
      for (size_t c = 0; c < mat.candidates.size(); ++c) {
        if (ch.sde_after[c].is_zero() && ch.delegates_after[c] == 0) continue;
        sde[mat.candidates[c]] = ch.sde_after[c].ToDecimal(places);
        dels[mat.candidates[c]] = ch.delegates_after[c];
      }
      row["smallest_change"] = {
          {"from", ch.from ? nlohmann::json(mat.candidates[*ch.from]) : nlohmann::json()},
          {"to", mat.candidates[ch.to]},
          {"delegates", ch.delegates},
          {"sde_moved", ch.sde_moved.ToDecimal(places)},
          {"delegates_after", std::move(dels)},
          {"sde_after", std::move(sde)},
          {"pools", PoolChangesJson(mat.candidates, mat.outcome, ch.pools)},
          {"text", ch.Describe(mat.candidates, mat.outcome)}};
    } else {
      row["smallest_change"] = nullptr;
    }
    precincts.push_back(std::move(row));
  }
  return {{"ruleset", {{"name", ruleset.name}, {"hash", ruleset.hash}}},
          {"side", mat.side == ResultSide::kReported ? "reported" : "computed"},
          {"share_precision", PrecisionName(ruleset.national ? ruleset.national->share_precision
                                                             : SharePrecision::kExact)},
          {"national", std::move(pools)},
          {"assertions", static_cast<int64_t>(mat.assertions.size())},
          {"summary",
           {{"precincts", static_cast<int64_t>(mat.precincts.size())},
            {"possibly_material", mat.possibly_material},
            {"material", mat.material},
            {"by_moving_delegates", mat.by_pair},
            {"only_by_all_delegates", mat.by_whole}}},
          {"precincts", std::move(precincts)}};
}

nlohmann::json EligibilityToJson(const Ruleset& ruleset, const std::vector<std::string>& candidates,
                                 const Eligibility& e) {
  const int places = ruleset.precinct.sde_places;
  nlohmann::json sde = nlohmann::json::object();
  for (size_t c = 0; c < candidates.size(); ++c) {
    if (e.sde_before[c].is_zero() && e.sde_claimed[c].is_zero()) continue;
    sde[candidates[c]] = {{"reported", e.sde_before[c].ToDecimal(places)},
                          {"claimed", e.sde_claimed[c].ToDecimal(places)}};
  }
  nlohmann::json failed = nlohmann::json::array();
  for (const Assertion& a : e.failed) failed.push_back(a.Describe(candidates, e.outcome));
  return {{"ruleset", {{"name", ruleset.name}, {"hash", ruleset.hash}}},
          {"county", e.county},
          {"precinct", e.precinct},
          {"sde", std::move(sde)},
          {"eligible", e.eligible()},
          {"pools", PoolChangesJson(candidates, e.outcome, e.pools)},
          {"failed_assertions", std::move(failed)}};
}

}  // namespace canvass
