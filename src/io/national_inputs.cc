#include "io/national_inputs.h"

#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"
#include "io/csv.h"
#include "io/importers.h"
#include "io/values.h"

namespace canvass {
namespace {

constexpr int64_t kMaxVoteWhole = 1'000'000'000;

Status ExpectHeader(CsvReader& r, const std::vector<std::string_view>& names) {
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  if (!has) return r.ErrorAt(1, 1, "empty file: expected a header line");
  std::string want;
  for (std::string_view n : names) {
    if (!want.empty()) want.push_back(',');
    want.append(n);
  }
  if (r.size() != names.size()) {
    return r.ErrorAt(1, 1, fmt::format("the header has {} columns; expected {}", r.size(), want));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (Trim(r[i]) != names[i]) {
      return r.FieldError(i, fmt::format("column {} is \"{}\"; expected the header {}", i + 1,
                                         std::string(Trim(r[i])), want));
    }
  }
  return Status::Ok();
}

Result<std::string> NameCell(const CsvReader& r, size_t i, std::string_view column) {
  std::string v = NormaliseName(r[i]);
  if (v.empty()) return r.FieldError(i, fmt::format("column \"{}\": empty", column));
  return v;
}

// A whole number or a decimal of at most 4 places below kMaxVoteWhole.
Result<Rational> ParseVotes(std::string_view text) {
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto digits = [](std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (!digits(whole) || (dot != std::string_view::npos && !digits(frac))) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a vote figure (a whole number or a decimal like 123.4567)",
                    std::string(text)));
  }
  if (frac.size() > 4) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" has more than 4 decimal places", std::string(text)));
  }
  if (whole.size() > 10) {
    return Status::InvalidArgument(fmt::format("\"{}\" is too large", std::string(text)));
  }
  int64_t w = 0;
  for (char c : whole) w = w * 10 + (c - '0');
  if (w >= kMaxVoteWhole) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is too large (at most {})", std::string(text), kMaxVoteWhole - 1));
  }
  int64_t f = 0;
  int64_t scale = 1;
  for (char c : frac) {
    f = f * 10 + (c - '0');
    scale *= 10;
  }
  return Rational(w * scale + f, scale);
}

using PoolKey = std::pair<std::string, std::string>;

struct PoolIndex {
  std::set<std::string> states;
  std::map<PoolKey, const DelegateRow*> pools;
  explicit PoolIndex(const std::vector<DelegateRow>& rows) {
    for (const DelegateRow& d : rows) {
      states.insert(d.state);
      pools[{d.state, d.pool}] = &d;
    }
  }
};

// Checks the state and pool cells (columns 0 and 1) against the delegates table.
Result<const DelegateRow*> CheckPool(const CsvReader& r, const PoolIndex& index,
                                     const std::string& state, const std::string& pool,
                                     bool allow_statewide) {
  if (!index.states.contains(state)) {
    return r.FieldError(
        0, fmt::format("unknown state \"{}\": it has no row in the delegates file", state));
  }
  if (allow_statewide && pool == kStatewidePool) return nullptr;
  auto it = index.pools.find({state, pool});
  if (it == index.pools.end()) {
    return r.FieldError(
        1, fmt::format("unknown pool \"{}\" of {}: it has no row in the delegates file{}", pool,
                       state, allow_statewide ? " (and is not \"statewide\")" : ""));
  }
  if (it->second->kind == DelegateKind::kAutomatic) {
    return r.FieldError(1, fmt::format("pool \"{}\" of {} holds automatic delegates, whom no vote "
                                       "allocates",
                                       pool, state));
  }
  if (it->second->delegates == 0) {
    return r.FieldError(1, fmt::format("pool \"{}\" of {} has no seats", pool, state));
  }
  return it->second;
}

}  // namespace

std::string_view DelegateKindName(DelegateKind kind) {
  switch (kind) {
    case DelegateKind::kDistrict:
      return "district";
    case DelegateKind::kAtLarge:
      return "at-large";
    case DelegateKind::kPleo:
      return "pleo";
    case DelegateKind::kAutomatic:
      return "automatic";
  }
  return "";
}

