#include "tabulate/tabulate.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "caucus/allocation.h"

namespace canvass {
namespace {

enum Side : uint8_t { kReported = 0, kComputed = 1 };

// Figures of one candidate, both sides. Head counts are shared: the math does not change them.
// SDEs are integers scaled by 10^sde_places.
struct Cell {
  int64_t first = 0;  // in person plus early-vote cards
  int64_t final = 0;
  int64_t first_early = 0;  // the cards' part of `first`
  int64_t final_early = 0;
  int64_t sde[2] = {0, 0};
  int64_t delegates[2] = {0, 0};
};

// Running sums of one area. Precincts with the same county and district add into one group;
// counties, districts and the state are rolled up from the groups at the end, so the work per
// precinct is one pass over its candidates.
struct Accumulator {
  std::vector<Cell> cells;  // per candidate
  // SDEs finer than the reporting precision (never published that way, but possible in a
  // hand-made file) are kept exactly here instead of being rounded away.
  std::vector<Rational> sde_extra[2];
  int64_t precincts = 0;
  int64_t with_sde[2] = {0, 0};
  int64_t with_delegates[2] = {0, 0};
  int64_t sde_from_delegates = 0;  // reported side: SDEs derived from reported delegates

  explicit Accumulator(size_t n) : cells(n) {}
};

bool CheckedAdd(int64_t& into, int64_t v) { return !__builtin_add_overflow(into, v, &into); }

Status TooLarge() {
  return Status::InvalidArgument(
      "a head count, SDE or delegate total is too large to represent exactly");
}

Status AddSde(const Rational& v, int64_t scale, Accumulator& acc, Side side, size_t c) {
  if (scale % v.den() == 0) {
    int64_t term = 0;
    if (__builtin_mul_overflow(v.num(), scale / v.den(), &term) ||
        !CheckedAdd(acc.cells[c].sde[side], term)) {
      return TooLarge();
    }
    return Status::Ok();
  }
  if (acc.sde_extra[side].empty()) acc.sde_extra[side].resize(acc.cells.size());
  acc.sde_extra[side][c] += v;
  return Status::Ok();
}

Status AddInto(Accumulator& into, const Accumulator& from) {
  for (size_t c = 0; c < into.cells.size(); ++c) {
    Cell& a = into.cells[c];
    const Cell& b = from.cells[c];
    bool ok = CheckedAdd(a.first, b.first) && CheckedAdd(a.final, b.final) &&
              CheckedAdd(a.first_early, b.first_early) && CheckedAdd(a.final_early, b.final_early);
    for (int s = 0; s < 2; ++s) {
      ok = ok && CheckedAdd(a.sde[s], b.sde[s]) && CheckedAdd(a.delegates[s], b.delegates[s]);
    }
    if (!ok) return TooLarge();
  }
  for (int s = 0; s < 2; ++s) {
    if (from.sde_extra[s].empty()) continue;
    if (into.sde_extra[s].empty()) into.sde_extra[s].resize(into.cells.size());
    for (size_t c = 0; c < into.cells.size(); ++c) into.sde_extra[s][c] += from.sde_extra[s][c];
  }
  into.precincts += from.precincts;
  into.sde_from_delegates += from.sde_from_delegates;
  for (int s = 0; s < 2; ++s) {
    into.with_sde[s] += from.with_sde[s];
    into.with_delegates[s] += from.with_delegates[s];
  }
  return Status::Ok();
}

AreaTotals ToArea(const Accumulator& acc, Side side, int64_t scale) {
  AreaTotals area;
  area.precincts = acc.precincts;
  area.candidates.resize(acc.cells.size());
  const bool delegates_known = acc.precincts > 0 && acc.with_delegates[side] == acc.precincts;
  for (size_t c = 0; c < acc.cells.size(); ++c) {
    CandidateTotals& t = area.candidates[c];
    t.first = acc.cells[c].first;
    t.final = acc.cells[c].final;
    t.first_early = acc.cells[c].first_early;
    t.final_early = acc.cells[c].final_early;
    t.sde = Rational(acc.cells[c].sde[side], scale);
    if (!acc.sde_extra[side].empty()) t.sde += acc.sde_extra[side][c];
    if (delegates_known) t.delegates = acc.cells[c].delegates[side];
  }
  return area;
}

// The basis figure of each candidate in `area`, or nullopt when this side does not have it.
std::optional<std::vector<Rational>> BasisVotes(NationalBasis basis, const AreaTotals& area,
                                                size_t n) {
  std::vector<Rational> votes(n);
  for (size_t c = 0; c < n && c < area.candidates.size(); ++c) {
    const CandidateTotals& t = area.candidates[c];
    switch (basis) {
      case NationalBasis::kSde:
        votes[c] = t.sde;
        break;
      case NationalBasis::kCountyDelegates:
        if (!t.delegates) return std::nullopt;
        votes[c] = *t.delegates;
        break;
      case NationalBasis::kFirstAlignment:
        votes[c] = t.first;
        break;
      case NationalBasis::kFinalAlignment:
        votes[c] = t.final;
        break;
    }
  }
  return votes;
}

// Allocates the national pools from one side's totals. Areas with no precinct (a district that
// has not reported) vote zero for everyone.
Status AllocateSide(const NationalRules& rules, size_t n,
                    const std::vector<PoolTieOutcome>& outcomes, Totals& totals) {
  NationalVotes votes;
  auto state = BasisVotes(rules.basis, totals.state, n);
  if (!state) return Status::Ok();
  votes.state = std::move(*state);
  for (const auto& [name, area] : totals.districts) {
    auto v = BasisVotes(rules.basis, area, n);
    if (!v) return Status::Ok();
    votes.districts.emplace(name, std::move(*v));
  }
  auto national = AllocateNational(rules, votes, outcomes);
  if (!national.ok()) return national.status();
  totals.national = std::move(national).value();
  return Status::Ok();
}

// Precincts of this side that lack the basis figure.
int64_t WithoutBasis(NationalBasis basis, const Totals& totals) {
  switch (basis) {
    case NationalBasis::kSde:
      return totals.precincts_without_sde;
    case NationalBasis::kCountyDelegates:
      return totals.precincts_without_delegates;
    case NationalBasis::kFirstAlignment:
    case NationalBasis::kFinalAlignment:
      return 0;
  }
  return totals.state.precincts;
}

}  // namespace

bool Tabulation::computed_is_complete() const {
  return computed.national.has_value() && computed.national->complete() && computed_basis_complete;
}

const NationalAllocation* Tabulation::headline_national() const {
  if (computed_is_complete()) return &*computed.national;
  return reported.national ? &*reported.national : nullptr;
}

EarlyVoteCounts EarlyVotePart(const PrecinctRules& rules, const std::vector<EarlyVoteCard>& cards,
                              const std::vector<Count>& first, bool has_final, Count delegates) {
  if (!rules.early_vote.enabled || rules.method != PrecinctMethod::kCaucus || cards.empty()) {
    return {};
  }
  EarlyVoteCounts part = CountEarlyVotes(rules, cards, first, delegates);
  if (!has_final) std::fill(part.final.begin(), part.final.end(), 0);
  return part;
}

Result<Tabulation> Tabulate(const Ruleset& ruleset, const Election& election,
                            const std::vector<PrecinctCheck>& checks,
                            const std::vector<PoolTieOutcome>& pool_outcomes,
                            const ReportCards& cards) {
  std::vector<const PrecinctCheck*> refs;
  refs.reserve(checks.size());
  for (const PrecinctCheck& check : checks) refs.push_back(&check);
  return Tabulate(ruleset, election, {&election.apportionment, &election.county_district}, refs,
                  pool_outcomes, cards);
}

// The sums and the indices they are kept by: counties and districts by name, each county's
// district, groups by (county, district).
struct TabulationSums::Impl {
  const Ruleset* ruleset = nullptr;
  size_t n = 0;
  int64_t scale = 1;
  const std::map<std::string, std::string>* county_district_of = nullptr;
  std::unordered_map<std::string, int32_t> district_index;
  std::vector<std::string> district_names;
  // Districts of the apportionment's own rows that differ from their county's: published
  // whether or not a precinct has reported (a county's district only once the county has).
  std::vector<char> district_of_rows;
  std::unordered_map<std::string, uint32_t> county_index;
  std::vector<std::string> county_names;
  std::vector<int32_t> county_district;
  std::unordered_map<uint64_t, uint32_t> group_index;
  std::vector<Accumulator> groups;
  std::vector<std::pair<uint32_t, int32_t>> group_area;
  std::vector<Rational> derived_sde;  // a buffer
  std::vector<Count> reported_delegates_of;
  std::vector<Count> in_person_first;
  // Tabulation's counts.
  int64_t computed_complete = 0;
  int64_t computed_pending_tie = 0;
  int64_t computed_must_realign = 0;
  int64_t computed_unavailable = 0;
  int64_t without_district = 0;
  int64_t precincts_expected = 0;

