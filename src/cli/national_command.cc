#include "cli/national_command.h"

#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "delegates/national_json.h"
#include "delegates/tracker.h"
#include "io/national_inputs.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

std::string Percent(const Rational& share) { return (share * Rational(100)).ToDecimal(2) + "%"; }

std::string Exact(const Rational& r) { return r.ToShortDecimal(); }

void PrintText(const NationalCount& n, std::ostream& out) {
  out << fmt::format("National count under {} ({})\n", n.ruleset, n.ruleset_hash.substr(0, 12));
  for (const TrackedState& s : n.states) {
    if (!s.voted) continue;
    out << fmt::format("{} ({}, {} pledged):\n", s.state, AllocationFamilyName(s.family),
                       s.pledged);
    for (const std::string& note : s.notes) out << "  " << NamedNote(note, n.candidates) << "\n";
    for (const TrackedPool& p : s.pools) {
      std::string seats;
      for (size_t c = 0; c < n.candidates.size(); ++c) {
        if (p.allocation.delegates[c] == 0) continue;
        seats += fmt::format("{}{} {}", seats.empty() ? "" : ", ", n.candidates[c],
                             p.allocation.delegates[c]);
      }
      out << fmt::format("  {:<10} {:>3}: {}\n", p.name, p.allocation.size,
                         seats.empty() ? "-" : seats);
      for (const std::string& note : p.allocation.notes) {
        out << "               " << NamedNote(note, n.candidates) << "\n";
      }
    }
  }
  size_t projected = 0;
  for (const TrackedState& s : n.states) projected += s.voted ? 0 : 1;
  out << fmt::format(
      "Pledged {}: allocated {}, remaining {} ({} contest(s) projected without "
      "votes); automatic {}\n",
      n.pledged, n.allocated, n.remaining, projected, n.automatic);
  out << fmt::format(
      "First-ballot majority: {} of {} (the ruleset's rule; floor(N/2)+1 = {}, ceil(N/2+1) = "
      "{})\n",
      n.majority, n.first_ballot_delegates, n.majority_floor, n.majority_ceil);
  out << fmt::format("Later-ballot majority: {} of {} votes\n", Exact(n.later_ballot_majority),
                     Exact(n.later_ballot_votes));
  for (const CandidateStanding& st : n.standings) {
    std::string detail;
    if (st.status == CandidateStatus::kOpen) {
      detail = fmt::format("needs {} more, {} of the remaining", st.needs, Percent(st.need_share));
    } else if (st.status == CandidateStatus::kEliminated) {
      detail = fmt::format("needs {} more, only {} remain", st.needs, n.remaining);
    }
    out << fmt::format("  {:<20} {:>5}  {:<10} {}\n", st.name, st.won,
                       CandidateStatusName(st.status), detail);
  }
  out << (n.brokered ? "Brokered: nobody can reach the first-ballot majority\n"
                     : "Not brokered: someone can still reach the first-ballot majority\n");
  for (const std::string& w : n.warnings) out << "warning: " << w << "\n";
  for (const PublishedFinding& f : n.findings) out << f.code << ": " << f.message << "\n";
  for (const PublishedFinding& f : n.unchecked) out << f.code << ": " << f.message << "\n";
}

}  // namespace

int RunNational(const NationalOptions& options, std::ostream& out, std::ostream& err) {
  auto rules = LoadRuleset(options.rules);
  if (!rules.ok()) {
    err << "canvass national: " << rules.status().message() << "\n";
    return 2;
  }
  auto inputs = LoadNationalInputs(options.delegates, options.votes, options.published);
  if (!inputs.ok()) {
    err << "canvass national: " << inputs.status().message() << "\n";
    return 2;
  }
  auto count = CountNational(*rules, *inputs);
  if (!count.ok()) {
    err << "canvass national: " << count.status().message() << "\n";
    return 2;
  }
  if (options.json) {
    out << NationalCountToJson(*count).dump(2) << "\n";
  } else {
    PrintText(*count, out);
  }
  return count->findings.empty() ? 0 : 1;
}

}  // namespace canvass
