#include "audit/rla_ledger.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "caucus/allocation.h"
#include "ledger/event_types.h"

namespace canvass {

using nlohmann::json;

namespace {

json ByName(const std::vector<std::string>& candidates, const std::vector<Count>& figures) {
  json out = json::object();
  for (size_t c = 0; c < figures.size() && c < candidates.size(); ++c) {
    if (figures[c] != 0) out[candidates[c]] = figures[c];
  }
  return out;
}

std::string Where(const ElectionState& s, int64_t id) {
  const PrecinctApportionment& ap = s.precincts()[static_cast<size_t>(id - 1)];
  return fmt::format("precinct {} ({} / {})", id, ap.county, ap.precinct);
}

// A tally as the audit's math takes it: the SDEs its delegates give.
Result<AuditedTally> Audited(const ElectionState& state, const RlaTallyRecord& t) {
  const PrecinctApportionment& ap = state.precincts()[static_cast<size_t>(t.precinct - 1)];
  AuditedTally a;
  a.county = ap.county;
  a.precinct = ap.precinct;
  a.unauditable = t.unauditable;
  if (!t.unauditable) {
    Count total = 0;
    for (Count d : t.delegates) total += d;
    a.sde = SdeFromDelegates(state.ruleset().precinct, t.delegates, total, ap);
    if (a.sde.size() != t.delegates.size()) {
      return Status::InvalidArgument(
          fmt::format("{}: its county has no SDE ratio, so its audited delegates give no SDEs",
                      Where(state, t.precinct)));
    }
  }
  return a;
}

}  // namespace

Result<LedgerRla> AuditOfLedger(const ElectionState& state) {
  const RlaRecord* record = state.rla();
  if (record == nullptr) {
    return Status::NotFound("no risk-limiting audit has been started (rla-started)");
  }
  const Ruleset& ruleset = state.ruleset();
  LedgerRla out;
  out.record = record;
  MaterialityOptions mo;
  // The reported side: the SDEs the chairs' delegates give. Where no chair reported delegates
  // (the worksheet's delegates are optional), the reported outcome is what the rules give the
  // reported alignments: the computed side.
  bool delegates_reported = false;
  for (const PrecinctReport& r : record->election->reports) {
    for (const CandidateReport& f : r.figures) delegates_reported |= f.delegates.has_value();
  }
  mo.side = delegates_reported ? ResultSide::kReported : ResultSide::kComputed;
  mo.search = false;  // the audit needs the bounds, not the smallest changes
  auto mat = ComputeMateriality(ruleset, *record->election, *record->checks, mo);
  if (!mat.ok()) return mat.status();
  out.materiality = std::move(mat).value();
  auto pct = Rational::Parse(record->risk_limit);
  if (!pct.ok()) return pct.status();
  auto plan = PlanRla(ruleset, out.materiality, *pct / Rational(100));
  if (!plan.ok()) return plan.status();
  out.plan = std::move(plan).value();
  // Precincts not on the audited record at all: nothing to bound, so a full hand count.
  {
    std::vector<bool> in(state.precincts().size(), false);
    for (int64_t id : record->ids) in[static_cast<size_t>(id - 1)] = true;
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i]) continue;
      out.plan.unbounded.push_back(fmt::format("{} / {} (not reported when the audit started)",
                                               state.precincts()[i].county,
                                               state.precincts()[i].precinct));
    }
  }
  // The tallies: the rla-tally events, and for a drawn precinct without one, the latest recount
  // entered after rla-started (docs/audit.md "The audit on the ledger"). Which precincts are
  // drawn depends on the tallies (a round grows when the last one is complete), so recounts are
  // taken in until the draws stop changing.
  std::map<int64_t, const RecanvassEntry*> recounts;  // precinct -> latest recount after start
  for (const auto& [seq, entry] : state.recanvass_entries()) {
    if (entry.kind == "recount" && seq > record->start_seq &&
        record->tally(entry.precinct) == nullptr) {
      recounts[entry.precinct] = &entry;
    }
  }
  std::vector<RlaTallyRecord> taken = record->tallies;
  std::vector<int64_t> from_recount(taken.size(), 0);
  for (;;) {
    out.tallies.clear();
    for (const RlaTallyRecord& t : taken) {
      auto a = Audited(state, t);
      if (!a.ok()) return a.status();
      out.tallies.push_back(std::move(a).value());
    }
    if (record->seed_seq == 0) break;
    auto status = RunRla(ruleset, out.materiality, out.plan, record->seed, out.tallies);
    if (!status.ok()) return status.status();
    out.status = std::move(status).value();
    const bool everyone =
        out.status->decision == RlaDecision::kFullHandCount && out.status->draws.empty();
    std::set<std::pair<std::string, std::string>> drawn;
    for (const RlaDraw& d : out.status->draws) {
      drawn.insert({out.plan.batches[d.batch].county, out.plan.batches[d.batch].precinct});
    }
    bool added = false;
    for (auto it = recounts.begin(); it != recounts.end();) {
      const PrecinctApportionment& ap = state.precincts()[static_cast<size_t>(it->first - 1)];
      if (!everyone && drawn.count({ap.county, ap.precinct}) == 0) {
        ++it;
        continue;
      }
      const RecanvassEntry& e = *it->second;
      RlaTallyRecord t;
      t.seq = e.seq;
      t.time = e.time;
      t.precinct = e.precinct;
      t.unauditable = e.unauditable;
      t.custody = e.custody;
      t.delegates = e.rules_delegates;
      t.first = e.first;
      t.final = e.final;
      t.cards = e.cards;
      t.photo = e.photo;
      // In ledger order among the others.
      size_t at = 0;
      while (at < taken.size() && taken[at].seq < t.seq) ++at;
      taken.insert(taken.begin() + static_cast<std::ptrdiff_t>(at), std::move(t));
      from_recount.insert(from_recount.begin() + static_cast<std::ptrdiff_t>(at), e.seq);
      it = recounts.erase(it);
      added = true;
    }
    if (!added) break;
  }
  out.records = std::move(taken);
  out.from_recount = std::move(from_recount);
  return out;
}

