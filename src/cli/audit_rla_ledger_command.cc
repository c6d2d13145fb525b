// `canvass audit rla start|seed|sample|tally (record)|status --store` (docs/cli.md, docs/audit.md
// "The audit on the ledger"): the risk-limiting audit on a store's ledger, from the party's command
// line. The ledger decides, as for the API (POST /api/v1/audit/rla...): a refusal names what is
// wrong and writes nothing.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <ostream>

#include "audit/rla_ledger.h"
#include "cli/audit_review_command.h"
#include "cli/commands.h"
#include "ledger/event_types.h"

namespace canvass {

using nlohmann::json;

namespace {

Submission AdminSubmission(std::string_view type, const char* what, json payload) {
  payload["submission"] = CliSubmission(what);
  return Submission{std::string(type), Actor{std::string(role::kAdmin), "cli"}, "cli",
                    std::move(payload)};
}

std::string SizeText(const json& size) {
  return size["full_hand_count"].get<bool>()
             ? std::string("full hand count")
             : fmt::format("{} draws", size["draws"].get<int64_t>());
}

}  // namespace

int RunAuditRlaStart(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  return SubmitAndReport(
      **intake,
      AdminSubmission(event_type::kRlaStarted, "rla-start", {{"risk_limit", o.risk_limit}}), out,
      err);
}

int RunAuditRlaSeed(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  return SubmitAndReport(
      **intake, AdminSubmission(event_type::kRlaSeed, "rla-seed", {{"seed", o.seed}}), out, err);
}

int RunAuditRlaTally(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  json payload = {{"precinct", o.precinct}};
  if (o.unauditable) {
    payload["unauditable"] = true;
    payload["custody"] = o.custody;
  }
  for (auto [text, key, option] :
       {std::tuple{&o.first, "first", "--first"}, std::tuple{&o.final, "final", "--final"},
        std::tuple{&o.delegates, "delegates", "--delegates"}}) {
    if (text->empty()) continue;
    auto figures = ParseFigureList(*text, option);
    if (!figures.ok()) {
      err << "canvass audit rla tally: " << figures.status().message() << "\n";
      return kExitUsage;
    }
    payload[key] = std::move(figures).value();
  }
  if (o.cards > 0) payload["cards"] = o.cards;
  if (!o.photo.empty()) payload["photo"] = o.photo;
  const Status drawn =
      (*intake)->Read([&](const ElectionState& s) { return CheckTallyDrawn(s, o.precinct); });
  if (!drawn.ok()) {
    err << "canvass: refused (not-drawn, precinct): " << drawn.message() << "\n";
    return kExitUsage;
  }
  return SubmitAndReport(
      **intake, AdminSubmission(event_type::kRlaTally, "rla-tally", std::move(payload)), out, err);
}

namespace {

// GET /api/v1/audit/rla's document of the store's ledger; an exit code and the reason on `err`
// when there is none.
int LoadLedgerAudit(const AuditReviewOptions& o, const char* command, std::ostream& err,
                    Result<json>& built) {
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  built = (*intake)->Read([](const ElectionState& s) -> Result<json> {
    auto audit = AuditOfLedger(s);
    if (!audit.ok()) return audit.status();
    return LedgerRlaJson(s, *audit);
  });
  if (!built.ok()) {
    err << "canvass audit rla " << command << ": " << built.status().message() << "\n";
    return built.status().code() == Status::Code::kNotFound ? kExitUsage : kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int RunAuditRlaSample(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  Result<json> built = json();
  if (int code = LoadLedgerAudit(o, "sample", err, built); code != kExitOk) return code;
  const json& a = *built;
  if (a["seed_event"].is_null()) {
    err << "canvass audit rla sample: no seed yet; the sample is drawn by `canvass audit rla "
           "seed`\n";
    return kExitUsage;
  }
  // Which event tallied each precinct.
  std::map<int64_t, std::pair<int64_t, std::string>> tallied;
  for (const json& t : a["tallies"]) {
    tallied[t["precinct"].get<int64_t>()] = {t["seq"].get<int64_t>(),
                                             t.value("source", std::string(event_type::kRlaTally))};
  }
  json draws = json::array();
  for (const json& d : a["draws"]) {
    json row = {{"draw", d["draw"]},
                {"id", d["id"]},
                {"county", d["county"]},
                {"precinct", d["precinct"]},
                {"audited", d["audited"]}};
    if (d["id"].is_number_integer()) {
      auto it = tallied.find(d["id"].get<int64_t>());
      if (it != tallied.end())
        row["tally"] = {{"seq", it->second.first}, {"source", it->second.second}};
    }
    draws.push_back(std::move(row));
  }
  if (o.json) {
    out << json{{"seed", a["seed_event"]["seed"]}, {"decision", a["decision"]}, {"draws", draws}}
               .dump(2)
        << "\n";
    return kExitOk;
  }
  out << fmt::format("Seed \"{}\": {} draw(s)\n", a["seed_event"]["seed"].get<std::string>(),
                     draws.size());
  for (const json& d : draws) {
    out << fmt::format("  draw {}: precinct {} ({} / {}){}\n", d["draw"].get<int64_t>(),
                       d["id"].is_null() ? 0 : d["id"].get<int64_t>(),
                       d["county"].get<std::string>(), d["precinct"].get<std::string>(),
                       d.contains("tally") ? fmt::format(", tallied by event {} ({})",
                                                         d["tally"]["seq"].get<int64_t>(),
                                                         d["tally"]["source"].get<std::string>())
                                           : std::string(", awaiting its tally"));
  }
  if (draws.empty() && a["decision"] == "full_hand_count") {
    out << "Full hand count: every precinct is counted (no sample)\n";
  }
  return kExitOk;
}

int RunAuditRlaStatus(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  Result<json> built = json();
  if (int code = LoadLedgerAudit(o, "status", err, built); code != kExitOk) return code;
  const json& a = *built;
  if (o.json) {
    out << a.dump(2) << "\n";
    return kExitOk;
  }
  out << fmt::format(
      "Risk-limiting audit started by event {} at {}: risk limit {}%, the results as committed "
      "at event {} (hash {})\n",
      a["started"]["seq"].get<int64_t>(), a["started"]["time"].get<std::string>(),
      a["started"]["risk_limit"].get<std::string>(), a["started"]["committed_seq"].get<int64_t>(),
      a["started"]["committed_head"].get<std::string>());
  out << fmt::format("{} precincts, U = {}, first round: {}\n", a["precincts"].get<int64_t>(),
                     a["total_bound"].get<std::string>(), SizeText(a["first_round"]));
  if (!a["assertions"].empty()) {
    out << fmt::format("Tightest assertion: {} (U alone {})\n",
                       a["assertions"][0]["assertion"].get<std::string>(),
                       a["assertions"][0]["total_bound"].get<std::string>());
  }
  if (a["seed_event"].is_null()) {
    out << "No seed yet: `canvass audit rla seed --seed TEXT` (drawn in public, after the "
           "start).\n";
    return kExitOk;
  }
  out << fmt::format("Seed \"{}\" (event {})\n", a["seed_event"]["seed"].get<std::string>(),
                     a["seed_event"]["seq"].get<int64_t>());
  int64_t audited = 0;
  for (const json& d : a["draws"]) audited += d["audited"].get<bool>() ? 1 : 0;
  out << fmt::format("Draws: {} ({} audited); tallies recorded: {}\n", a["draws"].size(), audited,
                     a["tallies"].size());
  for (const json& d : a["draws"]) {
    if (d["audited"].get<bool>()) continue;
    out << fmt::format("  awaiting: draw {}, precinct {} ({} / {})\n", d["draw"].get<int64_t>(),
                       d["id"].is_null() ? 0 : d["id"].get<int64_t>(),
                       d["county"].get<std::string>(), d["precinct"].get<std::string>());
  }
  const std::string decision = a["decision"].get<std::string>();
  out << "P-value: "
      << (a["p_value"].is_string() ? a["p_value"].get<std::string>()
                                   : fmt::format("{:.6f}", a["p_value"].get<double>()))
      << "\n";
  out << "Decision: "
      << (decision == "confirmed"          ? "confirmed: the reported national delegates stand"
          : decision == "awaiting_tallies" ? "awaiting tallies"
                                           : "full hand count")
      << (a.contains("reason") ? " (" + a["reason"].get<std::string>() + ")" : std::string())
      << "\n";
  return kExitOk;
}

}  // namespace canvass
