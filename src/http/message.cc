// The plain request and response values of server.h (no Beast here: this file compiles fast).
#include <nlohmann/json.hpp>

#include "http/server.h"

namespace canvass {

const std::string& HttpRequest::Header(const std::string& lower_name) const {
  static const std::string kEmpty;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

HttpResponse HttpResponse::Error(int status, const std::string& code, const std::string& message,
                                 const std::string& field) {
  nlohmann::json error = {{"code", code}, {"message", message}, {"field", nullptr}};
  if (!field.empty()) error["field"] = field;
  // `replace`: a message quoting untrusted bytes (not UTF-8) must not make dump() throw.
  return Json(status, nlohmann::json{{"error", error}}.dump(
                          -1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::Revalidated(const HttpRequest& request, std::string etag,
                                       std::shared_ptr<const std::string> body) {
  HttpResponse r;
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (request.Header("if-none-match") == etag) {
    r.headers.emplace_back("ETag", std::move(etag));
    r.status = 304;
    return r;
  }
  r.headers.emplace_back("ETag", std::move(etag));
  r.shared_body = std::move(body);
  return r;
}

}  // namespace canvass
