// Everything the state keeps of one precinct, as JSON, for tests that compare two states whole
// (a replay against the state it came from, an undo against the prefix it returns to). The facts
// themselves rather than the API's view of them (api/precinct_json.h), which is a function of
// these and the election's constants.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "caucus/json_output.h"
#include "state/election_state.h"

namespace canvass::testing_ledger {

inline nlohmann::json RecordFacts(const ElectionState& state, int64_t id) {
  using nlohmann::json;
  const PrecinctRecord& r = *state.precinct(id);
  auto figures = [](const std::optional<std::vector<Count>>& f) { return f ? json(*f) : json(); };
  json ties = json::array();
  for (const TieOutcome& t : r.ties) ties.push_back({t.tied, t.favoured, t.detail});
  json attestations = json::array();
  for (const Attestation& a : r.attestations) {
    attestations.push_back({a.seq, a.campaign, a.verdict, a.reason, a.revision});
  }
  json hotline = json::array();
  for (const HotlineEntry& h : r.hotline) hotline.push_back({h.seq, h.operator_id, h.figures});
  return {{"revision", r.revision},
          {"first", figures(r.first)},
          {"final", figures(r.final)},
          {"delegates", figures(r.delegates)},
          {"early_votes", r.early_votes ? json{r.early_votes->hash, r.early_votes->seq} : json()},
          {"ties", ties},
          {"photos", r.photos},
          {"confirmed", r.confirmed},
          {"channel", r.channel},
          {"events", r.events},
          {"figures_seq", r.figures_seq},
          {"attestations", attestations},
          {"hotline", hotline},
          {"check",
           PrecinctCheckJson(*r.check, state.candidates(), state.ruleset().precinct.sde_places)},
          {"practice", {r.practice_reports, r.practice_seq}},
          {"status", ElectionState::StatusOf(r)},
          {"disputed", ElectionState::Disputed(r)}};
}

}  // namespace canvass::testing_ledger
