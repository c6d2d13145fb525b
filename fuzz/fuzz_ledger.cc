// Feeds arbitrary bytes to the ledger's readers: DecodeEvent on the whole input as one line, and
// ReadJsonLines + VerifyJsonLines on it as an export. Whatever the input, they must return, never
// crash or abort; and what they accept must hold up: a decoded line re-encodes to the same bytes,
// every message names the origin, and a report's head is the last event it counted.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/sha256.h"
#include "ledger/chain.h"
#include "ledger/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  canvass::Result<canvass::Event> event = canvass::DecodeEvent(text);
  if (event.ok()) {
    canvass::Result<canvass::StoredEvent> again = canvass::EncodeEvent(*event);
    if (!again.ok() || again->line != text || again->hash != canvass::Sha256Hex(text)) {
      __builtin_trap();  // DecodeEvent accepts canonical lines only
    }
  } else if (event.status().code() != canvass::Status::Code::kCorruption) {
    __builtin_trap();
  }

  const auto events = canvass::ReadJsonLines(text);
  canvass::ChainReport report = canvass::VerifyJsonLines(text, "fuzz.jsonl");
  if (report.events < 0 || report.events > static_cast<int64_t>(events.size())) __builtin_trap();
  if (report.head.seq != report.events) __builtin_trap();
  if (report.problem) {
    if (report.problem->message.rfind("fuzz.jsonl:", 0) != 0) __builtin_trap();
    if (report.problem->seq < 1) __builtin_trap();
  } else if (report.events != static_cast<int64_t>(events.size())) {
    __builtin_trap();  // a sound export has every line verified
  }
  // Held to a head it cannot reach, or to the one it ends at.
  canvass::ChainReport held = canvass::VerifyJsonLines(
      text, "fuzz.jsonl", canvass::StoreHead{report.head.seq + 1, std::string(64, 'f')});
  if (held.ok()) __builtin_trap();
  if (report.ok() && report.head.seq > 0 &&
      !canvass::VerifyJsonLines(text, "fuzz.jsonl", report.head).ok()) {
    __builtin_trap();
  }
  return 0;
}
