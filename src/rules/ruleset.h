// Ruleset: everything a party's delegate selection plan decides, as data.
//
// A ruleset is loaded from a TOML file under rules/ (see docs/rulesets.md for every key, its
// default and its source). No party's rule is an `if` in the engine: the caucus math reads these
// switches. Every result the engine prints names the ruleset's content hash, the SHA-256 of its
// canonical form (CanonicalJson), so that two files that differ only in comments or key order
// have the same hash, and any change of substance changes it.
//
// Thread-safety: an immutable value once loaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"

namespace canvass {

enum class PrecinctMethod : uint8_t {
  kCaucus,     // alignments, viability, county delegates (Iowa and Nevada Democrats)
  kStrawPoll,  // a tally only; nothing allocated per precinct (Iowa Republicans)
  kNone,       // no precinct level (a national ruleset such as dnc-2020)
};
enum class ViabilityComparison : uint8_t { kAtLeast, kGreaterThan };
enum class TiePrecision : uint8_t { kExact, kRound4, kTrunc4 };
enum class OverAllocation : uint8_t {
  kSmallestRealign,  // Iowa: the smallest viable group(s) must realign
  kAddDelegates,     // Nevada: the precinct elects more delegates
};
enum class TieBreaker : uint8_t { kCoin, kCardDraw, kLot };
enum class SingleDelegateRule : uint8_t {
  kThreshold,  // the table's threshold (50%) applies like any other D
  kPlurality,  // the largest group wins the one delegate; a tie goes to chance
};
enum class SatelliteSdeRule : uint8_t {
  kAttendance,       // the site's SDEs are fixed from its attendance (IDP 2020 practice)
  kCountyDelegates,  // SDEs follow the delegates awarded (NYT Upshot reading of the plan)
};
enum class NationalBasis : uint8_t { kSde, kCountyDelegates, kFirstAlignment, kFinalAlignment };
enum class SharePrecision : uint8_t {
  kExact,      // shares compared exactly
  kFraction3,  // shares rounded to three decimals of a fraction (0.150)
  kPercent3,   // shares rounded to three decimals of a percentage (14.999%)
};
enum class ThresholdFallback : uint8_t {
  kNone,                // nobody reaching the threshold means nobody qualifies
  kHalfFrontRunner,     // DNC Rule 14.F as amended 2018: half the front-runner's share
  kFrontRunnerMinus10,  // older reading: front-runner's share minus 10 points
};
enum class MajorityFormula : uint8_t {
  kFloorHalfPlusOne,  // floor(N/2) + 1: 1,990 of 3,979
  kCeilHalfPlusOne,   // ceil(N/2 + 1): 1,991 of 3,979 (DNC oral guidance, 2020)
};
enum class PoolScope : uint8_t { kDistrict, kStatewide };
// How a state's pledged seats go to candidates (docs/rulesets.md, "Allocation families").
enum class AllocationFamily : uint8_t {
  kDnc,                  // DNC Rule 14: threshold, Rule 14.F fallback, largest remainder
  kProportional,         // threshold (up to 20% for the RNC), largest remainder
  kProportionalTrigger,  // proportional unless someone's share passes the trigger: then all
  kWinnerTakeMost,       // per pool: the winner takes all above the trigger, else all but the
                         // runner-up's seats
  kWinnerTakeAll,        // the plurality winner of each pool's vote takes the pool
  kBoundAtConvention,    // seats bound by a state convention: the votes are its seat counts
  kUnbound,              // seats never allocated to a candidate
};
// Where a winner-take-all trigger is tested: the state's vote (the winner takes every pool of the
// state), each pool's own vote, or both (statewide first).
enum class TriggerScope : uint8_t { kStatewide, kPool, kBoth };
// Which delegates vote on the first ballot.
enum class FirstBallot : uint8_t {
  kPledged,  // DNC 2020: automatic delegates wait for a later ballot
  kAll,      // every delegate (DNC 2016, RNC)
};

// Viability threshold for precincts electing [min_delegates, max_delegates] delegates.
struct ThresholdRow {
  Count min_delegates = 1;
  std::optional<Count> max_delegates;  // absent on the last row: "and above"
  Rational threshold;                  // e.g. 3/20 for 15%
};

struct SatelliteBracket {
  Count min_attendance = 1;
  std::optional<Count> max_attendance;  // absent on the last row
  Count delegates = 0;
};

struct EarlyVoteRules {
  bool enabled = false;
  int32_t min_choices = 3;
  int32_t max_choices = 5;
  bool distinct_choices = true;  // a card naming one candidate twice is void
};

struct PrecinctRules {
  PrecinctMethod method = PrecinctMethod::kCaucus;
  std::vector<ThresholdRow> thresholds;
  ViabilityComparison viability_comparison = ViabilityComparison::kAtLeast;
  bool lock_viable_groups = true;
  // With the lock and over_allocation = kSmallestRealign: the smallest viable group(s) that the
  // rules make realign when viable groups outnumber D are released from the lock (their members
  // may move). false: the strict reading, no member of a group viable at the first alignment moves.
  bool smallest_realign_releases_lock = true;
  int32_t realignment_minutes = 15;
  bool attendance_fixed_at_first = true;
  bool final_viability_recheck = true;
  bool minimum_one_delegate = true;
  OverAllocation over_allocation = OverAllocation::kSmallestRealign;
  TiePrecision tie_precision = TiePrecision::kRound4;
  TieBreaker tie_breaker = TieBreaker::kCoin;
  SingleDelegateRule single_delegate = SingleDelegateRule::kThreshold;
  bool satellites_enabled = false;
  std::vector<SatelliteBracket> satellite_brackets;
  SatelliteSdeRule satellite_sde = SatelliteSdeRule::kAttendance;
  EarlyVoteRules early_vote;
  int32_t sde_places = 4;  // SDEs are reported rounded half up to this many places

