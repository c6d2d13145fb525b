// The release routes through the real HTTP server: publishing as an administrator, the index,
// each file's bytes with its SHA-256 as a strong ETag and 304 on If-None-Match, the cache
// lifetimes, the policy event, and the event stream announcing the release number.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "api/api.h"
#include "core/sha256.h"
#include "http/client.h"
#include "http/server.h"
#include "intake/setup.h"
#include "publish/proof.h"
#include "publish/publisher.h"
#include "publish/release.h"
#include "publish/signing.h"
#include "release_fixture.h"
#include "store/parts.h"

namespace canvass::publish_test {
namespace {

class ReleaseRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("canvass-release-routes-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto intake = Intake::Open((dir_ / "store.db").string());
    ASSERT_TRUE(intake.ok()) << intake.status().ToString();
    intake_ = std::move(intake).value();
    const std::string data = std::string(CANVASS_DATA_DIR) + "/iowa-2020";
    auto table = LoadApportionmentFile(data + "/apportionment.csv");
    ASSERT_TRUE(table.ok());
    auto toml = ReadFile(*RulesetPath("iowa-dem-2020"));
    ASSERT_TRUE(toml.ok());
    ElectionSetup setup;
    setup.name = "Release routes";
    setup.ruleset_toml = *toml;
    setup.candidates = {"Biden", "Buttigieg", "Sanders", "Warren"};
    setup.precincts = {(*table)[0], (*table)[1]};
    setup.operators = 0;
    setup.campaign_accounts = false;
    setup.cost = KdfCost::Test();
    setup.signing_key = FixtureKey().public_hex;
    auto codes = CreateElection(*intake_, setup);
    ASSERT_TRUE(codes.ok()) << codes.status().ToString();
    admin_code_ = codes->back().code;
    publisher_ = std::make_unique<Publisher>(*intake_, FixtureKey());
    ApiOptions options;
    options.session_key = std::string(64, 'a');
    options.kdf = KdfCost::Test();
    options.publisher = publisher_.get();
    api_ = std::make_unique<Api>(*intake_, metrics_, options);
    HttpServerOptions http;
    http.port = 0;
    server_ = std::make_unique<HttpServer>(
        http, [this](HttpRequest req, Respond respond) { api_->Handle(std::move(req), respond); },
        &metrics_, &Api::RouteLabel);
    ASSERT_TRUE(server_->Start().ok());
    api_->SetStreamNotifier([this] { server_->NotifyStreams(); });
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
    auto login = client_->Request("POST", "/api/v1/session", json{{"code", admin_code_}}.dump());
    ASSERT_TRUE(login.ok());
    ASSERT_EQ(login->status, 200) << login->body;
    token_ = json::parse(login->body)["token"].get<std::string>();
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    if (publisher_) publisher_->Stop();
    intake_.reset();
    server_.reset();
    api_.reset();
    publisher_.reset();
    std::filesystem::remove_all(dir_);
  }
  HttpClientResponse Call(const std::string& method, const std::string& target,
                          const std::string& body = "", HttpClient::Headers headers = {}) {
    auto r = client_->Request(method, target, body, headers);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpClientResponse{};
  }
  HttpClient::Headers Admin() const { return {{"Authorization", "Bearer " + token_}}; }

