// Tabulation: precinct results folded up to counties, congressional districts and the state, and
// from there to national delegates pool by pool.
//
// Two sides are always kept apart: the REPORTED totals (what the party published, summed) and the
// COMPUTED totals (what the rules give for the same alignments, from the precinct checks). Head
// counts are the same on both sides, since the math never changes who stood where; delegates and
// SDEs differ wherever a precinct's report differs from the rules.
//
// Head counts are alignments as the rules count them: with early vote (Nevada) a chair reports the
// people in the room, and each precinct's valid cards are added as CheckPrecinct adds them (one
// definition: EarlyVotePart); the cards' part is kept apart, so that every area publishes early,
// in person and total, with total = in person + early (docs/tabulation.md).
//
// SDEs are summed exactly. Every precinct's SDE per candidate is already at the ruleset's
// sde_places (the party published them that way and ComputeSde rounds the same way), so totals are
// exact decimals at that precision; they are accumulated as scaled integers for speed.
//
// A report's district is its apportionment's district when set, else its county's district from
// Election::county_district; a report with neither (the Out of State Satellite pool) counts in the
// state totals only.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <memory>
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

struct CandidateTotals {
  // Alignment head counts as the rules count them (T): the people in the room plus, where the
  // ruleset enables early vote (Nevada), what the precincts' valid early-vote cards add. The
  // early part is kept apart; in person = first - first_early, final - final_early.
  Count first = 0;        // first alignment head count
  Count final = 0;        // final alignment head count
  Count first_early = 0;  // early-vote cards' first choices within `first`
  Count final_early = 0;  // cards counted at the final alignment within `final`
  Rational sde;           // state delegate equivalents, exact at sde_places
  // County delegates; absent unless every included precinct has them on this side.
  std::optional<Count> delegates;
};

// One area's figures, indexed by candidate.
struct AreaTotals {
  std::vector<CandidateTotals> candidates;
  int64_t precincts = 0;  // reporting units counted in this area
};

struct Totals {
  AreaTotals state;
  std::map<std::string, AreaTotals> districts;  // district as written in the data ("1")
  std::map<std::string, AreaTotals> counties;   // county as reported ("CD1 Satellite" included)
  // Pools allocated from this side's basis totals; absent when the ruleset has no national rules
  // or this side lacks the basis figure (reported delegates that were never reported).
  std::optional<NationalAllocation> national;
  // Reporting units whose SDEs (or delegates) are missing on this side: a figure not reported,
  // or an allocation that cannot be computed or is waiting for a tie or a realignment.
  int64_t precincts_without_sde = 0;
  int64_t precincts_without_delegates = 0;
  // Reported side only: precincts whose SDEs were derived from their reported county delegates
  // and the county's ratio (chairs report delegates, never SDEs), as the party derived them.
  int64_t precincts_sde_from_delegates = 0;
  // The precincts this side's national allocation rests on: those with the basis figure.
  int64_t national_precincts = 0;
};

struct PrecinctId {
  std::string county;
  std::string precinct;
};

struct Tabulation {
  Totals reported;
  Totals computed;
  int64_t included = 0;               // reporting units included
  int64_t computed_complete = 0;      // every delegate allocated by the rules
  int64_t computed_pending_tie = 0;   // waiting for a recorded coin toss or card draw
  int64_t computed_must_realign = 0;  // Iowa: more viable groups than delegates
  int64_t computed_unavailable = 0;   // the report cannot be computed at all
  int64_t without_district = 0;       // counted statewide only
  // The ruleset enables early vote: every area's early part is kept and published beside its
  // totals (TabulationToJson's first_early, first_in_person, ...). False: no card counts.
  bool early_votes = false;
  // Reporting units the election has: those apportioned, plus any reported unit not apportioned
  // (the reports alone when there is no apportionment). A national result is complete only when
  // every one of them has its side's basis figure.
  int64_t precincts_expected = 0;
  // Every included precinct has the computed figure the national basis needs.
  bool computed_basis_complete = false;
  // True when the computed side has every precinct's SDEs and its national pools are settled:
  // only then does the headline national result come from the computed side.
  bool computed_is_complete() const;
  // The national result to headline: the computed one when computed_is_complete(), else the
  // reported one (may be null when neither exists).
  const NationalAllocation* headline_national() const;
};

// Each report's valid early-vote cards (Nevada), in report order; null for a precinct without
// cards. Empty: no report has any.
using ReportCards = std::vector<const std::vector<EarlyVoteCard>*>;

