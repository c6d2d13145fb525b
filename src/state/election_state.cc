#include "state/election_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <tuple>

#include "ledger/event_types.h"
#include "state/convention.h"
#include "state/early_votes.h"
#include "state/payload.h"

namespace canvass {

using nlohmann::json;

namespace {

using namespace state_internal;  // the appliers' shared vocabulary (state/payload.h)

Count Sum(const std::vector<Count>& v) {
  Count s = 0;
  for (Count c : v) s += c;
  return s;
}

const char* kAdminCli = "cli";  // the actor id of the local command line (it holds the store)

// Lower-case hex SHA-256 -> its 32 bytes; false for anything else.
bool PackHash(const std::string& hex, std::array<uint8_t, 32>& out) {
  if (hex.size() != 64) return false;
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(hex[2 * i]);
    const int lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

// One string per event type, for every answer of that type (a few dozen types, for the whole
// process: never freed).
const std::string* InternEventType(const std::string& type) {
  static std::mutex mu;
  static std::set<std::string, std::less<>> types;
  std::lock_guard lock(mu);
  return &*types.insert(type).first;
}

// The events whose appliers change nothing but precinct records (Put), credentials
// (LogCredential) and answers (RememberAnswer), and the ledger position: what an undo record
// logs change by change. The night is made of them.
bool ChangesOnlyRecords(const std::string& type) {
  static const std::set<std::string_view, std::less<>> kTypes = {
      event_type::kCredentialIssued,       event_type::kCredentialRevoked,
      event_type::kFirstAlignmentReported, event_type::kFinalAlignmentReported,
      event_type::kTieOutcomeRecorded,     event_type::kPhotoAttached,
      event_type::kReportConfirmed,        event_type::kHotlineEntry,
      event_type::kCampaignAttestation,    event_type::kPracticeReport,
      event_type::kSessionOpened};
  return kTypes.count(type) != 0;
}

}  // namespace

// What BeginUndo() recorded: the scalars as they were, what each change replaced (in order), and
// the rest of the state once an event changed more than records, credentials and answers.
struct ElectionState::UndoLog {
  bool created = false;
  int64_t seq = 0;
  std::string head_hash, first_time, last_time;
  int64_t last_figures_seq = 0, records_changed_seq = 0, finals = 0, all_final_seq = 0;
  std::vector<std::pair<size_t, std::shared_ptr<const PrecinctRecord>>> records;
  std::vector<std::pair<std::string, std::optional<CredentialRecord>>> credentials;
  std::vector<std::pair<std::string, std::optional<KeptAnswer>>> answers;
  std::shared_ptr<ElectionState> rest;  // without records, credentials, answers and hashes
};

const PrecinctRecord* ElectionState::precinct(int64_t id) const {
  if (id < 1 || id > static_cast<int64_t>(records_.size())) return nullptr;
  return records_[static_cast<size_t>(id - 1)].get();
}

std::shared_ptr<const PrecinctRecord> ElectionState::precinct_shared(int64_t id) const {
  if (id < 1 || id > static_cast<int64_t>(records_.size())) return nullptr;
  return records_[static_cast<size_t>(id - 1)];
}

void ElectionState::Put(int64_t id, PrecinctRecord record) {
  auto& slot = records_[static_cast<size_t>(id - 1)];
  if (undo_.log) undo_.log->records.emplace_back(static_cast<size_t>(id - 1), slot);
  finals_ += (record.final ? 1 : 0) - (slot->final ? 1 : 0);
  // The event being applied (seq_ + 1) is the one after which every precinct has a final
  // alignment; a correction never removes one, so this is set once.
  if (all_final_seq_ == 0 && finals_ == static_cast<int64_t>(records_.size())) {
    all_final_seq_ = seq_ + 1;
  }
  slot = std::make_shared<const PrecinctRecord>(std::move(record));
  records_changed_seq_ = seq_ + 1;
}

std::string ElectionState::hash_of(int64_t seq) const {
  if (seq < 1 || seq > static_cast<int64_t>(hashes_.size())) return "";
  if (auto odd = odd_hashes_.find(seq); odd != odd_hashes_.end()) return odd->second;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(64, '0');
  const std::array<uint8_t, 32>& h = hashes_[static_cast<size_t>(seq - 1)];
  for (size_t i = 0; i < h.size(); ++i) {
    hex[2 * i] = kDigits[h[i] >> 4];
    hex[2 * i + 1] = kDigits[h[i] & 0xf];
  }
  return hex;
}

void ElectionState::BeginUndo() {
  auto log = std::make_shared<UndoLog>();
  log->created = created_;
  log->seq = seq_;
  log->head_hash = head_hash_;
  log->first_time = first_time_;
  log->last_time = last_time_;
  log->last_figures_seq = last_figures_seq_;
  log->records_changed_seq = records_changed_seq_;
  log->finals = finals_;
  log->all_final_seq = all_final_seq_;
  undo_.log = std::move(log);
}

void ElectionState::EndUndo() { undo_.log.reset(); }

void ElectionState::LogCredential(const std::string& id) {
  if (!undo_.log) return;
  auto it = credentials_.find(id);
  undo_.log->credentials.emplace_back(
      id, it == credentials_.end() ? std::nullopt : std::optional<CredentialRecord>(it->second));
}

// Swaps the containers the undo record logs change by change (and the record itself) between
// two states.
void ElectionState::SwapLogged(ElectionState& other) {
  records_.swap(other.records_);
  credentials_.swap(other.credentials_);
  answers_.swap(other.answers_);
  hashes_.swap(other.hashes_);
  odd_hashes_.swap(other.odd_hashes_);
  std::swap(undo_.log, other.undo_.log);
}

void ElectionState::SaveRest() {
  ElectionState empty;
  SwapLogged(empty);  // *this holds none of them while copied
  auto rest = std::make_shared<ElectionState>(*this);
  SwapLogged(empty);
  undo_.log->rest = std::move(rest);
}

void ElectionState::Rollback() {
  std::shared_ptr<UndoLog> log = undo_.log;  // alive while the state is put back
  if (!log) return;
  for (auto it = log->answers.rbegin(); it != log->answers.rend(); ++it) {
    if (it->second) {
      answers_[it->first] = std::move(*it->second);
    } else {
      answers_.erase(it->first);
    }
  }
  for (auto it = log->credentials.rbegin(); it != log->credentials.rend(); ++it) {
    if (it->second) {
      credentials_[it->first] = std::move(*it->second);
    } else {
      credentials_.erase(it->first);
    }
  }
  for (auto it = log->records.rbegin(); it != log->records.rend(); ++it) {
    records_[it->first] = std::move(it->second);
  }
  if (log->rest) {
    ElectionState& rest = *log->rest;
    rest.SwapLogged(*this);  // rest takes this state's logged containers, already put back
    *this = std::move(rest);
  }
  // election-created makes the records; before it there are none.
  if (!log->created) records_.clear();
  created_ = log->created;
  seq_ = log->seq;
  head_hash_ = log->head_hash;
  first_time_ = log->first_time;
  last_time_ = log->last_time;
  last_figures_seq_ = log->last_figures_seq;
  records_changed_seq_ = log->records_changed_seq;
  finals_ = log->finals;
  all_final_seq_ = log->all_final_seq;
  hashes_.resize(static_cast<size_t>(seq_));
  odd_hashes_.erase(odd_hashes_.upper_bound(seq_), odd_hashes_.end());
  undo_.log.reset();
}

std::shared_ptr<const ElectionState> ElectionState::Snapshot() const {
  auto s = std::make_shared<ElectionState>();
  s->created_ = created_;
  s->name_ = name_;
  s->ruleset_ = ruleset_;
  s->election_ = election_;
  s->records_ = records_;
  s->signing_key_ = signing_key_;
  s->releases_ = releases_;
  s->policy_ = policy_;
  s->reviews_ = reviews_;
  s->entries_ = entries_;
  s->certified_seq_ = certified_seq_;
  s->overrides_ = overrides_;
  s->rla_ = rla_;
  s->conventions_ = conventions_;
  s->finals_ = finals_;
  s->all_final_seq_ = all_final_seq_;
  s->seq_ = seq_;
  s->head_hash_ = head_hash_;
  s->first_time_ = first_time_;
  s->last_time_ = last_time_;
  s->last_figures_seq_ = last_figures_seq_;
  s->records_changed_seq_ = records_changed_seq_;
  return s;
}

const CredentialRecord* ElectionState::credential(const std::string& id) const {
  auto it = credentials_.find(id);
  return it == credentials_.end() ? nullptr : &it->second;
}

const CredentialRecord* ElectionState::credential_of(std::string_view role,
                                                     const std::string& subject) const {
  const CredentialRecord* best = nullptr;
  for (const auto& [id, c] : credentials_) {
    if (c.revoked || c.role != role || c.subject != subject) continue;
    if (best == nullptr || c.issued_seq > best->issued_seq) best = &c;
  }
  return best;
}

std::optional<Answer> ElectionState::answer(const Actor& actor,
                                            const std::string& submission) const {
  auto it = answers_.find(actor.role + "/" + actor.id + "/" + submission);
  if (it == answers_.end()) return std::nullopt;
  const KeptAnswer& k = it->second;
  Answer a;
  a.seq = k.seq;
  a.event = *k.event;
  a.hash = hash_of(k.seq);
  a.precinct = k.precinct;
  a.record = k.record;
  a.practice = k.practice;
  a.hotline = k.hotline;
  return a;
}

json ElectionState::FiguresJson(const std::vector<Count>& figures) const {
  json out = json::object();
  for (size_t i = 0; i < figures.size() && i < election_->candidates.size(); ++i) {
    if (figures[i] != 0) out[election_->candidates[i]] = figures[i];
  }
  return out;
}

std::optional<Rejection> ElectionState::ParseFigures(const json& j, const std::string& field,
                                                     Count max, std::vector<Count>& out) const {
  if (!j.is_object()) {
    return Invalid(
        "malformed-figures",
        fmt::format("{} must be an object of candidate names and head counts, such as "
                    "{{\"{}\": 12}}",
                    field, election_->candidates.empty() ? "A" : election_->candidates[0]),
        field);
  }
  out.assign(election_->candidates.size(), 0);
  for (const auto& [name, value] : j.items()) {
    auto c = election_->FindCandidate(name);
    if (!c) {
      return NotFound("unknown-candidate",
                      fmt::format("\"{}\" is not a candidate in this election", name),
                      field + "." + name);
    }
    if (!value.is_number_integer()) {
      return Invalid("malformed-count",
                     fmt::format("the count for {} must be a whole number", name),
                     field + "." + name);
    }
    const int64_t v = value.get<int64_t>();
    if (v < 0) {
      return Invalid("negative-count", fmt::format("the count for {} cannot be negative", name),
                     field + "." + name);
    }
    if (v > max) {
      return Invalid("count-too-large",
                     fmt::format("the count for {} ({}) is far larger than any caucus", name, v),
                     field + "." + name);
    }
    out[*c] = v;
  }
  return std::nullopt;
}

std::optional<Rejection> ElectionState::FindPrecinct(const json& payload, int64_t& id) const {
  auto p = IntMember(payload, "precinct");
  if (!p) return Invalid("malformed-event", "the event names no precinct", "precinct");
  if (precinct(*p) == nullptr) {
    return NotFound("unknown-precinct", fmt::format("there is no precinct {}", *p), "precinct");
  }
  id = *p;
  return std::nullopt;
}

std::optional<Rejection> ElectionState::Recheck(int64_t id, PrecinctRecord& r) const {
  const PrecinctApportionment& ap = election_->apportionment[static_cast<size_t>(id - 1)];
  const PrecinctRules& rules = ruleset_.precinct;
  const size_t n = election_->candidates.size();
  auto blank = [&] {
    // The blank check a precinct starts with (ApplyCreated) is shared while nothing is computed.
    const PrecinctCheck& was = *r.check;
    if (!was.computed && was.findings.empty() && was.computed_sde.empty() &&
        was.county == ap.county && was.precinct == ap.precinct) {
      return;
    }
    PrecinctCheck c;
    c.county = ap.county;
    c.precinct = ap.precinct;
    r.check = std::make_shared<const PrecinctCheck>(std::move(c));
  };
  if (!r.first) {
    blank();
    return std::nullopt;
  }
  // Early-vote cards (Nevada) count with the people in the room: T = in person + valid cards.
  static const std::vector<EarlyVoteCard> kNoCards;
  const std::vector<EarlyVoteCard>& cards = r.early_votes ? r.early_votes->valid : kNoCards;
  const Count attendance = Sum(*r.first);
  if (attendance == 0 && cards.empty()) {
    return Invalid("no-attendance", "the first alignment counts nobody: enter each group's size",
                   "first");
  }
  if (r.final && Sum(*r.final) == 0 && cards.empty()) {
    return Invalid("no-final-attendance",
                   "the final alignment counts nobody: enter the people in each group after "
                   "realignment (as the first alignment, an empty final alignment is refused)",
                   "final");
  }
  if (r.final && rules.attendance_fixed_at_first && Sum(*r.final) > attendance) {
    return Invalid("final-exceeds-attendance",
                   fmt::format("the final alignment counts {} people, but only {} were counted at "
                               "the first alignment; attendance is fixed at the first count, so "
                               "check the final figures",
                               Sum(*r.final), attendance),
                   "final");
  }
  if (rules.method == PrecinctMethod::kCaucus) {
    PrecinctInput input;
    input.satellite = ap.satellite && rules.satellites_enabled;
    input.delegates = ap.delegates.value_or(0);
    input.first = *r.first;
    if (r.final) input.final = *r.final;
    input.tie_outcomes = r.ties;
    input.early_votes = cards;
    input.names = election_->candidates;
    if (!input.satellite && input.delegates <= 0) {
      return Invalid("precinct-not-apportioned",
                     "this precinct elects no delegates in the apportionment; call the party");
    }
    // Before the final alignment the worksheet (viability) is not kept: Worksheet() computes it
    // again, the same, for the page that shows it.
    auto allocation = AllocatePrecinct(rules, input, n);
    if (!allocation.ok()) {
      return Invalid(r.final ? "impossible-final-alignment" : "impossible-first-alignment",
                     allocation.status().message(), r.final ? "final" : "first");
    }
  }
  if (r.final) {
    PrecinctCheck check =
        CheckPrecinct(ruleset_, election_->candidates, ReportOf(ap, r), &ap, true, r.ties, cards);
    // The state keeps what the tabulation, the checks and the audits read (delegates, SDEs, ties,
    // findings), not the worksheet: its lines and notes were about a third of a replayed state's
    // heap (docs/performance.md, "National scale"), and Worksheet() rebuilds them, the same,
    // for the one precinct a page shows.
    if (check.computed) {
      check.computed->lines.clear();
      check.computed->lines.shrink_to_fit();
      check.computed->notes.clear();
      check.computed->notes.shrink_to_fit();
    }
    r.check = std::make_shared<const PrecinctCheck>(std::move(check));
  } else {
    blank();
  }
  return std::nullopt;
}

PrecinctReport ElectionState::ReportOf(const PrecinctApportionment& ap,
                                       const PrecinctRecord& r) const {
  const size_t n = election_->candidates.size();
  PrecinctReport report;
  report.county = ap.county;
  report.precinct = ap.precinct;
  report.satellite = ap.satellite;
  report.figures.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (r.first) report.figures[i].first = (*r.first)[i];
    if (r.final) report.figures[i].final = (*r.final)[i];
    if (r.delegates) report.figures[i].delegates = (*r.delegates)[i];
  }
  return report;
}

std::optional<Allocation> ElectionState::Worksheet(int64_t id, const PrecinctRecord& r) const {
  if (!r.final) {
    // The first alignment's worksheet, as Recheck() computed it when it accepted the figures.
    const PrecinctRules& rules = ruleset_.precinct;
    if (!r.first || rules.method != PrecinctMethod::kCaucus) return std::nullopt;
    const PrecinctApportionment& ap = election_->apportionment[static_cast<size_t>(id - 1)];
    PrecinctInput input;
    input.satellite = ap.satellite && rules.satellites_enabled;
    input.delegates = ap.delegates.value_or(0);
    input.first = *r.first;
    input.tie_outcomes = r.ties;
    if (r.early_votes) input.early_votes = r.early_votes->valid;
    input.names = election_->candidates;
    auto allocation = AllocatePrecinct(rules, input, election_->candidates.size());
    if (!allocation.ok()) return std::nullopt;
    return std::move(allocation).value();
  }
  if (!r.check || !r.check->computed) return std::nullopt;
  const PrecinctApportionment& ap = election_->apportionment[static_cast<size_t>(id - 1)];
  static const std::vector<EarlyVoteCard> kNoCards;
  PrecinctCheck check = CheckPrecinct(ruleset_, election_->candidates, ReportOf(ap, r), &ap, true,
                                      r.ties, r.early_votes ? r.early_votes->valid : kNoCards);
  return std::move(check.computed);
}

std::optional<Rejection> ElectionState::Apply(const Event& e, const StoredEvent& stored) {
  if (e.seq != seq() + 1) {
    return Conflict("out-of-sequence", fmt::format("event {} follows event {}", e.seq, seq()));
  }
  if (e.type != event_type::kElectionCreated && !created_) {
    return Conflict("no-election", "the ledger must begin with election-created");
  }
  std::optional<Rejection> r;
  current_hash_ = stored.hash;
  // Undo: the night's events change precinct records, credentials and answers (logged as they
  // change); any other keeps a copy of the rest, once per batch.
  if (undo_.log && !undo_.log->rest && !ChangesOnlyRecords(e.type)) SaveRest();
  using Applier = std::optional<Rejection> (*)(ElectionState&, const Event&);
  static const std::map<std::string_view, Applier, std::less<>> kAppliers = {
      {event_type::kElectionCreated,
       [](ElectionState& s, const Event& ev) { return s.ApplyCreated(ev); }},
      {event_type::kCredentialIssued,
       [](ElectionState& s, const Event& ev) { return s.ApplyCredentialIssued(ev); }},
      {event_type::kCredentialRevoked,
       [](ElectionState& s, const Event& ev) { return s.ApplyCredentialRevoked(ev); }},
      {event_type::kFirstAlignmentReported,
       [](ElectionState& s, const Event& ev) { return s.ApplyAlignment(ev, false); }},
      {event_type::kFinalAlignmentReported,
       [](ElectionState& s, const Event& ev) { return s.ApplyAlignment(ev, true); }},
      {event_type::kTieOutcomeRecorded,
       [](ElectionState& s, const Event& ev) { return s.ApplyTie(ev); }},
      {event_type::kPhotoAttached,
       [](ElectionState& s, const Event& ev) { return s.ApplyPhoto(ev); }},
      {event_type::kReportConfirmed,
       [](ElectionState& s, const Event& ev) { return s.ApplyConfirmed(ev); }},
      {event_type::kReportCorrected,
       [](ElectionState& s, const Event& ev) { return s.ApplyCorrected(ev); }},
      {event_type::kHotlineEntry,
       [](ElectionState& s, const Event& ev) { return s.ApplyHotline(ev); }},
      {event_type::kCampaignAttestation,
       [](ElectionState& s, const Event& ev) { return s.ApplyAttestation(ev); }},
      {event_type::kReleasePublished,
       [](ElectionState& s, const Event& ev) { return s.ApplyRelease(ev); }},
      {event_type::kPublicationPolicySet,
       [](ElectionState& s, const Event& ev) { return s.ApplyPolicy(ev); }},
      {event_type::kPracticeReport,
       [](ElectionState& s, const Event& ev) { return s.ApplyPractice(ev); }},
      {event_type::kSessionOpened,
       [](ElectionState& s, const Event& ev) { return s.ApplySessionOpened(ev); }},
      {event_type::kEarlyVotesLoaded,
       [](ElectionState& s, const Event& ev) { return s.ApplyEarlyVotesLoaded(ev); }},
      {event_type::kReviewRequested,
       [](ElectionState& s, const Event& ev) { return s.ApplyReviewRequested(ev); }},
      {event_type::kReviewDecided,
       [](ElectionState& s, const Event& ev) { return s.ApplyReviewDecided(ev); }},
      {event_type::kReviewCosts,
       [](ElectionState& s, const Event& ev) { return s.ApplyReviewCosts(ev); }},
      {event_type::kReviewScheduled,
       [](ElectionState& s, const Event& ev) { return s.ApplyReviewScheduled(ev); }},
      {event_type::kRecanvassEntered,
       [](ElectionState& s, const Event& ev) { return s.ApplyRecanvassEntered(ev); }},
      {event_type::kRecountEntered,
       [](ElectionState& s, const Event& ev) { return s.ApplyRecountEntered(ev); }},
      {event_type::kResultsCertified,
       [](ElectionState& s, const Event& ev) { return s.ApplyCertified(ev); }},
      {event_type::kAnomalyOverride,
       [](ElectionState& s, const Event& ev) { return s.ApplyAnomalyOverride(ev); }},
      {event_type::kRlaStarted,
       [](ElectionState& s, const Event& ev) { return s.ApplyRlaStarted(ev); }},
      {event_type::kRlaSeed, [](ElectionState& s, const Event& ev) { return s.ApplyRlaSeed(ev); }},
      {event_type::kRlaTally,
       [](ElectionState& s, const Event& ev) { return s.ApplyRlaTally(ev); }},
  };
  if (IsConventionEvent(e.type)) {
    r = ApplyConvention(e);  // the conventions' family (convention.cc) reads its own types
  } else if (auto applier = kAppliers.find(e.type); applier == kAppliers.end()) {
    r = Invalid("unknown-event", fmt::format("unknown event type \"{}\"", e.type));
  } else {
    r = applier->second(*this, e);
  }
  if (r) return r;
  std::array<uint8_t, 32> packed{};
  if (!PackHash(stored.hash, packed)) odd_hashes_[e.seq] = stored.hash;
  hashes_.push_back(packed);
  seq_ = e.seq;
  head_hash_ = stored.hash;
  if (first_time_.empty()) first_time_ = e.time;
  last_time_ = e.time;
  if (e.type != event_type::kReleasePublished && e.type != event_type::kPublicationPolicySet &&
      e.type != event_type::kPracticeReport && e.type != event_type::kSessionOpened &&
      e.type.rfind(event_type::kRlaPrefix, 0) !=
          0 &&                       // the audit's events change no figure of a release
      !IsConventionEvent(e.type)) {  // nor do the conventions' (the second stage)
    last_figures_seq_ = e.seq;
  }
  return std::nullopt;
}

// --- authorization, as the ledger records it ------------------------------------------------

namespace {

bool IsCliAdmin(const Actor& a) { return a.role == role::kAdmin && a.id == kAdminCli; }

}  // namespace

std::optional<Rejection> ElectionState::ApplyCreated(const Event& e) {
  if (created_) return Conflict("already-created", "the election was already created");
  if (!IsCliAdmin(e.actor)) return Forbidden("only the administrator creates an election");
  const json& p = e.payload;
  auto name = StringMember(p, "name");
  const json* rules = Member(p, "ruleset");
  const json* candidates = Member(p, "candidates");
  const json* precincts = Member(p, "precincts");
  if (!name || rules == nullptr || candidates == nullptr || !candidates->is_array() ||
      precincts == nullptr || !precincts->is_array()) {
    return Invalid("malformed-event",
                   "election-created needs name, ruleset, candidates and precincts");
  }
  auto toml = StringMember(*rules, "toml");
  auto hash = StringMember(*rules, "hash");
  if (!toml || !hash) return Invalid("malformed-event", "the ruleset needs toml and hash");
  auto ruleset = ParseRuleset(*toml, "ledger ruleset");
  if (!ruleset.ok()) return Invalid("bad-ruleset", ruleset.status().message(), "ruleset");
  if (ruleset->hash != *hash) {
    return Invalid(
        "ruleset-hash-mismatch",
        fmt::format("the ruleset text hashes to {}, not the recorded {}", ruleset->hash, *hash),
        "ruleset.hash");
  }
  Election election;
  std::set<std::string> seen;
  for (const json& c : *candidates) {
    if (!c.is_string() || c.get<std::string>().empty()) {
      return Invalid("malformed-event", "every candidate must be a non-empty name", "candidates");
    }
    if (!seen.insert(c.get<std::string>()).second) {
      return Invalid("duplicate-candidate",
                     "candidate " + c.get<std::string>() + " is listed twice", "candidates");
    }
    election.candidates.push_back(c.get<std::string>());
  }
  if (election.candidates.empty()) {
    return Invalid("malformed-event", "an election needs candidates", "candidates");
  }
  std::set<std::pair<std::string, std::string>> places;
  for (size_t i = 0; i < precincts->size(); ++i) {
    const json& row = (*precincts)[i];
    const std::string field = fmt::format("precincts[{}]", i);
    PrecinctApportionment ap;
    auto county = StringMember(row, "county");
    auto precinct = StringMember(row, "precinct");
    if (!county || !precinct) return Invalid("malformed-event", "county and precinct", field);
    ap.county = *county;
    ap.precinct = *precinct;
    if (!places.insert({ap.county, ap.precinct}).second) {
      return Invalid("duplicate-precinct", ap.county + " / " + ap.precinct + " is listed twice",
                     field);
    }
    if (const json* s = Member(row, "satellite"); s != nullptr && s->is_boolean()) {
      ap.satellite = s->get<bool>();
    }
    if (auto d = IntMember(row, "delegates")) {
      if (*d < 0 || *d > kMaxDelegates) return Invalid("malformed-event", "delegates", field);
      ap.delegates = *d;
    }
    for (auto [key, target] : {std::pair{"sde_per_delegate", &ap.sde_per_delegate},
                               std::pair{"site_sde", &ap.site_sde}}) {
      if (auto text = StringMember(row, key)) {
        auto value = Rational::Parse(*text);
        if (!value.ok() || value->is_negative()) {
          return Invalid("malformed-event", fmt::format("{} \"{}\"", key, *text), field);
        }
        *target = *value;
      }
    }
    if (auto d = StringMember(row, "district")) ap.district = *d;
    if (auto s = StringMember(row, "short_code")) ap.short_code = *s;
    election.apportionment.push_back(std::move(ap));
  }
  std::string signing_key;
  if (const json* k = Member(p, "signing_key")) {
    const bool hex64 = k->is_string() && k->get<std::string>().size() == 64 &&
                       std::all_of(k->get_ref<const std::string&>().begin(),
                                   k->get_ref<const std::string&>().end(), [](char c) {
                                     return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                                   });
    if (!hex64) {
      return Invalid("malformed-event", "signing_key must be 64 lower-case hex digits",
                     "signing_key");
    }
    signing_key = k->get<std::string>();
  }
  if (const json* cd = Member(p, "county_district"); cd != nullptr && cd->is_object()) {
    for (const auto& [county, district] : cd->items()) {
      if (district.is_string()) election.county_district[county] = district.get<std::string>();
    }
  }
  name_ = *name;
  ruleset_ = std::move(ruleset).value();
  election_ = std::make_shared<const Election>(std::move(election));
  signing_key_ = std::move(signing_key);
  records_.clear();
  records_.reserve(election_->apportionment.size());
  for (const PrecinctApportionment& ap : election_->apportionment) {
    PrecinctRecord blank;
    PrecinctCheck check;
    check.county = ap.county;
    check.precinct = ap.precinct;
    blank.check = std::make_shared<const PrecinctCheck>(std::move(check));
    records_.push_back(std::make_shared<const PrecinctRecord>(std::move(blank)));
  }
  created_ = true;
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyCredentialIssued(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) return Forbidden("only an administrator issues codes");
  const json& p = e.payload;
  auto id = StringMember(p, "credential");
  auto role = StringMember(p, "role");
  auto subject = StringMember(p, "subject");
  auto hash = StringMember(p, "hash");
  if (!id || !role || !subject || !hash) {
    return Invalid("malformed-event", "credential-issued needs credential, role, subject, hash");
  }
  if (id->size() != 4 || credentials_.count(*id) != 0) {
    return Conflict("duplicate-credential", "credential id " + *id + " is taken or malformed",
                    "credential");
  }
  if (hash->rfind("$argon2id$", 0) != 0) {
    return Invalid("malformed-event", "only Argon2id hashes are stored", "hash");
  }
  if (*role == role::kChair) {
    int64_t pid = 0;
    try {
      pid = std::stoll(*subject);
    } catch (...) {
      pid = 0;
    }
    if (precinct(pid) == nullptr || std::to_string(pid) != *subject) {
      return NotFound("unknown-precinct", "no precinct " + *subject, "subject");
    }
  } else if (*role == role::kCampaign) {
    if (!election_->FindCandidate(*subject)) {
      return NotFound("unknown-candidate", "no candidate " + *subject, "subject");
    }
  } else if (*role == role::kVoter || *role == role::kOfficer) {
    if (auto r = CheckConventionSubject(*role, *subject)) return r;
  } else if (*role != role::kOperator && *role != role::kAdmin) {
    return Invalid("unknown-role",
                   "role must be chair, operator, campaign, admin, voter or officer", "role");
  }
  LogCredential(*id);
  CredentialRecord& issued = credentials_[*id];
  issued = CredentialRecord{*id, *role, *subject, *hash, false, e.seq, 0, {}};
  if (auto replaces = StringMember(e.payload, "replaces")) issued.replaces = *replaces;
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyCredentialRevoked(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) return Forbidden("only an administrator revokes codes");
  auto id = StringMember(e.payload, "credential");
  if (!id) return Invalid("malformed-event", "credential-revoked needs credential");
  auto it = credentials_.find(*id);
  if (it == credentials_.end()) {
    return NotFound("unknown-credential", "no credential " + *id, "credential");
  }
  if (it->second.revoked) {
    return Conflict("already-revoked", "credential " + *id + " is already revoked", "credential");
  }
  LogCredential(*id);
  it->second.revoked = true;
  return std::nullopt;
}

namespace {

// Who may change a precinct's figures: its own chair, an operator (hotline), an administrator.
std::optional<Rejection> MayReport(const Actor& a, int64_t precinct_id,
                                   const std::map<std::string, CredentialRecord>& creds) {
  if (IsCliAdmin(a)) return std::nullopt;
  auto it = creds.find(a.id);
  if (it == creds.end() || it->second.revoked || it->second.role != a.role) {
    return Forbidden("the actor holds no live credential");
  }
  if (a.role == role::kAdmin || a.role == role::kOperator) return std::nullopt;
  if (a.role == role::kChair && it->second.subject == std::to_string(precinct_id))
    return std::nullopt;
  return Forbidden(a.role == role::kChair ? "a chair reports only for their own precinct"
                                          : "this role cannot report figures");
}

}  // namespace

std::optional<Rejection> ElectionState::CommitRecord(const Event& e, int64_t id,
                                                     PrecinctRecord next) {
  if (auto r = Recheck(id, next)) return r;
  next.events.push_back(e.seq);
  next.figures_seq = e.seq;
  Put(id, std::move(next));
  RememberAnswer(e, id);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyAlignment(const Event& e, bool final) {
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  if (auto r = MayReport(e.actor, id, credentials_)) return r;
  PrecinctRecord next = *records_[static_cast<size_t>(id - 1)];
  const char* field = final ? "final" : "first";
  if (!final && next.first) {
    return Conflict("already-reported",
                    "the first alignment of this precinct is already recorded; to change it, "
                    "send a correction with a reason");
  }
  if (final && !next.first) {
    return Conflict("first-alignment-missing",
                    "report the first alignment before the final alignment");
  }
  if (final && next.final) {
    return Conflict("already-reported",
                    "the final alignment of this precinct is already recorded; to change it, "
                    "send a correction with a reason");
  }
  const json* figures = Member(e.payload, field);
  if (figures == nullptr) return Invalid("missing-figures", std::string("no ") + field, field);
  std::vector<Count> counts;
  if (auto r = ParseFigures(*figures, field, kMaxHeadCount, counts)) return r;
  // A hotline report counts only when two operators entered the same figures.
  if (const json* entries = Member(e.payload, "hotline_entries")) {
    if (e.actor.role != role::kOperator && !IsCliAdmin(e.actor)) {
      return Forbidden("only operators complete hotline entries");
    }
    if (!entries->is_array() || entries->size() != 2 || !(*entries)[0].is_number_integer() ||
        !(*entries)[1].is_number_integer()) {
      return Invalid("malformed-event", "hotline_entries must name two entries", "hotline_entries");
    }
    std::vector<const HotlineEntry*> found;
    for (const json& s : *entries) {
      for (const HotlineEntry& h : next.hotline) {
        if (h.seq == s.get<int64_t>()) found.push_back(&h);
      }
    }
    if (found.size() != 2 || found[0]->operator_id == found[1]->operator_id) {
      return Conflict("hotline-unconfirmed",
                      "a hotline report needs entries by two different operators");
    }
    for (const HotlineEntry* h : found) {
      const json* f = Member(h->figures, field);
      if (f == nullptr || *f != *figures ||
          (final && Member(h->figures, "delegates") != nullptr &&
           Member(e.payload, "delegates") != nullptr &&
           *Member(h->figures, "delegates") != *Member(e.payload, "delegates"))) {
        return Conflict("hotline-mismatch", "the two hotline entries do not agree");
      }
    }
    std::erase_if(next.hotline,
                  [&](const HotlineEntry& h) { return Member(h.figures, field) != nullptr; });
  } else if (e.actor.role == role::kOperator) {
    return Forbidden("operators report through double entry (hotline entries)");
  }
  if (final) {
    next.final = counts;
    if (const json* d = Member(e.payload, "delegates")) {
      std::vector<Count> delegates;
      if (auto r = ParseFigures(*d, "delegates", kMaxDelegates, delegates)) return r;
      next.delegates = delegates;
    }
  } else {
    next.first = counts;
    next.revision = 1;
  }
  next.confirmed = false;
  next.channel = e.channel;
  return CommitRecord(e, id, std::move(next));
}

std::optional<Rejection> ElectionState::ApplyTie(const Event& e) {
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  if (auto r = MayReport(e.actor, id, credentials_)) return r;
  PrecinctRecord next = *records_[static_cast<size_t>(id - 1)];
  const std::optional<Allocation>& computed = next.check->computed;
  if (!next.final || !computed || !computed->pending_tie) {
    return Conflict("no-tie", "this precinct has no tie waiting for a game of chance");
  }
  const TieEvent& tie = *computed->pending_tie;
  auto names = [&](const char* key, std::vector<CandidateIndex>& out) -> std::optional<Rejection> {
    const json* list = Member(e.payload, key);
    if (list == nullptr || !list->is_array()) {
      return Invalid("malformed-tie", std::string(key) + " must list candidates", key);
    }
    for (const json& n : *list) {
      auto c = n.is_string() ? election_->FindCandidate(n.get<std::string>()) : std::nullopt;
      if (!c) return NotFound("unknown-candidate", "not a candidate: " + n.dump(), key);
      out.push_back(*c);
    }
    return std::nullopt;
  };
  TieOutcome outcome;
  if (auto r = names("tied", outcome.tied)) return r;
  if (auto r = names("favoured", outcome.favoured)) return r;
  std::vector<CandidateIndex> tied = outcome.tied;
  std::sort(tied.begin(), tied.end());
  if (tied != tie.groups) {
    std::vector<std::string> expected;
    for (CandidateIndex c : tie.groups) expected.push_back(election_->candidates[c]);
    return Conflict("wrong-tie",
                    fmt::format("the tie to settle is between {}", fmt::join(expected, ", ")),
                    "tied");
  }
  for (CandidateIndex c : outcome.favoured) {
    if (!std::binary_search(tie.groups.begin(), tie.groups.end(), c)) {
      return Invalid("wrong-tie", "a favoured group must be one of the tied groups", "favoured");
    }
  }
  const size_t want =
      static_cast<size_t>(tie.kind == TieEvent::Kind::kGain
                              ? tie.delegates_at_stake
                              : static_cast<Count>(tie.groups.size()) - tie.delegates_at_stake);
  if (outcome.favoured.size() != want) {
    return Invalid(
        "wrong-tie",
        fmt::format("chance must favour {} of the {} tied groups", want, tie.groups.size()),
        "favoured");
  }
  outcome.detail = StringMember(e.payload, "detail").value_or("");
  // The worksheet's delegates, written once the game of chance is held (a final alignment sent
  // while the tie was open may leave them out).
  if (const json* d = Member(e.payload, "delegates")) {
    std::vector<Count> delegates;
    if (auto r = ParseFigures(*d, "delegates", kMaxDelegates, delegates)) return r;
    next.delegates = std::move(delegates);
  }
  next.ties.push_back(outcome);
  next.confirmed = false;
  return CommitRecord(e, id, std::move(next));
}

std::optional<Rejection> ElectionState::ApplyPhoto(const Event& e) {
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  if (auto r = MayReport(e.actor, id, credentials_)) return r;
  auto hash = StringMember(e.payload, "sha256");
  if (!hash || hash->size() != 64) return Invalid("malformed-event", "sha256", "sha256");
  PrecinctRecord rec = *records_[static_cast<size_t>(id - 1)];
  if (std::find(rec.photos.begin(), rec.photos.end(), *hash) == rec.photos.end()) {
    rec.photos.push_back(*hash);
  }
  rec.events.push_back(e.seq);
  Put(id, std::move(rec));
  RememberAnswer(e, id);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyConfirmed(const Event& e) {
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  if (auto r = MayReport(e.actor, id, credentials_)) return r;
  PrecinctRecord rec = *records_[static_cast<size_t>(id - 1)];
  if (!rec.final) return Conflict("not-ready", "report the final alignment before confirming");
  if (rec.check->computed && rec.check->computed->pending_tie) {
    return Conflict("tie-pending", "record the coin toss or card draw before confirming");
  }
  if (rec.check->computed && !rec.check->computed->must_realign.empty()) {
    return Conflict("must-realign",
                    e.actor.role == role::kOperator
                        ? "more groups are viable than there are delegates: the smallest must "
                          "realign; the precinct's chair sends a correction with the new final "
                          "alignment from the chair page (or an administrator does)"
                        : "more groups are viable than there are delegates: the smallest must "
                          "realign; send a correction with the new final alignment");
  }
  auto revision = IntMember(e.payload, "revision");
  if (revision && *revision != rec.revision) {
    return Conflict("stale-revision",
                    fmt::format("revision {} is not the current one ({})", *revision, rec.revision),
                    "revision");
  }
  if (rec.confirmed) return Conflict("already-confirmed", "this report is already confirmed");
  // A report the checks flag is confirmed only by someone who saw its errors: "acknowledged"
  // lists the code of every error finding.
  std::set<std::string> acknowledged;
  if (const json* ack = Member(e.payload, "acknowledged")) {
    if (!ack->is_array()) {
      return Invalid("malformed-confirmation",
                     "acknowledged must list the codes of the error findings", "acknowledged");
    }
    for (const json& code : *ack) {
      if (!code.is_string()) {
        return Invalid("malformed-confirmation",
                       "acknowledged must list the codes of the error findings", "acknowledged");
      }
      acknowledged.insert(code.get<std::string>());
    }
  }
  std::vector<std::string> unacknowledged;
  for (const Finding& f : rec.check->findings) {
    if (f.severity == Severity::kError && acknowledged.count(f.code) == 0 &&
        std::find(unacknowledged.begin(), unacknowledged.end(), f.code) == unacknowledged.end()) {
      unacknowledged.push_back(f.code);
    }
  }
  if (!unacknowledged.empty()) {
    return Conflict(
        "findings-unacknowledged",
        fmt::format("the checks found {} in this report ({}): compare it with the paper worksheet "
                    "and send a correction, or confirm it as it stands acknowledging {}",
                    unacknowledged.size() == 1 ? "an error" : "errors",
                    fmt::join(unacknowledged, ", "), unacknowledged.size() == 1 ? "it" : "them"),
        "acknowledged");
  }
  rec.confirmed = true;
  rec.events.push_back(e.seq);
  Put(id, std::move(rec));
  RememberAnswer(e, id);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyCorrected(const Event& e) {
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  if (auto r = MayReport(e.actor, id, credentials_)) return r;
  if (e.actor.role == role::kOperator) {
    return Forbidden(
        "the hotline cannot change a recorded report: the precinct's chair sends the correction "
        "from the chair page (or an administrator does)");
  }
  PrecinctRecord next = *records_[static_cast<size_t>(id - 1)];
  if (next.revision == 0) return Conflict("not-reported", "nothing was reported to correct");
  auto reason = StringMember(e.payload, "reason");
  if (!reason || reason->find_first_not_of(" \t\r\n") == std::string::npos) {
    return Invalid("reason-required", "a correction needs a reason", "reason");
  }
  using Slot = std::optional<std::vector<Count>> PrecinctRecord::*;
  for (auto [field, slot, max] :
       {std::tuple{"first", Slot{&PrecinctRecord::first}, kMaxHeadCount},
        std::tuple{"final", Slot{&PrecinctRecord::final}, kMaxHeadCount},
        std::tuple{"delegates", Slot{&PrecinctRecord::delegates}, kMaxDelegates}}) {
    const json* f = Member(e.payload, field);
    if (f == nullptr) continue;
    std::vector<Count> counts;
    if (auto r = ParseFigures(*f, field, max, counts)) return r;
    next.*slot = std::move(counts);
  }
  // A game of chance is held once, in the room. With "keep_ties" (the API sends it unless told
  // otherwise), each outcome recorded for the earlier figures is kept while the new figures lead
  // to the same tie (the same groups, the same number favoured); the first that no longer fits,
  // and every one after it, starts again. Without it (corrections recorded before it existed),
  // every outcome starts again.
  std::vector<TieOutcome> earlier = std::move(next.ties);
  next.ties.clear();
  const json* keep = Member(e.payload, "keep_ties");
  if (keep != nullptr && !keep->is_boolean()) {
    return Invalid("malformed-correction", "keep_ties must be true or false", "keep_ties");
  }
  if (keep != nullptr && keep->get<bool>()) next.ties = TiesStillSettled(id, next, earlier);
  next.confirmed = false;
  next.revision += 1;
  next.channel = e.channel;
  if (Member(e.payload, "recanvass") != nullptr || Member(e.payload, "recount") != nullptr) {
    if (auto r = CheckRecanvassCorrection(e, id, next)) return r;
    const int64_t entry =
        IntMember(e.payload, "recanvass").value_or(0) + IntMember(e.payload, "recount").value_or(0);
    if (auto r = CommitRecord(e, id, std::move(next))) return r;
    entries_[entry].correction_seq = e.seq;
    return std::nullopt;
  }
  return CommitRecord(e, id, std::move(next));
}

std::vector<TieOutcome> ElectionState::TiesStillSettled(
    int64_t id, const PrecinctRecord& record, const std::vector<TieOutcome>& earlier) const {
  PrecinctRecord probe = record;
  probe.ties.clear();
  for (const TieOutcome& outcome : earlier) {
    if (Recheck(id, probe)) break;  // a submission of these figures says what is wrong
    const std::optional<Allocation>& computed = probe.check->computed;
    if (!computed || !computed->pending_tie) break;
    const TieEvent& tie = *computed->pending_tie;
    std::vector<CandidateIndex> tied = outcome.tied;
    std::sort(tied.begin(), tied.end());
    const size_t want =
        static_cast<size_t>(tie.kind == TieEvent::Kind::kGain
                                ? tie.delegates_at_stake
                                : static_cast<Count>(tie.groups.size()) - tie.delegates_at_stake);
    if (tied != tie.groups || outcome.favoured.size() != want) break;
    probe.ties.push_back(outcome);
  }
  return probe.ties;
}

std::optional<Rejection> ElectionState::ApplyHotline(const Event& e) {
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  if (e.actor.role != role::kOperator || credential(e.actor.id) == nullptr ||
      credential(e.actor.id)->revoked || credential(e.actor.id)->role != role::kOperator) {
    return Forbidden("only hotline operators make hotline entries");
  }
  PrecinctRecord rec = *records_[static_cast<size_t>(id - 1)];
  const bool has_first = Member(e.payload, "first") != nullptr;
  const bool has_final = Member(e.payload, "final") != nullptr;
  if (has_first == has_final) {
    return Invalid("malformed-entry", "a hotline entry holds either first or final figures");
  }
  const char* stage = has_first ? "first" : "final";
  if ((has_first && rec.first) || (has_final && rec.final)) {
    return Conflict("already-reported",
                    std::string("this precinct's ") + stage +
                        " alignment is already recorded; to change it, the precinct's chair "
                        "sends a correction from the chair page (or an administrator does)");
  }
  if (has_final && !rec.first) {
    return Conflict("first-alignment-missing", "enter the first alignment before the final");
  }
  json figures = json::object();
  for (const char* field : {"first", "final", "delegates"}) {
    const json* f = Member(e.payload, field);
    if (f == nullptr) continue;
    std::vector<Count> counts;
    const bool delegates = std::string(field) == "delegates";
    if (auto r = ParseFigures(*f, field, delegates ? kMaxDelegates : kMaxHeadCount, counts)) {
      return r;
    }
    figures[field] = FiguresJson(counts);
  }
  for (const HotlineEntry& h : rec.hotline) {
    if (h.operator_id == e.actor.id && Member(h.figures, stage) != nullptr) {
      return Conflict("already-entered",
                      "you already entered this precinct; a second operator must enter it");
    }
  }
  rec.hotline.push_back(HotlineEntry{e.seq, e.actor.id, figures});
  rec.events.push_back(e.seq);
  Put(id, std::move(rec));
  RememberAnswer(e, id);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyAttestation(const Event& e) {
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  const CredentialRecord* c = credential(e.actor.id);
  if (e.actor.role != role::kCampaign || c == nullptr || c->revoked || c->role != role::kCampaign) {
    return Forbidden("only campaigns attest reports");
  }
  PrecinctRecord rec = *records_[static_cast<size_t>(id - 1)];
  auto verdict = StringMember(e.payload, "verdict");
  if (!verdict || (*verdict != "confirm" && *verdict != "dispute")) {
    return Invalid("malformed-attestation", "verdict must be \"confirm\" or \"dispute\"",
                   "verdict");
  }
  std::string reason = StringMember(e.payload, "reason").value_or("");
  if (*verdict == "dispute" && reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Invalid("reason-required", "a dispute needs a reason", "reason");
  }
  if (rec.revision == 0) return Conflict("not-reported", "nothing was reported yet");
  auto revision = IntMember(e.payload, "revision").value_or(rec.revision);
  if (revision != rec.revision) {
    return Conflict("stale-revision",
                    fmt::format("revision {} is not the current one ({})", revision, rec.revision),
                    "revision");
  }
  // A campaign that repeats its standing verdict on this revision, for the same reason (a second
  // tap with a new submission id), adds nothing: the ledger records each verdict once.
  const auto trimmed = [](const std::string& t) {
    const size_t b = t.find_first_not_of(" \t\r\n");
    return b == std::string::npos ? std::string()
                                  : t.substr(b, t.find_last_not_of(" \t\r\n") - b + 1);
  };
  for (auto it = rec.attestations.rbegin(); it != rec.attestations.rend(); ++it) {
    if (it->campaign != c->subject || it->revision != rec.revision) continue;
    if (it->verdict == *verdict && trimmed(it->reason) == trimmed(reason)) {
      return Conflict("already-attested",
                      fmt::format("{} already {} revision {} of this precinct{}: nothing new to "
                                  "record (event {})",
                                  c->subject, *verdict == "dispute" ? "disputes" : "confirms",
                                  rec.revision, reason.empty() ? "" : " for this reason", it->seq));
    }
    break;  // only the campaign's standing verdict on this revision counts
  }
  rec.attestations.push_back(Attestation{e.seq, c->subject, *verdict, reason, rec.revision});
  rec.events.push_back(e.seq);
  Put(id, std::move(rec));
  RememberAnswer(e, id);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyRelease(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) return Forbidden("only an administrator publishes");
  auto at = IntMember(e.payload, "ledger_seq");
  if (!at || *at < 1 || *at >= e.seq) {
    return Invalid("malformed-event",
                   "release-published names the ledger position it was built "
                   "from",
                   "ledger_seq");
  }
  // A release is a function of the prefix 1..ledger_seq, numbered by the releases in it: it is
  // the next one only if it was built after the last release was published.
  auto number = IntMember(e.payload, "number");
  const int64_t next = static_cast<int64_t>(releases_.size()) + 1;
  if (!number || *number != next) {
    return Conflict("release-number", fmt::format("the next release is number {}", next), "number");
  }
  if (!releases_.empty() && *at < releases_.back().seq) {
    return Conflict("release-stale",
                    fmt::format("release {} must be built from event {} or later, after release "
                                "{} was published",
                                next, releases_.back().seq, next - 1),
                    "ledger_seq");
  }
  auto head = StringMember(e.payload, "ledger_head");
  if (!head || *head != hash_of(*at)) {
    return Invalid("release-head-mismatch",
                   fmt::format("ledger_head is not the hash of event {}", *at), "ledger_head");
  }
  ReleaseRecord rec;
  rec.number = next;
  rec.seq = e.seq;
  rec.time = e.time;
  rec.ledger_seq = *at;
  rec.ledger_head = *head;
  rec.complete = all_final_seq_ != 0 && *at >= all_final_seq_;
  if (const json* files = Member(e.payload, "files"); files != nullptr && files->is_object()) {
    for (const auto& [name, hash] : files->items()) {
      if (!hash.is_string() || hash.get<std::string>().size() != 64) {
        return Invalid("malformed-event", "files maps each file name to its SHA-256", "files");
      }
    }
    rec.files = *files;
  }
  rec.signature = StringMember(e.payload, "signature").value_or("");
  releases_.push_back(std::move(rec));
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyPolicy(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only an administrator sets the publication policy");
  }
  auto mode = StringMember(e.payload, "mode");
  if (!mode || (*mode != "manual" && *mode != "interval" && *mode != "each-report")) {
    return Invalid("malformed-policy", "mode must be \"manual\", \"interval\" or \"each-report\"",
                   "mode");
  }
  const int64_t seconds = IntMember(e.payload, "seconds").value_or(0);
  if (*mode == "interval" && (seconds < 1 || seconds > 86400)) {
    return Invalid("malformed-policy", "an interval is 1 to 86400 seconds", "seconds");
  }
  if (seconds < 0 || seconds > 86400) {
    return Invalid("malformed-policy", "seconds must be 0 to 86400", "seconds");
  }
  policy_ = PublicationPolicy{*mode, seconds, e.seq};
  return std::nullopt;
}

std::variant<PrecinctRecord, Rejection> ElectionState::PracticeRecord(int64_t id,
                                                                      const json& body) const {
  if (precinct(id) == nullptr) {
    return NotFound("unknown-precinct", fmt::format("there is no precinct {}", id));
  }
  if (Member(body, "first") == nullptr) {
    return Invalid("missing-figures", "a practice report needs at least the first alignment",
                   "first");
  }
  PrecinctRecord r;
  // A blank worksheet, but the precinct's early-vote cards count in practice as on the night.
  r.early_votes = precinct(id)->early_votes;
  using Slot = std::optional<std::vector<Count>> PrecinctRecord::*;
  for (auto [field, slot, max] :
       {std::tuple{"first", Slot{&PrecinctRecord::first}, kMaxHeadCount},
        std::tuple{"final", Slot{&PrecinctRecord::final}, kMaxHeadCount},
        std::tuple{"delegates", Slot{&PrecinctRecord::delegates}, kMaxDelegates}}) {
    const json* f = Member(body, field);
    if (f == nullptr) continue;
    std::vector<Count> counts;
    if (auto rej = ParseFigures(*f, field, max, counts)) return *rej;
    r.*slot = std::move(counts);
  }
  if (auto rej = Recheck(id, r)) return *rej;
  return r;
}

std::optional<Rejection> ElectionState::ApplyPractice(const Event& e) {
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  // The precinct's own chair or an administrator (operators practise nothing here).
  if (!IsAdmin(e.actor, credentials_)) {
    const CredentialRecord* c = credential(e.actor.id);
    if (e.actor.role != role::kChair || c == nullptr || c->revoked || c->role != role::kChair ||
        c->subject != std::to_string(id)) {
      return Forbidden(e.actor.role == role::kChair
                           ? "a chair sends practice reports only for their own precinct"
                           : "only the precinct's chair or an administrator sends practice "
                             "reports");
    }
  }
  auto checked = PracticeRecord(id, e.payload);
  if (auto* rej = std::get_if<Rejection>(&checked)) return *rej;
  PrecinctRecord rec = *records_[static_cast<size_t>(id - 1)];
  rec.practice_reports += 1;
  rec.practice_seq = e.seq;
  Put(id, std::move(rec));
  RememberAnswer(e, id);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplySessionOpened(const Event& e) {
  // Who logged in is the actor: a live credential, in its own role. Nothing else is recorded
  // (never the code), and only its first login: readiness counts credentials, not logins.
  if (!e.payload.is_object() || !e.payload.empty()) {
    return Invalid("malformed-event", "session-opened carries an empty payload");
  }
  auto it = credentials_.find(e.actor.id);
  if (it == credentials_.end()) {
    return NotFound("unknown-credential", "no credential " + e.actor.id, "actor");
  }
  CredentialRecord& c = it->second;
  if (c.role != e.actor.role) {
    return Forbidden(fmt::format("credential {} is a {} code, not {}", c.id, c.role,
                                 e.actor.role.empty() ? "\"\"" : e.actor.role));
  }
  if (c.revoked) return Forbidden("credential " + c.id + " is revoked");
  if (c.session_seq != 0) {
    return Conflict("session-already-opened",
                    fmt::format("credential {} first logged in at event {}", c.id, c.session_seq));
  }
  LogCredential(c.id);
  c.session_seq = e.seq;
  return std::nullopt;
}

void ElectionState::RememberAnswer(const Event& e, int64_t precinct_id) {
  auto submission = StringMember(e.payload, "submission");
  if (!submission || submission->empty()) return;
  std::string key = e.actor.role + "/" + e.actor.id + "/" + *submission;
  if (undo_.log) {
    auto it = answers_.find(key);
    undo_.log->answers.emplace_back(
        key, it == answers_.end() ? std::nullopt : std::optional<KeptAnswer>(it->second));
  }
  Answer a = AnswerTo(e, current_hash_, precinct_id);
  KeptAnswer& kept = answers_[std::move(key)];
  kept.seq = a.seq;
  kept.precinct = a.precinct;
  kept.event = InternEventType(a.event);
  kept.hotline = std::move(a.hotline);
  kept.record = std::move(a.record);
  kept.practice = std::move(a.practice);
}

Answer ElectionState::AnswerTo(const Event& e, const std::string& hash, int64_t precinct_id) const {
  Answer a;
  a.seq = e.seq;
  a.event = e.type;
  a.hash = hash;
  a.record = precinct_shared(precinct_id);
  if (a.record == nullptr) return a;
  a.precinct = precinct_id;
  if (e.type == event_type::kPracticeReport) {
    // The practice worksheet (as /preview gives it); the precinct's own record is unchanged.
    auto practice = PracticeRecord(precinct_id, e.payload);
    if (auto* r = std::get_if<PrecinctRecord>(&practice)) {
      a.practice = std::make_shared<const PrecinctRecord>(std::move(*r));
    }
  } else if (e.type == event_type::kHotlineEntry && !a.record->hotline.empty()) {
    // waiting: no other operator has entered this stage; agreed: another's entry matches (the
    // report follows); mismatch: others entered different figures (reconciliation queue).
    const HotlineEntry& mine = a.record->hotline.back();
    a.hotline = "waiting";
    for (const HotlineEntry& h : a.record->hotline) {
      if (h.operator_id == mine.operator_id) continue;
      if (h.figures == mine.figures) {
        a.hotline = "agreed";
        break;
      }
      if (h.figures.contains("first") == mine.figures.contains("first")) a.hotline = "mismatch";
    }
  } else if (Member(e.payload, "hotline_entries") != nullptr) {
    a.hotline = "accepted";
  }
  return a;
}

std::string ElectionState::StatusOf(int64_t id) const {
  const PrecinctRecord* r = precinct(id);
  return r == nullptr ? "not-reported" : StatusOf(*r);
}

std::string ElectionState::StatusOf(const PrecinctRecord& r) { return std::string(StatusName(r)); }

std::string_view ElectionState::StatusName(const PrecinctRecord& r) {
  if (!r.first) return "not-reported";
  if (!r.final) return "first-reported";
  if (r.check->computed && r.check->computed->pending_tie) return "tie-pending";
  if (r.check->computed && !r.check->computed->must_realign.empty()) return "must-realign";
  return r.confirmed ? "confirmed" : "final-reported";
}

bool ElectionState::Disputed(int64_t id) const {
  const PrecinctRecord* r = precinct(id);
  return r != nullptr && Disputed(*r);
}

bool ElectionState::Disputed(const PrecinctRecord& r) {
  std::map<std::string, std::string> last;  // campaign -> verdict on the current revision
  for (const Attestation& a : r.attestations) {
    if (a.revision == r.revision) last[a.campaign] = a.verdict;
  }
  for (const auto& [campaign, verdict] : last) {
    if (verdict == "dispute") return true;
  }
  return false;
}

std::vector<int64_t> ElectionState::ReportedIds() const {
  std::vector<int64_t> ids;
  for (size_t i = 0; i < records_.size(); ++i) {
    if (records_[i]->first) ids.push_back(static_cast<int64_t>(i + 1));
  }
  return ids;
}

Election ElectionState::ReportedElection() const {
  Election out = ReportedReports();
  out.apportionment = election_->apportionment;
  out.county_district = election_->county_district;
  return out;
}

Election ElectionState::ReportedReports() const {
  Election out;
  out.candidates = election_->candidates;
  const std::vector<int64_t> ids = ReportedIds();
  out.reports.reserve(ids.size());
  for (int64_t id : ids) out.reports.push_back(ReportOf(id));
  return out;
}

PrecinctReport ElectionState::ReportOf(int64_t id) const {
  const PrecinctRecord& r = *records_[static_cast<size_t>(id - 1)];
  PrecinctReport report = ReportOf(election_->apportionment[static_cast<size_t>(id - 1)], r);
  report.source = SourceRef{"ledger", r.events.empty() ? 0 : r.events.back()};
  return report;
}

std::vector<PrecinctCheck> ElectionState::ReportedChecks() const {
  // A precinct with only its first alignment in counts in the first-alignment totals, but has no
  // delegates or SDEs yet (record.check has no allocation until the final alignment).
  std::vector<PrecinctCheck> checks;
  for (const PrecinctCheck* check : ReportedCheckRefs()) checks.push_back(*check);
  return checks;
}

std::vector<const PrecinctCheck*> ElectionState::ReportedCheckRefs() const {
  const std::vector<int64_t> ids = ReportedIds();
  std::vector<const PrecinctCheck*> checks;
  checks.reserve(ids.size());
  for (int64_t id : ids) checks.push_back(records_[static_cast<size_t>(id - 1)]->check.get());
  return checks;
}

std::variant<PrecinctRecord, Rejection> ElectionState::Preview(int64_t id, const json& body) const {
  const PrecinctRecord* current = precinct(id);
  if (current == nullptr)
    return NotFound("unknown-precinct", fmt::format("there is no precinct {}", id));
  PrecinctRecord r = *current;
  bool figures_changed = false;
  using Slot = std::optional<std::vector<Count>> PrecinctRecord::*;
  for (auto [field, slot, max] :
       {std::tuple{"first", Slot{&PrecinctRecord::first}, kMaxHeadCount},
        std::tuple{"final", Slot{&PrecinctRecord::final}, kMaxHeadCount},
        std::tuple{"delegates", Slot{&PrecinctRecord::delegates}, kMaxDelegates}}) {
    const json* f = Member(body, field);
    if (f == nullptr) continue;
    std::vector<Count> counts;
    if (auto rej = ParseFigures(*f, field, max, counts)) return *rej;
    if (r.*slot != counts) {
      r.*slot = std::move(counts);
      if (std::string(field) != "delegates") figures_changed = true;
    }
  }
  if (r.final && !r.first) {
    return Conflict("first-alignment-missing", "enter the first alignment before the final");
  }
  // New figures keep the tie outcomes that still settle the same tie, as a correction does.
  if (figures_changed) r.ties = TiesStillSettled(id, r, current->ties);
  if (auto rej = Recheck(id, r)) return *rej;
  return r;
}

}  // namespace canvass
