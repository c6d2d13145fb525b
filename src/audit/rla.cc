#include "audit/rla.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <boost/multiprecision/cpp_int.hpp>

#include "caucus/allocation.h"
#include "core/sha256.h"
#include "core/text.h"
#include "io/csv.h"

namespace canvass {
namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

__int128 Gcd128(__int128 a, __int128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    const __int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

bool Fits(__int128 v) { return v <= kInt64Max && v >= -kInt64Max; }

cpp_int ToBig(__int128 v) {
  const bool negative = v < 0;
  const auto magnitude = static_cast<unsigned __int128>(negative ? -v : v);
  cpp_int out = cpp_int(static_cast<uint64_t>(magnitude >> 64)) << 64;
  out |= cpp_int(static_cast<uint64_t>(magnitude));
  return negative ? cpp_int(-out) : out;
}

// ceil (or floor) of num / den x 10^9, for num >= 0, den > 0; nullopt when it passes 64 bits.
std::optional<int64_t> Scaled(__int128 num, __int128 den, bool up) {
  const __int128 g = Gcd128(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  const __int128 limit = std::numeric_limits<__int128>::max() / kBoundScale;
  if (num > limit) return std::nullopt;
  const __int128 scaled = num * kBoundScale;
  __int128 q = scaled / den;
  if (up && q * den != scaled) ++q;
  if (!Fits(q)) return std::nullopt;
  return static_cast<int64_t>(q);
}

// num / den as a Rational: exact when it fits in 64 bits after reduction, else rounded at 10^-15
// in the direction asked (up for a taint or a bound, so that rounding only adds caution).
Rational Wide(__int128 num, __int128 den, bool up) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const __int128 g = Gcd128(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  if (Fits(num) && Fits(den)) return Rational(static_cast<int64_t>(num), static_cast<int64_t>(den));
  constexpr int64_t kFine = 1'000'000'000'000'000;
  const cpp_int q = ToBig(num) * kFine;
  const cpp_int d = ToBig(den);
  cpp_int r = q / d;
  if (up && r * d != q) ++r;
  return Rational(r.convert_to<int64_t>(), kFine);
}

cpp_int Big(const Rational& r) { return cpp_int(r.num()); }

// The pool of an assertion covers the precinct: statewide pools cover everyone, a district pool
// the precincts of its district.
bool Covers(const Ruleset& ruleset, const Materiality& mat, const Assertion& a,
            const PrecinctMateriality& p) {
  const NationalPool& pool = ruleset.national->pools[a.pool];
  if (pool.scope == PoolScope::kStatewide) return true;
  return p.district >= 0 && mat.districts[static_cast<size_t>(p.district)] == pool.district;
}

// An assertion as integers: weights x L, margin x L x 10^places.
struct IntAssertion {
  std::vector<int64_t> w;
  int64_t wmin = 0;  // |min(0, min w)|
  __int128 margin = 0;
};

int64_t Pow10(int places) {
  int64_t s = 1;
  for (int i = 0; i < places; ++i) s *= 10;
  return s;
}

Result<std::vector<IntAssertion>> IntAssertions(const Materiality& mat, int64_t scale) {
  std::vector<IntAssertion> out;
  out.reserve(mat.assertions.size());
  for (const Assertion& a : mat.assertions) {
    int64_t l = 1;
    for (const Rational& w : a.weights) l = std::lcm(l, w.den());
    IntAssertion ia;
    for (const Rational& w : a.weights) {
      ia.w.push_back(w.num() * (l / w.den()));
      ia.wmin = std::max(ia.wmin, -ia.w.back());
    }
    const __int128 m = static_cast<__int128>(a.margin.num()) * l * scale;
    if (m % a.margin.den() != 0) {
      return Status::InvalidArgument("an assertion's margin is finer than the SDE places");
    }
    ia.margin = m / a.margin.den();
    out.push_back(std::move(ia));
  }
  return out;
}

std::optional<int64_t> Units(const Rational& v, int64_t scale) {
  if (scale % v.den() != 0) return std::nullopt;
  const __int128 u = static_cast<__int128>(v.num()) * (scale / v.den());
  if (!Fits(u)) return std::nullopt;
  return static_cast<int64_t>(u);
}

std::string Key(const std::string& county, const std::string& precinct) {
  return county + '\x1f' + precinct;
}

long double ToLong(const Rational& r) {
  return static_cast<long double>(r.num()) / static_cast<long double>(r.den());
}

// (1 - 1/U)^k <= alpha, exactly: (uN - uD)^k aD <= aN uN^k.
bool PowerAtMost(const Rational& u, const Rational& alpha, int64_t k) {
  const cpp_int base_num = Big(u) - cpp_int(u.den());
  const cpp_int base_den = Big(u);
  const auto e = static_cast<unsigned>(k);
  return boost::multiprecision::pow(base_num, e) * cpp_int(alpha.den()) <=
         cpp_int(alpha.num()) * boost::multiprecision::pow(base_den, e);
}

SampleSize Capped(int64_t draws, int64_t batches) {
  if (draws >= batches) return {batches, true};
  return {draws, false};
}

}  // namespace

Result<SampleSize> FirstRoundSize(const Rational& total_bound, const Rational& risk_limit,
                                  int64_t batches) {
  if (total_bound <= Rational(1)) {
    return Status::InvalidArgument(
        fmt::format("the total error bound U = {} is not above 1: no outcome to audit",
                    total_bound.ToString()));
  }
  if (risk_limit <= Rational(0) || risk_limit >= Rational(1)) {
    return Status::InvalidArgument(
        fmt::format("the risk limit {} is not between 0 and 1", risk_limit.ToString()));
  }
  // The estimate from logarithms; exact integers decide when it is near a whole number (the only
  // case where rounding could move the ceiling) and the power is small enough to compute.
  const long double ratio = std::log(ToLong(risk_limit)) / std::log1p(-1.0L / ToLong(total_bound));
  if (ratio > static_cast<long double>(batches) + 2) return SampleSize{batches, true};
  auto k = static_cast<int64_t>(std::ceil(ratio));
  if (std::fabs(ratio - std::round(ratio)) < 1e-6L * std::max<long double>(1, ratio) &&
      k <= 10'000) {
    while (k > 0 && PowerAtMost(total_bound, risk_limit, k - 1)) --k;
    while (!PowerAtMost(total_bound, risk_limit, k)) ++k;
  }
  return Capped(k + 1, batches);
}

SampleSize NextRoundSize(const Rational& total_bound, const Rational& risk_limit,
                         long double p_value, int64_t batches) {
  if (!std::isfinite(p_value)) return {batches, true};
  const long double ratio =
      (std::log(ToLong(risk_limit)) - std::log(p_value)) / std::log1p(-1.0L / ToLong(total_bound));
  if (ratio > static_cast<long double>(batches) + 2) return {batches, true};
  return Capped(static_cast<int64_t>(std::ceil(std::max<long double>(ratio, 0))) + 1, batches);
}

long double KaplanMarkovFactor(const Rational& total_bound, const Rational& taint) {
  if (taint >= Rational(1)) return std::numeric_limits<long double>::infinity();
  const cpp_rational f =
      cpp_rational(Big(total_bound) - cpp_int(total_bound.den()), Big(total_bound)) *
      cpp_rational(cpp_int(taint.den()), cpp_int(taint.den()) - Big(taint));
  return f.convert_to<long double>();
}

std::string ConsistentTicket(std::string_view seed, std::string_view id) {
  std::string input = Sha256Hex(seed);
  input.append(id);
  std::string digits = cpp_int("0x" + Sha256Hex(input)).str();
  std::reverse(digits.begin(), digits.end());
  return "0." + digits;
}

std::vector<std::string> ConsistentOrder(std::vector<std::string> ids, std::string_view seed) {
  std::vector<std::pair<std::string, std::string>> keyed;
  keyed.reserve(ids.size());
  for (std::string& id : ids) keyed.emplace_back(ConsistentTicket(seed, id), std::move(id));
  // Tickets compare as decimals: as strings, a shorter one is the longer with zeros dropped.
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  out.reserve(keyed.size());
  for (auto& [ticket, id] : keyed) out.push_back(std::move(id));
  return out;
}

std::vector<size_t> DrawPpeb(const std::vector<int64_t>& weights, std::string_view seed,
                             int64_t first, int64_t count) {
  std::vector<cpp_int> cumulative;
  cumulative.reserve(weights.size());
  cpp_int total = 0;
  for (int64_t w : weights) {
    total += w;
    cumulative.push_back(total);
  }
  std::vector<size_t> out;
  if (total <= 0) return out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(count, 0)));
  for (int64_t i = first; i < first + count; ++i) {
    const std::string ticket = ConsistentTicket(seed, std::to_string(i));
    const std::string digits = ticket.substr(2);
    // T = R / 10^L for the L digits R; read without leading zeros (which would mean octal).
    const size_t lead = std::min(digits.find_first_not_of('0'), digits.size() - 1);
    const cpp_int r(digits.substr(lead));
    const cpp_int target =
        r * total / boost::multiprecision::pow(cpp_int(10), static_cast<unsigned>(digits.size()));
    // The first batch whose cumulative weight exceeds the target.
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
    out.push_back(static_cast<size_t>(it - cumulative.begin()));
  }
  return out;
}

