#include "simulate/simulate.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
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

enum Purpose : uint64_t {
  kCountyStream = 1,
  kUnitStream = 2,
  kErrorStream = 3,
  kTieStream = 4,
  kCardStream = 5,
};

// The name a void card gives that is no candidate's.
constexpr const char* kWriteIn = "Write-in";

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

// One early-vote card as drawn: the names it ranks, and its valid choices as indices (empty when
// void).
struct DrawnCard {
  std::vector<std::string> choices;
  EarlyVoteCard valid;
};

struct Unit {
  PrecinctInput input;
  Allocation allocation;
  bool tie_built = false;
  std::vector<DrawnCard> cards;
};

// What an early voter ranks: 3 to 5 (the ruleset's bounds) distinct candidates drawn by the
// precinct's popularity; in a precinct built to tie, the three tied groups first (in any order),
// so that no card moves and the tie stays exact. Some cards are made void on purpose.
DrawnCard DrawCard(const EarlyVoteRules& rules, const std::vector<std::string>& names,
                   const std::vector<uint64_t>& cumulative, const std::vector<size_t>& tied,
                   uint32_t void_ppm, Rng& rng) {
  const size_t k = names.size();
  const auto low = static_cast<size_t>(std::max(1, rules.min_choices));
  const auto high = static_cast<size_t>(std::max(rules.min_choices, rules.max_choices));
  const size_t want =
      std::min({k, low + static_cast<size_t>(rng.Below(high - low + 1)), kEarlyCardChoiceColumns});
  std::vector<bool> used(k, false);
  std::vector<size_t> order;
  std::vector<size_t> first = tied;
  for (size_t i = first.size(); i > 1; --i) std::swap(first[i - 1], first[rng.Below(i)]);
  for (size_t c : first) {
    if (order.size() == want) break;
    used[c] = true;
    order.push_back(c);
  }
  while (order.size() < want) {
    const size_t c = Pick(rng, cumulative);
    if (used[c]) continue;
    used[c] = true;
    order.push_back(c);
  }
  DrawnCard card;
  for (size_t c : order) card.choices.push_back(names[c]);
  if (rng.Chance(void_ppm) && !card.choices.empty()) {
    uint64_t kind = rng.Below(3);
    if (kind == 0 && low <= 1) kind = 1;  // no card can have too few choices
    if (kind == 0) {
      card.choices.resize(low - 1);  // the voter stopped early
    } else if (kind == 1) {          // a candidate ranked twice
      if (card.choices.size() == 1) {
        card.choices.push_back(card.choices.front());
      } else {
        card.choices.back() = card.choices.front();
      }
    } else {  // a name that is on no ballot
      card.choices[rng.Below(card.choices.size())] = kWriteIn;
    }
  }
  EarlyVoteCard indices;
  for (const std::string& name : card.choices) {
    auto at = std::find(names.begin(), names.end(), name);
    if (at == names.end()) return card;  // void: not a candidate
    indices.choices.push_back(static_cast<CandidateIndex>(at - names.begin()));
  }
  if (EarlyVoteCardVoidReason(rules, indices, names).empty()) card.valid = std::move(indices);
  return card;
}

