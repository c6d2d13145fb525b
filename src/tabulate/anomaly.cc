#include "tabulate/anomaly.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"

namespace canvass {
namespace {

Count Head(const std::optional<Count>& v) { return v.value_or(0); }

Count Attendance(const PrecinctReport& r) {
  Count t = 0;
  for (const CandidateReport& f : r.figures) t += Head(f.first);
  return t;
}

std::vector<CandidateIndex> BallotOrder(size_t candidates, const AnomalySettings& settings) {
  if (!settings.ballot_order.empty()) return settings.ballot_order;
  std::vector<CandidateIndex> order(candidates);
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<CandidateIndex>(i);
  return order;
}

std::vector<CandidateIndex> BallotOrder(const Election& election, const AnomalySettings& settings) {
  return BallotOrder(election.candidates.size(), settings);
}

// A view's figure for candidate c: kMissingFigure when not reported.
Count FigureAt(const Count* alignment, size_t c) {
  return alignment != nullptr ? alignment[c] : kMissingFigure;
}
// As a head count: a figure not reported counts nobody.
Count HeadAt(const Count* alignment, size_t c) {
  const Count v = FigureAt(alignment, c);
  return v == kMissingFigure ? 0 : v;
}

// Views of an Election's reports, their figures laid out in `storage` (2 x candidates a report).
std::vector<FiguresView> ViewsOf(const Election& election, std::vector<Count>& storage) {
  const size_t n = election.candidates.size();
  storage.assign(2 * n * election.reports.size(), kMissingFigure);
  std::vector<FiguresView> views;
  views.reserve(election.reports.size());
  for (size_t i = 0; i < election.reports.size(); ++i) {
    const PrecinctReport& r = election.reports[i];
    Count* first = &storage[2 * n * i];
    Count* final = first + n;
    for (size_t c = 0; c < n && c < r.figures.size(); ++c) {
      if (r.figures[c].first) first[c] = *r.figures[c].first;
      if (r.figures[c].final) final[c] = *r.figures[c].final;
    }
    views.push_back({r.county, first, final});
  }
  return views;
}

bool SameFirstAndFinal(const FiguresView& a, const FiguresView& b, size_t candidates) {
  for (size_t c = 0; c < candidates; ++c) {
    if (FigureAt(a.first, c) != FigureAt(b.first, c) ||
        FigureAt(a.final, c) != FigureAt(b.final, c)) {
      return false;
    }
  }
  return true;
}

// Duplicates are found by sorting a 64-bit FNV-1a digest of each report's first and final
// figures (a missing figure distinct from every count); reports with equal digests are then
// compared figure by figure, so a collision costs time, never a false flag.
bool SameFirstAndFinal(const PrecinctReport& a, const PrecinctReport& b) {
  if (a.figures.size() != b.figures.size()) return false;
  for (size_t c = 0; c < a.figures.size(); ++c) {
    if (a.figures[c].first != b.figures[c].first || a.figures[c].final != b.figures[c].final) {
      return false;
    }
  }
  return true;
}

std::string Where(const PrecinctReport& r) { return r.county + " / " + r.precinct; }

std::string Figures(const Election& election, const PrecinctReport& r) {
  std::vector<std::string> parts;
  for (size_t c = 0; c < r.figures.size(); ++c) {
    const CandidateReport& f = r.figures[c];
    if (Head(f.first) == 0 && Head(f.final) == 0) continue;
    parts.push_back(fmt::format("{} {}/{}", election.candidates[c], Head(f.first), Head(f.final)));
  }
  return parts.empty() ? std::string("no figures") : fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

AnomalySettings AnomalySettingsFor(const Ruleset& ruleset,
                                   const std::vector<std::string>& candidates) {
  AnomalySettings settings;
  if (!ruleset.anomaly) return settings;
  const AnomalyRules& rules = *ruleset.anomaly;
  settings.duplicate_above = rules.duplicate_above;
  settings.shift_threshold_nats = static_cast<double>(rules.shift_threshold_nats.num()) /
                                  static_cast<double>(rules.shift_threshold_nats.den());
  if (rules.ballot_order.empty()) return settings;
  std::vector<bool> placed(candidates.size(), false);
  for (const std::string& name : rules.ballot_order) {
    const std::string wanted = NormaliseName(name);
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (!placed[c] && candidates[c] == wanted) {
        placed[c] = true;
        settings.ballot_order.push_back(static_cast<CandidateIndex>(c));
      }
    }
  }
  for (size_t c = 0; c < candidates.size(); ++c) {
    if (!placed[c]) settings.ballot_order.push_back(static_cast<CandidateIndex>(c));
  }
  return settings;
}

Status ValidateAnomalySettings(const AnomalySettings& settings, const Election& election) {
  if (settings.duplicate_above < 0) {
    return Status::InvalidArgument(fmt::format(
        "the duplicate attendance bound must be 0 or more, not {}", settings.duplicate_above));
  }
  if (!std::isfinite(settings.shift_threshold_nats) || settings.shift_threshold_nats <= 0) {
    return Status::InvalidArgument(
        fmt::format("the column-shift threshold must be a positive number of nats, not {}",
                    settings.shift_threshold_nats));
  }
  if (settings.ballot_order.empty()) return Status::Ok();
  const size_t n = election.candidates.size();
  if (settings.ballot_order.size() != n) {
    return Status::InvalidArgument(
        fmt::format("the ballot order names {} candidates; the results have {}: {}",
                    settings.ballot_order.size(), n, fmt::join(election.candidates, ", ")));
  }
  std::vector<bool> seen(n, false);
  for (CandidateIndex c : settings.ballot_order) {
    if (c >= n) {
      return Status::InvalidArgument(
          fmt::format("the ballot order names candidate {} of {}", c, n));
    }
    if (seen[c]) {
      return Status::InvalidArgument(
          fmt::format("the ballot order names {} twice", election.candidates[c]));
    }
    seen[c] = true;
  }
  return Status::Ok();
}

// --- Duplicates -----------------------------------------------------------------------------

std::vector<DuplicateGroup> FindDuplicates(const Election& election,
                                           const AnomalySettings& settings) {
  std::vector<Count> storage;
  return FindDuplicates(ViewsOf(election, storage), election.candidates.size(), settings);
}

std::vector<DuplicateGroup> FindDuplicates(const std::vector<FiguresView>& reports,
                                           size_t candidates, const AnomalySettings& settings) {
  // Sorted by digest, then report: equal figures sit in one run, each run in report order.
  std::vector<std::pair<uint64_t, size_t>> keyed;
  keyed.reserve(reports.size());
  std::vector<Count> attendance(reports.size(), 0);
  for (size_t i = 0; i < reports.size(); ++i) {
    const FiguresView& r = reports[i];
    // One pass over the figures: attendance and digest together.
    uint64_t h = 1469598103934665603ull;
    for (size_t c = 0; c < candidates; ++c) {
      attendance[i] += HeadAt(r.first, c);
      h = (h ^ static_cast<uint64_t>(FigureAt(r.first, c))) * 1099511628211ull;
      h = (h ^ static_cast<uint64_t>(FigureAt(r.final, c))) * 1099511628211ull;
    }
    if (attendance[i] > settings.duplicate_above) keyed.emplace_back(h, i);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<DuplicateGroup> out;
  for (size_t run = 0; run < keyed.size();) {
    size_t end = run + 1;
    while (end < keyed.size() && keyed[end].first == keyed[run].first) ++end;
    if (end == run + 1) {  // figures no other report has
      run = end;
      continue;
    }
    // Within a run, group by exact figures (a digest collision splits into several groups).
    std::vector<bool> taken(end - run, false);
    for (size_t a = run; a < end; ++a) {
      if (taken[a - run]) continue;
      const FiguresView& r = reports[keyed[a].second];
      DuplicateGroup g{{keyed[a].second}, attendance[keyed[a].second]};
      for (size_t b = a + 1; b < end; ++b) {
        if (!taken[b - run] && SameFirstAndFinal(r, reports[keyed[b].second], candidates)) {
          taken[b - run] = true;
          g.reports.push_back(keyed[b].second);
        }
      }
      if (g.reports.size() > 1) out.push_back(std::move(g));
    }
    run = end;
  }
  std::sort(out.begin(), out.end(), [](const DuplicateGroup& x, const DuplicateGroup& y) {
    return x.reports[0] < y.reports[0];
  });
  return out;
}

std::vector<size_t> DuplicatesOf(const Election& election, size_t report,
                                 const AnomalySettings& settings) {
  std::vector<size_t> out;
  const PrecinctReport& r = election.reports[report];
  if (Attendance(r) <= settings.duplicate_above) return out;
  for (size_t i = 0; i < election.reports.size(); ++i) {
    if (i == report) continue;
    if (SameFirstAndFinal(r, election.reports[i])) out.push_back(i);
  }
  return out;
}

// --- Column shift ---------------------------------------------------------------------------

namespace {

// The best undo for figures v (both alignments) and weights ln(2 S_k + 1), all in ballot order;
// fills best's gain, start, direction and the undone figures by candidate.
void BestUndo(const std::vector<Count> (&v)[2], const std::vector<double>& weight,
              const std::vector<CandidateIndex>& order, size_t candidates, ShiftScore& best) {
  const size_t n = order.size();
  for (size_t j = 0; j + 1 < n; ++j) {
    for (int d : {+1, -1}) {
      // The figure the undo pushes off the end must be 0 in both alignments.
      const size_t dropped = d > 0 ? n - 1 : j;
      if (v[0][dropped] != 0 || v[1][dropped] != 0) continue;
      double gain = 0;
      for (int a = 0; a < 2; ++a) {
        for (size_t k = j; k < n; ++k) {
          Count c;
          if (d > 0) {
            c = k == j ? 0 : v[a][k - 1];
          } else {
            c = k + 1 == n ? 0 : v[a][k + 1];
          }
          if (c != v[a][k]) gain += static_cast<double>(c - v[a][k]) * weight[k];
        }
      }
      if (gain > best.gain) {
        best.gain = gain;
        best.start = j;
        best.direction = d;
      }
    }
  }
  if (best.direction == 0) return;
  best.start_candidate = order[best.start];
  best.first.assign(candidates, 0);
  best.final.assign(candidates, 0);
  for (size_t k = 0; k < n; ++k) {
    size_t from = k;  // ballot position whose figure lands at k
    bool zero = false;
    if (k >= best.start) {
      if (best.direction > 0) {
        zero = k == best.start;
        from = k - 1;
      } else {
        zero = k + 1 == n;
        from = k + 1;
      }
    }
    best.first[order[k]] = zero ? 0 : v[0][from];
    best.final[order[k]] = zero ? 0 : v[1][from];
  }
}

}  // namespace

std::string ShiftBasis::Key(const std::string& county, const std::string& precinct) {
  std::string key = county;
  key.push_back('\0');
  key += precinct;
  return key;
}

ShiftBasis::ShiftBasis(const Election& reference) : candidates_(reference.candidates) {
  const size_t n = candidates_.size();
  own_.reserve(reference.reports.size());
  for (size_t i = 0; i < reference.reports.size(); ++i) {
    const PrecinctReport& r = reference.reports[i];
    auto [it, inserted] = county_.emplace(r.county, totals_.size());
    if (inserted) totals_.emplace_back(n, 0);
    std::vector<Count>& t = totals_[it->second];
    std::vector<Count> first(n, 0);
    for (size_t c = 0; c < n && c < r.figures.size(); ++c) {
      // Importers bound every figure by kMaxHeadCount, so a county of 176,500 precincts stays
      // far inside 64 bits.
      first[c] = Head(r.figures[c].first);
      t[c] += first[c];
    }
    precinct_.emplace(Key(r.county, r.precinct), i);
    own_.push_back(std::move(first));
  }
}

ShiftScore ShiftBasis::Score(const Election& election, size_t report,
                             const AnomalySettings& settings) const {
  const std::vector<CandidateIndex> order = BallotOrder(election, settings);
  const size_t n = order.size();
  const PrecinctReport& r = election.reports[report];
  const bool same_candidates = election.candidates == candidates_;
  const std::vector<Count>* totals = nullptr;
  if (auto it = county_.find(r.county); it != county_.end()) totals = &totals_[it->second];
  const std::vector<Count>* own = nullptr;
  if (totals) {
    if (auto it = precinct_.find(Key(r.county, r.precinct)); it != precinct_.end()) {
      own = &own_[it->second];
    }
  }

  // The precinct's figures and ln(2 S_k + 1) in ballot order, S_k the first alignment of the
  // county's other precincts in the reference.
  std::vector<Count> v[2];
  v[0].resize(n);
  v[1].resize(n);
  std::vector<double> weight(n, 0.0);
  for (size_t k = 0; k < n; ++k) {
    const CandidateIndex c = order[k];
    const CandidateReport* f = c < r.figures.size() ? &r.figures[c] : nullptr;
    v[0][k] = f ? Head(f->first) : 0;
    v[1][k] = f ? Head(f->final) : 0;
    if (!totals) continue;
    std::optional<size_t> in_reference;
    if (same_candidates) {
      in_reference = c;
    } else {
      for (size_t x = 0; x < candidates_.size(); ++x) {
        if (candidates_[x] == election.candidates[c]) in_reference = x;
      }
    }
    if (!in_reference) continue;
    const Count others = (*totals)[*in_reference] - (own ? (*own)[*in_reference] : 0);
    weight[k] = std::log(static_cast<double>(2 * others + 1));
  }

  ShiftScore best;
  best.report = report;
  BestUndo(v, weight, order, election.candidates.size(), best);
  return best;
}

std::vector<ShiftScore> ScoreColumnShifts(const Election& election, const AnomalySettings& settings,
                                          const Election* reference) {
  std::vector<ShiftScore> out;
  out.reserve(election.reports.size());
  if (reference) {
    const ShiftBasis basis(*reference);
    for (size_t i = 0; i < election.reports.size(); ++i) {
      out.push_back(basis.Score(election, i, settings));
    }
    return out;
  }
  std::vector<Count> storage;
  return ScoreColumnShifts(ViewsOf(election, storage), election.candidates.size(), settings);
}

std::vector<ShiftScore> ScoreColumnShifts(const std::vector<FiguresView>& reports,
                                          size_t candidates, const AnomalySettings& settings) {
  // The reports against themselves: each report's own figures are the ones to leave out, so no
  // precinct lookup is needed, and the ballot order and buffers serve every report.
  const std::vector<CandidateIndex> order = BallotOrder(candidates, settings);
  const size_t n = order.size();
  std::unordered_map<std::string_view, size_t> county;
  std::vector<size_t> county_of(reports.size());
  std::vector<std::vector<Count>> totals;
  for (size_t i = 0; i < reports.size(); ++i) {
    const FiguresView& r = reports[i];
    auto [it, inserted] = county.emplace(r.county, totals.size());
    if (inserted) totals.emplace_back(n, 0);
    county_of[i] = it->second;
    std::vector<Count>& t = totals[it->second];
    for (size_t k = 0; k < n; ++k) {
      if (order[k] < candidates) t[k] += HeadAt(r.first, order[k]);
    }
  }
  std::vector<ShiftScore> out;
  out.reserve(reports.size());
  std::vector<Count> v[2] = {std::vector<Count>(n), std::vector<Count>(n)};
  std::vector<double> weight(n);
  for (size_t i = 0; i < reports.size(); ++i) {
    const FiguresView& r = reports[i];
    const std::vector<Count>& t = totals[county_of[i]];
    for (size_t k = 0; k < n; ++k) {
      const bool known = order[k] < candidates;
      v[0][k] = known ? HeadAt(r.first, order[k]) : 0;
      v[1][k] = known ? HeadAt(r.final, order[k]) : 0;
      weight[k] = std::log(static_cast<double>(2 * (t[k] - v[0][k]) + 1));
    }
    ShiftScore best;
    best.report = i;
    BestUndo(v, weight, order, candidates, best);
    out.push_back(std::move(best));
  }
  return out;
}

// --- Release deltas -------------------------------------------------------------------------

const char* DeltaKindName(DeltaKind kind) {
  switch (kind) {
    case DeltaKind::kNew:
      return "new";
    case DeltaKind::kCorrected:
      return "corrected";
    case DeltaKind::kChanged:
      return "changed";
    case DeltaKind::kRemoved:
      return "removed";
  }
  return "?";
}

Count PrecinctDelta::people_moved() const {
  Count moved = 0;
  for (Count x : first) moved += std::abs(x);
  for (Count x : final) moved += std::abs(x);
  return moved;
}

namespace {

std::string PrecinctKey(const std::string& county, const std::string& precinct) {
  std::string key = county;
  key.push_back('\0');
  key += precinct;
  return key;
}

uint64_t NameDigest(const PrecinctReport& r) {
  uint64_t h = 1469598103934665603ull;
  for (const std::string* part : {&r.county, &r.precinct}) {
    for (unsigned char ch : *part) h = (h ^ ch) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull;  // separates ("ab", "c") from ("a", "bc")
  }
  return h;
}

bool SameName(const PrecinctReport& a, const PrecinctReport& b) {
  return a.county == b.county && a.precinct == b.precinct;
}

// The reports sorted by a digest of their names (no string is copied, nothing is hashed into a
// table: a release of 176,500 precincts sorts in milliseconds). InvalidArgument when two reports
// name the same precinct.
Result<std::vector<std::pair<uint64_t, size_t>>> SortedByName(const Election& election,
                                                              const char* which) {
  std::vector<std::pair<uint64_t, size_t>> sorted;
  sorted.reserve(election.reports.size());
  for (size_t i = 0; i < election.reports.size(); ++i) {
    sorted.emplace_back(NameDigest(election.reports[i]), i);
  }
  std::sort(sorted.begin(), sorted.end());
  for (size_t a = 0; a < sorted.size(); ++a) {
    for (size_t b = a + 1; b < sorted.size() && sorted[b].first == sorted[a].first; ++b) {
      const PrecinctReport& x = election.reports[sorted[a].second];
      const PrecinctReport& y = election.reports[sorted[b].second];
      if (SameName(x, y)) {
        return Status::InvalidArgument(fmt::format("the {} release names {} twice ({})", which,
                                                   Where(y), y.source.ToString()));
      }
    }
  }
  return sorted;
}

// Adds `sign` times a report's figures into a delta, candidates mapped by `to`.
void AddFigures(const PrecinctReport& r, const std::vector<size_t>& to, int sign,
                PrecinctDelta& d) {
  for (size_t c = 0; c < r.figures.size() && c < to.size(); ++c) {
    const CandidateReport& f = r.figures[c];
    d.first[to[c]] += sign * Head(f.first);
    d.final[to[c]] += sign * Head(f.final);
    if (f.sde) d.sde[to[c]] += sign > 0 ? *f.sde : -*f.sde;
  }
}

// Compared through the union of candidates, so that a reordering of columns is no change. `fa`
// and `fb` are scratch space of the union's size.
bool SameFigures(const PrecinctReport& a, const std::vector<size_t>& ta, const PrecinctReport& b,
                 const std::vector<size_t>& tb, std::vector<const CandidateReport*>& fa,
                 std::vector<const CandidateReport*>& fb) {
  std::fill(fa.begin(), fa.end(), nullptr);
  std::fill(fb.begin(), fb.end(), nullptr);
  for (size_t c = 0; c < a.figures.size() && c < ta.size(); ++c) fa[ta[c]] = &a.figures[c];
  for (size_t c = 0; c < b.figures.size() && c < tb.size(); ++c) fb[tb[c]] = &b.figures[c];
  static const CandidateReport kNone;
  for (size_t c = 0; c < fa.size(); ++c) {
    const CandidateReport& x = fa[c] ? *fa[c] : kNone;
    const CandidateReport& y = fb[c] ? *fb[c] : kNone;
    // A missing SDE counts as 0, as it does in the sums.
    if (Head(x.first) != Head(y.first) || Head(x.final) != Head(y.final) ||
        x.delegates != y.delegates || x.sde.value_or(Rational(0)) != y.sde.value_or(Rational(0))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<ReleaseDelta> CompareReleases(const Election& previous, const Election& current,
                                     const std::vector<PrecinctId>& corrected) {
  auto prev_sorted = SortedByName(previous, "previous");
  if (!prev_sorted.ok()) return prev_sorted.status();
  auto cur_sorted = SortedByName(current, "current");
  if (!cur_sorted.ok()) return cur_sorted.status();
  // Each current report's match in the previous release, by merging the two sorted lists.
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> prev_of(current.reports.size(), kNone);
  std::vector<bool> matched(previous.reports.size(), false);
  for (size_t a = 0, b = 0; a < cur_sorted->size(); ++a) {
    const uint64_t h = (*cur_sorted)[a].first;
    while (b < prev_sorted->size() && (*prev_sorted)[b].first < h) ++b;
    for (size_t k = b; k < prev_sorted->size() && (*prev_sorted)[k].first == h; ++k) {
      const size_t p = (*prev_sorted)[k].second;
      if (SameName(previous.reports[p], current.reports[(*cur_sorted)[a].second])) {
        prev_of[(*cur_sorted)[a].second] = p;
        matched[p] = true;
        break;
      }
    }
  }

  ReleaseDelta out;
  out.candidates = current.candidates;
  std::vector<size_t> cur_to(current.candidates.size());
  for (size_t c = 0; c < cur_to.size(); ++c) cur_to[c] = c;
  std::vector<size_t> prev_to(previous.candidates.size());
  for (size_t c = 0; c < prev_to.size(); ++c) {
    auto found = current.FindCandidate(previous.candidates[c]);
    if (found) {
      prev_to[c] = *found;
    } else {
      prev_to[c] = out.candidates.size();
      out.candidates.push_back(previous.candidates[c]);
    }
  }
  const size_t n = out.candidates.size();
  out.by_candidate.resize(n);

  std::unordered_map<std::string, bool> is_corrected;
  for (const PrecinctId& id : corrected) is_corrected[PrecinctKey(id.county, id.precinct)] = true;
  std::vector<const CandidateReport*> scratch_a(n), scratch_b(n);

  auto fresh = [n](DeltaKind kind, const PrecinctReport& r) {
    PrecinctDelta d;
    d.kind = kind;
    d.county = r.county;
    d.precinct = r.precinct;
    d.first.assign(n, 0);
    d.final.assign(n, 0);
    d.sde.assign(n, Rational(0));
    return d;
  };
  for (size_t i = 0; i < current.reports.size(); ++i) {
    const PrecinctReport& r = current.reports[i];
    if (prev_of[i] == kNone) {
      PrecinctDelta d = fresh(DeltaKind::kNew, r);
      AddFigures(r, cur_to, +1, d);
      out.precincts.push_back(std::move(d));
      continue;
    }
    const PrecinctReport& p = previous.reports[prev_of[i]];
    if (SameFigures(p, prev_to, r, cur_to, scratch_a, scratch_b)) {
      ++out.unchanged;
      continue;
    }
    PrecinctDelta d =
        fresh(is_corrected.count(PrecinctKey(r.county, r.precinct)) ? DeltaKind::kCorrected
                                                                    : DeltaKind::kChanged,
              r);
    AddFigures(r, cur_to, +1, d);
    AddFigures(p, prev_to, -1, d);
    out.precincts.push_back(std::move(d));
  }
  for (size_t i = 0; i < previous.reports.size(); ++i) {
    if (matched[i]) continue;
    const PrecinctReport& p = previous.reports[i];
    PrecinctDelta d = fresh(DeltaKind::kRemoved, p);
    AddFigures(p, prev_to, -1, d);
    out.precincts.push_back(std::move(d));
  }

  for (const PrecinctDelta& d : out.precincts) {
    for (size_t c = 0; c < n; ++c) {
      CandidateDelta& cd = out.by_candidate[c];
      cd.sde_change += d.sde[c];
      cd.first_change += d.first[c];
      cd.final_change += d.final[c];
      switch (d.kind) {
        case DeltaKind::kNew:
          cd.sde_from_new += d.sde[c];
          break;
        case DeltaKind::kCorrected:
          cd.sde_from_corrected += d.sde[c];
          break;
        case DeltaKind::kChanged:
        case DeltaKind::kRemoved:
          cd.sde_unexplained += d.sde[c];
          cd.first_unexplained += d.first[c];
          cd.final_unexplained += d.final[c];
          break;
      }
    }
  }
  return out;
}

// --- Flags ----------------------------------------------------------------------------------

const char* AnomalyCheckName(AnomalyCheck check) {
  switch (check) {
    case AnomalyCheck::kDuplicate:
      return "duplicate";
    case AnomalyCheck::kColumnShift:
      return "column-shift";
    case AnomalyCheck::kReleaseDelta:
      return "release-delta";
  }
  return "?";
}

std::vector<AnomalyFlag> DuplicateFlags(const Election& election,
                                        const std::vector<DuplicateGroup>& groups,
                                        const AnomalySettings& settings) {
  std::vector<AnomalyFlag> out;
  for (const DuplicateGroup& g : groups) {
    for (size_t i : g.reports) {
      const PrecinctReport& r = election.reports[i];
      std::vector<std::string> others;
      for (size_t j : g.reports) {
        if (j != i) others.push_back(Where(election.reports[j]));
      }
      AnomalyFlag f;
      f.check = AnomalyCheck::kDuplicate;
      f.county = r.county;
      f.precinct = r.precinct;
      f.score = fmt::format("{} attendees", g.attendance);
      f.threshold = fmt::format("more than {} attendees", settings.duplicate_above);
      f.detail = fmt::format("first and final figures identical to {} ({})",
                             fmt::join(others, ", "), Figures(election, r));
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<AnomalyFlag> ShiftFlags(const Election& election, const std::vector<ShiftScore>& scores,
                                    const AnomalySettings& settings) {
  std::vector<AnomalyFlag> out;
  for (const ShiftScore& s : scores) {
    if (!(s.gain > settings.shift_threshold_nats)) continue;
    const PrecinctReport& r = election.reports[s.report];
    std::vector<std::string> moved;
    for (size_t c = 0; c < s.first.size() && c < r.figures.size(); ++c) {
      const Count f = Head(r.figures[c].first), g = Head(r.figures[c].final);
      if (s.first[c] == f && s.final[c] == g) continue;
      moved.push_back(
          fmt::format("{} {}/{} -> {}/{}", election.candidates[c], f, g, s.first[c], s.final[c]));
    }
    AnomalyFlag flag;
    flag.check = AnomalyCheck::kColumnShift;
    flag.county = r.county;
    flag.precinct = r.precinct;
    flag.score = fmt::format("{:.2f} nats", s.gain);
    flag.threshold = fmt::format("{} nats", settings.shift_threshold_nats);
    flag.detail =
        fmt::format("the figures from {} on read as entered one column to the {}; moved back: {}",
                    election.candidates[s.start_candidate], s.direction > 0 ? "left" : "right",
                    fmt::join(moved, ", "));
    out.push_back(std::move(flag));
  }
  return out;
}

std::vector<AnomalyFlag> DeltaFlags(const ReleaseDelta& delta) {
  std::vector<AnomalyFlag> out;
  for (const PrecinctDelta& d : delta.precincts) {
    if (d.kind != DeltaKind::kChanged && d.kind != DeltaKind::kRemoved) continue;
    std::vector<std::string> parts;
    for (size_t c = 0; c < delta.candidates.size(); ++c) {
      if (d.first[c] == 0 && d.final[c] == 0 && d.sde[c].is_zero()) continue;
      parts.push_back(fmt::format("{} {:+}/{:+} SDE {}{}", delta.candidates[c], d.first[c],
                                  d.final[c], d.sde[c] < Rational(0) ? "" : "+",
                                  d.sde[c].ToDecimal(4)));
    }
    AnomalyFlag f;
    f.check = AnomalyCheck::kReleaseDelta;
    f.county = d.county;
    f.precinct = d.precinct;
    Rational sde_moved;
    for (const Rational& x : d.sde) sde_moved += x < Rational(0) ? -x : x;
    f.score = fmt::format("{} people, {} SDE moved", d.people_moved(), sde_moved.ToDecimal(4));
    f.threshold = kReleaseDeltaThreshold;
    f.detail = fmt::format(
        "{} since the previous release without a correction: {}",
        d.kind == DeltaKind::kRemoved ? "removed" : "changed",
        parts.empty() ? std::string("delegates only") : fmt::format("{}", fmt::join(parts, ", ")));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace canvass
