#include "cli/election_input.h"

#include "io/importers.h"

namespace canvass {

Result<Election> LoadElectionFiles(const std::string& results, const std::string& apportionment,
                                   const std::string& districts) {
  auto election = LoadResultsFile(results);
  if (!election.ok()) return election.status();
  if (!apportionment.empty()) {
    auto table = LoadApportionmentFile(apportionment);
    if (!table.ok()) return table.status();
    election->apportionment = std::move(table).value();
  }
  if (!districts.empty()) {
    auto map = LoadDistrictsFile(districts);
    if (!map.ok()) return map.status();
    election->county_district = std::move(map).value();
  }
  for (PrecinctApportionment& row : election->apportionment) {
    if (row.district) continue;
    auto it = election->county_district.find(row.county);
    if (it != election->county_district.end()) row.district = it->second;
  }
  return election;
}

Result<LoadedElection> LoadElection(const ElectionFiles& files) {
  auto ruleset = LoadRuleset(files.rules);
  if (!ruleset.ok()) return ruleset.status();
  auto election = LoadElectionFiles(files.results, files.apportionment, files.districts);
  if (!election.ok()) return election.status();
  return LoadedElection{std::move(ruleset).value(), std::move(election).value()};
}

}  // namespace canvass
