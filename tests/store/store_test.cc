// The Store contract, run against both backends (PostgreSQL only when CANVASS_TEST_POSTGRES is
// set; scripts/test sets it).
#include "store/store.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "core/sha256.h"
#include "store_backends.h"

namespace canvass {
namespace {

using testing_store::AppendTexts;
using testing_store::ExecOn;
using testing_store::MakeEvent;
using testing_store::PrevOf;
using testing_store::ReadOnlySql;

using Events = std::vector<StoredEvent>;

template <typename Backend>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = Backend::Unavailable(); !why.empty()) GTEST_SKIP() << why;
    Status st = backend_.Prepare();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store = OpenStore(backend_.location());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Every event in the store, read by a connection of its own.
  Events All() {
    std::unique_ptr<Store> reader = Open();
    if (reader == nullptr) return {};
    Result<Events> events = reader->ReadAfter(0, 1'000'000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : Events{};
  }

  Backend backend_;
};

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

using Backends = ::testing::Types<testing_store::SqliteBackend, testing_store::PostgresBackend>;
TYPED_TEST_SUITE(StoreTest, Backends, BackendNames);

void ExpectSameEvents(const Events& got, const Events& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].seq, want[i].seq) << i;
    EXPECT_EQ(got[i].line, want[i].line) << i;
    EXPECT_EQ(got[i].hash, want[i].hash) << i;
  }
}

// A writer that ignores what it missed and returns `events` as they are.
Store::Writer Returning(Events events) {
  return [events](const Events&) -> Result<Events> { return events; };
}

TYPED_TEST(StoreTest, EmptyStoreHasEmptyHead) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  EXPECT_STREQ(store->kind(), std::string(TypeParam::kName) == "Sqlite" ? "sqlite" : "postgresql");
  auto head = store->Head();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->seq, 0);
  EXPECT_EQ(head->hash, "");
  auto recorded = store->RecordedHead();
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  EXPECT_EQ(recorded->seq, 0);
  EXPECT_EQ(recorded->hash, "");
  auto events = store->ReadAfter(0, 10);
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

TYPED_TEST(StoreTest, AppendsAndReadsBack) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  Events want = {MakeEvent(1, "", "a"), MakeEvent(2, "", "b\xC3\xA9"), MakeEvent(3, "", "")};
  bool called = false;
  Status st = store->Append(0, [&](const Events& missed) -> Result<Events> {
    called = true;
    EXPECT_TRUE(missed.empty());
    return want;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(called);
  auto got = store->ReadAfter(0, 100);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameEvents(*got, want);
  auto head = store->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 3);
  EXPECT_EQ(head->hash, want[2].hash);
  auto recorded = store->RecordedHead();
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(recorded->seq, 3);
  EXPECT_EQ(recorded->hash, want[2].hash);
}

TYPED_TEST(StoreTest, ReadAfterPagesWithLimits) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  std::vector<std::string> texts;
  // Appended, not "e" + std::to_string(i): g++ 12 -O3 misreports that (-Wrestrict, PR 105651).
  for (int i = 1; i <= 10; ++i) texts.push_back(std::string("e").append(std::to_string(i)));
  ASSERT_TRUE(AppendTexts(*store, texts).ok());

  std::vector<int64_t> page_sizes;
  int64_t after = 0;
  for (;;) {
    auto page = store->ReadAfter(after, 3);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    page_sizes.push_back(static_cast<int64_t>(page->size()));
    for (const StoredEvent& e : *page) EXPECT_EQ(e.seq, ++after);
  }
  EXPECT_EQ(page_sizes, (std::vector<int64_t>{3, 3, 3, 1}));
  EXPECT_EQ(after, 10);

  auto tail = store->ReadAfter(7, 100);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 3u);
  EXPECT_EQ((*tail)[0].seq, 8);
  EXPECT_EQ((*tail)[0].line, MakeEvent(8, PrevOf((*tail)[0]), "e8").line);

  auto none = store->ReadAfter(0, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto beyond = store->ReadAfter(10, 5);
  ASSERT_TRUE(beyond.ok());
  EXPECT_TRUE(beyond->empty());
  EXPECT_EQ(store->ReadAfter(0, -1).status().code(), Status::Code::kInvalidArgument);
}

