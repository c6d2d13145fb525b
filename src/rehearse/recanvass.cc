// The recanvass scenario: which precincts differ, who asks, the party's acceptance and worksheet
// entries over the API, then the record's classification and the comparison with the certified
// record.
#include "rehearse/recanvass.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <tuple>

#include "core/rational.h"
#include "core/text.h"
#include "http/client.h"
#include "io/csv.h"
#include "ledger/event_types.h"
#include "rehearse/api_call.h"

namespace canvass::rehearse {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kCountWhy =
    "count: the certified worksheet's own counts cannot be right; only a recount of the cards "
    "can settle it (a recanvass may not correct it in 2020)";

struct Reply : ApiReply {
  std::string Refusal() const {
    return status == 0 ? std::string("no answer")
                       : fmt::format("{} {}: {}", status, code.empty() ? "-" : code, message);
  }
};

struct Person {
  std::string subject;
  std::string code;
  std::string token;
  std::string address;  // a loopback address of its own: the server limits per address
};

// j[key] when j is an object holding an object there; an empty object otherwise (a precinct
// not reported has "reported": null).
json Obj(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_object()) return json::object();
  return j[key];
}

std::string Key(const std::string& county, const std::string& precinct) {
  return NormaliseName(county) + '\x1f' + NormaliseName(precinct);
}

// An SDE as the releases print it: four places.
std::string Sde4(const std::optional<Rational>& sde) {
  return sde ? sde->ToDecimal(4) : Rational(0).ToDecimal(4);
}

// The county delegates `sde` stands for at `per_delegate` SDEs each: the whole number k whose
// k x per_delegate prints as the same four places. Nothing when there is none (the certified SDE
// of a satellite, or a figure that is not a whole number of delegates).
std::optional<Count> DelegatesFor(const std::string& sde4, const Rational& per_delegate) {
  auto sde = Rational::Parse(sde4);
  if (!sde.ok() || sde->is_negative() || per_delegate.num() <= 0) return std::nullopt;
  if (sde->is_zero()) return 0;
  const Rational ratio = *sde / per_delegate;
  const int64_t k = (ratio + Rational(1, 2)).Floor();
  if (k <= 0 || (Rational(k) * per_delegate).ToDecimal(4) != sde4) return std::nullopt;
  return k;
}

class Scenario {
 public:
  explicit Scenario(const RecanvassOptions& o) : o_(o), http_(o.host, o.port) {}
  Result<RecanvassReport> Go();

 private:
  struct Target {
    int64_t id = 0;
    const PrecinctReport* feb = nullptr;
    const PrecinctReport* cert = nullptr;
    json server;  // GET /api/v1/precincts/{id}
  };

  Reply Call(const Person* who, const std::string& method, const std::string& target,
             const json& body = json());
  Status ReadCodes();
  Person* Login(std::string_view role, const std::string& subject);
  Status OpenWindow();
  std::string CampaignFor(const Target& t) const;
  json Claims(const Target& t) const;
  json Worksheet(const Target& t) const;
  void Request(Target& t, RecanvassPrecinct& out);
  void Compare(const Target& t, const json& audit_entry, RecanvassPrecinct& out);

  // The certified figure of candidate c, by field.
  static Count Head(const PrecinctReport& r, size_t c, bool final) {
    if (c >= r.figures.size()) return 0;
    return (final ? r.figures[c].final : r.figures[c].first).value_or(0);
  }

  const RecanvassOptions& o_;
  HttpClient http_;
  std::map<std::string, std::map<std::string, Person>> people_;  // role -> subject -> person
  std::string nonce_;
  RecanvassReport report_;
};

Reply Scenario::Call(const Person* who, const std::string& method, const std::string& target,
                     const json& body) {
  Reply reply;
  static_cast<ApiReply&>(reply) = CallApi(
      http_, who != nullptr ? who->token : std::string(), method, target, body, o_.give_up,
      [&] {
        ++report_.calls;
        if (who != nullptr) http_.SetLocalAddress(who->address);
      },
      [&](const std::string& retried) { ++report_.retried[retried]; });
  return reply;
}

