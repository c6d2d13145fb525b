#include "io/plan_body.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"

namespace canvass {
namespace {

using nlohmann::json;

// A whole-number ratio as large as Rational::Parse takes a written one.
constexpr uint64_t kMaxWholeRatio = 1'000'000'000'000;

PlanBodyError Error(std::string code, std::string message, std::string field) {
  return {std::move(code), std::move(message), std::move(field)};
}

std::string Member(std::string_view array, size_t i, std::string_view name) {
  return fmt::format("{}[{}].{}", array, i, name);
}

// A row must be an object with exactly `names` as members.
std::optional<PlanBodyError> CheckRow(const json& row, std::string_view array, size_t i,
                                      const std::vector<std::string_view>& names,
                                      const char* code) {
  const std::string where = fmt::format("{}[{}]", array, i);
  std::string want;
  for (std::string_view n : names) want += fmt::format("{}\"{}\"", want.empty() ? "" : ", ", n);
  if (!row.is_object()) {
    return Error(code, fmt::format("{} must be an object with {}", where, want), where);
  }
  for (const auto& [key, value] : row.items()) {
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      return Error(code, fmt::format("{} has a member \"{}\"; a row has {}", where, key, want),
                   where + "." + key);
    }
  }
  for (std::string_view n : names) {
    if (!row.contains(n)) {
      return Error(code, fmt::format("{} has no \"{}\"", where, n), Member(array, i, n));
    }
  }
  return std::nullopt;
}

// A name cell: a string, normalised as the CSV's are; empty only where `may_be_empty`.
std::variant<std::string, PlanBodyError> Name(const json& v, const std::string& field,
                                              bool may_be_empty, const char* code) {
  if (!v.is_string()) return Error(code, fmt::format("{} must be a string", field), field);
  std::string name = NormaliseName(v.get<std::string>());
  if (name.empty() && !may_be_empty) {
    return Error(code, fmt::format("{} is empty", field), field);
  }
  return name;
}

// A whole number in 0..max. `negative_code` and `range_code` say which refusal is which.
std::variant<Count, PlanBodyError> WholeNumber(const json& v, const std::string& field, Count max,
                                               const char* negative_code, const char* range_code) {
  if (!v.is_number_integer()) {
    return Error(range_code, fmt::format("{} must be a whole number", field), field);
  }
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(max)) {
    return Error(range_code, fmt::format("{} is {}, more than {}", field, v.dump(), max), field);
  }
  const int64_t n = v.get<int64_t>();
  if (n < 0) return Error(negative_code, fmt::format("{} is negative ({})", field, n), field);
  if (n > max)
    return Error(range_code, fmt::format("{} is {}, more than {}", field, n, max), field);
  return n;
}

