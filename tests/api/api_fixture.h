// The API tests' world: a real HttpServer on 127.0.0.1 port 0 in front of an Api and an Intake
// over a fresh store (a SQLite file, or a PostgreSQL schema when CANVASS_TEST_POSTGRES is set),
// holding an election made by CreateElection from a few real Iowa 2020 precincts and the 14
// candidates of the party's results. Tests talk to it only through HttpClient, as a phone would.
//
// Typed over the two store backends (tests/store/store_backends.h); the PostgreSQL instances skip
// when CANVASS_TEST_POSTGRES is unset. Access codes use KdfCost::Test() so logging in is cheap.
//
// Thread-safety: the fixture's own client is for the test's thread; a test that talks from
// several threads makes one NewClient() per thread (Call() takes the client to use).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "http/client.h"
#include "http/metrics.h"
#include "http/server.h"
#include "intake/credentials.h"
#include "intake/intake.h"
#include "intake/setup.h"
#include "io/importers.h"
#include "rules/ruleset.h"
#include "store/store_backends.h"

namespace canvass::api_test {

using nlohmann::json;

// The candidates of the party's 2020 results files, in their order.
inline const std::vector<std::string>& IowaCandidates() {
  static const std::vector<std::string> names = {
      "Bennet", "Biden",   "Bloomberg", "Buttigieg", "Delaney",     "Gabbard", "Klobuchar",
      "Other",  "Patrick", "Sanders",   "Steyer",    "Uncommitted", "Warren",  "Yang"};
  return names;
}

// The slice of data/iowa-2020/apportionment.csv the tests elect, in precinct-id order.
struct Place {
  const char* county;
  const char* precinct;
};
inline constexpr Place kPlaces[] = {
    {"Adair", "1NW ADAIR"},                      // id 1: D = 8, 4/51 SDE per delegate
    {"Adair", "2NE STUART"},                     // id 2: D = 11
    {"Appanoose", "Vermillion/Douglas/Sharon"},  // id 3: D = 6 (the Warren tie, 100/50/50)
    {"Osceola", "Ocheyedan Precinct 0500"},      // id 4: D = 3 (published 2-1-0; rules 1-1-1)
    {"Adair", "3SW FONTANELLE"},                 // id 5: D = 9
};
inline constexpr int64_t kAdair = 1;
inline constexpr int64_t kStuart = 2;
inline constexpr int64_t kVermillion = 3;
inline constexpr int64_t kOcheyedan = 4;
inline constexpr int64_t kFontanelle = 5;
inline constexpr int64_t kPrecincts = 5;

// A first alignment with four candidates' groups, the one the API tests report most often.
inline const json kFirst = {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 10}, {"Biden", 3}};

// The election every test starts from; the data files are read once per process.
inline Result<ElectionSetup> IowaSlice() {
  static const Result<ElectionSetup> setup = []() -> Result<ElectionSetup> {
    const std::string dir = std::string(CANVASS_DATA_DIR) + "/iowa-2020";
    auto table = LoadApportionmentFile(dir + "/apportionment.csv");
    if (!table.ok()) return table.status();
    auto districts = LoadDistrictsFile(dir + "/county-congressional-district.csv");
    if (!districts.ok()) return districts.status();
    auto path = RulesetPath("iowa-dem-2020");
    if (!path.ok()) return path.status();
    auto toml = ReadFile(*path);
    if (!toml.ok()) return toml.status();
    ElectionSetup s;
    s.name = "Iowa Democratic caucuses, 3 February 2020 (test slice)";
    s.ruleset_toml = *toml;
    s.candidates = IowaCandidates();
    for (const Place& place : kPlaces) {
      bool found = false;
      for (const PrecinctApportionment& ap : *table) {
        if (ap.county == place.county && ap.precinct == place.precinct) {
          s.precincts.push_back(ap);
          found = true;
          break;
        }
      }
      if (!found) {
        return Status::NotFound(std::string("apportionment.csv has no ") + place.county + " / " +
                                place.precinct);
      }
    }
    for (const PrecinctApportionment& ap : s.precincts) {
      auto it = districts->find(ap.county);
      if (it != districts->end()) s.county_district[ap.county] = it->second;
    }
    s.operators = 4;
    s.cost = KdfCost::Test();
    return s;
  }();
  return setup;
}

