// A running `canvass serve` whose store stops taking writes: the disk full (SQLite: the server's
// file size limit lowered below the next write with prlimit(2)) and the database read-only
// (PostgreSQL: the test's own database set to default_transaction_read_only, the server's
// sessions ended so that it reconnects into read-only ones). While the fault lasts a chair's
// report is refused 503 store-unavailable with a message naming the cause, sending it again is
// refused again, and the latest release, the results, the ledger and the health check are served
// byte for byte as before. When the cause goes away the same report, with the same submission
// id, is accepted without restarting anything, and the ledger verifies with it exactly once.
// With the database unreachable (PostgreSQL: connections to it refused, the server's ended)
// reports are refused the same way and what the server holds in memory is served as before,
// the latest release's files included (kept in memory once read).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/resource.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <iostream>
#include <random>

#include "server/server_process.h"
#include "store/store_backends.h"

namespace canvass::server_test {
namespace {

// What a reader gets, compared byte for byte across the fault.
struct Reads {
  std::string release;      // GET /api/v1/releases/latest
  std::string release_csv;  // .../latest/precincts.csv
  std::string release_sig;  // .../latest/sig
  std::string results;      // GET /api/v1/results
  std::string ledger;       // GET /api/v1/ledger?after=<the setup's events>
  int64_t seq = -1;         // GET /api/v1/health
};

std::string Get200(uint16_t port, const std::string& target) {
  HttpClient client("127.0.0.1", port);
  auto r = client.Get(target);
  if (!r.ok()) {
    ADD_FAILURE() << target << ": " << r.status().ToString();
    return "";
  }
  EXPECT_EQ(r->status, 200) << target << ": " << r->body;
  return r->body;
}

Reads ReadAll(uint16_t port, int64_t setup_events) {
  Reads out;
  out.release = Get200(port, "/api/v1/releases/latest");
  out.release_csv = Get200(port, "/api/v1/releases/latest/precincts.csv");
  out.release_sig = Get200(port, "/api/v1/releases/latest/sig");
  out.results = Get200(port, "/api/v1/results");
  out.ledger = Get200(port, fmt::format("/api/v1/ledger?after={}", setup_events));
  json health = json::parse(Get200(port, "/api/v1/health"), nullptr, false);
  if (!health.is_discarded() && health["status"] == "ok" && health["seq"].is_number_integer()) {
    out.seq = health["seq"].get<int64_t>();
  } else {
    ADD_FAILURE() << "health: " << health.dump();
  }
  return out;
}

void ExpectSameReads(const Reads& now, const Reads& before, const char* when) {
  EXPECT_FALSE(before.release.empty());
  EXPECT_EQ(now.release, before.release) << when;
  EXPECT_EQ(now.release_csv, before.release_csv) << when;
  EXPECT_EQ(now.release_sig, before.release_sig) << when;
  EXPECT_EQ(now.results, before.results) << when;
  EXPECT_EQ(now.ledger, before.ledger) << when;
  EXPECT_EQ(now.seq, before.seq) << when;
}

struct StorageFault {
  std::string name;                                   // printed with the refusal
  std::string names_cause;                            // what the refusal's message must say
  std::function<Status(const ServerProcess&)> cause;  // the store stops taking writes
  std::function<Status(const ServerProcess&)> cure;   // and takes them again
};

// A chair reports and a release is published; then the fault: a second chair's report is
// refused (twice) while every read goes on; then the cure: the same report is accepted.
void RefusedThenRecovered(const std::string& dir, const std::string& store,
                          const StorageFault& fault) {
  CommandRun init = InitDemo(dir, store);
  ASSERT_EQ(init.exit_code, 0) << init.out;
  const int64_t setup_events = VerifiedEvents(dir, store);
  ASSERT_GT(setup_events, 0);
  std::map<std::string, AccessCode> chairs;
  std::optional<AccessCode> admin;
  for (const AccessCode& c : ReadCodes(dir + "/codes.csv")) {
    if (c.role == "chair") chairs[c.subject] = c;
    if (c.role == "admin" && !admin) admin = c;
  }
  ASSERT_TRUE(admin.has_value());

  ServerProcess server(dir, {"--store", store, "--fast-kdf", "--no-rate-limits",
                             "--session-key-file", dir + "/session.key"});
  Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  std::vector<int64_t> precincts;
  {
    HttpClient probe("127.0.0.1", server.port());
    precincts = ReportablePrecincts(probe, 1, 2);
  }
  ASSERT_EQ(precincts.size(), 2u);

  // A report, and a release of the ledger with it: real bytes to serve through the fault.
  std::vector<Acknowledged> acked;
  Chair early(chairs.at(std::to_string(precincts[0])), server.port());
  {
    Acknowledged ack;
    ack.actor = early.code().credential;
    ack.submission = fmt::format("first-{}", precincts[0]);
    ack.type = "first-alignment-reported";
    auto r = early.Post(fmt::format("/api/v1/precincts/{}/first", precincts[0]),
                        Report("first", "Sanders", ack.submission));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 201) << r->body;
    ack.status = r->status;
    ASSERT_TRUE(ReadReceipt(r->body, ack)) << r->body;
    acked.push_back(ack);
  }
  Chair admin_client(*admin, server.port());
  {
    auto r = admin_client.Post("/api/v1/releases", json::object());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 201) << r->body;
    json j = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r->body;
    EXPECT_EQ(j["published"], true) << r->body;
    EXPECT_EQ(j["number"], 1) << r->body;
  }
  Chair chair(chairs.at(std::to_string(precincts[1])), server.port());
  ASSERT_TRUE(chair.Login());  // a login writes nothing; the report is what is refused
  const Reads before = ReadAll(server.port(), setup_events);
  ASSERT_FALSE(::testing::Test::HasFailure());

