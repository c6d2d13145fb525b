// `canvass init`, `serve`, `ledger verify|export` and `credentials reissue`: the commands that
// work on a store.
#include <malloc.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "api/api.h"
#include "api/static_files.h"
#include "audit/rla_ledger.h"
#include "cli/commands.h"
#include "cli/early_votes.h"
#include "cli/election_input.h"
#include "core/text.h"
#include "http/server.h"
#include "intake/setup.h"
#include "io/importers.h"
#include "ledger/chain.h"
#include "ledger/event_types.h"
#include "publish/publisher.h"
#include "publish/signing.h"
#include "state/replay.h"
#include "store/store.h"

namespace canvass {

namespace {

// The store's location as printed: a PostgreSQL password never goes to a terminal or a log.
std::string Shown(const std::string& location) {
  std::string s = location;
  if (!IsPostgresLocation(s)) return s;
  const size_t scheme = s.find("://");
  if (scheme != std::string::npos) {
    const size_t at = s.find('@', scheme + 3);
    const size_t colon = s.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      s.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t at = s.find("password="); at != std::string::npos; at = s.find("password=", at + 1)) {
    const size_t from = at + 9;
    size_t to = from;
    if (to < s.size() && s[to] == '\'') {
      to = s.find('\'', to + 1);
      to = to == std::string::npos ? s.size() : to + 1;
    } else {
      while (to < s.size() && s[to] != ' ' && s[to] != '&') ++to;
    }
    s.replace(from, to - from, "***");
  }
  return s;
}

// Writes `text` to `path` readable by its owner only (access codes, keys).
Status WritePrivateFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::IoError(path + ": cannot write");
  ::chmod(path.c_str(), 0600);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) return Status::IoError(path + ": write failed");
  return Status::Ok();
}

Result<ElectionSetup> DemoSetup(const std::string& data_dir, KdfCost cost) {
  const std::string d = data_dir + "/iowa-2020";
  auto election =
      LoadElectionFiles(d + "/results-first-complete-2020-02-08-long.csv", d + "/apportionment.csv",
                        d + "/county-congressional-district.csv");
  if (!election.ok()) return election.status();
  auto path = RulesetPath("iowa-dem-2020");
  if (!path.ok()) return path.status();
  auto toml = ReadFile(*path);
  if (!toml.ok()) return toml.status();
  ElectionSetup setup;
  setup.name = "Iowa Democratic caucuses, 3 February 2020 (demo)";
  setup.ruleset_toml = std::move(toml).value();
  setup.candidates = election->candidates;
  setup.precincts = election->apportionment;
  setup.county_district = election->county_district;
  setup.cost = cost;
  return setup;
}

Result<ElectionSetup> SetupFromFiles(const InitOptions& o) {
  if (o.apportionment.empty()) {
    return Status::InvalidArgument("--apportionment is required (or use --demo)");
  }
  auto path = RulesetPath(o.rules);
  if (!path.ok()) return path.status();
  auto toml = ReadFile(*path);
  if (!toml.ok()) return toml.status();
  auto table = LoadApportionmentFile(o.apportionment);
  if (!table.ok()) return table.status();
  ElectionSetup setup;
  setup.name = o.name.empty() ? "Caucus" : o.name;
  setup.ruleset_toml = std::move(toml).value();
  setup.precincts = std::move(table).value();
  if (!o.districts.empty()) {
    auto map = LoadDistrictsFile(o.districts);
    if (!map.ok()) return map.status();
    setup.county_district = std::move(map).value();
  }
  std::set<std::string> seen;
  for (const std::string& c : o.candidates) {
    std::string name = NormaliseName(c);
    if (name.empty()) return Status::InvalidArgument("--candidate: an empty name");
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("--candidate: " + name + " is given twice");
    }
    setup.candidates.push_back(name);
  }
  if (setup.candidates.empty() && !o.results.empty()) {
    auto election = LoadResultsFile(o.results);
    if (!election.ok()) return election.status();
    setup.candidates = election->candidates;
  }
  if (setup.candidates.empty()) {
    return Status::InvalidArgument("name the candidates with --candidate (repeat it)");
  }
  return setup;
}

