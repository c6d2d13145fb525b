// Signatures and verification: any changed byte of a release's JSON, CSVs, CDF or signature is
// caught; a ledger export rebuilds the release bit for bit, and a changed event does not.
#include <gtest/gtest.h>

#include "core/sha256.h"
#include "publish/release.h"
#include "publish/signing.h"
#include "publish/verify.h"
#include "release_fixture.h"

namespace canvass::publish_test {
namespace {

struct Published {
  Ledger ledger;
  Release release;
  std::string signature;
  std::map<std::string, std::string> files;  // the three files beside the JSON
};

void Publish(Published& p) {
  BuildFixture(p.ledger);
  p.release = p.ledger.Publish();
  p.signature = SignHex(FixtureKey(), p.release.json.bytes);
  for (const ReleaseFile* f : p.release.files()) {
    if (f != &p.release.json) p.files[f->name] = f->bytes;
    // A file named by its parts manifest is checked with the manifest beside it.
    if (!f->manifest.empty()) p.files[ReleasePartsName(f->name)] = f->manifest;
  }
}

TEST(Signing, KeysFromSeedsAreStable) {
  SigningKey k = FixtureKey();
  // RFC 8032 test vector 1: this seed's public key.
  EXPECT_EQ(k.public_hex, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(SignHex(k, ""),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3"
            "9701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  SigningKey fresh = NewSigningKey();
  EXPECT_EQ(fresh.seed_hex.size(), 64u);
  EXPECT_NE(fresh.seed_hex, NewSigningKey().seed_hex);
  EXPECT_TRUE(VerifySignatureHex(fresh.public_hex, "m", SignHex(fresh, "m")));
  EXPECT_FALSE(SigningKeyFromSeed("00").ok());
  EXPECT_FALSE(ParseSigningKeyFile("not a key").ok());
  EXPECT_TRUE(ParseSigningKeyFile(std::string(kSeed) + "\n").ok());
}

TEST(Verify, ASoundReleaseVerifies) {
  Published p;
  Publish(p);
  ReleaseVerification v =
      VerifyRelease(p.release.json.bytes, p.signature, FixtureKey().public_hex, p.files);
  EXPECT_TRUE(v.ok()) << v.problems.front();
  // The signature and five files (records, CSVs, CDF, root statement).
  EXPECT_EQ(v.checked.size(), 6u);
}

TEST(Verify, EveryChangedByteOfTheJsonOrSignatureFails) {
  Published p;
  Publish(p);
  const std::string pub = FixtureKey().public_hex;
  std::string json = p.release.json.bytes;
  for (size_t i = 0; i < json.size(); ++i) {
    json[i] ^= 0x01;
    EXPECT_FALSE(VerifySignatureHex(pub, json, p.signature)) << "byte " << i;
    json[i] ^= 0x01;
  }
  std::string sig = p.signature;
  for (size_t i = 0; i < sig.size(); ++i) {
    const char before = sig[i];
    sig[i] = before == '0' ? '1' : '0';
    EXPECT_FALSE(VerifyRelease(json, sig, pub, {}).ok()) << "signature digit " << i;
    sig[i] = before;
  }
  EXPECT_TRUE(VerifyRelease(json, sig, pub, {}).ok());
}

TEST(Verify, EveryChangedByteOfTheCsvAndCdfFails) {
  Published p;
  Publish(p);
  const std::string pub = FixtureKey().public_hex;
  for (const auto& [name, bytes] : p.files) {
    // One file, changed in place a byte at a time (not copied per byte): every byte of its
    // first and last 256 (all of a small file), and one in 61 between (a verifier that skipped a
    // file, or read only a prefix or a suffix of it, fails here; every byte of every file took
    // 76 s under ASan).
    // (A file named by its parts manifest is checked with the manifest beside it; a manifest
    // given alone, against the hash the release names for it.)
    std::map<std::string, std::string> files = {{name, bytes}};
    if (auto m = p.files.find(ReleasePartsName(name)); m != p.files.end()) files.insert(*m);
    std::string& changed = files.at(name);
    for (size_t i = 0; i < changed.size(); i += (i < 256 || i + 256 >= changed.size()) ? 1 : 61) {
      changed[i] ^= 0x20;
      ReleaseVerification v = VerifyRelease(p.release.json.bytes, p.signature, pub, files);
      ASSERT_FALSE(v.ok()) << name << " byte " << i;
      changed[i] ^= 0x20;
    }
    EXPECT_TRUE(VerifyRelease(p.release.json.bytes, p.signature, pub, files).ok());
  }
}

TEST(Verify, TheLedgerExportRebuildsTheRelease) {
  Published p;
  Publish(p);
  AddVermillion(p.ledger);  // the ledger goes on after the release
  ReleaseVerification v;
  CheckReleaseAgainstLedger(p.release.json.bytes, p.ledger.JsonLines(), "ledger.jsonl", p.files,
                            p.signature, v);
  EXPECT_TRUE(v.ok()) << v.problems.front();
  EXPECT_EQ(v.checked.size(), 8u);  // chain, JSON, five files, the release-published event
  auto key = SigningKeyInLedger(p.ledger.JsonLines());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, FixtureKey().public_hex);
}

TEST(Verify, AChangedLedgerEventDoesNotRebuildIt) {
  Published p;
  Publish(p);
  // A forger changes Ocheyedan's final alignment (event 6) and rebuilds the chain after it.
  Ledger forged;
  for (size_t i = 0; i < p.ledger.lines.size() - 1; ++i) {
    auto e = DecodeEvent(p.ledger.lines[i].line);
    ASSERT_TRUE(e.ok());
    if (e->seq == 6) e->payload["delegates"] = {{"Buttigieg", 1}, {"Klobuchar", 1}, {"Sanders", 1}};
    forged.Add(e->type, e->payload, e->actor);
  }
  ReleaseVerification v;
  CheckReleaseAgainstLedger(p.release.json.bytes, forged.JsonLines(), "forged.jsonl", p.files,
                            std::nullopt, v);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.problems.front().find("head-mismatch"), std::string::npos) << v.problems.front();

  // A release built from the forged ledger, checked against it, differs in the figures: the
  // export does rebuild the forged release, but not the signed one.
  auto forged_release = BuildRelease(forged.state);
  ASSERT_TRUE(forged_release.ok());
  EXPECT_NE(forged_release->json.bytes, p.release.json.bytes);
  EXPECT_FALSE(
      VerifyRelease(forged_release->json.bytes, p.signature, FixtureKey().public_hex, {}).ok());

  // One changed byte of an event in the export: the chain breaks there.
  std::string text = p.ledger.JsonLines();
  const size_t at = text.find("\"Klobuchar\":1");
  ASSERT_NE(at, std::string::npos);
  text[at + 12] = '2';
  ReleaseVerification w;
  CheckReleaseAgainstLedger(p.release.json.bytes, text, "ledger.jsonl", p.files, std::nullopt, w);
  ASSERT_FALSE(w.ok());
}

TEST(Verify, ARebuildNamesWhatDiffers) {
  Published p;
  Publish(p);
  nlohmann::json doc = nlohmann::json::parse(p.release.json.bytes);
  doc["reporting"]["confirmed"] = 4;
  ReleaseVerification v;
  CheckReleaseAgainstLedger(doc.dump(), p.ledger.JsonLines(), "ledger.jsonl", {}, std::nullopt, v);
  ASSERT_EQ(v.problems.size(), 2u);  // the rebuild, and the hashes release-published names
  EXPECT_NE(v.problems[0].find("/reporting/confirmed"), std::string::npos) << v.problems[0];
  EXPECT_NE(v.problems[1].find("other file hashes"), std::string::npos) << v.problems[1];
  // A precinct's record changed in the records given: that file differs from the rebuild.
  std::string records = p.release.records.bytes;
  const size_t at = records.find("\"status\":\"first-reported\"");
  ASSERT_NE(at, std::string::npos);
  records.replace(at, 25, "\"status\":\"confirmed\"");
  ReleaseVerification r;
  CheckReleaseAgainstLedger(p.release.json.bytes, p.ledger.JsonLines(), "ledger.jsonl",
                            {{p.release.records.name, records}}, std::nullopt, r);
  ASSERT_EQ(r.problems.size(), 1u) << r.problems.front();
  EXPECT_NE(r.problems[0].find(ReleaseRecordsName(1) + " differs from the rebuild"),
            std::string::npos)
      << r.problems[0];
}

}  // namespace
}  // namespace canvass::publish_test
