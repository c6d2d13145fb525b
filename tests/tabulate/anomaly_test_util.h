// Column errors entered on purpose, as a person keying a worksheet would make them.
#pragma once

#include <optional>
#include <vector>

#include "core/election.h"

namespace canvass {

// Re-enters a report's figures (head counts, delegates, SDEs) from candidate column `from` on
// one column over in the election's candidate order: direction -1 puts them one column to the
// left (overwriting the column before `from`, leaving the last empty), +1 one column to the
// right (leaving `from` empty, the last column's figures lost).
inline void EnterShifted(PrecinctReport& report, size_t from, int direction) {
  std::vector<CandidateReport>& f = report.figures;
  const size_t n = f.size();
  const std::vector<CandidateReport> original = f;
  CandidateReport empty;
  empty.first = 0;
  empty.final = 0;
  if (original[0].delegates) empty.delegates = 0;
  if (original[0].sde) empty.sde = Rational(0);
  if (direction < 0) {
    for (size_t k = from - 1; k + 1 < n; ++k) f[k] = original[k + 1];
    f[n - 1] = empty;
  } else {
    for (size_t k = n - 1; k > from; --k) f[k] = original[k - 1];
    f[from] = empty;
  }
}

}  // namespace canvass
