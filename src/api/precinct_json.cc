#include "api/precinct_json.h"

#include <optional>
#include <string>
#include <vector>

#include "caucus/json_output.h"

namespace canvass {

using nlohmann::json;

json PrecinctJson(const ElectionState& state, int64_t id, bool with_history) {
  return PrecinctRecordJson(state, id, *state.precinct(id), with_history);
}

json PrecinctRecordJson(const ElectionState& state, int64_t id, const PrecinctRecord& r,
                        bool with_history, const PrecinctRecord* status_of) {
  if (status_of == nullptr) status_of = state.precinct(id);
  const PrecinctApportionment& ap = state.precincts()[static_cast<size_t>(id - 1)];
  const auto& names = state.candidates();
  json out = {{"id", id},
              {"county", ap.county},
              {"precinct", ap.precinct},
              {"satellite", ap.satellite},
              {"status", ElectionState::StatusOf(*status_of)},
              {"disputed", ElectionState::Disputed(*status_of)},
              {"revision", r.revision},
              {"confirmed", r.confirmed}};
  out["delegates"] = ap.delegates ? json(*ap.delegates) : json();
  // The viability threshold a chair announces before the first alignment (a satellite's D, and
  // so its threshold, follow from attendance).
  std::optional<Rational> share;
  if (ap.delegates && *ap.delegates > 0 && !ap.satellite) {
    share = state.ruleset().precinct.ThresholdFor(*ap.delegates);
  }
  out["threshold"] = share ? json(share->ToString()) : json();
  out["sde_per_delegate"] = ap.sde_per_delegate ? json(ap.sde_per_delegate->ToString()) : json();
  std::optional<std::string> district = ap.district;
  if (!district) {
    auto it = state.county_district().find(ap.county);
    if (it != state.county_district().end()) district = it->second;
  }
  out["district"] = district ? json(*district) : json();
  json reported = json::object();
  if (r.first) reported["first"] = state.FiguresJson(*r.first);
  if (r.final) reported["final"] = state.FiguresJson(*r.final);
  if (r.delegates) reported["delegates"] = state.FiguresJson(*r.delegates);
  out["reported"] = reported;
  out["channel"] = r.channel;
  // The worksheet with its lines and notes (the record keeps only its results).
  const std::optional<Allocation> worksheet = state.Worksheet(id, r);
  const Allocation* a = worksheet ? &*worksheet : nullptr;
  if (a != nullptr) {
    json viable = json::array();
    json locked = json::array();
    for (const WorksheetLine& line : a->lines) {
      if (r.final ? line.viable_final : line.viable_first) viable.push_back(names[line.candidate]);
      if (line.locked) locked.push_back(names[line.candidate]);
    }
    out["viability"] = {{"attendance", a->attendance},
                        {"threshold", a->threshold.ToString()},
                        {"threshold_head_count", a->threshold_head_count},
                        {"delegates", a->apportioned_delegates},
                        {"viable", viable},
                        {"locked", locked}};
  } else {
    out["viability"] = json();
  }
  out["computed"] = r.final && a != nullptr ? AllocationJson(*a, names) : json();
  if (r.final && !r.check->computed_sde.empty()) {
    json sde = json::object();
    for (size_t i = 0; i < names.size() && i < r.check->computed_sde.size(); ++i) {
      if (!r.check->computed_sde[i].is_zero()) {
        sde[names[i]] = r.check->computed_sde[i].ToDecimal(state.ruleset().precinct.sde_places);
      }
    }
    out["computed_sde"] = sde;
  } else {
    out["computed_sde"] = json();
  }
  json recorded = json::array();
  for (const TieOutcome& t : r.ties) {
    json tied = json::array();
    json favoured = json::array();
    for (CandidateIndex c : t.tied) tied.push_back(names[c]);
    for (CandidateIndex c : t.favoured) favoured.push_back(names[c]);
    recorded.push_back({{"tied", tied}, {"favoured", favoured}, {"detail", t.detail}});
  }
  out["ties"] = {
      {"pending",
       r.final && a != nullptr && a->pending_tie ? TieEventJson(*a->pending_tie, names) : json()},
      {"recorded", recorded}};
  json findings = json::array();
  for (const Finding& f : r.check->findings) findings.push_back(FindingJson(f));
  out["findings"] = findings;
  out["photos"] = r.photos;
  json attestations = json::array();
  for (const Attestation& at : r.attestations) {
    attestations.push_back({{"seq", at.seq},
                            {"campaign", at.campaign},
                            {"verdict", at.verdict},
                            {"reason", at.reason},
                            {"revision", at.revision}});
  }
  out["attestations"] = attestations;
  out["hotline_entries_pending"] = r.hotline.size();
  // Early-vote cards, when the precinct has any: what a campaign checks against the set it was
  // given (the cards themselves are on the ledger's early-votes-loaded event, `seq`), and the
  // worksheet's early part beside the people in the room (early_votes.h).
  if (r.early_votes) out["early_votes"] = EarlyVotesJson(state, r, a);
  if (with_history) out["events"] = r.events;
  return out;
}

json EarlyVotesJson(const ElectionState& state, const PrecinctRecord& r, const Allocation* a) {
  const EarlyVoteSet& set = *r.early_votes;
  const std::vector<std::string>& names = state.candidates();
  const size_t n = names.size();
  json out = {{"cards", set.cards.size()},
              {"void", set.void_count()},
              {"valid", set.valid.size()},
              {"hash", set.hash},
              {"seq", set.seq}};
  json void_cards = json::array();
  for (const EarlyVoteCardRecord& c : set.cards) {
    if (c.void_reason.empty()) continue;
    void_cards.push_back({{"id", c.id}, {"choices", c.choices}, {"reason", c.void_reason}});
  }
  out["void_cards"] = std::move(void_cards);
  std::vector<Count> first_choices(n, 0);
  for (const EarlyVoteCard& card : set.valid) {
    if (!card.choices.empty() && card.choices[0] < n) ++first_choices[card.choices[0]];
  }
  out["first_choices"] = state.FiguresJson(first_choices);
  if (a == nullptr || !r.first || r.first->size() != n) {
    out["worksheet"] = json();
    return out;
  }
  // The same count the allocation made (T, viability, where each card goes), kept apart from
  // the people in the room: `a` holds only their sums.
  const std::vector<Count>& in_person = *r.first;
  const EarlyVoteCounts counts =
      CountEarlyVotes(state.ruleset().precinct, set.valid, in_person, a->apportioned_delegates);
  std::vector<uint8_t> viable_final(n, 0);
  for (const WorksheetLine& line : a->lines) {
    if (line.candidate < n) viable_final[line.candidate] = line.viable_final;
  }
  // Rows for every group with anyone, in person or on a card, at either alignment.
  std::vector<size_t> rows;
  for (size_t i = 0; i < n; ++i) {
    const bool final_any = r.final && ((*r.final)[i] != 0 || counts.final[i] != 0);
    if (in_person[i] != 0 || counts.first[i] != 0 || final_any) rows.push_back(i);
  }
  auto alignment = [&](const std::vector<Count>& people, const std::vector<Count>& cards,
                       const std::vector<uint8_t>& viable) {
    json groups = json::array();
    for (size_t i : rows) {
      groups.push_back({{"candidate", names[i]},
                        {"in_person", people[i]},
                        {"early", cards[i]},
                        {"total", people[i] + cards[i]},
                        {"viable", viable[i] != 0}});
    }
    return groups;
  };
  Count people = 0;
  for (Count c : in_person) people += c;
  json viable = json::array();
  for (size_t i = 0; i < n; ++i) {
    if (counts.viable[i]) viable.push_back(names[i]);
  }
  json moves = json::array();
  for (const EarlyVoteMove& m : counts.moves) {
    moves.push_back({{"from", names[m.from]}, {"to", names[m.to]}, {"cards", m.cards}});
  }
  json worksheet = {{"delegates", a->apportioned_delegates},
                    {"attendance", counts.attendance},
                    {"in_person", people},
                    {"early", counts.valid_cards},
                    {"threshold", a->threshold.ToString()},
                    {"threshold_head_count", a->threshold_head_count},
                    {"viable", std::move(viable)},
                    {"first", alignment(in_person, counts.first, counts.viable)},
                    {"moves", std::move(moves)},
                    {"no_viable_choice",
                     {{"cards", counts.no_viable_choice_total},
                      {"by_first_choice", state.FiguresJson(counts.no_viable_choice)}}}};
  worksheet["final"] =
      r.final && r.final->size() == n ? alignment(*r.final, counts.final, viable_final) : json();
  out["worksheet"] = std::move(worksheet);
  return out;
}

}  // namespace canvass