  // The threshold for a precinct electing `delegates` (>= 1); nullopt when no row covers it.
  std::optional<Rational> ThresholdFor(Count delegates) const;
  // Delegates of a satellite site with `attendance` people; nullopt when no bracket covers it.
  std::optional<Count> SatelliteDelegatesFor(Count attendance) const;
};

struct NationalPool {
  std::string name;  // "CD1", "At-large", "PLEO"
  PoolScope scope = PoolScope::kStatewide;
  std::string district;  // for kDistrict: the district this pool belongs to ("1")
  Count size = 0;
};

// One state's own allocation rules in a national ruleset ([[national.state]]): its family and
// parameters; keys it does not set are the national table's.
struct StateAllocationRules {
  std::string state;                 // as delegates.csv names it ("Iowa")
  std::string version;               // the state plan's version ("2020-1")
  std::vector<std::string> sources;  // citations
  AllocationFamily family = AllocationFamily::kDnc;
  Rational threshold{15, 100};
  ViabilityComparison threshold_comparison = ViabilityComparison::kAtLeast;
  SharePrecision share_precision = SharePrecision::kExact;
  ThresholdFallback fallback = ThresholdFallback::kHalfFrontRunner;
  TieBreaker tie_breaker = TieBreaker::kLot;
  Rational trigger{1, 2};
  TriggerScope trigger_scope = TriggerScope::kStatewide;
  Count runner_up_seats = 1;
};

struct NationalRules {
  NationalBasis basis = NationalBasis::kSde;
  Rational threshold{15, 100};
  SharePrecision share_precision = SharePrecision::kExact;
  ThresholdFallback fallback = ThresholdFallback::kHalfFrontRunner;
  TieBreaker tie_breaker = TieBreaker::kLot;
  std::vector<NationalPool> pools;
  // The national count (canvass national). Keys added for it enter the canonical form only when
  // they differ from these defaults, so rulesets written before them keep their hash.
  AllocationFamily family = AllocationFamily::kDnc;
  // kAtLeast: a share equal to the threshold qualifies (DNC practice); kGreaterThan: it must pass.
  ViabilityComparison threshold_comparison = ViabilityComparison::kAtLeast;
  Rational trigger{1, 2};  // a share strictly above this takes all (trigger families)
  TriggerScope trigger_scope = TriggerScope::kStatewide;
  Count runner_up_seats = 1;  // winner-take-most: the runner-up's seats below the trigger
  std::vector<StateAllocationRules> states;

