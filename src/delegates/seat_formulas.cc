#include "delegates/seat_formulas.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"
#include "delegates/geography.h"
#include "delegates/national.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

// Bounds that keep every product within 64 bits (128 where the code says so): tallies up to 10^12
// in all, at most 10^9 ballots (STV values in millionths stay below 10^15), at most 10,000 seats.
constexpr Count kMaxTotalVotes = 1'000'000'000'000;
constexpr Count kMaxBallots = 1'000'000'000;
constexpr Count kMaxSeats = 10'000;
// STV keeps every stage's values: options x stages stays in the megabytes.
constexpr size_t kMaxOptions = 1000;

std::string Ordinal(Count n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return fmt::format("{}{}", n, suffix);
}

// The recorded drawing of lots: options in the order drawn.
class Lots {
 public:
  Lots(const std::vector<uint32_t>& order, const std::vector<ConventionOption>& options)
      : options_(options) {
    for (size_t i = 0; i < order.size(); ++i) rank_.emplace(order[i], i);
  }

  // `k` of `tied` (k < tied.size()), those drawn first. Records the decision in `ties`.
  Result<std::vector<uint32_t>> Decide(std::vector<uint32_t> tied, size_t k,
                                       const std::string& what, std::vector<TieDecision>& ties) {
    std::sort(tied.begin(), tied.end());
    if (k == 0) return std::vector<uint32_t>{};
    if (k >= tied.size()) return tied;
    std::vector<std::string> missing;
    for (uint32_t t : tied) {
      if (!rank_.contains(t)) missing.push_back(options_[t].name);
    }
    if (!missing.empty()) {
      std::string names;
      for (uint32_t t : tied) names += (names.empty() ? "" : ", ") + options_[t].name;
      std::string absent;
      for (const std::string& m : missing) absent += (absent.empty() ? "" : ", ") + m;
      return Status::FailedPrecondition(fmt::format(
          "{}: {} are tied and {} of them must be chosen by lot, but the recorded lots do not "
          "name {} (record the order drawn, e.g. --lots)",
          what, names, k, absent));
    }
    std::vector<uint32_t> drawn = tied;
    std::sort(drawn.begin(), drawn.end(),
              [&](uint32_t a, uint32_t b) { return rank_.at(a) < rank_.at(b); });
    drawn.resize(k);
    std::sort(drawn.begin(), drawn.end());
    ties.push_back({what, tied, drawn});
    return drawn;
  }

  std::optional<size_t> Rank(uint32_t option) const {
    auto it = rank_.find(option);
    if (it == rank_.end()) return std::nullopt;
    return it->second;
  }

 private:
  const std::vector<ConventionOption>& options_;
  std::map<uint32_t, size_t> rank_;
};

// a/b <=> c/d for non-negative a, c and positive b, d.
std::strong_ordering CompareFractions(Count a, Count b, Count c, Count d) {
  const __int128 l = static_cast<__int128>(a) * d;
  const __int128 r = static_cast<__int128>(c) * b;
  return l <=> r;
}

// The `seats` options with the most votes; a tie across the last seat goes to the lots.
Result<std::vector<uint32_t>> TopByVotes(const std::vector<Count>& tallies, Count seats,
                                         std::string_view formula, Lots& lots,
                                         std::vector<TieDecision>& ties) {
  std::vector<uint32_t> order(tallies.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return tallies[a] > tallies[b]; });
  const size_t m = static_cast<size_t>(seats);
  if (m == order.size() || tallies[order[m - 1]] != tallies[order[m]]) {
    order.resize(m);
    return order;
  }
  const Count edge = tallies[order[m - 1]];
  std::vector<uint32_t> won, tied;
  for (uint32_t o : order) {
    if (tallies[o] > edge) won.push_back(o);
    if (tallies[o] == edge) tied.push_back(o);
  }
  auto drawn =
      lots.Decide(tied, m - won.size(),
                  fmt::format("the last seat(s) under {} ({} votes each)", formula, edge), ties);
  if (!drawn.ok()) return drawn.status();
  for (uint32_t o : order) {
    if (tallies[o] == edge && std::find(drawn->begin(), drawn->end(), o) != drawn->end()) {
      won.push_back(o);
    }
  }
  return won;
}

