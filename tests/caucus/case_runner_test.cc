// Runs every case in tests/cases/*.case (format: tests/cases/README.md). Each case is its own
// test, named after the case; a new case needs no C++.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "caucus/allocation.h"
#include "caucus/findings.h"
#include "core/text.h"
#include "rules/ruleset.h"

namespace canvass {
namespace {

struct Line {
  int number = 0;
  std::vector<std::string> words;
};

struct Case {
  std::string file;
  int line = 0;
  std::string name;
  std::string error;  // a malformed case: the test fails with this
  std::vector<Line> lines;
};

std::vector<std::string> Words(const std::string& text) {
  std::string s = text.substr(0, text.find('#'));
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(CANVASS_TEST_CASES_DIR)) {
    if (entry.path().extension() == ".case") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string text;
    int number = 0;
    Case* open = nullptr;
    while (std::getline(in, text)) {
      ++number;
      std::vector<std::string> w = Words(text);
      if (w.empty()) continue;
      if (w[0] == "case") {
        cases.push_back({});
        open = &cases.back();
        open->file = path.filename().string();
        open->line = number;
        open->name = w.size() == 2 ? w[1] : "";
        if (w.size() != 2) open->error = "write: case NAME";
        continue;
      }
      if (open == nullptr) {
        cases.push_back(
            {path.filename().string(), number, "outside_a_case", "a line outside any case", {}});
        continue;
      }
      if (w[0] == "end") {
        open = nullptr;
        continue;
      }
      open->lines.push_back({number, std::move(w)});
    }
    if (open != nullptr) open->error = "no \"end\" line";
  }
  return cases;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.file << ":" << c.line << " " << c.name; }

// The case, parsed into engine inputs.
struct Parsed {
  Ruleset ruleset;
  std::vector<std::string> candidates;
  PrecinctInput input;
  bool has_first = false;
  bool has_report = false;
  PrecinctReport report;
  PrecinctApportionment apportionment;
  bool apportioned = true;
  std::vector<Line> expects;
};

Result<Count> ParseCount(const std::string& s) {
  auto r = Rational::Parse(s);
  if (!r.ok() || !r->is_integer())
    return Status::InvalidArgument("\"" + s + "\" is not a whole number");
  return r->num();
}

Result<CandidateIndex> IndexOf(const std::vector<std::string>& names, const std::string& name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<CandidateIndex>(i);
  }
  return Status::InvalidArgument("unknown candidate \"" + name + "\"");
}

Status SetRule(PrecinctRules& p, const std::string& key, const std::string& value) {
  auto flag = [&](bool& field) -> Status {
    if (value != "true" && value != "false")
      return Status::InvalidArgument(key + ": true or false");
    field = value == "true";
    return Status::Ok();
  };
  if (key == "viability") {
    if (value == "at-least")
      p.viability_comparison = ViabilityComparison::kAtLeast;
    else if (value == "greater-than")
      p.viability_comparison = ViabilityComparison::kGreaterThan;
    else
      return Status::InvalidArgument("viability: at-least or greater-than");
  } else if (key == "tie-precision") {
    if (value == "exact")
      p.tie_precision = TiePrecision::kExact;
    else if (value == "round4")
      p.tie_precision = TiePrecision::kRound4;
    else if (value == "trunc4")
      p.tie_precision = TiePrecision::kTrunc4;
    else
      return Status::InvalidArgument("tie-precision: exact, round4 or trunc4");
  } else if (key == "over-allocation") {
    if (value == "smallest-realign")
      p.over_allocation = OverAllocation::kSmallestRealign;
    else if (value == "add-delegates")
      p.over_allocation = OverAllocation::kAddDelegates;
    else
      return Status::InvalidArgument("over-allocation: smallest-realign or add-delegates");
  } else if (key == "single-delegate") {
    if (value == "threshold")
      p.single_delegate = SingleDelegateRule::kThreshold;
    else if (value == "plurality")
      p.single_delegate = SingleDelegateRule::kPlurality;
    else
      return Status::InvalidArgument("single-delegate: threshold or plurality");
  } else if (key == "satellite-sde") {
    if (value == "attendance")
      p.satellite_sde = SatelliteSdeRule::kAttendance;
    else if (value == "county-delegates")
      p.satellite_sde = SatelliteSdeRule::kCountyDelegates;
    else
      return Status::InvalidArgument("satellite-sde: attendance or county-delegates");
  } else if (key == "method") {
    if (value == "caucus")
      p.method = PrecinctMethod::kCaucus;
    else if (value == "straw-poll")
      p.method = PrecinctMethod::kStrawPoll;
    else
      return Status::InvalidArgument("method: caucus or straw-poll");
  } else if (key == "minimum-one") {
    return flag(p.minimum_one_delegate);
  } else if (key == "lock") {
    return flag(p.lock_viable_groups);
  } else if (key == "smallest-realign-releases-lock") {
    return flag(p.smallest_realign_releases_lock);
  } else if (key == "final-recheck") {
    return flag(p.final_viability_recheck);
  } else if (key == "early-vote") {
    return flag(p.early_vote.enabled);
  } else if (key == "distinct-choices") {
    return flag(p.early_vote.distinct_choices);
  } else {
    return Status::InvalidArgument("unknown rule \"" + key + "\"");
  }
  return Status::Ok();
}

