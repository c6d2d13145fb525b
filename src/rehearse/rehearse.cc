// The rehearsal driver: a plan per precinct (what it reports, when, which mistakes its people
// make), worker threads that carry the plans out against the servers on the evening's clock,
// then the wait for the release covering the last report and the reconciliation.
#include "rehearse/rehearse.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <set>
#include <thread>
#include <tuple>

#include "core/random.h"
#include "core/text.h"
#include "http/client.h"
#include "io/csv.h"
#include "io/early_cards.h"
#include "ledger/event_types.h"

namespace canvass::rehearse {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int64_t kMinute = 60'000;  // evening milliseconds
constexpr uint32_t kMillion = 1'000'000;

// Draws from SplitMix64 (src/core/random.h), one independent stream per (seed, precinct, purpose).
class Rng : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  bool Chance(uint32_t ppm) { return ppm > 0 && Below(kMillion) < ppm; }
  // A triangular draw on [0, span]: the sum of two uniform halves.
  int64_t Triangle(int64_t span) {
    const uint64_t half = static_cast<uint64_t>(span / 2) + 1;
    return static_cast<int64_t>(Below(half) + Below(half));
  }
};

enum Fault : uint32_t {
  kWrongCode = 1u << 0,
  kTypo = 1u << 1,
  kLostAnswer = 1u << 2,
  kDropped = 1u << 3,
  kDuplicate = 1u << 4,
  kHotline = 1u << 5,
  kMishear = 1u << 6,
  kCorrection = 1u << 7,
};
constexpr std::pair<Fault, const char*> kFaultNames[] = {
    {kWrongCode, "wrong-code"},    {kTypo, "typo"},
    {kLostAnswer, "lost-answer"},  {kDropped, "dropped-connection"},
    {kDuplicate, "double-tap"},    {kHotline, "hotline"},
    {kMishear, "hotline-mishear"}, {kCorrection, "late-correction"}};

struct Account {
  std::string role;
  std::string subject;
  std::string credential;
  std::string code;
  std::string token;
  std::string address;
};

Result<std::vector<Account>> ParseCodes(const std::string& text) {
  CsvReader r(text, "code sheet");
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  if (!has || r.size() != 5 || r[0] != "role" || r[1] != "subject" || r[3] != "credential" ||
      r[4] != "code") {
    return Status::ParseError("not a code sheet (role,subject,label,credential,code)");
  }
  std::vector<Account> out;
  while (true) {
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    if (r.size() != 5) return Status::ParseError("code sheet: a row without five fields");
    out.push_back(Account{std::string(r[0]), std::string(r[1]), std::string(r[3]),
                          std::string(r[4]), "", ""});
  }
  return out;
}

std::string Key(const std::string& county, const std::string& precinct) {
  return NormaliseName(county) + '\x1f' + NormaliseName(precinct);
}

// A figures object as the server keeps it: zero counts left out. Null when the input has none
// of these figures.
json Figures(const Election& e, const PrecinctReport& r, int which) {
  json out = json::object();
  bool any = false;
  for (size_t c = 0; c < e.candidates.size() && c < r.figures.size(); ++c) {
    const CandidateReport& f = r.figures[c];
    const std::optional<Count>& v = which == 0 ? f.first : which == 1 ? f.final : f.delegates;
    if (!v) continue;
    any = true;
    if (*v != 0) out[e.candidates[c]] = *v;
  }
  return any ? out : json();
}

// The names of a figures object ordered by count, largest first (ties by name).
std::vector<std::string> ByCount(const json& figures) {
  std::vector<std::pair<int64_t, std::string>> v;
  for (const auto& [k, c] : figures.items()) v.emplace_back(-c.get<int64_t>(), k);
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  for (auto& [c, k] : v) out.push_back(k);
  return out;
}

int64_t Total(const json& figures) {
  int64_t t = 0;
  for (const auto& [k, c] : figures.items()) t += c.get<int64_t>();
  return t;
}

// A loopback address of its own for simulated device n (n >= 1).
std::string LoopbackAddress(int block, int64_t n) {
  return fmt::format("127.{}.{}.{}", block + static_cast<int>(n >> 16), (n >> 8) & 255, n & 255);
}

// A small JPEG-looking worksheet photo, different for every precinct.
std::string Photo(uint64_t seed, int64_t id) {
  Rng rng(seed, static_cast<uint64_t>(id), 9);
  std::string bytes("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  const size_t n = 2048 + rng.Below(4096);
  for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng.Below(256)));
  bytes.append("\xFF\xD9", 2);
  return bytes;
}

struct Precinct {
  int64_t id = 0;
  std::string county;
  std::string precinct;
  Account* chair = nullptr;
  json first, final, delegates;  // the input's figures (null: not in the input)
  json computed;                 // what the rules give for the input's figures (null: not known)
  json first_sent, final_sent, delegates_sent;  // what goes in first (a mistake, if planned)
  uint32_t faults = 0;
  int64_t first_at = 0, final_at = 0, correct_at = 0;  // evening milliseconds after 19:00
  int phase = 0;
  bool stopped = false;
  int64_t tie_rounds = 0;
  bool shifted = false;  // reports one column off (--inject-shift), after every other first
  ExpectedPrecinct expected;
};

struct Step {
  std::vector<int64_t> micros;
  int64_t first_try = 0;
  int64_t failed = 0;
};

// What one worker saw; merged at the end.
struct Tally {
  std::map<std::string, Step> steps;
  std::map<std::string, int64_t> errors;
  std::map<std::string, int64_t> refused;
  std::map<std::string, int64_t> outcomes;
  std::vector<Acknowledged> acks;
  int64_t requests = 0;
  int64_t chair_requests = 0;
  int64_t chair_first_try = 0;
  int64_t wrong_codes_admitted = 0;
  int64_t lost = 0;
};

struct Answer {
  int status = 0;  // 0: gave up without an answer
  json body;
  std::string code;  // the error code of a refusal
};

std::string ErrorCode(const json& body) {
  if (body.is_object() && body.contains("error") && body["error"].is_object() &&
      body["error"].contains("code") && body["error"]["code"].is_string()) {
    return body["error"]["code"].get<std::string>();
  }
  return "";
}

class Run {
 public:
  explicit Run(const Options& o) : o_(o) {}

  Result<Report> Go();

 private:
  struct Worker {
    std::vector<std::unique_ptr<HttpClient>> clients;  // one per server
    size_t server = 0;
    Tally tally;
  };

  Status Prepare();
  void Plan(Precinct& p, size_t index);
  void Work(Worker& w);
  void RunPhase(Worker& w, Precinct& p);
  void ChairFirst(Worker& w, Precinct& p);
  void ChairFinal(Worker& w, Precinct& p);
  void ChairCorrect(Worker& w, Precinct& p);
  void HotlineStage(Worker& w, Precinct& p, const char* stage);
  void SettleAndConfirm(Worker& w, Precinct& p, Account& who, json precinct_answer,
                        const std::string& suffix);
  bool MistakeFor(Worker& w, Precinct& p);

  Answer Send(Worker& w, const std::string& step, const Account& who, const std::string& method,
              const std::string& target, const std::string& body,
              const std::string& content_type = "application/json", bool chair_step = true);
  void SendRaw(Worker& w, const Account& who, const std::string& target, const std::string& body,
               bool cut);
  void Ack(Worker& w, const Answer& a, const std::string& submission);
  static bool Accepted(const Answer& a) { return a.status == 200 || a.status == 201; }