  int32_t InternDistrict(const std::string& d) {
    auto [it, inserted] =
        district_index.try_emplace(d, static_cast<int32_t>(district_names.size()));
    if (inserted) {
      district_names.push_back(d);
      district_of_rows.push_back(0);
    }
    return it->second;
  }
  uint32_t InternCounty(const std::string& county) {
    auto [it, inserted] =
        county_index.try_emplace(county, static_cast<uint32_t>(county_names.size()));
    if (inserted) {
      county_names.push_back(county);
      auto d = county_district_of->find(county);
      county_district.push_back(d == county_district_of->end() ? -1 : InternDistrict(d->second));
    }
    return it->second;
  }
};

TabulationSums::TabulationSums() : impl_(std::make_unique<Impl>()) {}
TabulationSums::~TabulationSums() = default;
TabulationSums::TabulationSums(TabulationSums&&) noexcept = default;
TabulationSums& TabulationSums::operator=(TabulationSums&&) noexcept = default;
TabulationSums::TabulationSums(const TabulationSums& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {}
TabulationSums& TabulationSums::operator=(const TabulationSums& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}

void TabulationSums::Rebind(const Ruleset& ruleset,
                            const std::map<std::string, std::string>& county_district) {
  impl_->ruleset = &ruleset;
  impl_->county_district_of = &county_district;
}

Result<TabulationSums> TabulationSums::Start(const Ruleset& ruleset, size_t candidates,
                                             const TabulationAreas& areas,
                                             int64_t precincts_expected) {
  if (areas.apportionment == nullptr || areas.county_district == nullptr) {
    return Status::InvalidArgument(
        "the tabulation's apportionment or county districts are missing");
  }
  const int places = ruleset.precinct.sde_places;
  if (places < 0 || places > 12) {
    return Status::InvalidArgument(fmt::format("sde_places {} is out of range 0..12", places));
  }
  TabulationSums sums;
  Impl& m = *sums.impl_;
  m.ruleset = &ruleset;
  m.n = candidates;
  for (int i = 0; i < places; ++i) m.scale *= 10;
  m.county_district_of = areas.county_district;
  m.precincts_expected = precincts_expected;
  m.reported_delegates_of.resize(candidates);
  for (const PrecinctApportionment& a : *areas.apportionment) {
    // Only rows that disagree with their county's district are published apart from it.
    if (!a.district) continue;
    auto county = m.county_district_of->find(a.county);
    if (county != m.county_district_of->end() && county->second == *a.district) continue;
    m.district_of_rows[static_cast<size_t>(m.InternDistrict(*a.district))] = 1;
  }
  return sums;
}

Status TabulationSums::Add(const PrecinctReport& report, const PrecinctCheck& check,
                           const PrecinctApportionment* row,
                           const std::vector<EarlyVoteCard>* cards, int sign) {
  Impl& m = *impl_;
  const size_t n = m.n;
  const Ruleset& ruleset = *m.ruleset;
  if (check.county != report.county || check.precinct != report.precinct) {
    return Status::InvalidArgument(fmt::format("{}: precinct check is for {} / {}, not {} / {}",
                                               report.source.ToString(), check.county,
                                               check.precinct, report.county, report.precinct));
  }
  if (report.figures.size() != n) {
    return Status::InvalidArgument(fmt::format("{}: {} has figures for {} candidates, not {}",
                                               report.source.ToString(), report.precinct,
                                               report.figures.size(), n));
  }
  const uint32_t county = m.InternCounty(report.county);
  int32_t district = m.county_district[county];
  // The row's own district, when it names one.
  if (row != nullptr && row->district) district = m.InternDistrict(*row->district);
  if (district < 0) m.without_district += sign;
  const uint64_t key = (uint64_t{county} << 32) | static_cast<uint32_t>(district);
  auto [git, inserted] = m.group_index.try_emplace(key, static_cast<uint32_t>(m.groups.size()));
  if (inserted) {
    m.groups.emplace_back(n);
    m.group_area.emplace_back(county, district);
  }
  Accumulator& g = m.groups[git->second];
  auto add = [sign](int64_t& into, int64_t v) { return CheckedAdd(into, sign * v); };

  const Allocation* computed = check.computed ? &*check.computed : nullptr;
  if (computed == nullptr) {
    m.computed_unavailable += sign;
  } else if (computed->complete()) {
    m.computed_complete += sign;
  } else if (computed->pending_tie) {
    m.computed_pending_tie += sign;
  } else {
    m.computed_must_realign += sign;
  }
  const bool computed_delegates =
      computed != nullptr && computed->complete() && computed->delegates.size() == n;
  const bool computed_sde = check.computed_sde.size() == n;
  bool reported_sde = false;
  bool reported_delegates = false;
  // Chairs report county delegates, never SDEs: a precinct with delegates for every candidate
  // and no SDE gets the SDEs its delegates and county ratio give, as the party derived them.
  if (row == nullptr) m.precincts_expected += sign;
  m.derived_sde.clear();
  if (row != nullptr) {
    bool any_sde = false;
    bool all_delegates = n > 0;
    Count total_delegates = 0;
    for (size_t c = 0; c < n; ++c) {
      const CandidateReport& f = report.figures[c];
      any_sde = any_sde || f.sde.has_value();
      all_delegates = all_delegates && f.delegates.has_value();
      m.reported_delegates_of[c] = f.delegates.value_or(0);
      if (!CheckedAdd(total_delegates, m.reported_delegates_of[c])) return TooLarge();
    }
    if (!any_sde && all_delegates) {
      m.derived_sde =
          SdeFromDelegates(ruleset.precinct, m.reported_delegates_of, total_delegates, *row);
    }
  }
  auto add_sde = [&](const Rational& v, Side side, size_t c) {
    return AddSde(sign < 0 ? -v : v, m.scale, g, side, c);
  };
  if (m.derived_sde.size() == n && n > 0) {
    reported_sde = true;
    g.sde_from_delegates += sign;
    for (size_t c = 0; c < n; ++c) {
      CANVASS_RETURN_IF_ERROR(add_sde(m.derived_sde[c], kReported, c));
    }
  }
  // The precinct's early-vote cards, as CheckPrecinct counted them: a candidate's card count
  // is added where the report has that alignment for it.
  EarlyVoteCounts early;
  if (cards != nullptr && ruleset.precinct.early_vote.enabled) {
    m.in_person_first.assign(n, 0);
    bool has_final = false;
    for (size_t c = 0; c < n; ++c) {
      m.in_person_first[c] = report.figures[c].first.value_or(0);
      has_final = has_final || report.figures[c].final.has_value();
    }
    const Count d = row != nullptr ? row->delegates.value_or(0) : 0;
    early = EarlyVotePart(ruleset.precinct, *cards, m.in_person_first, has_final, d);
  }
  for (size_t c = 0; c < n; ++c) {
    const CandidateReport& f = report.figures[c];
    Cell& cell = g.cells[c];
    const Count early_first = f.first && c < early.first.size() ? early.first[c] : 0;
    const Count early_final = f.final && c < early.final.size() ? early.final[c] : 0;
    if (!add(cell.first, f.first.value_or(0)) || !add(cell.final, f.final.value_or(0)) ||
        !add(cell.first, early_first) || !add(cell.final, early_final) ||
        !add(cell.first_early, early_first) || !add(cell.final_early, early_final)) {
      return TooLarge();
    }
    if (f.sde) {
      reported_sde = true;
      CANVASS_RETURN_IF_ERROR(add_sde(*f.sde, kReported, c));
    }
    if (f.delegates) {
      reported_delegates = true;
      if (!add(cell.delegates[kReported], *f.delegates)) return TooLarge();
    }
    if (computed_sde) {
      CANVASS_RETURN_IF_ERROR(add_sde(check.computed_sde[c], kComputed, c));
    }
    if (computed_delegates && !add(cell.delegates[kComputed], computed->delegates[c])) {
      return TooLarge();
    }
  }
  g.precincts += sign;
  g.with_sde[kReported] += sign * reported_sde;
  g.with_sde[kComputed] += sign * computed_sde;
  g.with_delegates[kReported] += sign * reported_delegates;
  g.with_delegates[kComputed] += sign * computed_delegates;
  return Status::Ok();
}

Result<Tabulation> TabulationSums::Finish(const std::vector<PoolTieOutcome>& pool_outcomes) const {
  const Impl& m = *impl_;
  const size_t n = m.n;
  const Ruleset& ruleset = *m.ruleset;
  Tabulation tab;
  tab.early_votes = ruleset.precinct.early_vote.enabled;
  tab.computed_complete = m.computed_complete;
  tab.computed_pending_tie = m.computed_pending_tie;
  tab.computed_must_realign = m.computed_must_realign;
  tab.computed_unavailable = m.computed_unavailable;
  tab.without_district = m.without_district;
  tab.precincts_expected = m.precincts_expected;

  // Roll the groups up. A group every report of which was taken away again holds nothing: its
  // county is not published, nor its county's district unless another county or a row names it.
  Accumulator state(n);
  std::vector<Accumulator> counties(m.county_names.size(), Accumulator(n));
  std::vector<Accumulator> districts(m.district_names.size(), Accumulator(n));
  std::vector<char> county_in(m.county_names.size(), 0);
  std::vector<char> district_in = m.district_of_rows;
  for (size_t gi = 0; gi < m.groups.size(); ++gi) {
    if (m.groups[gi].precincts == 0) continue;
    const auto [county, district] = m.group_area[gi];
    county_in[county] = 1;
    if (m.county_district[county] >= 0) {
      district_in[static_cast<size_t>(m.county_district[county])] = 1;
    }
    CANVASS_RETURN_IF_ERROR(AddInto(state, m.groups[gi]));
    CANVASS_RETURN_IF_ERROR(AddInto(counties[county], m.groups[gi]));
    if (district >= 0) {
      CANVASS_RETURN_IF_ERROR(AddInto(districts[static_cast<size_t>(district)], m.groups[gi]));
    }
  }
  tab.included = state.precincts;
  for (Side side : {kReported, kComputed}) {
    Totals& totals = side == kReported ? tab.reported : tab.computed;
    totals.state = ToArea(state, side, m.scale);
    for (size_t c = 0; c < counties.size(); ++c) {
      if (county_in[c])
        totals.counties.emplace(m.county_names[c], ToArea(counties[c], side, m.scale));
    }
    for (size_t d = 0; d < districts.size(); ++d) {
      if (district_in[d]) {
        totals.districts.emplace(m.district_names[d], ToArea(districts[d], side, m.scale));
      }
    }
    totals.precincts_without_sde = state.precincts - state.with_sde[side];
    totals.precincts_without_delegates = state.precincts - state.with_delegates[side];
    if (side == kReported) totals.precincts_sde_from_delegates = state.sde_from_delegates;
    if (ruleset.national) {
      totals.national_precincts = state.precincts - WithoutBasis(ruleset.national->basis, totals);
      CANVASS_RETURN_IF_ERROR(AllocateSide(*ruleset.national, n, pool_outcomes, totals));
    }
  }
  tab.computed_basis_complete =
      ruleset.national.has_value() && WithoutBasis(ruleset.national->basis, tab.computed) == 0;
  return tab;
}

Result<Tabulation> Tabulate(const Ruleset& ruleset, const Election& election,
                            const TabulationAreas& areas,
                            const std::vector<const PrecinctCheck*>& checks,
                            const std::vector<PoolTieOutcome>& pool_outcomes,
                            const ReportCards& cards, std::shared_ptr<const TabulationSums>* kept) {
  if (areas.apportionment == nullptr || areas.county_district == nullptr) {
    return Status::InvalidArgument(
        "the tabulation's apportionment or county districts are missing");
  }
  const std::vector<PrecinctApportionment>& apportionment = *areas.apportionment;
  if (checks.size() != election.reports.size()) {
    return Status::InvalidArgument(
        fmt::format("{} precinct checks for {} reports", checks.size(), election.reports.size()));
  }
  if (!cards.empty() && cards.size() != election.reports.size()) {
    return Status::InvalidArgument(fmt::format("early-vote cards of {} precincts for {} reports",
                                               cards.size(), election.reports.size()));
  }
  const std::vector<const PrecinctApportionment*>* rows = areas.rows;
  if (rows != nullptr && rows->size() != election.reports.size()) {
    return Status::InvalidArgument(fmt::format("apportionment rows of {} precincts for {} reports",
                                               rows->size(), election.reports.size()));
  }
  // Apportionment rows by (county, precinct), unless the caller gave each report's: the reported
  // side's SDEs need the county ratio, and the count of expected precincts needs to know which
  // reports are apportioned.
  std::unordered_map<std::string, const PrecinctApportionment*> apportioned;
  auto precinct_key = [](const std::string& county, const std::string& precinct) {
    std::string key;
    key.reserve(county.size() + precinct.size() + 1);
    key.append(county).push_back('\x1f');
    key.append(precinct);
    return key;
  };
  if (rows == nullptr) {
    apportioned.reserve(apportionment.size());
    for (const PrecinctApportionment& a : apportionment) {
      apportioned.emplace(precinct_key(a.county, a.precinct), &a);
    }
  }
  // Rows given by the caller are of an apportionment without repeats (a state's).
  auto sums = TabulationSums::Start(
      ruleset, election.candidates.size(), areas,
      static_cast<int64_t>(rows != nullptr ? apportionment.size() : apportioned.size()));
  if (!sums.ok()) return sums.status();
  for (size_t i = 0; i < election.reports.size(); ++i) {
    const PrecinctReport& report = election.reports[i];
    if (checks[i] == nullptr) {
      return Status::InvalidArgument(fmt::format("no check for report {}", i));
    }
    const PrecinctApportionment* row = nullptr;
    if (rows != nullptr) {
      row = (*rows)[i];
    } else {
      auto it = apportioned.find(precinct_key(report.county, report.precinct));
      if (it != apportioned.end()) row = it->second;
    }
    const PrecinctCheck& check = *checks[i];
    if (check.county != report.county || check.precinct != report.precinct) {
      return Status::InvalidArgument(
          fmt::format("{}: precinct check {} is for {} / {}, not {} / {}", report.source.ToString(),
                      i, check.county, check.precinct, report.county, report.precinct));
    }
    const std::vector<EarlyVoteCard>* report_cards = i < cards.size() ? cards[i] : nullptr;
    CANVASS_RETURN_IF_ERROR(sums->Add(report, check, row, report_cards, +1));
  }
  auto tab = sums->Finish(pool_outcomes);
  if (tab.ok() && kept != nullptr) {
    *kept = std::make_shared<const TabulationSums>(std::move(sums).value());
  }
  return tab;
}

namespace {

// `early`: the early-vote part and the in-person part beside each head count.
nlohmann::json FiguresJson(const std::vector<std::string>& candidates, const AreaTotals& area,
                           int places, bool early) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t c = 0; c < candidates.size() && c < area.candidates.size(); ++c) {
    const CandidateTotals& t = area.candidates[c];
    nlohmann::json fig = {{"first", t.first}, {"final", t.final}, {"sde", t.sde.ToDecimal(places)}};
    if (t.delegates) fig["delegates"] = *t.delegates;
    if (early) {
      fig["first_early"] = t.first_early;
      fig["first_in_person"] = t.first - t.first_early;
      fig["final_early"] = t.final_early;
      fig["final_in_person"] = t.final - t.final_early;
    }
    out[candidates[c]] = std::move(fig);
  }
  return out;
}

nlohmann::json PerCandidate(const std::vector<std::string>& candidates,
                            const std::vector<Count>& values) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t c = 0; c < candidates.size() && c < values.size(); ++c)
    out[candidates[c]] = values[c];
  return out;
}

