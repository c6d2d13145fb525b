#include "ledger/chain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "ledger_fixture.h"
#include "memory_store.h"

namespace canvass {
namespace {

using testing::Fill;
using ::testing::HasSubstr;
using testing::JsonLines;
using testing::MemoryStore;
using testing::SampleLedger;
using ::testing::StartsWith;

constexpr int64_t kEvents = 10;

// Re-encodes `line` with its seq set to `seq` (and optionally its prev), as someone rewriting a
// ledger would; the new row's hash is that of the new line.
StoredEvent Rewritten(const StoredEvent& row, int64_t seq, std::optional<std::string> prev = {}) {
  Event e = *DecodeEvent(row.line);
  e.seq = seq;
  if (prev) e.prev = *prev;
  return *EncodeEvent(e);
}

StoredEvent Rehashed(StoredEvent row) {
  row.hash = Sha256Hex(row.line);
  return row;
}

void ExpectProblem(const ChainReport& report, const std::string& kind, int64_t seq,
                   const std::string& context = "") {
  ASSERT_TRUE(report.problem.has_value()) << context;
  EXPECT_EQ(report.problem->kind, kind) << context << ": " << report.problem->message;
  EXPECT_EQ(report.problem->seq, seq) << context << ": " << report.problem->message;
  // Everything before the problem was verified, and nothing after it.
  EXPECT_EQ(report.events, seq - 1) << context;
  EXPECT_EQ(report.head.seq, seq - 1) << context;
}

TEST(ChainTest, SoundStoreVerifiesAndReplaysInOrder) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  for (int64_t page : {1, 3, 10, 1000}) {
    MemoryStore store;
    Fill(store, rows);
    std::vector<int64_t> seen;
    ChainReport report = VerifyStore(
        store, std::nullopt,
        [&](const Event& e, const StoredEvent& stored) {
          seen.push_back(e.seq);
          // The row as read, not a re-encoding of the event.
          const StoredEvent& row = rows.at(static_cast<size_t>(e.seq - 1));
          EXPECT_EQ(stored.seq, row.seq);
          EXPECT_EQ(stored.line, row.line);
          EXPECT_EQ(stored.hash, row.hash);
          return Status::Ok();
        },
        page);
    EXPECT_TRUE(report.ok()) << report.problem->message;
    EXPECT_EQ(report.events, kEvents);
    EXPECT_EQ(report.head.seq, kEvents);
    EXPECT_EQ(report.head.hash, rows.back().hash);
    EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    EXPECT_GE(store.reads, (kEvents + page - 1) / page);
  }
}

TEST(ChainTest, EmptyStoreIsSound) {
  MemoryStore store;
  ChainReport report = VerifyStore(store, std::nullopt);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.events, 0);
  EXPECT_EQ(report.head.seq, 0);
  EXPECT_EQ(report.head.hash, "");
  EXPECT_TRUE(VerifyStore(store, StoreHead{0, ""}).ok());
}

TEST(ChainTest, EveryFlippedByteInAStoreIsLocatedAtItsEvent) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t pos = 0; pos < rows[i].line.size(); ++pos) {
      for (unsigned char flip : {0x01, 0x20, 0x80}) {
        MemoryStore store;
        Fill(store, rows);
        store.rows[i].line[pos] = static_cast<char>(store.rows[i].line[pos] ^ flip);
        ChainReport report = VerifyStore(store, std::nullopt, nullptr, 4);
        const std::string where = "event " + std::to_string(i + 1) + " byte " +
                                  std::to_string(pos) + " ^ " + std::to_string(flip);
        ExpectProblem(report, "hash-mismatch", static_cast<int64_t>(i) + 1, where);
        EXPECT_THAT(report.problem->message, HasSubstr("but its stored hash is " + rows[i].hash))
            << where;
      }
    }
  }
}

