#include "io/importers.h"

#include <array>
#include <cstring>
#include <unordered_map>

#include "core/text.h"
#include "io/csv.h"
#include "io/file_text.h"
#include "io/media_feed.h"
#include "io/values.h"

namespace canvass {
namespace {

constexpr std::string_view kSatelliteSuffix = "Satellite";

bool NamedSatellite(std::string_view county) { return county.ends_with(kSatelliteSuffix); }

// Equality of two cells, inline: the long CSV compares several cells per row with the previous
// row's, and the library's out-of-line compare was a tenth of its parse.
inline bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// "column \"value\": <why>" at field i.
Status CellError(const CsvReader& r, size_t i, std::string_view column, const Status& why) {
  return r.FieldError(i, "column \"" + std::string(column) + "\": " + why.message());
}

// Reads the header record, trimmed. An empty text has no header.
Status ReadHeader(CsvReader& r, std::vector<std::string>* header) {
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  if (!has) return r.ErrorAt(1, 1, "empty file: expected a header line");
  header->clear();
  for (size_t i = 0; i < r.size(); ++i) header->emplace_back(Trim(r[i]));
  return Status::Ok();
}

bool HeaderIs(const std::vector<std::string>& header,
              std::initializer_list<std::string_view> names) {
  if (header.size() != names.size()) return false;
  size_t i = 0;
  for (std::string_view n : names) {
    if (header[i++] != n) return false;
  }
  return true;
}

std::string JoinHeader(const std::vector<std::string>& header) {
  std::string out;
  for (const auto& h : header) {
    if (!out.empty()) out += ',';
    out += h;
  }
  return out.size() > 200 ? out.substr(0, 200) + "..." : out;
}

// Columns of our own formats: named, in any order, each at most once, none unknown.
// Index kAbsent when an optional column is missing.
constexpr size_t kAbsent = static_cast<size_t>(-1);

Status MapColumns(const CsvReader& r, const std::vector<std::string>& header,
                  std::initializer_list<std::string_view> required,
                  std::initializer_list<std::string_view> optional,
                  std::unordered_map<std::string, size_t>* index) {
  index->clear();
  for (size_t i = 0; i < header.size(); ++i) {
    bool known = false;
    for (auto n : required) known = known || header[i] == n;
    for (auto n : optional) known = known || header[i] == n;
    if (!known) return r.ErrorAt(1, r.field_column(i), "unknown column \"" + header[i] + "\"");
    if (!index->emplace(header[i], i).second) {
      return r.ErrorAt(1, r.field_column(i), "column \"" + header[i] + "\" appears twice");
    }
  }
  for (auto n : required) {
    if (!index->count(std::string(n))) {
      return r.ErrorAt(1, 1, "missing column \"" + std::string(n) + "\"");
    }
  }
  return Status::Ok();
}

size_t ColumnOf(const std::unordered_map<std::string, size_t>& index, std::string_view name) {
  auto it = index.find(std::string(name));
  return it == index.end() ? kAbsent : it->second;
}

// A name cell: canonical, never empty.
Status NameCell(const CsvReader& r, size_t i, std::string_view column, std::string* out) {
  *out = CanonicalName(r[i]);
  if (out->empty()) return CellError(r, i, column, Status::InvalidArgument("empty name"));
  return Status::Ok();
}

Status CountCell(const CsvReader& r, size_t i, std::string_view column, Count max,
                 std::optional<Count>* out) {
  auto v = ParseCount(r[i], max);
  if (!v.ok()) return CellError(r, i, column, v.status());
  *out = *v;
  return Status::Ok();
}

Status SdeCell(const CsvReader& r, size_t i, std::string_view column, DecimalSource source,
               std::optional<Rational>* out) {
  auto v = ParseSde(r[i], source);
  if (!v.ok()) return CellError(r, i, column, v.status());
  *out = *v;
  return Status::Ok();
}

Status FlagCell(const CsvReader& r, size_t i, std::string_view column, bool* out) {
  std::string_view v = r[i];
  if (v != "0" && v != "1") {
    return CellError(r, i, column,
                     Status::InvalidArgument("\"" + std::string(v) + "\" is not 0 or 1"));
  }
  *out = v == "1";
  return Status::Ok();
}

// Builds an Election from rows that name a county, a precinct and a candidate, caching the
// previous row's raw names so that the long CSV's 80,000 rows normalise each name once.
class ResultsBuilder {
 public:
  explicit ResultsBuilder(const std::string& origin) : origin_(origin) {}

