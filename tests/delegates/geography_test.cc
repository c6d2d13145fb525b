// Geographic distribution (src/delegates/geography.h): the packing and cracking example of
// ../shared/spec/delegates.md §3.3, every row of its table (seats, bonus, Gallagher, EG with the
// Droop quota and its change against the single pool, EG*, EG with the Hare quota), recomputed
// here from the ten blocks rather than copied; and the plan's warnings and refusals.
#include "delegates/geography.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace canvass {
namespace {

// X's votes in each block of 1,000 voters (92%, 80%, ... 5%); Y has the rest.
constexpr Count kX[10] = {920, 800, 700, 600, 330, 250, 200, 100, 50, 50};

struct Map {
  std::vector<std::vector<int>> pools;  // blocks per sub-pool
  std::vector<Count> seats;
};

Result<GeographyAnalysis> Analyze(const Map& map) {
  DistrictPlan plan;
  plan.district = "CD9";
  plan.seats = 5;
  DistrictVotes votes;
  votes.candidates = {"X", "Y"};
  for (size_t k = 0; k < map.pools.size(); ++k) {
    std::string name = "P";
    name += std::to_string(k + 1);
    plan.pools.push_back({name, map.seats[k]});
    Count x = 0, all = 0;
    for (int b : map.pools[k]) {
      x += kX[b];
      all += 1000;
    }
    votes.pools.push_back({x, all - x});
  }
  return AnalyzePlan(plan, votes);
}

struct Row {
  const char* name;
  Map map;
  Count x_seats;
  WideFraction gallagher_square;
  WideFraction eg_droop, eg_delta, eg_star, eg_hare;
};

TEST(GeographyTest, ThePackingAndCrackingTableOfTheSpec) {
  const std::vector<Row> rows = {
      {"one 5-seat pool",
       {{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, {5}},
       2,
       {0, 1},
       {-1, 30},
       {0, 1},
       {0, 1},
       {0, 1}},
      {"north 2, south 3",
       {{{0, 1, 2, 3}, {4, 5, 6, 7, 8, 9}}, {2, 3}},
       2,
       {0, 1},
       {-1, 60},
       {1, 60},
       {1, 25},
       {0, 1}},
      {"pack",
       {{{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}}, {2, 3}},
       1,
       {1, 25},
       {7, 40},
       {5, 24},
       {7, 30},
       {3, 10}},
      {"five whole",
       {{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}}, {1, 1, 1, 1, 1}},
       2,
       {0, 1},
       {-1, 10},
       {-1, 15},
       {0, 1},
       {0, 1}},
      {"crack",
       {{{0, 8}, {1, 7}, {2, 6}, {3, 5}, {4, 9}}, {1, 1, 1, 1, 1}},
       0,
       {4, 25},
       {3, 10},
       {1, 3},
       {2, 5},
       {4, 5}},
      {"drawn for X",
       {{{0, 7}, {1, 5}, {2, 4}, {3, 8}, {6, 9}}, {1, 1, 1, 1, 1}},
       3,
       {1, 25},
       {-3, 10},
       {-4, 15},
       {-1, 5},
       {-2, 5}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto a = Analyze(row.map);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->total_votes, 10000);
    EXPECT_EQ(a->vote_shares[0], Rational(2, 5));
    EXPECT_EQ(a->baseline_seats, (std::vector<Count>{2, 3}));
    EXPECT_EQ(a->plan_seats[0], row.x_seats);
    EXPECT_EQ(a->plan_seats[1], 5 - row.x_seats);
    EXPECT_EQ(a->bonus[0], Rational(row.x_seats - 2));  // entitlement 5 x 40% = 2
    EXPECT_EQ(a->map_effect[0], row.x_seats - 2);
    EXPECT_EQ(a->plan_indices.gallagher_square, row.gallagher_square);
    EXPECT_EQ(*a->droop.gap, row.eg_droop);
    EXPECT_EQ(*a->eg_delta, row.eg_delta);
    EXPECT_EQ(*a->eg_star, row.eg_star);
    EXPECT_EQ(*a->hare.gap, row.eg_hare);
    // Loosemore-Hanby equals Gallagher with two candidates: both are |s_X - v_X|.
    EXPECT_EQ(a->plan_indices.loosemore_hanby,
              Rational(row.x_seats - 2 < 0 ? 2 - row.x_seats : row.x_seats - 2, 5));
    // The baseline is proportional: no bonus, no disproportion, EG* zero.
    EXPECT_EQ(a->baseline_bonus[0], Rational(0));
    EXPECT_EQ(a->baseline_indices.gallagher_square, (WideFraction{0, 1}));
  }
}

TEST(GeographyTest, GallagherIsReportedExactlyAndRoundedForDisplay) {
  auto crack = Analyze({{{0, 8}, {1, 7}, {2, 6}, {3, 5}, {4, 9}}, {1, 1, 1, 1, 1}});
  ASSERT_TRUE(crack.ok());
  EXPECT_EQ(crack->plan_indices.gallagher_square.ToString(), "4/25");
  EXPECT_EQ(crack->plan_indices.gallagher, "0.4000");
  EXPECT_EQ(crack->droop.gap->ToDecimal(3), "0.300");
  EXPECT_EQ(crack->eg_star->ToDecimal(3), "0.400");
  // Three candidates: a Gallagher square that is not a perfect square.
  DistrictPlan plan{"D", 3, {{"A", 3}}};
  DistrictVotes votes{{"P", "Q", "R"}, {{500, 300, 200}}};
  auto a = AnalyzePlan(plan, votes);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  // Seats 1/1/1 (quotas 1.5, 0.9, 0.6: floors 1, 0, 0; remainders .9 and .6 take the other two):
  // shares 1/3 each against .5 .3 .2: ½((1/6)² + (1/30)² + (2/15)²) = ½(25 + 1 + 16)/900 = 7/300.
  EXPECT_EQ(a->plan_seats, (std::vector<Count>{1, 1, 1}));
  EXPECT_EQ(a->plan_indices.gallagher_square.ToString(), "7/300");
  EXPECT_EQ(a->plan_indices.gallagher, "0.1528");  // √0.0233333 = 0.152753
  EXPECT_EQ(a->plan_indices.loosemore_hanby, Rational(1, 6));
  EXPECT_FALSE(a->eg_star.has_value());  // EG* is for two; each candidate's excess is given
  EXPECT_EQ(a->droop.excess.size(), 3u);
}

TEST(GeographyTest, WarningsForOneSeatPoolsUnequalSeatPricesAndThresholds) {
  auto pack = Analyze({{{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}}, {2, 3}});
  ASSERT_TRUE(pack.ok());
  std::string all;
  for (const std::string& w : pack->warnings) all += w + "\n";
  EXPECT_NE(all.find("seats per voter differ by 1.50 to 1"), std::string::npos) << all;
  EXPECT_NE(all.find("X's 650 votes in sub-pool P2 fall under its 15% threshold (13.0%)"),
            std::string::npos)
      << all;
  auto even = Analyze({{{0, 1, 2, 3}, {4, 5, 6, 7, 8, 9}}, {2, 3}});
  ASSERT_TRUE(even.ok());
  EXPECT_TRUE(even->warnings.empty());
  auto single = Analyze({{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}}, {1, 1, 1, 1, 1}});
  ASSERT_TRUE(single.ok());
  size_t one_seat = 0;
  for (const std::string& w : single->warnings)
    one_seat += w.find("elects 1 delegate") != std::string::npos;
  EXPECT_EQ(one_seat, 5u);
  // A looser ratio silences the seat-price warning.
  GeographyOptions loose;
  loose.seats_per_voter_ratio = Rational(3, 2);
  DistrictPlan plan{"CD9", 5, {{"P1", 2}, {"P2", 3}}};
  DistrictVotes votes{{"X", "Y"}, {{3350, 1650}, {650, 4350}}};
  auto a = AnalyzePlan(plan, votes, loose);
  ASSERT_TRUE(a.ok());
  for (const std::string& w : a->warnings) EXPECT_EQ(w.find("seats per voter"), std::string::npos);
}

