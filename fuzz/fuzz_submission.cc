// Feeds untrusted bytes as the JSON body of a submission, the way the API does, to a small
// election: the body becomes the payload of each kind of precinct event and is offered to
// ElectionState::Apply (and Preview); then of each convention event (state/convention.h), to an
// election whose district convention has a procedure, filers and its voting open, as the
// administrator, the convention's officer, a voter and a campaign. Any input must be applied or
// refused with a Rejection, never crash; a refused event must leave the state as it was.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>

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

bool ApplyOk(ElectionState& state, Event e, const char* time = "2020-02-03T19:00:00.000Z") {
  e.seq = state.seq() + 1;
  e.prev = state.seq() == 0 ? std::string(canvass::kGenesisPrev) : state.head_hash();
  e.time = time;
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

Event By(const char* role, const char* id, const char* type, json payload) {
  Event e;
  e.actor = {role, id};
  e.channel = std::string(id) == "cli" ? "cli" : "web";
  e.type = type;
  e.payload = std::move(payload);
  return e;
}

// The base election with district convention "CD1" (its officer, a voter and a campaign with
// codes): a D'Hondt procedure with two preference pools, filing opened under a waiver, filers
// approved by their campaigns and a slate in each pool, then (after the filing deadline, at 21:00)
// voting opened under a waiver.
const ElectionState& ConventionBase() {
  static const ElectionState state = [] {
    ElectionState s = Base();
    const json pools = json::array({{{"name", "A"}, {"preference", "A"}, {"seats", 2}},
                                    {{"name", "B"}, {"preference", "B"}, {"seats", 1}}});
    const auto apply = [&s](Event e, const char* time = "2020-02-03T19:00:00.000Z") {
      e.seq = s.seq() + 1;
      e.prev = s.head_hash();
      e.time = time;
      auto stored = canvass::EncodeEvent(e);
      if (!stored.ok()) __builtin_trap();
      if (auto refused = s.Apply(e, *stored)) {
        std::fprintf(stderr, "fuzz_submission: the base convention's %s was refused: %s\n",
                     e.type.c_str(), refused->message.c_str());
        __builtin_trap();
      }
    };
    apply(By("admin", "cli", "convention-created", {{"convention", "CD1"}, {"district", "D1"}}));
    const char* kHash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
    for (auto [id, role, subject] :
         {std::tuple{"OF01", "officer", "CD1"}, std::tuple{"VT01", "voter", "CD1"},
          std::tuple{"CA01", "campaign", "A"}, std::tuple{"CB01", "campaign", "B"}}) {
      apply(By("admin", "cli", "credential-issued",
               {{"credential", id}, {"role", role}, {"subject", subject}, {"hash", kHash}}));
    }
    apply(By("admin", "cli", "procedure-published",
             {{"convention", "CD1"},
              {"formula", "dhondt"},
              {"pools", pools},
              {"filing_deadline", "2020-02-03T20:00:00.000Z"}}));
    const int64_t procedure = s.seq();
    for (const char* stage : {"filing", "voting"}) {
      apply(By(
          "admin", "cli", "procedure-waived",
          {{"convention", "CD1"}, {"procedure", procedure}, {"stage", stage}, {"reason", "fuzz"}}));
    }
    apply(By("officer", "OF01", "convention-stage-opened",
             {{"convention", "CD1"}, {"stage", "filing"}}));
    for (auto [name, preference, gender] :
         {std::tuple{"Ann", "A", "woman"}, std::tuple{"Bo", "A", "man"},
          std::tuple{"Cy", "B", "non-binary"}, std::tuple{"Di", "B", "woman"}}) {
      apply(By("officer", "OF01", "delegate-filed",
               {{"convention", "CD1"},
                {"name", name},
                {"preference", preference},
                {"gender", gender},
                {"district", "D1"},
                {"pledge", "I pledge"}}));
    }
    for (auto [campaign, filer] : {std::pair{"CA01", "Ann"}, std::pair{"CA01", "Bo"},
                                   std::pair{"CB01", "Cy"}, std::pair{"CB01", "Di"}}) {
      apply(By("campaign", campaign, "filer-reviewed",
               {{"convention", "CD1"}, {"filer", filer}, {"decision", "approved"}}));
    }
    apply(By("officer", "OF01", "slate-filed",
             {{"convention", "CD1"}, {"pool", "A"}, {"slate", "S1"}, {"nominees", {"Ann", "Bo"}}}));
    apply(By("officer", "OF01", "slate-filed",
             {{"convention", "CD1"}, {"pool", "B"}, {"slate", "S2"}, {"nominees", {"Cy", "Di"}}}));
    apply(By("officer", "OF01", "convention-stage-opened",
             {{"convention", "CD1"}, {"stage", "voting"}}),
          "2020-02-03T21:00:00.000Z");
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
  const ElectionState& convention = ConventionBase();
  for (const char* type :
       {"convention-created", "procedure-published", "procedure-waived", "convention-stage-opened",
        "delegate-filed", "filer-reviewed", "slate-filed", "convention-ballot", "convention-tally",
        "voting-closed", "convention-lots", "voters-issued"}) {
    for (auto [role, id] : {std::pair{"admin", "cli"}, std::pair{"officer", "OF01"},
                            std::pair{"voter", "VT01"}, std::pair{"campaign", "CA01"}}) {
      ElectionState state = convention;
      const int64_t before = state.seq();
      if (!ApplyOk(state, By(role, id, type, body), "2020-02-03T21:30:00.000Z") &&
          state.seq() != before) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
