// HttpServer over Boost.Beast: one coroutine per connection, each on its own strand.
//
// Lifetimes. A Connection is shared by its coroutine, its pending timer and read handlers, and
// any handler posted to its strand; the server's registry only holds weak pointers. Stop() closes
// the acceptor and every connection's socket and cancels their timers, so every coroutine ends on
// its own and the io threads return from run() for lack of work; only then is the io_context
// destroyed. Nothing is ever destroyed by tearing down a running io_context.
//
// Answers from other threads. A handler's Respond holds a ResponseSlot (mutex, flags, weak
// pointer to the connection). The connection closes the slot, under its mutex, before it stops
// waiting for the answer; Respond posts to the connection's strand only while the slot is open,
// under the same mutex. So a post only ever targets a live strand of a live io_context, and an
// answer that comes too late (client gone, server stopped) is dropped.
#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cmath>
#include <csignal>
#include <exception>
#include <limits>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/text.h"
#include "http/rate_limiter.h"

namespace canvass {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;
using namespace std::chrono_literals;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 4096;
constexpr size_t kEventBatch = 256;
// After a closing response, how long and how much we keep reading (and discarding) so that the
// client's unread request bytes do not turn our close into a reset that loses the response.
constexpr auto kLingerTime = 1s;
constexpr size_t kLingerBytes = 1 << 20;

const char* const kRequestsTotal = "canvass_http_requests_total";
const char* const kRequestDuration = "canvass_http_request_duration_seconds";
const char* const kRejectedTotal = "canvass_http_rejected_total";
const char* const kOpenConnections = "canvass_http_open_connections";

int HexDigit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding: %XX and '+' for space. False on a broken escape.
bool FormDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char ch = in[i];
    if (ch == '+') {
      *out += ' ';
    } else if (ch == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexDigit(in[i + 1]);
      int lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      *out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      *out += ch;
    }
  }
  return true;
}