  Status caused = fault.cause(server);
  ASSERT_TRUE(caused.ok()) << caused.ToString();

  const std::string target = fmt::format("/api/v1/precincts/{}/first", precincts[1]);
  const std::string submission = fmt::format("first-{}", precincts[1]);
  // A refused report is not kept: sent again while the fault lasts, it is refused again (not
  // answered as already recorded).
  for (int attempt = 1; attempt <= 2; ++attempt) {
    SCOPED_TRACE(fmt::format("attempt {}", attempt));
    auto r = chair.Post(target, Report("first", "Warren", submission));
    ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << server.log();
    EXPECT_EQ(r->status, 503) << r->body;
    json body = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(!body.is_discarded() && body["error"].is_object()) << r->body;
    EXPECT_EQ(body["error"]["code"], "store-unavailable") << r->body;
    const std::string message = body["error"].value("message", "");
    EXPECT_NE(message.find("was not kept; send it again"), std::string::npos) << message;
    EXPECT_NE(message.find(fault.names_cause), std::string::npos) << message;
    if (attempt == 1) std::cout << fault.name << ": the chair is told: " << message << "\n";
  }
  ExpectSameReads(ReadAll(server.port(), setup_events), before, "while the store refuses writes");

  Status cured = fault.cure(server);
  ASSERT_TRUE(cured.ok()) << cured.ToString();
  {
    Acknowledged ack;
    ack.actor = chair.code().credential;
    ack.submission = submission;
    ack.type = "first-alignment-reported";
    auto r = chair.Post(target, Report("first", "Warren", submission));
    ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << server.log();
    ASSERT_EQ(r->status, 201) << r->body;
    ack.status = r->status;
    ASSERT_TRUE(ReadReceipt(r->body, ack)) << r->body;
    EXPECT_EQ(ack.seq, before.seq + 1);
    acked.push_back(ack);
  }
  {
    // Sent once more (an answer lost on the way back): the first answer, nothing written.
    auto r = chair.Post(target, Report("first", "Warren", submission));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200) << r->body;
    Acknowledged again;
    ASSERT_TRUE(ReadReceipt(r->body, again)) << r->body;
    EXPECT_EQ(again.seq, acked.back().seq);
    EXPECT_EQ(again.hash, acked.back().hash);
  }
  const Reads after = ReadAll(server.port(), setup_events);
  EXPECT_EQ(after.seq, before.seq + 1);
  EXPECT_NE(after.ledger, before.ledger);
  EXPECT_EQ(after.release, before.release) << "the policy is manual: no new release";

  const int stopped = server.Terminate();
  EXPECT_TRUE(stopped == 0 || stopped == 128 + SIGTERM) << stopped << "\n" << server.log();

  // Setup, the early report, the release, the recovered report; each acknowledged report once
  // (and the first login of each code used, session-opened).
  const std::vector<std::string> lines = ExpectLedgerHolds(dir, store, acked);
  const int64_t sessions = SessionsOpened(lines);
  EXPECT_EQ(static_cast<int64_t>(lines.size()) - sessions, setup_events + 3);
  CommandRun verify = RunCommand(dir, {"ledger", "verify", "--store", store, "--expect-head",
                                       fmt::format("{}:{}", acked.back().seq, acked.back().hash)});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

