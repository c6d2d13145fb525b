// Attack: every worker is a coroutine on one io_context that a few threads run. A worker owns at
// most one connection at a time and runs on a strand of its own, so Stop() ends it by posting to
// that strand a step that closes its socket and cancels its timer: whatever the worker was
// waiting for then completes with an error, the worker sees it was cancelled, and returns.
//
// Counting. `sent` counts attempts (a request, or a connection for slowloris and subscribers) as
// they begin; each attempt that ends before Stop() is then counted once more, either under the
// status the server answered (0: the connection ended, or the time ran out, without one) or as a
// transport failure (no connection, or the request could not be written and nothing came back).
#include "rehearse/attack.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
// GCC 12 with the sanitizers takes Beast's empty optional Content-Length of a response for
// "maybe uninitialized" where the parser is inlined into these coroutines.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "core/random.h"
#include "http/local_bind.h"

namespace canvass::rehearse {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

constexpr std::chrono::milliseconds kConnectTimeout = 5s;
constexpr std::chrono::milliseconds kAnswerTimeout = 15s;  // longer than the server's own limits
constexpr std::chrono::milliseconds kReaderPeriod = 1s;
constexpr std::chrono::milliseconds kDripPeriod = 1s;
// Longer than the server's heartbeat (15 s): a stream silent for this long is dead.
constexpr std::chrono::milliseconds kStreamSilence = 45s;
constexpr std::chrono::milliseconds kRetryPause = 250ms;  // after a failed connection
constexpr std::chrono::milliseconds kRefusedPause = 1s;   // a subscriber refused a stream
constexpr std::chrono::milliseconds kStopGrace = 1500ms;  // for the workers to end on Stop()
constexpr uint64_t kMaxAnswerBody = uint64_t{64} << 20;
constexpr size_t kMaxSlowAnswer = 64 * 1024;
constexpr size_t kBodyLimit = 64 * 1024;   // the server's default body limit
constexpr size_t kHeaderLimit = 8 * 1024;  // and its header limit
constexpr int kGuessesPerAddress = 25;     // past the per-address lockout (20 wrong codes)
constexpr int kFloodPerAddress = 100;      // a flood moves on to another address after these
constexpr int kMaxAddresses = 65'534;      // 127.66.0.1 .. 127.66.255.254

enum Kind : int { kFlood, kMalformed, kOversized, kSlowloris, kGuess, kReader, kSubscriber };
constexpr std::array<const char*, 7> kKindNames = {"flood", "malformed", "oversized", "slowloris",
                                                   "guess", "reader",    "subscriber"};
const char* KindName(Kind kind) { return kKindNames[static_cast<size_t>(kind)]; }

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Attack traffic draws from SplitMix64 (src/core/random.h), one stream per worker.
class TrafficRng : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  // Somewhere in [3/4, 5/4) of `base`, so that workers do not march in step.
  std::chrono::milliseconds Jitter(std::chrono::milliseconds base) {
    const uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(base.count(), 4));
    return std::chrono::milliseconds(ms * 3 / 4 + Below(ms / 2));
  }
};

std::string RandomString(TrafficRng& rng, std::string_view alphabet, size_t n) {
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out += alphabet[rng.Below(alphabet.size())];
  return out;
}

