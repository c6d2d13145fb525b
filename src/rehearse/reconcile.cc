// The rehearsal's reconciliation (rehearse/reconcile.h).
//
// Three independent looks at the bytes, so that one damaged input does not hide what the others
// show: the release against the expected precincts, the ledger's chain and replay, and the
// acknowledged submissions against the ledger's events. The ledger's events are indexed by seq
// from the replay (and, past a break in the chain, from whatever lines still decode), so that an
// altered line is reported once, as a chain problem, and the acknowledgements around it are still
// looked up.
//
// Two things the server does legitimately that a naive count would call a loss or a duplicate:
// - When a second operator's hotline entry agrees with a first one, the writer appends the
//   alignment report itself, carrying the second operator's submission id. Both the entry and the
//   report name that id (with different types), and the operator's answer, hence its receipt,
//   is the report's: seq and event type of the report, not of the entry.
// - Idempotency is per actor: the same submission id from two actors is two submissions (a photo
//   sent without an id gets "photo-<precinct>-<sha256>", so a chair and an operator sending the
//   same photo write two events with one id). Written twice means twice by the same actor.
#include "rehearse/reconcile.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "core/json_text.h"
#include "ledger/chain.h"
#include "ledger/event.h"
#include "ledger/event_types.h"
#include "state/election_state.h"
#include "state/replay.h"

namespace canvass::rehearse {

using nlohmann::json;

namespace {

constexpr size_t kMaxProblems = 20;

// The problem lines: the first kMaxProblems, and how many more there were.
class Problems {
 public:
  explicit Problems(std::vector<std::string>& out) : out_(out) {}
  void Add(std::string line) {
    if (out_.size() < kMaxProblems) {
      out_.push_back(std::move(line));
    } else {
      ++omitted_;
    }
  }
  void Finish() {
    if (omitted_ > 0) out_.push_back(fmt::format("... and {} more problems", omitted_));
  }