TYPED_TEST(StoreTest, RefusesEventsThatDoNotContinueTheSequence) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(AppendTexts(*store, {"a", "b"}).ok());

  struct Case {
    const char* what;
    Events events;
  };
  const Case cases[] = {
      {"gap", {MakeEvent(4, "", "x")}},
      {"repeat", {MakeEvent(2, "", "x")}},
      {"gap after a good one", {MakeEvent(3, "", "x"), MakeEvent(5, "", "y")}},
      {"out of order", {MakeEvent(3, "", "x"), MakeEvent(3, "", "y")}},
  };
  for (const Case& c : cases) {
    Status st = store->Append(2, Returning(c.events));
    EXPECT_EQ(st.code(), Status::Code::kFailedPrecondition) << c.what << ": " << st.ToString();
    EXPECT_NE(st.message().find("does not continue"), std::string::npos) << st.message();
  }
  // A caller that thinks it is at 1 misses event 2 and must continue after it, not after 1.
  Status st = store->Append(1, Returning({MakeEvent(2, "", "x")}));
  EXPECT_EQ(st.code(), Status::Code::kFailedPrecondition) << st.ToString();

  // A position beyond the head is refused before the writer runs.
  bool called = false;
  st = store->Append(5, [&](const Events&) -> Result<Events> {
    called = true;
    return Events{MakeEvent(6, "", "x")};
  });
  EXPECT_EQ(st.code(), Status::Code::kFailedPrecondition) << st.ToString();
  EXPECT_FALSE(called);
  EXPECT_EQ(store->Append(-1, Returning({})).code(), Status::Code::kInvalidArgument);

  Events all = this->All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].line, MakeEvent(2, all[0].hash, "b").line);
  auto recorded = store->RecordedHead();
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(recorded->seq, 2);

  // And the store still appends afterwards.
  EXPECT_TRUE(AppendTexts(*store, {"c"}).ok());
  EXPECT_EQ(this->All().size(), 3u);
}

TYPED_TEST(StoreTest, RefusesLinesThatCannotBeStored) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  for (std::string line : {std::string("a\nb"), std::string("a\0b", 3), std::string("a\r")}) {
    StoredEvent e{1, line, Sha256Hex(line)};
    Status st = store->Append(0, Returning({e}));
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  }
  EXPECT_TRUE(this->All().empty());
}

TYPED_TEST(StoreTest, WriterErrorAbortsTheAppend) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(AppendTexts(*store, {"a"}).ok());
  Status st = store->Append(1, [](const Events&) -> Result<Events> {
    return Status::InvalidArgument("precinct polk-1 is not open");
  });
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "precinct polk-1 is not open");
  EXPECT_EQ(this->All().size(), 1u);
  auto recorded = store->RecordedHead();
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(recorded->seq, 1);

  // An empty answer commits nothing and is fine.
  EXPECT_TRUE(store->Append(1, Returning({})).ok());
  EXPECT_EQ(this->All().size(), 1u);
}

TYPED_TEST(StoreTest, WriterIsHandedWhatOthersAppended) {
  auto first = this->Open();
  auto second = this->Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(AppendTexts(*first, {"a", "b"}).ok());

  Events seen;
  Status st = second->Append(0, [&](const Events& missed) -> Result<Events> {
    seen = missed;
    return Events{MakeEvent(3, missed.back().hash, "c")};
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].seq, 1);
  EXPECT_EQ(seen[1].seq, 2);

  st = first->Append(2, [&](const Events& missed) -> Result<Events> {
    seen = missed;
    return Events{};
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].seq, 3);
  EXPECT_EQ(PrevOf(seen[0]), this->All()[1].hash);
}

