// The hash chain: verifying a ledger, from a store or from its JSON Lines export, and exporting it.
//
// A ledger is sound when its events are 1, 2, 3, ... with no gap, each stored hash is the SHA-256
// of its line, each line decodes (ledger/event.h) and names the seq of its row, each `prev` is the
// hash of the line before (kGenesisPrev for the first), and the chain reaches every head the
// caller knows of (the store's recorded head, a release's head) with that head's hash. The
// verifier stops at the first event that breaks one of these and says which event and which rule;
// docs/ledger-format.md ("What verify reports") lists the kinds.
//
// Thread-safety: ChainVerifier is a value used by one thread at a time; the functions are safe to
// call from several threads on different stores.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/event.h"
#include "store/store.h"

namespace canvass {

// The first thing wrong with a ledger.
struct ChainProblem {
  // The position of the first bad event: the seq the verifier expected at that point (for
  // "prev-mismatch" the event whose prev is wrong; for "truncated" the first missing one).
  int64_t seq = 0;
  // One of: "unparseable", "hash-mismatch", "seq-mismatch", "gap", "out-of-order",
  // "prev-mismatch", "truncated", "head-mismatch", "replay" (the caller's on_event refused the
  // event), "unreadable" (the store failed to read), "audit" (`ledger verify`: an rla-tally of a
  // precinct the audit's seed had not drawn).
  std::string kind;
  std::string message;  // a sentence for the person investigating
  // For "unreadable", the store's own Status (IoError, Unavailable, ...), so that a caller that
  // returns it keeps its code; Ok for every other kind.
  Status cause;
};

struct ChainReport {
  // Events that passed every check, in order from 1: those before the problem (all of them when
  // ok, and when the problem is only that the ledger goes on past, or ends at another hash than,
  // Finish's `expected_end`).
  int64_t events = 0;
  StoreHead head;  // the last of those: {0, ""} when none
  std::optional<ChainProblem> problem;
  bool ok() const { return !problem.has_value(); }
};

// Called with each event that continues the chain, in order, before it counts as verified (to
// replay it): decoded, and as read (its line and hash, byte for byte), which is what
// ElectionState::Apply takes, so that nothing is encoded again. An error Status stops
// verification with a "replay" problem at that event.
using EventVisitor = std::function<Status(const Event& event, const StoredEvent& stored)>;

// Verifies a ledger fed to it one event at a time, in the order read.
class ChainVerifier {
 public:
  explicit ChainVerifier(EventVisitor on_event = nullptr);

  // A head the chain must pass through: event head.seq must exist and its line must hash to
  // head.hash. The ledger may go on after it (it has grown since the head was taken). Call before
  // the event at head.seq is added; a head with seq 0 is the empty ledger and always reached.
  // `whose` names the head in messages ("the store's recorded head", "release 3's head").
  void ExpectHead(const StoreHead& head, std::string whose = "the expected head");

  // Checks the next event. Returns it decoded when it continues the chain. Otherwise records the
  // problem and returns Corruption with its message; once there is a problem, every further Add
  // returns that same Status without looking at the event.
  Result<Event> Add(const StoredEvent& stored);

  // Records a problem the caller found (a store read failure, say) at the next expected seq,
  // unless there already is one. `cause` is the Status behind it, when there is one.
  void Fail(std::string kind, std::string message, Status cause = Status::Ok());

  // The report. `expected_end`, when given, is where the ledger must end: fewer events is
  // "truncated", more events or another hash at that seq is "head-mismatch". Heads given to
  // ExpectHead and never reached are "truncated".
  ChainReport Finish(const std::optional<StoreHead>& expected_end = std::nullopt);

  int64_t next_seq() const { return head_.seq + 1; }
  const std::optional<ChainProblem>& problem() const { return problem_; }

 private:
  Status Problem(int64_t seq, std::string kind, std::string message);

  EventVisitor on_event_;
  struct ExpectedHead {
    StoreHead head;
    std::string whose;
  };
  std::vector<ExpectedHead> expected_;
  StoreHead head_;
  int64_t events_ = 0;
  std::optional<ChainProblem> problem_;
};

// Verifies the whole store, reading it `page_size` events at a time. The store's recorded head
// (read first, so that appends during verification do no harm) and `expected_head` (a release's
// head, say) are heads the chain must reach with their hashes; the ledger may go on after them.
ChainReport VerifyStore(Store& store, std::optional<StoreHead> expected_head,
                        const EventVisitor& on_event = nullptr, int64_t page_size = 1000);

// Writes every stored line followed by '\n', in order: the JSON Lines export. Writes the lines as
// stored, sound or not (verify separately), but refuses with Corruption a line holding a line
// break, which would not stay one line. IoError when the stream fails.
Status ExportJsonLines(Store& store, std::ostream& out, int64_t page_size = 1000);

// Splits a JSON Lines export into the events it holds, for ChainVerifier. The text is cut at each
// '\n'; the last line may lack its '\n'. Every line, an empty one too, is an event with
// hash = Sha256Hex(line) and seq = the line's own seq, or, when the line does not decode, its line
// number (so that the verifier reports it there as "unparseable"). Never fails: every defect of
// the text is a defect of some event, which the verifier locates.
std::vector<StoredEvent> ReadJsonLines(std::string_view text);

// ReadJsonLines + ChainVerifier. Messages name `origin` and the line ("ledger.jsonl:4: ...").
// `expected_head` must be reached with its hash; the export may go on after it.
ChainReport VerifyJsonLines(std::string_view text, const std::string& origin,
                            std::optional<StoreHead> expected_head = std::nullopt,
                            const EventVisitor& on_event = nullptr);

}  // namespace canvass
