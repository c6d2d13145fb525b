// Undoing the events of an uncommitted batch (ElectionState::BeginUndo, Rollback, EndUndo), on
// docs/example-ledger.jsonl (twenty events of every kind the server writes: the election, codes,
// the policy, reports, hotline entries, a tie, a photo, a confirmation, attestations and a
// correction): whatever prefix is durable and whatever batch follows it, Rollback gives the state
// the durable prefix replays to, and the ledger goes on from there as if the batch never was.
#include <gtest/gtest.h>

#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/chain.h"
#include "ledger/event.h"
#include "state/election_state.h"
#include "state/record_facts.h"
#include "state/replay.h"

namespace canvass {
namespace {

std::vector<StoredEvent> ExampleRows() {
  const std::string path = std::string(CANVASS_DATA_DIR) + "/../docs/example-ledger.jsonl";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  return ReadJsonLines(text.str());
}

// Everything a state shows of itself: the precincts as the API shows them, every credential,
// the answer to every submission of the example, the hashes, the releases and the policy.
std::string Fingerprint(const ElectionState& state, const std::vector<StoredEvent>& rows) {
  nlohmann::json j = {{"seq", state.seq()},
                      {"head", state.head_hash()},
                      {"created", state.created()},
                      {"name", state.name()},
                      {"first_time", state.first_time()},
                      {"last_time", state.last_time()},
                      {"last_figures_seq", state.last_figures_seq()},
                      {"releases", state.releases().size()},
                      {"policy", state.publication_policy().mode},
                      {"policy_seq", state.publication_policy().seq}};
  for (int64_t id = 1; id <= static_cast<int64_t>(state.precincts().size()); ++id) {
    j["precincts"].push_back(testing_ledger::RecordFacts(state, id));
    j["status"].push_back(state.StatusOf(id));
  }
  for (const auto& [id, c] : state.credentials()) {
    j["credentials"].push_back({id, c.role, c.subject, c.revoked, c.issued_seq, c.session_seq});
  }
  for (const StoredEvent& row : rows) {
    const Event e = *DecodeEvent(row.line);
    j["hashes"].push_back(state.hash_of(row.seq));
    if (!e.payload.is_object() || !e.payload.contains("submission")) continue;
    std::optional<Answer> a = state.answer(e.actor, e.payload["submission"].get<std::string>());
    j["answers"].push_back(!a ? nlohmann::json(nullptr)
                              : nlohmann::json{a->seq, a->event, a->hash, a->precinct, a->hotline,
                                               a->record != nullptr});
  }
  return j.dump();
}

void ApplyAll(ElectionState& state, std::span<const StoredEvent> rows) {
  for (const StoredEvent& row : rows) {
    auto refusal = state.Apply(*DecodeEvent(row.line), row);
    ASSERT_FALSE(refusal.has_value()) << row.seq << ": " << refusal->message;
  }
}

TEST(UndoTest, RollbackGivesTheDurablePrefixWhateverTheBatch) {
  const std::vector<StoredEvent> rows = ExampleRows();
  ASSERT_EQ(rows.size(), 20u);
  const std::span<const StoredEvent> all(rows);
  ElectionState whole;
  ApplyAll(whole, all);
  const std::string expected_whole = Fingerprint(whole, rows);
  for (size_t durable = 0; durable <= rows.size(); ++durable) {
    ElectionState prefix;
    ApplyAll(prefix, all.first(durable));
    const std::string expected = Fingerprint(prefix, rows);
    for (size_t end = durable + 1; end <= rows.size(); ++end) {
      SCOPED_TRACE(::testing::Message() << "durable " << durable << ", batch to " << end);
      ElectionState state;
      ApplyAll(state, all.first(durable));
      state.BeginUndo();
      ApplyAll(state, all.subspan(durable, end - durable));
      ASSERT_EQ(state.seq(), static_cast<int64_t>(end));
      state.Rollback();
      EXPECT_EQ(Fingerprint(state, rows), expected);
      // The ledger goes on from the durable prefix as if the batch had never been applied.
      ApplyAll(state, all.subspan(durable));
      EXPECT_EQ(Fingerprint(state, rows), expected_whole);
    }
  }
}

TEST(UndoTest, EndUndoKeepsTheBatchAndARefusedEventChangesNothing) {
  const std::vector<StoredEvent> rows = ExampleRows();
  const std::span<const StoredEvent> all(rows);
  ElectionState whole;
  ApplyAll(whole, all);

  ElectionState state;
  ApplyAll(state, all.first(9));
  state.BeginUndo();
  ApplyAll(state, all.subspan(9));
  state.EndUndo();
  state.Rollback();  // nothing recorded any more: nothing to undo
  EXPECT_EQ(Fingerprint(state, rows), Fingerprint(whole, rows));

  // A batch of one accepted event and one refused (the same first alignment again): the
  // refusal leaves nothing to undo beyond the accepted one.
  ElectionState again;
  ApplyAll(again, all.first(12));
  const std::string before = Fingerprint(again, rows);
  again.BeginUndo();
  ApplyAll(again, all.subspan(12, 1));
  Event resent = *DecodeEvent(rows[12].line);
  resent.seq = again.seq() + 1;
  resent.prev = again.head_hash();
  resent.payload["submission"] = "resent";
  auto stored = EncodeEvent(resent);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(again.Apply(resent, *stored).has_value());
  again.Rollback();
  EXPECT_EQ(Fingerprint(again, rows), before);
}

TEST(UndoTest, ACopyDoesNotTakeTheRecordAlong) {
  const std::vector<StoredEvent> rows = ExampleRows();
  const std::span<const StoredEvent> all(rows);
  ElectionState state;
  ApplyAll(state, all.first(10));
  state.BeginUndo();
  ApplyAll(state, all.subspan(10, 5));
  ElectionState copy = state;
  copy.Rollback();  // the copy has no record: it stays at event 15
  EXPECT_EQ(copy.seq(), 15);
  state.Rollback();
  EXPECT_EQ(state.seq(), 10);
  EXPECT_EQ(copy.hash_of(15), rows[14].hash);
  EXPECT_EQ(state.hash_of(11), "");
}

}  // namespace
}  // namespace canvass