// Largest remainder with quota total/divisor (Hare: divisor = seats; Droop: seats + 1).
Status LargestRemainder(const std::vector<Count>& tallies, Count seats, Count divisor,
                        std::string_view formula, Lots& lots, ConventionResult& out) {
  Count total = 0;
  for (Count t : tallies) total += t;
  out.quota = Rational(total, divisor);
  const size_t n = tallies.size();
  std::vector<Count> rem_num(n);  // remainder x total, an integer
  Count given = 0;
  for (size_t i = 0; i < n; ++i) {
    const __int128 q = static_cast<__int128>(tallies[i]) * divisor;
    out.won[i] = static_cast<Count>(q / total);
    rem_num[i] = static_cast<Count>(q % total);
    given += out.won[i];
  }
  if (given > seats) {
    // Only the Droop quota can over-fill, and only when every list holds a whole number of
    // quotas: every remainder is zero, so the lots decide which list gives a seat back.
    std::vector<uint32_t> holders;
    for (uint32_t i = 0; i < n; ++i) {
      if (out.won[i] > 0) holders.push_back(i);
    }
    if (holders.size() == 1) {  // one list holds every quota: it keeps the seats there are
      out.won[holders[0]] = seats;
      return Status::Ok();
    }
    auto drawn = lots.Decide(holders, holders.size() - static_cast<size_t>(given - seats),
                             fmt::format("{}: every list holds whole quotas and the lists "
                                         "over-fill the {} seats by {}; the lists that keep "
                                         "every seat",
                                         formula, seats, given - seats),
                             out.ties);
    if (!drawn.ok()) return drawn.status();
    for (uint32_t h : holders) {
      if (std::find(drawn->begin(), drawn->end(), h) == drawn->end()) --out.won[h];
    }
    out.notes.push_back("the lists over-filled the seats with whole quotas; lots took seats back");
    return Status::Ok();
  }
  Count left = seats - given;
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return rem_num[a] > rem_num[b]; });
  size_t at = 0;
  while (left > 0 && at < n) {
    const Count r = rem_num[order[at]];
    std::vector<uint32_t> same;
    for (size_t j = at; j < n && rem_num[order[j]] == r; ++j) same.push_back(order[j]);
    if (static_cast<Count>(same.size()) <= left) {
      for (uint32_t s : same) ++out.won[s];
      left -= static_cast<Count>(same.size());
    } else {
      auto drawn = lots.Decide(same, static_cast<size_t>(left),
                               fmt::format("the last {} seat(s) under {} (equal remainders {})",
                                           left, formula, Rational(r, total).ToString()),
                               out.ties);
      if (!drawn.ok()) return drawn.status();
      for (uint32_t d : *drawn) ++out.won[d];
      left = 0;
    }
    at += same.size();
  }
  return Status::Ok();
}

// Highest averages with divisors first, first + step, first + 2·step, ... (D'Hondt 1, 1;
// Sainte-Laguë 1, 2).
Status HighestAverages(const std::vector<Count>& tallies, Count seats, Count step,
                       std::string_view formula, Lots& lots, ConventionResult& out) {
  const size_t n = tallies.size();
  auto divisor = [&](size_t i) { return 1 + step * out.won[i]; };
  Count given = 0;
  while (given < seats) {
    std::vector<uint32_t> best;
    for (uint32_t i = 0; i < n; ++i) {
      if (best.empty()) {
        best = {i};
        continue;
      }
      auto c = CompareFractions(tallies[i], divisor(i), tallies[best[0]], divisor(best[0]));
      if (c > 0) best = {i};
      if (c == 0) best.push_back(i);
    }
    const Count left = seats - given;
    if (static_cast<Count>(best.size()) <= left) {
      for (uint32_t b : best) ++out.won[b];
      given += static_cast<Count>(best.size());
      continue;
    }
    const Rational quotient(tallies[best[0]], divisor(best[0]));
    auto drawn = lots.Decide(best, static_cast<size_t>(left),
                             fmt::format("the {} seat under {} (equal quotients {})",
                                         Ordinal(given + 1), formula, quotient.ToString()),
                             out.ties);
    if (!drawn.ok()) return drawn.status();
    for (uint32_t d : *drawn) ++out.won[d];
    given = seats;
  }
  return Status::Ok();
}

// STV, Droop quota total/(seats+1), a candidate elected when strictly above it (at most `seats`
// can be). Weighted inclusive Gregory: an elected candidate's surplus moves on every ballot they
// hold, each at its value x surplus / the candidate's total, truncated to kStvUnit. When nobody
// is above the quota and no surplus waits, the lowest candidate is excluded and their ballots
// move at their values. Exclusion ties: the one with fewer votes at the latest earlier stage
// where the tied differ; tied at every stage, the lots (the last drawn is excluded).
class StvCount {
 public:
  StvCount(const ConventionCount& c, Lots& lots, ConventionResult& out)
      : c_(c), lots_(lots), out_(out), n_(c.options.size()) {}

