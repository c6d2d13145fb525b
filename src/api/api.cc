// The front door of the API: who is calling (Authenticate), the table of routes and the
// dispatch to their handlers (Route), and the one way a write goes to the intake (Submit). The
// handlers are in files by subject: session_routes.cc, view_routes.cc, event_routes.cc,
// precinct_routes.cc, hotline_routes.cc, review_routes.cc (with audit.cc), release_routes.cc
// (with release_proof.cc), national.cc, convention_routes.cc and district_routes.cc; what they
// share is routes.h.
#include "api/api.h"

#include <fmt/format.h>

#include "api/answer_json.h"
#include "api/routes.h"
#include "api/status_http.h"

namespace canvass {

using nlohmann::json;

namespace {

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

// Path segments after /api/v1: "/api/v1/precincts/12/first" -> {"precincts", "12", "first"}.
std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  path.remove_prefix(kApiPrefix.size());
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

}  // namespace

// Looked up in order, by the first segment after /api/v1 and (where not 0) the number of
// segments; a path no entry takes is a 404 naming it.
const Api::RouteEntry Api::kRoutes[] = {
    {"health", 1, "GET", &Api::Health},
    {"session", 1, "GET, POST", &Api::Session},
    {"election", 1, "GET", &Api::ElectionSummary},
    {"results", 1, "GET", &Api::Results},
    {"national", 1, "GET", &Api::National},
    {"events", 1, "GET", &Api::Events},
    {"ledger", 1, "GET", &Api::Ledger},
    // Index, files, timeline and proofs are GET (or HEAD); publishing and the policy are not.
    {"releases", 0, nullptr, &Api::Releases},
    {"attestations", 1, "GET", &Api::Attestations},
    {"photos", 2, "GET", &Api::Photos},
    {"evidence", 1, "POST", &Api::Evidence},
    {"precincts", 0, nullptr, &Api::Precincts},
    // An operator's routes refuse anyone else before looking at the method.
    {"hotline", 0, nullptr, &Api::Hotline},
    {"audit", 0, nullptr, &Api::AuditRoute},
    {"reviews", 0, "POST", &Api::Reviews},
    {"certification", 1, "POST", &Api::Certification},
    {"holds", 1, "GET, POST", &Api::Holds},
    {"credentials", 2, nullptr, &Api::Reissue},
    {"readiness", 1, "GET", &Api::Readiness},
    // Public to read; each step of a convention is a POST the ledger judges.
    {"conventions", 0, nullptr, &Api::Conventions},
    // Public and pure: a plan's analysis, nothing read from or written to the ledger.
    {"districts", 2, "POST", &Api::Districts},
};

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
  if (path.rfind(kApiPrefix, 0) != 0) return path == "/metrics" ? path : "other";
  std::vector<std::string> seg = Segments(path);
  std::string label(kApiPrefix);
  for (size_t i = 0; i < seg.size() && i < 4; ++i) {
    const bool id = (i == 1 && (seg[0] == "precincts" || seg[0] == "photos" ||
                                seg[0] == "reviews" || seg[0] == "conventions")) ||
                    (seg[0] == "releases" && i >= 1 && seg[i] != "policy" && seg[i] != "timeline");
    // Appended in two steps: g++ 12 at -O3 warns falsely (-Wrestrict) on "/" + a string here.
    label += '/';
    label += id ? std::string_view(":id") : std::string_view(seg[i]);
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

HttpResponse Api::Submit(const Call& c, std::string_view type, json payload) {
  c.answered = true;
  SubmitEvent(std::string(type), c.who, std::move(payload), std::move(c.respond));
  return HttpResponse{};
}

void Api::Handle(HttpRequest req, Respond respond) {
  HttpResponse error;
  Principal who;
  if (req.path.rfind(kApiPrefix, 0) == 0 || req.path == "/metrics") {
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
  if (req.path.rfind(kApiPrefix, 0) != 0) {
    if (options_.web) return options_.web->Serve(req);
    return HttpResponse::Error(404, "not-found", "no such page: " + req.path);
  }
  const std::vector<std::string> seg = Segments(req.path);
  if (seg.empty()) return HttpResponse::Error(404, "not-found", "see docs/api.md");
  const Call call{req, who, seg, respond, answered};
  for (const RouteEntry& route : kRoutes) {
    if (route.top != seg[0] || (route.segments != 0 && route.segments != seg.size())) continue;
    if (route.methods != nullptr && !Takes(route.methods, req.method)) {
      return MethodNotAllowed(req, route.methods);
    }
    return (this->*route.handle)(call);
  }
  return NoSuchRoute(req);
}

}  // namespace canvass