Result<RlaPlan> PlanRla(const Ruleset& ruleset, const Materiality& mat,
                        const Rational& risk_limit) {
  if (!ruleset.national) return Status::InvalidArgument("the ruleset has no national rules");
  if (risk_limit <= Rational(0) || risk_limit >= Rational(1)) {
    return Status::InvalidArgument(fmt::format("the risk limit {}% is not between 0 and 100%",
                                               (risk_limit * Rational(100)).ToShortDecimal()));
  }
  if (mat.assertions.empty()) {
    return Status::InvalidArgument("the reported outcome has no assertion: no pool has votes");
  }
  const int64_t scale = Pow10(ruleset.precinct.sde_places);
  auto ints = IntAssertions(mat, scale);
  if (!ints.ok()) return ints.status();

  RlaPlan plan;
  plan.risk_limit = risk_limit;
  plan.batches.reserve(mat.precincts.size());
  __int128 total = 0;
  for (size_t i = 0; i < mat.precincts.size(); ++i) {
    const PrecinctMateriality& p = mat.precincts[i];
    RlaBatch b;
    b.report = i;
    b.county = p.county;
    b.precinct = p.precinct;
    b.assertion = p.assertion;
    if (!p.bounded) {
      plan.unbounded.push_back(fmt::format(
          "{} / {} ({})", p.county, p.precinct,
          !p.unbounded_reason.empty() ? p.unbounded_reason
          : !p.has_figures            ? "no SDEs on this side"
          : !p.max_sde                ? "no apportioned SDE total"
                       : "an assertion of its pools holds only at equality or its pool is empty"));
    } else {
      auto scaled = Scaled(p.bound.num(), p.bound.den(), /*up=*/true);
      if (!scaled) {
        return Status::InvalidArgument(fmt::format("{} / {}: the bound {} is too large to audit",
                                                   p.county, p.precinct, p.bound.ToString()));
      }
      b.bound = *scaled;
      total += b.bound;
    }
    plan.batches.push_back(std::move(b));
  }
  if (!Fits(total)) return Status::InvalidArgument("the total error bound U is too large to audit");
  plan.total = static_cast<int64_t>(total);
  std::sort(plan.batches.begin(), plan.batches.end(), [](const RlaBatch& x, const RlaBatch& y) {
    return std::tie(x.county, x.precinct) < std::tie(y.county, y.precinct);
  });

  // Each assertion's own U_j = (sum of g_p + |wmin| S_pool) / G over the precincts of its pool,
  // from the totals of each district (and of the precincts in no district).
  const size_t n = mat.candidates.size();
  const size_t groups = mat.districts.size() + 1;  // last: statewide only
  std::vector<std::vector<int64_t>> x(groups, std::vector<int64_t>(n, 0));
  std::vector<int64_t> cap(groups, 0);
  // Every precinct with figures and a cap counts, bounded or not: one left without a bound by
  // another assertion (at equality, within the rounding step) still weighs in this one's U_j.
  for (const PrecinctMateriality& p : mat.precincts) {
    if (p.sde.size() != n || !p.max_sde) continue;
    const size_t g = p.district >= 0 ? static_cast<size_t>(p.district) : groups - 1;
    for (size_t c = 0; c < n; ++c) x[g][c] += Units(p.sde[c], scale).value_or(0);
    cap[g] += Units(*p.max_sde, scale).value_or(0);
  }
  for (size_t j = 0; j < mat.assertions.size(); ++j) {
    const Assertion& a = mat.assertions[j];
    const IntAssertion& ia = (*ints)[j];
    const NationalPool& pool = ruleset.national->pools[a.pool];
    __int128 g = 0, s = 0;
    for (size_t d = 0; d < groups; ++d) {
      const bool in = pool.scope == PoolScope::kStatewide ||
                      (d + 1 < groups && mat.districts[d] == pool.district);
      if (!in) continue;
      for (size_t c = 0; c < n; ++c) g += static_cast<__int128>(ia.w[c]) * x[d][c];
      s += cap[d];
    }
    AssertionRisk r;
    r.assertion = j;
    r.margin = a.margin;
    if (ia.margin <= 0) {
      r.first_round = {static_cast<int64_t>(mat.precincts.size()), true};
      plan.assertions.push_back(std::move(r));
      continue;
    }
    const __int128 worst = static_cast<__int128>(ia.wmin) * s;
    if (worst > 0)
      r.diluted_margin = Rational(Scaled(ia.margin, worst, false).value_or(0), kBoundScale);
    auto u = Scaled(g + worst, ia.margin, true);
    if (!u) return Status::InvalidArgument("an assertion's error bound is too large to audit");
    r.total_bound = Rational(*u, kBoundScale);
    if (r.total_bound > Rational(1)) {
      auto size =
          FirstRoundSize(r.total_bound, risk_limit, static_cast<int64_t>(mat.precincts.size()));
      if (!size.ok()) return size.status();
      r.first_round = *size;
    }
    plan.assertions.push_back(std::move(r));
  }
  // An assertion without a positive margin (at equality, or within the rounding step of rounded
  // shares) has no finite U_j: it is the tightest of all.
  std::stable_sort(plan.assertions.begin(), plan.assertions.end(),
                   [](const AssertionRisk& p, const AssertionRisk& q) {
                     const bool p_open = p.margin <= Rational(0);
                     const bool q_open = q.margin <= Rational(0);
                     if (p_open != q_open) return p_open;
                     return p.total_bound > q.total_bound;
                   });
  if (plan.unbounded.empty()) {
    auto size =
        FirstRoundSize(plan.total_bound(), risk_limit, static_cast<int64_t>(plan.batches.size()));
    if (!size.ok()) return size.status();
    plan.first_round = *size;
  } else {
    plan.first_round = {static_cast<int64_t>(plan.batches.size()), true};
  }
  return plan;
}

