#include "publish/publisher.h"

#include "intake/setup.h"

#include "core/sha256.h"
#include "ledger/event_types.h"
#include "publish/release_delta.h"
#include "publish/release_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace canvass {

Publisher::Publisher(Intake& intake, std::optional<SigningKey> key)
    : intake_(intake), key_(std::move(key)) {}

Publisher::~Publisher() { Stop(); }

Result<PublishOutcome> Publisher::PublishNow(const Actor& actor, const std::string& channel) {
  if (!key_) return Status::FailedPrecondition("this node holds no signing key");
  std::lock_guard lock(publish_mu_);
  for (int attempt = 0; attempt < 5; ++attempt) {
    // A snapshot, so that the writer is not held up while the release is built: it shares the
    // precinct records (a pointer each) instead of copying the state.
    const std::shared_ptr<const ElectionState> snapshot =
        intake_.Read([](const ElectionState& s) { return s.Snapshot(); });
    const ElectionState& state = *snapshot;
    if (!state.created()) return Status::FailedPrecondition("the store holds no election");
    if (!state.signing_key().empty() && state.signing_key() != key_->public_hex) {
      return Status::FailedPrecondition(
          fmt::format("the signing key file holds key {}, but the election's key is {}",
                      key_->public_hex, state.signing_key()));
    }
    if (!LedgerMovedSinceRelease(state)) {
      PublishOutcome o;
      if (!state.releases().empty()) {
        o.number = state.releases().back().number;
        o.ledger_seq = state.releases().back().ledger_seq;
      }
      return o;
    }
    // Each release is compared with the previous one as published (release_delta.h): through
    // what this publisher kept of it when it built it, else its JSON and records, read back from
    // the blob store by the hashes its release-published event recorded.
    const BlobGet get = [this](const std::string& sha) { return intake_.GetBlob(sha); };
    auto read_previous = [&]() -> Result<PublishedFiles> {
      const ReleaseRecord& last = state.releases().back();
      auto bytes = ReadPublishedRelease(get, last);
      if (!bytes.ok()) {
        if (bytes.status().code() == Status::Code::kIoError) return bytes.status();
        return Status::FailedPrecondition(fmt::format(
            "{}: the next release cannot be compared with it", bytes.status().message()));
      }
      return bytes;
    };
    // Every file goes into the store by part as it is built (docs/releases.md "Stored by
    // part"): a part the previous release stored already is not written again.
    // Parts go to the store in batches, each one transaction: thousands of parts (a first
    // release at national scale) each waiting for the disk took tens of seconds. At most about
    // 8 MiB is held; every batch is durable before the release-published event is appended.
    std::vector<std::string> held_hashes;
    std::vector<std::string> held_bytes;
    size_t held_size = 0;
    auto flush = [&]() -> Status {
      std::vector<Store::BlobWrite> batch;
      batch.reserve(held_hashes.size());
      for (size_t i = 0; i < held_hashes.size(); ++i) {
        batch.push_back({held_hashes[i], held_bytes[i]});
      }
      Status st = intake_.PutBlobs(batch);
      held_hashes.clear();
      held_bytes.clear();
      held_size = 0;
      return st;
    };
    auto keep = std::make_unique<PreviousRelease>();
    std::unordered_set<std::string> stored;  // this release's blobs
    int64_t put = 0, known = 0;
    auto release = BuildAndStoreRelease(
        state, kept_.get(), read_previous,
        [&](const std::string& sha, std::string_view bytes) -> Status {
          stored.insert(sha);
          if (stored_.count(sha) != 0) {  // the last release stored it
            ++known;
            return Status::Ok();
          }
          ++put;
          held_hashes.push_back(sha);
          held_bytes.emplace_back(bytes);
          held_size += bytes.size();
          return held_size >= (8u << 20) ? flush() : Status::Ok();
        },
        keep.get());
    if (!release.ok()) return release.status();
    CANVASS_RETURN_IF_ERROR(flush());
    const std::string signature = SignHex(*key_, release->json.bytes);
    // The root statement is signed on its own, so that one precinct's proof can be checked
    // without the release's other records (docs/releases.md, "Precinct by precinct").
    const std::string root_signature = SignHex(*key_, release->root.bytes);
    const std::string root_sig_file = SignatureFileBytes(root_signature);
    CANVASS_RETURN_IF_ERROR(intake_.PutBlob(Sha256Hex(root_sig_file), root_sig_file));
    Outcome o =
        intake_.SubmitAndWait(Submission{std::string(event_type::kReleasePublished), actor, channel,
                                         ReleaseEventPayload(*release, signature, root_signature)});
    if (o.kind == Outcome::Kind::kAccepted) {
      keep->built_from = snapshot;  // shares every record it has in common with the state
      kept_ = std::move(keep);
      stored_ = std::move(stored);
      return PublishOutcome{true, release->number, release->ledger_seq, o.seq, put, known};
    }
    const bool raced =
        o.kind == Outcome::Kind::kRejected &&
        (o.rejection->code == "release-number" || o.rejection->code == "release-stale");
    if (o.kind == Outcome::Kind::kUnavailable) {
      return Status::IoError("the release was not recorded: " + OutcomeMessage(o));
    }
    if (!raced) {
      return Status::FailedPrecondition("the release was not recorded: " + OutcomeMessage(o));
    }
  }
  return Status::FailedPrecondition("other nodes kept publishing first; try again");
}

void Publisher::Start() {
  intake_.OnCommit([this](int64_t) {
    {
      std::lock_guard lock(mu_);
      wake_ = true;
    }
    cv_.notify_one();
  });
  thread_ = std::thread([this] { Loop(); });
}

void Publisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Publisher::Loop() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last = Clock::now() - std::chrono::hours(1);
  std::unique_lock lock(mu_);
  while (!stop_) {
    const PublicationPolicy policy =
        intake_.Read([](const ElectionState& s) { return s.publication_policy(); });
    if (policy.mode != "manual" && key_) {
      // Measured from the start of the previous build. interval: every `seconds`. each-report:
      // as soon as the ledger moves, but at most four releases a second (a build of the whole
      // Iowa release takes about a quarter of a second), so that a report is in a release
      // within about two builds' time however fast reports come.
      const auto gap = policy.mode == "interval"
                           ? std::chrono::milliseconds(1000 * std::max<int64_t>(1, policy.seconds))
                           : std::chrono::milliseconds(250);
      if (Clock::now() < last + gap) {
        cv_.wait_until(lock, last + gap, [&] { return stop_; });
        continue;
      }
      if (intake_.Read([](const ElectionState& s) { return LedgerMovedSinceRelease(s); })) {
        last = Clock::now();
        lock.unlock();
        auto outcome = PublishNow(Actor{std::string(role::kAdmin), "cli"}, "admin");
        if (!outcome.ok()) {
          std::fprintf(stderr, "canvass: automatic release failed: %s\n",
                       outcome.status().message().c_str());
        }
        lock.lock();
        continue;
      }
    }
    // Wake on the next commit (a report, a new policy), and look again every second anyway.
    wake_ = false;
    cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_ || wake_; });
  }
}

}  // namespace canvass
