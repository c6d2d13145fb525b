// GET /api/v1/national (docs/api.md, "National count"): the national delegate count with the
// election's own state taken live from its results. The other states come from the files given
// to `canvass serve` (--national-delegates, --national-votes, --national-calendar); without
// them the count holds the election's state alone.
//
// The election's row is its tabulation's national pools as they stand (the computed side, the
// reported side, or the headline: computed once complete, else reported), handed to the tracker
// as an AllocatedState: the statuses, majorities and JSON are CountNational's and
// NationalCountToJson's, the same as `canvass national --json` on the same inputs.
//
// Thread-safety: NationalSetup is immutable once loaded; NationalCache is guarded by its mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "io/national_inputs.h"
#include "rules/ruleset.h"
#include "tabulate/tabulate.h"

namespace canvass {

struct NationalSetup {
  Ruleset rules;          // the national ruleset: [national] and [convention] (dnc-2020)
  std::string state;      // the election's state as the delegates file names it ("Iowa")
  NationalInputs inputs;  // every state's pools and the others' votes; empty delegates: none
};

// Loads the national ruleset and, when `delegates_path` is set, the delegates, votes (optional)
// and calendar (optional) files. Errors name the file, line and column, or the option.
Result<std::shared_ptr<const NationalSetup>> LoadNationalSetup(const std::string& rules,
                                                               const std::string& state,
                                                               const std::string& delegates_path,
                                                               const std::string& votes_path,
                                                               const std::string& calendar_path);

// Which side of the tabulation feeds the election's state.
enum class NationalSide : uint8_t { kHeadline, kComputed, kReported };

// The body of GET /api/v1/national: {state, side, precincts, calendar, national, election}.
// `election_rules` and `candidates` are the election's; `tab` its tabulation.
Result<nlohmann::json> LiveNationalJson(const NationalSetup& setup, const Ruleset& election_rules,
                                        const std::vector<std::string>& candidates,
                                        const Tabulation& tab, NationalSide side);

// The count without an election (none created yet): the files alone.
Result<nlohmann::json> LiveNationalJsonWithoutElection(const NationalSetup& setup);

// Bodies of GET /api/v1/national by side, for one ledger position.
struct NationalCache {
  std::mutex mu;
  std::shared_ptr<const NationalSetup> setup;  // options' setup, or the default loaded once
  int64_t seq = -1;
  std::chrono::steady_clock::time_point built;
  std::map<NationalSide, std::shared_ptr<const std::string>> bodies;
};

}  // namespace canvass