// What an event whose line was altered (at one byte, then rehashed) must be reported as: the
// line's own defect at its seq when it has one, else the break in the chain it causes at the next
// event (or at the head when it is the last).
void ExpectAlteredLineLocated(const ChainReport& report, const std::vector<StoredEvent>& rows,
                              size_t i, const std::string& altered, bool from_file,
                              const std::string& where) {
  const int64_t seq = static_cast<int64_t>(i) + 1;
  Result<Event> decoded = DecodeEvent(altered);
  if (!decoded.ok()) {
    ExpectProblem(report, "unparseable", seq, where);
  } else if (decoded->seq != seq) {
    // A store's row keeps its seq, so the line contradicts it; a file has nothing but the line.
    ExpectProblem(report,
                  !from_file ? "seq-mismatch" : (decoded->seq < seq ? "out-of-order" : "gap"), seq,
                  where);
  } else if (decoded->prev != *(i == 0 ? std::optional<std::string>(std::string(kGenesisPrev))
                                       : std::optional<std::string>(rows[i - 1].hash))) {
    ExpectProblem(report, "prev-mismatch", seq, where);
  } else if (i + 1 < rows.size()) {
    ExpectProblem(report, "prev-mismatch", seq + 1, where);
  } else {
    ExpectProblem(report, "head-mismatch", seq, where);
  }
}

TEST(ChainTest, EveryFlippedByteRehashedInAStoreIsLocated) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t pos = 0; pos < rows[i].line.size(); ++pos) {
      for (unsigned char flip : {0x01, 0x80}) {
        MemoryStore store;
        Fill(store, rows);  // the recorded head stays that of the original last event
        store.rows[i].line[pos] = static_cast<char>(store.rows[i].line[pos] ^ flip);
        store.rows[i] = Rehashed(store.rows[i]);
        const std::string where = "event " + std::to_string(i + 1) + " byte " +
                                  std::to_string(pos) + " ^ " + std::to_string(flip);
        ExpectAlteredLineLocated(VerifyStore(store, std::nullopt), rows, i, store.rows[i].line,
                                 false, where);
      }
    }
  }
}

TEST(ChainTest, EveryFlippedByteInAnExportIsLocated) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  const std::string text = JsonLines(rows);
  const StoreHead head{kEvents, rows.back().hash};
  size_t line_start = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t pos = 0; pos < rows[i].line.size(); ++pos) {
      for (unsigned char flip : {0x01, 0x80}) {
        std::string damaged = text;
        damaged[line_start + pos] = static_cast<char>(damaged[line_start + pos] ^ flip);
        std::string altered = rows[i].line;
        altered[pos] = damaged[line_start + pos];
        const std::string where = "line " + std::to_string(i + 1) + " byte " + std::to_string(pos) +
                                  " ^ " + std::to_string(flip);
        ChainReport report = VerifyJsonLines(damaged, "ledger.jsonl", head);
        ASSERT_FALSE(report.ok()) << where;
        EXPECT_THAT(report.problem->message, StartsWith("ledger.jsonl:")) << where;
        ExpectAlteredLineLocated(report, rows, i, altered, true, where);
      }
    }
    line_start += rows[i].line.size() + 1;
  }
}

TEST(ChainTest, DeletedEventIsAGapOrATruncation) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  for (size_t k = 0; k < rows.size(); ++k) {
    MemoryStore store;
    Fill(store, rows);
    store.rows.erase(store.rows.begin() + static_cast<std::ptrdiff_t>(k));
    const int64_t seq = static_cast<int64_t>(k) + 1;
    ChainReport report = VerifyStore(store, std::nullopt);
    if (seq < kEvents) {
      ExpectProblem(report, "gap", seq, "deleted " + std::to_string(seq));
      EXPECT_EQ(report.problem->message,
                "event " + std::to_string(seq) + " is missing: event " + std::to_string(seq + 1) +
                    " follows " +
                    (seq == 1 ? std::string("the start") : "event " + std::to_string(seq - 1)));
    } else {
      // The store's recorded head still names event 10.
      ExpectProblem(report, "truncated", seq);
      EXPECT_EQ(report.problem->message,
                "the ledger ends after event 9, but the store's recorded head is event 10");
    }

    // The same in an export.
    std::vector<StoredEvent> lines = rows;
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(k));
    ChainReport from_file =
        VerifyJsonLines(JsonLines(lines), "x.jsonl", StoreHead{kEvents, rows.back().hash});
    ExpectProblem(from_file, seq < kEvents ? "gap" : "truncated", seq);
  }
}

