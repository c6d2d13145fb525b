// A synthetic caucus election of any size, reproducible by seed (`canvass simulate`, the engine
// benchmarks).
//
// Every count is drawn from a hand-written SplitMix64 generator with integer-only distribution
// code, so the same options give the same election, byte for byte, on every platform and standard
// library. What it models, per reporting unit:
//   - attendance varying by county (a turnout factor) and by precinct;
//   - a skewed popularity: candidate c draws support in proportion to 1/(c+1) (a few
//     front-runners, a long tail), perturbed per precinct;
//   - the realignment: members of groups viable at the first alignment stay (the lock), members
//     of non-viable groups join a viable group or leave (one in five goes home);
//   - satellites (county `CDn Satellite`, delegates from the ruleset's brackets) when asked;
//   - exact ties on purpose in a small fraction of precincts: three equal groups sharing four
//     delegates, a tie for the fourth;
//   - reported delegates as AllocatePrecinct computes them, every tie settled by a seeded coin,
//     and the SDEs ComputeSde gives for them;
//   - optionally, worksheet errors injected in a fraction of precincts, each recorded;
//   - optionally, early-vote ranked cards (Nevada): a share of each unit's attendance voted
//     early, 3 to 5 choices drawn from the same local popularity as the room, a few void on
//     purpose (too few choices, a name twice, a name that is no candidate). The results then hold
//     the people in the room only, and the delegates the rules give with the valid cards.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "caucus/allocation.h"
#include "core/election.h"
#include "core/status.h"
#include "io/early_cards.h"
#include "rules/ruleset.h"

namespace canvass::simulate {

// Fractions are in parts per million (1,000,000 = all).
inline constexpr uint32_t kMillion = 1'000'000;

struct Options {
  int64_t precincts = 100;  // reporting units, satellites included
  int32_t candidates = 8;
  int32_t counties = 0;  // 0: one per 17 precincts, 1 to 99
  uint64_t seed = 1;
  uint32_t satellites_ppm = 0;  // share of units that are satellites (ruleset must allow them)
  uint32_t ties_ppm = 5'000;    // share of precincts built to tie exactly
  uint32_t errors_ppm = 0;      // share of units given one worksheet error
  // Share of each unit's attendance that voted early on a ranked card (the ruleset must have
  // early vote). At least one person, the chair, is always in the room.
  uint32_t early_votes_ppm = 0;
  // Share of the cards made void, in equal parts: too few choices, a candidate ranked twice, a
  // name that is no candidate ("Write-in").
  uint32_t void_cards_ppm = 30'000;
  // The real map instead of generated counties and precincts: these units, with their delegates,
  // SDE ratios and districts (`precincts` and `counties` are then ignored). Null: generated.
  const std::vector<PrecinctApportionment>* units = nullptr;
  // The candidates' names, the most popular first (default "Candidate 1", ...; then
  // `candidates` is ignored).
  std::vector<std::string> candidate_names;
};

enum class ErrorKind : uint8_t {
  kViableGroupWithoutDelegate,  // a viable group's delegates reported as 0
  kFinalExceedsAttendance,      // a final count raised past the attendance
  kSwappedDigits,               // two digits of a count swapped (a figure the check catches)
};
const char* ErrorKindName(ErrorKind kind);  // "viable-group-without-delegate", ...

struct InjectedError {
  size_t report = 0;  // index into Election::reports
  ErrorKind kind = ErrorKind::kSwappedDigits;
  std::string detail;  // "Candidate 2 final 23 -> 32"
};

struct Simulation {
  Election election;  // reports, apportionment and county_district filled
  std::vector<InjectedError> errors;
  int64_t ties = 0;  // precincts whose allocation needed a game of chance
  // Early-vote cards (Options::early_votes_ppm), as the cards file lists them, unit by unit in
  // the order of election.reports; the void ones among them.
  std::vector<EarlyCardRow> cards;
  int64_t void_cards = 0;
  // Per report: the valid cards the delegates were computed with, as candidate indices.
  std::vector<std::vector<EarlyVoteCard>> early_votes;
};

// InvalidArgument for options the ruleset cannot honour (no precinct caucus, satellites or early
// votes asked of a ruleset without them, sizes out of range, a unit given twice).
Result<Simulation> Simulate(const Ruleset& ruleset, const Options& options);

// `county,congressional_district`, one row per county of the election's map, sorted by name.
std::string WriteDistrictsCsv(const Election& election);

// A fraction from 0 to 1 as a plain decimal ("0.05", "1", ".5") with at most 6 places, in parts
// per million. No floating point.
Result<uint32_t> ParseFraction(std::string_view text);

}  // namespace canvass::simulate
