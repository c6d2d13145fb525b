// ElectionState: everything the server knows, as a replay of the ledger.
//
// Apply() takes one event after another, in ledger order, and is the only place where the
// meaning of an event is checked: a precinct reported twice, a final alignment before the first,
// a tie outcome that does not fit the tie, an attestation of a revision that does not exist. The
// intake builds an event from a submission and offers it to Apply(); if Apply refuses it, nothing
// is written and the submitter gets the Rejection. `canvass ledger verify` replays a ledger
// through the same Apply(), so the server and an auditor agree on what every event means.
//
// Reported and computed figures are kept apart: a precinct's record holds the figures as
// submitted; its PrecinctCheck holds what the rules give for them, with the findings.
//
// Thread-safety: none; the intake guards it with a shared mutex (one writer, many readers).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "caucus/findings.h"
#include "core/election.h"
#include "ledger/event.h"
#include "rules/ruleset.h"
#include "store/store.h"

namespace canvass {

struct ConventionBook;  // the second stage's conventions (state/convention.h)

// Why a submission (or a replayed event) was refused.
struct Rejection {
  enum class Kind : uint8_t {
    kInvalid,    // the figures cannot describe a caucus, or a field is malformed (HTTP 422)
    kConflict,   // contradicts what is already recorded (HTTP 409)
    kNotFound,   // names a precinct, candidate or credential that does not exist (HTTP 404)
    kForbidden,  // the actor may not do this (HTTP 403)
  };
  Kind kind = Kind::kInvalid;
  std::string code;     // stable, kebab-case: "final-exceeds-attendance"
  std::string message;  // for a volunteer: what is wrong and what to do
  std::string field;    // the JSON field concerned ("final.Sanders"), may be empty
};

struct CredentialRecord {
  std::string id;       // the public part of the access code
  std::string role;     // "chair", "operator", "campaign", "admin"
  std::string subject;  // chair: precinct id ("12"); campaign: candidate; operator/admin: a name
  std::string hash;     // Argon2id string
  bool revoked = false;
  int64_t issued_seq = 0;
  // The session-opened event of its first login (0: it has never logged in). Readiness counts
  // it, so every node and every restart agrees on who has logged in.
  int64_t session_seq = 0;
  // The credential this one replaced (credential-issued's "replaces"; "" for a first code): a
  // voter's new code is the same voter, who has voted if any code of the chain has.
  std::string replaces;
};

struct HotlineEntry {
  int64_t seq = 0;
  std::string operator_id;
  nlohmann::json figures;  // {"first": {...}, "final": {...}, "delegates": {...}} as entered
};

struct Attestation {
  int64_t seq = 0;
  std::string campaign;
  std::string verdict;  // "confirm" or "dispute"
  std::string reason;
  int revision = 0;
};

// One early-vote card as the ledger holds it (early-votes-loaded, src/state/early_votes.cc).
struct EarlyVoteCardRecord {
  std::string id;
  std::vector<std::string> choices;  // candidate names (or what the card says), in rank order
  std::string void_reason;           // "" when the card is valid
};

// A precinct's early-vote cards, judged by the ruleset's early-vote rules.
struct EarlyVoteSet {
  int64_t seq = 0;                         // the early-votes-loaded event
  std::string hash;                        // SHA-256 of the canonical card list (io/early_cards.h)
  std::vector<EarlyVoteCardRecord> cards;  // ascending id
  std::vector<EarlyVoteCard> valid;        // the valid cards, as candidate indices, for the rules
  size_t void_count() const { return cards.size() - valid.size(); }
};

// One reporting unit, as the ledger has it after some event. A record is never changed once the
// state holds it: an event makes a new one (copy-on-write), so that a snapshot for a release and
// an idempotent answer share the records they need instead of copying them. What the rules
// compute (check) is shared in turn between records whose figures are the same (a photo
// or a confirmation leaves them as they were). The first alignment's worksheet (viability) is not
// kept: Worksheet() computes it for the page that shows it.
struct PrecinctRecord {
  int revision = 0;  // 0: nothing reported yet; 1: the first report; +1 per correction
  std::optional<std::vector<Count>> first;      // per candidate
  std::optional<std::vector<Count>> final;      // per candidate
  std::optional<std::vector<Count>> delegates;  // as the worksheet says, when given
  // Nevada's early-vote ranked cards (early-votes-loaded; null: none): counted with every report.
  std::shared_ptr<const EarlyVoteSet> early_votes;
  std::vector<TieOutcome> ties;     // recorded games of chance, in order
  std::vector<std::string> photos;  // SHA-256 of each worksheet photo
  bool confirmed = false;
  std::string channel;          // channel of the latest figures
  std::vector<int64_t> events;  // every event about this precinct
  // The latest event that changed its figures (a report, a game of chance, a correction): what
  // a release compares with the previous release's position (publish/release.h).
  int64_t figures_seq = 0;
  std::vector<Attestation> attestations;
  std::vector<HotlineEntry> hotline;  // entries not yet agreed by two operators
  // What the rules give for the figures (never null).
  std::shared_ptr<const PrecinctCheck> check = std::make_shared<const PrecinctCheck>();
  // Practice reports (practice-report): counted for readiness, never in the figures above.
  int64_t practice_reports = 0;
  int64_t practice_seq = 0;  // the latest one's seq (0: none)
};

// A release-published event, as replayed (src/publish/ builds and checks the files it names).
struct ReleaseRecord {
  int64_t number = 0;       // 1, 2, 3, ...
  int64_t seq = 0;          // the release-published event's own seq
  std::string time;         // that event's time
  int64_t ledger_seq = 0;   // the ledger prefix the release was built from (< seq)
  std::string ledger_head;  // the hash of event ledger_seq
  nlohmann::json files = nlohmann::json::object();  // file name -> SHA-256 hex
  std::string signature;  // hex Ed25519 signature of the release JSON, when given
  // Every precinct had its final alignment at ledger_seq: the release that opens the review
  // window (ReviewRules::request_hours).
  bool complete = false;
};

// --- After the night: recanvass and recount (src/state/review.cc, docs/audit.md) -----------------

// A figure a request claims is wrong: the precinct's `field` ("first", "final", "delegates") for
// `candidate`, as reported and as claimed.
struct ReviewClaim {
  std::string field;
  CandidateIndex candidate = 0;
  Count reported = 0;
  Count claimed = 0;
};

// The party's answer to one precinct of a request.
struct ReviewDecision {
  int64_t seq = 0;
  std::string time;
  std::string decision;  // "accepted", "refused"
  std::string reason;
  std::string cost;   // as the party states it ("350.00"), may be empty
  bool late = false;  // later than answer_hours after the request
};

// What a recanvass finds in one precinct: the signed worksheet against the reported figures and
// the rules, in three layers (docs/audit.md "Recanvass"). Computed when the entry is applied, so
// every replay classifies it the same way.
struct RecanvassEntry {
  std::string kind = "recanvass";  // or "recount": the cards counted and sorted (below)
  int64_t seq = 0;
  std::string time;
  int64_t request = 0;  // the review-requested event
  int64_t precinct = 0;
  int revision = 0;  // the precinct's revision the worksheet was compared with
  // The worksheet as entered (absent: the worksheet leaves it blank).
  std::optional<std::vector<Count>> first, final, delegates;
  std::string photo;  // SHA-256 of the worksheet's photo, may be empty
  std::string note;
  // The campaigns whose observers were present, as candidate names in the election's order.
  std::vector<std::string> observers;
  // Transcription: the reported figures that differ from the worksheet ("final.Sanders").
  std::vector<std::string> transcription;
  // Rule misapplication: the worksheet's counts are right but its delegates are not the rules'.
  bool rule_misapplication = false;
  std::vector<Count> rules_delegates;  // what the rules give the worksheet's alignments
  // Count: the worksheet's own counts cannot be right (the rules refuse them); only the cards can
  // settle it. `count_reason` says why.
  bool count = false;
  std::string count_reason;
  // The correction the ruleset allows (recanvass_corrects), if any: the figures to record.
  bool corrects = false;
  std::vector<std::string> corrected_layers;
  std::optional<std::vector<Count>> correct_first, correct_final, correct_delegates;
  int64_t correction_seq = 0;  // the report-corrected event that cites this entry
  // Recount: the cards counted (T'), the first-preference sort in `first`, the second-preference
  // sort in `final`; `count_fields` are the reported figures the cards contradict. A missing or
  // short packet makes the precinct unauditable: kept as reported, flagged, `custody` says why.
  Count cards = 0;
  std::vector<std::string> count_fields;
  bool unauditable = false;
  std::string custody;
};

// The requester's answer to the costs of an accepted precinct (review-costs).
struct ReviewCosts {
  int64_t seq = 0;
  std::string time;
  int64_t decision = 0;  // the review-decided event whose cost it answers
  bool accepted = false;
};

// When and where the party will open the precinct's packet (review-scheduled); the last stands.
struct ReviewSchedule {
  int64_t seq = 0;
  std::string time;
  std::string at;  // ledger time format
  std::string place;
};

struct ReviewPrecinct {
  int64_t precinct = 0;
  std::string reason;
  std::vector<ReviewClaim> claims;
  std::vector<std::string> evidence;      // SHA-256 of photos or documents
  std::vector<ReviewDecision> decisions;  // in order; the last one stands
  std::vector<ReviewCosts> costs;         // answers, in order (one per decision at most)
  std::vector<ReviewSchedule> schedule;   // in order; the last one stands
  std::vector<int64_t> entries;           // recanvass-entered events, in order
  const ReviewDecision* decision() const { return decisions.empty() ? nullptr : &decisions.back(); }
  bool accepted() const { return decision() != nullptr && decision()->decision == "accepted"; }
  // The accepted decision states a cost above zero: the requester must accept it first.
  bool costs_due() const;
  // The requester's answer to the standing decision's cost, if any.
  const ReviewCosts* costs_answer() const;
};

// A review-requested event: a campaign (or the party chair) asks for a recanvass or a recount.
struct ReviewRequest {
  int64_t seq = 0;
  std::string time;
  std::string kind;       // "recanvass", "recount"
  Actor actor;            // who filed it
  std::string requester;  // the candidate, or "party"
  std::string reason;
  std::string deadline;  // the request deadline it met (ledger time)
  std::vector<ReviewPrecinct> precincts;
  // The reported results as they stood when the request was filed (ReportedElection() and
  // ReportedChecks()), when it claims figures: a claim's eligibility is judged on them, so a later
  // correction elsewhere does not change what the request was answered on. Shared with the
  // previous request while no precinct record has changed between them.
  int64_t records_seq = 0;  // the last event that changed a record before the request
  std::shared_ptr<const Election> election;
  std::shared_ptr<const std::vector<PrecinctCheck>> checks;
};

// An administrator's decision to publish a held precinct's current revision as reported
// (anomaly-override, src/state/holds.cc, docs/audit.md "Anomaly gate"): it lifts the hold of
// `check` on `revision` only; a later revision is checked afresh.
struct AnomalyOverride {
  int64_t seq = 0;
  std::string time;
  Actor actor;
  int64_t precinct = 0;
  int revision = 0;
  std::string check;  // "duplicate", "column-shift"
  std::string score;  // as the check scored the revision when it was overridden
  std::string threshold;
  std::string reason;  // "the worksheet is the legal record"
};

// --- The risk-limiting audit on the ledger (src/state/rla.cc, docs/audit.md "The audit on the
// ledger") ---------------------------------------------------------------------------------------

// One audited precinct (rla-tally): what the board found from the cards.
struct RlaTallyRecord {
  int64_t seq = 0;
  std::string time;
  Actor actor;
  int64_t precinct = 0;
  bool unauditable = false;      // the cards are missing or short: taint 1
  std::string custody;           // why, when unauditable
  std::vector<Count> delegates;  // county delegates per candidate (empty: unauditable)
  std::optional<std::vector<Count>> first, final;  // the cards' sorts, when the board gives them
  Count cards = 0;                                 // T', when given
  std::string photo;                               // SHA-256 of the tally sheet, may be empty
};

// rla-started fixes what is audited: the reported results as they stand at that event (a precinct
// not reported, or without a final alignment, leaves the audit no bound: a full hand count).
// rla-seed gives the public seed, once, after it; the sample follows from the seed and those
// results alone (src/audit/rla_ledger.h). Corrections after rla-started change the results, not the
// audited outcome.
struct RlaRecord {
  int64_t start_seq = 0;
  std::string start_time;
  std::string risk_limit;                    // percent, as given ("5")
  std::string committed_head;                // the hash of the event before rla-started
  std::shared_ptr<const Election> election;  // ReportedElection() at rla-started
  std::shared_ptr<const std::vector<PrecinctCheck>> checks;  // ReportedChecks() then
  std::vector<int64_t> ids;                                  // ReportedIds() then
  int64_t seed_seq = 0;                                      // 0: no seed yet
  std::string seed_time;
  std::string seed;
  std::vector<RlaTallyRecord> tallies;  // in ledger order, one per precinct
  const RlaTallyRecord* tally(int64_t precinct) const;
};

// How the server publishes releases (publication-policy-set; "manual" until one is recorded).
struct PublicationPolicy {
  std::string mode = "manual";  // "manual", "interval", "each-report"
  int64_t seconds = 0;          // interval: seconds between releases
  int64_t seq = 0;              // the event that set it (0: the default)
};

// What a submission was answered, as facts; the API renders them (src/api/answer_json.h), and a
// retry with the same submission id gets the same bytes again. There is one per accepted
// submission, so nothing rendered is kept: the receipt and the precinct record as it stood right
// after the event (shared with the state while the precinct does not change).
struct Answer {
  int64_t seq = 0;
  std::string event;     // the event's type
  std::string hash;      // the event's hash
  int64_t precinct = 0;  // 0: an event about no precinct (the answer is the receipt alone)
  std::shared_ptr<const PrecinctRecord> record;    // the precinct right after the event
  std::shared_ptr<const PrecinctRecord> practice;  // practice-report: the practice worksheet
  // hotline-entry: "waiting", "agreed" or "mismatch"; a report completing two entries:
  // "accepted"; empty otherwise.
  std::string hotline;
};

class ElectionState {
 public:
  // Applies the next event. `stored` is its encoded form (line and hash). A Rejection leaves the
  // state exactly as it was.
  std::optional<Rejection> Apply(const Event& event, const StoredEvent& stored);

