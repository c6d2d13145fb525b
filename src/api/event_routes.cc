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
    std::lock_guard lock(events_mu_);
    if (static_cast<int64_t>(event_wire_.size()) < from_seq + static_cast<int64_t>(max)) {
      // Format what the ledger has beyond the cache, once for every stream.
      intake_.Read([&](const ElectionState& s) {
        const auto& lines = s.lines();
        for (size_t i = event_wire_.size(); i < lines.size(); ++i) {
          const StoredEvent& e = lines[i];
          // The type, without decoding the line: it is canonical, so "type" is its last member.
          std::string type;
          const size_t at = e.line.rfind("\"type\":\"");
          if (at != std::string::npos) {
            const size_t start = at + 8;
            type = e.line.substr(start, e.line.find('"', start) - start);
          }
          event_wire_.push_back(std::make_shared<const std::string>(
              FormatSseMessage(SseMessage{e.seq, type, e.line, nullptr})));
        }
      });
    }
    std::vector<SseMessage> out;
    for (int64_t i = from_seq; i < static_cast<int64_t>(event_wire_.size()) && out.size() < max;
         ++i) {
      SseMessage m;
      m.id = i + 1;
      m.wire = event_wire_[static_cast<size_t>(i)];
      out.push_back(std::move(m));
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
  r.body = intake_.Read([&](const ElectionState& s) {
    std::string out;
    const auto& lines = s.lines();
    for (int64_t i = after; i < static_cast<int64_t>(lines.size()) && i < after + limit; ++i) {
      out += lines[static_cast<size_t>(i)].line;
      out += '\n';
    }
    return out;
  });
  return r;
}

}  // namespace canvass
