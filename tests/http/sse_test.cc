// Server-Sent Events: order, resumption, wake-ups, heartbeats and departures.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "http/client.h"
#include "http/server.h"
#include "test_server.h"

namespace canvass {
namespace {

using namespace std::chrono_literals;

// An append-only list of messages with ids 1, 2, 3, ..., like the ledger's release feed.
class MessageLog {
 public:
  void Append(const std::string& event, const std::string& data) {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.push_back({static_cast<int64_t>(messages_.size()) + 1, event, data, nullptr});
  }
  std::vector<SseMessage> After(int64_t after, size_t max) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<SseMessage> out;
    for (const SseMessage& m : messages_) {
      if (m.id > after && out.size() < max) out.push_back(m);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<SseMessage> messages_;
};

// /events streams the log; where to resume comes from Last-Event-ID or ?after=.
Handler EventsHandler(MessageLog* log) {
  return [log](HttpRequest request, Respond respond) {
    if (request.path != "/events") return respond(HttpResponse::Error(404, "not_found", "no"));
    HttpResponse response;
    SseStream stream;
    const std::string& last = request.Header("last-event-id");
    if (!last.empty()) {
      stream.after = std::stoll(last);
    } else if (request.query.count("after")) {
      stream.after = std::stoll(request.query["after"]);
    }
    stream.fetch = [log](int64_t after, size_t max) { return log->After(after, max); };
    response.stream = std::move(stream);
    respond(std::move(response));
  };
}

HttpLimits QuietLimits() {
  HttpLimits limits = TestLimits();
  limits.heartbeat = 60s;  // no heartbeat can be what wakes a stream in these tests
  return limits;
}

TEST(SseTest, DeliversMessagesInOrder) {
  MessageLog log;
  for (int i = 1; i <= 5; ++i)
    log.Append(i % 2 ? "report" : "release", "{\"n\":" + std::to_string(i) + "}");
  TestServer ts(EventsHandler(&log), QuietLimits());
  HttpClient client = ts.Client();
  auto head = client.OpenEventStream("/events");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-type"), "text/event-stream");
  EXPECT_EQ(head->Header("cache-control"), "no-store");
  for (int i = 1; i <= 5; ++i) {
    auto e = client.ReadEvent(5s);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->id, i);
    EXPECT_EQ(e->event, i % 2 ? "report" : "release");
    EXPECT_EQ(e->data, "{\"n\":" + std::to_string(i) + "}");
  }
}

TEST(SseTest, DeliversMoreThanOneBatch) {
  MessageLog log;
  for (int i = 1; i <= 600; ++i) log.Append("", std::to_string(i));
  TestServer ts(EventsHandler(&log), QuietLimits());
  HttpClient client = ts.Client();
  ASSERT_TRUE(client.OpenEventStream("/events").ok());
  for (int i = 1; i <= 600; ++i) {
    auto e = client.ReadEvent(5s);
    ASSERT_TRUE(e.ok()) << i << ": " << e.status().ToString();
    ASSERT_EQ(e->id, i);
    EXPECT_EQ(e->event, "");
    ASSERT_EQ(e->data, std::to_string(i));
  }
}

TEST(SseTest, ResumesAfterTheLastEventId) {
  MessageLog log;
  for (int i = 1; i <= 5; ++i) log.Append("report", std::to_string(i));
  TestServer ts(EventsHandler(&log), QuietLimits());
  HttpClient client = ts.Client();
  ASSERT_TRUE(client.OpenEventStream("/events", {{"Last-Event-ID", "3"}}).ok());
  EXPECT_EQ(client.ReadEvent(5s)->id, 4);
  EXPECT_EQ(client.ReadEvent(5s)->id, 5);
  ASSERT_TRUE(client.OpenEventStream("/events?after=4").ok());
  EXPECT_EQ(client.ReadEvent(5s)->id, 5);
}

TEST(SseTest, NotifyStreamsWakesAWaitingStream) {
  MessageLog log;
  log.Append("report", "first");
  TestServer ts(EventsHandler(&log), QuietLimits());
  HttpClient a = ts.Client();
  HttpClient b = ts.Client();
  ASSERT_TRUE(a.OpenEventStream("/events").ok());
  ASSERT_TRUE(b.OpenEventStream("/events").ok());
  EXPECT_EQ(a.ReadEvent(5s)->data, "first");
  EXPECT_EQ(b.ReadEvent(5s)->data, "first");
  for (int round = 2; round <= 4; ++round) {
    log.Append("report", "news " + std::to_string(round));
    ts.server().NotifyStreams();
    auto ea = a.ReadEvent(5s);
    auto eb = b.ReadEvent(5s);
    ASSERT_TRUE(ea.ok()) << ea.status().ToString();
    ASSERT_TRUE(eb.ok()) << eb.status().ToString();
    EXPECT_EQ(ea->id, round);
    EXPECT_EQ(eb->id, round);
    EXPECT_EQ(ea->data, "news " + std::to_string(round));
  }
}

TEST(SseTest, SendsHeartbeatsWhenIdle) {
  MessageLog log;
  HttpLimits limits = TestLimits();
  limits.heartbeat = 20ms;
  TestServer ts(EventsHandler(&log), limits);
  HttpClient client = ts.Client();
  // Reads whatever comes for 300 ms: the head and some heartbeats.
  auto raw = client.SendRaw("GET /events HTTP/1.1\r\nHost: t\r\n\r\n", 300ms);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->rfind("HTTP/1.1 200", 0), 0u) << *raw;
  EXPECT_NE(raw->find("Content-Type: text/event-stream\r\n"), std::string::npos) << *raw;
  EXPECT_NE(raw->find("Cache-Control: no-store\r\n"), std::string::npos) << *raw;
  EXPECT_EQ(raw->find("Content-Length"), std::string::npos) << *raw;
  EXPECT_NE(raw->find("\r\n\r\n: keep-alive\n\n"), std::string::npos) << *raw;

