#include "simulate/simulate.h"

#include <algorithm>
#include <utility>

#include "caucus/allocation.h"
#include "caucus/findings.h"
#include "core/random.h"

namespace canvass::simulate {
namespace {

// Draws from SplitMix64 (src/core/random.h), one independent stream per (seed, purpose, index).
class Rng : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  bool Chance(uint32_t ppm) { return ppm > 0 && Below(kMillion) < ppm; }
};

enum Purpose : uint64_t { kCountyStream = 1, kUnitStream = 2, kErrorStream = 3, kTieStream = 4 };

std::string Numbered(const char* prefix, int64_t n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

// Draws an index with probability proportional to cumulative[i] - cumulative[i-1].
size_t Pick(Rng& rng, const std::vector<uint64_t>& cumulative) {
  const uint64_t r = rng.Below(cumulative.back());
  return static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), r) -
                             cumulative.begin());
}

struct Unit {
  PrecinctInput input;
  Allocation allocation;
  bool tie_built = false;
};

// Alignments for one unit. Returns false when the rules would need a third alignment (Iowa's
// over-allocation), so that the caller draws again.
bool DrawAlignments(const Ruleset& ruleset, const std::vector<uint64_t>& base_weights,
                    Count delegates, bool satellite, Count attendance, bool build_tie, Rng& rng,
                    Unit& unit) {
  const size_t k = base_weights.size();
  PrecinctInput& in = unit.input;
  in = PrecinctInput{};
  in.delegates = delegates;
  in.satellite = satellite;
  in.explain = false;
  in.first.assign(k, 0);
  // Local popularity: each candidate's weight scaled by 50% to 150%.
  std::vector<uint64_t> cumulative(k);
  uint64_t sum = 0;
  for (size_t c = 0; c < k; ++c) {
    sum += base_weights[c] * (50 + rng.Below(101)) / 100 + 1;
    cumulative[c] = sum;
  }
  std::vector<bool> tied(k, false);
  unit.tie_built = build_tie && k >= 3;
  if (unit.tie_built) {
    // Three equal groups sharing four delegates: 4 x m / 3m = 1.33 each, a tie for the fourth.
    const Count m = std::max<Count>(5, attendance / 3);
    int found = 0;
    while (found < 3) {
      size_t c = Pick(rng, cumulative);
      if (tied[c]) continue;
      tied[c] = true;
      in.first[c] = m;
      ++found;
    }
    // A few stragglers in groups too small to be viable (15% of 3m is more than m / 5).
    Count stragglers = static_cast<Count>(rng.Below(static_cast<uint64_t>(m / 2 + 1)));
    for (Count i = 0; i < stragglers; ++i) {
      size_t c = Pick(rng, cumulative);
      if (!tied[c] && in.first[c] < m / 5) ++in.first[c];
    }
  } else {
    for (Count i = 0; i < attendance; ++i) ++in.first[Pick(rng, cumulative)];
  }

  // Viability at the first alignment, as the rules count it.
  auto first_pass = AllocatePrecinct(ruleset.precinct, in, k);
  if (!first_pass.ok()) return false;
  const Count needed = first_pass->threshold_head_count;
  in.final = in.first;
  std::vector<uint64_t> viable_cumulative(k);
  uint64_t viable_sum = 0;
  for (size_t c = 0; c < k; ++c) {
    if (in.first[c] >= needed && in.first[c] > 0)
      viable_sum += cumulative[c] - (c ? cumulative[c - 1] : 0);
    viable_cumulative[c] = viable_sum;
  }
  // Nobody viable: the room gathers behind the largest group.
  size_t gather = k;
  if (viable_sum == 0 && !unit.tie_built) {
    gather =
        static_cast<size_t>(std::max_element(in.first.begin(), in.first.end()) - in.first.begin());
    viable_sum = 1;
    for (size_t c = 0; c < k; ++c) viable_cumulative[c] = c >= gather ? 1 : 0;
  }
  // Members of viable groups stay (the lock); the others join a viable group or go home.
  for (size_t c = 0; c < k; ++c) {
    if ((in.first[c] >= needed && in.first[c] > 0) || c == gather) continue;
    const Count members = in.first[c];
    in.final[c] = 0;
    if (viable_sum == 0 || unit.tie_built) continue;  // nobody to join; or keep the tie exact
    for (Count i = 0; i < members; ++i) {
      if (rng.Below(5) == 0) continue;
      ++in.final[Pick(rng, viable_cumulative)];
    }
  }
  // Delegates as the rules compute them, every game of chance settled by a seeded coin.
  for (int round = 0; round < 16; ++round) {
    auto a = AllocatePrecinct(ruleset.precinct, in, k);
    if (!a.ok() || !a->must_realign.empty()) return false;
    if (!a->pending_tie) {
      unit.allocation = std::move(*a);
      return true;
    }
    const TieEvent& tie = *a->pending_tie;
    TieOutcome outcome;
    outcome.tied = tie.groups;
    std::vector<CandidateIndex> order = tie.groups;
    for (size_t i = order.size(); i > 1; --i) {
      std::swap(order[i - 1], order[rng.Below(i)]);
    }
    const size_t favoured = tie.kind == TieEvent::Kind::kGain
                                ? static_cast<size_t>(tie.delegates_at_stake)
                                : order.size() - static_cast<size_t>(tie.delegates_at_stake);
    outcome.favoured.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(favoured));
    std::sort(outcome.favoured.begin(), outcome.favoured.end());
    outcome.detail = "simulated coin";
    in.tie_outcomes.push_back(std::move(outcome));
  }
  return false;
}

