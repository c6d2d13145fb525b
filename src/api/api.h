// The JSON API under /api/v1 (docs/api.md): maps HTTP requests to the intake, the state and the
// tabulation. Every route checks the caller's role before anything else; every refusal uses the
// error shape {"error": {"code", "message", "field"}} with the matching status.
//
// Roles come from a bearer token (POST /api/v1/session with an access code). A chair may act
// only for its own precinct; an operator enters hotline reports; a campaign attests; an admin
// may do what any of them may and reissue codes; the public reads.
//
// Thread-safety: Handle() may be called from any io thread at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/national.h"
#include "api/static_files.h"
#include "http/metrics.h"
#include "http/rate_limiter.h"
#include "http/server.h"
#include "intake/credentials.h"
#include "intake/intake.h"
#include "publish/proof.h"

namespace canvass {

class Publisher;  // publish/publisher.h

struct ApiOptions {
  std::string session_key;              // hex; signs session tokens (credentials.h)
  int64_t session_seconds = 24 * 3600;  // token lifetime
  size_t max_photo_bytes = 10 * 1024 * 1024;
  LoginGuard::Options guard;
  KdfCost kdf = KdfCost::Server();  // cost of the dummy check for unknown ids
  // Per-credential submissions: sustained per second and burst.
  double submissions_per_second = 5;
  double submission_burst = 60;
  // GET /api/v1/results is rebuilt at most this often: a body younger than this is served even
  // when the ledger has moved (tabulating the state for every report would cost more than the
  // reports). Its `ledger.seq` always says which position it shows. 0: always current.
  std::chrono::milliseconds results_max_age{250};
  std::function<int64_t()> now_unix;  // injected clock; default: the system clock
  // The web front end, served for every path outside /api/v1 and /metrics; null: none (404).
  std::shared_ptr<const StaticFiles> web;
  // Publishes releases for POST /api/v1/releases; null: that route answers 503. Must outlive
  // the Api.
  Publisher* publisher = nullptr;
  // GET /api/v1/national's rules and other states (api/national.h); null: dnc-2020 and the
  // election's state (Iowa) alone.
  std::shared_ptr<const NationalSetup> national;
};

class Api {
 public:
  Api(Intake& intake, Metrics& metrics, ApiOptions options);

  void Handle(HttpRequest request, Respond respond);
  // A low-cardinality label for a path ("/api/v1/precincts/:id/first").
  static std::string RouteLabel(const std::string& path);

  // Wire to HttpServer::NotifyStreams so event streams wake on every commit.
  void SetStreamNotifier(std::function<void()> notify);

 private:
  struct Principal {
    std::string role;  // "public" when no token
    std::string subject;
    std::string credential;
  };

  // One request on its way to its handler: what every route reads, and where an answer that
  // waits for the ledger goes (Submit).
  struct Call {
    const HttpRequest& req;
    const Principal& who;
    const std::vector<std::string>& seg;  // the path after /api/v1: {"precincts", "12", "first"}
    Respond& respond;
    bool& answered;  // set when the answer is sent through `respond` later
  };
  // The route table (api.cc): a request under /api/v1 goes to the first entry naming its first
  // segment and, unless `segments` is 0 (the handler looks), its number of segments. A method
  // not in `methods` ("GET, POST") is answered 405 before the handler runs; null: the handler
  // decides (it must first refuse something else, such as a caller without a session).
  struct RouteEntry {
    std::string_view top;
    size_t segments;
    const char* methods;
    HttpResponse (Api::*handle)(const Call&);
  };
  static const RouteEntry kRoutes[];

  HttpResponse Route(const HttpRequest& req, const Principal& who, Respond& respond,
                     bool& answered);
  Principal Authenticate(const HttpRequest& req, HttpResponse* error);
  // Sends `payload` to the intake as an event of `type` by the caller; the answer goes through
  // the call's `respond` once the event is durable (or refused).
  HttpResponse Submit(const Call& c, std::string_view type, nlohmann::json payload);
  void SubmitEvent(const std::string& type, const Principal& who, nlohmann::json payload,
                   Respond respond);