TEST(ChainTest, DeletedEventWithTheRestRenumberedIsAPrevMismatch) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  for (size_t k = 0; k + 1 < rows.size(); ++k) {
    MemoryStore store;
    std::vector<StoredEvent> forged(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(k));
    for (size_t j = k + 1; j < rows.size(); ++j) {
      forged.push_back(Rewritten(rows[j], static_cast<int64_t>(j)));
    }
    Fill(store, forged);  // even a head recorded afresh does not hide it
    const int64_t seq = static_cast<int64_t>(k) + 1;
    ChainReport report = VerifyStore(store, std::nullopt);
    ExpectProblem(report, "prev-mismatch", seq);
    EXPECT_THAT(report.problem->message,
                HasSubstr("the prev of event " + std::to_string(seq) + " is " + rows[k].hash));
    ExpectProblem(VerifyJsonLines(JsonLines(forged), "x.jsonl"), "prev-mismatch", seq);
  }
}

TEST(ChainTest, SwappedAdjacentEventsAreLocated) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  for (size_t k = 0; k + 1 < rows.size(); ++k) {
    const int64_t seq = static_cast<int64_t>(k) + 1;
    const auto at = [&](size_t n) { return static_cast<std::ptrdiff_t>(n); };

    // In a store, the rows keep their seqs and exchange their lines and hashes.
    MemoryStore store;
    Fill(store, rows);
    std::swap(store.rows[k].line, store.rows[k + 1].line);
    std::swap(store.rows[k].hash, store.rows[k + 1].hash);
    ChainReport report = VerifyStore(store, std::nullopt);
    ExpectProblem(report, "seq-mismatch", seq);
    EXPECT_EQ(report.problem->message, "the line stored as event " + std::to_string(seq) +
                                           " says seq " + std::to_string(seq + 1));

    // A store handing the rows back in the wrong order.
    Fill(store, rows);
    std::iter_swap(store.rows.begin() + at(k), store.rows.begin() + at(k + 1));
    ExpectProblem(VerifyStore(store, std::nullopt), "gap", seq);

    // In an export, the lines change places.
    std::vector<StoredEvent> lines = rows;
    std::iter_swap(lines.begin() + at(k), lines.begin() + at(k + 1));
    report = VerifyJsonLines(JsonLines(lines), "x.jsonl");
    ExpectProblem(report, "out-of-order", seq);
    EXPECT_EQ(report.problem->message,
              "x.jsonl:" + std::to_string(seq) + ": event " + std::to_string(seq) +
                  " is out of order: line " + std::to_string(seq) + " holds event " +
                  std::to_string(seq + 1) + " and event " + std::to_string(seq) +
                  " comes later, at line " + std::to_string(seq + 1));

    // Swapped and renumbered, so that the seqs run 1, 2, 3, ... again.
    std::vector<StoredEvent> forged = rows;
    forged[k] = Rewritten(rows[k + 1], seq);
    forged[k + 1] = Rewritten(rows[k], seq + 1);
    Fill(store, forged);
    ExpectProblem(VerifyStore(store, std::nullopt), "prev-mismatch", seq);
    ExpectProblem(VerifyJsonLines(JsonLines(forged), "x.jsonl"), "prev-mismatch", seq);
  }
}

TEST(ChainTest, RepeatedRowIsOutOfOrder) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  MemoryStore store;
  Fill(store, rows);
  store.rows.insert(store.rows.begin() + 4, rows[3]);
  ChainReport report = VerifyStore(store, std::nullopt);
  ExpectProblem(report, "out-of-order", 5);
  EXPECT_EQ(report.problem->message, "event 4 comes after event 4 where event 5 was expected");
}

