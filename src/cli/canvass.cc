#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"

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

}  // namespace

int RunCanvass(int argc, char** argv) {
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

  ConvertOptions convert;
  auto* conv = app.add_subcommand("convert", "Write results or apportionment in our CSV formats");
  conv->add_option("--results", convert.results, "Results file in any supported format");
  conv->add_option("--apportionment", convert.apportionment, "Apportionment in any format");
  conv->add_option("--districts", convert.districts, "County to district CSV");
  conv->add_option("--results-out", convert.results_out, "Where to write our results CSV");
  conv->add_option("--apportionment-out", convert.apportionment_out,
                   "Where to write our apportionment CSV");

  std::string data_dir = DefaultDataDir();
  auto* demo = app.add_subcommand("demo", "Check and tabulate the real Iowa 2020 releases");
  demo->add_option("--data", data_dir, "The data directory")->capture_default_str();

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
  if (*check) return RunCheck(check_files_opts, out, err);
  if (*tab) return RunTabulate(tab_files, out, err);
  if (*conv) return RunConvert(convert, out, err);
  if (*demo) return RunDemo(data_dir, out, err);
  return kExitUsage;
}

}  // namespace canvass
