// `canvass districts analyze` and `canvass convention count` (docs/cli.md): the second stage's
// math from files. `canvass convention record` and `show`: a convention on a store's ledger
// (state/convention.h), its events written by the command line and its results read back.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/audit_review_command.h"
#include "cli/commands.h"
#include "core/json_text.h"
#include "core/text.h"
#include "delegates/geography.h"
#include "delegates/geography_json.h"
#include "delegates/seat_formulas.h"
#include "io/convention_inputs.h"
#include "io/importers.h"
#include "ledger/event_types.h"
#include "state/convention.h"

namespace canvass {
namespace {

std::string Percent(const Rational& share) { return (share * Rational(100)).ToDecimal(2) + "%"; }

std::string Signed(const Rational& r, int places) {
  std::string s = r.ToDecimal(places);
  return r.is_negative() || r.is_zero() ? s : "+" + s;
}

std::string Signed(const WideFraction& w, int places) {
  std::string s = w.ToDecimal(places);
  return w.num > 0 ? "+" + s : s;
}

// "B,A,C": names in the order drawn, each one of `names`.
Result<std::vector<uint32_t>> ParseLots(const std::string& text,
                                        const std::vector<std::string>& names) {
  std::vector<uint32_t> out;
  if (Trim(text).empty()) return out;
  for (std::string_view part : Split(text, ',')) {
    const std::string name = NormaliseName(part);
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      std::string known;
      for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
      return Status::InvalidArgument(
          fmt::format("--lots: \"{}\" is none of {}", std::string(Trim(part)), known));
    }
    const auto index = static_cast<uint32_t>(it - names.begin());
    if (std::find(out.begin(), out.end(), index) != out.end()) {
      return Status::InvalidArgument(fmt::format("--lots: \"{}\" is drawn twice", name));
    }
    out.push_back(index);
  }
  return out;
}

int Fail(std::ostream& err, std::string_view command, const Status& status) {
  err << "canvass " << command << ": " << status.message() << "\n";
  return status.code() == Status::Code::kFailedPrecondition ? kExitFailure : kExitUsage;
}

void PrintAnalysis(const GeographyAnalysis& a, std::ostream& out) {
  out << fmt::format("District {}: {} seats in {} sub-pool(s), {} votes\n", a.plan.district,
                     a.plan.seats, a.pools.size(), a.total_votes);
  out << fmt::format("  {:<16} {:>5} {:>10}", "sub-pool", "seats", "votes");
  for (const std::string& c : a.candidates) out << fmt::format("  {:>18}", c);
  out << "\n";
  auto row = [&](const PoolAllocation& p) {
    out << fmt::format("  {:<16} {:>5} {:>10}", p.name, p.size, p.total_vote.ToString());
    for (size_t i = 0; i < a.candidates.size(); ++i) {
      out << fmt::format("  {:>18}", fmt::format("{} ({})", p.delegates[i], Percent(p.shares[i])));
    }
    out << "\n";
  };
  for (const PoolAllocation& p : a.pools) row(p);
  row(a.baseline);
  out << fmt::format("  {:<16} {:>10} {:>8} {:>6} {:>8} {:>9} {:>10}\n", "candidate", "votes",
                     "share", "plan", "one pool", "bonus", "map effect");
  for (size_t i = 0; i < a.candidates.size(); ++i) {
    out << fmt::format("  {:<16} {:>10} {:>8} {:>6} {:>8} {:>9} {:>10}\n", a.candidates[i],
                       a.candidate_votes[i], Percent(a.vote_shares[i]), a.plan_seats[i],
                       a.baseline_seats[i], Signed(a.bonus[i], 2),
                       a.map_effect[i] > 0 ? fmt::format("+{}", a.map_effect[i])
                                           : fmt::format("{}", a.map_effect[i]));
  }
  out << fmt::format("Loosemore-Hanby: plan {}, one pool {}\n",
                     a.plan_indices.loosemore_hanby.ToDecimal(4),
                     a.baseline_indices.loosemore_hanby.ToDecimal(4));
  out << fmt::format("Gallagher: plan {} (square {}), one pool {} (square {})\n",
                     a.plan_indices.gallagher, a.plan_indices.gallagher_square.ToString(),
                     a.baseline_indices.gallagher, a.baseline_indices.gallagher_square.ToString());
  if (a.eg_star) {
    out << fmt::format(
        "Efficiency gap, Droop quota: plan {}, one pool {}, change {}; EG* {}; Hare quota: plan "
        "{}\n",
        Signed(*a.droop.gap, 4), Signed(*a.baseline_droop.gap, 4), Signed(*a.eg_delta, 4),
        Signed(*a.eg_star, 4), Signed(*a.hare.gap, 4));
  } else {
    out << "Excess wasted votes (Droop quota, share of the vote):";
    for (size_t i = 0; i < a.candidates.size(); ++i) {
      out << fmt::format(" {} {}", a.candidates[i], Signed(a.droop.excess[i], 4));
    }
    out << "\n";
  }
  for (const std::string& n : a.notes) out << "note: " << n << "\n";
  for (const std::string& w : a.warnings) out << "warning: " << w << "\n";
}

// Ballots and nominees into the count for `formula`.
Result<ConventionCount> BuildCount(const ConventionCountOptions& o, SeatFormula formula,
                                   const ConventionBallots& b,
                                   const std::vector<NomineeRow>& nominees) {
  if (b.ranked != (formula == SeatFormula::kStv)) {
    return Status::InvalidArgument(fmt::format(
        "{}: --formula {} counts {}, but the file holds {}", o.ballots, SeatFormulaName(formula),
        formula == SeatFormula::kStv ? "ranked ballots (count,ranking)" : "tallies (option,votes)",
        b.ranked ? "ranked ballots" : "tallies"));
  }
  ConventionCount c;
  c.formula = formula;
  c.seats = o.seats;
  c.votes_per_voter = o.votes_per_voter;
  for (const std::string& name : b.options) c.options.push_back({name, {}, std::nullopt, ""});
  c.tallies = b.tallies;
  for (const RankedRow& r : b.ballots) c.ballots.push_back({r.ranking, r.count});
  for (const NomineeRow& n : nominees) {
    std::optional<Gender> gender;
    if (!n.gender.empty()) {
      auto g = ParseGender(n.gender);
      if (!g.ok()) {
        return Status::InvalidArgument(
            fmt::format("{}:{}:{}: {}", o.nominees, n.line, n.gender_column, g.status().message()));
      }
      gender = *g;
    }
    const std::string& key = IsListFormula(formula) ? n.list : n.name;
    auto it = std::find(b.options.begin(), b.options.end(), key);
    if (it == b.options.end()) {
      return Status::InvalidArgument(
          fmt::format("{}:{}:1: {} \"{}\" has no {} in {}", o.nominees, n.line,
                      IsListFormula(formula) ? "list" : "candidate", key,
                      IsListFormula(formula) ? "tally" : "votes", o.ballots));
    }
    ConventionOption& opt = c.options[static_cast<size_t>(it - b.options.begin())];
    if (IsListFormula(formula)) {
      opt.nominees.push_back({n.name, gender});
    } else {
      opt.gender = gender;
      opt.group = n.list;
    }
  }
  auto lots = ParseLots(o.lots, b.options);
  if (!lots.ok()) return lots.status();
  c.lots = *lots;
  c.equal_division.enabled = o.equal_division;
  c.equal_division.variance = o.variance;
  if (o.non_binary == "either") {
    c.equal_division.non_binary = NonBinaryRule::kEitherSide;
  } else if (o.non_binary != "outside") {
    return Status::InvalidArgument(
        fmt::format("--non-binary \"{}\": expected outside (the default) or either", o.non_binary));
  }
  return c;
}

std::string Names(const std::vector<uint32_t>& idx, const std::vector<ConventionOption>& options) {
  std::string s;
  for (uint32_t i : idx) s += (s.empty() ? "" : ", ") + options[i].name;
  return s;
}

nlohmann::json CountJson(const ConventionCount& c, const ConventionResult& r) {
  nlohmann::json options = nlohmann::json::array();
  for (size_t i = 0; i < c.options.size(); ++i) {
    nlohmann::json o = {{"option", c.options[i].name}, {"seats", r.won[i]}};
    if (c.formula != SeatFormula::kStv) o["votes"] = c.tallies[i];
    options.push_back(o);
  }
  nlohmann::json delegates = nlohmann::json::array();
  for (const Delegate& d : r.delegates) {
    nlohmann::json j = {{"name", d.name.empty() ? nlohmann::json() : nlohmann::json(d.name)},
                        {"option", c.options[d.option].name},
                        {"swapped_in", d.swapped_in}};
    if (!d.group.empty()) j["group"] = d.group;
    if (d.gender) j["gender"] = GenderName(*d.gender);
    delegates.push_back(j);
  }
  nlohmann::json ties = nlohmann::json::array();
  for (const TieDecision& t : r.ties) {
    ties.push_back({{"what", t.what},
                    {"tied", Names(t.tied, c.options)},
                    {"favoured", Names(t.favoured, c.options)}});
  }
  nlohmann::json dnc = nlohmann::json::array();
  for (size_t g = 0; g < r.dnc_groups.size(); ++g) {
    dnc.push_back({{"group", r.dnc_groups[g]},
                   {"votes", r.dnc_votes[g].ToString()},
                   {"seats", r.dnc_seats[g]}});
  }
  nlohmann::json j = {{"formula", SeatFormulaName(r.formula)},
                      {"title", SeatFormulaTitle(r.formula)},
                      {"seats", r.seats},
                      {"sweep_share", r.sweep_share.ToString()},
                      {"sweep", r.sweep},
                      {"quota", r.quota.ToString()},
                      {"options", options},
                      {"elected", Names(r.order, c.options)},
                      {"delegates", delegates},
                      {"ties", ties},
                      {"dnc_hare_15", dnc},
                      {"dnc_complete", r.dnc_complete},
                      {"notes", r.notes}};
  if (c.equal_division.enabled) {
    j["equal_division"] = {
        {"balanced", r.balanced},
        {"women", r.women},
        {"men", r.men},
        {"non_binary", r.non_binary},
        {"variance", c.equal_division.variance},
        {"non_binary_rule",
         c.equal_division.non_binary == NonBinaryRule::kEitherSide ? "either" : "outside"},
        {"swaps", r.swaps}};
  }
  if (!r.stages.empty()) {
    nlohmann::json stages = nlohmann::json::array();
    for (const StvStage& s : r.stages) {
      nlohmann::json values = nlohmann::json::object();
      for (size_t i = 0; i < c.options.size(); ++i) {
        values[c.options[i].name] = Rational(s.values[i], kStvUnit).ToShortDecimal();
      }
      stages.push_back({{"note", s.note},
                        {"elected", Names(s.elected, c.options)},
                        {"values", values},
                        {"exhausted", Rational(s.exhausted, kStvUnit).ToShortDecimal()}});
    }
    j["stages"] = stages;
  }
  return j;
}

void PrintCount(const ConventionCount& c, const ConventionResult& r, std::ostream& out) {
  out << fmt::format("Formula: {} ({}), {} seat(s)\n", SeatFormulaTitle(r.formula),
                     SeatFormulaName(r.formula), r.seats);
  out << fmt::format("Sweep share: {}\n", r.sweep);
  if (!r.quota.is_zero()) out << fmt::format("Quota: {}\n", r.quota.ToShortDecimal());
  for (const StvStage& s : r.stages) {
    out << fmt::format("  stage: {}", s.note);
    if (!s.elected.empty()) out << fmt::format("; elected: {}", Names(s.elected, c.options));
    out << "\n";
  }
  for (size_t i = 0; i < c.options.size(); ++i) {
    out << fmt::format(
        "  {:<20} {:>10} {:>4} seat(s)\n", c.options[i].name,
        c.formula == SeatFormula::kStv ? std::string("") : std::to_string(c.tallies[i]), r.won[i]);
  }
  if (!r.delegates.empty()) {
    out << "Delegates:";
    for (const Delegate& d : r.delegates) {
      out << fmt::format(" {}{}{};", d.name.empty() ? "(vacant)" : d.name,
                         d.gender ? fmt::format(" ({})", GenderName(*d.gender)) : "",
                         d.swapped_in ? " [equal division]" : "");
    }
    out << "\n";
  }
  if (c.equal_division.enabled) {
    out << fmt::format("Equal division: {} women, {} men, {} non-binary: {}\n", r.women, r.men,
                       r.non_binary, r.balanced ? "balanced" : "NOT balanced");
    for (const std::string& s : r.swaps) out << "  swap: " << s << "\n";
  }
  for (const TieDecision& t : r.ties) {
    out << fmt::format("Tie decided by lot: {}: {} tied, {} favoured\n", t.what,
                       Names(t.tied, c.options), Names(t.favoured, c.options));
  }
  out << "DNC Hare largest remainder with the 15% threshold would give:";
  for (size_t g = 0; g < r.dnc_groups.size(); ++g) {
    out << fmt::format(" {} {}{}", r.dnc_groups[g], r.dnc_seats[g],
                       g + 1 < r.dnc_groups.size() ? "," : "");
  }
  out << (r.dnc_complete ? "" : " (a tie there is open)") << "\n";
  for (const std::string& n : r.notes) out << "note: " << n << "\n";
}

}  // namespace

