// A ruleset's threshold applied to a figure: viability of a group in a precinct, a candidate's
// share in a national pool. One definition, so that a precinct's worksheet, the findings that
// check it and the national pools never disagree on "15%, at least" or "more than".
//
// Exact: head counts are compared by cross-multiplying in 128 bits, never by dividing.
#pragma once

#include <string>

#include "core/election.h"
#include "core/rational.h"
#include "rules/ruleset.h"

namespace canvass {

// True when `n` of `attendance` people meet the threshold `t` (a fraction) under `cmp`.
// No one (n <= 0) and an empty room (attendance <= 0) are never viable.
bool IsViable(Count n, Count attendance, const Rational& t, ViabilityComparison cmp);

// True when a share meets the threshold under `cmp` (at least, or more than).
bool MeetsThreshold(const Rational& share, const Rational& t, ViabilityComparison cmp);

// "15%" for a whole percentage, otherwise the fraction itself ("1/6").
std::string ThresholdText(const Rational& t);

}  // namespace canvass
