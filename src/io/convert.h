// Conversion of the party's files into our apportionment format (docs/formats.md), for
// `canvass convert` and for data/iowa-2020/apportionment.csv.
//
// Thread-safety: pure functions (the Load variant reads two files).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/election.h"
#include "core/status.h"

namespace canvass {

// Fills each row's district from the county map. A satellite whose pool is not in the map
// (Iowa's "Out of State Satellite") counts statewide only and keeps no district; any other
// county missing from the map is an error.
Result<std::vector<PrecinctApportionment>> AssignDistricts(
    std::vector<PrecinctApportionment> table, const std::map<std::string, std::string>& districts);

// Our apportionment CSV from a results file that carries apportionment (the party's wide CSV:
// delegates, exact county ratios, satellite flags and site SDEs as published in that release)
// and a districts file.
Result<std::string> ConvertToApportionmentCsv(const std::string& results_path,
                                              const std::string& districts_path);

}  // namespace canvass
