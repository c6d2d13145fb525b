// Reads a ruleset from TOML and validates every key. Each problem becomes one line naming the
// file, line, column and dotted key, and all of them are reported at once, so a person fixing a
// ruleset does not have to run the check once per mistake.
#include <fmt/format.h>

// toml++ is compiled here in its header-only form in the Release build (CMakeLists.txt), with its
// own internal assertions off, as they are in Debian's build of the library: in toml++ 3.3 one of
// them (parser::parse_key) fails on a table header such as "[<a]", which the parser then reports
// as the error it is; and under NDEBUG toml++ turns such checks into __builtin_assume with clang,
// which on that input would be undefined. So NDEBUG is hidden from it while it is read.
#define TOML_ASSERT(expr) static_assert(true)
#pragma push_macro("NDEBUG")
#undef NDEBUG
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/sha256.h"
#include "rules/ruleset.h"
#include "rules/spellings.h"

namespace canvass {

namespace {

using rules_internal::AllowedSpellings;
using rules_internal::LookUp;
using rules_internal::Spelling;

constexpr size_t kMaxFileBytes = 1 << 20;  // a ruleset is a page of text; refuse anything huge
constexpr size_t kMaxReportedErrors = 25;
constexpr int64_t kMaxRealignmentMinutes = 24 * 60;
constexpr int64_t kMaxSdePlaces = 12;  // what Rational::RoundTo supports
constexpr int64_t kMaxRankedChoices = 100;

struct Problem {
  uint32_t line;
  uint32_t column;
  std::string text;
};

// Collects the problems found in one file.
class Diagnostics {
 public:
  explicit Diagnostics(std::string origin) : origin_(std::move(origin)) {}

  void Add(toml::source_position where, std::string_view key, std::string_view problem) {
    if (where.line == 0) where = {1, 1};  // tables made implicitly by a dotted header
    std::string text =
        key.empty()
            ? fmt::format("{}:{}:{}: {}", origin_, where.line, where.column, problem)
            : fmt::format("{}:{}:{}: {}: {}", origin_, where.line, where.column, key, problem);
    problems_.push_back({where.line, where.column, std::move(text)});
  }

  bool empty() const { return problems_.empty(); }

  // One line per problem, in file order.
  Status ToStatus() {
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    std::string message;
    for (size_t i = 0; i < problems_.size() && i < kMaxReportedErrors; ++i) {
      if (i > 0) message += "\n";
      message += problems_[i].text;
    }
    if (problems_.size() > kMaxReportedErrors) {
      message += fmt::format("\n{}: {} more problems not shown", origin_,
                             problems_.size() - kMaxReportedErrors);
    }
    return Status::ParseError(std::move(message));
  }

