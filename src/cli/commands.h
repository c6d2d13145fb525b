// The `canvass` command line: one function per subcommand, wired together by RunCanvass.
//
// Exit codes, for every subcommand: 0 ok; 1 error findings, or the work failed; 2 usage (bad
// options, unreadable or malformed input named with file, line and column).
//
// Thread-safety: runs on the calling thread; writes to the given streams.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace canvass {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Parses argv and runs the subcommand.
int RunCanvass(int argc, char** argv);

struct ElectionFiles {
  std::string rules = "iowa-dem-2020";
  std::string results;
  std::string apportionment;  // optional
  std::string districts;      // optional
  bool json = false;
};

int RunRulesList(std::ostream& out);
int RunRulesShow(const std::string& name, bool json, std::ostream& out, std::ostream& err);
int RunRulesCheck(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

struct AllocateOptions {
  std::string rules = "iowa-dem-2020";
  std::optional<long long> delegates;  // required unless satellite
  bool satellite = false;
  std::optional<long long> attendance;
  std::vector<std::string> groups;  // NAME=FIRST[:FINAL]
  std::vector<std::string> cards;   // A>B>C  (Nevada early-vote ranked cards)
  std::vector<std::string> ties;    // A,B->A  (tied groups -> favoured groups)
  bool json = false;
};
int RunAllocate(const AllocateOptions& options, std::ostream& out, std::ostream& err);

int RunCheck(const ElectionFiles& files, std::ostream& out, std::ostream& err);
int RunTabulate(const ElectionFiles& files, std::ostream& out, std::ostream& err);

struct ConvertOptions {
  std::string results;            // any results format
  std::string apportionment;      // any apportionment format (optional)
  std::string districts;          // optional: fills districts into the apportionment written
  std::string results_out;        // write our results CSV here
  std::string apportionment_out;  // write our apportionment CSV here
};
int RunConvert(const ConvertOptions& options, std::ostream& out, std::ostream& err);

// Setting up an election in a store (`canvass init`).
struct InitOptions {
  std::string store = "canvass.db";  // SQLite path or postgresql:// URL
  bool demo = false;                 // the real Iowa 2020 election, from data_dir
  std::string data_dir;
  std::string rules = "iowa-dem-2020";
  std::string apportionment;
  std::string districts;
  std::string results;                  // candidates from a results file, when not named
  std::vector<std::string> candidates;  // --candidate, repeated
  std::string name;
  int operators = 4;
  std::string codes_out;  // default canvass-codes.csv
  bool fast_kdf = false;  // the cheapest Argon2id (tests, rehearsals); never for a real night
  std::string signing_key_file;  // default: DefaultSigningKeyFile(store)
  std::string early_votes;       // early-vote cards file, loaded after the election is set up
};
int RunInit(const InitOptions& options, std::ostream& out, std::ostream& err);

// `canvass early-votes load`: the cards file onto an election's ledger (src/cli/early_votes.h).
struct EarlyVotesLoadOptions {
  std::string store = "canvass.db";
  std::string file;
};
int RunEarlyVotesLoad(const EarlyVotesLoadOptions& options, std::ostream& out, std::ostream& err);

struct ServeOptions {
  std::string store = "canvass.db";
  bool demo = false;  // set up the Iowa 2020 demo election when the store is empty
  std::string data_dir;
  std::string codes_out;
  std::string address = "127.0.0.1";
  int port = 8080;
  int threads = 2;
  std::string session_key_file;  // default: <store>.key (SQLite) or canvass-session.key
  std::string port_file;         // write the bound port here (for --port 0)
  bool fast_kdf = false;
  bool no_rate_limits = false;  // load tests from one address
  std::string web_dir;          // the built front end served at /; empty: <source>/web/dist
  // GET /api/v1/national (api/national.h): the national ruleset, the election's state, and the
  // other states' files (all optional: the election's state alone under dnc-2020).
  std::string national_rules = "dnc-2020";
  std::string national_state = "Iowa";
  std::string national_delegates, national_votes, national_calendar;

  std::string signing_key_file;  // default: DefaultSigningKeyFile(store); absent: no publishing
};
int RunServe(const ServeOptions& options, std::ostream& out, std::ostream& err);

struct LedgerOptions {
  std::string store = "canvass.db";
  std::string file;         // verify a JSON Lines export instead of a store
  std::string expect_head;  // SEQ:HASH the chain must reach
  std::string out;          // export destination ("-" or empty: standard output)
  bool json = false;
};
int RunLedgerVerify(const LedgerOptions& options, std::ostream& out, std::ostream& err);
int RunLedgerExport(const LedgerOptions& options, std::ostream& out, std::ostream& err);

struct CredentialsOptions {
  std::string store = "canvass.db";
  std::string role;
  std::string subject;
  bool fast_kdf = false;
};
int RunCredentialsReissue(const CredentialsOptions& options, std::ostream& out, std::ostream& err);

// Releases (docs/releases.md). The secret signing key lives beside the store:
// <store>.sign for SQLite, canvass-sign.key for PostgreSQL.
std::string DefaultSigningKeyFile(const std::string& store);
struct PublishOptions {
  std::string store = "canvass.db";
  std::string out;       // the static site's directory
  std::string key_file;  // default: DefaultSigningKeyFile(store)
};
int RunPublish(const PublishOptions& options, std::ostream& out, std::ostream& err);
struct ReleaseVerifyOptions {
  std::string release;                         // release-N.json
  std::string signature;                       // default: release-N.json.sig beside it
  std::string key;                             // election.pub; default: the ledger's signing key
  std::string ledger;                          // ledger.jsonl: rebuild the release from it
  std::string precincts_csv, totals_csv, cdf;  // default: the declared names beside the release
  // --precinct: check one precinct's proof instead (O(log n), no release needed).
  long long precinct = 0;
  std::string proof;   // the proof JSON (`release prove`, GET /releases/N/proof/ID)
  std::string record;  // optional: the record as the campaign kept it, compared byte for byte
  bool json = false;
};
int RunReleaseVerify(const ReleaseVerifyOptions& options, std::ostream& out, std::ostream& err);

// `canvass release prove`: one precinct's record with its inclusion path (docs/releases.md).
struct ReleaseProveOptions {
  std::string release;  // release-N.json (release-N-root.json and its .sig beside it)
  long long precinct = 0;
  std::string out;  // optional directory: the proof, record, path and root statement as files
};
int RunReleaseProve(const ReleaseProveOptions& options, std::ostream& out, std::ostream& err);

// A synthetic election, reproducible by seed (`canvass simulate`, src/simulate/simulate.h).
struct SimulateOptions {
  std::string rules = "iowa-dem-2020";
  long long precincts = 0;
  int candidates = 8;
  int counties = 0;  // 0: automatic
  unsigned long long seed = 1;
  std::string satellites = "0";  // fractions, as decimals
  std::string ties = "0.005";
  std::string errors = "0";
  std::string early_votes;      // share of attendance voting early on cards ("": none)
  std::string early_votes_out;  // the cards file (default: beside the results, -early-votes.csv)
  std::string results_out;
  std::string apportionment_out;
  std::string districts_out;  // optional
};
int RunSimulate(const SimulateOptions& options, std::ostream& out, std::ostream& err);

// `canvass rehearse`: a caucus night against a server (src/rehearse/rehearse.h). With --demo or
// --simulate it sets up a fresh election in `dir`, starts `canvass serve` on it, drives it and
// stops it; with --url it drives servers already running.
struct RehearseOptions {
  bool demo = false;  // the real Iowa 2020 election and its 8 February release
  // With demo: "iowa", or "nevada" (a simulated count and cards on Nevada's real 2020
  // apportionment).
  std::string demo_name = "iowa";
  long long simulate = 0;  // or a simulated election of this many precincts
  int candidates = 8;      // of the simulated election
  std::string rules = "iowa-dem-2020";
  // Share of attendance voting early on ranked cards, for a simulated election whose ruleset has
  // early vote ("": Nevada 2020's, about 0.7; "0": none).
  std::string early_votes;
  std::string dir = "rehearsal";
  std::string data_dir;
  std::vector<std::string> urls;  // servers already running (several: nodes of one election)
  std::string codes;              // their code sheet
  std::string results;            // what their precincts report
  unsigned long long seed = 1;
  std::string compress = "120";  // or "max"
  int workers = 64;
  std::string faults = "default";  // or "none"
  std::string publish = "interval:5";
  bool photos = true;
  bool attack = false;
  int readers = 1000;
  int subscribers = 1000;
  int give_up = 120;  // seconds per submission
  int threads = 2;    // the started server's io threads
  bool fast_kdf = false;
  std::string json_out;    // also write the report as JSON here
  bool recanvass = false;  // after the night, the 2020 recanvass (rehearse/recanvass.h)
  std::string certified;   // its certified record (--demo: the data's 7 April 2020 file)
  bool audit = false;      // then a risk-limiting audit (rehearse/audit_scenario.h)
  std::string risk_limit = "5";
  std::string audit_seed;        // empty: "rehearsal-" and --seed
  long long audit_tallies = 50;  // in a full hand count, the precincts tallied
  long long inject_shift = 0;    // chairs reporting one column off (rehearse/shift_scenario.h)
};
int RunRehearse(const RehearseOptions& options, std::ostream& out, std::ostream& err);

// The README's main job: the real Iowa 2020 releases, checked and tabulated from data/.
int RunDemo(const std::string& data_dir, std::ostream& out, std::ostream& err);

// The second stage's math (docs/conventions.md). Exit 1 for a tie no recorded lot settles.
struct DistrictsAnalyzeOptions {
  std::string plan;           // plan.csv: district,pool,seats
  std::string votes;          // votes.csv: pool,unit,candidate,votes
  std::string ratio = "5/4";  // warn when seats per voter differ by more than this
  std::string lots;           // candidates in the order lots were drawn: "Y,X"
  bool json = false;
};
int RunDistrictsAnalyze(const DistrictsAnalyzeOptions& options, std::ostream& out,
                        std::ostream& err);
struct ConventionCountOptions {
  std::string formula;  // block, limited, cumulative, hare, droop, dhondt, sainte-lague, stv
  long long seats = 0;
  std::string ballots;            // option,votes or count,ranking
  std::string nominees;           // optional: list,name,gender
  long long votes_per_voter = 0;  // limited voting
  std::string lots;               // options in the order lots were drawn
  bool equal_division = false;
  long long variance = 1;
  std::string non_binary = "outside";  // or "either"
  bool json = false;
};
int RunConventionCount(const ConventionCountOptions& options, std::ostream& out, std::ostream& err);
// A convention on a store's ledger (docs/conventions.md "On the ledger"): `record` writes one
// of its events as the command line (an administrator), or as a campaign's code (--campaign, for
// filer-reviewed); `show` prints the convention with its results.
struct ConventionRecordOptions {
  std::string store = "canvass.db";
  std::string event;     // procedure-published, delegate-filed, ...
  std::string payload;   // JSON text, or @FILE
  std::string campaign;  // act as this candidate's campaign code
};
int RunConventionRecord(const ConventionRecordOptions& options, std::ostream& out,
                        std::ostream& err);
struct ConventionShowOptions {
  std::string store = "canvass.db";
  std::string convention;
  bool json = false;
};
int RunConventionShow(const ConventionShowOptions& options, std::ostream& out, std::ostream& err);
// `convention voters`: --count voter codes for the convention (or --pool), one voters-issued
// event, the codes written to --out (role,subject,label,credential,code; owner-only).
struct ConventionVotersOptions {
  std::string store = "canvass.db";
  std::string convention;
  std::string pool;  // empty: the whole convention
  long long count = 0;
  std::string out;
  bool fast_kdf = false;
};
int RunConventionVoters(const ConventionVotersOptions& options, std::ostream& out,
                        std::ostream& err);

}  // namespace canvass
