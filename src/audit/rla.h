// Risk-limiting audit of the national delegates: batch comparison over precincts (MACRO with the
// Kaplan-Markov P-value, PPEB draws), as VotingWorks' Arlo runs it for ballot contests
// (../shared/spec/audits.md 2, docs/audit.md "Risk-limiting audit").
//
// A precinct is a batch. What leaves it is its SDE vector, whose total the apportionment fixes
// before the caucus, and every national outcome is a set of linear assertions on sums of those
// vectors: the assertions and each precinct's bound u_p are materiality's
// (src/audit/materiality.h), not derived again here. The audit adds:
//   - the bounds as the audit uses them: u_p rounded up to 10^-9 (a larger bound only makes the
//     audit more conservative, and keeps U = sum u_p an integer count of 10^-9);
//   - each audited precinct's error e_p = max over its assertions of (g_p - g'_p) / G (negative
//     errors count 0) and taint t_p = e_p / u_p; an unauditable precinct has taint 1;
//   - the Kaplan-Markov P-value over the sequence of draws, P <- P (1 - 1/U) / (1 - t_p);
//   - Arlo's sample sizes with its "+1", capped at N; a full hand count is a result, not an error;
//   - draws anyone can reproduce from SHA-256 alone (Rivest's consistent-sampler tickets).
//
// Counts, bounds, errors and taints are exact. The P-value is a probability, a product of as many
// factors as there are draws: each factor is computed exactly and the product kept in long
// double, because the exact product needs numbers of millions of digits after a few thousand
// draws. Where a sample size depends only on U and the risk limit (the first round) it is exact.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/materiality.h"
#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"
#include "rules/ruleset.h"