// One request as bytes on the wire. `body` gets a Content-Length unless `length` is false.
std::string Wire(std::string_view method, std::string_view target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {},
                 std::string_view body = {}, bool length = true) {
  std::string out;
  out.reserve(128 + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: canvass\r\n");
  for (const auto& [name, value] : headers)
    out.append(name).append(": ").append(value).append("\r\n");
  if (length && (!body.empty() || method == "POST")) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

std::string JsonPost(std::string_view target, std::string_view body,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return Wire("POST", target, headers, body);
}

// The status of "HTTP/1.1 408 ..." at the start of `bytes`, or 0.
int StatusLine(std::string_view bytes) {
  if (bytes.size() < 12 || bytes.substr(0, 5) != "HTTP/") return 0;
  const size_t space = bytes.find(' ');
  if (space == std::string_view::npos || space + 4 > bytes.size()) return 0;
  int status = 0;
  const char* first = bytes.data() + space + 1;
  auto [ptr, err] = std::from_chars(first, first + 3, status);
  return (err == std::errc() && ptr == first + 3) ? status : 0;
}

// ---- what each kind sends ----------------------------------------------------------------

const char* const kPrecinctActions[] = {"first",        "final",       "ties",
                                        "confirm",      "corrections", "practice",
                                        "attestations", "photo",       "preview"};

// Unauthenticated (or falsely authenticated) writes, unknown routes and wrong methods.
std::string FloodRequest(TrafficRng& rng) {
  const std::string submission = "flood-" + RandomString(rng, kCrockford, 12);
  const json figures = {{"submission", submission},
                        {"first", {{"Sanders", rng.Below(500)}, {"Biden", rng.Below(500)}}}};
  switch (rng.Below(8)) {
    case 0:
    case 1: {
      const std::string target =
          fmt::format("/api/v1/precincts/{}/{}", 1 + rng.Below(9),
                      kPrecinctActions[rng.Below(std::size(kPrecinctActions))]);
      return JsonPost(target, figures.dump());
    }
    case 2: {  // a token that looks right and is not
      const std::string token = fmt::format("v1.{}.{}.{}", RandomString(rng, kCrockford, 4),
                                            4'000'000'000 + rng.Below(1'000'000),
                                            RandomString(rng, "0123456789abcdef", 64));
      return JsonPost(fmt::format("/api/v1/precincts/{}/final", 1 + rng.Below(5)), figures.dump(),
                      {{"Authorization", "Bearer " + token}});
    }
    case 3: {
      static const char* const kWrites[] = {"/api/v1/hotline/entries",
                                            "/api/v1/credentials/reissue", "/api/v1/releases",
                                            "/api/v1/releases/policy"};
      return JsonPost(kWrites[rng.Below(std::size(kWrites))], figures.dump());
    }
    case 4: {
      static const char* const kPrivate[] = {"/api/v1/readiness", "/api/v1/hotline/reconciliation",
                                             "/api/v1/session"};
      return Wire("GET", kPrivate[rng.Below(std::size(kPrivate))]);
    }
    case 5: {
      static const char* const kUnknown[] = {"/api/v1/", "/api/v2/results", "/api/v1/admin",
                                             "/api/v1/precincts/99999999", "/api/v1/photos/x"};
      return Wire("GET", kUnknown[rng.Below(std::size(kUnknown))]);
    }
    case 6:
      return Wire("GET", "/api/v1/" + RandomString(rng, "abcdefghijklmnopqrstuvwxyz", 8));
    default: {
      static const char* const kMethods[] = {"DELETE", "PUT", "PATCH"};
      static const char* const kTargets[] = {"/api/v1/results", "/api/v1/election",
                                             "/api/v1/session", "/api/v1/precincts/1"};
      return Wire(kMethods[rng.Below(std::size(kMethods))],
                  kTargets[rng.Below(std::size(kTargets))], {}, figures.dump());
    }
  }
}

// Bytes that are not HTTP, requests the parser refuses, and bodies that are not what the route
// reads. Each ends its header, so the server has all it needs to refuse at once.
std::string MalformedRequest(TrafficRng& rng) {
  switch (rng.Below(12)) {
    case 0:
    case 1: {  // garbage
      std::string bytes;
      const size_t n = 1 + rng.Below(2000);
      for (size_t i = 0; i < n; ++i) bytes += static_cast<char>(rng.Below(256));
      return bytes.append("\r\n\r\n");
    }
    case 2:
      return "GET /api/v1/health HTTP/1.1\r\nHost: canvass\r\nno colon in this line\r\n\r\n";
    case 3:
      return "GET /api/v1/health HTTP/7.3\r\nHost: canvass\r\n\r\n";
    case 4:
      return "GET /api/v1/results?after=%G1 HTTP/1.1\r\nHost: canvass\r\n\r\n";
    case 5:
      return "POST /api/v1/session HTTP/1.1\r\nHost: canvass\r\nContent-Length: nine\r\n\r\n";
    case 6:
      return "POST /api/v1/session HTTP/1.1\r\nHost: canvass\r\nTransfer-Encoding: chunked\r\n\r\n"
             "ZZ\r\nwhat\r\n0\r\n\r\n";
    case 7:
      return "GET http://canvass.example/api/v1/results HTTP/1.1\r\nHost: canvass\r\n\r\n";
    case 8:
      return JsonPost("/api/v1/session", "{\"code\": \"7QF2-");
    case 9:
      return JsonPost("/api/v1/session", rng.Below(2) == 0 ? "[1, 2, 3]" : "\"code\"");
    case 10:
      return JsonPost("/api/v1/session",
                      rng.Below(2) == 0 ? "{\"code\": 12345}" : "{\"code\": \"short\"}");
    default:
      return Wire("GET", rng.Below(2) == 0 ? "/api/v1/events?after=yesterday"
                                           : "/api/v1/ledger?after=-1&limit=many");
  }
}

// Bodies over the limit (announced, or chunked), and headers over theirs. Never under
// /api/v1/precincts/, which takes photos and so has a larger limit.
std::string OversizedRequest(TrafficRng& rng) {
  static const char* const kTargets[] = {"/api/v1/session", "/api/v1/hotline/entries",
                                         "/api/v1/releases/policy"};
  const char* target = kTargets[rng.Below(std::size(kTargets))];
  switch (rng.Below(6)) {
    case 0: {  // a whole body, Content-Length and all
      const size_t n = kBodyLimit + 1 + rng.Below(3 * kBodyLimit);
      std::string body = "{\"code\": \"";
      body.append(n, 'A').append("\"}");
      return JsonPost(target, body);
    }
    case 1:  // the length alone, the body never sent
      return Wire("POST", target, {{"Content-Length", std::to_string(uint64_t{1} << 30)}}, {},
                  false);
    case 2: {  // chunked, past the limit
      std::string bytes = Wire("POST", target, {{"Transfer-Encoding", "chunked"}}, {}, false);
      const std::string chunk(4096, 'x');
      for (size_t sent = 0; sent <= kBodyLimit + 4096; sent += chunk.size()) {
        bytes.append("1000\r\n").append(chunk).append("\r\n");
      }
      return bytes.append("0\r\n\r\n");
    }
    case 3:  // one long header
      return Wire("GET", "/api/v1/results",
                  {{"X-Padding", std::string(kHeaderLimit + 1 + rng.Below(kHeaderLimit), 'p')}});
    // Many short fields, twice the limit: when a header arrives over several reads, Beast
    // holds it to the limit only roughly (some 9 KiB of short fields can pass).
    case 4: {
      std::vector<std::pair<std::string, std::string>> headers;
      for (size_t i = 0; i * 48 <= 2 * kHeaderLimit + 1024; ++i) {
        headers.emplace_back(fmt::format("X-Header-{}", i), std::string(32, 'h'));
      }
      return Wire("GET", "/api/v1/election", headers);
    }
    default: {  // a long target
      std::string path = "/api/v1/results?pad=";
      path.append(kHeaderLimit + 1 + rng.Below(kHeaderLimit), 'q');
      return Wire("GET", path);
    }
  }
}

// A code as a person might type it: 16 Crockford characters, the first four a known public id
// half the time (when there are some), in groups or not, in either case.
std::string GuessCode(TrafficRng& rng, const std::vector<std::string>& known_ids) {
  std::string code;
  if (!known_ids.empty() && rng.Below(2) == 0) {
    for (char c : known_ids[rng.Below(known_ids.size())]) {
      if (c != '-' && c != ' ') code += c;
    }
  }
  if (code.size() != 4) code = RandomString(rng, kCrockford, 4);
  code += RandomString(rng, kCrockford, 12);
  std::string typed;
  const bool grouped = rng.Below(2) == 0;
  const bool lower = rng.Below(4) == 0;
  for (size_t i = 0; i < code.size(); ++i) {
    if (grouped && i > 0 && i % 4 == 0) typed += '-';
    const char c = code[i];
    typed += lower && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return typed;
}

// ---- one worker ----------------------------------------------------------------------------

struct Worker {
  explicit Worker(Strand s) : strand(std::move(s)), timer(strand) {}

  Strand strand;
  asio::steady_timer timer;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;  // what came after the last answer on a kept-alive connection
  bool cancelled = false;     // set on the strand by Stop()
};

void CloseConnection(Worker& w) {
  if (w.stream) {
    ErrorCode ignored;
    w.stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    w.stream->close();
    w.stream.reset();
  }
  w.buffer.clear();
}

// What came back for one request.
struct Answer {
  bool written = false;  // the request went out whole
  int status = 0;        // 0: none
  std::string etag;
  std::string content_type;
  std::string body;
};

}  // namespace

// ---- the report ----------------------------------------------------------------------------

json AttackReport::ToJson() const {
  json out = json::object();
  json by_kind = json::object();
  for (const auto& [name, counts] : kinds) {
    json status = json::object();
    for (const auto& [code, n] : counts.status) status[std::to_string(code)] = n;
    by_kind[name] = {{"sent", counts.sent},
                     {"status", std::move(status)},
                     {"transport_failures", counts.transport_failures}};
  }
  out["kinds"] = std::move(by_kind);
  out["guesses"] = guesses;
  out["guesses_admitted"] = guesses_admitted;
  out["guesses_locked_out"] = guesses_locked_out;
  out["sse_events"] = sse_events;
  out["reader_not_modified"] = reader_not_modified;
  out["seconds"] = seconds;
  return out;
}

// ---- the attack ----------------------------------------------------------------------------

struct Attack::Impl {
  explicit Impl(AttackOptions o) : options(std::move(o)) {
    for (const char* name : kKindNames) report.kinds[name];
  }

  const AttackOptions options;
  asio::ip::address server;
  std::vector<asio::ip::address> locals;  // the attackers' addresses
  // Runs the workers (each coroutine holds its own); Stop() destroys it once its threads have
  // returned.
  std::unique_ptr<asio::io_context> ioc;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> next_port{0};

  mutable std::mutex mu;  // guards the members below
  std::condition_variable idle;
  AttackReport report;
  std::vector<std::weak_ptr<Worker>> workers;
  int live = 0;  // worker coroutines not yet ended
  bool started = false;
  bool stopped = false;
  Clock::time_point started_at;
  Clock::time_point stopped_at;
  int64_t stream_after = -1;  // the ledger position subscribers start from; -1 not known yet

  void Start();
  void Stop();
  AttackReport Snapshot() const;

  // Counting.
  void Sent(Kind kind) {
    std::lock_guard<std::mutex> lock(mu);
    ++report.kinds[KindName(kind)].sent;
  }
  void Failed(Kind kind) {
    std::lock_guard<std::mutex> lock(mu);
    ++report.kinds[KindName(kind)].transport_failures;
  }
  void Answered(Kind kind, int status) {
    std::lock_guard<std::mutex> lock(mu);
    ++report.kinds[KindName(kind)].status[status];
    if (kind == kGuess) {
      ++report.guesses;
      if (status == 200) ++report.guesses_admitted;
      if (status == 429) ++report.guesses_locked_out;
    }
    if (kind == kReader && status == 304) ++report.reader_not_modified;
  }
  // An exchange that ended (not one Stop() interrupted).
  void Counted(Kind kind, const Answer& a) {
    if (!a.written && a.status == 0) {
      Failed(kind);
    } else {
      Answered(kind, a.status);
    }
  }
  void Events(int64_t n) {
    if (n == 0) return;
    std::lock_guard<std::mutex> lock(mu);
    report.sse_events += n;
  }

  bool Done(const Worker& w) const { return w.cancelled || stopping.load(); }
  uint64_t WorkerSeed(Kind kind, int index) const {
    TrafficRng mix(options.seed ^ (static_cast<uint64_t>(kind + 1) << 48) ^
                   static_cast<uint64_t>(index));
    return mix.Next();
  }
  uint16_t NextPort() { return options.ports[next_port.fetch_add(1) % options.ports.size()]; }

  void Spawn(Kind kind, int index, size_t address);
  asio::awaitable<void> Run(std::shared_ptr<Worker> w, Kind kind, int index, size_t address);

  asio::awaitable<void> Pause(Worker& w, std::chrono::milliseconds d);
  asio::awaitable<bool> Connect(Worker& w, size_t address);
  asio::awaitable<Answer> Exchange(Worker& w, const std::string& bytes);

  asio::awaitable<void> Requests(Worker& w, Kind worker_kind, int index, size_t address);
  asio::awaitable<void> Guesses(Worker& w, int index, size_t address);
  asio::awaitable<void> Reader(Worker& w, int index, size_t address);
  asio::awaitable<void> Slowloris(Worker& w, int index, size_t address);
  asio::awaitable<void> Subscriber(Worker& w, int index, size_t address);
  asio::awaitable<int64_t> LedgerPosition(Worker& w, size_t address);
};

void Attack::Impl::Start() {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (started || stopped) return;
    started = true;
    started_at = Clock::now();
  }
  ErrorCode ec;
  server = asio::ip::make_address(options.host, ec);
  if (ec) {
    asio::io_context lookup;
    tcp::resolver resolver(lookup);
    for (const auto& entry : resolver.resolve(options.host, "", ec)) {
      if (entry.endpoint().address().is_v4()) {
        server = entry.endpoint().address();
        break;
      }
    }
  }
  // The attackers' addresses are IPv4 loopback ones: nothing to attack without a server there.
  if (options.ports.empty() || !server.is_v4()) return;
  const int count = std::clamp(options.address_count, 1, kMaxAddresses);
  for (int i = 1; i <= count; ++i) {
    locals.push_back(asio::ip::make_address_v4(std::array<unsigned char, 4>{
        127, 66, static_cast<unsigned char>(i >> 8), static_cast<unsigned char>(i & 0xff)}));
  }

  ioc = std::make_unique<asio::io_context>();
  // Workers take addresses in turn, every kind spread over all of them.
  size_t address = 0;
  const auto spawn_all = [&](Kind kind, int n) {
    for (int i = 0; i < n; ++i) Spawn(kind, i, address++ % locals.size());
  };
  spawn_all(kFlood, options.flood_workers);
  spawn_all(kOversized, options.oversize_workers);
  spawn_all(kGuess, options.guess_workers);
  spawn_all(kSlowloris, options.slowloris);
  spawn_all(kReader, options.readers);
  spawn_all(kSubscriber, options.subscribers);
  const int n = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2u, 4u));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([this] {
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (...) {  // a worker's failure must not end the others
        }
      }
    });
  }
}

