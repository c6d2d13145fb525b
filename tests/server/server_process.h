// What the server tests share: the real `canvass` binary run as a child process in a temporary
// directory, its commands' exit codes and output, the demo election's access codes, chairs
// talking to a server with HttpClient, and a ledger export read back as events.
//
// Every child is started with fork/exec, its output sent to a file in the test's directory (so
// that a failing test can show it), and asked to die with the test process (PR_SET_PDEATHSIG,
// which follows the forking thread: start children from the test's main thread only).
// ServerProcess kills and reaps its child in its destructor, so a failed assertion never leaves a
// server running. Waits are on conditions (the port file written, the child exited) with
// generous deadlines; nothing asserts on how long anything took.
//
// Thread-safety: a ServerProcess or TempDir is used by one thread; RunCommand and the parsing
// helpers are safe from any thread. Chair is one client, for one thread.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "core/status.h"
#include "http/client.h"
#include "io/csv.h"
#include "rehearse/server_process.h"

namespace canvass::server_test {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Long enough for a loaded machine (sanitizers, parallel ctest); a passing test never waits it.
inline constexpr std::chrono::seconds kDeadline{120};

// A fresh temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "canvass-server-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteWholeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Starts `canvass args...` in `dir` with stdout and stderr appended to `log`. Returns the pid,
// or -1.
inline pid_t SpawnCanvass(const std::string& dir, const std::vector<std::string>& args,
                          const std::string& log) {
  return SpawnProcess(CANVASS_BINARY, args, dir, log);
}

struct CommandRun {
  int exit_code = -1;  // -1: killed by a signal or never ran
  std::string out;     // stdout and stderr together
};

// Runs a `canvass` command to completion in `dir`.
inline CommandRun RunCommand(const std::string& dir, const std::vector<std::string>& args) {
  static std::atomic<int> counter{0};
  const std::string log = dir + "/command-" + std::to_string(counter++) + ".out";
  CommandRun run;
  const pid_t pid = SpawnCanvass(dir, args, log);
  if (pid < 0) return run;
  int status = 0;
  const auto deadline = Clock::now() + kDeadline;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 || Clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      run.out = "(the command did not finish and was killed)\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  run.out += ReadWholeFile(log);
  return run;
}

// `canvass serve` as a child process on port 0 in `dir` (rehearse/server_process.h).
class ServerProcess : public canvass::ServerProcess {
 public:
  // `args` follow `serve`; --port 0 and --port-file are added.
  ServerProcess(std::string dir, std::vector<std::string> args, std::string name = "server")
      : canvass::ServerProcess(CANVASS_BINARY, std::move(dir), std::move(args), std::move(name)) {}
  Status Start() { return canvass::ServerProcess::Start(kDeadline); }
};

// One access code from the sheet `canvass init --codes-out` writes.
struct AccessCode {
  std::string role;
  std::string subject;
  std::string label;
  std::string credential;
  std::string code;
};

inline std::vector<AccessCode> ReadCodes(const std::string& path) {
  const std::string text = ReadWholeFile(path);
  CsvReader csv(text, path);
  std::vector<AccessCode> out;
  bool has = false;
  bool header = true;
  while (csv.Next(&has).ok() && has) {
    if (header) {
      header = false;
      continue;
    }
    if (csv.size() != 5) break;
    out.push_back(AccessCode{std::string(csv[0]), std::string(csv[1]), std::string(csv[2]),
                             std::string(csv[3]), std::string(csv[4])});
  }
  return out;
}

// `canvass init --demo` (the real Iowa 2020 election) into `store`, codes in dir/codes.csv.
inline CommandRun InitDemo(const std::string& dir, const std::string& store) {
  return RunCommand(dir, {"init", "--demo", "--fast-kdf", "--data", CANVASS_DATA_DIR, "--store",
                          store, "--codes-out", dir + "/codes.csv"});
}

// How many events the store's ledger holds, by `canvass ledger verify --json`; -1 (and a test
// failure) when it does not verify.
inline int64_t VerifiedEvents(const std::string& dir, const std::string& store) {
  CommandRun run = RunCommand(dir, {"ledger", "verify", "--json", "--store", store});
  json report = json::parse(run.out, nullptr, false);
  if (run.exit_code != 0 || report.is_discarded() || !report["events"].is_number_integer()) {
    ADD_FAILURE() << "ledger verify: " << run.out;
    return -1;
  }
  return report["events"].get<int64_t>();
}

// A ledger export read back: one parsed event per line (null when a line does not parse).
inline std::vector<json> ParseLedger(const std::string& jsonl) {
  std::vector<json> out;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line, nullptr, false));
  return out;
}