Status Scenario::ReadCodes() {
  CsvReader r(o_.codes_csv, "code sheet");
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  if (!has || r.size() != 5 || r[0] != "role" || r[4] != "code") {
    return Status::ParseError("not a code sheet (role,subject,label,credential,code)");
  }
  int n = 0;
  for (;;) {
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    const std::string role(r[0]);
    if (role != role::kAdmin && role != role::kCampaign) continue;
    Person p{std::string(r[1]), std::string(r[4]), "", fmt::format("127.43.0.{}", ++n)};
    if (n > 250) return Status::InvalidArgument("the code sheet has more than 250 campaigns");
    people_[role].emplace(p.subject, std::move(p));
  }
  if (people_[std::string(role::kAdmin)].empty()) {
    return Status::InvalidArgument("the code sheet has no administrator to decide the requests");
  }
  return Status::Ok();
}

Person* Scenario::Login(std::string_view role, const std::string& subject) {
  auto& of_role = people_[std::string(role)];
  auto it = subject.empty() ? of_role.begin() : of_role.find(subject);
  if (it == of_role.end()) return nullptr;
  Person& p = it->second;
  if (p.token.empty()) {
    Reply r = Call(&p, "POST", "/api/v1/session", json{{"code", p.code}});
    if (r.status != 200 || !r.body.contains("token")) return nullptr;
    p.token = r.body["token"].get<std::string>();
  }
  return &p;
}