void Attack::Impl::Spawn(Kind kind, int index, size_t address) {
  auto w = std::make_shared<Worker>(asio::make_strand(*ioc));
  {
    std::lock_guard<std::mutex> lock(mu);
    workers.push_back(w);
    ++live;
  }
  const Strand strand = w->strand;
  asio::co_spawn(strand, Run(std::move(w), kind, index, address), [this](std::exception_ptr) {
    std::lock_guard<std::mutex> lock(mu);
    if (--live == 0) idle.notify_all();
  });
}

void Attack::Impl::Stop() {
  std::vector<std::weak_ptr<Worker>> open;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) return;
    stopped = true;
    stopped_at = Clock::now();
    if (!started) return;
    stopping = true;
    open.swap(workers);
  }
  if (ioc == nullptr) return;
  for (const auto& weak : open) {
    std::shared_ptr<Worker> w = weak.lock();
    if (!w) continue;
    const Strand strand = w->strand;
    asio::post(strand, [w = std::move(w)] {
      w->cancelled = true;
      w->timer.cancel();
      if (w->stream) w->stream->close();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    idle.wait_for(lock, kStopGrace, [this] { return live == 0; });
  }
  // Whatever is still pending (a worker that did not end in time, the last cancelled timers)
  // is dropped with the io_context.
  ioc->stop();
  for (std::thread& t : threads) t.join();
  threads.clear();
  ioc.reset();
  std::lock_guard<std::mutex> lock(mu);
  stopped_at = Clock::now();
}

AttackReport Attack::Impl::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu);
  AttackReport out = report;
  if (started) {
    const Clock::time_point end = stopped ? stopped_at : Clock::now();
    out.seconds = std::chrono::duration<double>(end - started_at).count();
  }
  return out;
}

