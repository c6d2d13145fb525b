// What `canvass serve` and `canvass init` refuse: serving a store that holds no election (unless
// asked for the demo), and setting up a second election in a store that holds one.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "server/server_process.h"

namespace canvass::server_test {
namespace {

TEST(RefusalsTest, ServeRefusesAStoreWithoutAnElection) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string store = dir / "empty.db";
  CommandRun run = RunCommand(dir.path(), {"serve", "--store", store, "--port", "0", "--port-file",
                                           dir / "port", "--fast-kdf"});
  // No store there: bad input (2), and nothing is created at the path.
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find(store + ": no such store"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("canvass init"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("--demo"), std::string::npos) << run.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "port")) << "it must not have listened";
  EXPECT_FALSE(std::filesystem::exists(store + ".key")) << "nor made a session key";
  EXPECT_FALSE(std::filesystem::exists(store)) << "nor the store";
  EXPECT_FALSE(std::filesystem::exists(store + "-blobs")) << "nor its blobs";
  // Init works on the path afterwards.
  CommandRun init = InitDemo(dir.path(), store);
  EXPECT_EQ(init.exit_code, 0) << init.out;
}

TEST(RefusalsTest, ServeDemoSetsUpAnEmptyStoreOnce) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string store = dir / "demo.db";
  ServerProcess server(dir.path(), {"--store", store, "--demo", "--data", CANVASS_DATA_DIR,
                                    "--codes-out", dir / "demo-codes.csv", "--fast-kdf"});
  ASSERT_TRUE(server.Start().ok()) << server.log();
  const std::string codes = ReadWholeFile(dir / "demo-codes.csv");
  const std::vector<AccessCode> issued = ReadCodes(dir / "demo-codes.csv");
  EXPECT_EQ(std::count_if(issued.begin(), issued.end(),
                          [](const AccessCode& c) { return c.role == "chair"; }),
            1765);
  server.Kill();
  const int64_t events = VerifiedEvents(dir.path(), store);
  // A second start finds the election and leaves the codes alone.
  ASSERT_TRUE(server.Start().ok()) << server.log();
  EXPECT_EQ(ReadWholeFile(dir / "demo-codes.csv"), codes);
  server.Kill();
  EXPECT_EQ(VerifiedEvents(dir.path(), store), events);
}

TEST(RefusalsTest, InitRefusesASecondElectionInTheSameStore) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string store = dir / "canvass.db";
  CommandRun first = InitDemo(dir.path(), store);
  ASSERT_EQ(first.exit_code, 0) << first.out;
  const int64_t events = VerifiedEvents(dir.path(), store);
  const std::string codes = ReadWholeFile(dir / "codes.csv");
  ASSERT_FALSE(codes.empty());

  CommandRun second = InitDemo(dir.path(), store);
  EXPECT_EQ(second.exit_code, 1) << second.out;
  EXPECT_NE(second.out.find("already holds an election"), std::string::npos) << second.out;
  // The first election's codes are not overwritten, and its ledger is as it was.
  EXPECT_EQ(ReadWholeFile(dir / "codes.csv"), codes);
  EXPECT_EQ(VerifiedEvents(dir.path(), store), events);

  // An election from files is refused just the same.
  CommandRun files =
      RunCommand(dir.path(), {"init", "--fast-kdf", "--store", store, "--apportionment",
                              std::string(CANVASS_DATA_DIR) + "/iowa-2020/apportionment.csv",
                              "--candidate", "Warren", "--codes-out", dir / "other-codes.csv"});
  EXPECT_EQ(files.exit_code, 1) << files.out;
  EXPECT_NE(files.out.find("already holds an election"), std::string::npos) << files.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "other-codes.csv"));
}

TEST(RefusalsTest, LedgerCommandsRefuseAMissingStore) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  for (const char* command : {"verify", "export"}) {
    SCOPED_TRACE(command);
    CommandRun run = RunCommand(dir.path(), {"ledger", command, "--store", dir / "nothing.db"});
    EXPECT_EQ(run.exit_code, 2) << run.out;
    EXPECT_NE(run.out.find("no such store"), std::string::npos) << run.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "nothing.db")) << "it must not create one";
  }
}

}  // namespace
}  // namespace canvass::server_test
