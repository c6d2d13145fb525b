// Publishing: builds the release of the ledger as it stands, signs it, stores its files as blobs
// (so that every server node can serve them) and appends the release-published event that
// numbers it. Also follows the ledger's publication policy (publication-policy-set) on a
// background thread: "manual" publishes only when asked, "interval" every N seconds when the
// ledger has moved, "each-report" after every new event, at most four releases a second (a burst
// of reports is coalesced into one release of the latest prefix).
//
// Two publishers (two nodes) can race for the same number: ElectionState refuses the second
// release-published event, and the loser rebuilds from the newer prefix and tries again.
//
// Thread-safety: PublishNow from any thread (calls are serialized); Start and Stop from one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>

#include "core/status.h"
#include "intake/intake.h"
#include "publish/release.h"
#include "publish/signing.h"

namespace canvass {

struct PublishOutcome {
  bool published = false;  // false: the ledger had not moved since the last release
  int64_t number = 0;      // the release published, or the latest one
  int64_t ledger_seq = 0;  // the prefix it was built from
  int64_t seq = 0;         // the release-published event (0 when nothing was published)
  // The release's blobs (parts and manifests): handed to the store, and not handed to it
  // because the last release this publisher published stored them.
  int64_t blobs_put = 0;
  int64_t blobs_known = 0;
};

class Publisher {
 public:
  // `key` may be absent: then nothing can be published (PublishNow fails), but the policy
  // thread still runs harmlessly.
  Publisher(Intake& intake, std::optional<SigningKey> key);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  bool can_publish() const { return key_.has_value(); }

  // Publishes a release if the ledger moved since the last one. FailedPrecondition without a
  // key, without an election, or when the key is not the one election-created names; IoError
  // when the store cannot keep the release now (nothing published: try again).
  Result<PublishOutcome> PublishNow(const Actor& actor, const std::string& channel);

  // Follows the policy from a background thread, publishing as {"admin","cli"} on channel
  // "admin" (the server holds the store and the key, as the command line does).
  void Start();
  // Ends the thread (idempotent). Call before the Intake is destroyed.
  void Stop();

 private:
  void Loop();

  Intake& intake_;
  std::optional<SigningKey> key_;
  std::mutex publish_mu_;
  // What the next release needs of the last one this publisher built (its precincts' figure
  // digests), so that it is not read back and parsed whole; guarded by publish_mu_.
  std::unique_ptr<PreviousRelease> kept_;
  // The SHA-256 (hex) of every blob this publisher stored, or found stored, for the last release
  // it published: in the store, durably, before that release's event was appended. The next
  // release does not hand those to the store again (most of its parts at national scale);
  // guarded by publish_mu_.
  std::unordered_set<std::string> stored_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool wake_ = false;
  std::thread thread_;
};

}  // namespace canvass
