#include "rules/threshold.h"

#include <fmt/format.h>

namespace canvass {

bool IsViable(Count n, Count attendance, const Rational& t, ViabilityComparison cmp) {
  if (n <= 0 || attendance <= 0) return false;
  const __int128 lhs = static_cast<__int128>(n) * t.den();
  const __int128 rhs = static_cast<__int128>(t.num()) * attendance;
  return cmp == ViabilityComparison::kAtLeast ? lhs >= rhs : lhs > rhs;
}

bool MeetsThreshold(const Rational& share, const Rational& t, ViabilityComparison cmp) {
  return cmp == ViabilityComparison::kAtLeast ? share >= t : share > t;
}

std::string ThresholdText(const Rational& t) {
  const Rational percent = t * Rational(100);
  if (percent.is_integer()) return fmt::format("{}%", percent.num());
  return t.ToString();
}

}  // namespace canvass
