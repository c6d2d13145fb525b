#include "intake/setup.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <thread>

#include "io/csv.h"
#include "ledger/event_types.h"
#include "rules/ruleset.h"
#include "state/convention.h"

namespace canvass {

using nlohmann::json;

namespace {

const Actor kCliAdmin{std::string(role::kAdmin), "cli"};

// ReissueCredential, revoking `which` (a live credential of role and subject) when not empty,
// else the subject's latest live one.
Result<IssuedCode> Reissue(Intake& intake, const std::string& role, const std::string& subject,
                           const Actor& by, const std::string& channel, KdfCost cost,
                           const std::string& which);

}  // namespace

std::string OutcomeMessage(const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::kAccepted:
      return "accepted";
    case Outcome::Kind::kDuplicate:
      return "already accepted";
    case Outcome::Kind::kRejected:
      return o.rejection ? o.rejection->message : "refused";
    case Outcome::Kind::kUnavailable:
      return "the store is unavailable: " + o.unavailable;
  }
  return "?";
}

std::string CodesCsv(const std::vector<IssuedCode>& codes) {
  std::string out = "role,subject,label,credential,code\n";
  for (const IssuedCode& c : codes) {
    out += fmt::format("{},{},{},{},{}\n", CsvCell(c.role), CsvCell(c.subject), CsvCell(c.label),
                       CsvCell(c.credential), CsvCell(c.code));
  }
  return out;
}

Result<std::vector<IssuedCode>> CreateElection(Intake& intake, const ElectionSetup& setup) {
  if (intake.Read([](const ElectionState& s) { return s.created(); })) {
    return Status::FailedPrecondition("this store already holds an election");
  }
  auto ruleset = ParseRuleset(setup.ruleset_toml, "ruleset");
  if (!ruleset.ok()) return ruleset.status();

  json precincts = json::array();
  for (const PrecinctApportionment& ap : setup.precincts) {
    json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
    if (ap.delegates) row["delegates"] = *ap.delegates;
    if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
    if (ap.site_sde) row["site_sde"] = ap.site_sde->ToString();
    if (ap.district) row["district"] = *ap.district;
    if (!ap.short_code.empty()) row["short_code"] = ap.short_code;
    precincts.push_back(std::move(row));
  }
  json counties = json::object();
  for (const auto& [county, district] : setup.county_district) counties[county] = district;

  std::vector<Submission> submissions;
  submissions.push_back(Submission{
      std::string(event_type::kElectionCreated),
      kCliAdmin,
      "cli",
      {{"name", setup.name},
       {"ruleset",
        {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", setup.ruleset_toml}}},
       {"candidates", setup.candidates},
       {"precincts", precincts},
       {"county_district", counties}}});
  if (!setup.signing_key.empty()) submissions.back().payload["signing_key"] = setup.signing_key;

  std::vector<IssuedCode> codes;
  for (size_t i = 0; i < setup.precincts.size(); ++i) {
    const PrecinctApportionment& ap = setup.precincts[i];
    codes.push_back({std::string(role::kChair), std::to_string(i + 1),
                     ap.county + " / " + ap.precinct, "", ""});
  }
  for (int i = 1; i <= setup.operators; ++i) {
    codes.push_back(
        {std::string(role::kOperator), fmt::format("op-{}", i), fmt::format("op-{}", i), "", ""});
  }
  if (setup.campaign_accounts) {
    for (const std::string& c : setup.candidates)
      codes.push_back({std::string(role::kCampaign), c, c, "", ""});
  }
  codes.push_back({std::string(role::kAdmin), "admin", "admin", "", ""});

  // Codes first (ids unique), then the Argon2id hashes on every core.
  std::set<std::string> taken;
  std::vector<AccessCode> secrets;
  for (IssuedCode& c : codes) {
    AccessCode code = NewAccessCode([&](const std::string& id) { return taken.count(id) > 0; });
    taken.insert(code.id);
    c.credential = code.id;
    c.code = code.Printable();
    secrets.push_back(code);
  }
  std::vector<std::string> hashes(codes.size());
  std::vector<Status> errors(codes.size());
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t; i < codes.size(); i += threads) {
        auto h = HashSecret(secrets[i].secret, setup.cost);
        if (h.ok()) {
          hashes[i] = *h;
        } else {
          errors[i] = h.status();
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  for (size_t i = 0; i < codes.size(); ++i) {
    if (!errors[i].ok()) return errors[i];
    submissions.push_back(Submission{std::string(event_type::kCredentialIssued),
                                     kCliAdmin,
                                     "cli",
                                     {{"credential", codes[i].credential},
                                      {"role", codes[i].role},
                                      {"subject", codes[i].subject},
                                      {"hash", hashes[i]}}});
  }
  std::vector<Outcome> outcomes = intake.SubmitAllAndWait(std::move(submissions));
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].kind != Outcome::Kind::kAccepted) {
      return Status::InvalidArgument(fmt::format(
          "{}: {}", i == 0 ? std::string("the election") : "the code for " + codes[i - 1].label,
          OutcomeMessage(outcomes[i])));
    }
  }
  return codes;
}

Result<IssuedCode> ReissueCredentialById(Intake& intake, const std::string& credential,
                                         const Actor& by, const std::string& channel,
                                         KdfCost cost) {
  auto found = intake.Read([&](const ElectionState& s) -> Result<CredentialRecord> {
    const CredentialRecord* c = s.credential(credential);
    if (c == nullptr) return Status::NotFound("no credential " + credential + " was issued");
    if (c->revoked) {
      return Status::FailedPrecondition("credential " + credential + " is already revoked");
    }
    return *c;
  });
  if (!found.ok()) return found.status();
  return Reissue(intake, found->role, found->subject, by, channel, cost, credential);
}

