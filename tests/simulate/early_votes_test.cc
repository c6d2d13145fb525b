// The simulated Nevada night: early-vote cards drawn beside the in-person alignments, the cards
// file read back as the loader reads it, and the delegates in the results the rules' with the
// valid cards; and the real Nevada apportionment as the map.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "caucus/allocation.h"
#include "caucus/findings.h"
#include "io/early_cards.h"
#include "io/importers.h"
#include "simulate/simulate.h"
#include "simulate/simulate_fixture.h"

namespace canvass::simulate {
namespace {

Options Nevada(int64_t precincts, uint64_t seed, uint32_t early_ppm) {
  Options o;
  o.precincts = precincts;
  o.seed = seed;
  o.candidates = 7;
  o.ties_ppm = 30'000;
  o.early_votes_ppm = early_ppm;
  return o;
}

TEST(SimulateEarlyVotesTest, SameSeedSameCardsOtherSeedOtherCards) {
  Ruleset nevada = Rules("nevada-dem-2020");
  const Simulation a = Make(nevada, Nevada(300, 4, 500'000));
  const Simulation b = Make(nevada, Nevada(300, 4, 500'000));
  const Simulation c = Make(nevada, Nevada(300, 5, 500'000));
  EXPECT_EQ(WriteEarlyCardsCsv(a.cards), WriteEarlyCardsCsv(b.cards));
  EXPECT_EQ(WriteResultsCsv(a.election), WriteResultsCsv(b.election));
  EXPECT_NE(WriteEarlyCardsCsv(a.cards), WriteEarlyCardsCsv(c.cards));
}

// Without early vote the election is the one the generator always made: the cards have a stream
// of their own.
TEST(SimulateEarlyVotesTest, NoCardsNoChange) {
  Ruleset nevada = Rules("nevada-dem-2020");
  const Simulation none = Make(nevada, Nevada(200, 8, 0));
  EXPECT_TRUE(none.cards.empty());
  Options o = Nevada(200, 8, 0);
  o.void_cards_ppm = 500'000;
  EXPECT_EQ(WriteResultsCsv(Make(nevada, o).election), WriteResultsCsv(none.election));
}

TEST(SimulateEarlyVotesTest, CardsReadBackAndTheDelegatesAreTheRulesWithThem) {
  Ruleset nevada = Rules("nevada-dem-2020");
  const Simulation s = Make(nevada, Nevada(1500, 2020, 600'000));
  const Election& e = s.election;
  ASSERT_EQ(s.early_votes.size(), e.reports.size());

  // The file reads back row for row, and each card is void exactly when the rules say so.
  auto rows = ParseEarlyCardsCsv(WriteEarlyCardsCsv(s.cards), "cards.csv");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), s.cards.size());
  std::map<std::pair<std::string, std::string>, std::vector<EarlyVoteCard>> valid;
  int64_t void_cards = 0, too_few = 0, twice = 0, unknown = 0;
  for (const EarlyCardRow& row : *rows) {
    EarlyVoteCard card;
    bool known = true;
    for (const std::string& name : row.choices) {
      auto at = std::find(e.candidates.begin(), e.candidates.end(), name);
      if (at == e.candidates.end()) {
        known = false;
        break;
      }
      card.choices.push_back(static_cast<CandidateIndex>(at - e.candidates.begin()));
    }
    const std::string why =
        known ? EarlyVoteCardVoidReason(nevada.precinct.early_vote, card, e.candidates) : "unknown";
    if (why.empty()) {
      EXPECT_GE(row.choices.size(), 3u);
      EXPECT_LE(row.choices.size(), 5u);
      valid[{row.county, row.precinct}].push_back(card);
      continue;
    }
    ++void_cards;
    if (!known) {
      ++unknown;
    } else if (row.choices.size() < 3) {
      ++too_few;
    } else {
      ++twice;
    }
  }
  EXPECT_EQ(void_cards, s.void_cards);
  EXPECT_GT(too_few, 0);
  EXPECT_GT(twice, 0);
  EXPECT_GT(unknown, 0);
  // About 3% of the cards are void (30,000 ppm by default).
  EXPECT_GT(void_cards * 100, static_cast<int64_t>(s.cards.size()) * 1);
  EXPECT_LT(void_cards * 100, static_cast<int64_t>(s.cards.size()) * 6);

  // A share of the attendance voted early: 60% asked, the room keeps at least its chair.
  int64_t in_person = 0;
  for (const PrecinctReport& r : e.reports) {
    Count room = 0;
    for (const CandidateReport& f : r.figures) room += f.first.value_or(0);
    EXPECT_GE(room, 1) << r.county << " / " << r.precinct;
    in_person += room;
  }
  const auto cards = static_cast<int64_t>(s.cards.size());
  EXPECT_GT(cards * 100, (cards + in_person) * 50);
  EXPECT_LT(cards * 100, (cards + in_person) * 70);

  // The results hold the room only; with the valid cards they check clean, and the delegates are
  // what the rules compute with those cards (the check says so: no error finding).
  int64_t ties = 0, counted_cards = 0;
  for (size_t i = 0; i < e.reports.size(); ++i) {
    const PrecinctReport& r = e.reports[i];
    const std::vector<EarlyVoteCard>& mine = s.early_votes[i];
    const auto it = valid.find({r.county, r.precinct});
    const size_t expected = it == valid.end() ? 0 : it->second.size();
    EXPECT_EQ(mine.size(), expected) << r.precinct;
    counted_cards += static_cast<int64_t>(mine.size());
    const PrecinctCheck with =
        CheckPrecinct(nevada, e.candidates, r, &e.apportionment[i], false, {}, mine);
    for (const Finding& f : with.findings) {
      EXPECT_NE(f.severity, Severity::kError) << r.precinct << ": " << f.code << ": " << f.message;
      if (f.code == "allocation-is-tie-outcome") ++ties;
    }
  }
  EXPECT_EQ(counted_cards + void_cards, cards);
  EXPECT_GT(ties, 0) << "ties built with cards stay exact";
  EXPECT_EQ(ties, s.ties);
  // Without the cards the same reports do not add up: the cards count.
  int64_t differ = 0;
  for (const PrecinctCheck& c : CheckElection(nevada, e)) differ += c.has_error() ? 1 : 0;
  EXPECT_GT(differ, static_cast<int64_t>(e.reports.size()) / 4);
}

TEST(SimulateEarlyVotesTest, InjectedErrorsAreFoundWithTheCards) {
  Ruleset nevada = Rules("nevada-dem-2020");
  Options o = Nevada(800, 6, 500'000);
  o.errors_ppm = 50'000;
  const Simulation s = Make(nevada, o);
  ASSERT_GT(s.errors.size(), 10u);
  std::set<size_t> injected;
  for (const InjectedError& x : s.errors) injected.insert(x.report);
  for (size_t i = 0; i < s.election.reports.size(); ++i) {
    const PrecinctCheck c =
        CheckPrecinct(nevada, s.election.candidates, s.election.reports[i],
                      &s.election.apportionment[i], false, {}, s.early_votes[i]);
    EXPECT_EQ(c.has_error(), injected.count(i) == 1) << s.election.reports[i].precinct;
  }
}

TEST(SimulateEarlyVotesTest, RefusedWithoutEarlyVote) {
  Options o = Nevada(10, 1, 100'000);
  auto iowa = Simulate(Rules("iowa-dem-2020"), o);
  ASSERT_FALSE(iowa.ok());
  EXPECT_NE(iowa.status().message().find("no early vote"), std::string::npos);
  o.candidate_names = {"A", "Write-in", "C"};
  EXPECT_FALSE(Simulate(Rules("nevada-dem-2020"), o).ok());
}

// The party's own map: every unit, its delegates and district, with named candidates.
TEST(SimulateEarlyVotesTest, OnNevadasApportionment) {
  auto table = LoadApportionmentFile(std::string(CANVASS_DATA_DIR) +
                                     "/nevada-2020/precinct-delegate-apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().message();
  Ruleset nevada = Rules("nevada-dem-2020");
  Options o;
  o.seed = 3;
  o.units = &*table;
  o.candidate_names = {"Sanders", "Biden", "Buttigieg", "Warren", "Steyer", "Klobuchar"};
  o.early_votes_ppm = 700'000;
  const Simulation s = Make(nevada, o);
  const Election& e = s.election;
  ASSERT_EQ(e.reports.size(), 2088u);
  Count delegates_apportioned = 0;
  Count delegates_allocated = 0;
  for (size_t i = 0; i < e.reports.size(); ++i) {
    EXPECT_EQ(e.apportionment[i].county, (*table)[i].county);
    EXPECT_EQ(e.apportionment[i].precinct, (*table)[i].precinct);
    EXPECT_EQ(e.apportionment[i].district, (*table)[i].district);
    delegates_apportioned += *e.apportionment[i].delegates;
    for (const CandidateReport& f : e.reports[i].figures) delegates_allocated += *f.delegates;
  }
  EXPECT_EQ(delegates_apportioned, 14675);
  // Nevada adds a delegate where more groups are viable than D; some precincts elect nobody.
  EXPECT_GT(delegates_allocated, 14675 * 9 / 10);
  EXPECT_EQ(e.candidates.front(), "Sanders");
  EXPECT_GT(s.cards.size(), 2088u * 5);
  EXPECT_GT(s.ties, 0);
  // Clark County spans three districts: no single district for it.
  EXPECT_EQ(e.county_district.count("Clark"), 0u);
  EXPECT_EQ(e.county_district.at("Washoe"), "2");
}

}  // namespace
}  // namespace canvass::simulate
