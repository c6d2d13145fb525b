// Feeds arbitrary bytes to what a person or a browser hands the login: ParseAccessCode and
// CheckToken. Neither may crash; an accepted code must be well formed and read back the same
// from its printed form; a token may pass only if it is exactly what IssueToken writes for its
// id and expiry under the key (the seeds hold one such token).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "intake/credentials.h"

namespace {

// A fixed key, so that a seed can hold a valid token.
const std::string kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr int64_t kNow = 1'700'000'000;

bool InAlphabet(const std::string& s) {
  return s.find_first_not_of(canvass::kCodeAlphabet) == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto code = canvass::ParseAccessCode(text);
  if (code.ok()) {
    if (code->id.size() != 4 || code->secret.size() != 12) __builtin_trap();
    if (!InAlphabet(code->id) || !InAlphabet(code->secret)) __builtin_trap();
    auto again = canvass::ParseAccessCode(code->Printable());
    if (!again.ok() || again->id != code->id || again->secret != code->secret) __builtin_trap();
  } else if (code.status().code() != canvass::Status::Code::kInvalidArgument ||
             code.status().message().empty() ||
             code.status().message().find('\n') != std::string::npos) {
    __builtin_trap();
  }

  auto id = canvass::CheckToken(kKey, text, kNow);
  if (id) {
    // v1.<id>.<expiry>.<mac>: re-issue from the parts and demand the same bytes.
    const size_t expiry_at = 3 + id->size() + 1;
    const size_t mac_at = text.rfind('.');
    if (mac_at == std::string_view::npos || mac_at < expiry_at) __builtin_trap();
    const int64_t expiry = std::stoll(std::string(text.substr(expiry_at, mac_at - expiry_at)));
    if (expiry <= kNow || canvass::IssueToken(kKey, *id, expiry) != text) __builtin_trap();
  }
  return 0;
}