  int64_t DueMicros(int64_t evening_ms) const {
    return o_.compress <= 0 ? 0 : evening_ms * 1000 / o_.compress;
  }
  void Schedule(size_t index, int64_t due_us);
  std::string Sid(const Precinct& p, const std::string& what) const {
    return fmt::format("rehearsal-{}-{}-{}", nonce_, p.id, what);
  }

  Status Publish(Report& report);
  Status InjectShifts(Worker& staff, std::vector<ShiftInjection>& injections);
  Status ResolveShifts(const std::vector<ShiftInjection>& injections, Report& report);

  const Options& o_;
  std::vector<Account> accounts_;
  Account* admin_ = nullptr;
  std::vector<Account*> operators_;
  std::vector<Precinct> precincts_;  // the server's, in id order
  std::vector<size_t> driven_;       // indexes into precincts_
  int64_t input_unmatched_ = 0;
  int64_t nonce_ = 0;
  int64_t releases_before_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  using Task = std::pair<int64_t, size_t>;  // due (µs from start), precinct index
  std::priority_queue<Task, std::vector<Task>, std::greater<>> queue_;
  int64_t outstanding_ = 0;  // tasks queued or running
  Clock::time_point start_;
  Clock::time_point end_;
  std::vector<Acknowledged> report_acks_;
  std::atomic<int64_t> done_first_{0}, done_final_{0}, done_confirmed_{0};
};

Status Run::Prepare() {
  if (o_.ports.empty()) return Status::InvalidArgument("no server to rehearse against");
  auto accounts = ParseCodes(o_.codes_csv);
  if (!accounts.ok()) return accounts.status();
  accounts_ = std::move(accounts).value();
  std::map<std::string, Account*> chair_of;
  int64_t n = 0;
  for (Account& a : accounts_) {
    ++n;
    if (a.role == role::kChair) {
      chair_of[a.subject] = &a;
      a.address = LoopbackAddress(10, n);
    } else if (a.role == role::kOperator) {
      operators_.push_back(&a);
      a.address = LoopbackAddress(40, static_cast<int64_t>(operators_.size()));
    } else if (a.role == role::kAdmin && admin_ == nullptr) {
      admin_ = &a;
      a.address = LoopbackAddress(41, 1);
    }
  }
  if (chair_of.empty()) return Status::InvalidArgument("the code sheet has no chairs");
  nonce_ = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();

  HttpClient probe(o_.host, o_.ports[0]);
  auto list = probe.Get("/api/v1/precincts", {}, std::chrono::seconds(120));
  if (!list.ok()) return list.status();
  if (list->status != 200) {
    return Status::FailedPrecondition("GET /api/v1/precincts answered " +
                                      std::to_string(list->status));
  }
  const json parsed = json::parse(list->body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("precincts") || !parsed["precincts"].is_array()) {
    return Status::FailedPrecondition("GET /api/v1/precincts: not a precinct list");
  }
  std::map<std::string, const PrecinctReport*> by_name;
  for (const PrecinctReport& r : o_.input.reports) by_name[Key(r.county, r.precinct)] = &r;
  std::set<const PrecinctReport*> used;
  for (const json& j : parsed["precincts"]) {
    Precinct p;
    p.id = j.value("id", int64_t{0});
    p.county = j.value("county", std::string());
    p.precinct = j.value("precinct", std::string());
    p.expected.id = p.id;
    p.expected.county = p.county;
    p.expected.precinct = p.precinct;
    if (j.value("status", std::string()) != "not-reported") {
      return Status::FailedPrecondition(fmt::format(
          "precinct {} ({} / {}) is already reported: a rehearsal needs an election nobody has "
          "reported in yet (`canvass rehearse --demo` sets up a fresh one)",
          p.id, p.county, p.precinct));
    }
    auto it = by_name.find(Key(p.county, p.precinct));
    auto chair = chair_of.find(std::to_string(p.id));
    if (it != by_name.end() && chair != chair_of.end()) {
      const PrecinctReport& r = *it->second;
      used.insert(&r);
      p.chair = chair->second;
      p.first = Figures(o_.input, r, 0);
      p.final = Figures(o_.input, r, 1);
      p.delegates = Figures(o_.input, r, 2);
      if (o_.input_delegates_computed) p.computed = p.delegates;
      if (p.first.is_null()) p.chair = nullptr;  // nothing to report
    }
    precincts_.push_back(std::move(p));
  }
  input_unmatched_ = static_cast<int64_t>(o_.input.reports.size() - used.size());
  if (o_.early_votes_csv && !o_.early_votes_csv->empty()) {
    // Every precinct's cards as the file has them, by the hash of its canonical list.
    auto rows = ParseEarlyCardsCsv(*o_.early_votes_csv, "early-vote cards");
    if (!rows.ok()) return rows.status();
    std::map<std::string, std::vector<EarlyCardText>> cards;
    for (EarlyCardRow& row : *rows) {
      cards[Key(row.county, row.precinct)].push_back({row.id, std::move(row.choices)});
    }
    for (Precinct& p : precincts_) {
      auto it = cards.find(Key(p.county, p.precinct));
      if (it == cards.end()) continue;
      p.expected.early_votes_cards = static_cast<int64_t>(it->second.size());
      p.expected.early_votes_hash = EarlyCardsHash(std::move(it->second));
      cards.erase(it);
    }
    if (!cards.empty()) {
      return Status::FailedPrecondition(
          "the early-vote cards name a precinct the server does not have (" +
          cards.begin()->first.substr(0, cards.begin()->first.find('\x1f')) + ")");
    }
  }
  for (size_t i = 0; i < precincts_.size(); ++i) {
    if (precincts_[i].chair == nullptr) continue;
    Plan(precincts_[i], i);
    driven_.push_back(i);
  }
  if (driven_.empty()) {
    return Status::FailedPrecondition(
        "no precinct of the server matches a report of the input (by county and precinct name)");
  }
  auto releases = probe.Get("/api/v1/releases");
  if (releases.ok() && releases->status == 200) {
    const json idx = json::parse(releases->body, nullptr, false);
    if (idx.is_object() && idx.contains("latest") && idx["latest"].is_number_integer()) {
      releases_before_ = idx["latest"].get<int64_t>();
    }
  }
  return Status::Ok();
}

void Run::Plan(Precinct& p, size_t index) {
  Rng rng(o_.seed, static_cast<uint64_t>(p.id), 1);
  const FaultRates& f = o_.faults;
  if (rng.Chance(f.hotline) && operators_.size() >= 2) {
    p.faults |= kHotline;
    if (operators_.size() >= 3 && rng.Chance(f.mishear)) p.faults |= kMishear;
  } else {
    if (rng.Chance(f.wrong_code)) p.faults |= kWrongCode;
    if (rng.Chance(f.lost_answer)) p.faults |= kLostAnswer;
    if (!p.final.is_null()) {
      if (rng.Chance(f.typo)) p.faults |= kTypo;
      if (rng.Chance(f.dropped)) p.faults |= kDropped;
      if (rng.Chance(f.duplicate)) p.faults |= kDuplicate;
      if (rng.Chance(f.correction)) p.faults |= kCorrection;
    }
  }
  // Doors at 19:00 (evening 0). First alignments come in from about 19:25, mostly around 19:55;
  // finals 15 to 85 minutes later; corrections after 22:00.
  p.first_at = 25 * kMinute + rng.Triangle(60 * kMinute);
  p.final_at = p.first_at + 15 * kMinute + rng.Triangle(70 * kMinute);
  p.correct_at = 200 * kMinute + rng.Triangle(40 * kMinute);
  p.first_sent = p.first;
  p.final_sent = p.final;
  p.delegates_sent = p.delegates;
  (void)index;
}