  // The handlers, by subject. session_routes.cc: logging in, who is logged in, new codes.
  HttpResponse Session(const Call& c);
  // Answers at once, or (a credential's first login, recorded on the ledger) sets `answered` and
  // answers through `respond` once the record is durable.
  HttpResponse Login(const Call& c);
  HttpResponse Reissue(const Call& c);
  // view_routes.cc: what the election looks like now, to the public and to the party.
  HttpResponse Health(const Call& c);
  HttpResponse ElectionSummary(const Call& c);
  HttpResponse Results(const Call& c);
  HttpResponse Readiness(const Call& c);
  // convention_routes.cc: the voter roll (POST .../voters), its codes made and hashed there.
  HttpResponse ConventionVoters(const Call& c);
  HttpResponse Conventions(const Call& c);  // convention_routes.cc
  HttpResponse National(const Call& c);     // national.cc
  // district_routes.cc: a plan's geographic distribution, public; nothing read or written.
  HttpResponse Districts(const Call& c);
  // event_routes.cc: the ledger itself, as a stream and as pages of lines.
  HttpResponse Events(const Call& c);
  HttpResponse Ledger(const Call& c);
  // precinct_routes.cc: the precincts, their reports, photos, evidence and attestations.
  HttpResponse Precincts(const Call& c);
  HttpResponse PrecinctAction(const Call& c, int64_t id);
  HttpResponse AttachPhoto(const Call& c, int64_t id);
  HttpResponse Photos(const Call& c);
  HttpResponse Evidence(const Call& c);
  HttpResponse Attestations(const Call& c);
  // hotline_routes.cc: double entry by the hotline's operators.
  HttpResponse Hotline(const Call& c);
  HttpResponse HotlineReconciliation(const Call& c);
  // review_routes.cc: after the night: the audit, reviews, certification and the anomaly holds.
  HttpResponse AuditRoute(const Call& c);
  HttpResponse Rla(const Call& c);
  HttpResponse Reviews(const Call& c);
  HttpResponse RequestReview(const Call& c, nlohmann::json body);
  HttpResponse Certification(const Call& c);
  HttpResponse Holds(const Call& c);
  // GET /api/v1/audit ("record"), /audit/materiality and /audit/rla (audit.cc).
  enum class AuditBody : uint8_t { kRecord, kMateriality, kRla };
  HttpResponse Audit(const HttpRequest& req, AuditBody what);
  // release_routes.cc: the releases, their files, the publication policy and publishing.
  HttpResponse Releases(const Call& c);
  HttpResponse ReleasePolicy(const Call& c);
  HttpResponse ReleaseFiles(const HttpRequest& req, const std::vector<std::string>& seg);
  HttpResponse PublishRelease(const Principal& who);
  HttpResponse ReleaseTimeline(const HttpRequest& req);
  // GET /api/v1/releases/{n|latest}/proof/{precinct} (release_proof.cc).
  HttpResponse ReleaseProof(const HttpRequest& req, const std::vector<std::string>& seg);

  bool AllowSubmission(const std::string& credential);
  int64_t Now() const;

  Intake& intake_;
  Metrics& metrics_;
  ApiOptions options_;
  LoginGuard guard_;
  std::mutex mu_;  // guards notify_
  std::function<void()> notify_;

  RateLimiter submission_limiter_;  // per credential: options_.submissions_per_second

  // The latest ledger events as an event stream sends them, formatted once and shared by all
  // streams: event_wire_[i] is event event_wire_first_ + i. Filled from the store as streams
  // ask for newer events, at most kEventWireCache of them; a stream further behind reads the
  // store itself (the state keeps no lines).
  static constexpr size_t kEventWireCache = 4096;
  std::mutex events_mu_;
  std::deque<std::shared_ptr<const std::string>> event_wire_;
  int64_t event_wire_first_ = 1;

  // Release files read from the store, by SHA-256, the most recent first read kept up to
  // kReleaseCacheBytes: readers of the latest release cost no store read, and it is served while
  // the store cannot be read.
  static constexpr size_t kReleaseCacheBytes = size_t{96} << 20;
  std::mutex files_mu_;
  std::map<std::string, std::shared_ptr<const std::string>> files_;
  std::deque<std::string> files_order_;  // oldest first
  size_t files_bytes_ = 0;

  // Release timeline points (ReleaseTimelinePoint), by the SHA-256 of their release JSON: a
  // release never changes, so each is read and summarised once.
  std::mutex timeline_mu_;
  std::map<std::string, nlohmann::json> timeline_;

  // The Merkle tree of the release last asked for a proof, by its JSON's SHA-256: proofs of one
  // release share one parse and one hashing of its records.
  std::mutex proof_mu_;
  std::string proof_tree_sha_;
  std::shared_ptr<const ReleaseTree> proof_tree_;

  std::mutex results_mu_;
  int64_t results_seq_ = -1;
  std::chrono::steady_clock::time_point results_built_;
  std::shared_ptr<const std::string> results_body_;

  NationalCache national_;  // GET /api/v1/national, rebuilt like results_body_

  // GET /api/v1/audit, /audit/materiality and /audit/rla: each body kept for its ledger
  // position (by AuditBody).
  struct AuditCache {
    std::mutex mu;
    int64_t seq[3] = {-1, -1, -1};
    std::shared_ptr<const std::string> body[3];
  };
  AuditCache audit_;
};

}  // namespace canvass