int Fail(std::ostream& err, const Status& st, int code = kExitFailure) {
  err << "canvass: " << st.message() << "\n";
  return code;
}

// A store that could not be opened: bad input (2) when there is none at the location or what is
// there is not a Canvass store; a failure (1) otherwise (the disk, the database server).
int StoreFail(std::ostream& err, const Status& st) {
  const bool usage =
      st.code() == Status::Code::kNotFound || st.code() == Status::Code::kInvalidArgument;
  return Fail(err, st, usage ? kExitUsage : kExitFailure);
}

// Whether `text` is meant as a ledger export: some line begins as every event's canonical line
// does. A damaged export keeps most of its lines and is reported as damaged; a CSV or a release
// is not an export at all. (An empty file is the export of an empty ledger.)
bool LooksLikeLedgerExport(std::string_view text) {
  constexpr std::string_view kEventStart = "{\"actor\":{\"id\":";
  for (size_t at = 0; at < text.size();) {
    if (text.substr(at, kEventStart.size()) == kEventStart) return true;
    const size_t end = text.find('\n', at);
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return false;
}

// The intake of a store that must already exist: nothing is created at a wrong path.
Result<std::unique_ptr<Intake>> OpenExisting(const std::string& location) {
  Intake::Options options;
  options.create_store = false;
  return Intake::Open(location, options);
}

// Sets up the election (files or demo) in the store; writes the code sheet.
int DoInit(const InitOptions& o, std::ostream& out, std::ostream& err) {
  const KdfCost cost = o.fast_kdf ? KdfCost::Test() : KdfCost::Server();
  auto setup = o.demo ? DemoSetup(o.data_dir, cost) : SetupFromFiles(o);
  if (!setup.ok()) return Fail(err, setup.status(), kExitUsage);
  // The cards file is read and its precincts found before anything is written.
  std::map<int64_t, std::vector<EarlyVoteCardRecord>> cards;
  if (!o.early_votes.empty()) {
    auto read = ReadEarlyVotesFile(o.early_votes, setup->precincts);
    if (!read.ok()) return Fail(err, read.status(), kExitUsage);
    auto ruleset = ParseRuleset(setup->ruleset_toml, "ruleset");
    if (ruleset.ok() && !ruleset->precinct.early_vote.enabled) {
      return Fail(err,
                  Status::InvalidArgument(
                      fmt::format("--early-votes: the ruleset {} has no early vote: its "
                                  "precincts take no cards",
                                  ruleset->name)),
                  kExitUsage);
    }
    cards = std::move(read).value();
  }
  setup->operators = o.operators;
  setup->cost = cost;
  const SigningKey signing = NewSigningKey();
  setup->signing_key = signing.public_hex;
  auto intake = Intake::Open(o.store);
  if (!intake.ok()) return StoreFail(err, intake.status());
  auto codes = CreateElection(**intake, *setup);
  if (!codes.ok()) return Fail(err, codes.status());
  const std::string key_file =
      o.signing_key_file.empty() ? DefaultSigningKeyFile(o.store) : o.signing_key_file;
  if (Status st = WritePrivateFile(key_file, signing.seed_hex + "\n"); !st.ok()) {
    return Fail(err, st);
  }
  out << fmt::format("Release signing key: public {} (on the ledger), secret in {} (owner-only).\n",
                     signing.public_hex, key_file);
  const std::string sheet = o.codes_out.empty() ? std::string("canvass-codes.csv") : o.codes_out;
  if (Status st = WritePrivateFile(sheet, CodesCsv(*codes)); !st.ok()) return Fail(err, st);
  const auto head = (*intake)->Read([](const ElectionState& s) {
    return std::pair{s.seq(), s.head_hash()};
  });
  out << fmt::format(
      "Created \"{}\" in {}: {} reporting units, {} candidates, ruleset {}.\n"
      "{} access codes written to {} (owner-only; print each chair's on their packet).\n"
      "Ledger: {} events, head {}.\n",
      setup->name, Shown(o.store), setup->precincts.size(), setup->candidates.size(),
      (*intake)->Read([](const ElectionState& s) { return s.ruleset().ShortHash(); }),
      codes->size(), sheet, head.first, head.second);
  if (!cards.empty()) return LoadEarlyVotes(**intake, cards, out, err);
  return kExitOk;
}

Result<std::string> SessionKey(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto text = ReadFile(path);
    if (!text.ok()) return text.status();
    std::string key = *text;
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.size() != 64) return Status::InvalidArgument(path + ": not a session key (64 hex)");
    return key;
  }
  std::string key = NewSessionKey();
  CANVASS_RETURN_IF_ERROR(WritePrivateFile(path, key + "\n"));
  return key;
}

}  // namespace