bool SwapLastTwoDigits(Count& value) {
  if (value < 10) return false;
  const Count last = value % 10;
  const Count tens = (value / 10) % 10;
  if (last == tens) return false;
  value = value - last - tens * 10 + last * 10 + tens;
  return true;
}

std::string FigureText(const std::string& who, const char* what, Count from, Count to) {
  std::string s = who;
  s.append(" ").append(what).append(" ").append(std::to_string(from)).append(" -> ");
  s.append(std::to_string(to));
  return s;
}

// Tries to give the report one error of `kind` that checking catches; false if it cannot.
bool InjectError(const Ruleset& ruleset, const Election& e, const PrecinctApportionment& ap,
                 ErrorKind kind, PrecinctReport& report, std::string& detail) {
  const PrecinctReport saved = report;
  auto caught = [&] { return CheckPrecinct(ruleset, e.candidates, report, &ap).has_error(); };
  const size_t k = report.figures.size();
  switch (kind) {
    case ErrorKind::kViableGroupWithoutDelegate:
      for (size_t c = 0; c < k; ++c) {
        CandidateReport& f = report.figures[c];
        if (f.delegates.value_or(0) == 0) continue;
        detail = FigureText(e.candidates[c], "delegates", *f.delegates, 0);
        f.delegates = 0;
        if (f.sde) f.sde = Rational(0);
        if (caught()) return true;
        report = saved;
      }
      return false;
    case ErrorKind::kFinalExceedsAttendance: {
      Count attendance = 0, final_total = 0;
      size_t largest = 0;
      for (size_t c = 0; c < k; ++c) {
        attendance += report.figures[c].first.value_or(0);
        final_total += report.figures[c].final.value_or(0);
        if (report.figures[c].final.value_or(0) > report.figures[largest].final.value_or(0)) {
          largest = c;
        }
      }
      CandidateReport& f = report.figures[largest];
      const Count from = f.final.value_or(0);
      const Count to = from + (attendance - final_total) + 1 + (attendance % 3);
      detail = FigureText(e.candidates[largest], "final", from, to);
      f.final = to;
      if (caught()) return true;
      report = saved;
      return false;
    }
    case ErrorKind::kSwappedDigits:
      for (int column = 0; column < 2; ++column) {
        for (size_t c = 0; c < k; ++c) {
          CandidateReport& f = report.figures[c];
          std::optional<Count>& figure = column == 0 ? f.final : f.first;
          if (!figure) continue;
          Count value = *figure;
          if (!SwapLastTwoDigits(value)) continue;
          detail = FigureText(e.candidates[c], column == 0 ? "final" : "first", *figure, value);
          figure = value;
          if (caught()) return true;
          report = saved;
        }
      }
      return false;
  }
  return false;
}

}  // namespace

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kViableGroupWithoutDelegate:
      return "viable-group-without-delegate";
    case ErrorKind::kFinalExceedsAttendance:
      return "final-exceeds-attendance";
    case ErrorKind::kSwappedDigits:
      return "swapped-digits";
  }
  return "?";
}

