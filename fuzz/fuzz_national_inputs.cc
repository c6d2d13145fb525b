// Feeds untrusted bytes to the national count's importers (delegates.csv, then votes.csv and
// published.csv against a small delegates file): any input must give a value or a Status, never
// a crash, an abort (Rational overflow, failed assertion) or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/national_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto delegates = canvass::ParseDelegatesCsv(text, "fuzz");
  if (!delegates.ok()) (void)delegates.status().message();
  static const auto known = canvass::ParseDelegatesCsv(
      "state,pool,kind,delegates\nIowa,CD01,district,7\nIowa,At-large,at-large,9\n"
      "Iowa,PLEO,pleo,5\n",
      "fuzz-delegates");
  if (!known.ok()) __builtin_trap();
  auto votes = canvass::ParseVotesCsv(text, "fuzz", known.value());
  if (!votes.ok()) (void)votes.status().message();
  auto published = canvass::ParsePublishedCsv(text, "fuzz", known.value());
  if (!published.ok()) (void)published.status().message();
  return 0;
}