  // The ledger so far.
  int64_t seq() const { return seq_; }
  const std::string& head_hash() const { return head_hash_; }
  // The hash of event `seq` (1..seq()), "" outside (and in a Snapshot()). The state keeps the
  // hashes, not the lines: these are the store's to read (Store::ReadAfter), which spares the
  // server a copy of the whole ledger (docs/performance.md, "National scale").
  std::string hash_of(int64_t seq) const;
  // The time of the first event and of the latest ("" before any).
  const std::string& first_time() const { return first_time_; }
  const std::string& last_time() const { return last_time_; }
  // The latest event that can change what a release says: any but release-published,
  // publication-policy-set, practice-report, session-opened, the audit's rla-* and the
  // conventions' events (state/convention.h) (0: none).
  int64_t last_figures_seq() const { return last_figures_seq_; }

  // Undoing the events of a batch that could not be committed (the intake, after a failed
  // commit; the store that failed is not needed). BeginUndo() starts recording what Apply
  // changes; Rollback() puts the state back as it was at BeginUndo(), every event applied since
  // undone; EndUndo() forgets the record (the events are durable). The record holds what the
  // events replaced (precinct records, credentials, answers: the night's events change nothing
  // else), and a copy of the rest of the state only once an event of another type (a release,
  // a review, a convention...) is applied. A copy of the state does not take the record along.
  void BeginUndo();
  void Rollback();
  void EndUndo();

