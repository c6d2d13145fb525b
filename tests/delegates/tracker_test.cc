// The national count (delegates/tracker.h) on the 2020 delegates file, the real Iowa and New
// Hampshire votes, and small conventions built to reach each status and family.
#include "delegates/tracker.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "io/importers.h"
#include "io/national_inputs.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

const std::string kData = CANVASS_DATA_DIR;
const std::string kFixtures = CANVASS_SOURCE_DIR "/tests/delegates/data";

Ruleset Rules(const std::string& name) {
  auto r = LoadRuleset(name);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Ruleset();
}

NationalCount Tally(const Ruleset& rules, const std::string& delegates, const std::string& votes,
                    const std::string& published = "") {
  NationalInputs in;
  in.published_origin = "published.csv";
  auto d = ParseDelegatesCsv(delegates, "delegates.csv");
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  if (!d.ok()) return {};
  in.delegates = *d;
  auto v = ParseVotesCsv(votes, "votes.csv", in.delegates);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  if (!v.ok()) return {};
  in.votes = *v;
  if (!published.empty()) {
    auto p = ParsePublishedCsv(published, "published.csv", in.delegates);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) return {};
    in.published = *p;
  }
  auto n = CountNational(rules, in);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? std::move(n).value() : NationalCount();
}

NationalCount CountFiles(const Ruleset& rules, const std::string& votes_path) {
  auto in = LoadNationalInputs(kData + "/dnc-2020/delegates.csv", votes_path, "");
  EXPECT_TRUE(in.ok()) << in.status().ToString();
  if (!in.ok()) return {};
  auto n = CountNational(rules, *in);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? std::move(n).value() : NationalCount();
}

const TrackedState& State(const NationalCount& n, const std::string& name) {
  for (const TrackedState& s : n.states) {
    if (s.state == name) return s;
  }
  ADD_FAILURE() << "no state " << name;
  static const TrackedState none;
  return none;
}

// Seats per candidate name, zeros left out.
std::map<std::string, Count> Seats(const NationalCount& n, const std::vector<Count>& seats) {
  std::map<std::string, Count> out;
  for (size_t c = 0; c < seats.size(); ++c) {
    if (seats[c] > 0) out[n.candidates[c]] = seats[c];
  }
  return out;
}

std::map<std::string, Count> Pool(const NationalCount& n, const std::string& state,
                                  const std::string& pool) {
  for (const TrackedPool& p : State(n, state).pools) {
    if (p.name == pool) return Seats(n, p.allocation.delegates);
  }
  ADD_FAILURE() << "no pool " << pool;
  return {};
}

const CandidateStanding& Standing(const NationalCount& n, const std::string& name) {
  for (const CandidateStanding& s : n.standings) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no candidate " << name;
  static const CandidateStanding none;
  return none;
}

using Seat = std::map<std::string, Count>;

TEST(NationalCount, DelegatesFileHoldsThe2020Convention) {
  NationalCount n = CountFiles(Rules("dnc-2020"), kFixtures + "/new-hampshire-2020-votes.csv");
  EXPECT_EQ(n.pledged, 3979);
  EXPECT_EQ(n.states.size(), 57u);
  EXPECT_TRUE(n.warnings.empty());
  Count pools = 0;
  for (const TrackedState& s : n.states) pools += static_cast<Count>(s.pools.size());
  EXPECT_EQ(pools, 529);
}

