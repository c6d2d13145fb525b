// The national count as JSON (docs/cli.md, `canvass national --json`; docs/api.md,
// GET /api/v1/national): one writer for the command and the server, so both say the same.
// Shares and majorities are exact decimal strings; counts are integers; no floating point.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "delegates/tracker.h"

namespace canvass {

// "dnc", "proportional", "proportional_wta_trigger", ...
std::string AllocationFamilyName(AllocationFamily family);

// `note` with candidate numbers ("#2") replaced by their names.
std::string NamedNote(std::string note, const std::vector<std::string>& names);

// One state's row: family, status, pledged, won per candidate, notes and pools.
nlohmann::json TrackedStateToJson(const NationalCount& count, const TrackedState& state);

nlohmann::json NationalCountToJson(const NationalCount& count);

}  // namespace canvass