Status CheckTallyDrawn(const ElectionState& state, int64_t id) {
  if (id < 1 || static_cast<size_t>(id) > state.precincts().size()) {
    return Status::NotFound(fmt::format("there is no precinct {}", id));
  }
  // Before the seed (or the start) the state refuses the tally with its own reason.
  if (state.rla() == nullptr || state.rla()->seed_seq == 0) return Status::Ok();
  auto audit = AuditOfLedger(state);
  if (!audit.ok()) return audit.status();
  if (audit->status->decision == RlaDecision::kFullHandCount && audit->status->draws.empty()) {
    return Status::Ok();  // every precinct is counted
  }
  const PrecinctApportionment& ap = state.precincts()[static_cast<size_t>(id - 1)];
  for (const RlaDraw& d : audit->status->draws) {
    const RlaBatch& b = audit->plan.batches[d.batch];
    if (b.county == ap.county && b.precinct == ap.precinct) return Status::Ok();
  }
  if (audit->status->decision == RlaDecision::kFullHandCount) return Status::Ok();
  return Status::FailedPrecondition(
      fmt::format("{} is not in the sample: the seed has drawn {} precinct(s) so far (GET "
                  "/api/v1/audit/rla lists them)",
                  Where(state, id), audit->status->draws.size()));
}

json LedgerRlaJson(const ElectionState& state, const LedgerRla& audit) {
  const RlaRecord& r = *audit.record;
  const std::vector<std::string>& names = state.candidates();
  json out = RlaToJson(state.ruleset(), audit.materiality, audit.plan, r.seed,
                       audit.status ? &*audit.status : nullptr);
  out["started"] = {{"seq", r.start_seq},
                    {"time", r.start_time},
                    {"risk_limit", r.risk_limit},
                    {"committed_head", r.committed_head},
                    {"committed_seq", r.start_seq - 1}};
  out["seed_event"] =
      r.seed_seq == 0 ? json() : json{{"seq", r.seed_seq}, {"time", r.seed_time}, {"seed", r.seed}};
  // Each tally beside what was reported for the precinct when the audit started.
  std::map<int64_t, size_t> report_of;
  for (size_t i = 0; i < r.ids.size(); ++i) report_of[r.ids[i]] = i;
  json tallies = json::array();
  for (size_t i = 0; i < audit.records.size(); ++i) {
    const RlaTallyRecord& t = audit.records[i];
    const PrecinctApportionment& ap = state.precincts()[static_cast<size_t>(t.precinct - 1)];
    json row = {{"seq", t.seq},        {"time", t.time},      {"precinct", t.precinct},
                {"county", ap.county}, {"name", ap.precinct}, {"unauditable", t.unauditable}};
    // A recount entered under a recount request, taken as the audit's tally of a drawn precinct.
    row["source"] = audit.from_recount[i] != 0 ? "recount" : event_type::kRlaTally;
    if (t.unauditable) row["custody"] = t.custody;
    if (!t.unauditable) row["delegates"] = ByName(names, t.delegates);
    if (t.first) row["first"] = ByName(names, *t.first);
    if (t.final) row["final"] = ByName(names, *t.final);
    if (t.cards != 0) row["cards"] = t.cards;
    if (!t.photo.empty()) row["photo"] = t.photo;
    if (i < audit.tallies.size() && !audit.tallies[i].unauditable) {
      json sde = json::object();
      for (size_t c = 0; c < audit.tallies[i].sde.size(); ++c) {
        if (audit.tallies[i].sde[c] != Rational(0)) {
          sde[names[c]] = audit.tallies[i].sde[c].ToDecimal(state.ruleset().precinct.sde_places);
        }
      }
      row["sde"] = std::move(sde);
    }
    auto rep = report_of.find(t.precinct);
    if (rep != report_of.end()) {
      const PrecinctMateriality& pm = audit.materiality.precincts[rep->second];
      json reported = json::object();
      for (size_t c = 0; c < pm.sde.size(); ++c) {
        if (pm.sde[c] != Rational(0)) {
          reported[names[c]] = pm.sde[c].ToDecimal(state.ruleset().precinct.sde_places);
        }
      }
      std::vector<Count> delegates(names.size(), 0);
      bool any = false;
      const PrecinctReport& report = r.election->reports[rep->second];
      for (size_t c = 0; c < report.figures.size() && c < delegates.size(); ++c) {
        if (report.figures[c].delegates) {
          delegates[c] = *report.figures[c].delegates;
          any = true;
        }
      }
      row["reported"] = {{"sde", std::move(reported)},
                         {"delegates", any ? ByName(names, delegates) : json()}};
    }
    tallies.push_back(std::move(row));
  }
  out["tallies"] = std::move(tallies);
  // The precinct ids of the draws (the routes and the pages name precincts by id).
  std::map<std::pair<std::string, std::string>, int64_t> id_of;
  for (int64_t id : r.ids) {
    const PrecinctApportionment& ap = state.precincts()[static_cast<size_t>(id - 1)];
    id_of[{ap.county, ap.precinct}] = id;
  }
  if (out.contains("draws")) {
    for (json& d : out["draws"]) {
      auto it = id_of.find({d["county"].get<std::string>(), d["precinct"].get<std::string>()});
      d["id"] = it == id_of.end() ? json() : json(it->second);
    }
  }
  out["ledger_seq"] = state.seq();
  return out;
}

}  // namespace canvass