void Run::Schedule(size_t index, int64_t due_us) {
  std::lock_guard lock(mu_);
  queue_.emplace(due_us, index);
  ++outstanding_;
  cv_.notify_one();
}

void Run::Work(Worker& w) {
  for (;;) {
    size_t index = 0;
    {
      std::unique_lock lock(mu_);
      for (;;) {
        if (outstanding_ == 0) return;
        if (!queue_.empty()) {
          const auto due = start_ + std::chrono::microseconds(queue_.top().first);
          if (Clock::now() >= due) break;
          cv_.wait_until(lock, due);
        } else {
          cv_.wait(lock);
        }
      }
      index = queue_.top().second;
      queue_.pop();
    }
    RunPhase(w, precincts_[index]);
    Precinct& p = precincts_[index];
    int64_t next = -1;
    if (!p.stopped) {
      if (p.phase == 1 && !p.final.is_null()) next = p.final_at;
      if (p.phase == 2 && (p.faults & kCorrection) != 0) next = p.correct_at;
    }
    std::lock_guard lock(mu_);
    if (next >= 0) {
      queue_.emplace(DueMicros(next), index);
    } else {
      --outstanding_;
    }
    cv_.notify_all();
  }
}

void Run::RunPhase(Worker& w, Precinct& p) {
  ++p.phase;
  const bool hotline = (p.faults & kHotline) != 0;
  if (p.phase == 1) {
    if (hotline) {
      HotlineStage(w, p, "first");
    } else {
      ChairFirst(w, p);
    }
    if (!p.stopped) ++done_first_;
  } else if (p.phase == 2) {
    if (hotline) {
      HotlineStage(w, p, "final");
    } else {
      ChairFinal(w, p);
    }
    if (!p.stopped) ++done_final_;
  } else {
    ChairCorrect(w, p);
  }
}

Answer Run::Send(Worker& w, const std::string& step, const Account& who, const std::string& method,
                 const std::string& target, const std::string& body,
                 const std::string& content_type, bool chair_step) {
  HttpClient::Headers headers;
  if (!who.token.empty()) headers.emplace_back("Authorization", "Bearer " + who.token);
  if (!body.empty() || method == "POST") headers.emplace_back("Content-Type", content_type);
  const auto began = Clock::now();
  const auto deadline = began + o_.give_up;
  Answer a;
  int attempts = 0;
  auto backoff = std::chrono::milliseconds(100);
  for (;;) {
    ++attempts;
    ++w.tally.requests;
    HttpClient& client = *w.clients[w.server];
    client.SetLocalAddress(who.address);
    auto r = client.Request(method, target, body, headers, o_.request_timeout);
    std::string failure;
    std::chrono::milliseconds wait = backoff;
    if (!r.ok()) {
      failure = "no answer";
      client.Close();
      w.server = (w.server + 1) % w.clients.size();  // the next node, if there is one
    } else {
      a.status = r->status;
      a.body = json::parse(r->body, nullptr, false);
      a.code = ErrorCode(a.body);
      const bool retry = r->status == 408 || r->status == 429 || r->status >= 500;
      if (!retry) break;
      failure = fmt::format("{} {}", r->status, a.code.empty() ? "-" : a.code);
      const std::string& after = r->Header("retry-after");
      if (r->status == 429 && !after.empty()) {
        int64_t s = 1;
        std::from_chars(after.data(), after.data() + after.size(), s);
        wait = std::chrono::milliseconds(std::clamp<int64_t>(s, 1, 30) * 1000);
      }
      if (r->status >= 500) w.server = (w.server + 1) % w.clients.size();
    }
    ++w.tally.errors[step + ": " + failure];
    if (Clock::now() + wait >= deadline) {
      a.status = 0;
      break;
    }
    std::this_thread::sleep_for(wait);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
  const int64_t us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - began).count();
  Step& s = w.tally.steps[step];
  if (a.status == 0) {
    ++s.failed;
  } else {
    s.micros.push_back(us);
    if (attempts == 1) ++s.first_try;
  }
  if (chair_step) {
    ++w.tally.chair_requests;
    if (attempts == 1 && a.status != 0) ++w.tally.chair_first_try;
  }
  return a;
}

void Run::SendRaw(Worker& w, const Account& who, const std::string& target, const std::string& body,
                  bool cut) {
  const uint16_t port = o_.ports[w.server];
  std::string bytes = fmt::format(
      "POST {} HTTP/1.1\r\nHost: {}:{}\r\nAuthorization: Bearer {}\r\nContent-Type: "
      "application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
      target, o_.host, port, who.token, body.size());
  bytes.append(cut ? body.substr(0, body.size() / 2) : body);
  HttpClient raw(o_.host, port);
  raw.SetLocalAddress(who.address);
  ++w.tally.requests;
  // Gives up at once: the request (or half of it) is sent, the answer never read.
  (void)raw.SendRaw(bytes, std::chrono::milliseconds(cut ? 50 : 2));
}

void Run::Ack(Worker& w, const Answer& a, const std::string& submission) {
  if (!Accepted(a) || !a.body.is_object() || !a.body.contains("receipt")) return;
  const json& r = a.body["receipt"];
  Acknowledged ack;
  ack.submission = submission;
  ack.seq = r.value("seq", int64_t{0});
  ack.event_type = r.value("event", std::string());
  w.tally.acks.push_back(std::move(ack));
}

// True when accepted (and acknowledged); otherwise the precinct stops: a refusal is counted by
// its code (the input holds reports the checks refuse), no answer as a lost submission.
bool Took(Tally& t, Precinct& p, const Answer& a, const char* step) {
  if (a.status == 200 || a.status == 201) return true;
  p.stopped = true;
  if (a.status == 0) {
    ++t.lost;
  } else {
    ++t.refused[fmt::format("{}: {}", step, a.code.empty() ? std::to_string(a.status) : a.code)];
  }
  return false;
}

// The chair's code with one character of its secret typed wrong.
std::string Mistyped(const std::string& code, Rng& rng) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string typed = code;
  for (size_t i = typed.size(); i-- > 0;) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(typed[i])));
    const size_t at = kAlphabet.find(c);
    if (at == std::string_view::npos) continue;
    typed[i] = kAlphabet[(at + 1 + rng.Below(kAlphabet.size() - 1)) % kAlphabet.size()];
    break;
  }
  return typed;
}