  Election& election() { return election_; }

  void AddCandidate(std::string name) {
    if (!election_.FindCandidate(name)) election_.candidates.push_back(std::move(name));
  }

  // The candidate index for a raw cell.
  Status Candidate(const CsvReader& r, size_t i, CandidateIndex* out) {
    std::string_view raw = r[i];
    // Rows usually list the candidates in the same order in every precinct, a candidate's rows
    // together: look from the last match on.
    const size_t cached = candidate_cache_.size();
    for (size_t k = 0; k < cached; ++k) {
      size_t at = next_candidate_ + k;
      if (at >= cached) at -= cached;
      if (SameText(candidate_cache_[at].first, raw)) {
        next_candidate_ = at;
        *out = candidate_cache_[at].second;
        return Status::Ok();
      }
    }
    std::string name;
    CANVASS_RETURN_IF_ERROR(NameCell(r, i, "candidate", &name));
    auto found = election_.FindCandidate(name);
    if (!found) {
      election_.candidates.push_back(std::move(name));
      found = static_cast<CandidateIndex>(election_.candidates.size() - 1);
    }
    candidate_cache_.emplace_back(std::string(raw), *found);
    next_candidate_ = 0;
    *out = *found;
    return Status::Ok();
  }

  // The report for the unit named in cells (county_i, precinct_i); *skip when the precinct is
  // a county total row of the party's long CSV.
  Status Unit(const CsvReader& r, size_t county_i, size_t precinct_i, bool drop_totals,
              PrecinctReport** out, bool* skip) {
    *skip = false;
    std::string_view county_raw = r[county_i];
    std::string_view precinct_raw = r[precinct_i];
    if (has_last_ && SameText(precinct_raw, last_precinct_raw_) &&
        SameText(county_raw, last_county_raw_)) {
      *skip = last_skip_;
      *out = last_skip_ ? nullptr : &election_.reports[last_index_];
      return Status::Ok();
    }
    std::string county, precinct;
    CANVASS_RETURN_IF_ERROR(NameCell(r, county_i, "county", &county));
    CANVASS_RETURN_IF_ERROR(NameCell(r, precinct_i, "precinct", &precinct));
    has_last_ = true;
    last_county_raw_.assign(county_raw);
    last_precinct_raw_.assign(precinct_raw);
    last_skip_ = drop_totals && (precinct == "Total" || precinct == "Total_recalc");
    if (last_skip_) {
      *skip = true;
      *out = nullptr;
      return Status::Ok();
    }
    std::string key = county + '\x1f' + precinct;
    auto [it, inserted] = units_.emplace(std::move(key), election_.reports.size());
    if (inserted) {
      PrecinctReport report;
      // The candidates seen so far: the figures then grow once, not one candidate at a time.
      report.figures.reserve(election_.candidates.size());
      report.satellite = NamedSatellite(county);
      report.county = std::move(county);
      report.precinct = std::move(precinct);
      report.source = SourceRef{origin_, r.line()};
      election_.reports.push_back(std::move(report));
    }
    last_index_ = it->second;
    *out = &election_.reports[last_index_];
    return Status::Ok();
  }

  static CandidateReport& Figures(PrecinctReport& report, CandidateIndex c) {
    if (report.figures.size() <= c) report.figures.resize(c + 1);
    return report.figures[c];
  }

  Election Finish() {
    for (auto& report : election_.reports) report.figures.resize(election_.candidates.size());
    return std::move(election_);
  }

