// A small synchronous HTTP/1.1 client for tests, load tools and rehearsal drivers: one keep-alive
// connection to one server, plain values in and out, every call bounded by a timeout.
//
// A request on a kept-alive connection that the server has meanwhile closed is sent again once on
// a fresh connection, if nothing of the answer had arrived (so a POST can be repeated only when
// the server never saw it answered). The client holds one connection at a time: an event stream
// replaces the keep-alive connection, and the next Request() closes the stream.
//
// Thread-safety: none; use one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace canvass {

struct HttpClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined ", "
  std::string body;

  // Header value or "" (name given in lower case).
  const std::string& Header(const std::string& lower_name) const;
};

// One Server-Sent Event as received.
struct SseEvent {
  int64_t id = 0;     // the `id:` field; 0 when absent or not a number
  std::string event;  // the `event:` field ("" when absent)
  std::string data;   // the `data:` lines joined with "\n"
};

class HttpClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  HttpClient(std::string host, uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the whole response. `Host` is always sent; `Content-Length`
  // whenever there is a body or the method is POST, PUT or PATCH.
  Result<HttpClientResponse> Request(const std::string& method, const std::string& target,
                                     const std::string& body = "", const Headers& headers = {},
                                     std::chrono::milliseconds timeout = kDefaultTimeout);
  Result<HttpClientResponse> Get(const std::string& target, const Headers& headers = {},
                                 std::chrono::milliseconds timeout = kDefaultTimeout) {
    return Request("GET", target, "", headers, timeout);
  }

  // GET `target` as an event stream. Returns the response head (status and headers, empty body)
  // and leaves the connection open for ReadEvent(). An answer that is not an event stream is
  // returned whole, as Request() would, and the stream is not open.
  Result<HttpClientResponse> OpenEventStream(const std::string& target, const Headers& headers = {},
                                             std::chrono::milliseconds timeout = kDefaultTimeout);
  // The next event on the open stream (comments such as heartbeats are skipped and counted).
  // A timeout or the server closing the stream is an error, and closes the stream.
  Result<SseEvent> ReadEvent(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Comment lines (": keep-alive") seen on event streams so far.
  int64_t comments_seen() const;

  // For tests of misbehaving clients: opens a fresh connection (not the kept-alive one), sends
  // `bytes` as they are, and returns everything the server sends back until it closes the
  // connection or `timeout` passes.
  Result<std::string> SendRaw(const std::string& bytes, std::chrono::milliseconds timeout);

  // Closes the connection (the next request opens a new one).
  void Close();
  // Connects from this local address from now on (on loopback any 127.x.y.z, so that each
  // simulated phone has an address of its own, as it would on the night); "" lets the system
  // choose. A change closes the open connection.
  void SetLocalAddress(std::string address);
  // Connections opened so far, for tests of keep-alive.
  int connections_opened() const;

  static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace canvass
