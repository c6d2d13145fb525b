// The one replay (state/replay.h), on docs/example-ledger.jsonl (twenty events of every kind the
// server writes): from a SQLite store and from its export it gives the same state; a refusal, a
// head not reached and an unreadable store are reported as the commands report them; the extra
// callback sees every event once, as read.
#include "state/replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ledger/chain.h"
#include "ledger/event.h"
#include "ledger/memory_store.h"
#include "state/election_state.h"
#include "state/record_facts.h"
#include "store/store.h"

namespace canvass {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kExampleEvents = 20;

std::string ExampleText() {
  const std::string path = std::string(CANVASS_DATA_DIR) + "/../docs/example-ledger.jsonl";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string JsonLinesOf(const std::vector<StoredEvent>& rows) {
  std::string text;
  for (const StoredEvent& row : rows) text += row.line + "\n";
  return text;
}

// A fresh temporary directory, removed with what it holds.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "canvass-replay-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A SQLite store holding `rows`, appended as the intake appends them.
std::unique_ptr<Store> SqliteStoreOf(const TempDir& dir, const std::vector<StoredEvent>& rows) {
  auto store = OpenStore(dir.path() + "/canvass.db", true);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  Status appended = (*store)->Append(
      0, [&](const std::vector<StoredEvent>&) -> Result<std::vector<StoredEvent>> { return rows; });
  EXPECT_TRUE(appended.ok()) << appended.ToString();
  return std::move(store).value();
}

// Everything a state keeps: its position, its constants, and every precinct fact by fact.
std::string Fingerprint(const ElectionState& state) {
  nlohmann::json j = {{"seq", state.seq()},
                      {"head", state.head_hash()},
                      {"name", state.name()},
                      {"candidates", state.candidates()},
                      {"credentials", state.credentials().size()},
                      {"releases", state.releases().size()},
                      {"policy", state.publication_policy().mode}};
  for (int64_t id = 1; id <= static_cast<int64_t>(state.precincts().size()); ++id) {
    j["precincts"].push_back(testing_ledger::RecordFacts(state, id));
    j["status"].push_back(state.StatusOf(id));
  }
  return j.dump();
}

// Event `seq` of the example, chained after `prev` and sent again with another submission id:
// a sound line that the state refuses (the precinct's figures are already reported).
StoredEvent Resent(const std::vector<StoredEvent>& rows, int64_t seq) {
  Event e = *DecodeEvent(rows.at(static_cast<size_t>(seq - 1)).line);
  e.seq = static_cast<int64_t>(rows.size()) + 1;
  e.prev = rows.back().hash;
  e.time = "2020-02-03T23:59:59.000Z";
  e.payload["submission"] = "resent";
  Result<StoredEvent> stored = EncodeEvent(e);
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
  return *stored;
}

TEST(ReplayTest, StoreAndItsExportReplayToTheSameState) {
  const std::string text = ExampleText();
  const std::vector<StoredEvent> rows = ReadJsonLines(text);
  ASSERT_EQ(static_cast<int64_t>(rows.size()), kExampleEvents);
  TempDir dir;
  std::unique_ptr<Store> store = SqliteStoreOf(dir, rows);
  ASSERT_NE(store, nullptr);

  ElectionState from_store;
  ChainReport stored = ReplayStore(*store, from_store);
  ASSERT_TRUE(stored.ok()) << stored.problem->message;
  std::ostringstream exported;
  ASSERT_TRUE(ExportJsonLines(*store, exported).ok());
  EXPECT_EQ(exported.str(), text);
  ElectionState from_export;
  ChainReport read = ReplayJsonLines(exported.str(), "ledger.jsonl", from_export);
  ASSERT_TRUE(read.ok()) << read.problem->message;
  ElectionState from_memory;
  ChainReport held = ReplayEvents(rows, from_memory);
  ASSERT_TRUE(held.ok()) << held.problem->message;

  for (const ChainReport* report : {&stored, &read, &held}) {
    EXPECT_EQ(report->events, kExampleEvents);
    EXPECT_EQ(report->head.seq, kExampleEvents);
    EXPECT_EQ(report->head.hash, rows.back().hash);
  }
  EXPECT_EQ(from_store.seq(), kExampleEvents);
  EXPECT_EQ(from_store.head_hash(), rows.back().hash);
  EXPECT_EQ(from_store.name(), "events case example-ledger");
  EXPECT_EQ(Fingerprint(from_export), Fingerprint(from_store));
  EXPECT_EQ(Fingerprint(from_memory), Fingerprint(from_store));
  // The states keep every event's hash (a release names one), not its line.
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(from_store.hash_of(rows[i].seq), rows[i].hash);
    EXPECT_EQ(from_export.hash_of(rows[i].seq), rows[i].hash);
  }
  EXPECT_EQ(from_store.hash_of(0), "");
  EXPECT_EQ(from_store.hash_of(kExampleEvents + 1), "");
  EXPECT_TRUE(ReplayStatus(stored).ok());
}

TEST(ReplayTest, RefusedEventIsNamedBySeqTypeAndCode) {
  std::vector<StoredEvent> rows = ReadJsonLines(ExampleText());
  ASSERT_EQ(static_cast<int64_t>(rows.size()), kExampleEvents);
  ElectionState whole;
  ASSERT_TRUE(ReplayEvents(rows, whole).ok());
  const StoredEvent resent = Resent(rows, 10);  // precinct 1's first alignment, again
  const Event event = *DecodeEvent(resent.line);
  ASSERT_EQ(event.type, "first-alignment-reported");
  const std::optional<Rejection> refusal = whole.Apply(event, resent);
  ASSERT_TRUE(refusal.has_value()) << "the resent event must be refused";
  ASSERT_FALSE(refusal->code.empty());
  rows.push_back(resent);
  const std::string expected = fmt::format(
      "event 21 (first-alignment-reported) does not replay: first-alignment-reported "
      "event refused on replay: {} ({})",
      refusal->message, refusal->code);

  TempDir dir;
  std::unique_ptr<Store> store = SqliteStoreOf(dir, rows);
  ASSERT_NE(store, nullptr);
  ElectionState from_store;
  ChainReport report = ReplayStore(*store, from_store);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->kind, "replay");
  EXPECT_EQ(report.problem->seq, 21);
  EXPECT_EQ(report.problem->message, expected);
  // Everything before it is applied, the refused event is not.
  EXPECT_EQ(report.events, kExampleEvents);
  EXPECT_EQ(from_store.seq(), kExampleEvents);
  EXPECT_EQ(from_store.head_hash(), rows[kExampleEvents - 1].hash);
  // As the server's rebuild returns it.
  Status status = ReplayStatus(report);
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
  EXPECT_EQ(status.message(), "the ledger is damaged at event 21: replay: " + expected);