  // What a release or a reading of the results needs, without the history: the election, the
  // records (shared, not copied: a snapshot costs a pointer per precinct), releases and policy;
  // no ledger lines, credentials or answers. Immutable; never Apply to it.
  std::shared_ptr<const ElectionState> Snapshot() const;

  bool created() const { return created_; }
  const std::string& name() const { return name_; }
  const Ruleset& ruleset() const { return ruleset_; }
  const std::vector<std::string>& candidates() const { return election_->candidates; }
  // Reporting units, by id - 1 (ids are 1-based).
  const std::vector<PrecinctApportionment>& precincts() const { return election_->apportionment; }
  const PrecinctRecord* precinct(int64_t id) const;
  // The record as shared (for an answer that must outlive the next change).
  std::shared_ptr<const PrecinctRecord> precinct_shared(int64_t id) const;
  const std::map<std::string, std::string>& county_district() const {
    return election_->county_district;
  }
  const std::map<std::string, CredentialRecord>& credentials() const { return credentials_; }
  const CredentialRecord* credential(const std::string& id) const;
  // The election's public Ed25519 key (hex), from election-created; empty when it has none.
  const std::string& signing_key() const { return signing_key_; }
  const std::vector<ReleaseRecord>& releases() const { return releases_; }
  const PublicationPolicy& publication_policy() const { return policy_; }
  // Recanvass and recount requests, in ledger order, and every recanvass entry by its seq.
  const std::vector<ReviewRequest>& reviews() const { return reviews_; }
  const ReviewRequest* review(int64_t seq) const;
  const std::map<int64_t, RecanvassEntry>& recanvass_entries() const { return entries_; }
  // In a recanvass the party accepted and not yet entered.
  bool UnderRecanvass(int64_t id) const;
  // Whether a recount found the precinct unauditable (its cards missing or short).
  bool Unauditable(int64_t id) const;
  // The results-certified event (0: not certified). Releases built after it are official.
  int64_t certified_seq() const { return certified_seq_; }
  // The risk-limiting audit (nullptr before rla-started).
  const RlaRecord* rla() const { return rla_ ? &*rla_ : nullptr; }
  // anomaly-override events, in ledger order.
  const std::vector<AnomalyOverride>& anomaly_overrides() const { return overrides_; }
  // The conventions (state/convention.h; nullptr before the first convention-created).
  const ConventionBook* conventions() const { return conventions_.get(); }
  // Accepted precincts of requests with no entry yet, at ledger time `now` (the last event's when
  // empty): "request 12, precinct 4". A precinct whose cost the requester declined, or left
  // unanswered past cost_hours, is closed without an entry.
  std::vector<std::string> OpenReviews(const std::string& now = "") const;
  // The time by which the requester must accept the precinct's cost ("" when none is due).
  std::string CostDeadline(const ReviewPrecinct& p) const;
  // The deadline for requests: request_hours after the first complete release; "" before one
  // (or when the ruleset defines no review).
  std::string ReviewDeadline() const;
  // The live credential of a subject and role ("chair", "12"), if any.
  const CredentialRecord* credential_of(std::string_view role, const std::string& subject) const;

