// The publication tests' election: five real Iowa 2020 precincts and five candidates, reported
// through ElectionState::Apply by the local administrator with fixed times, so that every
// release built from it has fixed bytes (the golden files in golden/).
//
// Events: 1 election-created (signing key from a fixed seed), 2 a campaign credential,
// 3-4 Adair 1NW first and final, 5-6 Ocheyedan first and final with the published delegates
// (2-1-0 where the rules give 1-1-1: an error finding), 7 Stuart first only, 8 Adair confirmed,
// 9 the Sanders campaign disputes Adair, then Release() appends release-published for the prefix
// it is given; Vermillion's first and final (a tie waiting for a coin toss) come after.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "io/importers.h"
#include "ledger/event.h"
#include "publish/release.h"
#include "publish/signing.h"
#include "rules/ruleset.h"
#include "state/election_state.h"
#include "store/blob_map.h"

namespace canvass::publish_test {

using nlohmann::json;

inline const char* kSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

inline SigningKey FixtureKey() { return *SigningKeyFromSeed(kSeed); }

// One side of a report (its first or final alignment) as a report's JSON gives it: the
// candidates with a group, by name.
inline json Side(const ElectionState& s, const PrecinctReport& r, bool final) {
  json out = json::object();
  for (size_t c = 0; c < r.figures.size(); ++c) {
    const Count v = (final ? r.figures[c].final : r.figures[c].first).value_or(0);
    if (v != 0) out[s.candidates()[c]] = v;
  }
  return out;
}

class Ledger {
 public:
  // Appends an event; fails the test when Apply refuses it.
  void Add(const std::string& type, json payload, Actor actor = Actor{"admin", "cli"}) {
    auto r = TryAdd(type, std::move(payload), actor);
    ASSERT_FALSE(r.has_value()) << type << ": " << r->code << ": " << r->message;
  }
  std::optional<Rejection> TryAdd(const std::string& type, json payload,
                                  Actor actor = Actor{"admin", "cli"}) {
    Event e;
    e.seq = state.seq() + 1;
    e.prev = state.seq() == 0 ? std::string(kGenesisPrev) : state.head_hash();
    // A minute per event from 01:00 on 4 February; past midnight (long ledgers), a second each.
    const int64_t late = e.seq - 23 * 60;
    e.time = !time.empty() ? time
             : late < 0 ? fmt::format("2020-02-04T{:02}:{:02}:00.000Z", 1 + e.seq / 60, e.seq % 60)
                        : fmt::format("2020-02-05T{:02}:{:02}:{:02}.000Z", late / 3600,
                                      late / 60 % 60, late % 60);
    e.actor = actor;
    e.channel = actor.role == "admin" ? "cli" : "campaign";
    e.type = type;
    e.payload = std::move(payload);
    auto stored = EncodeEvent(e);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (auto r = state.Apply(e, *stored)) return r;
    lines.push_back(*stored);
    return std::nullopt;
  }
  // Publishes the release of the ledger as it stands (payload hashes as built, the release and
  // its root statement signed with the fixture's key), compared with the previous release when
  // Publish made it, as the publisher does; else uncompared.
  Release Publish() {
    auto previous = published.find(static_cast<int64_t>(state.releases().size()));
    auto rel = state.releases().empty()      ? BuildRelease(state, PublishedRelease{})
               : previous != published.end() ? BuildRelease(state, previous->second.view())
                                             : BuildRelease(state);
    EXPECT_TRUE(rel.ok()) << rel.status().ToString();
    Add("release-published", ReleaseEventPayload(*rel, SignHex(FixtureKey(), rel->json.bytes),
                                                 SignHex(FixtureKey(), rel->root.bytes)));
    published[rel->number] = PublishedFiles{rel->json.bytes, rel->records.bytes};
    return *rel;
  }
  std::string JsonLines() const {
    std::string out;
    for (const StoredEvent& s : lines) out += s.line + "\n";
    return out;
  }