 private:
  const std::string& origin_;
  Election election_;
  std::vector<std::pair<std::string, CandidateIndex>> candidate_cache_;
  size_t next_candidate_ = 0;  // where Candidate() looks first: the last match
  std::unordered_map<std::string, size_t> units_;
  bool has_last_ = false;
  bool last_skip_ = false;
  std::string last_county_raw_;
  std::string last_precinct_raw_;
  size_t last_index_ = 0;
};

std::string Describe(const PrecinctReport& report, const std::string& candidate) {
  return report.county + " / " + report.precinct + " / " + candidate;
}

// county,precinct,candidate,measure,value (the party's long CSV).
Result<Election> ParseLongCsv(CsvReader& r) {
  ResultsBuilder builder(r.origin());
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    PrecinctReport* report = nullptr;
    bool skip = false;
    CANVASS_RETURN_IF_ERROR(builder.Unit(r, 0, 1, /*drop_totals=*/true, &report, &skip));
    if (skip) continue;
    CandidateIndex c = 0;
    CANVASS_RETURN_IF_ERROR(builder.Candidate(r, 2, &c));
    CandidateReport& fig = ResultsBuilder::Figures(*report, c);
    std::string_view measure = r[3];
    const char* what = nullptr;
    if (SameText(measure, "expression_1")) {
      if (fig.first)
        what = "expression_1";
      else
        CANVASS_RETURN_IF_ERROR(CountCell(r, 4, "value", kMaxHeadCount, &fig.first));
    } else if (SameText(measure, "expression_2")) {
      if (fig.final)
        what = "expression_2";
      else
        CANVASS_RETURN_IF_ERROR(CountCell(r, 4, "value", kMaxHeadCount, &fig.final));
    } else if (SameText(measure, "sde")) {
      if (fig.sde)
        what = "sde";
      else
        CANVASS_RETURN_IF_ERROR(SdeCell(r, 4, "value", DecimalSource::kFloatingPrintout, &fig.sde));
    } else {
      return r.FieldError(3, "column \"measure\": unknown measure \"" + std::string(measure) +
                                 "\" (expected expression_1, expression_2 or sde)");
    }
    if (what != nullptr) {
      return r.FieldError(3, std::string("a second ") + what + " row for " +
                                 Describe(*report, builder.election().candidates[c]));
    }
  }
  return builder.Finish();
}

// Our results CSV: county,precinct,candidate,first,final[,delegates][,sde][,satellite].
Result<Election> ParseOurResultsCsv(CsvReader& r, const std::vector<std::string>& header) {
  std::unordered_map<std::string, size_t> cols;
  CANVASS_RETURN_IF_ERROR(MapColumns(r, header,
                                     {"county", "precinct", "candidate", "first", "final"},
                                     {"delegates", "sde", "satellite"}, &cols));
  const size_t county = ColumnOf(cols, "county"), precinct = ColumnOf(cols, "precinct"),
               candidate = ColumnOf(cols, "candidate"), first = ColumnOf(cols, "first"),
               final = ColumnOf(cols, "final"), delegates = ColumnOf(cols, "delegates"),
               sde = ColumnOf(cols, "sde"), satellite = ColumnOf(cols, "satellite");
  ResultsBuilder builder(r.origin());
  std::vector<std::vector<bool>> seen;  // [report][candidate]
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    PrecinctReport* report = nullptr;
    bool skip = false;
    CANVASS_RETURN_IF_ERROR(
        builder.Unit(r, county, precinct, /*drop_totals=*/false, &report, &skip));
    size_t unit = static_cast<size_t>(report - builder.election().reports.data());
    if (satellite != kAbsent) {
      bool flag = false;
      CANVASS_RETURN_IF_ERROR(FlagCell(r, satellite, "satellite", &flag));
      if (seen.size() > unit && flag != report->satellite) {
        return r.FieldError(satellite, "column \"satellite\": differs from an earlier row of " +
                                           report->county + " / " + report->precinct);
      }
      report->satellite = flag;
    }
    CandidateIndex c = 0;
    CANVASS_RETURN_IF_ERROR(builder.Candidate(r, candidate, &c));
    if (seen.size() <= unit) seen.resize(unit + 1);
    if (seen[unit].size() <= c) seen[unit].resize(c + 1);
    if (seen[unit][c]) {
      return r.FieldError(
          candidate, "a second row for " + Describe(*report, builder.election().candidates[c]));
    }
    seen[unit][c] = true;
    CandidateReport& fig = ResultsBuilder::Figures(*report, c);
    if (!r[first].empty())
      CANVASS_RETURN_IF_ERROR(CountCell(r, first, "first", kMaxHeadCount, &fig.first));
    if (!r[final].empty())
      CANVASS_RETURN_IF_ERROR(CountCell(r, final, "final", kMaxHeadCount, &fig.final));
    if (delegates != kAbsent && !r[delegates].empty())
      CANVASS_RETURN_IF_ERROR(CountCell(r, delegates, "delegates", kMaxDelegates, &fig.delegates));
    if (sde != kAbsent && !r[sde].empty())
      CANVASS_RETURN_IF_ERROR(SdeCell(r, sde, "sde", DecimalSource::kExact, &fig.sde));
  }
  return builder.Finish();
}

