#include "io/convention_inputs.h"

#include <map>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"
#include "io/csv.h"
#include "io/values.h"

namespace canvass {
namespace {

// The header must be exactly `names` (each cell trimmed).
Status ExpectHeader(CsvReader& r, const std::vector<std::string_view>& names) {
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  std::string want;
  for (std::string_view n : names) {
    if (!want.empty()) want.push_back(',');
    want.append(n);
  }
  if (!has) return r.ErrorAt(1, 1, "empty file: expected the header " + want);
  if (r.size() != names.size()) {
    return r.ErrorAt(1, 1, fmt::format("the header has {} columns; expected {}", r.size(), want));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (Trim(r[i]) != names[i]) {
      return r.FieldError(i, fmt::format("column {} is \"{}\"; expected the header {}", i + 1,
                                         std::string(Trim(r[i])), want));
    }
  }
  return Status::Ok();
}

Result<std::string> NameCell(const CsvReader& r, size_t i, std::string_view column) {
  std::string v = NormaliseName(r[i]);
  if (v.empty()) return r.FieldError(i, fmt::format("column \"{}\": empty", column));
  return v;
}

Result<Count> CountCell(const CsvReader& r, size_t i, std::string_view column, Count max) {
  auto v = ParseCount(Trim(r[i]), max);
  if (!v.ok())
    return r.FieldError(i, fmt::format("column \"{}\": {}", column, v.status().message()));
  return *v;
}

}  // namespace

Result<PlanFile> ParsePlanCsv(std::string_view text, const std::string& origin) {
  CsvReader r(text, origin);
  CANVASS_RETURN_IF_ERROR(ExpectHeader(r, {"district", "pool", "seats"}));
  PlanFile plan;
  std::map<std::string, int64_t> seen;
  int64_t district_column = 0;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    auto district = NameCell(r, 0, "district");
    if (!district.ok()) return district.status();
    if (!plan.district.empty() && *district != plan.district) {
      return r.FieldError(0, fmt::format("district \"{}\": a plan is for one district, and this "
                                         "one's rows name \"{}\"",
                                         *district, plan.district));
    }
    plan.district = *district;
    auto seats = CountCell(r, 2, "seats", kMaxConventionSeats);
    if (!seats.ok()) return seats.status();
    const std::string pool = NormaliseName(r[1]);
    if (pool.empty()) {
      if (plan.district_line != 0) {
        return r.FieldError(1, fmt::format("a second row for the district's own seats (the first "
                                           "is on line {}); sub-pool rows name their pool",
                                           plan.district_line));
      }
      if (*seats == 0) return r.FieldError(2, "column \"seats\": the district has no seats");
      plan.seats = *seats;
      plan.district_line = r.line();
      district_column = r.field_column(2);
      continue;
    }
    if (*seats == 0) {
      return r.FieldError(2, fmt::format("column \"seats\": sub-pool \"{}\" has no seats", pool));
    }
    if (auto [it, fresh] = seen.emplace(pool, r.line()); !fresh) {
      return r.FieldError(
          1, fmt::format("sub-pool \"{}\" appears twice (first on line {})", pool, it->second));
    }
    plan.pools.push_back({pool, *seats, r.line()});
  }
  if (plan.district.empty()) return r.ErrorAt(2, 1, "no rows: the plan has a header only");
  if (plan.district_line == 0) {
    return r.ErrorAt(2, 1,
                     fmt::format("no row gives district {}'s own seats (a row with an empty "
                                 "pool: \"{},,5\")",
                                 plan.district, plan.district));
  }
  if (plan.pools.empty()) {
    return r.ErrorAt(plan.district_line, 1, "the plan has no sub-pools");
  }
  Count sum = 0;
  for (const PlanPoolRow& p : plan.pools) sum += p.seats;
  if (sum != plan.seats) {
    return r.ErrorAt(plan.district_line, district_column,
                     fmt::format("the sub-pools' seats add up to {} (lines {}-{}), but district {} "
                                 "has {}",
                                 sum, plan.pools.front().line, plan.pools.back().line,
                                 plan.district, plan.seats));
  }
  return plan;
}

