// Feeds arbitrary bytes to the ruleset parser. Whatever the input, ParseRuleset must return a
// Status or a ruleset, never crash or abort; an accepted ruleset must then be usable by the rest
// of the engine without tripping an assertion (look-ups, majority, canonical form).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/ruleset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ruleset = canvass::ParseRuleset(text, "fuzz.toml");
  if (!ruleset.ok()) {
    // Every message names the origin first, so a person can find the file.
    if (ruleset.status().message().rfind("fuzz.toml", 0) != 0) __builtin_trap();
    return 0;
  }
  const canvass::Ruleset& r = *ruleset;
  for (canvass::Count d :
       {canvass::Count{0}, canvass::Count{1}, canvass::Count{4}, canvass::kMaxDelegates}) {
    (void)r.precinct.ThresholdFor(d);
    (void)r.precinct.SatelliteDelegatesFor(d);
  }
  if (r.precinct.method == canvass::PrecinctMethod::kCaucus &&
      !r.precinct.ThresholdFor(1).has_value()) {
    __builtin_trap();  // validation promises a caucus table that covers every D from 1
  }
  if (r.convention) (void)r.convention->MajorityOf(r.convention->pledged_delegates);
  if (r.hash.size() != 64 || r.CanonicalJson().empty()) __builtin_trap();
  return 0;
}
