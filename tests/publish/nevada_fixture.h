// A small Nevada election with early-vote cards, for the publication tests: the examples of the
// Nevada memo (docs/caucus-math.md, tests/cases/nevada-cards.case) as precincts of one ledger, so
// that a release carries early, in-person and total figures by precinct, county, district and
// state (golden files in golden/nevada/).
//
// Precincts (D as apportioned; Clark's district 1 from the county, Clark 1002 in district 3 by
// its own row, Washoe's 2):
//   1 Clark 1001 (D 4): in person Biden 10, Buttigieg 7, Sanders 3; cards Biden>Buttigieg>Sanders,
//     Sanders>Biden>Buttigieg, Sanders>Buttigieg>Biden, Steyer>Sanders>Buttigieg and one void
//     (two choices). T = 24: the Steyer card moves to Sanders at the final alignment.
//   2 Clark 1002 (D 4): in person Biden 10, Buttigieg 7, Warren 1, then 10, 8, 0; one card
//     Warren>Buttigieg>Biden, which moves to Buttigieg (Warren is not viable).
//   3 Washoe 2002 (D 4): no card; Sanders 12, Biden 8.
//   4 Washoe 2003 (D 2): one card Warren>Sanders>Biden; in person Sanders 5, Warren 3, first
//     alignment only.
//   5 Clark 1003 (D 3): a card, never reported: counted nowhere.
#pragma once

#include <string>
#include <vector>

#include "release_fixture.h"
#include "state/early_votes.h"

namespace canvass::publish_test {

inline const std::vector<std::string> kNevadaCandidates = {"Biden", "Buttigieg", "Sanders",
                                                           "Steyer", "Warren"};

// Appends the early-votes-loaded event of precinct `id` as the loader builds it.
inline void LoadCards(Ledger& l, int64_t id, std::vector<EarlyVoteCardRecord> cards) {
  auto set =
      JudgeEarlyVotes(l.state.ruleset().precinct.early_vote, kNevadaCandidates, std::move(cards));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  l.Add("early-votes-loaded", EarlyVotesPayload(id, *set));
}

inline void BuildNevadaFixture(Ledger& l) {
  auto path = RulesetPath("nevada-dem-2020");
  ASSERT_TRUE(path.ok());
  auto toml = ReadFile(*path);
  ASSERT_TRUE(toml.ok());
  auto ruleset = ParseRuleset(*toml, "nevada-dem-2020");
  ASSERT_TRUE(ruleset.ok()) << ruleset.status().ToString();
  ASSERT_TRUE(ruleset->precinct.early_vote.enabled);
  const json precincts = json::array({
      {{"county", "Clark"}, {"precinct", "1001"}, {"satellite", false}, {"delegates", 4}},
      {{"county", "Clark"},
       {"precinct", "1002"},
       {"satellite", false},
       {"delegates", 4},
       {"district", "3"}},
      {{"county", "Washoe"}, {"precinct", "2002"}, {"satellite", false}, {"delegates", 4}},
      {{"county", "Washoe"}, {"precinct", "2003"}, {"satellite", false}, {"delegates", 2}},
      {{"county", "Clark"}, {"precinct", "1003"}, {"satellite", false}, {"delegates", 3}},
  });
  l.Add("election-created",
        {{"name", "Nevada Democratic caucuses 2020 (release test)"},
         {"ruleset", {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", *toml}}},
         {"candidates", kNevadaCandidates},
         {"precincts", precincts},
         {"county_district", {{"Clark", "1"}, {"Washoe", "2"}}},
         {"signing_key", FixtureKey().public_hex}});
  ASSERT_NO_FATAL_FAILURE(LoadCards(l, 1,
                                    {{"EV1", {"Biden", "Buttigieg", "Sanders"}, ""},
                                     {"EV2", {"Sanders", "Biden", "Buttigieg"}, ""},
                                     {"EV3", {"Sanders", "Buttigieg", "Biden"}, ""},
                                     {"EV4", {"Steyer", "Sanders", "Buttigieg"}, ""},
                                     {"EV5", {"Biden", "Warren"}, ""}}));
  ASSERT_NO_FATAL_FAILURE(LoadCards(l, 2, {{"EV1", {"Warren", "Buttigieg", "Biden"}, ""}}));
  ASSERT_NO_FATAL_FAILURE(LoadCards(l, 4, {{"EV1", {"Warren", "Sanders", "Biden"}, ""}}));
  ASSERT_NO_FATAL_FAILURE(LoadCards(l, 5, {{"EV1", {"Biden", "Sanders", "Warren"}, ""}}));
  const json p1 = Figures({{"Biden", 10}, {"Buttigieg", 7}, {"Sanders", 3}});
  l.Add("first-alignment-reported", {{"precinct", 1}, {"submission", "c1"}, {"first", p1}});
  l.Add("final-alignment-reported", {{"precinct", 1}, {"submission", "c2"}, {"final", p1}});
  l.Add("first-alignment-reported",
        {{"precinct", 2},
         {"submission", "d1"},
         {"first", Figures({{"Biden", 10}, {"Buttigieg", 7}, {"Warren", 1}})}});
  l.Add("final-alignment-reported", {{"precinct", 2},
                                     {"submission", "d2"},
                                     {"final", Figures({{"Biden", 10}, {"Buttigieg", 8}})}});
  const json p3 = Figures({{"Biden", 8}, {"Sanders", 12}});
  l.Add("first-alignment-reported", {{"precinct", 3}, {"submission", "w1"}, {"first", p3}});
  l.Add("final-alignment-reported", {{"precinct", 3}, {"submission", "w2"}, {"final", p3}});
  l.Add(
      "first-alignment-reported",
      {{"precinct", 4}, {"submission", "x1"}, {"first", Figures({{"Sanders", 5}, {"Warren", 3}})}});
}

}  // namespace canvass::publish_test
