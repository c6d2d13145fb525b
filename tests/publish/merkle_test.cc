// The Merkle tree of a release's precinct records (RFC 6962 shape), the root in the release and
// its signed root statement, and precinct proofs: a good proof verifies, every tampering is named.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/sha256.h"
#include "publish/merkle.h"
#include "publish/proof.h"
#include "publish/release.h"
#include "publish/signing.h"
#include "release_fixture.h"

namespace canvass::publish_test {
namespace {

std::vector<std::string> Leaves(int n) {
  std::vector<std::string> leaves;
  for (int i = 0; i < n; ++i) leaves.push_back(MerkleLeafHash("record " + std::to_string(i)));
  return leaves;
}

TEST(Merkle, TreeShapeIsRfc6962) {
  // No leaf: SHA-256 of nothing.
  EXPECT_EQ(ToHex(MerkleRoot({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // A leaf is SHA-256(0x00 || record).
  EXPECT_EQ(ToHex(MerkleLeafHash("abc")), Sha256Hex(std::string("\0abc", 4)));
  // Three leaves split 2 + 1; five split 4 + 1; the node prefix is 0x01.
  const auto l = Leaves(5);
  auto node = [](const std::string& a, const std::string& b) {
    return Sha256Bytes(std::string("\x01") + a + b);
  };
  EXPECT_EQ(MerkleRoot({l[0], l[1], l[2]}), node(node(l[0], l[1]), l[2]));
  EXPECT_EQ(MerkleRoot(l), node(node(node(l[0], l[1]), node(l[2], l[3])), l[4]));
  EXPECT_EQ(MerkleRoot({l[0]}), l[0]);
}

TEST(Merkle, EveryPathOfEverySizeLeadsToTheRoot) {
  for (int n = 1; n <= 40; ++n) {
    const auto leaves = Leaves(n);
    const std::string root = MerkleRoot(leaves);
    for (int i = 0; i < n; ++i) {
      const auto path = MerklePath(leaves, static_cast<uint64_t>(i));
      auto got = MerkleRootFromPath(leaves[i], static_cast<uint64_t>(i), n, path);
      ASSERT_TRUE(got.ok()) << n << "/" << i << ": " << got.status().ToString();
      EXPECT_EQ(*got, root) << n << "/" << i;
      // O(log n): at most ceil(log2 n) steps.
      size_t depth = 0;
      while ((uint64_t{1} << depth) < static_cast<uint64_t>(n)) ++depth;
      EXPECT_LE(path.size(), depth);
    }
  }
}

// The tree kept between releases: after any leaves are replaced, its root is MerkleRoot's over
// the leaves as they now are.
TEST(Merkle, AKeptTreeWithLeavesReplacedHasTheRootOfItsLeaves) {
  EXPECT_EQ(MerkleTree().Root(), MerkleRoot({}));
  for (int n = 1; n <= 70; ++n) {
    auto leaves = Leaves(n);
    MerkleTree tree(leaves);
    ASSERT_EQ(tree.size(), static_cast<uint64_t>(n));
    EXPECT_EQ(tree.Root(), MerkleRoot(leaves)) << n;
    // Three rounds: every third leaf from a different start, then the last one, then none.
    for (int round = 0; round < 3; ++round) {
      std::vector<std::pair<uint64_t, std::string>> changed;
      for (int i = 0; i < n; ++i) {
        const bool replace = round == 0 ? i % 3 == 1 : round == 1 ? i == n - 1 : false;
        if (!replace) continue;
        leaves[i] = MerkleLeafHash(fmt::format("record {} of round {}", i, round));
        changed.emplace_back(static_cast<uint64_t>(i), leaves[i]);
      }
      tree.Update(changed);
      EXPECT_EQ(tree.Root(), MerkleRoot(leaves)) << n << " round " << round;
    }
  }
}

TEST(Merkle, TamperedPathsAreNamed) {
  const auto leaves = Leaves(11);
  const std::string root = MerkleRoot(leaves);
  const auto path = MerklePath(leaves, 6);
  ASSERT_EQ(path.size(), 4u);
  // A changed sibling hash gives another root.
  for (size_t s = 0; s < path.size(); ++s) {
    auto bad = path;
    bad[s].hash[5] ^= 1;
    auto got = MerkleRootFromPath(leaves[6], 6, 11, bad);
    ASSERT_TRUE(got.ok());
    EXPECT_NE(*got, root);
  }
  // A changed side is refused, naming the step.
  auto flipped = path;
  flipped[2].sibling_left = !flipped[2].sibling_left;
  auto side = MerkleRootFromPath(leaves[6], 6, 11, flipped);
  ASSERT_FALSE(side.ok());
  EXPECT_NE(side.status().message().find("step 3"), std::string::npos) << side.status().message();
  // Too short, too long, or another leaf's index.
  auto shorter = path;
  shorter.pop_back();
  EXPECT_FALSE(MerkleRootFromPath(leaves[6], 6, 11, shorter).ok());
  auto longer = path;
  longer.push_back(path.back());
  EXPECT_FALSE(MerkleRootFromPath(leaves[6], 6, 11, longer).ok());
  auto other = MerkleRootFromPath(leaves[6], 5, 11, path);
  EXPECT_TRUE(!other.ok() || *other != root);
  EXPECT_FALSE(MerkleRootFromPath(leaves[6], 11, 11, path).ok());
}

struct Proved {
  Release release;
  std::string root_signature;
};

Proved BuildProved(Ledger& l) {
  BuildFixture(l);
  auto rel = BuildRelease(l.state);
  EXPECT_TRUE(rel.ok()) << rel.status().ToString();
  return Proved{*rel, SignHex(FixtureKey(), rel->root.bytes)};
}

TEST(PrecinctProof, ReleaseNamesTheRootOverItsCanonicalRecords) {
  Ledger l;
  Proved p = BuildProved(l);
  json doc = json::parse(p.release.json.bytes);
  EXPECT_EQ(doc["format"], "canvass-release-4");
  EXPECT_FALSE(doc.contains("precincts"));  // beside it, in its records
  auto records = ReleaseRecords(doc, p.release.records.bytes);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), l.state.precincts().size());
  std::vector<std::string> leaves;
  std::string lines;
  for (size_t i = 0; i < records->size(); ++i) {
    // Each record is the precinct's line of release-N-records.jsonl, exactly.
    lines += (*records)[i] + "\n";
    EXPECT_EQ(json::parse((*records)[i])["id"], static_cast<int64_t>(i + 1));
    leaves.push_back(MerkleLeafHash((*records)[i]));
  }
  EXPECT_EQ(lines, p.release.records.bytes);
  // Named by release-N.json by the parts manifest they are stored under, cut by group.
  EXPECT_EQ(doc["files"]["records"]["manifest"], ReleaseRecordsManifestSha256(lines));
  EXPECT_EQ(doc["files"]["records"]["manifest"], p.release.records.manifest_sha256);
  EXPECT_EQ(doc["files"]["records"]["bytes"], static_cast<int64_t>(lines.size()));
  const std::string root = ToHex(MerkleRoot(leaves));
  EXPECT_EQ(doc["merkle"]["root"], root);
  EXPECT_EQ(doc["merkle"]["leaves"], static_cast<int64_t>(leaves.size()));
  EXPECT_EQ(doc["merkle"]["tree"], "rfc6962-sha256");
  // The root statement names the same root, is canonical, and release-N.json names its hash.
  json statement = json::parse(p.release.root.bytes);
  EXPECT_EQ(statement.dump(), p.release.root.bytes);
  EXPECT_EQ(statement["merkle"], doc["merkle"]);
  EXPECT_EQ(statement["number"], doc["number"]);
  EXPECT_EQ(statement["ledger"], doc["ledger"]);
  EXPECT_EQ(statement["signing_key"], FixtureKey().public_hex);
  EXPECT_EQ(doc["files"]["root"]["sha256"], p.release.root.sha256);
  EXPECT_EQ(p.release.merkle_root, root);
}

TEST(PrecinctProof, AChangedPrecinctChangesTheRoot) {
  Ledger l;
  BuildFixture(l);
  auto before = BuildRelease(l.state);
  AddVermillion(l);
  auto after = BuildRelease(l.state);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_NE(before->merkle_root, after->merkle_root);
}

TEST(PrecinctProof, EveryPrecinctsProofVerifies) {
  Ledger l;
  Proved p = BuildProved(l);
  const int64_t n = static_cast<int64_t>(l.state.precincts().size());
  for (int64_t id = 1; id <= n; ++id) {
    auto proof = BuildPrecinctProof(p.release.json.bytes, p.release.records.bytes,
                                    p.release.root.bytes, p.root_signature, id);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    auto records = ReleaseRecords(json::parse(p.release.json.bytes), p.release.records.bytes);
    ReleaseVerification v = VerifyPrecinctProof(proof->dump(), id, FixtureKey().public_hex,
                                                (*records)[static_cast<size_t>(id - 1)]);
    EXPECT_TRUE(v.ok()) << id << ": " << (v.problems.empty() ? "" : v.problems.front());
  }
  auto missing = BuildPrecinctProof(p.release.json.bytes, p.release.records.bytes,
                                    p.release.root.bytes, p.root_signature, n + 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

std::string FirstProblem(const ReleaseVerification& v) {
  return v.problems.empty() ? "(none)" : v.problems.front();
}

TEST(PrecinctProof, TamperingIsNamed) {
  Ledger l;
  Proved p = BuildProved(l);
  auto built = BuildPrecinctProof(p.release.json.bytes, p.release.records.bytes,
                                  p.release.root.bytes, p.root_signature, 2);
  ASSERT_TRUE(built.ok());
  const json good = *built;
  const std::string key = FixtureKey().public_hex;
  auto check = [&](const json& proof, int64_t id = 2) {
    return VerifyPrecinctProof(proof.dump(), id, key, std::nullopt);
  };
  ASSERT_TRUE(check(good).ok()) << FirstProblem(check(good));

  // A changed figure in the record: still canonical, still precinct 2, another leaf.
  json rec = json::parse(good["record"].get<std::string>());
  rec["revision"] = rec["revision"].get<int64_t>() + 1;
  json changed = good;
  changed["record"] = rec.dump();
  auto v = check(changed);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(FirstProblem(v).find("the record or the path was changed"), std::string::npos)
      << FirstProblem(v);

  // A changed sibling hash.
  json path_changed = good;
  std::string h = path_changed["path"][0]["hash"];
  h[0] = h[0] == '0' ? '1' : '0';
  path_changed["path"][0]["hash"] = h;
  EXPECT_FALSE(check(path_changed).ok());

  // A side swapped.
  json side = good;
  side["path"][0]["side"] = good["path"][0]["side"] == "left" ? "right" : "left";
  v = check(side);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(FirstProblem(v).find("step 1"), std::string::npos) << FirstProblem(v);

  // Members of another type than the format says (a proof is untrusted bytes): named, never a
  // throw. The format given twice, the second time as a number, is what the fuzzer found.
  for (const char* member : {"format", "record", "root_statement"}) {
    json wrong = good;
    wrong[member] = 5;
    EXPECT_FALSE(check(wrong).ok()) << member;
  }
  json side_number = good;
  side_number["path"][0]["side"] = 1;
  EXPECT_FALSE(check(side_number).ok());
  json statement_types = good;
  json st = json::parse(good["root_statement"].get<std::string>());
  st["merkle"]["tree"] = 7;
  st["signing_key"] = 7;
  statement_types["root_statement"] = st.dump();
  EXPECT_FALSE(check(statement_types).ok());
  std::string twice = good.dump();
  twice.insert(twice.size() - 1, ",\"format\":5");
  EXPECT_FALSE(VerifyPrecinctProof(twice, 2, key, std::nullopt).ok());

  // Another precinct's proof offered for this one.
  EXPECT_NE(FirstProblem(check(good, 3)).find("for precinct 2, not 3"), std::string::npos);

  // A root statement with another root, its signature no longer matching.
  json statement = json::parse(good["root_statement"].get<std::string>());
  json forged = good;
  statement["merkle"]["root"] = std::string(64, 'a');
  forged["root_statement"] = statement.dump();
  EXPECT_FALSE(check(forged).ok());

  // The right root statement, a wrong signature.
  json unsigned_proof = good;
  std::string sig = good["root_signature"];
  sig[10] = sig[10] == 'a' ? 'b' : 'a';
  unsigned_proof["root_signature"] = sig;
  v = check(unsigned_proof);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(FirstProblem(v).find("signature does not verify"), std::string::npos)
      << FirstProblem(v);

  // Another key.
  v = VerifyPrecinctProof(good.dump(), 2, SigningKeyFromSeed(std::string(64, '1'))->public_hex,
                          std::nullopt);
  EXPECT_FALSE(v.ok());

  // The campaign's own record differs from the proof's.
  v = VerifyPrecinctProof(good.dump(), 2, key, std::string("{\"id\":2}"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(FirstProblem(v).find("not the one given"), std::string::npos);
}

// What `canvass release prove` is given may hold anything anywhere: refused, naming it, never
// thrown.
TEST(PrecinctProof, MalformedRecordReferencesAreRefused) {
  const json records_not_an_object = {{"number", 1}, {"files", {{"records", "x"}}}};
  auto a = ReleaseEntries(records_not_an_object, "{\"id\":1}\n");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("\"records\" is not an object"), std::string::npos)
      << a.status().message();
  const json odd_fields = {{"number", "one"}, {"files", {{"records", {{"bytes", "many"}}}}}};
  auto b = ReleaseEntries(odd_fields, "");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("release-0-records.jsonl"), std::string::npos)
      << b.status().message();
  auto c = ReleaseEntries(odd_fields, "{\"id\":1}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->size(), 1u);
  EXPECT_FALSE(ReleaseRecords(records_not_an_object, "{\"id\":1}\n").ok());
  EXPECT_FALSE(ReleaseTreeOf(odd_fields.dump(), "{\"id\":1}\n").ok());
}

TEST(PrecinctProof, AReleaseWithoutARootHasNoProofs) {
  Ledger l;
  Proved p = BuildProved(l);
  json doc = json::parse(p.release.json.bytes);
  doc.erase("merkle");
  doc["format"] = "canvass-release-1";
  auto proof = BuildPrecinctProof(doc.dump(), p.release.records.bytes, p.release.root.bytes,
                                  p.root_signature, 1);
  ASSERT_FALSE(proof.ok());
  EXPECT_NE(proof.status().message().find("carries no Merkle root"), std::string::npos);
}

}  // namespace
}  // namespace canvass::publish_test
