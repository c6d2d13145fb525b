// The conventions' events (state/convention.h), as ElectionState applies them, and their count.
#include "state/convention.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "ledger/event_types.h"
#include "state/payload.h"

namespace canvass {

using nlohmann::json;

namespace {

using namespace state_internal;  // the appliers' shared vocabulary (state/payload.h)

constexpr std::array<std::string_view, 12> kConventionEvents = {
    event_type::kConventionCreated, event_type::kProcedurePublished,
    event_type::kProcedureWaived,   event_type::kConventionStageOpened,
    event_type::kDelegateFiled,     event_type::kFilerReviewed,
    event_type::kSlateFiled,        event_type::kConventionBallot,
    event_type::kConventionTally,   event_type::kVotingClosed,
    event_type::kConventionLots,    event_type::kVotersIssued};

constexpr int64_t kDayMillis = 24LL * 60 * 60 * 1000;
constexpr int64_t kMaxNoticeDays = 3660;
constexpr Count kMaxPoolSeats = 1000;  // the seat formulas' own bound (docs/conventions.md)

// A refusal of the actor, with its own code (ineligible-voter), still an HTTP 403.
Rejection ForbiddenAs(std::string code, std::string message) {
  return {Rejection::Kind::kForbidden, std::move(code), std::move(message), ""};
}

// An administrator, or an officer of `convention`.
bool IsOfficer(const Actor& a, const std::map<std::string, CredentialRecord>& creds,
               const std::string& convention) {
  if (IsAdmin(a, creds)) return true;
  const CredentialRecord* c = Live(a, creds, role::kOfficer);
  return c != nullptr && c->subject == convention;
}

std::string Days(int64_t millis) {
  const int64_t days = millis / kDayMillis;
  const int64_t hours = (millis % kDayMillis) / (60 * 60 * 1000);
  return fmt::format("{} day{} {} hour{}", days, days == 1 ? "" : "s", hours,
                     hours == 1 ? "" : "s");
}

std::string_view NonBinaryName(NonBinaryRule r) {
  return r == NonBinaryRule::kEitherSide ? "either" : "outside";
}

bool IsListPool(const ConventionProcedure& p) { return IsListFormula(p.formula); }

// The filers who stand in `pool`: filed, not struck by their campaign, of the pool's preference
// (a district pool: everyone), in filing order.
std::vector<const ConventionFiler*> Electable(const ConventionRecord& c,
                                              const ConventionPool& pool) {
  std::vector<const ConventionFiler*> out;
  for (const ConventionFiler& f : c.filers) {
    if (f.struck()) continue;
    if (!pool.preference.empty() && f.preference != pool.preference) continue;
    out.push_back(&f);
  }
  return out;
}

std::vector<const ConventionSlate*> SlatesOf(const ConventionRecord& c, const std::string& pool) {
  std::vector<const ConventionSlate*> out;
  for (const ConventionSlate& s : c.slates) {
    if (s.pool == pool) out.push_back(&s);
  }
  return out;
}

// The names a ballot, a tally or the lots may name in `pool`: its slates under a list formula,
// its electable filers otherwise.
std::vector<std::string> OptionNames(const ConventionRecord& c, const ConventionProcedure& p,
                                     const ConventionPool& pool) {
  std::vector<std::string> names;
  if (IsListPool(p)) {
    for (const ConventionSlate* s : SlatesOf(c, pool.name)) names.push_back(s->name);
  } else {
    for (const ConventionFiler* f : Electable(c, pool)) names.push_back(f->name);
  }
  return names;
}

std::optional<size_t> IndexOf(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<size_t>(it - names.begin());
}

std::string Listed(const std::vector<std::string>& names) {
  return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

// Parses the procedure-published payload.
std::optional<Rejection> ParseProcedure(const json& p, const std::vector<std::string>& candidates,
                                        ConventionProcedure& out) {
  auto formula_name = StringMember(p, "formula");
  if (!formula_name) {
    return Invalid("malformed-procedure", "the procedure names no seat formula", "formula");
  }
  auto formula = ParseSeatFormula(*formula_name);
  if (!formula.ok()) return Invalid("unknown-formula", formula.status().message(), "formula");
  out.formula = *formula;
  auto deadline = StringMember(p, "filing_deadline");
  if (!deadline || !LedgerTimeMillis(*deadline)) {
    return Invalid("malformed-procedure",
                   "filing_deadline is the time filing closes, \"YYYY-MM-DDTHH:MM:SS.mmmZ\"",
                   "filing_deadline");
  }
  out.filing_deadline = *deadline;
  const json* pools = Member(p, "pools");
  if (pools == nullptr || !pools->is_array() || pools->empty()) {
    return Invalid("malformed-procedure",
                   "pools lists the seats voted on together: [{\"name\", \"seats\", "
                   "\"preference\"?}]",
                   "pools");
  }
  bool district_pool = false;
  for (size_t k = 0; k < pools->size(); ++k) {
    const json& row = (*pools)[k];
    const std::string field = fmt::format("pools[{}]", k);
    ConventionPool pool;
    auto name = StringMember(row, "name");
    auto seats = IntMember(row, "seats");
    if (!name || name->empty() || name->find('/') != std::string::npos) {
      return Invalid("malformed-procedure", "a pool needs a name, without \"/\"", field + ".name");
    }
    if (!seats || *seats < 1 || *seats > kMaxPoolSeats) {
      return Invalid("malformed-procedure",
                     fmt::format("pool {} needs 1 to {} seats", *name, kMaxPoolSeats),
                     field + ".seats");
    }
    pool.name = *name;
    pool.seats = *seats;
    if (Member(row, "preference") != nullptr) {
      auto pref = StringMember(row, "preference");
      if (!pref || (*pref != kUncommitted &&
                    std::find(candidates.begin(), candidates.end(), *pref) == candidates.end())) {
        return NotFound("unknown-preference",
                        fmt::format("pool {}: the preference must be a candidate ({}) or \"{}\"",
                                    *name, Listed(candidates), kUncommitted),
                        field + ".preference");
      }
      pool.preference = *pref;
    } else {
      district_pool = true;
    }
    for (const ConventionPool& other : out.pools) {
      if (other.name == pool.name) {
        return Invalid("malformed-procedure", "pool " + pool.name + " is listed twice", field);
      }
      if (!pool.preference.empty() && other.preference == pool.preference) {
        return Invalid("malformed-procedure",
                       "two pools elect the seats of " + pool.preference + ": one per preference",
                       field + ".preference");
      }
    }
    out.pools.push_back(std::move(pool));
  }
  if (district_pool && out.pools.size() > 1) {
    return Invalid("malformed-procedure",
                   "a pool without a preference elects the district's seats: it is the only "
                   "pool, or every pool names its preference",
                   "pools");
  }
  if (out.formula == SeatFormula::kLimitedVoting) {
    auto l = IntMember(p, "votes_per_voter");
    for (const ConventionPool& pool : out.pools) {
      if (!l || *l < 1 || *l >= pool.seats) {
        return Invalid("malformed-procedure",
                       fmt::format("limited voting needs votes_per_voter from 1 to one less than "
                                   "the seats of every pool ({} has {})",
                                   pool.name, pool.seats),
                       "votes_per_voter");
      }
    }
    out.votes_per_voter = *l;
  }
  // Equal division (DNC Rule 6) is on unless the procedure says false.
  out.equal_division.enabled = true;
  if (const json* ed = Member(p, "equal_division"); ed != nullptr) {
    if (ed->is_boolean()) {
      out.equal_division.enabled = ed->get<bool>();
    } else if (ed->is_object()) {
      if (const json* v = Member(*ed, "variance"); v != nullptr) {
        if (!v->is_number_integer() || v->get<int64_t>() < 0 || v->get<int64_t>() > kMaxPoolSeats) {
          return Invalid("malformed-procedure", "equal_division.variance is a whole number >= 0",
                         "equal_division.variance");
        }
        out.equal_division.variance = v->get<int64_t>();
      }
      if (auto nb = StringMember(*ed, "non_binary")) {
        if (*nb == "either") {
          out.equal_division.non_binary = NonBinaryRule::kEitherSide;
        } else if (*nb != "outside") {
          return Invalid("malformed-procedure", "equal_division.non_binary is outside or either",
                         "equal_division.non_binary");
        }
      }
    } else {
      return Invalid("malformed-procedure",
                     "equal_division is false, or {\"variance\": 1, \"non_binary\": \"outside\"}",
                     "equal_division");
    }
  }
  out.note = StringMember(p, "note").value_or("");
  return std::nullopt;
}

// A ballot's choice as the procedure's formula reads it.
std::optional<Rejection> ParseBallot(const json& p, const ConventionProcedure& proc,
                                     const ConventionPool& pool,
                                     const std::vector<std::string>& names,
                                     ConventionPoolVotes::Ballot& ballot) {
  auto unknown = [&](const std::string& name, const char* field) {
    return NotFound("unknown-option",
                    fmt::format("\"{}\" is not on the ballot of pool {} (it holds {})", name,
                                pool.name, Listed(names)),
                    field);
  };
  if (IsListPool(proc)) {
    auto slate = StringMember(p, "slate");
    if (!slate) return Invalid("malformed-ballot", "a slate ballot names one slate", "slate");
    if (!IndexOf(names, *slate)) return unknown(*slate, "slate");
    ballot.marks[*slate] = 1;
    return std::nullopt;
  }
  if (proc.formula == SeatFormula::kStv) {
    const json* ranking = Member(p, "ranking");
    if (ranking == nullptr || !ranking->is_array() || ranking->empty()) {
      return Invalid("malformed-ballot", "an STV ballot ranks at least one candidate", "ranking");
    }
    for (const json& n : *ranking) {
      if (!n.is_string()) return Invalid("malformed-ballot", "a ranking lists names", "ranking");
      const std::string name = n.get<std::string>();
      if (!IndexOf(names, name)) return unknown(name, "ranking");
      if (std::find(ballot.ranking.begin(), ballot.ranking.end(), name) != ballot.ranking.end()) {
        return Invalid("bad-ballot", fmt::format("the ballot ranks {} twice", name), "ranking");
      }
      ballot.ranking.push_back(name);
    }
    return std::nullopt;
  }
  const json* marks = Member(p, "marks");
  if (marks == nullptr || !marks->is_object() || marks->empty()) {
    return Invalid("malformed-ballot", "the ballot gives marks: {\"name\": votes, ...}", "marks");
  }
  std::vector<Count> row(names.size(), 0);
  for (const auto& [name, v] : marks->items()) {
    auto at = IndexOf(names, name);
    if (!at) return unknown(name, "marks");
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > kMaxPoolSeats) {
      return Invalid("malformed-ballot", fmt::format("the marks for {} are a whole number", name),
                     "marks." + name);
    }
    row[*at] = v.get<int64_t>();
    ballot.marks[name] = v.get<int64_t>();
  }
  // The formula's own rule for a marked ballot (block: one per candidate and `seats` in all, ...).
  auto checked =
      TallyMarkedBallots(proc.formula, pool.seats, proc.votes_per_voter, names.size(), {row});
  if (!checked.ok()) return Invalid("bad-ballot", checked.status().message(), "marks");
  return std::nullopt;
}

}  // namespace

bool IsConventionEvent(const std::string& type) {
  return std::find(kConventionEvents.begin(), kConventionEvents.end(), type) !=
         kConventionEvents.end();
}

const ConventionPool* ConventionProcedure::pool(const std::string& name) const {
  for (const ConventionPool& p : pools) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const ConventionProcedure* ConventionRecord::procedure(int64_t seq) const {
  for (const ConventionProcedure& p : procedures) {
    if (p.seq == seq) return &p;
  }
  return nullptr;
}

const ConventionWaiver* ConventionRecord::waiver(int64_t seq) const {
  for (const ConventionWaiver& w : waivers) {
    if (w.seq == seq) return &w;
  }
  return nullptr;
}

const ConventionFiler* ConventionRecord::filer(const std::string& name) const {
  for (const ConventionFiler& f : filers) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const ConventionRecord* ConventionBook::find(const std::string& name) const {
  auto it = conventions.find(name);
  return it == conventions.end() ? nullptr : &it->second;
}

std::optional<Rejection> ElectionState::CheckConventionSubject(const std::string& role,
                                                               const std::string& subject) const {
  const std::string convention = subject.substr(0, subject.find('/'));
  if (role == role::kOfficer && convention != subject) {
    return Invalid("malformed-event", "an officer's subject is the convention's name", "subject");
  }
  if (conventions_ == nullptr || conventions_->find(convention) == nullptr) {
    return NotFound(
        "unknown-convention",
        fmt::format("there is no convention {} (convention-created comes first)", convention),
        "subject");
  }
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyConvention(const Event& e) {
  const json& p = e.payload;
  auto name = StringMember(p, "convention");
  if (!name || name->empty() || name->find('/') != std::string::npos) {
    return Invalid("malformed-event", "the event names no convention (a name without \"/\")",
                   "convention");
  }
  // Copy-on-write: the book is copied only while a snapshot (or a copy of the state) shares it,
  // so that a convention's ballots are not copied with every ballot. Nothing below changes the
  // record before the event's last refusal.
  std::shared_ptr<ConventionBook> book =
      conventions_ == nullptr         ? std::make_shared<ConventionBook>()
      : conventions_.use_count() == 1 ? std::const_pointer_cast<ConventionBook>(conventions_)
                                      : std::make_shared<ConventionBook>(*conventions_);
  auto existing = book->conventions.find(*name);
  const ConventionRecord* found = existing == book->conventions.end() ? nullptr : &existing->second;
  if (e.type == event_type::kConventionCreated) {
    if (!IsAdmin(e.actor, credentials_)) return Forbidden("only an administrator creates one");
    if (found != nullptr) {
      return Conflict("convention-exists",
                      fmt::format("convention {} was created by event {}", *name, found->seq),
                      "convention");
    }
  } else if (found == nullptr) {
    return NotFound("unknown-convention", "there is no convention " + *name, "convention");
  }
  ConventionRecord created;  // convention-created's new record
  ConventionRecord& c = found != nullptr ? existing->second : created;
  static const ConventionPoolVotes kNoVotes;
  // A pool's votes as they stand, for the refusals (nothing is inserted until the event holds).
  auto votes_of = [&](const std::string& pool) -> const ConventionPoolVotes& {
    auto it = c.votes.find(pool);
    return it == c.votes.end() ? kNoVotes : it->second;
  };
  const int64_t now = LedgerTimeMillis(e.time).value_or(0);
  const bool officer = IsOfficer(e.actor, credentials_, *name);
  const ConventionProcedure* voting_proc = c.voting ? c.procedure(c.voting->procedure) : nullptr;

  // Refusals shared by the vote's events: the pool, and that voting is open.
  auto find_pool = [&](const ConventionPool*& pool) -> std::optional<Rejection> {
    auto pool_name = StringMember(p, "pool");
    if (voting_proc == nullptr) {
      return Conflict("voting-not-open", "voting has not opened in convention " + *name);
    }
    if (!pool_name) return Invalid("malformed-event", "the event names no pool", "pool");
    pool = voting_proc->pool(*pool_name);
    if (pool == nullptr) {
      std::vector<std::string> known;
      for (const ConventionPool& x : voting_proc->pools) known.push_back(x.name);
      return NotFound("unknown-pool",
                      fmt::format("procedure {} has no pool {} (its pools: {})", voting_proc->seq,
                                  *pool_name, Listed(known)),
                      "pool");
    }
    return std::nullopt;
  };

  if (e.type == event_type::kConventionCreated) {
    auto district = StringMember(p, "district");
    if (!district || district->empty()) {
      return Invalid("malformed-event", "a convention elects the seats of a district", "district");
    }
    c.name = *name;
    c.district = *district;
    c.seq = e.seq;
    c.time = e.time;
    if (Member(p, "notice_days") != nullptr) {
      auto d = IntMember(p, "notice_days");
      if (!d || *d < 0 || *d > kMaxNoticeDays) {
        return Invalid(
            "malformed-event",
            fmt::format("notice_days is a whole number of days from 0 to {}", kMaxNoticeDays),
            "notice_days");
      }
      c.notice_days = *d;
    }
    if (Member(p, "min_approved_per_slot") != nullptr) {
      auto m = IntMember(p, "min_approved_per_slot");
      if (!m || *m < 0 || *m > 100) {
        return Invalid("malformed-event", "min_approved_per_slot is a whole number from 0 to 100",
                       "min_approved_per_slot");
      }
      c.min_approved_per_slot = *m;
    }
  } else if (e.type == event_type::kProcedurePublished) {
    if (!IsAdmin(e.actor, credentials_)) {
      return Forbidden("only an administrator publishes a convention's procedure");
    }
    if (c.voting) {
      return Conflict("voting-open",
                      fmt::format("voting opened under procedure {} (event {}); a procedure "
                                  "published now would govern no stage",
                                  c.voting->procedure, c.voting->seq));
    }
    ConventionProcedure proc;
    if (auto r = ParseProcedure(p, election_->candidates, proc)) return r;
    proc.seq = e.seq;
    proc.time = e.time;
    proc.hash = current_hash_;
    c.procedures.push_back(std::move(proc));
  } else if (e.type == event_type::kProcedureWaived) {
    if (!IsAdmin(e.actor, credentials_)) {
      return Forbidden("only an administrator waives a procedure's notice");
    }
    auto proc = IntMember(p, "procedure");
    auto stage = StringMember(p, "stage");
    auto reason = StringMember(p, "reason");
    if (!stage || (*stage != "filing" && *stage != "voting")) {
      return Invalid("malformed-event", "stage is filing or voting", "stage");
    }
    if (!reason || Blank(*reason)) {
      return Invalid("missing-reason",
                     "a waiver of the notice period states its reason; every result of the "
                     "stage shows it",
                     "reason");
    }
    if (!proc || c.procedure(*proc) == nullptr) {
      return NotFound("unknown-procedure",
                      fmt::format("convention {} has no procedure published by event {}", *name,
                                  proc.value_or(0)),
                      "procedure");
    }
    if (*proc != c.procedure()->seq) {
      return Conflict("stale-procedure",
                      fmt::format("procedure {} was replaced by procedure {}: a stage opens only "
                                  "under the procedure that stands",
                                  *proc, c.procedure()->seq),
                      "procedure");
    }
    if ((*stage == "filing" ? c.filing : c.voting).has_value()) {
      return Conflict("stage-already-open", *stage + " is already open", "stage");
    }
    for (const ConventionWaiver& w : c.waivers) {
      if (w.procedure == *proc && w.stage == *stage) {
        return Conflict("already-waived",
                        fmt::format("event {} already waived procedure {}'s notice for {}", w.seq,
                                    *proc, *stage));
      }
    }
    c.waivers.push_back({e.seq, e.time, e.actor, *proc, *stage, *reason});
  } else if (e.type == event_type::kConventionStageOpened) {
    if (!officer) return Forbidden("only the convention's officers or an administrator open it");
    auto stage = StringMember(p, "stage");
    if (!stage || (*stage != "filing" && *stage != "voting")) {
      return Invalid("malformed-event", "stage is filing or voting", "stage");
    }
    const bool voting = *stage == "voting";
    if ((voting ? c.voting : c.filing).has_value()) {
      return Conflict(
          "stage-already-open",
          fmt::format("{} opened with event {}", *stage, (voting ? c.voting : c.filing)->seq),
          "stage");
    }
    const ConventionProcedure* proc = c.procedure();
    if (proc == nullptr) {
      return Conflict("no-procedure",
                      fmt::format("convention {} has no published procedure: {} cannot open "
                                  "under rules nobody was told",
                                  *name, *stage));
    }
    if (voting && !c.filing) {
      return Conflict("filing-never-opened", "open filing before voting: nobody could file");
    }
    const ConventionProcedure* filing_proc = c.filing ? c.procedure(c.filing->procedure) : proc;
    const int64_t deadline = LedgerTimeMillis(filing_proc->filing_deadline).value_or(0);
    if (!voting && now >= deadline) {
      return Conflict("filing-deadline-passed",
                      fmt::format("procedure {}'s filing deadline ({}) has passed", proc->seq,
                                  proc->filing_deadline));
    }
    if (voting && now < deadline) {
      return Conflict("filing-still-open",
                      fmt::format("filing is open until {}; voting opens after it",
                                  filing_proc->filing_deadline));
    }
    // The notice: the procedure published at least notice_days before, or a recorded waiver.
    const int64_t published = LedgerTimeMillis(proc->time).value_or(0);
    const int64_t needed = c.notice_days * kDayMillis;
    int64_t waiver = 0;
    for (const ConventionWaiver& w : c.waivers) {
      if (w.procedure == proc->seq && w.stage == *stage) waiver = w.seq;
    }
    if (now - published < needed && waiver == 0) {
      return Conflict(
          "notice-too-short",
          fmt::format("{} cannot open under procedure {} ({}, published {}): the convention "
                      "needs {} days' notice, until {}, and only {} have passed; open it then, "
                      "or an administrator records a waiver with its reason (procedure-waived)",
                      *stage, proc->seq, SeatFormulaTitle(proc->formula), proc->time, c.notice_days,
                      LedgerTimeFromMillis(published + needed), Days(now - published)));
    }
    if (voting) {
      for (const ConventionPool& pool : proc->pools) {
        if (!pool.preference.empty() && pool.preference != kUncommitted) {
          Count approved = 0;
          for (const ConventionFiler& f : c.filers) {
            approved += f.preference == pool.preference && f.review == "approved" ? 1 : 0;
          }
          if (approved < c.min_approved_per_slot * pool.seats) {
            return Conflict(
                "too-few-approved",
                fmt::format("the {} campaign approved {} filer(s) for pool {}; its {} seat(s) "
                            "need at least {} per seat ({})",
                            pool.preference, approved, pool.name, pool.seats,
                            c.min_approved_per_slot, c.min_approved_per_slot * pool.seats));
          }
        }
        if (IsListPool(*proc)) {
          if (SlatesOf(c, pool.name).empty()) {
            return Conflict("no-slates",
                            fmt::format("pool {} votes for slates ({}) and none was filed",
                                        pool.name, SeatFormulaTitle(proc->formula)));
          }
        } else if (static_cast<Count>(Electable(c, pool).size()) < pool.seats) {
          return Conflict("too-few-candidates",
                          fmt::format("pool {} has {} seat(s) and only {} candidate(s) stand",
                                      pool.name, pool.seats, Electable(c, pool).size()));
        }
      }
    }
    (voting ? c.voting : c.filing) = ConventionStage{e.seq, e.time, proc->seq, waiver};
  } else if (e.type == event_type::kDelegateFiled) {
    if (!officer) {
      return Forbidden("the convention's officers or an administrator enter a filing");
    }
    if (!c.filing) return Conflict("filing-not-open", "filing has not opened in " + *name);
    const ConventionProcedure* proc = c.procedure(c.filing->procedure);
    if (now > LedgerTimeMillis(proc->filing_deadline).value_or(0)) {
      return Conflict("filing-deadline-passed",
                      fmt::format("filing closed at {} (procedure {}); this filing is dated {}",
                                  proc->filing_deadline, proc->seq, e.time));
    }
    ConventionFiler f;
    auto filer = StringMember(p, "name");
    auto preference = StringMember(p, "preference");
    auto gender = StringMember(p, "gender");
    auto district = StringMember(p, "district");
    auto pledge = StringMember(p, "pledge");
    if (!filer || Blank(*filer)) return Invalid("malformed-event", "the filer's name", "name");
    if (c.filer(*filer) != nullptr) {
      return Conflict("already-filed",
                      fmt::format("{} filed with event {}", *filer, c.filer(*filer)->seq), "name");
    }
    const auto& cands = election_->candidates;
    if (!preference || (*preference != kUncommitted &&
                        std::find(cands.begin(), cands.end(), *preference) == cands.end())) {
      return NotFound("unknown-preference",
                      fmt::format("a delegate candidate states a preference: one of {}, or \"{}\"",
                                  Listed(cands), kUncommitted),
                      "preference");
    }
    auto g = ParseGender(gender.value_or(""));
    if (!g.ok()) return Invalid("unknown-gender", g.status().message(), "gender");
    if (!district || *district != c.district) {
      return Invalid("wrong-district",
                     fmt::format("convention {} elects the delegates of district {}, not {}", *name,
                                 c.district, district.value_or("(none)")),
                     "district");
    }
    if (!pledge || Blank(*pledge)) {
      return Invalid("missing-pledge",
                     "a filing carries the pledge the candidate signed, as a statement", "pledge");
    }
    f.seq = e.seq;
    f.time = e.time;
    f.name = *filer;
    f.preference = *preference;
    f.gender = *g;
    f.district = *district;
    f.pledge = *pledge;
    c.filers.push_back(std::move(f));
  } else if (e.type == event_type::kFilerReviewed) {
    const CredentialRecord* campaign = Live(e.actor, credentials_, role::kCampaign);
    if (campaign == nullptr) {
      return Forbidden("the right of review is the campaigns': a campaign's code reviews");
    }
    auto filer_name = StringMember(p, "filer");
    auto decision = StringMember(p, "decision");
    auto it = std::find_if(c.filers.begin(), c.filers.end(), [&](const ConventionFiler& f) {
      return filer_name && f.name == *filer_name;
    });
    if (it == c.filers.end()) {
      return NotFound("unknown-filer",
                      fmt::format("nobody named {} filed in {}", filer_name.value_or(""), *name),
                      "filer");
    }
    if (it->preference != campaign->subject) {
      return Forbidden(
          fmt::format("{} filed pledged to {}: the {} campaign reviews only its own "
                      "filers",
                      it->name, it->preference, campaign->subject));
    }
    if (!decision || (*decision != "approved" && *decision != "struck")) {
      return Invalid("malformed-event", "decision is approved or struck", "decision");
    }
    // A strike is published with its reason: the campaign answers for it, and the filer can see
    // why she is not on the ballot.
    auto reason = StringMember(p, "reason");
    if (*decision == "struck" && (!reason || Blank(*reason))) {
      return Invalid("reason-required",
                     fmt::format("the {} campaign strikes {} with a reason; it is published with "
                                 "the review",
                                 campaign->subject, it->name),
                     "reason");
    }
    if (c.voting) {
      return Conflict("voting-open", "voting has opened: the ballot is fixed");
    }
    if (!it->review.empty()) {
      return Conflict("already-reviewed",
                      fmt::format("the {} campaign {} {} with event {}", campaign->subject,
                                  it->review, it->name, it->review_seq));
    }
    it->review = *decision;
    it->review_seq = e.seq;
    it->review_reason = reason.value_or("");
  } else if (e.type == event_type::kSlateFiled) {
    if (!officer) return Forbidden("the convention's officers or an administrator file a slate");
    if (c.voting) return Conflict("voting-open", "voting has opened: the ballot is fixed");
    const ConventionProcedure* proc = c.procedure();
    if (proc == nullptr || !IsListPool(*proc)) {
      return Conflict("not-a-slate-vote",
                      proc == nullptr ? std::string("no procedure is published")
                                      : fmt::format("procedure {} votes by {}: no slates",
                                                    proc->seq, SeatFormulaTitle(proc->formula)));
    }
    auto pool_name = StringMember(p, "pool");
    const ConventionPool* pool = pool_name ? proc->pool(*pool_name) : nullptr;
    if (pool == nullptr) {
      return NotFound(
          "unknown-pool",
          fmt::format("procedure {} has no pool {}", proc->seq, pool_name.value_or("(none)")),
          "pool");
    }
    auto slate = StringMember(p, "slate");
    const json* nominees = Member(p, "nominees");
    if (!slate || Blank(*slate)) return Invalid("malformed-event", "the slate's name", "slate");
    for (const ConventionSlate* s : SlatesOf(c, pool->name)) {
      if (s->name == *slate) {
        return Conflict(
            "duplicate-slate",
            fmt::format("slate {} was filed in pool {} by event {}", *slate, pool->name, s->seq),
            "slate");
      }
    }
    if (nominees == nullptr || !nominees->is_array() || nominees->empty()) {
      return Invalid("malformed-event", "nominees lists the slate's filers in order", "nominees");
    }
    ConventionSlate s{e.seq, pool->name, *slate, {}};
    for (const json& n : *nominees) {
      const ConventionFiler* f = n.is_string() ? c.filer(n.get<std::string>()) : nullptr;
      if (f == nullptr) {
        return NotFound("unknown-filer", "not a filer of this convention: " + n.dump(), "nominees");
      }
      if (f->struck()) {
        return Conflict("struck-filer",
                        fmt::format("the {} campaign struck {} (event {}): not electable for it",
                                    f->preference, f->name, f->review_seq),
                        "nominees");
      }
      if (!pool->preference.empty() && f->preference != pool->preference) {
        return Invalid("wrong-preference",
                       fmt::format("{} filed pledged to {}; pool {} elects {}'s seats", f->name,
                                   f->preference, pool->name, pool->preference),
                       "nominees");
      }
      if (std::find(s.nominees.begin(), s.nominees.end(), f->name) != s.nominees.end()) {
        return Invalid("malformed-event", f->name + " is on the slate twice", "nominees");
      }
      for (const ConventionSlate* other : SlatesOf(c, pool->name)) {
        if (std::find(other->nominees.begin(), other->nominees.end(), f->name) !=
            other->nominees.end()) {
          return Conflict("nominee-on-another-slate",
                          fmt::format("{} is on slate {} already", f->name, other->name),
                          "nominees");
        }
      }
      s.nominees.push_back(f->name);
    }
    c.slates.push_back(std::move(s));
  } else if (e.type == event_type::kConventionBallot) {
    const ConventionPool* pool = nullptr;
    if (auto r = find_pool(pool)) return r;
    const CredentialRecord* voter = Live(e.actor, credentials_, role::kVoter);
    if (voter == nullptr ||
        (voter->subject != *name && voter->subject != *name + "/" + pool->name)) {
      return ForbiddenAs(
          "ineligible-voter",
          voter == nullptr
              ? std::string("only a voter credentialed for the convention casts a ballot")
              : fmt::format("the credential {} votes in {}, not in pool {} of {}", voter->id,
                            voter->subject, pool->name, *name));
    }
    if (c.closed_seq != 0) {
      return Conflict("voting-closed",
                      fmt::format("voting closed at {} (event {})", c.closed_time, c.closed_seq));
    }
    const ConventionPoolVotes& votes = votes_of(pool->name);
    if (votes.tally_seq != 0) {
      return Conflict("tally-entered",
                      fmt::format("the officers entered pool {}'s tally (event {}): ballots and "
                                  "a tally are never added together",
                                  pool->name, votes.tally_seq));
    }
    // A reissued code is the same voter: any code of its chain that voted has voted for it.
    std::vector<std::string> chain = {voter->id};
    for (const CredentialRecord* at = voter;
         !at->replaces.empty() && chain.size() <= credentials_.size();) {
      auto it = credentials_.find(at->replaces);
      if (it == credentials_.end() || it->second.role != role::kVoter) break;
      at = &it->second;
      chain.push_back(at->id);
    }
    for (const std::string& id : chain) {
      if (auto cast = votes.voters.find(id); cast != votes.voters.end()) {
        return Conflict(
            "duplicate-ballot",
            id == voter->id
                ? fmt::format("credential {} has already voted in pool {} (event {})", voter->id,
                              pool->name, votes.ballots[cast->second].seq)
                : fmt::format("credential {} replaces {}, which has already voted in pool {} "
                              "(event {})",
                              voter->id, id, pool->name, votes.ballots[cast->second].seq));
      }
    }
    ConventionPoolVotes::Ballot ballot;
    ballot.seq = e.seq;
    ballot.time = e.time;
    ballot.hash = current_hash_;
    ballot.voter = voter->id;
    if (auto r = ParseBallot(p, *voting_proc, *pool, OptionNames(c, *voting_proc, *pool), ballot)) {
      return r;
    }
    ConventionPoolVotes& cast = c.votes[pool->name];
    cast.voters.emplace(voter->id, cast.ballots.size());
    cast.ballots.push_back(std::move(ballot));
  } else if (e.type == event_type::kConventionTally) {
    if (!officer) return Forbidden("the convention's officers or an administrator enter a tally");
    const ConventionPool* pool = nullptr;
    if (auto r = find_pool(pool)) return r;
    const ConventionPoolVotes& votes = votes_of(pool->name);
    if (!votes.ballots.empty()) {
      return Conflict("ballots-entered",
                      fmt::format("{} ballot(s) were cast in pool {} on the ledger: its count is "
                                  "theirs, not a tally",
                                  votes.ballots.size(), pool->name));
    }
    if (votes.tally_seq != 0) {
      return Conflict("already-tallied", fmt::format("pool {}'s tally was entered by event {}",
                                                     pool->name, votes.tally_seq));
    }
    const std::vector<std::string> names = OptionNames(c, *voting_proc, *pool);
    std::vector<RankedBallot> ranked;
    std::map<std::string, Count> tally;
    if (voting_proc->formula == SeatFormula::kStv) {
      const json* ballots = Member(p, "ballots");
      if (ballots == nullptr || !ballots->is_array() || ballots->empty()) {
        return Invalid("malformed-tally",
                       "an STV tally lists the rankings and their counts: [{\"ranking\": [...], "
                       "\"count\": n}]",
                       "ballots");
      }
      for (const json& b : *ballots) {
        ConventionPoolVotes::Ballot parsed;
        if (auto r = ParseBallot(b, *voting_proc, *pool, names, parsed)) return r;
        auto n = IntMember(b, "count");
        if (!n || *n < 1 || *n > kMaxHeadCount) {
          return Invalid("malformed-tally", "each ranking's count is a whole number from 1",
                         "ballots");
        }
        RankedBallot rb;
        for (const std::string& x : parsed.ranking) {
          rb.ranking.push_back(static_cast<uint32_t>(*IndexOf(names, x)));
        }
        rb.count = *n;
        ranked.push_back(std::move(rb));
      }
    } else {
      const json* tallies = Member(p, "tallies");
      if (tallies == nullptr || !tallies->is_object() || tallies->empty()) {
        return Invalid("malformed-tally", "tallies gives each option's votes: {\"name\": n}",
                       "tallies");
      }
      for (const auto& [option, v] : tallies->items()) {
        if (!IndexOf(names, option)) {
          return NotFound("unknown-option",
                          fmt::format("\"{}\" is not on the ballot of pool {} (it holds {})",
                                      option, pool->name, Listed(names)),
                          "tallies." + option);
        }
        if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
            v.get<int64_t>() > kMaxHeadCount * kMaxPoolSeats) {
          return Invalid("malformed-tally", "votes are whole numbers >= 0", "tallies." + option);
        }
        tally[option] = v.get<int64_t>();
      }
    }
    ConventionPoolVotes& entered = c.votes[pool->name];
    entered.tally_ballots = std::move(ranked);
    entered.tally = std::move(tally);
    entered.tally_seq = e.seq;
  } else if (e.type == event_type::kVotingClosed) {
    if (!officer) return Forbidden("the convention's officers or an administrator close voting");
    if (!c.voting) return Conflict("voting-not-open", "voting has not opened in " + *name);
    if (c.closed_seq != 0) {
      return Conflict("voting-closed",
                      fmt::format("voting closed at {} (event {})", c.closed_time, c.closed_seq));
    }
    c.closed_seq = e.seq;
    c.closed_time = e.time;
  } else if (e.type == event_type::kConventionLots) {
    if (!officer) return Forbidden("the convention's officers or an administrator record lots");
    const ConventionPool* pool = nullptr;
    if (auto r = find_pool(pool)) return r;
    const ConventionPoolVotes& votes = votes_of(pool->name);
    if (votes.lots_seq != 0) {
      return Conflict("lots-already-drawn", fmt::format("pool {}'s lots were recorded by event {}",
                                                        pool->name, votes.lots_seq));
    }
    const json* order = Member(p, "order");
    if (order == nullptr || !order->is_array() || order->empty()) {
      return Invalid("malformed-event", "order lists the options in the order they were drawn",
                     "order");
    }
    const std::vector<std::string> names = OptionNames(c, *voting_proc, *pool);
    std::vector<std::string> drawn;
    for (const json& n : *order) {
      const std::string option = n.is_string() ? n.get<std::string>() : n.dump();
      if (!IndexOf(names, option)) {
        return NotFound("unknown-option",
                        fmt::format("\"{}\" is not on the ballot of pool {} (it holds {})", option,
                                    pool->name, Listed(names)),
                        "order");
      }
      if (std::find(drawn.begin(), drawn.end(), option) != drawn.end()) {
        return Invalid("malformed-event", option + " is drawn twice", "order");
      }
      drawn.push_back(option);
    }
    ConventionPoolVotes& drawing = c.votes[pool->name];
    drawing.lots = std::move(drawn);
    drawing.lots_seq = e.seq;
  } else if (e.type == event_type::kVotersIssued) {
    if (!officer) {
      return Forbidden("the convention's officers or an administrator issue voters' codes");
    }
    if (c.closed_seq != 0) {
      return Conflict("voting-closed",
                      fmt::format("voting closed at {} (event {})", c.closed_time, c.closed_seq));
    }
    std::string subject = *name;
    std::string pool_name;
    if (Member(p, "pool") != nullptr) {
      // The pools are the procedure's: the one voting opened under, else the one standing (no
      // procedure is published after voting opens, so they are the same).
      const ConventionProcedure* proc = voting_proc != nullptr ? voting_proc : c.procedure();
      if (proc == nullptr) {
        return Conflict("no-procedure",
                        fmt::format("convention {} has no published procedure: it has no pools "
                                    "yet (issue codes for the whole convention, or publish it)",
                                    *name),
                        "pool");
      }
      auto pool = StringMember(p, "pool");
      if (!pool || proc->pool(*pool) == nullptr) {
        std::vector<std::string> known;
        for (const ConventionPool& x : proc->pools) known.push_back(x.name);
        return NotFound("unknown-pool",
                        fmt::format("procedure {} has no pool {} (its pools: {})", proc->seq,
                                    pool ? *pool : Member(p, "pool")->dump(), Listed(known)),
                        "pool");
      }
      pool_name = *pool;
      subject += "/" + *pool;
    }
    const json* voters = Member(p, "voters");
    if (voters == nullptr || !voters->is_array() || voters->empty() ||
        static_cast<int64_t>(voters->size()) > kMaxVotersPerIssue) {
      return Invalid("malformed-event",
                     fmt::format("voters lists 1 to {} codes: [{{\"credential\", \"hash\"}}]",
                                 kMaxVotersPerIssue),
                     "voters");
    }
    std::vector<std::pair<std::string, std::string>> issued;  // id, hash
    std::set<std::string> ids;
    for (size_t k = 0; k < voters->size(); ++k) {
      const json& row = (*voters)[k];
      auto id = StringMember(row, "credential");
      auto hash = StringMember(row, "hash");
      if (!id || id->size() != 4) {
        return Invalid("malformed-event", "a credential id has 4 characters",
                       fmt::format("voters[{}].credential", k));
      }
      if (credentials_.count(*id) != 0 || !ids.insert(*id).second) {
        return Conflict("duplicate-credential", "credential id " + *id + " is taken",
                        fmt::format("voters[{}].credential", k));
      }
      if (!hash || hash->rfind("$argon2id$", 0) != 0) {
        return Invalid("malformed-event", "only Argon2id hashes are stored",
                       fmt::format("voters[{}].hash", k));
      }
      issued.emplace_back(*id, *hash);
    }
    ConventionRoll roll{e.seq, e.time, e.actor, pool_name, {}};
    for (auto& [id, hash] : issued) {
      roll.credentials.push_back(id);
      LogCredential(id);  // undone with the batch if its commit fails
      credentials_[id] = CredentialRecord{
          id, std::string(role::kVoter), subject, std::move(hash), false, e.seq, 0, {}};
    }
    c.rolls.push_back(std::move(roll));
  }
  if (found == nullptr) book->conventions.emplace(*name, std::move(created));
  conventions_ = std::move(book);
  RememberAnswer(e, 0);
  return std::nullopt;
}

// --- the count ------------------------------------------------------------------------------

namespace {

// What CountConvention is given for `name`: the options, the vote, the lots.
Result<ConventionCount> PoolCount(const ConventionRecord& c, const std::string& name) {
  const ConventionProcedure* proc = c.voting ? c.procedure(c.voting->procedure) : nullptr;
  if (proc == nullptr) {
    return Status::FailedPrecondition("voting has not opened in convention " + c.name);
  }
  const ConventionPool* pool = proc->pool(name);
  if (pool == nullptr) {
    return Status::NotFound(fmt::format("procedure {} has no pool {}", proc->seq, name));
  }
  ConventionCount count;
  count.formula = proc->formula;
  count.seats = pool->seats;
  count.votes_per_voter = proc->votes_per_voter;
  count.equal_division = proc->equal_division;
  const std::vector<std::string> names = OptionNames(c, *proc, *pool);
  if (IsListPool(*proc)) {
    for (const ConventionSlate* s : SlatesOf(c, pool->name)) {
      ConventionOption option;
      option.name = s->name;
      for (const std::string& n : s->nominees) {
        const ConventionFiler* f = c.filer(n);
        if (f == nullptr || f->struck()) continue;  // never elected for the campaign
        option.nominees.push_back({f->name, f->gender});
      }
      count.options.push_back(std::move(option));
    }
  } else {
    for (const ConventionFiler* f : Electable(c, *pool)) {
      ConventionOption option;
      option.name = f->name;
      option.gender = f->gender;
      option.group = f->preference;
      count.options.push_back(std::move(option));
    }
  }
  auto it = c.votes.find(pool->name);
  static const ConventionPoolVotes kNone;
  const ConventionPoolVotes& votes = it == c.votes.end() ? kNone : it->second;
  if (votes.tally_seq == 0 && votes.ballots.empty()) {
    return Status::InvalidArgument(fmt::format("pool {} has no ballots and no tally yet", name));
  }
  if (proc->formula == SeatFormula::kStv) {
    if (votes.tally_seq != 0) {
      count.ballots = votes.tally_ballots;
    } else {
      for (const ConventionPoolVotes::Ballot& b : votes.ballots) {
        RankedBallot rb;
        for (const std::string& x : b.ranking) {
          rb.ranking.push_back(static_cast<uint32_t>(*IndexOf(names, x)));
        }
        count.ballots.push_back(std::move(rb));
      }
    }
  } else if (votes.tally_seq != 0) {
    count.tallies.assign(names.size(), 0);
    for (const auto& [option, n] : votes.tally) count.tallies[*IndexOf(names, option)] = n;
  } else if (IsListPool(*proc)) {
    count.tallies.assign(names.size(), 0);
    for (const ConventionPoolVotes::Ballot& b : votes.ballots) {
      for (const auto& [option, n] : b.marks) count.tallies[*IndexOf(names, option)] += n;
    }
  } else {
    std::vector<std::vector<Count>> rows;
    for (const ConventionPoolVotes::Ballot& b : votes.ballots) {
      std::vector<Count> row(names.size(), 0);
      for (const auto& [option, n] : b.marks) row[*IndexOf(names, option)] = n;
      rows.push_back(std::move(row));
    }
    auto tallies =
        TallyMarkedBallots(proc->formula, pool->seats, proc->votes_per_voter, names.size(), rows);
    if (!tallies.ok()) return tallies.status();
    count.tallies = std::move(tallies).value();
  }
  for (const std::string& x : votes.lots) {
    count.lots.push_back(static_cast<uint32_t>(*IndexOf(names, x)));
  }
  return count;
}

}  // namespace

Result<ConventionResult> CountConventionPool(const ConventionRecord& c, const std::string& name) {
  auto count = PoolCount(c, name);
  if (!count.ok()) return count.status();
  return CountConvention(*count);
}

namespace {

json WaiverJson(const ConventionWaiver& w) {
  return {{"seq", w.seq},
          {"time", w.time},
          {"procedure", w.procedure},
          {"stage", w.stage},
          {"by", w.actor.role + "/" + w.actor.id},
          {"reason", w.reason}};
}

json ProcedureJson(const ConventionProcedure& p) {
  json pools = json::array();
  for (const ConventionPool& pool : p.pools) {
    json j = {{"name", pool.name}, {"seats", pool.seats}};
    if (!pool.preference.empty()) j["preference"] = pool.preference;
    pools.push_back(std::move(j));
  }
  json j = {{"seq", p.seq},
            {"time", p.time},
            {"hash", p.hash},
            {"formula", SeatFormulaName(p.formula)},
            {"title", SeatFormulaTitle(p.formula)},
            {"pools", std::move(pools)},
            {"filing_deadline", p.filing_deadline}};
  if (p.formula == SeatFormula::kLimitedVoting) j["votes_per_voter"] = p.votes_per_voter;
  j["equal_division"] = p.equal_division.enabled
                            ? json{{"variance", p.equal_division.variance},
                                   {"non_binary", NonBinaryName(p.equal_division.non_binary)}}
                            : json(false);
  if (!p.note.empty()) j["note"] = p.note;
  return j;
}

json StageJson(const ConventionRecord& c, const std::optional<ConventionStage>& s) {
  if (!s) return nullptr;
  json j = {{"seq", s->seq}, {"time", s->time}, {"procedure", s->procedure}};
  if (const ConventionWaiver* w = c.waiver(s->waiver)) j["waiver"] = WaiverJson(*w);
  return j;
}

}  // namespace

json ConventionPoolJson(const ConventionRecord& c, const std::string& pool_name) {
  json j = {{"convention", c.name}, {"district", c.district}, {"pool", pool_name}};
  const ConventionProcedure* proc = c.voting ? c.procedure(c.voting->procedure) : nullptr;
  if (proc == nullptr) {
    j["status"] = "not-open";
    j["message"] = "voting has not opened";
    return j;
  }
  const ConventionPool* pool = proc->pool(pool_name);
  if (pool == nullptr) {
    j["status"] = "unknown-pool";
    j["message"] = fmt::format("procedure {} has no pool {}", proc->seq, pool_name);
    return j;
  }
  j["formula"] = SeatFormulaName(proc->formula);
  j["title"] = SeatFormulaTitle(proc->formula);
  j["seats"] = pool->seats;
  if (!pool->preference.empty()) j["preference"] = pool->preference;
  const Rational sweep = SweepShare(proc->formula, pool->seats, proc->votes_per_voter);
  j["sweep_share"] = sweep.ToString();
  j["sweep"] = SweepSentence(proc->formula, pool->seats, proc->votes_per_voter);
  j["procedure"] = {{"seq", proc->seq}, {"time", proc->time}, {"hash", proc->hash}};
  // Every waiver that let a stage of this vote open early is shown with every result.
  json waivers = json::array();
  for (const ConventionWaiver& w : c.waivers) {
    if ((c.voting && w.seq == c.voting->waiver) || (c.filing && w.seq == c.filing->waiver)) {
      waivers.push_back(WaiverJson(w));
    }
  }
  j["waivers"] = std::move(waivers);
  auto it = c.votes.find(pool_name);
  if (it != c.votes.end() && it->second.tally_seq != 0) {
    j["source"] = {{"tally", it->second.tally_seq}};
  } else {
    j["source"] = {{"ballots", it == c.votes.end() ? 0 : it->second.ballots.size()}};
  }
  if (it != c.votes.end() && it->second.lots_seq != 0) {
    j["lots"] = {{"seq", it->second.lots_seq}, {"order", it->second.lots}};
  }
  auto count = PoolCount(c, pool_name);
  auto result = count.ok() ? CountConvention(*count) : Result<ConventionResult>(count.status());
  if (!result.ok()) {
    const bool lots = result.status().code() == Status::Code::kFailedPrecondition;
    j["status"] = lots ? "needs-lots" : "no-votes";
    j["message"] = result.status().message();
    if (lots && count.ok()) {
      // The options the drawing must order: every tie a count meets when a lot is drawn for
      // each of them (here in ballot order, only to find the ties; the officers draw the real
      // order).
      ConventionCount probe = *count;
      probe.lots.clear();
      for (size_t k = 0; k < count->options.size(); ++k) {
        probe.lots.push_back(static_cast<uint32_t>(k));
      }
      std::vector<std::string> tied;
      if (auto settled = CountConvention(probe); settled.ok()) {
        const std::vector<std::string> names = OptionNames(c, *proc, *pool);
        for (const TieDecision& t : settled->ties) {
          for (uint32_t k : t.tied) {
            if (std::find(tied.begin(), tied.end(), names[k]) == tied.end()) {
              tied.push_back(names[k]);
            }
          }
        }
      }
      j["tied"] = tied;
    }
    return j;
  }
  j["status"] = c.closed_seq != 0 ? "final" : "provisional";
  const std::vector<std::string> names = OptionNames(c, *proc, *pool);
  // The vote, per option, as the formula counted it (first preferences under STV).
  json votes = json::object();
  std::vector<Count> first(names.size(), 0);
  for (const RankedBallot& b : count->ballots) {
    if (!b.ranking.empty()) first[b.ranking.front()] += b.count;
  }
  for (size_t k = 0; k < names.size(); ++k) {
    votes[names[k]] = proc->formula == SeatFormula::kStv ? first[k] : count->tallies[k];
  }
  j["votes"] = std::move(votes);
  json won = json::object();
  for (size_t k = 0; k < names.size() && k < result->won.size(); ++k)
    won[names[k]] = result->won[k];
  j["won"] = std::move(won);
  json elected = json::array();
  for (const Delegate& d : result->delegates) {
    json x = {{"name", d.name}, {"option", names[d.option]}};
    if (const ConventionFiler* f = c.filer(d.name)) x["preference"] = f->preference;
    if (d.gender) x["gender"] = GenderName(*d.gender);
    if (d.swapped_in) x["swapped_in"] = true;
    elected.push_back(std::move(x));
  }
  j["elected"] = std::move(elected);
  if (!result->quota.is_zero()) j["quota"] = result->quota.ToString();
  json ties = json::array();
  for (const TieDecision& t : result->ties) {
    std::vector<std::string> tied, favoured;
    for (uint32_t k : t.tied) tied.push_back(names[k]);
    for (uint32_t k : t.favoured) favoured.push_back(names[k]);
    ties.push_back({{"what", t.what}, {"tied", tied}, {"favoured", favoured}});
  }
  j["ties"] = std::move(ties);
  if (proc->equal_division.enabled) {
    j["equal_division"] = {{"balanced", result->balanced},
                           {"women", result->women},
                           {"men", result->men},
                           {"non_binary", result->non_binary},
                           {"variance", proc->equal_division.variance},
                           {"swaps", result->swaps}};
  } else {
    j["equal_division"] = false;
  }
  json dnc = {{"method", "DNC Hare largest remainder, 15% threshold"},
              {"complete", result->dnc_complete}};
  json groups = json::object();
  for (size_t k = 0; k < result->dnc_groups.size(); ++k) {
    groups[result->dnc_groups[k]] = {{"votes", result->dnc_votes[k].ToString()},
                                     {"seats", result->dnc_seats[k]}};
  }
  dnc["groups"] = std::move(groups);
  j["dnc"] = std::move(dnc);
  if (!result->notes.empty()) j["notes"] = result->notes;
  return j;
}

json ConventionJson(const ConventionRecord& c) {
  json procedures = json::array();
  for (const ConventionProcedure& p : c.procedures) procedures.push_back(ProcedureJson(p));
  json waivers = json::array();
  for (const ConventionWaiver& w : c.waivers) waivers.push_back(WaiverJson(w));
  json filers = json::array();
  for (const ConventionFiler& f : c.filers) {
    json x = {{"seq", f.seq},
              {"time", f.time},
              {"name", f.name},
              {"preference", f.preference},
              {"gender", GenderName(f.gender)},
              {"district", f.district},
              {"pledge", f.pledge},
              {"review", f.review.empty() ? "not-reviewed" : f.review}};
    if (f.review_seq != 0) x["review_seq"] = f.review_seq;
    if (!f.review_reason.empty()) x["review_reason"] = f.review_reason;
    filers.push_back(std::move(x));
  }
  json slates = json::array();
  for (const ConventionSlate& s : c.slates) {
    slates.push_back(
        {{"seq", s.seq}, {"pool", s.pool}, {"slate", s.name}, {"nominees", s.nominees}});
  }
  json j = {{"convention", c.name},
            {"district", c.district},
            {"seq", c.seq},
            {"notice_days", c.notice_days},
            {"min_approved_per_slot", c.min_approved_per_slot},
            {"procedures", std::move(procedures)},
            {"waivers", std::move(waivers)},
            {"filing", StageJson(c, c.filing)},
            {"voting", StageJson(c, c.voting)},
            {"closed", c.closed_seq != 0 ? json{{"seq", c.closed_seq}, {"time", c.closed_time}}
                                         : json(nullptr)},
            {"filers", std::move(filers)},
            {"slates", std::move(slates)}};
  json rolls = json::array();
  for (const ConventionRoll& r : c.rolls) {
    rolls.push_back({{"seq", r.seq},
                     {"time", r.time},
                     {"by", r.actor.role + "/" + r.actor.id},
                     {"pool", r.pool.empty() ? json(nullptr) : json(r.pool)},
                     {"count", r.credentials.size()}});
  }
  j["voter_roll"] = std::move(rolls);
  json pools = json::array();
  if (const ConventionProcedure* proc = c.voting ? c.procedure(c.voting->procedure) : nullptr) {
    for (const ConventionPool& pool : proc->pools) {
      pools.push_back(ConventionPoolJson(c, pool.name));
    }
  }
  j["results"] = std::move(pools);
  return j;
}

json VoterBallotsJson(const ConventionRecord& c, const std::string& credential,
                      const std::string& subject) {
  const size_t slash = subject.find('/');
  json j = {{"convention", c.name}, {"credential", credential}};
  j["pool"] = slash == std::string::npos ? json(nullptr) : json(subject.substr(slash + 1));
  // The pools it votes in: its own, or every pool of the procedure voting opened under (before
  // voting opens, the one standing).
  std::vector<std::string> names;
  if (slash != std::string::npos) {
    names.push_back(subject.substr(slash + 1));
  } else if (const ConventionProcedure* proc =
                 c.voting ? c.procedure(c.voting->procedure) : c.procedure()) {
    for (const ConventionPool& pool : proc->pools) names.push_back(pool.name);
  }
  json pools = json::array();
  bool any = false;
  for (const std::string& name : names) {
    json row = {{"pool", name}, {"voted", false}};
    auto votes = c.votes.find(name);
    if (votes != c.votes.end()) {
      if (auto cast = votes->second.voters.find(credential); cast != votes->second.voters.end()) {
        const ConventionPoolVotes::Ballot& b = votes->second.ballots[cast->second];
        row["voted"] = true;
        row["ballot"] = {{"seq", b.seq}, {"time", b.time}, {"hash", b.hash}};
        any = true;
      }
    }
    pools.push_back(std::move(row));
  }
  j["voted"] = any;
  j["pools"] = std::move(pools);
  j["voting"] = c.voting ? (c.closed_seq != 0 ? "closed" : "open") : "not-open";
  return j;
}

}  // namespace canvass