// "a=1&b=x%20y&flag" -> {a: 1, b: "x y", flag: ""}. A repeated name keeps its first value.
bool ParseQuery(std::string_view query, std::map<std::string, std::string>* out) {
  for (std::string_view part : Split(query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string name, value;
    if (!FormDecode(part.substr(0, eq), &name)) return false;
    if (eq != std::string_view::npos && !FormDecode(part.substr(eq + 1), &value)) return false;
    out->emplace(std::move(name), std::move(value));
  }
  return true;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

class ServerCore;

struct Connection;

struct ResponseSlot {
  std::mutex mu;
  bool open = true;       // the connection still waits for this answer
  bool answered = false;  // Respond was called (later calls are ignored)
  std::weak_ptr<Connection> connection;
  uint64_t sequence = 0;  // which request on the connection this answers
};

using Strand = asio::strand<asio::io_context::executor_type>;

struct Connection {
  Connection(ServerCore* s, Strand st, tcp::socket socket)
      : server(s),
        strand(std::move(st)),
        stream(std::move(socket)),
        deadline(strand),
        wake(strand) {
    ErrorCode ec;
    auto endpoint = stream.socket().remote_endpoint(ec);
    if (!ec) remote = endpoint.address().to_string();
  }

  ServerCore* const server;
  const Strand strand;  // the socket's executor; everything below runs on it
  uint64_t id = 0;
  bool counted = false;  // one of the open connections (false: refused with 503)
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  asio::steady_timer deadline;  // the whole-request timeout
  asio::steady_timer wake;      // waiting for an answer, or for news on an event stream
  std::string remote;
  // The members below are touched only on the connection's strand, except `streaming`.
  uint64_t deadline_generation = 0;
  bool timed_out = false;
  bool cancelled = false;  // Stop() reached this connection
  bool peer_gone = false;  // the event-stream client closed its side
  uint64_t request_sequence = 0;
  std::optional<HttpResponse> answer;
  std::shared_ptr<ResponseSlot> slot;
  std::atomic<bool> streaming{false};
  std::array<char, 1024> discard{};
};

void CloseSlot(const std::shared_ptr<ResponseSlot>& slot) {
  if (!slot) return;
  std::lock_guard<std::mutex> lock(slot->mu);
  slot->open = false;
}

// Carries an answer to the connection's strand, at most once per slot.
void Deliver(const std::shared_ptr<ResponseSlot>& slot, HttpResponse response) {
  std::lock_guard<std::mutex> lock(slot->mu);
  if (slot->answered) return;
  slot->answered = true;
  if (!slot->open) return;
  std::shared_ptr<Connection> c = slot->connection.lock();
  if (!c) return;
  const uint64_t sequence = slot->sequence;
  const Strand executor = c->strand;
  if (executor.running_in_this_thread()) {  // answered inside the handler call
    c->answer = std::move(response);
    c->wake.cancel();
    return;
  }
  asio::post(executor, [c = std::move(c), sequence, response = std::move(response)]() mutable {
    if (c->request_sequence != sequence || c->answer) return;
    c->answer = std::move(response);
    c->wake.cancel();
  });
}

// The object behind a Respond callback. If every copy of the callback is dropped unanswered
// (a handler bug), the client still gets an answer instead of a connection that hangs.
class Responder {
 public:
  explicit Responder(std::shared_ptr<ResponseSlot> slot) : slot_(std::move(slot)) {}
  ~Responder() {
    Deliver(slot_, HttpResponse::Error(500, "internal", "the request handler did not answer"));
  }
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  void Answer(HttpResponse response) { Deliver(slot_, std::move(response)); }

 private:
  std::shared_ptr<ResponseSlot> slot_;
};

class ServerCore {
 public:
  ServerCore(HttpServerOptions options, Handler handler, Metrics* metrics,
             std::function<std::string(const std::string&)> route_label)
      : ioc(std::max(1, options.threads)),
        options_(std::move(options)),
        limits_(options_.limits),
        handler_(std::move(handler)),
        metrics_(metrics),
        route_label_(std::move(route_label)),
        accept_strand_(asio::make_strand(ioc)),
        accept_backoff_(accept_strand_),
        limiter_(limits_.rate_per_second, limits_.rate_burst) {
    largest_body_limit_ = limits_.max_body_bytes;
    for (const auto& [prefix, limit] : limits_.body_limits_by_prefix) {
      largest_body_limit_ = std::max(largest_body_limit_, limit);
    }
  }

  // First member: destroyed last, after every object that uses it.
  asio::io_context ioc;

  Status Start();
  void Stop();
  void Wait();
  void NotifyStreams();
  uint16_t port() const { return port_; }

 private:
  asio::awaitable<void> Accept();
  void Admit(Strand strand, tcp::socket socket);
  void Forget(Connection& c);
  asio::awaitable<void> Session(std::shared_ptr<Connection> c);
  asio::awaitable<void> Overloaded(std::shared_ptr<Connection> c);
  asio::awaitable<bool> ServeOne(const std::shared_ptr<Connection>& c);
  asio::awaitable<void> RejectRead(const std::shared_ptr<Connection>& c, ErrorCode ec);
  asio::awaitable<void> Refuse(const std::shared_ptr<Connection>& c, HttpResponse response,
                               const char* reason);
  asio::awaitable<std::optional<HttpResponse>> CallHandler(const std::shared_ptr<Connection>& c,
                                                           HttpRequest request);
  asio::awaitable<bool> WriteResponse(const std::shared_ptr<Connection>& c, HttpResponse response,
                                      const std::string& method, const std::string& route,
                                      Clock::time_point start, bool keep_alive);
  asio::awaitable<void> StreamEvents(const std::shared_ptr<Connection>& c, HttpResponse response,
                                     const std::string& method, const std::string& route,
                                     Clock::time_point start);
  asio::awaitable<bool> WriteAll(const std::shared_ptr<Connection>& c, const std::string& bytes);
  asio::awaitable<void> Linger(const std::shared_ptr<Connection>& c);

  void ArmDeadline(const std::shared_ptr<Connection>& c);
  static void DisarmDeadline(Connection& c);
  static void Cancel(Connection& c);
  static void StartDiscarding(std::shared_ptr<Connection> c);
  size_t BodyLimitFor(const std::string& path) const;
  std::string RouteLabel(const std::string& path) const;
  void CountRequest(const std::string& route, const std::string& method, int status,
                    Clock::time_point start);
  void CountRejected(const char* reason);

  const HttpServerOptions options_;
  const HttpLimits& limits_;
  const Handler handler_;
  Metrics* const metrics_;
  const std::function<std::string(const std::string&)> route_label_;
  size_t largest_body_limit_ = 0;
  asio::strand<asio::io_context::executor_type> accept_strand_;
  asio::steady_timer accept_backoff_;
  std::optional<tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  RateLimiter limiter_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> notify_generation_{0};

  std::mutex mu_;  // guards the members below
  bool started_ = false;
  bool stopped_ = false;
  uint64_t next_id_ = 1;
  int64_t open_connections_ = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;
  std::vector<asio::io_context*> waiters_;  // the signal loops of threads blocked in Wait()
  // With options_.watch_signals: the watch set up by Start(), run by Wait().
  std::unique_ptr<asio::io_context> early_signal_loop_;
  std::unique_ptr<asio::signal_set> early_signals_;
  bool early_signal_seen_ = false;
};

// ---- start, stop, wait -------------------------------------------------------------------

Status ServerCore::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_ || stopped_) return Status::FailedPrecondition("the server was already started");
  }
  ErrorCode ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return Status::InvalidArgument("not an IP address: \"" + options_.address + "\"");
  tcp::endpoint endpoint(address, options_.port);
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  acceptor_.emplace(accept_strand_);
  if (acceptor_->open(endpoint.protocol(), ec)) {
    return Status::IoError("cannot open a socket for " + where + ": " + ec.message());
  }
  acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_->bind(endpoint, ec)) {
    return Status::IoError("cannot bind " + where + ": " + ec.message());
  }
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec)) {
    return Status::IoError("cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_->local_endpoint(ec).port();

  if (metrics_ != nullptr) {
    metrics_->Describe(kRequestsTotal, "HTTP requests answered, by route, method and status.");
    metrics_->Describe(kRequestDuration,
                       "Time from the first byte of a request to its answer being ready to send.");
    metrics_->Describe(kRejectedTotal, "Requests and connections refused by the HTTP layer.");
    metrics_->Describe(kOpenConnections, "Open client connections.");
    metrics_->Set(kOpenConnections, {}, 0);
  }

  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
  }
  if (options_.watch_signals) {
    early_signal_loop_ = std::make_unique<asio::io_context>(1);
    early_signals_ = std::make_unique<asio::signal_set>(*early_signal_loop_, SIGINT, SIGTERM);
    early_signals_->async_wait([this](const ErrorCode& ec, int) {
      if (!ec) early_signal_seen_ = true;
    });
  }
  asio::co_spawn(accept_strand_, Accept(), [](std::exception_ptr) {});
  const int n = std::max(1, options_.threads);
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc.run();
          return;
        } catch (...) {  // nothing should throw out of a handler; keep serving if one does
        }
      }
    });
  }
  return Status::Ok();
}

