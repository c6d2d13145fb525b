// The certified 2020 Iowa record (data/iowa-2020/precincts-certified-wide.csv), loaded once, for
// the publication tests of the anomaly gate. Its candidates are in ballot order (the wide file's
// columns).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/election.h"
#include "io/importers.h"

namespace canvass::publish_test {

inline const Election& CertifiedRecord() {
  static const Election* e = [] {
    auto loaded =
        LoadResultsFile(std::string(CANVASS_DATA_DIR) + "/iowa-2020/precincts-certified-wide.csv");
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return new Election(loaded.ok() ? std::move(loaded).value() : Election{});
  }();
  return *e;
}

// The certified reports of one county ("": every county).
inline std::vector<PrecinctReport> CertifiedReports(const std::string& county) {
  std::vector<PrecinctReport> out;
  for (const PrecinctReport& r : CertifiedRecord().reports) {
    if (county.empty() || r.county == county) out.push_back(r);
  }
  return out;
}

}  // namespace canvass::publish_test
