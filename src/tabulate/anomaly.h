// Anomaly checks: statistical and bookkeeping checks on reported figures that the hard rules
// cannot make, because each report is possible on its own (docs/audit.md "Anomaly checks";
// ../shared/spec/audits.md 4.2). They would have stopped the 2020 Iowa errors before publication:
//
//   - duplicate:     the same (first, final) vectors reported for two or more precincts with more
//                    than `duplicate_above` attendees: one form keyed twice (8 February 2020:
//                    Scott B52/D52, Scott BG/D31, Woodbury 05/20).
//   - column-shift:  a precinct whose figures read far better once a suffix of its columns, in
//                    ballot order, is moved back by one place (5 February 2020: Des Moines-55's
//                    Sanders figures under Patrick). The score is a log-likelihood gain in nats
//                    against the shares of the same county's other precincts; see ShiftScore.
//   - release-delta: between two releases, every candidate's statewide change must come from
//                    precincts newly in, or from precincts with a correction on the record. A
//                    published precinct that changed without one is flagged, and so is the
//                    candidate change it leaves unexplained.
//
// They sit before intake and publish in the pipeline so that both can run them on every
// accepted report and before every release. Counts are exact integers and SDEs exact Rationals;
// the only floating point is the shift score's logarithms (a score compared with a threshold,
// never a count).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/election.h"
#include "core/rational.h"
#include "core/status.h"
#include "rules/ruleset.h"
#include "tabulate/tabulate.h"

namespace canvass {

// Thresholds, with the evidence for the defaults in docs/audit.md "Anomaly checks".
struct AnomalySettings {
  // Duplicates count only above this many first-alignment attendees: small precincts repeat by
  // chance (a 3-person precinct split 2/1 recurs across the state).
  Count duplicate_above = 10;
  // Column-shift gains above this many nats are flagged. The certified 2020 record's highest is
  // 41.0 (Pottawattamie / Walnut); the rebuilt Des Moines-55 error scores 4,376.5.
  double shift_threshold_nats = 50.0;
  // The columns as the form and the entry screen list them, as candidate indices; empty: the
  // election's candidate order (the party's files list candidates in ballot order).
  std::vector<CandidateIndex> ballot_order;
};

// The settings of `ruleset`'s [anomaly] table (the defaults above when it has none), for an
// election with `candidates`. The shift threshold, exact in the ruleset, becomes the double the
// scores are compared with. The ballot order's names that are candidates come first, in its
// order, then the candidates it does not name, in the election's order: a ruleset serves
// elections with fewer candidates than its ballot (a name it lists that did not run is skipped).
AnomalySettings AnomalySettingsFor(const Ruleset& ruleset,
                                   const std::vector<std::string>& candidates);

// Refuses a ballot order that is not a permutation of the election's candidates, a negative
// attendance bound, a threshold that is not a positive finite number.
Status ValidateAnomalySettings(const AnomalySettings& settings, const Election& election);

// --- Reports read where they are -----------------------------------------------------------
//
// FindDuplicates and ScoreColumnShifts over an Election read its reports' figures through views:
// one report as the two checks read it, its county and, by candidate, its first and final
// alignments (kMissingFigure where a candidate's figure was not reported; null for an alignment
// not reported at all). A caller that holds the figures elsewhere (the state's records: the
// anomaly gate, state/holds.h) runs the checks over views of them, without copying a report.
inline constexpr Count kMissingFigure = std::numeric_limits<Count>::min();
struct FiguresView {
  std::string_view county;
  const Count* first = nullptr;  // `candidates` figures, or null
  const Count* final = nullptr;
};

// --- Duplicates -----------------------------------------------------------------------------

struct DuplicateGroup {
  std::vector<size_t> reports;  // indices into Election::reports, two or more, in report order
  Count attendance = 0;         // the shared first-alignment total
};

// Groups of reports with identical first and final figures for every candidate (a missing
// figure equals only a missing one) and attendance above settings.duplicate_above, in order of
// their first report.
std::vector<DuplicateGroup> FindDuplicates(const Election& election,
                                           const AnomalySettings& settings);

// The same over views of `candidates` figures each; the groups' indices are into `reports`.
std::vector<DuplicateGroup> FindDuplicates(const std::vector<FiguresView>& reports,
                                           size_t candidates, const AnomalySettings& settings);

// The reports whose figures equal report `report`'s (itself excluded), for checking one report
// as it is accepted; empty when its attendance is not above the bound.
std::vector<size_t> DuplicatesOf(const Election& election, size_t report,
                                 const AnomalySettings& settings);

// --- Column shift ---------------------------------------------------------------------------
//
// For a precinct with first and final vectors r (in ballot order, missing figures as 0), and
// S_k the first-alignment total of candidate k over the same county's OTHER precincts, each
// vector's multinomial log-likelihood under the add-1/2 smoothed shares p_k = (S_k + 1/2) /
// (S + n/2) is sum_k r_k ln p_k + (the multinomial coefficient). Both vectors are scored against
// the first alignment's shares: they are the county's preferences, while final-alignment shares
// are zero for every candidate the county's viability thresholds removed, which would make any
// figure under such a candidate look shifted (../shared/spec/audits.md 4.2 [D]). Undoing a shift
// moves the suffix of the vector from ballot position j one place, right (+1: the figures were
// entered one column to the left, as in Des Moines-55) or left (-1: entered one column to the
// right), leaving 0 at the vacated end. Only undos that lose no people count: the figure pushed off
// the end must be 0 in both alignments. The undone vector c is then a rearrangement of r's figures,
// so the coefficient and the shares' denominator cancel and the gain is
//
//     gain(j, d) = sum over both alignments, sum_k (c_k - r_k) ln(2 S_k + 1)
//
// an integer combination of logarithms of integers. The score is the best gain over j and d
// (0 when no undo improves). The logarithms are taken in double precision: the score is compared
// with a threshold tens of nats wide, and double's relative error (1e-16 per term, 28 terms) is
// far below anything that could move a verdict.
struct ShiftScore {
  size_t report = 0;
  double gain = 0;  // nats
  // Where the best undo starts, as a ballot position and the candidate there, and its
  // direction (+1 or -1; 0 when none improves).
  size_t start = 0;
  CandidateIndex start_candidate = 0;
  int direction = 0;
  // The figures after the undo, indexed by candidate (empty when direction is 0).
  std::vector<Count> first;
  std::vector<Count> final;
};

// Each county's first-alignment totals by candidate in a REFERENCE election, computed once so
// that a report is scored against the county's other precincts in O(candidates^2). The
// reference is the election itself (every precinct scored against the rest of its county), or
// the last release when a new batch is checked before the next one: a batch shifted as a whole
// (the same spreadsheet error in every row) would otherwise make its own county's shares look
// shifted, and hide itself. A precinct that is in the reference is scored against the reference
// without its own figures there; a county the reference does not have gives equal shares, and
// so no gain.
class ShiftBasis {
 public:
  explicit ShiftBasis(const Election& reference);
  ShiftScore Score(const Election& election, size_t report, const AnomalySettings& settings) const;

