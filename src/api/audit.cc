// GET /api/v1/audit, /api/v1/audit/materiality and /api/v1/audit/rla (docs/api.md "Audit"): the
// public record of requests, decisions, recanvass entries and corrections, the materiality list,
// and the risk-limiting audit. Each is built once per ledger position and served with an ETag
// naming it.
#include <fmt/format.h>

#include "api/api.h"
#include "audit/review_json.h"
#include "audit/rla_ledger.h"

namespace canvass {

using nlohmann::json;

HttpResponse Api::Audit(const HttpRequest& req, AuditBody what) {
  const auto k = static_cast<size_t>(what);
  std::shared_ptr<const std::string> body;
  int64_t body_seq = -1;
  {
    std::unique_lock lock(audit_.mu);
    const int64_t seq = intake_.Read([](const ElectionState& s) { return s.seq(); });
    if (audit_.body[k] == nullptr || audit_.seq[k] != seq) {
      auto built = intake_.Read([&](const ElectionState& s) -> std::pair<int64_t, Result<json>> {
        if (!s.created()) return {s.seq(), Status::NotFound("no election has been created")};
        switch (what) {
          case AuditBody::kMateriality:
            return {s.seq(), StateMaterialityJson(s)};
          case AuditBody::kRla: {
            auto audit = AuditOfLedger(s);
            if (!audit.ok()) return {s.seq(), audit.status()};
            return {s.seq(), LedgerRlaJson(s, *audit)};
          }
          case AuditBody::kRecord:
            break;
        }
        return {s.seq(), ReviewsJson(s)};
      });
      if (!built.second.ok()) {
        static const char* kCodes[] = {"no-election", "materiality-unavailable", "no-audit"};
        const bool missing = built.second.status().code() == Status::Code::kNotFound;
        return HttpResponse::Error(
            missing ? 404 : 422,
            what == AuditBody::kRla && !missing ? "audit-unavailable" : kCodes[k],
            built.second.status().message());
      }
      audit_.body[k] = std::make_shared<const std::string>(
          built.second->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      audit_.seq[k] = built.first;
    }
    body = audit_.body[k];
    body_seq = audit_.seq[k];
  }
  static const char* kTags[] = {"a", "m", "r"};
  const std::string etag = fmt::format("\"{}{}\"", kTags[k], body_seq);
  return HttpResponse::Revalidated(req, etag, std::move(body));
}

}  // namespace canvass
