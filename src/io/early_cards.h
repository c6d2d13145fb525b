// The early-vote card file: Nevada's ranked preference cards, one per row, before the night.
//
//   county,precinct,card,choice1,choice2,choice3,choice4,choice5
//   Clark,1001,EV-000017,Sanders,Warren,Buttigieg,,
//
// The reader refuses, naming line and column, only what cannot be read at all: bad CSV, a wrong
// header, an empty county, precinct or card id, a card id given twice in one precinct, a choice
// after an empty one (the ranks would be ambiguous), control characters or invalid UTF-8 in a
// cell. A card that can be read but breaks the rules (too few choices, a candidate ranked twice, a
// name that is no candidate) is returned as written: the state keeps it, void, with the reason
// (src/state/early_votes.cc). Whether a precinct exists is the election's to say. docs/formats.md
// describes the file; docs/ledger-format.md the event each precinct's cards become.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace canvass {

// Columns choice1..choice5: the most choices a card has room for.
inline constexpr size_t kEarlyCardChoiceColumns = 5;

struct EarlyCardRow {
  std::string county;                // NormaliseName'd
  std::string precinct;              // NormaliseName'd
  std::string id;                    // the card id, trimmed
  std::vector<std::string> choices;  // names in rank order (NormaliseName'd); may be fewer than 3
  int64_t line = 0;                  // where the row begins
};

// Reads the whole file. `origin` names it in errors ("cards.csv:12:4: ...").
Result<std::vector<EarlyCardRow>> ParseEarlyCardsCsv(std::string_view text,
                                                     const std::string& origin);

// The cards file of `rows`, in their order (`line` is not written): what ParseEarlyCardsCsv reads
// back. A card has at most kEarlyCardChoiceColumns choices; cells are quoted as CSV needs.
std::string WriteEarlyCardsCsv(const std::vector<EarlyCardRow>& rows);

// One card of a precinct's canonical list: its id and its choices by name.
struct EarlyCardText {
  std::string id;
  std::vector<std::string> choices;
};

// The canonical card list of one precinct (docs/formats.md): the cards in ascending byte order
// of their ids, one line each, the id and then each choice, separated by a tab and ended by a
// line feed. Ids must be distinct and no id or name may hold a tab or a line feed (the reader
// and the ledger refuse control characters).
std::string CanonicalEarlyCards(std::vector<EarlyCardText> cards);
// SHA-256 (hex) of CanonicalEarlyCards: what a campaign compares with the ledger's.
std::string EarlyCardsHash(std::vector<EarlyCardText> cards);

}  // namespace canvass