 private:
  static std::string Key(const std::string& county, const std::string& precinct);

  std::vector<std::string> candidates_;
  std::unordered_map<std::string, size_t> county_;    // county -> index into totals_
  std::vector<std::vector<Count>> totals_;            // per county, by reference candidate
  std::unordered_map<std::string, size_t> precinct_;  // Key -> index into reference reports
  std::vector<std::vector<Count>> own_;               // per reference report: its first alignment
};

// One score per report of `election`, in report order, against `reference` (null: the election
// itself).
std::vector<ShiftScore> ScoreColumnShifts(const Election& election, const AnomalySettings& settings,
                                          const Election* reference = nullptr);
// Against the reports themselves, over views of `candidates` figures each (scores by index into
// `reports`).
std::vector<ShiftScore> ScoreColumnShifts(const std::vector<FiguresView>& reports,
                                          size_t candidates, const AnomalySettings& settings);

// --- Release deltas -------------------------------------------------------------------------

enum class DeltaKind : uint8_t {
  kNew,        // not in the previous release: explains its figures
  kCorrected,  // changed, with a correction on the record: explains the change
  kChanged,    // changed without a correction: unexplained
  kRemoved,    // in the previous release, not in this one: unexplained
};
const char* DeltaKindName(DeltaKind kind);  // "new", "corrected", "changed", "removed"

struct PrecinctDelta {
  DeltaKind kind = DeltaKind::kChanged;
  std::string county;
  std::string precinct;
  // Current minus previous, indexed by ReleaseDelta::candidates (a missing figure counts 0).
  std::vector<Count> first;
  std::vector<Count> final;
  std::vector<Rational> sde;
  Count people_moved() const;  // sum of |first| + |final| changes
};

struct CandidateDelta {
  Rational sde_change;  // statewide, current minus previous
  Rational sde_from_new;
  Rational sde_from_corrected;
  Rational sde_unexplained;  // from changed and removed precincts
  Count first_change = 0;
  Count final_change = 0;
  Count first_unexplained = 0;
  Count final_unexplained = 0;
  bool explained() const {
    return sde_unexplained.is_zero() && first_unexplained == 0 && final_unexplained == 0;
  }
};

struct ReleaseDelta {
  std::vector<std::string> candidates;  // the current release's, then any only in the previous
  std::vector<CandidateDelta> by_candidate;
  std::vector<PrecinctDelta> precincts;  // every precinct that is new, changed or removed
  int64_t unchanged = 0;
};

// Compares two releases precinct by precinct (matched by county and precinct name, candidates by
// name). `corrected` names the precincts with a correction on the record between them.
// InvalidArgument when a release names the same precinct twice, or a total overflows.
Result<ReleaseDelta> CompareReleases(const Election& previous, const Election& current,
                                     const std::vector<PrecinctId>& corrected);

// --- Flags ----------------------------------------------------------------------------------

enum class AnomalyCheck : uint8_t { kDuplicate, kColumnShift, kReleaseDelta };
const char* AnomalyCheckName(AnomalyCheck check);  // "duplicate", "column-shift", "release-delta"

// One flagged precinct: what a gate holds back and an administrator reads.
struct AnomalyFlag {
  AnomalyCheck check = AnomalyCheck::kDuplicate;
  std::string county;
  std::string precinct;
  std::string score;      // "4376.54 nats", "356 attendees", "1654 people, 5.0364 SDE moved"
  std::string threshold;  // "50 nats", "more than 10 attendees", "no change without a correction"
  std::string detail;     // what the check saw, with the candidates' figures
};

std::vector<AnomalyFlag> DuplicateFlags(const Election& election,
                                        const std::vector<DuplicateGroup>& groups,
                                        const AnomalySettings& settings);
// Only the scores above the threshold.
std::vector<AnomalyFlag> ShiftFlags(const Election& election, const std::vector<ShiftScore>& scores,
                                    const AnomalySettings& settings);
// The changed and removed precincts of `delta`, each with kReleaseDeltaThreshold.
std::vector<AnomalyFlag> DeltaFlags(const ReleaseDelta& delta);
inline constexpr const char* kReleaseDeltaThreshold =
    "no change to a published precinct without a correction";

}  // namespace canvass