  // The answer given to the actor's submission with that id, if any.
  std::optional<Answer> answer(const Actor& actor, const std::string& submission) const;

  // The answer to `e`, the event just applied (`hash` is its hash), about precinct
  // `precinct_id` (0: none): the receipt, the precinct as it stands now and, for hotline entries,
  // whether another operator's entry agrees. A retry with the same submission id gets it again.
  Answer AnswerTo(const Event& e, const std::string& hash, int64_t precinct_id) const;

  // "not-reported", "first-reported", "final-reported", "tie-pending", "must-realign",
  // "confirmed"; disputes and findings are reported beside it.
  std::string StatusOf(int64_t id) const;
  bool Disputed(int64_t id) const;  // some campaign disputes the current revision
  static std::string StatusOf(const PrecinctRecord& record);
  // The same, as a constant that outlives every state ("not-reported", ...).
  static std::string_view StatusName(const PrecinctRecord& record);
  static bool Disputed(const PrecinctRecord& record);

  // The whole election as reported so far, for tabulation: every precinct that has reported,
  // in id order, with the checks of those same precincts (tie outcomes included).
  Election ReportedElection() const;
  std::vector<PrecinctCheck> ReportedChecks() const;
  // The same without copies, for a tabulation of the state as it stands (TabulationAreas from
  // precincts() and county_district()): ReportedElection's candidates and reports only (no
  // apportionment, no county districts), and each report's check as a pointer into its record,
  // valid while the state is.
  Election ReportedReports() const;
  // One of them: precinct `id`'s (1..precincts().size(), reported: its first alignment in).
  PrecinctReport ReportOf(int64_t id) const;
  std::vector<const PrecinctCheck*> ReportedCheckRefs() const;
  // Precinct ids in ReportedElection()'s order.
  std::vector<int64_t> ReportedIds() const;