  ElectionState state;
  std::vector<StoredEvent> lines;
  // Release number -> its JSON and records, as Publish made them.
  std::map<int64_t, PublishedFiles> published;
  std::string time;  // when set, every event's time (ledger format); else fixed by seq
};

using MapStore = testing_store::BlobMap;

// The precinct entries of a release built in memory (ReleaseEntries), in precinct-id order.
inline json EntriesOf(const Release& rel) {
  auto entries = ReleaseEntries(PublishedOf(rel));
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  return entries.ok() ? std::move(entries).value() : json::array();
}

inline json Figures(std::initializer_list<std::pair<const char*, int>> f) {
  json out = json::object();
  for (auto [k, v] : f) out[k] = v;
  return out;
}

// Events 1..9 (see the header comment).
inline void BuildFixture(Ledger& l) {
  const std::string dir = std::string(CANVASS_DATA_DIR) + "/iowa-2020";
  auto table = LoadApportionmentFile(dir + "/apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto districts = LoadDistrictsFile(dir + "/county-congressional-district.csv");
  ASSERT_TRUE(districts.ok());
  auto path = RulesetPath("iowa-dem-2020");
  ASSERT_TRUE(path.ok());
  auto toml = ReadFile(*path);
  ASSERT_TRUE(toml.ok());
  auto ruleset = ParseRuleset(*toml, "iowa-dem-2020");
  ASSERT_TRUE(ruleset.ok());
  const std::pair<const char*, const char*> places[] = {
      {"Adair", "1NW ADAIR"},
      {"Adair", "2NE STUART"},
      {"Appanoose", "Vermillion/Douglas/Sharon"},
      {"Osceola", "Ocheyedan Precinct 0500"},
      {"Adair", "3SW FONTANELLE"},
  };
  json precincts = json::array();
  json counties = json::object();
  for (auto [county, name] : places) {
    for (const PrecinctApportionment& ap : *table) {
      if (ap.county != county || ap.precinct != name) continue;
      json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
      if (ap.delegates) row["delegates"] = *ap.delegates;
      if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
      precincts.push_back(row);
      counties[ap.county] = districts->at(ap.county);
    }
  }
  ASSERT_EQ(precincts.size(), 5u);
  l.Add("election-created",
        {{"name", "Iowa Democratic caucuses 2020 (release test)"},
         {"ruleset", {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", *toml}}},
         {"candidates", {"Biden", "Buttigieg", "Klobuchar", "Sanders", "Warren"}},
         {"precincts", precincts},
         {"county_district", counties},
         {"signing_key", FixtureKey().public_hex}});
  l.Add("credential-issued", {{"credential", "SAN1"},
                              {"role", "campaign"},
                              {"subject", "Sanders"},
                              {"hash", "$argon2id$v=19$m=8,t=1,p=1$fixture$fixture"}});
  const json adair = Figures({{"Biden", 22}, {"Buttigieg", 31}, {"Sanders", 15}, {"Warren", 12}});
  l.Add("first-alignment-reported", {{"precinct", 1}, {"submission", "a1"}, {"first", adair}});
  l.Add("final-alignment-reported",
        {{"precinct", 1},
         {"submission", "a2"},
         {"final", adair},
         {"delegates", Figures({{"Biden", 2}, {"Buttigieg", 3}, {"Sanders", 2}, {"Warren", 1}})}});
  const json och = Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}});
  l.Add("first-alignment-reported", {{"precinct", 4}, {"submission", "o1"}, {"first", och}});
  l.Add("final-alignment-reported", {{"precinct", 4},
                                     {"submission", "o2"},
                                     {"final", och},
                                     {"delegates", Figures({{"Buttigieg", 2}, {"Klobuchar", 1}})}});
  l.Add("first-alignment-reported", {{"precinct", 2},
                                     {"submission", "s1"},
                                     {"first", Figures({{"Biden", 15},
                                                        {"Buttigieg", 25},
                                                        {"Klobuchar", 10},
                                                        {"Sanders", 30},
                                                        {"Warren", 20}})}});
  l.Add("report-confirmed", {{"precinct", 1}, {"submission", "a3"}, {"revision", 1}});
  l.Add("campaign-attestation",
        {{"precinct", 1},
         {"submission", "d1"},
         {"verdict", "dispute"},
         {"reason", "our count shows 21 for Sanders"},
         {"revision", 1}},
        Actor{"campaign", "SAN1"});
}

// Vermillion's first and final alignment (100/50/50 for six delegates: a tie to settle).
inline void AddVermillion(Ledger& l) {
  const json v = Figures({{"Biden", 50}, {"Sanders", 50}, {"Warren", 100}});
  l.Add("first-alignment-reported", {{"precinct", 3}, {"submission", "v1"}, {"first", v}});
  l.Add("final-alignment-reported", {{"precinct", 3}, {"submission", "v2"}, {"final", v}});
}

}  // namespace canvass::publish_test
