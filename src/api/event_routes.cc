// The ledger itself, for anyone (docs/api.md "Reading"): GET /api/v1/events, a stream of every
// event from a position on, and GET /api/v1/ledger, its lines a page at a time.
#include <algorithm>
#include <charconv>

#include "api/api.h"

namespace canvass {

HttpResponse Api::Events(const Call& c) {
  const HttpRequest& req = c.req;
  int64_t after = 0;
  std::string from = req.Header("last-event-id");
  if (from.empty()) {
    auto it = req.query.find("after");
    if (it != req.query.end()) from = it->second;
  }
  if (!from.empty()) {
    auto [p, ec] = std::from_chars(from.data(), from.data() + from.size(), after);
    if (ec != std::errc() || p != from.data() + from.size() || after < 0) {
      return HttpResponse::Error(400, "malformed-event-id",
                                 "Last-Event-ID must be a ledger sequence number", "after");
    }
  }
  HttpResponse r;
  SseStream stream;
  stream.after = after;
  stream.fetch = [this](int64_t from_seq, size_t max) {
    // One event as a stream sends it. The type, without decoding the line: it is canonical, so
    // "type" is its last member.
    auto format = [](const StoredEvent& e) {
      std::string type;
      const size_t at = e.line.rfind("\"type\":\"");
      if (at != std::string::npos) {
        const size_t start = at + 8;
        type = e.line.substr(start, e.line.find('"', start) - start);
      }
      return std::make_shared<const std::string>(
          FormatSseMessage(SseMessage{e.seq, type, e.line, nullptr}));
    };
    std::vector<SseMessage> out;
    auto add = [&out](int64_t seq, std::shared_ptr<const std::string> wire) {
      SseMessage m;
      m.id = seq;
      m.wire = std::move(wire);
      out.push_back(std::move(m));
    };
    const auto limit = static_cast<int64_t>(max);
    std::lock_guard lock(events_mu_);
    if (from_seq + 1 < event_wire_first_) {
      // Behind the cache: from the store, not kept.
      auto events = intake_.ReadEvents(from_seq, std::min(limit, event_wire_first_ - 1 - from_seq));
      if (events.ok()) {
        for (const StoredEvent& e : *events) add(e.seq, format(e));
      }
      return out;
    }
    int64_t cached_to = event_wire_first_ + static_cast<int64_t>(event_wire_.size()) - 1;
    if (from_seq > cached_to) {
      // Past the cache (a stream from the head, a server just started): it starts there.
      event_wire_.clear();
      event_wire_first_ = from_seq + 1;
      cached_to = from_seq;
    }
    const int64_t head = intake_.Read([](const ElectionState& s) { return s.seq(); });
    if (cached_to < std::min(head, from_seq + limit)) {
      // Format what the ledger has beyond the cache, once for every stream.
      auto events = intake_.ReadEvents(cached_to, std::min(head, from_seq + limit) - cached_to);
      if (events.ok()) {
        for (const StoredEvent& e : *events) {
          if (e.seq != cached_to + 1) break;
          event_wire_.push_back(format(e));
          ++cached_to;
        }
      }
    }
    for (int64_t seq = from_seq + 1; seq <= cached_to && static_cast<int64_t>(out.size()) < limit;
         ++seq) {
      add(seq, event_wire_[static_cast<size_t>(seq - event_wire_first_)]);
    }
    while (event_wire_.size() > kEventWireCache) {
      event_wire_.pop_front();
      ++event_wire_first_;
    }
    return out;
  };
  r.stream = std::move(stream);
  return r;
}

HttpResponse Api::Ledger(const Call& c) {
  const HttpRequest& req = c.req;
  int64_t after = 0;
  int64_t limit = 1000;
  for (auto [key, target] : {std::pair{"after", &after}, std::pair{"limit", &limit}}) {
    auto it = req.query.find(key);
    if (it == req.query.end()) continue;
    const std::string& v = it->second;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *target);
    if (ec != std::errc() || p != v.data() + v.size() || *target < 0) {
      return HttpResponse::Error(400, "malformed-query", std::string(key) + " must be a number",
                                 key);
    }
  }
  limit = std::clamp<int64_t>(limit, 1, 10000);
  HttpResponse r;
  r.content_type = "application/x-ndjson";
  // The lines are the store's (the state keeps none); no further than the state has applied.
  const int64_t head = intake_.Read([](const ElectionState& s) { return s.seq(); });
  if (after >= head) return r;
  auto events = intake_.ReadEvents(after, std::min(limit, head - after));
  if (!events.ok()) {
    return HttpResponse::Error(503, "store-unavailable",
                               "the ledger cannot be read now: " + events.status().message());
  }
  for (const StoredEvent& e : *events) {
    r.body += e.line;
    r.body += '\n';
  }
  return r;
}

}  // namespace canvass
