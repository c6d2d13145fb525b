// `canvass convention voters` (docs/cli.md, docs/conventions.md "The voter roll"): a
// convention's voter codes issued on a store's ledger as the command line (an administrator), one
// voters-issued event; the codes go to an owner-only CSV, the only place they exist.
#include <sys/stat.h>

#include <cstdio>
#include <ostream>
#include <string>

#include <fmt/format.h>

#include "cli/audit_review_command.h"
#include "cli/commands.h"
#include "intake/setup.h"
#include "ledger/event_types.h"
#include "state/convention.h"

namespace canvass {
namespace {

// Created readable by its owner only, before a code is written into it.
Status WriteOwnerOnly(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::IoError(path + ": cannot write");
  ::chmod(path.c_str(), 0600);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) return Status::IoError(path + ": write failed");
  return Status::Ok();
}

}  // namespace

int RunConventionVoters(const ConventionVotersOptions& o, std::ostream& out, std::ostream& err) {
  if (o.count < 1 || o.count > kMaxVotersPerIssue) {
    err << fmt::format("canvass convention voters: --count is 1 to {} codes at a time\n",
                       kMaxVotersPerIssue);
    return kExitUsage;
  }
  // Checked before the codes exist: a sheet that cannot be written would lose them all.
  if (Status st = WriteOwnerOnly(o.out, ""); !st.ok()) {
    err << "canvass convention voters: " << st.message() << "\n";
    return kExitFailure;
  }
  auto intake = OpenExistingStore(o.store);
  if (!intake.ok()) return StoreOpenFailure(err, intake.status());
  auto codes =
      IssueVoters(**intake, o.convention, o.pool, o.count, Actor{std::string(role::kAdmin), "cli"},
                  "cli", CliSubmission("voters"), o.fast_kdf ? KdfCost::Test() : KdfCost::Server());
  if (!codes.ok()) {
    err << "canvass convention voters: refused: " << codes.status().message() << "\n";
    return kExitUsage;
  }
  if (Status st = WriteOwnerOnly(o.out, CodesCsv(*codes)); !st.ok()) {
    err << "canvass convention voters: " << st.message()
        << " (the codes are on the ledger as hashes only: reissue them)\n";
    return kExitFailure;
  }
  out << fmt::format("{} voter code(s) for {} written to {} (owner-only).\n", codes->size(),
                     o.pool.empty() ? o.convention : o.convention + "/" + o.pool, o.out);
  return kExitOk;
}

}  // namespace canvass
