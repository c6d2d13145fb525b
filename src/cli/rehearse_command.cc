// `canvass rehearse`: sets up the election (or takes a running server's), drives the night with
// src/rehearse, prints the report.
#include <sys/resource.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/election_input.h"
#include "core/text.h"
#include "io/early_cards.h"
#include "io/importers.h"
#include "rehearse/rehearse.h"
#include "rehearse/server_process.h"
#include "rules/ruleset.h"
#include "simulate/simulate.h"

namespace canvass {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = ".canvass-rehearsal";

int Fail(std::ostream& err, const std::string& message, int code = kExitFailure) {
  err << "canvass rehearse: " << message << "\n";
  return code;
}

// "http://127.0.0.1:8080" or "127.0.0.1:8080" -> host and port.
Result<std::pair<std::string, uint16_t>> ParseUrl(std::string url) {
  if (url.rfind("http://", 0) == 0) url.erase(0, 7);
  while (!url.empty() && url.back() == '/') url.pop_back();
  const size_t colon = url.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("--url " + url + ": give http://HOST:PORT");
  }
  int port = 0;
  for (size_t i = colon + 1; i < url.size(); ++i) {
    if (url[i] < '0' || url[i] > '9' || port > 65535) {
      return Status::InvalidArgument("--url " + url + ": not a port number");
    }
    port = port * 10 + (url[i] - '0');
  }
  if (port <= 0 || port > 65535) return Status::InvalidArgument("--url " + url + ": bad port");
  return std::pair{url.substr(0, colon), static_cast<uint16_t>(port)};
}

// "default", "none", or NAME=FRACTION,... over the defaults ("typo=0.1,hotline=0").
Status ParseFaults(const std::string& text, rehearse::FaultRates& f) {
  if (text == "default") return Status::Ok();
  if (text == "none") {
    f = rehearse::FaultRates::None();
    return Status::Ok();
  }
  const std::pair<const char*, uint32_t*> names[] = {
      {"wrong-code", &f.wrong_code},   {"typo", &f.typo},
      {"lost-answer", &f.lost_answer}, {"dropped", &f.dropped},
      {"double-tap", &f.duplicate},    {"hotline", &f.hotline},
      {"mishear", &f.mishear},         {"correction", &f.correction}};
  for (std::string_view piece : Split(text, ',')) {
    const std::string item(piece);
    const size_t eq = item.find('=');
    const std::string name = item.substr(0, eq);
    uint32_t* slot = nullptr;
    for (const auto& [n, p] : names) {
      if (name == n) slot = p;
    }
    if (slot == nullptr || eq == std::string::npos) {
      return Status::InvalidArgument(
          "\"" + item +
          "\": give default, none, or NAME=FRACTION,... with NAME one of wrong-code, typo, "
          "lost-answer, dropped, double-tap, hotline, mishear, correction");
    }
    auto ppm = simulate::ParseFraction(item.substr(eq + 1));
    if (!ppm.ok()) return Status::InvalidArgument(name + ": " + ppm.status().message());
    *slot = *ppm;
  }
  return Status::Ok();
}

// A fresh directory for the rehearsal's election: made here, or one an earlier rehearsal made.
Status FreshDir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Status::InvalidArgument(dir + " is not a directory");
    const bool empty = fs::is_empty(dir, ec);
    if (!empty && !fs::exists(fs::path(dir) / kMarker, ec)) {
      return Status::FailedPrecondition(
          dir + " exists and was not made by `canvass rehearse`: name another with --dir");
    }
    fs::remove_all(dir, ec);
    if (ec) return Status::IoError("cannot clear " + dir + ": " + ec.message());
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
  std::ofstream(fs::path(dir) / kMarker) << "made by canvass rehearse; replaced by the next one\n";
  return Status::Ok();
}

}  // namespace

