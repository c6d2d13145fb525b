// POST /api/v1/districts/analyze: the worked example of ../shared/spec/delegates.md §3.3 (ten
// blocks of 1,000 voters, X at 40%, 5 seats) on its six maps through the route, each answer
// equal to what `canvass districts analyze --json` prints for the same plan and votes as CSV
// files; every refusal with its code and the member it names; nothing written to the ledger.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "api_fixture.h"
#include "cli/command.h"
#include "io/plan_body.h"

namespace canvass::api_test {
namespace {

constexpr const char* kRoute = "/api/v1/districts/analyze";
// The server's limit on a body's bytes (HttpServerOptions::max_body_bytes, by default).
constexpr size_t kBodyLimit = 64 * 1024;

// X's votes in each block of 1,000 voters; Y has the rest.
constexpr Count kX[10] = {920, 800, 700, 600, 330, 250, 200, 100, 50, 50};

struct Map {
  const char* name;
  std::vector<std::vector<int>> blocks;  // per sub-pool
  std::vector<Count> seats;
  Count x_seats;
};

const std::vector<Map>& Maps() {
  static const std::vector<Map> maps = {
      {"one 5-seat pool", {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, {5}, 2},
      {"north 2, south 3", {{0, 1, 2, 3}, {4, 5, 6, 7, 8, 9}}, {2, 3}, 2},
      {"pack", {{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}}, {2, 3}, 1},
      {"five whole", {{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}}, {1, 1, 1, 1, 1}, 2},
      {"crack", {{0, 8}, {1, 7}, {2, 6}, {3, 5}, {4, 9}}, {1, 1, 1, 1, 1}, 0},
      {"drawn for X", {{0, 7}, {1, 5}, {2, 4}, {3, 8}, {6, 9}}, {1, 1, 1, 1, 1}, 3},
  };
  return maps;
}

// Built by append: g++ 12 at -O3 warns falsely (-Wrestrict) on a literal + a string.
std::string Named(const char* prefix, size_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

std::string PoolName(size_t k) { return Named("P", k + 1); }

// The body, one member per CSV row, and the same rows as the two CSV files.
json Body(const Map& m) {
  json plan = json::array({{{"district", "CD9"}, {"pool", ""}, {"seats", 5}}});
  json votes = json::array();
  for (size_t k = 0; k < m.blocks.size(); ++k) {
    plan.push_back({{"district", "CD9"}, {"pool", PoolName(k)}, {"seats", m.seats[k]}});
    for (int b : m.blocks[k]) {
      const std::string unit = Named("B", static_cast<size_t>(b) + 1);
      votes.push_back(
          {{"pool", PoolName(k)}, {"unit", unit}, {"candidate", "X"}, {"votes", kX[b]}});
      votes.push_back(
          {{"pool", PoolName(k)}, {"unit", unit}, {"candidate", "Y"}, {"votes", 1000 - kX[b]}});
    }
  }
  return {{"plan", plan}, {"votes", votes}};
}

std::string Csv(const json& rows, const std::vector<const char*>& columns) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ',';
    out += columns[i];
  }
  out += '\n';
  for (const json& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      const json& v = row[columns[i]];
      if (i > 0) out += ',';
      out += v.is_string() ? v.get<std::string>() : v.dump();
    }
    out += '\n';
  }
  return out;
}

std::string TempDir() {
  static const std::string dir = [] {
    std::string pattern = ::testing::TempDir() + "/canvass-districts-XXXXXX";
    char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    return std::string(made == nullptr ? ::testing::TempDir() : made);
  }();
  return dir;
}

// `canvass districts analyze --json` on the body's rows written as plan.csv and votes.csv.
json CliJson(const json& body, const std::string& extra = "") {
  const std::string plan = TempDir() + "/plan.csv";
  const std::string votes = TempDir() + "/votes.csv";
  std::ofstream(plan) << Csv(body["plan"], {"district", "pool", "seats"});
  std::ofstream(votes) << Csv(body["votes"], {"pool", "unit", "candidate", "votes"});
  cli_test::CommandRun run = cli_test::Canvass("districts analyze --plan " + plan + " --votes " +
                                               votes + " --json " + extra);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  return json::parse(run.out, nullptr, false);
}

template <typename Backend>
class DistrictRoutesTest : public ApiFixture<Backend> {};
TYPED_TEST_SUITE(DistrictRoutesTest, Backends, BackendNames);

TYPED_TEST(DistrictRoutesTest, TheSixMapsAnswerWhatTheCommandPrints) {
  const int64_t seq = this->Seq();
  for (const Map& m : Maps()) {
    SCOPED_TRACE(m.name);
    const json body = Body(m);
    Reply r = this->Post(kRoute, body);  // no session: the route is public
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.doc["candidates"][0]["candidate"], "X");
    EXPECT_EQ(r.doc["candidates"][0]["plan_seats"], m.x_seats);
    EXPECT_EQ(r.doc["candidates"][1]["plan_seats"], 5 - m.x_seats);
    EXPECT_EQ(r.doc["candidates"][0]["one_pool_seats"], 2);
    EXPECT_EQ(r.doc["candidates"][0]["proportional"], "2");
    EXPECT_EQ(r.doc["votes"], 10000);
    EXPECT_EQ(r.doc, CliJson(body));
  }
  // The PACK map's figures, as the spec's table gives them, and its two warnings.
  Reply pack = this->Post(kRoute, Body(Maps()[2]));
  EXPECT_EQ(pack.doc["plan"]["gallagher_square"], "1/25");
  EXPECT_EQ(pack.doc["eg_star"]["exact"], "7/30");
  EXPECT_EQ(pack.doc["eg_delta"]["exact"], "5/24");
  EXPECT_EQ(pack.doc["warnings"].size(), 2u);
  // A looser ratio, given as the command's --ratio: the seat-price warning goes.
  json loose = Body(Maps()[2]);
  loose["seats_per_voter_ratio"] = "3/2";
  Reply r = this->Post(kRoute, loose);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.doc["warnings"].size(), 1u);
  EXPECT_EQ(r.doc, CliJson(loose, "--ratio 3/2"));
  // Analysing writes nothing.
  EXPECT_EQ(this->Seq(), seq);
}