  Status Run() {
    weight_.assign(c_.ballots.size(), kStvUnit);
    at_.assign(c_.ballots.size(), 0);
    pile_.assign(n_, {});
    value_.assign(n_, 0);
    state_.assign(n_, kContinuing);
    Count total = 0;
    for (size_t b = 0; b < c_.ballots.size(); ++b) {
      const RankedBallot& ballot = c_.ballots[b];
      const uint32_t first = ballot.ranking[0];
      pile_[first].push_back(b);
      value_[first] += ballot.count * kStvUnit;
      total += ballot.count * kStvUnit;
    }
    total_ = total;
    quota_ = Rational(total, c_.seats + 1);
    out_.quota = quota_ * Rational(1, kStvUnit);
    Record(StvStage::Kind::kFirstPreferences, std::nullopt, "first preferences");

    std::vector<uint32_t> surpluses;  // elected, surplus not yet moved, in order of election
    while (static_cast<Count>(out_.order.size()) < c_.seats) {
      std::vector<uint32_t> continuing;
      for (uint32_t i = 0; i < n_; ++i) {
        if (state_[i] == kContinuing) continuing.push_back(i);
      }
      const Count open = c_.seats - static_cast<Count>(out_.order.size());
      std::vector<uint32_t> now = ReachedQuota(continuing);
      if (!now.empty()) {
        // Elected on the stage that put them above the quota.
        for (uint32_t e : now) Elect(e);
        surpluses.insert(surpluses.end(), now.begin(), now.end());
        out_.stages.back().elected.insert(out_.stages.back().elected.end(), now.begin(), now.end());
        continue;
      }
      if (static_cast<Count>(continuing.size()) <= open) {
        // As many candidates left as seats: they fill them, the largest first.
        std::stable_sort(continuing.begin(), continuing.end(),
                         [&](uint32_t a, uint32_t b) { return value_[a] > value_[b]; });
        for (uint32_t e : continuing) Elect(e);
        Record(StvStage::Kind::kFilled, std::nullopt,
               "as many candidates continue as seats are open: all of them are elected");
        out_.stages.back().elected = continuing;
        break;
      }
      if (!surpluses.empty()) {
        auto from = LargestSurplus(surpluses);
        if (!from.ok()) return from.status();
        surpluses.erase(std::find(surpluses.begin(), surpluses.end(), *from));
        MoveSurplus(*from);
        continue;
      }
      // Candidates without a vote go together when enough others continue: the order in which
      // nothing moves cannot change the count.
      std::vector<uint32_t> empty;
      for (uint32_t i : continuing) {
        if (value_[i] == 0) empty.push_back(i);
      }
      if (empty.size() > 1 && static_cast<Count>(continuing.size() - empty.size()) >= open) {
        for (uint32_t e : empty) Exclude(e, false);
        Record(StvStage::Kind::kExclusion, std::nullopt,
               fmt::format("{} candidate(s) without a vote excluded together", empty.size()));
        ++exclusions_;
        continue;
      }
      auto lowest = Lowest(continuing);
      if (!lowest.ok()) return lowest.status();
      Exclude(*lowest, true);
      ++exclusions_;
    }
    for (uint32_t i = 0; i < n_; ++i) {
      if (state_[i] == kExcluded) continue;
      if (state_[i] == kContinuing) final_continuing_.push_back(i);
    }
    return Status::Ok();
  }

  // Ranking keys for equal division (higher is better) of those not elected.
  std::vector<Count> RunnerUpKeys() const {
    std::vector<Count> key(n_, 0);
    for (const auto& [c, k] : excluded_) key[c] = k;
    for (uint32_t c : final_continuing_) {
      key[c] = 1'000'000'000'000'000'000 + value_[c];  // above every exclusion
    }
    return key;
  }

 private:
  enum State : uint8_t { kContinuing, kElected, kExcluded };

  bool AboveQuota(Count v) const { return Rational(v) > quota_; }

  std::vector<uint32_t> ReachedQuota(const std::vector<uint32_t>& continuing) const {
    std::vector<uint32_t> now;
    for (uint32_t i : continuing) {
      if (AboveQuota(value_[i])) now.push_back(i);
    }
    std::stable_sort(now.begin(), now.end(),
                     [&](uint32_t a, uint32_t b) { return value_[a] > value_[b]; });
    return now;
  }

  void Elect(uint32_t c) {
    state_[c] = kElected;
    out_.order.push_back(c);
    out_.won[c] = 1;
  }

  Result<uint32_t> LargestSurplus(const std::vector<uint32_t>& pending) {
    Count best = -1;
    std::vector<uint32_t> tied;
    for (uint32_t p : pending) {
      if (value_[p] > best) {
        best = value_[p];
        tied = {p};
      } else if (value_[p] == best) {
        tied.push_back(p);
      }
    }
    if (tied.size() == 1) return tied[0];
    auto drawn = lots_.Decide(
        tied, 1, fmt::format("the order of equal surpluses at stage {}", out_.stages.size() + 1),
        out_.ties);
    if (!drawn.ok()) return drawn.status();
    return (*drawn)[0];
  }

  // Moves ballot b (held at its current weight) to its next continuing preference.
  void Pass(size_t b) {
    const RankedBallot& ballot = c_.ballots[b];
    size_t& at = at_[b];
    while (++at < ballot.ranking.size()) {
      const uint32_t next = ballot.ranking[at];
      if (state_[next] == kContinuing) {
        pile_[next].push_back(b);
        value_[next] += ballot.count * weight_[b];
        return;
      }
    }
    exhausted_ += ballot.count * weight_[b];
  }

  // The ballots move at weight x (value - quota) / value each, truncated to the unit; the
  // candidate keeps the rest: the quota, plus what truncation left behind. Every unit of the
  // total is always somewhere (a candidate or the exhausted pile), which the tests check.
  void MoveSurplus(uint32_t c) {
    const __int128 value = value_[c];
    const __int128 surplus_num = value * (c_.seats + 1) - total_;  // surplus x (seats+1)
    const __int128 den = value * (c_.seats + 1);
    std::vector<size_t> pile = std::move(pile_[c]);
    pile_[c].clear();
    for (size_t b : pile) {
      weight_[b] = static_cast<Count>(static_cast<__int128>(weight_[b]) * surplus_num / den);
      value_[c] -= c_.ballots[b].count * weight_[b];  // moves on; the truncated rest stays
      Pass(b);
    }
    // Surplus and transfer value can pass 64 bits before reduction: 128-bit fractions for the note.
    Record(
        StvStage::Kind::kSurplus, c,
        fmt::format("surplus of {} ({} above the quota) transferred at {} of each ballot's value",
                    c_.options[c].name,
                    WideFraction::Of(surplus_num, static_cast<__int128>(c_.seats + 1) * kStvUnit)
                        .ToDecimal(6),
                    WideFraction::Of(surplus_num, den).ToString()));
  }

