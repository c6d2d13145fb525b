// Properties of AllocatePrecinct over random valid precincts under the Iowa and Nevada rules.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "caucus/allocation.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

const Ruleset& Rules(bool nevada) {
  static const Ruleset iowa = LoadRuleset("iowa-dem-2020").value();
  static const Ruleset nv = LoadRuleset("nevada-dem-2020").value();
  return nevada ? nv : iowa;
}

struct Sample {
  PrecinctRules rules;
  PrecinctInput input;
  size_t n = 0;
};

// A random precinct that any caucus could produce: people realign only from non-viable groups
// (to any group, or they leave), and viable groups may lose people who leave.
Sample GenSample() {
  Sample s;
  s.rules = Rules(*rc::gen::arbitrary<bool>()).precinct;
  s.rules.tie_precision =
      *rc::gen::element(TiePrecision::kExact, TiePrecision::kRound4, TiePrecision::kTrunc4);
  s.n = *rc::gen::inRange<size_t>(1, 9);
  s.input.delegates = *rc::gen::inRange<Count>(0, 17);
  s.input.explain = *rc::gen::arbitrary<bool>();
  // Equal groups are common enough to make ties: half the time, sizes come from a short list.
  s.input.first = *rc::gen::container<std::vector<Count>>(
      s.n,
      rc::gen::oneOf(rc::gen::inRange<Count>(0, 60), rc::gen::element<Count>(0, 5, 10, 15, 20)));
  const uint32_t seed = *rc::gen::arbitrary<uint32_t>();
  if (*rc::gen::arbitrary<bool>()) {
    s.input.final = s.input.first;  // nobody realigned or left
    return s;
  }
  auto preview = AllocatePrecinct(s.rules, s.input, s.n);
  RC_ASSERT(preview.ok());
  std::vector<bool> viable(s.n, false);
  for (const auto& line : preview->lines) viable[line.candidate] = line.viable_first;
  std::mt19937 rng(seed);
  std::vector<Count> final(s.n, 0);
  for (size_t i = 0; i < s.n; ++i) {
    for (Count p = 0; p < s.input.first[i]; ++p) {
      const uint32_t r = rng() % 10;
      if (r == 0) continue;  // left
      size_t to = viable[i] || r < 4 ? i : rng() % s.n;
      ++final[to];
    }
  }
  s.input.final = std::move(final);
  return s;
}

Count Sum(const std::vector<Count>& v) { return std::accumulate(v.begin(), v.end(), Count{0}); }

RC_GTEST_PROP(AllocationProperty, CompleteAllocationTotalsAndRespectsViability, ()) {
  Sample s = GenSample();
  auto result = AllocatePrecinct(s.rules, s.input, s.n);
  RC_ASSERT(result.ok());
  const Allocation& a = *result;
  Count viable = 0;
  for (const auto& line : a.lines) viable += line.viable_final;
  if (!a.complete()) {
    RC_ASSERT(Sum(a.delegates) == 0);
    return;
  }
  RC_ASSERT(Sum(a.delegates) == a.total_delegates);
  const Count d = s.input.delegates;
  if (d == 1 && s.rules.single_delegate == SingleDelegateRule::kPlurality) {
    // The largest final group takes the one delegate, viable or not.
    const Count largest = *std::max_element(s.input.final.begin(), s.input.final.end());
    RC_ASSERT(a.total_delegates == (largest > 0 ? 1 : 0));
    for (size_t i = 0; i < s.n; ++i) {
      if (a.delegates[i] > 0) RC_ASSERT(s.input.final[i] == largest);
    }
    return;
  }
  if (d == 0 || viable == 0) {
    RC_ASSERT(a.total_delegates == 0);
  } else if (viable > d) {
    RC_ASSERT(s.rules.over_allocation == OverAllocation::kAddDelegates);
    RC_ASSERT(a.total_delegates == viable);
  } else {
    RC_ASSERT(a.total_delegates == d);
  }
  for (const auto& line : a.lines) {
    if (!line.viable_final) RC_ASSERT(a.delegates[line.candidate] == 0);
    if (line.viable_final && viable <= a.total_delegates)
      RC_ASSERT(a.delegates[line.candidate] >= 1);
  }
}

