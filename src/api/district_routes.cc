// POST /api/v1/districts/analyze (docs/api.md): what a plan splitting a district's seats into
// sub-pools does to the result, answered with exactly the JSON `canvass districts analyze --json`
// prints for the same plan and votes (delegates/geography_json.h writes both). Public and pure:
// nothing is read from or written to the ledger, so it needs no session. What bounds the work a
// caller can ask for: the server's limit on a body's bytes, and the body's own limits on
// sub-pools, candidates and vote rows (io/plan_body.h), checked before any seat is allocated.
#include <utility>
#include <variant>

#include "api/api.h"
#include "api/routes.h"
#include "delegates/geography.h"
#include "delegates/geography_json.h"
#include "io/plan_body.h"

namespace canvass {

HttpResponse Api::Districts(const Call& c) {
  if (c.seg[1] != "analyze") return NoSuchRoute(c.req);
  nlohmann::json body;
  if (auto error = ParseBody(c.req, body)) return *error;
  auto parsed = ParsePlanBody(body);
  if (auto* e = std::get_if<PlanBodyError>(&parsed)) {
    return HttpResponse::Error(422, e->code, e->message, e->field);
  }
  PlanBody& in = std::get<PlanBody>(parsed);
  DistrictPlan plan;
  plan.district = in.plan.district;
  plan.seats = in.plan.seats;
  for (const PlanPoolRow& p : in.plan.pools) plan.pools.push_back({p.name, p.seats});
  DistrictVotes votes{std::move(in.votes.candidates), std::move(in.votes.pools)};
  GeographyOptions options;
  options.seats_per_voter_ratio = in.seats_per_voter_ratio;
  options.lots.assign(in.lots.begin(), in.lots.end());
  auto analysis = AnalyzePlan(plan, votes, options);
  if (!analysis.ok()) {
    // A remainder tie the lots do not settle: the caller can say how they fell ("lots").
    const bool tie = analysis.status().code() == Status::Code::kFailedPrecondition;
    return HttpResponse::Error(422, tie ? "tie-needs-lots" : "plan-refused",
                               std::string(analysis.status().message()), tie ? "lots" : "plan");
  }
  return JsonResponse(200, GeographyAnalysisToJson(*analysis));
}

}  // namespace canvass
