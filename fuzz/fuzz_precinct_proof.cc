// Feeds untrusted bytes, as a campaign's proof file, to VerifyPrecinctProof (`canvass release
// verify --precinct`): any input must give a verdict, never a crash or a sanitizer report, and
// bytes made up at random are never accepted.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "publish/proof.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // A key no release is signed with: no input can carry a valid signature under it.
  const std::string key(64, 'a');
  auto verdict = canvass::VerifyPrecinctProof(text, 1, key, std::nullopt);
  if (verdict.ok()) __builtin_trap();
  return 0;
}
