#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/audit_command.h"
#include "cli/audit_review_command.h"
#include "cli/commands.h"
#include "cli/national_command.h"
#include "cli/one_shot.h"

namespace canvass {
namespace {

std::string DefaultDataDir() {
  if (const char* env = std::getenv("CANVASS_DATA_DIR")) return env;
  return std::string(CANVASS_SOURCE_DIR) + "/data";
}

void AddElectionFiles(CLI::App* cmd, ElectionFiles& f) {
  cmd->add_option("--rules", f.rules, "Ruleset name (see `canvass rules list`) or a .toml path")
      ->capture_default_str();
  cmd->add_option("--results", f.results,
                  "Results file: our CSV, the party's long or wide CSV, or the media feed JSON")
      ->required();
  cmd->add_option("--apportionment", f.apportionment,
                  "Apportionment CSV: ours, the IDP table or the Nevada table");
  cmd->add_option("--districts", f.districts, "County to congressional district CSV");
  cmd->add_flag("--json", f.json, "Print one JSON object (docs/cli.md)");
}

// A word where a command is expected that names none ("canvass frobnicate", "canvass ledger
// veify"): the message names the word and lists the commands there. Empty when the command line
// names known commands (CLI11 then reports anything else wrong with it).
std::string UnknownCommand(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string path = "canvass";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    std::vector<CLI::App*> commands = at->get_subcommands([](CLI::App*) { return true; });
    if (word.empty() || word[0] == '-' || commands.empty()) return "";
    CLI::App* found = nullptr;
    std::vector<std::string> names;
    for (CLI::App* c : commands) {
      names.push_back(c->get_name());
      if (c->check_name(word)) found = c;
    }
    if (found == nullptr) {
      return fmt::format("{}: unknown command \"{}\". The commands are: {} (`{} --help`)", path,
                         word, fmt::join(names, ", "), path);
    }
    at = found;
    path += " " + found->get_name();
  }
  return "";
}

}  // namespace