// --- SQLite: the disk full --------------------------------------------------------------------

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(size);
}

// The page size a SQLite database file's header names (bytes 16-17, big-endian; 1 is 65536).
uint64_t SqlitePageSize(const std::string& path) {
  const std::string header = ReadWholeFile(path).substr(0, 100);
  if (header.size() < 18) return 0;
  const uint64_t v = (static_cast<uint64_t>(static_cast<unsigned char>(header[16])) << 8) |
                     static_cast<unsigned char>(header[17]);
  return v == 1 ? 65536 : v;
}

TEST(StorageFaultsTest, SqliteDiskFullRefusesReportsUntilThereIsRoom) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string db = dir / "canvass.db";
  rlimit saved{};
  StorageFault fault;
  fault.name = "SQLite, disk full";
  fault.names_cause = "the disk is full or the file size limit was reached";
  fault.cause = [&](const ServerProcess& server) -> Status {
    // No write past the write-ahead log's current end, where SQLite writes the next commit's
    // pages: the log was created by this server (the commands before it removed theirs on
    // closing) and holds fewer than the 1,000 pages that start a checkpoint, after which SQLite
    // would write it again from the start.
    const uint64_t wal = FileSize(db + "-wal");
    const uint64_t page = SqlitePageSize(db);
    if (wal <= 32 || page == 0 || (wal - 32) % (page + 24) != 0) {
      return Status::FailedPrecondition(
          fmt::format("unexpected WAL: {} bytes, pages of {} bytes", wal, page));
    }
    if ((wal - 32) / (page + 24) >= 1000) {
      return Status::FailedPrecondition(
          fmt::format("the WAL holds {} pages: it may have been checkpointed and restarted",
                      (wal - 32) / (page + 24)));
    }
    if (prlimit(server.pid(), RLIMIT_FSIZE, nullptr, &saved) != 0) {
      return Status::IoError(std::string("prlimit: ").append(std::strerror(errno)));
    }
    rlimit lowered = saved;
    lowered.rlim_cur = static_cast<rlim_t>(wal);
    std::cout << fmt::format("file size limit of the server: {} bytes (database {}, WAL {})\n", wal,
                             FileSize(db), wal);
    if (prlimit(server.pid(), RLIMIT_FSIZE, &lowered, nullptr) != 0) {
      return Status::IoError(std::string("prlimit: ").append(std::strerror(errno)));
    }
    return Status::Ok();
  };
  fault.cure = [&](const ServerProcess& server) -> Status {
    if (prlimit(server.pid(), RLIMIT_FSIZE, &saved, nullptr) != 0) {
      return Status::IoError(std::string("prlimit: ").append(std::strerror(errno)));
    }
    return Status::Ok();
  };
  RefusedThenRecovered(dir.path(), db, fault);
}

// --- PostgreSQL: the database read-only -------------------------------------------------------

const char* PgConninfo() { return testing_store::PostgresBackend::Conninfo(); }

// `base` (URI or key=value) as key=value, on database `dbname`.
std::string WithDatabase(const std::string& base, const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(base.c_str(), &err);
  if (opts == nullptr) {
    if (err != nullptr) PQfreemem(err);
    return base + " dbname=" + testing_store::QuoteConninfo(dbname);
  }
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string(o->keyword) == "dbname") continue;
    out.append(o->keyword).append("=").append(testing_store::QuoteConninfo(o->val)).append(" ");
  }
  PQconninfoFree(opts);
  return out + "dbname=" + testing_store::QuoteConninfo(dbname);
}

// The values of a query's first column.
Result<std::vector<std::string>> PgColumn(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    std::string message = PQerrorMessage(conn);
    PQclear(r);
    return Status::IoError(sql + ": " + message);
  }
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
  PQclear(r);
  return out;
}

