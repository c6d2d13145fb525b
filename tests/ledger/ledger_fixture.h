// A small sound ledger for the ledger's tests: ten events of several types, with payloads that
// exercise the canonical form (nesting, escapes, non-ASCII text, negative integers, null).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/chain.h"
#include "ledger/event.h"
#include "memory_store.h"

namespace canvass::testing {

inline Event SampleEvent(int64_t seq) {
  static const char* const kTypes[] = {
      "election-created", "credential-issued",        "first-alignment-reported",
      "photo-attached",   "final-alignment-reported", "tie-outcome-recorded",
      "hotline-entry",    "report-corrected",         "campaign-attestation",
      "release-published"};
  Event e;
  e.seq = seq;
  e.time = "2020-02-03T19:" + std::string(seq < 10 ? "0" : "") + std::to_string(seq) + ":00.125Z";
  e.actor = Actor{seq % 3 == 0 ? "operator" : "chair", "polk/des-moines-" + std::to_string(seq)};
  e.channel = seq % 3 == 0 ? "hotline" : "web";
  e.type = kTypes[(seq - 1) % 10];
  e.payload = {{"precinct", "polk/des-moines-" + std::to_string(seq)},
               {"groups", {{"Sanders", 40 + seq}, {"Buttigieg", 30}, {"Warren", -seq}}},
               {"note", "Café \"Ocheyedan\"\tback room, line " + std::to_string(seq)},
               {"flags", {true, false, nullptr}},
               {"sde", "3/7"}};
  return e;
}

// Events 1..n chained from the genesis prev.
inline std::vector<StoredEvent> SampleLedger(int64_t n) {
  std::vector<StoredEvent> out;
  std::string prev(kGenesisPrev);
  for (int64_t seq = 1; seq <= n; ++seq) {
    Event e = SampleEvent(seq);
    e.prev = prev;
    Result<StoredEvent> stored = EncodeEvent(e);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    prev = stored->hash;
    out.push_back(*stored);
  }
  return out;
}

// A store holding `rows`, recording the last one as its head (as an Append would).
inline void Fill(MemoryStore& store, const std::vector<StoredEvent>& rows) {
  store.rows = rows;
  store.recorded = rows.empty() ? StoreHead{} : StoreHead{rows.back().seq, rows.back().hash};
}

inline std::string JsonLines(const std::vector<StoredEvent>& rows) {
  std::string out;
  for (const StoredEvent& row : rows) out += row.line + "\n";
  return out;
}

}  // namespace canvass::testing
