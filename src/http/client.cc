// HttpClient: Beast's asynchronous operations run to completion on a private io_context, so every
// step can be bounded by the stream's timeout (Beast's synchronous calls have none).
#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <optional>

#include "core/text.h"
#include "http/local_bind.h"

namespace canvass {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kMaxResponseBody = uint64_t{1} << 30;

template <typename Fields>
std::map<std::string, std::string> LowerCaseHeaders(const Fields& fields) {
  std::map<std::string, std::string> out;
  for (const auto& field : fields) {
    auto [it, inserted] = out.try_emplace(AsciiLower(field.name_string()), field.value());
    if (!inserted) {
      it->second += ", ";
      it->second += field.value();
    }
  }
  return out;
}

// A connection that failed this way before any byte of the answer came was closed by the
// server while idle: sending again on a fresh connection is safe.
bool StaleConnection(const ErrorCode& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

std::string Describe(const ErrorCode& ec) {
  return ec == beast::error::timeout ? std::string("timed out") : ec.message();
}

}  // namespace

const std::string& HttpClientResponse::Header(const std::string& lower_name) const {
  static const std::string kEmpty;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

struct HttpClient::Impl {
  Impl(std::string h, uint16_t p) : host(std::move(h)), port(p) {}

  const std::string host;
  const uint16_t port;
  std::string local_address;  // empty: the system chooses
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool streaming = false;   // the open connection carries an event stream
  std::string event_bytes;  // received event-stream bytes not yet parsed
  int connections_opened = 0;
  int64_t comments_seen = 0;

  // Runs the io_context until the started operation completes (its timeout included).
  void RunToCompletion() {
    ioc.restart();
    ioc.run();
  }

  void Close() {
    if (stream) {
      ErrorCode ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
    }
    stream.reset();
    buffer.clear();
    streaming = false;
    event_bytes.clear();
  }

  Result<beast::tcp_stream> Connect(std::chrono::milliseconds timeout) {
    tcp::resolver resolver(ioc);
    ErrorCode ec;
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return Status::IoError("cannot resolve " + host + ": " + ec.message());
    beast::tcp_stream s(ioc);
    s.expires_after(timeout);
    if (local_address.empty()) {
      s.async_connect(endpoints, [&](const ErrorCode& e, const tcp::endpoint&) { ec = e; });
    } else {
      const auto local = asio::ip::make_address(local_address, ec);
      if (ec) return Status::InvalidArgument("not a local address: " + local_address);
      tcp::endpoint peer;
      bool found = false;
      for (const auto& entry : endpoints) {
        if (entry.endpoint().address().is_v4() == local.is_v4()) {
          peer = entry.endpoint();
          found = true;
          break;
        }
      }
      if (!found)
        return Status::IoError("no address of " + host + " to reach from " + local_address);
      ec = OpenBound(s.socket(), peer.protocol(), local);
      if (ec) {
        return Status::IoError("cannot bind to " + local_address + ": " + Describe(ec));
      }
      s.async_connect(peer, [&](const ErrorCode& e) { ec = e; });
    }
    RunToCompletion();
    if (ec) {
      return Status::IoError("cannot connect to " + host + ":" + std::to_string(port) + ": " +
                             Describe(ec));
    }
    s.socket().set_option(tcp::no_delay(true), ec);
    ++connections_opened;
    return s;
  }

  Status EnsureConnected(std::chrono::milliseconds timeout) {
    if (streaming) Close();
    if (stream) return Status::Ok();
    auto s = Connect(timeout);
    if (!s.ok()) return s.status();
    stream.emplace(std::move(s).value());
    buffer.clear();
    return Status::Ok();
  }

  http::request<http::string_body> BuildRequest(const std::string& method,
                                                const std::string& target, const std::string& body,
                                                const Headers& headers) {
    http::request<http::string_body> req;
    req.version(11);
    req.method_string(method);
    req.target(target);
    req.set(http::field::host, host + ":" + std::to_string(port));
    for (const auto& [name, value] : headers) req.insert(name, value);
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.content_length(body.size());
    }
    return req;
  }

  ErrorCode Write(const http::request<http::string_body>& req, std::chrono::milliseconds timeout) {
    ErrorCode ec;
    stream->expires_after(timeout);
    http::async_write(*stream, req, [&](const ErrorCode& e, size_t) { ec = e; });
    RunToCompletion();
    return ec;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port)
    : impl_(std::make_unique<Impl>(std::move(host), port)) {}

HttpClient::~HttpClient() { impl_->Close(); }

void HttpClient::Close() { impl_->Close(); }
void HttpClient::SetLocalAddress(std::string address) {
  if (address == impl_->local_address) return;
  impl_->Close();
  impl_->local_address = std::move(address);
}
int HttpClient::connections_opened() const { return impl_->connections_opened; }
int64_t HttpClient::comments_seen() const { return impl_->comments_seen; }

Result<HttpClientResponse> HttpClient::Request(const std::string& method, const std::string& target,
                                               const std::string& body, const Headers& headers,
                                               std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  const auto req = im.BuildRequest(method, target, body, headers);
  for (int attempt = 0;; ++attempt) {
    const bool reused = im.stream.has_value() && !im.streaming;
    CANVASS_RETURN_IF_ERROR(im.EnsureConnected(timeout));
    ErrorCode ec = im.Write(req, timeout);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    parser.header_limit(1 << 20);
    if (method == "HEAD") parser.skip(true);  // a Content-Length with no body after it
    if (!ec) {
      im.stream->expires_after(timeout);
      http::async_read(*im.stream, im.buffer, parser, [&](const ErrorCode& e, size_t) { ec = e; });
      im.RunToCompletion();
    }
    if (ec) {
      im.Close();
      if (reused && attempt == 0 && !parser.got_some() && StaleConnection(ec)) continue;
      return Status::IoError(method + " " + target + ": " + Describe(ec));
    }
    im.stream->expires_never();
    auto res = parser.release();
    HttpClientResponse out;
    out.status = static_cast<int>(res.result_int());
    out.headers = LowerCaseHeaders(res);
    out.body = std::move(res.body());
    if (!res.keep_alive()) im.Close();
    return out;
  }
}

Result<HttpClientResponse> HttpClient::OpenEventStream(const std::string& target,
                                                       const Headers& headers,
                                                       std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  im.Close();
  CANVASS_RETURN_IF_ERROR(im.EnsureConnected(timeout));
  Headers with_accept = headers;
  with_accept.emplace_back("Accept", "text/event-stream");
  ErrorCode ec = im.Write(im.BuildRequest("GET", target, "", with_accept), timeout);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  if (!ec) {
    im.stream->expires_after(timeout);
    http::async_read_header(*im.stream, im.buffer, parser,
                            [&](const ErrorCode& e, size_t) { ec = e; });
    im.RunToCompletion();
  }
  if (ec) {
    im.Close();
    return Status::IoError("GET " + target + ": " + Describe(ec));
  }
  HttpClientResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  out.headers = LowerCaseHeaders(parser.get());
  if (out.Header("content-type").rfind("text/event-stream", 0) != 0) {
    // Not a stream: read the rest of the answer like any other.
    http::async_read(*im.stream, im.buffer, parser, [&](const ErrorCode& e, size_t) { ec = e; });
    im.RunToCompletion();
    if (ec) {
      im.Close();
      return Status::IoError("GET " + target + ": " + Describe(ec));
    }
    out.body = parser.get().body();
    im.Close();
    return out;
  }
  im.stream->expires_never();
  im.streaming = true;
  // What came with the head already belongs to the stream.
  const auto data = im.buffer.data();
  im.event_bytes.assign(static_cast<const char*>(data.data()), data.size());
  im.buffer.consume(data.size());
  return out;
}

Result<SseEvent> HttpClient::ReadEvent(std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  if (!im.streaming) return Status::FailedPrecondition("no event stream is open");
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    // Complete events end with a blank line. Servers may end lines with \n, \r\n or \r; ours
    // uses \n, and this reader accepts \n and \r\n.
    size_t end;
    while ((end = im.event_bytes.find("\n\n")) != std::string::npos ||
           (end = im.event_bytes.find("\r\n\r\n")) != std::string::npos) {
      const size_t skip = im.event_bytes.compare(end, 2, "\n\n") == 0 ? 2 : 4;
      std::string block = im.event_bytes.substr(0, end);
      im.event_bytes.erase(0, end + skip);
      SseEvent event;
      bool has_field = false;
      bool first_data = true;
      for (std::string_view line : Split(block, '\n')) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (line[0] == ':') {
          ++im.comments_seen;
          continue;
        }
        size_t colon = line.find(':');
        std::string_view name = line.substr(0, colon);
        std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
        has_field = true;
        if (name == "id") {
          int64_t id = 0;
          auto [ptr, err] = std::from_chars(value.data(), value.data() + value.size(), id);
          event.id = (err == std::errc() && ptr == value.data() + value.size()) ? id : 0;
        } else if (name == "event") {
          event.event = std::string(value);
        } else if (name == "data") {
          if (!first_data) event.data += '\n';
          event.data += value;
          first_data = false;
        }
      }
      if (has_field) return event;
    }

    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      im.Close();
      return Status::IoError("timed out waiting for an event");
    }
    char chunk[4096];
    ErrorCode ec;
    size_t n = 0;
    im.stream->expires_after(left);
    im.stream->async_read_some(asio::buffer(chunk), [&](const ErrorCode& e, size_t got) {
      ec = e;
      n = got;
    });
    im.RunToCompletion();
    if (ec) {
      im.Close();
      return Status::IoError(ec == asio::error::eof ? std::string("the server closed the stream")
                                                    : "event stream: " + Describe(ec));
    }
    im.stream->expires_never();
    im.event_bytes.append(chunk, n);
  }
}

Result<std::string> HttpClient::SendRaw(const std::string& bytes,
                                        std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  auto connected = im.Connect(timeout);
  if (!connected.ok()) return connected.status();
  beast::tcp_stream& s = connected.value();
  ErrorCode ec;
  s.expires_after(timeout);
  asio::async_write(s, asio::buffer(bytes), [&](const ErrorCode& e, size_t) { ec = e; });
  im.RunToCompletion();
  // Even if the write failed, the server may have answered (a refusal) before closing.
  std::string received;
  for (;;) {
    char chunk[4096];
    size_t n = 0;
    s.async_read_some(asio::buffer(chunk), [&](const ErrorCode& e, size_t got) {
      ec = e;
      n = got;
    });
    im.RunToCompletion();
    received.append(chunk, n);
    if (ec) break;  // closed, reset or timed out: return what came
  }
  ErrorCode ignored;
  s.socket().close(ignored);
  return received;
}

}  // namespace canvass
