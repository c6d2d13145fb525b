#include "caucus/json_output.h"

namespace canvass {

using nlohmann::json;

const char* TieBreakerName(TieBreaker breaker) {
  switch (breaker) {
    case TieBreaker::kCoin:
      return "coin toss";
    case TieBreaker::kCardDraw:
      return "card draw";
    case TieBreaker::kLot:
      return "drawing of lots";
  }
  return "chance";
}

json RulesetRefJson(const Ruleset& ruleset) {
  return {{"name", ruleset.name}, {"version", ruleset.version}, {"hash", ruleset.hash}};
}

json TieEventJson(const TieEvent& tie, const std::vector<std::string>& candidates) {
  json groups = json::array();
  for (CandidateIndex c : tie.groups) groups.push_back(candidates.at(c));
  return {{"kind", tie.kind == TieEvent::Kind::kGain ? "gain" : "loss"},
          {"candidates", groups},
          {"delegates_at_stake", tie.delegates_at_stake},
          {"decimal", tie.decimal.ToShortDecimal()},
          {"breaker", TieBreakerName(tie.breaker)}};
}

json FindingJson(const Finding& finding) {
  return {{"code", finding.code},
          {"severity", SeverityName(finding.severity)},
          {"candidates", finding.candidates},
          {"message", finding.message}};
}

json AllocationJson(const Allocation& a, const std::vector<std::string>& candidates) {
  json groups = json::array();
  for (const WorksheetLine& line : a.lines) {
    groups.push_back({{"candidate", candidates.at(line.candidate)},
                      {"first", line.first},
                      {"final", line.final},
                      {"viable_first", line.viable_first},
                      {"viable_final", line.viable_final},
                      {"locked", line.locked},
                      {"raw", line.raw.ToString()},
                      {"raw_decimal", line.raw_at_precision.ToDecimal(4)},
                      {"rounded", line.rounded},
                      {"delegates", line.delegates},
                      {"notes", line.notes}});
  }
  json resolved = json::array();
  for (const TieEvent& t : a.resolved_ties) resolved.push_back(TieEventJson(t, candidates));
  json realign = json::array();
  for (CandidateIndex c : a.must_realign) realign.push_back(candidates.at(c));
  json out = {{"delegates_apportioned", a.apportioned_delegates},
              {"total_delegates", a.total_delegates},
              {"attendance", a.attendance},
              {"threshold", a.threshold.ToString()},
              {"threshold_head_count", a.threshold_head_count},
              {"groups", groups},
              {"complete", a.complete()},
              {"resolved_ties", resolved},
              {"pending_tie", a.pending_tie ? TieEventJson(*a.pending_tie, candidates) : json()},
              {"must_realign", realign},
              {"notes", a.notes}};
  if (a.complete()) {
    json delegates = json::object();
    for (size_t i = 0; i < a.delegates.size() && i < candidates.size(); ++i) {
      if (a.delegates[i] > 0) delegates[candidates[i]] = a.delegates[i];
    }
    out["delegates"] = delegates;
  }
  return out;
}

json PrecinctCheckJson(const PrecinctCheck& check, const std::vector<std::string>& candidates,
                       int sde_places) {
  json out = {{"county", check.county}, {"precinct", check.precinct}};
  json ties = json::array();
  if (check.computed) {
    const Allocation& a = *check.computed;
    for (const TieEvent& t : a.resolved_ties) {
      json j = TieEventJson(t, candidates);
      j["resolved"] = true;
      ties.push_back(j);
    }
    if (a.pending_tie) {
      json j = TieEventJson(*a.pending_tie, candidates);
      j["resolved"] = false;
      ties.push_back(j);
    }
    if (a.complete()) {
      json computed = json::object();
      for (size_t i = 0; i < candidates.size() && i < a.delegates.size(); ++i) {
        computed[candidates[i]] = a.delegates[i];
      }
      out["computed"] = computed;
      if (!check.computed_sde.empty()) {
        json sde = json::object();
        for (size_t i = 0; i < candidates.size() && i < check.computed_sde.size(); ++i) {
          sde[candidates[i]] = check.computed_sde[i].ToDecimal(sde_places);
        }
        out["computed_sde"] = sde;
      }
    }
    out["total_delegates"] = a.total_delegates;
  }
  out["ties"] = ties;
  json findings = json::array();
  for (const Finding& f : check.findings) findings.push_back(FindingJson(f));
  out["findings"] = findings;
  return out;
}

}  // namespace canvass
