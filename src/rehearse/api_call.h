// One staff request of the after-the-night scenarios (recanvass.cc, audit_scenario.cc), sent as
// a patient client would: again on no answer, 408, 429 or a 5xx, with a doubling pause (100 ms to
// 2 s), until `give_up`. Every write carries its submission id, so sending it again cannot write
// it twice.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "http/client.h"

namespace canvass::rehearse {

struct ApiReply {
  int status = 0;             // 0: no answer within give_up
  nlohmann::json body;        // discarded when the answer is not JSON
  std::string text;           // the answer's bytes
  std::string code, message;  // the error's, when the answer is one
};

// `on_try` is called before each attempt; `on_retry` with "POST 429" or "GET no answer" after an
// attempt that will be repeated (either may be empty).
inline ApiReply CallApi(HttpClient& http, const std::string& token, const std::string& method,
                        const std::string& target, const nlohmann::json& body,
                        std::chrono::seconds give_up, const std::function<void()>& on_try = {},
                        const std::function<void(const std::string&)>& on_retry = {}) {
  HttpClient::Headers headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  const std::string text = body.is_null() ? std::string() : body.dump();
  if (!text.empty()) headers.emplace_back("Content-Type", "application/json");
  const auto deadline = std::chrono::steady_clock::now() + give_up;
  auto backoff = std::chrono::milliseconds(100);
  ApiReply reply;
  for (;;) {
    if (on_try) on_try();
    auto r = http.Request(method, target, text, headers, std::chrono::seconds(60));
    if (r.ok() && r->status != 408 && r->status != 429 && r->status < 500) {
      reply.status = r->status;
      reply.body = nlohmann::json::parse(r->body, nullptr, false);
      reply.text = std::move(r->body);
      break;
    }
    if (!r.ok()) http.Close();
    if (on_retry)
      on_retry(r.ok() ? fmt::format("{} {}", method, r->status) : method + " no answer");
    if (std::chrono::steady_clock::now() + backoff >= deadline) return reply;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
  if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_object()) {
    reply.code = reply.body["error"].value("code", std::string());
    reply.message = reply.body["error"].value("message", std::string());
  }
  return reply;
}

}  // namespace canvass::rehearse
