#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "caucus/findings.h"
#include "caucus/json_output.h"
#include "cli/commands.h"
#include "cli/election_input.h"
#include "io/importers.h"

namespace canvass {

struct FindingTally {
  Severity severity = Severity::kInfo;
  int64_t count = 0;
};

// Counts of findings by code, most severe first; shared by check and demo.
std::vector<std::pair<std::string, FindingTally>> TallyFindings(
    const std::vector<PrecinctCheck>& checks) {
  std::map<std::string, FindingTally> by_code;
  for (const PrecinctCheck& c : checks) {
    for (const Finding& f : c.findings) {
      FindingTally& t = by_code[f.code];
      t.severity = f.severity;
      ++t.count;
    }
  }
  std::vector<std::pair<std::string, FindingTally>> rows(by_code.begin(), by_code.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    if (a.second.severity != b.second.severity) return a.second.severity < b.second.severity;
    return a.second.count > b.second.count;
  });
  return rows;
}

void PrintFindingSummary(const std::vector<PrecinctCheck>& checks, std::ostream& out) {
  int64_t counts[3] = {0, 0, 0};
  int64_t precincts_with_errors = 0;
  for (const PrecinctCheck& c : checks) {
    for (const Finding& f : c.findings) ++counts[static_cast<int>(f.severity)];
    if (c.has_error()) ++precincts_with_errors;
  }
  out << fmt::format(
      "Findings: {} errors, {} warnings, {} info; {} of {} precincts have an error\n", counts[0],
      counts[1], counts[2], precincts_with_errors, checks.size());
  for (const auto& [code, tally] : TallyFindings(checks)) {
    out << fmt::format("  {:<8} {:>6}  {}\n", SeverityName(tally.severity), tally.count, code);
  }
}

int RunCheck(const ElectionFiles& files, std::ostream& out, std::ostream& err) {
  auto loaded = LoadElection(files);
  if (!loaded.ok()) {
    err << "canvass check: " << loaded.status().message() << "\n";
    return kExitUsage;
  }
  const Ruleset& ruleset = loaded->ruleset;
  const Election& election = loaded->election;
  std::vector<PrecinctCheck> checks = CheckElection(ruleset, election);
  bool any_error = false;
  for (const PrecinctCheck& c : checks) any_error = any_error || c.has_error();

  if (files.json) {
    // Written as text in the key order the tree would have (candidates, precincts, results,
    // ruleset): a whole release's tree took most of the command's time. The text goes out in
    // pieces of about 64 KiB through one buffer: the whole document (1.1 MB for Iowa) grown in
    // one string touched three times its size in new pages.
    constexpr size_t kPiece = 64 * 1024;
    std::string text;
    text.reserve(2 * kPiece);
    text = "{\"candidates\":";
    text += nlohmann::json(election.candidates).dump();
    text += ",\"precincts\":";
    text += std::to_string(checks.size());
    text += ",\"results\":[";
    const PrecinctCheckJsonWriter writer(election.candidates, ruleset.precinct.sde_places);
    for (size_t i = 0; i < checks.size(); ++i) {
      if (i > 0) text += ',';
      writer.Append(text, checks[i]);
      if (text.size() >= kPiece) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        text.clear();
      }
    }
    text += "],\"ruleset\":";
    text += RulesetRefJson(ruleset).dump();
    text += "}\n";
    out << text;
  } else {
    out << fmt::format(
        "canvass check: ruleset {} version {} (hash {}), {} precincts, {} candidates\n",
        ruleset.name, ruleset.version, ruleset.hash, checks.size(), election.candidates.size());
    PrintFindingSummary(checks, out);
    out << "\n";
    for (const PrecinctCheck& c : checks) {
      for (const Finding& f : c.findings) {
        if (f.severity == Severity::kInfo) continue;
        out << fmt::format("{} / {}: {} [{}] {}\n", c.county, c.precinct, SeverityName(f.severity),
                           f.code, f.message);
      }
    }
  }
  return any_error ? kExitFailure : kExitOk;
}

int RunConvert(const ConvertOptions& options, std::ostream& out, std::ostream& err) {
  if (options.results_out.empty() && options.apportionment_out.empty()) {
    err << "canvass convert: nothing to write: give --results-out and/or --apportionment-out\n";
    return kExitUsage;
  }
  if (options.results.empty() && options.apportionment.empty()) {
    err << "canvass convert: give --results and/or --apportionment to read\n";
    return kExitUsage;
  }
  Election election;
  if (!options.results.empty()) {
    auto loaded = LoadElectionFiles(options.results, options.apportionment, options.districts);
    if (!loaded.ok()) {
      err << "canvass convert: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    election = std::move(loaded).value();
  } else {
    auto table = LoadApportionmentFile(options.apportionment);
    if (!table.ok()) {
      err << "canvass convert: " << table.status().message() << "\n";
      return kExitUsage;
    }
    election.apportionment = std::move(table).value();
    if (!options.districts.empty()) {
      auto map = LoadDistrictsFile(options.districts);
      if (!map.ok()) {
        err << "canvass convert: " << map.status().message() << "\n";
        return kExitUsage;
      }
      for (PrecinctApportionment& row : election.apportionment) {
        auto it = map->find(row.county);
        if (!row.district && it != map->end()) row.district = it->second;
      }
    }
  }
  auto write = [&](const std::string& path, const std::string& bytes) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
        std::fclose(f) != 0) {
      err << "canvass convert: cannot write " << path << "\n";
      return false;
    }
    out << "wrote " << path << "\n";
    return true;
  };
  if (!options.results_out.empty() && !write(options.results_out, WriteResultsCsv(election)))
    return kExitFailure;
  if (!options.apportionment_out.empty() &&
      !write(options.apportionment_out, WriteApportionmentCsv(election.apportionment)))
    return kExitFailure;
  return kExitOk;
}

}  // namespace canvass