void ServerCore::Stop() {
  std::vector<std::weak_ptr<Connection>> open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (asio::io_context* waiter : waiters_) waiter->stop();
    if (stopped_) return;
    stopped_ = true;
    if (!started_) return;
    stopping_ = true;
    for (const auto& [id, weak] : connections_) open.push_back(weak);
  }
  asio::post(accept_strand_, [this] {
    ErrorCode ignored;
    acceptor_->close(ignored);
    accept_backoff_.cancel();
  });
  for (const auto& weak : open) {
    std::shared_ptr<Connection> c = weak.lock();
    if (!c) continue;
    const Strand executor = c->strand;
    asio::post(executor, [c = std::move(c)] { Cancel(*c); });
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void ServerCore::Wait() {
  if (early_signal_loop_) {
    // Watched since Start(): a signal that came before Wait() has its handler waiting to run.
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      waiters_.push_back(early_signal_loop_.get());
    }
    if (!early_signal_seen_) early_signal_loop_->run();
    std::lock_guard<std::mutex> lock(mu_);
    waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), early_signal_loop_.get()),
                   waiters_.end());
    return;
  }
  // The signals are watched by a private loop on the calling thread, so an io thread never
  // touches it and Stop() can end it with io_context::stop(), which is thread-safe.
  asio::io_context signal_loop(1);
  asio::signal_set signals(signal_loop, SIGINT, SIGTERM);
  signals.async_wait([](const ErrorCode&, int) {});
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    waiters_.push_back(&signal_loop);
  }
  signal_loop.run();
  std::lock_guard<std::mutex> lock(mu_);
  waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), &signal_loop), waiters_.end());
}

