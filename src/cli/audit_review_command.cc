#include "cli/audit_review_command.h"

#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <tuple>

#include "audit/review_json.h"
#include "cli/commands.h"
#include "core/json_text.h"
#include "ledger/event_types.h"

namespace canvass {

using nlohmann::json;

namespace {

int Refused(std::ostream& err, const Outcome& o) {
  if (o.kind == Outcome::Kind::kUnavailable) {
    err << "canvass: the store could not keep it: " << o.unavailable << "\n";
    return kExitFailure;
  }
  const Rejection& r = *o.rejection;
  err << "canvass: refused (" << r.code << (r.field.empty() ? "" : ", " + r.field)
      << "): " << r.message << "\n";
  return kExitUsage;
}

// "Sanders,Buttigieg" as ["Sanders", "Buttigieg"]; the ledger checks the names.
json ObserverList(const std::string& text) {
  json out = json::array();
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

}  // namespace

Result<json> ParseFigureList(const std::string& text, const char* option) {
  json out = json::object();
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(at, end - at);
    const size_t eq = item.find('=');
    long long value = 0;
    size_t used = 0;
    bool ok = eq != std::string::npos && eq > 0 && eq + 1 < item.size();
    if (ok) {
      try {
        value = std::stoll(item.substr(eq + 1), &used);
      } catch (const std::exception&) {
        ok = false;
      }
      ok = ok && used == item.size() - eq - 1;
    }
    if (!ok) {
      return Status::InvalidArgument(
          fmt::format("{}: \"{}\" is not NAME=COUNT (e.g. Sanders=3,Buttigieg=2)", option, item));
    }
    out[item.substr(0, eq)] = value;
    at = end + 1;
  }
  return out;
}

std::string CliSubmission(const char* what) {
  return std::string("cli-") + what + "-" + LedgerTimeNow();
}

std::optional<Actor> CliActor(Intake& intake, const std::string& campaign, std::ostream& err) {
  if (campaign.empty()) return Actor{std::string(role::kAdmin), "cli"};
  const CredentialRecord* c = intake.Read(
      [&](const ElectionState& s) { return s.credential_of(role::kCampaign, campaign); });
  if (c == nullptr) {
    err << fmt::format("canvass: {} has no campaign account in this election\n", campaign);
    return std::nullopt;
  }
  return Actor{std::string(role::kCampaign), c->id};
}

int SubmitAndReport(Intake& intake, Submission s, std::ostream& out, std::ostream& err) {
  const Outcome o = intake.SubmitAndWait(std::move(s));
  if (o.kind != Outcome::Kind::kAccepted && o.kind != Outcome::Kind::kDuplicate) {
    return Refused(err, o);
  }
  out << fmt::format("Recorded: event {} ({}), hash {}\n", o.answer.seq, o.answer.event,
                     o.answer.hash);
  return kExitOk;
}

namespace {

// Submits a recanvass or recount entry; then `describe` says what the engine found in it (the
// entry is the first event written) and the correction written after it, if any.
int SubmitEntry(Intake& intake, std::string_view type, json payload, std::ostream& out,
                std::ostream& err,
                const std::function<void(const ElectionState&, const RecanvassEntry&)>& describe) {
  const int64_t before = intake.Read([](const ElectionState& s) { return s.seq(); });
  const int code =
      SubmitAndReport(intake,
                      Submission{std::string(type), Actor{std::string(role::kAdmin), "cli"}, "cli",
                                 std::move(payload)},
                      out, err);
  if (code != kExitOk) return code;
  intake.Read([&](const ElectionState& s) {
    auto it = s.recanvass_entries().find(before + 1);
    if (it == s.recanvass_entries().end()) return;
    const RecanvassEntry& e = it->second;
    describe(s, e);
    if (e.correction_seq != 0) {
      out << fmt::format("Corrected: event {}, revision {}\n", e.correction_seq,
                         s.precinct(e.precinct)->revision);
    }
  });
  return kExitOk;
}

}  // namespace

int RunAuditRecord(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  const json record = (*intake)->Read([](const ElectionState& s) { return ReviewsJson(s); });
  if (o.json) {
    out << record.dump(2) << "\n";
    return kExitOk;
  }
  out << fmt::format("Requests due by: {}\n", record["deadline"].is_null()
                                                  ? "(no complete release yet)"
                                                  : record["deadline"].get<std::string>());
  for (const json& r : record["requests"]) {
    out << fmt::format("Request {} ({}) by {} at {}: {}\n", r["seq"].get<int64_t>(),
                       r["kind"].get<std::string>(), r["requester"].get<std::string>(),
                       r["time"].get<std::string>(), r["reason"].get<std::string>());
    for (const json& p : r["precincts"]) {
      std::string decision = "awaiting a decision";
      if (!p["decision"].is_null()) {
        decision = fmt::format("{} (event {}{})", p["decision"]["decision"].get<std::string>(),
                               p["decision"]["seq"].get<int64_t>(),
                               p["decision"]["late"].get<bool>() ? ", late" : "");
      }
      out << fmt::format("  precinct {} {} / {}: {}\n", p["precinct"].get<int64_t>(),
                         p["county"].get<std::string>(), p["name"].get<std::string>(), decision);
      for (const json& e : p["entries"]) {
        std::string layers;
        for (const json& l : e["layers"]) {
          layers += (layers.empty() ? "" : ", ") + l["layer"].get<std::string>();
        }
        out << fmt::format(
            "    worksheet entered, event {}: {}{}\n", e["seq"].get<int64_t>(),
            layers.empty() ? "agrees with the report" : layers,
            e["correction"].is_object() && e["correction"]["seq"].is_number()
                ? fmt::format("; corrected by event {}", e["correction"]["seq"].get<int64_t>())
                : "");
      }
    }
  }
  return kExitOk;
}

int RunAuditRequest(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return (err << "canvass: " << o.file << ": cannot read the request\n", kExitUsage);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = ParseJsonText(text);
  if (auto* e = std::get_if<JsonTextError>(&parsed)) {
    err << "canvass: " << o.file << ": " << e->message << "\n";
    return kExitUsage;
  }
  json payload = std::get<json>(std::move(parsed));
  if (!payload.is_object()) {
    err << "canvass: " << o.file << ": the request must be a JSON object (docs/api.md \"Audit\")\n";
    return kExitUsage;
  }
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  const std::optional<Actor> actor = CliActor(**intake, o.campaign, err);
  if (!actor) return kExitUsage;
  if (!payload.contains("submission")) payload["submission"] = CliSubmission("request");
  return SubmitAndReport(
      **intake,
      Submission{std::string(event_type::kReviewRequested), *actor, "cli", std::move(payload)}, out,
      err);
}

int RunAuditDecide(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  if (o.accept == o.refuse) {
    err << "canvass: say --accept or --refuse\n";
    return kExitUsage;
  }
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  json payload = {{"submission", CliSubmission("decision")},
                  {"request", o.request},
                  {"precinct", o.precinct},
                  {"decision", o.accept ? "accepted" : "refused"},
                  {"reason", o.reason}};
  if (!o.cost.empty()) payload["cost"] = o.cost;
  return SubmitAndReport(**intake,
                         Submission{std::string(event_type::kReviewDecided),
                                    Actor{std::string(role::kAdmin), "cli"}, "cli", payload},
                         out, err);
}

int RunAuditRecanvass(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  json sheet = json::object();
  for (auto [option, text, key] :
       {std::tuple{"--first", &o.first, "first"}, std::tuple{"--final", &o.final, "final"},
        std::tuple{"--delegates", &o.delegates, "delegates"}}) {
    if (text->empty()) continue;
    auto figures = ParseFigureList(*text, option);
    if (!figures.ok())
      return (err << "canvass: " << figures.status().message() << "\n", kExitUsage);
    sheet[key] = *figures;
  }
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  json payload = {{"submission", CliSubmission("recanvass")},
                  {"request", o.request},
                  {"precinct", o.precinct},
                  {"worksheet", sheet}};
  if (!o.photo.empty()) payload["photo"] = o.photo;
  if (!o.note.empty()) payload["note"] = o.note;
  if (!o.observers.empty()) payload["observers"] = ObserverList(o.observers);
  return SubmitEntry(**intake, event_type::kRecanvassEntered, payload, out, err,
                     [&](const ElectionState& s, const RecanvassEntry& e) {
                       if (e.transcription.empty() && !e.rule_misapplication && !e.count) {
                         out << "The worksheet agrees with the report and the rules.\n";
                       }
                       if (!e.transcription.empty()) {
                         std::string fields;
                         for (const std::string& f : e.transcription)
                           fields += (fields.empty() ? "" : ", ") + f;
                         out << "Transcription: the report differs from the worksheet in " << fields
                             << "\n";
                       }
                       if (e.rule_misapplication) {
                         out << "Rule misapplication: the rules give "
                             << s.FiguresJson(e.rules_delegates).dump() << "\n";
                       }
                       if (e.count)
                         out << "Count: " << e.count_reason << " (only a recount settles it)\n";
                     });
}

int RunAuditRecount(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  json payload = {
      {"submission", CliSubmission("recount")}, {"request", o.request}, {"precinct", o.precinct}};
  if (o.unauditable) {
    payload["unauditable"] = true;
    payload["custody"] = o.custody;
  } else {
    payload["cards"] = o.cards;
    for (auto [option, text, key] :
         {std::tuple{"--first", &o.first, "first"}, std::tuple{"--final", &o.final, "final"}}) {
      auto figures = ParseFigureList(*text, option);
      if (!figures.ok()) {
        err << "canvass: " << figures.status().message() << "\n";
        return kExitUsage;
      }
      payload[key] = *figures;
    }
  }
  if (!o.observers.empty()) payload["observers"] = ObserverList(o.observers);
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  return SubmitEntry(
      **intake, event_type::kRecountEntered, payload, out, err,
      [&](const ElectionState& s, const RecanvassEntry& e) {
        if (e.unauditable) {
          out << "Unauditable: kept as reported and flagged (" << e.custody << ")\n";
          return;
        }
        std::string fields;
        for (const std::string& f : e.count_fields) fields += (fields.empty() ? "" : ", ") + f;
        out << (fields.empty() ? std::string("The cards agree with the report.\n")
                               : "Count: the cards differ from the report in " + fields + "\n");
        if (!e.rules_delegates.empty()) {
          out << "The rules give the cards " << s.FiguresJson(e.rules_delegates).dump() << "\n";
        }
      });
}

int RunAuditCosts(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  if (o.accept == o.refuse) {
    err << "canvass: say --accept or --decline\n";
    return kExitUsage;
  }
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  const CredentialRecord* c = (*intake)->Read(
      [&](const ElectionState& s) { return s.credential_of(role::kCampaign, o.campaign); });
  if (c == nullptr) {
    err << fmt::format("canvass: {} has no campaign account in this election\n", o.campaign);
    return kExitUsage;
  }
  json payload = {{"submission", CliSubmission("costs")},
                  {"request", o.request},
                  {"precinct", o.precinct},
                  {"accepted", o.accept}};
  return SubmitAndReport(**intake,
                         Submission{std::string(event_type::kReviewCosts),
                                    Actor{std::string(role::kCampaign), c->id}, "cli", payload},
                         out, err);
}

int RunAuditSchedule(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  json payload = {{"submission", CliSubmission("schedule")},
                  {"request", o.request},
                  {"precinct", o.precinct},
                  {"at", o.at},
                  {"place", o.place}};
  return SubmitAndReport(**intake,
                         Submission{std::string(event_type::kReviewScheduled),
                                    Actor{std::string(role::kAdmin), "cli"}, "cli", payload},
                         out, err);
}

int RunAuditCertify(const AuditReviewOptions& o, std::ostream& out, std::ostream& err) {
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  return SubmitAndReport(
      **intake,
      Submission{std::string(event_type::kResultsCertified),
                 Actor{std::string(role::kAdmin), "cli"},
                 "cli",
                 {{"submission", CliSubmission("certify")}, {"reason", o.reason}}},
      out, err);
}

}  // namespace canvass
