// Materiality: could a change confined to one precinct alter a national delegate?
//
// Whatever happens inside a precinct (viability, rounding, coin tosses), what leaves it is a
// vector of SDEs whose total the apportionment fixes before the caucus. Every national pool is
// allocated from sums of those vectors, and the reported allocation of a pool holds exactly while
// a set of linear assertions on the pool's totals holds (docs/audit.md, "Assertions"): each
// candidate's viability or non-viability, and for every ordered pair of viable candidates the
// largest-remainder condition. For an assertion with weights w and margin G on the reported
// totals, the most a precinct can take from G is g_p - S_p * min(0, min w): its own contribution
// replaced by the worst vector of the same total. The precinct's bound is
//
//     u_p = max over the assertions of its pools of (g_p - S_p * min(0, min w)) / G
//
// and u_p < 1 proves that no change confined to it can alter any national delegate. Where
// u_p >= 1 the engine searches the smallest change that does, by recomputing every pool with the
// DNC allocation of src/delegates: k county delegates moved from one candidate to another
// (k = 1, 2, ...), or every delegate of the precinct to one candidate.
//
// Rounded shares (national.share_precision fraction3 or percent3, the DNC's three decimals): the
// rounding is built into the assertions, not ignored (docs/audit.md, "Rounded shares"). With h
// half the rounding step, viability is still exact, against tau - h (at least) or tau + h (greater
// than); a Hamilton pair becomes a sufficient condition, its margin less 2hS times the qualified
// total. A pair whose reported margin lies within that allowance cannot be confirmed from exact
// shares: its precincts get no bound, with that reason, and the audit counts them all.
//
// Exact arithmetic throughout. SDEs are integers in units of 10^-sde_places and weights integers
// once scaled by their common denominator, so the bound of 176,500 precincts is integer work.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "caucus/findings.h"
#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"
#include "delegates/national.h"
#include "rules/ruleset.h"

