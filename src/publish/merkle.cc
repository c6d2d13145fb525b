#include "publish/merkle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "core/sha256.h"

namespace canvass {

namespace {

// The largest power of two strictly below n (n > 1).
uint64_t SplitPoint(uint64_t n) {
  assert(n > 1);
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

std::string SubtreeRoot(const std::vector<std::string>& leaves, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 1) return leaves[begin];
  const uint64_t k = SplitPoint(n);
  return MerkleNodeHash(SubtreeRoot(leaves, begin, begin + k), SubtreeRoot(leaves, begin + k, end));
}

void SubtreePath(const std::vector<std::string>& leaves, uint64_t m, uint64_t begin, uint64_t end,
                 std::vector<MerkleStep>& out) {
  const uint64_t n = end - begin;
  if (n <= 1) return;
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    SubtreePath(leaves, m, begin, begin + k, out);
    out.push_back(MerkleStep{false, SubtreeRoot(leaves, begin + k, end)});
  } else {
    SubtreePath(leaves, m - k, begin + k, end, out);
    out.push_back(MerkleStep{true, SubtreeRoot(leaves, begin, begin + k)});
  }
}

}  // namespace

std::string MerkleLeafHash(std::string_view record) {
  std::string buf;
  buf.reserve(record.size() + 1);
  buf += '\x00';
  buf += record;
  return Sha256Bytes(buf);
}

std::string MerkleNodeHash(std::string_view left, std::string_view right) {
  std::string buf;
  buf.reserve(1 + left.size() + right.size());
  buf += '\x01';
  buf += left;
  buf += right;
  return Sha256Bytes(buf);
}

std::string MerkleRoot(const std::vector<std::string>& leaf_hashes) {
  if (leaf_hashes.empty()) return Sha256Bytes("");
  return SubtreeRoot(leaf_hashes, 0, leaf_hashes.size());
}

std::vector<MerkleStep> MerklePath(const std::vector<std::string>& leaf_hashes, uint64_t index) {
  assert(index < leaf_hashes.size());
  std::vector<MerkleStep> out;
  SubtreePath(leaf_hashes, index, 0, leaf_hashes.size(), out);
  return out;
}

MerkleTree::MerkleTree(const std::vector<std::string>& leaf_hashes) : leaves_(leaf_hashes.size()) {
  if (leaves_ == 0) return;
  nodes_.resize(2 * leaves_ - 1);
  Build(leaf_hashes, 0, 0, leaves_);
}

void MerkleTree::Join(uint64_t node, uint64_t left, uint64_t right) {
  auto view = [](const Hash& h) {
    return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
  };
  const std::string parent = MerkleNodeHash(view(nodes_[left]), view(nodes_[right]));
  std::copy(parent.begin(), parent.end(), nodes_[node].begin());
}

void MerkleTree::Build(const std::vector<std::string>& leaves, uint64_t node, uint64_t begin,
                       uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 1) {
    assert(leaves[begin].size() == 32);
    std::copy(leaves[begin].begin(), leaves[begin].end(), nodes_[node].begin());
    return;
  }
  const uint64_t k = SplitPoint(n);
  Build(leaves, node + 1, begin, begin + k);
  Build(leaves, node + 2 * k, begin + k, end);
  Join(node, node + 1, node + 2 * k);
}

void MerkleTree::Replace(const std::vector<std::pair<uint64_t, std::string>>& leaves, size_t lo,
                         size_t hi, uint64_t node, uint64_t begin, uint64_t end) {
  if (lo == hi) return;  // no leaf of this subtree changed
  const uint64_t n = end - begin;
  if (n == 1) {
    const std::string& leaf = leaves[lo].second;
    assert(leaf.size() == 32);
    std::copy(leaf.begin(), leaf.end(), nodes_[node].begin());
    return;
  }
  const uint64_t k = SplitPoint(n);
  size_t mid = lo;
  while (mid < hi && leaves[mid].first < begin + k) ++mid;
  Replace(leaves, lo, mid, node + 1, begin, begin + k);
  Replace(leaves, mid, hi, node + 2 * k, begin + k, end);
  Join(node, node + 1, node + 2 * k);
}

void MerkleTree::Update(const std::vector<std::pair<uint64_t, std::string>>& leaves) {
  if (leaves_ == 0) return;
  Replace(leaves, 0, leaves.size(), 0, 0, leaves_);
}

std::string MerkleTree::Root() const {
  if (leaves_ == 0) return Sha256Bytes("");
  return std::string(reinterpret_cast<const char*>(nodes_[0].data()), nodes_[0].size());
}

Result<std::string> MerkleRootFromPath(std::string_view leaf_hash, uint64_t index, uint64_t size,
                                       const std::vector<MerkleStep>& path) {
  if (index >= size) {
    return Status::InvalidArgument(
        fmt::format("leaf index {} is outside a tree of {} leaves", index, size));
  }
  // RFC 9162, section 2.1.3.2: fn walks the leaf's index up, sn the last index of the tree.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  std::string r(leaf_hash);
  for (size_t i = 0; i < path.size(); ++i) {
    const MerkleStep& step = path[i];
    if (sn == 0) {
      return Status::InvalidArgument(fmt::format("the path has {} steps; leaf {} of {} needs {}",
                                                 path.size(), index, size, i));
    }
    if (step.hash.size() != 32) {
      return Status::InvalidArgument(fmt::format("step {} is not a 32-byte hash", i + 1));
    }
    const bool left = (fn & 1) == 1 || fn == sn;
    if (left != step.sibling_left) {
      return Status::InvalidArgument(fmt::format(
          "step {} puts the sibling on the {}, but leaf {} of {} has it on the {}", i + 1,
          step.sibling_left ? "left" : "right", index, size, left ? "left" : "right"));
    }
    if (left) {
      r = MerkleNodeHash(step.hash, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, step.hash);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Status::InvalidArgument(fmt::format(
        "the path has {} steps, too few for leaf {} of a tree of {}", path.size(), index, size));
  }
  return r;
}

}  // namespace canvass
