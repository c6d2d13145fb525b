// `canvass early-votes load`: an election's early-vote cards onto its ledger, before the night.
#include <fmt/format.h>

#include <ostream>
#include <utility>

#include "cli/commands.h"
#include "cli/early_votes.h"
#include "intake/setup.h"
#include "io/early_cards.h"
#include "io/importers.h"
#include "ledger/event_types.h"
#include "state/early_votes.h"

namespace canvass {

Result<std::map<int64_t, std::vector<EarlyVoteCardRecord>>> ReadEarlyVotesFile(
    const std::string& path, const std::vector<PrecinctApportionment>& precincts) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto rows = ParseEarlyCardsCsv(*text, path);
  if (!rows.ok()) return rows.status();
  std::map<std::pair<std::string, std::string>, int64_t> ids;
  for (size_t i = 0; i < precincts.size(); ++i) {
    ids.emplace(std::make_pair(precincts[i].county, precincts[i].precinct),
                static_cast<int64_t>(i + 1));
  }
  std::map<int64_t, std::vector<EarlyVoteCardRecord>> out;
  for (EarlyCardRow& row : *rows) {
    auto it = ids.find({row.county, row.precinct});
    if (it == ids.end()) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: {} / {} is not a reporting unit of this election (card \"{}\")", path,
                      row.line, row.county, row.precinct, row.id));
    }
    out[it->second].push_back({std::move(row.id), std::move(row.choices), ""});
  }
  return out;
}

int LoadEarlyVotes(Intake& intake, const std::map<int64_t, std::vector<EarlyVoteCardRecord>>& cards,
                   std::ostream& out, std::ostream& err) {
  struct Plan {
    int64_t id = 0;
    std::string label;
    EarlyVoteSet set;
    bool unchanged = false;
  };
  std::vector<Plan> plans;
  Status judged = intake.Read([&](const ElectionState& s) -> Status {
    if (!s.created()) return Status::FailedPrecondition("this store holds no election");
    if (!s.ruleset().precinct.early_vote.enabled) {
      return Status::FailedPrecondition(fmt::format(
          "no-early-vote: the ruleset {} has no early vote: its precincts take no cards",
          s.ruleset().name));
    }
    for (const auto& [id, list] : cards) {
      auto set = JudgeEarlyVotes(s.ruleset().precinct.early_vote, s.candidates(), list);
      const PrecinctApportionment& ap = s.precincts()[static_cast<size_t>(id - 1)];
      const std::string label = ap.county + " / " + ap.precinct;
      if (!set.ok()) return Status::InvalidArgument(label + ": " + set.status().message());
      const PrecinctRecord* now = s.precinct(id);
      const bool unchanged = now->early_votes != nullptr && now->early_votes->hash == set->hash;
      plans.push_back({id, label, std::move(set).value(), unchanged});
    }
    return Status::Ok();
  });
  if (!judged.ok()) {
    err << "canvass: " << judged.message() << "\n";
    return judged.code() == Status::Code::kFailedPrecondition ? kExitFailure : kExitUsage;
  }
  std::vector<Submission> submissions;
  for (const Plan& p : plans) {
    if (p.unchanged) continue;
    submissions.push_back(Submission{std::string(event_type::kEarlyVotesLoaded),
                                     Actor{std::string(role::kAdmin), "cli"}, "cli",
                                     EarlyVotesPayload(p.id, p.set)});
  }
  std::vector<Outcome> outcomes = submissions.empty()
                                      ? std::vector<Outcome>{}
                                      : intake.SubmitAllAndWait(std::move(submissions));
  size_t next = 0;
  int loaded = 0, unchanged = 0, refused = 0;
  size_t total = 0, total_void = 0;
  for (const Plan& p : plans) {
    std::string verdict;
    if (p.unchanged) {
      verdict = "unchanged";
      ++unchanged;
    } else {
      const Outcome& o = outcomes[next++];
      if (o.kind == Outcome::Kind::kAccepted) {
        verdict = fmt::format("loaded (event {})", o.seq);
        ++loaded;
      } else {
        verdict = fmt::format("refused: {}{}", o.rejection ? o.rejection->code + ": " : "",
                              OutcomeMessage(o));
        ++refused;
      }
    }
    total += p.set.cards.size();
    total_void += p.set.void_count();
    out << fmt::format("{}: {} cards, {} void, sha256 {}: {}\n", p.label, p.set.cards.size(),
                       p.set.void_count(), p.set.hash, verdict);
  }
  out << fmt::format(
      "Early-vote cards: {} in {} precincts ({} void); {} loaded, {} unchanged, {} refused.\n",
      total, plans.size(), total_void, loaded, unchanged, refused);
  return refused == 0 ? kExitOk : kExitFailure;
}

int RunEarlyVotesLoad(const EarlyVotesLoadOptions& o, std::ostream& out, std::ostream& err) {
  Intake::Options options;
  options.create_store = false;
  auto intake = Intake::Open(o.store, options);
  if (!intake.ok()) {
    err << "canvass: " << intake.status().message() << "\n";
    return kExitFailure;
  }
  auto precincts = (*intake)->Read(
      [](const ElectionState& s) { return std::make_pair(s.created(), s.precincts()); });
  if (!precincts.first) {
    err << "canvass: this store holds no election: run `canvass init` first\n";
    return kExitFailure;
  }
  auto cards = ReadEarlyVotesFile(o.file, precincts.second);
  if (!cards.ok()) {
    err << "canvass: " << cards.status().message() << "\n";
    return kExitUsage;
  }
  return LoadEarlyVotes(**intake, *cards, out, err);
}

}  // namespace canvass