namespace canvass {

// Which precinct figures the national pools are taken from: what the party published, or what
// the rules give for the same alignments (CheckElection's computed SDEs).
enum class ResultSide : uint8_t { kReported, kComputed };

enum class AssertionKind : uint8_t {
  kViable,     // a's share of the pool reaches the threshold
  kNotViable,  // a's share stays below it
  kHamilton,   // a keeps its seats against b: S (x_b - x_a) + (1 + s_a - s_b) Y > 0
};

// One linear condition on a pool's totals x: sum_c weights[c] * x_c > 0 (>= 0 for kViable under
// an at-least threshold). All of them together imply the pool's reported seats.
struct Assertion {
  AssertionKind kind = AssertionKind::kViable;
  size_t pool = 0;  // index into the ruleset's national pools
  CandidateIndex a = 0;
  CandidateIndex b = 0;           // kHamilton only
  std::vector<Rational> weights;  // per candidate
  Rational margin;                // G: the weighted sum on the reported totals
  // The share precision the condition was built for; kExact: shares compared exactly.
  SharePrecision rounding = SharePrecision::kExact;
  Rational threshold;     // kViable, kNotViable: the exact share of the pool compared with
  Rational exact_margin;  // the exact-share condition's margin on the same totals
  // What the rounding takes from the margin, in the margin's units: h X for a threshold (negative
  // where it adds, as for a viable candidate under an at-least threshold), 2hS Y for a pair.
  Rational allowance() const { return exact_margin - margin; }
  // The exact-share condition holds but not this one: the reported outcome is within the
  // rounding step of it, and the assertion cannot confirm it.
  bool within_rounding_step() const {
    return rounding != SharePrecision::kExact && margin <= Rational(0) &&
           exact_margin > Rational(0);
  }
  // "PLEO: Buttigieg 2 against Sanders 1", "CD4: Warren not viable"; under rounded shares with
  // what the rounding does, "CD4: Warren not viable (fraction3 shares: below 0.1495 of the pool)".
  std::string Describe(const std::vector<std::string>& candidates,
                       const NationalAllocation& outcome) const;
};

// The assertions of one pool's reported allocation (`pool` indexes rules.pools), margins on the
// allocation's own votes; none for a pool without votes. Errors (InvalidArgument): a family
// other than DNC/proportional, a threshold off the share rounding grid, a pool that needed the
// threshold fallback or waits for a drawing of lots.
Result<std::vector<Assertion>> PoolAssertions(const NationalRules& rules, size_t pool,
                                              const PoolAllocation& allocation);

// sum_c weights[c] * x_c: the assertion's margin on totals x (one per candidate).
Rational AssertionMargin(const Assertion& assertion, const std::vector<Rational>& x);

// A pool whose seats a change alters, before and after (per candidate); `tie` when the change
// leaves the last seat(s) to a drawing of lots.
struct PoolChange {
  size_t pool = 0;
  std::vector<Count> before, after;
  bool tie = false;
};

// A change to one precinct: its county delegates moved, and what follows nationally.
struct PrecinctChange {
  // The candidate that gives up delegates; absent when every delegate goes to `to`.
  std::optional<CandidateIndex> from;
  CandidateIndex to = 0;
  Count delegates = 0;                 // county delegates moved
  Rational sde_moved;                  // half the SDEs the precinct's vector changes by
  std::vector<Count> delegates_after;  // per candidate
  std::vector<Rational> sde_after;     // per candidate, at sde_places
  std::vector<PoolChange> pools;       // the pools whose seats change (at least one)
  // "move 2 county delegates from Buttigieg to Sanders: PLEO Buttigieg 2-1 Sanders becomes 1-2".
  std::string Describe(const std::vector<std::string>& candidates,
                       const NationalAllocation& outcome) const;
};

struct PrecinctMateriality {
  std::string county, precinct;
  bool has_figures = false;         // the side's SDEs exist (else nothing is known: worst case)
  std::vector<Rational> sde;        // the side's SDEs per candidate (empty without figures)
  std::optional<Rational> max_sde;  // S_p: the largest SDE total the rules let it report
  int32_t district = -1;            // index into Materiality::districts; -1: statewide pools only
  bool bounded = false;             // u_p is known (an apportioned precinct with figures)
  Rational bound;                   // u_p, exact
  std::optional<size_t> assertion;  // the assertion giving u_p (or leaving it unknown)
  std::string unbounded_reason;     // why u_p is unknown ("" when bounded)
  bool possibly_material() const { return !bounded || bound >= Rational(1); }
  std::optional<PrecinctChange> smallest;  // searched where possibly material
};

struct MaterialityOptions {
  ResultSide side = ResultSide::kReported;
  bool search = true;  // search the smallest change where u_p >= 1
};

struct Materiality {
  ResultSide side = ResultSide::kReported;
  std::vector<std::string> candidates;
  NationalAllocation outcome;  // the national pools from this side's totals
  std::vector<Assertion> assertions;
  std::vector<std::string> districts;          // the districts precincts belong to, as in the data
  std::vector<PrecinctMateriality> precincts;  // one per report, in report order
  int64_t possibly_material = 0;               // u_p >= 1 or unbounded
  int64_t material = 0;                        // a change was found
  int64_t by_pair = 0;   // ... by moving delegates from one candidate to another
  int64_t by_whole = 0;  // ... only by giving every delegate to one candidate
};

// The bound of every precinct, and the smallest change where it is possibly material. `checks`
// are CheckElection's results (needed for the computed side, and for satellites' delegates).
// Errors (InvalidArgument, naming what is wrong): no national rules; a basis other than SDEs; a
// family other than DNC/proportional (the assertions do not describe it); a threshold off the
// grid of rounded shares; a pool that needed the threshold fallback or a drawing of lots; an SDE
// finer than sde_places.
Result<Materiality> ComputeMateriality(const Ruleset& ruleset, const Election& election,
                                       const std::vector<PrecinctCheck>& checks,
                                       const MaterialityOptions& options = {});

// A claimed figure for one candidate of one precinct, as a recount request states it.
enum class ClaimField : uint8_t { kFirst, kFinal, kDelegates, kSde };
struct ClaimedFigure {
  CandidateIndex candidate = 0;
  ClaimField field = ClaimField::kSde;
  Rational value;
};

struct Eligibility {
  std::string county, precinct;
  std::vector<Rational> sde_before, sde_claimed;  // the precinct's SDEs, per candidate
  NationalAllocation outcome, recomputed;
  std::vector<PoolChange> pools;  // pools whose seats the claim changes
  std::vector<Assertion> failed;  // assertions the claim breaks (or brings to equality)
  bool eligible() const { return !pools.empty(); }
};

// Substitutes `claims` for the precinct's figures, recomputes every pool and says which seats
// change. Figures claimed: SDEs replace the side's SDEs; else delegates give SDEs by the county
// ratio; else alignments are run through the precinct rules. Errors name the precinct, the
// candidate and the figure: a precinct not in the election, a negative or fractional count,
// delegates that do not add up to what the precinct elects, alignments the rules cannot finish.
Result<Eligibility> CheckEligibility(const Ruleset& ruleset, const Election& election,
                                     const std::vector<PrecinctCheck>& checks,
                                     const std::string& county, const std::string& precinct,
                                     const std::vector<ClaimedFigure>& claims,
                                     ResultSide side = ResultSide::kReported);

// JSON of docs/audit.md: numbers exact (bounds as decimals to 4 places and as fractions).
nlohmann::json MaterialityToJson(const Ruleset& ruleset, const Materiality& materiality);
nlohmann::json EligibilityToJson(const Ruleset& ruleset, const std::vector<std::string>& candidates,
                                 const Eligibility& eligibility);

}  // namespace canvass