TYPED_TEST(DistrictRoutesTest, ATieIsSettledByTheLotsTheBodyGives) {
  const json body = {{"plan",
                      {{{"district", "D"}, {"pool", ""}, {"seats", 1}},
                       {{"district", "D"}, {"pool", "A"}, {"seats", 1}}}},
                     {"votes",
                      {{{"pool", "A"}, {"unit", "u"}, {"candidate", "X"}, {"votes", 500}},
                       {{"pool", "A"}, {"unit", "u"}, {"candidate", "Y"}, {"votes", 500}}}}};
  EXPECT_TRUE(IsError(this->Post(kRoute, body), 422, "tie-needs-lots", "lots"));
  json drawn = body;
  drawn["lots"] = {"Y", "X"};
  Reply r = this->Post(kRoute, drawn);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.doc["candidates"][1]["plan_seats"], 1);
  EXPECT_EQ(r.doc, CliJson(drawn, "--lots Y,X"));
}

TYPED_TEST(DistrictRoutesTest, EveryBadBodyIsRefusedWithItsCode) {
  const json good = Body(Maps()[1]);  // plan rows: district, P1 (2 seats), P2 (3 seats)
  auto with = [&](const std::function<void(json&)>& change) {
    json b = good;
    change(b);
    return this->Post(kRoute, b);
  };
  // The sub-pools' seats do not add up to the district's.
  Reply r = with([](json& b) { b["plan"][1]["seats"] = 3; });
  EXPECT_TRUE(IsError(r, 422, "plan-seats-mismatch", "plan[0].seats"));
  EXPECT_EQ(r.doc["error"]["message"], "the sub-pools' seats add up to 6, but district CD9 has 5");
  EXPECT_TRUE(IsError(with([](json& b) { b["plan"][2]["pool"] = "P1"; }), 422, "duplicate-sub-pool",
                      "plan[2].pool"));
  EXPECT_TRUE(IsError(with([](json& b) { b["votes"][3]["votes"] = -4; }), 422, "negative-votes",
                      "votes[3].votes"));
  EXPECT_TRUE(IsError(with([](json& b) { b["votes"][3]["votes"] = 1'000'000'001; }), 422,
                      "votes-out-of-range", "votes[3].votes"));
  EXPECT_TRUE(IsError(with([](json& b) { b["votes"][0]["pool"] = "P9"; }), 422, "unknown-sub-pool",
                      "votes[0].pool"));
  EXPECT_TRUE(IsError(with([](json& b) {
                        b["lots"] = {"X", "Z"};
                      }),
                      422, "unknown-candidate", "lots[1]"));
  EXPECT_TRUE(IsError(with([](json& b) {
                        b["lots"] = {"X", "X"};
                      }),
                      422, "lots-malformed", "lots[1]"));
  EXPECT_TRUE(IsError(with([](json& b) { b["seats_per_voter_ratio"] = "1/2"; }), 422, "bad-ratio",
                      "seats_per_voter_ratio"));
  EXPECT_TRUE(IsError(with([](json& b) { b["plan"][1]["seats"] = 0; }), 422, "seats-out-of-range",
                      "plan[1].seats"));
  EXPECT_TRUE(IsError(with([](json& b) { b["plan"][1]["district"] = "CD1"; }), 422,
                      "plan-malformed", "plan[1].district"));
  EXPECT_TRUE(IsError(with([](json& b) { b["plan"].erase(0); }), 422, "plan-malformed", "plan"));
  EXPECT_TRUE(IsError(with([](json& b) { b["votes"][2]["extra"] = 1; }), 422, "votes-malformed",
                      "votes[2].extra"));
  EXPECT_TRUE(IsError(with([](json& b) { b["votes"][2].erase("unit"); }), 422, "votes-malformed",
                      "votes[2].unit"));
  EXPECT_TRUE(IsError(with([](json& b) { b["votes"][3]["pool"] = "P2"; }), 422,
                      "unit-in-two-sub-pools", "votes[3].pool"));
  EXPECT_TRUE(IsError(with([](json& b) { b["votes"][3]["candidate"] = "X"; }), 422,
                      "duplicate-vote-row", "votes[3].candidate"));
  EXPECT_TRUE(IsError(with([](json& b) { b.erase("votes"); }), 422, "votes-malformed", "votes"));
  EXPECT_TRUE(IsError(with([](json& b) { b["ratio"] = "2"; }), 422, "body-malformed", "ratio"));
  // A fraction where a count goes, and a member given twice: the shared body parser's refusals.
  EXPECT_TRUE(IsError(with([](json& b) { b["votes"][0]["votes"] = 1.5; }), 422, "malformed-count"));
  std::string twice = good.dump();
  twice.insert(1, "\"plan\":[],");
  EXPECT_TRUE(IsError(this->Call("POST", kRoute, twice, "", {{"Content-Type", "application/json"}}),
                      400, "duplicate-key"));
  EXPECT_EQ(this->Get(kRoute).status, 405);
  EXPECT_TRUE(IsError(this->Post("/api/v1/districts/other", good), 404, "not-found"));
}

TYPED_TEST(DistrictRoutesTest, ThePublicCallerIsBounded) {
  // Sub-pools: one more than the bound, each of one seat.
  json plan = json::array({{{"district", "D"}, {"pool", ""}, {"seats", kMaxPlanBodySubPools + 1}}});
  json votes = json::array();
  for (size_t k = 0; k <= kMaxPlanBodySubPools; ++k) {
    plan.push_back({{"district", "D"}, {"pool", Named("p", k)}, {"seats", 1}});
    votes.push_back(
        {{"pool", Named("p", k)}, {"unit", std::to_string(k)}, {"candidate", "X"}, {"votes", 1}});
  }
  EXPECT_TRUE(IsError(this->Post(kRoute, {{"plan", plan}, {"votes", votes}}), 422,
                      "too-many-sub-pools", "plan"));
  // Candidates: one more than the bound, in one sub-pool.
  const json one_pool = {{{"district", "D"}, {"pool", ""}, {"seats", 3}},
                         {{"district", "D"}, {"pool", "A"}, {"seats", 3}}};
  json many = json::array();
  for (size_t i = 0; i <= kMaxPlanBodyCandidates; ++i) {
    many.push_back({{"pool", "A"}, {"unit", "u"}, {"candidate", Named("C", i)}, {"votes", 10}});
  }
  EXPECT_TRUE(IsError(this->Post(kRoute, {{"plan", one_pool}, {"votes", many}}), 422,
                      "too-many-candidates",
                      Named("votes[", kMaxPlanBodyCandidates) + "].candidate"));
  // Vote rows: one more than the bound, still under the server's limit on a body's bytes.
  json rows = json::array();
  for (size_t i = 0; i <= kMaxPlanBodyVoteRows; ++i) {
    rows.push_back({{"pool", "A"}, {"unit", std::to_string(i)}, {"candidate", "X"}, {"votes", 1}});
  }
  const json big = {{"plan", one_pool}, {"votes", rows}};
  ASSERT_LT(big.dump().size(), kBodyLimit);
  EXPECT_TRUE(IsError(this->Post(kRoute, big), 422, "too-many-vote-rows", "votes"));
  // A body over the server's limit is refused before it is read.
  json huge = big;
  for (size_t i = 0; i < 400; ++i) huge["votes"].push_back(rows[i]);
  ASSERT_GT(huge.dump().size(), kBodyLimit);
  EXPECT_EQ(this->Post(kRoute, huge).status, 413);
}

}  // namespace
}  // namespace canvass::api_test
