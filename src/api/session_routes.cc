// POST /api/v1/session (log in with an access code), GET /api/v1/session (who the token is) and
// POST /api/v1/credentials/reissue (an administrator replaces a lost code) (docs/api.md
// "Sessions and roles").
#include <fmt/format.h>

#include "api/api.h"
#include "api/precinct_json.h"
#include "api/routes.h"
#include "api/status_http.h"
#include "intake/setup.h"
#include "ledger/event_types.h"

namespace canvass {

using nlohmann::json;

HttpResponse Api::Session(const Call& c) {
  if (c.req.method == "POST") return Login(c);
  if (c.who.role == "public") return NeedLogin();
  return JsonResponse(
      200, {{"role", c.who.role}, {"subject", c.who.subject}, {"credential", c.who.credential}});
}

HttpResponse Api::Login(const Call& c) {
  const HttpRequest& req = c.req;
  json body;
  if (auto e = ParseBody(req, body)) return *e;
  if (!body.contains("code") || !body["code"].is_string()) {
    return HttpResponse::Error(422, "code-required", "type the access code from your packet",
                               "code");
  }
  auto code = ParseAccessCode(body["code"].get<std::string>());
  if (!code.ok()) {
    metrics_.Increment("canvass_logins_total", {{"result", "malformed"}});
    return HttpResponse::Error(422, "malformed-code", code.status().message(), "code");
  }
  const int64_t now = Now();
  const std::string guard_key = code->id + "@" + req.remote_address;
  if (int64_t wait = guard_.BlockedFor(guard_key, req.remote_address, now); wait > 0) {
    metrics_.Increment("canvass_logins_total", {{"result", "locked"}});
    HttpResponse r = HttpResponse::Error(
        429, "locked-out",
        fmt::format("too many wrong codes: try again in {} minutes, or call the hotline",
                    (wait + 59) / 60));
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  auto record = intake_.Read([&](const ElectionState& s) -> std::optional<CredentialRecord> {
    const CredentialRecord* cred = s.credential(code->id);
    if (cred == nullptr || cred->revoked) return std::nullopt;
    return *cred;
  });
  bool ok = false;
  if (record) {
    ok = VerifySecret(code->secret, record->hash);
  } else {
    VerifyDummy(options_.kdf);
  }
  if (!ok) {
    guard_.RecordFailure(guard_key, req.remote_address, now);
    metrics_.Increment("canvass_logins_total", {{"result", "wrong"}});
    return HttpResponse::Error(
        401, "wrong-code", "that access code is not right: check it against your packet", "code");
  }
  guard_.RecordSuccess(guard_key);
  metrics_.Increment("canvass_logins_total", {{"result", "ok"}});
  const int64_t expires = now + options_.session_seconds;
  json out = {{"token", IssueToken(options_.session_key, record->id, expires)},
              {"role", record->role},
              {"subject", record->subject},
              {"credential", record->id},
              {"expires", expires}};
  if (record->role == role::kChair) {
    if (auto pid = ParseId(record->subject)) {
      out["precinct"] =
          intake_.Read([&](const ElectionState& s) { return PrecinctJson(s, *pid, false); });
    }
  }
  if (record->session_seq != 0) return JsonResponse(200, out);
  // The credential's first login goes on the ledger (session-opened: who and when, no secret),
  // so that readiness is the same on every node and after a restart; the answer waits until it
  // is durable. Refused (another node recorded it first) or not written (the store is down: the
  // next login tries again), the login itself still succeeds.
  c.answered = true;
  Submission opened{std::string(event_type::kSessionOpened), Actor{record->role, record->id},
                    ChannelOf(record->role), json::object()};
  intake_.Submit(std::move(opened),
                 [this, out = std::move(out), respond = std::move(c.respond)](Outcome o) {
                   const char* kind = o.kind == Outcome::Kind::kAccepted   ? "accepted"
                                      : o.kind == Outcome::Kind::kRejected ? "rejected"
                                                                           : "unavailable";
                   metrics_.Increment("canvass_sessions_recorded_total", {{"outcome", kind}});
                   respond(JsonResponse(200, out));
                 });
  return HttpResponse{};
}

HttpResponse Api::Reissue(const Call& c) {
  if (c.seg[1] != "reissue") return NoSuchRoute(c.req);
  if (c.req.method != "POST") return MethodNotAllowed(c.req, "POST");
  if (auto refused = RequireAdmin(c.who.role, "only an administrator reissues access codes")) {
    return *refused;
  }
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  // One code of many for the same subject (a pool's voters) is named by its id: that one, and
  // only that one, is revoked.
  const bool by_id = body.contains("credential");
  if (by_id && !body["credential"].is_string()) {
    return HttpResponse::Error(422, "malformed-request", "credential is a code's 4-character id",
                               "credential");
  }
  if (!by_id && (!body.contains("role") || !body["role"].is_string() || !body.contains("subject") ||
                 !body["subject"].is_string())) {
    return HttpResponse::Error(422, "malformed-request", "give role and subject, or credential",
                               "role");
  }
  const Actor by{std::string(role::kAdmin), c.who.credential};
  auto issued =
      by_id ? ReissueCredentialById(intake_, body["credential"].get<std::string>(), by, "admin",
                                    options_.kdf)
            : ReissueCredential(intake_, body["role"].get<std::string>(),
                                body["subject"].get<std::string>(), by, "admin", options_.kdf);
  if (!issued.ok()) return ErrorResponse(issued.status(), "reissue-refused");
  return JsonResponse(201, {{"role", issued->role},
                            {"subject", issued->subject},
                            {"label", issued->label},
                            {"credential", issued->credential},
                            {"code", issued->code}});
}

}  // namespace canvass
