// The inputs of the second stage's math (docs/formats.md): a district's plan of sub-pools
// (plan.csv) and its votes (a plan's votes.csv) for `canvass districts analyze`; a convention's
// tallies or ranked ballots (ballots.csv) and its nominees (nominees.csv) for
// `canvass convention count`.
//
// Every refusal names file, line and column: a malformed row, a plan whose sub-pools' seats do
// not add up to the district's, a vote for a sub-pool the plan does not have, a unit in two
// sub-pools, a candidate twice for one unit, a ballot ranking someone twice. The rows are plain
// values (this stage sits before the seat math); the command turns them into its types, and
// keeps each row's line for what it finds later.
//
// Thread-safety: pure functions of their input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/election.h"
#include "core/status.h"

namespace canvass {

// Bounds of these files: seats per district, votes per cell, ballots per file.
inline constexpr Count kMaxConventionSeats = 1000;
inline constexpr Count kMaxConventionVotes = 1'000'000'000;

struct PlanPoolRow {
  std::string name;
  Count seats = 0;
  int64_t line = 0;
};

struct PlanFile {
  std::string district;
  Count seats = 0;
  int64_t district_line = 0;
  std::vector<PlanPoolRow> pools;  // in file order
};

// district,pool,seats: one row with an empty pool gives the district's seats, the others its
// sub-pools'. One district per file; the sub-pools' seats must add up to the district's.
Result<PlanFile> ParsePlanCsv(std::string_view text, const std::string& origin);

struct PlanVotesFile {
  std::vector<std::string> candidates;    // in order of first appearance
  std::vector<std::vector<Count>> pools;  // [sub-pool in the plan's order][candidate]
};

// pool,unit,candidate,votes: whole votes per unit (a block, a precinct, a county) and candidate;
// each unit lies in one sub-pool of `plan`.
Result<PlanVotesFile> ParsePlanVotesCsv(std::string_view text, const std::string& origin,
                                        const PlanFile& plan);

struct RankedRow {
  std::vector<uint32_t> ranking;  // indexes into ConventionBallots::options
  Count count = 1;
  int64_t line = 0;
};

// A convention's vote, in one of two shapes told apart by the header:
//   option,votes     a tally per list or candidate;
//   count,ranking    `count` identical ranked ballots, "Ann>Bo>Cy" (STV).
struct ConventionBallots {
  bool ranked = false;
  std::vector<std::string> options;  // in order of first appearance
  std::vector<Count> tallies;        // option,votes
  std::vector<RankedRow> ballots;    // count,ranking
};
Result<ConventionBallots> ParseConventionBallotsCsv(std::string_view text,
                                                    const std::string& origin);

// list,name,gender: for a list formula, a list's nominees in list order; for the others, each
// candidate (name) and the group (list: a preference or slate) equal division swaps within.
// The gender is kept as written, with its column, for the command to read.
struct NomineeRow {
  std::string list;
  std::string name;
  std::string gender;
  int64_t line = 0;
  int64_t gender_column = 0;
};
Result<std::vector<NomineeRow>> ParseNomineesCsv(std::string_view text, const std::string& origin);

}  // namespace canvass