// The precincts a chair can report a one-group alignment for: apportioned, not satellites.
inline std::vector<int64_t> ReportablePrecincts(HttpClient& client, int64_t first, size_t count) {
  std::vector<int64_t> out;
  for (int64_t id = first; out.size() < count && id < first + 2000; ++id) {
    auto r = client.Get("/api/v1/precincts/" + std::to_string(id));
    if (!r.ok() || r->status != 200) break;
    json p = json::parse(r->body, nullptr, false);
    if (p.is_discarded()) break;
    if (p["satellite"] == false && p["delegates"].is_number_integer() && p["delegates"] > 0) {
      out.push_back(id);
    }
  }
  return out;
}

// A precinct chair's phone: logs in, reports, logs in again when the session or the connection
// is lost. Follows the server to a new port when the test says it moved.
class Chair {
 public:
  Chair(const AccessCode& code, uint16_t port) : code_(code), port_(port) {}

  const AccessCode& code() const { return code_; }
  void MoveTo(uint16_t port) {
    if (port != port_) {
      port_ = port;
      client_.reset();
      token_.clear();
    }
  }
  void Forget() {
    client_.reset();
    token_.clear();
  }

  // POST /api/v1/session. False when the server cannot be reached or refused the code.
  bool Login() {
    token_.clear();
    auto r = client().Request("POST", "/api/v1/session", json{{"code", code_.code}}.dump(),
                              {{"Content-Type", "application/json"}});
    if (!r.ok()) {
      client_.reset();
      return false;
    }
    if (r->status != 200) return false;
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.contains("token")) return false;
    token_ = j["token"].get<std::string>();
    return true;
  }

  // POSTs a report, logging in first when needed; an error when no answer came (the connection
  // failed), else the answer, whatever its status.
  Result<HttpClientResponse> Post(const std::string& target, const json& body) {
    if (token_.empty() && !Login()) return Status::IoError("cannot log in");
    auto r = client().Request(
        "POST", target, body.dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token_}});
    if (!r.ok()) Forget();  // log in again on the next connection, as a phone would
    return r;
  }
  const std::string& token() const { return token_; }

 private:
  HttpClient& client() {
    if (client_ == nullptr) client_ = std::make_unique<HttpClient>("127.0.0.1", port_);
    return *client_;
  }

  AccessCode code_;
  uint16_t port_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

// A one-group report: everyone in `candidate`'s group at both alignments, so that every
// apportioned precinct accepts it (no viability question, no tie).
inline json Report(const std::string& stage, const std::string& candidate,
                   const std::string& submission) {
  return json{{stage, {{candidate, 40}}}, {"submission", submission}};
}

// A submission the server answered 201 (recorded) or 200 (already recorded: the first answer).
struct Acknowledged {
  std::string actor;       // the chair's credential id, as the ledger names the actor
  std::string submission;  // the client's id
  std::string type;        // the event type
  int status = 0;
  int64_t seq = 0;  // the receipt
  std::string hash;
  int attempts = 0;  // requests sent for it; more than one when an answer was lost
};

