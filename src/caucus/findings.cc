#include "caucus/findings.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "rules/threshold.h"

namespace canvass {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

bool PrecinctCheck::has_error() const {
  for (const Finding& f : findings) {
    if (f.severity == Severity::kError) return true;
  }
  return false;
}

namespace {

constexpr Count kMaxReportedSde = 1'000'000;  // far above any state's SDE total

void Add(PrecinctCheck& check, const char* code, Severity severity,
         std::vector<std::string> candidates, std::string message) {
  Finding f;
  f.code = code;
  f.severity = severity;
  f.candidates = std::move(candidates);
  f.message = std::move(message);
  check.findings.push_back(std::move(f));
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (size_t k = 0; k < names.size(); ++k) {
    if (k > 0) out += k + 1 == names.size() ? " and " : ", ";
    out += names[k];
  }
  return out;
}

std::vector<std::string> NamesOf(const std::vector<std::string>& candidates,
                                 const std::vector<CandidateIndex>& indices) {
  std::vector<std::string> out;
  out.reserve(indices.size());
  for (CandidateIndex i : indices) out.push_back(candidates[i]);
  return out;
}

std::string Sde(const Rational& r, int places) { return r.ToDecimal(places); }

__int128 Pow10(int places) {
  __int128 p = 1;
  for (int i = 0; i < places; ++i) p *= 10;
  return p;
}

// num / den x 10^places rounded half up, for num, den > 0: a decimal at `places` as an integer.
__int128 ScaledHalfUp(__int128 num, __int128 den, __int128 scale) {
  return (2 * num * scale + den) / (2 * den);
}

// The whole number of delegates k whose SDEs, k x per_delegate rounded at `places`, are `sde`;
// nullopt when there is none. Integer arithmetic only: this runs for every reported SDE.
std::optional<Count> DelegatesFromSde(const Rational& sde, const Rational& per_delegate,
                                      int64_t slack, int places) {
  if (sde.is_zero()) return 0;
  if (per_delegate.num() <= 0 || sde.is_negative()) return std::nullopt;
  const __int128 scale = Pow10(places);
  const __int128 target = ScaledHalfUp(sde.num(), sde.den(), scale);
  // k ~ sde / per = (a / b) / (c / d) = a d / (b c), rounded.
  const __int128 a = sde.num(), b = sde.den(), c = per_delegate.num(), d = per_delegate.den();
  const __int128 guess = (2 * a * d + b * c) / (2 * b * c);
  for (__int128 k : {guess, guess - 1, guess + 1}) {
    if (k <= 0 || k > kMaxDelegates) continue;
    // |k x per x 10^places - target| <= slack / 2: rounded half up, or down at an exact half as
    // the party's floating-point rounding did (0.0399 x 2 / 4 = 0.01995 was published as
    // 0.0199), or further off when per_delegate itself comes from rounded shares.
    __int128 diff = 2 * (c * k * scale - target * d);
    if (diff < 0) diff = -diff;
    if (diff <= d * slack) return static_cast<Count>(k);
  }
  return std::nullopt;
}

// Every reported SDE as a whole number of delegates at `per_delegate`; false if one is not.
bool DeriveAll(const PrecinctReport& report, const Rational& per_delegate, int64_t slack,
               int places, std::vector<std::optional<Count>>& out, Count& sum) {
  sum = 0;
  for (size_t i = 0; i < report.figures.size(); ++i) {
    const auto& f = report.figures[i];
    if (f.delegates) continue;
    if (!f.sde) return false;
    auto k = DelegatesFromSde(*f.sde, per_delegate, slack, places);
    if (!k) return false;
    out[i] = k;
  }
  for (const auto& k : out) sum += k.value_or(0);
  return true;
}

// Does some outcome of the pending tie (and of any tie it leads to) give `reported`? Tries every
// choice of favoured groups, up to a bound that no real precinct comes near.
bool SomeTieOutcomeGives(const PrecinctRules& rules, PrecinctInput& input, size_t n,
                         const TieEvent& tie, const std::vector<Count>& reported, int depth,
                         int& budget) {
  const size_t k = tie.groups.size();
  const size_t pick = tie.kind == TieEvent::Kind::kGain
                          ? static_cast<size_t>(tie.delegates_at_stake)
                          : k - static_cast<size_t>(tie.delegates_at_stake);
  if (k > 20 || pick > k) return false;
  std::vector<uint8_t> mask(k, 0);
  std::fill(mask.begin(), mask.begin() + static_cast<std::ptrdiff_t>(pick), 1);
  do {
    if (--budget < 0) return false;
    TieOutcome outcome;
    outcome.tied = tie.groups;
    for (size_t j = 0; j < k; ++j) {
      if (mask[j]) outcome.favoured.push_back(tie.groups[j]);
    }
    input.tie_outcomes.push_back(std::move(outcome));
    auto result = AllocatePrecinct(rules, input, n);
    bool found = false;
    if (result.ok()) {
      if (result->complete()) {
        found = result->delegates == reported;
      } else if (result->pending_tie && depth < 4) {
        found =
            SomeTieOutcomeGives(rules, input, n, *result->pending_tie, reported, depth + 1, budget);
      }
    }
    input.tie_outcomes.pop_back();
    if (found) return true;
  } while (std::prev_permutation(mask.begin(), mask.end()));
  return false;
}

void CheckCounts(PrecinctCheck& check, const std::vector<std::string>& candidates,
                 const PrecinctReport& report) {
  for (size_t i = 0; i < report.figures.size(); ++i) {
    const CandidateReport& f = report.figures[i];
    std::string what;
    if (f.first && (*f.first < 0 || *f.first > kMaxHeadCount)) {
      what = fmt::format("first alignment {}", *f.first);
    } else if (f.final && (*f.final < 0 || *f.final > kMaxHeadCount)) {
      what = fmt::format("final alignment {}", *f.final);
    } else if (f.delegates && (*f.delegates < 0 || *f.delegates > kMaxDelegates)) {
      what = fmt::format("{} delegates", *f.delegates);
    } else if (f.sde && (f.sde->is_negative() || *f.sde > Rational(kMaxReportedSde))) {
      what = fmt::format("{} SDEs", f.sde->ToShortDecimal());
    }
    if (!what.empty()) {
      Add(check, "count-out-of-range", Severity::kError, {candidates[i]},
          fmt::format("{}: {} is impossible (negative or far too large)", candidates[i], what));
    }
  }
}

}  // namespace

PrecinctCheck CheckPrecinct(const Ruleset& ruleset, const std::vector<std::string>& candidates,
                            const PrecinctReport& in_person,
                            const PrecinctApportionment* apportionment, bool explain,
                            const std::vector<TieOutcome>& tie_outcomes,
                            const std::vector<EarlyVoteCard>& early_votes) {
  const PrecinctRules& rules = ruleset.precinct;
  const int places = rules.sde_places;
  const size_t n = candidates.size();
  // With early-vote cards every check below is of the groups as the rules count them (in person
  // plus cards: T, viability, the lock); the allocation is given the in-person figures and the
  // cards, and adds them itself.
  PrecinctReport with_cards;
  const bool cards = !early_votes.empty() && in_person.figures.size() == n &&
                     rules.method == PrecinctMethod::kCaucus;
  if (cards) {
    with_cards = in_person;
    std::vector<Count> first(n, 0);
    for (size_t i = 0; i < n; ++i) first[i] = in_person.figures[i].first.value_or(0);
    const Count d = apportionment != nullptr ? apportionment->delegates.value_or(0) : 0;
    const EarlyVoteCounts added = CountEarlyVotes(rules, early_votes, first, d);
    for (size_t i = 0; i < n; ++i) {
      CandidateReport& f = with_cards.figures[i];
      if (f.first) *f.first += added.first[i];
      if (f.final) *f.final += added.final[i];
    }
  }
  const PrecinctReport& report = cards ? with_cards : in_person;
  PrecinctCheck check;
  check.county = report.county;
  check.precinct = report.precinct;

  if (report.figures.size() != n) {
    Add(check, "malformed-report", Severity::kError, {},
        fmt::format("the report has figures for {} candidates, but the election has {}",
                    report.figures.size(), n));
    return check;
  }
  CheckCounts(check, candidates, report);
  if (!check.findings.empty()) return check;

  bool any_first = false;
  bool any_final = false;
  std::vector<std::string> missing_first;
  std::vector<std::string> missing_final;
  Count attendance = 0;
  Count final_total = 0;
  for (size_t i = 0; i < n; ++i) {
    const CandidateReport& f = report.figures[i];
    any_first = any_first || f.first.has_value();
    any_final = any_final || f.final.has_value();
    attendance += f.first.value_or(0);
    final_total += f.final.value_or(0);
  }
  if (any_first || any_final) {
    for (size_t i = 0; i < n; ++i) {
      if (!report.figures[i].first) missing_first.push_back(candidates[i]);
      if (any_final && !report.figures[i].final) missing_final.push_back(candidates[i]);
    }
  }
  if (!any_first) {
    Add(check, "first-alignment-missing", Severity::kError, {},
        "no first alignment was reported: attendance and viability cannot be checked");
  } else if (!missing_first.empty()) {
    Add(check, "first-alignment-missing", Severity::kError, missing_first,
        fmt::format("no first alignment was reported for {}: counted as 0", Join(missing_first)));
  }

  if (rules.method != PrecinctMethod::kCaucus) return check;  // a tally: nothing more to check

  const bool satellite = report.satellite || (apportionment != nullptr && apportionment->satellite);
  if (apportionment == nullptr) {
    Add(check, "precinct-not-apportioned", Severity::kError, {},
        satellite ? "this satellite is not in the apportionment table: its SDEs are unknown"
                  : "this precinct is not in the apportionment table: the number of delegates it "
                    "elects is unknown");
  } else if (!satellite && !apportionment->delegates) {
    Add(check, "precinct-not-apportioned", Severity::kError, {},
        "the apportionment table gives no number of delegates for this precinct");
  }
  if (any_first && !any_final) {
    Add(check, "final-alignment-missing", Severity::kWarning, {},
        "no final alignment was reported: checked as if the first alignment stood");
  } else if (!missing_final.empty()) {
    Add(check, "final-alignment-missing", Severity::kWarning, missing_final,
        fmt::format("no final alignment was reported for {}: counted as 0", Join(missing_final)));
  }
  if (!any_final) final_total = attendance;
  auto final_of = [&](size_t i) -> Count {
    const CandidateReport& f = report.figures[i];
    return any_final ? f.final.value_or(0) : f.first.value_or(0);
  };

  // D: apportioned, or for a satellite from the attendance bracket.
  std::optional<Count> delegates;
  if (satellite && rules.satellites_enabled) {
    if (any_first) delegates = attendance == 0 ? 0 : rules.SatelliteDelegatesFor(attendance);
  } else if (apportionment != nullptr && apportionment->delegates) {
    delegates = *apportionment->delegates;
  }
  std::optional<Rational> threshold;
  if (delegates && *delegates > 0) threshold = rules.ThresholdFor(*delegates);

  // Viability from the reported counts, the same test as the allocation's.
  const bool have_viability = any_first && threshold.has_value();
  std::vector<uint8_t> viable_first(have_viability ? n : 0, 0);
  std::vector<uint8_t> viable_final(have_viability ? n : 0, 0);
  std::vector<CandidateIndex> viable;
  Count freed = 0;
  LockRelease release;  // groups viable at the first alignment that the rules make realign
  std::vector<uint8_t> released(have_viability ? n : 0, 0);
  if (have_viability) {
    std::vector<Count> first(n);
    for (size_t i = 0; i < n; ++i) {
      first[i] = report.figures[i].first.value_or(0);
      viable_first[i] = IsViable(first[i], attendance, *threshold, rules.viability_comparison);
      if (!viable_first[i]) freed += first[i];
    }
    release = GroupsReleasedFromLock(rules, *delegates, first, viable_first);
    for (CandidateIndex c : release.groups) {
      released[c] = 1;
      freed += first[c];
    }
    const Count denominator =
        rules.attendance_fixed_at_first || final_total == 0 ? attendance : final_total;
    for (size_t i = 0; i < n; ++i) {
      bool meets = IsViable(final_of(i), denominator, *threshold, rules.viability_comparison);
      viable_final[i] =
          final_of(i) > 0 && (rules.final_viability_recheck ? meets : (viable_first[i] || meets));
      if (viable_final[i]) viable.push_back(static_cast<CandidateIndex>(i));
    }
  }
  // Built only when a message needs it.
  auto threshold_text = [&]() {
    return have_viability ? fmt::format("{} of {} people", ThresholdText(*threshold), attendance)
                          : std::string();
  };

  bool impossible_counts = false;
  if (any_first && any_final && rules.attendance_fixed_at_first && final_total > attendance) {
    impossible_counts = true;
    Add(check, "final-exceeds-attendance", Severity::kError, {},
        fmt::format("the final alignment counts {} people, more than the {} counted at the first "
                    "alignment; attendance is fixed at the first count",
                    final_total, attendance));
  }
  if (have_viability && any_final && rules.lock_viable_groups) {
    for (size_t i = 0; i < n; ++i) {
      const Count first = report.figures[i].first.value_or(0);
      if (viable_first[i] && !released[i] && final_of(i) > first + freed) {
        impossible_counts = true;
        Add(check, "final-exceeds-lock", Severity::kError, {candidates[i]},
            fmt::format("{} grew from {} to {} people, but only {} were free to realign{}: "
                        "members of viable groups are locked in",
                        candidates[i], first, final_of(i), freed,
                        release.groups.empty()
                            ? std::string()
                            : fmt::format(" (with {}, who had to realign)",
                                          Join(NamesOf(candidates, release.groups)))));
      }
    }
  }
  if (!release.groups.empty()) {
    Count viable_count = 0;
    for (uint8_t v : viable_first) viable_count += v;
    std::vector<std::string> sizes;
    for (CandidateIndex c : release.groups) {
      sizes.push_back(fmt::format("{} ({})", candidates[c], report.figures[c].first.value_or(0)));
    }
    Add(check, "smallest-group-released", Severity::kInfo, NamesOf(candidates, release.groups),
        fmt::format("{} groups were viable at the first alignment for {} delegate(s): the rules "
                    "make the smallest realign, so {} {} not locked in and {} free to move",
                    viable_count, *delegates, Join(sizes),
                    release.groups.size() == 1 ? "was" : "were",
                    release.groups.size() == 1 ? "its members were" : "their members were"));
    if (!release.tied.empty()) {
      Add(check, "smallest-groups-tied", Severity::kInfo, NamesOf(candidates, release.tied),
          fmt::format("{} tied as the smallest viable group ({} people each) and {} of them had "
                      "to realign: any of them may have, so none of them is held to the lock",
                      Join(NamesOf(candidates, release.tied)),
                      report.figures[release.tied[0]].first.value_or(0),
                      release.tied_must_realign));
    }
  }

  // What the rules give.
  PrecinctInput input;
  bool input_ready = false;
  if (any_first && delegates && !impossible_counts) {
    input.delegates = *delegates;
    input.satellite = satellite && rules.satellites_enabled;
    input.explain = explain;
    input.first.resize(n);
    if (any_final) input.final.resize(n);
    for (size_t i = 0; i < n; ++i) {
      input.first[i] = in_person.figures[i].first.value_or(0);
      if (any_final) input.final[i] = in_person.figures[i].final.value_or(0);
    }
    if (explain) input.names = candidates;
    input.tie_outcomes = tie_outcomes;
    if (cards) input.early_votes = early_votes;
    auto allocation = AllocatePrecinct(rules, input, n);
    if (allocation.ok()) {
      check.computed = std::move(allocation).value();
      input_ready = true;
      if (apportionment != nullptr) {
        check.computed_sde = ComputeSde(rules, *check.computed, *apportionment);
      }
    } else {
      Add(check, "cannot-compute", Severity::kError, {}, allocation.status().message());
    }
  } else if (any_first && satellite && rules.satellites_enabled && !delegates) {
    Add(check, "cannot-compute", Severity::kError, {},
        fmt::format("no satellite bracket of the ruleset covers {} attendees", attendance));
  }
  const Allocation* computed = check.computed ? &*check.computed : nullptr;

  // SDEs per delegate for this unit.
  bool all_sde = true;
  Rational reported_sde_total;
  for (size_t i = 0; i < n; ++i) {
    const auto& s = report.figures[i].sde;
    all_sde = all_sde && s.has_value();
    if (s && !s->is_zero()) reported_sde_total += *s;
  }
  const bool attendance_rule = satellite && rules.satellite_sde == SatelliteSdeRule::kAttendance;
  std::optional<Rational> site_sde;  // satellites under the attendance rule
  int64_t slack = 1;  // how many half units of the last place a derived SDE may be off
  std::optional<Rational> per_delegate;
  if (attendance_rule) {
    if (apportionment != nullptr && apportionment->site_sde) {
      site_sde = *apportionment->site_sde;
      slack = 2;  // the site's SDEs are themselves a published, rounded decimal
    } else if (all_sde) {
      // The site's SDEs as the party split them. The total is a sum of rounded shares, so each
      // share may be off by half a unit per share: allow that much when matching delegates.
      site_sde = reported_sde_total;
      slack = 2;
      for (size_t i = 0; i < n; ++i) slack += report.figures[i].sde->is_zero() ? 0 : 1;
    }
    if (site_sde && delegates && *delegates > 0) per_delegate = *site_sde / Rational(*delegates);
  } else if (apportionment != nullptr && apportionment->sde_per_delegate) {
    per_delegate = *apportionment->sde_per_delegate;
  }

  // Reported delegates: as reported, or derived from SDEs (Iowa published only SDEs).
  std::vector<std::optional<Count>> reported(n);
  bool reported_complete = true;
  bool derived_any = false;
  std::vector<std::string> not_whole;
  for (size_t i = 0; i < n; ++i) {
    const CandidateReport& f = report.figures[i];
    if (f.delegates) {
      reported[i] = *f.delegates;
    } else if (f.sde && per_delegate) {
      reported[i] = DelegatesFromSde(*f.sde, *per_delegate, slack, places);
      derived_any = true;
      if (!reported[i]) not_whole.push_back(candidates[i]);
    } else if (f.sde && f.sde->is_zero()) {
      reported[i] = 0;
    }
    reported_complete = reported_complete && reported[i].has_value();
  }

  // A satellite whose SDEs split the site into another bracket's number of delegates.
  bool bracket_mismatch = false;
  if (attendance_rule && site_sde && delegates && *delegates > 0 && derived_any) {
    Count sum = 0;
    for (const auto& k : reported) sum += k.value_or(0);
    if (!not_whole.empty() || (reported_complete && sum != *delegates)) {
      for (const SatelliteBracket& b : rules.satellite_brackets) {
        if (b.delegates <= 0 || b.delegates == *delegates) continue;
        std::vector<std::optional<Count>> trial(n);
        for (size_t i = 0; i < n; ++i) {
          if (report.figures[i].delegates) trial[i] = report.figures[i].delegates;
        }
        Count trial_sum = 0;
        if (DeriveAll(report, *site_sde / Rational(b.delegates), slack, places, trial, trial_sum) &&
            trial_sum == b.delegates) {
          bracket_mismatch = true;
          reported = std::move(trial);
          reported_complete = true;
          not_whole.clear();
          Add(check, "satellite-bracket-mismatch", Severity::kError, {},
              fmt::format("the reported SDEs split the site's {} SDEs into {} delegates, but {} "
                          "attendees fall in the bracket that elects {}",
                          Sde(*site_sde, places), b.delegates, attendance, *delegates));
          break;
        }
      }
    }
  }
  if (!not_whole.empty()) {
    Add(check, "sde-not-whole-delegates", Severity::kError, not_whole,
        fmt::format("the SDEs reported for {} are not a whole number of delegates at {} SDEs "
                    "per delegate",
                    Join(not_whole), per_delegate->ToDecimal(6)));
  }
  if (per_delegate) {
    std::vector<std::string> mismatched;
    for (size_t i = 0; i < n; ++i) {
      const CandidateReport& f = report.figures[i];
      if (!f.delegates || !f.sde) continue;
      Rational expect =
          (*per_delegate * Rational(*f.delegates)).RoundTo(places, DecimalRounding::kHalfUp);
      if (expect != f.sde->RoundTo(places, DecimalRounding::kHalfUp))
        mismatched.push_back(candidates[i]);
    }
    if (!mismatched.empty()) {
      Add(check, "sde-does-not-match-delegates", Severity::kError, mismatched,
          fmt::format("the SDEs reported for {} are not their reported delegates times {} SDEs per "
                      "delegate",
                      Join(mismatched), per_delegate->ToDecimal(6)));
    }
  }

  // Delegates or SDEs for a group the rules do not let win any.
  const bool plurality_one =
      delegates && *delegates == 1 && rules.single_delegate == SingleDelegateRule::kPlurality;
  if (have_viability) {
    std::vector<std::string> to_nonviable;
    std::vector<std::string> without;
    // Under the plurality rule a majority group is the largest: it keeps its delegate too.
    const bool minimum_applies =
        rules.minimum_one_delegate && (static_cast<Count>(viable.size()) <= *delegates ||
                                       rules.over_allocation == OverAllocation::kAddDelegates);
    // Under the plurality rule the largest final group(s) may take the one delegate, viable or
    // not (a tie among them goes to chance).
    Count largest = 0;
    if (plurality_one) {
      for (size_t i = 0; i < n; ++i) largest = std::max(largest, final_of(i));
    }
    std::vector<CandidateIndex> top;
    for (size_t i = 0; i < n && largest > 0; ++i) {
      if (final_of(i) == largest) top.push_back(static_cast<CandidateIndex>(i));
    }
    for (size_t i = 0; i < n; ++i) {
      const CandidateReport& f = report.figures[i];
      bool got = reported[i].value_or(0) > 0 || (f.sde && !f.sde->is_zero());
      bool computed_wins =
          computed != nullptr && computed->complete() && computed->delegates[i] > 0;
      bool may_win = viable_final[i] || (largest > 0 && final_of(i) == largest) || computed_wins;
      if (got && !may_win) to_nonviable.push_back(candidates[i]);
      if (viable_final[i] && minimum_applies && reported[i] && *reported[i] == 0 &&
          !(f.sde && !f.sde->is_zero())) {
        without.push_back(candidates[i]);
      }
    }
    if (!to_nonviable.empty()) {
      Add(check, "delegates-to-nonviable-group", Severity::kError, to_nonviable,
          plurality_one
              ? fmt::format("{} received the single delegate (or its SDEs) without a majority "
                            "({}) or being the largest group at the final alignment ({} people)",
                            Join(to_nonviable), threshold_text(), largest)
              : fmt::format("{} received delegates or SDEs without being viable at the final "
                            "alignment (threshold {})",
                            Join(to_nonviable), threshold_text()));
    }
    if (!without.empty()) {
      Add(check, "viable-group-without-delegate", Severity::kError, without,
          fmt::format(
              "{} {} viable at the final alignment but received no delegate: a viable group "
              "keeps at least one",
              Join(without), without.size() == 1 ? "was" : "were"));
    }
    if (rules.minimum_one_delegate && !plurality_one && *delegates > 0 &&
        static_cast<Count>(viable.size()) > *delegates) {
      Add(check, "more-viable-groups-than-delegates", Severity::kWarning,
          NamesOf(candidates, viable),
          rules.over_allocation == OverAllocation::kSmallestRealign
              ? fmt::format(
                    "{} viable groups for {} delegates: the rules make the smallest group(s) "
                    "realign a third time; the computed side waits for that alignment",
                    viable.size(), *delegates)
              : fmt::format("{} viable groups for {} delegates: the rules add {} delegate(s) so "
                            "that each keeps one",
                            viable.size(), *delegates,
                            static_cast<Count>(viable.size()) - *delegates));
    }
    if (attendance > 0 && viable.empty() && !top.empty()) {
      // The caucus as a whole elects its one delegate: the largest group takes it (spec 1.9).
      std::vector<std::string> names = NamesOf(candidates, top);
      Add(check, "single-delegate-no-majority", Severity::kInfo, names,
          top.size() == 1
              ? fmt::format("no group had a majority ({}): the largest group, {} ({} people), "
                            "elects the single delegate",
                            threshold_text(), names[0], largest)
              : fmt::format("no group had a majority ({}): the largest groups, {} ({} people "
                            "each), are tied for the single delegate, which chance decides",
                            threshold_text(), Join(names), largest));
    } else if (attendance > 0 && viable.empty()) {
      Add(check, "no-viable-group", Severity::kWarning, {},
          fmt::format("no group is viable at the final alignment (threshold {}): no delegate can "
                      "be elected",
                      threshold_text()));
    }
  }

  // Locked groups after realignment.
  if (have_viability && any_final && rules.lock_viable_groups) {
    const bool people_left = final_total < attendance;
    for (size_t i = 0; i < n; ++i) {
      if (!viable_first[i] || released[i]) continue;
      const Count first = report.figures[i].first.value_or(0);
      const Count last = final_of(i);
      if (last >= first) continue;
      if (!people_left) {
        Add(check, "locked-group-realigned", Severity::kError, {candidates[i]},
            fmt::format(
                "{} was viable and locked with {} people but has {} in the final alignment, "
                "although nobody left",
                candidates[i], first, last));
      } else if (last == 0) {
        Add(check, "locked-group-vanished", Severity::kWarning, {candidates[i]},
            fmt::format("{} was viable and locked with {} people but has nobody in the final "
                        "alignment; legal only if they all left",
                        candidates[i], first));
      } else if (!viable_final[i]) {
        Add(check, "locked-group-below-viability", Severity::kWarning, {candidates[i]},
            fmt::format("{} was viable and locked with {} people but fell to {} (threshold {}); "
                        "legal only if people left",
                        candidates[i], first, last, threshold_text()));
      }
    }
  }
  if (any_first && any_final) {
    std::vector<std::string> from_nowhere;
    for (size_t i = 0; i < n; ++i) {
      if (report.figures[i].first.value_or(0) == 0 && final_of(i) > 0)
        from_nowhere.push_back(candidates[i]);
    }
    if (!from_nowhere.empty()) {
      Add(check, "zero-first-support-in-final", Severity::kWarning, from_nowhere,
          fmt::format("{} had nobody at the first alignment but people in the final one",
                      Join(from_nowhere)));
    }
  }

  // The reported allocation against the computed one.
  if (computed != nullptr && reported_complete && !bracket_mismatch) {
    std::vector<Count> got(n);
    for (size_t i = 0; i < n; ++i) got[i] = *reported[i];
    auto listing = [&](const std::vector<Count>& d) {
      std::string s;
      for (size_t i = 0; i < n; ++i) {
        if (d[i] == 0 && got[i] == 0 && (computed == nullptr || computed->delegates[i] == 0))
          continue;
        if (!s.empty()) s += ", ";
        s += fmt::format("{} {}", candidates[i], d[i]);
      }
      return s.empty() ? std::string("nobody") : s;
    };
    if (computed->complete()) {
      if (got != computed->delegates) {
        std::vector<std::string> differ;
        for (size_t i = 0; i < n; ++i) {
          if (got[i] != computed->delegates[i]) differ.push_back(candidates[i]);
        }
        Add(check, "allocation-differs", Severity::kError, differ,
            fmt::format("reported delegates{}: {}; the rules give {}",
                        derived_any ? " (from SDEs)" : "", listing(got),
                        listing(computed->delegates)));
      }
    } else if (computed->pending_tie && input_ready) {
      int budget = 4096;
      if (SomeTieOutcomeGives(rules, input, n, *computed->pending_tie, got, 0, budget)) {
        Add(check, "allocation-is-tie-outcome", Severity::kInfo,
            NamesOf(candidates, computed->pending_tie->groups),
            fmt::format("the reported delegates ({}) are one possible outcome of the tie among {}; "
                        "the outcome of the game of chance was not recorded",
                        listing(got), Join(NamesOf(candidates, computed->pending_tie->groups))));
      } else {
        Add(check, "allocation-differs", Severity::kError,
            NamesOf(candidates, computed->pending_tie->groups),
            fmt::format("reported delegates {}{} match no outcome of the tie among {}",
                        derived_any ? "(from SDEs) " : "", listing(got),
                        Join(NamesOf(candidates, computed->pending_tie->groups))));
      }
    }
  }
  if (computed != nullptr && computed->pending_tie) {
    const TieEvent& t = *computed->pending_tie;
    Add(check, "tie-pending", Severity::kInfo, NamesOf(candidates, t.groups),
        fmt::format("{} tie on the decimal {}: {} of them {} a delegate by a game of chance, not "
                    "recorded here",
                    Join(NamesOf(candidates, t.groups)), t.decimal.ToDecimal(4),
                    t.delegates_at_stake, t.kind == TieEvent::Kind::kGain ? "gain" : "lose"));
  }

  // Totals. The precinct elects D, or more when the ruleset adds delegates; when no group is
  // viable, electing nobody is also consistent (no-viable-group says why).
  const Count elects =
      delegates ? std::max(*delegates, computed != nullptr ? computed->total_delegates : 0) : 0;
  const bool none_viable = have_viability && viable.empty();
  if (!bracket_mismatch && delegates && reported_complete &&
      !(computed != nullptr && !computed->must_realign.empty())) {
    Count sum = 0;
    for (const auto& k : reported) sum += *k;
    const Count expected = elects;
    if (sum != expected && !(none_viable && sum == 0)) {
      Add(check, "delegate-total-differs", Severity::kError, {},
          fmt::format(
              "reported delegates{} total {}, but the precinct elects {}{}",
              derived_any ? " (from SDEs)" : "", sum, expected,
              computed != nullptr && expected > computed->apportioned_delegates
                  ? fmt::format(" ({} apportioned, {} added)", computed->apportioned_delegates,
                                expected - computed->apportioned_delegates)
                  : std::string()));
    }
  }
  if (!bracket_mismatch && all_sde && delegates) {
    std::optional<Rational> apportioned;
    if (attendance_rule) {
      if (apportionment != nullptr && apportionment->site_sde)
        apportioned = apportionment->site_sde->RoundTo(places);
    } else if (per_delegate) {
      apportioned = (*per_delegate * Rational(elects)).RoundTo(places, DecimalRounding::kHalfUp);
    }
    if (apportioned) {
      const Rational total = reported_sde_total.RoundTo(places, DecimalRounding::kHalfUp);
      bool ok = total == *apportioned || (none_viable && total.is_zero());
      if (!ok && check.computed_sde.size() == n) {
        Rational sum;
        for (const Rational& s : check.computed_sde) {
          if (!s.is_zero()) sum += s;
        }
        ok = total == sum;  // per-candidate rounding can move the total by a unit or two
      }
      if (!ok && reported_complete && per_delegate) {
        // The same rounding for a split of the right number of delegates (any tie outcome).
        Count count = 0;
        Rational sum;
        for (const auto& k : reported) {
          count += *k;
          if (*k != 0)
            sum += (*per_delegate * Rational(*k)).RoundTo(places, DecimalRounding::kHalfUp);
        }
        ok = count == elects && total == sum;
      }
      if (!ok) {
        Add(check, "sde-total-differs", Severity::kError, {},
            fmt::format("reported SDEs total {}, but the precinct's SDEs are {}",
                        Sde(total, places), Sde(*apportioned, places)));
      }
    }
  }
  // A bulk check keeps the computed delegates, not the worksheet: the lines are the bulk of the
  // memory of 200,000 checks, and CheckPrecinct(..., explain = true) rebuilds them for a reader.
  if (!explain && check.computed) {
    check.computed->lines.clear();
    check.computed->lines.shrink_to_fit();
  }
  return check;
}

namespace {

// A place by name, viewing strings owned by the election: no copies while checking.
struct Place {
  std::string_view county;
  std::string_view precinct;
  bool operator==(const Place& o) const { return county == o.county && precinct == o.precinct; }
};
struct PlaceHash {
  size_t operator()(const Place& p) const {
    std::hash<std::string_view> h;
    return h(p.county) * 1000003u ^ h(p.precinct);
  }
};
using PlaceIndex = std::unordered_map<Place, size_t, PlaceHash>;

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

uint64_t FiguresHash(const PrecinctReport& r) {
  uint64_t h = 1469598103934665603ULL;
  for (const CandidateReport& f : r.figures) {
    h = Mix(h, f.first ? static_cast<uint64_t>(*f.first) + 1 : 0);
    h = Mix(h, f.final ? static_cast<uint64_t>(*f.final) + 1 : 0);
    h = Mix(h, f.delegates ? static_cast<uint64_t>(*f.delegates) + 1 : 0);
    h = Mix(h, f.sde
                   ? static_cast<uint64_t>(f.sde->num()) * 31 + static_cast<uint64_t>(f.sde->den())
                   : 0);
  }
  return h;
}

bool SameFigures(const PrecinctReport& a, const PrecinctReport& b) {
  if (a.figures.size() != b.figures.size()) return false;
  for (size_t i = 0; i < a.figures.size(); ++i) {
    const CandidateReport& x = a.figures[i];
    const CandidateReport& y = b.figures[i];
    if (x.first != y.first || x.final != y.final || x.delegates != y.delegates || x.sde != y.sde)
      return false;
  }
  return true;
}

// Identical figures in two different precincts only mean something when they are not small
// numbers that coincide by chance.
bool DistinctiveFigures(const PrecinctReport& r) {
  Count people = 0;
  int groups = 0;
  for (const CandidateReport& f : r.figures) {
    people += f.first.value_or(0);
    groups += f.first.value_or(0) > 0;
  }
  return people >= 20 && groups >= 2;
}

std::string Where(const PrecinctReport& r) {
  std::string where = r.county + " / " + r.precinct;
  if (!r.source.file.empty()) where += " (" + r.source.ToString() + ")";
  return where;
}

}  // namespace

std::vector<PrecinctCheck> CheckElection(const Ruleset& ruleset, const Election& election) {
  PlaceIndex apportioned;  // built on the first report out of the apportionment's order
  auto find_apportionment = [&](const Place& place) -> const PrecinctApportionment* {
    if (apportioned.empty() && !election.apportionment.empty()) {
      apportioned.reserve(election.apportionment.size());
      for (size_t i = 0; i < election.apportionment.size(); ++i) {
        const PrecinctApportionment& a = election.apportionment[i];
        apportioned.emplace(Place{a.county, a.precinct}, i);
      }
    }
    auto it = apportioned.find(place);
    return it == apportioned.end() ? nullptr : &election.apportionment[it->second];
  };
  std::vector<PrecinctCheck> checks;
  checks.reserve(election.reports.size());
  std::vector<std::pair<uint64_t, size_t>> by_place;    // (hash of county and precinct, report)
  std::vector<std::pair<uint64_t, size_t>> by_figures;  // (hash of the figures, report)
  by_place.reserve(election.reports.size());
  for (size_t r = 0; r < election.reports.size(); ++r) {
    const PrecinctReport& report = election.reports[r];
    const Place place{report.county, report.precinct};
    const PrecinctApportionment* apportionment = nullptr;
    // Reports usually come in the apportionment's order: try the same row before the index.
    if (r < election.apportionment.size() &&
        election.apportionment[r].precinct == report.precinct &&
        election.apportionment[r].county == report.county) {
      apportionment = &election.apportionment[r];
    } else {
      apportionment = find_apportionment(place);
    }
    checks.push_back(CheckPrecinct(ruleset, election.candidates, report, apportionment));
    by_place.emplace_back(PlaceHash()(place), r);
  }
  // The same precinct reported more than once: sorting keeps report order within a run.
  std::sort(by_place.begin(), by_place.end());
  std::vector<uint8_t> repeated(election.reports.size(), 0);
  for (size_t begin = 0; begin < by_place.size();) {
    size_t end = begin + 1;
    while (end < by_place.size() && by_place[end].first == by_place[begin].first) ++end;
    for (size_t x = begin; x < end; ++x) {
      const PrecinctReport& later = election.reports[by_place[x].second];
      for (size_t y = begin; y < x; ++y) {
        const PrecinctReport& earlier = election.reports[by_place[y].second];
        if (earlier.county != later.county || earlier.precinct != later.precinct) continue;
        repeated[by_place[x].second] = 1;
        const bool same = SameFigures(earlier, later);
        const char* code = same ? "duplicate-precinct-record" : "conflicting-precinct-records";
        const Severity severity = same ? Severity::kWarning : Severity::kError;
        const char* what = same ? "with identical figures" : "with different figures";
        Add(checks[by_place[y].second], code, severity, {},
            fmt::format("this precinct is reported again {} at {}", what, Where(later)));
        Add(checks[by_place[x].second], code, severity, {},
            fmt::format("this precinct was already reported {} at {}", what, Where(earlier)));
        break;
      }
    }
    begin = end;
  }
  for (size_t r = 0; r < election.reports.size(); ++r) {
    if (!repeated[r] && DistinctiveFigures(election.reports[r])) {
      by_figures.emplace_back(FiguresHash(election.reports[r]), r);
    }
  }
  std::sort(by_figures.begin(), by_figures.end());
  for (size_t begin = 0; begin < by_figures.size();) {
    size_t end = begin + 1;
    while (end < by_figures.size() && by_figures[end].first == by_figures[begin].first) ++end;
    for (size_t x = begin; x < end; ++x) {
      for (size_t y = begin; y < end; ++y) {
        if (x == y) continue;
        const PrecinctReport& a = election.reports[by_figures[x].second];
        const PrecinctReport& b = election.reports[by_figures[y].second];
        if (!SameFigures(a, b)) continue;
        Add(checks[by_figures[x].second], "identical-precinct-figures", Severity::kWarning, {},
            fmt::format("every figure of this precinct equals those of {}: a record copied by "
                        "mistake?",
                        Where(b)));
      }
    }
    begin = end;
  }
  return checks;
}

std::vector<PrecinctCheck> CheckUnreportedPrecincts(const Election& election) {
  PlaceIndex reported;
  reported.reserve(election.reports.size());
  for (size_t i = 0; i < election.reports.size(); ++i) {
    reported.emplace(Place{election.reports[i].county, election.reports[i].precinct}, i);
  }
  std::vector<PrecinctCheck> out;
  for (const PrecinctApportionment& a : election.apportionment) {
    if (reported.count(Place{a.county, a.precinct}) != 0) continue;
    PrecinctCheck check;
    check.county = a.county;
    check.precinct = a.precinct;
    Add(check, "precinct-not-reported", Severity::kWarning, {},
        a.delegates
            ? fmt::format("this precinct elects {} delegates but no result was reported for it",
                          *a.delegates)
            : std::string("this precinct is apportioned but no result was reported for it"));
    out.push_back(std::move(check));
  }
  return out;
}

}  // namespace canvass