int RunRehearse(const RehearseOptions& o, std::ostream& out, std::ostream& err) {
  // Thousands of simulated phones, readers and subscribers hold a socket each (and the server
  // started here inherits the limit): use all the open files the system allows.
  if (rlimit files{}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
  }
  const int modes = (o.demo ? 1 : 0) + (o.simulate > 0 ? 1 : 0) + (o.urls.empty() ? 0 : 1);
  const bool iowa_demo = o.demo && o.demo_name != "nevada";
  if (modes != 1) {
    return Fail(err,
                "say what to rehearse: --demo, --simulate N, or --url with --codes and --results",
                kExitUsage);
  }
  rehearse::Options ro;
  ro.seed = o.seed;
  ro.workers = o.workers;
  ro.photos = o.photos;
  ro.publish = o.publish;
  ro.give_up = std::chrono::seconds(o.give_up);
  ro.inject_shift = o.inject_shift;
  if (o.compress == "max") {
    ro.compress = 0;
  } else {
    try {
      size_t used = 0;
      ro.compress = std::stoll(o.compress, &used);
      if (used != o.compress.size() || ro.compress < 1) throw std::invalid_argument("compress");
    } catch (...) {
      return Fail(err, "--compress takes a factor (1 or more) or max", kExitUsage);
    }
  }
  if (Status st = ParseFaults(o.faults, ro.faults); !st.ok()) {
    return Fail(err, "--faults: " + st.message(), kExitUsage);
  }
  if (o.attack) {
    rehearse::AttackOptions a;
    a.readers = o.readers;
    a.subscribers = o.subscribers;
    a.seed = o.seed;
    ro.attack = a;
  }
  ro.progress = [&out](const std::string& line) { out << line << "\n" << std::flush; };
  if (o.recanvass || (!o.certified.empty() && !o.audit)) {
    if (!o.recanvass) return Fail(err, "--certified goes with --recanvass or --audit", kExitUsage);
    std::string certified = o.certified;
    if (certified.empty() && iowa_demo) {
      certified = o.data_dir + "/iowa-2020/results-certified-2020-04-07-long.csv";
    }
    if (certified.empty()) {
      return Fail(err,
                  "--recanvass needs --certified (the certified record) except with the Iowa "
                  "--demo",
                  kExitUsage);
    }
    auto record = LoadResultsFile(certified);
    if (!record.ok()) {
      return Fail(err, "--certified: " + record.status().message(), kExitUsage);
    }
    ro.recanvass_certified = std::move(record).value();
  }
  if (o.audit) {
    // The board finds what the truth says: the certified record for the Iowa demo (or --certified),
    // the night's own figures otherwise.
    rehearse::AuditAfterTheNight audit;
    audit.risk_limit = o.risk_limit;
    audit.hand_count_tallies = o.audit_tallies;
    audit.seed = o.audit_seed.empty() ? fmt::format("rehearsal-{}", o.seed) : o.audit_seed;
    if (ro.recanvass_certified) {
      audit.truth = ro.recanvass_certified;
    } else if (iowa_demo || !o.certified.empty()) {
      auto record = LoadResultsFile(
          o.certified.empty() ? o.data_dir + "/iowa-2020/results-certified-2020-04-07-long.csv"
                              : o.certified);
      if (!record.ok()) return Fail(err, "--audit: " + record.status().message(), kExitUsage);
      audit.truth = std::move(record).value();
    }
    ro.audit = std::move(audit);
  } else if (!o.audit_seed.empty()) {
    return Fail(err, "--audit-seed goes with --audit", kExitUsage);
  }

  std::optional<ServerProcess> server;  // when the rehearsal makes its own election
  std::string store;
  if (!o.urls.empty()) {
    if (o.codes.empty() || o.results.empty()) {
      return Fail(err, "--url needs --codes (the code sheet) and --results (what to report)",
                  kExitUsage);
    }
    for (const std::string& u : o.urls) {
      auto hp = ParseUrl(u);
      if (!hp.ok()) return Fail(err, hp.status().message(), kExitUsage);
      if (!ro.ports.empty() && hp->first != ro.host) {
        return Fail(err, "every --url must name the same host", kExitUsage);
      }
      ro.host = hp->first;
      ro.ports.push_back(hp->second);
    }
    auto codes = ReadFile(o.codes);
    if (!codes.ok()) return Fail(err, codes.status().message(), kExitUsage);
    ro.codes_csv = std::move(codes).value();
    auto input = LoadResultsFile(o.results);
    if (!input.ok()) return Fail(err, input.status().message(), kExitUsage);
    ro.input = std::move(input).value();
  } else {
    if (Status st = FreshDir(o.dir); !st.ok()) return Fail(err, st.message(), kExitUsage);
    store = o.dir + "/canvass.db";
    InitOptions init;
    init.store = store;
    init.codes_out = o.dir + "/codes.csv";
    init.fast_kdf = o.fast_kdf;
    init.data_dir = o.data_dir;
    if (iowa_demo) {
      const std::string d = o.data_dir + "/iowa-2020";
      auto election =
          LoadElectionFiles(d + "/results-first-complete-2020-02-08-long.csv",
                            d + "/apportionment.csv", d + "/county-congressional-district.csv");
      if (!election.ok()) return Fail(err, election.status().message());
      ro.input = std::move(election).value();
      init.demo = true;
      out << "Rehearsing the Iowa 2020 caucuses: the 8 February release, precinct by precinct.\n";
    } else {
      const std::string rules = o.demo ? std::string("nevada-dem-2020") : o.rules;
      auto ruleset = LoadRuleset(rules);
      if (!ruleset.ok()) return Fail(err, ruleset.status().message(), kExitUsage);
      simulate::Options so;
      so.precincts = o.simulate;
      so.candidates = o.candidates;
      so.seed = o.seed;
      // Nevada 2020: about 75,000 of some 105,000 caucus-goers voted early.
      if (ruleset->precinct.early_vote.enabled) so.early_votes_ppm = 700'000;
      if (!o.early_votes.empty()) {
        auto ppm = simulate::ParseFraction(o.early_votes);
        if (!ppm.ok()) return Fail(err, "--early-votes: " + ppm.status().message(), kExitUsage);
        if (*ppm > 0 && !ruleset->precinct.early_vote.enabled) {
          return Fail(err, "--early-votes: " + ruleset->name + " has no early vote", kExitUsage);
        }
        so.early_votes_ppm = *ppm;
      }
      std::vector<PrecinctApportionment> nevada;
      std::string apportionment = o.dir + "/apportionment.csv";
      if (o.demo) {
        // The party's own apportionment: 2,088 precincts, 14,675 county convention delegates;
        // the candidates who won delegates in 2020, in the order of their statewide result.
        apportionment = o.data_dir + "/nevada-2020/precinct-delegate-apportionment.csv";
        auto table = LoadApportionmentFile(apportionment);
        if (!table.ok()) return Fail(err, table.status().message());
        nevada = std::move(table).value();
        so.units = &nevada;
        so.candidate_names = {"Sanders", "Biden",     "Buttigieg",  "Warren",
                              "Steyer",  "Klobuchar", "Uncommitted"};
      }
      auto sim = simulate::Simulate(*ruleset, so);
      if (!sim.ok()) return Fail(err, sim.status().message(), kExitUsage);
      const std::string results = o.dir + "/results.csv";
      const std::string districts = o.dir + "/districts.csv";
      std::ofstream(results, std::ios::binary) << WriteResultsCsv(sim->election);
      if (!o.demo) {
        std::ofstream(apportionment, std::ios::binary)
            << WriteApportionmentCsv(sim->election.apportionment);
        std::ofstream(districts, std::ios::binary) << simulate::WriteDistrictsCsv(sim->election);
        init.districts = districts;
      }
      if (!sim->cards.empty()) {
        // Loaded by init once the election is set up, before any chair can log in.
        const std::string cards = o.dir + "/early-votes.csv";
        std::string text = WriteEarlyCardsCsv(sim->cards);
        std::ofstream(cards, std::ios::binary) << text;
        init.early_votes = cards;
        ro.early_votes_csv = std::move(text);
      } else if (ruleset->precinct.early_vote.enabled) {
        ro.early_votes_csv = std::string();  // and the ledger must hold none
      }
      const int64_t units = static_cast<int64_t>(sim->election.reports.size());
      init.rules = rules;
      // A hotline staffed for the election's size: one operator per 200 precincts, at least 4.
      init.operators = static_cast<int>(std::max<long long>(4, units / 200));
      init.apportionment = apportionment;
      init.results = results;
      init.name = o.demo ? std::string(
                               "Nevada Democratic caucuses, 22 February 2020 (demo: a "
                               "simulated count on the party's apportionment)")
                         : fmt::format("Simulated caucuses ({} precincts, seed {})", units, o.seed);
      ro.input = std::move(sim->election);
      ro.input_delegates_computed = true;
      const std::string cards_line =
          sim->cards.empty()
              ? std::string()
              : fmt::format(", {} early-vote cards ({} void)", sim->cards.size(), sim->void_cards);
      if (o.demo) {
        out << fmt::format(
            "Rehearsing the Nevada 2020 caucuses on the party's apportionment: {} precincts, a "
            "simulated count{}, seed {}.\n",
            units, cards_line, o.seed);
      } else {
        out << fmt::format(
            "Rehearsing a simulated election: {} precincts, {} candidates{}, seed "
            "{}.\n",
            units, ro.input.candidates.size(), cards_line, o.seed);
      }
    }
    std::ostringstream init_out;
    const auto t0 = std::chrono::steady_clock::now();
    if (int rc = RunInit(init, init_out, err); rc != kExitOk) return rc;
    out << fmt::format(
        "Set up in {} ({:.1f} s).\n", store,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    auto codes = ReadFile(init.codes_out);
    if (!codes.ok()) return Fail(err, codes.status().message());
    ro.codes_csv = std::move(codes).value();
    std::vector<std::string> serve_args = {"--store", store, "--threads",
                                           std::to_string(o.threads)};
    if (o.fast_kdf) serve_args.push_back("--fast-kdf");
    server.emplace("/proc/self/exe", o.dir, std::move(serve_args), "server", /*chdir=*/false);
    if (Status st = server->Start(); !st.ok()) return Fail(err, st.message());
    ro.ports.push_back(server->port());
    out << fmt::format("Server: http://127.0.0.1:{}/ (log in {})\n", server->port(),
                       server->log_path());
  }
  out << fmt::format("The night begins ({}).\n",
                     ro.compress > 0 ? fmt::format("about four hours, {}x faster", ro.compress)
                                     : std::string("as fast as the server answers"));
  out.flush();
  auto report = rehearse::RunRehearsal(ro);
  std::string rss;
  if (server) {
    if (auto kib = server->PeakRssKib()) {
      rss = fmt::format("{:.1f} MiB", static_cast<double>(*kib) / 1024);
    }
    server->Terminate();
  }
  if (!report.ok()) return Fail(err, report.status().message());
  out << "\n" << report->ToText();
  if (!o.json_out.empty()) {
    std::ofstream(o.json_out) << report->ToJson().dump(2) << "\n";
    out << "Report as JSON: " << o.json_out << "\n";
  }
  if (!rss.empty()) out << "Server peak RSS: " << rss << "\n";
  if (!store.empty()) {
    out << fmt::format(
        "\nThe rehearsed election stays in {}: `canvass serve --store {}` shows it in a browser, "
        "`canvass ledger verify --store {}` checks its ledger; codes in {}/codes.csv.\n",
        store, store, store, o.dir);
  }
  return report->ok() ? kExitOk : kExitFailure;
}

}  // namespace canvass