// Two writers, each with its own Store and its own view of the head, race 200 appends each. The
// result is one chain 1..400: no gap, no repeat, every prev the hash of the event before.
TYPED_TEST(StoreTest, ConcurrentWritersFormOneChain) {
  constexpr int kPerWriter = 200;
  auto a = this->Open();
  auto b = this->Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto run = [](Store* store, std::string name, Status* result) {
    int64_t seq = 0;
    std::string hash;
    for (int i = 0; i < kPerWriter; ++i) {
      Status st = store->Append(seq, [&](const Events& missed) -> Result<Events> {
        for (const StoredEvent& e : missed) {
          if (e.seq != seq + 1) return Status::Corruption("missed events skip a seq");
          seq = e.seq;
          hash = e.hash;
        }
        return Events{MakeEvent(seq + 1, hash, name + std::to_string(i))};
      });
      if (!st.ok()) {
        *result = st;
        return;
      }
      // Our own event is now the head.
      ++seq;
      hash = MakeEvent(seq, hash, name + std::to_string(i)).hash;
    }
  };
  Status result_a, result_b;
  std::thread ta(run, a.get(), "a", &result_a);
  std::thread tb(run, b.get(), "b", &result_b);
  ta.join();
  tb.join();
  ASSERT_TRUE(result_a.ok()) << result_a.ToString();
  ASSERT_TRUE(result_b.ok()) << result_b.ToString();

  Events all = this->All();
  ASSERT_EQ(all.size(), 2u * kPerWriter);
  std::string prev(64, '0');
  std::map<char, int> next_of;
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].seq, static_cast<int64_t>(i) + 1);
    ASSERT_EQ(PrevOf(all[i]), prev) << "seq " << all[i].seq;
    ASSERT_EQ(all[i].hash, Sha256Hex(all[i].line));
    prev = all[i].hash;
    // Each writer's events appear in its own order.
    size_t text_at = all[i].line.find("\"text\":\"") + 8;
    char writer = all[i].line[text_at];
    std::string n = all[i].line.substr(text_at + 1, all[i].line.size() - text_at - 3);
    EXPECT_EQ(n, std::to_string(next_of[writer]++));
  }
  EXPECT_EQ(next_of['a'], kPerWriter);
  EXPECT_EQ(next_of['b'], kPerWriter);
  auto recorded = a->RecordedHead();
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(recorded->seq, 2 * kPerWriter);
  EXPECT_EQ(recorded->hash, prev);
}

// A batch of blobs (a release's parts) in one call: every one readable after, one already
// stored is no error, and a batch naming a wrong hash is refused before anything is written.
TYPED_TEST(StoreTest, StoresABatchOfBlobsTogether) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  std::vector<std::string> parts;
  for (int i = 0; i < 40; ++i)
    parts.push_back("part " + std::to_string(i) + std::string(i * 97, 'x'));
  ASSERT_TRUE(store->PutBlob(Sha256Hex(parts[3]), parts[3]).ok());
  std::vector<Store::BlobWrite> batch;
  for (const std::string& p : parts) batch.push_back({Sha256Hex(p), p});
  batch.push_back(batch.front());  // the same blob twice in one batch
  Status st = store->PutBlobs(batch);
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto reopened = this->Open();
  for (const std::string& p : parts) {
    auto got = reopened->GetBlob(Sha256Hex(p));
    ASSERT_TRUE(got.ok() && got->has_value()) << p.substr(0, 8);
    EXPECT_EQ(**got, p);
  }
  EXPECT_TRUE(store->PutBlobs({}).ok());

  const std::string fresh = "not stored yet";
  const std::vector<Store::BlobWrite> bad = {{Sha256Hex(fresh), fresh},
                                             {Sha256Hex("other bytes"), parts[0]}};
  st = store->PutBlobs(bad);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  auto got = store->GetBlob(Sha256Hex(fresh));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value()) << "a refused batch wrote a blob";
}

TYPED_TEST(StoreTest, StoresBlobsByTheirHash) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  const std::string photo("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff", 17);
  const std::string hash = Sha256Hex(photo);
  ASSERT_TRUE(store->PutBlob(hash, photo).ok());
  ASSERT_TRUE(store->PutBlob(hash, photo).ok());  // again: a no-op
  auto got = store->GetBlob(hash);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, photo);

  const std::string empty_hash = Sha256Hex("");
  ASSERT_TRUE(store->PutBlob(empty_hash, "").ok());
  got = store->GetBlob(empty_hash);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, "");

  std::string big(300'000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7919 % 251);
  ASSERT_TRUE(store->PutBlob(Sha256Hex(big), big).ok());
  got = this->Open()->GetBlob(Sha256Hex(big));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, big);

  got = store->GetBlob(Sha256Hex("absent"));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());

  Status st = store->PutBlob(Sha256Hex("other bytes"), photo);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  st = store->PutBlob("NOT-A-HASH", photo);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
}