TEST(NationalCount, Iowa2020FromItsSdes) {
  NationalCount n = CountFiles(Rules("dnc-2020"), kFixtures + "/iowa-2020-sde-votes.csv");
  const TrackedState& ia = State(n, "Iowa");
  EXPECT_TRUE(ia.voted);
  ASSERT_EQ(ia.pools.size(), 6u);
  EXPECT_EQ(ia.pools[0].allocation.size, 7);  // CD1
  EXPECT_EQ(ia.pools[1].allocation.size, 7);  // CD2
  EXPECT_EQ(ia.pools[2].allocation.size, 8);  // CD3
  EXPECT_EQ(ia.pools[3].allocation.size, 5);  // CD4
  EXPECT_EQ(
      Seats(n, ia.won),
      (Seat{{"Buttigieg", 14}, {"Sanders", 12}, {"Warren", 8}, {"Biden", 6}, {"Klobuchar", 1}}));
  // Spec 1.13, the IDP's February 8 data.
  EXPECT_EQ(Pool(n, "Iowa", "CD01"),
            (Seat{{"Buttigieg", 2}, {"Sanders", 2}, {"Biden", 2}, {"Warren", 1}}));
  EXPECT_EQ(Pool(n, "Iowa", "CD02"), (Seat{{"Sanders", 3}, {"Buttigieg", 2}, {"Warren", 2}}));
  EXPECT_EQ(Pool(n, "Iowa", "CD03"),
            (Seat{{"Buttigieg", 3}, {"Sanders", 2}, {"Warren", 2}, {"Biden", 1}}));
  EXPECT_EQ(Pool(n, "Iowa", "CD04"),
            (Seat{{"Buttigieg", 2}, {"Sanders", 1}, {"Biden", 1}, {"Klobuchar", 1}}));
  EXPECT_EQ(Pool(n, "Iowa", "PLEO"),
            (Seat{{"Buttigieg", 2}, {"Sanders", 1}, {"Warren", 1}, {"Biden", 1}}));
  EXPECT_EQ(Pool(n, "Iowa", "At-large"),
            (Seat{{"Buttigieg", 3}, {"Sanders", 3}, {"Warren", 2}, {"Biden", 1}}));
  // Everyone else is projected: 3,979 - 41 seats remain, and nobody is decided.
  EXPECT_EQ(n.allocated, 41);
  EXPECT_EQ(n.remaining, 3979 - 41);
  EXPECT_EQ(Standing(n, "Buttigieg").status, CandidateStatus::kOpen);
  EXPECT_EQ(Standing(n, "Buttigieg").needs, 1991 - 14);
  EXPECT_EQ(Standing(n, "Buttigieg").need_share, Rational(1991 - 14, 3979 - 41));
  EXPECT_FALSE(n.brokered);
}

TEST(NationalCount, NewHampshire2020StatewidePools) {
  // The statewide vote feeds At-large (5) and PLEO (3); the two districts' returns are not in the
  // fixture, so CD01 and CD02 stay open.
  NationalCount n = CountFiles(Rules("dnc-2020"), kFixtures + "/new-hampshire-2020-votes.csv");
  EXPECT_EQ(Pool(n, "New Hampshire", "At-large"),
            (Seat{{"Sanders", 2}, {"Buttigieg", 2}, {"Klobuchar", 1}}));
  EXPECT_EQ(Pool(n, "New Hampshire", "PLEO"),
            (Seat{{"Sanders", 1}, {"Buttigieg", 1}, {"Klobuchar", 1}}));
  EXPECT_TRUE(Pool(n, "New Hampshire", "CD01").empty());
}

TEST(NationalCount, The2020Majorities) {
  NationalCount n = CountFiles(Rules("dnc-2020"), kFixtures + "/iowa-2020-sde-votes.csv");
  EXPECT_EQ(n.first_ballot_delegates, 3979);
  EXPECT_EQ(n.majority, 1991);
  EXPECT_EQ(n.majority_ceil, 1991);
  EXPECT_EQ(n.majority_floor, 1990);
  EXPECT_EQ(n.later_ballot_votes, Rational(4750));
  EXPECT_EQ(n.later_ballot_majority, Rational(4751, 2));
}