Result<std::vector<DelegateRow>> ParseDelegatesCsv(std::string_view text,
                                                   const std::string& origin) {
  CsvReader r(text, origin);
  CANVASS_RETURN_IF_ERROR(ExpectHeader(r, {"state", "pool", "kind", "delegates"}));
  std::vector<DelegateRow> rows;
  std::map<PoolKey, int64_t> seen;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    DelegateRow row;
    row.line = r.line();
    auto state = NameCell(r, 0, "state");
    if (!state.ok()) return state.status();
    auto pool = NameCell(r, 1, "pool");
    if (!pool.ok()) return pool.status();
    row.state = *state;
    row.pool = *pool;
    if (row.pool == kStatewidePool) {
      return r.FieldError(1,
                          "column \"pool\": \"statewide\" is the votes file's name for a "
                          "state's whole vote, not a pool");
    }
    const std::string kind(Trim(r[2]));
    bool known = false;
    for (DelegateKind k : {DelegateKind::kDistrict, DelegateKind::kAtLarge, DelegateKind::kPleo,
                           DelegateKind::kAutomatic}) {
      if (kind == DelegateKindName(k)) {
        row.kind = k;
        known = true;
      }
    }
    if (!known) {
      return r.FieldError(2, fmt::format("column \"kind\": \"{}\" is not district, at-large, pleo "
                                         "or automatic",
                                         kind));
    }
    auto count = ParseCount(Trim(r[3]), kMaxDelegates);
    if (!count.ok()) {
      return r.FieldError(3, "column \"delegates\": " + count.status().message());
    }
    row.delegates = *count;
    if (auto [it, fresh] = seen.emplace(PoolKey{row.state, row.pool}, row.line); !fresh) {
      return r.FieldError(1, fmt::format("pool \"{}\" of {} appears twice (first on line {})",
                                         row.pool, row.state, it->second));
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return r.ErrorAt(2, 1, "no pools: the file has a header only");
  return rows;
}

Result<std::vector<VoteRow>> ParseVotesCsv(std::string_view text, const std::string& origin,
                                           const std::vector<DelegateRow>& delegates) {
  const PoolIndex index(delegates);
  CsvReader r(text, origin);
  CANVASS_RETURN_IF_ERROR(ExpectHeader(r, {"state", "pool", "candidate", "votes"}));
  std::vector<VoteRow> rows;
  std::map<std::pair<PoolKey, std::string>, int64_t> seen;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    VoteRow row;
    row.line = r.line();
    auto state = NameCell(r, 0, "state");
    if (!state.ok()) return state.status();
    auto pool = NameCell(r, 1, "pool");
    if (!pool.ok()) return pool.status();
    auto candidate = NameCell(r, 2, "candidate");
    if (!candidate.ok()) return candidate.status();
    row.state = *state;
    row.pool = *pool;
    row.candidate = *candidate;
    auto checked = CheckPool(r, index, row.state, row.pool, /*allow_statewide=*/true);
    if (!checked.ok()) return checked.status();
    auto votes = ParseVotes(Trim(r[3]));
    if (!votes.ok()) return r.FieldError(3, "column \"votes\": " + votes.status().message());
    row.votes = *votes;
    if (auto [it, fresh] =
            seen.emplace(std::pair{PoolKey{row.state, row.pool}, row.candidate}, row.line);
        !fresh) {
      return r.FieldError(2, fmt::format("{} appears twice in pool \"{}\" of {} (first on line {})",
                                         row.candidate, row.pool, row.state, it->second));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<PublishedRow>> ParsePublishedCsv(std::string_view text,
                                                    const std::string& origin,
                                                    const std::vector<DelegateRow>& delegates) {
  const PoolIndex index(delegates);
  CsvReader r(text, origin);
  CANVASS_RETURN_IF_ERROR(ExpectHeader(r, {"state", "pool", "candidate", "delegates"}));
  std::vector<PublishedRow> rows;
  std::map<std::pair<PoolKey, std::string>, int64_t> seen;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    PublishedRow row;
    row.line = r.line();
    auto state = NameCell(r, 0, "state");
    if (!state.ok()) return state.status();
    auto pool = NameCell(r, 1, "pool");
    if (!pool.ok()) return pool.status();
    auto candidate = NameCell(r, 2, "candidate");
    if (!candidate.ok()) return candidate.status();
    row.state = *state;
    row.pool = *pool;
    row.candidate = *candidate;
    auto checked = CheckPool(r, index, row.state, row.pool, /*allow_statewide=*/false);
    if (!checked.ok()) return checked.status();
    auto count = ParseCount(Trim(r[3]), kMaxDelegates);
    if (!count.ok()) return r.FieldError(3, "column \"delegates\": " + count.status().message());
    row.delegates = *count;
    if (auto [it, fresh] =
            seen.emplace(std::pair{PoolKey{row.state, row.pool}, row.candidate}, row.line);
        !fresh) {
      return r.FieldError(2, fmt::format("{} appears twice in pool \"{}\" of {} (first on line {})",
                                         row.candidate, row.pool, row.state, it->second));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

// "YYYY-MM-DD" naming a day that exists (the Gregorian calendar), or why not.
Status CheckIsoDate(std::string_view d) {
  auto digit = [&](size_t i) { return d[i] >= '0' && d[i] <= '9'; };
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a date written YYYY-MM-DD", std::string(d)));
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!digit(i)) {
      return Status::InvalidArgument(
          fmt::format("\"{}\" is not a date written YYYY-MM-DD", std::string(d)));
    }
  }
  const int year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
  const int month = (d[5] - '0') * 10 + (d[6] - '0');
  const int day = (d[8] - '0') * 10 + (d[9] - '0');
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) {
    return Status::InvalidArgument(fmt::format("{} is not a day of the calendar", std::string(d)));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<CalendarRow>> ParseCalendarCsv(std::string_view text, const std::string& origin,
                                                  const std::vector<DelegateRow>& delegates) {
  std::set<std::string> states;
  for (const DelegateRow& d : delegates) states.insert(d.state);
  CsvReader r(text, origin);
  CANVASS_RETURN_IF_ERROR(ExpectHeader(r, {"state", "date"}));
  std::vector<CalendarRow> rows;
  std::map<std::string, int64_t> seen;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    if (r.size() != 2) {
      return r.ErrorAt(r.line(), 1, fmt::format("{} columns; expected state,date", r.size()));
    }
    CalendarRow row;
    row.line = r.line();
    auto state = NameCell(r, 0, "state");
    if (!state.ok()) return state.status();
    row.state = *state;
    if (!states.count(row.state)) {
      return r.FieldError(0, fmt::format("{} is not a state of the delegates file", row.state));
    }
    if (auto [it, fresh] = seen.emplace(row.state, row.line); !fresh) {
      return r.FieldError(
          0, fmt::format("{} is dated twice (first on line {})", row.state, it->second));
    }
    row.date = std::string(Trim(r[1]));
    if (Status st = CheckIsoDate(row.date); !st.ok()) {
      return r.FieldError(1, "column \"date\": " + st.message());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<NationalInputs> LoadNationalInputs(const std::string& delegates_path,
                                          const std::string& votes_path,
                                          const std::string& published_path) {
  NationalInputs in;
  in.delegates_origin = delegates_path;
  in.votes_origin = votes_path;
  in.published_origin = published_path;
  auto dtext = ReadFile(delegates_path);
  if (!dtext.ok()) return dtext.status();
  auto d = ParseDelegatesCsv(*dtext, delegates_path);
  if (!d.ok()) return d.status();
  in.delegates = std::move(d).value();
  auto vtext = ReadFile(votes_path);
  if (!vtext.ok()) return vtext.status();
  auto v = ParseVotesCsv(*vtext, votes_path, in.delegates);
  if (!v.ok()) return v.status();
  in.votes = std::move(v).value();
  if (!published_path.empty()) {
    auto ptext = ReadFile(published_path);
    if (!ptext.ok()) return ptext.status();
    auto p = ParsePublishedCsv(*ptext, published_path, in.delegates);
    if (!p.ok()) return p.status();
    in.published = std::move(p).value();
  }
  return in;
}

}  // namespace canvass