  Result<uint32_t> Lowest(const std::vector<uint32_t>& continuing) {
    Count low = value_[continuing[0]];
    for (uint32_t i : continuing) low = std::min(low, value_[i]);
    std::vector<uint32_t> tied;
    for (uint32_t i : continuing) {
      if (value_[i] == low) tied.push_back(i);
    }
    // Back through the stages: the one with fewest at the latest stage where they differ.
    for (size_t s = history_.size(); s-- > 0 && tied.size() > 1;) {
      Count least = history_[s][tied[0]];
      for (uint32_t t : tied) least = std::min(least, history_[s][t]);
      std::vector<uint32_t> still;
      for (uint32_t t : tied) {
        if (history_[s][t] == least) still.push_back(t);
      }
      tied = std::move(still);
    }
    if (tied.size() == 1) return tied[0];
    // The lots keep all but one: the one not kept is excluded.
    auto kept = lots_.Decide(tied, tied.size() - 1,
                             fmt::format("the exclusion at stage {} (tied at every stage); those "
                                         "kept",
                                         out_.stages.size() + 1),
                             out_.ties);
    if (!kept.ok()) return kept.status();
    for (uint32_t t : tied) {
      if (std::find(kept->begin(), kept->end(), t) == kept->end()) return t;
    }
    return tied.back();
  }

  void Exclude(uint32_t c, bool record) {
    state_[c] = kExcluded;
    excluded_.emplace_back(c, exclusions_);
    const Count had = value_[c];
    std::vector<size_t> pile = std::move(pile_[c]);
    pile_[c].clear();
    for (size_t b : pile) Pass(b);
    value_[c] = 0;
    if (!record) return;
    Record(StvStage::Kind::kExclusion, c,
           fmt::format("{} excluded with {}", c_.options[c].name,
                       Rational(had, kStvUnit).ToShortDecimal()));
  }

  void Record(StvStage::Kind kind, std::optional<uint32_t> who, std::string note) {
    StvStage s;
    s.kind = kind;
    s.candidate = who;
    s.values = value_;
    s.exhausted = exhausted_;
    s.note = std::move(note);
    history_.push_back(value_);
    out_.stages.push_back(std::move(s));
  }

  const ConventionCount& c_;
  Lots& lots_;
  ConventionResult& out_;
  const uint32_t n_;
  Count total_ = 0;
  Rational quota_;
  std::vector<Count> weight_;
  std::vector<size_t> at_;
  std::vector<std::vector<size_t>> pile_;
  std::vector<Count> value_;
  std::vector<State> state_;
  std::vector<std::vector<Count>> history_;
  std::vector<std::pair<uint32_t, Count>> excluded_;  // with the exclusion's number
  Count exclusions_ = 0;
  std::vector<uint32_t> final_continuing_;
  Count exhausted_ = 0;
};

Status Validate(const ConventionCount& c) {
  if (c.seats < 1 || c.seats > kMaxSeats) {
    return Status::InvalidArgument(
        fmt::format("seats {} is out of range 1..{}", c.seats, kMaxSeats));
  }
  if (c.options.empty()) return Status::InvalidArgument("there are no lists or candidates");
  const size_t n = c.options.size();
  if (n > kMaxOptions) {
    return Status::InvalidArgument(
        fmt::format("{} lists or candidates; a count takes at most {}", n, kMaxOptions));
  }
  for (size_t i = 0; i < n; ++i) {
    if (c.options[i].name.empty()) {
      return Status::InvalidArgument(fmt::format("option #{} has no name", i + 1));
    }
    for (size_t j = 0; j < i; ++j) {
      if (c.options[j].name == c.options[i].name) {
        return Status::InvalidArgument(
            fmt::format("\"{}\" is named twice among the options", c.options[i].name));
      }
    }
  }
  for (uint32_t l : c.lots) {
    if (l >= n) {
      return Status::InvalidArgument(
          fmt::format("the lots name option #{}, which does not exist", l + 1));
    }
  }
  if (c.formula == SeatFormula::kStv) {
    if (!c.tallies.empty()) {
      return Status::InvalidArgument("STV counts ranked ballots, not tallies");
    }
    if (c.ballots.empty()) return Status::InvalidArgument("STV: there are no ballots");
    Count ballots = 0;
    for (size_t b = 0; b < c.ballots.size(); ++b) {
      const RankedBallot& r = c.ballots[b];
      if (r.ranking.empty()) {
        return Status::InvalidArgument(fmt::format("ballot #{} ranks nobody", b + 1));
      }
      if (r.count < 1 || r.count > kMaxBallots) {
        return Status::InvalidArgument(
            fmt::format("ballot #{}: count {} is out of range 1..{}", b + 1, r.count, kMaxBallots));
      }
      ballots += r.count;
      if (ballots > kMaxBallots) {
        return Status::InvalidArgument(fmt::format("more than {} ballots", kMaxBallots));
      }
      std::vector<bool> seen(n, false);
      for (uint32_t o : r.ranking) {
        if (o >= n) {
          return Status::InvalidArgument(
              fmt::format("ballot #{} ranks option #{}, which does not exist", b + 1, o + 1));
        }
        if (seen[o]) {
          return Status::InvalidArgument(
              fmt::format("ballot #{} ranks {} twice", b + 1, c.options[o].name));
        }
        seen[o] = true;
      }
    }
  } else {
    if (!c.ballots.empty()) {
      return Status::InvalidArgument(fmt::format("{} counts tallies; ranked ballots are for STV",
                                                 SeatFormulaTitle(c.formula)));
    }
    if (c.tallies.size() != n) {
      return Status::InvalidArgument(fmt::format("{} tallies for {} options", c.tallies.size(), n));
    }
    Count total = 0;
    for (size_t i = 0; i < n; ++i) {
      if (c.tallies[i] < 0 || c.tallies[i] > kMaxTotalVotes) {
        return Status::InvalidArgument(fmt::format(
            "{}: tally {} is out of range 0..{}", c.options[i].name, c.tallies[i], kMaxTotalVotes));
      }
      total += c.tallies[i];
      if (total > kMaxTotalVotes) {
        return Status::InvalidArgument(
            fmt::format("the tallies add up to more than {}", kMaxTotalVotes));
      }
    }
    if (total == 0) return Status::InvalidArgument("no votes: every tally is 0");
  }
  if (!IsListFormula(c.formula) && static_cast<Count>(n) < c.seats) {
    return Status::InvalidArgument(fmt::format("{} seats but only {} candidate(s)", c.seats, n));
  }
  if (c.formula == SeatFormula::kLimitedVoting &&
      (c.votes_per_voter < 1 || c.votes_per_voter >= c.seats)) {
    return Status::InvalidArgument(fmt::format(
        "limited voting gives each voter 1 to {} votes (fewer than the {} seats); {} given",
        c.seats - 1, c.seats, c.votes_per_voter));
  }
  if (c.equal_division.enabled) {
    if (c.equal_division.variance < 0) {
      return Status::InvalidArgument("the equal-division variance is negative");
    }
    for (const ConventionOption& o : c.options) {
      if (IsListFormula(c.formula)) {
        for (const Nominee& p : o.nominees) {
          if (!p.gender) {
            return Status::InvalidArgument(
                fmt::format("equal division needs every nominee's gender: {} on list {} has none",
                            p.name, o.name));
          }
        }
      } else if (!o.gender) {
        return Status::InvalidArgument(
            fmt::format("equal division needs every candidate's gender: {} has none", o.name));
      }
    }
  }
  return Status::Ok();
}

