// After the night (docs/api.md "Audit"): the public record, the materiality list, requests from
// campaigns (or the party chair, as the ruleset allows), the party's decisions and the recanvass
// entries; the risk-limiting audit; certification; and the anomaly gate's holds. The ledger
// decides who may do what; here only who is logged in.
#include <fmt/format.h>

#include "api/api.h"
#include "api/routes.h"
#include "audit/rla_ledger.h"
#include "core/sha256.h"
#include "ledger/event_types.h"
#include "state/holds.h"

namespace canvass {

using nlohmann::json;

HttpResponse Api::AuditRoute(const Call& c) {
  const std::vector<std::string>& seg = c.seg;
  if (seg.size() == 1 || (seg.size() == 2 && seg[1] == "materiality")) {
    if (c.req.method != "GET") return MethodNotAllowed(c.req, "GET");
    return Audit(c.req, seg.size() == 2 ? AuditBody::kMateriality : AuditBody::kRecord);
  }
  if (seg.size() <= 3 && seg[1] == "rla") return Rla(c);
  return NoSuchRoute(c.req);
}

// The risk-limiting audit (docs/api.md "Audit"): public to read; the party starts it with a risk
// limit, enters the public seed, and enters each drawn precinct's tally.
HttpResponse Api::Rla(const Call& c) {
  const std::string action = c.seg.size() == 3 ? c.seg[2] : "";
  if (action.empty() && c.req.method == "GET") return Audit(c.req, AuditBody::kRla);
  if (action != "" && action != "seed" && action != "tallies") {
    return HttpResponse::Error(404, "not-found", "no such route");
  }
  if (c.req.method != "POST") return MethodNotAllowed(c.req, action.empty() ? "GET, POST" : "POST");
  if (auto refused = RequireAdmin(c.who.role, "only the party's administrators run the audit")) {
    return *refused;
  }
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  if (action.empty()) return Submit(c, event_type::kRlaStarted, std::move(body));
  if (action == "seed") return Submit(c, event_type::kRlaSeed, std::move(body));
  if (auto e = RequirePrecinct(body)) return *e;
  const int64_t id = body["precinct"].get<int64_t>();
  Status drawn = intake_.Read([&](const ElectionState& s) { return CheckTallyDrawn(s, id); });
  if (!drawn.ok()) {
    const Status::Code code = drawn.code();
    return HttpResponse::Error(code == Status::Code::kNotFound             ? 404
                               : code == Status::Code::kFailedPrecondition ? 409
                                                                           : 422,
                               code == Status::Code::kNotFound             ? "unknown-precinct"
                               : code == Status::Code::kFailedPrecondition ? "not-drawn"
                                                                           : "audit-unavailable",
                               drawn.message(), "precinct");
  }
  return Submit(c, event_type::kRlaTally, std::move(body));
}

// POST /api/v1/reviews (a request) and /reviews/{request}/{step}: the party's decision, the
// campaign's answer to its costs, the schedule, and the recanvass or recount entered.
HttpResponse Api::Reviews(const Call& c) {
  const std::vector<std::string>& seg = c.seg;
  const Principal& who = c.who;
  if (who.role == "public") return NeedLogin();
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  if (seg.size() == 1) return RequestReview(c, std::move(body));
  auto request = seg.size() == 3 ? ParseId(seg[1]) : std::nullopt;
  static const std::map<std::string, std::string_view> kReviewTypes = {
      {"decisions", event_type::kReviewDecided},
      {"costs", event_type::kReviewCosts},
      {"schedule", event_type::kReviewScheduled},
      {"recanvass", event_type::kRecanvassEntered},
      {"recount", event_type::kRecountEntered}};
  auto type = seg.size() == 3 ? kReviewTypes.find(seg[2]) : kReviewTypes.end();
  if (!request || type == kReviewTypes.end()) {
    return HttpResponse::Error(404, "not-found", "no such route");
  }
  if (seg[2] == "costs") {
    // The state checks that the campaign is the one that filed the request.
    if (who.role != role::kCampaign) {
      return Forbidden("only the campaign that filed the request answers its costs");
    }
  } else if (who.role != role::kAdmin) {
    return Forbidden(seg[2] == "decisions"  ? "only the party decides on a request"
                     : seg[2] == "schedule" ? "only the party schedules a recanvass or recount"
                                            : "only the party's administrators enter a " + seg[2]);
  }
  if (auto e = RequirePrecinct(body)) return *e;
  body["request"] = *request;
  return Submit(c, type->second, std::move(body));
}

HttpResponse Api::RequestReview(const Call& c, json body) {
  if (c.who.role != role::kCampaign && c.who.role != role::kAdmin) {
    return Forbidden("only a campaign (or the party) requests a recanvass or a recount");
  }
  // Evidence is cited by hash: it must have been uploaded first (POST /api/v1/evidence).
  if (body.is_object() && body.contains("precincts") && body["precincts"].is_array()) {
    const json& list = body["precincts"];
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_object() || !list[i].contains("evidence") ||
          !list[i]["evidence"].is_array()) {
        continue;
      }
      for (const json& h : list[i]["evidence"]) {
        if (!h.is_string() || !IsSha256Hex(h.get<std::string>())) continue;  // state names it
        auto blob = intake_.GetBlob(h.get<std::string>());
        if (!blob.ok()) {
          return HttpResponse::Error(503, "store-unavailable", blob.status().message());
        }
        if (!blob->has_value()) {
          return HttpResponse::Error(
              422, "unknown-evidence",
              fmt::format("no evidence {} was uploaded; send it to /api/v1/evidence first",
                          h.get<std::string>()),
              fmt::format("precincts[{}].evidence", i));
        }
      }
    }
  }
  return Submit(c, event_type::kReviewRequested, std::move(body));
}

HttpResponse Api::Certification(const Call& c) {
  if (auto refused = RequireAdmin(c.who.role, "only the party certifies the results")) {
    return *refused;
  }
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  return Submit(c, event_type::kResultsCertified, std::move(body));
}

// The anomaly gate (docs/api.md "Audit", docs/audit.md "Anomaly gate"): the precincts the next
// release holds back, the overrides in force, and an administrator's override publishing one as
// reported.
HttpResponse Api::Holds(const Call& c) {
  if (auto refused = RequireAdmin(c.who.role, "only an administrator sees and releases holds")) {
    return *refused;
  }
  if (c.req.method == "POST") {
    json body;
    if (auto e = ParseBody(c.req, body)) return *e;
    if (auto e = RequirePrecinct(body)) return *e;
    return Submit(c, event_type::kAnomalyOverride, std::move(body));
  }
  return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
    const AnomalyGate gate = RunAnomalyGate(s);
    json held = json::array();
    for (const AnomalyHold& h : gate.held) held.push_back(AnomalyHoldJson(s, h));
    json overrides = json::array();
    for (const AnomalyHold& h : gate.overridden) overrides.push_back(AnomalyHoldJson(s, h));
    return json{{"ledger_seq", s.seq()}, {"held", held}, {"overrides", overrides}};
  }));
}

}  // namespace canvass