Result<PlanVotesFile> ParsePlanVotesCsv(std::string_view text, const std::string& origin,
                                        const PlanFile& plan) {
  std::map<std::string, size_t> pool_index;
  for (size_t k = 0; k < plan.pools.size(); ++k) pool_index[plan.pools[k].name] = k;
  CsvReader r(text, origin);
  CANVASS_RETURN_IF_ERROR(ExpectHeader(r, {"pool", "unit", "candidate", "votes"}));
  PlanVotesFile out;
  out.pools.assign(plan.pools.size(), {});
  std::map<std::string, std::pair<size_t, int64_t>> unit_pool;  // unit -> (pool, line)
  std::map<std::pair<std::string, std::string>, int64_t> seen;
  std::map<std::string, size_t> candidate_index;
  bool any = false;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    any = true;
    auto pool = NameCell(r, 0, "pool");
    if (!pool.ok()) return pool.status();
    auto it = pool_index.find(*pool);
    if (it == pool_index.end()) {
      std::string known;
      for (const PlanPoolRow& p : plan.pools) known += (known.empty() ? "" : ", ") + p.name;
      return r.FieldError(0,
                          fmt::format("unknown sub-pool \"{}\": the plan's are {}", *pool, known));
    }
    auto unit = NameCell(r, 1, "unit");
    if (!unit.ok()) return unit.status();
    auto candidate = NameCell(r, 2, "candidate");
    if (!candidate.ok()) return candidate.status();
    auto votes = CountCell(r, 3, "votes", kMaxConventionVotes);
    if (!votes.ok()) return votes.status();
    if (auto [u, fresh] = unit_pool.emplace(*unit, std::make_pair(it->second, r.line()));
        !fresh && u->second.first != it->second) {
      return r.FieldError(
          0, fmt::format("unit \"{}\" is in sub-pool {} on line {} and in {} here", *unit,
                         plan.pools[u->second.first].name, u->second.second, *pool));
    }
    if (auto [s, fresh] = seen.emplace(std::make_pair(*unit, *candidate), r.line()); !fresh) {
      return r.FieldError(2, fmt::format("{} has a second row for unit \"{}\" (first on line {})",
                                         *candidate, *unit, s->second));
    }
    auto [c, added] = candidate_index.emplace(*candidate, out.candidates.size());
    if (added) {
      out.candidates.push_back(*candidate);
      for (std::vector<Count>& p : out.pools) p.push_back(0);
    }
    out.pools[it->second][c->second] += *votes;
  }
  if (!any) return r.ErrorAt(2, 1, "no votes: the file has a header only");
  return out;
}

Result<ConventionBallots> ParseConventionBallotsCsv(std::string_view text,
                                                    const std::string& origin) {
  CsvReader r(text, origin);
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  if (!has) return r.ErrorAt(1, 1, "empty file: expected the header option,votes or count,ranking");
  ConventionBallots out;
  if (r.size() == 2 && Trim(r[0]) == "option" && Trim(r[1]) == "votes") {
    out.ranked = false;
  } else if (r.size() == 2 && Trim(r[0]) == "count" && Trim(r[1]) == "ranking") {
    out.ranked = true;
  } else {
    return r.ErrorAt(1, 1,
                     "the header must be option,votes (tallies) or count,ranking (ranked "
                     "ballots)");
  }
  std::map<std::string, size_t> index;
  std::map<std::string, int64_t> tally_line;
  auto option = [&](const std::string& name) {
    auto [it, added] = index.emplace(name, out.options.size());
    if (added) out.options.push_back(name);
    return static_cast<uint32_t>(it->second);
  };
  Count ballots = 0;
  for (;;) {
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    if (!out.ranked) {
      auto name = NameCell(r, 0, "option");
      if (!name.ok()) return name.status();
      auto votes = CountCell(r, 1, "votes", kMaxConventionVotes);
      if (!votes.ok()) return votes.status();
      if (auto [it, fresh] = tally_line.emplace(*name, r.line()); !fresh) {
        return r.FieldError(
            0, fmt::format("\"{}\" has a second tally (first on line {})", *name, it->second));
      }
      option(*name);
      out.tallies.push_back(*votes);
      continue;
    }
    auto count = CountCell(r, 0, "count", kMaxConventionVotes);
    if (!count.ok()) return count.status();
    if (*count == 0) return r.FieldError(0, "column \"count\": 0 ballots");
    ballots += *count;
    if (ballots > kMaxConventionVotes) {
      return r.FieldError(0, fmt::format("more than {} ballots in all", kMaxConventionVotes));
    }
    RankedRow row;
    row.count = *count;
    row.line = r.line();
    const std::string_view ranking = Trim(r[1]);
    if (ranking.empty()) return r.FieldError(1, "column \"ranking\": the ballot ranks nobody");
    for (std::string_view part : Split(ranking, '>')) {
      const std::string name = NormaliseName(part);
      if (name.empty()) {
        return r.FieldError(1, fmt::format("column \"ranking\": an empty name in \"{}\" (names "
                                           "are separated by >)",
                                           std::string(ranking)));
      }
      const uint32_t o = option(name);
      for (uint32_t earlier : row.ranking) {
        if (earlier == o) {
          return r.FieldError(1, fmt::format("column \"ranking\": {} is ranked twice", name));
        }
      }
      row.ranking.push_back(o);
    }
    out.ballots.push_back(std::move(row));
  }
  if (out.options.empty()) return r.ErrorAt(2, 1, "no votes: the file has a header only");
  return out;
}

Result<std::vector<NomineeRow>> ParseNomineesCsv(std::string_view text, const std::string& origin) {
  CsvReader r(text, origin);
  CANVASS_RETURN_IF_ERROR(ExpectHeader(r, {"list", "name", "gender"}));
  std::vector<NomineeRow> rows;
  std::map<std::string, int64_t> seen;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    auto list = NameCell(r, 0, "list");
    if (!list.ok()) return list.status();
    auto name = NameCell(r, 1, "name");
    if (!name.ok()) return name.status();
    if (auto [it, fresh] = seen.emplace(*name, r.line()); !fresh) {
      return r.FieldError(1,
                          fmt::format("{} is named twice (first on line {})", *name, it->second));
    }
    rows.push_back({*list, *name, std::string(Trim(r[2])), r.line(), r.field_column(2)});
  }
  if (rows.empty()) return r.ErrorAt(2, 1, "no nominees: the file has a header only");
  return rows;
}

}  // namespace canvass
