// The election record as the importers hand it to the engine: who ran, what the party fixed
// before the night (apportionment, district map), and what each reporting unit reported.
//
// Candidates are referred to by index into Election::candidates everywhere below this header, so
// that the math works on plain arrays. Names are normalised (core/text.h) before they get here.
// Reported figures are kept exactly as reported; computed figures live elsewhere and never
// overwrite them.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/rational.h"

namespace canvass {

using Count = int64_t;
using CandidateIndex = uint32_t;

// Bounds every importer enforces, so that exact arithmetic can never overflow.
inline constexpr Count kMaxHeadCount = 10'000'000;  // people in one precinct or group
inline constexpr Count kMaxDelegates = 100'000;     // delegates one precinct or pool elects

// Where a record came from, for messages: "results.csv:12".
struct SourceRef {
  std::string file;
  int64_t line = 0;
  std::string ToString() const {
    return line > 0 ? file + ":" + std::to_string(line) : file;
  }
};

// What the party fixed before caucus day for one reporting unit.
struct PrecinctApportionment {
  std::string county;
  std::string precinct;
  bool satellite = false;
  // County-convention delegates the unit elects (D). Absent for a satellite: its D follows
  // from attendance through the ruleset's brackets.
  std::optional<Count> delegates;
  // State delegate equivalents per county delegate (the county ratio, e.g. 4/51 for Adair).
  std::optional<Rational> sde_per_delegate;
  // Satellites: the SDEs the site elects in all (fixed by the party from its attendance).
  std::optional<Rational> site_sde;
  // Congressional district, e.g. "1". Usually filled from the county map.
  std::optional<std::string> district;
  std::string short_code;  // the party's short code, where known
  SourceRef source;
};

// What one reporting unit reported for one candidate. Every figure may be missing.
struct CandidateReport {
  std::optional<Count> first;      // first alignment head count
  std::optional<Count> final;      // final alignment head count
  std::optional<Count> delegates;  // county delegates, as reported
  std::optional<Rational> sde;     // state delegate equivalents, as reported
};

struct PrecinctReport {
  std::string county;
  std::string precinct;
  bool satellite = false;
  // Indexed by CandidateIndex; sized to Election::candidates.size() by the importer.
  std::vector<CandidateReport> figures;
  SourceRef source;
};

struct Election {
  std::vector<std::string> candidates;  // display order: as first seen in the results file
  std::vector<PrecinctReport> reports;  // in file order
  std::vector<PrecinctApportionment> apportionment;
  std::map<std::string, std::string> county_district;  // county name -> district

  // Index of a candidate by exact (normalised) name, or nullopt.
  std::optional<CandidateIndex> FindCandidate(const std::string& name) const {
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i] == name) return static_cast<CandidateIndex>(i);
    }
    return std::nullopt;
  }
};

}  // namespace canvass