RC_GTEST_PROP(AllocationProperty, DoesNotDependOnCandidateOrder, ()) {
  Sample s = GenSample();
  std::vector<size_t> perm(s.n);
  std::iota(perm.begin(), perm.end(), 0);
  std::mt19937 rng(*rc::gen::arbitrary<uint32_t>());
  std::shuffle(perm.begin(), perm.end(), rng);
  // Candidate i of the original sits at perm[i] in the permuted precinct.
  PrecinctInput q = s.input;
  for (size_t i = 0; i < s.n; ++i) {
    q.first[perm[i]] = s.input.first[i];
    q.final[perm[i]] = s.input.final[i];
  }
  auto a = AllocatePrecinct(s.rules, s.input, s.n);
  auto b = AllocatePrecinct(s.rules, q, s.n);
  RC_ASSERT(a.ok() && b.ok());
  RC_ASSERT(a->complete() == b->complete());
  RC_ASSERT(a->total_delegates == b->total_delegates);
  for (size_t i = 0; i < s.n; ++i) RC_ASSERT(a->delegates[i] == b->delegates[perm[i]]);
  auto mapped = [&](const std::vector<CandidateIndex>& groups) {
    std::vector<CandidateIndex> out;
    for (CandidateIndex g : groups) out.push_back(static_cast<CandidateIndex>(perm[g]));
    std::sort(out.begin(), out.end());
    return out;
  };
  RC_ASSERT(mapped(a->must_realign) == b->must_realign);
  RC_ASSERT(a->pending_tie.has_value() == b->pending_tie.has_value());
  if (a->pending_tie) {
    RC_ASSERT(mapped(a->pending_tie->groups) == b->pending_tie->groups);
    RC_ASSERT(a->pending_tie->kind == b->pending_tie->kind);
    RC_ASSERT(a->pending_tie->delegates_at_stake == b->pending_tie->delegates_at_stake);
  }
}

// A tie is returned exactly when the rules need chance: the tied groups share the decisive key,
// no other eligible group is ahead of them, fewer delegates move than there are tied groups; and
// every outcome gives a complete allocation that differs only among the tied groups.
RC_GTEST_PROP(AllocationProperty, TieEventsAreExactlyTheNeedForChance, ()) {
  Sample s = GenSample();
  auto result = AllocatePrecinct(s.rules, s.input, s.n);
  RC_ASSERT(result.ok());
  const Allocation& a = *result;
  if (!a.pending_tie) {
    // Distinct decimals among viable groups can never tie.
    std::vector<Rational> decimals;
    for (const auto& line : a.lines) {
      if (line.viable_final) decimals.push_back(line.raw_at_precision.FractionalPart());
    }
    std::sort(decimals.begin(), decimals.end());
    RC_TAG(std::adjacent_find(decimals.begin(), decimals.end()) == decimals.end() ? "distinct"
                                                                                  : "repeated");
    return;
  }
  const TieEvent& tie = *a.pending_tie;
  RC_TAG(tie.kind == TieEvent::Kind::kGain ? "gain tie" : "loss tie");
  RC_ASSERT(tie.groups.size() >= 2u);
  RC_ASSERT(tie.delegates_at_stake >= 1);
  RC_ASSERT(tie.delegates_at_stake < static_cast<Count>(tie.groups.size()));
  std::vector<const WorksheetLine*> by_candidate(s.n, nullptr);
  for (const auto& line : a.lines) by_candidate[line.candidate] = &line;
  auto key = [&](CandidateIndex c) {
    return by_candidate[c]->raw_at_precision - Rational(by_candidate[c]->delegates);
  };
  const Rational k = key(tie.groups[0]);
  RC_ASSERT(k.FractionalPart() == tie.decimal);
  for (CandidateIndex c : tie.groups) RC_ASSERT(key(c) == k);
  for (const auto& line : a.lines) {
    if (!line.viable_final) continue;
    if (std::binary_search(tie.groups.begin(), tie.groups.end(), line.candidate)) continue;
    if (tie.kind == TieEvent::Kind::kGain) {
      RC_ASSERT(key(line.candidate) < k);
    } else if (line.delegates > 1) {
      RC_ASSERT(key(line.candidate) > k);
    }
  }
  // Every outcome.
  const size_t g = tie.groups.size();
  const size_t favoured =
      tie.kind == TieEvent::Kind::kGain ? tie.delegates_at_stake : g - tie.delegates_at_stake;
  std::vector<uint8_t> mask(g, 0);
  std::fill(mask.begin(), mask.begin() + static_cast<std::ptrdiff_t>(favoured), 1);
  std::vector<std::vector<Count>> outcomes;
  do {
    PrecinctInput with = s.input;
    TieOutcome outcome;
    outcome.tied = tie.groups;
    for (size_t j = 0; j < g; ++j) {
      if (mask[j]) outcome.favoured.push_back(tie.groups[j]);
    }
    with.tie_outcomes.push_back(outcome);
    auto settled = AllocatePrecinct(s.rules, with, s.n);
    RC_ASSERT(settled.ok());
    RC_ASSERT(settled->complete());
    RC_ASSERT(Sum(settled->delegates) == settled->total_delegates);
    RC_ASSERT(settled->resolved_ties.size() == 1u);
    for (size_t j = 0; j < g; ++j) {
      const Count before = by_candidate[tie.groups[j]]->delegates;
      const Count after = settled->delegates[tie.groups[j]];
      const bool moves = tie.kind == TieEvent::Kind::kGain ? mask[j] == 1 : mask[j] == 0;
      RC_ASSERT(after == before + (moves ? (tie.kind == TieEvent::Kind::kGain ? 1 : -1) : 0));
    }
    outcomes.push_back(settled->delegates);
  } while (std::prev_permutation(mask.begin(), mask.end()));
  for (const auto& o : outcomes) {
    for (size_t c = 0; c < s.n; ++c) {
      if (std::binary_search(tie.groups.begin(), tie.groups.end(), static_cast<CandidateIndex>(c)))
        continue;
      RC_ASSERT(o[c] == outcomes[0][c]);
    }
  }
}