void ServerCore::NotifyStreams() {
  notify_generation_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, weak] : connections_) {
    std::shared_ptr<Connection> c = weak.lock();
    if (!c || !c->streaming) continue;
    const Strand executor = c->strand;
    asio::post(executor, [c = std::move(c)] { c->wake.cancel(); });
  }
}

// ---- connections ---------------------------------------------------------------------------

asio::awaitable<void> ServerCore::Accept() {
  for (;;) {
    Strand strand = asio::make_strand(ioc);
    auto [ec, socket] = co_await acceptor_->async_accept(strand, kUseTuple);
    if (stopping_ || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors or memory: the environment, not a reason to stop serving.
      accept_backoff_.expires_after(50ms);
      co_await accept_backoff_.async_wait(kUseTuple);
      continue;
    }
    Admit(std::move(strand), std::move(socket));
  }
}

void ServerCore::Admit(Strand strand, tcp::socket socket) {
  auto c = std::make_shared<Connection>(this, std::move(strand), std::move(socket));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    c->id = next_id_++;
    if (static_cast<size_t>(open_connections_) < limits_.max_connections) {
      c->counted = true;
      ++open_connections_;
      if (metrics_ != nullptr) metrics_->Set(kOpenConnections, {}, open_connections_);
    }
    connections_[c->id] = c;
  }
  const Strand executor = c->strand;
  if (c->counted) {
    asio::co_spawn(executor, Session(std::move(c)), [](std::exception_ptr) {});
  } else {
    asio::co_spawn(executor, Overloaded(std::move(c)), [](std::exception_ptr) {});
  }
}

void ServerCore::Forget(Connection& c) {
  std::lock_guard<std::mutex> lock(mu_);
  connections_.erase(c.id);
  if (c.counted) {
    --open_connections_;
    if (metrics_ != nullptr) metrics_->Set(kOpenConnections, {}, open_connections_);
  }
}

// Runs on the connection's strand.
void ServerCore::Cancel(Connection& c) {
  c.cancelled = true;
  ++c.deadline_generation;
  c.deadline.cancel();
  c.wake.cancel();
  c.stream.close();
}

// Whatever way a connection's coroutine ends (return or exception), this runs on its strand.
struct SessionEnd {
  std::shared_ptr<Connection> c;
  ServerCore* server;
  void (ServerCore::*forget)(Connection&);
  ~SessionEnd() {
    CloseSlot(c->slot);
    ++c->deadline_generation;
    c->deadline.cancel();
    c->wake.cancel();
    c->stream.close();
    (server->*forget)(*c);
  }
};

