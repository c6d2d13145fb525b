// A PostgreSQL password given in the store's location is never printed: not by `canvass init`,
// `serve` (its log) or `ledger verify`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "server/server_process.h"
#include "store/store_backends.h"

namespace canvass::server_test {
namespace {

TEST(SecretsTest, APostgresPasswordIsNeverPrinted) {
  if (std::string why = testing_store::PostgresBackend::Unavailable(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  const char* password = std::getenv("PGPASSWORD");
  if (password == nullptr || std::string(password).size() < 8) {
    GTEST_SKIP() << "PGPASSWORD is not set (pg_virtualenv sets it)";
  }
  testing_store::PostgresBackend pg;
  Status prepared = pg.Prepare();
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  TempDir dir;
  const std::string store = pg.location() + " password=" + password;
  CommandRun init = InitDemo(dir.path(), store);
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_EQ(init.out.find(password), std::string::npos) << init.out;
  EXPECT_NE(init.out.find("password=***"), std::string::npos) << init.out;
  CommandRun verify = RunCommand(dir.path(), {"ledger", "verify", "--store", store});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_EQ(verify.out.find(password), std::string::npos) << verify.out;
  ServerProcess server(dir.path(), {"--store", store, "--fast-kdf", "--signing-key-file",
                                    dir / "sign.key", "--session-key-file", dir / "session.key"});
  ASSERT_TRUE(server.Start().ok()) << server.log();
  EXPECT_EQ(server.log().find(password), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("serving"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace canvass::server_test
