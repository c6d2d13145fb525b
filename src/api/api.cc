#include "api/api.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "api/answer_json.h"
#include "api/status_http.h"
#include "audit/rla_ledger.h"
#include "caucus/json_output.h"
#include "core/json_text.h"
#include "core/sha256.h"
#include "intake/photo.h"
#include "intake/setup.h"
#include "publish/publisher.h"
#include "publish/release.h"
#include "publish/site.h"
#include "state/holds.h"
#include "tabulate/tabulate.h"

namespace canvass {

using nlohmann::json;

namespace {

constexpr std::string_view kPrefix = "/api/v1";
constexpr size_t kMaxJsonBody = 64 * 1024;

HttpResponse JsonResponse(int status, const json& body) {
  return HttpResponse::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

// The answer is rendered here, from the facts the intake returns, outside the writer's lock.
HttpResponse OutcomeResponse(const Intake& intake, const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::kAccepted:
    case Outcome::Kind::kDuplicate:
      return JsonResponse(
          o.kind == Outcome::Kind::kAccepted ? 201 : 200,
          intake.Read([&](const ElectionState& s) { return AnswerJson(s, o.answer); }));
    case Outcome::Kind::kRejected:
      return RejectionResponse(*o.rejection);
    case Outcome::Kind::kUnavailable:
      return HttpResponse::Error(503, "store-unavailable",
                                 "the report could not be recorded right now and was not kept; "
                                 "send it again in a moment (" +
                                     o.unavailable + ")");
  }
  return HttpResponse::Error(500, "internal", "unexpected outcome");
}

HttpResponse Forbidden(const std::string& message) {
  return HttpResponse::Error(403, "forbidden", message);
}

HttpResponse NeedLogin() {
  return HttpResponse::Error(401, "unauthenticated",
                             "log in with your access code first (POST /api/v1/session)");
}

// Path segments after /api/v1: "/api/v1/precincts/12/first" -> {"precincts", "12", "first"}.
std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  path.remove_prefix(kPrefix.size());
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<int64_t> ParseId(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1) return std::nullopt;
  return v;
}

// The first number with a fraction or an exponent in `j`, as a field path ("first.Sanders").
std::optional<std::string> FindFraction(const json& j, const std::string& path) {
  if (j.is_number_float()) return path;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (auto p = FindFraction(v, path.empty() ? k : path + "." + k)) return p;
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      if (auto p = FindFraction(j[i], fmt::format("{}[{}]", path, i))) return p;
    }
  }
  return std::nullopt;
}

// The request body as a JSON object, or the 400 (or 422) that says why not. Every count in the
// API is a whole number and every exact share a string, so a fraction is refused here, naming it.
// A name given twice in one object ({"Biden": 3, "Biden": 300}) is refused too, naming it: a
// JSON reader would keep one of the two figures without a word.
std::optional<HttpResponse> ParseBody(const HttpRequest& req, json& out) {
  auto parsed = ParseJsonText(req.body);
  if (auto* e = std::get_if<JsonTextError>(&parsed)) {
    if (e->kind == JsonTextError::Kind::kDuplicateKey) {
      return HttpResponse::Error(400, "duplicate-key", "in the request body, " + e->message,
                                 e->field);
    }
    return HttpResponse::Error(400, "malformed-json", "the request body is not valid JSON");
  }
  out = std::move(std::get<json>(parsed));
  if (!out.is_object()) {
    return HttpResponse::Error(400, "malformed-json", "the request body must be a JSON object");
  }
  if (auto field = FindFraction(out, "")) {
    return HttpResponse::Error(422, "malformed-count",
                               fmt::format("{} must be a whole number, without a fraction", *field),
                               *field);
  }
  return std::nullopt;
}

const char* ChannelOf(const std::string& role) {
  if (role == "chair") return "web";
  if (role == "operator") return "hotline";
  if (role == "campaign") return "campaign";
  return "admin";
}

}  // namespace

Api::Api(Intake& intake, Metrics& metrics, ApiOptions options)
    : intake_(intake),
      metrics_(metrics),
      options_(std::move(options)),
      guard_(options_.guard),
      submission_limiter_(options_.submissions_per_second, options_.submission_burst) {
  metrics_.Describe("canvass_events_appended_total", "Ledger events appended by this node");
  metrics_.Describe("canvass_submissions_total", "Submissions by event type and outcome");
  metrics_.Describe("canvass_rejected_inputs_total", "Submissions refused, by code");
  metrics_.Describe("canvass_logins_total", "Login attempts by result");
  metrics_.Describe("canvass_sessions_recorded_total",
                    "First logins offered to the ledger (session-opened), by outcome");
  metrics_.Describe("canvass_ledger_seq", "The ledger's sequence number as this node sees it");
  intake_.OnCommit([this](int64_t seq) {
    metrics_.Set("canvass_ledger_seq", {}, seq);
    std::function<void()> notify;
    {
      std::lock_guard lock(mu_);
      notify = notify_;
    }
    if (notify) notify();
  });
}

void Api::SetStreamNotifier(std::function<void()> notify) {
  std::lock_guard lock(mu_);
  notify_ = std::move(notify);
}

