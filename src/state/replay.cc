#include "state/replay.h"

#include <fmt/format.h>

#include <cassert>

namespace canvass {

namespace {

// The chain verifier's visitor for a replay into `state`: applies each event with the stored
// line it was read as (Apply keeps that line and its hash as the state's ledger), then shows it
// to the caller's visitor.
EventVisitor Applier(ElectionState& state, const ReplayOptions& options) {
  assert(state.seq() == 0 && "replay into an empty state");
  return [&state, &options](const Event& event, const StoredEvent& stored) -> Status {
    if (!options.apply_through || event.seq <= *options.apply_through) {
      if (std::optional<Rejection> refused = state.Apply(event, stored)) {
        // The one wording of a refusal on replay; the verifier puts "event N (type) does not
        // replay: " before it.
        return Status::Corruption(fmt::format("{} event refused on replay: {} ({})", event.type,
                                              refused->message, refused->code));
      }
    }
    return options.on_event ? options.on_event(event, stored) : Status::Ok();
  };
}

}  // namespace

ChainReport ReplayStore(Store& store, ElectionState& state, const ReplayOptions& options) {
  return VerifyStore(store, options.expected_head, Applier(state, options));
}

ChainReport ReplayJsonLines(std::string_view text, const std::string& origin, ElectionState& state,
                            const ReplayOptions& options) {
  return VerifyJsonLines(text, origin, options.expected_head, Applier(state, options));
}

ChainReport ReplayEvents(std::span<const StoredEvent> events, ElectionState& state,
                         const ReplayOptions& options) {
  ChainVerifier verifier(Applier(state, options));
  if (options.expected_head) verifier.ExpectHead(*options.expected_head);
  for (const StoredEvent& stored : events) {
    if (!verifier.Add(stored).ok()) break;
  }
  return verifier.Finish();
}

Status ReplayStatus(const ChainReport& report) {
  if (report.ok()) return Status::Ok();
  const ChainProblem& problem = *report.problem;
  if (!problem.cause.ok()) return problem.cause;
  // Worded as `canvass ledger verify` words it, which says the same of this ledger.
  return Status::Corruption(fmt::format("the ledger is damaged at event {}: {}: {}", problem.seq,
                                        problem.kind, problem.message));
}

}  // namespace canvass
