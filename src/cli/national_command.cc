#include "cli/national_command.h"

#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "delegates/tracker.h"
#include "io/national_inputs.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

std::string Percent(const Rational& share) { return (share * Rational(100)).ToDecimal(2) + "%"; }

std::string Exact(const Rational& r) { return r.ToShortDecimal(); }

std::string FamilyName(AllocationFamily f) {
  switch (f) {
    case AllocationFamily::kDnc:
      return "dnc";
    case AllocationFamily::kProportional:
      return "proportional";
    case AllocationFamily::kProportionalTrigger:
      return "proportional_wta_trigger";
    case AllocationFamily::kWinnerTakeMost:
      return "winner_take_most";
    case AllocationFamily::kWinnerTakeAll:
      return "winner_take_all";
    case AllocationFamily::kBoundAtConvention:
      return "bound_at_convention";
    case AllocationFamily::kUnbound:
      return "unbound";
  }
  return "";
}

// Candidate numbers in notes ("#2") become names.
std::string Named(std::string note, const std::vector<std::string>& names) {
  for (size_t c = names.size(); c-- > 0;) {
    const std::string tag = fmt::format("#{}", c);
    for (size_t at = note.find(tag); at != std::string::npos; at = note.find(tag, at)) {
      note.replace(at, tag.size(), names[c]);
      at += names[c].size();
    }
  }
  return note;
}

nlohmann::json ToJson(const NationalCount& n) {
  nlohmann::json states = nlohmann::json::array();
  for (const TrackedState& s : n.states) {
    nlohmann::json pools = nlohmann::json::array();
    for (const TrackedPool& p : s.pools) {
      nlohmann::json seats = nlohmann::json::object();
      for (size_t c = 0; c < n.candidates.size(); ++c) {
        if (p.allocation.delegates[c] > 0) seats[n.candidates[c]] = p.allocation.delegates[c];
      }
      nlohmann::json reasons = nlohmann::json::array();
      for (const std::string& note : p.allocation.notes)
        reasons.push_back(Named(note, n.candidates));
      nlohmann::json qualified = nlohmann::json::array();
      for (size_t c = 0; c < p.allocation.qualified.size(); ++c) {
        if (p.allocation.qualified[c]) qualified.push_back(n.candidates[c]);
      }
      pools.push_back({{"pool", p.name},
                       {"kind", DelegateKindName(p.kind)},
                       {"seats", p.allocation.size},
                       {"basis", p.basis},
                       {"threshold", Exact(p.allocation.threshold)},
                       {"fallback_applied", p.allocation.fallback_applied},
                       {"qualified", qualified},
                       {"allocation", seats},
                       {"allocated", p.allocated},
                       {"tie_pending", !p.allocation.complete()},
                       {"reasons", reasons}});
    }
    nlohmann::json won = nlohmann::json::object();
    for (size_t c = 0; c < n.candidates.size(); ++c) {
      if (s.won[c] > 0) won[n.candidates[c]] = s.won[c];
    }
    states.push_back({{"state", s.state},
                      {"family", FamilyName(s.family)},
                      {"status", s.voted ? "voted" : "projected"},
                      {"pledged", s.pledged},
                      {"automatic", s.automatic},
                      {"won", won},
                      {"notes", s.notes},
                      {"pools", pools}});
  }
  nlohmann::json standings = nlohmann::json::array();
  for (const CandidateStanding& st : n.standings) {
    standings.push_back({{"candidate", st.name},
                         {"won", st.won},
                         {"status", CandidateStatusName(st.status)},
                         {"needs", st.needs},
                         {"needs_share_of_remaining", Exact(st.need_share)}});
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const PublishedFinding& f : n.findings) {
    nlohmann::json pub = nlohmann::json::object(), comp = nlohmann::json::object();
    for (size_t c = 0; c < n.candidates.size(); ++c) {
      if (f.published[c] > 0) pub[n.candidates[c]] = f.published[c];
      if (f.computed[c] > 0) comp[n.candidates[c]] = f.computed[c];
    }
    findings.push_back({{"code", f.code},
                        {"state", f.state},
                        {"pool", f.pool},
                        {"line", f.line},
                        {"message", f.message},
                        {"published", pub},
                        {"computed", comp}});
  }
  return {{"ruleset", n.ruleset},
          {"ruleset_hash", n.ruleset_hash},
          {"pledged", n.pledged},
          {"automatic", n.automatic},
          {"allocated", n.allocated},
          {"remaining", n.remaining},
          {"first_ballot",
           {{"delegates", n.first_ballot_delegates},
            {"majority", n.majority},
            {"majority_floor_half_plus_one", n.majority_floor},
            {"majority_ceil_half_plus_one", n.majority_ceil}}},
          {"later_ballot",
           {{"votes", Exact(n.later_ballot_votes)}, {"majority", Exact(n.later_ballot_majority)}}},
          {"brokered", n.brokered},
          {"standings", standings},
          {"states", states},
          {"findings", findings},
          {"warnings", n.warnings}};
}

void PrintText(const NationalCount& n, std::ostream& out) {
  out << fmt::format("National count under {} ({})\n", n.ruleset, n.ruleset_hash.substr(0, 12));
  for (const TrackedState& s : n.states) {
    if (!s.voted) continue;
    out << fmt::format("{} ({}, {} pledged):\n", s.state, FamilyName(s.family), s.pledged);
    for (const std::string& note : s.notes) out << "  " << Named(note, n.candidates) << "\n";
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
        out << "               " << Named(note, n.candidates) << "\n";
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
    out << ToJson(*count).dump(2) << "\n";
  } else {
    PrintText(*count, out);
  }
  return count->findings.empty() ? 0 : 1;
}

}  // namespace canvass
