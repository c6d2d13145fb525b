// Damage done to a ledger behind the server's back, in the SQLite file (with the sqlite3 C API)
// and in a JSON Lines export, and what `canvass ledger verify` says about it: exit 1, naming the
// first damaged event and the kind of damage (ledger/chain.h, docs/ledger-format.md).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "server/server_process.h"

namespace canvass::server_test {
namespace {

// Opens, runs, closes: every call leaves no connection (so no WAL) behind.
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << path << ": " << sqlite3_errmsg(db_);
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (error != nullptr ? error : "?");
    }
    sqlite3_free(error);
  }
  // {line, hash} of event `seq`.
  std::pair<std::string, std::string> Row(int64_t seq) {
    std::pair<std::string, std::string> out;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT line, hash FROM events WHERE seq = ?1", -1, &st, nullptr);
    sqlite3_bind_int64(st, 1, seq);
    if (sqlite3_step(st) == SQLITE_ROW) {
      out.first = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      out.second = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    } else {
      ADD_FAILURE() << "no event " << seq;
    }
    sqlite3_finalize(st);
    return out;
  }
  void SetRow(int64_t seq, const std::string& line, const std::string& hash) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "UPDATE events SET line = ?2, hash = ?3 WHERE seq = ?1", -1, &st,
                       nullptr);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, line.data(), static_cast<int>(line.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hash.data(), static_cast<int>(hash.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db_);
    EXPECT_EQ(sqlite3_changes(db_), 1);
    sqlite3_finalize(st);
  }

 private:
  sqlite3* db_ = nullptr;
};

// `line` with the head count 40 of its one group made 41: still a canonical, valid report.
std::string Recounted(std::string line) {
  const size_t at = line.find("\":40}");
  EXPECT_NE(at, std::string::npos) << line;
  if (at != std::string::npos) line[at + 3] = '1';
  return line;
}

void ExpectOk(const CommandRun& run, int64_t events) {
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(fmt::format(": ok. {} events", events)), std::string::npos) << run.out;
}

void ExpectDamage(const CommandRun& run, int64_t seq, const std::string& kind) {
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find(fmt::format("DAMAGED at event {}: {}:", seq, kind)), std::string::npos)
      << "expected " << kind << " at " << seq << ", got: " << run.out;
}

class TamperTest : public ::testing::Test {
 protected:
  // One small ledger for the whole suite; each test damages its own copy.
  static void SetUpTestSuite() {
    base_ = new TempDir();
    const std::string store = *base_ / "canvass.db";
    CommandRun init = InitDemo(base_->path(), store);
    ASSERT_EQ(init.exit_code, 0) << init.out;
    std::map<std::string, AccessCode> chairs;
    for (const AccessCode& c : ReadCodes(*base_ / "codes.csv")) {
      if (c.role == "chair") chairs[c.subject] = c;
    }
    ServerProcess server(base_->path(), {"--store", store, "--fast-kdf", "--no-rate-limits"});
    ASSERT_TRUE(server.Start().ok()) << server.log();
    HttpClient probe("127.0.0.1", server.port());
    const std::vector<int64_t> precincts = ReportablePrecincts(probe, 1, 3);
    // Each chair's first login is an event (session-opened): all log in before anyone reports.
    std::vector<std::unique_ptr<Chair>> logged_in;
    for (int64_t p : precincts) {
      logged_in.push_back(std::make_unique<Chair>(chairs.at(std::to_string(p)), server.port()));
      ASSERT_TRUE(logged_in.back()->Login()) << p;
    }
    for (size_t i = 0; i < precincts.size(); ++i) {
      const int64_t p = precincts[i];
      Chair& chair = *logged_in[i];
      for (const char* stage : {"first", "final"}) {
        auto r = chair.Post(fmt::format("/api/v1/precincts/{}/{}", p, stage),
                            Report(stage, "Klobuchar", fmt::format("{}-{}", stage, p)));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ASSERT_EQ(r->status, 201) << r->body;
      }
    }
    server.Kill();
    Db(store).Exec("PRAGMA wal_checkpoint(TRUNCATE)");  // everything in the main file
    events_ = VerifiedEvents(base_->path(), store);
    // The three precincts' reports end the ledger, each a first then a final alignment. A first
    // alignment in the middle of them, and the final alignment after it:
    first_ = events_ - 3;
    final_ = first_ + 1;
  }
  static void TearDownTestSuite() {
    delete base_;
    base_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(base_, nullptr);
    ASSERT_FALSE(dir_.path().empty());
    std::filesystem::copy_file(*base_ / "canvass.db", store_);
  }

