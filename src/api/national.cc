#include "api/national.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "api/api.h"
#include "delegates/national_json.h"
#include "delegates/tracker.h"
#include "io/importers.h"
#include "publish/release.h"

namespace canvass {
namespace {

using nlohmann::json;

constexpr const char* kDefaultRules = "dnc-2020";
constexpr const char* kDefaultState = "Iowa";

std::string_view SideName(NationalSide side) {
  switch (side) {
    case NationalSide::kHeadline:
      return "headline";
    case NationalSide::kComputed:
      return "computed";
    case NationalSide::kReported:
      return "reported";
  }
  return "";
}

// The inputs for a count with the election's state live: the election's state gets rows from
// its ruleset's pools when the delegates file lacks it, and loses its votes rows (the election
// is the authority on its own state, even where its pools are not yet allocated).
NationalInputs LiveInputs(const NationalSetup& setup, const Ruleset& election_rules) {
  NationalInputs in = setup.inputs;
  if (in.delegates_origin.empty()) in.delegates_origin = "the election's ruleset";
  const bool listed = std::any_of(in.delegates.begin(), in.delegates.end(),
                                  [&](const DelegateRow& d) { return d.state == setup.state; });
  if (!listed && election_rules.national) {
    for (const NationalPool& p : election_rules.national->pools) {
      DelegateRow row;
      row.state = setup.state;
      row.pool = p.name;
      row.delegates = p.size;
      if (p.scope == PoolScope::kDistrict) {
        row.kind = DelegateKind::kDistrict;
      } else {
        std::string lower = p.name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        row.kind = lower == "pleo" ? DelegateKind::kPleo : DelegateKind::kAtLarge;
      }
      in.delegates.push_back(std::move(row));
    }
  }
  std::erase_if(in.votes, [&](const VoteRow& v) { return v.state == setup.state; });
  in.published.clear();
  return in;
}

// The election's pools of one side, named as the delegates file names them; no pools when the
// side has no national allocation yet (its precincts lack the basis figure).
Result<AllocatedState> Allocated(const NationalSetup& setup, const NationalInputs& in,
                                 const Ruleset& election_rules,
                                 const std::vector<std::string>& candidates, const Totals& totals,
                                 std::string_view side) {
  AllocatedState a;
  a.state = setup.state;
  a.candidates = candidates;
  a.basis = std::string(side);
  if (!totals.national || !election_rules.national) return a;
  for (const PoolAllocation& pool : totals.national->pools) {
    const auto& defined = election_rules.national->pools;
    auto np = std::find_if(defined.begin(), defined.end(),
                           [&](const NationalPool& p) { return p.name == pool.name; });
    if (np == defined.end()) {
      return Status::FailedPrecondition(fmt::format("the tabulation's pool {} is not in ruleset {}",
                                                    pool.name, election_rules.name));
    }
    const std::string name = MatchPoolName(in.delegates, setup.state, *np);
    if (name.empty()) {
      return Status::FailedPrecondition(
          fmt::format("the election's pool {} has no pool of {} in {}", pool.name, setup.state,
                      in.delegates_origin));
    }
    a.pools.push_back(pool);
    a.pools.back().name = name;
  }
  return a;
}

const Totals* SideTotals(const Tabulation& tab, NationalSide side) {
  switch (side) {
    case NationalSide::kComputed:
      return &tab.computed;
    case NationalSide::kReported:
      return &tab.reported;
    case NationalSide::kHeadline:
      break;
  }
  return tab.computed_is_complete() ? &tab.computed : &tab.reported;
}

json CalendarJson(const NationalInputs& in) {
  json out = json::array();
  for (const CalendarRow& c : in.calendar) out.push_back({{"state", c.state}, {"date", c.date}});
  return out;
}

}  // namespace

Result<std::shared_ptr<const NationalSetup>> LoadNationalSetup(const std::string& rules,
                                                               const std::string& state,
                                                               const std::string& delegates_path,
                                                               const std::string& votes_path,
                                                               const std::string& calendar_path) {
  auto setup = std::make_shared<NationalSetup>();
  auto loaded = LoadRuleset(rules.empty() ? kDefaultRules : rules);
  if (!loaded.ok())
    return Status::InvalidArgument("--national-rules: " + loaded.status().message());
  if (!loaded->national || !loaded->convention) {
    return Status::InvalidArgument(fmt::format(
        "--national-rules: ruleset {} has no [national] and [convention] tables", loaded->name));
  }
  setup->rules = std::move(loaded).value();
  setup->state = state.empty() ? kDefaultState : state;
  if (delegates_path.empty()) {
    if (!votes_path.empty() || !calendar_path.empty()) {
      return Status::InvalidArgument(
          "--national-votes and --national-calendar need --national-delegates");
    }
    return std::shared_ptr<const NationalSetup>(std::move(setup));
  }
  NationalInputs& in = setup->inputs;
  in.delegates_origin = delegates_path;
  auto dtext = ReadFile(delegates_path);
  if (!dtext.ok()) return dtext.status();
  auto d = ParseDelegatesCsv(*dtext, delegates_path);
  if (!d.ok()) return d.status();
  in.delegates = std::move(d).value();
  if (!votes_path.empty()) {
    in.votes_origin = votes_path;
    auto vtext = ReadFile(votes_path);
    if (!vtext.ok()) return vtext.status();
    auto v = ParseVotesCsv(*vtext, votes_path, in.delegates);
    if (!v.ok()) return v.status();
    in.votes = std::move(v).value();
  }
  if (!calendar_path.empty()) {
    in.calendar_origin = calendar_path;
    auto ctext = ReadFile(calendar_path);
    if (!ctext.ok()) return ctext.status();
    auto c = ParseCalendarCsv(*ctext, calendar_path, in.delegates);
    if (!c.ok()) return c.status();
    in.calendar = std::move(c).value();
  }
  return std::shared_ptr<const NationalSetup>(std::move(setup));
}

Result<nlohmann::json> LiveNationalJson(const NationalSetup& setup, const Ruleset& election_rules,
                                        const std::vector<std::string>& candidates,
                                        const Tabulation& tab, NationalSide side) {
  const NationalInputs in = LiveInputs(setup, election_rules);
  auto count_with = [&](const Totals& totals, std::string_view name) -> Result<NationalCount> {
    auto a = Allocated(setup, in, election_rules, candidates, totals, name);
    if (!a.ok()) return a.status();
    return CountNational(setup.rules, in, {std::move(a).value()});
  };
  const Totals* chosen = SideTotals(tab, side);
  const std::string_view chosen_name = chosen == &tab.computed ? "computed" : "reported";
  auto count = count_with(*chosen, chosen_name);
  if (!count.ok()) return count.status();
  json election = json::object();
  for (NationalSide s : {NationalSide::kComputed, NationalSide::kReported}) {
    const Totals* totals = SideTotals(tab, s);
    auto c = totals == chosen ? count : count_with(*totals, SideName(s));
    if (!c.ok()) return c.status();
    json row = nullptr;
    for (const TrackedState& st : c->states) {
      if (st.state == setup.state) row = TrackedStateToJson(*c, st);
    }
    election[std::string(SideName(s))] = totals->national ? row : json(nullptr);
  }
  return json{{"state", setup.state},
              {"side", chosen_name},
              {"asked", SideName(side)},
              {"precincts",
               {{"expected", tab.precincts_expected},
                {"computed", tab.computed.national_precincts},
                {"reported", tab.reported.national_precincts},
                {"computed_complete", tab.computed_is_complete()}}},
              {"calendar", CalendarJson(in)},
              {"national", NationalCountToJson(*count)},
              {"election", election}};
}

Result<nlohmann::json> LiveNationalJsonWithoutElection(const NationalSetup& setup) {
  auto count = CountNational(setup.rules, setup.inputs);
  if (!count.ok()) return count.status();
  return json{{"state", setup.state},
              {"side", nullptr},
              {"calendar", CalendarJson(setup.inputs)},
              {"national", NationalCountToJson(*count)},
              {"election", nullptr}};
}

HttpResponse Api::National(const Call& c) {
  const HttpRequest& req = c.req;
  NationalSide side = NationalSide::kHeadline;
  if (auto it = req.query.find("side"); it != req.query.end()) {
    if (it->second == "computed") {
      side = NationalSide::kComputed;
    } else if (it->second == "reported") {
      side = NationalSide::kReported;
    } else if (it->second != "headline") {
      return HttpResponse::Error(
          400, "malformed-query",
          fmt::format("side must be headline, computed or reported, not \"{}\"", it->second),
          "side");
    }
  }
  const int64_t seq = intake_.Read([](const ElectionState& s) { return s.seq(); });
  std::shared_ptr<const std::string> body;
  int64_t body_seq = -1;
  {
    std::unique_lock lock(national_.mu);
    if (national_.setup == nullptr) {
      if (options_.national != nullptr) {
        national_.setup = options_.national;
      } else {
        auto loaded = LoadNationalSetup(kDefaultRules, kDefaultState, "", "", "");
        if (!loaded.ok()) {
          return HttpResponse::Error(500, "national-unavailable", loaded.status().message());
        }
        national_.setup = std::move(loaded).value();
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (national_.seq != seq && now - national_.built >= options_.results_max_age) {
      national_.bodies.clear();
    }
    auto it = national_.bodies.find(side);
    if (it == national_.bodies.end()) {
      const NationalSetup& setup = *national_.setup;
      auto built = intake_.Read([&](const ElectionState& s) -> std::pair<int64_t, Result<json>> {
        if (!s.created()) return {s.seq(), LiveNationalJsonWithoutElection(setup)};
        auto tab =
            Tabulate(s.ruleset(), s.ReportedReports(), {&s.precincts(), &s.county_district()},
                     s.ReportedCheckRefs(), {}, ReportedCards(s, s.ReportedIds()));
        if (!tab.ok()) return {s.seq(), tab.status()};
        auto out = LiveNationalJson(setup, s.ruleset(), s.candidates(), *tab, side);
        if (out.ok()) (*out)["ledger"] = {{"seq", s.seq()}, {"head", s.head_hash()}};
        return {s.seq(), std::move(out)};
      });
      if (!built.second.ok()) {
        return HttpResponse::Error(500, "national-unavailable", built.second.status().message());
      }
      if (built.first != national_.seq) {  // the other sides' bodies are of an older position
        national_.bodies.clear();
        national_.seq = built.first;
        national_.built = now;
      }
      it = national_.bodies.emplace(side, std::make_shared<const std::string>(built.second->dump()))
               .first;
    }
    body = it->second;
    body_seq = national_.seq;
  }
  if (auto st = req.query.find("state"); st != req.query.end()) {
    const json all = json::parse(*body);
    for (const json& row : all["national"]["states"]) {
      if (row["state"] == st->second) {
        return HttpResponse::Json(200, json{{"state", row}, {"ledger", all["ledger"]}}.dump());
      }
    }
    return HttpResponse::Error(404, "unknown-state",
                               fmt::format("the national count has no state \"{}\"", st->second),
                               "state");
  }
  const std::string etag = fmt::format("\"n{}-{}\"", body_seq, SideName(side));
  return HttpResponse::Revalidated(req, etag, std::move(body));
}

}  // namespace canvass
