// After the night: recanvass and recount requests, the party's decisions and the recanvass
// entries, as ElectionState applies them (docs/audit.md "Requests and decisions", "Recanvass").
//
// The ruleset's [review] table decides who may ask, by when, and which layers a recanvass
// corrects; the engine classifies a worksheet against the reported figures and the rules, so that
// every replay of the ledger finds the same three layers. A correction is a report-corrected
// event citing the entry ("recanvass": seq); the intake appends it right after the entry.
#include <fmt/format.h>

#include <set>

#include "core/sha256.h"
#include "ledger/event_types.h"
#include "state/election_state.h"
#include "state/payload.h"

namespace canvass {

using nlohmann::json;

namespace {

using namespace state_internal;  // the appliers' shared vocabulary (state/payload.h)

constexpr const char* kFields[] = {"first", "final", "delegates"};

// The precinct's figure for `field` as the public has it: first and final as reported; the
// delegates as the worksheet reported them, else as the rules computed them.
std::optional<std::vector<Count>> ReportedFigures(const PrecinctRecord& r,
                                                  const std::string& field) {
  if (field == "first") return r.first;
  if (field == "final") return r.final;
  if (r.delegates) return r.delegates;
  if (r.check->computed && r.check->computed->complete()) return r.check->computed->delegates;
  return std::nullopt;
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// What every entry of a recanvass or a recount carries: where it stands on the ledger, the
// precinct's revision it was compared with, its note and the photo (worksheet or tally sheet).
std::optional<Rejection> StartEntry(const Event& e, const char* kind, int64_t request, int64_t id,
                                    int revision, RecanvassEntry& entry) {
  entry.kind = kind;
  entry.seq = e.seq;
  entry.time = e.time;
  entry.request = request;
  entry.precinct = id;
  entry.revision = revision;
  entry.note = StringMember(e.payload, "note").value_or("");
  if (const json* photo = Member(e.payload, "photo"); photo != nullptr) {
    if (!photo->is_string() || !IsSha256Hex(photo->get<std::string>())) {
      return Invalid("malformed-photo",
                     fmt::format("photo is the SHA-256 of the {}'s photo",
                                 std::string(kind) == "recount" ? "tally sheet" : "worksheet"),
                     "photo");
    }
    entry.photo = photo->get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

const ReviewRequest* ElectionState::review(int64_t seq) const {
  for (const ReviewRequest& r : reviews_) {
    if (r.seq == seq) return &r;
  }
  return nullptr;
}

bool ElectionState::UnderRecanvass(int64_t id) const {
  for (const ReviewRequest& r : reviews_) {
    if (r.kind != "recanvass") continue;
    for (const ReviewPrecinct& p : r.precincts) {
      if (p.precinct == id && p.accepted() && p.entries.empty()) return true;
    }
  }
  return false;
}

std::string ElectionState::ReviewDeadline() const {
  if (!ruleset_.review) return "";
  for (const ReleaseRecord& r : releases_) {
    if (!r.complete) continue;
    auto at = LedgerTimeMillis(r.time);
    if (!at) return "";
    return LedgerTimeFromMillis(*at + ruleset_.review->request_hours * 3600 * 1000);
  }
  return "";
}

std::optional<Rejection> ElectionState::ApplyReviewRequested(const Event& e) {
  if (!ruleset_.review) {
    return Conflict(
        "no-review",
        fmt::format("the ruleset {} defines no recanvass or recount ([review])", ruleset_.name));
  }
  const ReviewRules& rules = *ruleset_.review;
  const json& p = e.payload;
  auto kind = StringMember(p, "kind");
  if (!kind || (*kind != "recanvass" && *kind != "recount")) {
    return Invalid("malformed-request", "kind must be \"recanvass\" or \"recount\"", "kind");
  }
  // Who may ask.
  std::string requester;
  bool allowed = false;
  for (const std::string& role : rules.request_roles) allowed = allowed || role == e.actor.role;
  if (const CredentialRecord* c = Live(e.actor, credentials_, role::kCampaign); c != nullptr) {
    requester = c->subject;
  } else if (IsAdmin(e.actor, credentials_)) {
    requester = "party";
  } else {
    allowed = false;
  }
  if (!allowed) {
    return Forbidden(fmt::format("under {}, only {} may request a {}", ruleset_.name,
                                 Joined(rules.request_roles) == role::kCampaign
                                     ? std::string("a candidate's campaign")
                                     : Joined(rules.request_roles),
                                 *kind));
  }
  // By when.
  const std::string deadline = ReviewDeadline();
  if (deadline.empty()) {
    return Conflict("no-complete-release",
                    "requests open with the first release in which every precinct has its final "
                    "alignment; none has been published yet");
  }
  if (LedgerTimeMillis(e.time).value_or(0) > LedgerTimeMillis(deadline).value_or(0)) {
    return Conflict("request-deadline-passed",
                    fmt::format("requests were due by {} ({} hours after the first complete "
                                "release); this one came at {}",
                                deadline, rules.request_hours, e.time));
  }
  auto reason = StringMember(p, "reason");
  if (!reason || Blank(*reason)) {
    return Invalid("reason-required", "a request needs a reason: a credible explanation of it",
                   "reason");
  }
  const json* list = Member(p, "precincts");
  if (list == nullptr || !list->is_array() || list->empty()) {
    return Invalid("malformed-request", "name at least one precinct: \"precincts\": [{...}]",
                   "precincts");
  }
  if (list->size() > records_.size()) {
    return Invalid("malformed-request", "more precincts than the election has", "precincts");
  }

  ReviewRequest request;
  request.seq = e.seq;
  request.time = e.time;
  request.kind = *kind;
  request.actor = e.actor;
  request.requester = requester;
  request.reason = *reason;
  request.deadline = deadline;
  std::set<int64_t> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    const std::string at = fmt::format("precincts[{}]", i);
    int64_t id = 0;
    if (!item.is_object()) return Invalid("malformed-request", at + " must be an object", at);
    if (auto r = FindPrecinct(item, id)) {
      r->field = at + "." + r->field;
      return r;
    }
    if (!seen.insert(id).second) {
      return Invalid("duplicate-precinct", fmt::format("precinct {} is named twice", id), at);
    }
    const PrecinctRecord& record = *records_[static_cast<size_t>(id - 1)];
    if (record.revision == 0) {
      return Conflict("not-reported", fmt::format("precinct {} has reported nothing to review", id),
                      at);
    }
    if (*kind == "recount") {
      // A recanvass comes first (Iowa's manual): the precinct's worksheet must have been reviewed.
      bool recanvassed = false;
      for (const auto& [seq, entry] : entries_) recanvassed = recanvassed || entry.precinct == id;
      if (!recanvassed) {
        return Conflict("recanvass-first",
                        fmt::format("precinct {} has not been recanvassed; a recount follows a "
                                    "recanvass",
                                    id),
                        at);
      }
    }
    ReviewPrecinct rp;
    rp.precinct = id;
    rp.reason = StringMember(item, "reason").value_or("");
    if (const json* ev = Member(item, "evidence"); ev != nullptr) {
      if (!ev->is_array()) {
        return Invalid("malformed-request", "evidence is a list of SHA-256 (photo or document)",
                       at + ".evidence");
      }
      for (const json& h : *ev) {
        if (!h.is_string() || !IsSha256Hex(h.get<std::string>())) {
          return Invalid("malformed-evidence",
                         "each evidence is the SHA-256 (64 lower-case hex) of a photo or "
                         "document uploaded first",
                         at + ".evidence");
        }
        rp.evidence.push_back(h.get<std::string>());
      }
    }
    // The claimed figures, each checked against the record and, together, against the rules.
    PrecinctRecord claimed = record;
    if (const json* claims = Member(item, "claims"); claims != nullptr) {
      if (!claims->is_array()) {
        return Invalid("malformed-request", "claims is a list", at + ".claims");
      }
      for (size_t j = 0; j < claims->size(); ++j) {
        const json& c = (*claims)[j];
        const std::string cat = fmt::format("{}.claims[{}]", at, j);
        auto field = StringMember(c, "field");
        auto name = StringMember(c, "candidate");
        auto reported = IntMember(c, "reported");
        auto value = IntMember(c, "claimed");
        if (!field || (*field != "first" && *field != "final" && *field != "delegates")) {
          return Invalid("malformed-claim", "field must be \"first\", \"final\" or \"delegates\"",
                         cat + ".field");
        }
        if (!name) return Invalid("malformed-claim", "name the candidate", cat + ".candidate");
        auto candidate = election_->FindCandidate(*name);
        if (!candidate) {
          return NotFound("unknown-candidate",
                          fmt::format("\"{}\" is not a candidate in this election", *name),
                          cat + ".candidate");
        }
        if (!reported || !value) {
          return Invalid("malformed-claim",
                         "a claim gives the figure as reported and as claimed, whole numbers",
                         cat + (reported ? ".claimed" : ".reported"));
        }
        const Count max = *field == "delegates" ? kMaxDelegates : kMaxHeadCount;
        if (*value < 0 || *value > max) {
          return Invalid(
              "impossible-claim",
              fmt::format("precinct {}: {} for {} cannot be {}", id, *field, *name, *value),
              cat + ".claimed");
        }
        auto now = ReportedFigures(record, *field);
        const Count was = now ? (*now)[*candidate] : 0;
        if (!now || was != *reported) {
          return Conflict(
              "reported-differs",
              fmt::format("precinct {} has {} {} for {} (revision {}), not {}", id, *field,
                          now ? std::to_string(was) : "nothing", *name, record.revision, *reported),
              cat + ".reported");
        }
        if (*value == *reported) {
          return Invalid("claim-unchanged",
                         fmt::format("the claimed {} for {} is the reported one", *field, *name),
                         cat + ".claimed");
        }
        if (!rules.claims_for_self && e.actor.role == role::kCampaign && *name == requester &&
            *value > *reported) {
          return Invalid("claim-for-self",
                         fmt::format("under {}, a campaign may not claim more for its own "
                                     "candidate",
                                     ruleset_.name),
                         cat);
        }
        auto& slot = *field == "first"   ? claimed.first
                     : *field == "final" ? claimed.final
                                         : claimed.delegates;
        if (!slot) slot = now;
        (*slot)[*candidate] = *value;
        rp.claims.push_back({*field, *candidate, *reported, *value});
      }
    }
    if (!rp.claims.empty()) {
      claimed.ties = TiesStillSettled(id, claimed, record.ties);
      if (auto r = Recheck(id, claimed)) {
        return Invalid("impossible-claim",
                       fmt::format("precinct {}: the claimed figures cannot describe a caucus: {}",
                                   id, r->message),
                       at + ".claims");
      }
      const auto& computed = claimed.check->computed;
      if (claimed.delegates && computed) {
        Count sum = 0;
        for (Count d : *claimed.delegates) sum += d;
        if (sum != computed->total_delegates) {
          return Invalid("impossible-claim",
                         fmt::format("precinct {}: the claimed delegates add up to {}, but the "
                                     "precinct elects {}",
                                     id, sum, computed->total_delegates),
                         at + ".claims");
        }
      }
    }
    request.precincts.push_back(std::move(rp));
  }
  bool claims = false;
  for (const ReviewPrecinct& rp : request.precincts) claims = claims || !rp.claims.empty();
  if (claims) {
    request.records_seq = records_changed_seq_;
    for (auto it = reviews_.rbegin(); it != reviews_.rend() && !request.election; ++it) {
      if (it->election && it->records_seq == records_changed_seq_) {
        request.election = it->election;
        request.checks = it->checks;
      }
    }
    if (!request.election) {
      request.election = std::make_shared<const Election>(ReportedElection());
      request.checks = std::make_shared<const std::vector<PrecinctCheck>>(ReportedChecks());
    }
  }
  reviews_.push_back(std::move(request));
  RememberAnswer(e, 0);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::FindRequestPrecinct(const json& p, ReviewRequest*& request,
                                                            ReviewPrecinct*& rp) {
  auto seq = IntMember(p, "request");
  request = nullptr;
  for (ReviewRequest& r : reviews_) {
    if (seq && r.seq == *seq) request = &r;
  }
  if (request == nullptr) {
    return NotFound("unknown-request", "no request was filed at that ledger position", "request");
  }
  auto id = IntMember(p, "precinct");
  rp = nullptr;
  for (ReviewPrecinct& x : request->precincts) {
    if (id && x.precinct == *id) rp = &x;
  }
  if (rp == nullptr) {
    return NotFound("not-in-request",
                    fmt::format("request {} does not name that precinct", request->seq),
                    "precinct");
  }
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyReviewDecided(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only the party (an administrator) decides on a request");
  }
  const json& p = e.payload;
  ReviewRequest* request = nullptr;
  ReviewPrecinct* rp = nullptr;
  if (auto r = FindRequestPrecinct(p, request, rp)) return r;
  auto decision = StringMember(p, "decision");
  if (!decision || (*decision != "accepted" && *decision != "refused")) {
    return Invalid("malformed-decision", "decision must be \"accepted\" or \"refused\"",
                   "decision");
  }
  auto reason = StringMember(p, "reason");
  if (!reason || Blank(*reason)) {
    return Invalid("reason-required", "a decision needs a reason", "reason");
  }
  std::string cost = StringMember(p, "cost").value_or("");
  if (Member(p, "cost") != nullptr && (!StringMember(p, "cost") || !Rational::Parse(cost).ok() ||
                                       *Rational::Parse(cost) < Rational(0))) {
    return Invalid("malformed-decision", "cost is an amount as a decimal string (\"350.00\")",
                   "cost");
  }
  if (*decision == "refused" && !rp->entries.empty()) {
    return Conflict("already-recanvassed",
                    fmt::format("precinct {} was already recanvassed under this request (event {})",
                                rp->precinct, rp->entries.back()));
  }
  ReviewDecision d;
  d.seq = e.seq;
  d.time = e.time;
  d.decision = *decision;
  d.reason = *reason;
  d.cost = cost;
  d.late = LedgerTimeMillis(e.time).value_or(0) > LedgerTimeMillis(request->time).value_or(0) +
                                                      ruleset_.review->answer_hours * 3600 * 1000;
  rp->decisions.push_back(std::move(d));
  RememberAnswer(e, 0);
  return std::nullopt;
}

bool ReviewPrecinct::costs_due() const {
  const ReviewDecision* d = decision();
  if (d == nullptr || d->decision != "accepted" || d->cost.empty()) return false;
  auto cost = Rational::Parse(d->cost);
  return cost.ok() && *cost > Rational(0);
}

const ReviewCosts* ReviewPrecinct::costs_answer() const {
  const ReviewDecision* d = decision();
  if (d == nullptr || costs.empty() || costs.back().decision != d->seq) return nullptr;
  return &costs.back();
}

std::string ElectionState::CostDeadline(const ReviewPrecinct& p) const {
  if (!p.costs_due() || !ruleset_.review) return "";
  return LedgerTimeFromMillis(LedgerTimeMillis(p.decision()->time).value_or(0) +
                              ruleset_.review->cost_hours * 3600 * 1000);
}

// The precinct of a request named by the payload's "request" and "precinct", accepted.
std::optional<Rejection> ElectionState::ApplyReviewCosts(const Event& e) {
  const json& p = e.payload;
  ReviewRequest* request = nullptr;
  ReviewPrecinct* rp = nullptr;
  if (auto r = FindRequestPrecinct(p, request, rp)) return r;
  // The requester answers its own costs: the campaign that filed the request.
  const CredentialRecord* c = Live(e.actor, credentials_, role::kCampaign);
  if (c == nullptr || c->subject != request->requester) {
    return Forbidden(fmt::format("only the campaign that filed request {} ({}) answers its costs",
                                 request->seq, request->requester));
  }
  const json* accepted = Member(p, "accepted");
  if (accepted == nullptr || !accepted->is_boolean()) {
    return Invalid("malformed-costs", "accepted is true (the costs are accepted) or false",
                   "accepted");
  }
  if (!rp->costs_due()) {
    return Conflict("no-costs",
                    fmt::format("the party has stated no cost for precinct {} of request {}",
                                rp->precinct, request->seq),
                    "precinct");
  }
  if (const ReviewCosts* answered = rp->costs_answer(); answered != nullptr) {
    return Conflict("costs-answered",
                    fmt::format("the costs of precinct {} were {} by event {}", rp->precinct,
                                answered->accepted ? "accepted" : "declined", answered->seq),
                    "precinct");
  }
  const std::string deadline = CostDeadline(*rp);
  if (LedgerTimeMillis(e.time).value_or(0) > LedgerTimeMillis(deadline).value_or(0)) {
    return Conflict("cost-deadline-passed",
                    fmt::format("the costs of precinct {} were to be accepted by {} ({} hours "
                                "after the decision); this answer came at {}",
                                rp->precinct, deadline, ruleset_.review->cost_hours, e.time),
                    "accepted");
  }
  rp->costs.push_back({e.seq, e.time, rp->decision()->seq, accepted->get<bool>()});
  RememberAnswer(e, 0);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyReviewScheduled(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only the party (an administrator) schedules a recanvass or a recount");
  }
  const json& p = e.payload;
  ReviewRequest* request = nullptr;
  ReviewPrecinct* rp = nullptr;
  if (auto r = FindRequestPrecinct(p, request, rp)) return r;
  if (!rp->accepted()) {
    return Conflict("not-accepted",
                    fmt::format("the party has not accepted precinct {} of request {}",
                                rp->precinct, request->seq),
                    "precinct");
  }
  if (!rp->entries.empty()) {
    return Conflict("already-entered",
                    fmt::format("precinct {} of request {} was already entered (event {})",
                                rp->precinct, request->seq, rp->entries.back()),
                    "precinct");
  }
  auto at = StringMember(p, "at");
  if (!at || !LedgerTimeMillis(*at)) {
    return Invalid("malformed-schedule",
                   "at is the time the packet is opened, \"YYYY-MM-DDTHH:MM:SS.mmmZ\"", "at");
  }
  if (*LedgerTimeMillis(*at) < LedgerTimeMillis(e.time).value_or(0)) {
    return Invalid("schedule-in-past",
                   fmt::format("{} is before this schedule was recorded ({})", *at, e.time), "at");
  }
  auto place = StringMember(p, "place");
  if (!place || Blank(*place)) {
    return Invalid("place-required", "say where the packet is opened, for the observers", "place");
  }
  rp->schedule.push_back({e.seq, e.time, *at, *place});
  RememberAnswer(e, 0);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::CheckEntryAllowed(const Event& e, const ReviewPrecinct& rp,
                                                          RecanvassEntry& entry) const {
  if (rp.costs_due()) {
    const ReviewCosts* answered = rp.costs_answer();
    if (answered != nullptr && !answered->accepted) {
      return Conflict("costs-declined",
                      fmt::format("the requester declined the costs of precinct {} (event {})",
                                  rp.precinct, answered->seq),
                      "precinct");
    }
    if (answered == nullptr) {
      return Conflict("costs-not-accepted",
                      fmt::format("the requester has not accepted the costs of precinct {} ({}, "
                                  "due by {})",
                                  rp.precinct, rp.decision()->cost, CostDeadline(rp)),
                      "precinct");
    }
  }
  if (const json* obs = Member(e.payload, "observers"); obs != nullptr) {
    if (!obs->is_array()) {
      return Invalid("malformed-observers", "observers is a list of candidates' names",
                     "observers");
    }
    std::vector<bool> present(election_->candidates.size(), false);
    for (size_t i = 0; i < obs->size(); ++i) {
      const json& o = (*obs)[i];
      auto c = o.is_string() ? election_->FindCandidate(o.get<std::string>()) : std::nullopt;
      if (!c) {
        return Invalid(
            "unknown-candidate",
            fmt::format("observers[{}] is not a candidate's campaign in this election", i),
            fmt::format("observers[{}]", i));
      }
      if (present[*c]) {
        return Invalid("duplicate-observer",
                       fmt::format("{}'s campaign is named twice", election_->candidates[*c]),
                       fmt::format("observers[{}]", i));
      }
      present[*c] = true;
    }
    for (size_t c = 0; c < present.size(); ++c) {
      if (present[c]) entry.observers.push_back(election_->candidates[c]);
    }
  }
  return std::nullopt;
}

std::optional<Rejection> ElectionState::FindAcceptedPrecinct(const Event& e,
                                                             const std::string& kind,
                                                             ReviewRequest*& request,
                                                             ReviewPrecinct*& rp, int64_t& id) {
  const json& p = e.payload;
  auto seq = IntMember(p, "request");
  request = nullptr;
  for (ReviewRequest& r : reviews_) {
    if (seq && r.seq == *seq) request = &r;
  }
  if (request == nullptr) {
    return NotFound("unknown-request", "no request was filed at that ledger position", "request");
  }
  if (request->kind != kind) {
    return Conflict(
        "not-a-" + kind,
        fmt::format("request {} asks for a {}, not a {}", request->seq, request->kind, kind),
        "request");
  }
  if (auto r = FindPrecinct(p, id)) return r;
  rp = nullptr;
  for (ReviewPrecinct& x : request->precincts) {
    if (x.precinct == id) rp = &x;
  }
  if (rp == nullptr) {
    return NotFound("not-in-request",
                    fmt::format("request {} does not name precinct {}", request->seq, id),
                    "precinct");
  }
  if (!rp->accepted()) {
    return Conflict(
        "not-accepted",
        fmt::format("the party has not accepted precinct {} of request {}", id, request->seq),
        "precinct");
  }
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyRecanvassEntered(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only the party's administrators enter a recanvass");
  }
  const json& p = e.payload;
  ReviewRequest* request = nullptr;
  ReviewPrecinct* rp = nullptr;
  int64_t id = 0;
  if (auto r = FindAcceptedPrecinct(e, "recanvass", request, rp, id)) return r;
  const json* sheet = Member(p, "worksheet");
  if (sheet == nullptr || !sheet->is_object() || !sheet->contains("first")) {
    return Invalid("malformed-worksheet",
                   "enter the worksheet: at least its first alignment ({\"first\": {...}, "
                   "\"final\": {...}, \"delegates\": {...}})",
                   "worksheet");
  }
  const PrecinctRecord& record = *records_[static_cast<size_t>(id - 1)];
  RecanvassEntry entry;
  if (auto r = StartEntry(e, "recanvass", request->seq, id, record.revision, entry)) return r;
  if (auto r = CheckEntryAllowed(e, *rp, entry)) return r;
  for (const char* field : kFields) {
    const json* f = Member(*sheet, field);
    if (f == nullptr) continue;
    std::vector<Count> counts;
    const Count max = std::string(field) == "delegates" ? kMaxDelegates : kMaxHeadCount;
    if (auto r = ParseFigures(*f, std::string("worksheet.") + field, max, counts)) return r;
    auto& slot = std::string(field) == "first"   ? entry.first
                 : std::string(field) == "final" ? entry.final
                                                 : entry.delegates;
    slot = std::move(counts);
  }

  // Layer 1, transcription: what was reported against what the worksheet says.
  for (const char* field : kFields) {
    const auto& sheet_figures = std::string(field) == "first"   ? entry.first
                                : std::string(field) == "final" ? entry.final
                                                                : entry.delegates;
    if (!sheet_figures) continue;
    auto reported = ReportedFigures(record, field);
    for (size_t c = 0; c < sheet_figures->size(); ++c) {
      const Count was = reported ? (*reported)[c] : 0;
      if (was != (*sheet_figures)[c]) {
        entry.transcription.push_back(std::string(field) + "." + election_->candidates[c]);
      }
    }
  }
  // Layers 2 and 3: the worksheet's own counts through the rules.
  PrecinctRecord worksheet = record;
  worksheet.first = entry.first;
  worksheet.final = entry.final ? entry.final : record.final;
  worksheet.delegates = entry.delegates;
  worksheet.ties = TiesStillSettled(id, worksheet, record.ties);
  if (auto r = Recheck(id, worksheet)) {
    entry.count = true;
    entry.count_reason = r->message;
  } else if (const auto& computed = worksheet.check->computed;
             computed && computed->complete() && entry.delegates &&
             computed->delegates != *entry.delegates) {
    entry.rule_misapplication = true;
    entry.rules_delegates = computed->delegates;
  }
  // The correction the ruleset allows. Counts only the cards settle: nothing is corrected.
  const ReviewRules& rules = *ruleset_.review;
  if (!entry.count) {
    bool transcription_fixed = false;
    if (rules.corrects("transcription") && !entry.transcription.empty()) {
      transcription_fixed = true;
      if (entry.first && entry.first != record.first) entry.correct_first = entry.first;
      if (entry.final && entry.final != record.final) entry.correct_final = entry.final;
      // The worksheet's delegates go with its corrected alignments even when they equal what
      // was reported: new alignments can leave a tie the room settled by chance, which only the
      // worksheet's delegates record.
      if (entry.delegates && !entry.rule_misapplication &&
          (entry.delegates != ReportedFigures(record, "delegates") || entry.correct_first ||
           entry.correct_final)) {
        entry.correct_delegates = entry.delegates;
      }
    }
    if (entry.rule_misapplication && rules.corrects("rule-misapplication") &&
        entry.rules_delegates != ReportedFigures(record, "delegates")) {
      entry.correct_delegates = entry.rules_delegates;
      entry.corrected_layers.push_back("rule-misapplication");
    }
    if (transcription_fixed && (entry.correct_first || entry.correct_final ||
                                (entry.correct_delegates && !entry.rule_misapplication))) {
      entry.corrected_layers.insert(entry.corrected_layers.begin(), "transcription");
    }
    entry.corrects = entry.correct_first || entry.correct_final || entry.correct_delegates;
  }
  rp->entries.push_back(e.seq);
  entries_[e.seq] = std::move(entry);
  PrecinctRecord next = record;
  next.events.push_back(e.seq);
  Put(id, std::move(next));
  RememberAnswer(e, id);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyRecountEntered(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only the party's recount board (an administrator) enters a recount");
  }
  const json& p = e.payload;
  ReviewRequest* request = nullptr;
  ReviewPrecinct* rp = nullptr;
  int64_t id = 0;
  if (auto r = FindAcceptedPrecinct(e, "recount", request, rp, id)) return r;
  const PrecinctRecord& record = *records_[static_cast<size_t>(id - 1)];
  RecanvassEntry entry;
  if (auto r = StartEntry(e, "recount", request->seq, id, record.revision, entry)) return r;
  if (auto r = CheckEntryAllowed(e, *rp, entry)) return r;
  // Chain of custody: a missing or short packet of cards. Nothing can be counted; the precinct
  // stays as reported, flagged, and the materiality test counts it as a worst case.
  if (const json* u = Member(p, "unauditable"); u != nullptr) {
    if (!u->is_boolean()) {
      return Invalid("malformed-recount", "unauditable is true or false", "unauditable");
    }
    entry.unauditable = u->get<bool>();
  }
  if (entry.unauditable) {
    entry.custody = StringMember(p, "custody").value_or("");
    if (Blank(entry.custody)) {
      return Invalid("reason-required",
                     "say what is wrong with the packet (missing, short by N cards, unsealed)",
                     "custody");
    }
  } else {
    auto cards = IntMember(p, "cards");
    if (!cards || *cards < 1 || *cards > kMaxHeadCount) {
      return Invalid("malformed-recount", "cards is the number of preference cards counted (T')",
                     "cards");
    }
    entry.cards = *cards;
    for (const char* field : {"first", "final"}) {
      const json* f = Member(p, field);
      if (f == nullptr) {
        return Invalid(
            "malformed-recount",
            fmt::format("enter the {} sort of the cards",
                        field == std::string("first") ? "first-preference" : "second-preference"),
            field);
      }
      std::vector<Count> counts;
      if (auto r = ParseFigures(*f, field, kMaxHeadCount, counts)) return r;
      (std::string(field) == "first" ? entry.first : entry.final) = std::move(counts);
    }
    Count sorted = 0;
    for (Count c : *entry.first) sorted += c;
    if (sorted != entry.cards) {
      return Invalid("cards-differ",
                     fmt::format("the first-preference sort holds {} cards, but {} were counted",
                                 sorted, entry.cards),
                     "first");
    }
    // What the cards give, through the rules (with the coin tosses already recorded while they
    // still settle the same ties).
    PrecinctRecord counted = record;
    counted.first = entry.first;
    counted.final = entry.final;
    counted.delegates.reset();
    counted.ties = TiesStillSettled(id, counted, record.ties);
    if (auto r = Recheck(id, counted)) {
      r->message = "the sorted cards cannot describe a caucus: " + r->message;
      return r;
    }
    for (const char* field : {"first", "final"}) {
      const auto& now = std::string(field) == "first" ? record.first : record.final;
      const auto& counted = std::string(field) == "first" ? entry.first : entry.final;
      for (size_t c = 0; c < counted->size(); ++c) {
        if ((now ? (*now)[c] : 0) != (*counted)[c]) {
          entry.count_fields.push_back(std::string(field) + "." + election_->candidates[c]);
        }
      }
    }
    entry.count = !entry.count_fields.empty();
    if (counted.check->computed && counted.check->computed->complete()) {
      entry.rules_delegates = counted.check->computed->delegates;
    }
    if (entry.first != record.first) entry.correct_first = entry.first;
    if (entry.final != record.final) entry.correct_final = entry.final;
    if (!entry.rules_delegates.empty() &&
        entry.rules_delegates != ReportedFigures(record, "delegates")) {
      entry.correct_delegates = entry.rules_delegates;
    }
    entry.corrects = entry.correct_first || entry.correct_final || entry.correct_delegates;
    if (entry.count) entry.corrected_layers.push_back("count");
    if (entry.correct_delegates) entry.corrected_layers.push_back("delegates");
  }
  rp->entries.push_back(e.seq);
  entries_[e.seq] = std::move(entry);
  PrecinctRecord next = record;
  next.events.push_back(e.seq);
  Put(id, std::move(next));
  RememberAnswer(e, id);
  return std::nullopt;
}

bool ElectionState::Unauditable(int64_t id) const {
  // The latest recount entry of the precinct decides (a packet found later is a new entry).
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->second.precinct == id && it->second.kind == "recount") return it->second.unauditable;
  }
  return false;
}

std::vector<std::string> ElectionState::OpenReviews(const std::string& now) const {
  const int64_t at = LedgerTimeMillis(now.empty() ? last_time_ : now).value_or(0);
  std::vector<std::string> open;
  for (const ReviewRequest& r : reviews_) {
    for (const ReviewPrecinct& p : r.precincts) {
      if (p.costs_due()) {
        const ReviewCosts* answered = p.costs_answer();
        if (answered != nullptr ? !answered->accepted
                                : at > LedgerTimeMillis(CostDeadline(p)).value_or(0)) {
          continue;  // declined, or never accepted in time: closed without an entry
        }
      }
      if (p.accepted() && p.entries.empty()) {
        open.push_back(fmt::format("request {} ({}), precinct {}", r.seq, r.kind, p.precinct));
      }
    }
  }
  return open;
}

std::optional<Rejection> ElectionState::ApplyCertified(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only the party (an administrator) certifies the results");
  }
  if (certified_seq_ != 0) {
    return Conflict("already-certified",
                    fmt::format("the results were certified by event {}", certified_seq_));
  }
  bool any_release = false;
  for (const ReleaseRecord& r : releases_) any_release = any_release || r.complete;
  if (!any_release) {
    return Conflict("no-complete-release",
                    "certify after a release in which every precinct has its final alignment");
  }
  if (auto open = OpenReviews(e.time); !open.empty()) {
    std::string list;
    for (size_t i = 0; i < open.size() && i < 5; ++i) list += (i ? "; " : "") + open[i];
    return Conflict("reviews-open",
                    fmt::format("{} accepted precinct(s) still await their recanvass or recount: "
                                "{}{}",
                                open.size(), list, open.size() > 5 ? "; ..." : ""));
  }
  auto reason = StringMember(e.payload, "reason");
  if (!reason || Blank(*reason)) {
    return Invalid("reason-required", "say who certifies and by what decision (\"SCC vote 26-14\")",
                   "reason");
  }
  certified_seq_ = e.seq;
  RememberAnswer(e, 0);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::CheckRecanvassCorrection(const Event& e, int64_t id,
                                                                 const PrecinctRecord& next) const {
  const char* key = Member(e.payload, "recount") != nullptr ? "recount" : "recanvass";
  auto seq = IntMember(e.payload, key);
  auto it = seq ? entries_.find(*seq) : entries_.end();
  if (it == entries_.end() || it->second.precinct != id || it->second.kind != key) {
    return NotFound("unknown-" + std::string(key),
                    fmt::format("{} names no {} entry of this precinct", key, key), key);
  }
  const RecanvassEntry& entry = it->second;
  if (!entry.corrects) {
    return Conflict("nothing-to-correct",
                    fmt::format("recanvass entry {} corrects nothing the ruleset lets it", *seq),
                    "recanvass");
  }
  if (entry.correction_seq != 0) {
    return Conflict(
        "already-corrected",
        fmt::format("recanvass entry {} was applied by event {}", *seq, entry.correction_seq),
        "recanvass");
  }
  if ((entry.correct_first && next.first != entry.correct_first) ||
      (entry.correct_final && next.final != entry.correct_final) ||
      (entry.correct_delegates && next.delegates != entry.correct_delegates)) {
    return Invalid("correction-differs",
                   fmt::format("the figures are not those recanvass entry {} found", *seq));
  }
  return std::nullopt;
}

}  // namespace canvass
