#include "publish/verify.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "core/text.h"
#include "ledger/chain.h"
#include "ledger/event_types.h"
#include "publish/release.h"
#include "publish/signing.h"
#include "state/election_state.h"
#include "state/replay.h"
#include "store/parts.h"

namespace canvass {

using nlohmann::json;

namespace {

// Where two byte strings first differ, for a message.
std::string FirstDifference(std::string_view a, std::string_view b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  if (i == a.size() && i == b.size()) return "identical";
  return fmt::format("first difference at byte {} ({} bytes against {})", i, a.size(), b.size());
}

// The JSON pointer of the first difference between two documents.
std::string FirstJsonDifference(const std::string& given, const std::string& rebuilt) {
  json a = json::parse(given, nullptr, false);
  json b = json::parse(rebuilt, nullptr, false);
  if (a.is_discarded() || b.is_discarded()) return FirstDifference(given, rebuilt);
  json patch = json::diff(a, b);
  if (patch.empty()) return "the same JSON, other bytes: not in canonical form";
  const json& op = patch.front();
  std::string path = op.value("path", "");
  return fmt::format("at {} ({} in the rebuild)", path.empty() ? "/" : path,
                     op.value("op", "replace") == "remove" ? "absent" : "different");
}

}  // namespace

ReleaseVerification VerifyRelease(std::string_view release_json,
                                  const std::optional<std::string>& signature_hex,
                                  const std::string& public_key_hex,
                                  const std::map<std::string, std::string>& files) {
  ReleaseVerification out;
  json doc = json::parse(release_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    out.problems.push_back("the release is not a JSON object");
    return out;
  }
  const int64_t number = doc.value("number", int64_t{0});
  if (signature_hex) {
    if (VerifySignatureHex(public_key_hex, release_json, *signature_hex)) {
      out.checked.push_back(fmt::format("{}: the signature is valid under key {}",
                                        ReleaseJsonName(number), public_key_hex));
    } else {
      out.problems.push_back(fmt::format(
          "{}: the signature does not verify under key {} (the release or its signature was "
          "changed, or another key signed it)",
          ReleaseJsonName(number), public_key_hex));
    }
  }
  if (doc.contains("election") && doc["election"].is_object()) {
    const json& k = doc["election"]["signing_key"];
    if (k.is_string() && k.get<std::string>() != std::string(Trim(public_key_hex))) {
      out.problems.push_back(fmt::format("{} names signing key {}, not {}", ReleaseJsonName(number),
                                         k.get<std::string>(), public_key_hex));
    }
  }
  std::map<std::string, std::string> declared;
  std::map<std::string, std::string> by_manifest;  // files named by their parts manifest
  if (doc.contains("files") && doc["files"].is_object()) {
    for (const auto& [kind, ref] : doc["files"].items()) {
      if (!ref.is_object() || !ref.contains("name") || !ref["name"].is_string()) continue;
      const std::string name = ref["name"].get<std::string>();
      if (ref.contains("sha256") && ref["sha256"].is_string()) {
        declared[name] = ref["sha256"].get<std::string>();
      } else if (ref.contains("manifest") && ref["manifest"].is_string()) {
        by_manifest[name] = ref["manifest"].get<std::string>();
      }
    }
  }
  // Whether `bytes` hash to `want`; a problem naming `name` when they do not.
  auto hashes_to = [&](const std::string& name, std::string_view bytes, const std::string& want) {
    const std::string hash = Sha256Hex(bytes);
    if (hash != want) {
      out.problems.push_back(
          fmt::format("{}: SHA-256 {} is not the {} the release declares", name, hash, want));
    }
    return hash == want;
  };
  for (const auto& [name, bytes] : files) {
    if (auto m = by_manifest.find(name); m != by_manifest.end()) {
      // Named by its manifest (cut by group of precincts): the manifest beside it, then the file
      // against the manifest.
      const std::string manifest_name = ReleasePartsName(name);
      auto text = files.find(manifest_name);
      if (text == files.end()) {
        out.problems.push_back(
            fmt::format("{}: the release names it by its parts manifest {}: give {} (beside it)",
                        name, m->second, manifest_name));
        continue;
      }
      if (!hashes_to(manifest_name, text->second, m->second)) continue;
      Status st = CheckFileAgainstManifest(bytes, text->second);
      if (st.ok()) {
        out.checked.push_back(fmt::format(
            "{}: its parts hash as its manifest {} says, whose SHA-256 the release declares", name,
            manifest_name));
      } else {
        out.problems.push_back(fmt::format("{}: {}", name, st.message()));
      }
      continue;
    }
    std::string want;
    if (const std::string file = ReleaseFileOfPartsName(name);
        !file.empty() && by_manifest.count(file) != 0) {
      // A manifest: checked with its file above, or alone when only it is given.
      if (files.count(file) != 0) continue;
      want = by_manifest[file];
    } else if (auto it = declared.find(name); it != declared.end()) {
      want = it->second;
    } else {
      out.problems.push_back(name + ": the release names no such file");
      continue;
    }
    if (hashes_to(name, bytes, want)) {
      out.checked.push_back(name + ": SHA-256 " + want + " as the release declares");
    }
  }
  return out;
}

Result<std::string> SigningKeyInLedger(std::string_view ledger_text) {
  const std::string_view first = ledger_text.substr(0, ledger_text.find('\n'));
  auto event = DecodeEvent(first);
  if (!event.ok()) return event.status();
  if (event->type != event_type::kElectionCreated) {
    return Status::InvalidArgument("the ledger does not begin with election-created");
  }
  if (!event->payload.contains("signing_key") || !event->payload["signing_key"].is_string()) {
    return Status::NotFound("election-created names no signing key");
  }
  return event->payload["signing_key"].get<std::string>();
}

void CheckReleaseAgainstLedger(std::string_view release_json, std::string_view ledger_text,
                               const std::string& origin,
                               const std::map<std::string, std::string>& files,
                               const std::optional<std::string>& signature_hex,
                               ReleaseVerification& out,
                               const std::optional<PublishedFiles>& previous) {
  json doc = json::parse(release_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("ledger") ||
      !doc["ledger"].is_object()) {
    out.problems.push_back("the release names no ledger position");
    return;
  }
  const json& ledger = doc["ledger"];
  StoreHead head;
  head.seq = ledger.value("seq", int64_t{0});
  head.hash = ledger.value("head", std::string());
  const int64_t number = doc.value("number", int64_t{0});
  // The release's state is that of events 1..head; the events after it are verified too, and
  // looked at for this release's release-published event.
  ElectionState state;
  std::optional<json> published;  // this release's release-published payload, if in the export
  ReplayOptions replay;
  replay.expected_head = head;
  replay.apply_through = head.seq;
  replay.on_event = [&](const Event& e, const StoredEvent&) -> Status {
    if (e.seq > head.seq && e.type == event_type::kReleasePublished &&
        e.payload.value("number", int64_t{0}) == number) {
      published = e.payload;
    }
    return Status::Ok();
  };
  ChainReport report = ReplayJsonLines(ledger_text, origin, state, replay);
  if (!report.ok()) {
    out.problems.push_back(fmt::format("{}: {} at event {}: {}", origin, report.problem->kind,
                                       report.problem->seq, report.problem->message));
    return;
  }
  out.checked.push_back(
      fmt::format("{}: {} events verify; event {} hashes to the release's head {}", origin,
                  report.events, head.seq, head.hash));
  // A release compared with release N-1 is rebuilt against it (its hash is checked against the
  // ledger's record by BuildRelease); one built uncompared ("delta": null) is rebuilt alike.
  const json& delta = doc.contains("delta") ? doc["delta"] : json();
  const bool compared =
      delta.is_object() && delta.contains("previous") && delta["previous"].is_object();
  if (compared && !previous) {
    out.problems.push_back(fmt::format(
        "{} was compared with {}: give that file and {} (beside it) to rebuild it",
        ReleaseJsonName(number), ReleaseJsonName(number - 1), ReleaseRecordsName(number - 1)));
    return;
  }
  auto rebuilt = compared ? BuildRelease(state, previous->view()) : BuildRelease(state);
  if (!rebuilt.ok()) {
    out.problems.push_back("the release cannot be rebuilt: " + rebuilt.status().message());
    return;
  }
  const std::string format = doc.value("format", std::string());
  if (format == "canvass-release-1" || format == "canvass-release-2" ||
      format == "canvass-release-3") {
    out.problems.push_back(fmt::format(
        "{} is format {} (before {}); this Canvass rebuilds {}: its signature and file hashes "
        "are checked above, a rebuild needs the Canvass version that made it",
        ReleaseJsonName(number), format,
        format == "canvass-release-1"   ? "Merkle roots"
        : format == "canvass-release-2" ? "files cut by group of precincts"
                                        : "records beside the release document",
        kReleaseFormat));
    return;
  }
  if (rebuilt->json.bytes == release_json) {
    out.checked.push_back(
        fmt::format("{}: rebuilt bit for bit from events 1..{}", rebuilt->json.name, head.seq));
  } else {
    out.problems.push_back(
        fmt::format("{} differs from the release events 1..{} rebuild: {}", rebuilt->json.name,
                    head.seq, FirstJsonDifference(std::string(release_json), rebuilt->json.bytes)));
  }
  for (const ReleaseFile* f : rebuilt->files()) {
    if (f == &rebuilt->json) continue;
    auto it = files.find(f->name);
    if (it == files.end()) continue;
    if (it->second == f->bytes) {
      out.checked.push_back(f->name + ": rebuilt bit for bit");
    } else {
      out.problems.push_back(fmt::format("{} differs from the rebuild: {}", f->name,
                                         FirstDifference(it->second, f->bytes)));
    }
  }
  if (published) {
    // The files the rebuild makes, and the root statement's signature (not rebuilt: it needs
    // the secret key), which the event may name beside them.
    // Files stored by part are also named with their parts manifest (NAME.parts), which is a
    // function of the file's bytes alone (store/parts.h): it is rebuilt and compared too.
    const json& declared = (*published)["files"];
    size_t extra =
        declared.is_object() && declared.contains(ReleaseRootSignatureName(number)) ? 1 : 0;
    bool same = declared.is_object();
    for (const ReleaseFile* f : rebuilt->files()) {
      if (!same) break;
      const std::string_view bytes =
          f == &rebuilt->json ? release_json : std::string_view(f->bytes);
      const std::string want = f == &rebuilt->json ? Sha256Hex(release_json) : f->sha256;
      const std::string parts = ReleasePartsName(f->name);
      if (want.empty()) {  // named by its manifest alone (cut by group of precincts)
        same = !declared.contains(f->name) && declared.contains(parts) &&
               declared[parts] == f->manifest_sha256;
        continue;
      }
      same = declared.value(f->name, std::string()) == want;
      if (same && declared.contains(parts)) {
        ++extra;
        same = declared[parts] == Sha256Hex(ManifestText(ManifestOf(bytes)));
      }
    }
    same = same && declared.size() == rebuilt->files().size() + extra;
    if (same) {
      out.checked.push_back(fmt::format(
          "{}: release {}'s release-published event names these files", origin, number));
    } else {
      out.problems.push_back(fmt::format(
          "{}: release {}'s release-published event names other file hashes", origin, number));
    }
    if (signature_hex &&
        published->value("signature", std::string()) != std::string(Trim(*signature_hex))) {
      out.problems.push_back(fmt::format(
          "{}: release {}'s release-published event records another signature", origin, number));
    }
  }
}

}  // namespace canvass
