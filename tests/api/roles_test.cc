// Who may do what: every route against every role, and reissuing an access code.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class RolesTest : public ApiFixture<Backend> {
 protected:
  bool LogInEveryone() const override { return false; }  // readiness counts logins
};
TYPED_TEST_SUITE(RolesTest, Backends, BackendNames);

enum Role : unsigned {
  kPublic = 1,
  kOwnChair = 2,    // the chair of the precinct in the path (precinct 1)
  kOtherChair = 4,  // the chair of precinct 2
  kOperator = 8,
  kCampaign = 16,
  kAdmin = 32,
};
constexpr unsigned kEveryone = kPublic | kOwnChair | kOtherChair | kOperator | kCampaign | kAdmin;
constexpr unsigned kLoggedIn = kEveryone & ~kPublic;
constexpr unsigned kReporters = kOwnChair | kAdmin;
constexpr unsigned kHelpers = kOwnChair | kOperator | kAdmin;

struct RouteCell {
  const char* method;
  std::string path;
  unsigned allowed;
};

const std::string kSomePhoto(64, 'a');

std::vector<RouteCell> Routes() {
  return {
      {"GET", "/api/v1/health", kEveryone},
      {"GET", "/api/v1/session", kLoggedIn},
      {"POST", "/api/v1/session", kEveryone},
      {"GET", "/api/v1/election", kEveryone},
      {"GET", "/api/v1/results", kEveryone},
      {"GET", "/api/v1/events", kEveryone},
      {"GET", "/api/v1/ledger", kEveryone},
      {"GET", "/api/v1/releases", kEveryone},
      {"GET", "/api/v1/releases/latest", kEveryone},
      {"POST", "/api/v1/releases", kAdmin},  // 503 here: this server holds no signing key
      {"POST", "/api/v1/releases/policy", kAdmin},
      {"GET", "/api/v1/photos/" + kSomePhoto, kEveryone},
      {"GET", "/api/v1/precincts", kEveryone},
      {"GET", "/api/v1/precincts/1", kEveryone},
      {"POST", "/api/v1/precincts/1/first", kReporters},
      {"POST", "/api/v1/precincts/1/final", kReporters},
      {"POST", "/api/v1/precincts/1/corrections", kReporters},
      {"POST", "/api/v1/precincts/1/ties", kHelpers},
      {"POST", "/api/v1/precincts/1/photo", kHelpers},
      {"POST", "/api/v1/precincts/1/confirm", kHelpers},
      {"POST", "/api/v1/precincts/1/preview", kHelpers},
      {"POST", "/api/v1/precincts/1/attestations", kCampaign},
      {"POST", "/api/v1/precincts/1/practice", kReporters},
      {"POST", "/api/v1/hotline/entries", kOperator},
      {"GET", "/api/v1/hotline/reconciliation", kOperator | kAdmin},
      {"POST", "/api/v1/credentials/reissue", kAdmin},
      {"GET", "/api/v1/readiness", kAdmin},
      {"GET", "/metrics", kEveryone},
  };
}

TYPED_TEST(RolesTest, EveryRouteAgainstEveryRole) {
  ASSERT_EQ(kAdair, 1);
  const std::vector<std::pair<Role, std::string>> roles = {
      {kPublic, ""},
      {kOwnChair, this->Chair(kAdair)},
      {kOtherChair, this->Chair(kStuart)},
      {kOperator, this->Operator(1)},
      {kCampaign, this->Campaign("Klobuchar")},
      {kAdmin, this->Admin()},
  };
  auto name_of = [](Role r) -> std::string {
    switch (r) {
      case kPublic:
        return "public";
      case kOwnChair:
        return "own chair";
      case kOtherChair:
        return "other chair";
      case kOperator:
        return "operator";
      case kCampaign:
        return "campaign";
      case kAdmin:
        return "admin";
    }
    return "?";
  };
  const int64_t before = this->Seq();
  int cells = 0;
  for (const RouteCell& route : Routes()) {
    for (const auto& [role, token] : roles) {
      SCOPED_TRACE(std::string(route.method) + " " + route.path + " as " + name_of(role));
      Reply r;
      if (route.path == "/api/v1/events") {
        // An event stream: only its head is read.
        auto client = this->NewClient();
        HttpClient::Headers headers;
        if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
        auto head = client->OpenEventStream(route.path, headers);
        ASSERT_TRUE(head.ok()) << head.status().ToString();
        r.status = head->status;
        r.body = head->body;
        r.headers = head->headers;
        r.doc = json::parse(r.body, nullptr, false);
      } else {
        r = this->Call(route.method, route.path, std::string(route.method) == "POST" ? "{}" : "",
                       token);
      }
      ++cells;
      if (route.allowed & role) {
        EXPECT_NE(r.status, 401) << r;
        EXPECT_NE(r.status, 403) << r;
      } else if (role == kPublic) {
        EXPECT_TRUE(IsError(r, 401, "unauthenticated"));
      } else {
        EXPECT_TRUE(IsError(r, 403, "forbidden"));
      }
    }
  }
  EXPECT_EQ(cells, 28 * 6);
  // Not one cell wrote anything (every allowed POST sent "{}").
  EXPECT_EQ(this->Seq(), before);
}

