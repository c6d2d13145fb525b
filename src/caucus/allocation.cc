#include "caucus/allocation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <map>
#include <utility>

#include "rules/threshold.h"

namespace canvass {
namespace {

// One candidate's working state while the worksheet is filled in.
struct Group {
  Count first_in_person = 0;
  Count first = 0;  // in person + early-vote first choices
  Count final = 0;  // in person + early-vote cards that stay or move here
  Count cards_moved_in = 0;
  bool viable_first = false;
  bool viable_final = false;
  bool locked = false;
  Rational raw;
  Rational raw_at_precision;
  // raw_at_precision - delegates, how far the group is from its share, as a numerator over
  // raw_at_precision.den(): the adjustment compares keys without reducing fractions.
  int64_t key_num = 0;
  Rational key() const { return Rational(key_num, raw_at_precision.den()); }
  Count rounded = 0;
  Count delegates = 0;
  std::vector<std::string> notes;
};

std::string CandidateName(const PrecinctInput& input, size_t i) {
  if (i < input.names.size() && !input.names[i].empty()) return input.names[i];
  return "candidate " + std::to_string(i);
}

// Four places for the worksheet; whole numbers without a decimal point.
std::string Decimal4(const Rational& r) {
  if (r.is_integer()) return std::to_string(r.num());
  return r.ToDecimal(4);
}

// ".6" for 0.6, ".0667" for 0.0667: the decimal part as chairs say it.
std::string DecimalPart(const Rational& r) {
  std::string s = r.FractionalPart().ToShortDecimal();
  if (s.size() > 6) s = r.FractionalPart().ToDecimal(4);
  if (s == "0") return ".0";
  if (s.rfind("0.", 0) == 0) return s.substr(1);
  return s;
}

const char* BreakerName(TieBreaker b) {
  switch (b) {
    case TieBreaker::kCoin:
      return "coin toss";
    case TieBreaker::kCardDraw:
      return "card draw";
    case TieBreaker::kLot:
      return "drawing of lots";
  }
  return "game of chance";
}

Count ThresholdHeadCount(Count attendance, const Rational& t, ViabilityComparison cmp) {
  __int128 p = static_cast<__int128>(t.num()) * attendance;
  __int128 q = t.den();
  __int128 n = cmp == ViabilityComparison::kAtLeast ? (p + q - 1) / q : p / q + 1;
  return std::max<Count>(1, static_cast<Count>(n));
}

Rational AtTiePrecision(const Rational& raw, TiePrecision p) {
  switch (p) {
    case TiePrecision::kExact:
      return raw;
    case TiePrecision::kRound4:
      return raw.RoundTo(4, DecimalRounding::kHalfUp);
    case TiePrecision::kTrunc4:
      return raw.RoundTo(4, DecimalRounding::kTruncate);
  }
  return raw;
}

Status CheckCount(const PrecinctInput& input, size_t i, Count v, const char* alignment) {
  if (v < 0) {
    return Status::InvalidArgument(fmt::format("{}: {} alignment count {} is negative",
                                               CandidateName(input, i), alignment, v));
  }
  if (v > kMaxHeadCount) {
    return Status::InvalidArgument(fmt::format("{}: {} alignment count {} is more than {} people",
                                               CandidateName(input, i), alignment, v,
                                               kMaxHeadCount));
  }
  return Status::Ok();
}

std::string NameList(const PrecinctInput& input, const std::vector<CandidateIndex>& groups) {
  std::string out;
  for (size_t k = 0; k < groups.size(); ++k) {
    if (k > 0) out += k + 1 == groups.size() ? " and " : ", ";
    out += CandidateName(input, groups[k]);
  }
  return out;
}

bool SameGroups(std::vector<CandidateIndex> a, std::vector<CandidateIndex> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

// Orders two groups by key (-1, 0, 1), exactly, by cross-multiplying.
int CompareKeys(const Group& a, const Group& b) {
  const __int128 l = static_cast<__int128>(a.key_num) * b.raw_at_precision.den();
  const __int128 r = static_cast<__int128>(b.key_num) * a.raw_at_precision.den();
  return l < r ? -1 : (l > r ? 1 : 0);
}

// Adjusts the worksheet one step at a time (spec 1.6, 3.4). Returns an error only for a
// recorded tie outcome that cannot belong to the tie it matches.
class Worksheet {
 public:
  Worksheet(const PrecinctRules& rules, const PrecinctInput& input, std::vector<Group>& groups,
            const std::vector<CandidateIndex>& viable, Allocation& a)
      : rules_(rules), input_(input), g_(groups), viable_(viable), a_(a) {}

  // Settles a tie among `tied` in which `at_stake` of them gain (or lose) one. Returns false when
  // it stays pending.
  Result<bool> SettleTie(TieEvent::Kind kind, std::vector<CandidateIndex> tied, Count at_stake,
                         const Rational& decimal) {
    std::sort(tied.begin(), tied.end());
    TieEvent event;
    event.kind = kind;
    event.groups = tied;
    event.delegates_at_stake = at_stake;
    event.decimal = decimal;
    event.breaker = rules_.tie_breaker;
    if (next_outcome_ >= input_.tie_outcomes.size() ||
        !SameGroups(input_.tie_outcomes[next_outcome_].tied, tied)) {
      if (input_.explain) {
        a_.notes.push_back(fmt::format(
            "tie: {} share the decimal {}; {} of them {} a delegate: a {} must decide",
            NameList(input_, tied), DecimalPart(decimal), at_stake,
            kind == TieEvent::Kind::kGain ? "gain" : "lose", BreakerName(rules_.tie_breaker)));
      }
      a_.pending_tie = std::move(event);
      return false;
    }
    const TieOutcome& outcome = input_.tie_outcomes[next_outcome_++];
    const size_t favoured_needed =
        kind == TieEvent::Kind::kGain ? static_cast<size_t>(at_stake) : tied.size() - at_stake;
    std::vector<CandidateIndex> favoured = outcome.favoured;
    std::sort(favoured.begin(), favoured.end());
    favoured.erase(std::unique(favoured.begin(), favoured.end()), favoured.end());
    for (CandidateIndex f : favoured) {
      if (!std::binary_search(tied.begin(), tied.end(), f)) {
        return Status::InvalidArgument(fmt::format(
            "the recorded {} favours {}, who is not among the tied groups {}",
            BreakerName(rules_.tie_breaker), CandidateName(input_, f), NameList(input_, tied)));
      }
    }
    if (favoured.size() != favoured_needed) {
      return Status::InvalidArgument(
          fmt::format("the recorded {} among {} must favour {} group(s) ({} {} a delegate), not {}",
                      BreakerName(rules_.tie_breaker), NameList(input_, tied), favoured_needed,
                      at_stake, kind == TieEvent::Kind::kGain ? "gain" : "lose", favoured.size()));
    }
    for (CandidateIndex c : tied) {
      bool is_favoured = std::binary_search(favoured.begin(), favoured.end(), c);
      bool moves = kind == TieEvent::Kind::kGain ? is_favoured : !is_favoured;
      if (moves) Move(c, kind == TieEvent::Kind::kGain ? 1 : -1);
      if (input_.explain) {
        std::string how = outcome.detail.empty() ? "" : " (" + outcome.detail + ")";
        std::string what = kind == TieEvent::Kind::kGain
                               ? (is_favoured ? "gained one" : "did not gain")
                               : (is_favoured ? "kept its delegate" : "lost one");
        g_[c].notes.push_back(fmt::format("{}{}: {} favoured; {}", BreakerName(rules_.tie_breaker),
                                          how, NameList(input_, favoured), what));
      }
    }
    a_.resolved_ties.push_back(std::move(event));
    return true;
  }

  // Runs the adjustment until the total is `target` or a tie is pending.
  Status Adjust(Count target) {
    const Count keep = rules_.minimum_one_delegate ? 1 : 0;
    Count total = 0;
    for (CandidateIndex c : viable_) total += g_[c].delegates;
    bool noted_protection = false;
    std::vector<CandidateIndex> tied;
    while (total != target) {
      const bool too_many = total > target;
      const Count moving = too_many ? total - target : target - total;
      tied.clear();
      const Group* best = nullptr;
      for (CandidateIndex c : viable_) {
        if (too_many && g_[c].delegates <= keep) continue;
        const int order = best == nullptr ? 0 : CompareKeys(g_[c], *best);
        if (best == nullptr || (too_many ? order < 0 : order > 0)) {
          best = &g_[c];
          tied.clear();
        }
        if (best == &g_[c] || order == 0) tied.push_back(c);
      }
      if (best == nullptr) {
        // Only reachable without the minimum of one: nothing left to take.
        return Status::Ok();
      }
      const Group& decisive = *best;
      if (too_many && !noted_protection && keep == 1 && input_.explain) {
        noted_protection = true;
        for (CandidateIndex c : viable_) {
          if (g_[c].delegates == 1 && CompareKeys(g_[c], decisive) <= 0) {
            g_[c].notes.push_back(fmt::format(
                "kept its only delegate (its decimal {} is lower, but a viable group never loses "
                "its only delegate)",
                DecimalPart(g_[c].raw_at_precision)));
          }
        }
      }
      if (static_cast<Count>(tied.size()) <= moving) {
        for (CandidateIndex c : tied) {
          if (input_.explain) {
            g_[c].notes.push_back(
                too_many
                    ? fmt::format("lost one: lowest decimal {} among groups that rounded up",
                                  DecimalPart(g_[c].raw_at_precision))
                    : fmt::format("gained one: highest decimal {}, closest to its next delegate",
                                  DecimalPart(g_[c].raw_at_precision)));
          }
          Move(c, too_many ? -1 : 1);
        }
        total += too_many ? -static_cast<Count>(tied.size()) : static_cast<Count>(tied.size());
        continue;
      }
      auto settled = SettleTie(too_many ? TieEvent::Kind::kLoss : TieEvent::Kind::kGain, tied,
                               moving, decisive.key().FractionalPart());
      if (!settled.ok()) return settled.status();
      if (!*settled) return Status::Ok();
      total += too_many ? -moving : moving;
    }
    return Status::Ok();
  }

  size_t outcomes_used() const { return next_outcome_; }

 private:
  void Move(CandidateIndex c, Count by) {
    g_[c].delegates += by;
    g_[c].key_num -= by * g_[c].raw_at_precision.den();
  }

  const PrecinctRules& rules_;
  const PrecinctInput& input_;
  std::vector<Group>& g_;
  const std::vector<CandidateIndex>& viable_;
  Allocation& a_;
  size_t next_outcome_ = 0;
};

}  // namespace

LockRelease GroupsReleasedFromLock(const PrecinctRules& rules, Count delegates,
                                   const std::vector<Count>& first,
                                   const std::vector<uint8_t>& viable_first) {
  LockRelease release;
  if (!rules.lock_viable_groups || !rules.smallest_realign_releases_lock ||
      !rules.minimum_one_delegate || rules.over_allocation != OverAllocation::kSmallestRealign ||
      delegates <= 0 ||
      (delegates == 1 && rules.single_delegate == SingleDelegateRule::kPlurality)) {
    return release;
  }
  std::vector<CandidateIndex> left;
  for (size_t i = 0; i < viable_first.size() && i < first.size(); ++i) {
    if (viable_first[i]) left.push_back(static_cast<CandidateIndex>(i));
  }
  while (static_cast<Count>(left.size()) > delegates) {
    const auto excess = static_cast<Count>(left.size()) - delegates;
    Count smallest = first[left[0]];
    for (CandidateIndex c : left) smallest = std::min(smallest, first[c]);
    std::vector<CandidateIndex> tier;
    std::vector<CandidateIndex> rest;
    for (CandidateIndex c : left) (first[c] == smallest ? tier : rest).push_back(c);
    if (static_cast<Count>(tier.size()) > excess && release.tied.empty()) {
      release.tied = tier;
      release.tied_must_realign = excess;
    }
    release.groups.insert(release.groups.end(), tier.begin(), tier.end());
    left = std::move(rest);
  }
  std::sort(release.groups.begin(), release.groups.end());
  return release;
}

std::string EarlyVoteCardVoidReason(const EarlyVoteRules& rules, const EarlyVoteCard& card,
                                    const std::vector<std::string>& names) {
  const auto& choices = card.choices;
  const auto size = static_cast<int64_t>(choices.size());
  if (size < rules.min_choices) {
    return fmt::format("{} choice(s), fewer than the {} required", size, rules.min_choices);
  }
  if (size > rules.max_choices) {
    return fmt::format("{} choices, more than the {} allowed", size, rules.max_choices);
  }
  if (rules.distinct_choices) {
    for (size_t x = 0; x < choices.size(); ++x) {
      for (size_t y = x + 1; y < choices.size(); ++y) {
        if (choices[x] != choices[y]) continue;
        const size_t c = choices[x];
        return fmt::format("{} is ranked twice", c < names.size() && !names[c].empty()
                                                     ? names[c]
                                                     : "candidate " + std::to_string(c));
      }
    }
  }
  return std::string();
}

EarlyVoteCounts CountEarlyVotes(const PrecinctRules& rules, const std::vector<EarlyVoteCard>& cards,
                                const std::vector<Count>& first, Count delegates) {
  const size_t n = first.size();
  EarlyVoteCounts out;
  out.first.assign(n, 0);
  out.final.assign(n, 0);
  out.viable.assign(n, 0);
  out.no_viable_choice.assign(n, 0);
  std::vector<const EarlyVoteCard*> valid;
  for (const EarlyVoteCard& card : cards) {
    bool known = true;
    for (CandidateIndex c : card.choices) known = known && c < n;
    if (!known || !EarlyVoteCardVoidReason(rules.early_vote, card, {}).empty()) {
      ++out.void_cards;
      continue;
    }
    valid.push_back(&card);
    ++out.first[card.choices[0]];
  }
  out.valid_cards = static_cast<Count>(valid.size());
  for (size_t i = 0; i < n; ++i) out.attendance += first[i] + out.first[i];
  std::optional<Rational> threshold;
  if (delegates > 0) threshold = rules.ThresholdFor(delegates);
  for (size_t i = 0; i < n; ++i) {
    out.viable[i] = threshold && IsViable(first[i] + out.first[i], out.attendance, *threshold,
                                          rules.viability_comparison);
  }
  // Step 6: a card stays with a viable first choice, moves to its best viable choice, or is
  // counted nowhere. Moves are counted per (from, to) in a map: a precinct's few groups make few
  // pairs, and the map gives them in order.
  std::map<std::pair<CandidateIndex, CandidateIndex>, Count> moved;
  for (const EarlyVoteCard* card : valid) {
    const CandidateIndex from = card->choices[0];
    bool placed = false;
    for (CandidateIndex c : card->choices) {
      if (!out.viable[c]) continue;
      ++out.final[c];
      if (c != from) ++moved[{from, c}];
      placed = true;
      break;
    }
    if (!placed) {
      ++out.no_viable_choice[from];
      ++out.no_viable_choice_total;
    }
  }
  out.moves.reserve(moved.size());
  for (const auto& [pair, count] : moved) out.moves.push_back({pair.first, pair.second, count});
  return out;
}

Result<Allocation> AllocatePrecinct(const PrecinctRules& rules, const PrecinctInput& input,
                                    size_t candidate_count) {
  const size_t n = candidate_count;
  if (rules.method != PrecinctMethod::kCaucus) {
    return Status::InvalidArgument(
        "this ruleset holds no precinct caucus (a straw poll, or no precinct level): there is no "
        "delegate to allocate");
  }
  if (input.first.size() != n) {
    return Status::InvalidArgument(
        fmt::format("the first alignment has {} group counts but there are {} candidates",
                    input.first.size(), n));
  }
  if (!input.final.empty() && input.final.size() != n) {
    return Status::InvalidArgument(
        fmt::format("the final alignment has {} group counts but there are {} candidates",
                    input.final.size(), n));
  }
  if (!input.names.empty() && input.names.size() != n) {
    return Status::InvalidArgument(
        fmt::format("{} candidate names for {} candidates", input.names.size(), n));
  }
  for (size_t i = 0; i < n; ++i) {
    CANVASS_RETURN_IF_ERROR(CheckCount(input, i, input.first[i], "first"));
    if (!input.final.empty())
      CANVASS_RETURN_IF_ERROR(CheckCount(input, i, input.final[i], "final"));
  }
  if (!input.early_votes.empty() && !rules.early_vote.enabled) {
    return Status::InvalidArgument(
        "early-vote cards were given, but this ruleset has no early vote");
  }
  if (static_cast<Count>(input.early_votes.size()) > kMaxHeadCount) {
    return Status::InvalidArgument(fmt::format("{} early-vote cards is more than {}",
                                               input.early_votes.size(), kMaxHeadCount));
  }
  for (size_t k = 0; k < input.early_votes.size(); ++k) {
    const auto& choices = input.early_votes[k].choices;
    for (size_t j = 0; j < choices.size(); ++j) {
      if (choices[j] >= n) {
        return Status::InvalidArgument(fmt::format(
            "early-vote card {}: choice {} names candidate number {}, but there are only {} "
            "candidates",
            k + 1, j + 1, choices[j], n));
      }
    }
  }

  const bool explain = input.explain;
  Allocation a;
  a.delegates.assign(n, 0);
  std::vector<Group> g(n);

  // First alignment: people in the room plus valid early-vote cards' first choices.
  Count attendance = 0;
  for (size_t i = 0; i < n; ++i) {
    g[i].first_in_person = input.first[i];
    g[i].first = input.first[i];
  }
  std::vector<uint8_t> card_valid(input.early_votes.size(), 0);
  Count void_cards = 0;
  for (size_t k = 0; k < input.early_votes.size(); ++k) {
    const auto& choices = input.early_votes[k].choices;
    const std::string why =
        EarlyVoteCardVoidReason(rules.early_vote, input.early_votes[k], input.names);
    if (!why.empty()) {
      ++void_cards;
      if (explain) a.notes.push_back(fmt::format("early-vote card {} is void: {}", k + 1, why));
      continue;
    }
    card_valid[k] = 1;
    ++g[choices[0]].first;
  }
  for (size_t i = 0; i < n; ++i) attendance += g[i].first;
  if (attendance > kMaxHeadCount) {
    return Status::InvalidArgument(
        fmt::format("the first alignment counts {} people, more than {} in one precinct",
                    attendance, kMaxHeadCount));
  }
  a.attendance = attendance;
  if (explain) {
    Count cards = static_cast<Count>(input.early_votes.size()) - void_cards;
    a.notes.push_back(cards > 0 ? fmt::format("T = {} people at the first alignment ({} in person, "
                                              "{} early-vote first choices)",
                                              attendance, attendance - cards, cards)
                                : fmt::format("T = {} people at the first alignment", attendance));
  }

  // Delegates the precinct elects.
  Count delegates = input.delegates;
  if (input.satellite) {
    if (!rules.satellites_enabled) {
      return Status::InvalidArgument(
          "this precinct is a satellite, but the ruleset has no satellite caucuses");
    }
    if (attendance == 0) {
      delegates = 0;
    } else {
      std::optional<Count> d = rules.SatelliteDelegatesFor(attendance);
      if (!d) {
        return Status::InvalidArgument(
            fmt::format("no satellite bracket of the ruleset covers {} attendees", attendance));
      }
      delegates = *d;
      if (explain)
        a.notes.push_back(
            fmt::format("satellite: {} attendees elect {} delegates", attendance, delegates));
    }
  }
  if (delegates < 0) {
    return Status::InvalidArgument(
        fmt::format("the precinct elects {} delegates: a negative number", delegates));
  }
  if (delegates > kMaxDelegates) {
    return Status::InvalidArgument(
        fmt::format("the precinct elects {} delegates, more than {}", delegates, kMaxDelegates));
  }
  a.apportioned_delegates = delegates;
  a.total_delegates = delegates;

  std::optional<Rational> threshold;
  if (delegates > 0) {
    threshold = rules.ThresholdFor(delegates);
    if (!threshold) {
      return Status::InvalidArgument(
          fmt::format("the ruleset has no viability threshold for a precinct electing {} delegates",
                      delegates));
    }
    a.threshold = *threshold;
    a.threshold_head_count = ThresholdHeadCount(attendance, *threshold, rules.viability_comparison);
    if (explain && attendance > 0) {
      a.notes.push_back(fmt::format("threshold for {} delegate(s): {} of {} = {} people", delegates,
                                    ThresholdText(*threshold), attendance, a.threshold_head_count));
    }
  }
  const std::string threshold_text = explain && threshold
                                         ? fmt::format("{} of {} ({})", ThresholdText(*threshold),
                                                       attendance, a.threshold_head_count)
                                         : std::string();
  const char* comparison = rules.viability_comparison == ViabilityComparison::kAtLeast ? ">=" : ">";

  Count freed = 0;
  std::vector<uint8_t> viable_first(n, 0);
  std::vector<Count> first_sizes(n, 0);
  for (size_t i = 0; i < n; ++i) {
    g[i].viable_first =
        threshold && IsViable(g[i].first, attendance, *threshold, rules.viability_comparison);
    g[i].locked = rules.lock_viable_groups && g[i].viable_first;
    if (!g[i].viable_first) freed += g[i].first;
    viable_first[i] = g[i].viable_first;
    first_sizes[i] = g[i].first;
  }
  // Viable groups outnumbering D at the first alignment: the smallest must realign (spec 1.7),
  // so the lock does not hold them.
  const LockRelease release = GroupsReleasedFromLock(rules, delegates, first_sizes, viable_first);
  for (CandidateIndex c : release.groups) {
    g[c].locked = false;
    freed += g[c].first;
  }
  auto is_released = [&](size_t i) {
    return std::binary_search(release.groups.begin(), release.groups.end(),
                              static_cast<CandidateIndex>(i));
  };
  if (explain && !release.groups.empty()) {
    Count viable_count = 0;
    for (uint8_t v : viable_first) viable_count += v;
    a.notes.push_back(fmt::format(
        "{} groups viable at the first alignment for {} delegates: {} must realign and {} free "
        "to move{}",
        viable_count, delegates, NameList(input, release.groups),
        release.groups.size() == 1 ? "is" : "are",
        release.tied.empty()
            ? std::string()
            : fmt::format(" ({} tied at the smallest size; {} of them had to realign)",
                          NameList(input, release.tied), release.tied_must_realign)));
  }

  // Final alignment: people in the room, plus cards that stay with a viable first choice or move
  // to their highest-ranked choice that was viable at the first alignment.
  for (size_t i = 0; i < n; ++i) g[i].final = input.final.empty() ? input.first[i] : input.final[i];
  if (input.final.empty() && explain) {
    a.notes.push_back("no final alignment given: the first alignment stands as the final one");
  }
  Count moved = 0;
  Count unplaced = 0;
  for (size_t k = 0; k < input.early_votes.size(); ++k) {
    if (!card_valid[k]) continue;
    const auto& choices = input.early_votes[k].choices;
    bool placed = false;
    for (size_t j = 0; j < choices.size(); ++j) {
      if (g[choices[j]].viable_first) {
        ++g[choices[j]].final;
        if (j > 0) {
          ++g[choices[j]].cards_moved_in;
          ++moved;
        }
        placed = true;
        break;
      }
    }
    if (!placed) {
      ++unplaced;
      if (explain) {
        a.notes.push_back(
            fmt::format("early-vote card {} names no viable candidate: it does not count in the "
                        "final alignment",
                        k + 1));
      }
    }
  }
  if (explain && moved > 0) {
    a.notes.push_back(
        fmt::format("{} early-vote card(s) moved from a non-viable first choice to the "
                    "highest-ranked viable choice",
                    moved));
  }
  (void)unplaced;

  Count final_total = 0;
  for (size_t i = 0; i < n; ++i) final_total += g[i].final;
  if (rules.attendance_fixed_at_first && final_total > attendance) {
    return Status::InvalidArgument(fmt::format(
        "the final alignment counts {} people but only {} were counted at the first alignment; "
        "attendance is fixed at the first count",
        final_total, attendance));
  }
  if (rules.lock_viable_groups) {
    for (size_t i = 0; i < n; ++i) {
      if (g[i].locked && g[i].final > g[i].first + freed) {
        return Status::InvalidArgument(fmt::format(
            "{}: the final alignment ({}) is larger than its first alignment ({}) plus everyone "
            "free to realign ({}{}); members of viable groups are locked in",
            CandidateName(input, i), g[i].final, g[i].first, freed,
            release.groups.empty() ? ", from non-viable groups"
                                   : ", from non-viable groups and groups that must realign"));
      }
    }
  }
  // T for the delegate math: fixed at the first count unless the ruleset says otherwise.
  const Count denominator =
      rules.attendance_fixed_at_first || final_total == 0 ? attendance : final_total;

  std::vector<CandidateIndex> viable;
  for (size_t i = 0; i < n; ++i) {
    Group& x = g[i];
    if (threshold) {
      bool meets = IsViable(x.final, denominator, *threshold, rules.viability_comparison);
      x.viable_final =
          x.final > 0 && (rules.final_viability_recheck ? meets : (x.viable_first || meets));
    }
    if (x.viable_final) viable.push_back(static_cast<CandidateIndex>(i));
    if (explain && threshold && (x.first > 0 || x.final > 0)) {
      x.notes.push_back(x.viable_first
                            ? fmt::format("viable: {} {} {}{}", x.first, comparison, threshold_text,
                                          x.locked ? ", locked in" : "")
                            : fmt::format("not viable at the first alignment: {} below {}", x.first,
                                          threshold_text));
      if (is_released(i)) {
        const bool tied = std::binary_search(release.tied.begin(), release.tied.end(),
                                             static_cast<CandidateIndex>(i));
        x.notes.push_back(tied ? "tied as the smallest viable group at the first alignment: "
                                 "released from the lock"
                               : "smallest viable group at the first alignment: must realign, "
                                 "released from the lock");
      }
      if (x.cards_moved_in > 0) {
        x.notes.push_back(fmt::format(
            "{} early-vote card(s) moved here from a non-viable first choice", x.cards_moved_in));
      }
      if (x.viable_final && !x.viable_first) {
        x.notes.push_back(
            fmt::format("viable after realignment: {} {} {}", x.final, comparison, threshold_text));
      } else if (!x.viable_final && x.final > 0) {
        x.notes.push_back(fmt::format("not viable at the final alignment: {} below {}: no delegate",
                                      x.final, threshold_text));
      } else if (!x.viable_final && x.viable_first) {
        x.notes.push_back("nobody left in the final alignment: no delegate");
      }
    }
  }

  auto finish = [&]() -> Result<Allocation> {
    size_t with_support = 0;
    for (size_t i = 0; i < n; ++i) {
      with_support += g[i].first != 0 || g[i].final != 0 || g[i].delegates != 0;
    }
    a.lines.reserve(with_support);
    for (size_t i = 0; i < n; ++i) {
      Group& x = g[i];
      if (x.first == 0 && x.final == 0 && x.delegates == 0) continue;
      WorksheetLine line;
      line.candidate = static_cast<CandidateIndex>(i);
      line.first = x.first;
      line.final = x.final;
      line.viable_first = x.viable_first;
      line.viable_final = x.viable_final;
      line.locked = x.locked;
      line.raw = x.raw;
      line.raw_at_precision = x.raw_at_precision;
      line.rounded = x.rounded;
      line.delegates = x.delegates;
      line.notes = std::move(x.notes);
      a.lines.push_back(std::move(line));
    }
    if (a.complete()) {
      for (size_t i = 0; i < n; ++i) a.delegates[i] = g[i].delegates;
    }
    return std::move(a);
  };

  if (delegates == 0) {
    if (explain) a.notes.push_back("the precinct elects no delegate");
    a.total_delegates = 0;
    return finish();
  }
  // One delegate and a plurality rule: the largest group takes it.
  if (delegates == 1 && rules.single_delegate == SingleDelegateRule::kPlurality) {
    Count largest = 0;
    for (size_t i = 0; i < n; ++i) largest = std::max(largest, g[i].final);
    if (largest == 0) {
      if (explain) a.notes.push_back("nobody is in the final alignment: no delegate is allocated");
      a.total_delegates = 0;
      return finish();
    }
    std::vector<CandidateIndex> top;
    for (size_t i = 0; i < n; ++i) {
      g[i].raw = Rational(g[i].final, denominator);
      g[i].raw_at_precision = AtTiePrecision(g[i].raw, rules.tie_precision);
      if (g[i].final == largest) top.push_back(static_cast<CandidateIndex>(i));
    }
    if (top.size() == 1) {
      g[top[0]].delegates = g[top[0]].rounded = 1;
      if (explain) g[top[0]].notes.push_back("largest group: wins the single delegate");
      return finish();
    }
    if (explain) a.notes.push_back("single delegate: the largest groups are tied");
    Worksheet sheet(rules, input, g, top, a);
    auto settled = sheet.SettleTie(TieEvent::Kind::kGain, top, 1, g[top[0]].raw_at_precision);
    if (!settled.ok()) return settled.status();
    return finish();
  }

  if (viable.empty()) {
    if (explain) a.notes.push_back("no group is viable: no delegate is allocated");
    a.total_delegates = 0;
    return finish();
  }

  Count total = 0;
  for (CandidateIndex c : viable) {
    Group& x = g[c];
    x.raw = Rational(x.final * delegates, denominator);
    x.raw_at_precision = AtTiePrecision(x.raw, rules.tie_precision);
    // Half up without building a fraction: floor((2 num + den) / (2 den)), num >= 0.
    x.rounded = static_cast<Count>(
        (2 * static_cast<__int128>(x.raw_at_precision.num()) + x.raw_at_precision.den()) /
        (2 * static_cast<__int128>(x.raw_at_precision.den())));
    if (explain) {
      x.notes.push_back(fmt::format("raw {} x {} / {} = {}", x.final, delegates, denominator,
                                    Decimal4(x.raw_at_precision)));
    }
    if (rules.minimum_one_delegate && x.rounded == 0) {
      x.rounded = 1;
      if (explain) x.notes.push_back("raised to 1: a viable group has at least one delegate");
    } else if (explain) {
      x.notes.push_back(x.raw_at_precision.is_integer()
                            ? fmt::format("exactly {}", x.rounded)
                            : fmt::format("rounded {} to {}",
                                          x.rounded > x.raw_at_precision ? "up" : "down",
                                          x.rounded));
    }
    x.delegates = x.rounded;
    x.key_num = x.raw_at_precision.num() - x.delegates * x.raw_at_precision.den();
    total += x.delegates;
  }
  if (explain)
    a.notes.push_back(fmt::format("rounded total {} for {} delegates", total, delegates));

  const auto viable_count = static_cast<Count>(viable.size());
  if (rules.minimum_one_delegate && viable_count > delegates) {
    if (rules.over_allocation == OverAllocation::kSmallestRealign) {
      Count smallest = g[viable[0]].final;
      for (CandidateIndex c : viable) smallest = std::min(smallest, g[c].final);
      for (CandidateIndex c : viable) {
        g[c].delegates = 0;
        if (g[c].final == smallest) {
          a.must_realign.push_back(c);
          if (explain) g[c].notes.push_back("smallest viable group: must realign");
        }
      }
      if (explain) {
        a.notes.push_back(fmt::format(
            "{} viable groups but only {} delegates: the smallest group(s) ({}, {} people) must "
            "realign before any delegate is allocated",
            viable_count, delegates, NameList(input, a.must_realign), smallest));
      }
      return finish();
    }
    for (CandidateIndex c : viable) {
      if (explain && g[c].delegates > 1)
        g[c].notes.push_back("reduced to one: delegates are added instead");
      if (explain) g[c].notes.push_back("kept its only delegate");
      g[c].delegates = 1;
    }
    a.total_delegates = viable_count;
    if (explain) {
      a.notes.push_back(fmt::format(
          "{} viable groups but only {} delegates: {} delegates added so that each keeps one",
          viable_count, delegates, viable_count - delegates));
    }
    return finish();
  }

  Worksheet sheet(rules, input, g, viable, a);
  CANVASS_RETURN_IF_ERROR(sheet.Adjust(delegates));
  if (explain && a.complete() && sheet.outcomes_used() < input.tie_outcomes.size()) {
    a.notes.push_back(
        fmt::format("{} recorded tie outcome(s) did not match any tie here and were not used",
                    input.tie_outcomes.size() - sheet.outcomes_used()));
  }
  return finish();
}

std::vector<Rational> ComputeSde(const PrecinctRules& rules, const Allocation& allocation,
                                 const PrecinctApportionment& apportionment) {
  if (!allocation.complete()) return {};
  return SdeFromDelegates(rules, allocation.delegates, allocation.total_delegates, apportionment);
}

std::vector<Rational> SdeFromDelegates(const PrecinctRules& rules,
                                       const std::vector<Count>& delegates, Count total_delegates,
                                       const PrecinctApportionment& apportionment) {
  std::vector<Rational> sde;
  const size_t n = delegates.size();
  if (apportionment.satellite && rules.satellite_sde == SatelliteSdeRule::kAttendance) {
    if (!apportionment.site_sde) return sde;
    sde.assign(n, Rational(0));
    if (total_delegates <= 0) return sde;
    for (size_t i = 0; i < n; ++i) {
      if (delegates[i] == 0) continue;
      sde[i] = (*apportionment.site_sde * Rational(delegates[i], total_delegates))
                   .RoundTo(rules.sde_places, DecimalRounding::kHalfUp);
    }
    return sde;
  }
  if (!apportionment.sde_per_delegate) return sde;
  sde.assign(n, Rational(0));
  for (size_t i = 0; i < n; ++i) {
    if (delegates[i] == 0) continue;
    sde[i] = (*apportionment.sde_per_delegate * Rational(delegates[i]))
                 .RoundTo(rules.sde_places, DecimalRounding::kHalfUp);
  }
  return sde;
}

}  // namespace canvass