asio::awaitable<void> Attack::Impl::Run(std::shared_ptr<Worker> w, Kind kind, int index,
                                        size_t address) {
  switch (kind) {
    case kFlood:
    case kOversized:
      co_await Requests(*w, kind, index, address);
      break;
    case kMalformed:  // the flood workers send these too
      break;
    case kGuess:
      co_await Guesses(*w, index, address);
      break;
    case kReader:
      co_await Reader(*w, index, address);
      break;
    case kSlowloris:
      co_await Slowloris(*w, index, address);
      break;
    case kSubscriber:
      co_await Subscriber(*w, index, address);
      break;
  }
  CloseConnection(*w);
}

asio::awaitable<void> Attack::Impl::Pause(Worker& w, std::chrono::milliseconds d) {
  if (Done(w)) co_return;
  w.timer.expires_after(d);
  co_await w.timer.async_wait(kUseTuple);
}

// A fresh connection from locals[address] to the next server, as w.stream.
asio::awaitable<bool> Attack::Impl::Connect(Worker& w, size_t address) {
  CloseConnection(w);
  const tcp::endpoint peer(server, NextPort());
  w.stream.emplace(w.strand);
  tcp::socket& socket = w.stream->socket();
  ErrorCode ec = OpenBound(socket, peer.protocol(), locals[address]);
  if (ec) {
    CloseConnection(w);
    co_return false;
  }
  w.stream->expires_after(kConnectTimeout);
  auto [connect_ec] = co_await w.stream->async_connect(peer, kUseTuple);
  if (connect_ec || w.cancelled) {
    CloseConnection(w);
    co_return false;
  }
  w.stream->expires_never();
  w.stream->socket().set_option(tcp::no_delay(true), ec);
  co_return true;
}

