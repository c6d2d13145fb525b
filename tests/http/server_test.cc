#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "http/client.h"
#include "test_server.h"

namespace canvass {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// Answers with what it was asked, as JSON.
void Echo(HttpRequest request, Respond respond) {
  json out = {{"method", request.method}, {"path", request.path},
              {"query", request.query},   {"headers", request.headers},
              {"body", request.body},     {"remote", request.remote_address}};
  respond(HttpResponse::Json(200, out.dump()));
}

json Body(const Result<HttpClientResponse>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return json();
  return json::parse(r->body, nullptr, false);
}

std::string ErrorCode(const Result<HttpClientResponse>& r) {
  json body = Body(r);
  if (!body.is_object() || !body.contains("error")) return "(no error body)";
  return body["error"]["code"].get<std::string>();
}

TEST(HttpServerTest, EchoesGetAndPost) {
  TestServer ts(Echo);
  ASSERT_NE(ts.port(), 0);
  HttpClient client = ts.Client();

  auto get = client.Get("/echo");
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->Header("content-type"), "application/json");
  EXPECT_EQ(get->Header("content-length"), std::to_string(get->body.size()));
  EXPECT_EQ(get->Header("cache-control"), "");  // only when the handler sets it
  EXPECT_EQ(Body(get)["method"], "GET");
  EXPECT_EQ(Body(get)["path"], "/echo");
  EXPECT_EQ(Body(get)["remote"], "127.0.0.1");

  auto post =
      client.Request("POST", "/submit", "{\"votes\": 12}", {{"Content-Type", "application/json"}});
  ASSERT_TRUE(post.ok()) << post.status().ToString();
  EXPECT_EQ(post->status, 200);
  EXPECT_EQ(Body(post)["method"], "POST");
  EXPECT_EQ(Body(post)["body"], "{\"votes\": 12}");
}

TEST(HttpServerTest, HandlerHeadersAndStatusReachTheClient) {
  TestServer ts([](HttpRequest, Respond respond) {
    HttpResponse r = HttpResponse::Json(201, "{}");
    r.headers.emplace_back("ETag", "\"v7\"");
    r.headers.emplace_back("Cache-Control", "max-age=5");
    r.headers.emplace_back("X-Bad", "a\r\nInjected: yes");  // dropped, not sent
    respond(std::move(r));
  });
  HttpClient client = ts.Client();
  auto r = client.Get("/");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->Header("etag"), "\"v7\"");
  EXPECT_EQ(r->Header("cache-control"), "max-age=5");
  EXPECT_EQ(r->Header("injected"), "");
  EXPECT_EQ(r->Header("x-bad"), "");
}

TEST(HttpServerTest, DecodesTheQueryString) {
  TestServer ts(Echo);
  HttpClient client = ts.Client();
  auto r = client.Get(
      "/q?county=Des%20Moines&plus=a+b&empty=&flag&dup=1&dup=2&enc=%2F%26%3D&"
      "%C3%A9t%C3%A9=%e2%9c%93");
  json q = Body(r)["query"];
  EXPECT_EQ(Body(r)["path"], "/q");
  EXPECT_EQ(q["county"], "Des Moines");
  EXPECT_EQ(q["plus"], "a b");
  EXPECT_EQ(q["empty"], "");
  EXPECT_EQ(q["flag"], "");
  EXPECT_EQ(q["dup"], "1");  // the first value wins
  EXPECT_EQ(q["enc"], "/&=");
  EXPECT_EQ(q["\xC3\xA9t\xC3\xA9"], "\xE2\x9C\x93");

  for (const char* bad : {"/q?x=%zz", "/q?x=%4", "/q?x=%"}) {
    auto refused = client.Get(bad);
    ASSERT_TRUE(refused.ok()) << refused.status().ToString();
    EXPECT_EQ(refused->status, 400) << bad;
    EXPECT_EQ(ErrorCode(refused), "malformed") << bad;
  }
}

TEST(HttpServerTest, LowerCasesHeaderNamesAndJoinsRepeats) {
  TestServer ts(Echo);
  HttpClient client = ts.Client();
  auto r = client.Get("/h", {{"X-Precinct-Code", "Ocheyedan"}, {"X-Dup", "1"}, {"x-dup", "2"}});
  json h = Body(r)["headers"];
  EXPECT_EQ(h["x-precinct-code"], "Ocheyedan");
  EXPECT_EQ(h["x-dup"], "1, 2");
  EXPECT_FALSE(h.contains("X-Precinct-Code"));
}