int RunDistrictsAnalyze(const DistrictsAnalyzeOptions& o, std::ostream& out, std::ostream& err) {
  constexpr std::string_view kCommand = "districts analyze";
  auto plan_text = ReadFile(o.plan);
  if (!plan_text.ok()) return Fail(err, kCommand, plan_text.status());
  auto plan_file = ParsePlanCsv(*plan_text, o.plan);
  if (!plan_file.ok()) return Fail(err, kCommand, plan_file.status());
  auto votes_text = ReadFile(o.votes);
  if (!votes_text.ok()) return Fail(err, kCommand, votes_text.status());
  auto votes_file = ParsePlanVotesCsv(*votes_text, o.votes, *plan_file);
  if (!votes_file.ok()) return Fail(err, kCommand, votes_file.status());

  DistrictPlan plan;
  plan.district = plan_file->district;
  plan.seats = plan_file->seats;
  for (const PlanPoolRow& p : plan_file->pools) plan.pools.push_back({p.name, p.seats});
  DistrictVotes votes{votes_file->candidates, votes_file->pools};
  GeographyOptions options;
  auto ratio = Rational::Parse(Trim(o.ratio));
  if (!ratio.ok() || ratio->is_negative() || *ratio < Rational(1)) {
    return Fail(err, kCommand,
                Status::InvalidArgument(fmt::format(
                    "--ratio \"{}\": expected a number of at least 1, like 1.25 or 5/4", o.ratio)));
  }
  options.seats_per_voter_ratio = *ratio;
  auto lots = ParseLots(o.lots, votes.candidates);
  if (!lots.ok()) return Fail(err, kCommand, lots.status());
  options.lots.assign(lots->begin(), lots->end());
  auto analysis = AnalyzePlan(plan, votes, options);
  if (!analysis.ok()) return Fail(err, kCommand, analysis.status());
  if (o.json) {
    out << GeographyAnalysisToJson(*analysis).dump(2) << "\n";
  } else {
    PrintAnalysis(*analysis, out);
  }
  return kExitOk;
}

