// A ledger in memory for tests of the state machine: each event offered to ElectionState::Apply
// as the intake offers it (the next seq, chained to the head, encoded), at `time`. A refused
// event must leave the state where it was (checked on every offer).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "ledger/chain.h"
#include "ledger/event.h"
#include "state/election_state.h"

namespace canvass::testing_ledger {

// rules/NAME.toml as text.
inline std::string RulesetText(const std::string& name) {
  std::ifstream in(std::string(CANVASS_RULES_DIR) + "/" + name + ".toml");
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class MemoryLedger {
 public:
  static Actor Admin() { return Actor{"admin", "cli"}; }

  // The refusal, or nothing when the event was applied.
  std::optional<Rejection> Offer(const Actor& actor, const std::string& type,
                                 nlohmann::json payload) {
    Event e;
    e.seq = state.seq() + 1;
    e.time = time;
    e.actor = actor;
    e.channel = actor.id == "cli" ? "cli" : "web";
    e.type = type;
    e.payload = std::move(payload);
    e.prev = state.seq() == 0 ? std::string(kGenesisPrev) : state.head_hash();
    auto stored = EncodeEvent(e);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    const int64_t before = state.seq();
    auto refusal = state.Apply(e, *stored);
    if (refusal) {
      EXPECT_EQ(state.seq(), before) << "a refused event moved the ledger";
    }
    return refusal;
  }
  std::optional<Rejection> Admin(const std::string& type, nlohmann::json payload) {
    return Offer(Admin(), type, std::move(payload));
  }
  // Offered and expected to be applied.
  void Accept(const Actor& actor, const std::string& type, const nlohmann::json& payload) {
    auto refusal = Offer(actor, type, payload);
    ASSERT_FALSE(refusal.has_value())
        << type << " " << payload.dump() << ": " << refusal->code << ": " << refusal->message;
  }

  ElectionState state;
  std::string time = "2020-02-22T12:00:00.000Z";
};

}  // namespace canvass::testing_ledger
