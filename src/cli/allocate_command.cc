#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <ostream>

#include "caucus/allocation.h"
#include "caucus/json_output.h"
#include "cli/commands.h"
#include "core/text.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

Result<Count> ParseCount(std::string_view text, const std::string& what) {
  text = Trim(text);
  Count value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0 || value > kMaxHeadCount) {
    return Status::InvalidArgument(
        fmt::format("{}: \"{}\" is not a head count (a whole number "
                    "from 0 to {})",
                    what, text, kMaxHeadCount));
  }
  return value;
}

CandidateIndex IndexOf(std::vector<std::string>& names, PrecinctInput& input,
                       const std::string& name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (AsciiLower(names[i]) == AsciiLower(name)) return static_cast<CandidateIndex>(i);
  }
  names.push_back(name);
  input.first.push_back(0);
  input.final.push_back(0);
  return static_cast<CandidateIndex>(names.size() - 1);
}

Result<std::vector<CandidateIndex>> ParseNameList(std::string_view text,
                                                  std::vector<std::string>& names,
                                                  PrecinctInput& input, bool known_only,
                                                  const std::string& what) {
  std::vector<CandidateIndex> out;
  for (std::string_view part : Split(text, ',')) {
    std::string name = NormaliseName(part);
    if (name.empty()) return Status::InvalidArgument(what + ": empty group name");
    if (known_only) {
      bool found = false;
      for (const std::string& n : names) found = found || AsciiLower(n) == AsciiLower(name);
      if (!found) return Status::InvalidArgument(what + ": no group named \"" + name + "\"");
    }
    out.push_back(IndexOf(names, input, name));
  }
  return out;
}

void PrintWorksheet(const Ruleset& ruleset, const Allocation& a,
                    const std::vector<std::string>& names, std::ostream& out) {
  out << fmt::format("Precinct worksheet: ruleset {} version {} (hash {})\n", ruleset.name,
                     ruleset.version, ruleset.ShortHash());
  out << fmt::format("Delegates to elect (D):      {}\n", a.apportioned_delegates);
  out << fmt::format("Attendance (T):              {}\n", a.attendance);
  out << fmt::format("Viability threshold:         {} of T: a group needs {} {}\n",
                     a.threshold.ToString(), a.threshold_head_count,
                     a.threshold_head_count == 1 ? "person" : "people");
  out << "\n";
  size_t width = 5;
  for (const auto& line : a.lines) width = std::max(width, names[line.candidate].size());
  out << fmt::format("{:<{}}  {:>6} {:<7} {:>6} {:<7} {:>12} {:>8} {:>9}\n", "Group", width,
                     "First", "viable", "Final", "viable", "n x D / T", "Rounded", "Delegates");
  for (const auto& line : a.lines) {
    out << fmt::format("{:<{}}  {:>6} {:<7} {:>6} {:<7} {:>12} {:>8} {:>9}\n",
                       names[line.candidate], width, line.first,
                       line.viable_first ? (line.locked ? "locked" : "yes") : "no", line.final,
                       line.viable_final ? "yes" : "no",
                       line.viable_final ? line.raw_at_precision.ToDecimal(4) : "-",
                       line.viable_final ? std::to_string(line.rounded) : "-",
                       a.complete() ? std::to_string(line.delegates) : "?");
  }
  out << "\nHow each number was reached:\n";
  for (const auto& line : a.lines) {
    for (const std::string& note : line.notes) {
      out << "  " << names[line.candidate] << ": " << note << "\n";
    }
  }
  for (const std::string& note : a.notes) out << "  " << note << "\n";
  for (const TieEvent& tie : a.resolved_ties) {
    std::vector<std::string> tied;
    for (CandidateIndex c : tie.groups) tied.push_back(names[c]);
    out << fmt::format("  Tie settled by {}: {} (decimal {}) for {} delegate(s)\n",
                       TieBreakerName(tie.breaker), fmt::join(tied, ", "),
                       tie.decimal.ToShortDecimal(), tie.delegates_at_stake);
  }
  out << "\n";
  if (a.pending_tie) {
    const TieEvent& tie = *a.pending_tie;
    std::vector<std::string> tied;
    for (CandidateIndex c : tie.groups) tied.push_back(names[c]);
    out << fmt::format(
        "TIE: {} tie on the decimal {} for the {} of {} delegate(s). Hold a {} and record it:\n"
        "  --tie '{}->WINNER[,WINNER]' (the groups favoured: they {} the delegate)\n",
        fmt::join(tied, ", "), tie.decimal.ToShortDecimal(),
        tie.kind == TieEvent::Kind::kGain ? "gain" : "loss", tie.delegates_at_stake,
        TieBreakerName(tie.breaker), fmt::join(tied, ","),
        tie.kind == TieEvent::Kind::kGain ? "gain" : "keep");
  } else if (!a.must_realign.empty()) {
    std::vector<std::string> groups;
    for (CandidateIndex c : a.must_realign) groups.push_back(names[c]);
    out << fmt::format(
        "REALIGN: more viable groups than delegates. These groups must realign: {}\n",
        fmt::join(groups, ", "));
  } else {
    std::vector<std::string> result;
    for (const auto& line : a.lines) {
      if (line.delegates > 0)
        result.push_back(fmt::format("{} {}", names[line.candidate], line.delegates));
    }
    out << fmt::format("Result: {} ({} delegates)\n",
                       result.empty() ? "no delegates" : fmt::format("{}", fmt::join(result, ", ")),
                       a.total_delegates);
  }
}

}  // namespace

