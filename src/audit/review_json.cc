#include "audit/review_json.h"

#include <fmt/format.h>

#include "audit/materiality.h"

namespace canvass {

using nlohmann::json;

namespace {

json OptionalFigures(const ElectionState& s, const std::optional<std::vector<Count>>& v) {
  return v ? s.FiguresJson(*v) : json(nullptr);
}

json EntryJson(const ElectionState& s, const RecanvassEntry& e) {
  json layers = json::array();
  if (!e.transcription.empty()) {
    layers.push_back({{"layer", "transcription"},
                      {"fields", e.transcription},
                      {"corrected", std::find(e.corrected_layers.begin(), e.corrected_layers.end(),
                                              "transcription") != e.corrected_layers.end()}});
  }
  if (e.rule_misapplication) {
    layers.push_back({{"layer", "rule-misapplication"},
                      {"rules_delegates", s.FiguresJson(e.rules_delegates)},
                      {"corrected", std::find(e.corrected_layers.begin(), e.corrected_layers.end(),
                                              "rule-misapplication") != e.corrected_layers.end()}});
  }
  if (e.count && e.kind == "recanvass") {
    layers.push_back({{"layer", "count"}, {"reason", e.count_reason}, {"corrected", false}});
  }
  if (!e.count_fields.empty()) {
    layers.push_back({{"layer", "count"}, {"fields", e.count_fields}, {"corrected", e.corrects}});
  }
  json recount = nullptr;
  if (e.kind == "recount") {
    recount = {{"cards", e.cards},
               {"unauditable", e.unauditable},
               {"custody", e.custody},
               {"rules_delegates",
                e.rules_delegates.empty() ? json(nullptr) : s.FiguresJson(e.rules_delegates)}};
  }
  return {
      {"seq", e.seq},
      {"kind", e.kind},
      {"recount", std::move(recount)},
      {"time", e.time},
      {"revision", e.revision},
      {"worksheet",
       {{"first", OptionalFigures(s, e.first)},
        {"final", OptionalFigures(s, e.final)},
        {"delegates", OptionalFigures(s, e.delegates)}}},
      {"photo", e.photo.empty() ? json(nullptr) : json(e.photo)},
      {"note", e.note},
      {"observers", e.observers},
      {"layers", std::move(layers)},
      {"agrees", e.transcription.empty() && !e.rule_misapplication && !e.count && !e.unauditable},
      {"correction",
       e.corrects ? json{{"first", OptionalFigures(s, e.correct_first)},
                         {"final", OptionalFigures(s, e.correct_final)},
                         {"delegates", OptionalFigures(s, e.correct_delegates)},
                         {"layers", e.corrected_layers},
                         {"seq", e.correction_seq == 0 ? json(nullptr) : json(e.correction_seq)}}
                  : json(nullptr)}};
}

json DecisionJson(const ReviewDecision& d) {
  return {{"seq", d.seq},           {"time", d.time},
          {"decision", d.decision}, {"reason", d.reason},
          {"late", d.late},         {"cost", d.cost.empty() ? json(nullptr) : json(d.cost)}};
}

}  // namespace

json ReviewsJson(const ElectionState& s) {
  // Eligibility is computed on the reported results as they stood when the request was filed
  // (ReviewRequest::election), on the reported side, for each precinct with claimed figures.
  const bool national = s.ruleset().national.has_value();
  json requests = json::array();
  for (const ReviewRequest& r : s.reviews()) {
    json precincts = json::array();
    for (const ReviewPrecinct& p : r.precincts) {
      const PrecinctApportionment& ap = s.precincts()[static_cast<size_t>(p.precinct - 1)];
      json claims = json::array();
      std::vector<ClaimedFigure> figures;
      for (const ReviewClaim& c : p.claims) {
        claims.push_back({{"field", c.field},
                          {"candidate", s.candidates()[c.candidate]},
                          {"reported", c.reported},
                          {"claimed", c.claimed}});
        figures.push_back({c.candidate,
                           c.field == "first"   ? ClaimField::kFirst
                           : c.field == "final" ? ClaimField::kFinal
                                                : ClaimField::kDelegates,
                           Rational(c.claimed)});
      }
      json eligibility = nullptr;
      if (!figures.empty() && national && r.election && r.checks) {
        auto e =
            CheckEligibility(s.ruleset(), *r.election, *r.checks, ap.county, ap.precinct, figures);
        eligibility = e.ok() ? EligibilityToJson(s.ruleset(), s.candidates(), *e)
                             : json{{"error", e.status().message()}};
      }
      json decisions = json::array();
      for (const ReviewDecision& d : p.decisions) decisions.push_back(DecisionJson(d));
      json entries = json::array();
      for (int64_t seq : p.entries) {
        auto it = s.recanvass_entries().find(seq);
        if (it != s.recanvass_entries().end()) entries.push_back(EntryJson(s, it->second));
      }
      const ReviewDecision* d = p.decision();
      json costs = nullptr;
      if (p.costs_due()) {
        const ReviewCosts* answered = p.costs_answer();
        costs = {{"amount", d->cost},
                 {"due", s.CostDeadline(p)},
                 {"answer", answered == nullptr ? json(nullptr)
                                                : json{{"seq", answered->seq},
                                                       {"time", answered->time},
                                                       {"accepted", answered->accepted}}}};
      }
      json schedule = nullptr;
      if (!p.schedule.empty()) {
        const ReviewSchedule& at = p.schedule.back();
        schedule = {{"seq", at.seq}, {"time", at.time}, {"at", at.at}, {"place", at.place}};
      }
      precincts.push_back({{"precinct", p.precinct},
                           {"county", ap.county},
                           {"name", ap.precinct},
                           {"reason", p.reason},
                           {"evidence", p.evidence},
                           {"claims", std::move(claims)},
                           {"eligibility", std::move(eligibility)},
                           {"decision", d != nullptr ? DecisionJson(*d) : json(nullptr)},
                           {"decisions", std::move(decisions)},
                           {"costs", std::move(costs)},
                           {"schedule", std::move(schedule)},
                           {"entries", std::move(entries)},
                           {"revision", s.precinct(p.precinct)->revision}});
    }
    requests.push_back({{"seq", r.seq},
                        {"time", r.time},
                        {"judged_on", r.election ? json(r.records_seq) : json(nullptr)},
                        {"kind", r.kind},
                        {"requester", r.requester},
                        {"reason", r.reason},
                        {"deadline", r.deadline},
                        {"precincts", std::move(precincts)}});
  }
  const std::string deadline = s.ReviewDeadline();
  return {{"seq", s.seq()},
          {"ruleset", {{"name", s.ruleset().name}, {"hash", s.ruleset().hash}}},
          {"review", s.ruleset().review ? ReviewRulesJson(*s.ruleset().review) : json(nullptr)},
          {"deadline", deadline.empty() ? json(nullptr) : json(deadline)},
          {"open", s.OpenReviews()},
          {"certified", s.certified_seq() == 0 ? json(nullptr) : json(s.certified_seq())},
          {"requests", std::move(requests)}};
}

Result<json> StateMaterialityJson(const ElectionState& s) {
  const Election election = s.ReportedElection();
  const std::vector<PrecinctCheck> checks = s.ReportedChecks();
  auto m = ComputeMateriality(s.ruleset(), election, checks);
  if (!m.ok()) return m.status();
  json out = MaterialityToJson(s.ruleset(), *m);
  out["seq"] = s.seq();
  return out;
}

}  // namespace canvass