// A database of the test's own (ALTER DATABASE reaches every new session on it, so no other test
// may share it), created on the CANVASS_TEST_POSTGRES server and dropped at the end. Nothing
// cluster-wide is changed.
class OwnDatabase {
 public:
  Status Create() {
    admin_.reset(PQconnectdb(PgConninfo()));
    if (PQstatus(admin_.get()) != CONNECTION_OK) {
      return Status::IoError(std::string("cannot connect to CANVASS_TEST_POSTGRES: ") +
                             PQerrorMessage(admin_.get()));
    }
    PQclear(PQexec(admin_.get(), "SET client_min_messages = warning"));
    std::random_device rd;
    name_ = fmt::format("canvass_faults_{}_{}", getpid(), rd() % 1000000);
    CANVASS_RETURN_IF_ERROR(testing_store::PgExec(admin_.get(), "CREATE DATABASE " + name_));
    created_ = true;
    return Status::Ok();
  }
  ~OwnDatabase() {
    if (!created_ || PQstatus(admin_.get()) != CONNECTION_OK) return;
    if (!testing_store::PgExec(admin_.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)")
             .ok()) {
      (void)testing_store::PgExec(admin_.get(), "DROP DATABASE IF EXISTS " + name_);
    }
  }
  OwnDatabase() = default;
  OwnDatabase(const OwnDatabase&) = delete;
  OwnDatabase& operator=(const OwnDatabase&) = delete;

  std::string location() const { return WithDatabase(PgConninfo(), name_); }

  // Sets the database's default for new sessions, then ends the sessions open on it (the
  // server's) so that the server reconnects into sessions with the new default.
  Status SetReadOnly(bool read_only) {
    CANVASS_RETURN_IF_ERROR(testing_store::PgExec(
        admin_.get(), read_only
                          ? "ALTER DATABASE " + name_ + " SET default_transaction_read_only = on"
                          : "ALTER DATABASE " + name_ + " RESET default_transaction_read_only"));
    return EndSessions();
  }

  // Refuses new connections to the database and ends the sessions open on it (the server's):
  // the server can neither use nor reopen a connection until it is allowed again.
  Status SetReachable(bool reachable) {
    CANVASS_RETURN_IF_ERROR(
        testing_store::PgExec(admin_.get(), fmt::format("ALTER DATABASE {} ALLOW_CONNECTIONS {}",
                                                        name_, reachable ? "true" : "false")));
    return reachable ? Status::Ok() : EndSessions();
  }