TEST(HttpServerTest, RefusesOversizedBodiesWithLargerLimitsForAPrefix) {
  HttpLimits limits = TestLimits();
  limits.max_body_bytes = 1024;
  limits.body_limits_by_prefix = {{"/api/v1/photos", 64 * 1024}};
  TestServer ts(Echo, limits);
  HttpClient client = ts.Client();
  const std::string big(2000, 'x');

  auto refused = client.Request("POST", "/api/v1/reports", big);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, 413);
  EXPECT_EQ(ErrorCode(refused), "too_large");
  EXPECT_EQ(refused->Header("connection"), "close");

  auto accepted = client.Request("POST", "/api/v1/photos/17", big);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->status, 200);
  EXPECT_EQ(Body(accepted)["body"], big);

  // A chunked body has no Content-Length up front; the limit applies as it arrives.
  auto chunked = client.SendRaw(
      "POST /api/v1/reports HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "7d0\r\n" +
          big + "\r\n0\r\n\r\n",
      5s);
  ASSERT_TRUE(chunked.ok());
  EXPECT_EQ(chunked->rfind("HTTP/1.1 413", 0), 0u) << *chunked;

  // Headers past the header limit.
  auto headers = client.Get("/", {{"X-Long", std::string(10 * 1024, 'h')}});
  ASSERT_TRUE(headers.ok()) << headers.status().ToString();
  EXPECT_EQ(headers->status, 413);
  EXPECT_EQ(ts.Rejected("too_large"), 3);
}

TEST(HttpServerTest, AnswersGarbageWith400) {
  TestServer ts(Echo);
  HttpClient client = ts.Client();
  for (const std::string& garbage :
       {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 16),
        std::string("GET / HTTP/1.1\r\nNo colon\r\n\r\n"), std::string("G(T / HTTP/1.1\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -4\r\n\r\n")}) {
    auto r = client.SendRaw(garbage, 5s);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->rfind("HTTP/1.1 400", 0), 0u) << *r;
    EXPECT_NE(r->find("\"malformed\""), std::string::npos) << *r;
    EXPECT_NE(r->find("Connection: close"), std::string::npos) << *r;
  }
  EXPECT_EQ(ts.Rejected("malformed"), 4);
  // The server still serves.
  EXPECT_EQ(client.Get("/")->status, 200);
}

TEST(HttpServerTest, SlowClientGets408AndIsClosed) {
  HttpLimits limits = TestLimits();
  limits.request_timeout = 200ms;
  TestServer ts(Echo, limits);
  HttpClient client = ts.Client();
  // Half the headers, then nothing: SendRaw returns once the server closes (or after 10 s).
  auto r = client.SendRaw("GET /echo HTTP/1.1\r\nHost: t\r\nX-Slow: ", 10s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rfind("HTTP/1.1 408", 0), 0u) << *r;
  EXPECT_NE(r->find("\"timeout\""), std::string::npos) << *r;
  EXPECT_NE(r->find("Connection: close"), std::string::npos) << *r;
  EXPECT_EQ(ts.Rejected("timeout"), 1);
}

TEST(HttpServerTest, IdleKeepAliveConnectionsAreClosedAndTheClientReconnects) {
  HttpLimits limits = TestLimits();
  limits.idle_timeout = 50ms;
  TestServer ts(Echo, limits);
  HttpClient client = ts.Client();
  ASSERT_EQ(client.Get("/")->status, 200);
  ASSERT_TRUE(TestServer::Eventually([&] { return ts.OpenConnections() == 0; }));
  auto again = client.Get("/");  // the kept-alive connection is dead; sent again on a new one
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST(HttpServerTest, RateLimitsEachAddressAfterTheBurst) {
  HttpLimits limits = TestLimits();
  limits.rate_per_second = 0.01;  // one token per 100 s: nothing refills during the test
  limits.rate_burst = 3;
  TestServer ts(Echo, limits);
  HttpClient client = ts.Client();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.Get("/")->status, 200) << i;
  auto limited = client.Get("/");
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(ErrorCode(limited), "rate_limited");
  EXPECT_GE(std::stoi(limited->Header("retry-after")), 1);
  EXPECT_EQ(ts.Rejected("rate_limited"), 1);
  // A 429 keeps the connection.
  EXPECT_EQ(client.Get("/")->status, 429);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpServerTest, RefusesConnectionsPastTheCapWith503) {
  HttpLimits limits = TestLimits();
  limits.max_connections = 1;
  TestServer ts(Echo, limits);
  HttpClient first = ts.Client();
  ASSERT_EQ(first.Get("/")->status, 200);  // holds the only slot (kept alive)
  HttpClient second = ts.Client();
  auto refused = second.Get("/");
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(ErrorCode(refused), "overloaded");
  EXPECT_EQ(refused->Header("connection"), "close");
  EXPECT_EQ(ts.Rejected("overloaded"), 1);
  first.Close();
  ASSERT_TRUE(TestServer::Eventually([&] { return ts.OpenConnections() == 0; }));
  EXPECT_EQ(second.Get("/")->status, 200);
}

