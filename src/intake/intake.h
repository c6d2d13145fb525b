// Intake: every channel's submission -> the same checks -> a durable ledger event.
//
// One writer thread owns the store's write side. Submissions from any thread queue up; the writer
// takes all that are waiting as one batch, and inside one exclusive store transaction (a) applies
// the events other writers (another server node, `canvass credentials` run beside the server)
// appended since it last looked, (b) builds each submission's event(s) and offers them to
// ElectionState::Apply, which accepts or refuses them, and (c) commits the accepted ones. Only
// when the commit is durable is anyone answered, so an acknowledged submission survives a crash;
// batching is what lets one fsync carry many reports (group commit).
//
// Idempotency: a submission carries a client-chosen id (payload member "submission"). If that
// actor already had a submission with that id accepted, the first answer is returned and nothing
// is written. Hotline entries: when a second operator's entry agrees with a first one, the writer
// appends the alignment report itself, citing both entries.
//
// If a commit fails (disk full, database read-only or gone), the batch is answered "unavailable",
// the state is put back as it was before the batch (ElectionState::Rollback), and later
// submissions are tried again normally, so the server recovers by itself when the cause goes away.
//
// Thread-safety: Submit and Read from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/event.h"
#include "state/election_state.h"
#include "store/store.h"

namespace canvass {

struct Submission {
  std::string type;  // the event type to append, e.g. "first-alignment-reported"
  Actor actor;
  std::string channel;
  nlohmann::json payload = nlohmann::json::object();
};

struct Outcome {
  enum class Kind : uint8_t { kAccepted, kDuplicate, kRejected, kUnavailable };
  Kind kind = Kind::kAccepted;
  std::optional<Rejection> rejection;  // kRejected
  std::string unavailable;             // kUnavailable: why the store refused
  int64_t seq = 0;                     // the (last) event appended for it, or the first time's
  Answer answer;  // kAccepted, kDuplicate: what it was answered, as facts (api/answer_json.h)
};

class Intake {
 public:
  struct Options {
    // How often the writer looks for events appended by other writers when it has no work.
    std::chrono::milliseconds poll{200};
    // Whether a SQLite store that does not exist is created (`canvass init`), or refused with
    // NotFound and nothing created (the commands that need an election already set up).
    bool create_store = true;
  };

  // Opens the store at `location` (store/store.h), replays the whole ledger into the state with
  // its chain verified (state/replay.h), and starts the writer. Corruption names the first
  // damaged event, as `canvass ledger verify` does; a store that cannot be read gives its error.
  static Result<std::unique_ptr<Intake>> Open(const std::string& location, Options options);
  static Result<std::unique_ptr<Intake>> Open(const std::string& location) {
    return Open(location, Options{});
  }
  ~Intake();
  Intake(const Intake&) = delete;
  Intake& operator=(const Intake&) = delete;

  // Queues a submission; `done` is called once, on the writer thread, when it is durable or
  // refused.
  void Submit(Submission submission, std::function<void(Outcome)> done);
  // Submits and waits.
  Outcome SubmitAndWait(Submission submission);
  // Several submissions in one transaction, in order (setting up an election). Each is answered.
  std::vector<Outcome> SubmitAllAndWait(std::vector<Submission> submissions);

  // Runs `f(const ElectionState&)` under the shared lock.
  template <typename F>
  auto Read(F&& f) const {
    std::shared_lock lock(mu_);
    return f(state_);
  }

  // Called on the writer thread after every commit that advanced the ledger (new seq).
  void OnCommit(std::function<void(int64_t seq)> listener);

  // Worksheet photos, by SHA-256 (a separate store connection, safe from any thread).
  Status PutBlob(const std::string& sha256_hex, std::string_view bytes);
  Status PutBlobs(const std::vector<Store::BlobWrite>& blobs);
  Result<std::optional<std::string>> GetBlob(const std::string& sha256_hex);

  // The ledger's events with seq > after, ascending, at most `limit`, as the store holds them
  // (the state keeps no lines): pages of the ledger, the event stream, a published site. The
  // latest kRecentLines come from memory (served while the store is unreachable, and never
  // beyond what the state has applied), older ones through the blobs' connection.
  Result<std::vector<StoredEvent>> ReadEvents(int64_t after, int64_t limit);

  // For tests and health checks: the store's kind ("sqlite", "postgresql").
  const char* store_kind() const { return store_->kind(); }

 private:
  struct Pending {
    Submission submission;
    std::function<void(Outcome)> done;
  };
  Intake(std::unique_ptr<Store> store, std::unique_ptr<Store> side, Options options);
  // (Re)builds state_ from the store; caller holds mu_ exclusively. On failure state_ is kept.
  Status Replay();
  // Keeps `stored`, a durable event the state has applied, among the recent lines.
  void Remember(const StoredEvent& stored);
  void WriterLoop();
  void ProcessBatch(std::vector<Pending>& batch);
  void CatchUp();
  // Builds, checks and applies one submission's events; returns those to append.
  Outcome Offer(const Submission& s, std::vector<StoredEvent>& out);
  std::optional<Rejection> OfferEvent(Event event, std::vector<StoredEvent>& out);

  Options options_;
  std::unique_ptr<Store> store_;  // the writer's
  std::unique_ptr<Store> side_;   // blobs, from the io threads
  std::mutex side_mu_;

  mutable std::shared_mutex mu_;
  ElectionState state_;
  // The latest durable lines the state has applied, at most kRecentLines (under mu_).
  static constexpr size_t kRecentLines = 4096;
  std::deque<StoredEvent> recent_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool stop_ = false;
  std::vector<std::function<void(int64_t)>> listeners_;
  std::thread writer_;
};

}  // namespace canvass
