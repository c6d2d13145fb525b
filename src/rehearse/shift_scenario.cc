// The injected column shift: the choice of precincts and shifts before the night, then the
// holds, the two resolutions and the releases read after it.
#include "rehearse/shift_scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "core/json_text.h"
#include "core/random.h"
#include "core/text.h"
#include "http/client.h"
#include "io/csv.h"
#include "ledger/event_types.h"
#include "rehearse/api_call.h"
#include "tabulate/anomaly.h"

namespace canvass::rehearse {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int64_t kMinute = 60'000;  // evening milliseconds
constexpr const char* kCheck = "column-shift";
constexpr const char* kOverrideReason = "the worksheet is the legal record";
constexpr const char* kCorrectionReason =
    "the figures were entered one column off; these are the worksheet's";

// Purposes of the seeded streams (SplitMix64(seed, precinct, purpose)), apart from rehearse.cc's.
constexpr uint64_t kRankStream = 21, kShiftStream = 22, kTimeStream = 23, kTieStream = 24;

std::string Key(const std::string& county, const std::string& precinct) {
  return NormaliseName(county) + '\x1f' + NormaliseName(precinct);
}

// Figures in ballot order as a figures object by name, zero counts left out (as the server keeps
// them); null when `present` is false.
json FiguresJson(const std::vector<std::string>& names, const std::vector<CandidateIndex>& ballot,
                 const std::vector<Count>& v, bool present) {
  if (!present) return json();
  json out = json::object();
  for (size_t k = 0; k < ballot.size(); ++k) {
    if (v[k] != 0) out[names[ballot[k]]] = v[k];
  }
  return out;
}

// The leading number of a score or threshold as the gate prints it ("4376.54 nats").
double Nats(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

// "3, 5-9, 12".
std::string Ranges(const std::vector<int64_t>& v) {
  std::string out;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? std::to_string(v[i]) : fmt::format("{}-{}", v[i], v[j]);
    i = j + 1;
  }
  return out.empty() ? std::string("none") : out;
}

// j[key], or null when j is not an object holding key: the server's answers are read without
// trusting their shape.
const json& Member(const json& j, const char* key) {
  static const json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}
int64_t Int(const json& j, const char* key) {
  const json& v = Member(j, key);
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}
std::string Str(const json& j, const char* key) {
  const json& v = Member(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}
// The elements of j[key], or none.
const json& List(const json& j, const char* key) {
  static const json kEmpty = json::array();
  const json& v = Member(j, key);
  return v.is_array() ? v : kEmpty;
}

// Whether `release`'s reported first-alignment totals of `county` are the sum of that county's
// included precincts, as they must be for a held precinct's figures to be out of them. The reason
// when not.
std::optional<std::string> CountyTotalsProblem(const json& release, const std::string& county) {
  const json& totals = Member(
      Member(Member(Member(Member(release, "tabulation"), "totals"), "reported"), "counties"),
      county.c_str());
  if (!totals.is_object()) return "no reported totals for the county";
  std::map<std::string, int64_t> sum;
  for (const json& p : List(release, "precincts")) {
    if (Str(p, "county") != county || Member(p, "included") != true) continue;
    const json& first = Member(Member(p, "reported"), "first");
    if (!first.is_object()) continue;
    for (const auto& [name, n] : first.items())
      sum[name] += n.is_number_integer() ? n.get<int64_t>() : 0;
  }
  for (const auto& [name, t] : totals.items()) {
    if (Int(t, "first") != sum[name]) {
      return fmt::format(
          "{}'s first alignment is {} in the county's totals, {} in its included precincts", name,
          Int(t, "first"), sum[name]);
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<ShiftInjection>> ChooseShifts(const ShiftChoiceOptions& o) {
  const Election& in = *o.input;
  const size_t n = in.candidates.size();
  AnomalySettings settings;
  if (o.server_candidates.size() != n) {
    return Status::InvalidArgument(fmt::format(
        "--inject-shift: the server's election has {} candidates, the input {}: the shift must be "
        "made in the server's ballot order",
        o.server_candidates.size(), n));
  }
  for (const std::string& name : o.server_candidates) {
    auto c = in.FindCandidate(name);
    if (!c) {
      return Status::InvalidArgument(
          fmt::format("--inject-shift: the server's candidate \"{}\" is not in the input", name));
    }
    settings.ballot_order.push_back(*c);
  }
  CANVASS_RETURN_IF_ERROR(ValidateAnomalySettings(settings, in));
  const std::vector<CandidateIndex>& ballot = settings.ballot_order;
  // Twice the threshold: the gate scores against the county as reported when the release is
  // built, a little less than the whole input.
  const double margin = 2 * settings.shift_threshold_nats;

  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < in.reports.size(); ++i) {
    by_name[Key(in.reports[i].county, in.reports[i].precinct)] = i;
  }
  std::vector<std::pair<uint64_t, const ShiftCandidate*>> order;
  for (const ShiftCandidate& c : o.eligible) {
    order.emplace_back(SplitMix64(o.seed, static_cast<uint64_t>(c.id), kRankStream).Next(), &c);
  }
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  const ShiftBasis basis(in);
  Election scratch = in;  // the precinct being tried is shifted in here, then restored
  std::set<std::string> counties;
  std::vector<ShiftInjection> out;
  int64_t scored = 0;
  for (const auto& [rank, cand] : order) {
    if (static_cast<int64_t>(out.size()) >= o.count) break;
    auto found = by_name.find(Key(cand->county, cand->precinct));
    if (found == by_name.end()) continue;
    const size_t ri = found->second;
    const PrecinctReport& r = in.reports[ri];
    if (counties.count(NormaliseName(r.county)) != 0 || r.figures.size() < n) continue;
    // The truth in ballot order: first, final, delegates.
    std::vector<Count> t[3] = {std::vector<Count>(n), std::vector<Count>(n), std::vector<Count>(n)};
    bool has_delegates = false;
    Count attendance = 0, final_total = 0;
    for (size_t k = 0; k < n; ++k) {
      const CandidateReport& f = r.figures[ballot[k]];
      t[0][k] = f.first.value_or(0);
      t[1][k] = f.final.value_or(0);
      t[2][k] = f.delegates.value_or(0);
      has_delegates = has_delegates || f.delegates.has_value();
      attendance += t[0][k];
      final_total += t[1][k];
    }
    if (attendance < o.min_attendance || final_total == 0 || final_total > attendance) continue;
    ++scored;
    struct Trial {
      size_t start;
      int direction;
      double gain, gain_first;
      std::vector<Count> s[3];
    };
    std::vector<Trial> good;
    for (size_t j = 0; j + 1 < n; ++j) {
      for (int d : {+1, -1}) {
        // The figure the error pushes off the end: 0 in both alignments (and the delegates), so
        // the report counts everyone and is possible on its own.
        const size_t lost = d > 0 ? j : n - 1;
        if (t[0][lost] != 0 || t[1][lost] != 0 || t[2][lost] != 0) continue;
        Trial trial{j, d, 0, 0, {t[0], t[1], t[2]}};
        for (auto& s : trial.s) {
          const std::vector<Count> was = s;
          for (size_t k = j; k < n; ++k) {
            if (d > 0) {
              s[k] = k + 1 < n ? was[k + 1] : 0;
            } else {
              s[k] = k == j ? 0 : was[k - 1];
            }
          }
        }
        if (trial.s[0] == t[0]) continue;  // the first alignment must move: it is scored alone
        PrecinctReport& shifted = scratch.reports[ri];
        for (size_t k = 0; k < n; ++k) {
          shifted.figures[ballot[k]].first = trial.s[0][k];
          shifted.figures[ballot[k]].final = trial.s[1][k];
        }
        trial.gain = basis.Score(scratch, ri, settings).gain;
        for (size_t k = 0; k < n; ++k) shifted.figures[ballot[k]].final.reset();
        trial.gain_first = basis.Score(scratch, ri, settings).gain;
        shifted = r;
        if (trial.gain >= margin && (trial.gain_first >= margin || !o.first_alone_published)) {
          good.push_back(std::move(trial));
        }
      }
    }
    if (good.empty()) continue;
    const Trial& pick =
        good[SplitMix64(o.seed, static_cast<uint64_t>(cand->id), kShiftStream).Below(good.size())];
    ShiftInjection s;
    s.id = cand->id;
    s.county = r.county;
    s.precinct = r.precinct;
    s.first = FiguresJson(in.candidates, ballot, pick.s[0], true);
    s.final = FiguresJson(in.candidates, ballot, pick.s[1], true);
    s.delegates = FiguresJson(in.candidates, ballot, pick.s[2], has_delegates);
    s.true_first = FiguresJson(in.candidates, ballot, t[0], true);
    s.true_final = FiguresJson(in.candidates, ballot, t[1], true);
    s.true_delegates = FiguresJson(in.candidates, ballot, t[2], has_delegates);
    s.start = pick.start;
    s.direction = pick.direction;
    const std::string& at = in.candidates[ballot[pick.start]];
    s.description =
        pick.direction > 0
            ? fmt::format("from {} on, one column to the left (under {})",
                          in.candidates[ballot[pick.start + 1]], at)
            : fmt::format("from {} on, one column to the right ({} left empty)", at, at);
    s.gain = pick.gain;
    s.gain_first = pick.gain_first;
    s.attendance = attendance;
    json preview = {{"first", s.first}, {"final", s.final}};
    if (!s.delegates.is_null()) preview["delegates"] = s.delegates;
    if (o.accepted && !o.accepted(s.id, preview)) continue;
    // After every other first alignment (from 19:25 to 20:25): the county's shares are in.
    SplitMix64 rng(o.seed, static_cast<uint64_t>(s.id), kTimeStream);
    s.first_at = 90 * kMinute + static_cast<int64_t>(rng.Below(30 * kMinute));
    s.final_at = s.first_at + 10 * kMinute + static_cast<int64_t>(rng.Below(20 * kMinute));
    counties.insert(NormaliseName(r.county));
    out.push_back(std::move(s));
  }
  if (static_cast<int64_t>(out.size()) < o.count) {
    return Status::FailedPrecondition(fmt::format(
        "--inject-shift {}: only {} precincts can carry a column shift the check must flag (of {} "
        "driven by a chair without other faults and with at least {} attendees: one per county, a "
        "shift that loses nobody and scores {} nats or more{}, the server's preview accepting it)",
        o.count, out.size(), scored, o.min_attendance, margin,
        o.first_alone_published
            ? " from the first alignment alone too, as releases may come between the alignments; "
              "with --publish manual the first alignment alone need not"
            : ""));
  }
  return out;
}

namespace {

class Resolver {
 public:
  explicit Resolver(const ShiftResolveOptions& o) : o_(o), http_(o.host, o.port) {}
  Result<ShiftResolution> Go();

 private:
  struct Person {
    std::string code, token, address;
  };

  ApiReply Call(Person* who, const std::string& method, const std::string& target,
                const json& body = json());
  // GET /api/v1/releases/{number}, its entries ("precincts") read from its records when beside.
  ApiReply GetRelease(int64_t number);
  bool Login(Person& p);
  void Ack(const ApiReply& r, const std::string& submission);
  std::string Sid(int64_t id, const std::string& what) const {
    return fmt::format("rehearsal-shift-{}-{}-{}", nonce_, id, what);
  }
  std::string Refusal(const ApiReply& r) const {
    return r.status == 0
               ? std::string("no answer")
               : fmt::format("{} {}: {}", r.status, r.code.empty() ? "-" : r.code, r.message);
  }
  std::string Name(const ShiftInjection& s) const {
    return fmt::format("precinct {} ({} / {})", s.id, s.county, s.precinct);
  }
  // The first release whose prefix reaches `seq` (0, and a problem, when none comes in time).
  int64_t WaitForRelease(int64_t seq, const std::string& what);
  json Holds();
  void Correct(const ShiftInjection& s, ShiftOutcome& out);
  void Override(const ShiftInjection& s, ShiftOutcome& out);

  const ShiftResolveOptions& o_;
  HttpClient http_;
  Person admin_;
  std::map<int64_t, Person> chairs_;
  int64_t nonce_ = 0;
  ShiftResolution result_;
};

ApiReply Resolver::Call(Person* who, const std::string& method, const std::string& target,
                        const json& body) {
  return CallApi(http_, who != nullptr ? who->token : std::string(), method, target, body,
                 o_.give_up, [&] { http_.SetLocalAddress(who != nullptr ? who->address : ""); });
}

ApiReply Resolver::GetRelease(int64_t number) {
  ApiReply r = Call(nullptr, "GET", fmt::format("/api/v1/releases/{}", number));
  if (r.status != 200 || !r.body.is_object() || r.body.contains("precincts")) return r;
  // Its precinct entries are beside it (release-N-records.jsonl, a line each): put in the
  // document read here, as releases before that format held them.
  ApiReply records = Call(nullptr, "GET", fmt::format("/api/v1/releases/{}/records.jsonl", number));
  if (records.status != 200) return records;
  auto list = ParseJsonLines(records.text);
  if (!list.ok()) {  // said as the release's answer, which the caller reports
    records.body = json();
    records.code = "records-unreadable";
    records.message = fmt::format("release-{}-records.jsonl: {}", number, list.status().message());
    return records;
  }
  r.body["precincts"] = std::move(list).value();
  return r;
}

bool Resolver::Login(Person& p) {
  if (!p.token.empty()) return true;
  ApiReply r = Call(&p, "POST", "/api/v1/session", json{{"code", p.code}});
  if (r.status != 200 || !Member(r.body, "token").is_string()) return false;
  p.token = r.body["token"].get<std::string>();
  return true;
}

void Resolver::Ack(const ApiReply& r, const std::string& submission) {
  const json& receipt = Member(r.body, "receipt");
  if ((r.status != 200 && r.status != 201) || !receipt.is_object()) return;
  Acknowledged ack;
  ack.submission = submission;
  ack.seq = Int(receipt, "seq");
  ack.event_type = Str(receipt, "event");
  result_.acks.push_back(std::move(ack));
}

int64_t Resolver::WaitForRelease(int64_t seq, const std::string& what) {
  if (o_.ask_for_releases) {
    ApiReply r = Call(&admin_, "POST", "/api/v1/releases", json::object());
    if (r.status != 200 && r.status != 201) {
      result_.report.problems.push_back(
          fmt::format("asking for the release {}: {}", what, Refusal(r)));
    }
  }
  const auto deadline = Clock::now() + o_.publish_timeout;
  for (;;) {
    ApiReply r = Call(nullptr, "GET", "/api/v1/releases");
    for (const json& rel : List(r.body, "releases")) {
      if (Int(rel, "ledger_seq") >= seq) return Int(rel, "number");
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  result_.report.problems.push_back(fmt::format("no release {} (ledger seq {}) within {} s", what,
                                                seq, o_.publish_timeout.count()));
  return 0;
}

json Resolver::Holds() {
  ApiReply r = Call(&admin_, "GET", "/api/v1/holds");
  if (r.status != 200 || !Member(r.body, "held").is_array()) {
    result_.report.problems.push_back("GET /api/v1/holds answered " + Refusal(r));
    return json();
  }
  return r.body;
}

void Resolver::Correct(const ShiftInjection& s, ShiftOutcome& out) {
  auto chair = chairs_.find(s.id);
  if (chair == chairs_.end() || !Login(chair->second)) {
    result_.report.problems.push_back(Name(s) + ": its chair could not log in to correct it");
    return;
  }
  Person* who = &chair->second;
  const std::string base = fmt::format("/api/v1/precincts/{}/", s.id);
  json body = {{"submission", Sid(s.id, "correction")},
               {"reason", kCorrectionReason},
               {"first", s.true_first},
               {"final", s.true_final}};
  if (!s.true_delegates.is_null()) body["delegates"] = s.true_delegates;
  ApiReply r = Call(who, "POST", base + "corrections", body);
  if (r.status != 200 && r.status != 201) {
    result_.report.problems.push_back(Name(s) + ": the correction was refused, " + Refusal(r));
    return;
  }
  Ack(r, Sid(s.id, "correction"));
  out.resolution = "corrected";
  out.resolved_seq = Int(Member(r.body, "receipt"), "seq");
  json precinct = Member(r.body, "precinct");
  ShiftCorrected c;
  c.id = s.id;
  c.first = s.true_first;
  c.final = s.true_final;
  c.delegates = s.true_delegates;
  c.revision = Int(precinct, "revision");
  // A tie the true figures leave, settled again as at the caucus site: the groups the worksheet
  // shows with more delegates favoured, otherwise a seeded coin.
  SplitMix64 coin(o_.seed, static_cast<uint64_t>(s.id), kTieStream);
  for (int round = 0; round < 16; ++round) {
    const json pending = Member(Member(precinct, "ties"), "pending");
    if (!pending.is_object()) break;
    std::vector<std::tuple<int64_t, uint64_t, std::string>> order;
    json tied = json::array();
    for (const json& name : List(pending, "candidates")) {
      const std::string n = name.is_string() ? name.get<std::string>() : std::string();
      const int64_t d = Int(s.true_delegates, n.c_str());
      order.emplace_back(-d, coin.Next(), n);
      tied.push_back(n);
    }
    std::sort(order.begin(), order.end());
    const int64_t at_stake = Int(pending, "delegates_at_stake");
    const int64_t want =
        Str(pending, "kind") == "gain" ? at_stake : static_cast<int64_t>(order.size()) - at_stake;
    json favoured = json::array();
    for (int64_t i = 0; i < want && i < static_cast<int64_t>(order.size()); ++i) {
      favoured.push_back(std::get<2>(order[static_cast<size_t>(i)]));
    }
    const std::string sid = Sid(s.id, fmt::format("tie-{}", round));
    ApiReply t = Call(who, "POST", base + "ties",
                      json{{"submission", sid},
                           {"tied", tied},
                           {"favoured", favoured},
                           {"detail", "coin toss at the caucus site, again"}});
    if (t.status != 200 && t.status != 201) {
      result_.report.problems.push_back(Name(s) + ": settling the tie was refused, " + Refusal(t));
      break;
    }
    Ack(t, sid);
    precinct = Member(t.body, "precinct");
  }
  json acknowledged = json::array();
  for (const json& f : List(precinct, "findings")) {
    if (Str(f, "severity") == "error") acknowledged.push_back(Str(f, "code"));
  }
  const std::string sid = Sid(s.id, "confirm");
  json confirm = {{"submission", sid}, {"revision", c.revision}};
  if (!acknowledged.empty()) confirm["acknowledged"] = acknowledged;
  ApiReply k = Call(who, "POST", base + "confirm", confirm);
  if (k.status == 200 || k.status == 201) {
    Ack(k, sid);
    c.confirmed = true;
  } else {
    result_.report.problems.push_back(Name(s) + ": confirming the correction was refused, " +
                                      Refusal(k));
  }
  result_.corrected.push_back(std::move(c));
}

void Resolver::Override(const ShiftInjection& s, ShiftOutcome& out) {
  const std::string sid = Sid(s.id, "override");
  json body = {
      {"submission", sid}, {"precinct", s.id}, {"check", kCheck}, {"reason", kOverrideReason}};
  if (out.revision > 0) body["revision"] = out.revision;
  ApiReply r = Call(&admin_, "POST", "/api/v1/holds", body);
  if (r.status != 200 && r.status != 201) {
    result_.report.problems.push_back(Name(s) + ": the anomaly override was refused, " +
                                      Refusal(r));
    return;
  }
  Ack(r, sid);
  out.resolution = "overridden";
  out.resolved_seq = Int(Member(r.body, "receipt"), "seq");
}

Result<ShiftResolution> Resolver::Go() {
  CsvReader csv(o_.codes_csv, "code sheet");
  bool has = false;
  CANVASS_RETURN_IF_ERROR(csv.Next(&has));
  if (!has || csv.size() != 5 || csv[0] != "role" || csv[4] != "code") {
    return Status::ParseError("not a code sheet (role,subject,label,credential,code)");
  }
  int chairs = 0;
  for (;;) {
    CANVASS_RETURN_IF_ERROR(csv.Next(&has));
    if (!has) break;
    if (csv.size() != 5) return Status::ParseError("code sheet: a row without five fields");
    if (csv[0] == role::kAdmin && admin_.code.empty()) {
      admin_ = Person{std::string(csv[4]), "", "127.44.0.1"};
    } else if (csv[0] == role::kChair) {
      for (const ShiftInjection& s : o_.injections) {
        if (csv[1] == std::to_string(s.id)) {
          chairs_[s.id] = Person{std::string(csv[4]), "", fmt::format("127.44.1.{}", ++chairs)};
        }
      }
    }
  }
  if (admin_.code.empty() || !Login(admin_)) {
    return Status::FailedPrecondition(
        "--inject-shift: the code sheet's administrator could not log in to resolve the holds");
  }
  nonce_ = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  ShiftScenarioReport& report = result_.report;
  report.requested = static_cast<int64_t>(o_.injections.size());
  for (const ShiftInjection& s : o_.injections) {
    ShiftOutcome out;
    out.id = s.id;
    out.county = s.county;
    out.precinct = s.precinct;
    out.description = s.description;
    out.attendance = s.attendance;
    report.precincts.push_back(std::move(out));
  }

  // The release covering the night, and the administrator's queue.
  const int64_t night = WaitForRelease(o_.night_seq, "covering the night");
  json night_release;
  if (night > 0) {
    ApiReply r = GetRelease(night);
    night_release = r.body;
    if (r.status != 200) {
      report.problems.push_back(fmt::format("GET release {} answered {}", night, Refusal(r)));
    }
  }
  const json holds = Holds();
  std::set<int64_t> other;
  for (const json& h : List(holds, "held")) {
    const int64_t id = Int(h, "precinct");
    bool injected = false;
    for (const ShiftInjection& s : o_.injections) injected = injected || s.id == id;
    if (!injected) other.insert(id);
  }
  report.other_holds = static_cast<int64_t>(other.size());
  auto entry_of = [](const json& release, int64_t id) -> const json& {
    static const json kNull;
    const json& list = Member(release, "precincts");
    if (!list.is_array()) return kNull;
    // Precincts are listed in id order, from 1.
    const size_t at = static_cast<size_t>(id - 1);
    if (id >= 1 && at < list.size() && Int(list[at], "id") == id) return list[at];
    for (const json& p : list) {
      if (Int(p, "id") == id) return p;
    }
    return kNull;
  };
  auto listed = [](const json& release, const char* list, int64_t id) -> const json* {
    for (const json& h : List(release, list)) {
      if (Int(h, "precinct") == id && Str(h, "check") == kCheck) {
        return &h;
      }
    }
    return nullptr;
  };
  auto in_reporting = [](const json& release, int64_t id) {
    for (const json& x : List(Member(release, "reporting"), "in")) {
      if (x.is_number_integer() && x.get<int64_t>() == id) return true;
    }
    return false;
  };

  for (size_t i = 0; i < o_.injections.size(); ++i) {
    const ShiftInjection& s = o_.injections[i];
    ShiftOutcome& out = report.precincts[i];
    const json& reported = Member(entry_of(night_release, s.id), "reported");
    out.accepted = Member(reported, "first") == s.first && Member(reported, "final") == s.final;
    if (night > 0 && !out.accepted) {
      report.problems.push_back(fmt::format(
          "{}: release {} does not have the shifted report (the night's report was refused or "
          "not sent: {})",
          Name(s), night, reported.dump()));
      continue;
    }
    if (out.accepted) ++report.injected;
    const json* queued = nullptr;
    for (const json& h : List(holds, "held")) {
      if (Int(h, "precinct") == s.id && Str(h, "check") == kCheck) {
        queued = &h;
      }
    }
    if (queued == nullptr) {
      report.problems.push_back(Name(s) + ": not held after the night (GET /api/v1/holds)");
    } else {
      out.score = Str(*queued, "score");
      out.threshold = Str(*queued, "threshold");
      out.revision = Int(*queued, "revision");
      if (!(Nats(out.score) > Nats(out.threshold))) {
        report.problems.push_back(
            fmt::format("{}: held with a score of {}, not above its threshold {}", Name(s),
                        out.score, out.threshold));
      }
    }
    const bool held_then = listed(night_release, "held", s.id) != nullptr &&
                           Member(Member(entry_of(night_release, s.id), "flags"), "held") == true &&
                           !in_reporting(night_release, s.id);
    if (night > 0 && !held_then) {
      report.problems.push_back(fmt::format(
          "{}: release {}, the first after the night, does not hold it (its \"held\" list, "
          "flags.held, out of reporting.in)",
          Name(s), night));
    }
    if (queued != nullptr && held_then) ++report.held;
  }

  // The two resolutions: the first precinct corrected by its chair, the others overridden.
  bool first = true;
  for (size_t i = 0; i < o_.injections.size(); ++i) {
    if (!report.precincts[i].accepted) continue;
    if (first) {
      Correct(o_.injections[i], report.precincts[i]);
    } else {
      Override(o_.injections[i], report.precincts[i]);
    }
    first = false;
  }
  int64_t resolved_seq = o_.night_seq;
  for (const Acknowledged& a : result_.acks) resolved_seq = std::max(resolved_seq, a.seq);
  const int64_t after =
      result_.acks.empty() ? night : WaitForRelease(resolved_seq, "covering the resolutions");

  // Every release of the night and after it, for each injected report: held while shifted and
  // unresolved, counted only once overridden or corrected.
  json last_release;
  for (int64_t number = o_.releases_before + 1; number <= after; ++number) {
    ApiReply r = GetRelease(number);
    if (r.status != 200 || !r.body.is_object()) {
      report.problems.push_back(fmt::format("GET release {} answered {}", number, Refusal(r)));
      continue;
    }
    ++report.releases_read;
    for (size_t i = 0; i < o_.injections.size(); ++i) {
      const ShiftInjection& s = o_.injections[i];
      ShiftOutcome& out = report.precincts[i];
      const json& entry = entry_of(r.body, s.id);
      const json& reported = Member(entry, "reported");
      const bool shifted = Member(reported, "first") == s.first;
      const bool counted = Member(entry, "included") == true || in_reporting(r.body, s.id);
      const bool overridden = listed(r.body, "overrides", s.id) != nullptr;
      if (shifted && Member(Member(entry, "flags"), "held") == true &&
          listed(r.body, "held", s.id) != nullptr) {
        out.held_in.push_back(number);
        if (auto why = CountyTotalsProblem(r.body, Str(entry, "county"))) {
          report.problems.push_back(
              fmt::format("{}: release {} holds it, but its county's totals do not add up: {}",
                          Name(s), number, *why));
        }
      }
      if (shifted && counted && !overridden) {
        out.counted_unresolved.push_back(number);
      }
      const bool corrected =
          Member(reported, "first") == s.true_first && Member(reported, "final") == s.true_final;
      if (counted && out.published_in == 0 && ((shifted && overridden) || corrected)) {
        out.published_in = number;
      }
    }
    if (number == after) last_release = std::move(r.body);
  }

  const json holds_after = Holds();
  for (size_t i = 0; i < o_.injections.size(); ++i) {
    const ShiftInjection& s = o_.injections[i];
    ShiftOutcome& out = report.precincts[i];
    if (!out.accepted) continue;
    if (!out.counted_unresolved.empty()) {
      report.problems.push_back(
          fmt::format("{}: its shifted figures were counted, unresolved, in release(s) {}", Name(s),
                      Ranges(out.counted_unresolved)));
    }
    if (out.held_in.empty()) {
      report.problems.push_back(Name(s) + ": never held by a release");
    }
    for (const json& h : List(holds_after, "held")) {
      if (Int(h, "precinct") == s.id) {
        report.problems.push_back(fmt::format("{}: still held after it was {} ({})", Name(s),
                                              out.resolution.empty() ? "left" : out.resolution,
                                              Str(h, "check")));
      }
    }
    if (out.resolution.empty() || after == 0) continue;
    const json& entry = entry_of(last_release, s.id);
    const json& reported = Member(entry, "reported");
    const bool counted = Member(entry, "included") == true && in_reporting(last_release, s.id) &&
                         Member(Member(entry, "flags"), "held") == false;
    if (out.resolution == "corrected") {
      const bool right =
          Member(reported, "first") == s.true_first && Member(reported, "final") == s.true_final &&
          (s.true_delegates.is_null() || Member(reported, "delegates") == s.true_delegates);
      if (counted && right) {
        ++report.corrected;
      } else {
        report.problems.push_back(fmt::format(
            "{}: release {} does not count the corrected figures (included {}, reported {})",
            Name(s), after, counted, reported.dump()));
      }
    } else {
      const json* o = listed(last_release, "overrides", s.id);
      const bool reasoned =
          o != nullptr && Member(Member(*o, "override"), "reason") == kOverrideReason;
      if (counted && reasoned && Member(reported, "first") == s.first) {
        ++report.overridden;
      } else {
        report.problems.push_back(fmt::format(
            "{}: release {} does not count it as reported under the override (included {}, in "
            "\"overrides\" with the reason {})",
            Name(s), after, counted, reasoned));
      }
    }
  }
  return std::move(result_);
}

}  // namespace

Result<ShiftResolution> ResolveShifts(const ShiftResolveOptions& options) {
  Resolver r(options);
  return r.Go();
}

json ShiftScenarioReport::ToJson() const {
  json list = json::array();
  for (const ShiftOutcome& p : precincts) {
    list.push_back({{"id", p.id},
                    {"county", p.county},
                    {"precinct", p.precinct},
                    {"shift", p.description},
                    {"attendance", p.attendance},
                    {"accepted", p.accepted},
                    {"score", p.score},
                    {"threshold", p.threshold},
                    {"revision", p.revision},
                    {"held_in", p.held_in},
                    {"resolution", p.resolution},
                    {"resolved_seq", p.resolved_seq},
                    {"published_in", p.published_in},
                    {"counted_unresolved", p.counted_unresolved}});
  }
  return {{"ok", ok()},
          {"requested", requested},
          {"injected", injected},
          {"held", held},
          {"corrected", corrected},
          {"overridden", overridden},
          {"releases_read", releases_read},
          {"other_holds", other_holds},
          {"precincts", list},
          {"problems", problems}};
}

std::string ShiftScenarioReport::ToText() const {
  std::string s = fmt::format(
      "\nInjected column shifts: {} asked, {} reported shifted and accepted, {} held by the "
      "release after the night, {} corrected, {} overridden; {} releases read; {} other "
      "precinct(s) held, not injected\n",
      requested, injected, held, corrected, overridden, releases_read, other_holds);
  for (const ShiftOutcome& p : precincts) {
    s += fmt::format("  {} / {} (precinct {}, {} attendees): {}\n", p.county, p.precinct, p.id,
                     p.attendance, p.description);
    s += fmt::format(
        "    held at revision {}: {} (threshold {}), in releases {}; {}{}; counted unresolved in "
        "releases {}\n",
        p.revision, p.score.empty() ? "-" : p.score, p.threshold.empty() ? "-" : p.threshold,
        Ranges(p.held_in), p.resolution.empty() ? "not resolved" : p.resolution,
        p.published_in > 0
            ? fmt::format(" (event {}), counted from release {}", p.resolved_seq, p.published_in)
            : std::string(", never counted"),
        Ranges(p.counted_unresolved));
  }
  for (const std::string& p : problems) s += "  PROBLEM: " + p + "\n";
  return s;
}

}  // namespace canvass::rehearse
