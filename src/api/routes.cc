#include "api/routes.h"

#include <fmt/format.h>

#include <charconv>

#include "core/json_text.h"
#include "ledger/event_types.h"

namespace canvass {

using nlohmann::json;

namespace {

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

}  // namespace

HttpResponse JsonResponse(int status, const json& body) {
  return HttpResponse::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

HttpResponse NeedLogin() {
  return HttpResponse::Error(401, "unauthenticated",
                             "log in with your access code first (POST /api/v1/session)");
}

HttpResponse Forbidden(const std::string& message) {
  return HttpResponse::Error(403, "forbidden", message);
}

HttpResponse MethodNotAllowed(const HttpRequest& req, const char* allowed) {
  HttpResponse r =
      HttpResponse::Error(405, "method-not-allowed", fmt::format("{} takes {}", req.path, allowed));
  r.headers.emplace_back("Allow", allowed);
  return r;
}

HttpResponse NoSuchRoute(const HttpRequest& req) {
  return HttpResponse::Error(404, "not-found", "no such route: " + req.path);
}

bool Takes(std::string_view allowed, std::string_view method) {
  while (true) {
    const size_t end = allowed.find(", ");
    if (allowed.substr(0, end) == method) return true;
    if (end == std::string_view::npos) return false;
    allowed.remove_prefix(end + 2);
  }
}

std::optional<HttpResponse> RequireAdmin(const std::string& role, const std::string& refusal) {
  if (role == "public") return NeedLogin();
  if (role != role::kAdmin) return Forbidden(refusal);
  return std::nullopt;
}

// Every count in the API is a whole number and every exact share a string, so a fraction is
// refused here, naming it. A name given twice in one object ({"Biden": 3, "Biden": 300}) is
// refused too, naming it: a JSON reader would keep one of the two figures without a word.
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

std::optional<HttpResponse> RequirePrecinct(const json& body, const char* message) {
  if (body.contains("precinct") && body["precinct"].is_number_integer()) return std::nullopt;
  return HttpResponse::Error(422, "precinct-required", message, "precinct");
}

const char* ChannelOf(const std::string& role) {
  if (role == role::kChair || role == role::kVoter || role == role::kOfficer) return "web";
  if (role == role::kOperator) return "hotline";
  if (role == role::kCampaign) return "campaign";
  return "admin";
}

std::optional<int64_t> ParseId(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1) return std::nullopt;
  return v;
}

}  // namespace canvass