// Per-county sums of the party's floating-point precinct SDEs, turned into the exact county
// ratio: each Iowa county elects a whole number of state delegates, so ratio = that number /
// the county's delegates (Adair: 4 / 51), not the printed 0.078431.
class CountyRatios {
 public:
  void Add(const std::string& county, int64_t sde_nanos, Count delegates, int64_t line) {
    auto [it, inserted] = tallies_.try_emplace(county);
    if (inserted) it->second.line = line;
    it->second.nanos += sde_nanos;
    it->second.delegates += delegates;
  }

  // Fills sde_per_delegate of every non-satellite row.
  Status Apply(const std::string& origin, std::vector<PrecinctApportionment>* table) const {
    constexpr __int128 kUnit = 1'000'000'000;
    std::unordered_map<std::string, std::optional<Rational>> ratios;
    for (const auto& [county, t] : tallies_) {
      __int128 whole = (t.nanos + kUnit / 2) / kUnit;
      __int128 off = t.nanos - whole * kUnit;
      if (off < 0) off = -off;
      if (off > kUnit / 1000) {
        return Status::ParseError(origin + ":" + std::to_string(t.line) + ": county \"" + county +
                                  "\": its precincts' SDEs add up to " + NanosToString(t.nanos) +
                                  ", not a whole number of state delegates");
      }
      if (t.delegates == 0) {
        if (whole != 0) {
          return Status::ParseError(origin + ":" + std::to_string(t.line) + ": county \"" + county +
                                    "\": SDEs without county delegates");
        }
        ratios[county] = std::nullopt;
        continue;
      }
      // Keep the ratio inside what our own format writes and reads back.
      if (whole / t.delegates >= kMaxSdeWhole || whole >= 1'000'000'000'000 ||
          t.delegates >= 1'000'000'000'000) {
        return Status::ParseError(origin + ":" + std::to_string(t.line) + ": county \"" + county +
                                  "\": SDEs per delegate out of range");
      }
      ratios[county] = Rational(static_cast<int64_t>(whole), t.delegates);
    }
    for (auto& row : *table) {
      if (row.satellite) continue;
      auto it = ratios.find(row.county);
      if (it != ratios.end()) row.sde_per_delegate = it->second;
    }
    return Status::Ok();
  }

 private:
  struct Tally {
    __int128 nanos = 0;
    Count delegates = 0;
    int64_t line = 0;
  };
  std::unordered_map<std::string, Tally> tallies_;
};

constexpr std::array<std::string_view, 11> kWideFixed = {
    "county",          "precinct",
    "is_satellite",    "idp_short_code",
    "nyt_precinct_id", "county_delegates_apportioned",
    "sde_apportioned", "sde_per_county_delegate",
    "first_total",     "final_total",
    "sde_total"};

