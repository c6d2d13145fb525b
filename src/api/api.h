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

  HttpResponse Route(const HttpRequest& req, const Principal& who, Respond& respond,
                     bool& answered);
  Principal Authenticate(const HttpRequest& req, HttpResponse* error);
  // Answers at once, or (a credential's first login, recorded on the ledger) sets `answered` and
  // answers through `respond` once the record is durable.
  HttpResponse Login(const HttpRequest& req, Respond& respond, bool& answered);
  HttpResponse Results(const HttpRequest& req);
  HttpResponse National(const HttpRequest& req);  // national.cc
  // GET /api/v1/audit, or /api/v1/audit/materiality (audit.cc).
  // GET /api/v1/audit ("record"), /audit/materiality and /audit/rla (src/api/audit.cc).
  enum class AuditBody : uint8_t { kRecord, kMateriality, kRla };
  HttpResponse Audit(const HttpRequest& req, AuditBody what);
  HttpResponse Events(const HttpRequest& req);
  HttpResponse Ledger(const HttpRequest& req);
  HttpResponse ReleaseFiles(const HttpRequest& req, const std::vector<std::string>& seg);
  HttpResponse PublishRelease(const Principal& who);
  HttpResponse ReleaseTimeline(const HttpRequest& req);
  // GET /api/v1/releases/{n|latest}/proof/{precinct} (release_proof.cc).
  HttpResponse ReleaseProof(const HttpRequest& req, const std::vector<std::string>& seg);
  void SubmitEvent(const std::string& type, const Principal& who, nlohmann::json payload,
                   Respond respond);
  bool AllowSubmission(const std::string& credential);
  int64_t Now() const;

  Intake& intake_;
  Metrics& metrics_;
  ApiOptions options_;
  LoginGuard guard_;
  std::mutex mu_;  // guards notify_
  std::function<void()> notify_;

  RateLimiter submission_limiter_;  // per credential: options_.submissions_per_second

  // Every ledger event as an event stream sends it, formatted once and shared by all streams
  // (index seq - 1); filled from the intake as streams ask for newer events.
  std::mutex events_mu_;
  std::vector<std::shared_ptr<const std::string>> event_wire_;

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
