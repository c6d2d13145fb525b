// canvass_release_latency: how long after a report is accepted does a release contain it, with
// automatic publication (the each-report policy), against a running `canvass serve`.
//
//   canvass_release_latency --port P --codes canvass-codes.csv [--host 127.0.0.1] [--rate R]
//                           [--limit N] [--results FILE] [--drain-seconds S] [--json]
//
// It logs in as the administrator (the codes CSV `canvass init` wrote), sets the publication
// policy to each-report, logs in one session per precinct chair, and maps the server's precincts
// to the reports of the results file by county and precinct (as canvass_load does). An event
// stream subscriber (GET /api/v1/events) records when each release-published event arrives and
// the ledger_seq it was built from. One sender then POSTs, at a steady `--rate` reports per
// second, each precinct's first alignment and then its final alignment as the precinct's chair,
// and notes each accepted (201) report's receipt seq and when its answer arrived. After the last
// report it waits (at most --drain-seconds) for a release that contains it.
//
// Latency of a report: from its answer (the report is durable) to the arrival on the stream of
// the first release-published event with ledger_seq >= the report's seq (0 when the release
// arrived before the answer did). Printed: p50, p99 and max in ms over every accepted report; the
// releases published; and, from the ledger's own times, each release's lag behind the last event
// it contains (the build, signature, blob writes and append, plus any wait for the next slot).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/election.h"
#include "core/text.h"
#include "http/client.h"
#include "io/csv.h"
#include "io/importers.h"

namespace canvass {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string codes;
  double rate = 50;    // reports per second
  int64_t limit = 0;   // precincts; 0: all
  int64_t drain = 30;  // seconds to wait for the last release
  std::string results = std::string(CANVASS_SOURCE_DIR) +
                        "/data/iowa-2020/results-first-complete-2020-02-08-long.csv";
  bool json_out = false;
};

constexpr const char* kUsage =
    "usage: canvass_release_latency --port P --codes FILE [--host H] [--rate R] [--limit N]\n"
    "                               [--results FILE] [--drain-seconds S] [--json]\n";

std::optional<Options> ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](double lo, double hi) -> std::optional<double> {
      auto v = value();
      if (!v) return std::nullopt;
      try {
        size_t used = 0;
        const double n = std::stod(*v, &used);
        if (used != v->size() || n < lo || n > hi) return std::nullopt;
        return n;
      } catch (...) {
        return std::nullopt;
      }
    };
    std::optional<std::string> s;
    std::optional<double> n;
    if (a == "--host" && (s = value())) {
      o.host = *s;
    } else if (a == "--port" && (n = number(1, 65535))) {
      o.port = static_cast<uint16_t>(*n);
    } else if (a == "--codes" && (s = value())) {
      o.codes = *s;
    } else if (a == "--rate" && (n = number(0.1, 10000))) {
      o.rate = *n;
    } else if (a == "--limit" && (n = number(0, 1e9))) {
      o.limit = static_cast<int64_t>(*n);
    } else if (a == "--drain-seconds" && (n = number(1, 3600))) {
      o.drain = static_cast<int64_t>(*n);
    } else if (a == "--results" && (s = value())) {
      o.results = *s;
    } else if (a == "--json") {
      o.json_out = true;
    } else {
      std::cerr << "canvass_release_latency: bad or incomplete option " << a << "\n" << kUsage;
      return std::nullopt;
    }
  }
  if (o.port == 0 || o.codes.empty()) {
    std::cerr << kUsage;
    return std::nullopt;
  }
  return o;
}

std::string Key(const std::string& county, const std::string& precinct) {
  return county + '\x1f' + precinct;
}