int64_t Api::Now() const {
  if (options_.now_unix) return options_.now_unix();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Api::RouteLabel(const std::string& path) {
  if (path.rfind(kPrefix, 0) != 0) return path == "/metrics" ? path : "other";
  std::vector<std::string> seg = Segments(path);
  std::string label(kPrefix);
  for (size_t i = 0; i < seg.size() && i < 4; ++i) {
    const bool id =
        (i == 1 && (seg[0] == "precincts" || seg[0] == "photos" || seg[0] == "reviews")) ||
        (seg[0] == "releases" && i >= 1 && seg[i] != "policy" && seg[i] != "timeline");
    label += "/" + (id ? std::string(":id") : seg[i]);
  }
  return label;
}

bool Api::AllowSubmission(const std::string& credential) {
  return submission_limiter_.Take(credential, std::chrono::steady_clock::now()) == 0;
}

Api::Principal Api::Authenticate(const HttpRequest& req, HttpResponse* error) {
  const std::string& auth = req.Header("authorization");
  if (auth.empty()) return Principal{"public", "", ""};
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.rfind(kBearer, 0) != 0) {
    *error = HttpResponse::Error(401, "unauthenticated",
                                 "the Authorization header must be \"Bearer <token>\"");
    return {};
  }
  auto id = CheckToken(options_.session_key, std::string_view(auth).substr(kBearer.size()), Now());
  if (!id) {
    *error = HttpResponse::Error(401, "session-expired",
                                 "your session has expired or is not valid: log in again");
    return {};
  }
  auto who = intake_.Read([&](const ElectionState& s) -> std::optional<Principal> {
    const CredentialRecord* c = s.credential(*id);
    if (c == nullptr || c->revoked) return std::nullopt;
    return Principal{c->role, c->subject, c->id};
  });
  if (!who) {
    *error = HttpResponse::Error(401, "credential-revoked",
                                 "this access code was revoked: ask the party for the new one");
    return {};
  }
  return *who;
}