  CommandRun Verify(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"ledger", "verify", "--store", store_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCommand(dir_.path(), args);
  }
  CommandRun VerifyFile(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"ledger", "verify", "--file", file};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCommand(dir_.path(), args);
  }
  // The export of the undamaged copy.
  std::string Export() {
    const std::string file = dir_ / "ledger.jsonl";
    CommandRun run =
        RunCommand(dir_.path(), {"ledger", "export", "--store", store_, "--out", file});
    EXPECT_EQ(run.exit_code, 0) << run.out;
    return ReadWholeFile(file);
  }
  std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  std::string Joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  }
  std::string Head(const std::vector<std::string>& lines) {
    return fmt::format("{}:{}", lines.size(), Sha256Hex(lines.back()));
  }

  static TempDir* base_;
  static int64_t events_;
  static int64_t first_;
  static int64_t final_;
  TempDir dir_;
  std::string store_ = dir_ / "canvass.db";
};

TempDir* TamperTest::base_ = nullptr;
int64_t TamperTest::events_ = 0;
int64_t TamperTest::first_ = 0;
int64_t TamperTest::final_ = 0;

TEST_F(TamperTest, AnUntouchedStoreVerifies) {
  ExpectOk(Verify(), events_);
  Db db(store_);
  auto [line, hash] = db.Row(first_);
  EXPECT_EQ(json::parse(line)["type"], "first-alignment-reported");
  EXPECT_EQ(json::parse(db.Row(final_).first)["type"], "final-alignment-reported");
}

TEST_F(TamperTest, AFlippedByteInTheStoreIsAHashMismatchAtThatEvent) {
  for (int64_t seq : {int64_t{1}, int64_t{2}, first_, events_}) {
    SCOPED_TRACE(seq);
    std::filesystem::remove(store_);
    std::filesystem::copy_file(*base_ / "canvass.db", store_);
    {
      Db db(store_);
      auto [line, hash] = db.Row(seq);
      line[line.size() / 2] ^= 0x01;
      db.SetRow(seq, line, hash);
    }
    ExpectDamage(Verify(), seq, "hash-mismatch");
  }
}

TEST_F(TamperTest, AChangedLineWithItsHashRecomputedBreaksTheNextEventsPrev) {
  {
    Db db(store_);
    const std::string line = Recounted(db.Row(first_).first);
    db.SetRow(first_, line, Sha256Hex(line));
  }
  ExpectDamage(Verify(), final_, "prev-mismatch");
}

TEST_F(TamperTest, ADeletedEventIsAGap) {
  Db(store_).Exec(fmt::format("DELETE FROM events WHERE seq = {}", first_));
  ExpectDamage(Verify(), first_, "gap");
}

TEST_F(TamperTest, TwoRowsExchangedAreASeqMismatch) {
  {
    Db db(store_);
    auto first = db.Row(first_);
    auto final = db.Row(final_);
    db.SetRow(first_, final.first, final.second);
    db.SetRow(final_, first.first, first.second);
  }
  ExpectDamage(Verify(), first_, "seq-mismatch");
}

TEST_F(TamperTest, TwoLinesExchangedUnderTheirHashesAreAHashMismatch) {
  {
    Db db(store_);
    auto first = db.Row(first_);
    auto final = db.Row(final_);
    db.SetRow(first_, final.first, first.second);
    db.SetRow(final_, first.first, final.second);
  }
  ExpectDamage(Verify(), first_, "hash-mismatch");
}

TEST_F(TamperTest, DeletedTailRowsAreATruncation) {
  Db(store_).Exec(fmt::format("DELETE FROM events WHERE seq > {}", final_));
  // The store's recorded head still names the last event: the first missing one is reported.
  CommandRun run = Verify();
  ExpectDamage(run, final_ + 1, "truncated");
  EXPECT_NE(run.out.find(fmt::format("({} events before it verify", final_)), std::string::npos)
      << run.out;
  CommandRun json_run = Verify({"--json"});
  EXPECT_EQ(json_run.exit_code, 1);
  json report = json::parse(json_run.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << json_run.out;
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["events"], final_);
  EXPECT_EQ(report["problem"]["seq"], final_ + 1);
  EXPECT_EQ(report["problem"]["kind"], "truncated");
}

