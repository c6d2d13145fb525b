#include "state/holds.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "state/payload.h"

namespace canvass {

using nlohmann::json;

namespace {

using namespace state_internal;  // the appliers' shared vocabulary (state/payload.h)

// The checks an override names: the gate's two, and release-delta, which a release runs
// against the previous one (publish/release.h).
constexpr AnomalyCheck kOverridableChecks[] = {AnomalyCheck::kDuplicate, AnomalyCheck::kColumnShift,
                                               AnomalyCheck::kReleaseDelta};

}  // namespace

bool AnomalyGate::Held(int64_t id) const {
  return std::any_of(held.begin(), held.end(),
                     [id](const AnomalyHold& h) { return h.precinct == id; });
}

const AnomalyHold* AnomalyGate::Find(int64_t id, AnomalyCheck check) const {
  for (const auto* list : {&held, &overridden}) {
    for (const AnomalyHold& h : *list) {
      if (h.precinct == id && h.flag.check == check) return &h;
    }
  }
  return nullptr;
}

AnomalySettings GateSettings(const ElectionState& state) {
  return AnomalySettingsFor(state.ruleset(), state.candidates());
}

int64_t FindAnomalyOverride(const ElectionState& state, int64_t id, int revision,
                            AnomalyCheck check) {
  // The latest override of this precinct, check and revision (an earlier revision's does not
  // carry over: a correction is checked afresh).
  const std::string name = AnomalyCheckName(check);
  int64_t seq = 0;
  for (const AnomalyOverride& o : state.anomaly_overrides()) {
    if (o.precinct == id && o.revision == revision && o.check == name) seq = o.seq;
  }
  return seq;
}

AnomalyGate RunAnomalyGate(const ElectionState& state,
                           const std::optional<AnomalySettings>& given) {
  const AnomalySettings settings = given ? *given : GateSettings(state);
  // Every reported precinct's figures as its record holds them (in-person: the checks read what
  // was reported, not the early-vote cards), gathered side by side in one pass over the records:
  // the checks then pass over them three times without chasing a pointer.
  const size_t candidates = state.candidates().size();
  const std::vector<int64_t> ids = state.ReportedIds();
  std::vector<Count> figures(2 * candidates * ids.size(), kMissingFigure);
  std::vector<FiguresView> views;
  views.reserve(ids.size());
  for (size_t k = 0; k < ids.size(); ++k) {
    const PrecinctRecord& r = *state.precinct(ids[k]);
    Count* first = &figures[2 * candidates * k];
    Count* final = first + candidates;
    std::copy_n(r.first->begin(), std::min(candidates, r.first->size()), first);
    if (r.final) std::copy_n(r.final->begin(), std::min(candidates, r.final->size()), final);
    views.push_back({state.precincts()[static_cast<size_t>(ids[k] - 1)].county, first, final});
  }
  // The failing reports' flags say what was reported and where: built from those reports alone.
  auto reports_of = [&](const std::vector<size_t>& which) {
    Election e;
    e.candidates = state.candidates();
    for (size_t k : which) e.reports.push_back(state.ReportOf(ids[k]));
    return e;
  };
  std::vector<AnomalyHold> failing;
  auto add = [&](size_t report, AnomalyFlag flag) {
    AnomalyHold h;
    h.precinct = ids[report];
    h.revision = state.precinct(h.precinct)->revision;
    h.flag = std::move(flag);
    failing.push_back(std::move(h));
  };
  for (const DuplicateGroup& g : FindDuplicates(views, candidates, settings)) {
    // One flag per report of the group, in the group's order.
    DuplicateGroup local{{}, g.attendance};
    for (size_t k = 0; k < g.reports.size(); ++k) local.reports.push_back(k);
    std::vector<AnomalyFlag> flags = DuplicateFlags(reports_of(g.reports), {local}, settings);
    for (size_t k = 0; k < g.reports.size() && k < flags.size(); ++k) {
      add(g.reports[k], std::move(flags[k]));
    }
  }
  for (ShiftScore& score : ScoreColumnShifts(views, candidates, settings)) {
    // ShiftFlags' own test, before the report is built for it: almost every score is below.
    if (!(score.gain > settings.shift_threshold_nats)) continue;
    const size_t report = score.report;
    score.report = 0;
    std::vector<AnomalyFlag> flags = ShiftFlags(reports_of({report}), {score}, settings);
    if (!flags.empty()) add(report, std::move(flags.front()));
  }
  std::sort(failing.begin(), failing.end(), [](const AnomalyHold& a, const AnomalyHold& b) {
    return std::tie(a.precinct, a.flag.check) < std::tie(b.precinct, b.flag.check);
  });
  AnomalyGate gate;
  for (AnomalyHold& h : failing) {
    h.override_seq = FindAnomalyOverride(state, h.precinct, h.revision, h.flag.check);
    (h.override_seq != 0 ? gate.overridden : gate.held).push_back(std::move(h));
  }
  return gate;
}

json AnomalyHoldJson(const ElectionState& state, const AnomalyHold& hold) {
  json j = {{"precinct", hold.precinct},
            {"county", hold.flag.county},
            {"name", hold.flag.precinct},
            {"revision", hold.revision},
            {"check", AnomalyCheckName(hold.flag.check)},
            {"score", hold.flag.score},
            {"threshold", hold.flag.threshold},
            {"detail", hold.flag.detail}};
  for (const AnomalyOverride& o : state.anomaly_overrides()) {
    if (o.seq != hold.override_seq) continue;
    j["override"] = {{"seq", o.seq},
                     {"time", o.time},
                     {"by", o.actor.role + "/" + o.actor.id},
                     {"reason", o.reason}};
  }
  return j;
}

std::optional<Rejection> ElectionState::ApplyAnomalyOverride(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only an administrator publishes a held precinct as reported");
  }
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  auto check_name = StringMember(e.payload, "check");
  std::optional<AnomalyCheck> check;
  for (AnomalyCheck c : kOverridableChecks) {
    if (check_name && *check_name == AnomalyCheckName(c)) check = c;
  }
  if (!check) {
    return Invalid("unknown-check",
                   "say which check to override: \"duplicate\", \"column-shift\" or "
                   "\"release-delta\"",
                   "check");
  }
  auto reason = StringMember(e.payload, "reason");
  if (!reason || Blank(*reason)) {
    return Invalid("reason-required",
                   "say why the figures stand as reported (\"the worksheet is the legal record\")",
                   "reason");
  }
  const PrecinctRecord& record = *records_[static_cast<size_t>(id - 1)];
  if (auto revision = IntMember(e.payload, "revision");
      revision && *revision != static_cast<int64_t>(record.revision)) {
    return Conflict("stale-revision",
                    fmt::format("precinct {} is at revision {}, not {}: check it again", id,
                                record.revision, *revision),
                    "revision");
  }
  std::string score;
  std::string threshold;
  if (*check == AnomalyCheck::kReleaseDelta) {
    // Found only when a release is built against the previous one (publish/release.h): the
    // state cannot run it, so the override is recorded for the revision as it stands, and the
    // next release publishes the precinct if, and only if, it holds it for release-delta.
    if (record.revision == 0) {
      return Conflict("not-reported",
                      fmt::format("precinct {} has no report to publish as reported", id),
                      "precinct");
    }
    if (const int64_t seq = FindAnomalyOverride(*this, id, record.revision, *check); seq != 0) {
      return Conflict("already-overridden",
                      fmt::format("event {} already publishes precinct {} (revision {}) as "
                                  "reported",
                                  seq, id, record.revision),
                      "precinct");
    }
    score = "found when a release was built";
    threshold = kReleaseDeltaThreshold;
  } else {
    const AnomalyGate gate = RunAnomalyGate(*this);
    const AnomalyHold* hold = gate.Find(id, *check);
    if (hold == nullptr) {
      return Conflict("not-held",
                      fmt::format("precinct {} (revision {}) is not held for {}: its report "
                                  "passes that check",
                                  id, record.revision, *check_name),
                      "precinct");
    }
    if (hold->override_seq != 0) {
      return Conflict("already-overridden",
                      fmt::format("event {} already publishes precinct {} (revision {}) as "
                                  "reported",
                                  hold->override_seq, id, record.revision),
                      "precinct");
    }
    score = hold->flag.score;
    threshold = hold->flag.threshold;
  }
  AnomalyOverride o;
  o.seq = e.seq;
  o.time = e.time;
  o.actor = e.actor;
  o.precinct = id;
  o.revision = record.revision;
  o.check = *check_name;
  o.score = std::move(score);
  o.threshold = std::move(threshold);
  o.reason = *reason;
  overrides_.push_back(std::move(o));
  PrecinctRecord next = record;  // the override is in the precinct's history
  next.events.push_back(e.seq);
  Put(id, std::move(next));
  RememberAnswer(e, id);
  return std::nullopt;
}

}  // namespace canvass
