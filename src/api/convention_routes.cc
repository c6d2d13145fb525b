// Conventions (docs/api.md "Conventions", docs/conventions.md "On the ledger"): public to read,
// with every pool's result; each step of a convention is an event the logged-in code submits.
// The ledger decides who may do what (an administrator publishes procedures, the officers enter
// filings, slates, tallies and lots, a campaign reviews its own filers, a voter casts a ballot);
// here only who is logged in, and that the path and the body name the same convention.
#include <fmt/format.h>

#include <map>
#include <string>

#include "api/api.h"
#include "api/routes.h"
#include "state/convention.h"

namespace canvass {

using nlohmann::json;

namespace {

// POST /api/v1/conventions/{name}/{step}: the event each step submits.
const std::map<std::string, std::string, std::less<>>& ConventionSteps() {
  static const std::map<std::string, std::string, std::less<>> kSteps = {
      {"procedures", "procedure-published"},
      {"waivers", "procedure-waived"},
      {"stages", "convention-stage-opened"},
      {"filings", "delegate-filed"},
      {"reviews", "filer-reviewed"},
      {"slates", "slate-filed"},
      {"ballots", "convention-ballot"},
      {"tallies", "convention-tally"},
      {"close", "voting-closed"},
      {"lots", "convention-lots"}};
  return kSteps;
}

}  // namespace

HttpResponse Api::Conventions(const Call& c) {
  const std::vector<std::string>& seg = c.seg;
  if (seg.size() > 3) return NoSuchRoute(c.req);
  if (c.req.method == "GET" && seg.size() <= 2) {
    if (seg.size() == 1) {
      json names = json::array();
      intake_.Read([&](const ElectionState& s) {
        if (s.conventions() == nullptr) return;
        for (const auto& [name, record] : s.conventions()->conventions) {
          names.push_back({{"convention", name}, {"district", record.district}});
        }
      });
      return JsonResponse(200, {{"conventions", std::move(names)}});
    }
    auto shown = intake_.Read([&](const ElectionState& s) -> std::optional<json> {
      const ConventionRecord* r = s.conventions() ? s.conventions()->find(seg[1]) : nullptr;
      if (r == nullptr) return std::nullopt;
      return ConventionJson(*r);
    });
    if (!shown) {
      return HttpResponse::Error(404, "unknown-convention", "there is no convention " + seg[1]);
    }
    return JsonResponse(200, *shown);
  }
  std::string type = "convention-created";
  if (seg.size() == 3) {
    auto step = ConventionSteps().find(seg[2]);
    if (step == ConventionSteps().end()) return NoSuchRoute(c.req);
    type = step->second;
  } else if (seg.size() == 2) {
    return MethodNotAllowed(c.req, "GET");
  }
  if (c.req.method != "POST")
    return MethodNotAllowed(c.req, seg.size() == 1 ? "GET, POST" : "POST");
  if (c.who.role == "public") return NeedLogin();
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  if (seg.size() == 3) {
    // The path names the convention; a body that names another is a mistake, not a choice.
    if (body.contains("convention") && body["convention"] != seg[1]) {
      return HttpResponse::Error(422, "convention-mismatch",
                                 fmt::format("the path names convention {}, the body {}", seg[1],
                                             body["convention"].dump()),
                                 "convention");
    }
    body["convention"] = seg[1];
  }
  return Submit(c, type, std::move(body));
}

}  // namespace canvass