TEST_F(TamperTest, AnUntouchedExportVerifiesAndReachesItsHead) {
  const std::vector<std::string> lines = Lines(Export());
  ASSERT_EQ(lines.size(), static_cast<size_t>(events_));
  ExpectOk(VerifyFile(dir_ / "ledger.jsonl"), events_);
  ExpectOk(VerifyFile(dir_ / "ledger.jsonl", {"--expect-head", Head(lines)}), events_);
  // And a head from before the last reports (a receipt, an earlier release) is on the way.
  ExpectOk(
      VerifyFile(dir_ / "ledger.jsonl",
                 {"--expect-head", fmt::format("{}:{}", first_, Sha256Hex(lines[first_ - 1]))}),
      events_);
  ExpectOk(Verify({"--expect-head", Head(lines)}), events_);
}

TEST_F(TamperTest, AChangedByteInAnExportIsFound) {
  std::vector<std::string> lines = Lines(Export());
  ASSERT_EQ(lines.size(), static_cast<size_t>(events_));
  const std::string copy = dir_ / "changed.jsonl";

  // A figure changed: the line is still a valid event, but the next one's prev no longer matches.
  std::vector<std::string> changed = lines;
  changed[first_ - 1] = Recounted(changed[first_ - 1]);
  WriteWholeFile(copy, Joined(changed));
  ExpectDamage(VerifyFile(copy), final_, "prev-mismatch");

  // The last event changed (its final alignment now counts one more than the first): no event
  // after it names its hash, but its known head does, and the replay refuses the figures.
  changed = lines;
  changed.back() = Recounted(changed.back());
  WriteWholeFile(copy, Joined(changed));
  ExpectDamage(VerifyFile(copy, {"--expect-head", Head(lines)}), events_, "head-mismatch");
  ExpectDamage(VerifyFile(copy), events_, "replay");

  // A byte that breaks the JSON.
  changed = lines;
  changed[first_ - 1][0] = '[';
  WriteWholeFile(copy, Joined(changed));
  ExpectDamage(VerifyFile(copy), first_, "unparseable");
}

TEST_F(TamperTest, ARemovedLineInAnExportIsAGap) {
  std::vector<std::string> lines = Lines(Export());
  ASSERT_EQ(lines.size(), static_cast<size_t>(events_));
  lines.erase(lines.begin() + (first_ - 1));
  const std::string copy = dir_ / "removed.jsonl";
  WriteWholeFile(copy, Joined(lines));
  CommandRun run = VerifyFile(copy);
  ExpectDamage(run, first_, "gap");
  EXPECT_NE(run.out.find(fmt::format("removed.jsonl:{}", first_)), std::string::npos) << run.out;
}

TEST_F(TamperTest, AnExportCutInTheMiddleOfALineIsUnparseableThere) {
  const std::string text = Export();
  const std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), static_cast<size_t>(events_));
  const std::string copy = dir_ / "cut.jsonl";
  WriteWholeFile(copy, text.substr(0, text.size() - lines.back().size() / 2));
  ExpectDamage(VerifyFile(copy), events_, "unparseable");
}

TEST_F(TamperTest, AnExportCutBetweenLinesNeedsItsHeadToTell) {
  std::vector<std::string> lines = Lines(Export());
  ASSERT_EQ(lines.size(), static_cast<size_t>(events_));
  const std::string head = Head(lines);
  lines.resize(static_cast<size_t>(final_));
  const std::string copy = dir_ / "short.jsonl";
  WriteWholeFile(copy, Joined(lines));
  // Without a head a shorter ledger is all there is to see (docs/ledger-format.md).
  ExpectOk(VerifyFile(copy), final_);
  CommandRun run = VerifyFile(copy, {"--expect-head", head});
  ExpectDamage(run, final_ + 1, "truncated");
}

}  // namespace
}  // namespace canvass::server_test