TEST(ChainTest, TruncatedTailNeedsAHeadToBeSeen) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  const StoreHead head{kEvents, rows.back().hash};
  for (int64_t keep = 0; keep < kEvents; ++keep) {
    const std::vector<StoredEvent> prefix(rows.begin(), rows.begin() + keep);
    MemoryStore store;
    Fill(store, rows);
    store.rows = prefix;  // the recorded head stays at event 10
    ExpectProblem(VerifyStore(store, std::nullopt), "truncated", keep + 1);

    // A store whose recorded head went too (or a copy without one): only a head known from
    // elsewhere, such as a release's, shows the loss.
    Fill(store, prefix);
    EXPECT_TRUE(VerifyStore(store, std::nullopt).ok());
    ChainReport report = VerifyStore(store, head);
    ExpectProblem(report, "truncated", keep + 1);
    EXPECT_THAT(report.problem->message, HasSubstr("but the expected head is event 10"));

    EXPECT_TRUE(VerifyJsonLines(JsonLines(prefix), "x.jsonl").ok());
    ExpectProblem(VerifyJsonLines(JsonLines(prefix), "x.jsonl", head), "truncated", keep + 1);
  }
}

TEST(ChainTest, ExpectedHeadIsPassedThroughWithItsHash) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  MemoryStore store;
  Fill(store, rows);
  // A release taken at event 6: the ledger has grown since, which is fine.
  EXPECT_TRUE(VerifyStore(store, StoreHead{6, rows[5].hash}).ok());
  ChainReport report = VerifyStore(store, StoreHead{6, rows[4].hash});
  ExpectProblem(report, "head-mismatch", 6);
  EXPECT_EQ(report.problem->message,
            "event 6 hashes to " + rows[5].hash + ", but the expected head says " + rows[4].hash);

  // The store's recorded head names another hash for its last event.
  store.recorded = StoreHead{kEvents, rows[0].hash};
  ExpectProblem(VerifyStore(store, std::nullopt), "head-mismatch", kEvents);

  ExpectProblem(VerifyJsonLines(JsonLines(rows), "x.jsonl", StoreHead{3, rows[2].hash + "0"}),
                "head-mismatch", 3);
}

TEST(ChainTest, FinishChecksWhereTheLedgerMustEnd) {
  const std::vector<StoredEvent> rows = SampleLedger(4);
  auto run = [&](std::optional<StoreHead> end) {
    ChainVerifier verifier;
    for (const StoredEvent& row : rows) EXPECT_TRUE(verifier.Add(row).ok());
    return verifier.Finish(end);
  };
  EXPECT_TRUE(run(std::nullopt).ok());
  EXPECT_TRUE(run(StoreHead{4, rows[3].hash}).ok());
  // Event 4 itself is sound and counted; it is the end that differs.
  ChainReport other = run(StoreHead{4, rows[2].hash});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.problem->kind, "head-mismatch");
  EXPECT_EQ(other.problem->seq, 4);
  EXPECT_EQ(other.events, 4);
  ExpectProblem(run(StoreHead{6, "x"}), "truncated", 5);
  ChainReport past = run(StoreHead{2, rows[1].hash});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.problem->kind, "head-mismatch");
  EXPECT_EQ(past.problem->seq, 3);
  EXPECT_EQ(past.problem->message, "the ledger goes on to event 4 past the expected head, event 2");
}

