// The national count's inputs (docs/formats.md): delegates.csv (the seats of every state's pools),
// votes.csv (each pool's vote per candidate) and published.csv (an allocation someone published,
// to check). Each row keeps its line so that later findings can name it.
//
// Every refusal names file, line and column. The parsers check each file on its own and, for
// votes and published files, against the delegates table: an unknown state or pool, votes for a
// pool with no seats or for automatic delegates, a candidate twice in one pool.
//
// Thread-safety: pure functions of their input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"

namespace canvass {

enum class DelegateKind : uint8_t { kDistrict, kAtLarge, kPleo, kAutomatic };

// "district", "at-large", "pleo", "automatic".
std::string_view DelegateKindName(DelegateKind kind);

struct DelegateRow {
  std::string state;
  std::string pool;  // "CD01", "At-large", "PLEO", "Automatic"
  DelegateKind kind = DelegateKind::kDistrict;
  Count delegates = 0;
  int64_t line = 0;
};

// The pool name a votes file uses for a state's statewide vote (the at-large and PLEO base when
// those pools have no rows of their own).
inline constexpr std::string_view kStatewidePool = "statewide";

struct VoteRow {
  std::string state;
  std::string pool;  // a pool of the state, or "statewide"
  std::string candidate;
  Rational votes;  // a count, or an exact decimal (SDEs, county convention delegates)
  int64_t line = 0;
};

struct PublishedRow {
  std::string state;
  std::string pool;
  std::string candidate;
  Count delegates = 0;
  int64_t line = 0;
};

// The day a state votes, for the path to the majority over the calendar.
struct CalendarRow {
  std::string state;
  std::string date;  // ISO 8601, "2020-02-03"
  int64_t line = 0;
};

struct NationalInputs {
  std::string delegates_origin, votes_origin, published_origin, calendar_origin;
  std::vector<DelegateRow> delegates;
  std::vector<VoteRow> votes;
  std::vector<PublishedRow> published;
  std::vector<CalendarRow> calendar;  // may be empty
};

// state,pool,kind,delegates. A (state, pool) appears once; delegates 0..100,000.
Result<std::vector<DelegateRow>> ParseDelegatesCsv(std::string_view text,
                                                   const std::string& origin);
// state,pool,candidate,votes: votes a whole number or a decimal of at most 4 places below 10^9.
Result<std::vector<VoteRow>> ParseVotesCsv(std::string_view text, const std::string& origin,
                                           const std::vector<DelegateRow>& delegates);
// state,pool,candidate,delegates.
Result<std::vector<PublishedRow>> ParsePublishedCsv(std::string_view text,
                                                    const std::string& origin,
                                                    const std::vector<DelegateRow>& delegates);

// state,date: a state of the delegates table, once, and a real date written YYYY-MM-DD.
Result<std::vector<CalendarRow>> ParseCalendarCsv(std::string_view text, const std::string& origin,
                                                  const std::vector<DelegateRow>& delegates);

// The three files; `published_path` may be empty.
Result<NationalInputs> LoadNationalInputs(const std::string& delegates_path,
                                          const std::string& votes_path,
                                          const std::string& published_path);

}  // namespace canvass