Result<std::vector<AuditedTally>> ParseRlaTallies(std::string_view text, const std::string& origin,
                                                  const Ruleset& ruleset, const Election& election,
                                                  const Materiality& mat) {
  const size_t n = election.candidates.size();
  const int64_t scale = Pow10(ruleset.precinct.sde_places);
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < mat.precincts.size(); ++i) {
    index.emplace(Key(mat.precincts[i].county, mat.precincts[i].precinct), i);
  }
  std::unordered_map<std::string, const PrecinctApportionment*> apportioned;
  for (const PrecinctApportionment& a : election.apportionment) {
    apportioned.emplace(Key(a.county, a.precinct), &a);
  }
  struct Pending {
    AuditedTally tally;
    size_t report = 0;
    int kind = 0;  // 0 none yet, 1 sde, 2 delegates, 3 unauditable
    std::vector<std::optional<Rational>> figures;
    int64_t last_line = 0;
  };
  std::vector<Pending> pending;
  std::unordered_map<size_t, size_t> by_report;

  CsvReader reader(text, origin);
  bool has = false;
  CANVASS_RETURN_IF_ERROR(reader.Next(&has));
  if (!has) return Status::InvalidArgument(fmt::format("{}: empty file", origin));
  static const char* kHeader[] = {"county", "precinct", "candidate", "figure", "value"};
  if (reader.size() != 5) {
    return reader.ErrorAt(reader.line(), 1,
                          "expected the header county,precinct,candidate,figure,value");
  }
  for (size_t i = 0; i < 5; ++i) {
    if (reader[i] != kHeader[i]) {
      return reader.FieldError(i, fmt::format("expected column \"{}\"", kHeader[i]));
    }
  }
  while (true) {
    CANVASS_RETURN_IF_ERROR(reader.Next(&has));
    if (!has) break;
    const std::string county = NormaliseName(reader[0]);
    const std::string precinct = NormaliseName(reader[1]);
    auto it = index.find(Key(county, precinct));
    if (it == index.end()) {
      return reader.FieldError(
          1, fmt::format("precinct {} / {} is not in the election's results", county, precinct));
    }
    const std::string_view figure = reader[3];
    int kind = 0;
    if (figure == "sde") {
      kind = 1;
    } else if (figure == "delegates") {
      kind = 2;
    } else if (figure == "unauditable") {
      kind = 3;
    } else {
      return reader.FieldError(
          3, fmt::format("unknown figure \"{}\": sde, delegates or unauditable", figure));
    }
    auto [slot, fresh] = by_report.emplace(it->second, pending.size());
    if (fresh) {
      Pending p;
      p.tally.county = county;
      p.tally.precinct = precinct;
      p.tally.line = reader.line();
      p.report = it->second;
      p.figures.assign(n, std::nullopt);
      pending.push_back(std::move(p));
    }
    Pending& p = pending[slot->second];
    p.last_line = reader.line();
    if (p.kind != 0 && p.kind != kind) {
      return reader.FieldError(
          3, fmt::format("{} / {} mixes figures (sde, delegates, unauditable): give one kind",
                         county, precinct));
    }
    p.kind = kind;
    if (kind == 3) {
      if (!reader[2].empty() || !reader[4].empty()) {
        return reader.FieldError(2, "an unauditable precinct has no candidate and no value");
      }
      if (!fresh) {
        return reader.FieldError(
            0, fmt::format("{} / {} is marked unauditable twice", county, precinct));
      }
      continue;
    }
    auto candidate = election.FindCandidate(NormaliseName(reader[2]));
    if (!candidate) {
      return reader.FieldError(
          2, fmt::format("no candidate \"{}\" in the results", NormaliseName(reader[2])));
    }
    if (p.figures[*candidate]) {
      return reader.FieldError(2, fmt::format("{} / {}: {} is given twice", county, precinct,
                                              election.candidates[*candidate]));
    }
    auto value = Rational::Parse(reader[4]);
    if (!value.ok()) return reader.FieldError(4, value.status().message());
    if (value->is_negative()) return reader.FieldError(4, "a count cannot be negative");
    if (kind == 2 && !value->is_integer()) {
      return reader.FieldError(4, "delegates are whole numbers");
    }
    if (kind == 1 && !Units(*value, scale)) {
      return reader.FieldError(
          4, fmt::format("an SDE has at most {} decimal places", ruleset.precinct.sde_places));
    }
    p.figures[*candidate] = *value;
  }

  std::vector<AuditedTally> out;
  out.reserve(pending.size());
  for (Pending& p : pending) {
    const PrecinctMateriality& pm = mat.precincts[p.report];
    const std::string where =
        fmt::format("{}:{}: {} / {}", origin, p.tally.line, p.tally.county, p.tally.precinct);
    if (p.kind == 3) {
      p.tally.unauditable = true;
      out.push_back(std::move(p.tally));
      continue;
    }
    if (!pm.bounded || pm.sde.size() != n || !pm.max_sde) {
      return Status::InvalidArgument(
          fmt::format("{}: no reported SDEs and bound to compare an audited tally with", where));
    }
    std::vector<Rational> sde(n, Rational(0));
    if (p.kind == 1) {
      for (size_t c = 0; c < n; ++c) sde[c] = p.figures[c].value_or(Rational(0));
    } else {
      auto ap = apportioned.find(Key(p.tally.county, p.tally.precinct));
      if (ap == apportioned.end()) {
        return Status::InvalidArgument(fmt::format(
            "{}: not in the apportionment, so delegates give no SDEs; give its SDEs", where));
      }
      std::vector<Count> delegates(n, 0);
      Count total = 0;
      for (size_t c = 0; c < n; ++c) {
        delegates[c] = p.figures[c] ? p.figures[c]->num() : 0;
        total += delegates[c];
      }
      if (!ap->second->satellite && ap->second->delegates && total != *ap->second->delegates) {
        return Status::InvalidArgument(
            fmt::format("{}: the audited delegates add up to {}, but the precinct elects {}", where,
                        total, *ap->second->delegates));
      }
      sde = SdeFromDelegates(ruleset.precinct, delegates, total, *ap->second);
      if (sde.size() != n) {
        return Status::InvalidArgument(
            fmt::format("{}: the apportionment gives no county ratio; give its SDEs", where));
      }
    }
    Rational sum;
    for (const Rational& s : sde) sum += s;
    if (sum > *pm.max_sde) {
      return Status::InvalidArgument(
          fmt::format("{}: the audited SDEs add up to {}, more than the {} the precinct can report",
                      where, sum.ToShortDecimal(), pm.max_sde->ToShortDecimal()));
    }
    p.tally.sde = std::move(sde);
    out.push_back(std::move(p.tally));
  }
  return out;
}

