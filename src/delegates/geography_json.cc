#include "delegates/geography_json.h"

#include <string>
#include <vector>

namespace canvass {
namespace {

nlohmann::json Exact(const WideFraction& w) {
  return {{"exact", w.ToString()}, {"decimal", w.ToDecimal(6)}};
}

nlohmann::json IndicesJson(const DisproportionIndices& d) {
  return {{"loosemore_hanby", d.loosemore_hanby.ToString()},
          {"gallagher_square", d.gallagher_square.ToString()},
          {"gallagher", d.gallagher}};
}

nlohmann::json WasteJson(const WasteFigures& w, const std::vector<std::string>& names) {
  nlohmann::json per = nlohmann::json::object();
  for (size_t i = 0; i < names.size(); ++i) {
    per[names[i]] = {{"wasted", Exact(w.wasted[i])}, {"excess", Exact(w.excess[i])}};
  }
  nlohmann::json j = {{"total_wasted", Exact(w.total)}, {"candidates", per}};
  if (w.gap) j["gap"] = Exact(*w.gap);
  return j;
}

}  // namespace

nlohmann::json GeographyAnalysisToJson(const GeographyAnalysis& a) {
  nlohmann::json pools = nlohmann::json::array();
  auto pool_json = [&](const PoolAllocation& p) {
    nlohmann::json seats = nlohmann::json::object();
    nlohmann::json shares = nlohmann::json::object();
    for (size_t i = 0; i < a.candidates.size(); ++i) {
      seats[a.candidates[i]] = p.delegates[i];
      shares[a.candidates[i]] = p.shares[i].ToDecimal(4);
    }
    return nlohmann::json{
        {"pool", p.name},   {"seats", p.size},     {"votes", p.total_vote.ToString()},
        {"shares", shares}, {"allocation", seats}, {"fallback_applied", p.fallback_applied}};
  };
  for (const PoolAllocation& p : a.pools) pools.push_back(pool_json(p));
  nlohmann::json candidates = nlohmann::json::array();
  const Rational m(a.plan.seats);
  for (size_t i = 0; i < a.candidates.size(); ++i) {
    candidates.push_back({{"candidate", a.candidates[i]},
                          {"votes", a.candidate_votes[i]},
                          {"share", a.vote_shares[i].ToString()},
                          {"proportional", (m * a.vote_shares[i]).ToString()},
                          {"plan_seats", a.plan_seats[i]},
                          {"one_pool_seats", a.baseline_seats[i]},
                          {"bonus", a.bonus[i].ToString()},
                          {"one_pool_bonus", a.baseline_bonus[i].ToString()},
                          {"map_effect", a.map_effect[i]}});
  }
  nlohmann::json j = {{"district", a.plan.district},
                      {"seats", a.plan.seats},
                      {"votes", a.total_votes},
                      {"sub_pools", pools},
                      {"one_pool", pool_json(a.baseline)},
                      {"candidates", candidates},
                      {"plan", IndicesJson(a.plan_indices)},
                      {"one_pool_indices", IndicesJson(a.baseline_indices)},
                      {"waste_droop", WasteJson(a.droop, a.candidates)},
                      {"waste_hare", WasteJson(a.hare, a.candidates)},
                      {"one_pool_waste_droop", WasteJson(a.baseline_droop, a.candidates)},
                      {"warnings", a.warnings},
                      {"notes", a.notes}};
  if (a.eg_star) j["eg_star"] = Exact(*a.eg_star);
  if (a.eg_delta) j["eg_delta"] = Exact(*a.eg_delta);
  return j;
}

}  // namespace canvass
