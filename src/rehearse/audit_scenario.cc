#include "rehearse/audit_scenario.h"

#include <fmt/format.h>

#include <set>

#include "http/client.h"
#include "io/csv.h"
#include "ledger/event_types.h"
#include "rehearse/api_call.h"

namespace canvass::rehearse {

namespace {

using json = nlohmann::json;

using Reply = ApiReply;

class AuditScenario {
 public:
  explicit AuditScenario(const AuditScenarioOptions& o) : o_(o), http_(o.host, o.port) {}
  Result<AuditScenarioReport> Go();

 private:
  Reply Call(const std::string& method, const std::string& target, const json& body = nullptr);
  Status Login();
  // {"first", "final"} of the precinct as the truth has it, by name; null when it has none.
  json Sorts(const std::string& county, const std::string& precinct) const;
  // Writes the tally of precinct `id`; false when refused (counted).
  bool Tally(int64_t id, const std::string& county, const std::string& precinct);

  const AuditScenarioOptions& o_;
  HttpClient http_;
  std::string token_;
  std::map<std::pair<std::string, std::string>, const PrecinctReport*> truth_;
  AuditScenarioReport report_;
};

Reply AuditScenario::Call(const std::string& method, const std::string& target, const json& body) {
  return CallApi(http_, token_, method, target, body, o_.give_up, [&] { ++report_.calls; });
}

Status AuditScenario::Login() {
  CsvReader r(o_.codes_csv, "code sheet");
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  if (!has || r.size() != 5 || r[0] != "role" || r[4] != "code") {
    return Status::ParseError("not a code sheet (role,subject,label,credential,code)");
  }
  for (;;) {
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    if (r[0] != role::kAdmin) continue;
    Reply s = Call("POST", "/api/v1/session", json{{"code", std::string(r[4])}});
    if (s.status != 200 || !s.body.contains("token")) {
      return Status::InvalidArgument(
          fmt::format("the administrator's code was refused ({} {})", s.status, s.message));
    }
    token_ = s.body["token"].get<std::string>();
    return Status::Ok();
  }
  return Status::InvalidArgument("the code sheet has no administrator to run the audit");
}

json AuditScenario::Sorts(const std::string& county, const std::string& precinct) const {
  auto it = truth_.find({county, precinct});
  if (it == truth_.end()) return nullptr;
  json first = json::object(), final = json::object();
  bool any = false;
  const PrecinctReport& p = *it->second;
  for (size_t c = 0; c < p.figures.size() && c < o_.truth->candidates.size(); ++c) {
    const std::string& name = o_.truth->candidates[c];
    if (p.figures[c].first.value_or(0) != 0) first[name] = *p.figures[c].first;
    if (p.figures[c].final.value_or(0) != 0) final[name] = *p.figures[c].final;
    any = any || p.figures[c].first.has_value();
  }
  if (!any) return nullptr;
  return json{{"first", first}, {"final", final}};
}

bool AuditScenario::Tally(int64_t id, const std::string& county, const std::string& precinct) {
  json body = Sorts(county, precinct);
  if (body.is_null()) {
    ++report_.refusals["not-in-truth"];
    return false;
  }
  body["precinct"] = id;
  body["submission"] = fmt::format("rehearse-rla-{}", id);
  Reply r = Call("POST", "/api/v1/audit/rla/tallies", body);
  if (r.status == 201 || r.status == 200) {
    ++report_.tallied;
    return true;
  }
  ++report_.refusals[r.status == 0 ? std::string("no-answer") : r.code];
  return false;
}

Result<AuditScenarioReport> AuditScenario::Go() {
  if (o_.truth == nullptr) return Status::InvalidArgument("the audit needs the figures to find");
  for (const PrecinctReport& p : o_.truth->reports) truth_[{p.county, p.precinct}] = &p;
  CANVASS_RETURN_IF_ERROR(Login());
  report_.hand_count_tallies = o_.hand_count_tallies;
  report_.risk_limit = o_.risk_limit;
  report_.seed = o_.seed;
  Reply start = Call("POST", "/api/v1/audit/rla",
                     {{"submission", "rehearse-rla-start"}, {"risk_limit", o_.risk_limit}});
  if (start.status != 201 && start.status != 200) {
    report_.start_refused = fmt::format("{} {}: {}", start.status, start.code, start.message);
    return report_;
  }
  Reply seed = Call("POST", "/api/v1/audit/rla/seed",
                    {{"submission", "rehearse-rla-seed"}, {"seed", o_.seed}});
  if (seed.status != 201 && seed.status != 200) {
    report_.start_refused = fmt::format("{} {}: {}", seed.status, seed.code, seed.message);
    return report_;
  }
  std::set<int64_t> tried;
  json a;
  for (int round = 0; round < 100; ++round) {
    Reply got = Call("GET", "/api/v1/audit/rla");
    if (got.status != 200) {
      return Status::IoError(fmt::format("GET /api/v1/audit/rla: {} {}", got.status, got.message));
    }
    a = std::move(got.body);
    if (a["decision"] != "awaiting_tallies" &&
        !(a["decision"] == "full_hand_count" && a["draws"].empty() && tried.empty())) {
      break;
    }
    bool progress = false;
    if (a["decision"] == "full_hand_count") {
      // Every precinct is counted: tally each one.
      Reply list = Call("GET", "/api/v1/precincts");
      if (list.status != 200) return Status::IoError("GET /api/v1/precincts failed");
      for (const json& p : list.body["precincts"]) {
        if (static_cast<int64_t>(tried.size()) >= o_.hand_count_tallies) break;
        const int64_t id = p["id"].get<int64_t>();
        tried.insert(id);
        progress = Tally(id, p["county"], p["precinct"]) || progress;
      }
      tried.insert(0);  // done, whatever was refused
      continue;
    }
    for (const json& d : a["draws"]) {
      if (d["audited"].get<bool>() || d["id"].is_null()) continue;
      const int64_t id = d["id"].get<int64_t>();
      if (!tried.insert(id).second) continue;
      progress = Tally(id, d["county"], d["precinct"]) || progress;
    }
    if (!progress) break;  // the drawn precincts left are refused: the audit waits for them
  }
  report_.precincts = a.value("precincts", int64_t{0});
  report_.total_bound = a.value("total_bound", std::string());
  if (a.contains("first_round") && !a["first_round"]["full_hand_count"].get<bool>()) {
    report_.first_round = a["first_round"]["draws"].get<int64_t>();
  }
  if (!a["assertions"].empty()) {
    report_.tightest =
        fmt::format("{} (U alone {})", a["assertions"][0]["assertion"].get<std::string>(),
                    a["assertions"][0]["total_bound"].get<std::string>());
  }
  report_.rounds = static_cast<int64_t>(a.value("rounds", json::array()).size());
  report_.draws = static_cast<int64_t>(a.value("draws", json::array()).size());
  report_.decision = a.value("decision", std::string());
  report_.reason = a.value("reason", std::string());
  report_.p_value = a["p_value"].is_number() ? fmt::format("{:.6f}", a["p_value"].get<double>())
                                             : a.value("p_value", std::string());
  return report_;
}

}  // namespace

json AuditScenarioReport::ToJson() const {
  json out = {{"risk_limit", risk_limit},   {"seed", seed},
              {"precincts", precincts},     {"total_bound", total_bound},
              {"first_round", first_round}, {"tightest", tightest},
              {"rounds", rounds},           {"draws", draws},
              {"tallied", tallied},         {"refusals", refusals},
              {"decision", decision},       {"reason", reason},
              {"p_value", p_value},         {"calls", calls}};
  if (!start_refused.empty()) out["start_refused"] = start_refused;
  return out;
}

std::string AuditScenarioReport::ToText() const {
  std::string out;
  if (!start_refused.empty()) {
    return out + "Risk-limiting audit: not started: " + start_refused + "\n";
  }
  out += fmt::format(
      "Risk-limiting audit at {}% (seed \"{}\"): {} precincts, U = {}, first round {}\n",
      risk_limit, seed, precincts, total_bound,
      first_round > 0 ? fmt::format("{} draws", first_round) : std::string("a full hand count"));
  if (!tightest.empty()) out += "  tightest assertion: " + tightest + "\n";
  out += fmt::format(
      "  {} round(s), {} draws, {} tallies entered{}", rounds, draws, tallied,
      decision == "full_hand_count" && draws == 0
          ? fmt::format(" (of the full hand count, the first {} precincts)", hand_count_tallies)
          : std::string());
  for (const auto& [code, n] : refusals) out += fmt::format(", {} refused ({})", n, code);
  out += "\n  decision: ";
  if (decision == "confirmed") {
    out += fmt::format("confirmed, the reported national delegates stand (P = {})", p_value);
  } else if (decision == "full_hand_count") {
    out += "full hand count (" + reason + ")";
  } else {
    out += "awaiting tallies";
  }
  return out + "\n";
}

Result<AuditScenarioReport> RunAuditScenario(const AuditScenarioOptions& options) {
  return AuditScenario(options).Go();
}

}  // namespace canvass::rehearse
