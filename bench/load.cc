// canvass_load: replays real precinct reports through a running `canvass serve` and measures it.
//
//   canvass_load --port P --codes canvass-codes.csv [--host 127.0.0.1] [--clients 64]
//                [--results FILE] [--limit N] [--rounds R] [--json]
//   canvass_load --write-apportionment OUT --copies K [--apportionment FILE]
//
// It logs in one session per precinct chair (in parallel, with the codes CSV `canvass init`
// wrote: role,subject,label,credential,code), maps each of the server's precincts to a report of
// the results file by county and precinct (GET /api/v1/precincts), then `--clients` threads, each
// with its own keep-alive HttpClient, take precincts from a shared queue and POST the first
// alignment, then the final alignment, as the precinct's chair, each with a unique submission id.
// Every report request is timed (steady_clock, integer microseconds) and counted by status:
// 201 accepted and durable, 200 a repeated submission, 4xx refused (the real data has impossible
// reports the server must refuse), 5xx errors, and transport failures.
//
// A larger election for a longer measurement: `--write-apportionment` writes K copies of the
// Iowa apportionment (precinct "NAME #k"); `canvass init --apportionment` it, and the replay maps
// "NAME #k" back to NAME's report, so every copy replays the real reports. `--rounds R` replays
// only the first R copies' precincts (with --limit, at most N precincts in all).
//
// Prints accepted durable reports per second (wall clock of the replay), latency percentiles
// and the counts; --json prints the same as one JSON object.
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
  int clients = 64;
  std::string results = std::string(CANVASS_SOURCE_DIR) +
                        "/data/iowa-2020/results-first-complete-2020-02-08-long.csv";
  int64_t limit = 0;   // 0: all precincts
  int64_t rounds = 0;  // 0: every copy
  bool json_out = false;
  std::string write_apportionment;
  std::string apportionment = std::string(CANVASS_SOURCE_DIR) + "/data/iowa-2020/apportionment.csv";
  int copies = 0;
};

constexpr const char* kUsage =
    "usage: canvass_load --port P --codes FILE [--host H] [--clients N] [--results FILE]\n"
    "                    [--limit N] [--rounds R] [--json]\n"
    "       canvass_load --write-apportionment OUT --copies K [--apportionment FILE]\n";

std::optional<Options> ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](int64_t lo, int64_t hi) -> std::optional<int64_t> {
      auto v = value();
      if (!v) return std::nullopt;
      try {
        size_t used = 0;
        const int64_t n = std::stoll(*v, &used);
        if (used != v->size() || n < lo || n > hi) return std::nullopt;
        return n;
      } catch (...) {
        return std::nullopt;
      }
    };
    std::optional<std::string> s;
    std::optional<int64_t> n;
    if (a == "--host" && (s = value())) {
      o.host = *s;
    } else if (a == "--port" && (n = number(1, 65535))) {
      o.port = static_cast<uint16_t>(*n);
    } else if (a == "--codes" && (s = value())) {
      o.codes = *s;
    } else if (a == "--clients" && (n = number(1, 4096))) {
      o.clients = static_cast<int>(*n);
    } else if (a == "--results" && (s = value())) {
      o.results = *s;
    } else if (a == "--limit" && (n = number(0, INT64_MAX))) {
      o.limit = *n;
    } else if (a == "--rounds" && (n = number(0, INT64_MAX))) {
      o.rounds = *n;
    } else if (a == "--json") {
      o.json_out = true;
    } else if (a == "--write-apportionment" && (s = value())) {
      o.write_apportionment = *s;
    } else if (a == "--apportionment" && (s = value())) {
      o.apportionment = *s;
    } else if (a == "--copies" && (n = number(1, 1000))) {
      o.copies = static_cast<int>(*n);
    } else {
      std::cerr << "canvass_load: bad or incomplete option " << a << "\n" << kUsage;
      return std::nullopt;
    }
  }
  if (!o.write_apportionment.empty()) {
    if (o.copies == 0) {
      std::cerr << "canvass_load: --write-apportionment needs --copies\n";
      return std::nullopt;
    }
    return o;
  }
  if (o.port == 0 || o.codes.empty()) {
    std::cerr << kUsage;
    return std::nullopt;
  }
  return o;
}