Result<RlaStatus> RunRla(const Ruleset& ruleset, const Materiality& mat, const RlaPlan& plan,
                         std::string_view seed, const std::vector<AuditedTally>& tallies) {
  RlaStatus status;
  const auto batches = static_cast<int64_t>(plan.batches.size());
  if (plan.full_hand_count()) {
    status.decision = RlaDecision::kFullHandCount;
    status.reason =
        !plan.unbounded.empty()
            ? fmt::format("{} precinct(s) have no error bound (first: {})", plan.unbounded.size(),
                          plan.unbounded.front())
            : fmt::format("the first round would need at least as many draws as the {} precincts",
                          batches);
    return status;
  }
  const int64_t scale = Pow10(ruleset.precinct.sde_places);
  auto ints = IntAssertions(mat, scale);
  if (!ints.ok()) return ints.status();
  const size_t n = mat.candidates.size();
  const Rational u = plan.total_bound();
  const long double alpha = ToLong(plan.risk_limit);

  // Batch of each report, and the tally of each batch.
  std::vector<size_t> batch_of(mat.precincts.size());
  for (size_t b = 0; b < plan.batches.size(); ++b) batch_of[plan.batches[b].report] = b;
  std::unordered_map<std::string, size_t> index;
  for (size_t b = 0; b < plan.batches.size(); ++b) {
    index.emplace(Key(plan.batches[b].county, plan.batches[b].precinct), b);
  }
  std::vector<const AuditedTally*> tally(plan.batches.size(), nullptr);
  for (const AuditedTally& t : tallies) {
    auto it = index.find(Key(t.county, t.precinct));
    const std::string line = t.line > 0 ? fmt::format("line {}: ", t.line) : "";
    if (it == index.end()) {
      return Status::InvalidArgument(fmt::format(
          "{}precinct {} / {} is not in the election's results", line, t.county, t.precinct));
    }
    if (tally[it->second] != nullptr) {
      return Status::InvalidArgument(
          fmt::format("{}{} / {} has two audited tallies", line, t.county, t.precinct));
    }
    if (!t.unauditable && t.sde.size() != n) {
      return Status::InvalidArgument(
          fmt::format("{}{} / {}: the tally has {} SDEs for {} candidates", line, t.county,
                      t.precinct, t.sde.size(), n));
    }
    tally[it->second] = &t;
  }

  // Error and taint of an audited batch, computed once.
  struct Found {
    bool done = false;
    Rational error, taint;
    std::optional<size_t> by;
  };
  std::vector<Found> found(plan.batches.size());
  auto measure = [&](size_t b) -> Found& {
    Found& f = found[b];
    if (f.done) return f;
    f.done = true;
    const AuditedTally& t = *tally[b];
    if (t.unauditable || plan.batches[b].bound == 0) {
      f.error = Rational(0);
      f.taint = Rational(t.unauditable ? 1 : 0);
      return f;
    }
    const PrecinctMateriality& pm = mat.precincts[plan.batches[b].report];
    std::vector<int64_t> delta(n);
    for (size_t c = 0; c < n; ++c) {
      delta[c] = Units(pm.sde[c], scale).value_or(0) - Units(t.sde[c], scale).value_or(0);
    }
    __int128 best_num = 0, best_den = 1;
    for (size_t j = 0; j < mat.assertions.size(); ++j) {
      if (!Covers(ruleset, mat, mat.assertions[j], pm)) continue;
      const IntAssertion& ia = (*ints)[j];
      __int128 num = 0;
      for (size_t c = 0; c < n; ++c) num += static_cast<__int128>(ia.w[c]) * delta[c];
      if (num > 0 && num * best_den > best_num * ia.margin) {
        best_num = num;
        best_den = ia.margin;
        f.by = j;
      }
    }
    f.error = Wide(best_num, best_den, true);
    // t = e / u_p = (num / den) / (bound / 10^9).
    f.taint = Wide(best_num * kBoundScale, best_den * plan.batches[b].bound, true);
    if (f.taint > Rational(1)) f.taint = Rational(1);
    return f;
  };

  int64_t next = 1;
  SampleSize size = plan.first_round;
  std::vector<bool> drawn(plan.batches.size(), false);
  long double p = 1;
  bool prefix = true;  // every draw so far is audited
  while (true) {
    status.rounds.push_back({next, size});
    std::vector<int64_t> weights(plan.batches.size());
    for (size_t b = 0; b < plan.batches.size(); ++b) weights[b] = plan.batches[b].bound;
    const std::vector<size_t> sample = DrawPpeb(weights, seed, next, size.draws);
    std::vector<bool> waiting(plan.batches.size(), false);
    for (size_t k = 0; k < sample.size(); ++k) {
      const size_t b = sample[k];
      drawn[b] = true;
      RlaDraw d;
      d.draw = next + static_cast<int64_t>(k);
      d.batch = b;
      if (tally[b] != nullptr) {
        Found& f = measure(b);
        d.audited = true;
        d.unauditable = tally[b]->unauditable;
        d.error = f.error;
        d.by = f.by;
        d.taint = ToLong(f.taint);
        if (prefix) p *= KaplanMarkovFactor(u, f.taint);
      } else {
        if (!waiting[b]) ++status.awaiting;
        waiting[b] = true;
        prefix = false;
      }
      d.p_value = prefix ? p : std::numeric_limits<long double>::quiet_NaN();
      status.draws.push_back(d);
    }
    next += size.draws;
    status.p_value = p;
    if (status.awaiting > 0) {
      status.decision = RlaDecision::kAwaiting;
      break;
    }
    if (p <= alpha) {
      status.decision = RlaDecision::kConfirmed;
      break;
    }
    if (!std::isfinite(p)) {
      status.decision = RlaDecision::kFullHandCount;
      for (const RlaDraw& d : status.draws) {
        if (d.audited && d.taint >= 1) {
          const RlaBatch& b = plan.batches[d.batch];
          status.reason =
              fmt::format("{} / {} has taint 1 ({}): the P-value is infinite", b.county, b.precinct,
                          d.unauditable ? "unauditable" : "its error is its bound");
          break;
        }
      }
      break;
    }
    size = NextRoundSize(u, plan.risk_limit, p, batches);
    if (size.full_hand_count) {
      status.decision = RlaDecision::kFullHandCount;
      status.reason = fmt::format(
          "after {} draws the P-value is {:.4g}: the next round would need at least as many draws "
          "as the {} precincts",
          next - 1, static_cast<double>(p), batches);
      break;
    }
  }
  for (size_t b = 0; b < plan.batches.size(); ++b) {
    if (tally[b] != nullptr && !drawn[b]) {
      const std::string line = tally[b]->line > 0 ? fmt::format("line {}: ", tally[b]->line) : "";
      return Status::InvalidArgument(fmt::format("{}{} / {} is not in the sample", line,
                                                 plan.batches[b].county, plan.batches[b].precinct));
    }
  }
  return status;
}