std::optional<PlanBodyError> ParsePlan(const json& rows, PlanFile& plan) {
  constexpr const char* kCode = "plan-malformed";
  if (!rows.is_array() || rows.empty()) {
    return Error(kCode,
                 "\"plan\" must be an array of rows {\"district\", \"pool\", \"seats\"}: one "
                 "with an empty pool for the district's seats, one per sub-pool",
                 "plan");
  }
  std::map<std::string, size_t> seen;
  std::optional<size_t> district_row;
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    if (auto e = CheckRow(row, "plan", i, {"district", "pool", "seats"}, kCode)) return e;
    auto district = Name(row["district"], Member("plan", i, "district"), false, kCode);
    if (auto* e = std::get_if<PlanBodyError>(&district)) return *e;
    const std::string& d = std::get<std::string>(district);
    if (!plan.district.empty() && d != plan.district) {
      return Error(kCode,
                   fmt::format("plan[{}].district is \"{}\": a plan is for one district, and the "
                               "first row names \"{}\"",
                               i, d, plan.district),
                   Member("plan", i, "district"));
    }
    plan.district = d;
    auto pool = Name(row["pool"], Member("plan", i, "pool"), true, kCode);
    if (auto* e = std::get_if<PlanBodyError>(&pool)) return *e;
    const std::string& p = std::get<std::string>(pool);
    auto seats = WholeNumber(row["seats"], Member("plan", i, "seats"), kMaxConventionSeats,
                             "seats-out-of-range", "seats-out-of-range");
    if (auto* e = std::get_if<PlanBodyError>(&seats)) return *e;
    const Count s = std::get<Count>(seats);
    if (s == 0) {
      return Error("seats-out-of-range",
                   p.empty() ? std::string("the district has no seats")
                             : fmt::format("sub-pool \"{}\" has no seats", p),
                   Member("plan", i, "seats"));
    }
    if (p.empty()) {
      if (district_row) {
        return Error(kCode,
                     fmt::format("plan[{}] is a second row for the district's own seats (the "
                                 "first is plan[{}]); a sub-pool's row names its pool",
                                 i, *district_row),
                     Member("plan", i, "pool"));
      }
      district_row = i;
      plan.seats = s;
      plan.district_line = static_cast<int64_t>(i);
      continue;
    }
    if (auto [it, fresh] = seen.emplace(p, i); !fresh) {
      return Error(
          "duplicate-sub-pool",
          fmt::format("sub-pool \"{}\" appears twice (plan[{}] and plan[{}])", p, it->second, i),
          Member("plan", i, "pool"));
    }
    if (seen.size() > kMaxPlanBodySubPools) {
      return Error("too-many-sub-pools",
                   fmt::format("more than {} sub-pools; the analysis takes at most {}",
                               kMaxPlanBodySubPools, kMaxPlanBodySubPools),
                   "plan");
    }
    plan.pools.push_back({p, s, static_cast<int64_t>(i)});
  }
  if (!district_row) {
    return Error(kCode,
                 fmt::format("no row gives district {}'s own seats (a row with an empty pool: "
                             "{{\"district\": \"{}\", \"pool\": \"\", \"seats\": 5}})",
                             plan.district, plan.district),
                 "plan");
  }
  if (plan.pools.empty()) return Error(kCode, "the plan has no sub-pools", "plan");
  Count sum = 0;
  for (const PlanPoolRow& p : plan.pools) sum += p.seats;
  if (sum != plan.seats) {
    return Error("plan-seats-mismatch",
                 fmt::format("the sub-pools' seats add up to {}, but district {} has {}", sum,
                             plan.district, plan.seats),
                 Member("plan", *district_row, "seats"));
  }
  return std::nullopt;
}

std::optional<PlanBodyError> ParseVotes(const json& rows, const PlanFile& plan,
                                        PlanVotesFile& out) {
  constexpr const char* kCode = "votes-malformed";
  if (!rows.is_array() || rows.empty()) {
    return Error(kCode,
                 "\"votes\" must be an array of rows {\"pool\", \"unit\", \"candidate\", "
                 "\"votes\"}",
                 "votes");
  }
  if (rows.size() > kMaxPlanBodyVoteRows) {
    return Error("too-many-vote-rows",
                 fmt::format("{} vote rows; the analysis takes at most {}", rows.size(),
                             kMaxPlanBodyVoteRows),
                 "votes");
  }
  std::map<std::string, size_t> pool_index;
  for (size_t k = 0; k < plan.pools.size(); ++k) pool_index[plan.pools[k].name] = k;
  out.pools.assign(plan.pools.size(), {});
  std::map<std::string, std::pair<size_t, size_t>> unit_pool;  // unit -> (pool, row)
  std::map<std::pair<std::string, std::string>, size_t> seen;
  std::map<std::string, size_t> candidate_index;
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    if (auto e = CheckRow(row, "votes", i, {"pool", "unit", "candidate", "votes"}, kCode)) {
      return e;
    }
    auto pool = Name(row["pool"], Member("votes", i, "pool"), false, kCode);
    if (auto* e = std::get_if<PlanBodyError>(&pool)) return *e;
    auto it = pool_index.find(std::get<std::string>(pool));
    if (it == pool_index.end()) {
      std::string known;
      for (const PlanPoolRow& p : plan.pools) known += (known.empty() ? "" : ", ") + p.name;
      return Error("unknown-sub-pool",
                   fmt::format("votes[{}]: unknown sub-pool \"{}\"; the plan's are {}", i,
                               std::get<std::string>(pool), known),
                   Member("votes", i, "pool"));
    }
    auto unit = Name(row["unit"], Member("votes", i, "unit"), false, kCode);
    if (auto* e = std::get_if<PlanBodyError>(&unit)) return *e;
    auto candidate = Name(row["candidate"], Member("votes", i, "candidate"), false, kCode);
    if (auto* e = std::get_if<PlanBodyError>(&candidate)) return *e;
    auto votes = WholeNumber(row["votes"], Member("votes", i, "votes"), kMaxConventionVotes,
                             "negative-votes", "votes-out-of-range");
    if (auto* e = std::get_if<PlanBodyError>(&votes)) return *e;
    const std::string& u = std::get<std::string>(unit);
    const std::string& c = std::get<std::string>(candidate);
    if (auto [up, fresh] = unit_pool.emplace(u, std::make_pair(it->second, i));
        !fresh && up->second.first != it->second) {
      return Error("unit-in-two-sub-pools",
                   fmt::format("unit \"{}\" is in sub-pool {} in votes[{}] and in {} in votes[{}]",
                               u, plan.pools[up->second.first].name, up->second.second,
                               plan.pools[it->second].name, i),
                   Member("votes", i, "pool"));
    }
    if (auto [s, fresh] = seen.emplace(std::make_pair(u, c), i); !fresh) {
      return Error("duplicate-vote-row",
                   fmt::format("{} has a second row for unit \"{}\" (votes[{}] and votes[{}])", c,
                               u, s->second, i),
                   Member("votes", i, "candidate"));
    }
    auto [ci, added] = candidate_index.emplace(c, out.candidates.size());
    if (added) {
      if (out.candidates.size() == kMaxPlanBodyCandidates) {
        return Error("too-many-candidates",
                     fmt::format("votes[{}] names a candidate beyond the {} the analysis takes", i,
                                 kMaxPlanBodyCandidates),
                     Member("votes", i, "candidate"));
      }
      out.candidates.push_back(c);
      for (std::vector<Count>& p : out.pools) p.push_back(0);
    }
    out.pools[it->second][ci->second] += std::get<Count>(votes);
  }
  return std::nullopt;
}

}  // namespace