void Run::ChairFirst(Worker& w, Precinct& p) {
  Account& chair = *p.chair;
  Tally& t = w.tally;
  Rng rng(o_.seed, static_cast<uint64_t>(p.id), 2);
  if ((p.faults & kWrongCode) != 0) {
    Account typist = chair;
    typist.token.clear();
    Answer a = Send(w, "login", typist, "POST", "/api/v1/session",
                    json{{"code", Mistyped(chair.code, rng)}}.dump());
    if (a.status == 200) {
      ++t.wrong_codes_admitted;
      ++t.outcomes["wrong code ADMITTED"];
    } else {
      ++t.outcomes[fmt::format("wrong code refused ({} {})", a.status, a.code)];
    }
  }
  chair.token.clear();
  Answer login =
      Send(w, "login", chair, "POST", "/api/v1/session", json{{"code", chair.code}}.dump());
  if (login.status != 200 || !login.body.contains("token") || !login.body["token"].is_string()) {
    p.stopped = true;
    if (login.status == 0) {
      ++t.lost;
    } else {
      ++t.refused[fmt::format("login {} {}", login.status, login.code)];
    }
    return;
  }
  chair.token = login.body["token"].get<std::string>();
  const std::string target = fmt::format("/api/v1/precincts/{}/first", p.id);
  const std::string sid = Sid(p, "first");
  const std::string body = json{{"submission", sid}, {"first", p.first_sent}}.dump();
  if ((p.faults & kLostAnswer) != 0) {
    SendRaw(w, chair, target, body, false);
    // The phone waits for an answer that never comes, then sends the report again.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  Answer r = Send(w, "first", chair, "POST", target, body);
  if ((p.faults & kLostAnswer) != 0) {
    ++t.outcomes[fmt::format("answer lost, sent again: {}", r.status)];
  }
  if (!Took(t, p, r, "first")) return;
  Ack(w, r, sid);
  p.expected.first = p.first_sent;
  p.expected.revision = 1;
}

bool Run::MistakeFor(Worker& w, Precinct& p) {
  std::vector<std::pair<json, json>> tries;  // (final, delegates)
  if (!p.delegates.is_null()) {
    const std::vector<std::string> names = ByCount(p.delegates);
    if (names.size() >= 2) {
      json d = p.delegates;
      d[names[0]] = d[names[0]].get<int64_t>() - 1;
      if (d[names[0]].get<int64_t>() == 0) d.erase(names[0]);
      d[names[1]] = d[names[1]].get<int64_t>() + 1;
      tries.emplace_back(p.final, d);
    }
  }
  const std::vector<std::string> names = ByCount(p.final);
  if (names.size() >= 2) {
    json f = p.final;
    f[names[0]] = f[names[0]].get<int64_t>() - 1;
    if (f[names[0]].get<int64_t>() == 0) f.erase(names[0]);
    f[names[1]] = f[names[1]].get<int64_t>() + 1;
    tries.emplace_back(f, p.delegates);
  }
  const std::string target = fmt::format("/api/v1/precincts/{}/preview", p.id);
  for (auto& [final, delegates] : tries) {
    json body = {{"first", p.first_sent}, {"final", final}};
    if (!delegates.is_null()) body["delegates"] = delegates;
    Answer a = Send(w, "preview", *p.chair, "POST", target, body.dump());
    if (a.status == 200) {
      p.final_sent = final;
      p.delegates_sent = delegates;
      return true;
    }
  }
  p.faults &= ~kCorrection;
  ++w.tally.outcomes["late correction skipped: no mistake the checks let through"];
  return false;
}

void Run::ChairFinal(Worker& w, Precinct& p) {
  Account& chair = *p.chair;
  Tally& t = w.tally;
  const std::string target = fmt::format("/api/v1/precincts/{}/final", p.id);
  if ((p.faults & kCorrection) != 0) MistakeFor(w, p);
  if ((p.faults & kTypo) != 0) {
    const std::vector<std::string> names = ByCount(p.final);
    if (!names.empty()) {
      json typo = p.final;
      const int64_t was = typo[names[0]].get<int64_t>();
      const int64_t room = Total(p.first) - Total(p.final);
      int64_t typed = was;
      do {
        typed = typed * 10 + 7;  // a digit too many
      } while (typed - was <= room);
      typo[names[0]] = typed;
      const std::string sid = Sid(p, "final-typo");
      Answer a = Send(w, "final", chair, "POST", target,
                      json{{"submission", sid}, {"final", typo}}.dump());
      if (Accepted(a)) {
        ++t.outcomes["typo ACCEPTED"];
        Ack(w, a, sid);
        p.expected.final = typo;
        p.stopped = true;
        return;
      }
      ++t.outcomes[fmt::format("typo refused ({} {})", a.status, a.code)];
    }
  }
  const std::string sid = Sid(p, "final");
  json body = {{"submission", sid}, {"final", p.final_sent}};
  if (!p.delegates_sent.is_null()) body["delegates"] = p.delegates_sent;
  const std::string text = body.dump();
  if ((p.faults & kDropped) != 0) SendRaw(w, chair, target, text, true);
  Answer r = Send(w, "final", chair, "POST", target, text);
  if ((p.faults & kDropped) != 0) {
    ++t.outcomes[fmt::format("connection dropped mid-body, sent again: {}", r.status)];
  }
  if (!Took(t, p, r, "final")) return;
  Ack(w, r, sid);
  p.expected.final = p.final_sent;
  p.expected.delegates = p.delegates_sent;
  if ((p.faults & kDuplicate) != 0) {
    Answer again = Send(w, "final", chair, "POST", target, text);
    const bool same = again.status == 200 && again.body.is_object() && r.body.is_object() &&
                      again.body.value("receipt", json()) == r.body.value("receipt", json());
    ++t.outcomes[same ? "double tap: 200 with the first receipt"
                      : fmt::format("double tap: {} with another answer", again.status)];
  }
  SettleAndConfirm(w, p, chair, r.body.value("precinct", json()), "");
}

// Nevada's card draw (aces high; spades, hearts, diamonds, clubs): one card per tied group from a
// shuffled deck, the highest going to the first of `groups` (the group chance favours most), as
// the detail the chair records: "card draw: Sanders KS, Biden 10H, Buttigieg 4C".
std::string CardDraw(const std::vector<std::string>& groups, Rng& rng) {
  static constexpr const char* kRanks[] = {"2", "3",  "4", "5", "6", "7", "8",
                                           "9", "10", "J", "Q", "K", "A"};
  static constexpr char kSuits[] = {'C', 'D', 'H', 'S'};  // lowest first
  std::set<int, std::greater<>> drawn;  // card values: rank x 4 + suit, highest first
  while (drawn.size() < groups.size() && drawn.size() < 52) {
    drawn.insert(static_cast<int>(rng.Below(52)));
  }
  std::string out = "card draw:";
  auto card = drawn.begin();
  for (size_t i = 0; i < groups.size() && card != drawn.end(); ++i, ++card) {
    out += fmt::format("{} {} {}{}", i == 0 ? "" : ",", groups[i], kRanks[*card / 4],
                       kSuits[*card % 4]);
  }
  return out;
}

void Run::SettleAndConfirm(Worker& w, Precinct& p, Account& who, json precinct,
                           const std::string& suffix) {
  Tally& t = w.tally;
  const std::string base = fmt::format("/api/v1/precincts/{}/", p.id);
  auto pending_of = [](const json& pj) {
    if (!pj.is_object() || !pj.contains("ties") || !pj["ties"].is_object()) return json();
    return pj["ties"].value("pending", json());
  };
  if (!precinct.is_object() || !precinct.contains("ties")) {
    Answer g =
        Send(w, "read", who, "GET", fmt::format("/api/v1/precincts/{}", p.id), "", "", false);
    precinct = g.body;
  }
  json pending = pending_of(precinct);
  Rng rng(o_.seed, static_cast<uint64_t>(p.id), 3);
  for (int round = 0; pending.is_object() && round < 16; ++round) {
    std::vector<std::string> tied;
    for (const json& c : pending.value("candidates", json::array())) {
      tied.push_back(c.get<std::string>());
    }
    const int64_t at_stake = pending.value("delegates_at_stake", int64_t{0});
    const int64_t want = pending.value("kind", std::string()) == "gain"
                             ? at_stake
                             : static_cast<int64_t>(tied.size()) - at_stake;
    // Chance favours the groups the worksheet shows with a delegate more than the rules give
    // them before the tie (the coin the chair tossed), otherwise a seeded coin.
    std::map<std::string, int64_t> before;
    const json computed = precinct.value("computed", json());
    if (computed.is_object() && computed.contains("groups") && computed["groups"].is_array()) {
      for (const json& g : computed["groups"]) {
        if (g.is_object() && g.contains("candidate") && g["candidate"].is_string()) {
          before[g["candidate"].get<std::string>()] = g.value("delegates", int64_t{0});
        }
      }
    }
    // The coin fell as the worksheet's true delegates say, even when the chair copies them
    // wrongly into the report (a late correction fixes the copy, not the toss).
    const json& worksheet =
        p.first_sent == p.first && p.final_sent == p.final ? p.delegates : p.delegates_sent;
    std::vector<std::tuple<int64_t, uint64_t, std::string>> order;
    for (const std::string& c : tied) {
      const int64_t d = worksheet.is_object() ? worksheet.value(c, int64_t{0}) : 0;
      auto b = before.find(c);
      order.emplace_back(-(d - (b == before.end() ? 0 : b->second)), rng.Next(), c);
    }
    std::sort(order.begin(), order.end());
    json favoured = json::array();
    for (int64_t i = 0; i < want && i < static_cast<int64_t>(order.size()); ++i) {
      favoured.push_back(std::get<2>(order[static_cast<size_t>(i)]));
    }
    std::vector<std::string> in_order;
    for (const auto& entry : order) in_order.push_back(std::get<2>(entry));
    const std::string detail = pending.value("breaker", std::string()) == "card draw"
                                   ? CardDraw(in_order, rng)
                                   : std::string("coin toss at the caucus site");
    const std::string sid = Sid(p, fmt::format("tie{}-{}", suffix, round));
    Answer a =
        Send(w, "ties", who, "POST", base + "ties",
             json{{"submission", sid}, {"tied", tied}, {"favoured", favoured}, {"detail", detail}}
                 .dump());
    if (!Took(t, p, a, "ties")) return;
    Ack(w, a, sid);
    ++p.tie_rounds;
    precinct = a.body.value("precinct", json());
    pending = pending_of(precinct);
  }
  if (o_.photos && &who == p.chair && suffix.empty()) {
    const std::string sid = Sid(p, "photo");
    Answer a = Send(w, "photo", who, "POST", base + "photo?submission=" + sid, Photo(o_.seed, p.id),
                    "image/jpeg");
    if (!Took(t, p, a, "photo")) return;
    Ack(w, a, sid);
    p.expected.photos = 1;
  }
  // The chair confirms the party's figures as they stand, acknowledging the errors the page
  // shows (the night's reports are replayed as the party published them).
  json acknowledged = json::array();
  if (precinct.is_object() && precinct.contains("findings") && precinct["findings"].is_array()) {
    for (const json& f : precinct["findings"]) {
      if (f.is_object() && f.value("severity", std::string()) == "error") {
        acknowledged.push_back(f.value("code", std::string()));
      }
    }
  }
  const std::string sid = Sid(p, "confirm" + suffix);
  json confirm = {{"submission", sid}, {"revision", p.expected.revision}};
  if (!acknowledged.empty()) confirm["acknowledged"] = acknowledged;
  Answer a = Send(w, "confirm", who, "POST", base + "confirm", confirm.dump());
  if (!Took(t, p, a, "confirm")) return;
  Ack(w, a, sid);
  p.expected.confirmed = true;
  ++done_confirmed_;
}

void Run::ChairCorrect(Worker& w, Precinct& p) {
  Account& chair = *p.chair;
  const std::string sid = Sid(p, "correction");
  json body = {{"submission", sid},
               {"reason", "the worksheet was copied wrongly at the caucus site"},
               {"final", p.final}};
  if (!p.delegates.is_null()) body["delegates"] = p.delegates;
  Answer r = Send(w, "correction", chair, "POST",
                  fmt::format("/api/v1/precincts/{}/corrections", p.id), body.dump());
  ++w.tally.outcomes[fmt::format("late correction: {}", r.status)];
  if (!Took(w.tally, p, r, "correction")) return;
  Ack(w, r, sid);
  p.expected.final = p.final;
  p.expected.delegates = p.delegates;
  p.expected.revision += 1;
  p.expected.confirmed = false;
  SettleAndConfirm(w, p, chair, r.body.value("precinct", json()), "-r2");
}

void Run::HotlineStage(Worker& w, Precinct& p, const char* stage) {
  Tally& t = w.tally;
  const bool first = std::string_view(stage) == "first";
  const json& figures = first ? p.first : p.final;
  const json delegates = first ? json() : p.delegates;
  Rng rng(o_.seed, static_cast<uint64_t>(p.id), 4);
  const size_t a = rng.Below(operators_.size());
  Account& op_a = *operators_[a];
  Account& op_b = *operators_[(a + 1) % operators_.size()];
  Account& op_c = *operators_[(a + 2) % operators_.size()];
  auto entry = [&](Account& op, const json& f, const char* tag) {
    const std::string sid = Sid(p, fmt::format("hotline-{}-{}", stage, tag));
    json body = {{"submission", sid}, {"precinct", p.id}, {stage, f}};
    if (!delegates.is_null()) body["delegates"] = delegates;
    Answer r = Send(w, "hotline", op, "POST", "/api/v1/hotline/entries", body.dump());
    if (Accepted(r)) Ack(w, r, sid);
    return r;
  };
  Answer e = entry(op_a, figures, "a");
  if (!Took(t, p, e, "hotline")) return;
  json heard = figures;
  const bool mishear = (p.faults & kMishear) != 0 && !heard.empty();
  if (mishear) {
    const std::string name = ByCount(heard).front();
    heard[name] = heard[name].get<int64_t>() + 1;
  }
  e = entry(op_b, heard, "b");
  if (!Took(t, p, e, "hotline")) return;
  std::string said = e.body.is_object() ? e.body.value("hotline", std::string()) : "";
  if (mishear) {
    ++t.outcomes[fmt::format("hotline: misheard figure answered \"{}\"", said)];
    e = entry(op_c, figures, "c");
    if (!Took(t, p, e, "hotline")) return;
    said = e.body.is_object() ? e.body.value("hotline", std::string()) : "";
  }
  if (said != "accepted") {
    ++t.refused[said == "agreed"
                    ? std::string("hotline: the entries agreed, the report was refused")
                    : "hotline: " + said];
    p.stopped = true;
    return;
  }
  if (first) {
    p.expected.first = figures;
    p.expected.revision = 1;
    return;
  }
  p.expected.final = figures;
  p.expected.delegates = delegates;
  if (op_a.token.empty()) return;
  SettleAndConfirm(w, p, op_a, e.body.value("precinct", json()), "");
}

Status Run::Publish(Report& report) {
  // Any node will do; one that does not answer (killed during the night) is passed over.
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (uint16_t port : o_.ports) clients.push_back(std::make_unique<HttpClient>(o_.host, port));
  size_t node = 0;
  auto call = [&](const std::string& method, const std::string& target, const std::string& body,
                  const HttpClient::Headers& headers) -> Result<HttpClientResponse> {
    Result<HttpClientResponse> r = Status::IoError("no server");
    for (size_t tries = 0; tries < clients.size(); ++tries) {
      HttpClient& c = *clients[node];
      if (admin_ != nullptr) c.SetLocalAddress(admin_->address);
      r = c.Request(method, target, body, headers, std::chrono::seconds(120));
      if (r.ok() && r->status < 500) return r;
      node = (node + 1) % clients.size();
    }
    return r;
  };
  int64_t last = 0;
  for (const Acknowledged& a : report_acks_) last = std::max(last, a.seq);
  report.last_ack_seq = last;
  if (o_.publish == "manual" && admin_ != nullptr && !admin_->token.empty()) {
    (void)call(
        "POST", "/api/v1/releases", "{}",
        {{"Authorization", "Bearer " + admin_->token}, {"Content-Type", "application/json"}});
  }
  const auto deadline = Clock::now() + o_.publish_timeout;
  int64_t number = 0;
  for (;;) {
    auto r = call("GET", "/api/v1/releases", "", {});
    if (r.ok() && r->status == 200) {
      const json idx = json::parse(r->body, nullptr, false);
      if (idx.is_object() && idx.contains("releases") && idx["releases"].is_array()) {
        for (const json& rel : idx["releases"]) {
          if (rel.value("ledger_seq", int64_t{0}) >= last) {
            number = rel.value("number", int64_t{0});
            break;
          }
        }
        if (number > 0) {
          const auto now = Clock::now();
          report.seconds_to_published = std::chrono::duration<double>(now - start_).count();
          report.last_report_to_release = std::chrono::duration<double>(now - end_).count();
          const json latest = idx.value("latest", json());
          report.releases =
              (latest.is_number_integer() ? latest.get<int64_t>() : number) - releases_before_;
          break;
        }
      }
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ReconcileInput in;
  for (const Precinct& p : precincts_) {
    in.expected.push_back(p.expected);
    // The rules' delegates are known for the input's figures; a mistake left standing (a typo
    // accepted, a correction that never came) is compared as reported only.
    if (!p.computed.is_null() && p.expected.first == p.first && p.expected.final == p.final) {
      in.expected.back().computed_delegates = p.computed;
    }
  }
  in.acks = report_acks_;
  in.check_early_votes = o_.early_votes_csv.has_value();
  if (number > 0) {
    auto rel = call("GET", fmt::format("/api/v1/releases/{}", number), "", {});
    if (!rel.ok()) return rel.status();
    in.release_json = rel->body;
    auto records = call("GET", fmt::format("/api/v1/releases/{}/records.jsonl", number), "", {});
    if (!records.ok()) return records.status();
    if (records->status == 200) in.release_records = records->body;
  }
  int64_t after = 0;
  for (;;) {
    auto page = call("GET", fmt::format("/api/v1/ledger?after={}&limit=10000", after), "", {});
    if (!page.ok()) return page.status();
    if (page->status != 200) {
      return Status::IoError("GET /api/v1/ledger answered " + std::to_string(page->status));
    }
    if (page->body.empty()) break;
    in.ledger_jsonl += page->body;
    if (in.ledger_jsonl.back() != '\n') in.ledger_jsonl.push_back('\n');
    // The seq of the page's last line.
    const size_t end = page->body.find_last_not_of('\n');
    const size_t start = page->body.rfind('\n', end);
    const json line =
        json::parse(page->body.substr(start == std::string::npos ? 0 : start + 1), nullptr, false);
    const int64_t seq = line.is_object() ? line.value("seq", int64_t{0}) : 0;
    if (seq <= after) break;
    after = seq;
  }
  report.reconciliation = Reconcile(in);
  if (number == 0) {
    report.reconciliation->ok = false;
    report.reconciliation->problems.insert(
        report.reconciliation->problems.begin(),
        fmt::format("no release covering the last acknowledged report (seq {}) within {} s", last,
                    o_.publish_timeout.count()));
  }
  return Status::Ok();
}

// --inject-shift: precincts and shifts chosen from the seed among the chairs without other
// faults (rehearse/shift_scenario.h), the server's ballot order and its /preview deciding.
Status Run::InjectShifts(Worker& staff, std::vector<ShiftInjection>& injections) {
  if (admin_ == nullptr || admin_->token.empty()) {
    return Status::FailedPrecondition(
        "--inject-shift: the code sheet's administrator could not log in to preview the shifted "
        "reports");
  }
  HttpClient probe(o_.host, o_.ports[0]);
  auto election = probe.Get("/api/v1/election", {}, std::chrono::seconds(60));
  if (!election.ok()) return election.status();
  const json e = json::parse(election->body, nullptr, false);
  ShiftChoiceOptions so;
  so.input = &o_.input;
  if (election->status != 200 || !e.is_object() || !e.contains("candidates") ||
      !e["candidates"].is_array()) {
    return Status::FailedPrecondition("GET /api/v1/election: no candidate list");
  }
  for (const json& c : e["candidates"]) {
    if (c.is_string()) so.server_candidates.push_back(c.get<std::string>());
  }
  for (size_t i : driven_) {
    const Precinct& p = precincts_[i];
    if (p.faults == 0 && !p.final.is_null()) so.eligible.push_back({p.id, p.county, p.precinct});
  }
  so.count = o_.inject_shift;
  so.first_alone_published = o_.publish != "manual";
  so.seed = o_.seed;
  so.accepted = [&](int64_t id, const json& body) {
    const Answer a = Send(staff, "shift-preview", *admin_, "POST",
                          fmt::format("/api/v1/precincts/{}/preview", id), body.dump(),
                          "application/json", false);
    return a.status == 200;
  };
  auto chosen = ChooseShifts(so);
  if (!chosen.ok()) return chosen.status();
  injections = std::move(chosen).value();
  for (const ShiftInjection& s : injections) {
    for (size_t i : driven_) {
      Precinct& p = precincts_[i];
      if (p.id != s.id) continue;
      p.shifted = true;
      p.first_sent = s.first;
      p.final_sent = s.final;
      p.delegates_sent = s.delegates;
      p.first_at = s.first_at;
      p.final_at = s.final_at;
    }
  }
  return Status::Ok();
}

// After the night, before the reconciliation: the holds checked and resolved; what the
// correction changed is what the reconciliation must now find.
Status Run::ResolveShifts(const std::vector<ShiftInjection>& injections, Report& report) {
  ShiftResolveOptions ro;
  ro.host = o_.host;
  ro.port = o_.ports[0];
  ro.codes_csv = o_.codes_csv;
  ro.injections = injections;
  for (const Acknowledged& a : report_acks_) ro.night_seq = std::max(ro.night_seq, a.seq);
  ro.releases_before = releases_before_;
  ro.ask_for_releases = o_.publish == "manual";
  ro.give_up = o_.give_up;
  ro.publish_timeout = o_.publish_timeout;
  ro.seed = o_.seed;
  auto resolved = rehearse::ResolveShifts(ro);
  if (!resolved.ok()) return resolved.status();
  for (const ShiftCorrected& c : resolved->corrected) {
    for (Precinct& p : precincts_) {
      if (p.id != c.id) continue;
      p.expected.first = c.first;
      p.expected.final = c.final;
      p.expected.delegates = c.delegates;
      p.expected.revision = c.revision;
      p.expected.confirmed = c.confirmed;
    }
  }
  report_acks_.insert(report_acks_.end(), resolved->acks.begin(), resolved->acks.end());
  report.shift = std::move(resolved->report);
  return Status::Ok();
}

int64_t Percentile(const std::vector<int64_t>& sorted, int64_t per_mille) {
  if (sorted.empty()) return 0;
  const int64_t n = static_cast<int64_t>(sorted.size());
  int64_t rank = (per_mille * n + 999) / 1000;  // nearest rank
  rank = std::clamp<int64_t>(rank, 1, n);
  return sorted[static_cast<size_t>(rank - 1)];
}

Result<Report> Run::Go() {
  CANVASS_RETURN_IF_ERROR(Prepare());
  Report report;
  report.precincts = static_cast<int64_t>(precincts_.size());
  report.driven = static_cast<int64_t>(driven_.size());
  report.unmatched = report.precincts - report.driven;
  report.input_unmatched = input_unmatched_;
  report.candidates = static_cast<int64_t>(o_.input.candidates.size());
  report.compress = o_.compress;
  report.seed = o_.seed;
  report.workers = o_.workers;
  report.servers = static_cast<int>(o_.ports.size());
  for (size_t i : driven_) {
    for (auto [bit, name] : kFaultNames) {
      if ((precincts_[i].faults & bit) != 0) ++report.faults[name];
    }
  }

  // Staff log in before the doors open; the administrator sets the publication policy.
  Worker staff;
  staff.clients.push_back(std::make_unique<HttpClient>(o_.host, o_.ports[0]));
  std::vector<Account*> people = operators_;
  if (admin_ != nullptr) people.push_back(admin_);
  for (Account* a : people) {
    Answer r = Send(staff, "login", *a, "POST", "/api/v1/session", json{{"code", a->code}}.dump());
    if (r.status == 200 && r.body.contains("token")) a->token = r.body["token"].get<std::string>();
  }
  std::erase_if(operators_, [](const Account* a) { return a->token.empty(); });
  if (o_.publish != "keep") {
    if (admin_ == nullptr || admin_->token.empty()) {
      return Status::FailedPrecondition("the code sheet's administrator could not log in");
    }
    json policy;
    if (o_.publish == "manual" || o_.publish == "each-report") {
      policy = {{"mode", o_.publish}};
    } else if (o_.publish.rfind("interval:", 0) == 0) {
      policy = {{"mode", "interval"}, {"seconds", std::stoll(o_.publish.substr(9))}};
    } else {
      return Status::InvalidArgument("--publish: manual, each-report, interval:N or keep");
    }
    Answer r = Send(staff, "policy", *admin_, "POST", "/api/v1/releases/policy", policy.dump(),
                    "application/json", false);
    if (!Accepted(r)) {
      return Status::FailedPrecondition(
          fmt::format("setting the publication policy was answered {} {}", r.status, r.code));
    }
  }

  std::vector<ShiftInjection> shifts;
  if (o_.inject_shift > 0) CANVASS_RETURN_IF_ERROR(InjectShifts(staff, shifts));

  std::unique_ptr<Attack> attack;
  if (o_.attack) {
    AttackOptions a = *o_.attack;
    a.host = o_.host;
    a.ports = o_.ports;
    for (const Account& acc : accounts_) {
      if (acc.role == role::kChair && a.known_ids.size() < 1000)
        a.known_ids.push_back(acc.credential);
    }
    attack = std::make_unique<Attack>(std::move(a));
    attack->Start();
  }

  start_ = Clock::now();
  // A shifted precinct goes after every first alignment due at the same time (all of them when
  // the evening is not kept: its county's shares must be in when the gate scores it).
  for (size_t i : driven_) {
    Schedule(i, DueMicros(precincts_[i].first_at) + (precincts_[i].shifted ? 1 : 0));
  }
  std::vector<Worker> workers(static_cast<size_t>(std::max(1, o_.workers)));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers.size(); ++i) {
    for (uint16_t port : o_.ports) {
      workers[i].clients.push_back(std::make_unique<HttpClient>(o_.host, port));
    }
    workers[i].server = i % o_.ports.size();
    threads.emplace_back([this, &w = workers[i]] { Work(w); });
  }
  std::atomic<bool> finished{false};
  std::thread progress;
  if (o_.progress) {
    progress = std::thread([&] {
      const int64_t n = static_cast<int64_t>(driven_.size());
      auto next = Clock::now() + std::chrono::seconds(5);
      while (!finished) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (Clock::now() < next) continue;
        next += std::chrono::seconds(5);
        const double s = std::chrono::duration<double>(Clock::now() - start_).count();
        const int64_t evening_min =
            o_.compress > 0 ? static_cast<int64_t>(s * static_cast<double>(o_.compress) / 60) : 0;
        o_.progress(fmt::format(
            "  {:6.1f} s{}  first {}/{}  final {}/{}  confirmed {}", s,
            o_.compress > 0 ? fmt::format(" ({:02}:{:02})", 19 + evening_min / 60, evening_min % 60)
                            : "",
            done_first_.load(), n, done_final_.load(), n, done_confirmed_.load()));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  end_ = Clock::now();
  finished = true;
  if (progress.joinable()) progress.join();
  report.seconds = std::chrono::duration<double>(end_ - start_).count();
  if (attack) {
    attack->Stop();
    report.attack = attack->Report();
  }

  Tally all = std::move(staff.tally);
  for (Worker& w : workers) {
    Tally& t = w.tally;
    for (auto& [k, s] : t.steps) {
      Step& into = all.steps[k];
      into.micros.insert(into.micros.end(), s.micros.begin(), s.micros.end());
      into.first_try += s.first_try;
      into.failed += s.failed;
    }
    for (auto& [k, v] : t.errors) all.errors[k] += v;
    for (auto& [k, v] : t.refused) all.refused[k] += v;
    for (auto& [k, v] : t.outcomes) all.outcomes[k] += v;
    all.acks.insert(all.acks.end(), t.acks.begin(), t.acks.end());
    all.requests += t.requests;
    all.chair_requests += t.chair_requests;
    all.chair_first_try += t.chair_first_try;
    all.wrong_codes_admitted += t.wrong_codes_admitted;
    all.lost += t.lost;
  }
  for (auto& [k, s] : all.steps) {
    std::sort(s.micros.begin(), s.micros.end());
    StepStats& out = report.steps[k];
    out.count = static_cast<int64_t>(s.micros.size()) + s.failed;
    out.first_try = s.first_try;
    out.failed = s.failed;
    out.p50_us = Percentile(s.micros, 500);
    out.p90_us = Percentile(s.micros, 900);
    out.p99_us = Percentile(s.micros, 990);
    out.max_us = s.micros.empty() ? 0 : s.micros.back();
  }
  report.requests = all.requests;
  report.chair_requests = all.chair_requests;
  report.chair_requests_first_try = all.chair_first_try;
  report.errors = std::move(all.errors);
  report.refused = std::move(all.refused);
  report.fault_outcomes = std::move(all.outcomes);
  report.wrong_codes_admitted = all.wrong_codes_admitted;
  report.submissions_lost = all.lost;
  report_acks_ = std::move(all.acks);
  if (!shifts.empty()) CANVASS_RETURN_IF_ERROR(ResolveShifts(shifts, report));
  CANVASS_RETURN_IF_ERROR(Publish(report));
  if (o_.recanvass_certified) {
    RecanvassOptions ro;
    ro.host = o_.host;
    ro.port = o_.ports[0];
    ro.codes_csv = o_.codes_csv;
    ro.reported = &o_.input;
    ro.certified = &*o_.recanvass_certified;
    ro.give_up = o_.give_up;
    auto recanvass = RunRecanvass(ro);
    if (!recanvass.ok()) return recanvass.status();
    report.recanvass = std::move(recanvass).value();
  }
  if (o_.audit) {
    AuditScenarioOptions ao;
    ao.host = o_.host;
    ao.port = o_.ports[0];
    ao.codes_csv = o_.codes_csv;
    ao.risk_limit = o_.audit->risk_limit;
    ao.seed = o_.audit->seed;
    ao.truth = o_.audit->truth ? &*o_.audit->truth : &o_.input;
    ao.give_up = o_.give_up;
    ao.hand_count_tallies = o_.audit->hand_count_tallies;
    auto audit = RunAuditScenario(ao);
    if (!audit.ok()) return audit.status();
    report.audit = std::move(audit).value();
  }
  return report;
}

std::string Ms(int64_t us) { return fmt::format("{}.{}", us / 1000, (us % 1000) / 100); }

}  // namespace

bool Report::ok() const {
  if (!reconciliation || !reconciliation->ok) return false;
  if (submissions_lost > 0 || wrong_codes_admitted > 0) return false;
  if (attack && attack->guesses_admitted > 0) return false;
  if (shift && !shift->ok()) return false;
  return fault_outcomes.count("typo ACCEPTED") == 0;
}

json Report::ToJson() const {
  json steps_j = json::object();
  for (const auto& [k, s] : steps) {
    steps_j[k] = {{"count", s.count},   {"first_try", s.first_try}, {"failed", s.failed},
                  {"p50_us", s.p50_us}, {"p90_us", s.p90_us},       {"p99_us", s.p99_us},
                  {"max_us", s.max_us}};
  }
  json out = {{"ok", ok()},
              {"precincts", precincts},
              {"driven", driven},
              {"unmatched", unmatched},
              {"input_unmatched", input_unmatched},
              {"candidates", candidates},
              {"compress", compress},
              {"seed", seed},
              {"workers", workers},
              {"servers", servers},
              {"faults", faults},
              {"steps", steps_j},
              {"requests", requests},
              {"chair_requests", chair_requests},
              {"chair_requests_first_try", chair_requests_first_try},
              {"errors", errors},
              {"refused", refused},
              {"fault_outcomes", fault_outcomes},
              {"wrong_codes_admitted", wrong_codes_admitted},
              {"submissions_lost", submissions_lost},
              {"seconds", seconds},
              {"seconds_to_published", seconds_to_published},
              {"last_report_to_release", last_report_to_release},
              {"last_ack_seq", last_ack_seq},
              {"releases", releases}};
  out["reconciliation"] = reconciliation ? reconciliation->ToJson() : json();
  out["attack"] = attack ? attack->ToJson() : json();
  out["recanvass"] = recanvass ? recanvass->ToJson() : json();
  out["audit"] = audit ? audit->ToJson() : json();
  out["shift"] = shift ? shift->ToJson() : json();
  return out;
}

std::string Report::ToText() const {
  std::string s;
  s += fmt::format(
      "Rehearsal: {} precincts driven of the server's {} ({} without an input report; {} input "
      "reports without a precinct), {} candidates, {} server(s), {} phones at once, seed {}, {}\n",
      driven, precincts, unmatched, input_unmatched, candidates, servers, workers, seed,
      compress > 0 ? fmt::format("the evening {}x faster", compress)
                   : std::string("as fast as the server answers"));
  s += "Faults planned:";
  for (const auto& [k, v] : faults) s += fmt::format(" {} {},", k, v);
  if (!faults.empty()) s.pop_back();
  s += "\n\nstep           count  first try    p50 ms    p90 ms    p99 ms    max ms  gave up\n";
  static const char* kOrder[] = {"login",   "first",      "final",   "ties", "photo", "confirm",
                                 "preview", "correction", "hotline", "read", "policy"};
  for (const char* name : kOrder) {
    auto it = steps.find(name);
    if (it == steps.end()) continue;
    const StepStats& st = it->second;
    s += fmt::format("{:<12} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8}\n", name, st.count,
                     st.first_try, Ms(st.p50_us), Ms(st.p90_us), Ms(st.p99_us), Ms(st.max_us),
                     st.failed);
  }
  const int64_t permyriad =
      chair_requests > 0 ? chair_requests_first_try * 1'000'000 / chair_requests : 0;
  s += fmt::format(
      "\n{} requests; chairs' and operators' {}: {}.{:04}% settled at the first attempt; {} "
      "submissions never acknowledged\n",
      requests, chair_requests, permyriad / 10'000, permyriad % 10'000, submissions_lost);
  s += "Failed attempts (retried):";
  if (errors.empty()) s += " none";
  for (const auto& [k, v] : errors) s += fmt::format("\n  {:>7}  {}", v, k);
  s += "\nRefused by the checks (step: code), as the input holds them:";
  if (refused.empty()) s += " none";
  for (const auto& [k, v] : refused) s += fmt::format("\n  {:>7}  {}", v, k);
  s += "\nFaults and what came of them:";
  if (fault_outcomes.empty()) s += " none";
  for (const auto& [k, v] : fault_outcomes) s += fmt::format("\n  {:>7}  {}", v, k);
  s += fmt::format("\nWrong codes admitted: {}\n", wrong_codes_admitted);
  if (attack) {
    s += fmt::format(
        "Attack, {:.1f} s: {} guessed codes, {} admitted, {} locked out; {} events to "
        "subscribers; {} not-modified answers to readers\n",
        attack->seconds, attack->guesses, attack->guesses_admitted, attack->guesses_locked_out,
        attack->sse_events, attack->reader_not_modified);
    for (const auto& [kind, c] : attack->kinds) {
      s += fmt::format("  {:<11} {:>8} sent, {} no answer:", kind, c.sent, c.transport_failures);
      for (const auto& [st, n] : c.status) s += fmt::format(" {}={}", st, n);
      s += "\n";
    }
  }
  s += fmt::format("\nLast report acknowledged {:.1f} s after the start (ledger seq {}).\n",
                   seconds, last_ack_seq);
  if (seconds_to_published >= 0) {
    s += fmt::format(
        "Published: every acknowledged report is in a release {:.1f} s after the start, {:.2f} s "
        "after the last report ({} releases during the rehearsal).\n",
        seconds_to_published, last_report_to_release, releases);
  } else {
    s += "Published: NO release covers the last acknowledged report.\n";
  }
  if (reconciliation) {
    const Reconciliation& r = *reconciliation;
    s += fmt::format(
        "Reconciliation with release {} (ledger seq {}): {} precincts equal, {} differing, {} "
        "missing, {} extra; {} of {} acknowledged submissions on the ledger ({} missing), {} "
        "written twice; ledger of {} events {}.\n",
        r.release_number, r.release_ledger_seq, r.matched, r.differing, r.missing, r.extra,
        r.acks_found, r.acks, r.acks_missing, r.written_twice, r.events,
        r.chain_ok ? "verified (chain and replay)" : "NOT verified: " + r.chain_problem);
    if (r.computed_checked > 0) {
      s += fmt::format(
          "The rules' delegates (computed by the server with each precinct's cards) compared in "
          "{} precincts ({} held by the anomaly gate show none).\n",
          r.computed_checked, r.computed_held);
    }
    if (r.early_votes_precincts > 0 || r.early_votes_differing > 0) {
      s += fmt::format(
          "Early-vote cards: {} precincts hold the cards file's {} cards on the ledger (equal "
          "SHA-256 of each precinct's list), loaded before any report; {} precincts differ.\n",
          r.early_votes_precincts, r.early_votes_cards, r.early_votes_differing);
    }
    for (const std::string& p : r.problems) s += "  " + p + "\n";
  }
  if (recanvass) s += recanvass->ToText();
  if (audit) s += audit->ToText();
  if (shift) s += shift->ToText();
  s += ok() ? "RESULT: OK, the release equals what was reported, nothing lost, nothing counted "
              "twice.\n"
            : "RESULT: FAILED (see above).\n";
  return s;
}

Result<Report> RunRehearsal(const Options& options) {
  Run run(options);
  return run.Go();
}

}  // namespace canvass::rehearse
