#include "delegates/tracker.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace canvass {
namespace {

using PoolKey = std::pair<std::string, std::string>;

CandidateIndex IndexOf(std::map<std::string, CandidateIndex>& index,
                       std::vector<std::string>& names, const std::string& name) {
  auto [it, fresh] = index.emplace(name, static_cast<CandidateIndex>(names.size()));
  if (fresh) names.push_back(name);
  return it->second;
}

bool HasStatewideTrigger(const NationalRules& r) {
  return (r.family == AllocationFamily::kProportionalTrigger ||
          r.family == AllocationFamily::kWinnerTakeMost) &&
         r.trigger_scope != TriggerScope::kPool;
}

std::string Allocation(const std::vector<std::string>& names, const std::vector<Count>& seats) {
  std::string s;
  for (size_t c = 0; c < seats.size(); ++c) {
    if (seats[c] == 0) continue;
    if (!s.empty()) s += ", ";
    s += fmt::format("{} {}", names[c], seats[c]);
  }
  return s.empty() ? "nobody" : s;
}

// Digits at the end of a pool or district name, without leading zeros ("CD01" -> "1"); "" when
// it does not end in a digit.
std::string TrailingNumber(const std::string& name) {
  size_t at = name.size();
  while (at > 0 && name[at - 1] >= '0' && name[at - 1] <= '9') --at;
  std::string digits = name.substr(at);
  size_t first = digits.find_first_not_of('0');
  if (digits.empty()) return "";
  return first == std::string::npos ? "0" : digits.substr(first);
}

bool SameIgnoringCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// `a` with its per-candidate vectors in the count's candidate order (`to[c]` is the count's index
// of the allocation's candidate c), and "#c" in its notes replaced by the name: the count's
// numbering of candidates is not the election's.
PoolAllocation Reindexed(const PoolAllocation& a, const std::vector<std::string>& names,
                         const std::vector<CandidateIndex>& to, size_t n) {
  PoolAllocation out;
  out.name = a.name;
  out.size = a.size;
  out.total_vote = a.total_vote;
  out.threshold = a.threshold;
  out.fallback_applied = a.fallback_applied;
  out.qualified_vote = a.qualified_vote;
  out.votes.assign(n, Rational());
  out.shares.assign(n, Rational());
  out.qualified.assign(n, false);
  out.qualified_shares.assign(n, Rational());
  out.quotas.assign(n, Rational());
  out.delegates.assign(n, 0);
  for (size_t c = 0; c < to.size(); ++c) {
    const size_t d = to[c];
    if (c < a.votes.size()) out.votes[d] = a.votes[c];
    if (c < a.shares.size()) out.shares[d] = a.shares[c];
    if (c < a.qualified.size()) out.qualified[d] = a.qualified[c];
    if (c < a.qualified_shares.size()) out.qualified_shares[d] = a.qualified_shares[c];
    if (c < a.quotas.size()) out.quotas[d] = a.quotas[c];
    if (c < a.delegates.size()) out.delegates[d] = a.delegates[c];
  }
  auto tie = [&](PoolTieEvent e) {
    for (CandidateIndex& c : e.candidates) c = to[c];
    std::sort(e.candidates.begin(), e.candidates.end());
    return e;
  };
  for (const PoolTieEvent& e : a.resolved_ties) out.resolved_ties.push_back(tie(e));
  if (a.pending_tie) out.pending_tie = tie(*a.pending_tie);
  for (std::string note : a.notes) {
    // Highest numbers first, so that "#1" never eats the front of "#12".
    for (size_t c = names.size(); c-- > 0;) {
      const std::string tag = fmt::format("#{}", c);
      for (size_t at = note.find(tag); at != std::string::npos; at = note.find(tag, at)) {
        note.replace(at, tag.size(), names[c]);
        at += names[c].size();
      }
    }
    out.notes.push_back(std::move(note));
  }
  return out;
}

}  // namespace