// The party's wide CSV: one row per unit, apportionment columns, <Candidate>_first/_final/_sde.
Result<Election> ParseWideCsv(CsvReader& r, const std::vector<std::string>& header) {
  for (size_t i = 0; i < kWideFixed.size(); ++i) {
    if (i >= header.size() || header[i] != kWideFixed[i]) {
      return r.ErrorAt(1, i < header.size() ? r.field_column(i) : 1,
                       "wide CSV: expected column " + std::to_string(i + 1) + " to be \"" +
                           std::string(kWideFixed[i]) + "\"");
    }
  }
  ResultsBuilder builder(r.origin());
  enum Part : uint8_t { kFirst, kFinal, kSde };
  struct Column {
    CandidateIndex candidate;
    Part part;
  };
  std::vector<Column> columns;
  std::vector<std::array<int, 3>> parts_seen;
  for (size_t i = kWideFixed.size(); i < header.size(); ++i) {
    const std::string& h = header[i];
    Part part;
    std::string_view name;
    if (h.ends_with("_first")) {
      part = kFirst;
      name = std::string_view(h).substr(0, h.size() - 6);
    } else if (h.ends_with("_final")) {
      part = kFinal;
      name = std::string_view(h).substr(0, h.size() - 6);
    } else if (h.ends_with("_sde")) {
      part = kSde;
      name = std::string_view(h).substr(0, h.size() - 4);
    } else {
      return r.ErrorAt(1, r.field_column(i),
                       "wide CSV: column \"" + h + "\" is not <Candidate>_first, _final or _sde");
    }
    std::string canonical = CanonicalName(name);
    if (canonical.empty()) return r.ErrorAt(1, r.field_column(i), "empty candidate name");
    builder.AddCandidate(canonical);
    CandidateIndex c = *builder.election().FindCandidate(canonical);
    if (parts_seen.size() <= c) parts_seen.resize(c + 1, {0, 0, 0});
    if (parts_seen[c][part]++) {
      return r.ErrorAt(1, r.field_column(i), "column \"" + h + "\" appears twice");
    }
    columns.push_back({c, part});
  }
  for (size_t c = 0; c < parts_seen.size(); ++c) {
    if (parts_seen[c][kFirst] == 0 || parts_seen[c][kFinal] == 0 || parts_seen[c][kSde] == 0) {
      return r.ErrorAt(1, 1,
                       "wide CSV: candidate \"" + builder.election().candidates[c] +
                           "\" needs _first, _final and _sde columns");
    }
  }
  std::vector<PrecinctApportionment> table;
  CountyRatios ratios;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    PrecinctReport* report = nullptr;
    bool skip = false;
    size_t before = builder.election().reports.size();
    CANVASS_RETURN_IF_ERROR(builder.Unit(r, 0, 1, /*drop_totals=*/false, &report, &skip));
    if (builder.election().reports.size() == before) {
      return r.FieldError(1, "a second row for " + report->county + " / " + report->precinct);
    }
    CANVASS_RETURN_IF_ERROR(FlagCell(r, 2, "is_satellite", &report->satellite));
    PrecinctApportionment row;
    row.county = report->county;
    row.precinct = report->precinct;
    row.satellite = report->satellite;
    row.short_code = CanonicalName(r[3]);
    row.source = report->source;
    if (row.satellite) {
      for (size_t i : {5, 6, 7}) {
        if (!r[i].empty()) {
          return CellError(r, i, kWideFixed[i],
                           Status::InvalidArgument("a satellite has no apportioned delegates"));
        }
      }
      CANVASS_RETURN_IF_ERROR(
          SdeCell(r, 10, "sde_total", DecimalSource::kFloatingPrintout, &row.site_sde));
    } else {
      CANVASS_RETURN_IF_ERROR(
          CountCell(r, 5, "county_delegates_apportioned", kMaxDelegates, &row.delegates));
      auto nanos = ParseNanos(r[6]);
      if (!nanos.ok()) return CellError(r, 6, "sde_apportioned", nanos.status());
      ratios.Add(row.county, *nanos, *row.delegates, r.line());
    }
    table.push_back(std::move(row));
    for (size_t k = 0; k < columns.size(); ++k) {
      size_t i = kWideFixed.size() + k;
      CandidateReport& fig = ResultsBuilder::Figures(*report, columns[k].candidate);
      switch (columns[k].part) {
        case kFirst:
          CANVASS_RETURN_IF_ERROR(CountCell(r, i, header[i], kMaxHeadCount, &fig.first));
          break;
        case kFinal:
          CANVASS_RETURN_IF_ERROR(CountCell(r, i, header[i], kMaxHeadCount, &fig.final));
          break;
        case kSde:
          CANVASS_RETURN_IF_ERROR(
              SdeCell(r, i, header[i], DecimalSource::kFloatingPrintout, &fig.sde));
          break;
      }
    }
  }
  CANVASS_RETURN_IF_ERROR(ratios.Apply(r.origin(), &table));
  Election election = builder.Finish();
  election.apportionment = std::move(table);
  return election;
}