json Figures(const Election& e, const PrecinctReport& r, bool final) {
  json out = json::object();
  for (size_t c = 0; c < e.candidates.size() && c < r.figures.size(); ++c) {
    const std::optional<Count>& v = final ? r.figures[c].final : r.figures[c].first;
    if (v) out[e.candidates[c]] = *v;
  }
  return out;
}

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// "2020-02-03T19:04:05.123Z" -> milliseconds since midnight (enough for differences within a
// run that does not cross midnight UTC; a negative difference is reported as such).
std::optional<int64_t> MillisOfDay(const std::string& t) {
  int h = 0, m = 0, s = 0, ms = 0;
  if (t.size() < 23 || std::sscanf(t.c_str() + 11, "%2d:%2d:%2d.%3d", &h, &m, &s, &ms) != 4) {
    return std::nullopt;
  }
  return ((h * 60 + m) * 60 + s) * 1000LL + ms;
}

struct Release {
  int64_t ledger_seq = 0;
  Clock::time_point arrived;
  std::string time;  // the release-published event's ledger time
};

struct Shared {
  std::mutex mu;
  std::vector<Release> releases;
  std::map<int64_t, std::string> times;  // seq -> ledger time, for every event seen
  int64_t last_id = 0;
  std::string error;
};

// Reads the event stream from `after` until `stop` (reconnecting after a timeout).
void Subscribe(const Options& o, int64_t after, std::atomic<bool>& stop, Shared& shared) {
  HttpClient client(o.host, o.port);
  int64_t last = after;
  bool open = false;
  while (!stop) {
    if (!open) {
      auto head = client.OpenEventStream(fmt::format("/api/v1/events?after={}", last));
      if (!head.ok() || head->status != 200) {
        std::lock_guard lock(shared.mu);
        shared.error = head.ok() ? head->body : head.status().message();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      open = true;
    }
    auto e = client.ReadEvent(std::chrono::milliseconds(500));
    if (!e.ok()) {
      open = false;  // a timeout closes the stream; resume after the last id
      continue;
    }
    const auto now = Clock::now();
    if (e->id > 0) last = e->id;
    json line = json::parse(e->data, nullptr, false);
    std::lock_guard lock(shared.mu);
    shared.last_id = last;
    if (line.is_object() && line.contains("time") && line["time"].is_string()) {
      shared.times[e->id] = line["time"].get<std::string>();
    }
    if (e->event == "release-published" && line.is_object() && line.contains("payload")) {
      shared.releases.push_back(Release{line["payload"].value("ledger_seq", int64_t{0}), now,
                                        line.value("time", std::string())});
    }
  }
}

int Run(const Options& o) {
  auto election = LoadResultsFile(o.results);
  if (!election.ok()) {
    std::cerr << "canvass_release_latency: " << election.status().message() << "\n";
    return 2;
  }
  std::map<std::string, const PrecinctReport*> by_name;
  for (const PrecinctReport& r : election->reports) by_name[Key(r.county, r.precinct)] = &r;

  auto text = ReadFile(o.codes);
  if (!text.ok()) {
    std::cerr << "canvass_release_latency: " << text.status().message() << "\n";
    return 2;
  }
  std::map<std::string, std::string> chair_code;
  std::string admin_code;
  {
    CsvReader r(*text, o.codes);
    bool has = false;
    if (!r.Next(&has).ok() || !has || r.size() != 5 || r[0] != "role" || r[4] != "code") {
      std::cerr << "canvass_release_latency: " << o.codes << " is not a codes CSV\n";
      return 2;
    }
    while (r.Next(&has).ok() && has) {
      if (r[0] == "chair") chair_code[std::string(r[1])] = std::string(r[4]);
      if (r[0] == "admin" && admin_code.empty()) admin_code = std::string(r[4]);
    }
  }
  if (admin_code.empty()) {
    std::cerr << "canvass_release_latency: no admin code in " << o.codes << "\n";
    return 2;
  }

  HttpClient probe(o.host, o.port);
  auto login = [&](HttpClient& c, const std::string& code) -> std::string {
    auto r = c.Request("POST", "/api/v1/session", json{{"code", code}}.dump());
    if (!r.ok() || r->status != 200) return "";
    return json::parse(r->body)["token"].get<std::string>();
  };
  const std::string admin = login(probe, admin_code);
  if (admin.empty()) {
    std::cerr << "canvass_release_latency: the administrator could not log in\n";
    return 1;
  }
  const HttpClient::Headers admin_headers = {{"Authorization", "Bearer " + admin}};
  auto policy = probe.Request("POST", "/api/v1/releases/policy",
                              json{{"mode", "each-report"}}.dump(), admin_headers);
  if (!policy.ok() || policy->status / 100 != 2) {
    std::cerr << "canvass_release_latency: setting the policy failed: "
              << (policy.ok() ? policy->body : policy.status().message()) << "\n";
    return 1;
  }

  struct Job {
    int64_t id = 0;
    std::string token;
    std::string first_body, final_body;
  };
  std::vector<Job> jobs;
  auto list = probe.Get("/api/v1/precincts", {}, std::chrono::seconds(60));
  if (!list.ok() || list->status != 200) {
    std::cerr << "canvass_release_latency: GET /api/v1/precincts failed\n";
    return 1;
  }
  const int64_t nonce = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const json listed = json::parse(list->body);
  for (const json& p : listed["precincts"]) {
    if (p["status"] != "not-reported") continue;
    const std::string county = NormaliseName(p["county"].get<std::string>());
    const std::string name = NormaliseName(p["precinct"].get<std::string>());
    auto it = by_name.find(Key(county, name));
    const int64_t id = p["id"].get<int64_t>();
    auto code = chair_code.find(std::to_string(id));
    if (it == by_name.end() || code == chair_code.end()) continue;
    Job j;
    j.id = id;
    j.token = code->second;
    j.first_body = json{{"submission", fmt::format("latency-{}-{}-first", nonce, id)},
                        {"first", Figures(*election, *it->second, false)}}
                       .dump();
    j.final_body = json{{"submission", fmt::format("latency-{}-{}-final", nonce, id)},
                        {"final", Figures(*election, *it->second, true)}}
                       .dump();
    jobs.push_back(std::move(j));
    if (o.limit > 0 && static_cast<int64_t>(jobs.size()) >= o.limit) break;
  }
  {
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        HttpClient c(o.host, o.port);
        for (size_t i = next++; i < jobs.size(); i = next++)
          jobs[i].token = login(c, jobs[i].token);
      });
    }
    for (std::thread& t : threads) t.join();
  }
  std::erase_if(jobs, [](const Job& j) { return j.token.empty(); });

  auto health = probe.Get("/api/v1/health");
  const int64_t start_seq =
      health.ok() && health->status == 200 ? json::parse(health->body).value("seq", int64_t{0}) : 0;
  Shared shared;
  std::atomic<bool> stop{false};
  std::thread subscriber([&] { Subscribe(o, start_seq, stop, shared); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the stream is open

  // The replay, at a steady rate: report k is sent at start + k / rate (or as soon as the
  // previous answer arrived, if the server is slower than that).
  struct Accepted {
    int64_t seq;
    Clock::time_point at;
  };
  std::vector<Accepted> accepted;
  std::map<int, int64_t> by_status;
  HttpClient sender(o.host, o.port);
  const auto start = Clock::now();
  int64_t k = 0;
  for (const Job& j : jobs) {
    const HttpClient::Headers headers = {{"Authorization", "Bearer " + j.token}};
    for (const auto& [stage, body] :
         {std::pair{"first", &j.first_body}, std::pair{"final", &j.final_body}}) {
      std::this_thread::sleep_until(
          start + std::chrono::microseconds(static_cast<int64_t>(1e6 * k++ / o.rate)));
      auto r = sender.Request("POST", fmt::format("/api/v1/precincts/{}/{}", j.id, stage), *body,
                              headers);
      const auto at = Clock::now();
      const int status = r.ok() ? r->status : 0;
      ++by_status[status];
      if (status != 201) continue;
      json answer = json::parse(r->body, nullptr, false);
      if (answer.is_object() && answer.contains("receipt")) {
        accepted.push_back(Accepted{answer["receipt"]["seq"].get<int64_t>(), at});
      }
    }
  }
  const double replay_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const int64_t last_seq = accepted.empty() ? 0 : accepted.back().seq;
  const auto deadline = Clock::now() + std::chrono::seconds(o.drain);
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(shared.mu);
      if (!shared.releases.empty() && shared.releases.back().ledger_seq >= last_seq) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  subscriber.join();

  std::vector<int64_t> latency_us;
  int64_t uncovered = 0;
  for (const Accepted& a : accepted) {
    auto it = std::find_if(shared.releases.begin(), shared.releases.end(),
                           [&](const Release& r) { return r.ledger_seq >= a.seq; });
    if (it == shared.releases.end()) {
      ++uncovered;
      continue;
    }
    latency_us.push_back(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(it->arrived - a.at).count()));
  }
  std::sort(latency_us.begin(), latency_us.end());
  if (uncovered > 0) {
    std::lock_guard lock(shared.mu);
    std::cerr << fmt::format(
        "canvass_release_latency: last accepted report {}, last release built from {}, last "
        "event seen {}{}\n",
        last_seq, shared.releases.empty() ? 0 : shared.releases.back().ledger_seq, shared.last_id,
        shared.error.empty() ? "" : "; stream: " + shared.error);
  }
  // Each release's lag behind the last event it contains, by the ledger's clock.
  std::vector<int64_t> lag_ms;
  for (const Release& r : shared.releases) {
    auto in = shared.times.find(r.ledger_seq);
    auto a = MillisOfDay(r.time);
    if (in == shared.times.end() || !a) continue;
    if (auto b = MillisOfDay(in->second)) lag_ms.push_back(*a - *b);
  }
  std::sort(lag_ms.begin(), lag_ms.end());
  const auto ms = [](int64_t us) { return static_cast<double>(us) / 1000.0; };
  const json out = {{"precincts", jobs.size()},
                    {"rate_per_second", o.rate},
                    {"replay_seconds", replay_seconds},
                    {"accepted", accepted.size()},
                    {"by_status",
                     [&] {
                       json b = json::object();
                       for (auto [s, n] : by_status) b[std::to_string(s)] = n;
                       return b;
                     }()},
                    {"releases", shared.releases.size()},
                    {"uncovered", uncovered},
                    {"latency_ms",
                     {{"p50", ms(Percentile(latency_us, 50))},
                      {"p99", ms(Percentile(latency_us, 99))},
                      {"max", ms(latency_us.empty() ? 0 : latency_us.back())}}},
                    {"release_lag_ms",
                     {{"min", lag_ms.empty() ? 0 : lag_ms.front()},
                      {"p50", Percentile(lag_ms, 50)},
                      {"max", lag_ms.empty() ? 0 : lag_ms.back()}}},
                    {"stream_error", shared.error}};
  if (o.json_out) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << fmt::format(
        "{} precincts, {} reports accepted in {:.1f} s at {} reports/s; {} releases\n", jobs.size(),
        accepted.size(), replay_seconds, o.rate, shared.releases.size());
    std::cout << fmt::format(
        "accepted report -> release containing it: p50 {:.0f} ms, p99 {:.0f} ms, max {:.0f} ms "
        "({} reports in no release)\n",
        out["latency_ms"]["p50"].get<double>(), out["latency_ms"]["p99"].get<double>(),
        out["latency_ms"]["max"].get<double>(), uncovered);
    std::cout << fmt::format(
        "release-published after the last event it contains (ledger clock): min {} ms, p50 {} "
        "ms, max {} ms\n",
        out["release_lag_ms"]["min"].get<int64_t>(), out["release_lag_ms"]["p50"].get<int64_t>(),
        out["release_lag_ms"]["max"].get<int64_t>());
    std::cout << "by status:";
    for (auto [s, n] : by_status) std::cout << fmt::format(" {}={}", s, n);
    std::cout << "\n";
  }
  return uncovered > 0 || accepted.empty() ? 1 : 0;
}

}  // namespace
}  // namespace canvass

int main(int argc, char** argv) {
  auto o = canvass::ParseArgs(argc, argv);
  if (!o) return 2;
  return canvass::Run(*o);
}
