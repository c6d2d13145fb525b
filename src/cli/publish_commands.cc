// `canvass publish` and `canvass release verify`: releases from a store, the static site, and
// checking a release by its signature and against the ledger export (docs/releases.md).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "core/text.h"
#include "intake/intake.h"
#include "io/importers.h"
#include "publish/publisher.h"
#include "publish/release.h"
#include "publish/signing.h"
#include "publish/site.h"
#include "publish/verify.h"

namespace canvass {

namespace {

bool IsPostgresLocation(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0 ||
         location.find('=') != std::string::npos;
}

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
    auto outcome = publisher.PublishNow(Actor{"admin", "cli"}, "cli");
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
    Status st = WriteSite(o.out, state, [&in](const std::string& sha) { return in.GetBlob(sha); });
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

int RunReleaseVerify(const ReleaseVerifyOptions& o, std::ostream& out, std::ostream& err) {
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
  const std::pair<const char*, const std::string*> kinds[] = {
      {"precincts_csv", &o.precincts_csv}, {"totals_csv", &o.totals_csv}, {"cdf", &o.cdf}};
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
  }
  ReleaseVerification base = VerifyRelease(*release, signature, public_key, files);
  v.checked.insert(v.checked.end(), base.checked.begin(), base.checked.end());
  v.problems.insert(v.problems.end(), base.problems.begin(), base.problems.end());
  if (!ledger_text.empty()) {
    CheckReleaseAgainstLedger(*release, ledger_text, o.ledger, files, signature, v);
  }
  if (o.json) {
    out << nlohmann::json{{"ok", v.ok()}, {"checked", v.checked}, {"problems", v.problems}}.dump(2)
        << "\n";
  } else {
    for (const std::string& c : v.checked) out << "ok: " << c << "\n";
    for (const std::string& p : v.problems) out << "MISMATCH: " << p << "\n";
    out << (v.ok() ? "The release verifies.\n" : "The release does NOT verify.\n");
  }
  return v.ok() ? kExitOk : kExitFailure;
}

}  // namespace canvass
