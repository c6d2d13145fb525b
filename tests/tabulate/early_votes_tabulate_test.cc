// Early-vote cards in the tabulation (docs/tabulation.md, "Early-vote cards"): each report's head
// counts are in person, the cards' part is added as the precinct check counts it and kept apart,
// and a ruleset without early vote counts no card at all.
#include <gtest/gtest.h>

#include "io/importers.h"
#include "tabulate/tabulate.h"

namespace canvass {
namespace {

Ruleset Rules(const char* name) {
  auto path = RulesetPath(name);
  EXPECT_TRUE(path.ok());
  auto toml = ReadFile(*path);
  EXPECT_TRUE(toml.ok());
  auto r = ParseRuleset(*toml, name);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

EarlyVoteCard Card(std::vector<CandidateIndex> choices) {
  return EarlyVoteCard{std::move(choices)};
}

// The memo's first example (tests/cases/nevada-cards.case, nv-cards-count-in-first-alignment):
// D = 4, in person A 10, B 7, C 3; cards A>B>C, C>A>B, C>B>A, D>C>B; and a second precinct of the
// same county with no card and its first alignment only.
class EarlyVotesTabulateTest : public ::testing::Test {
 protected:
  void Build(const Ruleset& ruleset) {
    election_ = Election{};
    election_.candidates = {"A", "B", "C", "D"};
    election_.county_district = {{"Clark", "1"}};
    for (auto [precinct, d] : {std::pair{"1001", 4}, std::pair{"1002", 3}}) {
      PrecinctApportionment ap;
      ap.county = "Clark";
      ap.precinct = precinct;
      ap.delegates = d;
      election_.apportionment.push_back(ap);
    }
    PrecinctReport one;
    one.county = "Clark";
    one.precinct = "1001";
    const Count in_person[] = {10, 7, 3, 0};
    for (Count v : in_person) one.figures.push_back(CandidateReport{v, v, std::nullopt, {}});
    PrecinctReport two;
    two.county = "Clark";
    two.precinct = "1002";
    const Count first_only[] = {4, 0, 2, 0};
    for (Count v : first_only) {
      two.figures.push_back(CandidateReport{v, std::nullopt, std::nullopt, {}});
    }
    election_.reports = {one, two};
    checks_ = {CheckPrecinct(ruleset, election_.candidates, one, &election_.apportionment[0], false,
                             {}, cards_),
               CheckPrecinct(ruleset, election_.candidates, two, &election_.apportionment[1])};
  }

  Election election_;
  std::vector<PrecinctCheck> checks_;
  std::vector<EarlyVoteCard> cards_ = {Card({0, 1, 2}), Card({2, 0, 1}), Card({2, 1, 0}),
                                       Card({3, 2, 1})};
};

TEST_F(EarlyVotesTabulateTest, TotalsAreInPersonPlusTheCardsWithTheCardsKeptApart) {
  const Ruleset nevada = Rules("nevada-dem-2020");
  Build(nevada);
  auto tab = Tabulate(nevada, election_, checks_, {}, {&cards_, nullptr});
  ASSERT_TRUE(tab.ok()) << tab.status().ToString();
  EXPECT_TRUE(tab->early_votes);
  for (const AreaTotals* area : {&tab->computed.state, &tab->computed.counties.at("Clark"),
                                 &tab->reported.districts.at("1")}) {
    const auto& t = area->candidates;
    // First: A 10 + 1 + 4, B 7, C 3 + 2 + 2, D 0 + 1 (T = 24 in 1001).
    EXPECT_EQ(t[0].first, 15);
    EXPECT_EQ(t[0].first_early, 1);
    EXPECT_EQ(t[2].first, 7);
    EXPECT_EQ(t[2].first_early, 2);
    EXPECT_EQ(t[3].first, 1);
    EXPECT_EQ(t[3].first_early, 1);
    // Final: 1002 has none; in 1001 the D card moves to C (viable): A 11, B 7, C 6, D 0.
    EXPECT_EQ(t[0].final, 11);
    EXPECT_EQ(t[1].final, 7);
    EXPECT_EQ(t[2].final, 6);
    EXPECT_EQ(t[2].final_early, 3);
    EXPECT_EQ(t[3].final, 0);
    EXPECT_EQ(t[3].final_early, 0);
  }
  // The worksheet the check computed has the same totals as the tabulation's precinct.
  ASSERT_TRUE(checks_[0].computed.has_value());
  EXPECT_EQ(checks_[0].computed->attendance, 24);
  const nlohmann::json json = TabulationToJson(nevada, election_.candidates, *tab);
  const nlohmann::json& c = json["totals"]["computed"]["state"]["C"];
  EXPECT_EQ(c["first"], 7);
  EXPECT_EQ(c["first_in_person"], 5);
  EXPECT_EQ(c["first_early"], 2);
  EXPECT_EQ(c["final"], 6);
  EXPECT_EQ(c["final_in_person"], 3);
  EXPECT_EQ(c["final_early"], 3);
}

TEST_F(EarlyVotesTabulateTest, WithoutCardsTheKeysStillSayNoneCounted) {
  const Ruleset nevada = Rules("nevada-dem-2020");
  cards_.clear();
  Build(nevada);
  auto tab = Tabulate(nevada, election_, checks_);
  ASSERT_TRUE(tab.ok());
  const nlohmann::json json = TabulationToJson(nevada, election_.candidates, *tab);
  const nlohmann::json& a = json["totals"]["reported"]["state"]["A"];
  EXPECT_EQ(a["first"], 14);
  EXPECT_EQ(a["first_early"], 0);
  EXPECT_EQ(a["first_in_person"], 14);
}

TEST_F(EarlyVotesTabulateTest, ARulesetWithoutEarlyVoteCountsNoCardAndAddsNoKey) {
  const Ruleset iowa = Rules("iowa-dem-2020");
  Build(Rules("nevada-dem-2020"));
  auto tab = Tabulate(iowa, election_, checks_, {}, {&cards_, nullptr});
  ASSERT_TRUE(tab.ok()) << tab.status().ToString();
  EXPECT_FALSE(tab->early_votes);
  EXPECT_EQ(tab->computed.state.candidates[0].first, 14);
  EXPECT_EQ(tab->computed.state.candidates[0].first_early, 0);
  const nlohmann::json json = TabulationToJson(iowa, election_.candidates, *tab);
  EXPECT_FALSE(json["totals"]["computed"]["state"]["A"].contains("first_early"));
  EXPECT_FALSE(json["totals"]["computed"]["state"]["A"].contains("first_in_person"));
}

TEST_F(EarlyVotesTabulateTest, CardsOfAnotherNumberOfReportsAreRefused) {
  const Ruleset nevada = Rules("nevada-dem-2020");
  Build(nevada);
  auto tab = Tabulate(nevada, election_, checks_, {}, {&cards_});
  ASSERT_FALSE(tab.ok());
  EXPECT_NE(tab.status().message().find("early-vote cards of 1 precincts for 2 reports"),
            std::string::npos)
      << tab.status().message();
}

}  // namespace
}  // namespace canvass
