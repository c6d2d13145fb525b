// A blob store in memory for tests (store/parts.h's BlobPut and BlobGet): what was put, how many
// puts there were and how many bytes they added. A put under a hash that is not its bytes' fails
// the test and is refused.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/sha256.h"
#include "core/status.h"
#include "store/parts.h"

namespace canvass::testing_store {

struct BlobMap {
  std::map<std::string, std::string> blobs;
  int64_t puts = 0;
  int64_t bytes = 0;
  BlobPut Put() {
    return [this](const std::string& sha, std::string_view b) {
      ++puts;
      if (Sha256Hex(b) != sha) {
        ADD_FAILURE() << "a blob put under " << sha << " is not its bytes' hash";
        return Status::InvalidArgument("hash");
      }
      if (blobs.emplace(sha, std::string(b)).second) bytes += static_cast<int64_t>(b.size());
      return Status::Ok();
    };
  }
  BlobGet Get() {
    return [this](const std::string& sha) -> Result<std::optional<std::string>> {
      auto it = blobs.find(sha);
      if (it == blobs.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    };
  }
};

}  // namespace canvass::testing_store