 private:
  std::string origin_;
  std::vector<Problem> problems_;
};

const char* TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// A key as TOML would accept it back: bare when it can be, else quoted with escapes, so that a
// hostile key cannot break the one-line-per-problem shape of a message.
std::string PrintableKey(std::string_view key) {
  bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  if (bare) return std::string(key);
  std::string out = "\"";
  for (unsigned char c : key) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// One key's value, with where to point when it is wrong.
struct Field {
  const toml::node* node;
  toml::source_position where;  // the key's position (the value's when the key has none)
  std::string key;              // dotted: "precinct.threshold[2].min_delegates"
};

// Reads one TOML table. Every key the reader asks for is a known key, present or not; Finish()
// reports the keys of the table that nobody asked for.
class TableReader {
 public:
  TableReader(Diagnostics& diag, const toml::table& table, std::string path)
      : diag_(diag), table_(table), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  toml::source_position where() const { return table_.source().begin; }
  Diagnostics& diag() { return diag_; }

  std::string KeyPath(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  std::optional<Field> Take(std::string_view key) {
    known_.emplace_back(key);
    auto it = table_.find(key);
    if (it == table_.end()) return std::nullopt;
    toml::source_position where = it->first.source().begin;
    if (where.line == 0) where = it->second.source().begin;
    return Field{&it->second, where, KeyPath(key)};
  }

  void Missing(std::string_view key, std::string_view why = "required key is missing") {
    diag_.Add(where(), KeyPath(key), why);
  }

  void Finish() {
    for (auto&& [key, node] : table_) {
      if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
      toml::source_position where = key.source().begin;
      if (where.line == 0) where = node.source().begin;
      std::string known;
      for (size_t i = 0; i < known_.size(); ++i) {
        known += (i == 0 ? "" : ", ") + known_[i];
      }
      diag_.Add(where, KeyPath(PrintableKey(key.str())),
                fmt::format("unknown key (known keys here: {})", known));
    }
  }

 private:
  Diagnostics& diag_;
  const toml::table& table_;
  std::string path_;
  std::vector<std::string> known_;
};

void WrongType(Diagnostics& diag, const Field& f, std::string_view expected) {
  std::string hint;
  if (f.node->is_floating_point()) {
    hint = "; floats are not allowed in rulesets because they are inexact";
  }
  diag.Add(f.where, f.key,
           fmt::format("expected {}, found {}{}", expected, TypeName(f.node->type()), hint));
}

std::optional<bool> ReadBool(Diagnostics& diag, const Field& f) {
  if (const auto* v = f.node->as_boolean()) return v->get();
  WrongType(diag, f, "true or false");
  return std::nullopt;
}

std::optional<int64_t> ReadInt(Diagnostics& diag, const Field& f, int64_t lo, int64_t hi) {
  const auto* v = f.node->as_integer();
  if (v == nullptr) {
    WrongType(diag, f, "an integer");
    return std::nullopt;
  }
  if (v->get() < lo || v->get() > hi) {
    diag.Add(f.where, f.key,
             fmt::format("{} is out of range: must be from {} to {}", v->get(), lo, hi));
    return std::nullopt;
  }
  return v->get();
}

std::optional<std::string> ReadString(Diagnostics& diag, const Field& f) {
  if (const auto* v = f.node->as_string()) return v->get();
  WrongType(diag, f, "a string");
  return std::nullopt;
}

// "3/20", "0.15" or "15%": exact. A TOML float is refused, since 0.15 as a binary float is not
// 3/20.
std::optional<Rational> ReadRational(Diagnostics& diag, const Field& f) {
  const auto* v = f.node->as_string();
  if (v == nullptr) {
    if (const auto* d = f.node->as_floating_point()) {
      diag.Add(f.where, f.key,
               fmt::format("a float is inexact (0.15 is not exactly 3/20 in binary); write the "
                           "number as a string: \"{}\", or a fraction or percentage such as "
                           "\"3/20\" or \"15%\"",
                           d->get()));
    } else {
      WrongType(diag, f, "a string such as \"3/20\", \"0.15\" or \"15%\"");
    }
    return std::nullopt;
  }
  std::string_view text = v->get();
  bool percent = !text.empty() && text.back() == '%';
  if (percent) text.remove_suffix(1);
  auto parsed = Rational::Parse(text);
  if (!parsed.ok()) {
    diag.Add(f.where, f.key, parsed.status().message());
    return std::nullopt;
  }
  // Parse bounds its result below 10^12 with a denominator of at most 10^12, so /100 stays exact.
  return percent ? *parsed / Rational(100) : *parsed;
}

// An array of strings ("sources"); each element that is not a string is named.
void ReadStrings(Diagnostics& diag, const Field& f, std::vector<std::string>& out) {
  if (const auto* array = f.node->as_array()) {
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = (*array)[i];
      if (const auto* s = element.as_string()) {
        out.push_back(s->get());
      } else {
        toml::source_position where = element.source().begin;
        diag.Add(where.line ? where : f.where, fmt::format("{}[{}]", f.key, i),
                 fmt::format("expected a string, found {}", TypeName(element.type())));
      }
    }
  } else {
    WrongType(diag, f, "an array of strings");
  }
}

template <typename E, size_t N>
std::optional<E> ReadEnum(Diagnostics& diag, const Field& f, const Spelling<E> (&table)[N]) {
  std::span<const Spelling<E>> spellings(table);
  const auto* v = f.node->as_string();
  if (v == nullptr) {
    WrongType(diag, f, "one of " + AllowedSpellings(spellings));
    return std::nullopt;
  }
  auto value = LookUp(std::string_view(v->get()), spellings);
  if (!value) {
    diag.Add(
        f.where, f.key,
        fmt::format("unknown value \"{}\": expected {}", v->get(), AllowedSpellings(spellings)));
  }
  return value;
}

// Convenience readers that fill a field in place when the key is present and valid.
void Bool(TableReader& t, std::string_view key, bool& out) {
  if (auto f = t.Take(key)) {
    if (auto v = ReadBool(t.diag(), *f)) out = *v;
  }
}

template <typename I>
void Int(TableReader& t, std::string_view key, I& out, int64_t lo, int64_t hi) {
  if (auto f = t.Take(key)) {
    if (auto v = ReadInt(t.diag(), *f, lo, hi)) out = static_cast<I>(*v);
  }
}

template <typename E, size_t N>
void Enum(TableReader& t, std::string_view key, E& out, const Spelling<E> (&table)[N]) {
  if (auto f = t.Take(key)) {
    if (auto v = ReadEnum(t.diag(), *f, table)) out = *v;
  }
}

// A sub-table, or nullptr when absent or not a table.
const toml::table* SubTable(TableReader& t, std::string_view key,
                            std::optional<Field>* field = nullptr) {
  auto f = t.Take(key);
  if (field != nullptr) *field = f;
  if (!f) return nullptr;
  if (const auto* table = f->node->as_table()) return table;
  WrongType(t.diag(), *f, "a table");
  return nullptr;
}

struct TableRow {
  const toml::table* table;
  std::string path;  // "precinct.threshold[2]"
};

// An array of tables ([[x]]), or empty when absent or malformed.
std::vector<TableRow> ArrayOfTables(TableReader& t, std::string_view key,
                                    std::optional<Field>* field) {
  std::vector<TableRow> rows;
  auto f = t.Take(key);
  *field = f;
  if (!f) return rows;
  const auto* array = f->node->as_array();
  if (array == nullptr) {
    WrongType(t.diag(), *f, fmt::format("an array of tables ([[{}]])", f->key));
    return rows;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = (*array)[i];
    std::string path = fmt::format("{}[{}]", f->key, i);
    if (const auto* table = element.as_table()) {
      rows.push_back({table, std::move(path)});
    } else {
      toml::source_position where = element.source().begin;
      if (where.line == 0) where = f->where;
      t.diag().Add(where, path,
                   fmt::format("expected a table, found {}", TypeName(element.type())));
    }
  }
  return rows;
}

// A range row of a threshold table or a bracket table, before the table-wide checks.
struct RangeRow {
  std::optional<int64_t> min;
  std::optional<int64_t> max;
  bool has_max = false;
  toml::source_position min_where;
  toml::source_position max_where;
  toml::source_position row_where;
  std::string path;
};

// The rows must tile [1, infinity): the first starts at 1, each next row starts one past the end
// of the row before, and only the last row is open-ended.
void CheckTiling(Diagnostics& diag, const std::vector<RangeRow>& rows, std::string_view min_key,
                 std::string_view max_key, std::string_view unit) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const RangeRow& r = rows[i];
    const std::string min_path = r.path + "." + std::string(min_key);
    const std::string max_path = r.path + "." + std::string(max_key);
    if (r.min && r.max && *r.max < *r.min) {
      diag.Add(r.max_where, max_path,
               fmt::format("{} ends before it starts ({} < {})", "this row", *r.max, *r.min));
    }
    bool last = i + 1 == rows.size();
    if (last && r.has_max) {
      diag.Add(
          r.max_where, max_path,
          fmt::format("the last row must be open-ended: omit {} so that it covers every {} "
                      "from {} up",
                      max_key, unit, r.min ? std::to_string(*r.min) : std::string("its start")));
    }
    if (!last && !r.has_max) {
      diag.Add(r.row_where, max_path,
               fmt::format("missing: only the last row may omit {}", max_key));
    }
    if (!r.min) continue;
    if (i == 0) {
      if (*r.min != 1) {
        diag.Add(r.min_where, min_path,
                 fmt::format("the first row must start at 1, not {}: every {} count needs a row",
                             *r.min, unit));
      }
      continue;
    }
    const RangeRow& before = rows[i - 1];
    if (!before.max) continue;
    if (*r.min > *before.max + 1) {
      diag.Add(r.min_where, min_path,
               fmt::format("gap: this row starts at {} but the row before ends at {}", *r.min,
                           *before.max));
    } else if (*r.min <= *before.max) {
      diag.Add(r.min_where, min_path,
               fmt::format("overlap: this row starts at {} but the row before ends at {}", *r.min,
                           *before.max));
    }
  }
}

RangeRow ReadRange(TableReader& t, const std::string& path, std::string_view min_key,
                   std::string_view max_key, int64_t hi) {
  RangeRow r;
  r.path = path;
  r.row_where = t.where();
  r.min_where = r.max_where = r.row_where;
  if (auto f = t.Take(min_key)) {
    r.min_where = f->where;
    r.min = ReadInt(t.diag(), *f, 1, hi);
  } else {
    t.Missing(min_key);
  }
  if (auto f = t.Take(max_key)) {
    r.has_max = true;
    r.max_where = f->where;
    r.max = ReadInt(t.diag(), *f, 1, hi);
  }
  return r;
}

void ReadHeader(TableReader& t, Ruleset& rs) {
  Diagnostics& diag = t.diag();
  for (auto [key, out] :
       {std::pair<std::string_view, std::string*>{"name", &rs.name}, {"version", &rs.version}}) {
    if (auto f = t.Take(key)) {
      if (auto v = ReadString(diag, *f)) {
        if (v->empty()) {
          diag.Add(f->where, f->key, "must not be empty");
        } else {
          *out = *v;
        }
      }
    } else {
      t.Missing(key);
    }
  }
  if (auto f = t.Take("published")) {
    if (const auto* d = f->node->as_date()) {
      const toml::date& date = d->get();
      rs.published = fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
    } else {
      WrongType(diag, *f, "a date such as 2019-09-19 (no quotes)");
    }
  } else {
    t.Missing("published");
  }
  if (auto f = t.Take("description")) {
    if (auto v = ReadString(diag, *f)) rs.description = *v;
  }
  if (auto f = t.Take("sources")) ReadStrings(diag, *f, rs.sources);
  t.Finish();
}

void ReadThresholds(Diagnostics& diag, const std::vector<TableRow>& rows, PrecinctRules& p) {
  std::vector<RangeRow> ranges;
  bool all_valid = true;
  for (const TableRow& row : rows) {
    TableReader t(diag, *row.table, row.path);
    RangeRow range = ReadRange(t, row.path, "min_delegates", "max_delegates", kMaxDelegates);
    std::optional<Rational> threshold;
    if (auto f = t.Take("threshold")) {
      threshold = ReadRational(diag, *f);
      if (threshold && (*threshold <= Rational(0) || *threshold > Rational(1))) {
        diag.Add(f->where, f->key,
                 fmt::format("{} is outside (0, 1]: a viability threshold is a share of the room, "
                             "above 0 and at most 1",
                             threshold->ToString()));
        threshold.reset();
      }
    } else {
      t.Missing("threshold");
    }
    t.Finish();
    if (range.min && (range.max || !range.has_max) && threshold) {
      p.thresholds.push_back({*range.min, range.max, *threshold});
    } else {
      all_valid = false;
    }
    ranges.push_back(std::move(range));
  }
  CheckTiling(diag, ranges, "min_delegates", "max_delegates", "delegate");
  if (!all_valid) p.thresholds.clear();
}

void ReadSatellites(TableReader& t, PrecinctRules& p) {
  Diagnostics& diag = t.diag();
  Bool(t, "enabled", p.satellites_enabled);
  Enum(t, "sde_rule", p.satellite_sde, rules_internal::kSatelliteSdeRules);
  std::optional<Field> bracket_field;
  std::vector<TableRow> rows = ArrayOfTables(t, "bracket", &bracket_field);
  std::vector<RangeRow> ranges;
  for (const TableRow& row : rows) {
    TableReader b(diag, *row.table, row.path);
    RangeRow range = ReadRange(b, row.path, "min_attendance", "max_attendance", kMaxHeadCount);
    std::optional<int64_t> delegates;
    if (auto f = b.Take("delegates")) {
      delegates = ReadInt(diag, *f, 1, kMaxDelegates);
    } else {
      b.Missing("delegates");
    }
    b.Finish();
    if (range.min && (range.max || !range.has_max) && delegates) {
      p.satellite_brackets.push_back({*range.min, range.max, *delegates});
    }
    ranges.push_back(std::move(range));
  }
  CheckTiling(diag, ranges, "min_attendance", "max_attendance", "attendance");
  if (p.satellite_brackets.size() != ranges.size()) p.satellite_brackets.clear();
  if (p.satellites_enabled && !bracket_field) {
    t.Missing("bracket", "required when satellites are enabled: add [[" + t.KeyPath("bracket") +
                             "]] rows with min_attendance, max_attendance and delegates");
  }
  t.Finish();
}

void ReadEarlyVote(TableReader& t, EarlyVoteRules& e) {
  Bool(t, "enabled", e.enabled);
  std::optional<Field> max_field;
  Int(t, "min_choices", e.min_choices, 1, kMaxRankedChoices);
  if (auto f = t.Take("max_choices")) {
    max_field = f;
    if (auto v = ReadInt(t.diag(), *f, 1, kMaxRankedChoices))
      e.max_choices = static_cast<int32_t>(*v);
  }
  Bool(t, "distinct_choices", e.distinct_choices);
  if (e.max_choices < e.min_choices) {
    t.diag().Add(max_field ? max_field->where : t.where(), t.KeyPath("max_choices"),
                 fmt::format("{} is below min_choices ({})", e.max_choices, e.min_choices));
  }
  t.Finish();
}

void ReadPrecinct(Diagnostics& diag, const toml::table* table, PrecinctRules& p) {
  static const toml::table kEmpty;
  TableReader t(diag, table != nullptr ? *table : kEmpty, "precinct");
  std::optional<Field> method_field = t.Take("method");
  if (method_field) {
    if (auto v = ReadEnum(diag, *method_field, rules_internal::kPrecinctMethods)) p.method = *v;
  }
  std::optional<Field> threshold_field;
  std::vector<TableRow> rows = ArrayOfTables(t, "threshold", &threshold_field);
  ReadThresholds(diag, rows, p);
  Enum(t, "viability_comparison", p.viability_comparison, rules_internal::kViabilityComparisons);
  Bool(t, "lock_viable_groups", p.lock_viable_groups);
  std::optional<Field> release_field = t.Take("smallest_realign_releases_lock");
  if (release_field) {
    if (auto v = ReadBool(diag, *release_field)) p.smallest_realign_releases_lock = *v;
  }
  Int(t, "realignment_minutes", p.realignment_minutes, 0, kMaxRealignmentMinutes);
  Bool(t, "attendance_fixed_at_first", p.attendance_fixed_at_first);
  Bool(t, "final_viability_recheck", p.final_viability_recheck);
  Bool(t, "minimum_one_delegate", p.minimum_one_delegate);
  Enum(t, "over_allocation", p.over_allocation, rules_internal::kOverAllocations);
  if (release_field &&
      (!p.lock_viable_groups || p.over_allocation != OverAllocation::kSmallestRealign)) {
    // Nothing is locked, or nobody is made to realign: the setting would be silently ignored.
    diag.Add(release_field->where, release_field->key,
             fmt::format("applies only with lock_viable_groups = true and over_allocation = "
                         "\"smallest_realign\", not lock_viable_groups = {} and over_allocation "
                         "= \"{}\"",
                         p.lock_viable_groups,
                         rules_internal::Spell<OverAllocation>(p.over_allocation,
                                                               rules_internal::kOverAllocations)));
  }
  Enum(t, "tie_precision", p.tie_precision, rules_internal::kTiePrecisions);
  Enum(t, "tie_breaker", p.tie_breaker, rules_internal::kTieBreakers);
  Enum(t, "single_delegate", p.single_delegate, rules_internal::kSingleDelegateRules);
  Int(t, "sde_places", p.sde_places, 0, kMaxSdePlaces);
  std::optional<Field> satellites_field;
  if (const toml::table* s = SubTable(t, "satellites", &satellites_field)) {
    TableReader st(diag, *s, t.KeyPath("satellites"));
    ReadSatellites(st, p);
  }
  std::optional<Field> early_field;
  if (const toml::table* e = SubTable(t, "early_vote", &early_field)) {
    TableReader et(diag, *e, t.KeyPath("early_vote"));
    ReadEarlyVote(et, p.early_vote);
  }
  t.Finish();

  if (p.method == PrecinctMethod::kCaucus) {
    if (!threshold_field) {
      t.Missing(
          "threshold",
          "required when precinct.method = \"caucus\" (the default): add [[precinct.threshold]] "
          "rows with min_delegates, max_delegates and threshold");
    } else if (rows.empty() && table != nullptr) {
      t.Missing("threshold", "the threshold table is empty");
    }
  } else {
    // A straw poll or a national-only ruleset allocates nothing per precinct: settings for
    // caucus math would be silently ignored, so they are refused.
    const std::string_view method =
        rules_internal::Spell<PrecinctMethod>(p.method, rules_internal::kPrecinctMethods);
    auto refuse = [&](const std::optional<Field>& f, bool present, std::string_view key) {
      if (!present) return;
      diag.Add(f ? f->where : t.where(), t.KeyPath(key),
               fmt::format("applies only when precinct.method = \"caucus\", not \"{}\"", method));
    };
    refuse(threshold_field, threshold_field.has_value(), "threshold");
    refuse(satellites_field, p.satellites_enabled, "satellites");
    refuse(early_field, p.early_vote.enabled, "early_vote");
  }
}

// The keys of an allocation family, in [national] and in each [[national.state]].
void ReadFamilyKeys(TableReader& t, StateAllocationRules& s) {
  Diagnostics& diag = t.diag();
  Enum(t, "family", s.family, rules_internal::kAllocationFamilies);
  Enum(t, "threshold_comparison", s.threshold_comparison, rules_internal::kViabilityComparisons);
  if (auto f = t.Take("trigger")) {
    if (auto v = ReadRational(diag, *f)) {
      if (*v < Rational(1, 2) || *v >= Rational(1)) {
        diag.Add(f->where, f->key,
                 fmt::format("{} is outside [1/2, 1): a winner-take-all trigger is a majority "
                             "share (RNC: no lower than 50%)",
                             v->ToString()));
      } else {
        s.trigger = *v;
      }
    }
  }
  Enum(t, "trigger_scope", s.trigger_scope, rules_internal::kTriggerScopes);
  if (auto f = t.Take("runner_up_seats")) {
    if (auto v = ReadInt(diag, *f, 0, kMaxDelegates)) s.runner_up_seats = *v;
  }
}

void ReadNational(TableReader& t, NationalRules& n) {
  Diagnostics& diag = t.diag();
  Enum(t, "basis", n.basis, rules_internal::kNationalBases);
  if (auto f = t.Take("threshold")) {
    if (auto v = ReadRational(diag, *f)) {
      if (*v < Rational(0) || *v > Rational(1)) {
        diag.Add(f->where, f->key,
                 fmt::format("{} is outside [0, 1]: the national threshold is a share of the vote",
                             v->ToString()));
      } else {
        n.threshold = *v;
      }
    }
  }
  Enum(t, "share_precision", n.share_precision, rules_internal::kSharePrecisions);
  Enum(t, "fallback", n.fallback, rules_internal::kThresholdFallbacks);
  Enum(t, "tie_breaker", n.tie_breaker, rules_internal::kTieBreakers);
  StateAllocationRules defaults;
  ReadFamilyKeys(t, defaults);
  n.family = defaults.family;
  n.threshold_comparison = defaults.threshold_comparison;
  n.trigger = defaults.trigger;
  n.trigger_scope = defaults.trigger_scope;
  n.runner_up_seats = defaults.runner_up_seats;
  {
    std::optional<Field> state_field;
    std::set<std::string> states;
    for (const TableRow& row : ArrayOfTables(t, "state", &state_field)) {
      TableReader st(diag, *row.table, row.path);
      StateAllocationRules s;
      s.family = n.family;
      s.threshold = n.threshold;
      s.threshold_comparison = n.threshold_comparison;
      s.share_precision = n.share_precision;
      s.fallback = n.fallback;
      s.tie_breaker = n.tie_breaker;
      s.trigger = n.trigger;
      s.trigger_scope = n.trigger_scope;
      s.runner_up_seats = n.runner_up_seats;
      bool valid = true;
      if (auto f = st.Take("state")) {
        auto v = ReadString(diag, *f);
        if (v && v->empty()) {
          diag.Add(f->where, f->key, "must not be empty");
          v.reset();
        }
        if (v && !states.insert(*v).second) {
          diag.Add(f->where, f->key, fmt::format("duplicate state \"{}\"", *v));
          v.reset();
        }
        if (v)
          s.state = *v;
        else
          valid = false;
      } else {
        st.Missing("state");
        valid = false;
      }
      if (auto f = st.Take("version")) {
        if (auto v = ReadString(diag, *f)) s.version = *v;
      }
      if (auto f = st.Take("sources")) ReadStrings(diag, *f, s.sources);
      if (auto f = st.Take("threshold")) {
        if (auto v = ReadRational(diag, *f)) {
          if (*v < Rational(0) || *v > Rational(1)) {
            diag.Add(f->where, f->key, fmt::format("{} is outside [0, 1]", v->ToString()));
          } else {
            s.threshold = *v;
          }
        }
      }
      Enum(st, "share_precision", s.share_precision, rules_internal::kSharePrecisions);
      Enum(st, "fallback", s.fallback, rules_internal::kThresholdFallbacks);
      Enum(st, "tie_breaker", s.tie_breaker, rules_internal::kTieBreakers);
      ReadFamilyKeys(st, s);
      st.Finish();
      if (valid) n.states.push_back(std::move(s));
    }
  }
  std::optional<Field> pool_field;
  std::vector<TableRow> rows = ArrayOfTables(t, "pool", &pool_field);
  std::set<std::string> names;
  for (const TableRow& row : rows) {
    TableReader p(diag, *row.table, row.path);
    NationalPool pool;
    bool valid = true;
    if (auto f = p.Take("name")) {
      auto v = ReadString(diag, *f);
      if (v && v->empty()) {
        diag.Add(f->where, f->key, "must not be empty");
        v.reset();
      }
      if (v && !names.insert(*v).second) {
        diag.Add(f->where, f->key, fmt::format("duplicate pool name \"{}\"", *v));
        v.reset();
      }
      if (v)
        pool.name = *v;
      else
        valid = false;
    } else {
      p.Missing("name");
      valid = false;
    }
    std::optional<Field> scope_field = p.Take("scope");
    if (scope_field) {
      if (auto v = ReadEnum(diag, *scope_field, rules_internal::kPoolScopes))
        pool.scope = *v;
      else
        valid = false;
    }
    std::optional<Field> district_field = p.Take("district");
    if (district_field) {
      auto v = ReadString(diag, *district_field);
      if (v && v->empty()) {
        diag.Add(district_field->where, district_field->key, "must not be empty");
        v.reset();
      }
      if (v)
        pool.district = *v;
      else
        valid = false;
    }
    if (auto f = p.Take("size")) {
      if (auto v = ReadInt(diag, *f, 1, kMaxDelegates))
        pool.size = *v;
      else
        valid = false;
    } else {
      p.Missing("size");
      valid = false;
    }
    p.Finish();
    if (pool.scope == PoolScope::kDistrict && !district_field) {
      diag.Add(scope_field ? scope_field->where : p.where(), p.KeyPath("district"),
               "required when scope = \"district\": name the district this pool belongs to");
      valid = false;
    }
    if (pool.scope == PoolScope::kStatewide && district_field) {
      diag.Add(district_field->where, district_field->key,
               "a statewide pool has no district: remove it or set scope = \"district\"");
      valid = false;
    }
    if (valid) n.pools.push_back(std::move(pool));
  }
  t.Finish();
}

// A list of words, each one of `allowed`, at least one.
void ReadWords(TableReader& t, std::string_view key, std::vector<std::string>& out,
               std::initializer_list<std::string_view> allowed) {
  auto f = t.Take(key);
  if (!f) return;
  std::vector<std::string> words;
  ReadStrings(t.diag(), *f, words);
  std::string known;
  for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
  for (const std::string& w : words) {
    if (std::find(allowed.begin(), allowed.end(), w) == allowed.end()) {
      t.diag().Add(f->where, f->key, fmt::format("\"{}\" is not one of {}", w, known));
      return;
    }
  }
  if (words.empty()) {
    t.diag().Add(f->where, f->key, fmt::format("name at least one of {}", known));
    return;
  }
  out = std::move(words);
}

void ReadReview(TableReader& t, ReviewRules& r) {
  ReadWords(t, "request_roles", r.request_roles, {"campaign", "admin"});
  Bool(t, "claims_for_self", r.claims_for_self);
  for (auto [key, slot] :
       {std::pair{"request_hours", &r.request_hours}, std::pair{"answer_hours", &r.answer_hours},
        std::pair{"cost_hours", &r.cost_hours}}) {
    if (auto f = t.Take(key)) {
      if (auto v = ReadInt(t.diag(), *f, 1, 24 * 366)) *slot = *v;
    }
  }
  if (auto f = t.Take("recanvass_corrects")) {
    std::vector<std::string> layers;
    ReadStrings(t.diag(), *f, layers);
    for (const std::string& l : layers) {
      if (l != "transcription" && l != "rule-misapplication") {
        t.diag().Add(f->where, f->key,
                     fmt::format("\"{}\" is not a layer a recanvass can correct (transcription, "
                                 "rule-misapplication; counts only a recount settles)",
                                 l));
        return;
      }
    }
    r.recanvass_corrects = std::move(layers);
  }
  t.Finish();
}

// [anomaly]: the gate's thresholds. A value that would switch a check off by accident (a zero
// or negative threshold, a name given twice in the ballot order) is refused here, once, rather
// than when a release is built.
void ReadAnomaly(TableReader& t, AnomalyRules& a) {
  Diagnostics& diag = t.diag();
  if (auto f = t.Take("duplicate_above")) {
    if (auto v = ReadInt(diag, *f, 0, kMaxHeadCount)) a.duplicate_above = *v;
  }
  if (auto f = t.Take("shift_threshold_nats")) {
    // A whole number, or a decimal written as a string ("12.5"): exact either way.
    std::optional<Rational> v;
    if (const auto* i = f->node->as_integer()) {
      v = Rational(i->get());
    } else if (const auto* text = f->node->as_string();
               text != nullptr && !text->get().empty() && text->get().back() == '%') {
      diag.Add(f->where, f->key, "a number of nats, not a percentage");
    } else {
      v = ReadRational(diag, *f);
    }
    if (v && *v <= Rational(0)) {
      diag.Add(f->where, f->key,
               fmt::format("{} is not a positive number of nats (a threshold of 0 would hold "
                           "every precinct a shift improves)",
                           v->ToShortDecimal()));
    } else if (v) {
      a.shift_threshold_nats = *v;
    }
  }
  if (auto f = t.Take("ballot_order")) {
    std::vector<std::string> names;
    ReadStrings(diag, *f, names);
    std::set<std::string> seen;
    bool valid = true;
    for (const std::string& name : names) {
      if (name.find_first_not_of(" \t") == std::string::npos) {
        diag.Add(f->where, f->key, "a candidate name is blank");
        valid = false;
      } else if (!seen.insert(name).second) {
        diag.Add(f->where, f->key, fmt::format("\"{}\" is named twice", name));
        valid = false;
      }
    }
    if (valid) a.ballot_order = std::move(names);
  }
  t.Finish();
}

void ReadConvention(TableReader& t, ConventionRules& c) {
  Diagnostics& diag = t.diag();
  std::optional<Field> pledged = t.Take("pledged_delegates");
  if (pledged) {
    if (auto v = ReadInt(diag, *pledged, 1, kMaxDelegates)) c.pledged_delegates = *v;
  } else {
    t.Missing("pledged_delegates");
  }
  if (auto f = t.Take("total_delegates")) {
    if (auto v = ReadInt(diag, *f, 1, kMaxDelegates)) {
      c.total_delegates = *v;
      if (c.pledged_delegates > 0 && c.total_delegates < c.pledged_delegates) {
        diag.Add(f->where, f->key,
                 fmt::format("{} is fewer than the {} pledged delegates", c.total_delegates,
                             c.pledged_delegates));
      }
    }
  } else {
    c.total_delegates = c.pledged_delegates;  // no automatic delegates
  }
  Enum(t, "majority", c.majority, rules_internal::kMajorityFormulas);
  Enum(t, "first_ballot", c.first_ballot, rules_internal::kFirstBallots);
  if (auto f = t.Take("vote_unit")) {
    if (auto v = ReadRational(diag, *f)) {
      if (*v != Rational(1) && *v != Rational(1, 2)) {
        diag.Add(f->where, f->key,
                 fmt::format("{} is neither 1 nor 1/2: a delegate casts a whole or a half vote",
                             v->ToString()));
      } else {
        c.vote_unit = *v;
      }
    }
  }
  if (auto f = t.Take("later_ballot_votes")) {
    if (auto v = ReadRational(diag, *f)) {
      if (*v <= Rational(0) || *v > Rational(kMaxDelegates) || !(*v / c.vote_unit).is_integer()) {
        diag.Add(f->where, f->key,
                 fmt::format("{} is not a positive multiple of the vote unit {} up to {}",
                             v->ToString(), c.vote_unit.ToString(), kMaxDelegates));
      } else {
        c.later_ballot_votes = *v;
      }
    }
  }
  t.Finish();
}

std::string RulesDirectory() {
  const char* env = std::getenv("CANVASS_RULES_DIR");
  if (env != nullptr && *env != '\0') return env;
  return CANVASS_SOURCE_DIR "/rules";
}

}  // namespace