// `counted` of `expected` precincts have the basis figure the allocation rests on; it is complete
// only when every precinct is in and no pool waits for a drawing.
nlohmann::json NationalJson(const std::vector<std::string>& candidates,
                            const NationalAllocation* national, int64_t counted, int64_t expected) {
  if (national == nullptr) return nullptr;
  nlohmann::json pools = nlohmann::json::array();
  for (const PoolAllocation& p : national->pools) {
    nlohmann::json pool = {{"name", p.name},
                           {"size", p.size},
                           {"allocation", PerCandidate(candidates, p.delegates)},
                           {"threshold", p.threshold.ToShortDecimal()},
                           {"fallback_applied", p.fallback_applied},
                           {"complete", p.complete()}};
    if (p.pending_tie) {
      nlohmann::json tied = nlohmann::json::array();
      for (CandidateIndex c : p.pending_tie->candidates) {
        tied.push_back(c < candidates.size() ? candidates[c] : std::to_string(c));
      }
      pool["pending_tie"] = {{"candidates", tied},
                             {"seats", p.pending_tie->seats_at_stake},
                             {"loss", p.pending_tie->loss},
                             {"remainder", p.pending_tie->remainder.ToShortDecimal()}};
    }
    pools.push_back(std::move(pool));
  }
  return {{"pools", std::move(pools)},
          {"total", PerCandidate(candidates, national->total)},
          {"precincts", {{"counted", counted}, {"of", expected}}},
          {"complete", national->complete() && counted >= expected}};
}

