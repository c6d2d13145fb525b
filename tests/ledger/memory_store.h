// MemoryStore: a Store held in a vector, for the ledger's tests. It keeps whatever it is given,
// damaged or not (tests edit `rows` directly to damage it), and checks nothing about the chain,
// like the real stores.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "store/store.h"

namespace canvass::testing {

class MemoryStore : public Store {
 public:
  const char* kind() const override { return "memory"; }

  Result<std::vector<StoredEvent>> ReadAfter(int64_t after, int64_t limit) override {
    if (fail_reads_after >= 0 && after >= fail_reads_after) {
      return Status::IoError("memory store: reads after " + std::to_string(after) + " fail");
    }
    std::vector<StoredEvent> out;
    // Rows in vector order, as a damaged store might hand them back; an undamaged one is sorted.
    for (const StoredEvent& row : rows) {
      if (static_cast<int64_t>(out.size()) == limit) break;
      if (row.seq > after) out.push_back(row);
    }
    ++reads;
    return out;
  }

  Result<StoreHead> Head() override {
    StoreHead head;
    for (const StoredEvent& row : rows) {
      if (row.seq > head.seq) head = StoreHead{row.seq, row.hash};
    }
    return head;
  }

  Result<StoreHead> RecordedHead() override { return recorded; }

  Status Append(int64_t after, const Writer& write) override {
    StoreHead head = *Head();
    if (after > head.seq) return Status::FailedPrecondition("after is beyond the head");
    std::vector<StoredEvent> missed;
    for (const StoredEvent& row : rows) {
      if (row.seq > after) missed.push_back(row);
    }
    Result<std::vector<StoredEvent>> written = write(missed);
    if (!written.ok()) return written.status();
    int64_t next = head.seq + 1;
    for (const StoredEvent& row : *written) {
      if (row.seq != next++) return Status::FailedPrecondition("events do not continue the ledger");
    }
    for (const StoredEvent& row : *written) {
      rows.push_back(row);
      recorded = StoreHead{row.seq, row.hash};
    }
    return Status::Ok();
  }

  Status PutBlob(const std::string& sha256_hex, std::string_view bytes) override {
    if (Sha256Hex(bytes) != sha256_hex) return Status::InvalidArgument("not the blob's hash");
    blobs.emplace(sha256_hex, std::string(bytes));
    return Status::Ok();
  }

  Result<std::optional<std::string>> GetBlob(const std::string& sha256_hex) override {
    auto it = blobs.find(sha256_hex);
    if (it == blobs.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  std::vector<StoredEvent> rows;
  StoreHead recorded;             // what RecordedHead() says; Append keeps it up to date
  int64_t fail_reads_after = -1;  // ReadAfter fails from this `after` on, when >= 0
  int64_t reads = 0;
  std::map<std::string, std::string> blobs;
};

}  // namespace canvass::testing