TEST(NationalCount, The2016Majorities) {
  // Every delegate votes on the first ballot in both parties' 2016 rules.
  NationalCount gop = Tally(Rules("rnc-2016"), "state,pool,kind,delegates\nUS,All,district,2472\n",
                            "state,pool,candidate,votes\n");
  EXPECT_EQ(gop.first_ballot_delegates, 2472);
  EXPECT_EQ(gop.majority, 1237);
  NationalCount dem = Tally(Rules("dnc-2016"),
                            "state,pool,kind,delegates\nUS,Pledged,district,4051\n"
                            "US,Automatic,automatic,714\n",
                            "state,pool,candidate,votes\n");
  EXPECT_EQ(dem.first_ballot_delegates, 4765);
  EXPECT_EQ(dem.majority, 2383);
}

const char kSmall[] =
    "state,pool,kind,delegates\n"
    "A,CD1,district,4\n"
    "A,At-large,at-large,3\n"
    "B,CD1,district,3\n";

TEST(NationalCount, NobodyReachesFifteenPercent) {
  // Shares 14%, 13%, 12%, ...: Rule 14.F halves the front-runner's share to 7%.
  std::string votes = "state,pool,candidate,votes\n";
  const int v[] = {14, 13, 12, 11, 10, 10, 10, 10, 5, 5};
  for (int i = 0; i < 10; ++i)
    votes += "A,CD1,C" + std::to_string(i) + "," + std::to_string(v[i]) + "\n";
  NationalCount n = Tally(Rules("dnc-2020"), kSmall, votes);
  const PoolAllocation& cd = State(n, "A").pools[0].allocation;
  EXPECT_TRUE(cd.fallback_applied);
  EXPECT_EQ(cd.threshold, Rational(7, 100));
  // Qualified: 14, 13, 12, 11, 10 x4 = 90; quotas 0.62, 0.58, 0.53, 0.49, 0.44 x4: the four
  // largest remainders.
  EXPECT_EQ(Seats(n, cd.delegates), (Seat{{"C0", 1}, {"C1", 1}, {"C2", 1}, {"C3", 1}}));
}

TEST(NationalCount, TieForTheLastSeatStaysOpen) {
  NationalCount n = Tally(Rules("dnc-2020"), kSmall,
                          "state,pool,candidate,votes\nA,At-large,X,50\nA,At-large,Y,50\n");
  const PoolAllocation& al = State(n, "A").pools[1].allocation;
  ASSERT_TRUE(al.pending_tie.has_value());
  EXPECT_EQ(al.pending_tie->seats_at_stake, 1);
  EXPECT_EQ(Seats(n, al.delegates), (Seat{{"X", 1}, {"Y", 1}}));
  // The seat at stake is still remaining: 7 + 3 - 2.
  EXPECT_EQ(n.remaining, 8);
}

TEST(NationalCount, StatusesAndBrokered) {
  // 10 pledged: majority 6 (ceil). A takes 4 of CD1, then B's state is projected.
  NationalCount n = Tally(Rules("dnc-2020"), kSmall,
                          "state,pool,candidate,votes\nA,CD1,X,100\nA,At-large,X,60\n"
                          "A,At-large,Y,40\n");
  EXPECT_EQ(n.majority, 6);
  EXPECT_EQ(Standing(n, "X").won, 6);  // 4 + 2 of 3
  EXPECT_EQ(Standing(n, "X").status, CandidateStatus::kClinched);
  EXPECT_EQ(Standing(n, "Y").status, CandidateStatus::kEliminated);  // 1 + 3 remaining < 6
  EXPECT_FALSE(n.brokered);

  NationalCount split = Tally(Rules("dnc-2020"), kSmall,
                              "state,pool,candidate,votes\nA,CD1,X,50\nA,CD1,Y,50\n"
                              "A,At-large,X,34\nA,At-large,Y,33\nA,At-large,Z,33\n");
  // X 2+1, Y 2+1, Z 1; 3 remain: X and Y can reach 6, Z cannot.
  EXPECT_EQ(Standing(split, "X").status, CandidateStatus::kOpen);
  EXPECT_EQ(Standing(split, "X").need_share, Rational(1));
  EXPECT_EQ(Standing(split, "Z").status, CandidateStatus::kEliminated);
  EXPECT_FALSE(split.brokered);

  NationalCount brokered = Tally(Rules("dnc-2020"), kSmall,
                                 "state,pool,candidate,votes\nA,CD1,X,50\nA,CD1,Y,50\n"
                                 "A,At-large,X,34\nA,At-large,Y,33\nA,At-large,Z,33\n"
                                 "B,CD1,X,34\nB,CD1,Y,33\nB,CD1,Z,33\n");
  EXPECT_TRUE(brokered.brokered);
  for (const CandidateStanding& s : brokered.standings) {
    EXPECT_EQ(s.status, CandidateStatus::kEliminated) << s.name;
  }
}