int RunInit(const InitOptions& options, std::ostream& out, std::ostream& err) {
  return DoInit(options, out, err);
}

int RunServe(const ServeOptions& o, std::ostream& out, std::ostream& err) {
  // Past a file size limit (RLIMIT_FSIZE) a write then fails with EFBIG, as on a full disk,
  // instead of the signal ending the server.
  std::signal(SIGXFSZ, SIG_IGN);
  // Two malloc arenas, not glibc's eight per core: the server's threads share one state, and at
  // 176,500 precincts the extra arenas' free space took the peak from 1,971 to 2,099 MiB
  // (docs/performance.md, "National scale"). MALLOC_ARENA_MAX, when set, still decides.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  // The national count's files, read before anything is opened: a bad row stops the server at
  // once, naming file, line and column.
  auto national = LoadNationalSetup(o.national_rules, o.national_state, o.national_delegates,
                                    o.national_votes, o.national_calendar);
  if (!national.ok()) return Fail(err, national.status(), kExitUsage);
  // Only --demo sets up an election, and so may create the store; otherwise nothing is created
  // at a mistyped path.
  Intake::Options open_options;
  open_options.create_store = o.demo;
  auto intake = Intake::Open(o.store, open_options);
  if (!intake.ok()) {
    if (intake.status().code() == Status::Code::kNotFound) {
      return Fail(err,
                  Status::NotFound(fmt::format(
                      "{}: no such store: run `canvass init --store {}` first, or `canvass serve "
                      "--demo` for the Iowa 2020 demo",
                      Shown(o.store), Shown(o.store))),
                  kExitUsage);
    }
    return StoreFail(err, intake.status());
  }
  const bool created = (*intake)->Read([](const ElectionState& s) { return s.created(); });
  if (!created) {
    if (!o.demo) {
      return Fail(err, Status::FailedPrecondition(
                           Shown(o.store) + " holds no election: run `canvass init` first, or "
                                            "`canvass serve --demo` for the Iowa 2020 demo"));
    }
    InitOptions init;
    init.demo = true;
    init.store = o.store;
    init.data_dir = o.data_dir;
    init.codes_out = o.codes_out;
    init.fast_kdf = o.fast_kdf;
    init.signing_key_file = o.signing_key_file;
    intake = Status::FailedPrecondition("reopened below");  // DoInit opens the store itself
    if (int rc = DoInit(init, out, err); rc != kExitOk) return rc;
    intake = Intake::Open(o.store);
    if (!intake.ok()) return StoreFail(err, intake.status());
  }
  std::string key_file = o.session_key_file;
  if (key_file.empty()) {
    key_file = IsPostgresLocation(o.store) ? "canvass-session.key" : o.store + ".key";
  }
  auto key = SessionKey(key_file);
  if (!key.ok()) return Fail(err, key.status());

  const std::string sign_file =
      o.signing_key_file.empty() ? DefaultSigningKeyFile(o.store) : o.signing_key_file;
  auto signing = ReadSigningKeyFile(sign_file);
  if (!signing.ok()) return Fail(err, signing.status());
  if (!signing->has_value()) {
    out << fmt::format("canvass: no signing key at {}: releases are served, not published\n",
                       sign_file);
  }
  Publisher publisher(**intake, *signing);

  Metrics metrics;
  ApiOptions api_options;
  api_options.publisher = &publisher;
  api_options.national = *national;
  api_options.session_key = *key;
  api_options.kdf = o.fast_kdf ? KdfCost::Test() : KdfCost::Server();
  if (o.no_rate_limits) {
    api_options.submissions_per_second = 0;
    api_options.guard.max_failures = 1'000'000;
    api_options.guard.max_failures_per_address = 1'000'000;
  }
  const std::string web_dir =
      o.web_dir.empty() ? std::string(CANVASS_SOURCE_DIR) + "/web/dist" : o.web_dir;
  if (auto web = StaticFiles::Load(web_dir); web.ok()) {
    out << fmt::format("canvass: web front end from {} ({} files)\n", web_dir,
                       (*web)->file_count());
    api_options.web = std::move(web).value();
  } else if (!o.web_dir.empty()) {
    intake->reset();  // before `publisher`, which it may call back (see the end)
    return Fail(err, web.status(), kExitUsage);
  } else {
    out << fmt::format(
        "canvass: no web front end at {} (build it in web/: npm ci && npm run "
        "build); serving the API only\n",
        web_dir);
  }
  Api api(**intake, metrics, api_options);
  HttpServerOptions http;
  http.address = o.address;
  http.port = o.port;
  http.threads = o.threads;
  http.watch_signals = true;  // a SIGTERM right after the port file is written is not lost
  http.limits.body_limits_by_prefix.emplace_back("/api/v1/precincts/", api_options.max_photo_bytes);
  http.limits.body_limits_by_prefix.emplace_back("/api/v1/evidence", api_options.max_photo_bytes);
  if (o.no_rate_limits) http.limits.rate_per_second = 0;
  HttpServer server(
      http, [&api](HttpRequest req, Respond respond) { api.Handle(std::move(req), respond); },
      &metrics, &Api::RouteLabel);
  if (Status st = server.Start(); !st.ok()) {
    intake->reset();  // see below
    return Fail(err, st);
  }
  api.SetStreamNotifier([&server] { server.NotifyStreams(); });
  publisher.Start();
  const auto seq = (*intake)->Read([](const ElectionState& s) { return s.seq(); });
  out << fmt::format("canvass: serving {} ({}, {} ledger events) at http://{}:{}/\n",
                     Shown(o.store), (*intake)->store_kind(), seq, o.address, server.port());
  if (o.demo) {
    out << fmt::format(
        "canvass: demo access codes are in {} (chairs, operators, campaigns, admin)\n",
        o.codes_out.empty() ? "canvass-codes.csv" : o.codes_out);
  }
  out.flush();
  if (!o.port_file.empty()) {
    std::ofstream pf(o.port_file);
    pf << server.port() << "\n";
  }
  server.Wait();
  server.Stop();
  publisher.Stop();
  api.SetStreamNotifier(nullptr);
  // The intake's writer thread calls back into `api`, `metrics` and `server` (commit listeners,
  // answers to submissions still queued), and may be finishing a batch now: end it while they
  // are all alive, not after they are destroyed.
  intake->reset();
  return kExitOk;
}

