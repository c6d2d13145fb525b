// The risk-limiting audit on the ledger: rla-started, rla-seed and rla-tally, as ElectionState
// applies them (docs/audit.md "The audit on the ledger").
//
// The state keeps what the audit stands on: the outcome it audits (the reported results frozen at
// rla-started), the public seed entered after them, and the board's tallies. Which precincts the
// seed draws, the bounds and the risk measured are the audit stage's (src/audit/rla_ledger.h), a
// pure function of this record: a tally for a precinct the seed has not drawn is refused there,
// before it is appended, and `ledger verify` runs the same function over the replayed record.
#include <fmt/format.h>

#include "state/election_state.h"
#include "state/payload.h"

namespace canvass {

using nlohmann::json;

namespace {

using namespace state_internal;  // the appliers' shared vocabulary (state/payload.h)

constexpr size_t kMaxSeedBytes = 256;

}  // namespace

const RlaTallyRecord* RlaRecord::tally(int64_t precinct) const {
  for (const RlaTallyRecord& t : tallies) {
    if (t.precinct == precinct) return &t;
  }
  return nullptr;
}

std::optional<Rejection> ElectionState::ApplyRlaStarted(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only the party (an administrator) starts the risk-limiting audit");
  }
  if (rla_) {
    return Conflict("audit-started", fmt::format("the risk-limiting audit was started by event {}",
                                                 rla_->start_seq));
  }
  // The audit audits the whole reported outcome. A precinct that has not reported, or has no
  // final alignment (its report refused by the rules, say), has no SDEs to bound: the audit then
  // says "full hand count", naming it (src/audit/rla_ledger.cc). With nothing reported there is
  // nothing to audit.
  if (ReportedIds().empty()) {
    return Conflict("results-not-committed",
                    "no precinct has reported: there is no outcome to audit yet");
  }
  auto risk = StringMember(e.payload, "risk_limit");
  if (!risk) {
    return Invalid("risk-limit-required",
                   "give the risk limit in percent, as a string (\"5\" for 5%)", "risk_limit");
  }
  auto pct = Rational::Parse(*risk);
  if (!pct.ok() || *pct <= Rational(0) || *pct >= Rational(100) ||
      pct->den() > 1'000'000) {  // at most six decimal places of a percent
    return Invalid("bad-risk-limit",
                   fmt::format("risk limit \"{}\": a percentage above 0 and below 100", *risk),
                   "risk_limit");
  }
  RlaRecord r;
  r.start_seq = e.seq;
  r.start_time = e.time;
  r.risk_limit = *risk;
  r.committed_head = head_hash_;
  r.election = std::make_shared<const Election>(ReportedElection());
  r.checks = std::make_shared<const std::vector<PrecinctCheck>>(ReportedChecks());
  r.ids = ReportedIds();
  rla_ = std::move(r);
  RememberAnswer(e, 0);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyRlaSeed(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only the party (an administrator) enters the audit's seed");
  }
  if (!rla_) {
    return Conflict("audit-not-started",
                    "start the audit (rla-started) first: the seed must come after the results "
                    "it samples are committed to the ledger");
  }
  if (rla_->seed_seq != 0) {
    return Conflict("seed-entered",
                    fmt::format("the seed was entered by event {}; a second seed would let "
                                "someone choose the sample",
                                rla_->seed_seq),
                    "seed");
  }
  auto seed = StringMember(e.payload, "seed");
  if (!seed || Blank(*seed)) {
    return Invalid("seed-required",
                   "give the public seed (for example the digits of twenty dice rolled in public)",
                   "seed");
  }
  if (seed->size() > kMaxSeedBytes) {
    return Invalid("seed-too-long", fmt::format("a seed has at most {} bytes", kMaxSeedBytes),
                   "seed");
  }
  for (unsigned char c : *seed) {
    if (c < 0x20 || c == 0x7f) {
      return Invalid("bad-seed", "a seed is printable text, without control characters", "seed");
    }
  }
  rla_->seed_seq = e.seq;
  rla_->seed_time = e.time;
  rla_->seed = *seed;
  RememberAnswer(e, 0);
  return std::nullopt;
}