// A share in percent, rounded half up to two places ("26.21"); "0.00" when the total is zero.
std::string Percent(const Rational& part, const Rational& total) {
  if (total.is_zero()) return "0.00";
  return (part * Rational(100) / total).ToDecimal(2);
}

// The first two candidates by `key` (ties broken by the candidates' order), the margin between
// them, and whether they are tied; null when nobody has any of it.
template <typename Key, typename Format>
nlohmann::json LeaderJson(const std::vector<std::string>& candidates, const AreaTotals& area,
                          Key key, Format format) {
  const size_t n = std::min(candidates.size(), area.candidates.size());
  size_t first = n;
  size_t second = n;
  for (size_t c = 0; c < n; ++c) {
    const Rational v = key(area.candidates[c]);
    if (first == n || v > key(area.candidates[first])) {
      second = first;
      first = c;
    } else if (second == n || v > key(area.candidates[second])) {
      second = c;
    }
  }
  if (first == n || key(area.candidates[first]).is_zero()) return nullptr;
  const Rational lead = key(area.candidates[first]);
  const Rational next = second == n ? Rational(0) : key(area.candidates[second]);
  return {{"candidate", candidates[first]},
          {"second", second == n ? nlohmann::json() : nlohmann::json(candidates[second])},
          {"margin", format(lead - next)},
          {"tied", lead == next}};
}