Result<Simulation> Simulate(const Ruleset& ruleset, const Options& options) {
  const PrecinctRules& rules = ruleset.precinct;
  if (rules.method != PrecinctMethod::kCaucus) {
    return Status::InvalidArgument(ruleset.name + ": not a precinct caucus; nothing to simulate");
  }
  if (options.precincts < 1 || options.precincts > 10'000'000) {
    return Status::InvalidArgument("--precincts must be from 1 to 10,000,000");
  }
  if (options.candidates < 1 || options.candidates > 1000) {
    return Status::InvalidArgument("--candidates must be from 1 to 1,000");
  }
  if (options.counties < 0 || options.counties > 100'000) {
    return Status::InvalidArgument("--counties must be from 1 to 100,000");
  }
  if (options.satellites_ppm > kMillion || options.ties_ppm > kMillion ||
      options.errors_ppm > kMillion) {
    return Status::InvalidArgument("a fraction must be from 0 to 1");
  }
  if (options.satellites_ppm > 0 && !rules.satellites_enabled) {
    return Status::InvalidArgument(ruleset.name + " has no satellite caucuses");
  }

  Simulation sim;
  Election& e = sim.election;
  const size_t k = static_cast<size_t>(options.candidates);
  for (size_t c = 0; c < k; ++c) e.candidates.push_back(Numbered("Candidate ", c + 1));
  // A few front-runners and a long tail: weight 1/(c+1).
  std::vector<uint64_t> weights(k);
  for (size_t c = 0; c < k; ++c) weights[c] = 720720 / (c + 1);

  const int64_t counties = options.counties > 0
                               ? options.counties
                               : std::clamp<int64_t>((options.precincts + 16) / 17, 1, 99);
  struct County {
    std::string name;
    std::string district;
    Count turnout_percent = 100;
    Rational sde_per_delegate;
  };
  std::vector<County> county(static_cast<size_t>(counties));
  for (int64_t c = 0; c < counties; ++c) {
    Rng rng(options.seed, kCountyStream, static_cast<uint64_t>(c));
    County& x = county[static_cast<size_t>(c)];
    x.name = Numbered("County ", c + 1);
    x.district = std::to_string(c % 4 + 1);
    x.turnout_percent = 50 + static_cast<Count>(rng.Below(101));
    // Two draws in sequence: the order in which arguments are evaluated is unspecified.
    const auto num = 1 + static_cast<int64_t>(rng.Below(9));
    const auto den = 10 + static_cast<int64_t>(rng.Below(60));
    x.sde_per_delegate = Rational(num, den);
    e.county_district[x.name] = x.district;
  }

  e.reports.reserve(static_cast<size_t>(options.precincts));
  e.apportionment.reserve(static_cast<size_t>(options.precincts));
  Unit unit;
  int64_t regular = 0, satellites = 0;
  for (int64_t p = 0; p < options.precincts; ++p) {
    Rng rng(options.seed, kUnitStream, static_cast<uint64_t>(p));
    const bool satellite = rng.Chance(options.satellites_ppm);
    const bool build_tie = !satellite && rng.Chance(options.ties_ppm);
    PrecinctApportionment ap;
    const County* home = nullptr;
    Count delegates = 0;
    if (satellite) {
      const std::string district = std::to_string(satellites % 4 + 1);
      ap.county = "CD" + district;
      ap.county.append(" Satellite");
      ap.precinct = Numbered("Satellite ", ++satellites);
      ap.satellite = true;
      ap.district = district;
      e.county_district[ap.county] = district;
    } else {
      home = &county[static_cast<size_t>(regular % counties)];
      ap.county = home->name;
      ap.precinct = Numbered("Precinct ", ++regular);
      delegates = build_tie ? 4 : 1 + static_cast<Count>(rng.Below(12));
      ap.delegates = delegates;
      ap.sde_per_delegate = home->sde_per_delegate;
      ap.district = home->district;
    }
    const Count turnout = home ? home->turnout_percent : 100;
    bool drawn = false;
    for (int attempt = 0; attempt < 8 && !drawn; ++attempt) {
      const Count spread = satellite ? 140 : 20 * delegates + 40;
      const Count attendance = std::max<Count>(
          1, (5 + static_cast<Count>(rng.Below(static_cast<uint64_t>(spread)))) * turnout / 100);
      drawn =
          DrawAlignments(ruleset, weights, delegates, satellite, attendance, build_tie, rng, unit);
    }
    if (!drawn) {
      // The whole room behind one candidate: always computable.
      unit.input.first.assign(k, 0);
      unit.input.first[0] = 10;
      unit.input.final = unit.input.first;
      unit.input.tie_outcomes.clear();
      unit.tie_built = false;
      auto a = AllocatePrecinct(rules, unit.input, k);
      if (!a.ok()) return a.status();
      unit.allocation = std::move(*a);
    }
    if (satellite) {
      Count attendance = 0;
      for (Count n : unit.input.first) attendance += n;
      ap.site_sde = Rational(attendance, 50);
    }
    if (!unit.allocation.resolved_ties.empty()) ++sim.ties;
    std::vector<Rational> sde = ComputeSde(rules, unit.allocation, ap);
    PrecinctReport r;
    r.county = ap.county;
    r.precinct = ap.precinct;
    r.satellite = satellite;
    r.figures.resize(k);
    for (size_t c = 0; c < k; ++c) {
      CandidateReport& f = r.figures[c];
      f.first = unit.input.first[c];
      f.final = unit.input.final[c];
      f.delegates = unit.allocation.delegates[c];
      if (!sde.empty()) f.sde = sde[c];
    }
    e.reports.push_back(std::move(r));
    e.apportionment.push_back(std::move(ap));
  }

  // Worksheet errors, drawn from their own stream so that the clean election is the same with
  // and without them.
  if (options.errors_ppm > 0) {
    for (size_t i = 0; i < e.reports.size(); ++i) {
      Rng rng(options.seed, kErrorStream, i);
      if (!rng.Chance(options.errors_ppm)) continue;
      const int first_kind = static_cast<int>(rng.Below(3));
      for (int t = 0; t < 3; ++t) {
        const auto kind = static_cast<ErrorKind>((first_kind + t) % 3);
        std::string detail;
        if (InjectError(ruleset, e, e.apportionment[i], kind, e.reports[i], detail)) {
          sim.errors.push_back(InjectedError{i, kind, std::move(detail)});
          break;
        }
      }
    }
  }
  return sim;
}

std::string WriteDistrictsCsv(const Election& election) {
  std::string out = "county,congressional_district\n";
  for (const auto& [county, district] : election.county_district) {
    out.append(county).append(",").append(district).append("\n");
  }
  return out;
}

Result<uint32_t> ParseFraction(std::string_view text) {
  auto bad = [&] {
    std::string m = "\"";
    m.append(text).append("\" is not a fraction from 0 to 1 (a decimal such as 0.05)");
    return Status::InvalidArgument(std::move(m));
  };
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view places =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() && places.empty()) return bad();
  if (places.size() > 6 || whole.size() > 1) return bad();
  for (char ch : whole) {
    if (ch < '0' || ch > '9') return bad();
  }
  for (char ch : places) {
    if (ch < '0' || ch > '9') return bad();
  }
  if (dot != std::string_view::npos && places.empty()) return bad();
  uint32_t value = whole.empty() ? 0 : static_cast<uint32_t>(whole[0] - '0') * kMillion;
  uint32_t scale = kMillion / 10;
  for (char ch : places) {
    value += static_cast<uint32_t>(ch - '0') * scale;
    scale /= 10;
  }
  if (value > kMillion) return bad();
  return value;
}

}  // namespace canvass::simulate
