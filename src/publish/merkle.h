// The Merkle tree of a release's precinct records (docs/releases.md, "Precinct by precinct").
//
// The tree is RFC 6962's (Certificate Transparency, section 2.1) with SHA-256: a leaf is
// SHA-256(0x00 || record), an inner node SHA-256(0x01 || left || right), and a list of n > 1
// leaves splits at k, the largest power of two below n: the left subtree holds the first k
// leaves, the right subtree the rest. The root of no leaf is SHA-256 of nothing. The 0x00 and
// 0x01 prefixes keep a leaf from ever passing for an inner node.
//
// An inclusion path lists, from the leaf up, the sibling of each node on the way to the root and
// on which side it stands. Anyone can recompute the root from a record and its path with
// `sha256sum`, `printf` and `xxd`; MerkleRootFromPath does it in O(log n) and also checks that the
// sides are those that the leaf's index and the number of leaves imply.
//
// Hashes are 32 raw bytes here; hex only at the edges (files, JSON).
//
// Thread-safety: pure functions; a MerkleTree is a value (const methods may be called from any
// thread).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace canvass {

// The name of the tree shape, as release files state it.
inline constexpr const char* kMerkleTreeShape = "rfc6962-sha256";

struct MerkleStep {
  bool sibling_left = false;  // the sibling stands to the left: parent = H(0x01 || sibling || node)
  std::string hash;           // the sibling's 32 bytes
};

// SHA-256(0x00 || record).
std::string MerkleLeafHash(std::string_view record);
// SHA-256(0x01 || left || right).
std::string MerkleNodeHash(std::string_view left, std::string_view right);

// The root over the leaf hashes, in order.
std::string MerkleRoot(const std::vector<std::string>& leaf_hashes);

// The same tree with every node kept, so that a few leaves replaced cost their paths to the root
// (O(k log n)), not the whole tree: what a release keeps of the previous one's. Its root is
// MerkleRoot's over the same leaves.
class MerkleTree {
 public:
  using Hash = std::array<unsigned char, 32>;

  MerkleTree() = default;  // no leaf
  explicit MerkleTree(const std::vector<std::string>& leaf_hashes);

  // Replaces leaves: (index < size(), 32-byte hash), in increasing order of index, each once.
  void Update(const std::vector<std::pair<uint64_t, std::string>>& leaves);

  uint64_t size() const { return leaves_; }
  std::string Root() const;

 private:
  // Nodes in depth-first order: a subtree of m leaves is its root then its left subtree (k leaves,
  // 2k - 1 nodes) then its right one, so that the tree of n leaves has 2n - 1 nodes.
  void Build(const std::vector<std::string>& leaves, uint64_t node, uint64_t begin, uint64_t end);
  void Replace(const std::vector<std::pair<uint64_t, std::string>>& leaves, size_t lo, size_t hi,
               uint64_t node, uint64_t begin, uint64_t end);
  void Join(uint64_t node, uint64_t left, uint64_t right);

  uint64_t leaves_ = 0;
  std::vector<Hash> nodes_;
};

// The inclusion path of leaf `index` (< leaf_hashes.size()), from the leaf up.
std::vector<MerkleStep> MerklePath(const std::vector<std::string>& leaf_hashes, uint64_t index);

// The root that `leaf_hash` at `index` of a tree of `size` leaves and `path` give. InvalidArgument
// naming the step when the path is too long or too short for that index and size, or when a step's
// side is not the one the index and size imply.
Result<std::string> MerkleRootFromPath(std::string_view leaf_hash, uint64_t index, uint64_t size,
                                       const std::vector<MerkleStep>& path);

}  // namespace canvass