  // The record figures not (yet) submitted would make, as a chair sees its worksheet while
  // typing: body holds any of "first", "final", "delegates" (the recorded figures fill the rest),
  // checked by the rules. Nothing is recorded. The same Rejection a submission of these figures
  // would get. (The API shows it with PrecinctRecordJson, api/precinct_json.h.)
  std::variant<PrecinctRecord, Rejection> Preview(int64_t id, const nlohmann::json& body) const;

  // The worksheet for a practice report of precinct `id`: body's "first" (required), "final" and
  // "delegates" on a blank record (what was reported for real plays no part), or the Rejection
  // the same figures would get on the night.
  std::variant<PrecinctRecord, Rejection> PracticeRecord(int64_t id,
                                                         const nlohmann::json& body) const;

  // Figures by candidate name ({"Sanders": 12}) from a per-candidate vector; zeros left out.
  nlohmann::json FiguresJson(const std::vector<Count>& figures) const;

  // Precinct `id`'s worksheet for `record` (the precinct's or a preview's), with every line and
  // note: the preview's allocation before the final alignment, after it the allocation its
  // check computed, computed again with the notes (a record's check keeps the delegates, SDEs,
  // ties and findings, not the worksheet). nullopt when the rules compute nothing.
  std::optional<Allocation> Worksheet(int64_t id, const PrecinctRecord& record) const;

