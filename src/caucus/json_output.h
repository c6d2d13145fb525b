// JSON renderings of engine results, shared by every command that prints --json (and later by
// the HTTP API). Numbers that are counts are JSON integers; every share, raw value or SDE is a
// string (exact "n/d" or a decimal at the ruleset's precision), so no float ever appears.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "caucus/allocation.h"
#include "caucus/findings.h"
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

const char* TieBreakerName(TieBreaker breaker);  // "coin toss", "card draw", "drawing of lots"

}  // namespace canvass
