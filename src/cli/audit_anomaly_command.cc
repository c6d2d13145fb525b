// `canvass audit anomalies`: the anomaly checks of tabulate/anomaly.h on a release's files, and
// with --previous the release deltas between consecutive releases (docs/cli.md, docs/audit.md).
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "cli/audit_command.h"
#include "cli/election_input.h"
#include "core/text.h"
#include "io/importers.h"
#include "tabulate/anomaly.h"

namespace canvass {
namespace {

Result<std::vector<CandidateIndex>> ParseBallotOrder(const Election& election,
                                                     const std::string& text) {
  std::vector<CandidateIndex> order;
  if (text.empty()) return order;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string name = NormaliseName(text.substr(start, comma - start));
    auto found = election.FindCandidate(name);
    if (!found) {
      return Status::InvalidArgument(
          fmt::format("--ballot-order: no candidate \"{}\" in the results; they name {}", name,
                      fmt::join(election.candidates, ", ")));
    }
    order.push_back(*found);
    start = comma + 1;
  }
  return order;
}

Result<std::vector<PrecinctId>> ParseCorrected(const std::vector<std::string>& texts) {
  std::vector<PrecinctId> out;
  for (const std::string& text : texts) {
    const size_t slash = text.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) {
      return Status::InvalidArgument(fmt::format(
          "--corrected \"{}\": expected COUNTY/PRECINCT, e.g. \"Polk/DES MOINES-55\"", text));
    }
    out.push_back({NormaliseName(text.substr(0, slash)), NormaliseName(text.substr(slash + 1))});
  }
  return out;
}

nlohmann::json FlagJson(const AnomalyFlag& f) {
  return {{"check", AnomalyCheckName(f.check)},
          {"county", f.county},
          {"precinct", f.precinct},
          {"score", f.score},
          {"threshold", f.threshold},
          {"detail", f.detail}};
}

// One comparison of consecutive releases, for the report.
struct Step {
  std::string previous;
  std::string current;
  ReleaseDelta delta;
};

int CountKind(const ReleaseDelta& d, DeltaKind kind) {
  return static_cast<int>(std::count_if(d.precincts.begin(), d.precincts.end(),
                                        [&](const PrecinctDelta& p) { return p.kind == kind; }));
}

}  // namespace

