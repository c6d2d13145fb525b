// Conventions (docs/api.md "Conventions", docs/conventions.md "On the ledger"): public to read,
// with every pool's result; each step of a convention is an event the logged-in code submits.
// The ledger decides who may do what (an administrator publishes procedures, the officers enter
// filings, slates, tallies and lots, a campaign reviews its own filers, a voter casts a ballot);
// here only who is logged in, and that the path and the body name the same convention. Two
// routes are more than an event: the voter roll (POST .../voters), whose codes are made and
// hashed here and answered once, and a voter's own ballots (GET .../my-ballot).
#include <fmt/format.h>

#include <map>
#include <set>
#include <string>

#include "api/answer_json.h"
#include "api/api.h"
#include "api/routes.h"
#include "api/status_http.h"
#include "intake/setup.h"
#include "ledger/event_types.h"
#include "state/convention.h"

namespace canvass {

using nlohmann::json;

namespace {

// POST /api/v1/conventions/{name}/{step}: the event each step submits.
const std::map<std::string, std::string_view, std::less<>>& ConventionSteps() {
  static const std::map<std::string, std::string_view, std::less<>> kSteps = {
      {"procedures", event_type::kProcedurePublished},
      {"waivers", event_type::kProcedureWaived},
      {"stages", event_type::kConventionStageOpened},
      {"filings", event_type::kDelegateFiled},
      {"reviews", event_type::kFilerReviewed},
      {"slates", event_type::kSlateFiled},
      {"ballots", event_type::kConventionBallot},
      {"tallies", event_type::kConventionTally},
      {"close", event_type::kVotingClosed},
      {"lots", event_type::kConventionLots}};
  return kSteps;
}

}  // namespace

// POST /api/v1/conventions/{name}/voters {"submission", "pool"?, "count"}: the voter roll. The
// codes are made and hashed here (the ledger holds only the hashes) and answered once, with the
// receipt; a retry of an accepted submission gets the receipt and no codes.
HttpResponse Api::ConventionVoters(const Call& c) {
  if (c.req.method != "POST") return MethodNotAllowed(c.req, "POST");
  if (c.who.role == "public") return NeedLogin();
  const std::string& name = c.seg[1];
  // Refused before any hashing: the ledger refuses them too, but each code costs an Argon2id.
  if (c.who.role != role::kAdmin && !(c.who.role == role::kOfficer && c.who.subject == name)) {
    return HttpResponse::Error(403, "forbidden",
                               "the convention's officers or an administrator issue voters' codes");
  }
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  if (body.contains("convention") && body["convention"] != name) {
    return HttpResponse::Error(
        422, "convention-mismatch",
        fmt::format("the path names convention {}, the body {}", name, body["convention"].dump()),
        "convention");
  }
  if (!body.contains("count") || !body["count"].is_number_integer()) {
    return HttpResponse::Error(
        422, "malformed-request",
        fmt::format("count is the number of voter codes, 1 to {}", kMaxVotersPerIssue), "count");
  }
  std::string pool;
  if (body.contains("pool")) {
    if (!body["pool"].is_string() || body["pool"].get<std::string>().empty()) {
      return HttpResponse::Error(422, "malformed-request", "pool names one pool", "pool");
    }
    pool = body["pool"].get<std::string>();
  }
  if (!AllowSubmission(c.who.credential)) {
    HttpResponse r = HttpResponse::Error(429, "slow-down",
                                         "too many submissions from this account; wait a moment");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  std::set<std::string> taken = intake_.Read([](const ElectionState& s) {
    std::set<std::string> ids;
    for (const auto& [id, cred] : s.credentials()) ids.insert(id);
    return ids;
  });
  auto codes = NewVoterCodes(taken, pool.empty() ? name : name + "/" + pool,
                             body["count"].get<int64_t>(), options_.kdf);
  if (!codes.ok()) {
    return HttpResponse::Error(422, "bad-count", codes.status().message(), "count");
  }
  json payload = {{"convention", name}, {"voters", std::move(codes->voters)}};
  if (!pool.empty()) payload["pool"] = pool;
  if (body.contains("submission")) payload["submission"] = body["submission"];
  json issued = json::array();
  for (const IssuedCode& code : codes->codes) {
    issued.push_back({{"credential", code.credential}, {"code", code.code}});
  }
  c.answered = true;
  Submission s{std::string(event_type::kVotersIssued), Actor{c.who.role, c.who.credential},
               ChannelOf(c.who.role), std::move(payload)};
  intake_.Submit(std::move(s), [this, name, pool, issued = std::move(issued),
                                respond = std::move(c.respond)](Outcome o) {
    const char* kind = o.kind == Outcome::Kind::kAccepted    ? "accepted"
                       : o.kind == Outcome::Kind::kDuplicate ? "duplicate"
                       : o.kind == Outcome::Kind::kRejected  ? "rejected"
                                                             : "unavailable";
    metrics_.Increment("canvass_submissions_total",
                       {{"type", std::string(event_type::kVotersIssued)}, {"outcome", kind}});
    if (o.kind == Outcome::Kind::kRejected) {
      metrics_.Increment("canvass_rejected_inputs_total", {{"code", o.rejection->code}});
      respond(RejectionResponse(*o.rejection));
      return;
    }
    if (o.kind == Outcome::Kind::kUnavailable) {
      respond(HttpResponse::Error(503, "store-unavailable",
                                  "the codes could not be recorded right now and were not kept; "
                                  "ask again in a moment (" +
                                      o.unavailable + ")"));
      return;
    }
    json answer = intake_.Read([&](const ElectionState& st) { return AnswerJson(st, o.answer); });
    answer["convention"] = name;
    answer["pool"] = pool.empty() ? json(nullptr) : json(pool);
    if (o.kind == Outcome::Kind::kAccepted) {
      metrics_.Increment("canvass_events_appended_total");
      answer["voters"] = issued;
      respond(JsonResponse(201, answer));
    } else {
      // The first answer had the codes; they were never stored, so a retry cannot repeat them.
      answer["voters"] = json::array();
      answer["message"] =
          "these codes were answered when first issued and are not kept: reissue a lost one";
      respond(JsonResponse(200, answer));
    }
  });
  return HttpResponse{};
}

HttpResponse Api::Conventions(const Call& c) {
  const std::vector<std::string>& seg = c.seg;
  if (seg.size() > 3) return NoSuchRoute(c.req);
  if (seg.size() == 3 && seg[2] == "my-ballot") {
    if (c.req.method != "GET") return MethodNotAllowed(c.req, "GET");
    if (c.who.role == "public") return NeedLogin();
    if (c.who.role != role::kVoter || c.who.subject.substr(0, c.who.subject.find('/')) != seg[1]) {
      return HttpResponse::Error(
          403, "forbidden", "only a voter's code of convention " + seg[1] + " has ballots there");
    }
    auto mine = intake_.Read([&](const ElectionState& s) -> std::optional<json> {
      const ConventionRecord* r = s.conventions() ? s.conventions()->find(seg[1]) : nullptr;
      if (r == nullptr) return std::nullopt;
      return VoterBallotsJson(*r, c.who.credential, c.who.subject);
    });
    if (!mine) {
      return HttpResponse::Error(404, "unknown-convention", "there is no convention " + seg[1]);
    }
    return JsonResponse(200, *mine);
  }
  if (seg.size() == 3 && seg[2] == "voters") return ConventionVoters(c);
  if (c.req.method == "GET" && seg.size() <= 2) {
    if (seg.size() == 1) {
      json names = json::array();
      intake_.Read([&](const ElectionState& s) {
        if (s.conventions() == nullptr) return;
        for (const auto& [name, record] : s.conventions()->conventions) {
          names.push_back({{"convention", name}, {"district", record.district}});
        }
      });
      return JsonResponse(200, {{"conventions", std::move(names)}});
    }
    auto shown = intake_.Read([&](const ElectionState& s) -> std::optional<json> {
      const ConventionRecord* r = s.conventions() ? s.conventions()->find(seg[1]) : nullptr;
      if (r == nullptr) return std::nullopt;
      return ConventionJson(*r);
    });
    if (!shown) {
      return HttpResponse::Error(404, "unknown-convention", "there is no convention " + seg[1]);
    }
    return JsonResponse(200, *shown);
  }
  std::string type(event_type::kConventionCreated);
  if (seg.size() == 3) {
    auto step = ConventionSteps().find(seg[2]);
    if (step == ConventionSteps().end()) return NoSuchRoute(c.req);
    type = step->second;
  } else if (seg.size() == 2) {
    return MethodNotAllowed(c.req, "GET");
  }
  if (c.req.method != "POST")
    return MethodNotAllowed(c.req, seg.size() == 1 ? "GET, POST" : "POST");
  if (c.who.role == "public") return NeedLogin();
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  if (seg.size() == 3) {
    // The path names the convention; a body that names another is a mistake, not a choice.
    if (body.contains("convention") && body["convention"] != seg[1]) {
      return HttpResponse::Error(422, "convention-mismatch",
                                 fmt::format("the path names convention {}, the body {}", seg[1],
                                             body["convention"].dump()),
                                 "convention");
    }
    body["convention"] = seg[1];
  }
  return Submit(c, type, std::move(body));
}

}  // namespace canvass
