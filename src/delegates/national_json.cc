#include "delegates/national_json.h"

#include <fmt/format.h>

#include "core/rational.h"

namespace canvass {
namespace {

std::string Exact(const Rational& r) { return r.ToShortDecimal(); }

}  // namespace

std::string AllocationFamilyName(AllocationFamily f) {
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
std::string NamedNote(std::string note, const std::vector<std::string>& names) {
  for (size_t c = names.size(); c-- > 0;) {
    const std::string tag = fmt::format("#{}", c);
    for (size_t at = note.find(tag); at != std::string::npos; at = note.find(tag, at)) {
      note.replace(at, tag.size(), names[c]);
      at += names[c].size();
    }
  }
  return note;
}

nlohmann::json TrackedStateToJson(const NationalCount& n, const TrackedState& s) {
  nlohmann::json pools = nlohmann::json::array();
  for (const TrackedPool& p : s.pools) {
    nlohmann::json seats = nlohmann::json::object();
    for (size_t c = 0; c < n.candidates.size(); ++c) {
      if (p.allocation.delegates[c] > 0) seats[n.candidates[c]] = p.allocation.delegates[c];
    }
    nlohmann::json reasons = nlohmann::json::array();
    for (const std::string& note : p.allocation.notes)
      reasons.push_back(NamedNote(note, n.candidates));
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
  return {{"state", s.state},
          {"family", AllocationFamilyName(s.family)},
          {"status", s.voted ? "voted" : "projected"},
          {"pledged", s.pledged},
          {"automatic", s.automatic},
          {"won", won},
          {"notes", s.notes},
          {"pools", pools}};
}

nlohmann::json NationalCountToJson(const NationalCount& n) {
  nlohmann::json states = nlohmann::json::array();
  for (const TrackedState& s : n.states) states.push_back(TrackedStateToJson(n, s));
  nlohmann::json standings = nlohmann::json::array();
  for (const CandidateStanding& st : n.standings) {
    standings.push_back({{"candidate", st.name},
                         {"won", st.won},
                         {"status", CandidateStatusName(st.status)},
                         {"needs", st.needs},
                         {"needs_share_of_remaining", Exact(st.need_share)}});
  }
  auto findings_json = [&](const std::vector<PublishedFinding>& list) {
    nlohmann::json findings = nlohmann::json::array();
    for (const PublishedFinding& f : list) {
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
    return findings;
  };
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
          {"findings", findings_json(n.findings)},
          {"unchecked", findings_json(n.unchecked)},
          {"warnings", n.warnings}};
}

}  // namespace canvass