// One HTTP answer, with its body parsed when it is JSON (else `doc` is discarded).
struct Reply {
  int status = 0;
  std::string body;
  json doc;
  std::map<std::string, std::string> headers;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

inline std::ostream& operator<<(std::ostream& os, const Reply& r) {
  return os << r.status << " " << r.body.substr(0, 2000);
}

// The API's error shape, {"error": {"code", "message", "field"}}, with this status and code (and
// field, when given: "" means null).
inline ::testing::AssertionResult IsError(const Reply& r, int status, const std::string& code,
                                          std::optional<std::string> field = std::nullopt) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "; reply: " << r;
  };
  if (r.status != status) return fail("status " + std::to_string(r.status));
  if (!r.doc.is_object() || r.doc.size() != 1 || !r.doc.contains("error")) {
    return fail("not {\"error\": ...}");
  }
  const json& e = r.doc["error"];
  if (!e.is_object() || e.size() != 3 || !e.contains("code") || !e.contains("message") ||
      !e.contains("field")) {
    return fail("error is not {code, message, field}");
  }
  if (!e["code"].is_string() || e["code"] != code) return fail("code is not " + code);
  if (!e["message"].is_string() || e["message"].get<std::string>().empty()) {
    return fail("no message");
  }
  if (!e["field"].is_null() && !e["field"].is_string()) return fail("field is not string/null");
  if (field) {
    const json want = field->empty() ? json() : json(*field);
    if (e["field"] != want) return fail("field is not " + want.dump());
  }
  if (r.Header("content-type").rfind("application/json", 0) != 0) return fail("not JSON");
  return ::testing::AssertionSuccess();
}

inline std::string PrecinctPath(int64_t id, const std::string& action = "") {
  std::string p = "/api/v1/precincts/" + std::to_string(id);
  return action.empty() ? p : p + "/" + action;
}

// Polls `done` until it holds; the limit only bounds a failure.
inline bool Eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