// Shares of the state's SDEs and final alignment per candidate, and the leader and the margin
// over the second in each (docs/tabulation.md, "Shares and leaders").
nlohmann::json SummaryJson(const std::vector<std::string>& candidates, const AreaTotals& state,
                           int places) {
  Rational sde_total;
  Rational final_total;
  for (const CandidateTotals& t : state.candidates) {
    sde_total += t.sde;
    final_total += t.final;
  }
  nlohmann::json shares = nlohmann::json::object();
  for (size_t c = 0; c < candidates.size() && c < state.candidates.size(); ++c) {
    const CandidateTotals& t = state.candidates[c];
    shares[candidates[c]] = {{"sde", Percent(t.sde, sde_total)},
                             {"final", Percent(t.final, final_total)}};
  }
  auto sde = [](const CandidateTotals& t) { return t.sde; };
  auto people = [](const CandidateTotals& t) { return Rational(t.final); };
  return {
      {"shares", std::move(shares)},
      {"leader",
       {{"sde", LeaderJson(candidates, state, sde,
                           [&](const Rational& m) { return nlohmann::json(m.ToDecimal(places)); })},
        {"final", LeaderJson(candidates, state, people,
                             [](const Rational& m) { return nlohmann::json(m.Floor()); })}}}};
}

nlohmann::json TotalsJson(const std::vector<std::string>& candidates, const Totals& totals,
                          int places, int64_t expected, bool reported, bool early) {
  nlohmann::json districts = nlohmann::json::object();
  for (const auto& [name, area] : totals.districts) {
    districts[name] = FiguresJson(candidates, area, places, early);
  }
  nlohmann::json counties = nlohmann::json::object();
  for (const auto& [name, area] : totals.counties) {
    counties[name] = FiguresJson(candidates, area, places, early);
  }
  nlohmann::json out = {
      {"state", FiguresJson(candidates, totals.state, places, early)},
      {"summary", SummaryJson(candidates, totals.state, places)},
      {"districts", std::move(districts)},
      {"counties", std::move(counties)},
      {"national", NationalJson(candidates, totals.national ? &*totals.national : nullptr,
                                totals.national_precincts, expected)},
      {"precincts_without_sde", totals.precincts_without_sde},
      {"precincts_without_delegates", totals.precincts_without_delegates}};
  if (reported) out["precincts_sde_from_delegates"] = totals.precincts_sde_from_delegates;
  return out;
}

}  // namespace