Result<Ruleset> ParseRuleset(std::string_view toml_text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(origin));
  } catch (const toml::parse_error& e) {
    toml::source_position where = e.source().begin;
    if (where.line == 0) where = {1, 1};
    return Status::ParseError(
        fmt::format("{}:{}:{}: {}", origin, where.line, where.column, e.description()));
  } catch (const std::exception& e) {
    return Status::ParseError(fmt::format("{}: cannot read TOML: {}", origin, e.what()));
  }

  Diagnostics diag(origin);
  Ruleset rs;
  TableReader top(diag, root, "");
  if (const toml::table* header = SubTable(top, "ruleset")) {
    TableReader t(diag, *header, "ruleset");
    ReadHeader(t, rs);
  } else if (!root.contains("ruleset")) {
    top.Missing("ruleset", "required table [ruleset] is missing (name, version, published)");
  }
  std::optional<Field> precinct_field;
  const toml::table* precinct = SubTable(top, "precinct", &precinct_field);
  if (precinct != nullptr || !precinct_field) ReadPrecinct(diag, precinct, rs.precinct);
  if (const toml::table* national = SubTable(top, "national")) {
    TableReader t(diag, *national, "national");
    rs.national.emplace();
    ReadNational(t, *rs.national);
  }
  if (const toml::table* convention = SubTable(top, "convention")) {
    TableReader t(diag, *convention, "convention");
    rs.convention.emplace();
    ReadConvention(t, *rs.convention);
  }
  if (const toml::table* review = SubTable(top, "review")) {
    TableReader t(diag, *review, "review");
    rs.review.emplace();
    ReadReview(t, *rs.review);
  }
  if (const toml::table* anomaly = SubTable(top, "anomaly")) {
    TableReader t(diag, *anomaly, "anomaly");
    rs.anomaly.emplace();
    ReadAnomaly(t, *rs.anomaly);
  }
  top.Finish();
  if (!diag.empty()) return diag.ToStatus();
  rs.hash = Sha256Hex(rs.CanonicalJson());
  return rs;
}

