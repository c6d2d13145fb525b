// Replay: a ledger, from a store, a JSON Lines export or lines in memory, applied event by event
// to an ElectionState with its hash chain verified (ledger/chain.h). The one way a state is
// rebuilt from a ledger: the server starting or recovering, `canvass ledger verify`,
// `canvass release verify` and the rehearsal's reconciliation all replay through it, so that
// they agree on what every event means and word a refusal alike.
//
// A refused event stops the replay with a "replay" problem at that event, whose message names
// the seq, the type, what is wrong and the refusal's code:
//   event 4 (photo-attached) does not replay: photo-attached event refused on replay: ... (code)
// Everything before it is applied; the state is then as at the event before. Callers that must
// not keep a half-built state (the server) replay into a fresh ElectionState and keep theirs
// unless the report is ok.
//
// Thread-safety: the functions are safe to call from several threads on different states and
// stores.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ledger/chain.h"
#include "ledger/event.h"
#include "state/election_state.h"
#include "store/store.h"

namespace canvass {

struct ReplayOptions {
  // A head the ledger must reach with its hash (a receipt's, a release's): not reaching it is
  // "truncated", another hash at its seq "head-mismatch". The ledger may go on after it.
  std::optional<StoreHead> expected_head;
  // Events after this seq are verified and shown to on_event but not applied, so that the state
  // is that of a ledger prefix (a release's, with the events that followed it still checked).
  // nullopt: every event is applied.
  std::optional<int64_t> apply_through;
  // Called once with every event that continues the chain, in order: decoded, and as read (its
  // line and hash, byte for byte), after the state applied it (past apply_through, instead). An
  // error Status stops the replay with a "replay" problem at that event, as a refusal does.
  EventVisitor on_event;
};

// Replays the store into `state`, which must be empty (a fresh ElectionState). The store's
// recorded head, read first, is a head the chain must reach (docs/ledger-format.md); a store
// read failure is an "unreadable" problem whose cause is the store's Status.
ChainReport ReplayStore(Store& store, ElectionState& state, const ReplayOptions& options = {});

// Replays a JSON Lines export (ledger/chain.h ReadJsonLines) into `state`, which must be empty.
// Messages name `origin` and the line ("ledger.jsonl:4: ...").
ChainReport ReplayJsonLines(std::string_view text, const std::string& origin, ElectionState& state,
                            const ReplayOptions& options = {});

// Replays stored events held in memory (a state's own lines, say) into `state`, which must be
// empty.
ChainReport ReplayEvents(std::span<const StoredEvent> events, ElectionState& state,
                         const ReplayOptions& options = {});

// The report as a Status: Ok when the ledger replayed; for a store that could not be read, the
// store's own Status; otherwise Corruption naming the event, the kind and what is wrong
// ("the ledger is damaged at event 12: prev-mismatch: ...").
Status ReplayStatus(const ChainReport& report);

}  // namespace canvass