// Duplicate (county, precinct) rows of an apportionment table.
class UnitSet {
 public:
  Status Add(const CsvReader& r, const PrecinctApportionment& row) {
    auto [it, inserted] = seen_.emplace(row.county + '\x1f' + row.precinct, r.line());
    if (!inserted) {
      return r.FieldError(1, "a second row for " + row.county + " / " + row.precinct +
                                 " (first at line " + std::to_string(it->second) + ")");
    }
    return Status::Ok();
  }

 private:
  std::unordered_map<std::string, int64_t> seen_;
};

// The IDP table: County,Precinct Short Name,Delegates to County Convention,State Delegate
// Equivalents.
Result<std::vector<PrecinctApportionment>> ParseIdpTable(CsvReader& r) {
  std::vector<PrecinctApportionment> table;
  CountyRatios ratios;
  UnitSet units;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    PrecinctApportionment row;
    CANVASS_RETURN_IF_ERROR(NameCell(r, 0, "County", &row.county));
    CANVASS_RETURN_IF_ERROR(NameCell(r, 1, "Precinct Short Name", &row.precinct));
    row.short_code = row.precinct;
    row.satellite = NamedSatellite(row.county);
    CANVASS_RETURN_IF_ERROR(
        CountCell(r, 2, "Delegates to County Convention", kMaxDelegates, &row.delegates));
    auto nanos = ParseNanos(r[3]);
    if (!nanos.ok()) return CellError(r, 3, "State Delegate Equivalents", nanos.status());
    ratios.Add(row.county, *nanos, *row.delegates, r.line());
    row.source = SourceRef{r.origin(), r.line()};
    CANVASS_RETURN_IF_ERROR(units.Add(r, row));
    table.push_back(std::move(row));
  }
  CANVASS_RETURN_IF_ERROR(ratios.Apply(r.origin(), &table));
  return table;
}

// The Nevada table: county,precinct,congressional_district,democrats_in_precinct,
// apportionment_clause,delegates,alternates.
Result<std::vector<PrecinctApportionment>> ParseNevadaTable(CsvReader& r) {
  std::vector<PrecinctApportionment> table;
  UnitSet units;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    PrecinctApportionment row;
    CANVASS_RETURN_IF_ERROR(NameCell(r, 0, "county", &row.county));
    CANVASS_RETURN_IF_ERROR(NameCell(r, 1, "precinct", &row.precinct));
    std::string district;
    CANVASS_RETURN_IF_ERROR(NameCell(r, 2, "congressional_district", &district));
    row.district = std::move(district);
    std::optional<Count> ignored;
    CANVASS_RETURN_IF_ERROR(CountCell(r, 3, "democrats_in_precinct", kMaxHeadCount, &ignored));
    CANVASS_RETURN_IF_ERROR(CountCell(r, 5, "delegates", kMaxDelegates, &row.delegates));
    CANVASS_RETURN_IF_ERROR(CountCell(r, 6, "alternates", kMaxDelegates, &ignored));
    row.source = SourceRef{r.origin(), r.line()};
    CANVASS_RETURN_IF_ERROR(units.Add(r, row));
    table.push_back(std::move(row));
  }
  return table;
}

