// GET /api/v1/audit and GET /api/v1/audit/materiality (docs/api.md "Audit"): the public record of
// requests, decisions, recanvass entries and corrections, and the materiality list. Each is built
// once per ledger position and served with an ETag naming it.
#include <fmt/format.h>

#include "api/api.h"
#include "audit/review_json.h"

namespace canvass {

using nlohmann::json;

HttpResponse Api::Audit(const HttpRequest& req, bool materiality) {
  std::shared_ptr<const std::string> body;
  int64_t body_seq = -1;
  {
    std::unique_lock lock(audit_.mu);
    const int64_t seq = intake_.Read([](const ElectionState& s) { return s.seq(); });
    auto& slot = materiality ? audit_.materiality : audit_.record;
    auto& slot_seq = materiality ? audit_.materiality_seq : audit_.record_seq;
    if (slot == nullptr || slot_seq != seq) {
      auto built = intake_.Read([&](const ElectionState& s) -> std::pair<int64_t, Result<json>> {
        if (!s.created()) return {s.seq(), Status::NotFound("no election has been created")};
        if (materiality) return {s.seq(), StateMaterialityJson(s)};
        return {s.seq(), ReviewsJson(s)};
      });
      if (!built.second.ok()) {
        return HttpResponse::Error(
            built.second.status().code() == Status::Code::kNotFound ? 404 : 422,
            materiality ? "materiality-unavailable" : "no-election",
            built.second.status().message());
      }
      slot = std::make_shared<const std::string>(
          built.second->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      slot_seq = built.first;
    }
    body = slot;
    body_seq = slot_seq;
  }
  const std::string etag = fmt::format("\"{}{}\"", materiality ? "m" : "a", body_seq);
  return HttpResponse::Revalidated(req, etag, std::move(body));
}

}  // namespace canvass