asio::awaitable<void> ServerCore::Session(std::shared_ptr<Connection> c) {
  SessionEnd end{c, this, &ServerCore::Forget};
  bool first = true;
  for (;;) {
    if (c->cancelled || stopping_) co_return;
    if (c->buffer.size() == 0) {
      // Between requests: a quiet client is closed after the idle timeout, silently. Before the
      // first request a client gets no more time than a request would.
      c->stream.expires_after(first ? std::min(limits_.idle_timeout, limits_.request_timeout)
                                    : limits_.idle_timeout);
      auto [ec, n] = co_await c->stream.async_read_some(c->buffer.prepare(kReadChunk), kUseTuple);
      if (ec) co_return;
      c->buffer.commit(n);
    }
    first = false;
    c->stream.expires_never();
    if (!co_await ServeOne(c)) co_return;
  }
}

asio::awaitable<void> ServerCore::Overloaded(std::shared_ptr<Connection> c) {
  SessionEnd end{c, this, &ServerCore::Forget};
  CountRejected("overloaded");
  HttpResponse response = HttpResponse::Error(
      503, "overloaded", "the server has too many open connections; retry shortly");
  response.headers.emplace_back("Retry-After", "1");
  co_await WriteResponse(c, std::move(response), "", "", Clock::now(), false);
}

// The whole-request timeout has its own timer rather than the stream's: when the stream's
// timer fires Beast closes the socket, and a slow client is owed a 408 before the close.
void ServerCore::ArmDeadline(const std::shared_ptr<Connection>& c) {
  c->timed_out = false;
  const uint64_t generation = ++c->deadline_generation;
  c->deadline.expires_after(limits_.request_timeout);
  c->deadline.async_wait([c, generation](const ErrorCode& ec) {
    if (ec || c->deadline_generation != generation || c->cancelled) return;
    c->timed_out = true;
    ErrorCode ignored;
    c->stream.socket().cancel(ignored);
  });
}

void ServerCore::DisarmDeadline(Connection& c) {
  ++c.deadline_generation;
  c.deadline.cancel();
}

size_t ServerCore::BodyLimitFor(const std::string& path) const {
  size_t limit = limits_.max_body_bytes;
  size_t longest = 0;
  for (const auto& [prefix, prefix_limit] : limits_.body_limits_by_prefix) {
    if (path.compare(0, prefix.size(), prefix) == 0 && prefix.size() >= longest) {
      longest = prefix.size();
      limit = prefix_limit;
    }
  }
  return limit;
}

std::string ServerCore::RouteLabel(const std::string& path) const {
  return route_label_ ? route_label_(path) : "other";
}

void ServerCore::CountRequest(const std::string& route, const std::string& method, int status,
                              Clock::time_point start) {
  if (metrics_ == nullptr) return;
  metrics_->Increment(kRequestsTotal,
                      {{"route", route}, {"method", method}, {"status", std::to_string(status)}});
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  metrics_->ObserveMicros(kRequestDuration, {{"route", route}}, micros);
}

void ServerCore::CountRejected(const char* reason) {
  if (metrics_ != nullptr) metrics_->Increment(kRejectedTotal, {{"reason", reason}});
}

// ---- one request ---------------------------------------------------------------------------

