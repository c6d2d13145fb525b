// What only the PostgreSQL backend has: connections that break (a server restart, a terminated
// backend) and come back, and conninfo locations that may hold a password.
#include "store/postgres_store.h"

#include <gtest/gtest.h>

#include "store_backends.h"

namespace canvass {
namespace {

using testing_store::AppendTexts;
using testing_store::MakeEvent;
using testing_store::PostgresBackend;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = PostgresBackend::Unavailable(); !why.empty()) GTEST_SKIP() << why;
    Status st = backend_.Prepare();
    ASSERT_TRUE(st.ok()) << st.ToString();
    auto store = PostgresStore::Open(backend_.location());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  // Ends the store's server process and waits until it is gone.
  void KillBackend() {
    Status st = backend_.AdminExec("SELECT pg_terminate_backend(" +
                                   std::to_string(store_->BackendPidForTesting()) + ", 10000)");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  size_t CountEvents() {
    auto other = OpenStore(backend_.location());
    EXPECT_TRUE(other.ok());
    auto events = (*other)->ReadAfter(0, 1000);
    EXPECT_TRUE(events.ok());
    return events->size();
  }

  PostgresBackend backend_;
  std::unique_ptr<PostgresStore> store_;
};

TEST_F(PostgresStoreTest, ReadsReconnectAfterTheServerDropsTheConnection) {
  ASSERT_TRUE(AppendTexts(*store_, {"a"}).ok());
  KillBackend();
  auto head = store_->Head();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->seq, 1);
  KillBackend();
  auto blob = store_->GetBlob(std::string(64, '0'));
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
}

TEST_F(PostgresStoreTest, AppendReconnectsWhenTheConnectionDiedWhileIdle) {
  ASSERT_TRUE(AppendTexts(*store_, {"a"}).ok());
  KillBackend();
  Status st = AppendTexts(*store_, {"b"});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(CountEvents(), 2u);
}

TEST_F(PostgresStoreTest, AppendCutOffMidwayWritesNothingAndTheNextOneWorks) {
  ASSERT_TRUE(AppendTexts(*store_, {"a"}).ok());
  int calls = 0;
  Status st =
      store_->Append(1, [&](const std::vector<StoredEvent>&) -> Result<std::vector<StoredEvent>> {
        ++calls;
        KillBackend();
        return std::vector<StoredEvent>{MakeEvent(2, "", "lost")};
      });
  EXPECT_EQ(st.code(), Status::Code::kIoError) << st.ToString();
  EXPECT_NE(st.message().find("the database is unreachable"), std::string::npos) << st.message();
  EXPECT_EQ(calls, 1);  // the writer is never run twice
  EXPECT_EQ(CountEvents(), 1u);

  st = AppendTexts(*store_, {"b"});
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto events = store_->ReadAfter(0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].line.find("lost"), std::string::npos);
}

TEST_F(PostgresStoreTest, TablesLiveInTheSearchPathSchema) {
  EXPECT_TRUE(backend_.AdminExec("SELECT seq, line, hash FROM events").ok());
  EXPECT_TRUE(backend_.AdminExec("SELECT hash, bytes FROM blobs").ok());
  EXPECT_TRUE(backend_.AdminExec("SELECT 1 FROM meta WHERE key = 'schema' AND value = '1'").ok());
}

TEST_F(PostgresStoreTest, InvalidUtf8IsRefusedByTheServer) {
  std::string line = "{\"x\":\"\xff\"}";
  Status st =
      store_->Append(0, [&](const std::vector<StoredEvent>&) -> Result<std::vector<StoredEvent>> {
        return std::vector<StoredEvent>{StoredEvent{1, line, std::string(64, 'a')}};
      });
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_EQ(CountEvents(), 0u);
  EXPECT_TRUE(AppendTexts(*store_, {"a"}).ok());
}

// Needs no server: nothing listens on port 1.
TEST(PostgresLocationTest, UnreachableServerIsAnIoErrorWithoutThePassword) {
  auto store = OpenStore("postgresql://canvass:s3cret-pw@127.0.0.1:1/ledger?connect_timeout=5");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kIoError);
  const std::string& msg = store.status().message();
  EXPECT_NE(msg.find("the database is unreachable"), std::string::npos) << msg;
  EXPECT_NE(msg.find("postgresql://canvass@127.0.0.1:1/ledger"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("s3cret-pw"), std::string::npos) << msg;

  store = OpenStore("host=127.0.0.1 port=1 dbname=ledger password=s3cret-pw connect_timeout=5");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("postgresql://"), std::string::npos);
  EXPECT_EQ(store.status().message().find("s3cret-pw"), std::string::npos);
}

}  // namespace
}  // namespace canvass
