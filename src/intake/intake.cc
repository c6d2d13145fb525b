#include "intake/intake.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "ledger/event_types.h"
#include "state/replay.h"

namespace canvass {

using nlohmann::json;

namespace {

Outcome Rejected(Rejection r) {
  Outcome o;
  o.kind = Outcome::Kind::kRejected;
  o.rejection = std::move(r);
  return o;
}

}  // namespace

Intake::Intake(std::unique_ptr<Store> store, std::unique_ptr<Store> side, Options options)
    : options_(options), store_(std::move(store)), side_(std::move(side)) {}

Result<std::unique_ptr<Intake>> Intake::Open(const std::string& location, Options options) {
  auto store = OpenStore(location, options.create_store);
  if (!store.ok()) return store.status();
  auto side = OpenStore(location, options.create_store);
  if (!side.ok()) return side.status();
  std::unique_ptr<Intake> intake(
      new Intake(std::move(store).value(), std::move(side).value(), options));
  {
    std::unique_lock lock(intake->mu_);
    CANVASS_RETURN_IF_ERROR(intake->Replay());
  }
  intake->writer_ = std::thread([p = intake.get()] { p->WriterLoop(); });
  return intake;
}

Intake::~Intake() {
  {
    std::lock_guard lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  for (Pending& p : queue_) {
    Outcome o;
    o.kind = Outcome::Kind::kUnavailable;
    o.unavailable = "the server is shutting down";
    p.done(std::move(o));
  }
}

Status Intake::Replay() {
  // Into a state of its own: when the store cannot be read, or its ledger does not replay, the
  // one in use stays. The chain is verified on the way (hashes, prev links, the store's recorded
  // head), not only decoded: a server must not extend, and answer receipts from, a ledger whose
  // lines were changed under it. It costs little: SHA-256 of every line beside the decoding and
  // Apply the rebuild does anyway (Iowa's rehearsed ledger: docs/performance.md).
  ElectionState fresh;
  std::deque<StoredEvent> recent;
  ReplayOptions options;
  options.on_event = [&recent](const Event&, const StoredEvent& stored) {
    recent.push_back(stored);
    if (recent.size() > kRecentLines) recent.pop_front();
    return Status::Ok();
  };
  CANVASS_RETURN_IF_ERROR(ReplayStatus(ReplayStore(*store_, fresh, options)));
  state_ = std::move(fresh);
  recent_ = std::move(recent);
  return Status::Ok();
}

void Intake::Remember(const StoredEvent& stored) {
  recent_.push_back(stored);
  if (recent_.size() > kRecentLines) recent_.pop_front();
}

Result<std::vector<StoredEvent>> Intake::ReadEvents(int64_t after, int64_t limit) {
  {
    // The latest lines are at hand, also while the store cannot be read.
    std::shared_lock lock(mu_);
    if (!recent_.empty() && after + 1 >= recent_.front().seq) {
      std::vector<StoredEvent> out;
      for (auto it = recent_.begin() + std::min<int64_t>(after + 1 - recent_.front().seq,
                                                         static_cast<int64_t>(recent_.size()));
           it != recent_.end() && static_cast<int64_t>(out.size()) < limit; ++it) {
        out.push_back(*it);
      }
      return out;
    }
  }
  std::lock_guard lock(side_mu_);
  return side_->ReadAfter(after, limit);
}

void Intake::Submit(Submission submission, std::function<void(Outcome)> done) {
  {
    std::lock_guard lock(queue_mu_);
    if (!stop_) {
      queue_.push_back(Pending{std::move(submission), std::move(done)});
      queue_cv_.notify_one();
      return;
    }
  }
  Outcome o;
  o.kind = Outcome::Kind::kUnavailable;
  o.unavailable = "the server is shutting down";
  done(std::move(o));
}

Outcome Intake::SubmitAndWait(Submission submission) {
  std::promise<Outcome> promise;
  auto future = promise.get_future();
  Submit(std::move(submission), [&promise](Outcome o) { promise.set_value(std::move(o)); });
  return future.get();
}

std::vector<Outcome> Intake::SubmitAllAndWait(std::vector<Submission> submissions) {
  std::vector<Pending> batch;
  std::vector<std::promise<Outcome>> promises(submissions.size());
  for (size_t i = 0; i < submissions.size(); ++i) {
    batch.push_back(Pending{std::move(submissions[i]),
                            [&promises, i](Outcome o) { promises[i].set_value(std::move(o)); }});
  }
  // Enqueued as one unit so that the writer commits them in one transaction.
  {
    std::lock_guard lock(queue_mu_);
    for (Pending& p : batch) queue_.push_back(std::move(p));
  }
  queue_cv_.notify_one();
  std::vector<Outcome> out;
  for (auto& p : promises) out.push_back(p.get_future().get());
  return out;
}

void Intake::OnCommit(std::function<void(int64_t)> listener) {
  std::lock_guard lock(queue_mu_);
  listeners_.push_back(std::move(listener));
}

Status Intake::PutBlob(const std::string& sha256_hex, std::string_view bytes) {
  std::lock_guard lock(side_mu_);
  return side_->PutBlob(sha256_hex, bytes);
}

Status Intake::PutBlobs(const std::vector<Store::BlobWrite>& blobs) {
  std::lock_guard lock(side_mu_);
  return side_->PutBlobs(blobs);
}

Result<std::optional<std::string>> Intake::GetBlob(const std::string& sha256_hex) {
  std::lock_guard lock(side_mu_);
  return side_->GetBlob(sha256_hex);
}

void Intake::WriterLoop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait_for(lock, options_.poll, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      // Take everything waiting: one commit for all, and SubmitAllAndWait's units stay whole.
      while (!queue_.empty()) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (batch.empty()) {
      CatchUp();
      continue;
    }
    ProcessBatch(batch);
  }
}

void Intake::CatchUp() {
  int64_t before = 0;
  int64_t after = 0;
  {
    std::unique_lock lock(mu_);
    before = state_.seq();
    auto events = store_->ReadAfter(state_.seq(), 4096);
    if (!events.ok()) return;  // the store is unreachable: try again at the next poll
    for (const StoredEvent& stored : *events) {
      auto event = DecodeEvent(stored.line);
      if (!event.ok() || state_.Apply(*event, stored)) {
        // Another writer appended something this node cannot replay: rebuild to report it.
        (void)Replay();
        break;
      }
      Remember(stored);
    }
    after = state_.seq();
  }
  if (after > before) {
    std::vector<std::function<void(int64_t)>> listeners;
    {
      std::lock_guard lock(queue_mu_);
      listeners = listeners_;
    }
    for (auto& l : listeners) l(after);
  }
}

std::optional<Rejection> Intake::OfferEvent(Event event, std::vector<StoredEvent>& out) {
  event.seq = state_.seq() + 1;
  event.prev = state_.seq() == 0 ? std::string(kGenesisPrev) : state_.head_hash();
  if (event.time.empty()) event.time = LedgerTimeNow();
  auto stored = EncodeEvent(event);
  if (!stored.ok()) {
    return Rejection{Rejection::Kind::kInvalid, "malformed-submission", stored.status().message(),
                     ""};
  }
  if (auto r = state_.Apply(event, *stored)) return r;
  out.push_back(std::move(stored).value());
  return std::nullopt;
}

Outcome Intake::Offer(const Submission& s, std::vector<StoredEvent>& out) {
  const json* submission = s.payload.is_object() && s.payload.contains("submission")
                               ? &s.payload["submission"]
                               : nullptr;
  if (submission != nullptr) {
    if (!submission->is_string() || submission->get<std::string>().empty() ||
        submission->get<std::string>().size() > 128) {
      return Rejected({Rejection::Kind::kInvalid, "malformed-submission-id",
                       "the submission id must be a string of 1 to 128 characters", "submission"});
    }
    if (std::optional<Answer> a = state_.answer(s.actor, submission->get<std::string>())) {
      Outcome o;
      o.kind = Outcome::Kind::kDuplicate;
      o.seq = a->seq;
      o.answer = std::move(*a);
      return o;
    }
  }
  Event event;
  event.actor = s.actor;
  event.channel = s.channel;
  event.type = s.type;
  event.payload = s.payload;
  if (auto r = OfferEvent(event, out)) return Rejected(std::move(*r));
  Event answered = event;  // the last event appended for this submission

  // A hotline entry that agrees with another operator's: the report itself follows.
  if (s.type == event_type::kHotlineEntry) {
    const int64_t id = s.payload.value("precinct", int64_t{0});
    const PrecinctRecord* rec = state_.precinct(id);
    if (rec != nullptr && !rec->hotline.empty()) {
      const HotlineEntry& mine = rec->hotline.back();
      const char* stage = mine.figures.contains("first") ? "first" : "final";
      for (const HotlineEntry& other : rec->hotline) {
        if (other.operator_id == mine.operator_id || !other.figures.contains(stage) ||
            other.figures != mine.figures) {
          continue;
        }
        Event report = event;
        report.type = std::string(stage) == "first" ? event_type::kFirstAlignmentReported
                                                    : event_type::kFinalAlignmentReported;
        report.payload = json::object();
        report.payload["precinct"] = id;
        if (submission != nullptr) report.payload["submission"] = *submission;
        for (const auto& [k, v] : mine.figures.items()) report.payload[k] = v;
        report.payload["hotline_entries"] = {other.seq, mine.seq};
        report.time.clear();
        // Refused: the entries stay for reconciliation.
        if (!OfferEvent(report, out)) answered = report;
        break;
      }
    }
  }
  // A recanvass entry that finds what the ruleset lets a recanvass correct, or a recount whose
  // cards differ from the report: the correction follows, citing the entry, as a new revision.
  if (s.type == event_type::kRecanvassEntered || s.type == event_type::kRecountEntered) {
    auto entry = state_.recanvass_entries().find(state_.seq());
    if (entry != state_.recanvass_entries().end() && entry->second.corrects) {
      const RecanvassEntry& found = entry->second;
      Event correction = event;
      correction.type = event_type::kReportCorrected;
      correction.payload = json::object();
      correction.payload["precinct"] = found.precinct;
      if (submission != nullptr) correction.payload["submission"] = *submission;
      correction.payload[found.kind] = found.seq;
      correction.payload["keep_ties"] = true;
      std::string layers;
      for (const std::string& l : found.corrected_layers)
        layers += (layers.empty() ? "" : ", ") + l;
      correction.payload["reason"] = fmt::format("{} (event {}) of request {}: {}", found.kind,
                                                 found.seq, found.request, layers);
      if (found.correct_first)
        correction.payload["first"] = state_.FiguresJson(*found.correct_first);
      if (found.correct_final)
        correction.payload["final"] = state_.FiguresJson(*found.correct_final);
      if (found.correct_delegates) {
        correction.payload["delegates"] = state_.FiguresJson(*found.correct_delegates);
      }
      correction.time.clear();
      if (!OfferEvent(correction, out)) answered = correction;
    }
  }
  Outcome o;
  o.kind = Outcome::Kind::kAccepted;
  o.seq = state_.seq();
  std::optional<Answer> remembered =
      submission != nullptr ? state_.answer(s.actor, submission->get<std::string>()) : std::nullopt;
  if (remembered) {
    o.answer = std::move(*remembered);
  } else {
    // No submission id: the same answer a retry-safe submission gets (a receipt alone for an
    // event about no precinct).
    answered.seq = state_.seq();
    const json* precinct = answered.payload.is_object() && answered.payload.contains("precinct")
                               ? &answered.payload["precinct"]
                               : nullptr;
    const int64_t id =
        precinct != nullptr && precinct->is_number_integer() ? precinct->get<int64_t>() : 0;
    o.answer = state_.AnswerTo(answered, state_.head_hash(), id);
  }
  return o;
}

void Intake::ProcessBatch(std::vector<Pending>& batch) {
  std::vector<Outcome> outcomes(batch.size());
  int64_t before = 0;
  int64_t after = 0;
  Status status;
  {
    std::unique_lock lock(mu_);
    before = state_.seq();
    std::vector<StoredEvent> appended;  // this batch's events, once they are durable
    status = store_->Append(
        state_.seq(),
        [&](const std::vector<StoredEvent>& missed) -> Result<std::vector<StoredEvent>> {
          for (const StoredEvent& stored : missed) {
            auto event = DecodeEvent(stored.line);
            if (!event.ok()) return event.status();
            if (auto r = state_.Apply(*event, stored)) {
              return Status::Corruption(
                  fmt::format("event {} appended by another writer cannot be replayed: {}",
                              stored.seq, r->message));
            }
            Remember(stored);  // durable: another writer committed it
          }
          // From here on nothing is durable until the commit is: what the batch changes is
          // recorded, to be undone if the commit fails.
          state_.BeginUndo();
          std::vector<StoredEvent> out;
          for (size_t i = 0; i < batch.size(); ++i) {
            outcomes[i] = Offer(batch[i].submission, out);
          }
          appended = out;
          return out;
        });
    if (!status.ok()) {
      // Nothing of this batch is durable, but the state may have it: back to the durable
      // events (before, and what other writers appended), from the undo record, which needs
      // no store (it may be the one that just failed).
      state_.Rollback();
      for (Outcome& o : outcomes) {
        if (o.kind == Outcome::Kind::kAccepted) {
          o = Outcome{};
          o.kind = Outcome::Kind::kUnavailable;
          o.unavailable = status.message();
        }
      }
    }
    if (status.ok()) {
      for (const StoredEvent& stored : appended) Remember(stored);
    }
    state_.EndUndo();
    after = state_.seq();
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(outcomes[i]));
  if (after > before) {
    std::vector<std::function<void(int64_t)>> listeners;
    {
      std::lock_guard lock(queue_mu_);
      listeners = listeners_;
    }
    for (auto& l : listeners) l(after);
  }
}

}  // namespace canvass
