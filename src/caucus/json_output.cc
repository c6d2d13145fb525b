#include "caucus/json_output.h"

#include <algorithm>
#include <charconv>

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

namespace {

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

void AppendKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;  // the writer's own keys: plain ASCII
  out += "\":";
}

void AppendStrings(std::string& out, const std::vector<std::string>& names) {
  out += '[';
  for (size_t k = 0; k < names.size(); ++k) {
    if (k > 0) out += ',';
    AppendJsonString(out, names[k]);
  }
  out += ']';
}

// TieEventJson(tie, candidates) with "resolved", keys in sorted order.
void AppendTie(std::string& out, const TieEvent& tie, const std::vector<std::string>& candidates,
               bool resolved) {
  AppendKey(out += '{', "breaker");
  AppendJsonString(out, TieBreakerName(tie.breaker));
  AppendKey(out += ',', "candidates");
  out += '[';
  for (size_t k = 0; k < tie.groups.size(); ++k) {
    if (k > 0) out += ',';
    AppendJsonString(out, candidates.at(tie.groups[k]));
  }
  out += ']';
  AppendKey(out += ',', "decimal");
  AppendJsonString(out, tie.decimal.ToShortDecimal());
  AppendKey(out += ',', "delegates_at_stake");
  AppendInt(out, tie.delegates_at_stake);
  AppendKey(out += ',', "kind");
  out += tie.kind == TieEvent::Kind::kGain ? "\"gain\"" : "\"loss\"";
  AppendKey(out += ',', "resolved");
  out += resolved ? "true" : "false";
  out += '}';
}

}  // namespace

PrecinctCheckJsonWriter::PrecinctCheckJsonWriter(const std::vector<std::string>& candidates,
                                                 int sde_places)
    : candidates_(candidates),
      sde_places_(sde_places),
      by_name_(candidates.size()),
      quoted_(candidates.size()) {
  for (size_t i = 0; i < by_name_.size(); ++i) by_name_[i] = i;
  for (size_t i = 0; i < quoted_.size(); ++i) AppendJsonString(quoted_[i], candidates[i]);
  std::stable_sort(by_name_.begin(), by_name_.end(),
                   [&](size_t a, size_t b) { return candidates_[a] < candidates_[b]; });
}

template <typename Value>
void PrecinctCheckJsonWriter::AppendByCandidate(std::string& out, size_t limit,
                                                Value&& value) const {
  out += '{';
  bool first = true;
  for (size_t k = 0; k < by_name_.size(); ++k) {
    const size_t i = by_name_[k];
    if (i >= limit) continue;
    // Of equal names only the last index below the limit is kept.
    bool later = false;
    for (size_t m = k + 1; m < by_name_.size() && candidates_[by_name_[m]] == candidates_[i]; ++m) {
      later = later || by_name_[m] < limit;
    }
    if (later) continue;
    if (!first) out += ',';
    first = false;
    out += quoted_[i];
    out += ':';
    value(i);
  }
  out += '}';
}

void PrecinctCheckJsonWriter::Append(std::string& out, const PrecinctCheck& check) const {
  // Keys in nlohmann's (sorted) order: computed, computed_sde, county, findings, precinct, ties,
  // total_delegates.
  out += '{';
  const Allocation* a = check.computed ? &*check.computed : nullptr;
  if (a != nullptr && a->complete()) {
    AppendKey(out, "computed");
    AppendByCandidate(out, std::min(candidates_.size(), a->delegates.size()),
                      [&](size_t i) { AppendInt(out, a->delegates[i]); });
    out += ',';
    if (!check.computed_sde.empty()) {
      AppendKey(out, "computed_sde");
      AppendByCandidate(out, std::min(candidates_.size(), check.computed_sde.size()),
                        [&](size_t i) {
                          // A decimal is digits, a point and a sign: nothing to escape.
                          out += '"';
                          out += check.computed_sde[i].ToDecimal(sde_places_);
                          out += '"';
                        });
      out += ',';
    }
  }
  AppendKey(out, "county");
  AppendJsonString(out, check.county);
  AppendKey(out += ',', "findings");
  out += '[';
  for (size_t k = 0; k < check.findings.size(); ++k) {
    const Finding& f = check.findings[k];
    if (k > 0) out += ',';
    AppendKey(out += '{', "candidates");
    AppendStrings(out, f.candidates);
    AppendKey(out += ',', "code");
    AppendJsonString(out, f.code);
    AppendKey(out += ',', "message");
    AppendJsonString(out, f.message);
    AppendKey(out += ',', "severity");
    AppendJsonString(out, SeverityName(f.severity));
    out += '}';
  }
  out += ']';
  AppendKey(out += ',', "precinct");
  AppendJsonString(out, check.precinct);
  AppendKey(out += ',', "ties");
  out += '[';
  if (a != nullptr) {
    bool first = true;
    for (const TieEvent& t : a->resolved_ties) {
      if (!first) out += ',';
      first = false;
      AppendTie(out, t, candidates_, true);
    }
    if (a->pending_tie) {
      if (!first) out += ',';
      AppendTie(out, *a->pending_tie, candidates_, false);
    }
  }
  out += ']';
  if (a != nullptr) {
    AppendKey(out += ',', "total_delegates");
    AppendInt(out, a->total_delegates);
  }
  out += '}';
}

}  // namespace canvass