// The receipt of a 200/201 answer, into `ack`. False when the body holds none.
inline bool ReadReceipt(const std::string& body, Acknowledged& ack) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("receipt") || !j["receipt"].is_object()) return false;
  const json& r = j["receipt"];
  if (!r.contains("seq") || !r["seq"].is_number_integer() || !r.contains("hash")) return false;
  ack.seq = r["seq"].get<int64_t>();
  ack.hash = r["hash"].get<std::string>();
  return true;
}

// How many of a ledger export's lines are session-opened events (a code's first login).
inline int64_t SessionsOpened(const std::vector<std::string>& lines) {
  int64_t n = 0;
  for (const std::string& l : lines)
    n += l.find("\"type\":\"session-opened\"") != std::string::npos;
  return n;
}

// Exports the ledger with `canvass ledger export` and checks it against the acknowledgements:
// events numbered 1..N, each acknowledged submission there exactly once at its receipt's seq
// with its receipt's hash, and no event for a submission that was never acknowledged.
// Returns the export's lines.
inline std::vector<std::string> ExpectLedgerHolds(const std::string& dir, const std::string& store,
                                                  const std::vector<Acknowledged>& acked) {
  const std::string file = dir + "/ledger.jsonl";
  CommandRun exported = RunCommand(dir, {"ledger", "export", "--store", store, "--out", file});
  EXPECT_EQ(exported.exit_code, 0) << exported.out;
  const std::string text = ReadWholeFile(file);
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> in_ledger;
  for (size_t i = 0; i < lines.size(); ++i) {
    json e = json::parse(lines[i], nullptr, false);
    if (e.is_discarded()) {
      ADD_FAILURE() << "ledger line " << i + 1 << " is not JSON";
      continue;
    }
    EXPECT_EQ(e["seq"], static_cast<int64_t>(i + 1)) << "ledger line " << i + 1;
    const json& payload = e["payload"];
    if (payload.is_object() && payload.contains("submission")) {
      in_ledger[{e["actor"]["id"].get<std::string>(), payload["submission"].get<std::string>()}]
          .push_back(static_cast<int64_t>(i + 1));
    }
  }
  std::map<std::pair<std::string, std::string>, const Acknowledged*> by_key;
  for (const Acknowledged& a : acked) {
    auto [it, fresh] = by_key.emplace(std::pair{a.actor, a.submission}, &a);
    if (!fresh) {
      // Acknowledged twice (two nodes, or a retry answered 200): the same receipt both times.
      EXPECT_EQ(it->second->seq, a.seq) << a.actor << " " << a.submission;
      EXPECT_EQ(it->second->hash, a.hash) << a.actor << " " << a.submission;
    }
    auto found = in_ledger.find({a.actor, a.submission});
    if (found == in_ledger.end()) {
      ADD_FAILURE() << "acknowledged submission " << a.actor << " " << a.submission << " (seq "
                    << a.seq << ") is not in the ledger";
      continue;
    }
    EXPECT_EQ(found->second, std::vector<int64_t>{a.seq})
        << a.actor << " " << a.submission << " is in the ledger " << found->second.size()
        << " times";
    if (a.seq < 1 || a.seq > static_cast<int64_t>(lines.size())) {
      ADD_FAILURE() << "receipt seq " << a.seq << " is past the ledger's end";
      continue;
    }
    const std::string& line = lines[static_cast<size_t>(a.seq - 1)];
    EXPECT_EQ(Sha256Hex(line), a.hash) << "receipt " << a.seq;
    EXPECT_EQ(json::parse(line)["type"], a.type) << "receipt " << a.seq;
  }
  for (const auto& [key, seqs] : in_ledger) {
    if (by_key.count(key) > 0) continue;
    ADD_FAILURE() << "the ledger holds " << key.first << " " << key.second << " (seq "
                  << seqs.front() << "), which was never acknowledged";
  }
  return lines;
}

}  // namespace canvass::server_test