// K copies of the apportionment, precinct "NAME #k" (k from 1).
int WriteCopies(const Options& o) {
  auto table = LoadApportionmentFile(o.apportionment);
  if (!table.ok()) {
    std::cerr << "canvass_load: " << table.status().message() << "\n";
    return 2;
  }
  std::vector<PrecinctApportionment> out;
  out.reserve(table->size() * static_cast<size_t>(o.copies));
  for (int k = 1; k <= o.copies; ++k) {
    for (PrecinctApportionment p : *table) {
      p.precinct = fmt::format("{} #{}", p.precinct, k);
      out.push_back(std::move(p));
    }
  }
  std::FILE* f = std::fopen(o.write_apportionment.c_str(), "wb");
  const std::string text = WriteApportionmentCsv(out);
  if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size() ||
      std::fclose(f) != 0) {
    std::cerr << "canvass_load: cannot write " << o.write_apportionment << "\n";
    return 1;
  }
  std::cout << fmt::format("wrote {} precincts ({} copies) to {}\n", out.size(), o.copies,
                           o.write_apportionment);
  return 0;
}

struct Chair {
  std::string subject;  // the precinct id
  std::string code;
};

Result<std::pair<std::vector<Chair>, std::string>> ReadCodes(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  CsvReader r(*text, path);
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  if (!has || r.size() != 5 || r[0] != "role" || r[1] != "subject" || r[4] != "code") {
    return Status::ParseError(path + ": not a codes CSV (role,subject,label,credential,code)");
  }
  std::vector<Chair> chairs;
  std::string admin;
  while (true) {
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    if (r[0] == "chair") chairs.push_back(Chair{std::string(r[1]), std::string(r[4])});
    if (r[0] == "admin" && admin.empty()) admin = std::string(r[4]);
  }
  return std::pair{std::move(chairs), std::move(admin)};
}

std::string Key(const std::string& county, const std::string& precinct) {
  return county + '\x1f' + precinct;
}

// "NAME #12" -> "NAME" and 12; otherwise nullopt.
std::optional<std::pair<std::string, int64_t>> SplitCopy(const std::string& precinct) {
  const size_t at = precinct.rfind(" #");
  if (at == std::string::npos || at + 2 >= precinct.size()) return std::nullopt;
  int64_t k = 0;
  for (size_t i = at + 2; i < precinct.size(); ++i) {
    const char c = precinct[i];
    if (c < '0' || c > '9' || k > 1'000'000) return std::nullopt;
    k = k * 10 + (c - '0');
  }
  return std::pair{precinct.substr(0, at), k};
}

json Figures(const Election& e, const PrecinctReport& r, bool final) {
  json out = json::object();
  for (size_t c = 0; c < e.candidates.size() && c < r.figures.size(); ++c) {
    const std::optional<Count>& v = final ? r.figures[c].final : r.figures[c].first;
    if (v) out[e.candidates[c]] = *v;
  }
  return out;
}

struct Job {
  int64_t id = 0;
  std::string token;
  std::string first_body;
  std::string final_body;
};

struct Tally {
  std::vector<int64_t> micros;
  std::map<int, int64_t> by_status;  // 0: transport failure
  std::map<std::string, int64_t> refusals;
};

std::string ErrorCode(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object() &&
      j["error"].contains("code") && j["error"]["code"].is_string()) {
    return j["error"]["code"].get<std::string>();
  }
  return "?";
}

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank.
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

