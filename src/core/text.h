// Text normalisation for names that arrive from party files and forms.
//
// Party exports carry HTML entities ("CF W2 P2 &amp; CF Twp"), doubled and trailing spaces
// ("Council Bluff  04", "Guthrie "). Every importer passes county, precinct and candidate names
// through NormaliseName so that the same place is always spelled the same way.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace canvass {

// Decodes HTML entities (&amp; &lt; &gt; &quot; &apos; &#39; &#NNN; &#xHH;), turns every run of
// white space into one space, and trims both ends. Unknown entities are kept as written.
std::string NormaliseName(std::string_view raw);

// Trims ASCII white space at both ends.
std::string_view Trim(std::string_view s);

// Lower-case ASCII copy, for case-insensitive lookups of candidate and ruleset names.
std::string AsciiLower(std::string_view s);

// Splits on a single character; empty fields are kept.
std::vector<std::string_view> Split(std::string_view s, char sep);

}  // namespace canvass