int RunLedgerVerify(const LedgerOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<StoreHead> expected;
  if (!o.expect_head.empty()) {
    const size_t colon = o.expect_head.find(':');
    StoreHead h;
    try {
      h.seq = std::stoll(o.expect_head.substr(0, colon));
    } catch (...) {
      h.seq = -1;
    }
    if (colon == std::string::npos || h.seq < 0) {
      err << "canvass: --expect-head takes SEQ:HASH\n";
      return kExitUsage;
    }
    h.hash = o.expect_head.substr(colon + 1);
    expected = h;
  }
  ElectionState state;
  ReplayOptions replay;
  replay.expected_head = expected;
  ChainReport report;
  std::string what;
  if (!o.file.empty()) {
    auto text = ReadFile(o.file);
    if (!text.ok()) return Fail(err, text.status(), kExitUsage);
    if (!text->empty() && !LooksLikeLedgerExport(*text)) {
      return Fail(err,
                  Status::InvalidArgument(
                      o.file + " is not a ledger export: no line of it is a ledger event (JSON "
                               "Lines from `canvass ledger export`, docs/ledger-format.md)"),
                  kExitUsage);
    }
    report = ReplayJsonLines(*text, o.file, state, replay);
    what = o.file;
  } else {
    std::error_code ec;
    if (!IsPostgresLocation(o.store) && !std::filesystem::exists(o.store, ec)) {
      return Fail(err, Status::NotFound(o.store + ": no such store"), kExitUsage);
    }
    auto store = OpenStore(o.store, false);
    if (!store.ok()) return StoreFail(err, store.status());
    report = ReplayStore(**store, state, replay);
    what = Shown(o.store);
  }
  // The audit's tallies: each of a precinct the seed had drawn (docs/audit.md "The audit on the
  // ledger"), which only the audit's math can say; the replay checked everything else.
  if (report.ok() && state.rla() != nullptr && !state.rla()->tallies.empty()) {
    if (auto audit = AuditOfLedger(state); !audit.ok()) {
      int64_t at = state.rla()->tallies.back().seq;
      for (const RlaTallyRecord& t : state.rla()->tallies) {
        const PrecinctApportionment& ap = state.precincts()[static_cast<size_t>(t.precinct - 1)];
        if (audit.status().message().find(ap.county + " / " + ap.precinct) != std::string::npos) {
          at = t.seq;
          break;
        }
      }
      ChainProblem problem;
      problem.seq = at;
      problem.kind = "audit";
      problem.message = audit.status().message();
      report.problem = std::move(problem);
      report.events = at - 1;
      report.head = StoreHead{at - 1, state.hash_of(at - 1)};
    }
  }
  if (o.json) {
    nlohmann::json j = {{"ok", report.ok()},
                        {"events", report.events},
                        {"head", {{"seq", report.head.seq}, {"hash", report.head.hash}}}};
    if (report.problem) {
      j["problem"] = {{"seq", report.problem->seq},
                      {"kind", report.problem->kind},
                      {"message", report.problem->message}};
    }
    out << j.dump(2) << "\n";
  } else if (report.ok()) {
    out << fmt::format("{}: ok. {} events, chain and replay verified; head {}:{}\n", what,
                       report.events, report.head.seq, report.head.hash);
  } else {
    out << fmt::format(
        "{}: DAMAGED at event {}: {}: {}\n({} events before it verify; the last "
        "good head is {}:{})\n",
        what, report.problem->seq, report.problem->kind, report.problem->message, report.events,
        report.head.seq, report.head.hash);
  }
  return report.ok() ? kExitOk : kExitFailure;
}

