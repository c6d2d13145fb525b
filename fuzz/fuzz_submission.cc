// Feeds untrusted bytes as the JSON body of a submission, the way the API does, to a small
// election: the body becomes the payload of each kind of precinct event and is offered to
// ElectionState::Apply (and Preview). Any input must be applied or refused with a Rejection,
// never crash; a refused event must leave the state as it was.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "io/importers.h"
#include "ledger/event.h"
#include "rules/ruleset.h"
#include "state/election_state.h"

namespace {

using canvass::ElectionState;
using canvass::Event;
using nlohmann::json;

// The shipped Iowa 2020 rules, read once.
std::string RulesText() {
  auto path = canvass::RulesetPath("iowa-dem-2020");
  if (!path.ok()) __builtin_trap();
  auto text = canvass::ReadFile(*path);
  if (!text.ok()) __builtin_trap();
  return *text;
}

bool ApplyOk(ElectionState& state, Event e) {
  e.seq = state.seq() + 1;
  e.prev = state.seq() == 0 ? std::string(canvass::kGenesisPrev) : state.head_hash();
  e.time = "2020-02-03T19:00:00.000Z";
  auto stored = canvass::EncodeEvent(e);
  if (!stored.ok()) return false;
  return !state.Apply(e, *stored).has_value();
}

const ElectionState& Base() {
  static const ElectionState state = [] {
    ElectionState s;
    Event created;
    created.actor = {"admin", "cli"};
    created.channel = "cli";
    created.type = "election-created";
    created.payload = {
        {"name", "fuzz"},
        {"ruleset", {{"name", "fuzz"}, {"hash", ""}, {"toml", RulesText()}}},
        {"candidates", {"A", "B", "C"}},
        {"precincts",
         {{{"county", "X"}, {"precinct", "1"}, {"delegates", 5}, {"sde_per_delegate", "1/3"}},
          {{"county", "X"}, {"precinct", "2"}, {"delegates", 1}}}}};
    // The hash the loader computes.
    auto rs = canvass::ParseRuleset(RulesText(), "fuzz");
    if (!rs.ok()) __builtin_trap();
    created.payload["ruleset"]["hash"] = rs->hash;
    if (!ApplyOk(s, created)) __builtin_trap();
    Event first;
    first.actor = {"admin", "cli"};
    first.channel = "cli";
    first.type = "first-alignment-reported";
    first.payload = {{"precinct", 1}, {"first", {{"A", 10}, {"B", 10}, {"C", 2}}}};
    if (!ApplyOk(s, first)) __builtin_trap();
    return s;
  }();
  return state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  json body = json::parse(std::string(reinterpret_cast<const char*>(data), size), nullptr, false);
  if (body.is_discarded()) return 0;
  const ElectionState& base = Base();
  for (int64_t id : {1, 2}) (void)base.Preview(id, body);
  for (const char* type :
       {"first-alignment-reported", "final-alignment-reported", "tie-outcome-recorded",
        "report-confirmed", "report-corrected", "photo-attached", "hotline-entry",
        "campaign-attestation", "credential-issued", "credential-revoked", "release-published"}) {
    ElectionState state = base;
    Event e;
    e.actor = {"admin", "cli"};
    e.channel = "cli";
    e.type = type;
    e.payload = body;
    const int64_t before = state.seq();
    if (!ApplyOk(state, e) && state.seq() != before) __builtin_trap();
  }
  return 0;
}