TEST(NationalCount, PublishedAllocationThatBreaksTheRulesIsFlagged) {
  NationalCount n =
      Tally(Rules("dnc-2020"), kSmall, "state,pool,candidate,votes\nA,CD1,X,60\nA,CD1,Y,40\n",
            "state,pool,candidate,delegates\nA,CD1,X,3\nA,CD1,Y,1\n"
            "A,At-large,X,2\nA,At-large,Y,2\n");
  ASSERT_EQ(n.findings.size(), 2u);
  EXPECT_EQ(n.findings[0].code, "published-differs");
  EXPECT_EQ(n.findings[0].pool, "CD1");
  EXPECT_EQ(n.findings[0].line, 2);
  EXPECT_NE(n.findings[0].message.find("published X 3, Y 1; the rules give X 2, Y 2"),
            std::string::npos)
      << n.findings[0].message;
  EXPECT_EQ(n.findings[1].code, "published-sum");
  EXPECT_NE(n.findings[1].message.find("published.csv:4: A At-large"), std::string::npos)
      << n.findings[1].message;
  // A correct publication is not flagged.
  NationalCount ok =
      Tally(Rules("dnc-2020"), kSmall, "state,pool,candidate,votes\nA,CD1,X,60\nA,CD1,Y,40\n",
            "state,pool,candidate,delegates\nA,CD1,X,2\nA,CD1,Y,2\n");
  EXPECT_TRUE(ok.findings.empty());
}

const char kGop[] =
    "state,pool,kind,delegates\n"
    "Vermont,At-large,at-large,16\n"
    "Georgia,CD1,district,3\n"
    "Florida,At-large,at-large,99\n"
    "Colorado,At-large,at-large,3\n"
    "North Dakota,At-large,at-large,28\n"
    "Ohio,At-large,at-large,10\n";

TEST(NationalCount, GopWinnerTakeAllTriggerAboveHalf) {
  NationalCount above = Tally(Rules("rnc-2016"), kGop,
                              "state,pool,candidate,votes\nVermont,statewide,T,51\n"
                              "Vermont,statewide,K,30\nVermont,statewide,R,19\n");
  EXPECT_EQ(Pool(above, "Vermont", "At-large"), (Seat{{"T", 16}}));
  // At exactly half the trigger does not fire: proportional with a 20% threshold (R out).
  NationalCount half = Tally(Rules("rnc-2016"), kGop,
                             "state,pool,candidate,votes\nVermont,statewide,T,50\n"
                             "Vermont,statewide,K,31\nVermont,statewide,R,19\n");
  // T 50/81 x 16 = 9.88, K 31/81 x 16 = 6.12: 10 and 6.
  EXPECT_EQ(Pool(half, "Vermont", "At-large"), (Seat{{"T", 10}, {"K", 6}}));
}

