// Loading what a command works on: a ruleset, and an election from a results file plus optional
// apportionment and district files, merged. Shared by check, tabulate, convert and demo.
//
// Thread-safety: reads files; no shared state.
#pragma once

#include <string>

#include "cli/commands.h"
#include "core/election.h"
#include "core/status.h"
#include "rules/ruleset.h"

namespace canvass {

struct LoadedElection {
  Ruleset ruleset;
  Election election;
};

// Reads the files and merges them: an apportionment file replaces any apportionment the results
// carried (the wide CSV carries one); a district map fills each apportioned precinct's district
// where its own row left it empty.
Result<Election> LoadElectionFiles(const std::string& results, const std::string& apportionment,
                                   const std::string& districts);
Result<LoadedElection> LoadElection(const ElectionFiles& files);

}  // namespace canvass