// A person who holds a seat or could take one under equal division.
struct Person {
  std::string name;
  uint32_t option = 0;
  std::string group;
  std::optional<Gender> gender;
  Count key = 0;  // higher is better within the group
  bool elected = false;
  bool swapped_in = false;
  bool swapped_out = false;  // gave way under equal division: not eligible to return
};

void CountGenders(const std::vector<Person>& people, ConventionResult& out) {
  out.women = out.men = out.non_binary = 0;
  for (const Person& p : people) {
    if (!p.elected || !p.gender) continue;
    if (*p.gender == Gender::kWoman) ++out.women;
    if (*p.gender == Gender::kMan) ++out.men;
    if (*p.gender == Gender::kNonBinary) ++out.non_binary;
  }
}

bool Balanced(const ConventionResult& r, const EqualDivision& e) {
  Count gap = r.women > r.men ? r.women - r.men : r.men - r.women;
  if (e.non_binary == NonBinaryRule::kEitherSide) gap = std::max<Count>(0, gap - r.non_binary);
  return gap <= e.variance;
}

// Of people[idx] (same key ordering), the lowest or highest; equal keys go to the lots (which
// favour the first drawn for the highest, and keep the first drawn for the lowest).
Result<size_t> Extreme(const std::vector<Person>& people, const std::vector<size_t>& idx,
                       bool highest, Lots& lots, const std::string& what,
                       std::vector<TieDecision>& ties) {
  Count k = people[idx[0]].key;
  for (size_t i : idx) k = highest ? std::max(k, people[i].key) : std::min(k, people[i].key);
  std::vector<uint32_t> tied;
  std::map<uint32_t, size_t> by_option;
  for (size_t i : idx) {
    if (people[i].key == k) {
      tied.push_back(people[i].option);
      by_option[people[i].option] = i;
    }
  }
  if (tied.size() == 1) return by_option.begin()->second;
  auto drawn = lots.Decide(tied, highest ? 1 : tied.size() - 1, what, ties);
  if (!drawn.ok()) return drawn.status();
  if (highest) return by_option.at((*drawn)[0]);
  for (uint32_t t : tied) {
    if (std::find(drawn->begin(), drawn->end(), t) == drawn->end()) return by_option.at(t);
  }
  return by_option.at(tied.back());
}

