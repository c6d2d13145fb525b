// The HTTP server: Boost.Beast over Asio with C++20 coroutines. This folder is the only code that
// includes Beast; everything above it (src/api) sees plain request and response values.
//
// What this layer enforces for every route, before any handler runs: request line and header
// limits, a body limit (per route prefix), a read timeout for the whole request (slowloris), an
// idle timeout between keep-alive requests, a per-address rate limit (token bucket), and a cap on
// open connections. Its refusals use the API's error shape:
//   {"error": {"code": "...", "message": "...", "field": null}}
// with 400 (malformed), 408 (too slow), 413 (too large), 429 (rate limited), 503 (full).
//
// Handlers answer through a callback that may be called from any thread, exactly once; the
// answer is carried back to the connection's executor. So a handler may hand a write to another
// thread (the ledger writer) and answer when the write is durable. Later calls are ignored; an
// answer that comes after the client left or the server stopped is dropped; if every copy of the
// callback is destroyed unanswered (or the handler throws), the client gets a 500.
//
// Every response carries Content-Length (except 1xx, 204, 304 and event streams) and only the
// headers the handler set (no default Cache-Control); `Connection: close` when the server closes
// after it. A HEAD request reaches the handler as "HEAD"; the server sends the head of the answer
// with its Content-Length and no body, so a route may answer HEAD as it answers GET.
// request_timeout also bounds writing each response (and each write to an event stream).
//
// Server-Sent Events: a handler may answer with an SseStream instead of a body. The connection
// then stays open; whenever NotifyStreams() is called (from any thread) and every `heartbeat`
// otherwise, the connection calls the stream's `fetch` for messages after the last id it sent and
// writes them, until the client goes away or Stop(). Resuming is the handler's job: it reads
// `last-event-id` (sent by a reconnecting EventSource) or a query parameter and sets
// SseStream::after; the server never reads Last-Event-ID itself.
//
// Thread-safety: Start/Stop from one thread; NotifyStreams and respond callbacks from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/metrics.h"

namespace canvass {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // target without the query: "/api/v1/results"
                                               // (as sent: not percent-decoded)
  std::map<std::string, std::string> query;    // decoded (%XX, '+'); a repeated name keeps its
                                               // first value; a broken escape is a 400
  std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined ", "
  std::string body;
  std::string remote_address;  // "127.0.0.1"

  // Header value or "" (name given in lower case).
  const std::string& Header(const std::string& lower_name) const;
};

struct SseMessage {
  int64_t id = 0;     // sent as `id:`; the client's Last-Event-ID on reconnect
  std::string event;  // `event:` (may be empty)
  std::string data;   // one line of JSON (no newline)
  // Set: the message exactly as sent (FormatSseMessage of id, event and data), shared by every
  // stream that sends it; `event` and `data` are then not read.
  std::shared_ptr<const std::string> wire;
};

// The bytes of one message on an event stream: `id:`, `event:`, one `data:` line per line of
// data, and the blank line that ends it.
std::string FormatSseMessage(const SseMessage& message);

struct SseStream {
  int64_t after = 0;  // send messages with id > after (from Last-Event-ID or a query parameter)
  // Up to `max` messages with id > after, ascending. Called on the connection's thread.
  std::function<std::vector<SseMessage>(int64_t after, size_t max)> fetch;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (ETag, ...)
  std::string body;
  // Set: sent as the body instead of `body`, without a copy (one body many answers share, such
  // as a cached page).
  std::shared_ptr<const std::string> shared_body;
  // Set: an event stream instead of `body`. `status` and `headers` are sent; `content_type`
  // and `body` are ignored; the connection closes when the stream ends.
  std::optional<SseStream> stream;

  // The API's error shape.
  static HttpResponse Error(int status, const std::string& code, const std::string& message,
                            const std::string& field = "");
  static HttpResponse Json(int status, std::string body);
  // A body that changes only with what `etag` names ("\"r42\"": a ledger position): served with
  // that ETag and "Cache-Control: no-cache", or 304 with no body when the reader has it already
  // (If-None-Match).
  static HttpResponse Revalidated(const HttpRequest& request, std::string etag,
                                  std::shared_ptr<const std::string> body);
};

using Respond = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest request, Respond respond)>;

struct HttpLimits {
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 64 * 1024;  // default for every route
  // Larger limits for path prefixes, e.g. {"/api/v1/photos", 10 MiB}.
  std::vector<std::pair<std::string, size_t>> body_limits_by_prefix;
  std::chrono::milliseconds request_timeout{10'000};  // whole request: headers and body
  std::chrono::milliseconds idle_timeout{30'000};     // between keep-alive requests
  std::chrono::milliseconds heartbeat{15'000};        // SSE comment line when idle
  size_t max_connections = 10'000;
  // Per remote address: sustained requests per second and burst. 0 disables.
  double rate_per_second = 200;
  double rate_burst = 400;
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (tests); see HttpServer::port()
  int threads = 1;       // io threads
  HttpLimits limits;
  // Watch SIGINT/SIGTERM from Start() on, for Wait() (a signal that arrives between Start and
  // Wait is not lost). Off by default: a test process keeps its own signal handling.
  bool watch_signals = false;
};

class HttpServer {
 public:
  // `metrics` must outlive the server; every request is counted there by route label
  // (`route_label` maps a path to a low-cardinality label such as "/api/v1/precincts/:id").
  // Without `route_label` every request is labelled "other": paths are untrusted and never
  // become labels as they are. Methods Beast does not know are labelled "other" too. `metrics`
  // may be null (nothing is counted).
  HttpServer(HttpServerOptions options, Handler handler, Metrics* metrics,
             std::function<std::string(const std::string& path)> route_label = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the io threads; returns once listening. A server starts at most once.
  Status Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Stops accepting, closes connections and streams, joins the threads. Idempotent; the
  // destructor calls it. Never from a handler (it joins the thread the handler runs on).
  void Stop();
  // Blocks until Stop() is called from another thread or SIGINT/SIGTERM arrives (the signals
  // are watched only while Wait() runs). After a signal it returns; the caller then calls Stop().
  void Wait();
  // Wakes every open event stream to fetch new messages.
  void NotifyStreams();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace canvass