Result<Parsed> Parse(const Case& c) {
  Parsed p;
  bool have_ruleset = false;
  auto at = [&](const Line& l, const std::string& why) {
    return Status::InvalidArgument(c.file + ":" + std::to_string(l.number) + ": " + why);
  };
  auto per_candidate = [&](const Line& l, size_t from) -> Result<std::vector<std::string>> {
    if (l.words.size() - from != p.candidates.size()) {
      return at(l, "give one value per candidate (" + std::to_string(p.candidates.size()) + ")");
    }
    return std::vector<std::string>(l.words.begin() + static_cast<std::ptrdiff_t>(from),
                                    l.words.end());
  };
  for (const Line& l : c.lines) {
    const auto& w = l.words;
    const std::string& key = w[0];
    if (key == "expect") {
      if (w.size() < 2) return at(l, "expect what?");
      p.expects.push_back(l);
    } else if (key == "ruleset" && w.size() == 2) {
      auto r = LoadRuleset(w[1]);
      if (!r.ok()) return at(l, r.status().message());
      p.ruleset = std::move(r).value();
      have_ruleset = true;
    } else if (key == "rule" && w.size() == 3) {
      if (!have_ruleset) return at(l, "a rule line comes after the ruleset line");
      Status st = SetRule(p.ruleset.precinct, w[1], w[2]);
      if (!st.ok()) return at(l, st.message());
    } else if (key == "candidates" && w.size() >= 2) {
      p.candidates.assign(w.begin() + 1, w.end());
      p.input.first.assign(p.candidates.size(), 0);
      p.report.figures.assign(p.candidates.size(), {});
      p.input.names = p.candidates;
    } else if (key == "delegates" && w.size() == 2) {
      auto d = ParseCount(w[1]);
      if (!d.ok()) return at(l, d.status().message());
      p.input.delegates = *d;
      p.apportionment.delegates = *d;
    } else if (key == "satellite" && w.size() == 1) {
      p.input.satellite = true;
      p.apportionment.satellite = true;
      p.report.satellite = true;
    } else if (key == "ratio" && w.size() == 2) {
      auto r = Rational::Parse(w[1]);
      if (!r.ok()) return at(l, r.status().message());
      p.apportionment.sde_per_delegate = *r;
    } else if (key == "site-sde" && w.size() == 2) {
      auto r = Rational::Parse(w[1]);
      if (!r.ok()) return at(l, r.status().message());
      p.apportionment.site_sde = *r;
    } else if (key == "unapportioned" && w.size() == 1) {
      p.apportioned = false;
    } else if ((key == "first" || key == "final") && !p.candidates.empty()) {
      auto values = per_candidate(l, 1);
      if (!values.ok()) return values.status();
      std::vector<Count>& into = key == "first" ? p.input.first : p.input.final;
      into.assign(p.candidates.size(), 0);
      for (size_t i = 0; i < values->size(); ++i) {
        auto v = ParseCount((*values)[i]);
        if (!v.ok()) return at(l, v.status().message());
        into[i] = *v;
      }
      p.has_first = p.has_first || key == "first";
    } else if (key == "card") {
      EarlyVoteCard card;
      for (size_t i = 1; i < w.size(); ++i) {
        auto idx = IndexOf(p.candidates, w[i]);
        if (!idx.ok()) return at(l, idx.status().message());
        card.choices.push_back(*idx);
      }
      p.input.early_votes.push_back(std::move(card));
    } else if (key == "tie") {
      TieOutcome outcome;
      bool favoured = false;
      for (size_t i = 1; i < w.size(); ++i) {
        if (w[i] == "->") {
          favoured = true;
          continue;
        }
        auto idx = IndexOf(p.candidates, w[i]);
        if (!idx.ok()) return at(l, idx.status().message());
        (favoured ? outcome.favoured : outcome.tied).push_back(*idx);
      }
      if (!favoured) return at(l, "write: tie A B -> A");
      outcome.detail = "recorded in the case";
      p.input.tie_outcomes.push_back(std::move(outcome));
    } else if (key == "report" && w.size() >= 2 && !p.candidates.empty()) {
      auto values = per_candidate(l, 2);
      if (!values.ok()) return values.status();
      p.has_report = true;
      for (size_t i = 0; i < values->size(); ++i) {
        const std::string& v = (*values)[i];
        CandidateReport& f = p.report.figures[i];
        if (v == "-") continue;
        if (w[1] == "sde") {
          auto r = Rational::Parse(v);
          if (!r.ok()) return at(l, r.status().message());
          f.sde = *r;
          continue;
        }
        auto n = ParseCount(v);
        if (!n.ok()) return at(l, n.status().message());
        if (w[1] == "first")
          f.first = *n;
        else if (w[1] == "final")
          f.final = *n;
        else if (w[1] == "delegates")
          f.delegates = *n;
        else
          return at(l, "report first|final|delegates|sde");
      }
    } else {
      return at(l, "cannot read \"" + key + "\" here (see tests/cases/README.md)");
    }
  }
  if (!have_ruleset)
    return Status::InvalidArgument(c.file + ": case " + c.name + ": no ruleset line");
  if (p.candidates.empty())
    return Status::InvalidArgument(c.file + ": case " + c.name + ": no candidates line");
  p.report.county = "Case";
  p.report.precinct = c.name;
  p.apportionment.county = "Case";
  p.apportionment.precinct = c.name;
  return p;
}