// Hands each Respond to a worker thread, which answers a little later.
class LateResponder {
 public:
  LateResponder()
      : worker_([this] {
          std::unique_lock<std::mutex> lock(mu_);
          for (;;) {
            cv_.wait(lock, [this] { return stop_ || !pending_.empty(); });
            if (pending_.empty()) return;
            auto [request, respond] = std::move(pending_.front());
            pending_.pop_front();
            lock.unlock();
            std::this_thread::sleep_for(20ms);
            respond(HttpResponse::Json(200, "{\"late\":\"" + request.path + "\"}"));
            lock.lock();
          }
        }) {}
  ~LateResponder() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  Handler handler() {
    return [this](HttpRequest request, Respond respond) {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.emplace_back(std::move(request), std::move(respond));
      cv_.notify_all();
    };
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<std::pair<HttpRequest, Respond>> pending_;
  std::thread worker_;
};

TEST(HttpServerTest, RespondsFromAnotherThread) {
  LateResponder late;
  TestServer ts(late.handler());
  HttpClient client = ts.Client();
  for (int i = 0; i < 3; ++i) {
    auto r = client.Get("/slow/" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"late\":\"/slow/" + std::to_string(i) + "\"}");
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpServerTest, AHandlerThatThrowsOrNeverAnswersGets500) {
  TestServer ts([](HttpRequest request, Respond respond) {
    if (request.path == "/throw") throw std::runtime_error("boom");
    if (request.path == "/drop") return;  // drops `respond` unanswered
    respond(HttpResponse::Json(200, "{}"));
    respond(HttpResponse::Json(418, "{}"));  // a second answer is ignored
  });
  HttpClient client = ts.Client();
  auto thrown = client.Get("/throw");
  ASSERT_TRUE(thrown.ok()) << thrown.status().ToString();
  EXPECT_EQ(thrown->status, 500);
  EXPECT_EQ(ErrorCode(thrown), "internal");
  auto dropped = client.Get("/drop");
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(dropped->status, 500);
  EXPECT_EQ(client.Get("/twice")->status, 200);
  EXPECT_EQ(client.Get("/twice")->status, 200);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpServerTest, KeepsConnectionsAliveAndHonoursConnectionClose) {
  TestServer ts(Echo);
  HttpClient client = ts.Client();
  for (int i = 0; i < 10; ++i) ASSERT_EQ(client.Get("/")->status, 200);
  EXPECT_EQ(client.connections_opened(), 1);

  auto closing = client.Get("/", {{"Connection", "close"}});
  ASSERT_TRUE(closing.ok());
  EXPECT_EQ(closing->Header("connection"), "close");
  EXPECT_EQ(client.Get("/")->status, 200);
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestServer ts(Echo);
  HttpClient client = ts.Client();
  auto r = client.SendRaw(
      "GET /one HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /two HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
      5s);
  ASSERT_TRUE(r.ok());
  size_t one = r->find("\"/one\"");
  size_t two = r->find("\"/two\"");
  ASSERT_NE(one, std::string::npos) << *r;
  ASSERT_NE(two, std::string::npos) << *r;
  EXPECT_LT(one, two);
}

TEST(HttpServerTest, HeadKeepsContentLengthWithoutABody) {
  TestServer ts([](HttpRequest request, Respond respond) {
    respond(HttpResponse::Json(200, "{\"method\":\"" + request.method + "\"}"));
  });
  HttpClient client = ts.Client();
  auto head = client.Request("HEAD", "/");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("content-length"),
            std::to_string(std::string("{\"method\":\"HEAD\"}").size()));
  EXPECT_EQ(client.Get("/")->body, "{\"method\":\"GET\"}");  // the connection is still in step
}

TEST(HttpServerTest, CountsRequestsInMetrics) {
  TestServer ts(
      [](HttpRequest request, Respond respond) {
        respond(HttpResponse::Json(request.path == "/missing" ? 404 : 200, "{}"));
      },
      TestLimits(), 2,
      [](const std::string& path) {
        return path.rfind("/api/v1/precincts/", 0) == 0 ? "/api/v1/precincts/:id" : path;
      });
  HttpClient client = ts.Client();
  ASSERT_EQ(client.Get("/api/v1/precincts/1")->status, 200);
  ASSERT_EQ(client.Get("/api/v1/precincts/2")->status, 200);
  ASSERT_EQ(client.Get("/missing")->status, 404);
  ASSERT_EQ(client.Request("POST", "/api/v1/precincts/3", "{}")->status, 200);

  Metrics& m = ts.metrics();
  EXPECT_EQ(m.Value("canvass_http_requests_total",
                    {{"route", "/api/v1/precincts/:id"}, {"method", "GET"}, {"status", "200"}}),
            2);
  EXPECT_EQ(m.Value("canvass_http_requests_total",
                    {{"route", "/api/v1/precincts/:id"}, {"method", "POST"}, {"status", "200"}}),
            1);
  EXPECT_EQ(m.Value("canvass_http_requests_total",
                    {{"route", "/missing"}, {"method", "GET"}, {"status", "404"}}),
            1);
  EXPECT_EQ(m.Value("canvass_http_open_connections"), 1);
  const std::string text = m.Render();
  EXPECT_NE(
      text.find("canvass_http_request_duration_seconds_count{route=\"/api/v1/precincts/:id\"} 3\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE canvass_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE canvass_http_open_connections gauge\n"), std::string::npos);
}

TEST(HttpServerTest, ServesManyClientsAtOnce) {
  LateResponder late;  // half the answers come from another thread
  TestServer ts(
      [&late](HttpRequest request, Respond respond) {
        if (request.path == "/late") return late.handler()(std::move(request), std::move(respond));
        Echo(std::move(request), std::move(respond));
      },
      TestLimits(), 4);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&ts, &ok, t] {
      HttpClient client = ts.Client();
      for (int i = 0; i < 50; ++i) {
        auto r = client.Request("POST", i % 10 == 0 ? "/late" : "/echo",
                                std::to_string(t) + ":" + std::to_string(i));
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 8 * 50);
  EXPECT_EQ(ts.metrics().Value("canvass_http_requests_total",
                               {{"route", "other"}, {"method", "POST"}, {"status", "200"}}),
            8 * 50);
}

TEST(HttpServerTest, StartFailsCleanlyOnABadAddressOrABusyPort) {
  Metrics metrics;
  HttpServerOptions bad;
  bad.address = "not-an-address";
  HttpServer a(bad, Echo, &metrics);
  EXPECT_EQ(a.Start().code(), Status::Code::kInvalidArgument);

  TestServer ts(Echo);
  HttpServerOptions busy;
  busy.port = ts.port();
  HttpServer b(busy, Echo, &metrics);
  EXPECT_EQ(b.Start().code(), Status::Code::kIoError);
}

TEST(HttpServerTest, StopWithOpenConnectionsAndAPendingAnswer) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Respond> held;
  auto ts = std::make_unique<TestServer>([&](HttpRequest request, Respond respond) {
    if (request.path != "/hold") return respond(HttpResponse::Json(200, "{}"));
    std::lock_guard<std::mutex> lock(mu);
    held = std::move(respond);
    cv.notify_all();
  });
  HttpClient idle = ts->Client();
  ASSERT_EQ(idle.Get("/")->status, 200);  // an idle keep-alive connection
  std::thread waiting([&] {
    auto r = ts->Client().Get("/hold");  // never answered before Stop
    EXPECT_FALSE(r.ok());
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return held.has_value(); });
  }
  ts->server().Stop();
  waiting.join();
  (*held)(HttpResponse::Json(200, "{}"));  // too late: dropped, no crash
  ts.reset();
  held.reset();
  EXPECT_FALSE(idle.Get("/", {}, 1s).ok());
}

TEST(HttpServerTest, WaitReturnsWhenStopped) {
  TestServer ts(Echo);
  std::thread waiter([&] { ts.server().Wait(); });
  ts.server().Stop();
  waiter.join();
  ts.server().Wait();  // already stopped: returns at once
}

}  // namespace
}  // namespace canvass