// Writes `bytes` on the open connection and reads one answer. The connection is closed after
// an answer that does not keep it, or when anything failed.
asio::awaitable<Answer> Attack::Impl::Exchange(Worker& w, const std::string& bytes) {
  Answer out;
  w.stream->expires_after(kAnswerTimeout);
  auto [write_ec, written] = co_await asio::async_write(*w.stream, asio::buffer(bytes), kUseTuple);
  out.written = !write_ec;
  if (Done(w) || !w.stream) co_return out;
  // Even when the write failed the server may have answered (a refusal) before closing.
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBody);
  parser.header_limit(1 << 20);
  w.stream->expires_after(kAnswerTimeout);
  auto [read_ec, read] = co_await http::async_read(*w.stream, w.buffer, parser, kUseTuple);
  if (Done(w) || !w.stream) co_return out;
  bool keep = false;
  if (parser.is_header_done()) {
    const auto& head = parser.get();
    out.status = static_cast<int>(head.result_int());
    out.etag = std::string(head[http::field::etag]);
    out.content_type = std::string(head[http::field::content_type]);
    keep = !read_ec && head.keep_alive();
    if (!read_ec) out.body = std::move(parser.get().body());
  }
  if (keep) {
    w.stream->expires_never();
  } else {
    CloseConnection(w);
  }
  co_return out;
}

