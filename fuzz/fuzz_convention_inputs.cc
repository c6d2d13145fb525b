// Feeds untrusted bytes to the second stage's importers (plan.csv, a plan's votes.csv against a
// small plan, ballots.csv, nominees.csv, and the same plan and votes as the JSON body of
// POST /api/v1/districts/analyze), and what they accept to the math behind them (AnalyzePlan,
// CountConvention): any input must give a value or a Status, never a crash, an abort (Rational
// overflow, failed assertion) or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/json_text.h"
#include "delegates/geography.h"
#include "delegates/geography_json.h"
#include "delegates/seat_formulas.h"
#include "io/convention_inputs.h"
#include "io/plan_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canvass;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto plan = ParsePlanCsv(text, "fuzz");
  if (!plan.ok()) (void)plan.status().message();
  static const auto known =
      ParsePlanCsv("district,pool,seats\nCD9,,5\nCD9,North,2\nCD9,South,3\n", "fuzz-plan");
  if (!known.ok()) __builtin_trap();
  auto votes = ParsePlanVotesCsv(text, "fuzz", known.value());
  if (votes.ok()) {
    DistrictPlan p{known->district, known->seats, {}};
    for (const PlanPoolRow& r : known->pools) p.pools.push_back({r.name, r.seats});
    GeographyOptions options;
    for (size_t i = 0; i < votes->candidates.size(); ++i) {
      options.lots.push_back(static_cast<CandidateIndex>(i));
    }
    auto a = AnalyzePlan(p, {votes->candidates, votes->pools}, options);
    if (!a.ok()) (void)a.status().message();
  }
  // The route's path: the body read as the server reads it (duplicate keys refused), then the
  // plan and votes in it analysed and written as the answer.
  auto json = ParseJsonText(text);
  if (const auto* doc = std::get_if<nlohmann::json>(&json)) {
    auto body = ParsePlanBody(*doc);
    if (auto* in = std::get_if<PlanBody>(&body)) {
      DistrictPlan p{in->plan.district, in->plan.seats, {}};
      for (const PlanPoolRow& r : in->plan.pools) p.pools.push_back({r.name, r.seats});
      GeographyOptions options;
      options.seats_per_voter_ratio = in->seats_per_voter_ratio;
      options.lots.assign(in->lots.begin(), in->lots.end());
      auto a = AnalyzePlan(p, {in->votes.candidates, in->votes.pools}, options);
      if (a.ok()) {
        (void)GeographyAnalysisToJson(*a).dump();
      } else {
        (void)a.status().message();
      }
    } else {
      (void)std::get<PlanBodyError>(body).message;
    }
  }
  auto ballots = ParseConventionBallotsCsv(text, "fuzz");
  if (ballots.ok()) {
    ConventionCount c;
    c.formula = ballots->ranked ? SeatFormula::kStv : SeatFormula::kDhondt;
    c.seats = 3;
    for (size_t i = 0; i < ballots->options.size(); ++i) {
      c.options.push_back({ballots->options[i], {}, std::nullopt, ""});
      c.lots.push_back(static_cast<uint32_t>(i));
    }
    c.tallies = ballots->tallies;
    for (const RankedRow& r : ballots->ballots) c.ballots.push_back({r.ranking, r.count});
    auto r = CountConvention(c);
    if (!r.ok()) (void)r.status().message();
  }
  auto nominees = ParseNomineesCsv(text, "fuzz");
  if (!nominees.ok()) (void)nominees.status().message();
  return 0;
}