int RunAuditAnomalies(const AnomalyOptions& options, std::ostream& out, std::ostream& err) {
  const char* kName = "canvass audit anomalies: ";
  auto loaded = LoadElection(options.files);
  if (!loaded.ok()) {
    err << kName << loaded.status().message() << "\n";
    return kExitUsage;
  }
  const Election& election = loaded->election;
  // The ruleset's [anomaly] settings (the defaults without one), each flag given overriding its
  // own.
  AnomalySettings settings = AnomalySettingsFor(loaded->ruleset, election.candidates);
  if (options.duplicate_above) settings.duplicate_above = *options.duplicate_above;
  if (options.shift_threshold) settings.shift_threshold_nats = *options.shift_threshold;
  auto order = ParseBallotOrder(election, options.ballot_order);
  if (!order.ok()) {
    err << kName << order.status().message() << "\n";
    return kExitUsage;
  }
  if (!options.ballot_order.empty()) settings.ballot_order = std::move(order).value();
  if (Status s = ValidateAnomalySettings(settings, election); !s.ok()) {
    err << kName << s.message() << "\n";
    return kExitUsage;
  }
  auto corrected = ParseCorrected(options.corrected);
  if (!corrected.ok()) {
    err << kName << corrected.status().message() << "\n";
    return kExitUsage;
  }
  std::optional<Election> reference;
  if (!options.shift_reference.empty()) {
    auto r = LoadResultsFile(options.shift_reference);
    if (!r.ok()) {
      err << kName << "--shift-reference: " << r.status().message() << "\n";
      return kExitUsage;
    }
    reference = std::move(r).value();
  }

  // Releases oldest first, the checked one last; each compared with the one before it.
  std::vector<Step> steps;
  {
    std::vector<std::pair<std::string, Election>> releases;
    for (const std::string& file : options.previous) {
      auto r = LoadResultsFile(file);
      if (!r.ok()) {
        err << kName << "--previous: " << r.status().message() << "\n";
        return kExitUsage;
      }
      releases.emplace_back(file, std::move(r).value());
    }
    for (size_t i = 0; i < releases.size(); ++i) {
      const Election& next = i + 1 < releases.size() ? releases[i + 1].second : election;
      auto d = CompareReleases(releases[i].second, next, *corrected);
      if (!d.ok()) {
        err << kName << d.status().message() << "\n";
        return kExitUsage;
      }
      steps.push_back({releases[i].first,
                       i + 1 < releases.size() ? releases[i + 1].first : options.files.results,
                       std::move(d).value()});
    }
  }

  const std::vector<DuplicateGroup> duplicates = FindDuplicates(election, settings);
  const std::vector<ShiftScore> scores =
      ScoreColumnShifts(election, settings, reference ? &*reference : nullptr);
  std::vector<AnomalyFlag> flags = DuplicateFlags(election, duplicates, settings);
  for (AnomalyFlag& f : ShiftFlags(election, scores, settings)) flags.push_back(std::move(f));
  for (const Step& s : steps) {
    for (AnomalyFlag& f : DeltaFlags(s.delta)) flags.push_back(std::move(f));
  }
  const ShiftScore* top = nullptr;
  for (const ShiftScore& s : scores) {
    if (!top || s.gain > top->gain) top = &s;
  }

  std::vector<std::string> ballot;
  for (size_t k = 0; k < election.candidates.size(); ++k) {
    ballot.push_back(
        election.candidates[settings.ballot_order.empty() ? k : settings.ballot_order[k]]);
  }
  const int places = loaded->ruleset.precinct.sde_places;
  if (options.files.json) {
    nlohmann::json j;
    j["precincts"] = election.reports.size();
    j["ballot_order"] = ballot;
    j["settings"] = {{"duplicate_above", settings.duplicate_above},
                     {"shift_threshold_nats", fmt::format("{}", settings.shift_threshold_nats)}};
    if (top) {
      const PrecinctReport& r = election.reports[top->report];
      j["highest_shift"] = {{"county", r.county},
                            {"precinct", r.precinct},
                            {"score", fmt::format("{:.2f}", top->gain)}};
    }
    j["releases"] = nlohmann::json::array();
    for (const Step& s : steps) {
      nlohmann::json step = {{"previous", s.previous},
                             {"current", s.current},
                             {"new", CountKind(s.delta, DeltaKind::kNew)},
                             {"corrected", CountKind(s.delta, DeltaKind::kCorrected)},
                             {"changed", CountKind(s.delta, DeltaKind::kChanged)},
                             {"removed", CountKind(s.delta, DeltaKind::kRemoved)},
                             {"unchanged", s.delta.unchanged}};
      step["candidates"] = nlohmann::json::array();
      for (size_t c = 0; c < s.delta.candidates.size(); ++c) {
        const CandidateDelta& cd = s.delta.by_candidate[c];
        step["candidates"].push_back(
            {{"name", s.delta.candidates[c]},
             {"sde_change", cd.sde_change.ToDecimal(places)},
             {"sde_from_new", cd.sde_from_new.ToDecimal(places)},
             {"sde_from_corrected", cd.sde_from_corrected.ToDecimal(places)},
             {"sde_unexplained", cd.sde_unexplained.ToDecimal(places)},
             {"first_change", cd.first_change},
             {"final_change", cd.final_change},
             {"first_unexplained", cd.first_unexplained},
             {"final_unexplained", cd.final_unexplained},
             {"explained", cd.explained()}});
      }
      j["releases"].push_back(std::move(step));
    }
    j["flags"] = nlohmann::json::array();
    for (const AnomalyFlag& f : flags) j["flags"].push_back(FlagJson(f));
    out << j.dump() << "\n";
    return flags.empty() ? kExitOk : kExitFailure;
  }

  out << fmt::format(
      "canvass audit anomalies: {} precincts; ballot order {}{}\n"
      "thresholds: duplicates above {} attendees, column shift above {} nats{}\n",
      election.reports.size(), fmt::join(ballot, ", "),
      !options.ballot_order.empty()   ? ""
      : settings.ballot_order.empty() ? " (the results file's; --ballot-order if the form differs)"
                                      : " (the ruleset's [anomaly] ballot_order)",
      settings.duplicate_above, settings.shift_threshold_nats,
      reference ? ", shares from " + options.shift_reference : std::string());
  if (top) {
    const PrecinctReport& r = election.reports[top->report];
    out << fmt::format("highest column-shift score: {:.2f} nats ({} / {})\n", top->gain, r.county,
                       r.precinct);
  }
  for (const Step& s : steps) {
    out << fmt::format(
        "\nrelease delta {} -> {}: {} new, {} corrected, {} changed without a correction, {} "
        "removed, {} unchanged\n",
        s.previous, s.current, CountKind(s.delta, DeltaKind::kNew),
        CountKind(s.delta, DeltaKind::kCorrected), CountKind(s.delta, DeltaKind::kChanged),
        CountKind(s.delta, DeltaKind::kRemoved), s.delta.unchanged);
    out << fmt::format("  {:<14} {:>11} {:>11} {:>11} {:>11} {:>13}\n", "Candidate", "SDE change",
                       "from new", "corrected", "unexplained", "heads unexpl.");
    for (size_t c = 0; c < s.delta.candidates.size(); ++c) {
      const CandidateDelta& cd = s.delta.by_candidate[c];
      if (cd.sde_change.is_zero() && cd.first_change == 0 && cd.final_change == 0 &&
          cd.explained()) {
        continue;
      }
      out << fmt::format("  {:<14} {:>11} {:>11} {:>11} {:>11} {:>13}{}\n", s.delta.candidates[c],
                         cd.sde_change.ToDecimal(places), cd.sde_from_new.ToDecimal(places),
                         cd.sde_from_corrected.ToDecimal(places),
                         cd.sde_unexplained.ToDecimal(places),
                         fmt::format("{:+}/{:+}", cd.first_unexplained, cd.final_unexplained),
                         cd.explained() ? "" : "  NOT EXPLAINED");
    }
  }
  out << fmt::format("\n{} flag{}\n", flags.size(), flags.size() == 1 ? "" : "s");
  for (const AnomalyFlag& f : flags) {
    out << fmt::format("{:<13} {} / {}: {} (threshold: {}); {}\n", AnomalyCheckName(f.check),
                       f.county, f.precinct, f.score, f.threshold, f.detail);
  }
  return flags.empty() ? kExitOk : kExitFailure;
}

}  // namespace canvass
