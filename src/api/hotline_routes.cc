// The hotline (docs/api.md "Writing"): an operator enters what a chair reads out on the phone,
// POST /api/v1/hotline/entries, and two operators' entries of one precinct must agree before it
// counts; GET /api/v1/hotline/reconciliation lists each precinct and stage that two operators
// have entered, with their figures side by side, for the operators and the administrators.
#include <set>

#include "api/api.h"
#include "api/routes.h"
#include "ledger/event_types.h"

namespace canvass {

using nlohmann::json;

HttpResponse Api::Hotline(const Call& c) {
  const std::vector<std::string>& seg = c.seg;
  if (c.who.role == "public") return NeedLogin();
  if (c.who.role != role::kOperator &&
      !(c.who.role == role::kAdmin && seg.size() == 2 && seg[1] == "reconciliation")) {
    return Forbidden("only hotline operators use the hotline");
  }
  if (seg.size() == 2 && seg[1] == "entries") {
    if (c.req.method != "POST") return MethodNotAllowed(c.req, "POST");
    json body;
    if (auto e = ParseBody(c.req, body)) return *e;
    if (auto e = RequirePrecinct(body, "say which precinct (its number) the caller reports for")) {
      return *e;
    }
    return Submit(c, event_type::kHotlineEntry, std::move(body));
  }
  if (seg.size() == 2 && seg[1] == "reconciliation") {
    if (c.req.method != "GET") return MethodNotAllowed(c.req, "GET");
    return HotlineReconciliation(c);
  }
  return HttpResponse::Error(404, "not-found", "no such route");
}

// Every precinct and stage that two operators or more have entered, with each entry.
HttpResponse Api::HotlineReconciliation(const Call&) {
  return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
    json queue = json::array();
    for (size_t i = 0; i < s.precincts().size(); ++i) {
      const int64_t id = static_cast<int64_t>(i + 1);
      const PrecinctRecord& r = *s.precinct(id);
      if (r.hotline.size() < 2) continue;
      for (const char* stage : {"first", "final"}) {
        json entries = json::array();
        std::set<std::string> operators;
        for (const HotlineEntry& h : r.hotline) {
          if (!h.figures.contains(stage)) continue;
          operators.insert(h.operator_id);
          // The operator's name ("op-3"), as their own page shows it, beside the credential.
          const CredentialRecord* cred = s.credential(h.operator_id);
          entries.push_back({{"seq", h.seq},
                             {"operator", h.operator_id},
                             {"operator_name", cred != nullptr ? cred->subject : h.operator_id},
                             {"figures", h.figures}});
        }
        if (operators.size() < 2) continue;
        queue.push_back({{"precinct", id},
                         {"county", s.precincts()[i].county},
                         {"name", s.precincts()[i].precinct},
                         {"stage", stage},
                         {"entries", entries}});
      }
    }
    return json{{"queue", queue}};
  }));
}

}  // namespace canvass