  // These rules with `state`'s own family and parameters, if the ruleset names the state.
  NationalRules ForState(const std::string& state) const;
};

struct ConventionRules {
  Count pledged_delegates = 0;  // 0 when the ruleset says nothing of the convention
  Count total_delegates = 0;
  MajorityFormula majority = MajorityFormula::kCeilHalfPlusOne;
  FirstBallot first_ballot = FirstBallot::kPledged;
  // Votes cast on a later ballot (4,750 in 2020: 3,979 pledged and 771 automatic votes); 0 means
  // total_delegates. A multiple of vote_unit.
  Rational later_ballot_votes{0};
  // The smallest vote a delegate casts: 1, or 1/2 where some delegates have half votes.
  Rational vote_unit{1};
  // Delegates needed for a majority of n voting delegates under `majority`.
  Count MajorityOf(Count n) const;
  // The smallest multiple of vote_unit strictly above half of `votes`: 2,375.5 of 4,750 with half
  // votes, 1,237 of 2,472 with whole ones.
  Rational VoteMajorityOf(const Rational& votes) const;
};

// Recanvass and recount after the night: who may ask, by when, and what a recanvass may correct
// (docs/rulesets.md "[review]"; docs/audit.md "Requests and decisions"). Absent: the ruleset
// defines no review, and requests are refused.
struct ReviewRules {
  // Who may file a request: "campaign" (a candidate), "admin" (the party chair).
  std::vector<std::string> request_roles{"campaign"};
  // Whether a campaign may claim figures that raise its own candidate's (2020 Iowa: yes; the
  // Sanders campaign objected to it afterwards).
  bool claims_for_self = true;
  // Requests are due this many hours after the first release in which every precinct has
  // reported its final alignment.
  int64_t request_hours = 88;
  int64_t answer_hours = 48;  // the party answers each precinct of a request within this
  int64_t cost_hours = 24;    // a campaign accepts the costs within this after the answer
  // The layers a recanvass corrects: "transcription" (reported figures differ from the signed
  // worksheet), "rule-misapplication" (the worksheet's counts are right, its allocation is not).
  // The third layer, "count", only a recount of the cards settles.
  std::vector<std::string> recanvass_corrects{"transcription", "rule-misapplication"};
  bool corrects(std::string_view layer) const {
    for (const std::string& l : recanvass_corrects) {
      if (l == layer) return true;
    }
    return false;
  }
};

// The [review] table as JSON, as the ruleset's canonical form and the audit record show it.
nlohmann::json ReviewRulesJson(const ReviewRules& rules);

// The anomaly gate's thresholds (docs/rulesets.md "[anomaly]"; docs/audit.md "Anomaly checks"
// gives the evidence for the defaults). Absent: the defaults below, which are the checks' own.
struct AnomalyRules {
  // Duplicates count only above this many first-alignment attendees.
  Count duplicate_above = 10;
  // Column-shift scores above this many nats are held. Kept exact (as written, "50" or "12.5"),
  // so that the canonical form never depends on how a binary float prints; the gate converts
  // it to a double only to compare it with a score.
  Rational shift_threshold_nats{50};
  // The columns of the form, by candidate name; empty: the election's candidate order.
  std::vector<std::string> ballot_order;
};

// The [anomaly] table as JSON, as the ruleset's canonical form shows it.
nlohmann::json AnomalyRulesJson(const AnomalyRules& rules);

struct Ruleset {
  std::string name;                  // "iowa-dem-2020"
  std::string version;               // "1"
  std::string published;             // ISO date, "2019-09-19"
  std::string description;           // one line
  std::vector<std::string> sources;  // citations, as written in the file
  PrecinctRules precinct;
  std::optional<NationalRules> national;
  std::optional<ConventionRules> convention;
  std::optional<ReviewRules> review;
  std::optional<AnomalyRules> anomaly;
  std::string hash;  // SHA-256 hex of CanonicalJson(); filled by the loader

  // Canonical JSON: every field (defaults included), keys sorted, no white space. Its SHA-256
  // is `hash`. Stable across releases of the engine for the same rules.
  std::string CanonicalJson() const;
  // First 12 hex digits of the hash, for people.
  std::string ShortHash() const { return hash.substr(0, 12); }
};

// Reads and validates a ruleset file. Errors name the file, line and key:
// "rules/x.toml:12:1: precinct.threshold[2]: gap: row covers 5.. but the row before ends at 3".
Result<Ruleset> LoadRulesetFile(const std::string& path);
// The same from text; `origin` is the name used in messages.
Result<Ruleset> ParseRuleset(std::string_view toml_text, const std::string& origin);
// A ruleset by name ("iowa-dem-2020") from the rules directory, or a path to a .toml file.
// The rules directory is $CANVASS_RULES_DIR if set, else <source>/rules.
Result<Ruleset> LoadRuleset(const std::string& name_or_path);
// The file LoadRuleset reads for `name_or_path`; NotFound lists the rulesets there are.
Result<std::string> RulesetPath(const std::string& name_or_path);
// Names of the rulesets in the rules directory, sorted.
std::vector<std::string> ListRulesets();

}  // namespace canvass