// Flood workers (a third of their requests malformed) and oversize workers: requests one after
// another, as fast as the answers come.
asio::awaitable<void> Attack::Impl::Requests(Worker& w, Kind worker_kind, int index,
                                             size_t address) {
  TrafficRng rng(WorkerSeed(worker_kind, index));
  const size_t step = static_cast<size_t>(std::max(1, options.flood_workers));
  int on_address = 0;
  while (!Done(w)) {
    Kind kind = worker_kind;
    if (kind == kFlood && rng.Below(3) == 0) kind = kMalformed;
    const std::string bytes = kind == kFlood       ? FloodRequest(rng)
                              : kind == kMalformed ? MalformedRequest(rng)
                                                   : OversizedRequest(rng);
    Sent(kind);
    if (!w.stream && !co_await Connect(w, address)) {
      if (Done(w)) break;
      Failed(kind);
      co_await Pause(w, kRetryPause);
      continue;
    }
    Answer a = co_await Exchange(w, bytes);
    if (Done(w)) break;
    Counted(kind, a);
    if (worker_kind == kFlood && ++on_address >= kFloodPerAddress) {
      on_address = 0;
      address = (address + step) % locals.size();
      CloseConnection(w);
    }
  }
}

// Guessing: one address until its lockout is well under way, then the next.
asio::awaitable<void> Attack::Impl::Guesses(Worker& w, int index, size_t address) {
  TrafficRng rng(WorkerSeed(kGuess, index));
  const size_t step = static_cast<size_t>(std::max(1, options.guess_workers));
  int on_address = 0;
  while (!Done(w)) {
    const json body = {{"code", GuessCode(rng, options.known_ids)}};
    const std::string bytes = JsonPost("/api/v1/session", body.dump());
    Sent(kGuess);
    if (!w.stream && !co_await Connect(w, address)) {
      if (Done(w)) break;
      Failed(kGuess);
      co_await Pause(w, kRetryPause);
      continue;
    }
    Answer a = co_await Exchange(w, bytes);
    if (Done(w)) break;
    Counted(kGuess, a);
    if (++on_address >= kGuessesPerAddress) {
      on_address = 0;
      address = (address + step) % locals.size();
      CloseConnection(w);
    }
  }
}