// k equal viable groups share D: chance is needed exactly when k does not divide D.
RC_GTEST_PROP(AllocationProperty, EqualGroupsTieExactlyWhenDelegatesDoNotDivide, ()) {
  const bool nevada = *rc::gen::arbitrary<bool>();
  const PrecinctRules& rules = Rules(nevada).precinct;
  const auto k = *rc::gen::inRange<size_t>(2, 7);
  const Count size = *rc::gen::inRange<Count>(1, 50);
  const Count d = *rc::gen::inRange<Count>(static_cast<Count>(k), 30);
  PrecinctInput in;
  in.delegates = d;
  in.first.assign(k, size);
  auto a = AllocatePrecinct(rules, in, k);
  RC_ASSERT(a.ok());
  if (d % static_cast<Count>(k) == 0) {
    RC_ASSERT(a->complete());
    for (Count got : a->delegates) RC_ASSERT(got == d / static_cast<Count>(k));
    return;
  }
  RC_ASSERT(a->pending_tie.has_value());
  RC_ASSERT(a->pending_tie->groups.size() == k);
  const Count floor_share = d / static_cast<Count>(k);
  const Count left = d - floor_share * static_cast<Count>(k);
  // Each group rounds its share D/k; the tie moves what rounding got wrong.
  const bool rounded_up =
      Rational(d, static_cast<Count>(k)).RoundTo(4).FractionalPart() >= Rational(1, 2);
  RC_ASSERT(a->pending_tie->kind == (rounded_up ? TieEvent::Kind::kLoss : TieEvent::Kind::kGain));
  RC_ASSERT(a->pending_tie->delegates_at_stake ==
            (rounded_up ? static_cast<Count>(k) - left : left));
  TieOutcome outcome;
  outcome.tied = a->pending_tie->groups;
  const size_t favoured = rounded_up ? left : static_cast<size_t>(left);
  outcome.favoured.assign(outcome.tied.begin(),
                          outcome.tied.begin() + static_cast<std::ptrdiff_t>(favoured));
  in.tie_outcomes.push_back(outcome);
  auto settled = AllocatePrecinct(rules, in, k);
  RC_ASSERT(settled.ok() && settled->complete());
  for (size_t i = 0; i < k; ++i)
    RC_ASSERT(settled->delegates[i] == floor_share + (i < favoured ? 1 : 0));
}

RC_GTEST_PROP(AllocationProperty, DistinctDecimalsNeverTie, ()) {
  Sample s = GenSample();
  s.rules.tie_precision = TiePrecision::kExact;
  auto result = AllocatePrecinct(s.rules, s.input, s.n);
  RC_ASSERT(result.ok());
  if (s.input.delegates == 1 && s.rules.single_delegate == SingleDelegateRule::kPlurality) {
    // A single delegate under the plurality rule ties on group size: only the largest groups.
    const Count largest = *std::max_element(s.input.final.begin(), s.input.final.end());
    if (result->pending_tie) {
      for (CandidateIndex c : result->pending_tie->groups) RC_ASSERT(s.input.final[c] == largest);
    }
    return;
  }
  std::vector<Rational> decimals;
  for (const auto& line : result->lines) {
    if (line.viable_final) decimals.push_back(line.raw_at_precision.FractionalPart());
  }
  std::sort(decimals.begin(), decimals.end());
  if (std::adjacent_find(decimals.begin(), decimals.end()) == decimals.end()) {
    RC_ASSERT(!result->pending_tie.has_value());
  }
}

RC_GTEST_PROP(AllocationProperty, NotesAreOnlyBuiltWhenAsked, ()) {
  Sample s = GenSample();
  s.input.explain = false;
  auto quiet = AllocatePrecinct(s.rules, s.input, s.n);
  s.input.explain = true;
  auto loud = AllocatePrecinct(s.rules, s.input, s.n);
  RC_ASSERT(quiet.ok() && loud.ok());
  RC_ASSERT(quiet->notes.empty());
  for (const auto& line : quiet->lines) RC_ASSERT(line.notes.empty());
  RC_ASSERT(!loud->notes.empty());
  RC_ASSERT(quiet->delegates == loud->delegates);
}

}  // namespace
}  // namespace canvass