int RunCanvass(int argc, char** argv) {
  // `check` and `tabulate` read a whole election, work once and exit (src/cli/one_shot.h): their
  // process is prepared from the start, the command line's parser included, or, named after
  // other options, once parsed.
  const auto one_shot = [](std::string_view name) { return name == "check" || name == "tabulate"; };
  const bool prepared = argc > 1 && one_shot(argv[1]);
  if (prepared) PrepareOneShotCommand();
  CLI::App app{"canvass: caucus math, checks and tabulation from the published rules"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("canvass ") + CANVASS_VERSION);

  auto* rules = app.add_subcommand("rules", "List, show and validate rulesets");
  rules->require_subcommand(1);
  rules->add_subcommand("list", "List the shipped rulesets");
  std::string show_name;
  bool show_json = false;
  auto* show = rules->add_subcommand("show", "Print a ruleset with its content hash");
  show->add_option("name", show_name, "Ruleset name or .toml path")->required();
  show->add_flag("--json", show_json, "Print the canonical JSON the hash is taken of");
  std::vector<std::string> check_files;
  auto* rcheck = rules->add_subcommand("check", "Validate ruleset files");
  rcheck->add_option("files", check_files, "Ruleset .toml files")->required();

  AllocateOptions allocate;
  auto* alloc = app.add_subcommand(
      "allocate", "Compute one precinct's delegates and print the worksheet a chair fills in");
  alloc->add_option("--rules", allocate.rules, "Ruleset")->capture_default_str();
  alloc->add_option("--delegates,-D", allocate.delegates,
                    "Delegates the precinct elects (ignored for --satellite)");
  alloc->add_flag("--satellite", allocate.satellite, "A satellite site: D follows attendance");
  alloc->add_option("--attendance,-T", allocate.attendance,
                    "Attendance T, checked against the first alignment total");
  alloc
      ->add_option("--group,-g", allocate.groups,
                   "NAME=FIRST[:FINAL] head counts (repeat per group; FINAL defaults to FIRST)")
      ->required();
  alloc->add_option("--card", allocate.cards, "Early-vote ranked card, A>B>C (repeat per card)");
  alloc->add_option("--tie", allocate.ties,
                    "Recorded tie outcome, TIED,GROUPS->FAVOURED,GROUPS (repeat in order)");
  alloc->add_flag("--json", allocate.json, "Print JSON");

  ElectionFiles check_files_opts;
  auto* check = app.add_subcommand(
      "check", "Check every reported precinct against the rules; exit 1 on any error finding");
  AddElectionFiles(check, check_files_opts);

  ElectionFiles tab_files;
  auto* tab = app.add_subcommand(
      "tabulate", "Roll precincts up to counties, districts, state and national delegates");
  AddElectionFiles(tab, tab_files);

  NationalOptions national;
  auto* national_cmd = app.add_subcommand(
      "national", "The national delegate count: every state's pools, majorities, statuses");
  national_cmd->add_option("--rules", national.rules, "National ruleset")->capture_default_str();
  national_cmd->add_option("--delegates", national.delegates, "delegates.csv")->required();
  national_cmd->add_option("--votes", national.votes, "votes.csv")->required();
  national_cmd->add_option("--published", national.published, "published.csv, to check");
  national_cmd->add_flag("--json", national.json, "Machine output");

  DistrictsAnalyzeOptions districts;
  auto* districts_cmd =
      app.add_subcommand("districts", "Geographic distribution of a district's seats");
  districts_cmd->require_subcommand(1);
  auto* analyze_cmd = districts_cmd->add_subcommand(
      "analyze", "A sub-pool plan against the single pool: seats, bonus, Gallagher, EG*");
  analyze_cmd->add_option("--plan", districts.plan, "plan.csv (district,pool,seats)")->required();
  analyze_cmd->add_option("--votes", districts.votes, "votes.csv (pool,unit,candidate,votes)")
      ->required();
  analyze_cmd->add_option("--ratio", districts.ratio, "Seats-per-voter ratio that warns")
      ->capture_default_str();
  analyze_cmd->add_option("--lots", districts.lots, "Candidates in the order lots were drawn");
  analyze_cmd->add_flag("--json", districts.json, "Machine output");

  ConventionCountOptions convention;
  auto* convention_cmd = app.add_subcommand("convention", "Electing the people who fill the seats");
  convention_cmd->require_subcommand(1);
  auto* count_cmd = convention_cmd->add_subcommand(
      "count", "Count a convention's tallies or ranked ballots under a seat formula");
  count_cmd
      ->add_option("--formula", convention.formula,
                   "block, limited, cumulative, hare, droop, dhondt, sainte-lague, stv")
      ->required();
  count_cmd->add_option("--seats", convention.seats, "Seats to fill")->required();
  count_cmd->add_option("--ballots", convention.ballots, "option,votes or count,ranking CSV")
      ->required();
  count_cmd->add_option("--nominees", convention.nominees, "list,name,gender CSV");
  count_cmd->add_option("--votes-per-voter", convention.votes_per_voter,
                        "Limited voting: marks per voter");
  count_cmd->add_option("--lots", convention.lots, "Options in the order lots were drawn");
  count_cmd->add_flag("--equal-division", convention.equal_division,
                      "Balance the delegation's gender by swapping within lists");
  count_cmd->add_option("--variance", convention.variance, "Largest women/men difference allowed")
      ->capture_default_str();
  count_cmd
      ->add_option("--non-binary", convention.non_binary,
                   "outside: on neither side (default); either: on the smaller side")
      ->capture_default_str();
  count_cmd->add_flag("--json", convention.json, "Machine output");
  ConventionRecordOptions conv_record;
  auto* conv_record_cmd = convention_cmd->add_subcommand(
      "record", "Write a convention event to a store's ledger (docs/ledger-format.md)");
  conv_record_cmd->add_option("--store", conv_record.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  conv_record_cmd
      ->add_option("--event", conv_record.event, "procedure-published, delegate-filed, ...")
      ->required();
  conv_record_cmd
      ->add_option("--payload", conv_record.payload, "The event's JSON payload, or @FILE")
      ->required();
  conv_record_cmd->add_option("--campaign", conv_record.campaign,
                              "Write it as this candidate's campaign (filer-reviewed)");
  ConventionShowOptions conv_show;
  auto* conv_show_cmd = convention_cmd->add_subcommand(
      "show", "A convention on the ledger: procedures, stages, filers, results");
  conv_show_cmd->add_option("--store", conv_show.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  conv_show_cmd->add_option("--convention", conv_show.convention, "Its name")->required();
  conv_show_cmd->add_flag("--json", conv_show.json, "Machine output");
  ConventionVotersOptions conv_voters;
  auto* conv_voters_cmd = convention_cmd->add_subcommand(
      "voters", "Issue a convention's voter codes (one voters-issued event) to a CSV");
  conv_voters_cmd->add_option("--store", conv_voters.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  conv_voters_cmd->add_option("--convention", conv_voters.convention, "Its name")->required();
  conv_voters_cmd->add_option("--pool", conv_voters.pool, "One pool (default: every pool)");
  conv_voters_cmd->add_option("--count", conv_voters.count, "How many codes (1 to 500)")
      ->required();
  conv_voters_cmd->add_option("--out", conv_voters.out, "Where to write the codes CSV")->required();
  conv_voters_cmd->add_flag("--fast-kdf", conv_voters.fast_kdf, "Cheapest Argon2id (tests only)");

  ConvertOptions convert;
  auto* conv = app.add_subcommand("convert", "Write results or apportionment in our CSV formats");
  conv->add_option("--results", convert.results, "Results file in any supported format");
  conv->add_option("--apportionment", convert.apportionment, "Apportionment in any format");
  conv->add_option("--districts", convert.districts, "County to district CSV");
  conv->add_option("--results-out", convert.results_out, "Where to write our results CSV");
  conv->add_option("--apportionment-out", convert.apportionment_out,
                   "Where to write our apportionment CSV");

  SimulateOptions simulate;
  auto* sim = app.add_subcommand("simulate", "Generate a synthetic election, reproducible by seed");
  sim->add_option("--rules", simulate.rules, "Ruleset")->capture_default_str();
  sim->add_option("--precincts", simulate.precincts, "Reporting units, satellites included")
      ->required()
      ->check(CLI::Range(1LL, 10'000'000LL));
  sim->add_option("--candidates", simulate.candidates, "Candidates")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sim->add_option("--counties", simulate.counties, "Counties (default: one per 17 precincts)")
      ->check(CLI::Range(1, 100'000));
  sim->add_option("--seed", simulate.seed, "The seed: the same seed gives the same files")
      ->capture_default_str();
  sim->add_option("--satellites", simulate.satellites, "Share of units that are satellites")
      ->capture_default_str();
  sim->add_option("--ties", simulate.ties, "Share of precincts built to tie exactly")
      ->capture_default_str();
  sim->add_option("--errors", simulate.errors, "Share of units given one worksheet error")
      ->capture_default_str();
  sim->add_option("--early-votes", simulate.early_votes,
                  "Share of attendance voting early on ranked cards (rulesets with early vote)");
  sim->add_option("--early-votes-out", simulate.early_votes_out,
                  "The cards file (default: the results file's name ending -early-votes.csv)");
  sim->add_option("--results-out", simulate.results_out, "Our results CSV")->required();
  sim->add_option("--apportionment-out", simulate.apportionment_out, "Our apportionment CSV")
      ->required();
  sim->add_option("--districts-out", simulate.districts_out, "County to district CSV");

  std::string data_dir = DefaultDataDir();
  auto* demo = app.add_subcommand("demo", "Check and tabulate the real Iowa 2020 releases");
  demo->add_option("--data", data_dir, "The data directory")->capture_default_str();

  InitOptions init;
  init.data_dir = data_dir;
  auto* init_cmd = app.add_subcommand("init", "Set up an election in a store, with access codes");
  init_cmd->add_option("--store", init.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  init_cmd->add_flag("--demo", init.demo, "The real Iowa 2020 election (1,765 units, no results)");
  init_cmd->add_option("--data", init.data_dir, "The data directory (for --demo)");
  init_cmd->add_option("--rules", init.rules, "Ruleset")->capture_default_str();
  init_cmd->add_option("--apportionment", init.apportionment, "Apportionment CSV (any format)");
  init_cmd->add_option("--districts", init.districts, "County to district CSV");
  init_cmd->add_option("--candidate", init.candidates, "A candidate (repeat)");
  init_cmd->add_option("--candidates-from", init.results,
                       "Take the candidates from a results file");
  init_cmd->add_option("--name", init.name, "The election's name");
  init_cmd->add_option("--operators", init.operators, "Hotline operator accounts")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  init_cmd->add_option("--codes-out", init.codes_out, "Where to write the access codes CSV");
  init_cmd->add_flag("--fast-kdf", init.fast_kdf, "Cheapest Argon2id (tests only)");
  init_cmd->add_option("--early-votes", init.early_votes,
                       "Early-vote cards CSV (docs/formats.md), loaded after the setup");
  init_cmd->add_option("--signing-key-file", init.signing_key_file,
                       "Where to write the secret release signing key (default <store>.sign)");

  ServeOptions serve;
  serve.data_dir = data_dir;
  auto* serve_cmd = app.add_subcommand("serve", "Run the reporting server");
  serve_cmd->add_option("--store,--database", serve.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  serve_cmd->add_flag("--demo", serve.demo,
                      "Set up the Iowa 2020 demo election if the store is empty");
  serve_cmd->add_option("--data", serve.data_dir, "The data directory (for --demo)");
  serve_cmd->add_option("--codes-out", serve.codes_out, "Where --demo writes the access codes");
  serve_cmd->add_option("--address", serve.address, "Address to listen on")->capture_default_str();
  serve_cmd->add_option("--port", serve.port, "Port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--threads", serve.threads, "I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve_cmd->add_option("--session-key-file", serve.session_key_file,
                        "Key that signs sessions (share it between nodes)");
  serve_cmd->add_option("--signing-key-file", serve.signing_key_file,
                        "The secret release signing key (default <store>.sign)");
  serve_cmd->add_option("--port-file", serve.port_file, "Write the bound port to this file");
  serve_cmd->add_flag("--fast-kdf", serve.fast_kdf, "Cheapest Argon2id (tests only)");
  serve_cmd->add_flag("--no-rate-limits", serve.no_rate_limits,
                      "No per-address or per-account limits (load tests from one address)");
  serve_cmd->add_option("--web", serve.web_dir,
                        "The built web front end to serve at / (default: web/dist of the source)");
  serve_cmd
      ->add_option("--national-rules", serve.national_rules,
                   "National ruleset of GET /api/v1/national")
      ->capture_default_str();
  serve_cmd
      ->add_option("--national-state", serve.national_state,
                   "The election's state as the national delegates file names it")
      ->capture_default_str();
  serve_cmd->add_option("--national-delegates", serve.national_delegates,
                        "Every state's pools (delegates.csv) for the live national count");
  serve_cmd->add_option("--national-votes", serve.national_votes,
                        "The other states' votes (votes.csv); needs --national-delegates");
  serve_cmd->add_option("--national-calendar", serve.national_calendar,
                        "Each state's contest date (state,date); needs --national-delegates");

  RehearseOptions rehearse;
  auto* rehearse_cmd = app.add_subcommand(
      "rehearse", "Run a caucus night against the server: chairs, hotline, faults, reconciliation");
  auto* rehearse_demo =
      rehearse_cmd
          ->add_option("--demo", rehearse.demo_name,
                       "iowa (default): the real Iowa 2020 night, replayed; nevada: a simulated "
                       "count and early-vote cards on Nevada's 2020 apportionment (in --dir)")
          ->expected(0, 1)
          ->default_str("iowa")
          ->check(CLI::IsMember({"iowa", "nevada"}));
  rehearse_cmd
      ->add_option("--simulate", rehearse.simulate,
                   "A simulated election of this many precincts (in --dir)")
      ->check(CLI::Range(1LL, 1'000'000LL));
  rehearse_cmd->add_option("--candidates", rehearse.candidates, "Of the simulated election")
      ->check(CLI::Range(2, 64))
      ->capture_default_str();
  rehearse_cmd->add_option("--rules", rehearse.rules, "Ruleset of the simulated election")
      ->capture_default_str();
  rehearse_cmd->add_option("--early-votes", rehearse.early_votes,
                           "Share of attendance voting early on ranked cards (rulesets with early "
                           "vote; default 0.7)");
  rehearse_cmd->add_option("--dir", rehearse.dir, "Where the rehearsal's election is made")
      ->capture_default_str();
  rehearse_cmd->add_option("--url", rehearse.urls,
                           "A running server, http://HOST:PORT (repeat for several nodes)");
  rehearse_cmd->add_option("--codes", rehearse.codes, "The running election's code sheet");
  rehearse_cmd->add_option("--results", rehearse.results, "What its precincts report");
  rehearse_cmd->add_option("--seed", rehearse.seed, "Faults, arrival times, simulated election")
      ->capture_default_str();
  rehearse_cmd
      ->add_option("--compress", rehearse.compress, "How much faster than the real evening, or max")
      ->capture_default_str();
  rehearse_cmd->add_option("--workers", rehearse.workers, "Phones in flight at once")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  rehearse_cmd
      ->add_option("--faults", rehearse.faults, "default, none, or NAME=FRACTION,... (docs/cli.md)")
      ->capture_default_str();
  rehearse_cmd
      ->add_option("--publish", rehearse.publish, "Policy: interval:N, each-report, manual or keep")
      ->capture_default_str();
  rehearse_cmd->add_flag("!--no-photos", rehearse.photos, "Chairs attach no photo");
  rehearse_cmd->add_flag("--attack", rehearse.attack,
                         "Floods, malformed and oversized requests, slowloris, guessed codes, "
                         "readers and subscribers while the chairs report");
  rehearse_cmd->add_option("--readers", rehearse.readers, "Public readers during --attack")
      ->capture_default_str();
  rehearse_cmd
      ->add_option("--subscribers", rehearse.subscribers,
                   "Event-stream subscribers during --attack")
      ->capture_default_str();
  rehearse_cmd->add_option("--give-up", rehearse.give_up, "Seconds a submission is retried")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  rehearse_cmd->add_option("--threads", rehearse.threads, "The started server's io threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  rehearse_cmd->add_flag("--fast-kdf", rehearse.fast_kdf,
                         "Cheapest Argon2id for the codes (large rehearsals only)");
  rehearse_cmd->add_option("--json", rehearse.json_out, "Also write the report as JSON here");
  rehearse_cmd->add_flag("--recanvass", rehearse.recanvass,
                         "After the night, the 2020 recanvass against the certified record");
  rehearse_cmd->add_option("--certified", rehearse.certified,
                           "The certified record for --recanvass (--demo: Iowa's of 7 April 2020)");
  rehearse_cmd->add_flag("--audit", rehearse.audit,
                         "Then a risk-limiting audit: start, seed, tally the drawn precincts");
  rehearse_cmd->add_option("--risk-limit", rehearse.risk_limit, "The audit's risk limit, percent")
      ->capture_default_str();
  rehearse_cmd->add_option("--audit-seed", rehearse.audit_seed,
                           "The audit's public seed (default: rehearsal-SEED)");
  rehearse_cmd
      ->add_option("--audit-tallies", rehearse.audit_tallies,
                   "In a full hand count, how many precincts the rehearsal tallies")
      ->check(CLI::Range(0LL, 1000000LL))
      ->capture_default_str();
  rehearse_cmd
      ->add_option("--inject-shift", rehearse.inject_shift,
                   "This many chairs report one column off; each must be held until resolved")
      ->check(CLI::Range(0LL, 1000LL));

  LedgerOptions ledger;
  auto* ledger_cmd = app.add_subcommand("ledger", "Verify or export the ledger");
  ledger_cmd->require_subcommand(1);
  auto* verify_cmd = ledger_cmd->add_subcommand("verify", "Check the hash chain and replay it");
  verify_cmd->add_option("--store", ledger.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  verify_cmd->add_option("--file", ledger.file, "A JSON Lines export instead of a store");
  verify_cmd->add_option("--expect-head", ledger.expect_head,
                         "SEQ:HASH the chain must reach (from a receipt or a release)");
  verify_cmd->add_flag("--json", ledger.json, "Print JSON");
  auto* export_cmd = ledger_cmd->add_subcommand("export", "Write the ledger as JSON Lines");
  export_cmd->add_option("--store", ledger.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  export_cmd->add_option("--out", ledger.out, "Output file (default: standard output)");

  CredentialsOptions creds;
  auto* creds_cmd = app.add_subcommand("credentials", "Manage access codes");
  creds_cmd->require_subcommand(1);
  auto* reissue_cmd =
      creds_cmd->add_subcommand("reissue", "Revoke an access code and print a new one");
  reissue_cmd->add_option("--store", creds.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  reissue_cmd->add_option("--role", creds.role, "chair, operator, campaign or admin")->required();
  reissue_cmd
      ->add_option("--subject", creds.subject, "Precinct number, operator name, candidate or admin")
      ->required();
  reissue_cmd->add_flag("--fast-kdf", creds.fast_kdf, "Cheapest Argon2id (tests only)");

  EarlyVotesLoadOptions early;
  auto* early_cmd = app.add_subcommand("early-votes", "Early-vote ranked cards (Nevada)");
  early_cmd->require_subcommand(1);
  auto* early_load_cmd = early_cmd->add_subcommand(
      "load", "Load a cards file onto the ledger, one event per precinct, before its report");
  early_load_cmd->add_option("--store", early.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  early_load_cmd->add_option("--file", early.file, "Early-vote cards CSV (docs/formats.md)")
      ->required();

  PublishOptions publish;
  auto* publish_cmd = app.add_subcommand(
      "publish", "Publish a signed release if the ledger moved, and write the static site");
  publish_cmd->add_option("--store", publish.store, "SQLite file or postgresql:// URL")
      ->capture_default_str();
  publish_cmd->add_option("--out", publish.out, "The site's directory")->required();
  publish_cmd->add_option("--key", publish.key_file, "The secret signing key file");
  ReleaseVerifyOptions rverify;
  auto* release_cmd = app.add_subcommand("release", "Check published releases");
  release_cmd->require_subcommand(1);
  auto* rverify_cmd = release_cmd->add_subcommand(
      "verify", "Check a release's signature and files; rebuild it from the ledger export");
  rverify_cmd->add_option("--release", rverify.release, "release-N.json");
  rverify_cmd->add_option("--signature", rverify.signature, "Default: release-N.json.sig");
  rverify_cmd->add_option("--key", rverify.key, "election.pub (default: the ledger's key)");
  rverify_cmd->add_option("--ledger", rverify.ledger, "ledger.jsonl: rebuild the release from it");
  rverify_cmd->add_option("--csv", rverify.precincts_csv, "release-N-precincts.csv");
  rverify_cmd->add_option("--totals-csv", rverify.totals_csv, "release-N-totals.csv");
  rverify_cmd->add_option("--cdf", rverify.cdf, "release-N-cdf.json");
  rverify_cmd->add_option("--precinct", rverify.precinct,
                          "Check this precinct's proof (--proof) instead of a whole release");
  rverify_cmd->add_option("--proof", rverify.proof, "A precinct's proof (release prove)");
  rverify_cmd->add_option("--record", rverify.record,
                          "The precinct's record as kept, compared with the proof's");
  rverify_cmd->add_flag("--json", rverify.json, "Print JSON");
  ReleaseProveOptions rprove;
  auto* rprove_cmd = release_cmd->add_subcommand(
      "prove", "A precinct's record in a release with its Merkle inclusion path");
  rprove_cmd->add_option("--release", rprove.release, "release-N.json")->required();
  rprove_cmd->add_option("--precinct", rprove.precinct, "The precinct's id")->required();
  rprove_cmd->add_option("--out", rprove.out,
                         "Write the proof, record, path and root statement into DIR");

  AuditOptions audit;
  auto* audit_cmd = app.add_subcommand(
      "audit", "Recanvass and recount on the ledger, materiality, eligibility and the RLA");
  audit_cmd->require_subcommand(1);
  auto* materiality_cmd = audit_cmd->add_subcommand(
      "materiality",
      "Every precinct's bound u_p and the smallest change that alters a national "
      "delegate (docs/audit.md)");
  AddElectionFiles(materiality_cmd, audit.files);
  materiality_cmd->add_flag("--computed", audit.computed,
                            "Use the SDEs the rules give, not the reported ones");
  AnomalyOptions anomalies;
  auto* anomalies_cmd = audit_cmd->add_subcommand(
      "anomalies", "Duplicated records, column shifts and release deltas (docs/audit.md)");
  AddElectionFiles(anomalies_cmd, anomalies.files);
  anomalies_cmd->add_option("--previous", anomalies.previous,
                            "Earlier releases' results files, oldest first (repeat)");
  anomalies_cmd->add_option("--corrected", anomalies.corrected,
                            "COUNTY/PRECINCT corrected on the record between releases (repeat)");
  anomalies_cmd->add_option("--shift-reference", anomalies.shift_reference,
                            "Results file whose counties give the shares (default: the results)");
  anomalies_cmd->add_option("--ballot-order", anomalies.ballot_order,
                            "Candidates as the form lists them, comma-separated");
  anomalies_cmd->add_option("--duplicate-above", anomalies.duplicate_above,
                            "Duplicates count above this many attendees (default: the ruleset's "
                            "[anomaly] duplicate_above, else 10)");
  anomalies_cmd->add_option("--shift-threshold", anomalies.shift_threshold,
                            "Column-shift scores above this many nats are flagged (default: the "
                            "ruleset's [anomaly] shift_threshold_nats, else 50)");
  auto* eligibility_cmd = audit_cmd->add_subcommand(
      "eligibility", "Substitute claimed figures for one precinct: does a national delegate move?");
  AddElectionFiles(eligibility_cmd, audit.files);
  eligibility_cmd->add_flag("--computed", audit.computed,
                            "Use the SDEs the rules give, not the reported ones");
  eligibility_cmd->add_option("--county", audit.county, "The precinct's county")->required();
  eligibility_cmd->add_option("--precinct", audit.precinct, "The precinct")->required();
  eligibility_cmd
      ->add_option("--claim", audit.claims,
                   "CANDIDATE.FIELD=VALUE, FIELD first, final, delegates or sde (repeat)")
      ->required();

  AuditRlaOptions rla;
  auto* rla_cmd = audit_cmd->add_subcommand(
      "rla", "Risk-limiting audit of the national delegates: bounds, sample, P-value, decision");
  AddElectionFiles(rla_cmd, rla.files);
  rla_cmd->add_flag("--computed", rla.computed,
                    "Use the SDEs the rules give, not the reported ones");
  rla_cmd->add_option("--risk-limit", rla.risk_limit, "Risk limit in percent")
      ->capture_default_str();
  rla_cmd->add_option("--seed", rla.seed, "The public seed that draws the sample");
  rla_cmd->add_option("--tallies", rla.tallies, "Audited tallies CSV (docs/formats.md)");
  // The same audit on a store's ledger (docs/audit.md "The audit on the ledger"); the files above
  // are then not needed.
  rla_cmd->get_option("--results")->required(false);
  AuditReviewOptions rla_ledger;
  auto* rla_start_cmd = rla_cmd->add_subcommand(
      "start", "Start the audit on a store: the reported results as they stand are audited");
  rla_start_cmd->add_option("--risk-limit", rla_ledger.risk_limit, "Risk limit in percent")
      ->capture_default_str();
  auto* rla_seed_cmd = rla_cmd->add_subcommand(
      "seed", "Enter the public seed (once, after the start): it draws the sample");
  rla_seed_cmd->add_option("--seed", rla_ledger.seed, "The seed, as drawn in public")->required();
  auto* rla_tally_cmd = rla_cmd->add_subcommand(
      "tally", "Enter a drawn precinct's audited tally: the cards' sorts, delegates, or missing");
  rla_tally_cmd->alias("record");
  rla_tally_cmd->add_option("--precinct", rla_ledger.precinct, "The precinct (its id)")->required();
  rla_tally_cmd->add_option("--cards", rla_ledger.cards, "Preference cards counted (T')");
  rla_tally_cmd->add_option("--first", rla_ledger.first, "The first-preference sort, NAME=N,...");
  rla_tally_cmd->add_option("--final", rla_ledger.final, "The second-preference sort, NAME=N,...");
  rla_tally_cmd->add_option("--delegates", rla_ledger.delegates,
                            "County delegates as audited, NAME=N,... (else from the sorts)");
  rla_tally_cmd->add_flag("--unauditable", rla_ledger.unauditable,
                          "The card packet is missing or short");
  rla_tally_cmd->add_option("--custody", rla_ledger.custody, "What is wrong with the packet");
  rla_tally_cmd->add_option("--photo", rla_ledger.photo, "SHA-256 of the tally sheet's photo");
  auto* rla_status_cmd = rla_cmd->add_subcommand(
      "status", "The audit on a store: assertions, seed, draws, P-value and decision");
  rla_status_cmd->add_flag("--json", rla_ledger.json, "Print JSON (GET /api/v1/audit/rla)");
  auto* rla_sample_cmd = rla_cmd->add_subcommand(
      "sample", "The sample the seed has drawn so far: every draw, its precinct and its tally");
  rla_sample_cmd->add_flag("--json", rla_ledger.json, "Print the draws as JSON");
  for (auto* c : {rla_start_cmd, rla_seed_cmd, rla_tally_cmd, rla_status_cmd, rla_sample_cmd}) {
    c->add_option("--store", rla_ledger.store, "The store (SQLite file or postgresql://)")
        ->required();
  }

  // After the night, on a store's ledger (docs/audit.md "Requests and decisions").
  AuditReviewOptions review;
  auto* record_cmd = audit_cmd->add_subcommand(
      "record", "The recanvass and recount record of a store: requests, decisions, entries");
  auto* request_cmd = audit_cmd->add_subcommand(
      "request", "Record a recanvass or recount request (the JSON of POST /api/v1/reviews)");
  auto* decide_cmd =
      audit_cmd->add_subcommand("decide", "The party's decision on one precinct of a request");
  auto* recanvass_cmd = audit_cmd->add_subcommand(
      "recanvass", "Enter a precinct's signed worksheet under an accepted recanvass");
  auto* recount_cmd = audit_cmd->add_subcommand(
      "recount", "Enter a precinct's recount: the cards counted and sorted, or a missing packet");
  auto* costs_cmd = audit_cmd->add_subcommand(
      "costs", "The requesting campaign accepts or declines the costs of an accepted precinct");
  auto* schedule_cmd = audit_cmd->add_subcommand(
      "schedule", "When and where the party opens an accepted precinct's packet");
  auto* certify_cmd = audit_cmd->add_subcommand(
      "certify", "The party certifies the results (after every accepted request is closed)");
  certify_cmd->add_option("--reason", review.reason, "Who certifies, by what decision")->required();
  recount_cmd->add_option("--cards", review.cards, "Preference cards counted (T')");
  recount_cmd->add_option("--first", review.first, "The first-preference sort, NAME=N,...");
  recount_cmd->add_option("--final", review.final, "The second-preference sort, NAME=N,...");
  recount_cmd->add_flag("--unauditable", review.unauditable, "The packet is missing or short");
  recount_cmd->add_option("--custody", review.custody, "What is wrong with the packet");
  for (auto* c : {record_cmd, request_cmd, decide_cmd, recanvass_cmd, recount_cmd, certify_cmd,
                  costs_cmd, schedule_cmd}) {
    c->add_option("--store", review.store, "The store (SQLite file or postgresql://)")->required();
  }
  record_cmd->add_flag("--json", review.json, "Print JSON (GET /api/v1/audit)");
  request_cmd->add_option("--file", review.file, "The request, as JSON")->required();
  request_cmd->add_option("--campaign", review.campaign,
                          "The candidate whose written request this is");
  for (auto* c : {decide_cmd, recanvass_cmd, recount_cmd, costs_cmd, schedule_cmd}) {
    c->add_option("--request", review.request, "The request (its ledger seq)")->required();
    c->add_option("--precinct", review.precinct, "The precinct (its id)")->required();
  }
  for (auto* c : {recanvass_cmd, recount_cmd}) {
    c->add_option("--observers", review.observers,
                  "The campaigns whose observers were present, NAME,NAME");
  }
  costs_cmd->add_option("--campaign", review.campaign, "The campaign that filed the request")
      ->required();
  costs_cmd->add_flag("--accept", review.accept, "Accept the costs");
  costs_cmd->add_flag("--decline", review.refuse, "Decline them (the precinct is withdrawn)");
  schedule_cmd->add_option("--at", review.at, "When, YYYY-MM-DDTHH:MM:SS.mmmZ")->required();
  schedule_cmd->add_option("--place", review.place, "Where")->required();
  decide_cmd->add_flag("--accept", review.accept, "Accept the precinct");
  decide_cmd->add_flag("--refuse", review.refuse, "Refuse the precinct");
  decide_cmd->add_option("--reason", review.reason, "Why")->required();
  decide_cmd->add_option("--cost", review.cost, "The cost the campaign pays (\"350.00\")");
  recanvass_cmd->add_option("--first", review.first, "The worksheet's first alignment, NAME=N,...")
      ->required();
  recanvass_cmd->add_option("--final", review.final, "Its final alignment, NAME=N,...");
  recanvass_cmd->add_option("--delegates", review.delegates, "Its delegates, NAME=N,...");
  recanvass_cmd->add_option("--photo", review.photo, "SHA-256 of the worksheet's photo");
  recanvass_cmd->add_option("--note", review.note, "A note");

  if (std::string unknown = UnknownCommand(app, argc, argv); !unknown.empty()) {
    std::cerr << unknown << "\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  std::ostream& out = std::cout;
  std::ostream& err = std::cerr;
  if (rules->got_subcommand("list")) return RunRulesList(out);
  if (*show) return RunRulesShow(show_name, show_json, out, err);
  if (*rcheck) return RunRulesCheck(check_files, out, err);
  if (*alloc) return RunAllocate(allocate, out, err);
  if ((*check || *tab) && !prepared) PrepareOneShotCommand();
  if (*check) return RunCheck(check_files_opts, out, err);
  if (*tab) return RunTabulate(tab_files, out, err);
  if (*national_cmd) return RunNational(national, out, err);
  if (*analyze_cmd) return RunDistrictsAnalyze(districts, out, err);
  if (*count_cmd) return RunConventionCount(convention, out, err);
  if (*conv_record_cmd) return RunConventionRecord(conv_record, out, err);
  if (*conv_show_cmd) return RunConventionShow(conv_show, out, err);
  if (*conv_voters_cmd) return RunConventionVoters(conv_voters, out, err);
  if (*conv) return RunConvert(convert, out, err);
  if (*sim) return RunSimulate(simulate, out, err);
  if (*demo) return RunDemo(data_dir, out, err);
  if (*init_cmd) {
    if (!*init_cmd->get_option("--data")) init.data_dir = data_dir;
    return RunInit(init, out, err);
  }
  if (*serve_cmd) {
    if (!*serve_cmd->get_option("--data")) serve.data_dir = data_dir;
    return RunServe(serve, out, err);
  }
  if (*rehearse_cmd) {
    rehearse.data_dir = data_dir;
    rehearse.demo = rehearse_demo->count() > 0;
    return RunRehearse(rehearse, out, err);
  }
  if (*verify_cmd) return RunLedgerVerify(ledger, out, err);
  if (*export_cmd) return RunLedgerExport(ledger, out, err);
  if (*reissue_cmd) return RunCredentialsReissue(creds, out, err);
  if (*early_load_cmd) return RunEarlyVotesLoad(early, out, err);
  if (*publish_cmd) return RunPublish(publish, out, err);
  if (*rverify_cmd) return RunReleaseVerify(rverify, out, err);
  if (*rprove_cmd) return RunReleaseProve(rprove, out, err);
  if (*materiality_cmd) return RunAuditMateriality(audit, out, err);
  if (*eligibility_cmd) return RunAuditEligibility(audit, out, err);
  if (*anomalies_cmd) return RunAuditAnomalies(anomalies, out, err);
  if (*rla_start_cmd) return RunAuditRlaStart(rla_ledger, out, err);
  if (*rla_seed_cmd) return RunAuditRlaSeed(rla_ledger, out, err);
  if (*rla_tally_cmd) return RunAuditRlaTally(rla_ledger, out, err);
  if (*rla_status_cmd) return RunAuditRlaStatus(rla_ledger, out, err);
  if (*rla_sample_cmd) return RunAuditRlaSample(rla_ledger, out, err);
  if (*rla_cmd) return RunAuditRla(rla, out, err);
  if (*record_cmd) return RunAuditRecord(review, out, err);
  if (*request_cmd) return RunAuditRequest(review, out, err);
  if (*decide_cmd) return RunAuditDecide(review, out, err);
  if (*recanvass_cmd) return RunAuditRecanvass(review, out, err);
  if (*recount_cmd) return RunAuditRecount(review, out, err);
  if (*certify_cmd) return RunAuditCertify(review, out, err);
  if (*costs_cmd) return RunAuditCosts(review, out, err);
  if (*schedule_cmd) return RunAuditSchedule(review, out, err);
  return kExitUsage;
}

}  // namespace canvass