// What a precinct's valid early-vote cards add to its alignments, counted as CheckPrecinct
// counts them (CountEarlyVotes on the in-person first alignment `first` and D = `delegates` as
// apportioned): their first choices at the first alignment and, when the final alignment is in
// (`has_final`), where each card stays or moves. Empty vectors when the ruleset does not enable
// early vote or holds no precinct caucus, or there is no card: nothing is added then.
EarlyVoteCounts EarlyVotePart(const PrecinctRules& rules, const std::vector<EarlyVoteCard>& cards,
                              const std::vector<Count>& first, bool has_final, Count delegates);

// Tabulates `election` under `ruleset`. `checks` are CheckElection's results for the same
// election (one per report, in report order). `pool_outcomes` are recorded drawings for ties in
// the national pools (both sides use them). `cards` are the reports' early-vote cards (empty, or
// one entry per report): each report's head counts are in person, and the cards' part
// (EarlyVotePart) is added to them and kept apart. Errors: checks or cards that do not match the
// reports, a total too large to represent, an outcome that does not fit its tie.
Result<Tabulation> Tabulate(const Ruleset& ruleset, const Election& election,
                            const std::vector<PrecinctCheck>& checks,
                            const std::vector<PoolTieOutcome>& pool_outcomes = {},
                            const ReportCards& cards = {});

// Where Tabulate finds the apportionment and each county's district, borrowed for the call.
struct TabulationAreas {
  const std::vector<PrecinctApportionment>* apportionment = nullptr;
  const std::map<std::string, std::string>* county_district = nullptr;
  // Optional: each report's row of `apportionment` (null: not apportioned), when the caller knows
  // it (a state's reports are its apportionment's rows by id, and its apportionment has no
  // repeats); otherwise rows are found by (county, precinct).
  const std::vector<const PrecinctApportionment*>* rows = nullptr;
};

// The running sums of a tabulation, by county and district: Tabulate starts them, adds every
// report and finishes. A caller that tabulates again after a few reports changed (the release
// after the last one) keeps the sums, takes away what the changed reports were (sign -1) and adds
// what they are (+1): the sums are integers and exact rationals, so that Finish gives what
// Tabulate gives for the same reports, in any order. Copyable (a copy is the size of the areas,
// not of the reports).
class TabulationSums {
 public:
  // Sums of no report, for an election with `candidates` under `ruleset` (borrowed, as the areas'
  // maps are, for the sums' life), expecting `precincts_expected` reporting units besides any
  // report with no apportionment row. Errors: areas missing, sde_places out of range.
  static Result<TabulationSums> Start(const Ruleset& ruleset, size_t candidates,
                                      const TabulationAreas& areas, int64_t precincts_expected);
  // Adds (`sign` +1) or takes away (-1) one report with its check, its apportionment row (null:
  // not apportioned) and its early-vote cards (null: none). Errors: a check of another precinct,
  // figures of another number of candidates, a total too large to represent (the sums are then
  // not to be used).
  Status Add(const PrecinctReport& report, const PrecinctCheck& check,
             const PrecinctApportionment* row, const std::vector<EarlyVoteCard>* cards, int sign);
  Result<Tabulation> Finish(const std::vector<PoolTieOutcome>& pool_outcomes) const;
  // Borrows the same inputs again from another owner (a copy of sums kept past the life of the
  // ruleset and areas it was started with: a later state of the same election).
  void Rebind(const Ruleset& ruleset, const std::map<std::string, std::string>& county_district);

  TabulationSums(const TabulationSums& other);
  TabulationSums& operator=(const TabulationSums& other);
  TabulationSums(TabulationSums&&) noexcept;
  TabulationSums& operator=(TabulationSums&&) noexcept;
  ~TabulationSums();

 private:
  TabulationSums();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The same over borrowed inputs: the apportionment and county districts from `areas` (election's
// own are not read: it may hold its candidates and reports only), and each report's check through
// a pointer (never null). What a release passes from a state's records without copying them
// (ElectionState::ReportedReports and ReportedCheckRefs): at 176,500 precincts the copies took
// two thirds of the tabulation's time. `sums`, when given, receives the running sums.
Result<Tabulation> Tabulate(const Ruleset& ruleset, const Election& election,
                            const TabulationAreas& areas,
                            const std::vector<const PrecinctCheck*>& checks,
                            const std::vector<PoolTieOutcome>& pool_outcomes = {},
                            const ReportCards& cards = {},
                            std::shared_ptr<const TabulationSums>* sums = nullptr);

// The JSON contract in docs/tabulation.md. SDEs are decimal strings at the ruleset's sde_places,
// head counts and delegates are integers; no floating point number ever appears.
nlohmann::json TabulationToJson(const Ruleset& ruleset, const std::vector<std::string>& candidates,
                                const Tabulation& tabulation);

}  // namespace canvass
