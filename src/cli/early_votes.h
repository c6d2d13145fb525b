// Early-vote cards from the interchange file to the ledger (`canvass init --early-votes` and
// `canvass early-votes load`; docs/formats.md, docs/ledger-format.md).
//
// Thread-safety: runs on the calling thread.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "core/election.h"
#include "core/status.h"
#include "intake/intake.h"
#include "state/election_state.h"

namespace canvass {

// The cards of a file, by precinct id (1-based, in `precincts`' order). InvalidArgument naming
// the file and line of the first card whose county and precinct are not a reporting unit.
Result<std::map<int64_t, std::vector<EarlyVoteCardRecord>>> ReadEarlyVotesFile(
    const std::string& path, const std::vector<PrecinctApportionment>& precincts);

// Loads the cards onto the election's ledger: one early-votes-loaded event per precinct whose
// cards differ from those it holds, all in one transaction. Prints a line per precinct (cards,
// void, hash, and "loaded", "unchanged" or the refusal). kExitOk, or kExitFailure when any
// precinct's cards were refused (the others are loaded).
int LoadEarlyVotes(Intake& intake, const std::map<int64_t, std::vector<EarlyVoteCardRecord>>& cards,
                   std::ostream& out, std::ostream& err);

}  // namespace canvass