int RunAllocate(const AllocateOptions& options, std::ostream& out, std::ostream& err) {
  auto ruleset = LoadRuleset(options.rules);
  if (!ruleset.ok()) {
    err << "canvass: " << ruleset.status().message() << "\n";
    return kExitUsage;
  }
  if (ruleset->precinct.method != PrecinctMethod::kCaucus) {
    err << "canvass: ruleset " << ruleset->name << " has no precinct caucus math\n";
    return kExitUsage;
  }
  auto usage = [&](const Status& st) {
    err << "canvass allocate: " << st.message() << "\n";
    return kExitUsage;
  };
  PrecinctInput input;
  input.satellite = options.satellite;
  if (!options.satellite) {
    if (!options.delegates) {
      return usage(Status::InvalidArgument(
          "--delegates D is required (the delegates the precinct elects), or --satellite"));
    }
    if (*options.delegates < 1) {
      return usage(Status::InvalidArgument(fmt::format(
          "--delegates {}: a precinct elects at least 1 delegate (there is nothing to allocate)",
          *options.delegates)));
    }
    if (*options.delegates > kMaxDelegates)
      return usage(Status::InvalidArgument(
          fmt::format("--delegates {} is larger than any precinct elects (at most {})",
                      *options.delegates, kMaxDelegates)));
    input.delegates = *options.delegates;
  }
  std::vector<std::string> names;
  for (const std::string& group : options.groups) {
    size_t eq = group.find('=');
    if (eq == std::string::npos) {
      return usage(Status::InvalidArgument("--group \"" + group +
                                           "\": write NAME=FIRST or NAME=FIRST:FINAL"));
    }
    std::string name = NormaliseName(group.substr(0, eq));
    if (name.empty()) return usage(Status::InvalidArgument("--group \"" + group + "\": no name"));
    for (const std::string& n : names) {
      if (AsciiLower(n) == AsciiLower(name))
        return usage(Status::InvalidArgument("--group: \"" + name + "\" is given twice"));
    }
    std::string_view counts = std::string_view(group).substr(eq + 1);
    size_t colon = counts.find(':');
    auto first = ParseCount(counts.substr(0, colon), "--group " + name + " first alignment");
    if (!first.ok()) return usage(first.status());
    Count final_count = *first;
    if (colon != std::string_view::npos) {
      auto final_parsed =
          ParseCount(counts.substr(colon + 1), "--group " + name + " final alignment");
      if (!final_parsed.ok()) return usage(final_parsed.status());
      final_count = *final_parsed;
    }
    CandidateIndex index = IndexOf(names, input, name);
    input.first[index] = *first;
    input.final[index] = final_count;
  }
  for (const std::string& card : options.cards) {
    EarlyVoteCard parsed;
    for (std::string_view choice : Split(card, '>')) {
      std::string name = NormaliseName(choice);
      if (name.empty())
        return usage(Status::InvalidArgument("--card \"" + card + "\": empty choice"));
      parsed.choices.push_back(IndexOf(names, input, name));
    }
    input.early_votes.push_back(std::move(parsed));
  }
  for (const std::string& tie : options.ties) {
    size_t arrow = tie.find("->");
    if (arrow == std::string::npos)
      return usage(Status::InvalidArgument("--tie \"" + tie + "\": write TIED,GROUPS->FAVOURED"));
    auto tied = ParseNameList(std::string_view(tie).substr(0, arrow), names, input, true, "--tie");
    if (!tied.ok()) return usage(tied.status());
    auto favoured =
        ParseNameList(std::string_view(tie).substr(arrow + 2), names, input, true, "--tie");
    if (!favoured.ok()) return usage(favoured.status());
    input.tie_outcomes.push_back({*tied, *favoured, "recorded on the command line"});
  }
  input.names = names;  // notes, ties and refusals name the groups, not their indices
  auto allocation = AllocatePrecinct(ruleset->precinct, input, names.size());
  if (!allocation.ok()) {
    err << "canvass allocate: " << allocation.status().message() << "\n";
    return kExitUsage;
  }
  if (options.attendance && *options.attendance != allocation->attendance) {
    return usage(Status::InvalidArgument(fmt::format(
        "--attendance {} differs from the first alignment total {}: T is the number of people "
        "counted at the first alignment",
        *options.attendance, allocation->attendance)));
  }
  if (options.json) {
    nlohmann::json j = AllocationJson(*allocation, names);
    j["ruleset"] = RulesetRefJson(*ruleset);
    out << j.dump(2) << "\n";
  } else {
    PrintWorksheet(*ruleset, *allocation, names, out);
  }
  return kExitOk;
}

}  // namespace canvass
