// Chain verification and the JSON Lines export (docs/ledger-format.md, "Verifying" and "Export").
//
// The order of the checks in ChainVerifier::Add decides which kind a damaged event is reported
// as, and goes from the row to the line to the chain: first the row's seq (a missing or repeated
// row), then the stored hash against the bytes (a changed byte in a store shows here, at that
// event, whatever the byte), then the line itself (decoding), then the line against its row (seq)
// and against its predecessor (prev), last the heads the caller knows of and the caller's replay.
#include "ledger/chain.h"

#include <algorithm>
#include <cassert>
#include <ostream>
#include <utility>

#include "core/sha256.h"

namespace canvass {

ChainVerifier::ChainVerifier(EventVisitor on_event) : on_event_(std::move(on_event)) {}

void ChainVerifier::ExpectHead(const StoreHead& head, std::string whose) {
  if (head.seq <= 0) return;  // the empty ledger: every ledger reaches it
  // A head the verifier has passed already cannot be checked any more; callers expect heads
  // before adding events.
  assert(head.seq > head_.seq && "ExpectHead after the event at that seq was added");
  expected_.push_back({head, std::move(whose)});
}

Status ChainVerifier::Problem(int64_t seq, std::string kind, std::string message) {
  problem_ = ChainProblem{seq, std::move(kind), std::move(message), Status::Ok()};
  return Status::Corruption(problem_->message);
}

void ChainVerifier::Fail(std::string kind, std::string message, Status cause) {
  if (!problem_) {
    problem_ = ChainProblem{next_seq(), std::move(kind), std::move(message), std::move(cause)};
  }
}

Result<Event> ChainVerifier::Add(const StoredEvent& stored) {
  if (problem_) return Status::Corruption(problem_->message);
  const int64_t want = next_seq();
  const std::string after =
      head_.seq == 0 ? std::string("the start") : "event " + std::to_string(head_.seq);
  if (stored.seq < want) {
    return Problem(want, "out-of-order",
                   "event " + std::to_string(stored.seq) + " comes after " + after +
                       " where event " + std::to_string(want) + " was expected");
  }
  if (stored.seq > want) {
    return Problem(want, "gap",
                   "event " + std::to_string(want) + " is missing: event " +
                       std::to_string(stored.seq) + " follows " + after);
  }
  const std::string hash = Sha256Hex(stored.line);
  if (hash != stored.hash) {
    return Problem(want, "hash-mismatch",
                   "the line of event " + std::to_string(want) + " hashes to " + hash +
                       ", but its stored hash is " + stored.hash);
  }
  Result<Event> event = DecodeEvent(stored.line);
  if (!event.ok()) {
    return Problem(want, "unparseable",
                   "event " + std::to_string(want) + ": " + event.status().message());
  }
  if (event->seq != want) {
    return Problem(want, "seq-mismatch",
                   "the line stored as event " + std::to_string(want) + " says seq " +
                       std::to_string(event->seq));
  }
  const std::string_view prev = head_.seq == 0 ? kGenesisPrev : std::string_view(head_.hash);
  if (event->prev != prev) {
    return Problem(
        want, "prev-mismatch",
        "the prev of event " + std::to_string(want) + " is " + event->prev + ", but " +
            (head_.seq == 0 ? std::string("the first event's prev is 64 zeros")
                            : "event " + std::to_string(head_.seq) + " hashes to " + head_.hash) +
            " (an event before it was changed, removed or moved, or this one was)");
  }
  for (const ExpectedHead& expected : expected_) {
    if (expected.head.seq == want && expected.head.hash != hash) {
      return Problem(want, "head-mismatch",
                     "event " + std::to_string(want) + " hashes to " + hash + ", but " +
                         expected.whose + " says " + expected.head.hash);
    }
  }
  if (on_event_) {
    Status replayed = on_event_(*event, stored);
    if (!replayed.ok()) {
      return Problem(want, "replay",
                     "event " + std::to_string(want) + " (" + event->type +
                         ") does not replay: " + replayed.message());
    }
  }
  head_ = StoreHead{want, hash};
  ++events_;
  return event;
}

ChainReport ChainVerifier::Finish(const std::optional<StoreHead>& expected_end) {
  const std::string ends = head_.seq == 0
                               ? std::string("the ledger is empty")
                               : "the ledger ends after event " + std::to_string(head_.seq);
  if (!problem_) {
    const ExpectedHead* furthest = nullptr;
    for (const ExpectedHead& expected : expected_) {
      if (expected.head.seq > head_.seq && (!furthest || expected.head.seq > furthest->head.seq)) {
        furthest = &expected;
      }
    }
    if (furthest) {
      Problem(
          head_.seq + 1, "truncated",
          ends + ", but " + furthest->whose + " is event " + std::to_string(furthest->head.seq));
    }
  }
  if (!problem_ && expected_end) {
    const int64_t end = std::max<int64_t>(expected_end->seq, 0);
    if (end > head_.seq) {
      Problem(head_.seq + 1, "truncated",
              ends + ", but the expected head is event " + std::to_string(end));
    } else if (end < head_.seq) {
      Problem(end + 1, "head-mismatch",
              "the ledger goes on to event " + std::to_string(head_.seq) +
                  " past the expected head, event " + std::to_string(end));
    } else if (end > 0 && expected_end->hash != head_.hash) {
      Problem(end, "head-mismatch",
              "event " + std::to_string(end) + " hashes to " + head_.hash +
                  ", but the expected head says " + expected_end->hash);
    }
  }
  ChainReport report;
  report.events = events_;
  report.head = head_;
  report.problem = problem_;
  return report;
}

ChainReport VerifyStore(Store& store, std::optional<StoreHead> expected_head,
                        const EventVisitor& on_event, int64_t page_size) {
  assert(page_size > 0);
  ChainVerifier verifier(on_event);
  Result<StoreHead> recorded = store.RecordedHead();
  if (!recorded.ok()) {
    verifier.Fail("unreadable",
                  "cannot read the store's recorded head: " + recorded.status().ToString(),
                  recorded.status());
    return verifier.Finish();
  }
  verifier.ExpectHead(*recorded, "the store's recorded head");
  if (expected_head) verifier.ExpectHead(*expected_head);
  int64_t after = 0;
  while (true) {
    Result<std::vector<StoredEvent>> page = store.ReadAfter(after, page_size);
    if (!page.ok()) {
      verifier.Fail("unreadable",
                    "cannot read the events after event " + std::to_string(after) + ": " +
                        page.status().ToString(),
                    page.status());
      break;
    }
    if (page->empty()) break;
    for (const StoredEvent& stored : *page) {
      if (!verifier.Add(stored).ok()) return verifier.Finish();
    }
    // Add accepted every row, so their seqs went up by one each: `after` always advances.
    after = page->back().seq;
  }
  return verifier.Finish();
}

Status ExportJsonLines(Store& store, std::ostream& out, int64_t page_size) {
  assert(page_size > 0);
  int64_t after = 0;
  while (true) {
    Result<std::vector<StoredEvent>> page = store.ReadAfter(after, page_size);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    for (const StoredEvent& stored : *page) {
      if (stored.seq <= after) {
        return Status::Corruption("the store returned event " + std::to_string(stored.seq) +
                                  " after event " + std::to_string(after));
      }
      if (stored.line.find('\n') != std::string::npos) {
        return Status::Corruption("the line of event " + std::to_string(stored.seq) +
                                  " holds a line break; it cannot be exported as JSON Lines");
      }
      out.write(stored.line.data(), static_cast<std::streamsize>(stored.line.size()));
      out.put('\n');
      after = stored.seq;
    }
    if (!out) return Status::IoError("cannot write the export");
  }
  out.flush();
  if (!out) return Status::IoError("cannot write the export");
  return Status::Ok();
}

std::vector<StoredEvent> ReadJsonLines(std::string_view text) {
  std::vector<StoredEvent> events;
  size_t pos = 0;
  int64_t line_number = 0;
  while (pos < text.size()) {
    const size_t newline = text.find('\n', pos);
    const size_t end = newline == std::string_view::npos ? text.size() : newline;
    StoredEvent stored;
    stored.line = std::string(text.substr(pos, end - pos));
    stored.hash = Sha256Hex(stored.line);
    ++line_number;
    Result<Event> event = DecodeEvent(stored.line);
    stored.seq = event.ok() ? event->seq : line_number;
    events.push_back(std::move(stored));
    pos = end + 1;
  }
  return events;
}

ChainReport VerifyJsonLines(std::string_view text, const std::string& origin,
                            std::optional<StoreHead> expected_head, const EventVisitor& on_event) {
  const std::vector<StoredEvent> events = ReadJsonLines(text);
  ChainVerifier verifier(on_event);
  if (expected_head) verifier.ExpectHead(*expected_head);
  size_t failed = events.size();  // index of the line the verifier refused
  for (size_t i = 0; i < events.size(); ++i) {
    if (!verifier.Add(events[i]).ok()) {
      failed = i;
      break;
    }
  }
  ChainReport report = verifier.Finish();
  if (!report.problem) return report;
  ChainProblem& problem = *report.problem;
  if (failed == events.size()) {  // found at the end: no line to name
    problem.message = origin + ": " + problem.message;
    return report;
  }
  if (problem.kind == "gap") {
    // A file, unlike a store's ordered read, can hold the missing event further down.
    for (size_t j = failed + 1; j < events.size(); ++j) {
      if (events[j].seq == problem.seq) {
        problem.kind = "out-of-order";
        problem.message = "event " + std::to_string(problem.seq) + " is out of order: line " +
                          std::to_string(failed + 1) + " holds event " +
                          std::to_string(events[failed].seq) + " and event " +
                          std::to_string(problem.seq) + " comes later, at line " +
                          std::to_string(j + 1);
        break;
      }
    }
  }
  problem.message = origin + ":" + std::to_string(failed + 1) + ": " + problem.message;
  return report;
}

}  // namespace canvass