HttpResponse Api::Login(const HttpRequest& req, Respond& respond, bool& answered) {
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
    const CredentialRecord* c = s.credential(code->id);
    if (c == nullptr || c->revoked) return std::nullopt;
    return *c;
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
  if (record->role == "chair") {
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
  answered = true;
  Submission opened{"session-opened", Actor{record->role, record->id}, ChannelOf(record->role),
                    json::object()};
  intake_.Submit(std::move(opened),
                 [this, out = std::move(out), respond = std::move(respond)](Outcome o) {
                   const char* kind = o.kind == Outcome::Kind::kAccepted   ? "accepted"
                                      : o.kind == Outcome::Kind::kRejected ? "rejected"
                                                                           : "unavailable";
                   metrics_.Increment("canvass_sessions_recorded_total", {{"outcome", kind}});
                   respond(JsonResponse(200, out));
                 });
  return HttpResponse{};
}

void Api::SubmitEvent(const std::string& type, const Principal& who, json payload,
                      Respond respond) {
  if (!AllowSubmission(who.credential)) {
    HttpResponse r = HttpResponse::Error(429, "slow-down",
                                         "too many submissions from this account; wait a moment");
    r.headers.emplace_back("Retry-After", "1");
    respond(std::move(r));
    return;
  }
  Submission s{type, Actor{who.role, who.credential}, ChannelOf(who.role), std::move(payload)};
  intake_.Submit(std::move(s), [this, type, respond = std::move(respond)](Outcome o) {
    const char* kind = o.kind == Outcome::Kind::kAccepted    ? "accepted"
                       : o.kind == Outcome::Kind::kDuplicate ? "duplicate"
                       : o.kind == Outcome::Kind::kRejected  ? "rejected"
                                                             : "unavailable";
    metrics_.Increment("canvass_submissions_total", {{"type", type}, {"outcome", kind}});
    if (o.kind == Outcome::Kind::kAccepted) metrics_.Increment("canvass_events_appended_total");
    if (o.kind == Outcome::Kind::kRejected) {
      metrics_.Increment("canvass_rejected_inputs_total", {{"code", o.rejection->code}});
    }
    respond(OutcomeResponse(intake_, o));
  });
}

void Api::Handle(HttpRequest req, Respond respond) {
  HttpResponse error;
  Principal who;
  if (req.path.rfind(kPrefix, 0) == 0 || req.path == "/metrics") {
    who = Authenticate(req, &error);
    if (who.role.empty()) {
      respond(std::move(error));
      return;
    }
  }
  bool answered = false;
  HttpResponse r = Route(req, who, respond, answered);
  if (!answered) respond(std::move(r));
}

HttpResponse Api::Route(const HttpRequest& req, const Principal& who, Respond& respond,
                        bool& answered) {
  if (req.path == "/metrics") {
    if (req.method != "GET") return HttpResponse::Error(405, "method-not-allowed", "use GET");
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = metrics_.Render();
    return r;
  }
  if (req.path.rfind(kPrefix, 0) != 0) {
    if (options_.web) return options_.web->Serve(req);
    return HttpResponse::Error(404, "not-found", "no such page: " + req.path);
  }
  const std::vector<std::string> seg = Segments(req.path);
  const bool get = req.method == "GET";
  const bool post = req.method == "POST";
  auto method_not_allowed = [&](const char* allowed) {
    HttpResponse r = HttpResponse::Error(405, "method-not-allowed",
                                         fmt::format("{} takes {}", req.path, allowed));
    r.headers.emplace_back("Allow", allowed);
    return r;
  };
  auto submit = [&](const std::string& type, json payload) {
    answered = true;
    SubmitEvent(type, who, std::move(payload), std::move(respond));
    return HttpResponse{};
  };

  if (seg.empty()) return HttpResponse::Error(404, "not-found", "see docs/api.md");
  const std::string& top = seg[0];

  if (top == "health" && seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
      return json{{"status", "ok"},
                  {"store", intake_.store_kind()},
                  {"election", s.created()},
                  {"seq", s.seq()}};
    }));
  }
  if (top == "session" && seg.size() == 1) {
    if (post) return Login(req, respond, answered);
    if (get) {
      if (who.role == "public") return NeedLogin();
      return JsonResponse(
          200, {{"role", who.role}, {"subject", who.subject}, {"credential", who.credential}});
    }
    return method_not_allowed("GET, POST");
  }
  if (top == "election" && seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
      if (!s.created()) return json{{"created", false}};
      return json{{"created", true},
                  {"name", s.name()},
                  {"ruleset", RulesetRefJson(s.ruleset())},
                  {"candidates", s.candidates()},
                  {"precincts", s.precincts().size()},
                  {"seq", s.seq()},
                  {"head", s.head_hash()}};
    }));
  }
  if (top == "results" && seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    return Results(req);
  }
  if (top == "national" && seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    return National(req);
  }
  if (top == "events" && seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    return Events(req);
  }
  if (top == "ledger" && seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    return Ledger(req);
  }
  // Releases (docs/api.md, "Releases"): the index and each release's stored files; the
  // publication policy and publishing now, for administrators.
  if (top == "releases") {
    if (seg.size() == 2 && seg[1] == "policy") {
      if (get) {
        // The policy the ledger holds, and whether this node can publish (holds the key).
        const bool can = options_.publisher != nullptr && options_.publisher->can_publish();
        return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
          const PublicationPolicy& p = s.publication_policy();
          return json{
              {"mode", p.mode}, {"seconds", p.seconds}, {"seq", p.seq}, {"can_publish", can}};
        }));
      }
      if (!post) return method_not_allowed("GET, POST");
      if (who.role == "public") return NeedLogin();
      if (who.role != "admin")
        return Forbidden("only an administrator sets the publication policy");
      json body;
      if (auto e = ParseBody(req, body)) return *e;
      json payload = {{"mode", body.value("mode", json())},
                      {"seconds", body.value("seconds", json(0))}};
      if (body.contains("submission")) payload["submission"] = body["submission"];
      return submit("publication-policy-set", std::move(payload));
    }
    if (seg.size() == 1 && post) {
      if (who.role == "public") return NeedLogin();
      if (who.role != "admin") return Forbidden("only an administrator publishes releases");
      return PublishRelease(who);
    }
    if (!get && req.method != "HEAD")
      return method_not_allowed(seg.size() == 1 ? "GET, POST" : "GET");
    if (seg.size() == 2 && seg[1] == "timeline") return ReleaseTimeline(req);
    if (seg.size() == 4 && seg[2] == "proof") return ReleaseProof(req, seg);
    return ReleaseFiles(req, seg);
  }
  // Every campaign verdict, in ledger order (each is public on its precinct's page too).
  if (top == "attestations" && seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    std::string campaign;
    if (auto it = req.query.find("campaign"); it != req.query.end()) campaign = it->second;
    return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
      json list = json::array();
      for (size_t i = 0; i < s.precincts().size(); ++i) {
        const int64_t id = static_cast<int64_t>(i + 1);
        const PrecinctRecord& r = *s.precinct(id);
        // standing: the campaign's latest verdict on the current revision (what Disputed reads).
        std::map<std::string, int64_t> standing;
        for (const Attestation& a : r.attestations) {
          if (a.revision == r.revision) standing[a.campaign] = a.seq;
        }
        for (const Attestation& a : r.attestations) {
          if (!campaign.empty() && a.campaign != campaign) continue;
          list.push_back({{"precinct", id},
                          {"county", s.precincts()[i].county},
                          {"name", s.precincts()[i].precinct},
                          {"seq", a.seq},
                          {"campaign", a.campaign},
                          {"verdict", a.verdict},
                          {"reason", a.reason},
                          {"revision", a.revision},
                          {"current_revision", r.revision},
                          {"standing", standing[a.campaign] == a.seq}});
        }
      }
      std::sort(list.begin(), list.end(), [](const json& a, const json& b) {
        return a["seq"].get<int64_t>() < b["seq"].get<int64_t>();
      });
      return json{{"seq", s.seq()}, {"attestations", list}};
    }));
  }
  if (top == "photos" && seg.size() == 2) {
    if (!get) return method_not_allowed("GET");
    if (!IsSha256Hex(seg[1])) {
      return HttpResponse::Error(404, "not-found", "a photo is named by its SHA-256 (64 hex)");
    }
    auto blob = intake_.GetBlob(seg[1]);
    if (!blob.ok()) return HttpResponse::Error(503, "store-unavailable", blob.status().message());
    if (!blob->has_value()) return HttpResponse::Error(404, "not-found", "no such photo");
    auto kind = EvidenceKind(**blob);
    HttpResponse r;
    r.content_type = kind.ok() ? *kind : "application/octet-stream";
    if (r.content_type == "application/pdf") {
      // A campaign's evidence document: downloaded, never rendered on the site's origin.
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + seg[1] + ".pdf\"");
    }
    r.body = std::move(**blob);
    r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    r.headers.emplace_back("ETag", "\"" + seg[1] + "\"");
    return r;
  }
  // A campaign's (or the party's) evidence for a request: stored by its SHA-256, which the
  // request then names (docs/api.md "Reviews"). No event: the request that cites it is the record.
  if (top == "evidence" && seg.size() == 1) {
    if (!post) return method_not_allowed("POST");
    if (who.role == "public") return NeedLogin();
    if (who.role != "campaign" && who.role != "admin") {
      return Forbidden("only a campaign (or the party) attaches evidence to a request");
    }
    auto kind = EvidenceKind(req.body);
    if (!kind.ok())
      return HttpResponse::Error(415, "unsupported-evidence", kind.status().message());
    if (req.body.size() > options_.max_photo_bytes) {
      return HttpResponse::Error(413, "too-large", "the evidence is too large");
    }
    const std::string hash = Sha256Hex(req.body);
    Status put = intake_.PutBlob(hash, req.body);
    if (!put.ok()) {
      return HttpResponse::Error(
          503, "store-unavailable",
          "the evidence could not be stored; send it again (" + put.message() + ")");
    }
    return JsonResponse(201, json{{"sha256", hash},
                                  {"content_type", *kind},
                                  {"bytes", static_cast<int64_t>(req.body.size())},
                                  {"url", std::string(kPrefix) + "/photos/" + hash}});
  }
  if (top == "precincts") {
    if (seg.size() == 1) {
      if (!get) return method_not_allowed("GET");
      return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
        json list = json::array();
        for (size_t i = 0; i < s.precincts().size(); ++i) {
          const int64_t id = static_cast<int64_t>(i + 1);
          const PrecinctRecord& r = *s.precinct(id);
          list.push_back({{"id", id},
                          {"county", s.precincts()[i].county},
                          {"precinct", s.precincts()[i].precinct},
                          {"status", s.StatusOf(id)},
                          {"disputed", s.Disputed(id)},
                          {"flagged", r.check->has_error()},
                          {"revision", r.revision}});
        }
        return json{{"seq", s.seq()}, {"precincts", list}};
      }));
    }
    auto id = ParseId(seg[1]);
    const bool exists =
        id && intake_.Read([&](const ElectionState& s) { return s.precinct(*id) != nullptr; });
    if (!exists) {
      return HttpResponse::Error(404, "unknown-precinct", "there is no precinct " + seg[1]);
    }
    if (seg.size() == 2) {
      if (!get) return method_not_allowed("GET");
      return JsonResponse(
          200, intake_.Read([&](const ElectionState& s) { return PrecinctJson(s, *id, true); }));
    }
    if (seg.size() != 3) return HttpResponse::Error(404, "not-found", "no such route");
    const std::string& action = seg[2];
    static const std::set<std::string> kActions = {"first",   "final",        "ties",
                                                   "photo",   "confirm",      "corrections",
                                                   "preview", "attestations", "practice"};
    if (kActions.count(action) == 0) return HttpResponse::Error(404, "not-found", "no such route");
    if (!post) return method_not_allowed("POST");
    if (who.role == "public") return NeedLogin();
    const bool own_chair = who.role == "chair" && who.subject == std::to_string(*id);
    const bool reporter = own_chair || who.role == "admin";
    if (action == "attestations") {
      if (who.role != "campaign") return Forbidden("only campaigns confirm or dispute reports");
    } else if (action == "ties" || action == "photo" || action == "confirm" ||
               action == "preview") {
      if (!reporter && who.role != "operator") {
        return Forbidden(who.role == "chair" ? "you can report only for your own precinct"
                                             : "only the precinct's chair, a hotline operator "
                                               "or an administrator can do this");
      }
    } else if (!reporter) {
      return Forbidden(who.role == "chair" ? "you can report only for your own precinct"
                       : who.role == "operator" && action == "corrections"
                           ? "the hotline cannot change a recorded report: the precinct's chair "
                             "sends the correction from the chair page (or an administrator does)"
                       : who.role == "operator"
                           ? "operators enter reports at /api/v1/hotline/entries (double entry)"
                           : "only the precinct's chair or an administrator can report figures");
    }
    if (action == "photo") {
      auto kind = PhotoKind(req.body);
      if (!kind.ok()) {
        return HttpResponse::Error(415, "unsupported-photo", kind.status().message());
      }
      if (req.body.size() > options_.max_photo_bytes) {
        return HttpResponse::Error(413, "too-large", "the photo is too large");
      }
      const std::string hash = Sha256Hex(req.body);
      Status put = intake_.PutBlob(hash, req.body);
      if (!put.ok()) {
        return HttpResponse::Error(
            503, "store-unavailable",
            "the photo could not be stored; send it again (" + put.message() + ")");
      }
      json payload = {{"precinct", *id},
                      {"sha256", hash},
                      {"content_type", *kind},
                      {"bytes", static_cast<int64_t>(req.body.size())}};
      auto sub = req.query.find("submission");
      const std::string& header = req.Header("x-submission-id");
      if (sub != req.query.end()) {
        payload["submission"] = sub->second;
      } else if (!header.empty()) {
        payload["submission"] = header;
      } else {
        // Per precinct: an operator or administrator may send the same photo for two precincts.
        payload["submission"] = "photo-" + std::to_string(*id) + "-" + hash;
      }
      return submit("photo-attached", std::move(payload));
    }
    // Only photos may use the larger body limit the HTTP layer allows under /precincts/.
    if (req.body.size() > kMaxJsonBody) {
      return HttpResponse::Error(413, "too-large", "the request body is larger than 64 KiB");
    }
    json body;
    if (auto e = ParseBody(req, body)) return *e;
    if (action == "preview") {
      auto result = intake_.Read([&](const ElectionState& s) { return s.Preview(*id, body); });
      if (auto* r = std::get_if<Rejection>(&result)) return RejectionResponse(*r);
      return JsonResponse(200, std::get<json>(result));
    }
    body["precinct"] = *id;
    // A correction keeps the tie outcomes that still settle the same tie, unless told otherwise.
    if (action == "corrections" && body.is_object() && !body.contains("keep_ties")) {
      body["keep_ties"] = true;
    }
    static const std::map<std::string, std::string> kTypes = {
        {"first", "first-alignment-reported"}, {"final", "final-alignment-reported"},
        {"ties", "tie-outcome-recorded"},      {"confirm", "report-confirmed"},
        {"corrections", "report-corrected"},   {"attestations", "campaign-attestation"},
        {"practice", "practice-report"}};
    return submit(kTypes.at(action), std::move(body));
  }
  if (top == "hotline") {
    if (who.role == "public") return NeedLogin();
    if (who.role != "operator" &&
        !(who.role == "admin" && seg.size() == 2 && seg[1] == "reconciliation")) {
      return Forbidden("only hotline operators use the hotline");
    }
    if (seg.size() == 2 && seg[1] == "entries") {
      if (!post) return method_not_allowed("POST");
      json body;
      if (auto e = ParseBody(req, body)) return *e;
      if (!body.contains("precinct") || !body["precinct"].is_number_integer()) {
        return HttpResponse::Error(422, "precinct-required",
                                   "say which precinct (its number) the caller reports for",
                                   "precinct");
      }
      return submit("hotline-entry", std::move(body));
    }
    if (seg.size() == 2 && seg[1] == "reconciliation") {
      if (!get) return method_not_allowed("GET");
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
              const CredentialRecord* c = s.credential(h.operator_id);
              entries.push_back({{"seq", h.seq},
                                 {"operator", h.operator_id},
                                 {"operator_name", c != nullptr ? c->subject : h.operator_id},
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
    return HttpResponse::Error(404, "not-found", "no such route");
  }
  // After the night (docs/api.md "Audit"): the public record, the materiality list, requests
  // from campaigns (or the party chair, as the ruleset allows), the party's decisions and the
  // recanvass entries. The ledger decides who may do what; here only who is logged in.
  if (top == "audit" && (seg.size() == 1 || (seg.size() == 2 && seg[1] == "materiality"))) {
    if (!get) return method_not_allowed("GET");
    return Audit(req, seg.size() == 2 ? AuditBody::kMateriality : AuditBody::kRecord);
  }
  // The risk-limiting audit (docs/api.md "Risk-limiting audit"): public to read; the party
  // starts it with a risk limit, enters the public seed, and enters each drawn precinct's tally.
  if (top == "audit" && seg.size() >= 2 && seg[1] == "rla" && seg.size() <= 3) {
    const std::string action = seg.size() == 3 ? seg[2] : "";
    if (action.empty() && get) return Audit(req, AuditBody::kRla);
    if (action != "" && action != "seed" && action != "tallies") {
      return HttpResponse::Error(404, "not-found", "no such route");
    }
    if (!post) return method_not_allowed(action.empty() ? "GET, POST" : "POST");
    if (who.role == "public") return NeedLogin();
    if (who.role != "admin") return Forbidden("only the party's administrators run the audit");
    json body;
    if (auto e = ParseBody(req, body)) return *e;
    if (action.empty()) return submit("rla-started", std::move(body));
    if (action == "seed") return submit("rla-seed", std::move(body));
    if (!body.contains("precinct") || !body["precinct"].is_number_integer()) {
      return HttpResponse::Error(422, "precinct-required", "say which precinct (its number)",
                                 "precinct");
    }
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
    return submit("rla-tally", std::move(body));
  }
  if (top == "reviews") {
    if (!post) return method_not_allowed("POST");
    if (who.role == "public") return NeedLogin();
    json body;
    if (auto e = ParseBody(req, body)) return *e;
    if (seg.size() == 1) {
      if (who.role != "campaign" && who.role != "admin") {
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
      return submit("review-requested", std::move(body));
    }
    auto request = seg.size() == 3 ? ParseId(seg[1]) : std::nullopt;
    static const std::map<std::string, std::string> kReviewTypes = {
        {"decisions", "review-decided"},
        {"costs", "review-costs"},
        {"schedule", "review-scheduled"},
        {"recanvass", "recanvass-entered"},
        {"recount", "recount-entered"}};
    auto type = seg.size() == 3 ? kReviewTypes.find(seg[2]) : kReviewTypes.end();
    if (!request || type == kReviewTypes.end()) {
      return HttpResponse::Error(404, "not-found", "no such route");
    }
    if (seg[2] == "costs") {
      // The state checks that the campaign is the one that filed the request.
      if (who.role != "campaign") {
        return Forbidden("only the campaign that filed the request answers its costs");
      }
    } else if (who.role != "admin") {
      return Forbidden(seg[2] == "decisions" ? "only the party decides on a request"
                       : seg[2] == "schedule"
                           ? "only the party schedules a recanvass or recount"
                           : "only the party's administrators enter a " + seg[2]);
    }
    if (!body.contains("precinct") || !body["precinct"].is_number_integer()) {
      return HttpResponse::Error(422, "precinct-required", "say which precinct (its number)",
                                 "precinct");
    }
    body["request"] = *request;
    return submit(type->second, std::move(body));
  }
  if (top == "certification" && seg.size() == 1) {
    if (!post) return method_not_allowed("POST");
    if (who.role == "public") return NeedLogin();
    if (who.role != "admin") return Forbidden("only the party certifies the results");
    json body;
    if (auto e = ParseBody(req, body)) return *e;
    return submit("results-certified", std::move(body));
  }
  // The anomaly gate (docs/api.md "Holds"): the precincts the next release holds back, the
  // overrides in force, and an administrator's override publishing one as reported.
  if (top == "holds" && seg.size() == 1) {
    if (!get && !post) return method_not_allowed("GET, POST");
    if (who.role == "public") return NeedLogin();
    if (who.role != "admin") return Forbidden("only an administrator sees and releases holds");
    if (post) {
      json body;
      if (auto e = ParseBody(req, body)) return *e;
      if (!body.contains("precinct") || !body["precinct"].is_number_integer()) {
        return HttpResponse::Error(422, "precinct-required", "say which precinct (its number)",
                                   "precinct");
      }
      return submit("anomaly-override", std::move(body));
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
  if (top == "credentials" && seg.size() == 2 && seg[1] == "reissue") {
    if (!post) return method_not_allowed("POST");
    if (who.role == "public") return NeedLogin();
    if (who.role != "admin") return Forbidden("only an administrator reissues access codes");
    json body;
    if (auto e = ParseBody(req, body)) return *e;
    if (!body.contains("role") || !body["role"].is_string() || !body.contains("subject") ||
        !body["subject"].is_string()) {
      return HttpResponse::Error(422, "malformed-request", "give role and subject", "role");
    }
    auto issued = ReissueCredential(intake_, body["role"].get<std::string>(),
                                    body["subject"].get<std::string>(),
                                    Actor{"admin", who.credential}, "admin", options_.kdf);
    if (!issued.ok()) return ErrorResponse(issued.status(), "reissue-refused");
    return JsonResponse(201, {{"role", issued->role},
                              {"subject", issued->subject},
                              {"label", issued->label},
                              {"credential", issued->credential},
                              {"code", issued->code}});
  }
  if (top == "readiness" && seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    if (who.role == "public") return NeedLogin();
    if (who.role != "admin") return Forbidden("only administrators see readiness");
    return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
      json rows = json::array();
      int64_t in = 0;
      int64_t practised = 0;
      int64_t both = 0;
      for (size_t i = 0; i < s.precincts().size(); ++i) {
        const std::string subject = std::to_string(i + 1);
        const CredentialRecord* c = s.credential_of("chair", subject);
        // Logins (session-opened) and practice reports are in the ledger, so every node, and a
        // node after a restart, gives the same figures.
        const bool seen = c != nullptr && c->session_seq != 0;
        in += seen ? 1 : 0;
        const PrecinctRecord& r = *s.precinct(static_cast<int64_t>(i + 1));
        practised += r.practice_reports > 0 ? 1 : 0;
        both += seen && r.practice_reports > 0 ? 1 : 0;
        rows.push_back({{"precinct", static_cast<int64_t>(i + 1)},
                        {"county", s.precincts()[i].county},
                        {"name", s.precincts()[i].precinct},
                        {"chair_logged_in", seen},
                        {"chair_login_seq", seen ? c->session_seq : 0},
                        {"practice_reports", r.practice_reports},
                        {"practice_seq", r.practice_seq},
                        {"status", s.StatusOf(static_cast<int64_t>(i + 1))}});
      }
      return json{{"chairs_logged_in", in},
                  {"chairs_practised", practised},
                  {"chairs_ready", both},
                  {"precincts", rows}};
    }));
  }
  return HttpResponse::Error(404, "not-found", "no such route: " + req.path);
}

HttpResponse Api::Results(const HttpRequest& req) {
  const int64_t seq = intake_.Read([](const ElectionState& s) { return s.seq(); });
  std::shared_ptr<const std::string> body;
  int64_t body_seq = -1;
  {
    std::unique_lock lock(results_mu_, std::try_to_lock);
    const bool stale_ok = !lock.owns_lock() && results_body_ != nullptr;
    if (!lock.owns_lock() && !stale_ok) lock.lock();
    if (lock.owns_lock()) {
      const auto now = std::chrono::steady_clock::now();
      const bool fresh_enough =
          results_body_ != nullptr &&
          (results_seq_ == seq || now - results_built_ < options_.results_max_age);
      if (!fresh_enough) {
        auto built = intake_.Read([&](const ElectionState& s) -> std::pair<int64_t, std::string> {
          if (!s.created()) return {s.seq(), json{{"created", false}}.dump()};
          Election election = s.ReportedElection();
          std::vector<PrecinctCheck> checks = s.ReportedChecks();
          auto tab = Tabulate(s.ruleset(), election, checks);
          json out;
          if (tab.ok()) {
            out = TabulationToJson(s.ruleset(), s.candidates(), *tab);
          } else {
            out = {{"error", tab.status().message()}};
          }
          std::vector<int64_t> ids = s.ReportedIds();
          int64_t complete = 0;
          int64_t confirmed = 0;
          for (int64_t id : ids) {
            const std::string st = s.StatusOf(id);
            complete += (st == "final-reported" || st == "confirmed") ? 1 : 0;
            confirmed += st == "confirmed" ? 1 : 0;
          }
          const int64_t total = static_cast<int64_t>(s.precincts().size());
          out["ledger"] = {{"seq", s.seq()}, {"head", s.head_hash()}};
          out["reporting"] = {{"precincts", total},
                              {"reported", ids.size()},
                              {"complete", complete},
                              {"confirmed", confirmed},
                              {"percent_complete",
                               total == 0 ? "0.00" : Rational(complete * 100, total).ToDecimal(2)},
                              {"in", ids}};
          return {s.seq(), out.dump()};
        });
        results_seq_ = built.first;
        results_body_ = std::make_shared<const std::string>(std::move(built.second));
        results_built_ = now;
      }
    }
    body = results_body_;
    body_seq = results_seq_;
  }
  const std::string etag = fmt::format("\"r{}\"", body_seq);
  return HttpResponse::Revalidated(req, etag, std::move(body));
}

HttpResponse Api::Events(const HttpRequest& req) {
  int64_t after = 0;
  std::string from = req.Header("last-event-id");
  if (from.empty()) {
    auto it = req.query.find("after");
    if (it != req.query.end()) from = it->second;
  }
  if (!from.empty()) {
    auto [p, ec] = std::from_chars(from.data(), from.data() + from.size(), after);
    if (ec != std::errc() || p != from.data() + from.size() || after < 0) {
      return HttpResponse::Error(400, "malformed-event-id",
                                 "Last-Event-ID must be a ledger sequence number", "after");
    }
  }
  HttpResponse r;
  SseStream stream;
  stream.after = after;
  stream.fetch = [this](int64_t from_seq, size_t max) {
    std::lock_guard lock(events_mu_);
    if (static_cast<int64_t>(event_wire_.size()) < from_seq + static_cast<int64_t>(max)) {
      // Format what the ledger has beyond the cache, once for every stream.
      intake_.Read([&](const ElectionState& s) {
        const auto& lines = s.lines();
        for (size_t i = event_wire_.size(); i < lines.size(); ++i) {
          const StoredEvent& e = lines[i];
          // The type, without decoding the line: it is canonical, so "type" is its last member.
          std::string type;
          const size_t at = e.line.rfind("\"type\":\"");
          if (at != std::string::npos) {
            const size_t start = at + 8;
            type = e.line.substr(start, e.line.find('"', start) - start);
          }
          event_wire_.push_back(std::make_shared<const std::string>(
              FormatSseMessage(SseMessage{e.seq, type, e.line, nullptr})));
        }
      });
    }
    std::vector<SseMessage> out;
    for (int64_t i = from_seq; i < static_cast<int64_t>(event_wire_.size()) && out.size() < max;
         ++i) {
      SseMessage m;
      m.id = i + 1;
      m.wire = event_wire_[static_cast<size_t>(i)];
      out.push_back(std::move(m));
    }
    return out;
  };
  r.stream = std::move(stream);
  return r;
}

HttpResponse Api::Ledger(const HttpRequest& req) {
  int64_t after = 0;
  int64_t limit = 1000;
  for (auto [key, target] : {std::pair{"after", &after}, std::pair{"limit", &limit}}) {
    auto it = req.query.find(key);
    if (it == req.query.end()) continue;
    const std::string& v = it->second;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *target);
    if (ec != std::errc() || p != v.data() + v.size() || *target < 0) {
      return HttpResponse::Error(400, "malformed-query", std::string(key) + " must be a number",
                                 key);
    }
  }
  limit = std::clamp<int64_t>(limit, 1, 10000);
  HttpResponse r;
  r.content_type = "application/x-ndjson";
  r.body = intake_.Read([&](const ElectionState& s) {
    std::string out;
    const auto& lines = s.lines();
    for (int64_t i = after; i < static_cast<int64_t>(lines.size()) && i < after + limit; ++i) {
      out += lines[static_cast<size_t>(i)].line;
      out += '\n';
    }
    return out;
  });
  return r;
}

// --- releases ----------------------------------------------------------------------------

HttpResponse Api::PublishRelease(const Principal& who) {
  if (options_.publisher == nullptr || !options_.publisher->can_publish()) {
    return HttpResponse::Error(503, "publishing-unavailable",
                               "this server holds no signing key: publish from a node that does, "
                               "or with `canvass publish`");
  }
  auto outcome = options_.publisher->PublishNow(Actor{"admin", who.credential}, "admin");
  if (!outcome.ok()) {
    return ErrorResponse(outcome.status(), "release-refused");
  }
  return JsonResponse(outcome->published ? 201 : 200, {{"published", outcome->published},
                                                       {"number", outcome->number},
                                                       {"ledger_seq", outcome->ledger_seq},
                                                       {"seq", outcome->seq}});
}

HttpResponse Api::ReleaseTimeline(const HttpRequest& req) {
  auto [records, latest] = intake_.Read([](const ElectionState& s) {
    return std::pair{s.releases(), s.releases().empty() ? int64_t{0} : s.releases().back().seq};
  });
  const std::string etag = fmt::format("\"t{}\"", latest);
  json points = json::array();
  if (req.Header("if-none-match") != etag) {
    for (const ReleaseRecord& record : records) {
      const std::string name = ReleaseJsonName(record.number);
      const std::string sha = record.files.value(name, std::string());
      if (!IsSha256Hex(sha)) {
        return HttpResponse::Error(500, "release-unreadable",
                                   fmt::format("release {} names no {}", record.number, name));
      }
      {
        std::lock_guard lock(timeline_mu_);
        auto hit = timeline_.find(sha);
        if (hit != timeline_.end()) {
          points.push_back(hit->second);
          continue;
        }
      }
      auto blob = intake_.GetBlob(sha);
      if (!blob.ok()) return HttpResponse::Error(503, "store-unavailable", blob.status().message());
      if (!blob->has_value()) {
        return HttpResponse::Error(503, "store-unavailable",
                                   name + " is not in this node's store (yet)");
      }
      json doc = json::parse(**blob, nullptr, /*allow_exceptions=*/false);
      auto point = ReleaseTimelinePoint(doc);
      if (!point.ok()) {
        return HttpResponse::Error(500, "release-unreadable",
                                   name + ": " + point.status().message());
      }
      points.push_back(*point);
      std::lock_guard lock(timeline_mu_);
      timeline_.emplace(sha, std::move(*point));
    }
  }
  HttpResponse r = JsonResponse(200, {{"releases", std::move(points)}});
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "public, max-age=5");
  if (req.Header("if-none-match") == etag) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

HttpResponse Api::ReleaseFiles(const HttpRequest& req, const std::vector<std::string>& seg) {
  auto cached = [&](HttpResponse r, const std::string& etag, const char* cache) {
    r.headers.emplace_back("ETag", "\"" + etag + "\"");
    r.headers.emplace_back("Cache-Control", cache);
    if (req.Header("if-none-match") == "\"" + etag + "\"") {
      r.status = 304;
      r.body.clear();
    }
    return r;
  };
  if (seg.size() == 1) {
    auto [index, latest] = intake_.Read([](const ElectionState& s) {
      return std::pair{ReleaseIndexJson(s), s.releases().empty() ? 0 : s.releases().back().seq};
    });
    return cached(JsonResponse(200, index), fmt::format("i{}", latest), "public, max-age=5");
  }
  if (seg.size() > 3) return HttpResponse::Error(404, "not-found", "no such release file");
  const bool latest = seg[1] == "latest";
  const std::optional<int64_t> number = latest ? std::nullopt : ParseId(seg[1]);
  if (!latest && !number) {
    return HttpResponse::Error(404, "not-found", "a release is named by its number or \"latest\"");
  }
  const std::string kind = seg.size() == 3 ? seg[2] : "json";
  auto record = intake_.Read([&](const ElectionState& s) -> std::optional<ReleaseRecord> {
    if (s.releases().empty()) return std::nullopt;
    if (latest) return s.releases().back();
    if (*number > static_cast<int64_t>(s.releases().size())) return std::nullopt;
    return s.releases()[static_cast<size_t>(*number - 1)];
  });
  if (!record) return HttpResponse::Error(404, "not-found", "no such release (yet)");
  const char* cache = latest ? "public, max-age=5" : "public, max-age=31536000, immutable";
  const int64_t n = record->number;
  HttpResponse r;
  if (kind == "sig") {
    r.content_type = "text/plain; charset=utf-8";
    r.body = record->signature + "\n";
    const std::string etag = Sha256Hex(r.body);
    return cached(std::move(r), etag, cache);
  }
  static const std::map<std::string, std::pair<std::string (*)(int64_t), const char*>> kKinds = {
      {"json", {&ReleaseJsonName, "application/json"}},
      {"precincts.csv", {&ReleasePrecinctsCsvName, "text/csv; charset=utf-8"}},
      {"totals.csv", {&ReleaseTotalsCsvName, "text/csv; charset=utf-8"}},
      {"cdf.json", {&ReleaseCdfName, "application/json"}},
      {"root.json", {&ReleaseRootName, "application/json"}},
      {"root.json.sig", {&ReleaseRootSignatureName, "text/plain; charset=utf-8"}}};
  auto it = kKinds.find(kind);
  if (it == kKinds.end()) {
    return HttpResponse::Error(404, "not-found",
                               "a release's files are json, precincts.csv, totals.csv, cdf.json, "
                               "root.json, root.json.sig and sig");
  }
  const std::string name = it->second.first(n);
  const std::string sha = record->files.value(name, std::string());
  if (!IsSha256Hex(sha))
    return HttpResponse::Error(404, "not-found", "the release names no " + name);
  r.content_type = it->second.second;
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + name + "\"");
  if (req.Header("if-none-match") != "\"" + sha + "\"") {
    std::shared_ptr<const std::string> bytes;
    {
      std::lock_guard lock(files_mu_);
      auto hit = files_.find(sha);
      if (hit != files_.end()) bytes = hit->second;
    }
    if (!bytes) {
      auto blob = intake_.GetBlob(sha);
      if (!blob.ok()) return HttpResponse::Error(503, "store-unavailable", blob.status().message());
      if (!blob->has_value()) {
        return HttpResponse::Error(404, "not-found", name + " is not in this node's store");
      }
      bytes = std::make_shared<const std::string>(std::move(**blob));
      std::lock_guard lock(files_mu_);
      if (files_.emplace(sha, bytes).second) {
        files_order_.push_back(sha);
        files_bytes_ += bytes->size();
        while (files_bytes_ > kReleaseCacheBytes && files_order_.size() > 1) {
          auto old = files_.find(files_order_.front());
          files_bytes_ -= old->second->size();
          files_.erase(old);
          files_order_.pop_front();
        }
      }
    }
    r.shared_body = std::move(bytes);
  }
  return cached(std::move(r), sha, cache);
}

}  // namespace canvass
