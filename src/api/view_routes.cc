// What the election looks like now (docs/api.md "Reading"): GET /api/v1/health, /election and
// /results for everyone, and /readiness (which chairs have logged in and practised) for the
// party's administrators.
#include <fmt/format.h>

#include "api/api.h"
#include "api/routes.h"
#include "caucus/json_output.h"
#include "ledger/event_types.h"
#include "publish/release.h"
#include "tabulate/tabulate.h"

namespace canvass {

using nlohmann::json;

HttpResponse Api::Health(const Call&) {
  return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
    return json{{"status", "ok"},
                {"store", intake_.store_kind()},
                {"election", s.created()},
                {"seq", s.seq()}};
  }));
}

HttpResponse Api::ElectionSummary(const Call&) {
  return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
    if (!s.created()) return json{{"created", false}};
    return json{{"created", true},
                {"name", s.name()},
                {"ruleset", RulesetRefJson(s.ruleset())},
                {"candidates", s.candidates()},
                {"precincts", s.precincts().size()},
                {"seq", s.seq()},
                {"head", s.head_hash()}};
  }));
}

HttpResponse Api::Results(const Call& c) {
  const int64_t seq = intake_.Read([](const ElectionState& s) { return s.seq(); });
  std::shared_ptr<const std::string> body;
  int64_t body_seq = -1;
  {
    std::unique_lock lock(results_mu_, std::try_to_lock);
    const bool stale_ok = !lock.owns_lock() && results_body_ != nullptr;
    if (!lock.owns_lock() && !stale_ok) lock.lock();
    if (lock.owns_lock()) {
      const auto now = std::chrono::steady_clock::now();
      const bool fresh_enough =
          results_body_ != nullptr &&
          (results_seq_ == seq || now - results_built_ < options_.results_max_age);
      if (!fresh_enough) {
        // Counted from a snapshot outside the intake's lock, by the function a release is
        // counted with: the same precincts (the anomaly gate's held ones left out) and the same
        // `reporting` (docs/releases.md "Reporting").
        auto snapshot = intake_.Read([](const ElectionState& s) { return s.Snapshot(); });
        auto built = [&]() -> std::pair<int64_t, std::string> {
          const ElectionState& s = *snapshot;
          if (!s.created()) return {s.seq(), json{{"created", false}}.dump()};
          json out;
          json reporting;
          if (auto counted = CountResults(s); counted.ok()) {
            out = TabulationToJson(s.ruleset(), s.candidates(), counted->tabulation);
            reporting = std::move(counted->reporting);
          } else {
            out = {{"error", counted.status().message()}};
          }
          out["ledger"] = {{"seq", s.seq()}, {"head", s.head_hash()}};
          out["reporting"] = std::move(reporting);
          return {s.seq(), out.dump()};
        }();
        results_seq_ = built.first;
        results_body_ = std::make_shared<const std::string>(std::move(built.second));
        results_built_ = now;
      }
    }
    body = results_body_;
    body_seq = results_seq_;
  }
  const std::string etag = fmt::format("\"r{}\"", body_seq);
  return HttpResponse::Revalidated(c.req, etag, std::move(body));
}

HttpResponse Api::Readiness(const Call& c) {
  if (auto refused = RequireAdmin(c.who.role, "only administrators see readiness")) {
    return *refused;
  }
  return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
    json rows = json::array();
    int64_t in = 0;
    int64_t practised = 0;
    int64_t both = 0;
    for (size_t i = 0; i < s.precincts().size(); ++i) {
      const std::string subject = std::to_string(i + 1);
      const CredentialRecord* chair = s.credential_of(role::kChair, subject);
      // Logins (session-opened) and practice reports are in the ledger, so every node, and a
      // node after a restart, gives the same figures.
      const bool seen = chair != nullptr && chair->session_seq != 0;
      in += seen ? 1 : 0;
      const PrecinctRecord& r = *s.precinct(static_cast<int64_t>(i + 1));
      practised += r.practice_reports > 0 ? 1 : 0;
      both += seen && r.practice_reports > 0 ? 1 : 0;
      rows.push_back({{"precinct", static_cast<int64_t>(i + 1)},
                      {"county", s.precincts()[i].county},
                      {"name", s.precincts()[i].precinct},
                      {"chair_logged_in", seen},
                      {"chair_login_seq", seen ? chair->session_seq : 0},
                      {"practice_reports", r.practice_reports},
                      {"practice_seq", r.practice_seq},
                      {"status", s.StatusOf(static_cast<int64_t>(i + 1))}});
    }
    return json{{"chairs_logged_in", in},
                {"chairs_practised", practised},
                {"chairs_ready", both},
                {"precincts", rows}};
  }));
}

}  // namespace canvass