TYPED_TEST(StoreTest, SurvivesCloseAndReopen) {
  std::string blob_hash = Sha256Hex("worksheet");
  {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(AppendTexts(*store, {"a", "b", "c"}).ok());
    ASSERT_TRUE(store->PutBlob(blob_hash, "worksheet").ok());
  }
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  auto head = store->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 3);
  auto events = store->ReadAfter(0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ(PrevOf((*events)[2]), (*events)[1].hash);
  EXPECT_EQ(head->hash, (*events)[2].hash);
  auto blob = store->GetBlob(blob_hash);
  ASSERT_TRUE(blob.ok() && blob->has_value());
  EXPECT_EQ(**blob, "worksheet");
  ASSERT_TRUE(AppendTexts(*store, {"d"}).ok());
  EXPECT_EQ(this->All().size(), 4u);
}

TYPED_TEST(StoreTest, AnotherConnectionSeesEachAppendAtOnce) {
  auto writer = this->Open();
  auto reader = this->Open();  // opened before anything is written
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(AppendTexts(*writer, {std::string("x").append(std::to_string(i))}).ok());
    auto head = reader->Head();
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->seq, i);
    auto events = reader->ReadAfter(i - 1, 10);
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), 1u);
    EXPECT_EQ((*events)[0].hash, head->hash);
  }
}

TYPED_TEST(StoreTest, ReadOnlyDatabaseIsAnIoErrorUntilItIsWritableAgain) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(AppendTexts(*store, {"a"}).ok());
  ASSERT_TRUE(ExecOn(*store, ReadOnlySql(*store, true)).ok());

  Status st = AppendTexts(*store, {"b"});
  EXPECT_EQ(st.code(), Status::Code::kIoError) << st.ToString();
  EXPECT_NE(st.message().find("the database is read-only"), std::string::npos) << st.message();
  st = store->PutBlob(Sha256Hex("x"), "x");
  EXPECT_EQ(st.code(), Status::Code::kIoError) << st.ToString();
  // Reads still work.
  auto head = store->Head();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->seq, 1);
  EXPECT_EQ(this->All().size(), 1u);

  ASSERT_TRUE(ExecOn(*store, ReadOnlySql(*store, false)).ok());
  st = AppendTexts(*store, {"b"});
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(this->All().size(), 2u);
}

TYPED_TEST(StoreTest, RecordedHeadRevealsDeletedTailRows) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(AppendTexts(*store, {"a", "b", "c"}).ok());
  auto before = store->Head();
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(ExecOn(*store, "DELETE FROM events WHERE seq = 3").ok());
  auto head = store->Head();
  auto recorded = store->RecordedHead();
  ASSERT_TRUE(head.ok() && recorded.ok());
  EXPECT_EQ(head->seq, 2);
  EXPECT_EQ(recorded->seq, 3);
  EXPECT_EQ(recorded->hash, before->hash);
}

TYPED_TEST(StoreTest, RefusesAnUnknownSchemaVersion) {
  {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(ExecOn(*store, "UPDATE meta SET value = '99' WHERE key = 'schema'").ok());
  }
  auto reopened = OpenStore(this->backend_.location());
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(reopened.status().message().find("schema version \"99\""), std::string::npos)
      << reopened.status().message();
}

// Several nodes starting at once on a new database all find one schema.
TYPED_TEST(StoreTest, ConcurrentOpensCreateTheSchemaOnce) {
  constexpr int kOpeners = 6;
  std::vector<std::thread> threads;
  std::vector<Status> results(kOpeners);
  const std::string location = this->backend_.location();
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      auto store = OpenStore(location);
      if (!store.ok()) {
        results[i] = store.status();
        return;
      }
      results[i] = AppendTexts(**store, {std::string("opener").append(std::to_string(i))});
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& st : results) EXPECT_TRUE(st.ok()) << st.ToString();
  Events all = this->All();
  ASSERT_EQ(all.size(), static_cast<size_t>(kOpeners));
  for (size_t i = 1; i < all.size(); ++i) EXPECT_EQ(PrevOf(all[i]), all[i - 1].hash);
}

}  // namespace
}  // namespace canvass