// Returns whether the connection stays open for another request.
asio::awaitable<bool> ServerCore::ServeOne(const std::shared_ptr<Connection>& c) {
  const Clock::time_point start = Clock::now();
  ArmDeadline(c);
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(
      std::min<size_t>(limits_.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  // Beast checks Content-Length against the limit while parsing the header, before we know
  // the path: admit the largest limit there and apply the route's own limit just below.
  parser.body_limit(largest_body_limit_);
  {
    auto [ec, n] = co_await http::async_read_header(c->stream, c->buffer, parser, kUseTuple);
    if (ec) {
      DisarmDeadline(*c);
      co_await RejectRead(c, ec);
      co_return false;
    }
  }

  const std::string target(parser.get().target());
  const size_t question = target.find('?');
  const std::string path = target.substr(0, question);
  const std::string method = parser.get().method() == http::verb::unknown
                                 ? "other"
                                 : std::string(parser.get().method_string());
  const std::string route = RouteLabel(path);
  const size_t body_limit = BodyLimitFor(path);
  if (parser.content_length() && *parser.content_length() > body_limit) {
    DisarmDeadline(*c);
    CountRequest(route, method, 413, start);
    co_await Refuse(c,
                    HttpResponse::Error(
                        413, "too_large",
                        "the request body is larger than " + std::to_string(body_limit) + " bytes"),
                    "too_large");
    co_return false;
  }
  parser.body_limit(body_limit);

  if (!parser.is_done()) {
    auto expect = parser.get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      if (!co_await WriteAll(c, "HTTP/1.1 100 Continue\r\n\r\n")) co_return false;
    }
    auto [ec, n] = co_await http::async_read(c->stream, c->buffer, parser, kUseTuple);
    if (ec) {
      DisarmDeadline(*c);
      co_await RejectRead(c, ec);
      co_return false;
    }
  }
  DisarmDeadline(*c);

  http::request<http::string_body> message = parser.release();
  const bool keep_alive = message.keep_alive();
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.path = path;
  request.remote_address = c->remote;
  if (path.empty() || path[0] != '/' ||
      (question != std::string::npos &&
       !ParseQuery(std::string_view(target).substr(question + 1), &request.query))) {
    co_await Refuse(c,
                    HttpResponse::Error(400, "malformed",
                                        "the request target must be a path with a well-formed "
                                        "query string"),
                    "malformed");
    co_return false;
  }
  for (const auto& field : message) {
    std::string name = AsciiLower(field.name_string());
    auto [it, inserted] = request.headers.try_emplace(std::move(name), field.value());
    if (!inserted) {
      it->second += ", ";
      it->second += field.value();
    }
  }
  request.body = std::move(message.body());

  if (int64_t retry_after = limiter_.Take(c->remote, Clock::now()); retry_after > 0) {
    CountRejected("rate_limited");
    HttpResponse response =
        HttpResponse::Error(429, "rate_limited", "too many requests from this address");
    response.headers.emplace_back("Retry-After", std::to_string(retry_after));
    co_return co_await WriteResponse(c, std::move(response), method, route, start, keep_alive);
  }

  std::optional<HttpResponse> answer = co_await CallHandler(c, std::move(request));
  if (!answer) co_return false;  // stopped while the handler worked
  if (answer->stream) {
    co_await StreamEvents(c, std::move(*answer), method, route, start);
    co_return false;
  }
  co_return co_await WriteResponse(c, std::move(*answer), method, route, start, keep_alive);
}

asio::awaitable<void> ServerCore::RejectRead(const std::shared_ptr<Connection>& c, ErrorCode ec) {
  if (c->cancelled) co_return;
  if (c->timed_out) {
    co_await Refuse(
        c,
        HttpResponse::Error(408, "timeout",
                            "the request did not arrive within " +
                                std::to_string(limits_.request_timeout.count()) + " ms"),
        "timeout");
  } else if (ec == http::error::header_limit) {
    co_await Refuse(c,
                    HttpResponse::Error(413, "too_large",
                                        "the request header is larger than " +
                                            std::to_string(limits_.max_header_bytes) + " bytes"),
                    "too_large");
  } else if (ec == http::error::body_limit) {
    co_await Refuse(c, HttpResponse::Error(413, "too_large", "the request body is too large"),
                    "too_large");
  } else if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
    co_return;  // the client went away
  } else if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
    co_await Refuse(c, HttpResponse::Error(400, "malformed", "malformed request: " + ec.message()),
                    "malformed");
  }
  // Anything else is the socket failing: nobody to answer.
}

// A refusal closes the connection: what follows in the stream cannot be trusted to be framed.
asio::awaitable<void> ServerCore::Refuse(const std::shared_ptr<Connection>& c,
                                         HttpResponse response, const char* reason) {
  CountRejected(reason);
  co_await WriteResponse(c, std::move(response), "", "", Clock::now(), false);
}

