#include "publish/release.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "caucus/json_output.h"
#include "core/json_text.h"
#include "core/json_writer.h"
#include "core/sha256.h"
#include "io/csv.h"
#include "publish/merkle.h"
#include "publish/release_delta.h"
#include "publish/signing.h"
#include "state/holds.h"
#include "store/parts.h"
#include "tabulate/tabulate.h"

namespace canvass {

using nlohmann::json;

struct CdfLayout {
  std::map<std::string, std::string> county_id;    // county -> "gpu-county-N"
  std::map<std::string, std::string> district_id;  // district -> "gpu-district-N"
  std::vector<std::string> precinct_q;             // by id - 1: "gpu-precinct-N", quoted
  // Each county's and district's precincts, as id - 1, in id order.
  std::map<std::string, std::vector<size_t>> by_county;
  std::map<std::string, std::vector<size_t>> by_district;
};

// Per-precinct facts every format shares.
struct PrecinctRow {
  int64_t id = 0;
  const PrecinctApportionment* ap = nullptr;
  const PrecinctRecord* rec = nullptr;
  const std::string* district = nullptr;  // DistrictOf: null for none
  std::string_view status;                // ElectionState::StatusName
  bool disputed = false;
  bool flagged = false;
  bool under_recanvass = false;
  bool unauditable = false;  // a recount found its cards missing or short
  // Held by the anomaly gate: `rec` is then a blank record, so that no total, CSV or CDF figure
  // carries it (the release's "held" list says why; its JSON entry keeps what was reported).
  bool held = false;
  std::vector<std::string> error_codes;
  bool computed_delegates = false;  // complete allocation after the final alignment
  bool computed_sde = false;
  // What its early-vote cards add to `rec`'s alignments (empty: nothing), when the ruleset
  // enables early vote.
  EarlyVoteCounts early;
};

namespace {

constexpr const char* kFormat = kReleaseFormat;
constexpr const char* kRootFormat = "canvass-release-root-1";
constexpr const char* kJsonType = "application/json";
constexpr const char* kCsvType = "text/csv; charset=utf-8";
// JSON Lines (jsonlines.org): one JSON text a line.
constexpr const char* kJsonLinesType = "application/jsonl";

void CsvRow(std::string& out, const std::vector<std::string>& fields) {
  bool first = true;
  for (const std::string& f : fields) {
    if (!first) out += ',';
    first = false;
    out += CsvCell(f);
  }
  out += '\n';
}

// The early part of precinct `id`'s figures, `first` being its in-person first alignment
// (EarlyVotePart, as the tabulation counts it): nothing without a first alignment or cards.
EarlyVoteCounts EarlyOf(const ElectionState& s, int64_t id,
                        const std::optional<std::vector<Count>>& first, bool has_final) {
  const PrecinctRecord* r = s.precinct(id);
  if (!first || r == nullptr || !r->early_votes) return {};
  const PrecinctApportionment& ap = s.precincts()[static_cast<size_t>(id - 1)];
  return EarlyVotePart(s.ruleset().precinct, r->early_votes->valid, *first, has_final,
                       ap.delegates.value_or(0));
}

Count At(const std::vector<Count>& v, size_t c) { return c < v.size() ? v[c] : 0; }

// An entry's reported `side` ({"Sanders": 12}, zeros left out) as a count per candidate; nullopt
// when the entry does not list that side.
std::optional<std::vector<Count>> FiguresOf(const ElectionState& s, const json& reported,
                                            const char* side) {
  const auto it = reported.find(side);
  if (it == reported.end() || !it->is_object()) return std::nullopt;
  const auto& names = s.candidates();
  std::vector<Count> v(names.size(), 0);
  for (size_t c = 0; c < names.size(); ++c) {
    const auto n = it->find(names[c]);
    if (n != it->end() && n->is_number_integer()) v[c] = n->get<Count>();
  }
  return v;
}

ReleaseFile MakeFile(std::string name, const char* type, std::string bytes) {
  ReleaseFile f;
  f.name = std::move(name);
  f.content_type = type;
  f.sha256 = Sha256Hex(bytes);
  f.size = static_cast<int64_t>(bytes.size());
  f.bytes = std::move(bytes);
  return f;
}

// The records, the precincts CSV and the CDF are cut into parts at the boundaries of groups of
// kReleaseGroupPrecincts precincts (release.h), so that a group whose precincts did not change
// since the release built last makes the same parts, which are named again without being
// written (KeptParts).
constexpr size_t kGroupPrecincts = kReleaseGroupPrecincts;

size_t GroupCount(size_t precincts) { return (precincts + kGroupPrecincts - 1) / kGroupPrecincts; }

// What a file's writer may take from the release built last, and what it keeps for the next.
struct GroupParts {
  const KeptParts* kept = nullptr;          // null: every part is written
  const std::vector<char>* same = nullptr;  // by group: every precinct's entry kept
  KeptParts* keep = nullptr;                // null: nothing kept
  int64_t* reused = nullptr;                // counts the segments named again, when given
  // The CDF's reporting units are those the kept parts were written with (CdfLayout): its
  // lists of precincts by district and county are the same bytes.
  bool layout_same = false;

