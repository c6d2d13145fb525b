#include "io/convert.h"

#include "io/importers.h"

namespace canvass {

Result<std::vector<PrecinctApportionment>> AssignDistricts(
    std::vector<PrecinctApportionment> table, const std::map<std::string, std::string>& districts) {
  for (auto& row : table) {
    auto it = districts.find(row.county);
    if (it != districts.end()) {
      row.district = it->second;
    } else if (!row.satellite) {
      return Status::InvalidArgument(row.source.ToString() + ": county \"" + row.county +
                                     "\" is not in the district map");
    }
  }
  return table;
}

Result<std::string> ConvertToApportionmentCsv(const std::string& results_path,
                                              const std::string& districts_path) {
  auto election = LoadResultsFile(results_path);
  if (!election.ok()) return election.status();
  if (election->apportionment.empty()) {
    return Status::InvalidArgument(results_path +
                                   ": carries no apportionment (expected the party's wide CSV)");
  }
  auto districts = LoadDistrictsFile(districts_path);
  if (!districts.ok()) return districts.status();
  auto table = AssignDistricts(std::move(election->apportionment), *districts);
  if (!table.ok()) return table.status();
  return WriteApportionmentCsv(*table);
}

}  // namespace canvass