TEST(GeographyTest, PlansThatDoNotAddUpAreRefused) {
  DistrictVotes votes{{"X", "Y"}, {{10, 20}, {30, 40}}};
  auto a = AnalyzePlan({"CD9", 5, {{"N", 2}, {"S", 2}}}, votes);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(),
            "district CD9: the sub-pools' seats add up to 4, but the district has 5");
  EXPECT_FALSE(AnalyzePlan({"CD9", 4, {{"N", 2}, {"N", 2}}}, votes).ok());
  EXPECT_FALSE(AnalyzePlan({"CD9", 4, {{"N", 4}}}, votes).ok());  // votes for two pools
  EXPECT_FALSE(AnalyzePlan({"CD9", 4, {{"N", 4}, {"S", 0}}}, votes).ok());
}

TEST(GeographyTest, SubPoolSizesBeyondExactArithmeticAreRefused) {
  // Droop divisors 2, 3, 5, ..., 47: their least common multiple is about 6 x 10^17.
  DistrictPlan plan{"D", 0, {}};
  DistrictVotes votes{{"X", "Y"}, {}};
  for (Count p : {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47}) {
    std::string name = "P";
    name += std::to_string(p);
    plan.pools.push_back({name, p - 1});
    plan.seats += p - 1;
    votes.pools.push_back({100, 200});
  }
  auto a = AnalyzePlan(plan, votes);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("too varied for exact waste figures"), std::string::npos);
  // Without the last three primes it fits (about 7.4 x 10^12).
  for (int i = 0; i < 3; ++i) {
    plan.seats -= plan.pools.back().seats;
    plan.pools.pop_back();
    votes.pools.pop_back();
  }
  EXPECT_TRUE(AnalyzePlan(plan, votes).ok());
}

TEST(GeographyTest, RemainderTiesGoToTheRecordedLots) {
  DistrictPlan plan{"D", 1, {{"A", 1}}};
  DistrictVotes votes{{"X", "Y"}, {{50, 50}}};
  auto a = AnalyzePlan(plan, votes);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(a.status().message().find("X, Y tie"), std::string::npos) << a.status().message();
  GeographyOptions lots;
  lots.lots = {1, 0};
  a = AnalyzePlan(plan, votes, lots);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->plan_seats, (std::vector<Count>{0, 1}));
  EXPECT_FALSE(a->notes.empty());
}

}  // namespace
}  // namespace canvass