// Swaps until the delegation is within the variance: the over-represented gender's lowest
// delegate in a group for that group's best unelected person of the under-represented gender.
// Among groups that can swap, the one holding the most seats goes first (then the earlier one).
Status EqualDivide(std::vector<Person>& people, const ConventionCount& c, Lots& lots,
                   ConventionResult& out) {
  CountGenders(people, out);
  while (!Balanced(out, c.equal_division)) {
    if (out.women - out.men < 2 && out.men - out.women < 2) {
      // A swap moves the difference by two: from one it can only turn it around.
      out.balanced = false;
      out.notes.push_back(fmt::format(
          "equal division not reached: {} women, {} men, {} non-binary; the variance {} cannot be "
          "met by swapping",
          out.women, out.men, out.non_binary, c.equal_division.variance));
      return Status::Ok();
    }
    const Gender over = out.women > out.men ? Gender::kWoman : Gender::kMan;
    const Gender under = over == Gender::kWoman ? Gender::kMan : Gender::kWoman;
    std::vector<std::string> groups;
    std::map<std::string, Count> seats;
    for (const Person& p : people) {
      if (std::find(groups.begin(), groups.end(), p.group) == groups.end())
        groups.push_back(p.group);
      if (p.elected) ++seats[p.group];
    }
    std::stable_sort(groups.begin(), groups.end(), [&](const std::string& a, const std::string& b) {
      return seats[a] > seats[b];
    });
    bool swapped = false;
    for (const std::string& g : groups) {
      std::vector<size_t> outgoing, incoming;
      for (size_t i = 0; i < people.size(); ++i) {
        const Person& p = people[i];
        if (p.group != g || !p.gender) continue;
        if (p.elected && *p.gender == over) outgoing.push_back(i);
        if (!p.elected && !p.swapped_out && *p.gender == under) incoming.push_back(i);
      }
      if (outgoing.empty() || incoming.empty()) continue;
      const std::string where = g.empty() ? std::string() : " of " + g;
      auto leave = Extreme(
          people, outgoing, false, lots,
          fmt::format("equal division: which {}{} gives up a seat", GenderName(over), where),
          out.ties);
      if (!leave.ok()) return leave.status();
      auto enter = Extreme(
          people, incoming, true, lots,
          fmt::format("equal division: which {}{} takes the seat", GenderName(under), where),
          out.ties);
      if (!enter.ok()) return enter.status();
      Person& a = people[*leave];
      Person& b = people[*enter];
      a.elected = false;
      a.swapped_out = true;
      b.elected = true;
      b.swapped_in = true;
      out.swaps.push_back(fmt::format("{} ({}) in for {} ({}){}", b.name, GenderName(under), a.name,
                                      GenderName(over), g.empty() ? "" : " on " + g));
      if (!IsListFormula(c.formula)) {
        out.won[a.option] = 0;
        out.won[b.option] = 1;
        std::replace(out.order.begin(), out.order.end(), a.option, b.option);
      }
      swapped = true;
      break;
    }
    CountGenders(people, out);
    if (!swapped) {
      out.balanced = false;
      out.notes.push_back(fmt::format(
          "equal division not reached: {} women, {} men, {} non-binary, and no list or group has "
          "an unelected {} to swap in for a {}",
          out.women, out.men, out.non_binary, GenderName(under), GenderName(over)));
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// The DNC comparison: AllocatePool with the DNC family and its 15% threshold.
void CompareWithDnc(const ConventionCount& c, const Lots& lots, ConventionResult& out) {
  const size_t n = c.options.size();
  std::vector<Rational> per_option(n);
  if (c.formula == SeatFormula::kStv) {
    for (const RankedBallot& b : c.ballots) per_option[b.ranking[0]] += Rational(b.count);
  } else {
    for (size_t i = 0; i < n; ++i) per_option[i] = Rational(c.tallies[i]);
  }
  bool by_group = !IsListFormula(c.formula);
  for (const ConventionOption& o : c.options) by_group = by_group && !o.group.empty();
  std::vector<std::optional<size_t>> lot_rank;
  std::vector<size_t> group_of(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string g = by_group ? c.options[i].group : c.options[i].name;
    auto it = std::find(out.dnc_groups.begin(), out.dnc_groups.end(), g);
    if (it == out.dnc_groups.end()) {
      out.dnc_groups.push_back(g);
      out.dnc_votes.push_back(Rational());
      lot_rank.push_back(std::nullopt);
      it = out.dnc_groups.end() - 1;
    }
    const size_t gi = static_cast<size_t>(it - out.dnc_groups.begin());
    group_of[i] = gi;
    out.dnc_votes[gi] += per_option[i];
    if (auto r = lots.Rank(static_cast<uint32_t>(i))) {
      lot_rank[gi] = lot_rank[gi] ? std::min(*lot_rank[gi], *r) : *r;
    }
  }
  NationalRules rules;  // kDnc: 15%, at least, exact shares, Rule 14.F fallback
  NationalPool pool{"convention", PoolScope::kStatewide, "", c.seats};
  auto alloc = AllocatePoolByLots(rules, pool, out.dnc_votes, lot_rank);
  if (!alloc.ok()) {
    out.dnc_complete = false;
    out.notes.push_back("DNC comparison not made: " + alloc.status().message());
    out.dnc_seats.assign(out.dnc_groups.size(), 0);
    return;
  }
  out.dnc_seats = alloc->delegates;
  if (alloc->pending_tie) {
    out.dnc_complete = false;
    out.notes.push_back(
        "DNC comparison: a tie on remainders is left open (the lots do not cover "
        "it)");
  }
  if (c.formula != SeatFormula::kStv && !IsListFormula(c.formula)) {
    out.notes.push_back(
        "DNC comparison on the candidates' marks, each voter casting several: indicative");
  }
}

}  // namespace

std::string_view SeatFormulaName(SeatFormula formula) {
  switch (formula) {
    case SeatFormula::kBlockPlurality:
      return "block";
    case SeatFormula::kLimitedVoting:
      return "limited";
    case SeatFormula::kCumulative:
      return "cumulative";
    case SeatFormula::kHareLargestRemainder:
      return "hare";
    case SeatFormula::kDroopLargestRemainder:
      return "droop";
    case SeatFormula::kDhondt:
      return "dhondt";
    case SeatFormula::kSainteLague:
      return "sainte-lague";
    case SeatFormula::kStv:
      return "stv";
  }
  return "";
}

std::string_view SeatFormulaTitle(SeatFormula formula) {
  switch (formula) {
    case SeatFormula::kBlockPlurality:
      return "block plurality";
    case SeatFormula::kLimitedVoting:
      return "limited voting";
    case SeatFormula::kCumulative:
      return "cumulative voting";
    case SeatFormula::kHareLargestRemainder:
      return "slate, Hare largest remainder";
    case SeatFormula::kDroopLargestRemainder:
      return "slate, Droop largest remainder";
    case SeatFormula::kDhondt:
      return "slate, D'Hondt";
    case SeatFormula::kSainteLague:
      return "slate, Sainte-Laguë";
    case SeatFormula::kStv:
      return "single transferable vote (Droop quota)";
  }
  return "";
}

Result<SeatFormula> ParseSeatFormula(std::string_view name) {
  const std::string n = AsciiLower(Trim(name));
  for (SeatFormula f :
       {SeatFormula::kBlockPlurality, SeatFormula::kLimitedVoting, SeatFormula::kCumulative,
        SeatFormula::kHareLargestRemainder, SeatFormula::kDroopLargestRemainder,
        SeatFormula::kDhondt, SeatFormula::kSainteLague, SeatFormula::kStv}) {
    if (n == SeatFormulaName(f)) return f;
  }
  return Status::InvalidArgument(fmt::format(
      "unknown seat formula \"{}\"; the formulas are block, limited, cumulative, hare, droop, "
      "dhondt, sainte-lague, stv",
      std::string(name)));
}

bool IsListFormula(SeatFormula formula) {
  return formula == SeatFormula::kHareLargestRemainder ||
         formula == SeatFormula::kDroopLargestRemainder || formula == SeatFormula::kDhondt ||
         formula == SeatFormula::kSainteLague;
}

Rational SweepShare(SeatFormula formula, Count seats, Count votes_per_voter) {
  switch (formula) {
    case SeatFormula::kBlockPlurality:
      return Rational(1, 2);
    case SeatFormula::kLimitedVoting:
      return Rational(seats, seats + votes_per_voter);
    case SeatFormula::kCumulative:
    case SeatFormula::kDroopLargestRemainder:
    case SeatFormula::kDhondt:
    case SeatFormula::kStv:
      return Rational(seats, seats + 1);
    case SeatFormula::kHareLargestRemainder:
    case SeatFormula::kSainteLague:
      return Rational(2 * seats - 1, 2 * seats);
  }
  return Rational(1);
}

std::string SweepSentence(SeatFormula formula, Count seats, Count votes_per_voter) {
  const Rational s = SweepShare(formula, seats, votes_per_voter);
  const std::string who = IsListFormula(formula) ? "a slate" : "a cohesive group";
  if (seats == 1) {
    return fmt::format("with 1 seat, {} above {}% takes it", who,
                       (s * Rational(100)).ToShortDecimal());
  }
  return fmt::format("with {} seats, {} above {}% takes all {}", seats, who,
                     (s * Rational(100)).ToDecimal(1), seats);
}

std::string_view GenderName(Gender gender) {
  switch (gender) {
    case Gender::kWoman:
      return "woman";
    case Gender::kMan:
      return "man";
    case Gender::kNonBinary:
      return "non-binary";
  }
  return "";
}

Result<Gender> ParseGender(std::string_view text) {
  const std::string g = AsciiLower(Trim(text));
  if (g == "woman" || g == "w" || g == "f" || g == "female") return Gender::kWoman;
  if (g == "man" || g == "m" || g == "male") return Gender::kMan;
  if (g == "non-binary" || g == "nonbinary" || g == "nb" || g == "x") return Gender::kNonBinary;
  return Status::InvalidArgument(
      fmt::format("unknown gender \"{}\"; expected woman, man or non-binary", std::string(text)));
}

Result<std::vector<Count>> TallyMarkedBallots(SeatFormula formula, Count seats,
                                              Count votes_per_voter, size_t options,
                                              const std::vector<std::vector<Count>>& ballots) {
  Count allowed = seats;
  bool one_each = true;
  switch (formula) {
    case SeatFormula::kBlockPlurality:
      break;
    case SeatFormula::kLimitedVoting:
      allowed = votes_per_voter;
      break;
    case SeatFormula::kCumulative:
      one_each = false;
      break;
    default:
      return Status::InvalidArgument(
          fmt::format("{} is not counted from marked ballots", SeatFormulaTitle(formula)));
  }
  if (seats < 1 || seats > kMaxSeats || allowed < 1 || allowed > seats) {
    return Status::InvalidArgument(fmt::format("{}: {} vote(s) per voter for {} seat(s)",
                                               SeatFormulaTitle(formula), allowed, seats));
  }
  if (ballots.size() > static_cast<size_t>(kMaxBallots)) {
    return Status::InvalidArgument(fmt::format("more than {} ballots", kMaxBallots));
  }
  std::vector<Count> tallies(options, 0);
  for (size_t b = 0; b < ballots.size(); ++b) {
    const std::vector<Count>& marks = ballots[b];
    if (marks.size() != options) {
      return Status::InvalidArgument(
          fmt::format("ballot #{} has {} marks for {} options", b + 1, marks.size(), options));
    }
    Count cast = 0;
    for (size_t o = 0; o < options; ++o) {
      if (marks[o] < 0 || (one_each && marks[o] > 1)) {
        return Status::InvalidArgument(fmt::format(
            "ballot #{} gives option #{} {} vote(s); {} allows {}", b + 1, o + 1, marks[o],
            SeatFormulaTitle(formula), one_each ? "one per candidate" : "no negative votes"));
      }
      cast += std::min(marks[o], seats + 1);
      if (cast > allowed) {
        return Status::InvalidArgument(
            fmt::format("ballot #{} casts more than {} vote(s), the "
                        "most {} allows",
                        b + 1, allowed, SeatFormulaTitle(formula)));
      }
    }
    for (size_t o = 0; o < options; ++o) tallies[o] += marks[o];
  }
  return tallies;
}

Result<ConventionResult> CountConvention(const ConventionCount& c) {
  CANVASS_RETURN_IF_ERROR(Validate(c));
  const size_t n = c.options.size();
  ConventionResult out;
  out.formula = c.formula;
  out.seats = c.seats;
  out.sweep_share = SweepShare(c.formula, c.seats, c.votes_per_voter);
  out.sweep = SweepSentence(c.formula, c.seats, c.votes_per_voter);
  out.won.assign(n, 0);
  Lots lots(c.lots, c.options);
  const std::string title(SeatFormulaTitle(c.formula));

  std::vector<Person> people;
  switch (c.formula) {
    case SeatFormula::kBlockPlurality:
    case SeatFormula::kLimitedVoting:
    case SeatFormula::kCumulative: {
      auto won = TopByVotes(c.tallies, c.seats, title, lots, out.ties);
      if (!won.ok()) return won.status();
      out.order = *won;
      for (uint32_t w : out.order) out.won[w] = 1;
      for (uint32_t i = 0; i < n; ++i) {
        people.push_back({c.options[i].name, i, c.options[i].group, c.options[i].gender,
                          c.tallies[i], out.won[i] == 1, false});
      }
      break;
    }
    case SeatFormula::kHareLargestRemainder:
      CANVASS_RETURN_IF_ERROR(LargestRemainder(c.tallies, c.seats, c.seats, title, lots, out));
      break;
    case SeatFormula::kDroopLargestRemainder:
      CANVASS_RETURN_IF_ERROR(LargestRemainder(c.tallies, c.seats, c.seats + 1, title, lots, out));
      break;
    case SeatFormula::kDhondt:
      CANVASS_RETURN_IF_ERROR(HighestAverages(c.tallies, c.seats, 1, title, lots, out));
      break;
    case SeatFormula::kSainteLague:
      CANVASS_RETURN_IF_ERROR(HighestAverages(c.tallies, c.seats, 2, title, lots, out));
      break;
    case SeatFormula::kStv: {
      StvCount stv(c, lots, out);
      CANVASS_RETURN_IF_ERROR(stv.Run());
      const std::vector<Count> keys = stv.RunnerUpKeys();
      for (uint32_t i = 0; i < n; ++i) {
        Count key = keys[i];
        if (out.won[i] == 1) {
          const auto at = std::find(out.order.begin(), out.order.end(), i) - out.order.begin();
          key = -static_cast<Count>(at);  // among the elected, the last elected is lowest
        }
        people.push_back({c.options[i].name, i, c.options[i].group, c.options[i].gender, key,
                          out.won[i] == 1, false});
      }
      break;
    }
  }

  if (IsListFormula(c.formula)) {
    for (uint32_t i = 0; i < n; ++i) {
      const std::vector<Nominee>& list = c.options[i].nominees;
      if (list.empty()) continue;
      for (size_t p = 0; p < list.size(); ++p) {
        people.push_back({list[p].name, i, c.options[i].name, list[p].gender,
                          -static_cast<Count>(p), static_cast<Count>(p) < out.won[i], false});
      }
      if (static_cast<Count>(list.size()) < out.won[i]) {
        out.notes.push_back(
            fmt::format("list {} won {} seat(s) but names {} nominee(s): {} left "
                        "vacant",
                        c.options[i].name, out.won[i], list.size(),
                        out.won[i] - static_cast<Count>(list.size())));
      }
    }
  }

  if (c.equal_division.enabled) CANVASS_RETURN_IF_ERROR(EqualDivide(people, c, lots, out));
  CountGenders(people, out);

  // The delegation: list formulas list by list, in list order; the others in order of election.
  if (IsListFormula(c.formula)) {
    for (uint32_t i = 0; i < n; ++i) {
      if (c.options[i].nominees.empty()) continue;  // seats without names: the list named nobody
      Count filled = 0;
      for (const Person& p : people) {
        if (p.option == i && p.elected) {
          out.delegates.push_back({p.name, i, p.group, p.gender, p.swapped_in});
          ++filled;
        }
      }
      for (; filled < out.won[i]; ++filled) {
        out.delegates.push_back({"", i, c.options[i].name, std::nullopt, false});
      }
    }
  } else {
    for (uint32_t o : out.order) {
      const Person& p = people[o];
      out.delegates.push_back({p.name, o, p.group, p.gender, p.swapped_in});
    }
  }
  CompareWithDnc(c, lots, out);
  return out;
}

}  // namespace canvass
