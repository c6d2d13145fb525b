// The body of POST /api/v1/districts/analyze (docs/api.md): the same plan and votes as
// `canvass districts analyze --plan plan.csv --votes votes.csv`, one JSON object per CSV row
// with the CSV's columns as its members, so that a file converts row by row:
//
//   {"plan":  [{"district": "CD9", "pool": "", "seats": 5},
//              {"district": "CD9", "pool": "North", "seats": 2}, ...],
//    "votes": [{"pool": "North", "unit": "B1", "candidate": "X", "votes": 920}, ...],
//    "seats_per_voter_ratio": "5/4",   // optional: --ratio
//    "lots": ["Y", "X"]}               // optional: --lots
//
// The checks are the CSV parsers' (io/convention_inputs.h), each refusal naming the member
// ("plan[2].seats") instead of a line and column, and with a code for the API. Since anyone may
// call the route, the body is also bounded: sub-pools, candidates and vote rows (below), on top
// of the server's limit on a body's bytes.
//
// Thread-safety: a pure function of its input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rational.h"
#include "io/convention_inputs.h"

namespace canvass {

inline constexpr size_t kMaxPlanBodySubPools = 50;
inline constexpr size_t kMaxPlanBodyCandidates = 20;
inline constexpr size_t kMaxPlanBodyVoteRows = 1000;

struct PlanBody {
  PlanFile plan;  // rows' `line` is the row's index in "plan", from 0
  PlanVotesFile votes;
  Rational seats_per_voter_ratio{5, 4};
  std::vector<uint32_t> lots;  // indexes into votes.candidates, in the order drawn
};

// What is wrong with a body: a code ("plan-seats-mismatch"), a sentence naming it, and the
// member it is about ("plan[0].seats"; empty for the body as a whole).
struct PlanBodyError {
  std::string code;
  std::string message;
  std::string field;
};

std::variant<PlanBody, PlanBodyError> ParsePlanBody(const nlohmann::json& body);

}  // namespace canvass