// The request window opens with the first complete release; asks for one when every precinct has
// its final alignment and none is published yet.
Status Scenario::OpenWindow() {
  Person* admin = Login(role::kAdmin, "");
  if (admin == nullptr) return Status::FailedPrecondition("the administrator could not log in");
  const auto until = Clock::now() + o_.publish_timeout;
  bool asked = false;
  for (;;) {
    Reply audit = Call(nullptr, "GET", "/api/v1/audit");
    if (audit.status != 200 || !audit.body.is_object()) {
      return Status::FailedPrecondition("GET /api/v1/audit answered " + audit.Refusal());
    }
    if (audit.body.value("deadline", json()).is_string()) {
      report_.deadline = audit.body["deadline"].get<std::string>();
      return Status::Ok();
    }
    if (report_.missing_final > 0 || Clock::now() >= until) return Status::Ok();
    if (!asked) {
      asked = true;
      (void)Call(admin, "POST", "/api/v1/releases", json::object());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string Scenario::CampaignFor(const Target& t) const {
  const std::vector<std::string>& names = o_.certified->candidates;
  std::tuple<Rational, Count, Count> best{Rational(0), 0, 0};
  std::string who;
  for (size_t c = 0; c < names.size(); ++c) {
    auto feb_c = o_.reported->FindCandidate(names[c]);
    const CandidateReport none;
    const CandidateReport& a =
        feb_c && *feb_c < t.feb->figures.size() ? t.feb->figures[*feb_c] : none;
    const CandidateReport& b = c < t.cert->figures.size() ? t.cert->figures[c] : none;
    const Rational sde = *Rational::Parse(Sde4(b.sde)) - *Rational::Parse(Sde4(a.sde));
    std::tuple<Rational, Count, Count> gain{sde, b.final.value_or(0) - a.final.value_or(0),
                                            b.first.value_or(0) - a.first.value_or(0)};
    if (a.first.value_or(0) == b.first.value_or(0) && a.final.value_or(0) == b.final.value_or(0) &&
        Sde4(a.sde) == Sde4(b.sde)) {
      continue;  // only a campaign whose figures change asks
    }
    if (who.empty() || gain > best) {
      best = gain;
      who = names[c];
    }
  }
  return who;
}

// The head counts the certified record changes, against the figures on the record now.
json Scenario::Claims(const Target& t) const {
  json claims = json::array();
  const json reported = Obj(t.server, "reported");
  for (const char* field : {"first", "final"}) {
    const json now = reported.value(field, json());
    if (!now.is_object()) continue;
    for (size_t c = 0; c < o_.certified->candidates.size(); ++c) {
      const std::string& name = o_.certified->candidates[c];
      const int64_t was = now.value(name, int64_t{0});
      const int64_t claimed = Head(*t.cert, c, std::string(field) == "final");
      if (claimed != was) {
        claims.push_back(
            {{"field", field}, {"candidate", name}, {"reported", was}, {"claimed", claimed}});
      }
    }
  }
  return claims;
}

// The certified figures as the signed worksheet: first, final, and the county delegates the
// certified SDEs stand for, when every one of them is a whole number of the precinct's delegates.
json Scenario::Worksheet(const Target& t) const {
  json first = json::object(), final = json::object(), delegates = json::object();
  bool whole = false;
  std::optional<Rational> per;
  if (t.server.value("sde_per_delegate", json()).is_string()) {
    auto parsed = Rational::Parse(t.server["sde_per_delegate"].get<std::string>());
    if (parsed.ok()) per = *parsed;
  }
  whole = per.has_value() && !t.server.value("satellite", false);
  for (size_t c = 0; c < o_.certified->candidates.size(); ++c) {
    const std::string& name = o_.certified->candidates[c];
    if (Count v = Head(*t.cert, c, false); v != 0) first[name] = v;
    if (Count v = Head(*t.cert, c, true); v != 0) final[name] = v;
    if (!whole) continue;
    const std::optional<Rational>& sde =
        c < t.cert->figures.size() ? t.cert->figures[c].sde : std::nullopt;
    auto k = DelegatesFor(Sde4(sde), *per);
    if (!k) {
      whole = false;
    } else if (*k != 0) {
      delegates[name] = *k;
    }
  }
  json sheet = {{"first", first}, {"final", final}};
  if (whole && !delegates.empty()) sheet["delegates"] = delegates;
  return sheet;
}

void Scenario::Request(Target& t, RecanvassPrecinct& out) {
  out.campaign = CampaignFor(t);
  Person* campaign = Login(role::kCampaign, out.campaign);
  if (campaign == nullptr) {
    out.refused = "the " + out.campaign + " campaign has no code on the sheet, or could not log in";
    ++report_.refusals["no-campaign-code"];
    ++report_.refused;
    return;
  }
  ++report_.by_campaign[out.campaign];
  ++report_.requested;
  json claims = Claims(t);
  out.claims = static_cast<int>(claims.size());
  auto file = [&](const json& with, const std::string& tag) {
    json body = {{"submission", fmt::format("recanvass-{}-{}-{}", nonce_, t.id, tag)},
                 {"kind", "recanvass"},
                 {"reason", "the certified worksheet differs from the reported figures"},
                 {"precincts", json::array({{{"precinct", t.id}}})}};
    if (!with.empty()) body["precincts"][0]["claims"] = with;
    return Call(campaign, "POST", "/api/v1/reviews", body);
  };
  auto ok = [](const Reply& r) { return r.status == 201 || r.status == 200; };
  Reply r = file(claims, "claims");
  // Claimed figures the rules cannot accept do not stop the request: the campaign asks for the
  // recanvass without them, as it may. The first refusal stays in the report.
  if (!ok(r) && r.code == "impossible-claim" && !claims.empty()) {
    out.refused = r.Refusal();
    ++report_.refusals[r.code];
    ++report_.filed_again;
    out.claims = 0;
    r = file(json::array(), "plain");
  }
  if (!ok(r)) {
    out.refused = r.Refusal();
    ++report_.refusals[r.status == 0 ? "no answer" : r.code];
    ++report_.refused;
    return;
  }
  out.request = Obj(r.body, "receipt").value("seq", int64_t{0});
  Person* admin = Login(role::kAdmin, "");
  Reply d = Call(admin, "POST", fmt::format("/api/v1/reviews/{}/decisions", out.request),
                 {{"submission", fmt::format("recanvass-{}-{}-decision", nonce_, t.id)},
                  {"precinct", t.id},
                  {"decision", "accepted"},
                  {"reason", "the worksheet is on file"}});
  if (d.status != 201 && d.status != 200) {
    out.why = "the decision was refused: " + d.Refusal();
    return;
  }
  out.accepted = true;
  ++report_.accepted;
  Reply e = Call(admin, "POST", fmt::format("/api/v1/reviews/{}/recanvass", out.request),
                 {{"submission", fmt::format("recanvass-{}-{}-entry", nonce_, t.id)},
                  {"precinct", t.id},
                  {"worksheet", Worksheet(t)},
                  {"note", "the certified record's figures"}});
  if (e.status != 201 && e.status != 200) {
    out.why = "the worksheet was refused: " + e.Refusal();
    return;
  }
  ++report_.entered;
}

// The entry's layers from the audit record, then the figures on the record against the certified
// ones.
void Scenario::Compare(const Target& t, const json& audit, RecanvassPrecinct& out) {
  bool count = false;
  std::string count_reason;
  if (audit.is_object()) {
    out.entry = audit.value("seq", int64_t{0});
    for (const json& layer : audit.value("layers", json::array())) {
      const std::string name = layer.value("layer", std::string());
      out.layers.push_back(name);
      ++report_.layers[name];
      if (name == "count") {
        count = true;
        count_reason = layer.value("reason", std::string());
      }
    }
    if (out.layers.empty()) ++report_.layers["none"];
    const json correction = audit.value("correction", json());
    if (correction.is_object()) {
      for (const json& l : correction.value("layers", json::array())) {
        out.corrected.push_back(l.get<std::string>());
      }
      if (correction.value("seq", json()).is_number_integer()) {
        out.correction = correction["seq"].get<int64_t>();
        ++report_.corrected;
      }
    }
  }
  Reply now = Call(nullptr, "GET", fmt::format("/api/v1/precincts/{}", t.id));
  if (now.status != 200 || !now.body.is_object()) {
    out.mismatches.push_back("the precinct could not be read: " + now.Refusal());
    out.why = "unread";
    return;
  }
  const json reported = Obj(now.body, "reported");
  json delegates = Obj(reported, "delegates");
  if (delegates.empty()) delegates = Obj(Obj(now.body, "computed"), "delegates");
  const json sheet = Worksheet(t);
  for (const char* field : {"first", "final", "delegates"}) {
    const json have = std::string(field) == "delegates" ? delegates : reported.value(field, json());
    if (!sheet.contains(field)) continue;  // delegates: the certified SDEs give none
    for (size_t c = 0; c < o_.certified->candidates.size(); ++c) {
      const std::string& name = o_.certified->candidates[c];
      const int64_t want = sheet[field].value(name, int64_t{0});
      const int64_t got = have.is_object() ? have.value(name, int64_t{0}) : 0;
      if (got != want) {
        out.mismatches.push_back(fmt::format("{}.{} {}, certified {}", field, name, got, want));
      }
    }
  }
  out.matches = out.mismatches.empty();
  if (out.matches) {
    ++report_.now_equal;
    return;
  }
  const bool misapplied =
      std::find(out.layers.begin(), out.layers.end(), "rule-misapplication") != out.layers.end();
  std::string kind;
  if (!out.refused.empty() && out.request == 0) {
    kind = "request refused";
    out.why = "the request was refused: " + out.refused;
  } else if (out.entry == 0) {
    kind = "no worksheet entered";
    if (out.why.empty()) out.why = "no worksheet was entered";
  } else if (count) {
    kind = "count";
    out.why = std::string(kCountWhy) + ": " + count_reason;
  } else if (misapplied) {
    kind = "rules' delegates";
    out.why =
        "rule-misapplication: the certified delegates are not those the rules give the "
        "certified counts; the record holds the rules' delegates";
    if (std::find(out.corrected.begin(), out.corrected.end(), "rule-misapplication") !=
        out.corrected.end()) {
      out.why += " (the correction put them there)";
    }
  } else if (delegates.empty()) {
    kind = "delegates pending";
    out.why =
        "the corrected counts leave the delegates to the rules, which wait for another "
        "alignment (must-realign); the worksheet's delegates were not carried";
  } else {
    kind = "other";
    out.why = "the record keeps figures the recanvass did not correct";
  }
  ++report_.unmatched_why[kind];
}

Result<RecanvassReport> Scenario::Go() {
  const auto start = Clock::now();
  if (o_.reported == nullptr || o_.certified == nullptr) {
    return Status::InvalidArgument("the recanvass needs the reported and the certified records");
  }
  CANVASS_RETURN_IF_ERROR(ReadCodes());
  nonce_ = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
  Reply list = Call(nullptr, "GET", "/api/v1/precincts");
  if (list.status != 200 || !list.body.contains("precincts")) {
    return Status::FailedPrecondition("GET /api/v1/precincts answered " + list.Refusal());
  }
  std::map<std::string, const PrecinctReport*> feb, cert;
  for (const PrecinctReport& r : o_.reported->reports) feb[Key(r.county, r.precinct)] = &r;
  for (const PrecinctReport& r : o_.certified->reports) cert[Key(r.county, r.precinct)] = &r;
  std::vector<Target> targets;
  for (const json& p : list.body["precincts"]) {
    const std::string status = p.value("status", std::string());
    const std::string county = p.value("county", std::string());
    const std::string name = p.value("precinct", std::string());
    if (status == "not-reported" || status == "first-reported") {
      ++report_.missing_final;
      report_.missing_ids.push_back(p.value("id", int64_t{0}));
      if (report_.missing_examples.size() < 5) {
        report_.missing_examples.push_back(
            fmt::format("{} ({} / {})", p.value("id", 0), county, name));
      }
    }
    auto a = feb.find(Key(county, name));
    auto b = cert.find(Key(county, name));
    if (a == feb.end() || b == cert.end()) continue;
    ++report_.compared;
    Target t{p.value("id", int64_t{0}), a->second, b->second, json()};
    RecanvassPrecinct out;
    for (size_t c = 0; c < o_.certified->candidates.size(); ++c) {
      const std::string& cand = o_.certified->candidates[c];
      auto fc = o_.reported->FindCandidate(cand);
      const CandidateReport none;
      const CandidateReport& x = fc && *fc < t.feb->figures.size() ? t.feb->figures[*fc] : none;
      const CandidateReport& y = c < t.cert->figures.size() ? t.cert->figures[c] : none;
      if (x.first.value_or(0) != y.first.value_or(0)) {
        out.differences.push_back(
            fmt::format("first.{} {} -> {}", cand, x.first.value_or(0), y.first.value_or(0)));
      }
      if (x.final.value_or(0) != y.final.value_or(0)) {
        out.differences.push_back(
            fmt::format("final.{} {} -> {}", cand, x.final.value_or(0), y.final.value_or(0)));
      }
      if (Sde4(x.sde) != Sde4(y.sde)) {
        out.differences.push_back(fmt::format("sde.{} {} -> {}", cand, Sde4(x.sde), Sde4(y.sde)));
      }
    }
    if (out.differences.empty()) continue;
    out.id = t.id;
    out.county = county;
    out.precinct = name;
    targets.push_back(std::move(t));
    report_.precincts.push_back(std::move(out));
  }
  report_.differing = static_cast<int64_t>(targets.size());
  CANVASS_RETURN_IF_ERROR(OpenWindow());

  for (size_t i = 0; i < targets.size(); ++i) {
    Reply p = Call(nullptr, "GET", fmt::format("/api/v1/precincts/{}", targets[i].id));
    targets[i].server = p.status == 200 ? p.body : json::object();
    Request(targets[i], report_.precincts[i]);
  }
  // The classification as the public record has it, entry by entry.
  Reply audit = Call(nullptr, "GET", "/api/v1/audit");
  std::map<int64_t, json> entries;  // precinct -> its latest recanvass entry
  if (audit.status == 200 && audit.body.contains("requests")) {
    for (const json& r : audit.body["requests"]) {
      for (const json& p : r.value("precincts", json::array())) {
        for (const json& e : p.value("entries", json::array())) {
          if (e.value("kind", std::string()) == "recanvass") entries[p.value("precinct", 0)] = e;
        }
      }
    }
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    auto it = entries.find(targets[i].id);
    Compare(targets[i], it == entries.end() ? json() : it->second, report_.precincts[i]);
  }
  report_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return std::move(report_);
}

}  // namespace

json RecanvassReport::ToJson() const {
  json list = json::array();
  for (const RecanvassPrecinct& p : precincts) {
    list.push_back({{"id", p.id},
                    {"county", p.county},
                    {"precinct", p.precinct},
                    {"campaign", p.campaign},
                    {"differences", p.differences},
                    {"claims", p.claims},
                    {"refused", p.refused.empty() ? json() : json(p.refused)},
                    {"request", p.request},
                    {"accepted", p.accepted},
                    {"entry", p.entry},
                    {"layers", p.layers},
                    {"corrected", p.corrected},
                    {"correction", p.correction},
                    {"matches", p.matches},
                    {"mismatches", p.mismatches},
                    {"why", p.why}});
  }
  return {{"compared", compared},
          {"differing", differing},
          {"missing_final", missing_final},
          {"missing_final_precincts", missing_ids},
          {"deadline", deadline.empty() ? json() : json(deadline)},
          {"requested", requested},
          {"refused", refused},
          {"filed_again", filed_again},
          {"accepted", accepted},
          {"entered", entered},
          {"corrected", corrected},
          {"now_equal", now_equal},
          {"layers", layers},
          {"refusals", refusals},
          {"by_campaign", by_campaign},
          {"unmatched_why", unmatched_why},
          {"seconds", seconds},
          {"calls", calls},
          {"retried", retried},
          {"precincts", list}};
}

std::string RecanvassReport::ToText() const {
  std::string s = fmt::format(
      "\nRecanvass ({:.1f} s): {} precincts in both records, {} where the 8 February release "
      "and the certified record differ.\n",
      seconds, compared, differing);
  if (deadline.empty()) {
    s += fmt::format(
        "  No complete release: requests never open. {} precincts have no final alignment on the "
        "record",
        missing_final);
    for (size_t i = 0; i < missing_examples.size(); ++i) {
      s += (i == 0 ? " (" : ", ") + missing_examples[i];
    }
    s += missing_examples.empty() ? ".\n" : ", ...).\n";
  } else {
    s += fmt::format("  Requests due by {} (the first complete release + the ruleset's hours).\n",
                     deadline);
  }
  s += fmt::format("  {} requests to the server", calls);
  for (const auto& [k, v] : retried) s += fmt::format(", {} {} retried", v, k);
  s += "\n";
  s += fmt::format(
      "  {} requested, {} refused{}, {} accepted, {} worksheets entered, {} corrected by the "
      "workflow; {} now equal the certified record.\n",
      requested, refused,
      filed_again > 0 ? fmt::format(" ({} filed again without claims)", filed_again) : "", accepted,
      entered, corrected, now_equal);
  s += "  By campaign:";
  for (const auto& [k, v] : by_campaign) s += fmt::format(" {} {},", k, v);
  if (!by_campaign.empty()) s.pop_back();
  s += "\n  Layers (entries):";
  for (const char* k : {"transcription", "rule-misapplication", "count", "none"}) {
    auto it = layers.find(k);
    s += fmt::format(" {} {},", k, it == layers.end() ? 0 : it->second);
  }
  s.pop_back();
  s += "\n";
  if (!refusals.empty()) {
    s += "  Refusals:";
    for (const auto& [k, v] : refusals) s += fmt::format(" {} {},", k, v);
    s.pop_back();
    s += "\n";
  }
  if (!unmatched_why.empty()) {
    s += "  Still differing from the certified record:";
    for (const auto& [k, v] : unmatched_why) s += fmt::format(" {} {},", k, v);
    s.pop_back();
    s += "\n";
  }
  int shown = 0;
  for (const RecanvassPrecinct& p : precincts) {
    if (p.matches) continue;
    if (++shown > 40) {
      s += "    ... (every one in the --json report)\n";
      break;
    }
    std::string diff;
    for (size_t i = 0; i < p.mismatches.size() && i < 3; ++i) {
      diff += (i ? "; " : "") + p.mismatches[i];
    }
    if (p.mismatches.size() > 3) diff += "; ...";
    s += fmt::format("    {} {} / {}: {} ({})\n", p.id, p.county, p.precinct, diff, p.why);
  }
  return s;
}

Result<RecanvassReport> RunRecanvass(const RecanvassOptions& options) {
  Scenario scenario(options);
  return scenario.Go();
}

}  // namespace canvass::rehearse