  // From the export: the same, at its line.
  ElectionState from_export;
  report = ReplayJsonLines(JsonLinesOf(rows), "ledger.jsonl", from_export);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->kind, "replay");
  EXPECT_EQ(report.problem->message, "ledger.jsonl:21: " + expected);
}

TEST(ReplayTest, HeadNotReachedIsReported) {
  const std::string text = ExampleText();
  const std::vector<StoredEvent> rows = ReadJsonLines(text);
  TempDir dir;
  std::unique_ptr<Store> store = SqliteStoreOf(dir, rows);
  ASSERT_NE(store, nullptr);

  ReplayOptions beyond;
  beyond.expected_head = StoreHead{kExampleEvents + 5, std::string(64, 'a')};
  for (bool from_store : {true, false}) {
    ElectionState state;
    ChainReport report = from_store ? ReplayStore(*store, state, beyond)
                                    : ReplayJsonLines(text, "ledger.jsonl", state, beyond);
    ASSERT_TRUE(report.problem.has_value()) << from_store;
    EXPECT_EQ(report.problem->kind, "truncated");
    EXPECT_EQ(report.problem->seq, kExampleEvents + 1);
    EXPECT_THAT(report.problem->message,
                HasSubstr("the ledger ends after event 20, but the expected head is event 25"));
    // The ledger itself replayed: the state is all of it.
    EXPECT_EQ(report.events, kExampleEvents);
    EXPECT_EQ(state.seq(), kExampleEvents);
  }

  // A head the ledger passes, with another hash: the event there is named.
  ReplayOptions other;
  other.expected_head = StoreHead{12, rows[10].hash};
  ElectionState state;
  ChainReport report = ReplayStore(*store, state, other);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->kind, "head-mismatch");
  EXPECT_EQ(report.problem->seq, 12);
  EXPECT_EQ(state.seq(), 11);

  // The store's own recorded head, beyond its rows (its last rows were deleted).
  testing::MemoryStore cut;
  cut.rows.assign(rows.begin(), rows.begin() + 15);
  cut.recorded = StoreHead{kExampleEvents, rows.back().hash};
  ElectionState partial;
  report = ReplayStore(cut, partial);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->kind, "truncated");
  EXPECT_THAT(report.problem->message, HasSubstr("the store's recorded head is event 20"));
}