TEST(ChainTest, AddReturnsTheEventAndStopsAtTheFirstProblem) {
  const std::vector<StoredEvent> rows = SampleLedger(3);
  ChainVerifier verifier;
  Result<Event> first = verifier.Add(rows[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->type, "election-created");
  Result<Event> bad = verifier.Add(rows[2]);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(bad.status().message(), "event 2 is missing: event 3 follows event 1");
  // Later events, even good ones, are not looked at.
  EXPECT_FALSE(verifier.Add(rows[1]).ok());
  ChainReport report = verifier.Finish();
  ExpectProblem(report, "gap", 2);
  EXPECT_EQ(report.head.hash, rows[0].hash);
}

TEST(ChainTest, FirstEventMustStartFromTheGenesisPrev) {
  std::vector<StoredEvent> rows = SampleLedger(2);
  rows[0] = Rewritten(rows[0], 1, std::string(64, 'a'));
  ChainReport report = VerifyJsonLines(JsonLines(rows), "x.jsonl");
  ExpectProblem(report, "prev-mismatch", 1);
  EXPECT_THAT(report.problem->message, HasSubstr("the first event's prev is 64 zeros"));
}

TEST(ChainTest, ReplayFailureIsReportedAtItsEvent) {
  MemoryStore store;
  Fill(store, SampleLedger(kEvents));
  ChainReport report = VerifyStore(store, std::nullopt, [](const Event& e, const StoredEvent&) {
    if (e.seq == 4) return Status::InvalidArgument("precinct polk/des-moines-4 is unknown");
    return Status::Ok();
  });
  ExpectProblem(report, "replay", 4);
  EXPECT_EQ(report.problem->message,
            "event 4 (photo-attached) does not replay: precinct polk/des-moines-4 is unknown");
}

TEST(ChainTest, StoreReadFailureIsReported) {
  MemoryStore store;
  Fill(store, SampleLedger(kEvents));
  store.fail_reads_after = 3;
  ChainReport report = VerifyStore(store, std::nullopt, nullptr, 3);
  ExpectProblem(report, "unreadable", 4);
  EXPECT_THAT(report.problem->message, StartsWith("cannot read the events after event 3: "));
  // The store's own Status, for callers that pass it on.
  EXPECT_EQ(report.problem->cause.code(), Status::Code::kIoError);
  EXPECT_EQ(report.problem->cause.message(), "memory store: reads after 3 fail");
}

TEST(ChainTest, UnparseableRowIsReportedWithTheDecodersMessage) {
  MemoryStore store;
  Fill(store, SampleLedger(3));
  store.rows[1].line = "{\"seq\":2}";
  store.rows[1] = Rehashed(store.rows[1]);
  ChainReport report = VerifyStore(store, std::nullopt);
  ExpectProblem(report, "unparseable", 2);
  EXPECT_EQ(report.problem->message, "event 2: member \"actor\" is missing");
}

TEST(ExportTest, ExportIsTheLinesInOrderAndVerifiesAgain) {
  const std::vector<StoredEvent> rows = SampleLedger(kEvents);
  MemoryStore store;
  Fill(store, rows);
  std::ostringstream out;
  ASSERT_TRUE(ExportJsonLines(store, out, 3).ok());
  EXPECT_EQ(out.str(), JsonLines(rows));

  const std::vector<StoredEvent> back = ReadJsonLines(out.str());
  ASSERT_EQ(back.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(back[i].seq, rows[i].seq);
    EXPECT_EQ(back[i].line, rows[i].line);
    EXPECT_EQ(back[i].hash, rows[i].hash);
  }
  ChainReport report =
      VerifyJsonLines(out.str(), "ledger.jsonl", StoreHead{kEvents, rows.back().hash});
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.events, kEvents);
  EXPECT_EQ(report.head.hash, rows.back().hash);

  std::ostringstream empty;
  MemoryStore nothing;
  ASSERT_TRUE(ExportJsonLines(nothing, empty).ok());
  EXPECT_EQ(empty.str(), "");
}

TEST(ExportTest, ExportRefusesALineThatWouldNotStayOneLine) {
  MemoryStore store;
  Fill(store, SampleLedger(3));
  store.rows[1].line += "\n{}";
  std::ostringstream out;
  Status st = ExportJsonLines(store, out);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_EQ(st.message(),
            "the line of event 2 holds a line break; it cannot be exported as JSON Lines");
}