  // Entry `i` of the kept `list`, when its group is unchanged and it was written in the same
  // place of its array (`after_element`).
  const KeptGroup* Reusable(std::vector<KeptGroup> KeptParts::*list, size_t i, size_t group,
                            bool after_element) const {
    if (kept == nullptr || !(*same)[group] || i >= (kept->*list).size()) return nullptr;
    const KeptGroup& k = (kept->*list)[i];
    return k.valid && k.after_element == after_element ? &k : nullptr;
  }
  // Where entry `i` of `list` is kept for the next release, or null.
  KeptGroup* Slot(std::vector<KeptGroup> KeptParts::*list, size_t i) const {
    return keep != nullptr ? &(keep->*list)[i] : nullptr;
  }
};

// Writes one group's segment: the kept parts when they can be reused (`reusable`), else `write`
// then a cut; the parts go into `kept_slot` when it is given. Returns whether the group wrote
// anything (or reused parts: the same bytes).
Result<bool> GroupSegment(SegmentWriter& w, const KeptGroup* reusable, KeptGroup* kept_slot,
                          bool after_element, int64_t* reused, const std::function<void()>& write) {
  if (reusable != nullptr) {
    if (reused != nullptr) ++*reused;
    w.Reuse(reusable->parts);
    if (kept_slot != nullptr) *kept_slot = *reusable;
    return !reusable->parts.empty();
  }
  write();
  auto made = w.Cut();
  if (!made.ok()) return made.status();
  const bool any = !made->empty();
  if (kept_slot != nullptr) *kept_slot = KeptGroup{true, after_element, std::move(made).value()};
  return any;
}

// A file written by `write` into a SegmentWriter, cut where it says: stored by part through `put`
// as it is written (`bytes` left empty), or without `put` kept in memory, its manifest computed
// all the same. It is identified by its manifest (`sha256` empty).
Result<ReleaseFile> WriteByGroups(std::string name, const char* type, const BlobPut* put,
                                  const std::function<Status(SegmentWriter&)>& write) {
  SegmentWriter w(put);
  CANVASS_RETURN_IF_ERROR(write(w));
  auto stored = w.Finish();
  if (!stored.ok()) return stored.status();
  ReleaseFile f;
  f.name = std::move(name);
  f.content_type = type;
  f.size = stored->size;
  f.manifest_sha256 = stored->manifest_sha256;
  f.manifest = w.manifest();
  f.bytes = w.TakeBytes();
  return f;
}

// Stores a file built in memory by part; it keeps its bytes.
Status StoreByParts(const BlobPut& put, ReleaseFile& f) {
  auto stored = PutFileByParts(put, f.bytes);
  if (!stored.ok()) return stored.status();
  f.manifest_sha256 = stored->manifest_sha256;
  return Status::Ok();
}

// The precinct's district: its own, else its county's; null for neither. Points into the state.
const std::string* DistrictOf(const ElectionState& s, const PrecinctApportionment& ap) {
  if (ap.district) return &*ap.district;
  auto it = s.county_district().find(ap.county);
  if (it != s.county_district().end()) return &it->second;
  return nullptr;
}

// The CDF's reporting units of the state's precincts (all of them, in id order, as the release's
// rows are).
std::shared_ptr<const CdfLayout> MakeCdfLayout(const ElectionState& s) {
  auto layout = std::make_shared<CdfLayout>();
  std::set<std::string> all_counties;
  std::set<std::string> all_districts;
  for (const PrecinctApportionment& ap : s.precincts()) {
    all_counties.insert(ap.county);
    if (const std::string* d = DistrictOf(s, ap)) all_districts.insert(*d);
  }
  for (const std::string& c : all_counties) {
    layout->county_id[c] = fmt::format("gpu-county-{}", layout->county_id.size() + 1);
  }
  for (const std::string& d : all_districts) {
    layout->district_id[d] = fmt::format("gpu-district-{}", layout->district_id.size() + 1);
  }
  layout->precinct_q.reserve(s.precincts().size());
  for (size_t i = 0; i < s.precincts().size(); ++i) {
    const PrecinctApportionment& ap = s.precincts()[i];
    std::string q;
    AppendJsonString(q, fmt::format("gpu-precinct-{}", i + 1));
    layout->precinct_q.push_back(std::move(q));
    layout->by_county[ap.county].push_back(i);
    if (const std::string* d = DistrictOf(s, ap)) layout->by_district[*d].push_back(i);
  }
  return layout;
}

// An exact decimal at `places` as an integer count of 10^-places ("564.0124" -> 5640124), without
// going through its text (the CDF writes one per precinct and candidate): `sde` rounded as
// Rational::RoundTo (and so ToDecimal) rounds it, times 10^places.
int64_t ScaledInt(const Rational& sde, int places) {
  const Rational rounded = sde.RoundTo(places);  // a denominator dividing 10^places
  __int128 scale = 1;
  for (int i = 0; i < places; ++i) scale *= 10;
  const __int128 q = static_cast<__int128>(rounded.num()) * (scale / rounded.den());
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  if (q > kMax || q < -kMax) throw std::out_of_range("a scaled SDE");
  return static_cast<int64_t>(q);
}

// By precinct id (index 0 unused): whether the gate holds it.
std::vector<char> HeldFlags(const ElectionState& s, const AnomalyGate& gate) {
  std::vector<char> held(s.precincts().size() + 1, 0);
  for (const AnomalyHold& h : gate.held) held[static_cast<size_t>(h.precinct)] = 1;
  return held;
}

// The rows of every precinct, in id order. With the rows of the previous release kept by the
// publisher (`kept`, built from `before`, KeptBuiltFrom): a precinct with the same record and the
// same hold has the same row, as long as no review has begun (its flags come from the reviews).
std::vector<PrecinctRow> PrecinctRows(const ElectionState& s, const AnomalyGate& gate,
                                      const ElectionState* before = nullptr,
                                      const std::vector<PrecinctRow>* kept = nullptr) {
  static const PrecinctRecord kWithheld;
  std::vector<PrecinctRow> rows;
  rows.reserve(s.precincts().size());
  const size_t n = s.candidates().size();
  const std::vector<char> held = HeldFlags(s, gate);
  const bool reuse = before != nullptr && kept != nullptr && kept->size() == s.precincts().size() &&
                     s.reviews().empty() && s.recanvass_entries().empty() &&
                     before->reviews().empty() && before->recanvass_entries().empty();
  for (size_t i = 0; i < s.precincts().size(); ++i) {
    if (reuse) {
      const PrecinctRow& was = (*kept)[i];
      const auto id = static_cast<int64_t>(i + 1);
      if (s.precinct(id) == before->precinct(id) && was.held == (held[i + 1] != 0)) {
        rows.push_back(was);
        continue;
      }
    }
    PrecinctRow row;
    row.id = static_cast<int64_t>(i + 1);
    row.ap = &s.precincts()[i];
    row.rec = s.precinct(row.id);
    row.district = DistrictOf(s, *row.ap);
    row.status = ElectionState::StatusName(*row.rec);
    row.disputed = s.Disputed(row.id);
    row.under_recanvass = s.UnderRecanvass(row.id);
    row.unauditable = s.Unauditable(row.id);
    row.flagged = row.rec->check->has_error();
    for (const Finding& f : row.rec->check->findings) {
      if (f.severity == Severity::kError) row.error_codes.push_back(f.code);
    }
    const auto& computed = row.rec->check->computed;
    row.computed_delegates =
        row.rec->final && computed && computed->complete() && computed->delegates.size() == n;
    row.computed_sde = row.rec->final && row.rec->check->computed_sde.size() == n;
    if (held[i + 1] != 0) {
      row.held = true;
      row.rec = &kWithheld;
      row.computed_delegates = false;
      row.computed_sde = false;
    } else if (s.ruleset().precinct.early_vote.enabled) {
      row.early = EarlyOf(s, row.id, row.rec->first, row.rec->final.has_value());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  return out;
}

// With early vote, "first" and "final" are the alignments as the rules count them and each is
// followed by its in-person and early parts (docs/releases.md); without, the columns as reported.
Status PrecinctsCsv(SegmentWriter& sw, const ElectionState& s, const std::vector<PrecinctRow>& rows,
                    const GroupParts& gp) {
  std::string& out = sw.out();
  const int places = s.ruleset().precinct.sde_places;
  const bool early = s.ruleset().precinct.early_vote.enabled;
  std::vector<std::string> head = {"precinct_id",
                                   "county",
                                   "precinct",
                                   "district",
                                   "candidate",
                                   "first",
                                   "final",
                                   "reported_delegates",
                                   "computed_delegates",
                                   "computed_sde",
                                   "status",
                                   "disputed",
                                   "flagged",
                                   "findings",
                                   "under_recanvass",
                                   "held"};
  if (early) {
    head.insert(head.begin() + 6, {"first_in_person", "first_early"});
    head.insert(head.begin() + 9, {"final_in_person", "final_early"});
  }
  CsvRow(out, head);
  if (auto head_part = sw.Cut(); !head_part.ok()) return head_part.status();
  const auto& names = s.candidates();
  // A row per precinct and candidate, as CsvRow would write it: what is the same on all of a
  // precinct's rows is written once and copied (a group of changed precincts is rewritten whole).
  std::vector<std::string> name_cells;
  for (const std::string& name : names) name_cells.push_back(CsvCell(name));
  std::string prefix;  // the precinct's cells before the candidate's name
  std::string suffix;  // its cells after the figures, and the line break
  auto number = [&out](int64_t v) {
    const fmt::format_int digits(v);
    out.append(digits.data(), digits.size());
  };
  auto write_row = [&](const PrecinctRow& row) {
    const PrecinctRecord& r = *row.rec;
    prefix.clear();
    const fmt::format_int id(row.id);
    prefix.append(id.data(), id.size());
    prefix += ',';
    AppendCsvCell(prefix, row.ap->county);
    prefix += ',';
    AppendCsvCell(prefix, row.ap->precinct);
    prefix += ',';
    if (row.district != nullptr) AppendCsvCell(prefix, *row.district);
    prefix += ',';
    suffix.clear();
    suffix += ',';
    AppendCsvCell(suffix, row.status);
    suffix += row.disputed ? ",true" : ",false";
    suffix += row.flagged ? ",true," : ",false,";
    AppendCsvCell(suffix, Join(row.error_codes, " "));
    suffix += row.under_recanvass ? ",true" : ",false";
    suffix += row.held ? ",true\n" : ",false\n";
    for (size_t c = 0; c < names.size(); ++c) {
      out += prefix;
      out += name_cells[c];
      // An alignment: its total with the cards' part, and with early vote that part apart.
      auto alignment = [&](const std::optional<std::vector<Count>>& v,
                           const std::vector<Count>& plus) {
        const bool has = v && c < v->size();
        out += ',';
        if (has) number((*v)[c] + At(plus, c));
        if (!early) return;
        out += ',';
        if (has) number((*v)[c]);
        out += ',';
        if (v) number(At(plus, c));
      };
      alignment(r.first, row.early.first);
      alignment(r.final, row.early.final);
      out += ',';
      if (r.delegates && c < r.delegates->size()) number((*r.delegates)[c]);
      out += ',';
      if (row.computed_delegates) number(r.check->computed->delegates[c]);
      out += ',';
      if (row.computed_sde) out += r.check->computed_sde[c].ToDecimal(places);
      out += suffix;
    }
  };
  const size_t groups = GroupCount(rows.size());
  if (gp.keep != nullptr) gp.keep->csv.assign(groups, KeptGroup{});
  for (size_t g = 0; g < groups; ++g) {
    auto wrote = GroupSegment(sw, gp.Reusable(&KeptParts::csv, g, g, true),
                              gp.Slot(&KeptParts::csv, g), true, gp.reused, [&] {
                                const size_t end = std::min(rows.size(), (g + 1) * kGroupPrecincts);
                                for (size_t i = g * kGroupPrecincts; i < end; ++i)
                                  write_row(rows[i]);
                              });
    if (!wrote.ok()) return wrote.status();
  }
  return Status::Ok();
}

// release-N-records.jsonl: each precinct's entry (its canonical record, the Merkle leaf's bytes)
// and a line break, in precinct-id order, cut by group of precincts. `gp.same` says, by group,
// whether every entry is the one the previous release wrote.
Status RecordsJsonLines(SegmentWriter& sw,
                        const std::vector<std::shared_ptr<const std::string>>& entries,
                        const GroupParts& gp) {
  const size_t groups = GroupCount(entries.size());
  if (gp.keep != nullptr) gp.keep->records.assign(groups, KeptGroup{});
  for (size_t g = 0; g < groups; ++g) {
    auto wrote = GroupSegment(sw, gp.Reusable(&KeptParts::records, g, g, false),
                              gp.Slot(&KeptParts::records, g), false, gp.reused, [&] {
                                std::string& out = sw.out();
                                const size_t end =
                                    std::min(entries.size(), (g + 1) * kGroupPrecincts);
                                for (size_t i = g * kGroupPrecincts; i < end; ++i) {
                                  out += *entries[i];
                                  out += '\n';
                                }
                              });
    if (!wrote.ok()) return wrote.status();
  }
  return Status::Ok();
}

std::string TotalsCsv(const ElectionState& s, const Tabulation& tab) {
  const int places = s.ruleset().precinct.sde_places;
  const auto& names = s.candidates();
  const bool reported_sde = tab.included > 0 && tab.reported.precincts_without_sde < tab.included;
  std::string out;
  std::vector<std::string> head = {
      "area_type",          "area",         "candidate",          "first",       "final",
      "reported_delegates", "reported_sde", "computed_delegates", "computed_sde"};
  if (tab.early_votes) {
    head.insert(head.begin() + 4, {"first_in_person", "first_early"});
    head.insert(head.begin() + 7, {"final_in_person", "final_early"});
  }
  CsvRow(out, head);
  std::vector<std::string> fields;
  auto area_rows = [&](const std::string& type, const std::string& name, const AreaTotals& rep,
                       const AreaTotals& com) {
    for (size_t c = 0; c < names.size(); ++c) {
      const CandidateTotals& r = rep.candidates[c];
      const CandidateTotals& k = com.candidates[c];
      fields = {type,
                name,
                names[c],
                std::to_string(r.first),
                std::to_string(r.final),
                r.delegates ? std::to_string(*r.delegates) : "",
                reported_sde ? r.sde.ToDecimal(places) : "",
                k.delegates ? std::to_string(*k.delegates) : "",
                k.sde.ToDecimal(places)};
      if (tab.early_votes) {
        fields.insert(fields.begin() + 4,
                      {std::to_string(r.first - r.first_early), std::to_string(r.first_early)});
        fields.insert(fields.begin() + 7,
                      {std::to_string(r.final - r.final_early), std::to_string(r.final_early)});
      }
      CsvRow(out, fields);
    }
  };
  if (tab.reported.state.candidates.size() == names.size()) {
    area_rows("state", "state", tab.reported.state, tab.computed.state);
  }
  for (const auto& [d, area] : tab.reported.districts) {
    area_rows("district", d, area, tab.computed.districts.at(d));
  }
  for (const auto& [county, area] : tab.reported.counties) {
    area_rows("county", county, area, tab.computed.counties.at(county));
  }
  return out;
}

json Text(const std::string& s) {
  return {
      {"@type", "ElectionResults.InternationalizedText"},
      {"Text",
       json::array(
           {{{"@type", "ElectionResults.LanguageString"}, {"Content", s}, {"Language", "en"}}})}};
}

json ExternalId(const std::string& type, const std::string& value) {
  return {{"@type", "ElectionResults.ExternalIdentifier"},
          {"Type", "other"},
          {"OtherType", type},
          {"Value", value}};
}

std::string SdeOtherType(int places) {
  std::string scale = "1";
  for (int i = 0; i < places; ++i) scale += '0';
  return places == 0 ? "state-delegate-equivalents" : "state-delegate-equivalents-x" + scale;
}

// The schema's DateTimeWithZone has whole seconds only: the ledger's time without its
// milliseconds ("2020-02-04T01:12:00.123Z" -> "2020-02-04T01:12:00Z"). The exact time is the
// canvass-ledger-time identifier.
std::string CdfDateTime(const std::string& ledger_time) {
  if (ledger_time.size() != 24 || ledger_time[19] != '.') return ledger_time;
  return ledger_time.substr(0, 19) + "Z";
}

Status CdfJson(SegmentWriter& sw, const ElectionState& s, const Tabulation& tab,
               const std::vector<PrecinctRow>& rows, const CdfLayout& layout,
               const std::string& status, const std::string& time, int64_t number,
               const GroupParts& gp) {
  // Written member by member (core/json_writer.h): the per-precinct reporting units and counts
  // are most of the release's bytes, and as a tree they cost several times their text. The
  // bytes are what dump() of the same tree gives (members in byte order of their names). The
  // precincts' counts (per candidate) and reporting units are cut into parts by group of
  // precincts, each group's written or, unchanged, named again (GroupParts).
  const int places = s.ruleset().precinct.sde_places;
  const auto& names = s.candidates();
  const std::string sde_type = SdeOtherType(places);
  const std::map<std::string, std::string>& county_id = layout.county_id;
  const std::map<std::string, std::string>& district_id = layout.district_id;
  auto quoted = [](std::string_view text) {
    std::string q;
    AppendJsonString(q, text);
    return q;
  };
  auto row_q = [&](const PrecinctRow* r) -> const std::string& {
    return layout.precinct_q[static_cast<size_t>(r - rows.data())];
  };
  auto reported_in = [&](const std::vector<size_t>& list) {
    int64_t k = 0;
    for (size_t r : list) k += rows[r].rec->first ? 1 : 0;
    return k;
  };
  int64_t reported = 0;
  for (const PrecinctRow& r : rows) reported += r.rec->first ? 1 : 0;

  JsonWriter w(sw.out());
  const size_t groups = GroupCount(rows.size());
  if (gp.keep != nullptr) {
    gp.keep->cdf_counts.assign(names.size() * groups, KeptGroup{});
    gp.keep->cdf_units.assign(groups, KeptGroup{});
    gp.keep->cdf_lists.assign(district_id.size() + county_id.size(), KeptGroup{});
  }
  auto cut = [&sw]() -> Status {
    auto made = sw.Cut();
    return made.ok() ? Status::Ok() : made.status();
  };
  // Group g's segment of an array: `write_row` for each of its precincts, or the kept parts.
  auto group = [&](std::vector<KeptGroup> KeptParts::*list, size_t i, size_t g,
                   const std::function<void(const PrecinctRow&)>& write_row) -> Status {
    const bool after = !w.array_empty();
    auto wrote =
        GroupSegment(sw, gp.Reusable(list, i, g, after), gp.Slot(list, i), after, gp.reused, [&] {
          const size_t end = std::min(rows.size(), (g + 1) * kGroupPrecincts);
          for (size_t k = g * kGroupPrecincts; k < end; ++k) write_row(rows[k]);
        });
    if (!wrote.ok()) return wrote.status();
    if (*wrote) w.ElementsWrittenElsewhere();
    return Status::Ok();
  };

  // One ReportingUnit; `parts` (ComposingGpUnitIds) and the sub-unit counts when it has parts.
  auto unit = [&](const std::string& id, const std::string& name, const std::string& type,
                  const std::function<void()>& parts, int64_t total, int64_t in) {
    w.BeginObject();
    w.Member("@id", id);
    w.Member("@type", "ElectionResults.ReportingUnit");
    if (parts) {
      w.Key("ComposingGpUnitIds").BeginArray();
      parts();
      w.EndArray();
    }
    w.Member("Name", Text(name));
    if (type == "satellite") w.Member("OtherType", "satellite-caucus");
    if (parts) {
      w.Member("SubUnitsReported", in);
      w.Member("TotalSubUnits", total);
    }
    w.Member("Type", type == "satellite" ? "other" : type);
    w.EndObject();
  };
  // One VoteCounts, its GpUnitId and OtherType given quoted: {"@type":...,"Count":n,
  // "GpUnitId":...,"OtherType":...,"Type":"other"}.
  std::string piece;
  auto count = [&](const std::string& gpunit_q, const std::string& type_q, int64_t n) {
    piece.assign(R"({"@type":"ElectionResults.VoteCounts","Count":)");
    const fmt::format_int digits(n);
    piece.append(digits.data(), digits.size());
    piece.append(R"(,"GpUnitId":)");
    piece.append(gpunit_q);
    piece.append(R"(,"OtherType":)");
    piece.append(type_q);
    piece.append(R"(,"Type":"other"})");
    w.Raw(piece);
  };
  const std::string first_q = quoted("first-alignment");
  const std::string first_in_person_q = quoted("first-alignment-in-person");
  const std::string first_early_q = quoted("first-alignment-early-vote");
  const std::string final_q = quoted("final-alignment");
  const std::string final_in_person_q = quoted("final-alignment-in-person");
  const std::string final_early_q = quoted("final-alignment-early-vote");
  const std::string reported_delegates_q = quoted("reported-county-delegates");
  const std::string delegates_q = quoted("county-delegates");
  const std::string sde_q = quoted(sde_type);

  std::string notes = fmt::format(
      "Canvass release {} of ledger prefix 1..{}. Counts with OtherType {} are "
      "state delegate equivalents times 10^{} (exact); first-alignment and "
      "final-alignment are head counts; county-delegates are computed by ruleset "
      "{} ({}), reported-county-delegates as the worksheets reported them.",
      number, s.seq(), sde_type, places, s.ruleset().name, s.ruleset().hash);
  if (tab.early_votes) {
    notes +=
        " Head counts include the precincts' valid early-vote cards as the rules count them; "
        "the -in-person and -early-vote counts are their two parts and add up to the total.";
  }
  const std::string first_time = s.first_time().empty() ? time : s.first_time();

  // A precinct's counts for one candidate, in the order they are written: the count types of
  // `types_q` it has (`has`, bit t for type t) and their values.
  static constexpr size_t kCountTypes = 9;
  const std::array<const std::string*, kCountTypes> types_q = {
      &first_q,       &first_in_person_q,    &first_early_q, &final_q, &final_in_person_q,
      &final_early_q, &reported_delegates_q, &delegates_q,   &sde_q};
  struct GroupFigures {
    struct Cell {
      uint16_t has = 0;
      std::array<int64_t, kCountTypes> value{};
    };
    std::vector<std::string> ids;  // the group's reported precincts' GpUnitIds, quoted
    std::vector<Cell> cells;       // by precinct (as `ids`), then candidate
  };
  // A group of precincts whose counts are written again: its records read once, for every
  // candidate (the counts are written candidate by candidate, each a pass over the groups, and
  // reading the records anew for each candidate cost most of the CDF's time at national scale).
  auto gather = [&](size_t g) {
    auto f = std::make_unique<GroupFigures>();
    const size_t end = std::min(rows.size(), (g + 1) * kGroupPrecincts);
    for (size_t k = g * kGroupPrecincts; k < end; ++k) {
      const PrecinctRow& row = rows[k];
      const PrecinctRecord& r = *row.rec;
      if (!r.first) continue;
      f->ids.push_back(row_q(&row));
      for (size_t c = 0; c < names.size(); ++c) {
        GroupFigures::Cell cell;
        auto put = [&cell](size_t t, int64_t n) {
          cell.has = static_cast<uint16_t>(cell.has | (1u << t));
          cell.value[t] = n;
        };
        put(0, (*r.first)[c] + At(row.early.first, c));
        if (tab.early_votes) {
          put(1, (*r.first)[c]);
          put(2, At(row.early.first, c));
        }
        if (r.final) {
          put(3, (*r.final)[c] + At(row.early.final, c));
          if (tab.early_votes) {
            put(4, (*r.final)[c]);
            put(5, At(row.early.final, c));
          }
        }
        if (r.delegates) put(6, (*r.delegates)[c]);
        if (row.computed_delegates) put(7, r.check->computed->delegates[c]);
        if (row.computed_sde) put(8, ScaledInt(r.check->computed_sde[c], places));
        f->cells.push_back(cell);
      }
    }
    return f;
  };
  std::vector<std::unique_ptr<GroupFigures>> gathered(groups);

  w.BeginObject();
  w.Member("@type", "ElectionResults.ElectionReport");
  w.Key("Election").BeginArray();
  w.BeginObject();
  w.Member("@type", "ElectionResults.Election");
  w.Key("Candidate").BeginArray();
  for (size_t c = 0; c < names.size(); ++c) {
    w.Value({{"@id", fmt::format("cand-{}", c + 1)},
             {"@type", "ElectionResults.Candidate"},
             {"BallotName", Text(names[c])}});
  }
  w.EndArray();
  w.Key("Contest").BeginArray();
  w.BeginObject();
  w.Member("@id", "contest-1");
  w.Member("@type", "ElectionResults.CandidateContest");
  // One candidate contest; per candidate, counts for every area and reported precinct.
  const bool computed_sde_any = tab.included > 0;
  w.Key("ContestSelection").BeginArray();
  for (size_t c = 0; c < names.size(); ++c) {
    w.BeginObject();
    w.Member("@id", fmt::format("sel-{}", c + 1));
    w.Member("@type", "ElectionResults.CandidateSelection");
    w.Member("CandidateIds", json::array({fmt::format("cand-{}", c + 1)}));
    w.Key("VoteCounts").BeginArray();
    auto area = [&](const std::string& gpunit, const AreaTotals& rep, const AreaTotals& com) {
      const CandidateTotals& r = rep.candidates[c];
      const CandidateTotals& k = com.candidates[c];
      const std::string g = quoted(gpunit);
      count(g, first_q, r.first);
      if (tab.early_votes) {
        count(g, first_in_person_q, r.first - r.first_early);
        count(g, first_early_q, r.first_early);
      }
      count(g, final_q, r.final);
      if (tab.early_votes) {
        count(g, final_in_person_q, r.final - r.final_early);
        count(g, final_early_q, r.final_early);
      }
      if (r.delegates) count(g, reported_delegates_q, *r.delegates);
      if (k.delegates) count(g, delegates_q, *k.delegates);
      if (computed_sde_any) count(g, sde_q, ScaledInt(k.sde, places));
    };
    if (tab.reported.state.candidates.size() == names.size()) {
      area("gpu-state", tab.reported.state, tab.computed.state);
    }
    for (const auto& [d, a] : tab.reported.districts) {
      auto known = district_id.find(d);
      area(known != district_id.end() ? known->second : "gpu-district-" + d, a,
           tab.computed.districts.at(d));
    }
    for (const auto& [cn, a] : tab.reported.counties) {
      auto known = county_id.find(cn);
      area(known != county_id.end() ? known->second : std::string(), a,
           tab.computed.counties.at(cn));
    }
    CANVASS_RETURN_IF_ERROR(cut());
    for (size_t g = 0; g < groups; ++g) {
      const size_t i = c * groups + g;
      const bool after = !w.array_empty();
      const KeptGroup* reusable = gp.Reusable(&KeptParts::cdf_counts, i, g, after);
      if (reusable == nullptr && gathered[g] == nullptr) gathered[g] = gather(g);
      auto wrote =
          GroupSegment(sw, reusable, gp.Slot(&KeptParts::cdf_counts, i), after, gp.reused, [&] {
            const GroupFigures& f = *gathered[g];
            for (size_t k = 0; k < f.ids.size(); ++k) {
              const std::string& unit = f.ids[k];
              const GroupFigures::Cell& cell = f.cells[k * names.size() + c];
              for (size_t t = 0; t < kCountTypes; ++t) {
                if ((cell.has & (1u << t)) != 0) {
                  count(unit, *types_q[t], cell.value[t]);
                }
              }
            }
          });
      if (!wrote.ok()) return wrote.status();
      if (*wrote) w.ElementsWrittenElsewhere();
    }
    CANVASS_RETURN_IF_ERROR(cut());
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Member("ElectionDistrictId", "gpu-state");
  w.Member("Name", s.name());
  w.Member("SubUnitsReported", reported);
  w.Member("TotalSubUnits", static_cast<int64_t>(rows.size()));
  w.Member("VotesAllowed", int64_t{1});
  w.EndObject();
  w.EndArray();  // Contest
  w.Member("ElectionScopeId", "gpu-state");
  w.Member("EndDate", time.substr(0, 10));
  w.Member("Name", Text(s.name()));
  w.Member("OtherType", "caucus");
  w.Member("StartDate", first_time.substr(0, 10));
  w.Member("Type", "other");
  w.EndObject();
  w.EndArray();  // Election
  w.Member("ExternalIdentifier",
           json::array({ExternalId("canvass-release-number", std::to_string(number)),
                        ExternalId("canvass-ledger-seq", std::to_string(s.seq())),
                        ExternalId("canvass-ledger-head", s.head_hash()),
                        ExternalId("canvass-ledger-time", time),
                        ExternalId("canvass-ruleset-hash", s.ruleset().hash)}));
  w.Member("Format", "precinct-level");
  w.Member("GeneratedDate", CdfDateTime(time));
  w.Key("GpUnit").BeginArray();
  unit(
      "gpu-state", s.name(), "state",
      [&] {
        for (const auto& [c, id] : county_id) w.String(id);
      },
      static_cast<int64_t>(rows.size()), reported);
  // A district's or county's list of precincts, a segment of its own: the same bytes for every
  // release of the election, named again from the kept parts (KeptParts::cdf_lists).
  size_t lists = 0;
  Status list_status;
  auto composed_of = [&](const std::vector<size_t>& list) {
    const size_t i = lists++;
    return [&, i] {
      if (!list_status.ok()) return;
      list_status = cut();
      if (!list_status.ok()) return;
      const KeptGroup* reusable = nullptr;
      if (gp.kept != nullptr && gp.layout_same && i < gp.kept->cdf_lists.size() &&
          gp.kept->cdf_lists[i].valid && !gp.kept->cdf_lists[i].after_element) {
        reusable = &gp.kept->cdf_lists[i];
      }
      auto wrote = GroupSegment(sw, reusable, gp.Slot(&KeptParts::cdf_lists, i),
                                /*after_element=*/false, gp.reused, [&] {
                                  for (size_t r : list) w.Raw(layout.precinct_q[r]);
                                });
      if (!wrote.ok()) {
        list_status = wrote.status();
      } else if (*wrote) {
        w.ElementsWrittenElsewhere();
      }
    };
  };
  for (const auto& [d, id] : district_id) {
    const auto& list = layout.by_district.at(d);
    unit(id, "Congressional district " + d, "congressional", composed_of(list),
         static_cast<int64_t>(list.size()), reported_in(list));
    CANVASS_RETURN_IF_ERROR(list_status);
  }
  for (const auto& [c, id] : county_id) {
    const auto& list = layout.by_county.at(c);
    unit(id, c, "county", composed_of(list), static_cast<int64_t>(list.size()), reported_in(list));
    CANVASS_RETURN_IF_ERROR(list_status);
  }
  CANVASS_RETURN_IF_ERROR(cut());
  auto precinct_unit = [&](const PrecinctRow& row) {
    // unit(id, "county / precinct", type, no parts), in one piece.
    piece.assign(R"({"@id":)");
    piece.append(row_q(&row));
    piece.append(R"(,"@type":"ElectionResults.ReportingUnit","Name":{"@type":)"
                 R"("ElectionResults.InternationalizedText","Text":[{"@type":)"
                 R"("ElectionResults.LanguageString","Content":)");
    AppendJsonString(piece, row.ap->county + " / " + row.ap->precinct);
    piece.append(R"(,"Language":"en"}]})");
    piece.append(row.ap->satellite ? R"(,"OtherType":"satellite-caucus","Type":"other"})"
                                   : R"(,"Type":"precinct"})");
    w.Raw(piece);
  };
  for (size_t g = 0; g < groups; ++g) {
    CANVASS_RETURN_IF_ERROR(group(&KeptParts::cdf_units, g, g, precinct_unit));
  }
  CANVASS_RETURN_IF_ERROR(cut());
  w.EndArray();
  w.Member("Issuer", s.name());
  w.Member("IssuerAbbreviation", s.ruleset().name);
  w.Member("Notes", notes);
  w.Member("SequenceEnd", int64_t{1});
  w.Member("SequenceStart", int64_t{1});
  w.Member("Status", status);
  w.Member("VendorApplicationId", std::string("Canvass (") + kFormat + ")");
  w.EndObject();
  return Status::Ok();
}

// A file's entry in release-N.json's "files": its SHA-256, or, for a file cut by group of
// precincts, its parts manifest's.
json FileRef(const ReleaseFile& f) {
  if (f.sha256.empty())
    return {{"name", f.name}, {"manifest", f.manifest_sha256}, {"bytes", f.size}};
  return {{"name", f.name}, {"sha256", f.sha256}, {"bytes", f.size}};
}

}  // namespace

std::string ReleaseJsonName(int64_t n) { return fmt::format("release-{}.json", n); }
std::string ReleaseRecordsName(int64_t n) { return fmt::format("release-{}-records.jsonl", n); }
std::string ReleasePrecinctsCsvName(int64_t n) {
  return fmt::format("release-{}-precincts.csv", n);
}
std::string ReleaseTotalsCsvName(int64_t n) { return fmt::format("release-{}-totals.csv", n); }
std::string ReleaseCdfName(int64_t n) { return fmt::format("release-{}-cdf.json", n); }
std::string ReleaseSignatureName(int64_t n) { return fmt::format("release-{}.json.sig", n); }
std::string ReleaseRootName(int64_t n) { return fmt::format("release-{}-root.json", n); }
std::string ReleaseRootSignatureName(int64_t n) {
  return fmt::format("release-{}-root.json.sig", n);
}
Result<json> ReleaseEntries(const json& release, std::string_view records) {
  if (!release.is_object()) return Status::InvalidArgument("the release is not a JSON object");
  if (release.contains("precincts")) {  // before format canvass-release-4
    if (!release["precincts"].is_array()) {
      return Status::InvalidArgument("the release's \"precincts\" is not an array");
    }
    return release["precincts"];
  }
  const json* files = release.contains("files") ? &release["files"] : nullptr;
  if (files == nullptr || !files->is_object() || !files->contains("records")) {
    return Status::InvalidArgument("the release names no records and has no \"precincts\"");
  }
  // (Read without json::value, which throws for a member of another type: a release given to
  // `canvass release prove` may hold anything anywhere.)
  const json& ref = (*files)["records"];
  if (!ref.is_object()) {
    return Status::InvalidArgument("the release's \"files\".\"records\" is not an object");
  }
  const json number_field = release.contains("number") ? release["number"] : json();
  const int64_t number = number_field.is_number_integer() ? number_field.get<int64_t>() : 0;
  const json bytes = ref.contains("bytes") ? ref["bytes"] : json();
  if (records.empty() && !(bytes.is_number_integer() && bytes.get<int64_t>() == 0)) {
    return Status::InvalidArgument(
        fmt::format("the release's entries are in {}: give it", ReleaseRecordsName(number)));
  }
  auto list = ParseJsonLines(records);
  if (!list.ok()) {
    return Status::InvalidArgument(ReleaseRecordsName(number) + ": " + list.status().message());
  }
  for (size_t i = 0; i < list->size(); ++i) {
    if (!(*list)[i].is_object()) {
      return Status::InvalidArgument(
          fmt::format("{}: line {} is not a JSON object", ReleaseRecordsName(number), i + 1));
    }
  }
  return list;
}

Result<json> ReleaseEntries(const PublishedRelease& release) {
  const json doc = json::parse(release.json, nullptr, false);
  if (doc.is_discarded()) return Status::InvalidArgument("the release is not JSON");
  return ReleaseEntries(doc, release.records);
}

std::string ReleaseRecordsManifestSha256(std::string_view records) {
  SegmentWriter w(nullptr);
  size_t lines = 0;
  size_t pos = 0;
  while (pos < records.size()) {
    const size_t nl = records.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? records.size() : nl + 1;
    w.out().append(records.substr(pos, end - pos));
    pos = end;
    if (++lines % kGroupPrecincts == 0) (void)w.Cut();
  }
  auto stored = w.Finish();
  return stored.ok() ? stored->manifest_sha256 : std::string();
}

std::string ReleasePartsName(const std::string& name) { return name + ".parts"; }
std::string ReleaseFileOfPartsName(const std::string& name) {
  const std::string suffix = ReleasePartsName("");
  if (name.size() <= suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return "";
  }
  return name.substr(0, name.size() - suffix.size());
}

Result<json> ReleaseTimelinePoint(const json& release) {
  auto bad = [](const std::string& what) {
    return Status::InvalidArgument("not a release document: " + what);
  };
  if (!release.is_object()) return bad("not a JSON object");
  for (const char* field : {"number", "time", "ledger", "reporting", "tabulation"}) {
    if (!release.contains(field)) return bad(fmt::format("no \"{}\"", field));
  }
  const json& reporting = release["reporting"];
  const json& by_status = reporting.value("by_status", json::object());
  if (!reporting.contains("precincts") || !reporting.contains("included") ||
      !by_status.is_object()) {
    return bad("\"reporting\" lacks precincts, included or by_status");
  }
  int64_t complete = 0;
  for (const char* st : {"final-reported", "confirmed"}) {
    if (!by_status.contains(st)) continue;
    if (!by_status[st].is_number_integer()) return bad(fmt::format("by_status.{} is no count", st));
    complete += by_status[st].get<int64_t>();
  }
  json point = {{"number", release["number"]},
                {"time", release["time"]},
                {"ledger_seq", release["ledger"].value("seq", json())},
                {"reporting",
                 {{"precincts", reporting["precincts"]},
                  {"included", reporting["included"]},
                  {"complete", complete}}}};
  const json& totals = release["tabulation"].value("totals", json::object());
  for (const char* side : {"reported", "computed"}) {
    if (!totals.contains(side) || !totals[side].contains("state")) {
      return bad(fmt::format("no tabulation.totals.{}.state", side));
    }
    const json& state = totals[side]["state"];
    std::map<std::string, Rational> sde;
    Rational sum;
    for (const auto& [name, figures] : state.items()) {
      if (!figures.is_object() || !figures.contains("sde") || !figures["sde"].is_string()) {
        return bad(fmt::format("tabulation.totals.{}.state.{} has no sde", side, name));
      }
      auto v = Rational::Parse(figures["sde"].get<std::string>());
      if (!v.ok()) {
        return bad(
            fmt::format("tabulation.totals.{}.state.{}.sde: {}", side, name, v.status().message()));
      }
      sum += *v;
      sde.emplace(name, *v);
    }
    json sdes = json::object();
    json shares = json::object();
    for (const auto& [name, v] : sde) {
      sdes[name] = state[name]["sde"];
      shares[name] = sum.is_zero() ? std::string("0.00") : (v * Rational(100) / sum).ToDecimal(2);
    }
    const json& national = totals[side].value("national", json());
    point[side] = {{"sde", std::move(sdes)},
                   {"sde_share", std::move(shares)},
                   {"national", national.is_object() ? national.value("total", json()) : json()}};
  }
  return point;
}

ReportCards ReportedCards(const ElectionState& s, const std::vector<int64_t>& ids) {
  ReportCards cards;
  if (!s.ruleset().precinct.early_vote.enabled) return cards;
  bool any = false;
  cards.reserve(ids.size());
  for (int64_t id : ids) {
    const PrecinctRecord* r = s.precinct(id);
    const bool has = r != nullptr && r->early_votes && !r->early_votes->valid.empty();
    cards.push_back(has ? &r->early_votes->valid : nullptr);
    any = any || has;
  }
  if (!any) cards.clear();
  return cards;
}

json AlignmentsBySourceJson(const ElectionState& s, int64_t id,
                            const std::optional<std::vector<Count>>& first,
                            const std::optional<std::vector<Count>>& final) {
  if (!first) return json();
  const EarlyVoteCounts early = EarlyOf(s, id, first, final.has_value());
  auto plus = [](std::vector<Count> v, const std::vector<Count>& part) {
    for (size_t c = 0; c < v.size(); ++c) v[c] += At(part, c);
    return v;
  };
  const std::vector<Count> zero(s.candidates().size(), 0);
  auto part = [&](const std::vector<Count>& v) { return s.FiguresJson(v.empty() ? zero : v); };
  return {{"in_person",
           {{"first", s.FiguresJson(*first)}, {"final", final ? s.FiguresJson(*final) : json()}}},
          {"early", {{"first", part(early.first)}, {"final", final ? part(early.final) : json()}}},
          {"total",
           {{"first", s.FiguresJson(plus(*first, early.first))},
            {"final", final ? s.FiguresJson(plus(*final, early.final)) : json()}}}};
}

bool LedgerMovedSinceRelease(const ElectionState& state) {
  if (!state.created()) return false;
  // From the end of the prefix the last release was built from: events appended while it was
  // being built come before its release-published event, and are not in it.
  // Neither a release, a policy, a practice report nor a login changes what a release would say:
  // the state keeps the latest event that can.
  const int64_t since = state.releases().empty() ? 0 : state.releases().back().ledger_seq;
  return state.last_figures_seq() > since;
}

json ReleaseEventPayload(const Release& release, const std::string& signature_hex,
                         const std::string& root_signature_hex) {
  json files = json::object();
  for (const ReleaseFile* f : release.files()) {
    if (!f->sha256.empty()) files[f->name] = f->sha256;
    if (!f->manifest_sha256.empty()) files[ReleasePartsName(f->name)] = f->manifest_sha256;
  }
  if (!root_signature_hex.empty()) {
    files[ReleaseRootSignatureName(release.number)] =
        Sha256Hex(SignatureFileBytes(root_signature_hex));
  }
  return {{"number", release.number},
          {"ledger_seq", release.ledger_seq},
          {"ledger_head", release.ledger_head},
          {"files", std::move(files)},
          {"signature", signature_hex}};
}

namespace {

// `previous`: null for a release built uncompared (see release.h); `first` for release 1.
// With `put`, every file is stored by part (BuildAndStoreRelease). With `keep`, what the next
// release needs of this one is kept there (PreviousRelease::digests_only). When `previous` holds
// digests only and they do not suffice, *figures_needed is set and nothing is stored.
Result<Release> Build(const ElectionState& s, const PreviousRelease* previous, bool compared,
                      ReleaseTimings* timings, const BlobPut* put = nullptr,
                      PreviousRelease* keep = nullptr, bool* figures_needed = nullptr);

Result<Release> BuildCompared(const ElectionState& s, const PublishedRelease& previous_release,
                              ReleaseTimings* timings, const BlobPut* put,
                              PreviousRelease* keep = nullptr) {
  if (!s.created() || s.seq() < 1 || s.releases().empty()) {
    if (!previous_release.json.empty()) {
      return Status::InvalidArgument("release 1 has no previous release to be compared with");
    }
    return Build(s, nullptr, true, timings, put, keep);
  }
  if (previous_release.json.empty()) {
    return Status::InvalidArgument(
        fmt::format("release {} is compared with release {}: give its JSON",
                    s.releases().size() + 1, s.releases().size()));
  }
  auto previous = ReadPreviousRelease(s, previous_release);
  if (!previous.ok()) return previous.status();
  return Build(s, &*previous, true, timings, put, keep);
}

// The SHA-256 the last release-published event recorded for its JSON ("" when none).
std::string RecordedJsonSha256(const ReleaseRecord& last) {
  const std::string name = ReleaseJsonName(last.number);
  if (!last.files.is_object() || !last.files.contains(name) || !last.files[name].is_string()) {
    return "";
  }
  return last.files[name].get<std::string>();
}

}  // namespace

Result<Release> BuildRelease(const ElectionState& s, const PublishedRelease& previous,
                             ReleaseTimings* timings) {
  return BuildCompared(s, previous, timings, nullptr);
}

Result<Release> BuildAndStoreRelease(const ElectionState& s, const PublishedRelease& previous,
                                     const BlobPut& put, ReleaseTimings* timings) {
  return BuildCompared(s, previous, timings, &put);
}

Result<Release> BuildAndStoreRelease(const ElectionState& s, const PreviousRelease* kept,
                                     const std::function<Result<PublishedFiles>()>& read_previous,
                                     const BlobPut& put, PreviousRelease* keep,
                                     ReleaseTimings* timings) {
  if (!s.created() || s.seq() < 1 || s.releases().empty()) {
    return Build(s, nullptr, true, timings, &put, keep);
  }
  const ReleaseRecord& last = s.releases().back();
  if (kept != nullptr && kept->digests_only && kept->number == last.number &&
      kept->digests.size() == s.precincts().size() && !kept->sha256.empty() &&
      kept->sha256 == RecordedJsonSha256(last)) {
    bool figures_needed = false;
    auto rel = Build(s, kept, true, timings, &put, keep, &figures_needed);
    if (!figures_needed) return rel;
  }
  auto previous = read_previous();
  if (!previous.ok()) return previous.status();
  return BuildCompared(s, previous->view(), timings, &put, keep);
}

Result<Release> BuildRelease(const ElectionState& s, ReleaseTimings* timings) {
  return Build(s, nullptr, s.releases().empty(), timings);
}

namespace {

// `reporting` (CountedResults) from the rows every format shares.
json ReportingJson(const std::vector<PrecinctRow>& rows) {
  std::map<std::string, int64_t> by_status;
  for (const char* st : {"not-reported", "first-reported", "final-reported", "tie-pending",
                         "must-realign", "confirmed"}) {
    by_status[st] = 0;
  }
  int64_t disputed = 0;
  int64_t flagged = 0;
  int64_t under_recanvass = 0;
  int64_t held = 0;
  json in = json::array();
  for (const PrecinctRow& row : rows) {
    by_status[std::string(row.status)] += 1;
    disputed += row.disputed ? 1 : 0;
    flagged += row.flagged ? 1 : 0;
    under_recanvass += row.under_recanvass ? 1 : 0;
    held += row.held ? 1 : 0;
    if (row.rec->first) in.push_back(row.id);  // a held precinct's `rec` is blank: not in
  }
  const auto total = static_cast<int64_t>(rows.size());
  const int64_t confirmed = by_status["confirmed"];
  const int64_t complete = by_status["final-reported"] + confirmed;
  const int64_t included = static_cast<int64_t>(in.size());
  return {{"precincts", total},
          {"included", included},
          {"complete", complete},
          {"confirmed", confirmed},
          {"percent_complete", total == 0 ? "0.00" : Rational(complete * 100, total).ToDecimal(2)},
          {"by_status", by_status},
          {"disputed", disputed},
          {"flagged", flagged},
          {"under_recanvass", under_recanvass},
          {"held", held},
          {"in", std::move(in)}};
}

struct Counted {
  AnomalyGate gate;
  Tabulation tab;
  std::shared_ptr<const std::vector<PrecinctRow>> rows;
  json reporting;
  std::shared_ptr<const TabulationSums> sums;  // when asked to keep them
};

// The state the previous release was built from, when the publisher kept what it wrote of it
// (KeptEntry, its digests) and the release about to be built is of the same election and
// ruleset: then an entry, a tabulation sum or a part of a file that did not change is taken as it
// is. Null otherwise (not with early-vote cards: an entry's alignments then also come from the
// cards' records).
const ElectionState* KeptBuiltFrom(const ElectionState& s, const PreviousRelease* previous) {
  const size_t n = s.precincts().size();
  if (previous != nullptr && previous->digests_only && previous->built_from != nullptr &&
      previous->entries.size() == n && previous->digests.size() == n &&
      previous->merkle != nullptr && previous->merkle->size() == n &&
      !s.ruleset().precinct.early_vote.enabled &&
      &previous->built_from->precincts() == &s.precincts() &&
      previous->built_from->ruleset().hash == s.ruleset().hash &&
      previous->built_from->candidates() == s.candidates()) {
    return previous->built_from.get();
  }
  return nullptr;
}

// The tabulation of `s` with the gate's holds, from the previous release's running sums kept by
// the publisher: each precinct whose record changed, or that is counted now and was not (or the
// other way round), is taken away as `before` had it and added as `s` has it.
Result<Tabulation> TabulateChanged(const ElectionState& s, const ElectionState& before,
                                   const PreviousRelease& previous, const AnomalyGate& gate,
                                   std::shared_ptr<const TabulationSums>* keep) {
  TabulationSums sums = *previous.tab_sums;
  sums.Rebind(s.ruleset(), s.county_district());
  const std::vector<char> held = HeldFlags(s, gate);
  for (size_t i = 0; i < s.precincts().size(); ++i) {
    const auto id = static_cast<int64_t>(i + 1);
    const PrecinctRecord* now = s.precinct(id);
    const PrecinctRecord* was = before.precinct(id);
    const bool counted = now->first.has_value() && held[i + 1] == 0;
    const bool counted_before = previous.digests[i].counted;
    if (now == was && counted == counted_before) continue;
    const PrecinctApportionment* row = &s.precincts()[i];
    if (counted_before) {
      CANVASS_RETURN_IF_ERROR(sums.Add(before.ReportOf(id), *was->check, row, nullptr, -1));
    }
    if (counted) CANVASS_RETURN_IF_ERROR(sums.Add(s.ReportOf(id), *now->check, row, nullptr, +1));
  }
  auto tab = sums.Finish({});
  if (tab.ok() && keep != nullptr) *keep = std::make_shared<const TabulationSums>(std::move(sums));
  return tab;
}

// CountResults, with the rows, compared with `previous` when given (the release-delta check).
Result<Counted> CountFigures(const ElectionState& s, const PreviousRelease* previous,
                             ReleaseTimings* timings, bool* figures_needed = nullptr,
                             bool keep_sums = false) {
  using Clock = std::chrono::steady_clock;
  auto mark = Clock::now();
  auto lap = [&](int64_t ReleaseTimings::*slot) {
    const auto now = Clock::now();
    if (timings != nullptr) {
      timings->*slot += std::chrono::duration_cast<std::chrono::nanoseconds>(now - mark).count();
    }
    mark = now;
  };
  if (!s.created() || s.seq() < 1) {
    return Status::FailedPrecondition("the ledger holds no election to release results of");
  }
  Counted c;
  // The anomaly gate (state/holds.h): a precinct whose report fails a statistical check stays
  // out of every figure until it is corrected or an administrator overrides the check.
  c.gate = RunAnomalyGate(s);
  if (previous != nullptr) {
    bool needed = false;
    CANVASS_RETURN_IF_ERROR(AddReleaseDeltaHolds(s, *previous, c.gate, &needed));
    if (needed) {
      *figures_needed = true;
      return c;
    }
  }
  lap(&ReleaseTimings::gate);
  std::shared_ptr<const TabulationSums>* sums = keep_sums ? &c.sums : nullptr;
  const ElectionState* before = KeptBuiltFrom(s, previous);
  if (before != nullptr && previous->tab_sums != nullptr) {
    auto tab = TabulateChanged(s, *before, *previous, c.gate, sums);
    if (!tab.ok()) return tab.status();
    c.tab = std::move(tab).value();
  } else {
    // The reports as the state holds them, without copying the apportionment (the areas are
    // read where the state keeps them); each report's check, cards and apportionment row,
    // without copying any.
    Election election = s.ReportedReports();
    const std::vector<int64_t> ids = s.ReportedIds();
    std::vector<const PrecinctCheck*> checks = s.ReportedCheckRefs();
    ReportCards cards = ReportedCards(s, ids);
    std::vector<const PrecinctApportionment*> rows;
    rows.reserve(ids.size());
    for (int64_t id : ids) rows.push_back(&s.precincts()[static_cast<size_t>(id - 1)]);
    if (!c.gate.held.empty()) {
      size_t kept = 0;
      for (size_t i = 0; i < ids.size(); ++i) {
        if (c.gate.Held(ids[i])) continue;
        if (kept != i) {
          election.reports[kept] = std::move(election.reports[i]);
          checks[kept] = checks[i];
          rows[kept] = rows[i];
          if (!cards.empty()) cards[kept] = cards[i];
        }
        ++kept;
      }
      election.reports.resize(kept);
      checks.resize(kept);
      rows.resize(kept);
      if (!cards.empty()) cards.resize(kept);
    }
    auto tab = Tabulate(s.ruleset(), election, {&s.precincts(), &s.county_district(), &rows},
                        checks, {}, cards, sums);
    if (!tab.ok()) return tab.status();
    c.tab = std::move(tab).value();
  }
  lap(&ReleaseTimings::tabulate);
  c.rows = std::make_shared<const std::vector<PrecinctRow>>(
      PrecinctRows(s, c.gate, before, before != nullptr ? previous->rows.get() : nullptr));
  c.reporting = ReportingJson(*c.rows);
  lap(&ReleaseTimings::json);
  return c;
}

Result<Release> Build(const ElectionState& s, const PreviousRelease* previous, bool compared,
                      ReleaseTimings* timings, const BlobPut* put, PreviousRelease* keep,
                      bool* figures_needed) {
  using Clock = std::chrono::steady_clock;
  if (timings != nullptr) *timings = ReleaseTimings{};
  auto counted = CountFigures(s, previous, timings, figures_needed, keep != nullptr);
  if (!counted.ok()) return counted.status();
  if (figures_needed != nullptr && *figures_needed) return Release{};
  auto mark = Clock::now();
  auto lap = [&](int64_t ReleaseTimings::*slot) {
    const auto now = Clock::now();
    if (timings != nullptr) {
      timings->*slot += std::chrono::duration_cast<std::chrono::nanoseconds>(now - mark).count();
    }
    mark = now;
  };
  Release rel;
  rel.ledger_seq = s.seq();
  rel.ledger_head = s.head_hash();
  rel.number = static_cast<int64_t>(s.releases().size()) + 1;
  rel.time = s.last_time();
  const AnomalyGate& gate = counted->gate;
  const Tabulation* tab = &counted->tab;
  const std::vector<PrecinctRow>& rows = *counted->rows;
  const auto& names = s.candidates();

  // Each precinct's entry is written once: its text is the Merkle leaf and goes into the records
  // as it is; no tree of every entry is kept.
  std::vector<std::shared_ptr<const std::string>> entries;
  entries.reserve(rows.size());
  ReleaseDeltaBuilder delta_builder(s, previous, gate);  // the "delta" summary
  const bool early_votes = s.ruleset().precinct.early_vote.enabled;
  // The Merkle leaves (each precinct's canonical record's hash): every one, or with the previous
  // release's tree kept (`before`), those of the entries written anew.
  std::vector<std::string> leaves;
  std::vector<std::pair<uint64_t, std::string>> changed_leaves;
  const bool digests = keep != nullptr || (previous != nullptr && previous->digests_only);
  const json kNull;
  if (keep != nullptr) {
    *keep = PreviousRelease{};
    keep->digests_only = true;
    keep->digests.resize(s.precincts().size());
    keep->tab_sums = std::move(counted->sums);
    keep->rows = counted->rows;
  }
  // The entries the previous release wrote, kept by the publisher (KeptEntry): one whose
  // precinct has the same record, status and flags is written again as it is, not built (only
  // for the same election and ruleset: an entry names its candidates and rounds its SDEs by the
  // ruleset).
  const ElectionState* before = KeptBuiltFrom(s, previous);
  const bool keep_entries = keep != nullptr && !early_votes;
  if (keep_entries) keep->entries.resize(rows.size());
  // By group of precincts (GroupParts): whether every precinct's entry is the one kept, so that
  // the group's parts of the CSV and the CDF are those the previous release stored.
  std::vector<char> group_same(GroupCount(rows.size()), before != nullptr ? 1 : 0);
  // By group: whether every entry is the one kept, so that the group's records are those the
  // previous release stored.
  std::vector<char> records_same = group_same;
  for (const PrecinctRow& row : rows) {
    const auto i = static_cast<size_t>(row.id - 1);
    if (before != nullptr && !row.held) {
      const KeptEntry& k = previous->entries[i];
      if (k.text != nullptr && k.status == row.status && k.disputed == row.disputed &&
          k.under_recanvass == row.under_recanvass && k.unauditable == row.unauditable &&
          s.precinct(row.id) == before->precinct(row.id) &&
          (!compared || !row.rec->first.has_value() || delta_builder.AddUnchanged(row.id))) {
        entries.push_back(k.text);
        if (keep != nullptr) keep->digests[i] = previous->digests[i];
        if (keep_entries) keep->entries[i] = k;
        if (timings != nullptr) ++timings->entries_kept;
        continue;
      }
    }
    records_same[i / kGroupPrecincts] = 0;
    // A held precinct shows no figure in the CSV or the CDF: its rows are the same as long as it
    // is held with the same record (its findings), status and flags.
    if (before == nullptr || !row.held ||
        !(previous->entries[i].held && previous->entries[i].status == row.status &&
          previous->entries[i].disputed == row.disputed &&
          previous->entries[i].under_recanvass == row.under_recanvass &&
          s.precinct(row.id) == before->precinct(row.id))) {
      group_same[i / kGroupPrecincts] = 0;
    }
    const PrecinctRecord& r = *row.rec;
    // A held precinct's entry still says what was reported, marked held (the ledger's record:
    // nothing acknowledged disappears from a release); no total, CSV or CDF figure carries it.
    const PrecinctRecord& shown = row.held ? *s.precinct(row.id) : r;
    json reported = ReportedFiguresJson(s, shown);
    json computed = json::object();
    computed["delegates"] =
        row.computed_delegates ? s.FiguresJson(r.check->computed->delegates) : json();
    computed["sde"] = row.computed_sde ? ComputedSdeJson(s, r) : json();
    // Held for release-delta: the entry keeps what the previous release showed, so that the
    // next release compares with the same figures until a correction or an override.
    bool substituted = false;
    if (row.held && previous != nullptr) {
      const AnomalyHold* delta = gate.Find(row.id, AnomalyCheck::kReleaseDelta);
      if (delta != nullptr && delta->override_seq == 0 && previous->digests_only) {
        // Its whole "computed" object as shown is not kept: read the previous release.
        *figures_needed = true;
        return Release{};
      }
      auto was = previous->shown.find(row.id);
      if (delta != nullptr && delta->override_seq == 0 && was != previous->shown.end()) {
        reported = was->second.first;
        computed = was->second.second;
        substituted = true;
      }
    }
    json findings = json::array();
    for (const Finding& f : r.check->findings) {
      findings.push_back({{"code", f.code}, {"severity", SeverityName(f.severity)}});
    }
    // With early vote: the alignments by source, of the figures the entry shows.
    json alignments;
    if (early_votes) {
      if (row.held) {  // the entry may show what the previous release showed: as it shows
        alignments = AlignmentsBySourceJson(s, row.id, FiguresOf(s, reported, "first"),
                                            FiguresOf(s, reported, "final"));
      } else {
        alignments = AlignmentsBySourceJson(s, row.id, shown.first, shown.final);
      }
    }
    json entry = {{"id", row.id},
                  {"county", row.ap->county},
                  {"precinct", row.ap->precinct},
                  {"district", row.district != nullptr ? json(*row.district) : json()},
                  {"satellite", row.ap->satellite},
                  {"included", r.first.has_value()},
                  {"status", std::string(row.status)},
                  {"revision", shown.revision},
                  {"flags",
                   {{"disputed", row.disputed},
                    {"flagged", row.flagged},
                    {"findings", row.error_codes},
                    {"under_recanvass", row.under_recanvass},
                    {"unauditable", row.unauditable},
                    {"held", row.held}}},
                  {"findings", std::move(findings)},
                  {"reported", std::move(reported)},
                  {"computed", std::move(computed)}};
    if (early_votes) entry["alignments"] = std::move(alignments);
    // What the next release compares (release_delta.h), when it is to be kept or compared with
    // digests.
    std::array<unsigned char, 32> digest{};
    if (digests) {
      const json& written = entry;  // read only: nothing is added to the entry
      const json& sde = written["computed"].contains("sde") ? written["computed"]["sde"] : kNull;
      digest = FiguresDigest(written["reported"], sde);
      if (keep != nullptr) {
        ShownDigest& d = keep->digests[static_cast<size_t>(row.id - 1)];
        d.sha = digest;
        d.shown = written["reported"].contains("first");
        d.counted = r.first.has_value();
        d.sde = sde.is_object();
        d.from_record = !substituted && (!d.sde || &r == &shown) && &shown == s.precinct(row.id);
      }
    }
    entries.push_back(std::make_shared<const std::string>(entry.dump()));
    if (before != nullptr) {
      changed_leaves.emplace_back(i, MerkleLeafHash(*entries.back()));
    } else {
      leaves.push_back(MerkleLeafHash(*entries.back()));
    }
    if (keep_entries) {
      keep->entries[i] =
          row.held ? KeptEntry{nullptr,         row.status, row.disputed, row.under_recanvass,
                               row.unauditable,
                               /*held=*/true}
                   : KeptEntry{entries.back(), row.status, row.disputed, row.under_recanvass,
                               row.unauditable};
    }
    if (compared && r.first.has_value()) {
      CANVASS_RETURN_IF_ERROR(
          delta_builder.Add(row.id, entry["reported"], entry["computed"], digest));
    }
  }
  // Where each candidate's change since the previous release came from (release_delta.h), before
  // anything is stored: with digests only, it may need the previous release read.
  json delta;
  if (compared) {
    bool needed = false;
    auto d = delta_builder.Finish(&needed);
    if (!d.ok()) return d.status();
    if (needed) {
      *figures_needed = true;
      return Release{};
    }
    delta = std::move(d).value();
  }
  std::shared_ptr<const MerkleTree> tree;
  if (before != nullptr) {
    auto updated = std::make_shared<MerkleTree>(*previous->merkle);
    updated->Update(changed_leaves);
    tree = std::move(updated);
  } else {
    tree = std::make_shared<const MerkleTree>(leaves);
    leaves = {};
  }
  if (keep != nullptr) keep->merkle = tree;
  rel.merkle_root = ToHex(tree->Root());
  const json merkle = {{"leaves", static_cast<int64_t>(tree->size())},
                       {"root", rel.merkle_root},
                       {"tree", kMerkleTreeShape}};
  // The root statement: small enough to fetch and check alone, signed on its own.
  const json signing_key = s.signing_key().empty() ? json() : json(s.signing_key());
  rel.root = MakeFile(
      ReleaseRootName(rel.number), kJsonType,
      json{{"format", kRootFormat},
           {"number", rel.number},
           {"election", s.name()},
           {"signing_key", signing_key},
           {"ledger", {{"seq", rel.ledger_seq}, {"head", rel.ledger_head}, {"time", rel.time}}},
           {"merkle", merkle}}
          .dump());
  json reporting = std::move(counted->reporting);
  const bool complete = reporting["complete"] == reporting["precincts"];
  // Certified (results-certified on the ledger it was built from): the official results, in
  // the CDF's own word for them.
  const bool official = s.certified_seq() != 0;
  const std::string status = official   ? "certified"
                             : complete ? "unofficial-complete"
                                        : "unofficial-partial";

  lap(&ReleaseTimings::json);
  // The three largest files go into the store as they are written, when it is given, cut by group
  // of precincts; an unchanged group's parts are those the previous release stored (only when
  // this release is stored too, and the previous one was built by the same process: the parts it
  // kept are in the store).
  GroupParts rp;
  if (put != nullptr && before != nullptr &&
      previous->parts.records.size() == records_same.size()) {
    rp.kept = &previous->parts;
    rp.same = &records_same;
  }
  if (put != nullptr && keep_entries) rp.keep = &keep->parts;
  if (timings != nullptr) rp.reused = &timings->groups_reused;
  auto records = WriteByGroups(ReleaseRecordsName(rel.number), kJsonLinesType, put,
                               [&](SegmentWriter& w) { return RecordsJsonLines(w, entries, rp); });
  if (!records.ok()) return records.status();
  rel.records = std::move(records).value();
  entries = {};
  lap(&ReleaseTimings::records);
  GroupParts gp;
  if (put != nullptr && before != nullptr && previous->parts.csv.size() == group_same.size()) {
    gp.kept = &previous->parts;
    gp.same = &group_same;
  }
  if (put != nullptr && keep_entries) gp.keep = &keep->parts;
  if (timings != nullptr) gp.reused = &timings->groups_reused;
  // The CDF's reporting units: those of the previous release when it was of the same precincts.
  std::shared_ptr<const CdfLayout> layout;
  if (before != nullptr && previous->cdf_layout != nullptr) {
    layout = previous->cdf_layout;
    gp.layout_same = true;
  } else {
    layout = MakeCdfLayout(s);
  }
  if (keep != nullptr) keep->cdf_layout = layout;
  auto precincts_csv =
      WriteByGroups(ReleasePrecinctsCsvName(rel.number), kCsvType, put,
                    [&](SegmentWriter& w) { return PrecinctsCsv(w, s, rows, gp); });
  if (!precincts_csv.ok()) return precincts_csv.status();
  rel.precincts_csv = std::move(precincts_csv).value();
  lap(&ReleaseTimings::precincts_csv);
  rel.totals_csv = MakeFile(ReleaseTotalsCsvName(rel.number), kCsvType, TotalsCsv(s, *tab));
  lap(&ReleaseTimings::totals_csv);
  auto cdf = WriteByGroups(ReleaseCdfName(rel.number), kJsonType, put, [&](SegmentWriter& w) {
    return CdfJson(w, s, *tab, rows, *layout, status, rel.time, rel.number, gp);
  });
  if (!cdf.ok()) return cdf.status();
  rel.cdf = std::move(cdf).value();
  lap(&ReleaseTimings::cdf);

  json held_list = json::array();
  for (const AnomalyHold& h : gate.held) held_list.push_back(AnomalyHoldJson(s, h));
  json overrides = json::array();
  for (const AnomalyHold& h : gate.overridden) overrides.push_back(AnomalyHoldJson(s, h));
  // Members in byte order of their names, as dump() of the whole document would write them.
  // The tabulation is most of the document: its size is known, so the text is allocated once.
  const std::string tabulation = TabulationToJson(s.ruleset(), names, *tab).dump();
  std::string text;
  text.reserve(tabulation.size() + (size_t{1} << 20));
  JsonWriter w(text);
  w.BeginObject();
  w.Member("delta", delta);
  w.Member("election",
           json{{"name", s.name()}, {"candidates", names}, {"signing_key", signing_key}});
  w.Member("files", json{{"precincts_csv", FileRef(rel.precincts_csv)},
                         {"totals_csv", FileRef(rel.totals_csv)},
                         {"cdf", FileRef(rel.cdf)},
                         {"records", FileRef(rel.records)},
                         {"root", FileRef(rel.root)}});
  w.Member("format", kFormat);
  w.Member("held", held_list);
  w.Member("ledger", json{{"seq", rel.ledger_seq}, {"head", rel.ledger_head}, {"time", rel.time}});
  w.Member("merkle", merkle);
  w.Member("number", rel.number);
  w.Member("official", json(official));
  w.Member("overrides", overrides);
  w.Member("reporting", reporting);
  w.Member("ruleset", RulesetRefJson(s.ruleset()));
  w.Member("status", status);
  w.Key("tabulation").Raw(tabulation);
  w.Member("time", rel.time);
  w.EndObject();
  rel.json = MakeFile(ReleaseJsonName(rel.number), kJsonType, std::move(text));
  lap(&ReleaseTimings::json);
  if (keep != nullptr) {
    keep->number = rel.number;
    keep->ledger_seq = rel.ledger_seq;
    keep->sha256 = rel.json.sha256;
  }
  if (put != nullptr) {
    // Signed whole, so kept in memory; stored by part like the others.
    for (ReleaseFile* f : {&rel.totals_csv, &rel.root, &rel.json}) {
      CANVASS_RETURN_IF_ERROR(StoreByParts(*put, *f));
    }
  }
  return rel;
}

}  // namespace

Result<CountedResults> CountResults(const ElectionState& state) {
  auto counted = CountFigures(state, nullptr, nullptr);
  if (!counted.ok()) return counted.status();
  return CountedResults{std::move(counted->gate), std::move(counted->tab),
                        std::move(counted->reporting)};
}

}  // namespace canvass