// A public page: the results and the latest release about every second, with the ETags of
// what it already has.
asio::awaitable<void> Attack::Impl::Reader(Worker& w, int index, size_t address) {
  TrafficRng rng(WorkerSeed(kReader, index));
  static const char* const kTargets[] = {"/api/v1/results", "/api/v1/releases/latest"};
  std::array<std::string, std::size(kTargets)> etags;
  co_await Pause(w, std::chrono::milliseconds(rng.Below(kReaderPeriod.count())));
  while (!Done(w)) {
    for (size_t i = 0; i < std::size(kTargets) && !Done(w); ++i) {
      std::vector<std::pair<std::string, std::string>> headers;
      if (!etags[i].empty()) headers.emplace_back("If-None-Match", etags[i]);
      const std::string bytes = Wire("GET", kTargets[i], headers);
      Sent(kReader);
      if (!w.stream && !co_await Connect(w, address)) {
        if (Done(w)) break;
        Failed(kReader);
        continue;
      }
      Answer a = co_await Exchange(w, bytes);
      if (Done(w)) break;
      Counted(kReader, a);
      if (a.status == 200) etags[i] = a.etag;
    }
    co_await Pause(w, rng.Jitter(kReaderPeriod));
  }
}

// A request sent a byte about every second, until the server gives up on it; then again.
asio::awaitable<void> Attack::Impl::Slowloris(Worker& w, int index, size_t address) {
  TrafficRng rng(WorkerSeed(kSlowloris, index));
  co_await Pause(w, std::chrono::milliseconds(rng.Below(kDripPeriod.count())));
  while (!Done(w)) {
    Sent(kSlowloris);
    if (!co_await Connect(w, address)) {
      if (Done(w)) break;
      Failed(kSlowloris);
      co_await Pause(w, kDripPeriod);
      continue;
    }
    ErrorCode ec;
    w.stream->socket().non_blocking(true, ec);
    // The header never ends: one more field whenever the last one has dripped out.
    std::string pending = "GET /api/v1/results HTTP/1.1\r\nHost: canvass\r\n";
    size_t at = 0;
    int64_t field = 0;
    std::string answer;
    bool closed = false;
    const Clock::time_point opened = Clock::now();
    while (!Done(w) && !closed) {
      if (at == pending.size()) {
        pending = fmt::format("X-Drip-{}: {}\r\n", field, rng.Below(1'000'000));
        ++field;
        at = 0;
      }
      w.stream->expires_after(kAnswerTimeout);
      auto [write_ec, n] =
          co_await asio::async_write(*w.stream, asio::buffer(pending.data() + at, 1), kUseTuple);
      if (Done(w)) break;
      w.stream->expires_never();
      if (write_ec) closed = true;
      ++at;
      if (!closed) co_await Pause(w, rng.Jitter(kDripPeriod));
      if (Done(w)) break;
      // What the server sent meanwhile, without waiting for more.
      for (;;) {
        char chunk[4096];
        const size_t got = w.stream->socket().read_some(asio::buffer(chunk), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) break;
        answer.append(chunk,
                      std::min(got, kMaxSlowAnswer - std::min(kMaxSlowAnswer, answer.size())));
        if (ec) {
          closed = true;
          break;
        }
      }
      if (answer.find("\r\n\r\n") != std::string::npos) closed = true;
    }
    if (Done(w)) break;
    Answered(kSlowloris, StatusLine(answer));
    CloseConnection(w);
    // A server that refuses at once is not to be hammered.
    if (Clock::now() - opened < kDripPeriod) co_await Pause(w, rng.Jitter(kDripPeriod));
  }
}

// The ledger's current length (GET /api/v1/health), for where a stream starts; -1 if unknown.
asio::awaitable<int64_t> Attack::Impl::LedgerPosition(Worker& w, size_t address) {
  if (!w.stream && !co_await Connect(w, address)) co_return -1;
  Answer a = co_await Exchange(w, Wire("GET", "/api/v1/health"));
  if (Done(w) || a.status != 200) co_return -1;
  const json doc = json::parse(a.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("seq") || !doc["seq"].is_number_integer()) co_return -1;
  co_return doc["seq"].get<int64_t>();
}