Result<VoterCodes> NewVoterCodes(const std::set<std::string>& taken, const std::string& subject,
                                 int64_t count, KdfCost cost) {
  if (count < 1 || count > kMaxVotersPerIssue) {
    return Status::InvalidArgument(
        fmt::format("count is the number of voter codes, 1 to {} at a time", kMaxVotersPerIssue));
  }
  std::set<std::string> used = taken;
  std::vector<AccessCode> codes;
  for (int64_t i = 0; i < count; ++i) {
    codes.push_back(NewAccessCode([&](const std::string& id) { return used.count(id) > 0; }));
    used.insert(codes.back().id);
  }
  // Argon2id is the cost here (a few ms a code): spread over the cores, as CreateElection does.
  std::vector<std::string> hashes(codes.size());
  std::vector<Status> errors(codes.size());
  const size_t threads =
      std::min<size_t>(codes.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t; i < codes.size(); i += threads) {
        auto h = HashSecret(codes[i].secret, cost);
        if (h.ok()) {
          hashes[i] = *h;
        } else {
          errors[i] = h.status();
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  VoterCodes out;
  out.voters = json::array();
  for (size_t i = 0; i < codes.size(); ++i) {
    if (!errors[i].ok()) return errors[i];
    out.voters.push_back({{"credential", codes[i].id}, {"hash", hashes[i]}});
    out.codes.push_back(
        IssuedCode{std::string(role::kVoter), subject, subject, codes[i].id, codes[i].Printable()});
  }
  return out;
}

Result<std::vector<IssuedCode>> IssueVoters(Intake& intake, const std::string& convention,
                                            const std::string& pool, int64_t count, const Actor& by,
                                            const std::string& channel,
                                            const std::string& submission, KdfCost cost) {
  std::set<std::string> taken = intake.Read([](const ElectionState& s) {
    std::set<std::string> ids;
    for (const auto& [id, c] : s.credentials()) ids.insert(id);
    return ids;
  });
  auto codes =
      NewVoterCodes(taken, pool.empty() ? convention : convention + "/" + pool, count, cost);
  if (!codes.ok()) return codes.status();
  json payload = {
      {"convention", convention}, {"voters", std::move(codes->voters)}, {"submission", submission}};
  if (!pool.empty()) payload["pool"] = pool;
  Outcome o = intake.SubmitAndWait(
      Submission{std::string(event_type::kVotersIssued), by, channel, std::move(payload)});
  if (o.kind == Outcome::Kind::kDuplicate) {
    return Status::FailedPrecondition(
        fmt::format("submission {} was accepted before (event {}): its codes were given then and "
                    "are not kept; reissue a lost one",
                    submission, o.seq));
  }
  if (o.kind != Outcome::Kind::kAccepted) return Status::InvalidArgument(OutcomeMessage(o));
  return std::move(codes->codes);
}

Result<IssuedCode> ReissueCredential(Intake& intake, const std::string& role,
                                     const std::string& subject, const Actor& by,
                                     const std::string& channel, KdfCost cost) {
  return Reissue(intake, role, subject, by, channel, cost, "");
}

namespace {

Result<IssuedCode> Reissue(Intake& intake, const std::string& role, const std::string& subject,
                           const Actor& by, const std::string& channel, KdfCost cost,
                           const std::string& which) {
  struct Found {
    std::optional<std::string> old;
    std::set<std::string> taken;
    std::string label;
    bool created = false;
  };
  Found found = intake.Read([&](const ElectionState& s) {
    Found f;
    f.created = s.created();
    if (!which.empty()) {
      f.old = which;
    } else if (const CredentialRecord* c = s.credential_of(role, subject)) {
      f.old = c->id;
    }
    for (const auto& [id, c] : s.credentials()) f.taken.insert(id);
    f.label = subject;
    if (role == role::kChair) {
      int64_t id = 0;
      try {
        id = std::stoll(subject);
      } catch (...) {
        id = 0;
      }
      if (id >= 1 && id <= static_cast<int64_t>(s.precincts().size())) {
        const PrecinctApportionment& ap = s.precincts()[static_cast<size_t>(id - 1)];
        f.label = ap.county + " / " + ap.precinct;
      }
    }
    return f;
  });
  if (!found.created) return Status::FailedPrecondition("this store holds no election");
  AccessCode code = NewAccessCode([&](const std::string& id) { return found.taken.count(id) > 0; });
  auto hash = HashSecret(code.secret, cost);
  if (!hash.ok()) return hash.status();
  std::vector<Submission> subs;
  if (found.old) {
    subs.push_back(Submission{std::string(event_type::kCredentialRevoked),
                              by,
                              channel,
                              {{"credential", *found.old}, {"reason", "reissued"}}});
  }
  json issued = {{"credential", code.id}, {"role", role}, {"subject", subject}, {"hash", *hash}};
  if (found.old) issued["replaces"] = *found.old;
  subs.push_back(Submission{std::string(event_type::kCredentialIssued), by, channel, issued});
  std::vector<Outcome> outcomes = intake.SubmitAllAndWait(std::move(subs));
  for (const Outcome& o : outcomes) {
    if (o.kind != Outcome::Kind::kAccepted) {
      return Status::InvalidArgument(OutcomeMessage(o));
    }
  }
  return IssuedCode{role, subject, found.label, code.id, code.Printable()};
}

}  // namespace

}  // namespace canvass
