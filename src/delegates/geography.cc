#include "delegates/geography.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include <fmt/format.h>

namespace canvass {
namespace {

using Wide = __int128;

Wide Abs(Wide v) { return v < 0 ? -v : v; }

Wide Gcd(Wide a, Wide b) {
  a = Abs(a);
  b = Abs(b);
  while (b != 0) {
    const Wide t = a % b;
    a = b;
    b = t;
  }
  return a;
}

std::string WideToString(Wide v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  std::string s;
  for (Wide a = Abs(v); a > 0; a /= 10)
    s.push_back(static_cast<char>('0' + static_cast<int>(a % 10)));
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

// floor(num·10^places / den) for 0 <= num, 0 < den, by long division (no overflow for num < den
// or any num whose integer part fits).
Wide ScaledQuotient(Wide num, Wide den, int places, Wide* remainder) {
  Wide q = num / den;
  Wide r = num % den;
  for (int i = 0; i < places; ++i) {
    r *= 10;
    q = q * 10 + r / den;
    r %= den;
  }
  *remainder = r;
  return q;
}

std::string FixedPoint(Wide scaled, int places, bool negative) {
  const std::string digits = WideToString(scaled);
  const size_t p = static_cast<size_t>(places);
  const std::string padded =
      digits.size() <= p ? std::string(p + 1 - digits.size(), '0') + digits : digits;
  std::string out;
  if (negative && scaled != 0) out.push_back('-');
  out.append(padded, 0, padded.size() - p);
  if (p > 0) {
    out.push_back('.');
    out.append(padded, padded.size() - p, p);
  }
  return out;
}

// floor(√v) by Newton's method from above (it halves each step until it is close).
Wide Isqrt(Wide v) {
  if (v < 2) return v;
  Wide x = v;
  while (true) {
    const Wide y = (x + v / x) / 2;
    if (y >= x) return x;
    x = y;
  }
}

Wide Lcm(Wide a, Wide b) { return a / Gcd(a, b) * b; }

// Wasted votes of each candidate over `pools` with quota V_k/(m_k + extra), extra 1 for Droop
// and 0 for Hare, as fractions over the common denominator `common` (a multiple of every
// m_k + extra).
WasteFigures Waste(const std::vector<PoolAllocation>& pools, size_t n, Count total, Count extra) {
  Wide common = 1;
  for (const PoolAllocation& p : pools) {
    if (p.size + extra > 0) common = Lcm(common, p.size + extra);
  }
  std::vector<Wide> w(n, 0);  // W_i · common
  std::vector<Count> cand(n, 0);
  for (const PoolAllocation& p : pools) {
    const Count vk = p.total_vote.num();  // whole votes: the importer's rule
    const Count div = p.size + extra;
    for (size_t i = 0; i < n; ++i) {
      const Count v = p.votes[i].num();
      cand[i] += v;
      Wide waste = static_cast<Wide>(v) * common;
      if (div > 0) waste -= static_cast<Wide>(p.delegates[i]) * vk * (common / div);
      w[i] += waste;
    }
  }
  WasteFigures f;
  Wide all = 0;
  for (Wide x : w) all += x;
  f.total = WideFraction::Of(all, common);
  for (size_t i = 0; i < n; ++i) {
    f.wasted.push_back(WideFraction::Of(w[i], common));
    // (W_i - (V_i/V)·W)/V = (W_i·V - V_i·W) / V² ; both W over `common`.
    const Wide num = w[i] * total - static_cast<Wide>(cand[i]) * all;
    f.excess.push_back(WideFraction::Of(num, static_cast<Wide>(total) * total * common));
  }
  if (n == 2) f.gap = WideFraction::Of(w[0] - w[1], static_cast<Wide>(total) * common);
  return f;
}

WideFraction Minus(const WideFraction& a, const WideFraction& b) {
  const Wide g = Gcd(a.den, b.den);
  return WideFraction::Of(a.num * (b.den / g) - b.num * (a.den / g), a.den / g * b.den);
}

DisproportionIndices Indices(const std::vector<Count>& seats, const std::vector<Count>& votes,
                             Count m, Count total) {
  // s_i - v_i = (seats_i·V - m·V_i) / (m·V).
  Wide abs_sum = 0, sq_sum = 0;
  for (size_t i = 0; i < seats.size(); ++i) {
    const Wide d = static_cast<Wide>(seats[i]) * total - static_cast<Wide>(m) * votes[i];
    abs_sum += Abs(d);
    sq_sum += d * d;
  }
  DisproportionIndices out;
  const WideFraction lh = WideFraction::Of(abs_sum, 2 * static_cast<Wide>(m) * total);
  out.loosemore_hanby = Rational(static_cast<int64_t>(lh.num), static_cast<int64_t>(lh.den));
  const Wide mv = static_cast<Wide>(m) * total;
  out.gallagher_square = WideFraction::Of(sq_sum, 2 * mv * mv);
  out.gallagher = out.gallagher_square.SqrtDecimal(4);
  return out;
}

}  // namespace

WideFraction WideFraction::Of(__int128 num, __int128 den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const Wide g = Gcd(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  return {num, den};
}

std::string WideFraction::ToString() const {
  if (den == 1) return WideToString(num);
  return WideToString(num) + "/" + WideToString(den);
}

std::string WideFraction::ToDecimal(int places) const {
  Wide rem = 0;
  Wide q = ScaledQuotient(Abs(num), den, places, &rem);
  if (rem * 2 >= den) ++q;
  return FixedPoint(q, places, num < 0);
}

std::string WideFraction::SqrtDecimal(int places) const {
  if (num <= 0) return FixedPoint(0, places, false);
  // √(num/den)·10^p rounded: isqrt(num·10^(2p+2)/den) has one digit more, then round it.
  Wide rem = 0;
  const Wide scaled = ScaledQuotient(num, den, 2 * places + 2, &rem);
  const Wide root = Isqrt(scaled);
  return FixedPoint((root + 5) / 10, places, false);
}

Result<PoolAllocation> AllocatePoolByLots(const NationalRules& rules, const NationalPool& pool,
                                          const std::vector<Rational>& votes,
                                          const std::vector<std::optional<size_t>>& lot_rank) {
  std::vector<PoolTieOutcome> outcomes;
  auto alloc = AllocatePool(rules, pool, votes, outcomes);
  // Each outcome settles one tie; a pool has at most one remainder tie, so this runs once.
  for (int round = 0; round < 4 && alloc.ok() && alloc->pending_tie; ++round) {
    const PoolTieEvent& t = *alloc->pending_tie;
    std::vector<CandidateIndex> ranked = t.candidates;
    for (CandidateIndex c : ranked) {
      if (c >= lot_rank.size() || !lot_rank[c]) return alloc;
    }
    std::sort(ranked.begin(), ranked.end(),
              [&](CandidateIndex a, CandidateIndex b) { return *lot_rank[a] < *lot_rank[b]; });
    ranked.resize(static_cast<size_t>(t.seats_at_stake));
    outcomes.push_back({pool.name, t.candidates, ranked, "the recorded lots"});
    alloc = AllocatePool(rules, pool, votes, outcomes);
  }
  return alloc;
}

Result<GeographyAnalysis> AnalyzePlan(const DistrictPlan& plan, const DistrictVotes& votes,
                                      const GeographyOptions& options) {
  const size_t n = votes.candidates.size();
  if (plan.seats < 1 || plan.seats > kMaxPlanSeats) {
    return Status::InvalidArgument(fmt::format("district {}: seats {} is out of range 1..{}",
                                               plan.district, plan.seats, kMaxPlanSeats));
  }
  if (plan.pools.empty()) {
    return Status::InvalidArgument(
        fmt::format("district {}: the plan has no sub-pools", plan.district));
  }
  if (n == 0 || n > kMaxPlanCandidates) {
    return Status::InvalidArgument(
        fmt::format("{} candidates; a plan is analysed for 1 to {}", n, kMaxPlanCandidates));
  }
  Count sum = 0;
  for (size_t k = 0; k < plan.pools.size(); ++k) {
    const SubPool& p = plan.pools[k];
    if (p.seats < 1 || p.seats > kMaxPlanSeats) {
      return Status::InvalidArgument(fmt::format("sub-pool {}: seats {} is out of range 1..{}",
                                                 p.name, p.seats, kMaxPlanSeats));
    }
    for (size_t j = 0; j < k; ++j) {
      if (plan.pools[j].name == p.name) {
        return Status::InvalidArgument(fmt::format("sub-pool {} is named twice", p.name));
      }
    }
    sum += p.seats;
  }
  if (sum != plan.seats) {
    return Status::InvalidArgument(
        fmt::format("district {}: the sub-pools' seats add up to {}, but the district has {}",
                    plan.district, sum, plan.seats));
  }
  if (votes.pools.size() != plan.pools.size()) {
    return Status::InvalidArgument(fmt::format("votes for {} sub-pools, but the plan has {}",
                                               votes.pools.size(), plan.pools.size()));
  }

  // The waste sums run over a common denominator of every pool's quota divisor; keep it within
  // what 128 bits can multiply by the vote twice.
  constexpr Wide kMaxCommon = 1'000'000'000'000'000;
  Wide hare_common = 1, droop_common = 1;
  for (const SubPool& p : plan.pools) {
    hare_common = Lcm(hare_common, p.seats);
    droop_common = Lcm(droop_common, p.seats + 1);
    if (hare_common > kMaxCommon || droop_common > kMaxCommon) {
      return Status::InvalidArgument(fmt::format(
          "district {}: the sub-pools' sizes are too varied for exact waste figures (the least "
          "common multiple of their seat counts passes 10^15)",
          plan.district));
    }
  }

  GeographyAnalysis a;
  a.plan = plan;
  a.candidates = votes.candidates;
  a.candidate_votes.assign(n, 0);
  std::vector<Count> pool_totals(plan.pools.size(), 0);
  for (size_t k = 0; k < plan.pools.size(); ++k) {
    if (votes.pools[k].size() != n) {
      return Status::InvalidArgument(fmt::format("sub-pool {}: {} vote figures for {} candidates",
                                                 plan.pools[k].name, votes.pools[k].size(), n));
    }
    for (size_t i = 0; i < n; ++i) {
      const Count v = votes.pools[k][i];
      if (v < 0 || v > kMaxPlanVotes) {
        return Status::InvalidArgument(fmt::format("sub-pool {}: {} has {} votes, out of range",
                                                   plan.pools[k].name, votes.candidates[i], v));
      }
      a.candidate_votes[i] += v;
      pool_totals[k] += v;
      a.total_votes += v;
      if (a.total_votes > kMaxPlanVotes) {
        return Status::InvalidArgument(
            fmt::format("the district's votes add up to more than {}", kMaxPlanVotes));
      }
    }
  }
  if (a.total_votes == 0) {
    return Status::InvalidArgument(fmt::format("district {}: no votes", plan.district));
  }

  std::vector<std::optional<size_t>> rank(n);
  for (size_t i = 0; i < options.lots.size(); ++i) {
    if (options.lots[i] >= n) {
      return Status::InvalidArgument(
          fmt::format("the lots name candidate #{}, who does not exist", options.lots[i] + 1));
    }
    if (!rank[options.lots[i]]) rank[options.lots[i]] = i;
  }
  const NationalRules rules;  // the DNC's: 15%, a share at the threshold qualifies, Rule 14.F
  auto allocate = [&](const std::string& name, Count seats,
                      const std::vector<Count>& v) -> Result<PoolAllocation> {
    std::vector<Rational> r(v.begin(), v.end());
    auto alloc =
        AllocatePoolByLots(rules, {name, PoolScope::kDistrict, plan.district, seats}, r, rank);
    if (!alloc.ok()) return alloc.status();
    if (alloc->pending_tie) {
      std::string tied;
      for (CandidateIndex c : alloc->pending_tie->candidates) {
        tied += (tied.empty() ? "" : ", ") + votes.candidates[c];
      }
      return Status::FailedPrecondition(fmt::format(
          "pool {}: {} tie on their remainders for {} seat(s); record the lots drawn (--lots)",
          name, tied, alloc->pending_tie->seats_at_stake));
    }
    for (const PoolTieEvent& t : alloc->resolved_ties) {
      std::string tied;
      for (CandidateIndex c : t.candidates)
        tied += (tied.empty() ? "" : ", ") + votes.candidates[c];
      a.notes.push_back(
          fmt::format("pool {}: the tie between {} was decided by the recorded lots", name, tied));
    }
    if (alloc->fallback_applied) {
      a.notes.push_back(
          fmt::format("pool {}: nobody reached 15%; Rule 14.F fallback applied", name));
    }
    return alloc;
  };

  a.plan_seats.assign(n, 0);
  for (size_t k = 0; k < plan.pools.size(); ++k) {
    auto alloc = allocate(plan.pools[k].name, plan.pools[k].seats, votes.pools[k]);
    if (!alloc.ok()) return alloc.status();
    for (size_t i = 0; i < n; ++i) a.plan_seats[i] += alloc->delegates[i];
    a.pools.push_back(std::move(alloc).value());
  }
  auto base = allocate(plan.district + " (one pool)", plan.seats, a.candidate_votes);
  if (!base.ok()) return base.status();
  a.baseline = std::move(base).value();
  a.baseline_seats = a.baseline.delegates;

  const Rational m(plan.seats);
  for (size_t i = 0; i < n; ++i) {
    a.vote_shares.push_back(Rational(a.candidate_votes[i], a.total_votes));
    const Rational entitled = m * a.vote_shares[i];
    a.bonus.push_back(Rational(a.plan_seats[i]) - entitled);
    a.baseline_bonus.push_back(Rational(a.baseline_seats[i]) - entitled);
    a.map_effect.push_back(a.plan_seats[i] - a.baseline_seats[i]);
  }
  a.plan_indices = Indices(a.plan_seats, a.candidate_votes, plan.seats, a.total_votes);
  a.baseline_indices = Indices(a.baseline_seats, a.candidate_votes, plan.seats, a.total_votes);
  a.droop = Waste(a.pools, n, a.total_votes, 1);
  a.hare = Waste(a.pools, n, a.total_votes, 0);
  a.baseline_droop = Waste({a.baseline}, n, a.total_votes, 1);
  a.baseline_hare = Waste({a.baseline}, n, a.total_votes, 0);
  if (n == 2) {
    a.eg_star = Minus(a.droop.excess[0], a.droop.excess[1]);
    a.eg_delta = Minus(*a.droop.gap, *a.baseline_droop.gap);
  }

  // Warnings.
  for (size_t k = 0; k < plan.pools.size(); ++k) {
    if (plan.pools[k].seats == 1) {
      a.warnings.push_back(fmt::format(
          "sub-pool {} elects 1 delegate: a one-seat pool is won by plurality, as a single-member "
          "district is, and can pack or crack a candidate's vote (DNC Rule 14.G is believed to "
          "bar single-delegate districts; unconfirmed)",
          plan.pools[k].name));
    }
    if (pool_totals[k] == 0) {
      a.warnings.push_back(fmt::format("sub-pool {} has {} seat(s) and no votes",
                                       plan.pools[k].name, plan.pools[k].seats));
    }
  }
  std::optional<size_t> dear, cheap;  // most and fewest seats per voter
  for (size_t k = 0; k < plan.pools.size(); ++k) {
    if (pool_totals[k] == 0) continue;
    const Rational spv(plan.pools[k].seats, pool_totals[k]);
    if (!dear || spv > Rational(plan.pools[*dear].seats, pool_totals[*dear])) dear = k;
    if (!cheap || spv < Rational(plan.pools[*cheap].seats, pool_totals[*cheap])) cheap = k;
  }
  if (dear && cheap) {
    const Rational ratio = Rational(plan.pools[*dear].seats, pool_totals[*dear]) /
                           Rational(plan.pools[*cheap].seats, pool_totals[*cheap]);
    if (ratio > options.seats_per_voter_ratio) {
      a.warnings.push_back(fmt::format(
          "seats per voter differ by {} to 1: sub-pool {} has {} seat(s) for {} votes, sub-pool "
          "{} {} for {} (the limit is {} to 1)",
          ratio.ToDecimal(2), plan.pools[*dear].name, plan.pools[*dear].seats, pool_totals[*dear],
          plan.pools[*cheap].name, plan.pools[*cheap].seats, pool_totals[*cheap],
          options.seats_per_voter_ratio.ToShortDecimal()));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!a.baseline.qualified[i]) continue;
    for (size_t k = 0; k < a.pools.size(); ++k) {
      if (!a.pools[k].qualified[i] && votes.pools[k][i] > 0) {
        a.warnings.push_back(fmt::format(
            "{}'s {} votes in sub-pool {} fall under its 15% threshold ({}%), though {} clears "
            "it district-wide: they elect nobody",
            votes.candidates[i], votes.pools[k][i], plan.pools[k].name,
            (a.pools[k].shares[i] * Rational(100)).ToDecimal(1), votes.candidates[i]));
      }
    }
  }
  return a;
}

}  // namespace canvass