// An event stream held open from the ledger's current position, every event read; when it
// ends, resumed with Last-Event-ID.
asio::awaitable<void> Attack::Impl::Subscriber(Worker& w, int index, size_t address) {
  TrafficRng rng(WorkerSeed(kSubscriber, index));
  co_await Pause(w, std::chrono::milliseconds(rng.Below(kReaderPeriod.count())));
  int64_t after = -1;
  int64_t last_id = -1;
  while (!Done(w)) {
    if (after < 0) {
      {
        std::lock_guard<std::mutex> lock(mu);
        after = stream_after;
      }
      if (after < 0) {
        after = co_await LedgerPosition(w, address);
        if (Done(w)) break;
        if (after < 0) {
          co_await Pause(w, rng.Jitter(kRefusedPause));
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        if (stream_after < 0) stream_after = after;
      }
    }
    std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "text/event-stream"}};
    if (last_id >= 0) headers.emplace_back("Last-Event-ID", std::to_string(last_id));
    const std::string bytes = Wire("GET", fmt::format("/api/v1/events?after={}", after), headers);
    Sent(kSubscriber);
    if (!w.stream && !co_await Connect(w, address)) {
      if (Done(w)) break;
      Failed(kSubscriber);
      co_await Pause(w, rng.Jitter(kRefusedPause));
      continue;
    }
    w.stream->expires_after(kAnswerTimeout);
    auto [write_ec, written] =
        co_await asio::async_write(*w.stream, asio::buffer(bytes), kUseTuple);
    if (Done(w)) break;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerBody);
    auto [head_ec, head_n] =
        co_await http::async_read_header(*w.stream, w.buffer, parser, kUseTuple);
    if (Done(w)) break;
    if (head_ec) {
      if (write_ec) {
        Failed(kSubscriber);
      } else {
        Answered(kSubscriber, 0);
      }
      CloseConnection(w);
      co_await Pause(w, rng.Jitter(kRefusedPause));
      continue;
    }
    const int status = static_cast<int>(parser.get().result_int());
    Answered(kSubscriber, status);
    if (status != 200 ||
        std::string(parser.get()[http::field::content_type]).rfind("text/event-stream", 0) != 0) {
      CloseConnection(w);
      co_await Pause(w, rng.Jitter(kRefusedPause));
      continue;
    }
    // The stream: blocks of lines, each ended by an empty line; a block with an id, an event
    // or data is one event (comments, such as the heartbeats, are not).
    const auto data = w.buffer.data();
    std::string pending(static_cast<const char*>(data.data()), data.size());
    w.buffer.consume(data.size());
    for (;;) {
      int64_t events = 0;
      for (;;) {
        size_t end = pending.find("\n\n");
        size_t skip = 2;
        if (const size_t crlf = pending.find("\r\n\r\n"); crlf < end) {
          end = crlf;
          skip = 4;
        }
        if (end == std::string::npos) break;
        bool is_event = false;
        size_t line_start = 0;
        while (line_start < end) {
          size_t line_end = pending.find('\n', line_start);
          if (line_end == std::string::npos || line_end > end) line_end = end;
          std::string_view line(pending.data() + line_start, line_end - line_start);
          if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
          if (line.rfind("id:", 0) == 0) {
            std::string_view value = line.substr(3);
            if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
            int64_t id = 0;
            auto [ptr, err] = std::from_chars(value.data(), value.data() + value.size(), id);
            if (err == std::errc() && ptr == value.data() + value.size()) last_id = id;
            is_event = true;
          } else if (line.rfind("data:", 0) == 0 || line.rfind("event:", 0) == 0) {
            is_event = true;
          }
          line_start = line_end + 1;
        }
        events += is_event ? 1 : 0;
        pending.erase(0, end + skip);
      }
      Events(events);
      char chunk[8192];
      w.stream->expires_after(kStreamSilence);
      auto [read_ec, n] = co_await w.stream->async_read_some(asio::buffer(chunk), kUseTuple);
      if (Done(w) || read_ec) break;
      pending.append(chunk, n);
    }
    if (Done(w)) break;
    CloseConnection(w);
    co_await Pause(w, rng.Jitter(kRetryPause));
  }
}

// ---- the public face -----------------------------------------------------------------------

Attack::Attack(AttackOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Attack::~Attack() { impl_->Stop(); }
void Attack::Start() { impl_->Start(); }
void Attack::Stop() { impl_->Stop(); }
AttackReport Attack::Report() const { return impl_->Snapshot(); }

}  // namespace canvass::rehearse