namespace canvass {

// ---- The math, on any batches ----------------------------------------------------------------

// A round's size: the number of draws, or a full hand count (n would reach N batches).
struct SampleSize {
  int64_t draws = 0;
  bool full_hand_count = false;
};

// Arlo's first round: the smallest n with (1 - 1/U)^n <= alpha, plus one; a full hand count when
// that reaches `batches`. Exact: logarithms place n, and when ln alpha / ln(1 - 1/U) is within a
// millionth (relative) of a whole number and n is at most 10,000, the integers
// (U_num - U_den)^n alpha_den against alpha_num U_num^n decide. U > 1 is the total bound,
// 0 < alpha < 1; InvalidArgument otherwise.
Result<SampleSize> FirstRoundSize(const Rational& total_bound, const Rational& risk_limit,
                                  int64_t batches);

// A later round after a P-value `p_value` > alpha: ceil((ln alpha - ln P) / ln(1 - 1/U)) + 1,
// capped as above (an infinite P-value: a full hand count).
SampleSize NextRoundSize(const Rational& total_bound, const Rational& risk_limit,
                         long double p_value, int64_t batches);

// The Kaplan-Markov factor of one draw, (1 - 1/U) / (1 - t), computed exactly and then rounded:
// a taint of exactly 1/U gives exactly 1. A taint of 1 (or more) gives infinity.
long double KaplanMarkovFactor(const Rational& total_bound, const Rational& taint);

// ---- Reproducible randomness -----------------------------------------------------------------

// Rivest's consistent-sampler ticket of `id` under `seed`: "0." followed by the decimal digits of
// SHA-256(hex SHA-256(seed) + id), read as a 256-bit integer, in reverse order.
std::string ConsistentTicket(std::string_view seed, std::string_view id);

// The ids in increasing ticket order (the consistent sampler's order; the same on any subset).
std::vector<std::string> ConsistentOrder(std::vector<std::string> ids, std::string_view seed);

// PPEB draws with replacement: draw i (1-based) takes the ticket T of the id "i" (the decimal
// number) and the batch whose cumulative weight interval [c_{k-1}, c_k) holds
// floor(T x sum w), where the weights are taken in the order given. Returns, for draws
// first..first+count-1, the index of the batch drawn. Weights are non-negative with a positive
// sum.
std::vector<size_t> DrawPpeb(const std::vector<int64_t>& weights, std::string_view seed,
                             int64_t first, int64_t count);

// ---- The audit of a caucus's national delegates -----------------------------------------------

constexpr int64_t kBoundScale = 1'000'000'000;  // the audit's bounds are counts of 10^-9

struct RlaBatch {
  size_t report = 0;  // index into the election's reports (and materiality's precincts)
  std::string county, precinct;
  int64_t bound = 0;                // u_p rounded up, in units of 10^-9
  std::optional<size_t> assertion;  // materiality's assertion giving u_p
};

// One assertion's own audit: margin G, diluted margin mu = G / (|min w| S_pool), its total bound
// U_j = 1 + 1/mu (rounded up at 10^-9), and the first round it alone would need.
struct AssertionRisk {
  size_t assertion = 0;
  Rational margin;
  Rational diluted_margin;  // rounded down at 10^-9
  Rational total_bound;     // rounded up at 10^-9
  SampleSize first_round;
};

// What is fixed before any tally: the risk limit, the bounds in the sampler's order (county then
// precinct, by bytes), U, and the first round.
struct RlaPlan {
  Rational risk_limit;
  std::vector<RlaBatch> batches;
  int64_t total = 0;  // sum of bounds, units of 10^-9
  Rational total_bound() const { return Rational(total, kBoundScale); }
  std::vector<AssertionRisk> assertions;  // the tightest (largest U_j) first
  // Precincts no bound covers (no figures on this side, no apportioned total, an assertion at
  // equality): the audit cannot sample around them, so it is a full hand count from the start.
  std::vector<std::string> unbounded;
  SampleSize first_round;
  bool full_hand_count() const { return !unbounded.empty() || first_round.full_hand_count; }
};

// Risk limit alpha in (0, 1). Refused (InvalidArgument) when materiality refused the outcome,
// when U overflows, or alpha is out of range.
Result<RlaPlan> PlanRla(const Ruleset& ruleset, const Materiality& materiality,
                        const Rational& risk_limit);

// An audited precinct: its SDEs per candidate as the recount found them, or unauditable (taint 1).
struct AuditedTally {
  std::string county, precinct;
  bool unauditable = false;
  std::vector<Rational> sde;  // per candidate
  int64_t line = 0;           // where the tally file gave it (0: not from a file)
};

// The tallies CSV of docs/formats.md: county,precinct,candidate,figure,value with figure "sde",
// "delegates" or "unauditable". Every refused row names the file, the line and what is wrong: an
// unknown precinct or candidate, a figure given twice, a negative or fractional count, SDEs finer
// than the ruleset's places, delegates that do not add up to what the precinct elects, SDEs above
// the precinct's apportioned total.
Result<std::vector<AuditedTally>> ParseRlaTallies(std::string_view text, const std::string& origin,
                                                  const Ruleset& ruleset, const Election& election,
                                                  const Materiality& materiality);

struct RlaDraw {
  int64_t draw = 0;  // 1-based position in the sequence
  size_t batch = 0;  // index into RlaPlan::batches
  bool audited = false;
  bool unauditable = false;
  Rational error;            // e_p (0 when the audit found no overstatement)
  std::optional<size_t> by;  // the assertion giving e_p, when positive
  long double taint = 0;     // t_p = e_p / u_p (exact before rounding to long double)
  long double p_value = 1;   // after this draw
};

enum class RlaDecision : uint8_t {
  kConfirmed,      // P <= alpha at the end of a round
  kAwaiting,       // drawn precincts still without a tally
  kFullHandCount,  // the next round would reach every precinct, or a taint of 1
};

struct RlaRound {
  int64_t first_draw = 1;
  SampleSize size;
};

struct RlaStatus {
  std::vector<RlaRound> rounds;
  std::vector<RlaDraw> draws;  // every draw of every round so far, in order
  long double p_value = 1;     // over the audited prefix of draws
  RlaDecision decision = RlaDecision::kAwaiting;
  int64_t awaiting = 0;  // distinct precincts of the current round without a tally
  std::string reason;    // why a full hand count
};

// Runs the rounds: round 1 from the plan; each complete round either confirms (P <= alpha), or
// sizes the next one from P, drawing on from the same seed. Refused (InvalidArgument naming the
// line): a tally for a precinct not drawn in any round so far, or two tallies for one precinct.
Result<RlaStatus> RunRla(const Ruleset& ruleset, const Materiality& materiality,
                         const RlaPlan& plan, std::string_view seed,
                         const std::vector<AuditedTally>& tallies);

// JSON of docs/audit.md: bounds as decimals and exact fractions, the sample, the draws.
nlohmann::json RlaToJson(const Ruleset& ruleset, const Materiality& materiality,
                         const RlaPlan& plan, std::string_view seed, const RlaStatus* status);

}  // namespace canvass