  // And a stream reader skips them.
  log.Append("report", "after the quiet");
  ASSERT_TRUE(client.OpenEventStream("/events").ok());
  auto e = client.ReadEvent(5s);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->data, "after the quiet");
}

TEST(SseTest, AnswersThatAreNotStreamsComeBackWhole) {
  MessageLog log;
  TestServer ts(EventsHandler(&log), QuietLimits());
  HttpClient client = ts.Client();
  auto r = client.OpenEventStream("/nowhere");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("not_found"), std::string::npos);
  EXPECT_FALSE(client.ReadEvent(1s).ok());
}

TEST(SseTest, TheServerNoticesAClientLeaving) {
  MessageLog log;
  TestServer ts(EventsHandler(&log), QuietLimits());
  HttpClient client = ts.Client();
  ASSERT_TRUE(client.OpenEventStream("/events").ok());
  ASSERT_TRUE(TestServer::Eventually([&] { return ts.OpenConnections() == 1; }));
  client.Close();
  EXPECT_TRUE(TestServer::Eventually([&] { return ts.OpenConnections() == 0; }));
}

TEST(SseTest, StopEndsOpenStreams) {
  MessageLog log;
  log.Append("report", "one");
  auto ts = std::make_unique<TestServer>(EventsHandler(&log), QuietLimits());
  HttpClient a = ts->Client();
  HttpClient b = ts->Client();
  HttpClient plain = ts->Client();
  ASSERT_TRUE(a.OpenEventStream("/events").ok());
  ASSERT_TRUE(b.OpenEventStream("/events").ok());
  ASSERT_EQ(a.ReadEvent(5s)->data, "one");
  ASSERT_EQ(plain.Get("/else")->status, 404);
  ts->server().Stop();
  EXPECT_FALSE(a.ReadEvent(5s).ok());
  auto rest = b.ReadEvent(5s);  // "one" may have been sent before the stop, then the end
  if (rest.ok()) {
    EXPECT_FALSE(b.ReadEvent(5s).ok());
  }
  ts.reset();
}

// The bytes of a message, formatted once and shared: what a stream sends for it either way.
TEST(SseFormat, FormatSseMessageIsWhatAStreamSends) {
  EXPECT_EQ(FormatSseMessage(SseMessage{3, "tie-outcome-recorded", "{\"a\":1}", nullptr}),
            "id: 3\nevent: tie-outcome-recorded\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(FormatSseMessage(SseMessage{4, "", "one\ntwo", nullptr}),
            "id: 4\ndata: one\ndata: two\n\n");
}

}  // namespace
}  // namespace canvass