std::optional<Rejection> ElectionState::ApplyRlaTally(const Event& e) {
  if (!IsAdmin(e.actor, credentials_)) {
    return Forbidden("only the party's administrators enter the audit's tallies");
  }
  if (!rla_ || rla_->seed_seq == 0) {
    return Conflict(rla_ ? "no-seed" : "audit-not-started",
                    "a tally comes after the audit's seed: the seed decides which precincts are "
                    "audited");
  }
  int64_t id = 0;
  if (auto r = FindPrecinct(e.payload, id)) return r;
  if (const RlaTallyRecord* t = rla_->tally(id)) {
    return Conflict("already-tallied",
                    fmt::format("precinct {} was tallied by event {}", id, t->seq), "precinct");
  }
  const PrecinctApportionment& ap = election_->apportionment[static_cast<size_t>(id - 1)];
  RlaTallyRecord t;
  t.seq = e.seq;
  t.time = e.time;
  t.actor = e.actor;
  t.precinct = id;
  if (auto photo = StringMember(e.payload, "photo")) {
    if (photo->size() != 64 || photo->find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Invalid("bad-photo", "photo is the SHA-256 (64 hex digits) of the tally sheet",
                     "photo");
    }
    t.photo = *photo;
  }
  if (const json* u = Member(e.payload, "unauditable"); u != nullptr && *u == true) {
    auto custody = StringMember(e.payload, "custody");
    if (!custody || Blank(*custody)) {
      return Invalid("custody-required",
                     "say what is missing (\"packet not found\", \"12 cards short\")", "custody");
    }
    if (Member(e.payload, "delegates") || Member(e.payload, "first") ||
        Member(e.payload, "final")) {
      return Invalid("unauditable-with-figures",
                     "an unauditable precinct has no audited figures: give them, or unauditable",
                     "unauditable");
    }
    t.unauditable = true;
    t.custody = *custody;
  } else {
    // The cards' sorts: the engine gives the delegates, as for a recount.
    const json* first = Member(e.payload, "first");
    const json* final = Member(e.payload, "final");
    if ((first == nullptr) != (final == nullptr)) {
      return Invalid("sorts-required", "give both sorts of the cards (first and final), or neither",
                     first == nullptr ? "first" : "final");
    }
    std::optional<std::vector<Count>> rules_delegates;
    if (first != nullptr) {
      std::vector<Count> f, g;
      if (auto r = ParseFigures(*first, "first", kMaxHeadCount, f)) return r;
      if (auto r = ParseFigures(*final, "final", kMaxHeadCount, g)) return r;
      if (auto cards = IntMember(e.payload, "cards")) {
        Count sorted = 0;
        for (Count c : f) sorted += c;
        if (*cards != sorted) {
          return Invalid(
              "cards-differ",
              fmt::format("the first sort holds {} cards, but {} were counted", sorted, *cards),
              "first");
        }
        t.cards = *cards;
      }
      const PrecinctRecord& record = *records_[static_cast<size_t>(id - 1)];
      PrecinctRecord counted = record;
      counted.first = f;
      counted.final = g;
      counted.delegates.reset();
      counted.ties = TiesStillSettled(id, counted, record.ties);
      if (auto r = Recheck(id, counted)) {
        r->message = "the sorted cards cannot describe a caucus: " + r->message;
        return r;
      }
      if (counted.check->computed && counted.check->computed->complete()) {
        rules_delegates = counted.check->computed->delegates;
      }
      t.first = std::move(f);
      t.final = std::move(g);
    }
    if (const json* d = Member(e.payload, "delegates")) {
      if (auto r = ParseFigures(*d, "delegates", kMaxDelegates, t.delegates)) return r;
      if (rules_delegates && *rules_delegates != t.delegates) {
        return Invalid("delegates-differ",
                       "the delegates are not what the rules give the sorted cards: leave them "
                       "out and the engine computes them",
                       "delegates");
      }
    } else if (rules_delegates) {
      t.delegates = *rules_delegates;
    } else {
      return Invalid("figures-required",
                     first == nullptr
                         ? "give the audited figures: the cards' sorts (first, final), the "
                           "delegates, or unauditable with the custody"
                         : "the sorted cards leave a tie the rules settle by lot: give the "
                           "delegates as the lot fell",
                     "delegates");
    }
    Count total = 0;
    for (Count c : t.delegates) total += c;
    if (!ap.satellite && ap.delegates && total != *ap.delegates) {
      return Invalid("delegates-total",
                     fmt::format("the audited delegates add up to {}, but {} elects {}", total,
                                 ap.precinct, *ap.delegates),
                     "delegates");
    }
  }
  rla_->tallies.push_back(std::move(t));
  RememberAnswer(e, 0);
  return std::nullopt;
}

}  // namespace canvass
