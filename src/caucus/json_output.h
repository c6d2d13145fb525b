// JSON renderings of engine results, shared by every command that prints --json (and later by
// the HTTP API). Numbers that are counts are JSON integers; every share, raw value or SDE is a
// string (exact "n/d" or a decimal at the ruleset's precision), so no float ever appears.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "caucus/allocation.h"
#include "caucus/findings.h"
#include "core/json_writer.h"
#include "rules/ruleset.h"

namespace canvass {

nlohmann::json RulesetRefJson(const Ruleset& ruleset);  // {"name", "version", "hash"}
nlohmann::json TieEventJson(const TieEvent& tie, const std::vector<std::string>& candidates);
nlohmann::json FindingJson(const Finding& finding);
nlohmann::json AllocationJson(const Allocation& allocation,
                              const std::vector<std::string>& candidates);
// One entry of `canvass check --json`'s "results" (docs/cli.md).
nlohmann::json PrecinctCheckJson(const PrecinctCheck& check,
                                 const std::vector<std::string>& candidates, int sde_places);

// Writes the same entries as text, without building a tree: Append(check) adds exactly the bytes
// of PrecinctCheckJson(check, candidates, sde_places).dump() (keys in the same sorted order, the
// same escapes), several times faster, for `canvass check --json` over a whole release.
// Thread-safety: one writer per thread; the candidates must outlive it.
class PrecinctCheckJsonWriter {
 public:
  PrecinctCheckJsonWriter(const std::vector<std::string>& candidates, int sde_places);
  void Append(std::string& out, const PrecinctCheck& check) const;

 private:
  // Appends {"name": value(i), ...} over candidate indices below `limit`, in the key order of
  // nlohmann::json (a std::map): sorted names; of equal names the last index wins, as it would
  // when the tree is assigned in index order.
  template <typename Value>
  void AppendByCandidate(std::string& out, size_t limit, Value&& value) const;

  const std::vector<std::string>& candidates_;
  int sde_places_;
  std::vector<size_t> by_name_;      // candidate indices sorted by name, then index
  std::vector<std::string> quoted_;  // each candidate's name as a JSON string, escaped once
};

const char* TieBreakerName(TieBreaker breaker);  // "coin toss", "card draw", "drawing of lots"

}  // namespace canvass
