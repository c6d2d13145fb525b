// What the route files of the API share (src/api/*_routes.cc): the answers every route gives
// the same way (the login it needs, the role it refuses, the method it does not take), and the
// reading of a request's body and ids. The table of routes is in api.cc (Api::kRoutes).
//
// Internal to src/api: nothing outside it includes this header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/server.h"

namespace canvass {

inline constexpr std::string_view kApiPrefix = "/api/v1";
// A JSON body's limit; only a photo or a piece of evidence may be larger.
inline constexpr size_t kMaxJsonBody = 64 * 1024;

HttpResponse JsonResponse(int status, const nlohmann::json& body);

// 401: the route needs a session and the request has none.
HttpResponse NeedLogin();
// 403, naming what the caller's role may not do.
HttpResponse Forbidden(const std::string& message);
// 405 for a path that takes only `allowed` ("GET, POST"), with the Allow header.
HttpResponse MethodNotAllowed(const HttpRequest& req, const char* allowed);
// 404 for a path under /api/v1 that no route answers.
HttpResponse NoSuchRoute(const HttpRequest& req);

// Whether `method` is one of `allowed` ("GET, POST").
bool Takes(std::string_view allowed, std::string_view method);

// An administrator's route: the 401 for no session, or the 403 saying `refusal` for any other
// role; nothing for an administrator.
std::optional<HttpResponse> RequireAdmin(const std::string& role, const std::string& refusal);

// The request body as a JSON object, or the 400 (or 422) that says why not: not JSON, not an
// object, a fraction where a count goes, a name given twice.
std::optional<HttpResponse> ParseBody(const HttpRequest& req, nlohmann::json& out);

// The 422 for a body without an integer "precinct", saying `message`; nothing when it has one.
std::optional<HttpResponse> RequirePrecinct(
    const nlohmann::json& body, const char* message = "say which precinct (its number)");

// The channel an event comes in by, from the role of who sends it ("web" for a chair).
const char* ChannelOf(const std::string& role);

// A precinct, request or release number in a path: 1, 2, ...; nothing for anything else.
std::optional<int64_t> ParseId(const std::string& s);

}  // namespace canvass