std::string MatchPoolName(const std::vector<DelegateRow>& delegates, const std::string& state,
                          const NationalPool& pool) {
  for (const DelegateRow& d : delegates) {
    if (d.state == state && d.pool == pool.name) return d.pool;
  }
  for (const DelegateRow& d : delegates) {
    if (d.state != state) continue;
    if (pool.scope == PoolScope::kDistrict && d.kind == DelegateKind::kDistrict) {
      const std::string number = TrailingNumber(pool.district.empty() ? pool.name : pool.district);
      if (!number.empty() && TrailingNumber(d.pool) == number) return d.pool;
    } else if (pool.scope == PoolScope::kStatewide && d.kind != DelegateKind::kDistrict &&
               SameIgnoringCase(d.pool, pool.name)) {
      return d.pool;
    }
  }
  return "";
}

std::string_view CandidateStatusName(CandidateStatus status) {
  switch (status) {
    case CandidateStatus::kClinched:
      return "clinched";
    case CandidateStatus::kEliminated:
      return "eliminated";
    case CandidateStatus::kOpen:
      return "open";
  }
  return "";
}

Result<NationalCount> CountNational(const Ruleset& rules, const NationalInputs& in,
                                    const std::vector<AllocatedState>& allocated) {
  if (!rules.national || !rules.convention) {
    return Status::InvalidArgument(fmt::format(
        "ruleset {} has no [national] and [convention] tables: it cannot count a convention",
        rules.name));
  }
  NationalCount out;
  out.ruleset = rules.name;
  out.ruleset_hash = rules.hash;
  std::map<std::string, CandidateIndex> index;
  std::map<std::string, const AllocatedState*> live;
  for (const AllocatedState& a : allocated) {
    if (!live.emplace(a.state, &a).second) {
      return Status::InvalidArgument(fmt::format("{} is allocated twice", a.state));
    }
  }
  for (const AllocatedState& a : allocated) {
    for (const std::string& c : a.candidates) IndexOf(index, out.candidates, c);
  }
  for (const VoteRow& v : in.votes) {
    if (!live.count(v.state)) IndexOf(index, out.candidates, v.candidate);
  }
  for (const PublishedRow& p : in.published) IndexOf(index, out.candidates, p.candidate);
  const size_t n = out.candidates.size();

  std::map<PoolKey, std::vector<Rational>> votes;
  for (const VoteRow& v : in.votes) {
    if (live.count(v.state)) continue;  // the state's own allocation replaces its rows
    auto& row = votes[{v.state, v.pool}];
    row.resize(n);
    row[index.at(v.candidate)] = v.votes;
  }

  std::map<std::string, size_t> state_at;
  for (const DelegateRow& d : in.delegates) {
    auto [it, fresh] = state_at.emplace(d.state, out.states.size());
    if (fresh) {
      TrackedState s;
      s.state = d.state;
      s.won.assign(n, 0);
      out.states.push_back(std::move(s));
    }
    TrackedState& s = out.states[it->second];
    if (d.kind == DelegateKind::kAutomatic) {
      s.automatic += d.delegates;
      continue;
    }
    s.pledged += d.delegates;
    TrackedPool p;
    p.name = d.pool;
    p.kind = d.kind;
    p.allocation.name = d.pool;
    p.allocation.size = d.delegates;
    p.allocation.delegates.assign(n, 0);
    s.pools.push_back(std::move(p));
  }

  for (TrackedState& s : out.states) {
    const NationalRules nr = rules.national->ForState(s.state);
    s.family = nr.family;
    if (auto it = live.find(s.state); it != live.end()) {
      const AllocatedState& a = *it->second;
      std::vector<CandidateIndex> to;
      for (const std::string& c : a.candidates) to.push_back(index.at(c));
      for (const PoolAllocation& given : a.pools) {
        auto p = std::find_if(s.pools.begin(), s.pools.end(),
                              [&](const TrackedPool& t) { return t.name == given.name; });
        if (p == s.pools.end()) {
          return Status::InvalidArgument(
              fmt::format("{}: the election's pool {} is not in the delegates file {}", s.state,
                          given.name, in.delegates_origin));
        }
        if (given.size != p->allocation.size) {
          return Status::InvalidArgument(fmt::format(
              "{}, pool {}: the election allocates {} seats, the delegates file {} has {}", s.state,
              given.name, given.size, in.delegates_origin, p->allocation.size));
        }
        p->allocation = Reindexed(given, a.candidates, to, n);
        p->basis = a.basis;
        s.voted = true;
        for (size_t c = 0; c < n; ++c) {
          p->allocated += p->allocation.delegates[c];
          s.won[c] += p->allocation.delegates[c];
        }
      }
      for (TrackedPool& p : s.pools) {
        if (p.basis.empty()) p.allocation.notes.push_back("no votes yet");
      }
      if (!s.voted) s.notes.push_back("no votes yet: projected, every seat remaining");
      continue;
    }
    const auto statewide_it = votes.find({s.state, std::string(kStatewidePool)});
    const std::vector<Rational>* statewide =
        statewide_it == votes.end() ? nullptr : &statewide_it->second;
    // The state's whole vote, for a statewide trigger: its statewide rows, else its districts'.
    std::vector<Rational> whole(n);
    bool any_vote = statewide != nullptr;
    for (const TrackedPool& p : s.pools) {
      auto it = votes.find({s.state, p.name});
      if (it == votes.end()) continue;
      any_vote = true;
      if (statewide == nullptr && p.kind == DelegateKind::kDistrict) {
        for (size_t c = 0; c < n; ++c) whole[c] += it->second[c];
      }
    }
    if (statewide != nullptr) whole = *statewide;
    s.voted = any_vote;
    if (!any_vote) {
      s.notes.push_back("no votes yet: projected, every seat remaining");
      for (TrackedPool& p : s.pools) p.allocation.notes.push_back("no votes yet");
      continue;
    }
    std::optional<CandidateIndex> trigger_winner;
    if (HasStatewideTrigger(nr)) {
      Rational total;
      for (const Rational& v : whole) total += v;
      for (size_t c = 0; c < n && !total.is_zero(); ++c) {
        if (whole[c] / total > nr.trigger) {
          trigger_winner = static_cast<CandidateIndex>(c);
          s.notes.push_back(fmt::format(
              "{} has {} of the statewide vote, above the trigger of {}: winner takes all",
              out.candidates[c], (whole[c] / total).ToShortDecimal(), nr.trigger.ToShortDecimal()));
        }
      }
    }
    for (TrackedPool& p : s.pools) {
      const std::vector<Rational>* basis = nullptr;
      auto it = votes.find({s.state, p.name});
      if (it != votes.end()) {
        basis = &it->second;
        p.basis = "own rows";
      } else if (p.kind != DelegateKind::kDistrict && statewide != nullptr) {
        basis = statewide;
        p.basis = "statewide";
      }
      NationalPool pool;
      pool.name = p.name;
      pool.scope = p.kind == DelegateKind::kDistrict ? PoolScope::kDistrict : PoolScope::kStatewide;
      pool.size = p.allocation.size;
      if (trigger_winner) {
        p.allocation = AwardPool(pool, basis ? *basis : whole, *trigger_winner,
                                 "statewide trigger: every seat to the statewide winner");
        if (p.basis.empty()) p.basis = "statewide";
      } else if (basis == nullptr) {
        p.allocation.notes.push_back("no votes yet");
        continue;
      } else {
        auto a = AllocatePool(nr, pool, *basis);
        if (!a.ok()) {
          return Status::InvalidArgument(
              fmt::format("{}, pool {}: {}", s.state, p.name, a.status().message()));
        }
        p.allocation = std::move(a).value();
      }
      for (size_t c = 0; c < n; ++c) {
        p.allocated += p.allocation.delegates[c];
        s.won[c] += p.allocation.delegates[c];
      }
    }
  }

  std::vector<Count> won(n, 0);
  for (const TrackedState& s : out.states) {
    out.pledged += s.pledged;
    out.automatic += s.automatic;
    for (const TrackedPool& p : s.pools) out.allocated += p.allocated;
    for (size_t c = 0; c < n; ++c) won[c] += s.won[c];
  }
  const ConventionRules& conv = *rules.convention;
  if (conv.pledged_delegates != out.pledged) {
    out.warnings.push_back(fmt::format(
        "the delegates file has {} pledged delegates; ruleset {} says {}: the majority is "
        "computed from the file",
        out.pledged, rules.name, conv.pledged_delegates));
  }
  const bool all_vote = conv.first_ballot == FirstBallot::kAll;
  out.first_ballot_delegates = out.pledged + (all_vote ? out.automatic : 0);
  out.remaining = out.pledged - out.allocated + (all_vote ? out.automatic : 0);
  out.majority = conv.MajorityOf(out.first_ballot_delegates);
  ConventionRules floor_rule = conv, ceil_rule = conv;
  floor_rule.majority = MajorityFormula::kFloorHalfPlusOne;
  ceil_rule.majority = MajorityFormula::kCeilHalfPlusOne;
  out.majority_floor = floor_rule.MajorityOf(out.first_ballot_delegates);
  out.majority_ceil = ceil_rule.MajorityOf(out.first_ballot_delegates);
  out.later_ballot_votes =
      conv.later_ballot_votes.is_zero() ? Rational(conv.total_delegates) : conv.later_ballot_votes;
  out.later_ballot_majority = conv.VoteMajorityOf(out.later_ballot_votes);

  bool anyone_can = false;
  for (size_t c = 0; c < n; ++c) {
    CandidateStanding st;
    st.name = out.candidates[c];
    st.won = won[c];
    st.needs = std::max<Count>(0, out.majority - won[c]);
    if (won[c] >= out.majority) {
      st.status = CandidateStatus::kClinched;
    } else if (won[c] + out.remaining < out.majority) {
      st.status = CandidateStatus::kEliminated;
    }
    if (st.needs > 0 && out.remaining > 0) st.need_share = Rational(st.needs, out.remaining);
    anyone_can = anyone_can || st.status != CandidateStatus::kEliminated;
    out.standings.push_back(std::move(st));
  }
  out.brokered = n > 0 && !anyone_can;

  // The published allocation, pool by pool, in the order of the file.
  std::vector<PoolKey> order;
  std::map<PoolKey, std::pair<int64_t, std::vector<Count>>> published;
  for (const PublishedRow& p : in.published) {
    PoolKey key{p.state, p.pool};
    auto [it, fresh] = published.emplace(key, std::pair{p.line, std::vector<Count>(n, 0)});
    if (fresh) order.push_back(key);
    it->second.second[index.at(p.candidate)] = p.delegates;
  }
  for (const PoolKey& key : order) {
    const auto& [line, seats] = published.at(key);
    const TrackedState& s = out.states[state_at.at(key.first)];
    const TrackedPool* pool = nullptr;
    for (const TrackedPool& p : s.pools) {
      if (p.name == key.second) pool = &p;
    }
    if (pool == nullptr) continue;  // the importer refuses unknown pools
    PublishedFinding f;
    f.state = key.first;
    f.pool = key.second;
    f.line = line;
    f.published = seats;
    f.computed = pool->allocation.delegates;
    Count sum = 0;
    for (Count x : seats) sum += x;
    const std::string where = fmt::format("{}:{}", in.published_origin, line);
    if (sum != pool->allocation.size) {
      f.code = "published-sum";
      f.message = fmt::format(
          "{}: {} {}: the published allocation ({}) adds up to {}, but the "
          "pool has {} seats",
          where, f.state, f.pool, Allocation(out.candidates, seats), sum, pool->allocation.size);
      out.findings.push_back(std::move(f));
    } else if (pool->basis.empty()) {
      // Whether it adds up is checked above; without votes there is nothing more to check.
      f.code = "published-unchecked";
      f.message = fmt::format(
          "{}: {} {}: published {}; the votes file has no votes for this pool, so the rules "
          "cannot check it",
          where, f.state, f.pool, Allocation(out.candidates, seats));
      out.unchecked.push_back(std::move(f));
    } else if (seats != pool->allocation.delegates) {
      f.code = "published-differs";
      f.message = fmt::format("{}: {} {}: published {}; the rules give {}{}", where, f.state,
                              f.pool, Allocation(out.candidates, seats),
                              Allocation(out.candidates, pool->allocation.delegates),
                              pool->allocation.complete() ? "" : " (a tie awaits its drawing)");
      out.findings.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace canvass