nlohmann::json TabulationToJson(const Ruleset& ruleset, const std::vector<std::string>& candidates,
                                const Tabulation& tabulation) {
  const int places = ruleset.precinct.sde_places;
  const bool computed = tabulation.computed_is_complete();
  const Totals& headline = computed ? tabulation.computed : tabulation.reported;
  nlohmann::json national =
      NationalJson(candidates, tabulation.headline_national(), headline.national_precincts,
                   tabulation.precincts_expected);
  if (!national.is_null()) {
    national["source"] = computed ? "computed" : "reported";
  }
  return {
      {"ruleset", {{"name", ruleset.name}, {"hash", ruleset.hash}}},
      {"totals",
       {{"reported", TotalsJson(candidates, tabulation.reported, places,
                                tabulation.precincts_expected, true, tabulation.early_votes)},
        {"computed", TotalsJson(candidates, tabulation.computed, places,
                                tabulation.precincts_expected, false, tabulation.early_votes)}}},
      {"national", std::move(national)},
      {"precincts",
       {{"count", tabulation.included},
        {"computed_complete", tabulation.computed_complete},
        {"computed_pending_tie", tabulation.computed_pending_tie},
        {"computed_must_realign", tabulation.computed_must_realign},
        {"computed_unavailable", tabulation.computed_unavailable},
        {"without_district", tabulation.without_district},
        {"expected", tabulation.precincts_expected}}}};
}

}  // namespace canvass