TEST(ExportTest, ExportReportsAFailedStream) {
  MemoryStore store;
  Fill(store, SampleLedger(3));
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_EQ(ExportJsonLines(store, out).code(), Status::Code::kIoError);
}

TEST(JsonLinesTest, FinalLineMayLackItsNewline) {
  const std::vector<StoredEvent> rows = SampleLedger(3);
  std::string text = JsonLines(rows);
  text.pop_back();
  EXPECT_EQ(ReadJsonLines(text).size(), 3u);
  EXPECT_TRUE(VerifyJsonLines(text, "x.jsonl", StoreHead{3, rows[2].hash}).ok());
  EXPECT_TRUE(ReadJsonLines("").empty());
  EXPECT_TRUE(VerifyJsonLines("", "x.jsonl").ok());
}

TEST(JsonLinesTest, EmptyLineIsAnUnparseableEvent) {
  const std::vector<StoredEvent> rows = SampleLedger(3);
  std::string text = rows[0].line + "\n\n" + rows[1].line + "\n" + rows[2].line + "\n";
  ChainReport report = VerifyJsonLines(text, "x.jsonl");
  ExpectProblem(report, "unparseable", 2);
  EXPECT_THAT(report.problem->message, StartsWith("x.jsonl:2: event 2: line is not JSON: "));

  ExpectProblem(VerifyJsonLines(JsonLines(rows) + "\n", "x.jsonl"), "unparseable", 4);
  ExpectProblem(VerifyJsonLines("\n", "x.jsonl"), "unparseable", 1);
  // Windows line ends leave a "\r" on each line, which is not canonical.
  std::string crlf;
  for (const StoredEvent& row : rows) crlf += row.line + "\r\n";
  report = VerifyJsonLines(crlf, "x.jsonl");
  ExpectProblem(report, "unparseable", 1);
  EXPECT_THAT(report.problem->message, HasSubstr("line is not in canonical form"));
}

TEST(JsonLinesTest, ExportCutAnywhereIsLocated) {
  const std::vector<StoredEvent> rows = SampleLedger(4);
  const std::string text = JsonLines(rows);
  const StoreHead head{4, rows.back().hash};
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    const std::string prefix = text.substr(0, cut);
    const size_t last_newline = prefix.rfind('\n');
    const int64_t whole = static_cast<int64_t>(std::count(prefix.begin(), prefix.end(), '\n'));
    const std::string rest =
        last_newline == std::string::npos ? prefix : prefix.substr(last_newline + 1);
    const std::string where = "cut at " + std::to_string(cut);
    ChainReport report = VerifyJsonLines(prefix, "x.jsonl", head);
    int64_t complete = whole;
    if (!rest.empty() && rest == rows[static_cast<size_t>(whole)].line) ++complete;
    if (rest.empty() || complete > whole) {  // only whole lines, the last one with its '\n' or not
      if (complete == 4) {
        EXPECT_TRUE(report.ok()) << where;
      } else {
        ExpectProblem(report, "truncated", complete + 1, where);
        EXPECT_THAT(report.problem->message, StartsWith("x.jsonl: the ledger ")) << where;
      }
    } else {  // cut inside a line
      ExpectProblem(report, "unparseable", whole + 1, where);
      EXPECT_THAT(report.problem->message,
                  StartsWith("x.jsonl:" + std::to_string(whole + 1) + ": event " +
                             std::to_string(whole + 1) + ": line is not JSON: "))
          << where;
    }
  }
}

TEST(JsonLinesTest, UnparseableLineKeepsItsLineNumber) {
  const std::vector<StoredEvent> rows = SampleLedger(3);
  const std::string text = rows[0].line + "\nnot json\n" + rows[2].line + "\n";
  const std::vector<StoredEvent> read = ReadJsonLines(text);
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[1].seq, 2);
  EXPECT_EQ(read[1].line, "not json");
  EXPECT_EQ(read[1].hash, Sha256Hex("not json"));
  EXPECT_EQ(read[2].seq, 3);
}

}  // namespace
}  // namespace canvass