TEST(ReplayTest, CallbackSeesEveryEventOnceAsRead) {
  const std::string text = ExampleText();
  const std::vector<StoredEvent> rows = ReadJsonLines(text);
  TempDir dir;
  std::unique_ptr<Store> store = SqliteStoreOf(dir, rows);
  ASSERT_NE(store, nullptr);

  for (bool from_store : {true, false}) {
    std::vector<StoredEvent> seen;
    std::vector<int64_t> applied_when_seen;
    ElectionState state;
    ReplayOptions options;
    // Events 1..8 applied; 9..20 still verified and shown, as release verify looks past a head.
    options.expected_head = StoreHead{8, rows[7].hash};
    options.apply_through = 8;
    options.on_event = [&](const Event& e, const StoredEvent& stored) {
      EXPECT_EQ(e.seq, stored.seq);
      seen.push_back(stored);
      applied_when_seen.push_back(state.seq());
      return Status::Ok();
    };
    ChainReport report = from_store ? ReplayStore(*store, state, options)
                                    : ReplayJsonLines(text, "ledger.jsonl", state, options);
    ASSERT_TRUE(report.ok()) << report.problem->message;
    EXPECT_EQ(report.events, kExampleEvents);
    ASSERT_EQ(seen.size(), rows.size()) << from_store;
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(seen[i].seq, static_cast<int64_t>(i) + 1);
      EXPECT_EQ(seen[i].line, rows[i].line) << "event " << i + 1;
      EXPECT_EQ(seen[i].hash, rows[i].hash) << "event " << i + 1;
      // Shown after it was applied, up to the head; past it, not applied.
      EXPECT_EQ(applied_when_seen[i], std::min<int64_t>(static_cast<int64_t>(i) + 1, 8));
    }
    EXPECT_EQ(state.seq(), 8);
    EXPECT_EQ(state.head_hash(), rows[7].hash);
  }

  // An error from the callback stops the replay at that event, as a refusal does.
  ReplayOptions stop;
  stop.on_event = [](const Event& e, const StoredEvent&) {
    return e.seq == 5 ? Status::InvalidArgument("enough") : Status::Ok();
  };
  ElectionState state;
  ChainReport report = ReplayStore(*store, state, stop);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->kind, "replay");
  EXPECT_EQ(report.problem->seq, 5);
  EXPECT_EQ(report.problem->message, "event 5 (credential-issued) does not replay: enough");
}

TEST(ReplayTest, UnreadableStoreKeepsTheStoresStatus) {
  testing::MemoryStore store;
  store.rows = ReadJsonLines(ExampleText());
  store.recorded = StoreHead{store.rows.back().seq, store.rows.back().hash};
  store.fail_reads_after = 0;
  ElectionState state;
  ChainReport report = ReplayStore(store, state);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->kind, "unreadable");
  Status status = ReplayStatus(report);
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  EXPECT_EQ(status.message(), "memory store: reads after 0 fail");
  EXPECT_EQ(state.seq(), 0);
}

TEST(ReplayTest, DamagedLineStopsTheReplayBeforeIt) {
  std::vector<StoredEvent> rows = ReadJsonLines(ExampleText());
  // A changed figure with its hash recomputed: the line still decodes and would apply, but the
  // next event's prev no longer matches.
  Event e = *DecodeEvent(rows[9].line);
  e.payload["submission"] = "changed";
  rows[9] = *EncodeEvent(e);
  ElectionState state;
  ChainReport report = ReplayEvents(rows, state);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->kind, "prev-mismatch");
  EXPECT_EQ(report.problem->seq, 11);
  EXPECT_EQ(state.seq(), 10);
  EXPECT_THAT(ReplayStatus(report).message(),
              StartsWith("the ledger is damaged at event 11: prev-mismatch: "));
}

}  // namespace
}  // namespace canvass