template <typename Backend>
class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = Backend::Unavailable(); !why.empty()) GTEST_SKIP() << why;
    Status st = backend_.Prepare();
    ASSERT_TRUE(st.ok()) << st.ToString();
    auto setup = ElectionToCreate();
    ASSERT_TRUE(setup.ok()) << setup.status().ToString();
    clock_ = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    session_key_ = NewSessionKey();
    options_.session_key = session_key_;
    options_.kdf = KdfCost::Test();
    options_.submissions_per_second = 0;  // no per-credential throttle unless a test wants one
    options_.results_max_age = std::chrono::milliseconds(0);  // results always current
    options_.now_unix = [this] { return clock_.load(); };
    auto intake = Intake::Open(backend_.location());
    ASSERT_TRUE(intake.ok()) << intake.status().ToString();
    intake_ = std::move(intake).value();
    auto codes = CreateElection(*intake_, *setup);
    ASSERT_TRUE(codes.ok()) << codes.status().ToString();
    codes_ = *codes;
    ASSERT_NO_FATAL_FAILURE(Start());
    // A code's first login is a ledger event (session-opened), and tests count the ledger's
    // events around what they do: every code logs in once here, unless a test looks at logins.
    if (LogInEveryone()) {
      for (const IssuedCode& c : codes_) Token(c.role, c.subject);
    }
  }

  // The election SetUp creates: the Iowa slice, unless a test needs another (Nevada's cards).
  virtual Result<ElectionSetup> ElectionToCreate() const { return IowaSlice(); }

  // False for tests of readiness, which start from an election nobody has logged in to.
  virtual bool LogInEveryone() const { return true; }

  void TearDown() override { Stop(); }

  // Starts the Api and the server (and the intake, if stopped) with options_.
  void Start() {
    if (intake_ == nullptr) {
      auto intake = Intake::Open(backend_.location());
      ASSERT_TRUE(intake.ok()) << intake.status().ToString();
      intake_ = std::move(intake).value();
    }
    metrics_ = std::make_unique<Metrics>();
    api_ = std::make_unique<Api>(*intake_, *metrics_, options_);
    HttpServerOptions http;
    http.address = "127.0.0.1";
    http.port = 0;
    http.threads = 2;
    http.limits.rate_per_second = 0;
    http.limits.body_limits_by_prefix.emplace_back("/api/v1/precincts/", options_.max_photo_bytes);
    Api* api = api_.get();
    server_ = std::make_unique<HttpServer>(
        http, [api](HttpRequest req, Respond respond) { api->Handle(std::move(req), respond); },
        metrics_.get(), &Api::RouteLabel);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    HttpServer* server = server_.get();
    api_->SetStreamNotifier([server] { server->NotifyStreams(); });
    client_ = NewClient();
  }

  // Stops everything that serves the election; the store stays. Server first (no handler runs
  // after), then the intake (no commit calls the Api after), then the Api.
  void Stop() {
    client_.reset();
    if (api_ != nullptr) api_->SetStreamNotifier(nullptr);
    if (server_ != nullptr) server_->Stop();
    intake_.reset();
    api_.reset();
    server_.reset();
    metrics_.reset();
  }

  // A new server and intake over the same store (a restart of `canvass serve`).
  void Restart() {
    Stop();
    Start();
  }

  std::unique_ptr<HttpClient> NewClient() const {
    return std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }

  static Reply Call(HttpClient& client, const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& token = "",
                    HttpClient::Headers headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    auto r = client.Request(method, target, body, headers);
    Reply out;
    if (!r.ok()) {
      ADD_FAILURE() << method << " " << target << ": " << r.status().ToString();
      return out;
    }
    out.status = r->status;
    out.body = r->body;
    out.headers = r->headers;
    out.doc = json::parse(out.body, nullptr, false);
    return out;
  }
  Reply Call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& token = "", HttpClient::Headers headers = {}) {
    return Call(*client_, method, target, body, token, std::move(headers));
  }
  Reply Get(const std::string& target, const std::string& token = "",
            HttpClient::Headers headers = {}) {
    return Call("GET", target, "", token, std::move(headers));
  }
  Reply Post(const std::string& target, const json& body, const std::string& token = "") {
    return Call("POST", target, body.dump(), token, {{"Content-Type", "application/json"}});
  }

  // The code CreateElection issued to (role, subject), or the one a test set by Reissued().
  std::string Code(const std::string& role, const std::string& subject) const {
    for (const IssuedCode& c : codes_) {
      if (c.role == role && c.subject == subject) return c.code;
    }
    ADD_FAILURE() << "no code for " << role << " " << subject;
    return "";
  }
  Reply LoginWith(const std::string& code) { return Post("/api/v1/session", {{"code", code}}); }
  // A session token for (role, subject), logging in once.
  std::string Token(const std::string& role, const std::string& subject) {
    const std::string key = role + "/" + subject;
    auto it = tokens_.find(key);
    if (it != tokens_.end()) return it->second;
    Reply r = LoginWith(Code(role, subject));
    EXPECT_EQ(r.status, 200) << r;
    std::string token = r.doc.is_object() ? r.doc.value("token", "") : "";
    EXPECT_FALSE(token.empty()) << r;
    tokens_[key] = token;
    return token;
  }
  std::string Chair(int64_t precinct) { return Token("chair", std::to_string(precinct)); }
  std::string Operator(int n) { return Token("operator", "op-" + std::to_string(n)); }
  std::string Campaign(const std::string& candidate) { return Token("campaign", candidate); }
  std::string Admin() { return Token("admin", "admin"); }

  // The ledger's length as GET /api/v1/election reports it.
  int64_t Seq() {
    Reply r = Get("/api/v1/election");
    EXPECT_EQ(r.status, 200) << r;
    return r.doc.is_object() && r.doc.contains("seq") ? r.doc["seq"].get<int64_t>() : -1;
  }
  json Precinct(int64_t id) {
    Reply r = Get(PrecinctPath(id));
    EXPECT_EQ(r.status, 200) << r;
    return r.doc;
  }
  std::string StatusOf(int64_t id) {
    json p = Precinct(id);
    return p.is_object() ? p.value("status", "") : "";
  }
  // Every ledger line, parsed.
  std::vector<json> LedgerEvents() {
    Reply r = Get("/api/v1/ledger?limit=10000");
    EXPECT_EQ(r.status, 200) << r;
    std::vector<json> out;
    size_t at = 0;
    while (at < r.body.size()) {
      size_t end = r.body.find('\n', at);
      if (end == std::string::npos) end = r.body.size();
      out.push_back(json::parse(r.body.substr(at, end - at), nullptr, false));
      at = end + 1;
    }
    return out;
  }

  Backend backend_;
  std::atomic<int64_t> clock_{0};  // the Api's clock (unix seconds)
  std::string session_key_;
  ApiOptions options_;
  std::vector<IssuedCode> codes_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

using Backends = ::testing::Types<testing_store::SqliteBackend, testing_store::PostgresBackend>;

// Sorted names of a JSON array of strings, for comparisons that ignore order.
inline std::vector<std::string> Names(const json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const json& n : list) out.push_back(n.is_string() ? n.get<std::string>() : n.dump());
  std::sort(out.begin(), out.end());
  return out;
}

// Delegates per candidate from a precinct's "computed" allocation (zeros left out).
inline std::map<std::string, int64_t> ComputedDelegates(const json& precinct) {
  std::map<std::string, int64_t> out;
  if (!precinct.is_object() || !precinct.contains("computed") ||
      !precinct["computed"].is_object()) {
    return out;
  }
  for (const json& g : precinct["computed"]["groups"]) {
    if (g["delegates"].get<int64_t>() != 0) out[g["candidate"]] = g["delegates"].get<int64_t>();
  }
  return out;
}

inline bool HasFinding(const json& precinct, const std::string& code) {
  if (!precinct.is_object() || !precinct.contains("findings")) return false;
  for (const json& f : precinct["findings"]) {
    if (f.value("code", "") == code) return true;
  }
  return false;
}

}  // namespace canvass::api_test