std::string TestName(const std::string& name) {
  std::string out;
  for (char ch : name) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out.empty() ? "unnamed" : out;
}

class CaseTest : public ::testing::TestWithParam<Case> {};

std::string Describe(const Allocation& a, const std::vector<std::string>& names) {
  std::string s = "delegates:";
  for (size_t i = 0; i < a.delegates.size(); ++i)
    s += " " + names[i] + "=" + std::to_string(a.delegates[i]);
  s += " total=" + std::to_string(a.total_delegates);
  if (a.pending_tie) s += " (pending tie)";
  if (!a.must_realign.empty()) s += " (must realign)";
  for (const auto& n : a.notes) s += "\n  " + n;
  for (const auto& line : a.lines) {
    s += "\n  " + names[line.candidate] + ":";
    for (const auto& n : line.notes) s += " [" + n + "]";
  }
  return s;
}

TEST_P(CaseTest, Holds) {
  const Case& c = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": case " + c.name);
  ASSERT_TRUE(c.error.empty()) << c.error;
  auto parsed = Parse(c);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  Parsed& p = *parsed;
  ASSERT_FALSE(p.expects.empty()) << "a case must expect something";

  std::optional<Allocation> allocation;
  std::string refusal;
  std::optional<PrecinctCheck> check;
  if (p.has_report) {
    check = CheckPrecinct(p.ruleset, p.candidates, p.report,
                          p.apportioned ? &p.apportionment : nullptr, true);
    allocation = check->computed;
  } else {
    auto r = AllocatePrecinct(p.ruleset.precinct, p.input, p.candidates.size());
    if (r.ok())
      allocation = *r;
    else
      refusal = r.status().message();
  }
  std::string findings;
  if (check) {
    for (const Finding& f : check->findings) {
      findings += std::string("\n  ") + SeverityName(f.severity) + " " + f.code + ": " + f.message;
    }
  }
  const std::string context =
      (allocation ? Describe(*allocation, p.candidates) : "no allocation: " + refusal) +
      (check ? "\nfindings:" + findings : "");

  auto has_finding = [&](const std::string& code) {
    return check && std::any_of(check->findings.begin(), check->findings.end(),
                                [&](const Finding& f) { return f.code == code; });
  };
  for (const Line& l : p.expects) {
    const auto& w = l.words;
    SCOPED_TRACE(c.file + ":" + std::to_string(l.number));
    const std::string& what = w[1];
    if (what == "error") {
      std::string want;
      for (size_t i = 2; i < w.size(); ++i) want += (i > 2 ? " " : "") + w[i];
      EXPECT_FALSE(allocation.has_value()) << context;
      EXPECT_NE(refusal.find(want), std::string::npos) << "refusal: " << refusal;
      continue;
    }
    if (what == "finding" || what == "no-finding") {
      ASSERT_TRUE(check.has_value()) << "finding expectations need report lines";
      ASSERT_EQ(w.size(), 3u);
      EXPECT_EQ(has_finding(w[2]), what == "finding") << w[2] << "\n" << context;
      continue;
    }
    if (what == "no-errors") {
      ASSERT_TRUE(check.has_value()) << "finding expectations need report lines";
      EXPECT_FALSE(check->has_error()) << context;
      continue;
    }
    if (what == "no-computed") {
      EXPECT_FALSE(allocation.has_value()) << context;
      continue;
    }
    ASSERT_TRUE(allocation.has_value()) << context;
    const Allocation& a = *allocation;
    if (what == "delegates") {
      ASSERT_EQ(w.size(), p.candidates.size() + 2) << "one value per candidate";
      EXPECT_TRUE(a.complete()) << context;
      for (size_t i = 0; i < p.candidates.size(); ++i) {
        EXPECT_EQ(a.delegates[i], ParseCount(w[i + 2]).value()) << p.candidates[i] << "\n"
                                                                << context;
      }
    } else if (what == "total") {
      EXPECT_EQ(a.total_delegates, ParseCount(w.at(2)).value()) << context;
    } else if (what == "apportioned") {
      EXPECT_EQ(a.apportioned_delegates, ParseCount(w.at(2)).value()) << context;
    } else if (what == "attendance") {
      EXPECT_EQ(a.attendance, ParseCount(w.at(2)).value()) << context;
    } else if (what == "threshold-head-count") {
      EXPECT_EQ(a.threshold_head_count, ParseCount(w.at(2)).value()) << context;
    } else if (what == "complete") {
      EXPECT_TRUE(a.complete()) << context;
    } else if (what == "resolved-ties") {
      EXPECT_EQ(static_cast<Count>(a.resolved_ties.size()), ParseCount(w.at(2)).value()) << context;
    } else if (what == "pending-tie") {
      // expect pending-tie gain|loss AT_STAKE NAME...
      ASSERT_GE(w.size(), 5u) << "write: expect pending-tie loss 1 A B";
      ASSERT_TRUE(a.pending_tie.has_value()) << context;
      EXPECT_EQ(a.pending_tie->kind == TieEvent::Kind::kGain ? "gain" : "loss", w[2]) << context;
      EXPECT_EQ(a.pending_tie->delegates_at_stake, ParseCount(w[3]).value()) << context;
      std::vector<CandidateIndex> groups;
      for (size_t i = 4; i < w.size(); ++i) groups.push_back(IndexOf(p.candidates, w[i]).value());
      std::sort(groups.begin(), groups.end());
      EXPECT_EQ(a.pending_tie->groups, groups) << context;
    } else if (what == "tie-decimal") {
      ASSERT_TRUE(a.pending_tie.has_value()) << context;
      EXPECT_EQ(a.pending_tie->decimal, Rational::Parse(w.at(2)).value()) << context;
    } else if (what == "realign") {
      std::vector<CandidateIndex> groups;
      for (size_t i = 2; i < w.size(); ++i) groups.push_back(IndexOf(p.candidates, w[i]).value());
      std::sort(groups.begin(), groups.end());
      EXPECT_EQ(a.must_realign, groups) << context;
      EXPECT_FALSE(a.complete());
    } else if (what == "viable") {
      // expect viable NAME... : exactly these groups are viable at the final alignment
      std::vector<std::string> want(w.begin() + 2, w.end());
      std::vector<std::string> got;
      for (const auto& line : a.lines) {
        if (line.viable_final) got.push_back(p.candidates[line.candidate]);
      }
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want) << context;
    } else if (what == "final") {
      ASSERT_EQ(w.size(), p.candidates.size() + 2) << "one value per candidate";
      for (size_t i = 0; i < p.candidates.size(); ++i) {
        Count final = 0;
        for (const auto& line : a.lines) {
          if (line.candidate == i) final = line.final;
        }
        EXPECT_EQ(final, ParseCount(w[i + 2]).value()) << p.candidates[i] << "\n" << context;
      }
    } else if (what == "sde") {
      ASSERT_EQ(w.size(), p.candidates.size() + 2) << "one value per candidate";
      std::vector<Rational> sde = ComputeSde(p.ruleset.precinct, a, p.apportionment);
      ASSERT_EQ(sde.size(), p.candidates.size()) << context;
      for (size_t i = 0; i < p.candidates.size(); ++i) {
        EXPECT_EQ(sde[i], Rational::Parse(w[i + 2]).value()) << p.candidates[i] << "\n" << context;
      }
    } else if (what == "note") {
      std::string want;
      for (size_t i = 2; i < w.size(); ++i) want += (i > 2 ? " " : "") + w[i];
      bool found = false;
      for (const auto& n : a.notes) found = found || n.find(want) != std::string::npos;
      for (const auto& line : a.lines) {
        for (const auto& n : line.notes) found = found || n.find(want) != std::string::npos;
      }
      EXPECT_TRUE(found) << "no note contains \"" << want << "\"\n" << context;
    } else {
      ADD_FAILURE() << "unknown expectation \"" << what << "\"";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, CaseTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return TestName(info.param.name);
                         });

}  // namespace
}  // namespace canvass