 private:
  std::optional<Rejection> ApplyCreated(const Event& e);
  std::optional<Rejection> ApplyCredentialIssued(const Event& e);
  std::optional<Rejection> ApplyCredentialRevoked(const Event& e);
  std::optional<Rejection> ApplyAlignment(const Event& e, bool final);
  std::optional<Rejection> ApplyTie(const Event& e);
  std::optional<Rejection> ApplyPhoto(const Event& e);
  std::optional<Rejection> ApplyConfirmed(const Event& e);
  std::optional<Rejection> ApplyCorrected(const Event& e);
  std::optional<Rejection> ApplyHotline(const Event& e);
  std::optional<Rejection> ApplyAttestation(const Event& e);
  std::optional<Rejection> ApplyRelease(const Event& e);
  std::optional<Rejection> ApplyPolicy(const Event& e);
  std::optional<Rejection> ApplyPractice(const Event& e);
  std::optional<Rejection> ApplySessionOpened(const Event& e);
  std::optional<Rejection> ApplyEarlyVotesLoaded(const Event& e);  // early_votes.cc
  std::optional<Rejection> ApplyReviewRequested(const Event& e);   // review.cc
  std::optional<Rejection> ApplyReviewDecided(const Event& e);
  // The request named by payload["request"] and its precinct payload["precinct"].
  std::optional<Rejection> FindRequestPrecinct(const nlohmann::json& payload,
                                               ReviewRequest*& request, ReviewPrecinct*& rp);
  std::optional<Rejection> ApplyReviewCosts(const Event& e);
  std::optional<Rejection> ApplyReviewScheduled(const Event& e);
  // Refuses an entry for a precinct whose cost is due and not accepted, and parses the entry's
  // observers.
  std::optional<Rejection> CheckEntryAllowed(const Event& e, const ReviewPrecinct& rp,
                                             RecanvassEntry& entry) const;
  std::optional<Rejection> ApplyRecanvassEntered(const Event& e);
  std::optional<Rejection> ApplyRecountEntered(const Event& e);
  std::optional<Rejection> ApplyCertified(const Event& e);
  std::optional<Rejection> ApplyAnomalyOverride(const Event& e);  // holds.cc
  std::optional<Rejection> ApplyRlaStarted(const Event& e);       // rla.cc
  std::optional<Rejection> ApplyRlaSeed(const Event& e);
  std::optional<Rejection> ApplyRlaTally(const Event& e);
  std::optional<Rejection> ApplyConvention(const Event& e);  // convention.cc, every type
  // A voter's or officer's credential names a convention ("CD5", a voter's "CD5/Biden").
  std::optional<Rejection> CheckConventionSubject(const std::string& role,
                                                  const std::string& subject) const;
  // The request named by payload["request"], of `kind`, and its precinct payload["precinct"],
  // accepted by the party; for the entries of a recanvass or a recount.
  std::optional<Rejection> FindAcceptedPrecinct(const Event& e, const std::string& kind,
                                                ReviewRequest*& request, ReviewPrecinct*& rp,
                                                int64_t& id);
  // A correction that cites a recanvass entry ("recanvass": seq) must carry its figures.
  std::optional<Rejection> CheckRecanvassCorrection(const Event& e, int64_t id,
                                                    const PrecinctRecord& next) const;