TYPED_TEST(RolesTest, ReissuedCodeReplacesTheOldOne) {
  const std::string old_code = this->Code("chair", std::to_string(kAdair));
  const std::string old_token = this->Chair(kAdair);
  ASSERT_EQ(this->Get("/api/v1/session", old_token).status, 200);

  EXPECT_TRUE(IsError(this->Post("/api/v1/credentials/reissue",
                                 {{"role", "chair"}, {"subject", "1"}}, this->Chair(kStuart)),
                      403, "forbidden"));
  EXPECT_TRUE(IsError(this->Post("/api/v1/credentials/reissue", {{"role", "chair"}}, this->Admin()),
                      422, "malformed-request"));
  EXPECT_TRUE(IsError(this->Post("/api/v1/credentials/reissue",
                                 {{"role", "chair"}, {"subject", "99"}}, this->Admin()),
                      422, "reissue-refused"));

  const int64_t before = this->Seq();
  Reply issued = this->Post("/api/v1/credentials/reissue", {{"role", "chair"}, {"subject", "1"}},
                            this->Admin());
  ASSERT_EQ(issued.status, 201) << issued;
  EXPECT_EQ(issued.doc["role"], "chair");
  EXPECT_EQ(issued.doc["subject"], "1");
  EXPECT_EQ(issued.doc["label"], "Adair / 1NW ADAIR");
  const std::string new_code = issued.doc["code"];
  EXPECT_NE(new_code, old_code);
  EXPECT_EQ(this->Seq(), before + 2);  // credential-revoked, credential-issued
  // The ledger names the new credential and never the code.
  const std::vector<json> events = this->LedgerEvents();
  EXPECT_EQ(events[events.size() - 2]["type"], "credential-revoked");
  EXPECT_EQ(events.back()["type"], "credential-issued");
  EXPECT_EQ(events.back()["payload"]["replaces"], old_code.substr(0, 4));
  std::string secret = new_code;
  std::erase(secret, '-');
  EXPECT_EQ(this->Get("/api/v1/ledger?limit=10000").body.find(secret.substr(4)), std::string::npos);

  EXPECT_TRUE(IsError(this->LoginWith(old_code), 401, "wrong-code", "code"));
  EXPECT_TRUE(IsError(this->Get("/api/v1/session", old_token), 401, "credential-revoked"));
  EXPECT_TRUE(
      IsError(this->Post(PrecinctPath(kAdair, "first"), {{"first", {{"Biden", 5}}}}, old_token),
              401, "credential-revoked"));
  Reply login = this->LoginWith(new_code);
  ASSERT_EQ(login.status, 200) << login;
  EXPECT_EQ(login.doc["role"], "chair");
  EXPECT_EQ(login.doc["subject"], "1");
  EXPECT_EQ(login.doc["credential"], new_code.substr(0, 4));
  const std::string token = login.doc["token"];
  Reply first = this->Post(PrecinctPath(kAdair, "first"), {{"first", {{"Biden", 5}}}}, token);
  EXPECT_EQ(first.status, 201) << first;

  // Readiness shows the chair logged in with its current code.
  Reply ready = this->Get("/api/v1/readiness", this->Admin());
  ASSERT_EQ(ready.status, 200) << ready;
  EXPECT_EQ(ready.doc["precincts"][kAdair - 1]["chair_logged_in"], true);
  EXPECT_EQ(ready.doc["precincts"][kFontanelle - 1]["chair_logged_in"], false);
}

}  // namespace
}  // namespace canvass::api_test