 private:
  std::vector<std::string>& out_;
  int64_t omitted_ = 0;
};

// What reconciliation needs of one ledger event.
struct LedgerEvent {
  std::string type;
  std::string actor;  // "role id"
  std::string submission;
  bool has_submission = false;
  int64_t precinct = 0;  // 0: none
  std::string sha256;    // photo-attached
  std::vector<int64_t> hotline_entries;
  std::string cards_hash;  // early-votes-loaded
  int64_t cards = 0;
};

std::optional<int64_t> IntOf(const json& j) {
  if (j.is_number_unsigned()) {
    if (j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<int64_t>(j.get<uint64_t>());
  }
  if (j.is_number_integer()) return j.get<int64_t>();
  return std::nullopt;
}

const json* MemberOf(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

LedgerEvent Summarize(const Event& e) {
  LedgerEvent out;
  out.type = e.type;
  out.actor = e.actor.role + " " + e.actor.id;
  if (const json* s = MemberOf(e.payload, "submission"); s != nullptr && s->is_string()) {
    out.submission = s->get<std::string>();
    out.has_submission = true;
  }
  if (const json* p = MemberOf(e.payload, "precinct")) out.precinct = IntOf(*p).value_or(0);
  if (const json* h = MemberOf(e.payload, "sha256"); h != nullptr && h->is_string()) {
    out.sha256 = h->get<std::string>();
  }
  if (e.type == event_type::kEarlyVotesLoaded) {
    if (const json* h = MemberOf(e.payload, "hash"); h != nullptr && h->is_string()) {
      out.cards_hash = h->get<std::string>();
    }
    if (const json* c = MemberOf(e.payload, "cards"); c != nullptr && c->is_array()) {
      out.cards = static_cast<int64_t>(c->size());
    }
  }
  if (const json* h = MemberOf(e.payload, "hotline_entries"); h != nullptr && h->is_array()) {
    for (const json& s : *h) {
      if (auto v = IntOf(s)) out.hotline_entries.push_back(*v);
    }
  }
  return out;
}

// One precinct of release-N.json, as far as reconciliation reads it.
struct ReleasePrecinct {
  int64_t id = 0;
  std::string county;
  std::string precinct;
  std::string status;
  int64_t revision = 0;
  json first;  // null: absent
  json final;
  json delegates;
  json computed_delegates;  // computed.delegates; null: absent
  bool held = false;        // flags.held: the anomaly gate holds it out of every figure
};

struct ParsedRelease {
  bool ok = false;
  int64_t number = 0;
  int64_t ledger_seq = 0;
  std::string ledger_head;
  int64_t precincts = 0;
  std::map<int64_t, ReleasePrecinct> by_id;
};

// A figures object with its zero counts left out (the release's form); null stays null.
json WithoutZeros(const json& figures) {
  if (!figures.is_object()) return figures;
  json out = json::object();
  for (const auto& [name, count] : figures.items()) {
    if (IntOf(count) != std::optional<int64_t>(0)) out[name] = count;
  }
  return out;
}

// Checks that `j` is absent, null or an object of integer counts. Returns what is wrong.
std::optional<std::string> FiguresProblem(const json* j) {
  if (j == nullptr || j->is_null()) return std::nullopt;
  if (!j->is_object()) return std::string("is not an object");
  for (const auto& [name, count] : j->items()) {
    if (!IntOf(count) || *IntOf(count) < 0) {
      return fmt::format("counts {} for {}, not a whole number", count.dump(), name);
    }
  }
  return std::nullopt;
}

ParsedRelease ParseRelease(const std::string& bytes, const std::string& records,
                           Problems& problems) {
  ParsedRelease rel;
  const json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded()) {
    problems.Add(fmt::format("release: not JSON ({} bytes)", bytes.size()));
    return rel;
  }
  if (!doc.is_object()) {
    problems.Add("release: not a JSON object");
    return rel;
  }
  bool ok = true;
  auto fail = [&](std::string what) {
    problems.Add(fmt::format("release: {}", what));
    ok = false;
  };
  const json* number = MemberOf(doc, "number");
  if (number == nullptr || !IntOf(*number)) {
    fail("no integer `number`");
  } else {
    rel.number = *IntOf(*number);
  }
  const json* ledger = MemberOf(doc, "ledger");
  const json* seq = ledger != nullptr ? MemberOf(*ledger, "seq") : nullptr;
  const json* head = ledger != nullptr ? MemberOf(*ledger, "head") : nullptr;
  if (seq == nullptr || !IntOf(*seq) || *IntOf(*seq) < 0) {
    fail("no integer `ledger.seq`");
  } else {
    rel.ledger_seq = *IntOf(*seq);
  }
  if (head == nullptr || !head->is_string()) {
    fail("no string `ledger.head`");
  } else {
    rel.ledger_head = head->get<std::string>();
  }
  // The precinct entries: the lines of release-N-records.jsonl (format canvass-release-4 on), or
  // the release's own `precincts` array before.
  json lines;
  const json* precincts = MemberOf(doc, "precincts");
  if (precincts == nullptr && !records.empty()) {
    auto parsed = ParseJsonLines(records);
    if (!parsed.ok()) {
      fail("records: " + parsed.status().message());
      rel.ok = false;
      return rel;
    }
    lines = std::move(parsed).value();
    precincts = &lines;
  }
  if (precincts == nullptr || !precincts->is_array()) {
    fail("no `precincts` array and no records");
    rel.ok = false;
    return rel;
  }
  rel.precincts = static_cast<int64_t>(precincts->size());
  for (size_t i = 0; i < precincts->size(); ++i) {
    const json& p = (*precincts)[i];
    const std::string where = fmt::format("precincts[{}]", i);
    if (!p.is_object()) {
      fail(where + " is not an object");
      continue;
    }
    ReleasePrecinct rp;
    const json* id = MemberOf(p, "id");
    if (id == nullptr || !IntOf(*id)) {
      fail(where + " has no integer `id`");
      continue;
    }
    rp.id = *IntOf(*id);
    const std::string named = fmt::format("{} (precinct {})", where, rp.id);
    const json* status = MemberOf(p, "status");
    const json* revision = MemberOf(p, "revision");
    const json* county = MemberOf(p, "county");
    const json* name = MemberOf(p, "precinct");
    if (status == nullptr || !status->is_string()) {
      fail(named + " has no string `status`");
      continue;
    }
    if (revision == nullptr || !IntOf(*revision)) {
      fail(named + " has no integer `revision`");
      continue;
    }
    if (county == nullptr || !county->is_string() || name == nullptr || !name->is_string()) {
      fail(named + " has no string `county` and `precinct`");
      continue;
    }
    rp.status = status->get<std::string>();
    rp.revision = *IntOf(*revision);
    rp.county = county->get<std::string>();
    rp.precinct = name->get<std::string>();
    const json* reported = MemberOf(p, "reported");
    if (reported != nullptr && !reported->is_null() && !reported->is_object()) {
      fail(named + ": `reported` is not an object");
      continue;
    }
    bool figures_ok = true;
    for (auto [key, slot] :
         {std::pair{"first", &ReleasePrecinct::first}, std::pair{"final", &ReleasePrecinct::final},
          std::pair{"delegates", &ReleasePrecinct::delegates}}) {
      const json* f = reported != nullptr ? MemberOf(*reported, key) : nullptr;
      if (auto why = FiguresProblem(f)) {
        fail(fmt::format("{}: reported.{} {}", named, key, *why));
        figures_ok = false;
        break;
      }
      if (f != nullptr) rp.*slot = *f;
    }
    if (!figures_ok) continue;
    const json* computed = MemberOf(p, "computed");
    const json* computed_delegates =
        computed != nullptr ? MemberOf(*computed, "delegates") : nullptr;
    if (auto why = FiguresProblem(computed_delegates)) {
      fail(fmt::format("{}: computed.delegates {}", named, *why));
      continue;
    }
    if (computed_delegates != nullptr) rp.computed_delegates = *computed_delegates;
    const json* flags = MemberOf(p, "flags");
    const json* held = flags != nullptr ? MemberOf(*flags, "held") : nullptr;
    rp.held = held != nullptr && held->is_boolean() && held->get<bool>();
    if (!rel.by_id.emplace(rp.id, std::move(rp)).second) fail(named + " is listed twice");
  }
  rel.ok = ok;
  return rel;
}

std::string Place(int64_t id, const std::string& county, const std::string& precinct) {
  return fmt::format("precinct {} ({} / {})", id, county, precinct);
}

// "none" for null, else the figures object.
std::string FiguresText(const json& f) { return f.is_null() ? "none" : f.dump(); }

// What differs between two figures objects, per candidate where both are objects.
std::string FiguresDiff(const json& expected, const json& actual) {
  if (!expected.is_object() || !actual.is_object()) {
    return fmt::format("expected {}, the release has {}", FiguresText(expected),
                       FiguresText(actual));
  }
  std::set<std::string> names;
  for (const auto& [name, count] : expected.items()) names.insert(name);
  for (const auto& [name, count] : actual.items()) names.insert(name);
  std::string out;
  for (const std::string& name : names) {
    const json* e = MemberOf(expected, name.c_str());
    const json* a = MemberOf(actual, name.c_str());
    const std::string es = e != nullptr ? e->dump() : "0";
    const std::string as = a != nullptr ? a->dump() : "0";
    if (es == as) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} expected {}, the release has {}", name, es, as);
  }
  if (out.empty()) {
    out = fmt::format("expected {}, the release has {}", expected.dump(), actual.dump());
  }
  return out;
}

// Null (never accepted) and an absent member are the same; delegates also treat an empty object
// as none.
json Normalized(const json& figures, bool empty_is_none) {
  json f = WithoutZeros(figures);
  if (empty_is_none && f.is_object() && f.empty()) return json();
  return f;
}

void ComparePrecincts(const ReconcileInput& input, const ParsedRelease& rel,
                      const std::unordered_map<int64_t, std::set<std::string>>& photos,
                      Reconciliation& out, Problems& problems) {
  std::set<int64_t> expected_ids;
  auto photo_count = [&photos](int64_t id) {
    auto it = photos.find(id);
    return it == photos.end() ? int64_t{0} : static_cast<int64_t>(it->second.size());
  };
  auto reported = [](const ReleasePrecinct& r) {
    return r.status != "not-reported" || !r.first.is_null() || !r.final.is_null() ||
           !r.delegates.is_null();
  };
  for (const ExpectedPrecinct& e : input.expected) {
    expected_ids.insert(e.id);
    const std::string place = Place(e.id, e.county, e.precinct);
    auto it = rel.by_id.find(e.id);
    const ReleasePrecinct* r = it == rel.by_id.end() ? nullptr : &it->second;
    std::vector<std::string> diffs;
    if (r != nullptr && (r->county != e.county || r->precinct != e.precinct)) {
      diffs.push_back(fmt::format("the release names it {} / {}", r->county, r->precinct));
    }
    const int64_t on_ledger = photo_count(e.id);
    if (on_ledger != e.photos) {
      diffs.push_back(
          fmt::format("photos: expected {}, the ledger has {} attached", e.photos, on_ledger));
    }
    if (e.revision == 0) {
      if (r != nullptr && reported(*r)) {
        ++out.extra;
        problems.Add(fmt::format(
            "{}: extra: reported in the release (status {}, revision {}) but nothing was "
            "acknowledged for it",
            place, r->status, r->revision));
        continue;
      }
      if (r == nullptr) diffs.push_back("not listed in the release, which lists every precinct");
    } else if (r == nullptr || r->status == "not-reported") {
      ++out.missing;
      problems.Add(fmt::format("{}: missing: revision {} was acknowledged, the release {}", place,
                               e.revision,
                               r == nullptr ? "does not list it" : "shows it not reported"));
      continue;
    } else {
      for (auto [name, want, have, empty_is_none] :
           {std::tuple{"first", &e.first, &r->first, false},
            std::tuple{"final", &e.final, &r->final, false},
            std::tuple{"delegates", &e.delegates, &r->delegates, true}}) {
        const json w = Normalized(*want, empty_is_none);
        const json h = Normalized(*have, empty_is_none);
        if (w != h) diffs.push_back(fmt::format("{}: {}", name, FiguresDiff(w, h)));
      }
      // A held precinct's entry publishes no computed figure (publish/release.h).
      if (!e.computed_delegates.is_null() && r->held) ++out.computed_held;
      if (!e.computed_delegates.is_null() && !r->held) {
        ++out.computed_checked;
        const json w = Normalized(e.computed_delegates, true);
        const json h = Normalized(r->computed_delegates, true);
        if (w != h) {
          diffs.push_back(fmt::format(
              "computed delegates (the rules, with the precinct's cards): {}", FiguresDiff(w, h)));
        }
      }
      if (r->revision != e.revision) {
        diffs.push_back(
            fmt::format("revision: expected {}, the release has {}", e.revision, r->revision));
      }
      if (e.confirmed != (r->status == "confirmed")) {
        diffs.push_back(fmt::format("status: expected {}, the release has {}",
                                    e.confirmed ? "confirmed" : "unconfirmed", r->status));
      }
    }
    if (diffs.empty()) {
      ++out.matched;
      continue;
    }
    ++out.differing;
    std::string line = place + ": differs: ";
    for (size_t i = 0; i < diffs.size(); ++i) {
      if (i > 0) line += "; ";
      line += diffs[i];
    }
    problems.Add(std::move(line));
  }
  for (const auto& [id, r] : rel.by_id) {
    if (expected_ids.count(id) != 0 || !reported(r)) continue;
    ++out.extra;
    problems.Add(fmt::format(
        "{}: extra: reported in the release (status {}, revision {}), not an expected precinct",
        Place(id, r.county, r.precinct), r.status, r.revision));
  }
}

// Why `ack` is not on the ledger at its seq, or nullopt when it is.
std::optional<std::string> AckProblem(const Acknowledged& ack,
                                      const std::unordered_map<int64_t, LedgerEvent>& events,
                                      int64_t last_seq) {
  auto it = events.find(ack.seq);
  if (it == events.end()) {
    return ack.seq > last_seq ? fmt::format("the ledger ends at event {}", last_seq)
                              : fmt::format("there is no event {} on the ledger", ack.seq);
  }
  const LedgerEvent& e = it->second;
  if (!e.has_submission || e.submission != ack.submission) {
    return fmt::format("event {} ({}) carries {}", ack.seq, e.type,
                       e.has_submission ? fmt::format("submission {}", e.submission)
                                        : std::string("no submission"));
  }
  if (e.type == ack.event_type) return std::nullopt;
  // A hotline entry that completed a double entry is answered with the report the server
  // appended for it, which carries the entry's submission id and cites the entry.
  if (ack.event_type == event_type::kHotlineEntry &&
      (e.type == event_type::kFirstAlignmentReported ||
       e.type == event_type::kFinalAlignmentReported)) {
    for (int64_t cited : e.hotline_entries) {
      auto entry = events.find(cited);
      if (entry != events.end() && entry->second.type == event_type::kHotlineEntry &&
          entry->second.has_submission && entry->second.submission == ack.submission &&
          entry->second.actor == e.actor) {
        return std::nullopt;
      }
    }
  }
  return fmt::format("event {} is {}, not {}", ack.seq, e.type, ack.event_type);
}

void CheckAcks(const ReconcileInput& input, const std::unordered_map<int64_t, LedgerEvent>& events,
               int64_t last_seq, Reconciliation& out, Problems& problems) {
  // A repeat (200) names the seq of the first answer: one ack per (submission, type, seq).
  std::map<std::pair<std::string, std::string>, std::set<int64_t>> acks;
  for (const Acknowledged& a : input.acks) acks[{a.submission, a.event_type}].insert(a.seq);
  for (const auto& [key, seqs] : acks) {
    const auto& [submission, type] = key;
    std::set<std::string> actors;
    bool all_found = true;
    for (int64_t seq : seqs) {
      ++out.acks;
      const Acknowledged ack{submission, type, seq};
      if (auto why = AckProblem(ack, events, last_seq)) {
        ++out.acks_missing;
        all_found = false;
        problems.Add(fmt::format("submission {} ({}, receipt seq {}): not on the ledger: {}",
                                 submission, type, seq, *why));
        continue;
      }
      ++out.acks_found;
      actors.insert(events.at(seq).actor);
    }
    // Two seqs for one submission are two submissions only when two actors sent them.
    if (seqs.size() > 1 && all_found && actors.size() < seqs.size()) {
      problems.Add(fmt::format("submission {} ({}) was acknowledged at different seqs: {}",
                               submission, type, fmt::join(seqs, ", ")));
    }
  }
}

// Each precinct's cards on the ledger (its latest early-votes-loaded event) against the expected
// hash, and loaded before the precinct's first report.
void CheckEarlyVotes(const ReconcileInput& input,
                     const std::unordered_map<int64_t, LedgerEvent>& events, Reconciliation& out,
                     Problems& problems) {
  struct Seen {
    int64_t loaded_seq = 0;  // the latest early-votes-loaded
    const LedgerEvent* loaded = nullptr;
    int64_t first_report_seq = 0;  // the first first-alignment-reported
  };
  std::map<int64_t, Seen> by_precinct;
  for (const auto& [seq, e] : events) {
    if (e.precinct <= 0) continue;
    Seen& s = by_precinct[e.precinct];
    if (e.type == event_type::kEarlyVotesLoaded && seq > s.loaded_seq) {
      s.loaded_seq = seq;
      s.loaded = &e;
    } else if (e.type == event_type::kFirstAlignmentReported &&
               (s.first_report_seq == 0 || seq < s.first_report_seq)) {
      s.first_report_seq = seq;
    }
  }
  std::set<int64_t> expected_ids;
  for (const ExpectedPrecinct& e : input.expected) {
    expected_ids.insert(e.id);
    const std::string place = Place(e.id, e.county, e.precinct);
    auto it = by_precinct.find(e.id);
    const Seen* s = it == by_precinct.end() ? nullptr : &it->second;
    const LedgerEvent* loaded = s != nullptr ? s->loaded : nullptr;
    if (e.early_votes_hash.empty()) {
      if (loaded == nullptr) continue;
      ++out.early_votes_differing;
      problems.Add(
          fmt::format("{}: cards: the ledger holds {} early-vote cards (event {}, hash "
                      "{}), the cards file none",
                      place, loaded->cards, s->loaded_seq, loaded->cards_hash));
      continue;
    }
    if (loaded == nullptr) {
      ++out.early_votes_differing;
      problems.Add(fmt::format("{}: cards: the cards file has {} (hash {}), the ledger none", place,
                               e.early_votes_cards, e.early_votes_hash));
      continue;
    }
    if (loaded->cards_hash != e.early_votes_hash || loaded->cards != e.early_votes_cards) {
      ++out.early_votes_differing;
      problems.Add(fmt::format(
          "{}: cards: the ledger holds {} cards with hash {} (event {}), the cards file {} with "
          "hash {}",
          place, loaded->cards, loaded->cards_hash, s->loaded_seq, e.early_votes_cards,
          e.early_votes_hash));
      continue;
    }
    if (s->first_report_seq != 0 && s->first_report_seq < s->loaded_seq) {
      ++out.early_votes_differing;
      problems.Add(fmt::format("{}: cards: loaded at event {}, after its first report (event {})",
                               place, s->loaded_seq, s->first_report_seq));
      continue;
    }
    ++out.early_votes_precincts;
    out.early_votes_cards += loaded->cards;
  }
  for (const auto& [id, s] : by_precinct) {
    if (s.loaded == nullptr || expected_ids.count(id) != 0) continue;
    ++out.early_votes_differing;
    problems.Add(
        fmt::format("precinct {}: cards: early-vote cards on the ledger (event {}) for "
                    "a precinct the rehearsal does not know",
                    id, s.loaded_seq));
  }
}

void CountWrittenTwice(const std::unordered_map<int64_t, LedgerEvent>& events, Reconciliation& out,
                       Problems& problems) {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<int64_t>> seen;
  for (const auto& [seq, e] : events) {
    if (e.has_submission) seen[{e.actor, e.type, e.submission}].push_back(seq);
  }
  for (auto& [key, seqs] : seen) {
    if (seqs.size() < 2) continue;
    ++out.written_twice;
    std::sort(seqs.begin(), seqs.end());
    const auto& [actor, type, submission] = key;
    problems.Add(fmt::format("submission {} ({}, by {}) written {} times: events {}", submission,
                             type, actor, seqs.size(), fmt::join(seqs, ", ")));
  }
}

void Run(const ReconcileInput& input, Reconciliation& out, Problems& problems) {
  const ParsedRelease rel = ParseRelease(input.release_json, input.release_records, problems);
  out.release_number = rel.number;
  out.release_ledger_seq = rel.ledger_seq;
  out.precincts = rel.precincts;

  // The ledger: chain and replay, as `canvass ledger verify` does, through the release's head.
  std::unordered_map<int64_t, LedgerEvent> events;
  ElectionState state;
  ReplayOptions replay;
  if (rel.ok) replay.expected_head = StoreHead{rel.ledger_seq, rel.ledger_head};
  replay.on_event = [&events](const Event& e, const StoredEvent&) -> Status {
    events.emplace(e.seq, Summarize(e));
    return Status::Ok();
  };
  const ChainReport report = ReplayJsonLines(input.ledger_jsonl, "ledger.jsonl", state, replay);
  out.events = report.events;
  out.chain_ok = report.ok();
  int64_t last_seq = report.head.seq;
  if (report.problem) {
    out.chain_problem = fmt::format("{} at event {}: {}", report.problem->kind, report.problem->seq,
                                    report.problem->message);
    problems.Add(fmt::format("ledger: {}", out.chain_problem));
    // Past the break, the lines that still decode are looked at too: an acknowledgement is not
    // lost because some other line was damaged.
    for (const StoredEvent& stored : ReadJsonLines(input.ledger_jsonl)) {
      if (events.count(stored.seq) != 0) continue;
      auto e = DecodeEvent(stored.line);
      if (!e.ok()) continue;
      last_seq = std::max(last_seq, e->seq);
      events.emplace(e->seq, Summarize(*e));
    }
  }

  std::unordered_map<int64_t, std::set<std::string>> photos;
  for (const auto& [seq, e] : events) {
    if (e.type == event_type::kPhotoAttached && e.precinct > 0 && !e.sha256.empty()) {
      photos[e.precinct].insert(e.sha256);
    }
  }
  if (rel.ok) ComparePrecincts(input, rel, photos, out, problems);

  CheckAcks(input, events, last_seq, out, problems);
  int64_t last_ack = 0;
  const Acknowledged* last = nullptr;
  for (const Acknowledged& a : input.acks) {
    if (last == nullptr || a.seq > last_ack) {
      last_ack = a.seq;
      last = &a;
    }
  }
  out.covers_last_ack = rel.ok && out.release_ledger_seq >= last_ack;
  if (rel.ok && !out.covers_last_ack) {
    problems.Add(
        fmt::format("release {} is built from events 1..{}, before the last acknowledged event {} "
                    "(submission {})",
                    rel.number, rel.ledger_seq, last_ack, last->submission));
  }
  CountWrittenTwice(events, out, problems);
  if (input.check_early_votes) CheckEarlyVotes(input, events, out, problems);

  out.ok = rel.ok && out.chain_ok && out.covers_last_ack && out.differing == 0 &&
           out.missing == 0 && out.extra == 0 && out.acks_missing == 0 && out.written_twice == 0 &&
           out.early_votes_differing == 0;
}

}  // namespace

json Reconciliation::ToJson() const {
  return {{"ok", ok},
          {"release_number", release_number},
          {"release_ledger_seq", release_ledger_seq},
          {"precincts", precincts},
          {"matched", matched},
          {"differing", differing},
          {"missing", missing},
          {"extra", extra},
          {"covers_last_ack", covers_last_ack},
          {"events", events},
          {"chain_ok", chain_ok},
          {"chain_problem", chain_problem},
          {"acks", acks},
          {"acks_found", acks_found},
          {"acks_missing", acks_missing},
          {"written_twice", written_twice},
          {"computed_checked", computed_checked},
          {"computed_held", computed_held},
          {"early_votes_precincts", early_votes_precincts},
          {"early_votes_cards", early_votes_cards},
          {"early_votes_differing", early_votes_differing},
          {"problems", problems}};
}

Reconciliation Reconcile(const ReconcileInput& input) {
  Reconciliation out;
  Problems problems(out.problems);
  try {
    Run(input, out, problems);
  } catch (const std::exception& e) {
    // Nothing in the inputs should get here (they are parsed without exceptions); if something
    // does, the reconciliation fails with the reason rather than taking the rehearsal down.
    out.ok = false;
    problems.Add(std::string("reconciliation stopped: ") + e.what());
  }
  problems.Finish();
  return out;
}

}  // namespace canvass::rehearse
