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
//   - optionally, worksheet errors injected in a fraction of precincts, each recorded.
// Early-vote ranked cards are not generated: our results CSV has no column for them.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/election.h"
#include "core/status.h"
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
};

// InvalidArgument for options the ruleset cannot honour (no precinct caucus, satellites asked of
// a ruleset without them, sizes out of range).
Result<Simulation> Simulate(const Ruleset& ruleset, const Options& options);

// `county,congressional_district`, one row per county of the election's map, sorted by name.
std::string WriteDistrictsCsv(const Election& election);

// A fraction from 0 to 1 as a plain decimal ("0.05", "1", ".5") with at most 6 places, in parts
// per million. No floating point.
Result<uint32_t> ParseFraction(std::string_view text);

}  // namespace canvass::simulate