  std::filesystem::path dir_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<Publisher> publisher_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::string admin_code_;
  std::string token_;
};

TEST_F(ReleaseRoutes, AProofIsThePrecinctsRecordWithItsPathToTheSignedRoot) {
  ASSERT_EQ(Call("GET", "/api/v1/releases/1/proof/1").status, 404);  // no release yet
  ASSERT_EQ(Call("POST", "/api/v1/releases", "", Admin()).status, 201);
  auto rel = Call("GET", "/api/v1/releases/1");
  ASSERT_EQ(rel.status, 200);
  const json doc = json::parse(rel.body);
  auto records = Call("GET", "/api/v1/releases/1/records.jsonl");
  ASSERT_EQ(records.status, 200) << records.body;
  auto lines = Call("GET", "/api/v1/releases/1/records.jsonl.parts");
  ASSERT_EQ(lines.status, 200) << lines.body;
  EXPECT_EQ(Sha256Hex(lines.body), doc["files"]["records"]["manifest"]);
  EXPECT_TRUE(CheckFileAgainstManifest(records.body, lines.body).ok());
  auto entries = ReleaseEntries(doc, records.body);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  auto root = Call("GET", "/api/v1/releases/1/root.json");
  ASSERT_EQ(root.status, 200) << root.body;
  EXPECT_EQ(Sha256Hex(root.body), doc["files"]["root"]["sha256"]);
  auto root_sig = Call("GET", "/api/v1/releases/1/root.json.sig");
  ASSERT_EQ(root_sig.status, 200) << root_sig.body;
  EXPECT_TRUE(VerifySignatureHex(FixtureKey().public_hex, root.body, root_sig.body));

  for (int64_t id : {1, 2}) {
    auto r = Call("GET", fmt::format("/api/v1/releases/1/proof/{}", id));
    ASSERT_EQ(r.status, 200) << r.body;
    const json proof = json::parse(r.body);
    // The record is the precinct's line exactly as the signed release's records hold it.
    EXPECT_EQ(proof["record"], (*entries)[static_cast<size_t>(id - 1)].dump());
    EXPECT_NE(records.body.find(proof["record"].get<std::string>() + "\n"), std::string::npos);
    EXPECT_EQ(proof["root"], doc["merkle"]["root"]);
    EXPECT_EQ(proof["root_statement"], root.body);
    EXPECT_EQ(proof["root_signature"].get<std::string>() + "\n", root_sig.body);
    ReleaseVerification v = VerifyPrecinctProof(r.body, id, FixtureKey().public_hex,
                                                proof["record"].get<std::string>());
    EXPECT_TRUE(v.ok()) << v.problems.front();
    EXPECT_EQ(r.Header("cache-control"), "public, max-age=31536000, immutable");
    auto same = Call("GET", fmt::format("/api/v1/releases/latest/proof/{}", id));
    EXPECT_EQ(same.body, r.body);
    EXPECT_EQ(Call("GET", fmt::format("/api/v1/releases/1/proof/{}", id), "",
                   {{"If-None-Match", r.Header("etag")}})
                  .status,
              304);
  }
  auto unknown = Call("GET", "/api/v1/releases/1/proof/3");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["error"]["code"], "unknown-precinct") << unknown.body;
  EXPECT_EQ(Call("GET", "/api/v1/releases/1/proof/x").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/releases/2/proof/1").status, 404);
}

TEST_F(ReleaseRoutes, PublishServeAndRevalidate) {
  EXPECT_EQ(Call("GET", "/api/v1/releases/latest").status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/releases").status, 401);
  auto published = Call("POST", "/api/v1/releases", "", Admin());
  ASSERT_EQ(published.status, 201) << published.body;
  EXPECT_EQ(json::parse(published.body)["number"], 1);
  auto again = Call("POST", "/api/v1/releases", "", Admin());
  EXPECT_EQ(again.status, 200) << again.body;  // the ledger has not moved
  EXPECT_EQ(json::parse(again.body)["published"], false);

  auto index = Call("GET", "/api/v1/releases");
  ASSERT_EQ(index.status, 200);
  json idx = json::parse(index.body);
  EXPECT_EQ(idx["latest"], 1);
  EXPECT_EQ(idx["signing_key"], FixtureKey().public_hex);
  const json& files = idx["releases"][0]["files"];

  auto rel = Call("GET", "/api/v1/releases/1");
  ASSERT_EQ(rel.status, 200);
  const std::string sha = Sha256Hex(rel.body);
  EXPECT_EQ(files["release-1.json"], sha);
  EXPECT_EQ(rel.Header("etag"), "\"" + sha + "\"");
  EXPECT_EQ(rel.Header("cache-control"), "public, max-age=31536000, immutable");
  auto not_modified = Call("GET", "/api/v1/releases/1", "", {{"If-None-Match", "\"" + sha + "\""}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  auto latest = Call("GET", "/api/v1/releases/latest");
  EXPECT_EQ(latest.body, rel.body);
  EXPECT_EQ(latest.Header("cache-control"), "public, max-age=5");

  for (auto [kind, name] : {std::pair{"precincts.csv", "release-1-precincts.csv"},
                            std::pair{"totals.csv", "release-1-totals.csv"},
                            std::pair{"cdf.json", "release-1-cdf.json"}}) {
    auto f = Call("GET", std::string("/api/v1/releases/1/") + kind);
    ASSERT_EQ(f.status, 200) << kind;
    if (std::string(kind) == "totals.csv") {
      EXPECT_EQ(Sha256Hex(f.body), files[name]) << kind;
      EXPECT_EQ(f.Header("etag"), "\"" + files[name].get<std::string>() + "\"");
      continue;
    }
    // Cut by group of precincts: named by its parts manifest, which is served beside it.
    const std::string tag = files[std::string(name) + ".parts"].get<std::string>();
    EXPECT_FALSE(files.contains(name)) << kind;
    EXPECT_EQ(f.Header("etag"), "\"" + tag + "\"");
    auto manifest = Call("GET", std::string("/api/v1/releases/1/") + kind + ".parts");
    ASSERT_EQ(manifest.status, 200) << kind;
    EXPECT_EQ(Sha256Hex(manifest.body), tag);
    EXPECT_EQ(manifest.Header("etag"), "\"" + tag + "\"");
    EXPECT_TRUE(CheckFileAgainstManifest(f.body, manifest.body).ok()) << kind;
    EXPECT_EQ(
        json::parse(rel.body)["files"][std::string(kind) == "cdf.json" ? "cdf" : "precincts_csv"]
                             ["manifest"],
        tag);
  }
  auto sig = Call("GET", "/api/v1/releases/1/sig");
  ASSERT_EQ(sig.status, 200);
  EXPECT_TRUE(VerifySignatureHex(FixtureKey().public_hex, rel.body, sig.body));
  EXPECT_EQ(Call("GET", "/api/v1/releases/2").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/releases/1/nothing").status, 404);
}

TEST_F(ReleaseRoutes, EachReportPolicyPublishesAndTheStreamSaysWhichNumber) {
  EXPECT_EQ(Call("POST", "/api/v1/releases/policy", R"({"mode": "each-report"})").status, 401);
  auto set = Call("POST", "/api/v1/releases/policy", R"({"mode": "each-report"})", Admin());
  ASSERT_EQ(set.status, 201) << set.body;
  EXPECT_EQ(Call("POST", "/api/v1/releases/policy", R"({"mode": "often"})", Admin()).status, 422);
  publisher_->Start();
  auto report = Call("POST", "/api/v1/precincts/1/first",
                     R"({"submission": "s1", "first": {"Sanders": 30, "Warren": 50}})", Admin());
  ASSERT_EQ(report.status, 201) << report.body;
  HttpClient stream("127.0.0.1", server_->port());
  auto open = stream.OpenEventStream("/api/v1/events");
  ASSERT_TRUE(open.ok());
  int64_t number = 0;
  for (int i = 0; i < 100 && number == 0; ++i) {
    auto e = stream.ReadEvent(std::chrono::seconds(10));
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    if (e->event == "release-published") number = json::parse(e->data)["payload"]["number"];
  }
  EXPECT_EQ(number, 1);
}

// The live results and a release built from the same ledger position count the same precincts:
// two precincts keyed with the same figures are held by the anomaly gate out of both, with the
// same `reporting` (docs/releases.md "Reporting"), until an administrator publishes one.
TEST_F(ReleaseRoutes, LiveResultsAndTheReleaseCountTheSamePrecincts) {
  const json figures = {{"Biden", 22}, {"Buttigieg", 31}, {"Sanders", 15}, {"Warren", 12}};
  for (int64_t id : {1, 2}) {
    for (const char* side : {"first", "final"}) {
      ASSERT_EQ(Call("POST", fmt::format("/api/v1/precincts/{}/{}", id, side),
                     json{{"submission", fmt::format("{}-{}", side, id)}, {side, figures}}.dump(),
                     Admin())
                    .status,
                201);
    }
  }
  auto same_counts = [&](int64_t held, const json& in, int64_t biden) {
    // /results may answer from its cache for a moment after the ledger moves: wait until it is
    // built from the ledger as it stands.
    const json seq = json::parse(Call("GET", "/api/v1/health").body)["seq"];
    json results;
    for (int i = 0; i < 600; ++i) {
      auto live = Call("GET", "/api/v1/results");
      ASSERT_EQ(live.status, 200) << live.body;
      results = json::parse(live.body);
      if (results["ledger"]["seq"] == seq) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(results["ledger"]["seq"], seq);
    EXPECT_EQ(Call("POST", "/api/v1/releases", "", Admin()).status, 201);
    const json release = json::parse(Call("GET", "/api/v1/releases/latest").body);
    EXPECT_EQ(release["ledger"]["seq"], results["ledger"]["seq"]);
    EXPECT_EQ(results["reporting"], release["reporting"]);
    EXPECT_EQ(results["reporting"]["held"], held);
    EXPECT_EQ(results["reporting"]["in"], in);
    EXPECT_EQ(results["reporting"]["complete"], 2);  // held precincts keep their status
    EXPECT_EQ(results["reporting"]["percent_complete"], "100.00");
    EXPECT_EQ(results["totals"], release["tabulation"]["totals"]);
    EXPECT_EQ(results["totals"]["reported"]["state"]["Biden"]["final"], biden);
  };
  same_counts(2, json::array(), 0);
  ASSERT_EQ(Call("POST", "/api/v1/holds",
                 json{{"submission", "ov-1"},
                      {"precinct", 1},
                      {"check", "duplicate"},
                      {"reason", "the worksheet is the legal record"}}
                     .dump(),
                 Admin())
                .status,
            201);
  same_counts(1, json::array({1}), 22);
}

// GET /api/v1/releases/timeline: one point per release, read from its stored JSON, in order; the
// reported side carries the SDEs the chair's delegates give (Adair 1NW: 4/51 per delegate).
TEST_F(ReleaseRoutes, TimelineHasAPointPerRelease) {
  auto empty = Call("GET", "/api/v1/releases/timeline");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(json::parse(empty.body)["releases"], json::array());
  ASSERT_EQ(Call("POST", "/api/v1/releases", "", Admin()).status, 201);
  const json final = {{"Biden", 22}, {"Buttigieg", 31}, {"Sanders", 15}, {"Warren", 12}};
  ASSERT_EQ(Call("POST", "/api/v1/precincts/1/first",
                 json{{"submission", "f1"}, {"first", final}}.dump(), Admin())
                .status,
            201);
  ASSERT_EQ(
      Call("POST", "/api/v1/precincts/1/final",
           json{{"submission", "f2"},
                {"final", final},
                {"delegates", {{"Biden", 2}, {"Buttigieg", 3}, {"Sanders", 2}, {"Warren", 1}}}}
               .dump(),
           Admin())
          .status,
      201);
  ASSERT_EQ(Call("POST", "/api/v1/releases", "", Admin()).status, 201);

  auto timeline = Call("GET", "/api/v1/releases/timeline");
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  const json points = json::parse(timeline.body)["releases"];
  ASSERT_EQ(points.size(), 2u) << points;
  EXPECT_EQ(points[0]["number"], 1);
  EXPECT_EQ(points[0]["reporting"]["complete"], 0);
  EXPECT_EQ(points[0]["reported"]["sde_share"]["Buttigieg"], "0.00");
  EXPECT_EQ(points[1]["number"], 2);
  EXPECT_EQ(points[1]["reporting"], (json{{"precincts", 2}, {"included", 1}, {"complete", 1}}));
  EXPECT_EQ(points[1]["reported"]["sde"]["Buttigieg"], "0.2353");
  // 0.2353 of 0.1569 + 0.2353 + 0.1569 + 0.0784 = 0.6275.
  EXPECT_EQ(points[1]["reported"]["sde_share"]["Buttigieg"], "37.50");
  const json release2 = json::parse(Call("GET", "/api/v1/releases/2").body);
  EXPECT_EQ(points[1]["ledger_seq"], release2["ledger"]["seq"]);
  EXPECT_EQ(points[1]["computed"]["sde"]["Sanders"],
            release2["tabulation"]["totals"]["computed"]["state"]["Sanders"]["sde"]);
  const std::string etag = timeline.Header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Call("GET", "/api/v1/releases/timeline", "", {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(Call("POST", "/api/v1/releases/timeline", "{}", Admin()).status, 405);
}

}  // namespace
}  // namespace canvass::publish_test