Result<Ruleset> LoadRulesetFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::IoError(fmt::format("{}: is a directory, not a ruleset file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(fmt::format("{}: cannot open ruleset file", path));
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return Status::ParseError(
          fmt::format("{}: larger than {} bytes; not a ruleset", path, kMaxFileBytes));
    }
  }
  if (in.bad()) return Status::IoError(fmt::format("{}: read failed", path));
  return ParseRuleset(text, path);
}

Result<std::string> RulesetPath(const std::string& name_or_path) {
  const std::string& s = name_or_path;
  bool is_path = s.find('/') != std::string::npos ||
                 (s.size() >= 5 && s.compare(s.size() - 5, 5, ".toml") == 0);
  if (is_path) return s;
  const std::string dir = RulesDirectory();
  if (s.empty()) return Status::InvalidArgument("empty ruleset name");
  const std::string path = dir + "/" + s + ".toml";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    std::string known;
    for (const std::string& name : ListRulesets()) known += (known.empty() ? "" : ", ") + name;
    return Status::NotFound(fmt::format("no ruleset named \"{}\" in {} (available: {})", s, dir,
                                        known.empty() ? "none" : known));
  }
  return path;
}

Result<Ruleset> LoadRuleset(const std::string& name_or_path) {
  auto path = RulesetPath(name_or_path);
  if (!path.ok()) return path.status();
  return LoadRulesetFile(*path);
}

std::vector<std::string> ListRulesets() {
  std::vector<std::string> names;
  std::error_code ec;
  std::filesystem::directory_iterator it(RulesDirectory(), ec);
  if (ec) return names;
  for (const auto& entry : it) {
    std::error_code entry_ec;
    if (!entry.is_regular_file(entry_ec) || entry.path().extension() != ".toml") continue;
    names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace canvass
