// A server on 127.0.0.1, port 0, for the HTTP tests; limits generous unless a test tightens them.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "http/client.h"
#include "http/metrics.h"
#include "http/server.h"

namespace canvass {

inline HttpLimits TestLimits() {
  HttpLimits limits;
  limits.rate_per_second = 0;  // off unless a test is about it
  return limits;
}

class TestServer {
 public:
  explicit TestServer(Handler handler, HttpLimits limits = TestLimits(), int threads = 2,
                      std::function<std::string(const std::string&)> route_label = nullptr) {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = threads;
    options.limits = limits;
    server_ = std::make_unique<HttpServer>(options, std::move(handler), &metrics_,
                                           std::move(route_label));
    Status st = server_->Start();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  HttpServer& server() { return *server_; }
  Metrics& metrics() { return metrics_; }
  uint16_t port() const { return server_->port(); }
  HttpClient Client() const { return HttpClient("127.0.0.1", server_->port()); }

  // Polls `done` until it holds or `limit` passes; for state the server reaches on its own
  // (a connection closed). The assertion is about the outcome, the limit only bounds a failure.
  static bool Eventually(const std::function<bool()>& done,
                         std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  int64_t OpenConnections() const { return metrics_.Value("canvass_http_open_connections"); }
  int64_t Rejected(const std::string& reason) const {
    return metrics_.Value("canvass_http_rejected_total", {{"reason", reason}});
  }

 private:
  Metrics metrics_;  // outlives the server
  std::unique_ptr<HttpServer> server_;
};

}  // namespace canvass