 private:
  // Terminates every other backend on the database and waits until those processes are gone
  // (new ones, the server reconnecting, may already be there: those have the new default).
  Status EndSessions() {
    // In the select list, pg_terminate_backend runs only on the rows the WHERE clause keeps.
    auto ended = PgColumn(admin_.get(),
                          "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                          "datname = '" +
                              name_ + "' AND pid <> pg_backend_pid()");
    if (!ended.ok()) return ended.status();
    if (ended->empty())
      return Status::FailedPrecondition("the server holds no session on " + name_);
    std::string list;
    for (const std::string& pid : *ended) list.append(list.empty() ? "" : ",").append(pid);
    const auto deadline = Clock::now() + kDeadline;
    for (;;) {
      auto left =
          PgColumn(admin_.get(), "SELECT pid FROM pg_stat_activity WHERE pid IN (" + list + ")");
      if (!left.ok()) return left.status();
      if (left->empty()) return Status::Ok();
      if (Clock::now() > deadline) {
        return Status::IoError("backends " + list + " did not end");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  testing_store::PgConnPtr admin_;
  std::string name_;
  bool created_ = false;
};

TEST(StorageFaultsTest, PostgresReadOnlyRefusesReportsUntilWritable) {
  if (std::string why = testing_store::PostgresBackend::Unavailable(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  OwnDatabase database;
  Status created = database.Create();
  ASSERT_TRUE(created.ok()) << created.ToString();
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  StorageFault fault;
  fault.name = "PostgreSQL, read-only database";
  fault.names_cause = "the database is read-only";
  fault.cause = [&](const ServerProcess&) { return database.SetReadOnly(true); };
  fault.cure = [&](const ServerProcess&) { return database.SetReadOnly(false); };
  RefusedThenRecovered(dir.path(), database.location(), fault);
}

// GET target's status and body; status 0 (and a test failure) when no answer came.
std::pair<int, std::string> GetAny(uint16_t port, const std::string& target) {
  HttpClient client("127.0.0.1", port);
  auto r = client.Get(target);
  if (!r.ok()) {
    ADD_FAILURE() << target << ": " << r.status().ToString();
    return {0, ""};
  }
  return {r->status, r->body};
}

// The database cannot be reached at all (no connection allowed, the server's ended): a report is
// refused 503 naming the cause, and what the server holds in memory is served as before: the
// election, the health check's seq, the results, the ledger, the release index and signature,
// and logins. When connections are allowed again the same report is accepted.
TEST(StorageFaultsTest, PostgresUnreachableKeepsServingWhatWasPublished) {
  if (std::string why = testing_store::PostgresBackend::Unavailable(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  OwnDatabase database;
  Status created = database.Create();
  ASSERT_TRUE(created.ok()) << created.ToString();
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string store = database.location();
  CommandRun init = InitDemo(dir.path(), store);
  ASSERT_EQ(init.exit_code, 0) << init.out;
  const int64_t setup_events = VerifiedEvents(dir.path(), store);
  ASSERT_GT(setup_events, 0);
  std::map<std::string, AccessCode> chairs;
  std::optional<AccessCode> admin;
  for (const AccessCode& c : ReadCodes(dir / "codes.csv")) {
    if (c.role == "chair") chairs[c.subject] = c;
    if (c.role == "admin" && !admin) admin = c;
  }
  ASSERT_TRUE(admin.has_value());

  ServerProcess server(dir.path(), {"--store", store, "--fast-kdf", "--no-rate-limits",
                                    "--session-key-file", dir / "session.key"});
  Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  std::vector<int64_t> precincts;
  {
    HttpClient probe("127.0.0.1", server.port());
    precincts = ReportablePrecincts(probe, 1, 3);
  }
  ASSERT_EQ(precincts.size(), 3u);

  std::vector<Acknowledged> acked;
  Chair early(chairs.at(std::to_string(precincts[0])), server.port());
  {
    Acknowledged ack;
    ack.actor = early.code().credential;
    ack.submission = fmt::format("first-{}", precincts[0]);
    ack.type = "first-alignment-reported";
    auto r = early.Post(fmt::format("/api/v1/precincts/{}/first", precincts[0]),
                        Report("first", "Sanders", ack.submission));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 201) << r->body;
    ack.status = r->status;
    ASSERT_TRUE(ReadReceipt(r->body, ack)) << r->body;
    acked.push_back(ack);
  }
  Chair admin_client(*admin, server.port());
  {
    auto r = admin_client.Post("/api/v1/releases", json::object());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 201) << r->body;
    json j = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r->body;
    EXPECT_EQ(j["published"], true) << r->body;
    EXPECT_EQ(j["number"], 1) << r->body;
  }
  Chair chair(chairs.at(std::to_string(precincts[1])), server.port());
  ASSERT_TRUE(chair.Login());
  const Reads before = ReadAll(server.port(), setup_events);
  const std::string election_before = Get200(server.port(), "/api/v1/election");
  const std::string index_before = Get200(server.port(), "/api/v1/releases");
  {
    json e = json::parse(election_before, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << election_before;
    ASSERT_EQ(e["created"], true) << election_before;
    ASSERT_EQ(e["seq"], before.seq) << election_before;
  }
  ASSERT_FALSE(::testing::Test::HasFailure());

  Status cut = database.SetReachable(false);
  ASSERT_TRUE(cut.ok()) << cut.ToString();

  const std::string target = fmt::format("/api/v1/precincts/{}/first", precincts[1]);
  const std::string submission = fmt::format("first-{}", precincts[1]);
  for (int attempt = 1; attempt <= 2; ++attempt) {
    SCOPED_TRACE(fmt::format("attempt {}", attempt));
    auto r = chair.Post(target, Report("first", "Warren", submission));
    ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << server.log();
    EXPECT_EQ(r->status, 503) << r->body;
    json body = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(!body.is_discarded() && body["error"].is_object()) << r->body;
    EXPECT_EQ(body["error"]["code"], "store-unavailable") << r->body;
    const std::string message = body["error"].value("message", "");
    EXPECT_NE(message.find("was not kept; send it again"), std::string::npos) << message;
    EXPECT_NE(message.find("the database is unreachable"), std::string::npos) << message;
    // The first refusal is from the session that was ended, the second from reconnecting.
    std::cout << fmt::format(
        "PostgreSQL, unreachable database, attempt {}: the chair is told: {}\n", attempt, message);
  }

  // The refused commits left the server with the state it had. What it holds in memory is served
  // as before: the election, the health check, the results, the ledger, the release index and
  // the latest release's signature.
  {
    auto [status, body] = GetAny(server.port(), "/api/v1/election");
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(body, election_before) << "the election while the database is unreachable";
    json e = json::parse(body, nullptr, false);
    EXPECT_TRUE(!e.is_discarded() && e["created"] == true && e["seq"] == before.seq) << body;
  }
  {
    auto [status, body] = GetAny(server.port(), "/api/v1/health");
    EXPECT_EQ(status, 200) << body;
    json h = json::parse(body, nullptr, false);
    EXPECT_TRUE(!h.is_discarded() && h["election"] == true && h["seq"] == before.seq) << body;
  }
  EXPECT_EQ(Get200(server.port(), "/api/v1/results"), before.results);
  EXPECT_EQ(Get200(server.port(), fmt::format("/api/v1/ledger?after={}", setup_events)),
            before.ledger);
  EXPECT_EQ(Get200(server.port(), "/api/v1/releases"), index_before);
  EXPECT_EQ(Get200(server.port(), "/api/v1/releases/latest/sig"), before.release_sig);
  // The release's files are blobs in the store; read before the outage, they are served from
  // memory while it lasts.
  EXPECT_EQ(Get200(server.port(), "/api/v1/releases/latest"), before.release);
  EXPECT_EQ(Get200(server.port(), "/api/v1/releases/latest/precincts.csv"), before.release_csv);
  {
    // A chair who has not logged in yet: the code is checked against the credentials in memory.
    Chair late(chairs.at(std::to_string(precincts[2])), server.port());
    EXPECT_TRUE(late.Login()) << "a login while the database is unreachable\n" << server.log();
  }

  Status restored = database.SetReachable(true);
  ASSERT_TRUE(restored.ok()) << restored.ToString();
  {
    // The server reconnects at its next statement; a report sent before that may still be told
    // the database is unreachable, so it is sent again, as a chair would, for a while.
    Acknowledged ack;
    ack.actor = chair.code().credential;
    ack.submission = submission;
    ack.type = "first-alignment-reported";
    std::optional<HttpClientResponse> answer;
    int refused = 0;
    const auto deadline = Clock::now() + kDeadline;
    for (;;) {
      auto r = chair.Post(target, Report("first", "Warren", submission));
      ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << server.log();
      if (r->status != 503 || Clock::now() > deadline) {
        answer = *r;
        break;
      }
      ++refused;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (refused > 0) std::cout << "refused " << refused << " more times after the cure\n";
    ASSERT_EQ(answer->status, 201) << answer->body;
    ack.status = answer->status;
    ASSERT_TRUE(ReadReceipt(answer->body, ack)) << answer->body;
    EXPECT_EQ(ack.seq, before.seq + 1);
    acked.push_back(ack);
  }
  const Reads after = ReadAll(server.port(), setup_events);
  EXPECT_EQ(after.seq, before.seq + 1);
  EXPECT_EQ(after.release, before.release) << "the policy is manual: no new release";

  const int stopped = server.Terminate();
  EXPECT_TRUE(stopped == 0 || stopped == 128 + SIGTERM) << stopped << "\n" << server.log();

  // Setup, the early report, the release, the report sent again; each acknowledged report once
  // (and the first login of each code used, session-opened).
  const std::vector<std::string> lines = ExpectLedgerHolds(dir.path(), store, acked);
  EXPECT_EQ(static_cast<int64_t>(lines.size()) - SessionsOpened(lines), setup_events + 3);
  CommandRun verify =
      RunCommand(dir.path(), {"ledger", "verify", "--store", store, "--expect-head",
                              fmt::format("{}:{}", acked.back().seq, acked.back().hash)});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

}  // namespace
}  // namespace canvass::server_test