int RunConventionCount(const ConventionCountOptions& o, std::ostream& out, std::ostream& err) {
  constexpr std::string_view kCommand = "convention count";
  auto formula = ParseSeatFormula(o.formula);
  if (!formula.ok()) return Fail(err, kCommand, formula.status());
  auto text = ReadFile(o.ballots);
  if (!text.ok()) return Fail(err, kCommand, text.status());
  auto ballots = ParseConventionBallotsCsv(*text, o.ballots);
  if (!ballots.ok()) return Fail(err, kCommand, ballots.status());
  std::vector<NomineeRow> nominees;
  if (!o.nominees.empty()) {
    auto ntext = ReadFile(o.nominees);
    if (!ntext.ok()) return Fail(err, kCommand, ntext.status());
    auto rows = ParseNomineesCsv(*ntext, o.nominees);
    if (!rows.ok()) return Fail(err, kCommand, rows.status());
    nominees = std::move(rows).value();
  }
  auto count = BuildCount(o, *formula, *ballots, nominees);
  if (!count.ok()) return Fail(err, kCommand, count.status());
  auto result = CountConvention(*count);
  if (!result.ok()) return Fail(err, kCommand, result.status());
  if (o.json) {
    out << CountJson(*count, *result).dump(2) << "\n";
  } else {
    PrintCount(*count, *result, out);
  }
  return kExitOk;
}

