#include "publish/proof.h"

#include <fmt/format.h>

#include "core/sha256.h"
#include "core/text.h"
#include "publish/merkle.h"
#include "publish/release.h"
#include "publish/signing.h"

namespace canvass {

using nlohmann::json;

namespace {

constexpr const char* kProofFormat = "canvass-precinct-proof-1";

bool IsHex64(const json& v) {
  return v.is_string() && IsSha256Hex(v.get_ref<const std::string&>());
}

// j[key] when j is an object holding a string there, else "" (json::value would throw on a
// member of another type: an untrusted proof may hold anything anywhere).
std::string StringAt(const json& j, const char* key) {
  if (!j.is_object()) return std::string();
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<std::vector<std::string>> ReleaseRecords(const json& release, std::string_view lines) {
  if (release.is_object() && !release.contains("precincts")) {
    // Format canvass-release-4 on: the records are the lines of release-N-records.jsonl.
    auto entries = ReleaseEntries(release, lines);  // each line a JSON object
    if (!entries.ok()) return entries.status();
    std::vector<std::string> records;
    records.reserve(entries->size());
    size_t pos = 0;
    for (size_t i = 0; i < entries->size(); ++i) {
      const json& p = (*entries)[i];
      if (!p.contains("id") || !p["id"].is_number_integer() ||
          p["id"].get<int64_t>() != static_cast<int64_t>(i + 1)) {
        return Status::InvalidArgument(fmt::format(
            "line {} of the records is not precinct {} (they are in id order)", i + 1, i + 1));
      }
      const size_t end = lines.find('\n', pos);
      records.emplace_back(lines.substr(pos, end - pos));
      pos = end + 1;
    }
    return records;
  }
  if (!release.is_object() || !release["precincts"].is_array()) {
    return Status::InvalidArgument("the release has no \"precincts\" list");
  }
  std::vector<std::string> records;
  const json& list = release["precincts"];
  records.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const json& p = list[i];
    if (!p.is_object() || !p.contains("id") || !p["id"].is_number_integer() ||
        p["id"].get<int64_t>() != static_cast<int64_t>(i + 1)) {
      return Status::InvalidArgument(
          fmt::format("precincts[{}] is not precinct {} (the list is in id order)", i, i + 1));
    }
    records.push_back(p.dump());
  }
  return records;
}

Result<ReleaseTree> ReleaseTreeOf(std::string_view release_json, std::string_view records_text) {
  json doc = json::parse(release_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("the release is not a JSON object");
  }
  ReleaseTree tree;
  if (doc.contains("number") && doc["number"].is_number_integer()) {
    tree.number = doc["number"].get<int64_t>();
  }
  const json& merkle = doc.value("merkle", json());
  if (!merkle.is_object() || !IsHex64(merkle.value("root", json()))) {
    return Status::InvalidArgument(fmt::format(
        "release {} carries no Merkle root (format {}): it has no precinct proofs", tree.number,
        StringAt(doc, "format").empty() ? std::string("unknown") : StringAt(doc, "format")));
  }
  auto records = ReleaseRecords(doc, records_text);
  if (!records.ok()) return records.status();
  tree.records = std::move(records).value();
  tree.leaves.reserve(tree.records.size());
  for (const std::string& r : tree.records) tree.leaves.push_back(MerkleLeafHash(r));
  tree.root = ToHex(MerkleRoot(tree.leaves));
  if (tree.root != merkle["root"].get<std::string>()) {
    return Status::InvalidArgument(
        fmt::format("release {}'s records hash to root {}, not the {} it names", tree.number,
                    tree.root, merkle["root"].get<std::string>()));
  }
  return tree;
}

Result<json> PrecinctProof(const ReleaseTree& tree, std::string_view root_statement,
                           std::string_view root_signature_hex, int64_t precinct) {
  if (precinct < 1 || precinct > static_cast<int64_t>(tree.records.size())) {
    return Status::NotFound(fmt::format("release {} has no precinct {} (it has 1 to {})",
                                        tree.number, precinct, tree.records.size()));
  }
  json statement = json::parse(root_statement, nullptr, false);
  if (statement.is_discarded() || !statement.is_object() ||
      StringAt(statement.value("merkle", json()), "root") != tree.root) {
    return Status::InvalidArgument("the root statement does not name the release's root " +
                                   tree.root);
  }
  const uint64_t index = static_cast<uint64_t>(precinct - 1);
  json path = json::array();
  for (const MerkleStep& step : MerklePath(tree.leaves, index)) {
    path.push_back({{"side", step.sibling_left ? "left" : "right"}, {"hash", ToHex(step.hash)}});
  }
  const std::string sig(Trim(root_signature_hex));
  return json{{"format", kProofFormat},
              {"release", tree.number},
              {"precinct", precinct},
              {"index", index},
              {"leaves", static_cast<int64_t>(tree.leaves.size())},
              {"record", tree.records[index]},
              {"leaf", ToHex(tree.leaves[index])},
              {"path", std::move(path)},
              {"root", tree.root},
              {"root_statement", std::string(root_statement)},
              {"root_signature", sig.empty() ? json() : json(sig)}};
}

Result<json> BuildPrecinctProof(std::string_view release_json, std::string_view records,
                                std::string_view root_statement,
                                std::string_view root_signature_hex, int64_t precinct) {
  auto tree = ReleaseTreeOf(release_json, records);
  if (!tree.ok()) return tree.status();
  return PrecinctProof(*tree, root_statement, root_signature_hex, precinct);
}

std::string ProofPathText(const json& proof) {
  std::string out;
  for (const json& step : proof.value("path", json::array())) {
    out += StringAt(step, "side") + " " + StringAt(step, "hash") + "\n";
  }
  return out;
}

ReleaseVerification VerifyPrecinctProof(std::string_view proof_text, int64_t precinct,
                                        const std::string& public_key_hex,
                                        const std::optional<std::string>& record) {
  ReleaseVerification out;
  auto problem = [&](std::string what) {
    out.problems.push_back(std::move(what));
    return out;
  };
  json proof = json::parse(proof_text, nullptr, false);
  if (proof.is_discarded() || !proof.is_object()) return problem("the proof is not a JSON object");
  if (StringAt(proof, "format") != kProofFormat) {
    return problem(fmt::format("the proof's format is not {}", kProofFormat));
  }
  for (const char* field : {"release", "precinct", "index", "leaves"}) {
    if (!proof.contains(field) || !proof[field].is_number_integer() ||
        proof[field].get<int64_t>() < 0) {
      return problem(fmt::format("the proof's \"{}\" is not a whole number", field));
    }
  }
  for (const char* field : {"record", "root_statement"}) {
    if (!proof.contains(field) || !proof[field].is_string()) {
      return problem(fmt::format("the proof has no \"{}\" string", field));
    }
  }
  if (!proof.contains("path") || !proof["path"].is_array()) {
    return problem("the proof has no \"path\" list");
  }
  const int64_t number = proof["release"].get<int64_t>();
  if (proof["precinct"].get<int64_t>() != precinct) {
    return problem(fmt::format("the proof is for precinct {}, not {}",
                               proof["precinct"].get<int64_t>(), precinct));
  }
  const std::string& rec = proof["record"].get_ref<const std::string&>();
  json rec_doc = json::parse(rec, nullptr, false);
  if (rec_doc.is_discarded() || !rec_doc.is_object() ||
      rec_doc.value("id", json()) != json(precinct)) {
    return problem(fmt::format("the proof's record is not precinct {}'s", precinct));
  }
  if (rec_doc.dump() != rec) {
    return problem("the proof's record is not in canonical form");
  }
  if (record) {
    if (*record == rec) {
      out.checked.push_back(
          fmt::format("precinct {}: the proof's record is byte for byte the one given", precinct));
    } else {
      out.problems.push_back(
          fmt::format("precinct {}: the proof's record is not the one given", precinct));
    }
  }
  std::vector<MerkleStep> path;
  for (size_t i = 0; i < proof["path"].size(); ++i) {
    const json& step = proof["path"][i];
    const std::string side = StringAt(step, "side");
    if ((side != "left" && side != "right") || !IsHex64(step.value("hash", json()))) {
      return problem(fmt::format(
          "path step {} is not {{\"side\": \"left\" | \"right\", \"hash\": 64 hex}}", i + 1));
    }
    path.push_back(MerkleStep{side == "left", *FromHex(step["hash"].get<std::string>())});
  }
  json statement = json::parse(proof["root_statement"].get<std::string>(), nullptr, false);
  const json merkle = statement.is_object() ? statement.value("merkle", json()) : json();
  if (!merkle.is_object() || !IsHex64(merkle.value("root", json())) ||
      !merkle.value("leaves", json()).is_number_integer() ||
      statement.value("number", json()) != json(number)) {
    return problem(fmt::format(
        "the root statement is not release {}'s (no number {} with merkle root and leaves)", number,
        number));
  }
  if (StringAt(merkle, "tree") != kMerkleTreeShape) {
    return problem(fmt::format("the root statement's tree is not {}", kMerkleTreeShape));
  }
  const int64_t leaves = proof["leaves"].get<int64_t>();
  if (merkle["leaves"].get<int64_t>() != leaves) {
    return problem(fmt::format("the proof says {} leaves, the root statement {}", leaves,
                               merkle["leaves"].get<int64_t>()));
  }
  if (proof["index"].get<int64_t>() != precinct - 1) {
    return problem(fmt::format("precinct {} is leaf {}, not {}", precinct, precinct - 1,
                               proof["index"].get<int64_t>()));
  }
  const std::string leaf = MerkleLeafHash(rec);
  auto root = MerkleRootFromPath(leaf, static_cast<uint64_t>(precinct - 1),
                                 static_cast<uint64_t>(leaves), path);
  if (!root.ok()) return problem("the path: " + root.status().message());
  const std::string signed_root = merkle["root"].get<std::string>();
  if (ToHex(*root) != signed_root) {
    return problem(fmt::format(
        "precinct {}'s record and path hash to {}, not to release {}'s signed root {}: the "
        "record or the path was changed",
        precinct, ToHex(*root), number, signed_root));
  }
  out.checked.push_back(fmt::format(
      "precinct {}: its record and the {}-step path hash to release {}'s root {} ({} leaves)",
      precinct, path.size(), number, signed_root, leaves));
  std::string key(Trim(public_key_hex));
  const std::string named = StringAt(statement, "signing_key");
  if (key.empty()) {
    key = named;
    out.checked.push_back("the root statement names signing key " + named +
                          ": compare it with the ledger's election-created (or give --key)");
  } else if (!named.empty() && named != key) {
    out.problems.push_back(
        fmt::format("the root statement names signing key {}, not {}", named, key));
  }
  const json& sig = proof.value("root_signature", json());
  if (!sig.is_string()) {
    out.problems.push_back(fmt::format("release {}'s root statement carries no signature", number));
  } else if (VerifySignatureHex(key, proof["root_statement"].get<std::string>(),
                                sig.get<std::string>())) {
    out.checked.push_back(
        fmt::format("{}: the signature is valid under key {}", ReleaseRootName(number), key));
  } else {
    out.problems.push_back(fmt::format(
        "{}: the signature does not verify under key {} (the statement or its signature was "
        "changed, or another key signed it)",
        ReleaseRootName(number), key));
  }
  return out;
}

}  // namespace canvass
