#include "delegates/national.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "rules/threshold.h"

namespace canvass {
namespace {

// "Three decimals" of a fraction (0.150) or of a percentage (15.000%, i.e. five decimals of the
// fraction); rounded half up, as the DNC's worked examples and The Green Papers round.
Rational AtSharePrecision(SharePrecision precision, const Rational& share) {
  switch (precision) {
    case SharePrecision::kExact:
      return share;
    case SharePrecision::kFraction3:
      return share.RoundTo(3);
    case SharePrecision::kPercent3:
      return share.RoundTo(5);
  }
  return share;
}

std::string ListIndices(const std::vector<CandidateIndex>& cs) {
  std::string s;
  for (CandidateIndex c : cs) {
    if (!s.empty()) s += ", ";
    s += fmt::format("#{}", c);
  }
  return s;
}

const PoolTieOutcome* FindOutcome(const std::vector<PoolTieOutcome>& outcomes,
                                  const std::string& pool) {
  for (const PoolTieOutcome& o : outcomes) {
    if (o.pool == pool) return &o;
  }
  return nullptr;
}

// Checks that `outcome` settles `event` and returns the candidates it favours.
Result<std::vector<CandidateIndex>> CheckOutcome(const PoolTieEvent& event,
                                                 const PoolTieOutcome& outcome) {
  std::vector<CandidateIndex> tied = outcome.tied;
  std::sort(tied.begin(), tied.end());
  if (tied != event.candidates) {
    return Status::InvalidArgument(
        fmt::format("pool {}: the recorded tie names candidates {} but the tie is between {}",
                    event.pool, ListIndices(tied), ListIndices(event.candidates)));
  }
  std::vector<CandidateIndex> favoured = outcome.favoured;
  std::sort(favoured.begin(), favoured.end());
  const size_t want = event.loss
                          ? event.candidates.size() - static_cast<size_t>(event.seats_at_stake)
                          : static_cast<size_t>(event.seats_at_stake);
  if (std::adjacent_find(favoured.begin(), favoured.end()) != favoured.end() ||
      !std::includes(tied.begin(), tied.end(), favoured.begin(), favoured.end()) ||
      favoured.size() != want) {
    return Status::InvalidArgument(fmt::format(
        "pool {}: the recorded tie must favour {} distinct candidate(s) among {}, not {}",
        event.pool, want, ListIndices(event.candidates), ListIndices(favoured)));
  }
  return favoured;
}

// Hands out `seats` leftover seats by largest remainder (or, for `loss`, takes back seats from the
// smallest remainders when rounded shares over-fill the pool). At most one tie can arise: the one
// at the boundary of the last seat(s).
Status SettleRemainders(const NationalRules& rules, const std::vector<PoolTieOutcome>& outcomes,
                        std::vector<CandidateIndex> eligible,
                        const std::vector<Rational>& remainder, Count seats, bool loss,
                        PoolAllocation& out) {
  const Count step = loss ? -1 : 1;
  while (seats > 0 && !eligible.empty()) {
    if (seats >= static_cast<Count>(eligible.size())) {
      // Only when rounded shares leave a whole seat per candidate unallocated (or over-filled):
      // everyone moves by one, which keeps the ranking fair.
      for (CandidateIndex c : eligible) out.delegates[c] += step;
      seats -= static_cast<Count>(eligible.size());
      out.notes.push_back(
          fmt::format("rounded shares left {} seat(s) {}: every qualified "
                      "candidate {} one",
                      eligible.size(), loss ? "too many" : "over", loss ? "gives back" : "gains"));
      if (loss) {
        std::erase_if(eligible, [&](CandidateIndex c) { return out.delegates[c] <= 0; });
      }
      continue;
    }
    std::stable_sort(eligible.begin(), eligible.end(), [&](CandidateIndex a, CandidateIndex b) {
      return loss ? remainder[a] < remainder[b] : remainder[a] > remainder[b];
    });
    const Rational boundary = remainder[eligible[static_cast<size_t>(seats - 1)]];
    std::vector<CandidateIndex> tied;
    Count settled = 0;
    for (CandidateIndex c : eligible) {
      const bool ahead = loss ? remainder[c] < boundary : remainder[c] > boundary;
      if (ahead) {
        out.delegates[c] += step;
        ++settled;
      } else if (remainder[c] == boundary) {
        tied.push_back(c);
      }
    }
    const Count left = seats - settled;
    seats = 0;
    if (static_cast<Count>(tied.size()) == left) {
      for (CandidateIndex c : tied) out.delegates[c] += step;
      break;
    }
    std::sort(tied.begin(), tied.end());
    PoolTieEvent event;
    event.pool = out.name;
    event.candidates = tied;
    event.seats_at_stake = left;
    event.loss = loss;
    event.remainder = boundary;
    event.breaker = rules.tie_breaker;
    const PoolTieOutcome* outcome = FindOutcome(outcomes, out.name);
    if (outcome == nullptr) {
      // Tied candidates hold only what is certain: no seat at stake for a gain, and none of the
      // seats at stake for a loss.
      if (loss) {
        for (CandidateIndex c : tied) out.delegates[c] -= 1;
      }
      out.notes.push_back(fmt::format(
          "candidates {} tie on remainder {} for {} seat(s) to {}: "
          "awaiting the drawing",
          ListIndices(tied), boundary.ToShortDecimal(), left, loss ? "give back" : "gain"));
      out.pending_tie = std::move(event);
      break;
    }
    auto favoured = CheckOutcome(event, *outcome);
    if (!favoured.ok()) return favoured.status();
    for (CandidateIndex c : tied) {
      const bool favoured_c = std::binary_search(favoured->begin(), favoured->end(), c);
      if (!loss && favoured_c) out.delegates[c] += 1;
      if (loss && !favoured_c) out.delegates[c] -= 1;
    }
    out.notes.push_back(fmt::format(
        "candidates {} tied on remainder {}; settled: {}", ListIndices(tied),
        boundary.ToShortDecimal(), outcome->detail.empty() ? "recorded outcome" : outcome->detail));
    out.resolved_ties.push_back(std::move(event));
  }
  if (seats > 0) {
    out.notes.push_back(
        fmt::format("{} seat(s) could not be {}", seats, loss ? "taken back" : "given"));
  }
  return Status::Ok();
}

// Settles who among `tied` gains `seats_each` seats (one of them), or records the pending tie.
// Returns the favoured candidate once settled.
Result<std::optional<CandidateIndex>> PickOne(const NationalRules& rules,
                                              const std::vector<PoolTieOutcome>& outcomes,
                                              std::vector<CandidateIndex> tied, Count seats_each,
                                              const Rational& vote, PoolAllocation& out) {
  if (tied.size() == 1) return std::optional<CandidateIndex>(tied[0]);
  std::sort(tied.begin(), tied.end());
  PoolTieEvent event;
  event.pool = out.name;
  event.candidates = tied;
  event.seats_at_stake = 1;
  event.remainder = vote;
  event.breaker = rules.tie_breaker;
  event.seats_per_favoured = seats_each;
  const PoolTieOutcome* outcome = FindOutcome(outcomes, out.name);
  if (outcome == nullptr || !out.resolved_ties.empty()) {
    out.notes.push_back(fmt::format("candidates {} tie on {} for {} seat(s): awaiting the drawing",
                                    ListIndices(tied), vote.ToShortDecimal(), seats_each));
    out.pending_tie = std::move(event);
    return std::optional<CandidateIndex>();
  }
  auto favoured = CheckOutcome(event, *outcome);
  if (!favoured.ok()) return favoured.status();
  out.notes.push_back(fmt::format("candidates {} tied on {}; settled: {}", ListIndices(tied),
                                  vote.ToShortDecimal(),
                                  outcome->detail.empty() ? "recorded outcome" : outcome->detail));
  out.resolved_ties.push_back(std::move(event));
  return std::optional<CandidateIndex>((*favoured)[0]);
}

// Winner-take-all and winner-take-most: the plurality winner takes the pool (winner-take-most:
// all of it only above the trigger, else all but the runner-up's seats; the runner-up must reach
// the threshold). Ties for a place go to chance like any other.
Status AllocatePlurality(const NationalRules& rules, const std::vector<PoolTieOutcome>& outcomes,
                         const Rational& front, PoolAllocation& out) {
  const size_t n = out.votes.size();
  std::vector<CandidateIndex> top;
  for (size_t c = 0; c < n; ++c) {
    if (out.shares[c] == front) top.push_back(static_cast<CandidateIndex>(c));
  }
  Count winner_seats = out.size;
  Count runner_seats = 0;
  if (rules.family == AllocationFamily::kWinnerTakeMost && !(front > rules.trigger) &&
      out.size >= 2) {
    runner_seats = std::min(rules.runner_up_seats, out.size - 1);
    winner_seats = out.size - runner_seats;
  }
  auto winner = PickOne(rules, outcomes, top, winner_seats, out.votes[top[0]], out);
  if (!winner.ok()) return winner.status();
  if (!winner->has_value()) return Status::Ok();
  const CandidateIndex w = **winner;
  out.delegates[w] = winner_seats;
  out.qualified[w] = true;
  out.notes.push_back(
      runner_seats == 0
          ? fmt::format("#{} leads with {}: winner takes all", w, front.ToShortDecimal())
          : fmt::format("#{} leads with {}, not above the trigger of {}: {} seat(s), the "
                        "runner-up {}",
                        w, front.ToShortDecimal(), rules.trigger.ToShortDecimal(), winner_seats,
                        runner_seats));
  if (runner_seats == 0) return Status::Ok();
  Rational second;
  for (size_t c = 0; c < n; ++c) {
    if (c != w && !out.votes[c].is_zero()) second = std::max(second, out.shares[c]);
  }
  const bool reaches = MeetsThreshold(second, rules.threshold, rules.threshold_comparison);
  if (second.is_zero() || !reaches) {
    out.delegates[w] = out.size;
    out.notes.push_back(
        fmt::format("no runner-up reaches the threshold of {}: the winner takes all",
                    rules.threshold.ToShortDecimal()));
    return Status::Ok();
  }
  std::vector<CandidateIndex> seconds;
  for (size_t c = 0; c < n; ++c) {
    if (c != w && !out.votes[c].is_zero() && out.shares[c] == second) {
      seconds.push_back(static_cast<CandidateIndex>(c));
    }
  }
  auto runner = PickOne(rules, outcomes, seconds, runner_seats, out.votes[seconds[0]], out);
  if (!runner.ok()) return runner.status();
  if (runner->has_value()) {
    out.delegates[**runner] = runner_seats;
    out.qualified[**runner] = true;
  }
  return Status::Ok();
}

}  // namespace

PoolAllocation AwardPool(const NationalPool& pool, const std::vector<Rational>& votes,
                         CandidateIndex winner, std::string note) {
  PoolAllocation out;
  out.name = pool.name;
  out.size = pool.size;
  out.votes = votes;
  const size_t n = votes.size();
  out.shares.assign(n, Rational());
  out.qualified.assign(n, false);
  out.qualified_shares.assign(n, Rational());
  out.quotas.assign(n, Rational());
  out.delegates.assign(n, 0);
  for (const Rational& v : votes) out.total_vote += v;
  for (size_t c = 0; c < n && !out.total_vote.is_zero(); ++c) {
    out.shares[c] = votes[c] / out.total_vote;
  }
  if (winner < n) {
    out.delegates[winner] = pool.size;
    out.qualified[winner] = true;
  }
  out.notes.push_back(std::move(note));
  return out;
}

Result<PoolAllocation> AllocatePool(const NationalRules& rules, const NationalPool& pool,
                                    const std::vector<Rational>& votes,
                                    const std::vector<PoolTieOutcome>& outcomes) {
  if (pool.size < 0 || pool.size > kMaxDelegates) {
    return Status::InvalidArgument(
        fmt::format("pool {}: size {} is out of range 0..{}", pool.name, pool.size, kMaxDelegates));
  }
  const size_t n = votes.size();
  PoolAllocation out;
  out.name = pool.name;
  out.size = pool.size;
  out.votes = votes;
  out.shares.assign(n, Rational());
  out.qualified.assign(n, false);
  out.qualified_shares.assign(n, Rational());
  out.quotas.assign(n, Rational());
  out.delegates.assign(n, 0);
  out.threshold = rules.threshold;
  for (size_t c = 0; c < n; ++c) {
    if (votes[c].is_negative()) {
      return Status::InvalidArgument(fmt::format("pool {}: candidate #{} has a negative vote {}",
                                                 pool.name, c, votes[c].ToString()));
    }
    out.total_vote += votes[c];
  }
  if (out.total_vote.is_zero()) {
    out.notes.push_back("no votes: nothing allocated");
    return out;
  }

  Rational front;
  for (size_t c = 0; c < n; ++c) {
    out.shares[c] = AtSharePrecision(rules.share_precision, votes[c] / out.total_vote);
    front = std::max(front, out.shares[c]);
  }
  switch (rules.family) {
    case AllocationFamily::kDnc:
    case AllocationFamily::kProportional:
      break;
    case AllocationFamily::kProportionalTrigger:
      if (rules.trigger_scope != TriggerScope::kStatewide && front > rules.trigger) {
        for (size_t c = 0; c < n; ++c) {
          if (out.shares[c] == front) {
            out.delegates[c] = out.size;
            out.qualified[c] = true;
            out.notes.push_back(
                fmt::format("#{} has {} of the pool's vote, above the trigger of "
                            "{}: winner takes all",
                            c, front.ToShortDecimal(), rules.trigger.ToShortDecimal()));
          }
        }
        return out;
      }
      break;
    case AllocationFamily::kWinnerTakeMost:
    case AllocationFamily::kWinnerTakeAll:
      CANVASS_RETURN_IF_ERROR(AllocatePlurality(rules, outcomes, front, out));
      return out;
    case AllocationFamily::kBoundAtConvention: {
      Count sum = 0;
      for (size_t c = 0; c < n; ++c) {
        if (!votes[c].is_integer()) {
          return Status::InvalidArgument(fmt::format(
              "pool {}: bound at a convention, the votes are its seats, but candidate #{} has {}",
              pool.name, c, votes[c].ToString()));
        }
        out.delegates[c] = votes[c].num();
        out.qualified[c] = votes[c].num() > 0;
        sum += votes[c].num();
      }
      if (sum != out.size) {
        return Status::InvalidArgument(
            fmt::format("pool {}: the convention bound {} seat(s) but the pool has {}", pool.name,
                        sum, out.size));
      }
      out.notes.push_back("bound at the state convention: its seats as given");
      return out;
    }
    case AllocationFamily::kUnbound:
      out.notes.push_back("unbound: the seats go to no candidate");
      return out;
  }
  auto qualify = [&] {
    bool any = false;
    for (size_t c = 0; c < n; ++c) {
      // Nobody qualifies on zero votes, even under a threshold of zero.
      out.qualified[c] =
          !votes[c].is_zero() && (rules.threshold_comparison == ViabilityComparison::kAtLeast
                                      ? out.shares[c] >= out.threshold
                                      : out.shares[c] > out.threshold);
      any = any || out.qualified[c];
    }
    return any;
  };
  if (!qualify()) {
    switch (rules.fallback) {
      case ThresholdFallback::kNone:
        out.notes.push_back(fmt::format("nobody reached the threshold of {}: nothing allocated",
                                        rules.threshold.ToShortDecimal()));
        return out;
      case ThresholdFallback::kHalfFrontRunner:
        out.threshold = front / 2;
        break;
      case ThresholdFallback::kFrontRunnerMinus10:
        out.threshold = front - Rational(1, 10);
        break;
    }
    out.fallback_applied = true;
    out.notes.push_back(fmt::format(
        "nobody reached the threshold of {}; the threshold becomes {} (front-runner at {})",
        rules.threshold.ToShortDecimal(), out.threshold.ToShortDecimal(), front.ToShortDecimal()));
    qualify();  // the front-runner always qualifies now
  }

  std::vector<CandidateIndex> eligible;
  for (size_t c = 0; c < n; ++c) {
    if (out.qualified[c]) {
      out.qualified_vote += votes[c];
      eligible.push_back(static_cast<CandidateIndex>(c));
    }
  }
  if (out.size == 0) {
    out.notes.push_back("the pool has no seats");
    return out;
  }
  std::vector<Rational> remainder(n);
  Count whole = 0;
  for (CandidateIndex c : eligible) {
    out.qualified_shares[c] =
        AtSharePrecision(rules.share_precision, votes[c] / out.qualified_vote);
    out.quotas[c] = Rational(out.size) * out.qualified_shares[c];
    out.delegates[c] = out.quotas[c].Floor();
    remainder[c] = out.quotas[c].FractionalPart();
    whole += out.delegates[c];
  }
  const Count left = out.size - whole;
  if (left > 0) {
    CANVASS_RETURN_IF_ERROR(
        SettleRemainders(rules, outcomes, eligible, remainder, left, /*loss=*/false, out));
  } else if (left < 0) {
    std::vector<CandidateIndex> holders;
    for (CandidateIndex c : eligible) {
      if (out.delegates[c] > 0) holders.push_back(c);
    }
    out.notes.push_back(
        fmt::format("rounded shares give {} whole seats for {}: the smallest remainders give "
                    "seats back",
                    whole, out.size));
    CANVASS_RETURN_IF_ERROR(
        SettleRemainders(rules, outcomes, holders, remainder, -left, /*loss=*/true, out));
  }
  if (!out.pending_tie && FindOutcome(outcomes, out.name) != nullptr && out.resolved_ties.empty()) {
    out.notes.push_back("a recorded tie outcome was given but no tie arose; it was not used");
  }
  return out;
}

bool NationalAllocation::complete() const {
  return std::all_of(pools.begin(), pools.end(),
                     [](const PoolAllocation& p) { return p.complete(); });
}

Result<NationalAllocation> AllocateNational(const NationalRules& rules, const NationalVotes& votes,
                                            const std::vector<PoolTieOutcome>& outcomes) {
  const size_t n = votes.state.size();
  for (const auto& [district, v] : votes.districts) {
    if (v.size() != n) {
      return Status::InvalidArgument(fmt::format(
          "district {} has votes for {} candidates, the state for {}", district, v.size(), n));
    }
  }
  NationalAllocation out;
  out.total.assign(n, 0);
  const std::vector<Rational> none(n);
  for (const NationalPool& pool : rules.pools) {
    const std::vector<Rational>* basis = &votes.state;
    if (pool.scope == PoolScope::kDistrict) {
      auto it = votes.districts.find(pool.district);
      basis = it == votes.districts.end() ? &none : &it->second;
    }
    auto allocation = AllocatePool(rules, pool, *basis, outcomes);
    if (!allocation.ok()) return allocation.status();
    if (pool.scope == PoolScope::kDistrict && basis == &none) {
      allocation->notes.push_back(
          fmt::format("no votes were tabulated in district {}", pool.district));
    }
    for (size_t c = 0; c < n; ++c) out.total[c] += allocation->delegates[c];
    out.pools.push_back(std::move(allocation).value());
  }
  return out;
}

}  // namespace canvass