int Run(const Options& o) {
  auto election = LoadResultsFile(o.results);
  if (!election.ok()) {
    std::cerr << "canvass_load: " << election.status().message() << "\n";
    return 2;
  }
  std::map<std::string, const PrecinctReport*> by_name;
  for (const PrecinctReport& r : election->reports) by_name[Key(r.county, r.precinct)] = &r;

  auto codes = ReadCodes(o.codes);
  if (!codes.ok()) {
    std::cerr << "canvass_load: " << codes.status().message() << "\n";
    return 2;
  }
  const auto& [chairs, admin_code] = *codes;

  // The server's precincts.
  HttpClient probe(o.host, o.port);
  std::string admin_token;
  if (!admin_code.empty()) {
    auto r = probe.Request("POST", "/api/v1/session", json{{"code", admin_code}}.dump());
    if (r.ok() && r->status == 200) admin_token = json::parse(r->body)["token"].get<std::string>();
  }
  HttpClient::Headers admin_headers;
  if (!admin_token.empty()) admin_headers.emplace_back("Authorization", "Bearer " + admin_token);
  auto list = probe.Get("/api/v1/precincts", admin_headers, std::chrono::seconds(60));
  if (!list.ok() || list->status != 200) {
    std::cerr << "canvass_load: GET /api/v1/precincts failed: "
              << (list.ok() ? list->body : list.status().message()) << "\n";
    return 1;
  }
  struct Target {
    int64_t id;
    const PrecinctReport* report;
  };
  std::vector<Target> targets;
  int64_t unmatched = 0;
  {
    const json precincts = json::parse(list->body)["precincts"];
    for (const json& p : precincts) {
      const std::string county = NormaliseName(p["county"].get<std::string>());
      std::string name = NormaliseName(p["precinct"].get<std::string>());
      auto it = by_name.find(Key(county, name));
      if (it == by_name.end()) {
        if (auto copy = SplitCopy(name)) {
          if (o.rounds > 0 && copy->second > o.rounds) continue;
          it = by_name.find(Key(county, copy->first));
        }
      }
      if (it == by_name.end()) {
        ++unmatched;
        continue;
      }
      targets.push_back(Target{p["id"].get<int64_t>(), it->second});
      if (o.limit > 0 && static_cast<int64_t>(targets.size()) >= o.limit) break;
    }
  }

  // One session per chair, in parallel.
  std::map<std::string, std::string> code_of;
  for (const Chair& c : chairs) code_of[c.subject] = c.code;
  std::vector<Job> jobs;
  jobs.reserve(targets.size());
  const int64_t nonce = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  int64_t no_code = 0;
  for (const Target& t : targets) {
    auto it = code_of.find(std::to_string(t.id));
    if (it == code_of.end()) {
      ++no_code;
      continue;
    }
    Job j;
    j.id = t.id;
    j.token = it->second;  // the code, until it is exchanged for a token below
    j.first_body = json{{"submission", fmt::format("load-{}-{}-first", nonce, t.id)},
                        {"first", Figures(*election, *t.report, false)}}
                       .dump();
    j.final_body = json{{"submission", fmt::format("load-{}-{}-final", nonce, t.id)},
                        {"final", Figures(*election, *t.report, true)}}
                       .dump();
    jobs.push_back(std::move(j));
  }
  std::atomic<size_t> next{0};
  std::atomic<int64_t> login_failures{0};
  const auto login_start = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < o.clients; ++t) {
      threads.emplace_back([&] {
        HttpClient client(o.host, o.port);
        for (size_t i = next++; i < jobs.size(); i = next++) {
          auto r = client.Request("POST", "/api/v1/session", json{{"code", jobs[i].token}}.dump());
          if (r.ok() && r->status == 200) {
            jobs[i].token = json::parse(r->body)["token"].get<std::string>();
          } else {
            jobs[i].token.clear();
            ++login_failures;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  const double login_seconds = std::chrono::duration<double>(Clock::now() - login_start).count();
  std::erase_if(jobs, [](const Job& j) { return j.token.empty(); });

  // The replay.
  next = 0;
  std::vector<Tally> tallies(static_cast<size_t>(o.clients));
  const auto start = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < o.clients; ++t) {
      threads.emplace_back([&, t] {
        Tally& tally = tallies[static_cast<size_t>(t)];
        tally.micros.reserve(2 * jobs.size() / static_cast<size_t>(o.clients) + 16);
        HttpClient client(o.host, o.port);
        for (size_t i = next++; i < jobs.size(); i = next++) {
          const Job& j = jobs[i];
          const HttpClient::Headers headers = {{"Authorization", "Bearer " + j.token}};
          for (const auto& [stage, body] :
               {std::pair{"first", &j.first_body}, std::pair{"final", &j.final_body}}) {
            const auto sent = Clock::now();
            auto r = client.Request("POST", fmt::format("/api/v1/precincts/{}/{}", j.id, stage),
                                    *body, headers);
            tally.micros.push_back(
                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count());
            const int status = r.ok() ? r->status : 0;
            ++tally.by_status[status];
            if (status >= 400) ++tally.refusals[fmt::format("{} {}", status, ErrorCode(r->body))];
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  Tally all;
  for (Tally& t : tallies) {
    all.micros.insert(all.micros.end(), t.micros.begin(), t.micros.end());
    for (auto [k, v] : t.by_status) all.by_status[k] += v;
    for (auto& [k, v] : t.refusals) all.refusals[k] += v;
  }
  std::sort(all.micros.begin(), all.micros.end());
  int64_t accepted = 0, repeated = 0, refused = 0, errors = 0, failed = 0;
  for (auto [status, n] : all.by_status) {
    if (status == 201) {
      accepted += n;
    } else if (status >= 200 && status < 300) {
      repeated += n;
    } else if (status >= 400 && status < 500) {
      refused += n;
    } else if (status >= 500) {
      errors += n;
    } else {
      failed += n;
    }
  }
  const double rate = seconds > 0 ? static_cast<double>(accepted) / seconds : 0;
  const int64_t requests = static_cast<int64_t>(all.micros.size());
  const int64_t p50 = Percentile(all.micros, 50), p90 = Percentile(all.micros, 90),
                p99 = Percentile(all.micros, 99), max = all.micros.empty() ? 0 : all.micros.back();

  if (o.json_out) {
    json by_status = json::object();
    for (auto [k, v] : all.by_status) by_status[std::to_string(k)] = v;
    json refusals = json::object();
    for (auto& [k, v] : all.refusals) refusals[k] = v;
    std::cout << json{{"clients", o.clients},
                      {"precincts", jobs.size()},
                      {"unmatched_precincts", unmatched},
                      {"login_failures", login_failures.load()},
                      {"login_seconds", login_seconds},
                      {"requests", requests},
                      {"seconds", seconds},
                      {"accepted", accepted},
                      {"accepted_per_second", rate},
                      {"requests_per_second", seconds > 0 ? requests / seconds : 0},
                      {"latency_us", {{"p50", p50}, {"p90", p90}, {"p99", p99}, {"max", max}}},
                      {"by_status", by_status},
                      {"refusals", refusals},
                      {"repeated", repeated},
                      {"refused", refused},
                      {"errors", errors},
                      {"transport_failures", failed}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << fmt::format(
        "precincts {} (unmatched {}, without a chair code {}), {} clients; {} chair logins in "
        "{:.2f} s ({} failed)\n",
        jobs.size(), unmatched, no_code, o.clients, jobs.size(), login_seconds,
        login_failures.load());
    std::cout << fmt::format(
        "{} report requests in {:.3f} s: {:.0f} accepted durable reports/s ({:.0f} requests/s)\n",
        requests, seconds, rate, seconds > 0 ? requests / seconds : 0);
    std::cout << fmt::format("latency us: p50 {} p90 {} p99 {} max {}\n", p50, p90, p99, max);
    std::cout << fmt::format(
        "accepted (201) {}, repeated (200) {}, refused (4xx) {}, errors (5xx) {}, transport "
        "failures {}\n",
        accepted, repeated, refused, errors, failed);
    std::cout << "by status:";
    for (auto [k, v] : all.by_status) std::cout << fmt::format(" {}={}", k, v);
    std::cout << "\nrefusals:";
    for (auto& [k, v] : all.refusals) std::cout << fmt::format(" [{}]={}", k, v);
    std::cout << "\n";
  }
  return errors + failed + login_failures.load() > 0 ? 1 : 0;
}

}  // namespace
}  // namespace canvass

int main(int argc, char** argv) {
  auto o = canvass::ParseArgs(argc, argv);
  if (!o) return 2;
  if (!o->write_apportionment.empty()) return canvass::WriteCopies(*o);
  return canvass::Run(*o);
}
