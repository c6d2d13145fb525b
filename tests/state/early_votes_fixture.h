// An election in memory for the early-vote tests (tests/state/early_votes_test.cc, and the
// precinct's JSON in tests/api/precinct_json_test.cc): candidates A, B, C; precinct 1 (Clark)
// elects 3 delegates, precinct 2 (Washoe) 4; and precinct 1's six ranked cards.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/ruleset.h"
#include "state/early_votes.h"
#include "state/memory_ledger.h"

namespace canvass::testing_ledger {

class AbcElection : public MemoryLedger {
 public:
  // Under rules/RULESET.toml.
  explicit AbcElection(const std::string& ruleset) {
    const std::string text = RulesetText(ruleset);
    auto parsed = ParseRuleset(text, ruleset);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    nlohmann::json precincts = nlohmann::json::array(
        {{{"county", "Clark"}, {"precinct", "1001"}, {"satellite", false}, {"delegates", 3}},
         {{"county", "Washoe"}, {"precinct", "2002"}, {"satellite", false}, {"delegates", 4}}});
    Accept(Admin(), "election-created",
           {{"name", "test"},
            {"ruleset", {{"name", parsed->name}, {"hash", parsed->hash}, {"toml", text}}},
            {"candidates", {"A", "B", "C"}},
            {"precincts", precincts},
            {"county_district", nlohmann::json::object()}});
  }
};

inline EarlyVoteRules NevadaCards() {
  EarlyVoteRules r;
  r.enabled = true;
  return r;
}

// Precinct 1's cards: three valid, three void (too few, a repeat, an unknown name).
inline std::vector<EarlyVoteCardRecord> Cards() {
  return {{"EV6", {"Z", "A", "B"}, ""}, {"EV1", {"B", "C", "A"}, ""}, {"EV2", {"B", "A", "C"}, ""},
          {"EV3", {"C", "A", "B"}, ""}, {"EV4", {"B", "A"}, ""},      {"EV5", {"B", "B", "A"}, ""}};
}

// The early-votes-loaded payload of `cards` for `precinct`.
inline nlohmann::json Payload(int64_t precinct, std::vector<EarlyVoteCardRecord> cards) {
  auto set = JudgeEarlyVotes(NevadaCards(), {"A", "B", "C"}, std::move(cards));
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return EarlyVotesPayload(precinct, *set);
}

}  // namespace canvass::testing_ledger
