// Importers: party files and our own interchange format (docs/formats.md) into an Election.
//
// Every importer refuses malformed input with file, line and column, and guesses nothing.
// Names pass through NormaliseName. Formats are detected from the header (or, for JSON, the
// top-level shape), so every command accepts any of them:
//   results:       our results CSV (county,precinct,candidate,first,final[,delegates][,sde]),
//                  the party's long CSV (county,precinct,candidate,measure,value),
//                  the party's wide CSV (county,precinct,is_satellite,...,<Candidate>_first,...),
//                  the media feed JSON ({"meta":..,"precincts":[..]}).
//   apportionment: our apportionment CSV (county,precinct,delegates[,sde_per_delegate]
//                  [,district][,satellite][,site_sde]), the IDP table (County,Precinct Short
//                  Name,Delegates to County Convention,State Delegate Equivalents), the Nevada
//                  table (county,precinct,congressional_district,democrats_in_precinct,...).
//   districts:     county,congressional_district.
//
// Thread-safety: pure functions of their input (the file readers read one file).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/election.h"
#include "core/status.h"

namespace canvass {

// Results of any supported format. The election's candidates, in first-seen order, and one
// PrecinctReport per reporting unit (county totals rows are dropped). A wide CSV also fills
// `apportionment` from its apportionment columns.
Result<Election> ParseResults(std::string_view text, const std::string& origin);
Result<Election> LoadResultsFile(const std::string& path);

Result<std::vector<PrecinctApportionment>> ParseApportionment(std::string_view text,
                                                              const std::string& origin);
Result<std::vector<PrecinctApportionment>> LoadApportionmentFile(const std::string& path);

Result<std::map<std::string, std::string>> ParseDistricts(std::string_view text,
                                                          const std::string& origin);
Result<std::map<std::string, std::string>> LoadDistrictsFile(const std::string& path);

// Our own formats, written so that ParseResults / ParseApportionment read them back unchanged.
std::string WriteResultsCsv(const Election& election);
std::string WriteApportionmentCsv(const std::vector<PrecinctApportionment>& apportionment);

// Reads a whole file; IoError names the path and the reason.
Result<std::string> ReadFile(const std::string& path);

}  // namespace canvass