// Our apportionment CSV.
Result<std::vector<PrecinctApportionment>> ParseOurApportionment(
    CsvReader& r, const std::vector<std::string>& header) {
  std::unordered_map<std::string, size_t> cols;
  CANVASS_RETURN_IF_ERROR(
      MapColumns(r, header, {"county", "precinct", "delegates"},
                 {"sde_per_delegate", "district", "satellite", "site_sde", "short_code"}, &cols));
  const size_t county = ColumnOf(cols, "county"), precinct = ColumnOf(cols, "precinct"),
               delegates = ColumnOf(cols, "delegates"), ratio = ColumnOf(cols, "sde_per_delegate"),
               district = ColumnOf(cols, "district"), satellite = ColumnOf(cols, "satellite"),
               site_sde = ColumnOf(cols, "site_sde"), short_code = ColumnOf(cols, "short_code");
  std::vector<PrecinctApportionment> table;
  UnitSet units;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    PrecinctApportionment row;
    CANVASS_RETURN_IF_ERROR(NameCell(r, county, "county", &row.county));
    CANVASS_RETURN_IF_ERROR(NameCell(r, precinct, "precinct", &row.precinct));
    row.satellite = NamedSatellite(row.county);
    if (satellite != kAbsent)
      CANVASS_RETURN_IF_ERROR(FlagCell(r, satellite, "satellite", &row.satellite));
    if (!r[delegates].empty())
      CANVASS_RETURN_IF_ERROR(CountCell(r, delegates, "delegates", kMaxDelegates, &row.delegates));
    if (ratio != kAbsent && !r[ratio].empty())
      CANVASS_RETURN_IF_ERROR(
          SdeCell(r, ratio, "sde_per_delegate", DecimalSource::kExact, &row.sde_per_delegate));
    if (site_sde != kAbsent && !r[site_sde].empty())
      CANVASS_RETURN_IF_ERROR(
          SdeCell(r, site_sde, "site_sde", DecimalSource::kExact, &row.site_sde));
    if (district != kAbsent && !r[district].empty()) {
      std::string d;
      CANVASS_RETURN_IF_ERROR(NameCell(r, district, "district", &d));
      row.district = std::move(d);
    }
    if (short_code != kAbsent) row.short_code = CanonicalName(r[short_code]);
    row.source = SourceRef{r.origin(), r.line()};
    CANVASS_RETURN_IF_ERROR(units.Add(r, row));
    table.push_back(std::move(row));
  }
  return table;
}

bool LooksLikeJson(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  text = Trim(text);
  return !text.empty() && (text.front() == '{' || text.front() == '[');
}

template <typename T, typename F>
void AppendOptional(std::string& out, const std::optional<T>& v, F&& to_text) {
  out += ',';
  if (v) AppendCsvCell(out, to_text(*v));
}

}  // namespace

Result<Election> ParseResults(std::string_view text, const std::string& origin) {
  if (LooksLikeJson(text)) return ParseMediaFeed(text, origin);
  CsvReader r(text, origin);
  std::vector<std::string> header;
  CANVASS_RETURN_IF_ERROR(ReadHeader(r, &header));
  if (HeaderIs(header, {"county", "precinct", "candidate", "measure", "value"})) {
    return ParseLongCsv(r);
  }
  if (header.size() >= 3 && header[0] == "county" && header[1] == "precinct" &&
      header[2] == "is_satellite") {
    return ParseWideCsv(r, header);
  }
  if (header.size() >= 3 && header[0] == "county" && header[1] == "precinct" &&
      header[2] == "candidate") {
    return ParseOurResultsCsv(r, header);
  }
  for (const auto& h : header) {
    if (h == "first" || h == "final") return ParseOurResultsCsv(r, header);
  }
  return r.ErrorAt(1, 1,
                   "unrecognised results header \"" + JoinHeader(header) +
                       "\": expected county,precinct,candidate,first,final[,delegates][,sde] "
                       "(docs/formats.md), the party's long or wide CSV, or the media feed JSON");
}

Result<std::vector<PrecinctApportionment>> ParseApportionment(std::string_view text,
                                                              const std::string& origin) {
  CsvReader r(text, origin);
  std::vector<std::string> header;
  CANVASS_RETURN_IF_ERROR(ReadHeader(r, &header));
  if (HeaderIs(header, {"County", "Precinct Short Name", "Delegates to County Convention",
                        "State Delegate Equivalents"})) {
    return ParseIdpTable(r);
  }
  if (HeaderIs(header, {"county", "precinct", "congressional_district", "democrats_in_precinct",
                        "apportionment_clause", "delegates", "alternates"})) {
    return ParseNevadaTable(r);
  }
  for (const auto& h : header) {
    if (h == "delegates") return ParseOurApportionment(r, header);
  }
  return r.ErrorAt(1, 1,
                   "unrecognised apportionment header \"" + JoinHeader(header) +
                       "\": expected county,precinct,delegates[,sde_per_delegate][,district]"
                       "[,satellite][,site_sde][,short_code] (docs/formats.md), the IDP table or "
                       "the Nevada table");
}