std::variant<PlanBody, PlanBodyError> ParsePlanBody(const json& body) {
  if (!body.is_object()) {
    return Error("body-malformed", "the body must be a JSON object with \"plan\" and \"votes\"",
                 "");
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "plan" && key != "votes" && key != "seats_per_voter_ratio" && key != "lots") {
      return Error("body-malformed",
                   fmt::format("the body has a member \"{}\"; it takes \"plan\", \"votes\", "
                               "\"seats_per_voter_ratio\" and \"lots\"",
                               key),
                   key);
    }
  }
  PlanBody out;
  if (!body.contains("plan")) {
    return Error("plan-malformed", "the body has no \"plan\"", "plan");
  }
  if (auto e = ParsePlan(body["plan"], out.plan)) return *e;
  if (!body.contains("votes")) {
    return Error("votes-malformed", "the body has no \"votes\"", "votes");
  }
  if (auto e = ParseVotes(body["votes"], out.plan, out.votes)) return *e;

  if (body.contains("seats_per_voter_ratio")) {
    const json& r = body["seats_per_voter_ratio"];
    std::optional<Rational> ratio;
    if (r.is_string()) {
      auto parsed = Rational::Parse(Trim(r.get<std::string>()));
      if (parsed.ok()) ratio = *parsed;
    } else if (r.is_number_unsigned() && r.get<uint64_t>() <= kMaxWholeRatio) {
      ratio = Rational(static_cast<int64_t>(r.get<uint64_t>()));
    }
    if (!ratio || *ratio < Rational(1)) {
      return Error("bad-ratio",
                   fmt::format("seats_per_voter_ratio is {}: expected a number of at least 1, as "
                               "a string like \"1.25\" or \"5/4\"",
                               r.dump()),
                   "seats_per_voter_ratio");
    }
    out.seats_per_voter_ratio = *ratio;
  }

  if (body.contains("lots")) {
    const json& lots = body["lots"];
    if (!lots.is_array()) {
      return Error("lots-malformed", "lots must be an array of candidates' names", "lots");
    }
    for (size_t i = 0; i < lots.size(); ++i) {
      const std::string field = fmt::format("lots[{}]", i);
      auto name = Name(lots[i], field, false, "lots-malformed");
      if (auto* e = std::get_if<PlanBodyError>(&name)) return *e;
      const std::string& n = std::get<std::string>(name);
      auto it = std::find(out.votes.candidates.begin(), out.votes.candidates.end(), n);
      if (it == out.votes.candidates.end()) {
        std::string known;
        for (const std::string& c : out.votes.candidates) known += (known.empty() ? "" : ", ") + c;
        return Error("unknown-candidate",
                     fmt::format("{} is \"{}\", who has no votes in this plan; the candidates are "
                                 "{}",
                                 field, n, known),
                     field);
      }
      const auto index = static_cast<uint32_t>(it - out.votes.candidates.begin());
      if (std::find(out.lots.begin(), out.lots.end(), index) != out.lots.end()) {
        return Error("lots-malformed", fmt::format("{}: \"{}\" is drawn twice", field, n), field);
      }
      out.lots.push_back(index);
    }
  }
  return out;
}

}  // namespace canvass