nlohmann::json RlaToJson(const Ruleset& ruleset, const Materiality& mat, const RlaPlan& plan,
                         std::string_view seed, const RlaStatus* status) {
  auto size_json = [](const SampleSize& s) {
    return nlohmann::json{{"draws", s.draws}, {"full_hand_count", s.full_hand_count}};
  };
  nlohmann::json assertions = nlohmann::json::array();
  for (const AssertionRisk& r : plan.assertions) {
    const Assertion& a = mat.assertions[r.assertion];
    nlohmann::json row = {{"assertion", a.Describe(mat.candidates, mat.outcome)},
                          {"margin", r.margin.ToDecimal(4)},
                          {"diluted_margin", r.diluted_margin.ToDecimal(9)},
                          {"total_bound", r.total_bound.ToDecimal(9)},
                          {"first_round", size_json(r.first_round)}};
    if (a.rounding != SharePrecision::kExact) {
      // Built for rounded shares: what the rounding took from the exact-share margin.
      row["rounding"] = a.rounding == SharePrecision::kFraction3 ? "fraction3" : "percent3";
      row["exact_margin"] = a.exact_margin.ToDecimal(4);
      row["allowance"] = a.allowance().ToDecimal(4);
      row["within_rounding_step"] = a.within_rounding_step();
    }
    assertions.push_back(std::move(row));
  }
  nlohmann::json bounds = nlohmann::json::array();
  for (const RlaBatch& b : plan.batches) {
    bounds.push_back({{"county", b.county},
                      {"precinct", b.precinct},
                      {"bound", Rational(b.bound, kBoundScale).ToDecimal(9)},
                      {"weight", b.bound}});
  }
  nlohmann::json out = {
      {"ruleset", {{"name", ruleset.name}, {"hash", ruleset.hash}}},
      {"side", mat.side == ResultSide::kReported ? "reported" : "computed"},
      {"risk_limit", plan.risk_limit.ToShortDecimal()},
      {"precincts", plan.batches.size()},
      {"total_bound", plan.total_bound().ToDecimal(9)},
      {"total_weight", plan.total},
      {"first_round", size_json(plan.first_round)},
      {"assertions", std::move(assertions)},
      {"unbounded", plan.unbounded},
      {"bounds", std::move(bounds)},
  };
  if (!seed.empty()) out["seed"] = std::string(seed);
  if (status == nullptr) return out;
  nlohmann::json rounds = nlohmann::json::array();
  for (const RlaRound& r : status->rounds) {
    rounds.push_back({{"first_draw", r.first_draw}, {"size", size_json(r.size)}});
  }
  nlohmann::json draws = nlohmann::json::array();
  for (const RlaDraw& d : status->draws) {
    const RlaBatch& b = plan.batches[d.batch];
    nlohmann::json row = {
        {"draw", d.draw}, {"county", b.county}, {"precinct", b.precinct}, {"audited", d.audited}};
    if (d.audited) {
      row["unauditable"] = d.unauditable;
      row["error"] = d.error.ToDecimal(9);
      row["taint"] = static_cast<double>(d.taint);
      row["p_value"] = std::isfinite(d.p_value) ? nlohmann::json(static_cast<double>(d.p_value))
                                                : nlohmann::json();
      row["by"] = d.by ? nlohmann::json(mat.assertions[*d.by].Describe(mat.candidates, mat.outcome))
                       : nlohmann::json();
    }
    draws.push_back(std::move(row));
  }
  const char* decision = status->decision == RlaDecision::kConfirmed  ? "confirmed"
                         : status->decision == RlaDecision::kAwaiting ? "awaiting_tallies"
                                                                      : "full_hand_count";
  out["rounds"] = std::move(rounds);
  out["draws"] = std::move(draws);
  out["p_value"] = std::isfinite(status->p_value)
                       ? nlohmann::json(static_cast<double>(status->p_value))
                       : nlohmann::json("infinity");
  out["decision"] = decision;
  out["awaiting"] = status->awaiting;
  if (!status->reason.empty()) out["reason"] = status->reason;
  return out;
}

}  // namespace canvass