Result<std::map<std::string, std::string>> ParseDistricts(std::string_view text,
                                                          const std::string& origin) {
  CsvReader r(text, origin);
  std::vector<std::string> header;
  CANVASS_RETURN_IF_ERROR(ReadHeader(r, &header));
  if (!HeaderIs(header, {"county", "congressional_district"})) {
    return r.ErrorAt(1, 1,
                     "unrecognised districts header \"" + JoinHeader(header) +
                         "\": expected county,congressional_district");
  }
  std::map<std::string, std::string> map;
  std::unordered_map<std::string, int64_t> first_line;
  for (;;) {
    bool has = false;
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    std::string county, district;
    CANVASS_RETURN_IF_ERROR(NameCell(r, 0, "county", &county));
    CANVASS_RETURN_IF_ERROR(NameCell(r, 1, "congressional_district", &district));
    auto [it, inserted] = first_line.emplace(county, r.line());
    if (!inserted) {
      return r.FieldError(0, "county \"" + county + "\" appears twice (first at line " +
                                 std::to_string(it->second) + ")");
    }
    map.emplace(std::move(county), std::move(district));
  }
  return map;
}

std::string WriteResultsCsv(const Election& election) {
  bool any_delegates = false, any_sde = false, satellite_column = false;
  for (const auto& report : election.reports) {
    satellite_column = satellite_column || report.satellite != NamedSatellite(report.county);
    for (const auto& fig : report.figures) {
      any_delegates = any_delegates || fig.delegates.has_value();
      any_sde = any_sde || fig.sde.has_value();
    }
  }
  std::string out = "county,precinct,candidate,first,final";
  if (any_delegates) out += ",delegates";
  if (any_sde) out += ",sde";
  if (satellite_column) out += ",satellite";
  out += '\n';
  auto count = [](Count v) { return std::to_string(v); };
  for (const auto& report : election.reports) {
    for (size_t c = 0; c < election.candidates.size(); ++c) {
      CandidateReport fig = c < report.figures.size() ? report.figures[c] : CandidateReport{};
      AppendCsvCell(out, report.county);
      out += ',';
      AppendCsvCell(out, report.precinct);
      out += ',';
      AppendCsvCell(out, election.candidates[c]);
      AppendOptional(out, fig.first, count);
      AppendOptional(out, fig.final, count);
      if (any_delegates) AppendOptional(out, fig.delegates, count);
      if (any_sde) AppendOptional(out, fig.sde, RationalToText);
      if (satellite_column) out += report.satellite ? ",1" : ",0";
      out += '\n';
    }
  }
  return out;
}

std::string WriteApportionmentCsv(const std::vector<PrecinctApportionment>& apportionment) {
  std::string out =
      "county,precinct,delegates,sde_per_delegate,district,satellite,site_sde,short_code\n";
  for (const auto& row : apportionment) {
    AppendCsvCell(out, row.county);
    out += ',';
    AppendCsvCell(out, row.precinct);
    AppendOptional(out, row.delegates, [](Count v) { return std::to_string(v); });
    // The ratio as an exact fraction: the county's whole SDEs over its delegates.
    AppendOptional(out, row.sde_per_delegate, [](const Rational& v) { return v.ToString(); });
    AppendOptional(out, row.district, [](const std::string& v) { return v; });
    out += row.satellite ? ",1" : ",0";
    AppendOptional(out, row.site_sde, RationalToText);
    out += ',';
    AppendCsvCell(out, row.short_code);
    out += '\n';
  }
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  auto text = FileText::Open(path);
  if (!text.ok()) return text.status();
  return std::string(text->view());
}

Result<Election> LoadResultsFile(const std::string& path) {
  auto text = FileText::Open(path);
  if (!text.ok()) return text.status();
  return ParseResults(text->view(), path);
}

Result<std::vector<PrecinctApportionment>> LoadApportionmentFile(const std::string& path) {
  auto text = FileText::Open(path);
  if (!text.ok()) return text.status();
  return ParseApportionment(text->view(), path);
}

Result<std::map<std::string, std::string>> LoadDistrictsFile(const std::string& path) {
  auto text = FileText::Open(path);
  if (!text.ok()) return text.status();
  return ParseDistricts(text->view(), path);
}

}  // namespace canvass
