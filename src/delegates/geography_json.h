// A plan's analysis as JSON (docs/cli.md, `canvass districts analyze --json`; docs/api.md,
// POST /api/v1/districts/analyze): one writer for the command and the server, so both say the
// same. Fractions are exact strings ("-1/30") with a rounded decimal beside the 128-bit ones;
// counts are integers; no floating point.
//
// Thread-safety: a pure function.
#pragma once

#include <nlohmann/json.hpp>

#include "delegates/geography.h"

namespace canvass {

nlohmann::json GeographyAnalysisToJson(const GeographyAnalysis& analysis);

}  // namespace canvass