TEST(NationalCount, GopFamilies) {
  NationalCount n = Tally(Rules("rnc-2016"), kGop,
                          "state,pool,candidate,votes\n"
                          "Georgia,CD1,T,45\nGeorgia,CD1,C,35\nGeorgia,CD1,R,20\n"
                          "Florida,At-large,T,46\nFlorida,At-large,R,27\n"
                          "Colorado,At-large,C,3\n"
                          "North Dakota,At-large,T,70\n"
                          "Ohio,At-large,K,47\nOhio,At-large,T,36\nOhio,At-large,R,17\n");
  EXPECT_EQ(Pool(n, "Georgia", "CD1"), (Seat{{"T", 2}, {"C", 1}}));  // winner-take-most
  EXPECT_EQ(Pool(n, "Florida", "At-large"), (Seat{{"T", 99}}));      // winner-take-all
  EXPECT_EQ(Pool(n, "Colorado", "At-large"), (Seat{{"C", 3}}));      // bound at convention
  EXPECT_TRUE(Pool(n, "North Dakota", "At-large").empty());          // unbound
  // Ohio has no state entry: the national default, proportional without threshold. Quotas 4.7,
  // 3.6, 1.7: floors 4 + 3 + 1, the two seats left to the remainders 0.7 (K and R).
  EXPECT_EQ(Pool(n, "Ohio", "At-large"), (Seat{{"K", 5}, {"T", 3}, {"R", 2}}));
  // Unbound seats stay available to everyone.
  EXPECT_EQ(n.remaining, 28 + 16);
}

TEST(NationalInputs, BadInputNamesFileLineAndColumn) {
  auto d = ParseDelegatesCsv(kSmall, "delegates.csv");
  ASSERT_TRUE(d.ok());
  auto expect_error = [&](const std::string& votes, const std::string& where,
                          const std::string& what) {
    auto v = ParseVotesCsv(votes, "votes.csv", *d);
    ASSERT_FALSE(v.ok()) << votes;
    EXPECT_NE(v.status().message().find(where), std::string::npos) << v.status().message();
    EXPECT_NE(v.status().message().find(what), std::string::npos) << v.status().message();
  };
  expect_error("state,pool,candidate,votes\nZ,CD1,X,1\n", "votes.csv:2:1", "unknown state \"Z\"");
  expect_error("state,pool,candidate,votes\nA,CD9,X,1\n", "votes.csv:2:3", "unknown pool \"CD9\"");
  expect_error("state,pool,candidate,votes\nA,CD1,X,1.5x\n", "votes.csv:2:9", "not a vote figure");
  expect_error("state,pool,candidate,votes\nA,CD1,X,1\nA,CD1,X,2\n", "votes.csv:3:7",
               "appears twice");
  expect_error("state,pool,cand,votes\n", "votes.csv:1:12", "expected the header");
  auto zero = ParseDelegatesCsv("state,pool,kind,delegates\nA,CD1,district,0\n", "d.csv");
  ASSERT_TRUE(zero.ok());
  auto v = ParseVotesCsv("state,pool,candidate,votes\nA,CD1,X,1\n", "votes.csv", *zero);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("votes.csv:2:3: pool \"CD1\" of A has no seats"),
            std::string::npos)
      << v.status().message();
  auto bad_kind = ParseDelegatesCsv("state,pool,kind,delegates\nA,CD1,superdelegate,3\n", "d.csv");
  ASSERT_FALSE(bad_kind.ok());
  EXPECT_NE(bad_kind.status().message().find("d.csv:2:7"), std::string::npos);
  auto twice =
      ParseDelegatesCsv("state,pool,kind,delegates\nA,CD1,district,3\nA,CD1,district,3\n", "d.csv");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("d.csv:3:3: pool \"CD1\" of A appears twice (first on "
                                          "line 2)"),
            std::string::npos)
      << twice.status().message();
  auto automatic = ParseVotesCsv(
      "state,pool,candidate,votes\nUS,Auto,X,1\n", "votes.csv",
      *ParseDelegatesCsv("state,pool,kind,delegates\nUS,Auto,automatic,5\n", "d.csv"));
  ASSERT_FALSE(automatic.ok());
  EXPECT_NE(automatic.status().message().find("automatic delegates"), std::string::npos);
}

}  // namespace
}  // namespace canvass