namespace {

// `--payload`: JSON text, or @FILE for a file holding it.
Result<nlohmann::json> ReadPayload(const std::string& given) {
  std::string text = given;
  if (!given.empty() && given[0] == '@') {
    std::ifstream in(given.substr(1), std::ios::binary);
    if (!in) return Status::InvalidArgument(given.substr(1) + ": cannot read the payload");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto parsed = ParseJsonText(text);
  if (auto* e = std::get_if<JsonTextError>(&parsed)) {
    return Status::InvalidArgument("--payload: " + e->message);
  }
  nlohmann::json payload = std::get<nlohmann::json>(std::move(parsed));
  if (!payload.is_object()) {
    return Status::InvalidArgument(
        "--payload must be a JSON object (docs/ledger-format.md gives each event's members)");
  }
  return payload;
}

void PrintConvention(const nlohmann::json& c, std::ostream& out) {
  out << fmt::format("Convention {} (district {}): notice {} days, {} approved filer(s) per seat\n",
                     c["convention"].get<std::string>(), c["district"].get<std::string>(),
                     c["notice_days"].get<int64_t>(), c["min_approved_per_slot"].get<int64_t>());
  for (const auto& p : c["procedures"]) {
    std::string pools;
    for (const auto& pool : p["pools"]) {
      pools += fmt::format("{}{} {}{}", pools.empty() ? "" : ", ", pool["name"].get<std::string>(),
                           pool["seats"].get<int64_t>(),
                           pool.contains("preference")
                               ? " (" + pool["preference"].get<std::string>() + ")"
                               : std::string());
    }
    out << fmt::format("  procedure {} published {}: {}; seats {}; filing until {}; hash {}\n",
                       p["seq"].get<int64_t>(), p["time"].get<std::string>(),
                       p["title"].get<std::string>(), pools,
                       p["filing_deadline"].get<std::string>(), p["hash"].get<std::string>());
  }
  for (const char* stage : {"filing", "voting"}) {
    const auto& s = c[stage];
    if (s.is_null()) {
      out << fmt::format("  {}: not open\n", stage);
      continue;
    }
    out << fmt::format(
        "  {}: opened {} (event {}) under procedure {}{}\n", stage, s["time"].get<std::string>(),
        s["seq"].get<int64_t>(), s["procedure"].get<int64_t>(),
        s.contains("waiver")
            ? fmt::format(", notice waived by event {}: {}", s["waiver"]["seq"].get<int64_t>(),
                          s["waiver"]["reason"].get<std::string>())
            : std::string());
  }
  if (!c["closed"].is_null()) {
    out << fmt::format("  voting closed {}\n", c["closed"]["time"].get<std::string>());
  }
  for (const auto& f : c["filers"]) {
    out << fmt::format("  filer {} ({}, {}): {}\n", f["name"].get<std::string>(),
                       f["preference"].get<std::string>(), f["gender"].get<std::string>(),
                       f["review"].get<std::string>());
  }
  for (const auto& r : c["results"]) {
    out << fmt::format("  pool {}: {}", r["pool"].get<std::string>(),
                       r["status"].get<std::string>());
    if (r.contains("message")) {
      out << ": " << r["message"].get<std::string>() << "\n";
      continue;
    }
    out << fmt::format(", {} ({}), {}\n", r["title"].get<std::string>(),
                       r["formula"].get<std::string>(), r["sweep"].get<std::string>());
    for (const auto& w : r["waivers"]) {
      out << fmt::format("    under a waiver of notice (event {}, {}): {}\n",
                         w["seq"].get<int64_t>(), w["by"].get<std::string>(),
                         w["reason"].get<std::string>());
    }
    for (const auto& d : r["elected"]) {
      out << fmt::format("    elected {}{}{}\n", d["name"].get<std::string>(),
                         d.contains("gender") ? " (" + d["gender"].get<std::string>() + ")" : "",
                         d.contains("swapped_in") ? ", by equal division" : "");
    }
    std::string dnc;
    for (const auto& [group, g] : r["dnc"]["groups"].items()) {
      dnc += fmt::format("{}{} {}", dnc.empty() ? "" : ", ", group, g["seats"].get<int64_t>());
    }
    out << "    the DNC's Hare method would give: " << dnc << "\n";
  }
}

}  // namespace

int RunConventionRecord(const ConventionRecordOptions& o, std::ostream& out, std::ostream& err) {
  if (!IsConventionEvent(o.event) || o.event == event_type::kConventionBallot ||
      o.event == event_type::kVotersIssued) {
    err << "canvass convention record: " << o.event
        << " is not an event the command line writes: convention-created, procedure-published, "
           "procedure-waived, convention-stage-opened, delegate-filed, filer-reviewed (with "
           "--campaign), slate-filed, convention-tally, voting-closed, convention-lots "
           "(ballots come from voters' codes, docs/conventions.md; `canvass convention voters` "
           "issues the codes)\n";
    return kExitUsage;
  }
  auto payload = ReadPayload(o.payload);
  if (!payload.ok()) return Fail(err, "convention record", payload.status());
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  const std::optional<Actor> actor = CliActor(**intake, o.campaign, err);
  if (!actor) return kExitUsage;
  if (!payload->contains("submission")) (*payload)["submission"] = CliSubmission("convention");
  return SubmitAndReport(**intake, Submission{o.event, *actor, "cli", std::move(*payload)}, out,
                         err);
}

int RunConventionShow(const ConventionShowOptions& o, std::ostream& out, std::ostream& err) {
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  auto shown = (*intake)->Read([&](const ElectionState& s) -> std::optional<nlohmann::json> {
    const ConventionRecord* c = s.conventions() ? s.conventions()->find(o.convention) : nullptr;
    if (c == nullptr) return std::nullopt;
    return ConventionJson(*c);
  });
  if (!shown) {
    err << "canvass convention show: there is no convention " << o.convention << "\n";
    return kExitUsage;
  }
  if (o.json) {
    out << shown->dump(2) << "\n";
  } else {
    PrintConvention(*shown, out);
  }
  return kExitOk;
}

}  // namespace canvass
