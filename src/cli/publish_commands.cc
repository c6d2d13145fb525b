// `canvass publish` and `canvass release verify`: releases from a store, the static site, and
// checking a release by its signature and against the ledger export (docs/releases.md).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "core/text.h"
#include "intake/intake.h"
#include "io/importers.h"
#include "ledger/event_types.h"
#include "publish/proof.h"
#include "publish/publisher.h"
#include "publish/release.h"
#include "publish/signing.h"
#include "publish/site.h"
#include "publish/verify.h"
#include "store/store.h"

namespace canvass {

namespace {

int Fail(std::ostream& err, const Status& st, int code = kExitFailure) {
  err << "canvass: " << st.message() << "\n";
  return code;
}

}  // namespace

std::string DefaultSigningKeyFile(const std::string& store) {
  if (IsPostgresLocation(store)) return "canvass-sign.key";
  const std::string path = store.rfind("sqlite:", 0) == 0 ? store.substr(7) : store;
  return path + ".sign";
}

int RunPublish(const PublishOptions& o, std::ostream& out, std::ostream& err) {
  if (o.out.empty()) return Fail(err, Status::InvalidArgument("--out DIR is required"), kExitUsage);
  std::error_code ec;
  if (!IsPostgresLocation(o.store) && !std::filesystem::exists(o.store, ec)) {
    return Fail(err, Status::NotFound(o.store + ": no such store"), kExitUsage);
  }
  const std::string key_file = o.key_file.empty() ? DefaultSigningKeyFile(o.store) : o.key_file;
  auto key = ReadSigningKeyFile(key_file);
  if (!key.ok()) return Fail(err, key.status(), kExitUsage);
  if (!key->has_value()) {
    return Fail(err, Status::NotFound(key_file + ": no signing key (give --key FILE)"), kExitUsage);
  }
  Intake::Options open_options;
  open_options.create_store = false;  // nothing is created at a wrong path
  auto intake = Intake::Open(o.store, open_options);
  if (!intake.ok()) {
    const bool usage = intake.status().code() == Status::Code::kNotFound ||
                       intake.status().code() == Status::Code::kInvalidArgument;
    return Fail(err, intake.status(), usage ? kExitUsage : kExitFailure);
  }
  int rc = kExitOk;
  {
    Publisher publisher(**intake, **key);
    auto outcome = publisher.PublishNow(Actor{std::string(role::kAdmin), "cli"}, "cli");
    if (!outcome.ok()) {
      rc = Fail(err, outcome.status());
    } else if (outcome->published) {
      out << fmt::format("Published release {} (ledger events 1..{}) as event {}.\n",
                         outcome->number, outcome->ledger_seq, outcome->seq);
    } else if (outcome->number > 0) {
      out << fmt::format("The ledger has not moved since release {}; nothing new to publish.\n",
                         outcome->number);
    }
  }
  if (rc == kExitOk) {
    ElectionState state = (*intake)->Read([](const ElectionState& s) { return s; });
    Intake& in = **intake;
    Status st = WriteSite(
        o.out, state, [&in](const std::string& sha) { return in.GetBlob(sha); },
        [&in](int64_t after, int64_t limit) { return in.ReadEvents(after, limit); });
    if (!st.ok()) {
      rc = Fail(err, st);
    } else {
      out << fmt::format(
          "Wrote the site to {}: {} release(s), ledger.jsonl ({} events), "
          "election.pub, index.html.\n",
          o.out, state.releases().size(), state.seq());
    }
  }
  intake->reset();
  return rc;
}

namespace {

void PrintVerification(const ReleaseVerification& v, bool as_json, const char* what,
                       std::ostream& out) {
  if (as_json) {
    out << nlohmann::json{{"ok", v.ok()}, {"checked", v.checked}, {"problems", v.problems}}.dump(2)
        << "\n";
    return;
  }
  for (const std::string& c : v.checked) out << "ok: " << c << "\n";
  for (const std::string& p : v.problems) out << "MISMATCH: " << p << "\n";
  out << (v.ok() ? fmt::format("The {} verifies.\n", what)
                 : fmt::format("The {} does NOT verify.\n", what));
}

// `release verify --precinct ID --proof FILE [--key election.pub] [--record FILE]`.
int VerifyPrecinct(const ReleaseVerifyOptions& o, std::ostream& out, std::ostream& err) {
  if (o.proof.empty()) {
    err << "canvass: --precinct needs --proof FILE (from `canvass release prove` or GET "
           "/api/v1/releases/N/proof/ID)\n";
    return kExitUsage;
  }
  if (!o.release.empty() || !o.ledger.empty()) {
    err << "canvass: --precinct checks a proof alone: give --proof, not --release or --ledger\n";
    return kExitUsage;
  }
  if (o.precinct < 1) {
    err << "canvass: --precinct is a precinct id, 1 or more\n";
    return kExitUsage;
  }
  auto proof = ReadFile(o.proof);
  if (!proof.ok()) return Fail(err, proof.status(), kExitUsage);
  std::string key;
  if (!o.key.empty()) {
    auto text = ReadFile(o.key);
    if (!text.ok()) return Fail(err, text.status(), kExitUsage);
    key = std::string(Trim(*text));
  }
  std::optional<std::string> record;
  if (!o.record.empty()) {
    auto text = ReadFile(o.record);
    if (!text.ok()) return Fail(err, text.status(), kExitUsage);
    record = std::move(text).value();
  }
  ReleaseVerification v = VerifyPrecinctProof(*proof, o.precinct, key, record);
  PrintVerification(v, o.json, "precinct's proof", out);
  return v.ok() ? kExitOk : kExitFailure;
}

}  // namespace

int RunReleaseProve(const ReleaseProveOptions& o, std::ostream& out, std::ostream& err) {
  auto release = ReadFile(o.release);
  if (!release.ok()) return Fail(err, release.status(), kExitUsage);
  nlohmann::json doc = nlohmann::json::parse(*release, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc["number"].is_number_integer()) {
    return Fail(err, Status::ParseError(o.release + ": not a release"), kExitUsage);
  }
  const int64_t number = doc["number"].get<int64_t>();
  const std::filesystem::path dir = std::filesystem::path(o.release).parent_path();
  const std::string root_path = (dir / ReleaseRootName(number)).string();
  std::error_code ec;
  if (!std::filesystem::exists(root_path, ec)) {
    return Fail(
        err,
        Status::NotFound(root_path + ": no root statement beside the release (releases of format "
                                     "canvass-release-1 have none)"),
        kExitUsage);
  }
  auto statement = ReadFile(root_path);
  if (!statement.ok()) return Fail(err, statement.status(), kExitUsage);
  std::string signature;
  const std::string sig_path = (dir / ReleaseRootSignatureName(number)).string();
  if (std::filesystem::exists(sig_path, ec)) {
    auto text = ReadFile(sig_path);
    if (!text.ok()) return Fail(err, text.status(), kExitUsage);
    signature = std::string(Trim(*text));
  }
  // Its records, beside it since format canvass-release-4.
  std::string records;
  const std::string records_path = (dir / ReleaseRecordsName(number)).string();
  if (!doc.contains("precincts")) {
    if (!std::filesystem::exists(records_path, ec)) {
      return Fail(err, Status::NotFound(records_path + ": no records beside the release"),
                  kExitUsage);
    }
    auto text = ReadFile(records_path);
    if (!text.ok()) return Fail(err, text.status(), kExitUsage);
    records = std::move(text).value();
  }
  auto proof = BuildPrecinctProof(*release, records, *statement, signature, o.precinct);
  if (!proof.ok()) {
    const bool usage = proof.status().code() == Status::Code::kNotFound;
    err << "canvass: " << o.release << ": " << proof.status().message() << "\n";
    return usage ? kExitUsage : kExitFailure;
  }
  if (o.out.empty()) {
    out << proof->dump() << "\n";
    return kExitOk;
  }
  const std::filesystem::path to(o.out);
  std::filesystem::create_directories(to, ec);
  if (ec) return Fail(err, Status::IoError(o.out + ": " + ec.message()));
  const std::string stem = fmt::format("precinct-{}", o.precinct);
  const std::pair<std::string, std::string> files[] = {
      {stem + "-proof.json", proof->dump() + "\n"},
      {stem + ".record", (*proof)["record"].get<std::string>()},
      {stem + ".path", ProofPathText(*proof)},
      {ReleaseRootName(number), *statement},
      {ReleaseRootSignatureName(number), signature.empty() ? "" : SignatureFileBytes(signature)}};
  for (const auto& [name, bytes] : files) {
    if (name == ReleaseRootSignatureName(number) && signature.empty()) continue;
    std::ofstream f(to / name, std::ios::binary | std::ios::trunc);
    f << bytes;
    f.close();
    if (!f) return Fail(err, Status::IoError((to / name).string() + ": cannot write"));
  }
  out << fmt::format(
      "Precinct {} is leaf {} of {} in release {} (root {}); wrote {}/{}-proof.json, {}.record "
      "(its record), {}.path ({} steps), {} and its signature.\n",
      o.precinct, (*proof)["index"].get<int64_t>(), (*proof)["leaves"].get<int64_t>(), number,
      (*proof)["root"].get<std::string>(), o.out, stem, stem, stem, (*proof)["path"].size(),
      ReleaseRootName(number));
  return kExitOk;
}

int RunReleaseVerify(const ReleaseVerifyOptions& o, std::ostream& out, std::ostream& err) {
  if (o.precinct != 0 || !o.proof.empty()) return VerifyPrecinct(o, out, err);
  if (o.release.empty() || (o.key.empty() && o.ledger.empty())) {
    err << "canvass: give --release and --key or --ledger (or both)\n";
    return kExitUsage;
  }
  auto release = ReadFile(o.release);
  if (!release.ok()) return Fail(err, release.status(), kExitUsage);
  nlohmann::json doc = nlohmann::json::parse(*release, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Fail(err, Status::ParseError(o.release + ": not a release (not a JSON object)"),
                kExitUsage);
  }
  std::string ledger_text;
  if (!o.ledger.empty()) {
    auto text = ReadFile(o.ledger);
    if (!text.ok()) return Fail(err, text.status(), kExitUsage);
    ledger_text = std::move(text).value();
  }
  std::string public_key;
  if (!o.key.empty()) {
    auto text = ReadFile(o.key);
    if (!text.ok()) return Fail(err, text.status(), kExitUsage);
    public_key = std::string(Trim(*text));
  }
  ReleaseVerification v;
  if (!ledger_text.empty()) {
    auto in_ledger = SigningKeyInLedger(ledger_text);
    if (public_key.empty()) {
      if (!in_ledger.ok()) {
        return Fail(err,
                    Status::InvalidArgument(o.ledger + ": " + in_ledger.status().message() +
                                            "; give --key"),
                    kExitUsage);
      }
      public_key = *in_ledger;
    } else if (in_ledger.ok() && *in_ledger != public_key) {
      v.problems.push_back(
          fmt::format("{} holds key {}, but the ledger's election-created names {}", o.key,
                      public_key, *in_ledger));
    }
  }
  // The signature: --signature, or release-N.json.sig beside the release.
  std::optional<std::string> signature;
  const std::string sig_path = o.signature.empty() ? o.release + ".sig" : o.signature;
  std::error_code ec;
  if (std::filesystem::exists(sig_path, ec)) {
    auto text = ReadFile(sig_path);
    if (!text.ok()) return Fail(err, text.status(), kExitUsage);
    signature = std::string(Trim(*text));
  } else if (!o.signature.empty()) {
    return Fail(err, Status::NotFound(o.signature + ": no such file"), kExitUsage);
  } else {
    v.problems.push_back(sig_path + ": no signature beside the release (give --signature)");
  }
  // The other files: as given, or the names the release declares, beside it.
  std::map<std::string, std::string> files;
  const std::filesystem::path dir = std::filesystem::path(o.release).parent_path();
  const std::string beside;  // the root statement: always the declared name beside the release
  const std::pair<const char*, const std::string*> kinds[] = {{"precincts_csv", &o.precincts_csv},
                                                              {"totals_csv", &o.totals_csv},
                                                              {"cdf", &o.cdf},
                                                              {"records", &beside},
                                                              {"root", &beside}};
  for (auto [kind, given] : kinds) {
    const nlohmann::json& ref = doc["files"][kind];
    if (!ref.is_object() || !ref.contains("name") || !ref["name"].is_string()) continue;
    const std::string name = ref["name"].get<std::string>();
    const std::string path = given->empty() ? (dir / name).string() : *given;
    if (!std::filesystem::exists(path, ec)) {
      if (!given->empty()) return Fail(err, Status::NotFound(path + ": no such file"), kExitUsage);
      continue;  // not beside the release: not checked
    }
    auto bytes = ReadFile(path);
    if (!bytes.ok()) return Fail(err, bytes.status(), kExitUsage);
    files[name] = std::move(bytes).value();
    // A file named by its parts manifest (cut by group of precincts): the manifest beside it.
    if (ref.contains("manifest") && std::filesystem::exists(ReleasePartsName(path), ec)) {
      auto manifest = ReadFile(ReleasePartsName(path));
      if (!manifest.ok()) return Fail(err, manifest.status(), kExitUsage);
      files[ReleasePartsName(name)] = std::move(manifest).value();
    }
  }
  ReleaseVerification base = VerifyRelease(*release, signature, public_key, files);
  v.checked.insert(v.checked.end(), base.checked.begin(), base.checked.end());
  v.problems.insert(v.problems.end(), base.problems.begin(), base.problems.end());
  if (!ledger_text.empty()) {
    // Release N is rebuilt against release N-1 as published, beside it (release_delta.h): its
    // JSON and, when there, its records.
    std::optional<PublishedFiles> previous;
    const int64_t number = doc.contains("number") && doc["number"].is_number_integer()
                               ? doc["number"].get<int64_t>()
                               : 0;
    const std::filesystem::path before = dir / ReleaseJsonName(number - 1);
    if (number > 1 && std::filesystem::exists(before, ec)) {
      auto bytes = ReadFile(before.string());
      if (!bytes.ok()) return Fail(err, bytes.status(), kExitUsage);
      previous.emplace();
      previous->json = std::move(bytes).value();
      const std::filesystem::path records = dir / ReleaseRecordsName(number - 1);
      if (std::filesystem::exists(records, ec)) {
        auto text = ReadFile(records.string());
        if (!text.ok()) return Fail(err, text.status(), kExitUsage);
        previous->records = std::move(text).value();
      }
    }
    CheckReleaseAgainstLedger(*release, ledger_text, o.ledger, files, signature, v, previous);
  }
  PrintVerification(v, o.json, "release", out);
  return v.ok() ? kExitOk : kExitFailure;
}

}  // namespace canvass