  // Parses {"Name": count, ...} into a per-candidate vector.
  std::optional<Rejection> ParseFigures(const nlohmann::json& j, const std::string& field,
                                        Count max, std::vector<Count>& out) const;
  // The precinct named by payload["precinct"].
  std::optional<Rejection> FindPrecinct(const nlohmann::json& payload, int64_t& id) const;
  // The record's figures as a report, for CheckPrecinct.
  PrecinctReport ReportOf(const PrecinctApportionment& ap, const PrecinctRecord& record) const;
  // Recomputes record.check from its figures. A Rejection when the figures
  // cannot describe a caucus (the record must then not be changed: call on a copy).
  std::optional<Rejection> Recheck(int64_t id, PrecinctRecord& record) const;
  // Of `earlier` (tie outcomes recorded for other figures), those that still settle the ties
  // `record`'s figures lead to, in order: each while it names the same groups and favours as many
  // as the tie it meets; the first that does not fit ends the list.
  std::vector<TieOutcome> TiesStillSettled(int64_t id, const PrecinctRecord& record,
                                           const std::vector<TieOutcome>& earlier) const;
  void RememberAnswer(const Event& e, int64_t precinct_id);
  // Makes `record` precinct `id`'s (the one it replaces stays intact for whoever shares it).
  void Put(int64_t id, PrecinctRecord record);
  // Rechecks `next` and, when the rules accept its figures, makes it precinct `id`'s record,
  // with `e` in its history and its answer remembered. The record is unchanged otherwise.
  std::optional<Rejection> CommitRecord(const Event& e, int64_t id, PrecinctRecord next);
  // Before credential `id` is issued or changed: what it was, for Rollback().
  void LogCredential(const std::string& id);
  // Keeps a copy of the state but for what the undo record logs change by change.
  void SaveRest();
  void SwapLogged(ElectionState& other);

  struct UndoLog;  // election_state.cc
  // The undo record (BeginUndo), not copied with the state: a copy starts without one.
  struct UndoSlot {
    std::shared_ptr<UndoLog> log;
    UndoSlot() = default;
    UndoSlot(const UndoSlot&) {}
    UndoSlot& operator=(const UndoSlot&) {
      log.reset();
      return *this;
    }
    UndoSlot(UndoSlot&&) noexcept = default;
    UndoSlot& operator=(UndoSlot&&) noexcept = default;
    ~UndoSlot() = default;
  };

  bool created_ = false;
  std::string name_;
  Ruleset ruleset_;
  // Candidates, apportionment and district map (reports unused): fixed by election-created, so
  // every copy and snapshot shares it.
  std::shared_ptr<const Election> election_ = std::make_shared<const Election>();
  std::vector<std::shared_ptr<const PrecinctRecord>> records_;  // by id - 1, never null
  std::map<std::string, CredentialRecord> credentials_;
  // An answer as kept, one per accepted submission: its hash is its event's (hash_of), its
  // event type shared by all of that type.
  struct KeptAnswer {
    int64_t seq = 0;
    int64_t precinct = 0;
    const std::string* event = nullptr;
    std::string hotline;
    std::shared_ptr<const PrecinctRecord> record;
    std::shared_ptr<const PrecinctRecord> practice;
  };
  // "chair/12/5d6e..." (actor role, actor id, submission id) -> the answer given.
  std::map<std::string, KeptAnswer> answers_;
  std::string signing_key_;
  std::vector<ReleaseRecord> releases_;
  PublicationPolicy policy_;
  std::vector<ReviewRequest> reviews_;
  std::map<int64_t, RecanvassEntry> entries_;
  int64_t certified_seq_ = 0;  // the results-certified event (0: none)
  std::vector<AnomalyOverride> overrides_;
  std::optional<RlaRecord> rla_;
  std::shared_ptr<const ConventionBook> conventions_;
  int64_t finals_ = 0;         // records with a final alignment
  int64_t all_final_seq_ = 0;  // the event after which every precinct had one (0: not yet)
  // Every event's hash as 32 bytes, by seq - 1: a release names one (ledger_head). A hash that
  // is not 64 lower-case hex digits (never in a verified ledger) is kept as given in odd_hashes_.
  std::vector<std::array<uint8_t, 32>> hashes_;
  std::map<int64_t, std::string> odd_hashes_;
  UndoSlot undo_;
  int64_t seq_ = 0;
  std::string head_hash_;
  std::string first_time_;
  std::string last_time_;
  int64_t last_figures_seq_ = 0;
  int64_t records_changed_seq_ = 0;  // the last event that changed a precinct record (Put)
  std::string current_hash_;         // of the event being applied, for its answer's receipt
};

}  // namespace canvass