int RunLedgerExport(const LedgerOptions& o, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  if (!IsPostgresLocation(o.store) && !std::filesystem::exists(o.store, ec)) {
    return Fail(err, Status::NotFound(o.store + ": no such store"), kExitUsage);
  }
  auto store = OpenStore(o.store, false);
  if (!store.ok()) return StoreFail(err, store.status());
  if (o.out.empty() || o.out == "-") {
    Status st = ExportJsonLines(**store, out);
    return st.ok() ? kExitOk : Fail(err, st);
  }
  std::ofstream file(o.out, std::ios::binary);
  if (!file) return Fail(err, Status::IoError(o.out + ": cannot write"));
  Status st = ExportJsonLines(**store, file);
  file.close();
  if (!st.ok()) return Fail(err, st);
  if (!file) return Fail(err, Status::IoError(o.out + ": write failed"));
  return kExitOk;
}

Result<std::unique_ptr<Intake>> OpenExistingStore(const std::string& location) {
  return OpenExisting(location);
}

int StoreOpenFailure(std::ostream& err, const Status& status) { return StoreFail(err, status); }

int RunCredentialsReissue(const CredentialsOptions& o, std::ostream& out, std::ostream& err) {
  auto intake = OpenExisting(o.store);
  if (!intake.ok()) return StoreFail(err, intake.status());
  auto issued =
      ReissueCredential(**intake, o.role, o.subject, Actor{std::string(role::kAdmin), "cli"}, "cli",
                        o.fast_kdf ? KdfCost::Test() : KdfCost::Server());
  if (!issued.ok()) return Fail(err, issued.status());
  out << fmt::format("{} {} ({}): new access code {}  (the old one no longer works)\n",
                     issued->role, issued->subject, issued->label, issued->code);
  return kExitOk;
}

}  // namespace canvass