// Alignments for one unit, and its early-vote cards when `early` people voted early. Returns false
// when the rules would need a third alignment (Iowa's over-allocation), so that the caller draws
// again.
bool DrawAlignments(const Ruleset& ruleset, const std::vector<uint64_t>& base_weights,
                    const std::vector<std::string>& names, Count delegates, bool satellite,
                    Count attendance, Count early, uint32_t void_ppm, bool build_tie, Rng& rng,
                    Rng& card_rng, Unit& unit) {
  const size_t k = base_weights.size();
  PrecinctInput& in = unit.input;
  in = PrecinctInput{};
  in.delegates = delegates;
  in.satellite = satellite;
  in.explain = false;
  in.first.assign(k, 0);
  unit.cards.clear();
  // Local popularity: each candidate's weight scaled by 50% to 150%.
  std::vector<uint64_t> cumulative(k);
  uint64_t sum = 0;
  for (size_t c = 0; c < k; ++c) {
    sum += base_weights[c] * (50 + rng.Below(101)) / 100 + 1;
    cumulative[c] = sum;
  }
  std::vector<bool> tied(k, false);
  std::vector<size_t> tied_groups;
  unit.tie_built = build_tie && k >= 3;
  if (unit.tie_built) {
    while (tied_groups.size() < 3) {
      size_t c = Pick(rng, cumulative);
      if (tied[c]) continue;
      tied[c] = true;
      tied_groups.push_back(c);
    }
  }
  // The cards: each valid one's first choice counts with the room (its own stream, so that an
  // election without early vote is the same with or without this code).
  std::vector<Count> early_first(k, 0);
  for (Count i = 0; i < early; ++i) {
    unit.cards.push_back(
        DrawCard(ruleset.precinct.early_vote, names, cumulative, tied_groups, void_ppm, card_rng));
    const EarlyVoteCard& card = unit.cards.back().valid;
    if (!card.choices.empty()) {
      ++early_first[card.choices.front()];
      in.early_votes.push_back(card);
    }
  }
  const Count in_person = attendance - early;
  if (unit.tie_built) {
    // Three equal groups sharing four delegates: 4 x m / 3m = 1.33 each, a tie for the fourth.
    // The cards' first choices are among the tied groups: the room makes up the rest of m.
    Count m = std::max<Count>(5, attendance / 3);
    for (size_t c : tied_groups) m = std::max(m, early_first[c]);
    for (size_t c : tied_groups) in.first[c] = m - early_first[c];
    // A few stragglers in groups too small to be viable (15% of 3m is more than m / 5).
    Count stragglers = static_cast<Count>(rng.Below(static_cast<uint64_t>(m / 2 + 1)));
    for (Count i = 0; i < stragglers; ++i) {
      size_t c = Pick(rng, cumulative);
      if (!tied[c] && in.first[c] < m / 5) ++in.first[c];
    }
  } else {
    for (Count i = 0; i < in_person; ++i) ++in.first[Pick(rng, cumulative)];
  }

  // Viability at the first alignment, as the rules count it (the room and the cards).
  auto first_pass = AllocatePrecinct(ruleset.precinct, in, k);
  if (!first_pass.ok()) return false;
  const Count needed = first_pass->threshold_head_count;
  std::vector<bool> viable(k, false);
  for (size_t c = 0; c < k; ++c) {
    const Count group = in.first[c] + early_first[c];
    viable[c] = group >= needed && group > 0;
  }
  in.final = in.first;
  std::vector<uint64_t> viable_cumulative(k);
  uint64_t viable_sum = 0;
  for (size_t c = 0; c < k; ++c) {
    if (viable[c]) viable_sum += cumulative[c] - (c ? cumulative[c - 1] : 0);
    viable_cumulative[c] = viable_sum;
  }
  // Nobody viable: the room gathers behind the largest group.
  size_t gather = k;
  if (viable_sum == 0 && !unit.tie_built) {
    gather = 0;
    for (size_t c = 1; c < k; ++c) {
      if (in.first[c] + early_first[c] > in.first[gather] + early_first[gather]) gather = c;
    }
    viable_sum = 1;
    for (size_t c = 0; c < k; ++c) viable_cumulative[c] = c >= gather ? 1 : 0;
  }
  // Members of viable groups stay (the lock); the others join a viable group or go home.
  for (size_t c = 0; c < k; ++c) {
    if (viable[c] || c == gather) continue;
    const Count members = in.first[c];
    in.final[c] = 0;
    if (viable_sum == 0 || unit.tie_built) continue;  // nobody to join; or keep the tie exact
    for (Count i = 0; i < members; ++i) {
      if (rng.Below(5) == 0) continue;
      ++in.final[Pick(rng, viable_cumulative)];
    }
  }
  // Delegates as the rules compute them, every game of chance settled by a seeded coin (or card
  // draw, as the ruleset says).
  const std::string chance =
      std::string("simulated ") +
      (ruleset.precinct.tie_breaker == TieBreaker::kCardDraw ? "card draw" : "coin");
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
    outcome.detail = chance;
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
                 const std::vector<EarlyVoteCard>& cards, ErrorKind kind, PrecinctReport& report,
                 std::string& detail) {
  const PrecinctReport saved = report;
  auto caught = [&] {
    return CheckPrecinct(ruleset, e.candidates, report, &ap, false, {}, cards).has_error();
  };
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
  const bool given = options.units != nullptr;
  if (given ? options.units->empty() || options.units->size() > 10'000'000
            : options.precincts < 1 || options.precincts > 10'000'000) {
    return Status::InvalidArgument("--precincts must be from 1 to 10,000,000");
  }
  if (options.candidate_names.empty() && (options.candidates < 1 || options.candidates > 1000)) {
    return Status::InvalidArgument("--candidates must be from 1 to 1,000");
  }
  if (options.candidate_names.size() > 1000) {
    return Status::InvalidArgument("at most 1,000 candidates");
  }
  if (options.counties < 0 || options.counties > 100'000) {
    return Status::InvalidArgument("--counties must be from 1 to 100,000");
  }
  if (options.satellites_ppm > kMillion || options.ties_ppm > kMillion ||
      options.errors_ppm > kMillion || options.early_votes_ppm > kMillion ||
      options.void_cards_ppm > kMillion) {
    return Status::InvalidArgument("a fraction must be from 0 to 1");
  }
  if (options.satellites_ppm > 0 && !rules.satellites_enabled) {
    return Status::InvalidArgument(ruleset.name + " has no satellite caucuses");
  }
  if (options.early_votes_ppm > 0 && !rules.early_vote.enabled) {
    return Status::InvalidArgument(ruleset.name + " has no early vote");
  }

  Simulation sim;
  Election& e = sim.election;
  e.candidates = options.candidate_names;
  if (e.candidates.empty()) {
    for (int32_t c = 0; c < options.candidates; ++c) {
      e.candidates.push_back(Numbered("Candidate ", c + 1));
    }
  }
  if (std::find(e.candidates.begin(), e.candidates.end(), kWriteIn) != e.candidates.end()) {
    return Status::InvalidArgument(std::string("\"") + kWriteIn +
                                   "\" is the name void cards give: not a candidate's");
  }
  const size_t k = e.candidates.size();
  // A few front-runners and a long tail: weight 1/(c+1).
  std::vector<uint64_t> weights(k);
  for (size_t c = 0; c < k; ++c) weights[c] = 720720 / (c + 1);

  struct County {
    std::string name;
    std::string district;
    Count turnout_percent = 100;
    Rational sde_per_delegate;
  };
  std::vector<County> county;
  std::map<std::string, size_t> county_of;  // given units: county name -> index
  if (given) {
    // The real map's counties, in order of appearance; a county's district is its units' when
    // they share one (Nevada's Clark County spans three).
    std::map<std::string, std::set<std::string>> districts;
    for (const PrecinctApportionment& ap : *options.units) {
      if (county_of.emplace(ap.county, county.size()).second) {
        county.push_back(County{ap.county, "", 100, Rational()});
      }
      if (ap.district) districts[ap.county].insert(*ap.district);
    }
    for (const auto& [name, set] : districts) {
      if (set.size() == 1) e.county_district[name] = *set.begin();
    }
  } else {
    const int64_t counties = options.counties > 0
                                 ? options.counties
                                 : std::clamp<int64_t>((options.precincts + 16) / 17, 1, 99);
    county.resize(static_cast<size_t>(counties));
  }
  for (size_t c = 0; c < county.size(); ++c) {
    Rng rng(options.seed, kCountyStream, static_cast<uint64_t>(c));
    County& x = county[c];
    x.turnout_percent = 50 + static_cast<Count>(rng.Below(101));
    if (given) continue;
    x.name = Numbered("County ", static_cast<int64_t>(c) + 1);
    x.district = std::to_string(c % 4 + 1);
    // Two draws in sequence: the order in which arguments are evaluated is unspecified.
    const auto num = 1 + static_cast<int64_t>(rng.Below(9));
    const auto den = 10 + static_cast<int64_t>(rng.Below(60));
    x.sde_per_delegate = Rational(num, den);
    e.county_district[x.name] = x.district;
  }

  const int64_t units = given ? static_cast<int64_t>(options.units->size()) : options.precincts;
  e.reports.reserve(static_cast<size_t>(units));
  e.apportionment.reserve(static_cast<size_t>(units));
  sim.early_votes.reserve(static_cast<size_t>(units));
  std::set<std::pair<std::string, std::string>> seen;
  Unit unit;
  int64_t regular = 0, satellites = 0;
  for (int64_t p = 0; p < units; ++p) {
    Rng rng(options.seed, kUnitStream, static_cast<uint64_t>(p));
    Rng card_rng(options.seed, kCardStream, static_cast<uint64_t>(p));
    PrecinctApportionment ap;
    const County* home = nullptr;
    Count delegates = 0;
    bool satellite = false, build_tie = false;
    if (given) {
      ap = (*options.units)[static_cast<size_t>(p)];
      if (!seen.emplace(ap.county, ap.precinct).second) {
        return Status::InvalidArgument(ap.county + " / " + ap.precinct + " is given twice");
      }
      satellite = ap.satellite;
      if (satellite && !rules.satellites_enabled) {
        return Status::InvalidArgument(ruleset.name + " has no satellite caucuses: " + ap.county +
                                       " / " + ap.precinct);
      }
      home = &county[county_of.at(ap.county)];
      delegates = ap.delegates.value_or(0);
      if (!satellite && delegates <= 0) {
        return Status::InvalidArgument(ap.county + " / " + ap.precinct + " elects no delegates");
      }
      // Three equal groups tie when D is not a multiple of 3 (and 4 or more: fewer share no
      // decimal).
      build_tie =
          !satellite && delegates >= 4 && delegates % 3 != 0 && rng.Chance(options.ties_ppm);
      if (satellite) home = nullptr;
    } else {
      satellite = rng.Chance(options.satellites_ppm);
      build_tie = !satellite && rng.Chance(options.ties_ppm);
      if (satellite) {
        const std::string district = std::to_string(satellites % 4 + 1);
        ap.county = "CD" + district;
        ap.county.append(" Satellite");
        ap.precinct = Numbered("Satellite ", ++satellites);
        ap.satellite = true;
        ap.district = district;
        e.county_district[ap.county] = district;
      } else {
        home = &county[static_cast<size_t>(regular % static_cast<int64_t>(county.size()))];
        ap.county = home->name;
        ap.precinct = Numbered("Precinct ", ++regular);
        delegates = build_tie ? 4 : 1 + static_cast<Count>(rng.Below(12));
        ap.delegates = delegates;
        ap.sde_per_delegate = home->sde_per_delegate;
        ap.district = home->district;
      }
    }
    const Count turnout = home ? home->turnout_percent : 100;
    bool drawn = false;
    for (int attempt = 0; attempt < 8 && !drawn; ++attempt) {
      const Count spread = satellite ? 140 : 20 * delegates + 40;
      const Count attendance = std::max<Count>(
          1, (5 + static_cast<Count>(rng.Below(static_cast<uint64_t>(spread)))) * turnout / 100);
      Count early = 0;
      for (Count i = 0; i < attendance && options.early_votes_ppm > 0; ++i) {
        early += card_rng.Chance(options.early_votes_ppm) ? 1 : 0;
      }
      early = std::min(early, attendance - 1);  // the chair, at least, is in the room
      drawn = DrawAlignments(ruleset, weights, e.candidates, delegates, satellite, attendance,
                             early, options.void_cards_ppm, build_tie, rng, card_rng, unit);
    }
    if (!drawn) {
      // The whole room behind one candidate, no cards: always computable.
      unit.input.first.assign(k, 0);
      unit.input.first[0] = 10;
      unit.input.final = unit.input.first;
      unit.input.tie_outcomes.clear();
      unit.input.early_votes.clear();
      unit.cards.clear();
      unit.tie_built = false;
      auto a = AllocatePrecinct(rules, unit.input, k);
      if (!a.ok()) return a.status();
      unit.allocation = std::move(*a);
    }
    if (satellite && !given) {
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
    for (size_t n = 0; n < unit.cards.size(); ++n) {
      EarlyCardRow row;
      row.county = ap.county;
      row.precinct = ap.precinct;
      row.id = fmt::format("EV-{}-{}", p + 1, n + 1);
      row.choices = std::move(unit.cards[n].choices);
      if (unit.cards[n].valid.choices.empty()) ++sim.void_cards;
      sim.cards.push_back(std::move(row));
    }
    sim.early_votes.push_back(std::move(unit.input.early_votes));
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
        if (InjectError(ruleset, e, e.apportionment[i], sim.early_votes[i], kind, e.reports[i],
                        detail)) {
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