asio::awaitable<std::optional<HttpResponse>> ServerCore::CallHandler(
    const std::shared_ptr<Connection>& c, HttpRequest request) {
  auto slot = std::make_shared<ResponseSlot>();
  slot->connection = c;
  slot->sequence = ++c->request_sequence;
  c->slot = slot;
  c->answer.reset();
  {
    auto responder = std::make_shared<Responder>(slot);
    Respond respond = [responder = std::move(responder)](HttpResponse response) {
      responder->Answer(std::move(response));
    };
    try {
      handler_(std::move(request), std::move(respond));
    } catch (...) {
      Deliver(slot, HttpResponse::Error(500, "internal", "the request handler failed"));
    }
  }
  while (!c->answer && !c->cancelled) {
    c->wake.expires_at(Clock::time_point::max());
    co_await c->wake.async_wait(kUseTuple);
  }
  CloseSlot(slot);
  c->slot.reset();
  if (c->cancelled) co_return std::nullopt;
  std::optional<HttpResponse> answer = std::move(c->answer);
  c->answer.reset();
  co_return answer;
}

asio::awaitable<bool> ServerCore::WriteResponse(const std::shared_ptr<Connection>& c,
                                                HttpResponse response, const std::string& method,
                                                const std::string& route, Clock::time_point start,
                                                bool keep_alive) {
  if (c->cancelled) co_return false;
  int status = response.status;
  if (status < 100 || status > 599) status = 500;
  keep_alive = keep_alive && !stopping_;

  // The body is written from where it is (`response` outlives the write), never copied.
  http::response<http::span_body<const char>> res;
  res.version(11);
  res.result(static_cast<unsigned>(status));
  if (!response.content_type.empty() && !HasLineBreak(response.content_type)) {
    res.set(http::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) continue;
    // Framing is ours; a handler may still ask for the connection to be closed.
    if (beast::iequals(name, "connection")) {
      if (beast::iequals(value, "close")) keep_alive = false;
      continue;
    }
    if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding")) {
      continue;
    }
    res.insert(name, value);
  }
  // 1xx, 204 and 304 responses have no body, and 1xx and 204 no Content-Length.
  const bool no_body = status < 200 || status == 204 || status == 304;
  const std::string& bytes = response.shared_body ? *response.shared_body : response.body;
  const size_t length = bytes.size();
  if (!no_body && method != "HEAD") res.body() = {bytes.data(), bytes.size()};
  if (!no_body) res.content_length(length);
  res.keep_alive(keep_alive);
  if (!keep_alive) res.set(http::field::connection, "close");

  // Counted before the write, so a client that has its answer also finds it counted.
  if (!method.empty()) CountRequest(route, method, status, start);
  c->stream.expires_after(limits_.request_timeout);
  auto [ec, n] = co_await http::async_write(c->stream, res, kUseTuple);
  c->stream.expires_never();
  if (ec) co_return false;
  if (!keep_alive) {
    co_await Linger(c);
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> ServerCore::WriteAll(const std::shared_ptr<Connection>& c,
                                           const std::string& bytes) {
  if (c->cancelled) co_return false;
  c->stream.expires_after(limits_.request_timeout);
  auto [ec, n] = co_await asio::async_write(c->stream, asio::buffer(bytes), kUseTuple);
  c->stream.expires_never();
  co_return !ec;
}

asio::awaitable<void> ServerCore::Linger(const std::shared_ptr<Connection>& c) {
  if (c->cancelled || stopping_) co_return;
  ErrorCode ignored;
  c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  c->stream.expires_after(
      std::min<std::chrono::milliseconds>(kLingerTime, limits_.request_timeout));
  size_t total = c->buffer.size();
  while (total < kLingerBytes) {
    auto [ec, n] = co_await c->stream.async_read_some(asio::buffer(c->discard), kUseTuple);
    if (ec) break;
    total += n;
  }
}

// ---- event streams ---------------------------------------------------------------------------

// While a stream waits for news nobody reads the socket; this read notices the client leaving.
void ServerCore::StartDiscarding(std::shared_ptr<Connection> c) {
  Connection& raw = *c;
  raw.stream.socket().async_read_some(asio::buffer(raw.discard),
                                      [c = std::move(c)](const ErrorCode& ec, size_t) mutable {
                                        if (ec) {
                                          c->peer_gone = true;
                                          c->wake.cancel();
                                          return;
                                        }
                                        StartDiscarding(std::move(c));
                                      });
}

void AppendEvent(const SseMessage& m, std::string* out) {
  if (m.wire) {
    out->append(*m.wire);
    return;
  }
  *out += "id: " + std::to_string(m.id) + "\n";
  if (!m.event.empty()) {
    std::string event = m.event;
    std::replace_if(
        event.begin(), event.end(), [](char ch) { return ch == '\r' || ch == '\n'; }, ' ');
    *out += "event: " + event + "\n";
  }
  // Data is meant to be one line; a newline would end the field, so each line gets its own.
  for (std::string_view line : Split(m.data, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    *out += "data: ";
    *out += line;
    *out += "\n";
  }
  *out += "\n";
}

asio::awaitable<void> ServerCore::StreamEvents(const std::shared_ptr<Connection>& c,
                                               HttpResponse response, const std::string& method,
                                               const std::string& route, Clock::time_point start) {
  if (c->cancelled) co_return;
  int status = response.status;
  if (status < 200 || status > 599) status = 200;
  http::response<http::empty_body> res;
  res.version(11);
  res.result(static_cast<unsigned>(status));
  res.set(http::field::content_type, "text/event-stream");
  res.set(http::field::cache_control, "no-store");
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) continue;
    if (beast::iequals(name, "content-type") || beast::iequals(name, "cache-control") ||
        beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
        beast::iequals(name, "connection")) {
      continue;
    }
    res.insert(name, value);
  }
  // No Content-Length and no chunking: the stream's body ends when the connection does.
  http::response_serializer<http::empty_body> serializer(res);
  CountRequest(route, method, status, start);
  c->stream.expires_after(limits_.request_timeout);
  auto [ec, n] = co_await http::async_write_header(c->stream, serializer, kUseTuple);
  c->stream.expires_never();
  if (ec) co_return;

  c->streaming = true;
  StartDiscarding(c);
  SseStream stream = std::move(*response.stream);
  int64_t after = stream.after;
  for (;;) {
    if (c->cancelled || c->peer_gone || stopping_) break;
    // Read before fetching: a notification that lands during the fetch is not lost.
    const uint64_t generation = notify_generation_.load();
    std::vector<SseMessage> batch;
    if (stream.fetch) {
      try {
        batch = stream.fetch(after, kEventBatch);
      } catch (...) {
        break;
      }
    }
    std::string out;
    for (const SseMessage& m : batch) {
      if (m.id <= after) continue;  // fetch promised ascending ids after `after`
      after = m.id;
      AppendEvent(m, &out);
    }
    if (!out.empty()) {
      if (!co_await WriteAll(c, out)) break;
      continue;
    }
    if (generation != notify_generation_.load()) continue;
    c->wake.expires_after(limits_.heartbeat);
    auto [wait_ec] = co_await c->wake.async_wait(kUseTuple);
    if (!wait_ec && !c->cancelled && !c->peer_gone) {
      if (!co_await WriteAll(c, ": keep-alive\n\n")) break;
    }
  }
  c->streaming = false;
}

}  // namespace

// ---- the public face ---------------------------------------------------------------------------

std::string FormatSseMessage(const SseMessage& message) {
  std::string out;
  SseMessage plain = message;
  plain.wire.reset();
  AppendEvent(plain, &out);
  return out;
}

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler, Metrics* metrics,
                       std::function<std::string(const std::string& path)> route_label)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), metrics,
                                   std::move(route_label))) {}

HttpServer::~HttpServer() { impl_->Stop(); }

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }
void HttpServer::Wait() { impl_->Wait(); }
void HttpServer::NotifyStreams() { impl_->NotifyStreams(); }

}  // namespace canvass
