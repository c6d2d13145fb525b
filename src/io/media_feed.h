// The media feed: the precinct JSON the Iowa Democratic Party released to media in 2020
// ({"meta": {...}, "precincts": [{"precinct", "locality_name", "results_align1",
// "results_alignfinal", "results", ...}]}). See docs/formats.md.
//
// Thread-safety: pure function of its input.
#pragma once

#include <string>
#include <string_view>

#include "core/election.h"
#include "core/status.h"

namespace canvass {

// Precincts are named by the feed's `precinct` field, the party's short code ("FM5", or a
// number written as JSON number 8); the party's wide CSV joins short codes to full names.
// Candidates come in the party's display order. SDEs are read from the JSON number's text,
// never through a double.
Result<Election> ParseMediaFeed(std::string_view text, const std::string& origin);

}  // namespace canvass
