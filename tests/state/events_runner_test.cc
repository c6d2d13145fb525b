// Runs every case in tests/cases/*.events (format: tests/cases/README.md): the rules of who may
// append what, and when, as data. Each submission is encoded as a ledger event (its canonical
// line) and offered to ElectionState::Apply, the one place where an event's meaning is checked;
// the case says whether it is accepted or refused, and with which code. Each case is its own test,
// named after the case; a new case needs no C++. At the end of a case, the events it accepted are
// replayed from their JSON Lines through the chain verifier into a fresh state, as `canvass ledger
// verify` does, and must verify to the same head.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/json_text.h"
#include "ledger/chain.h"
#include "ledger/event.h"
#include "ledger/event_types.h"
#include "rules/ruleset.h"
#include "state/election_state.h"
#include "state/replay.h"

namespace canvass {
namespace {

using nlohmann::json;

struct Line {
  int number = 0;
  std::string text;  // without its comment
  std::vector<std::string> words;
};

struct Case {
  std::string file;
  int line = 0;
  std::string name;
  std::string error;          // a malformed case: the test fails with this
  std::vector<Line> prelude;  // the file's lines before its first case
  std::vector<Line> lines;
};

// Comments start at '#' outside a JSON payload: a payload is the rest of a submit line.
std::string StripComment(const std::string& text) {
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '#') {
      return text.substr(0, i);
    }
  }
  return text;
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(CANVASS_TEST_CASES_DIR)) {
    if (entry.path().extension() == ".events") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string raw;
    int number = 0;
    std::vector<Line> prelude;
    bool seen_case = false;
    Case* open = nullptr;
    while (std::getline(in, raw)) {
      ++number;
      Line line{number, StripComment(raw), {}};
      line.words = Words(line.text);
      if (line.words.empty()) continue;
      const std::string& w = line.words[0];
      if (w == "case") {
        if (open != nullptr) open->error = "a case inside a case: \"end\" is missing";
        seen_case = true;
        cases.push_back({});
        open = &cases.back();
        open->file = path.filename().string();
        open->line = number;
        open->name = line.words.size() == 2 ? line.words[1] : "";
        open->prelude = prelude;
        if (line.words.size() != 2) open->error = "write: case NAME";
        continue;
      }
      if (open == nullptr) {
        if (!seen_case) {
          prelude.push_back(std::move(line));
        } else {
          cases.push_back({path.filename().string(),
                           number,
                           "outside_a_case",
                           "a line between cases (setup lines go before the first case)",
                           {},
                           {}});
        }
        continue;
      }
      if (w == "end") {
        open = nullptr;
        continue;
      }
      open->lines.push_back(std::move(line));
    }
    if (open != nullptr) open->error = "no \"end\" line";
  }
  return cases;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.file << ":" << c.line << " " << c.name; }

std::string TestName(const std::string& name) {
  std::string out = name;
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

// A credential's stored hash: Apply checks only that it is an Argon2id string (the secret is
// never needed to replay a ledger).
constexpr const char* kArgonHash =
    "$argon2id$v=19$m=19456,t=2,p=1$ZXZlbnRzLWNhc2Vz$0V7kR0m6y4QGZp3n5N4u2wq7u4JkB0c1mX9lT8yQ2aE";

// The state under test and what the case has set up.
class Runner {
 public:
  explicit Runner(const Case& c) : case_(c) {}

  void Run() {
    for (const Line& l : case_.prelude) {
      if (!Do(l, true)) return;
    }
    const std::vector<Line>& lines = case_.lines;
    for (size_t i = 0; i < lines.size(); ++i) {
      const Line& l = lines[i];
      if (l.words[0] == "submit") {
        // The next line says what becomes of it.
        if (i + 1 == lines.size() || lines[i + 1].words[0] != "expect" ||
            lines[i + 1].words.size() < 2 ||
            (lines[i + 1].words[1] != "accepted" && lines[i + 1].words[1] != "refused")) {
          Fail(l, "a submit line is followed by \"expect accepted\" or \"expect refused CODE\"");
          return;
        }
        if (!Submit(l, lines[i + 1])) return;
        ++i;
        continue;
      }
      if (!Do(l, false)) return;
    }
    ReplayAccepted();
  }

 private:
  std::string Where(const Line& l) const {
    return fmt::format("{}:{}: {}", case_.file, l.number, l.text);
  }
  bool Fail(const Line& l, const std::string& why) {
    ADD_FAILURE() << Where(l) << "\n  " << why;
    return false;
  }

  // A setup line or an expectation about the state.
  bool Do(const Line& l, bool in_prelude) {
    const std::vector<std::string>& w = l.words;
    const std::string& what = w[0];
    if (what == "ruleset" && w.size() == 2) {
      auto path = RulesetPath(w[1]);
      if (!path.ok()) return Fail(l, path.status().ToString());
      std::ifstream in(*path);
      std::stringstream text;
      text << in.rdbuf();
      auto ruleset = ParseRuleset(text.str(), *path);
      if (!ruleset.ok()) return Fail(l, ruleset.status().ToString());
      ruleset_ = {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", text.str()}};
      return true;
    }
    if (what == "candidates" && w.size() >= 2) {
      candidates_.assign(w.begin() + 1, w.end());
      return true;
    }
    if (what == "precinct" && w.size() == 4) {
      json row = {{"county", w[1]}, {"precinct", w[2]}, {"satellite", w[3] == "satellite"}};
      if (w[3] != "satellite") {
        try {
          row["delegates"] = std::stoll(w[3]);
        } catch (...) {
          return Fail(l, "write: precinct COUNTY NAME DELEGATES|satellite");
        }
      }
      precincts_.push_back(std::move(row));
      return true;
    }
    if (what == "uncreated" && w.size() == 1) {
      uncreated_ = true;
      return true;
    }
    if (what == "time" && w.size() == 2) {
      time_ = w[1];
      return true;
    }
    if (what == "credential" && (w.size() == 4 || w.size() == 5)) {
      // credential ID ROLE SUBJECT [BY]: issued by the command line (or BY, ROLE:ID), accepted.
      if (!Create(l)) return false;
      json payload = {
          {"credential", w[1]}, {"role", w[2]}, {"subject", w[3]}, {"hash", kArgonHash}};
      auto refusal = Offer(w.size() == 5 ? w[4] : "admin", "credential-issued", payload);
      if (!refusal.has_value() && !error_.empty()) return Fail(l, error_);
      if (refusal.has_value()) {
        return Fail(l, fmt::format("setup refused: {} ({})", refusal->message, refusal->code));
      }
      return true;
    }
    if (in_prelude) return Fail(l, "not a setup line (ruleset, candidates, precinct, ...)");
    if (what == "expect" && w.size() >= 2) return Expect(l);
    return Fail(l, "unknown line");
  }

  // Appends election-created, from the setup lines, unless the case has it already (or says
  // `uncreated`).
  bool Create(const Line& l) {
    if (state_.created() || uncreated_) return true;
    auto refusal = Offer("admin", "election-created", ElectionPayload());
    if (!refusal.has_value() && !error_.empty()) return Fail(l, error_);
    if (refusal.has_value()) {
      return Fail(
          l, fmt::format("election-created refused: {} ({})", refusal->message, refusal->code));
    }
    return true;
  }

  json ElectionPayload() const {
    return {{"name", "events case " + case_.name},
            {"ruleset", ruleset_},
            {"candidates", candidates_},
            {"precincts", precincts_},
            {"county_district", json::object()}};
  }

  // "$hash:N" in a payload's strings is the hash of accepted event N.
  bool Substitute(json& j, std::string& why) const {
    if (j.is_string()) {
      const std::string& s = j.get_ref<const std::string&>();
      if (s.rfind("$hash:", 0) == 0) {
        size_t n = 0;
        try {
          n = static_cast<size_t>(std::stoul(s.substr(6)));
        } catch (...) {
          n = 0;
        }
        if (n < 1 || n > accepted_.size()) {
          why = "no accepted event " + s.substr(6);
          return false;
        }
        j = state_.hash_of(static_cast<int64_t>(n));
      }
    } else if (j.is_structured()) {
      for (auto& v : j) {
        if (!Substitute(v, why)) return false;
      }
    }
    return true;
  }

  // Encodes the event and offers it to Apply. error_ holds a fault of the case itself.
  std::optional<Rejection> Offer(const std::string& actor_word, const std::string& type,
                                 json payload) {
    error_.clear();
    Event e;
    e.seq = state_.seq() + 1;
    e.time = time_;
    const size_t colon = actor_word.find(':');
    if (colon == std::string::npos) {
      if (actor_word != "admin") {
        error_ = "name the actor as ROLE:ID (\"admin\" alone is the command line)";
        return std::nullopt;
      }
      e.actor = Actor{"admin", "cli"};
    } else {
      e.actor = Actor{actor_word.substr(0, colon), actor_word.substr(colon + 1)};
    }
    const std::string& role = e.actor.role;
    e.channel = role == "chair"       ? "web"
                : role == "operator"  ? "hotline"
                : role == "campaign"  ? "campaign"
                : e.actor.id == "cli" ? "cli"
                                      : "admin";
    e.type = type;
    if (payload.is_object() && payload.contains("precinct") && !payload.contains("submission")) {
      payload["submission"] = fmt::format("e{}", e.seq);
    }
    if (!Substitute(payload, error_)) return std::nullopt;
    e.payload = std::move(payload);
    e.prev = state_.seq() == 0 ? std::string(kGenesisPrev) : state_.head_hash();
    auto stored = EncodeEvent(e);
    if (!stored.ok()) {
      error_ = "the event cannot be encoded: " + stored.status().ToString();
      return std::nullopt;
    }
    const int64_t before = state_.seq();
    auto refusal = state_.Apply(e, *stored);
    if (refusal.has_value() && state_.seq() != before) {
      error_ = "a refused event moved the ledger";
      return std::nullopt;
    }
    if (!refusal) accepted_.push_back(std::move(stored).value());
    return refusal;
  }

  bool Submit(const Line& l, const Line& verdict) {
    // submit ACTOR TYPE {json}
    const std::vector<std::string>& w = l.words;
    if (w.size() < 3) return Fail(l, "write: submit ROLE:ID TYPE {json}");
    const std::string& type = w[2];
    json payload = json::object();
    const size_t brace = l.text.find('{');
    if (brace != std::string::npos) {
      auto parsed = ParseJsonText(std::string_view(l.text).substr(brace));
      if (auto* bad = std::get_if<JsonTextError>(&parsed)) {
        return Fail(l, "the payload: " + bad->message);
      }
      payload = std::get<json>(parsed);
    } else if (w.size() != 3) {
      return Fail(l, "the payload is a JSON object: {...}");
    }
    if (type == "election-created") {
      // Its payload is the setup's, with the members the line gives replaced (null removes one).
      json full = ElectionPayload();
      full.merge_patch(payload);
      payload = std::move(full);
    } else if (!Create(l)) {
      return false;
    }
    auto refusal = Offer(w[1], type, std::move(payload));
    if (!error_.empty()) return Fail(l, error_);
    const std::vector<std::string>& v = verdict.words;
    if (v[1] == "accepted") {
      if (v.size() != 2) return Fail(verdict, "write: expect accepted");
      if (refusal.has_value()) {
        return Fail(verdict, fmt::format("refused: {} ({}, field \"{}\")", refusal->message,
                                         refusal->code, refusal->field));
      }
      return true;
    }
    // expect refused CODE [STATUS]
    if (v.size() != 3 && v.size() != 4) return Fail(verdict, "write: expect refused CODE [STATUS]");
    if (!refusal.has_value()) return Fail(verdict, "accepted");
    if (refusal->code != v[2]) {
      return Fail(verdict, fmt::format("refused {} instead: {}", refusal->code, refusal->message));
    }
    if (refusal->message.empty()) return Fail(verdict, "refused without a message");
    if (v.size() == 4) {
      static const std::map<Rejection::Kind, std::string> kStatus = {
          {Rejection::Kind::kInvalid, "422"},
          {Rejection::Kind::kConflict, "409"},
          {Rejection::Kind::kNotFound, "404"},
          {Rejection::Kind::kForbidden, "403"}};
      if (kStatus.at(refusal->kind) != v[3]) {
        return Fail(verdict, "its status is " + kStatus.at(refusal->kind));
      }
    }
    return true;
  }

  // expect status|ties|revision|disputed|confirmed|events ...
  bool Expect(const Line& l) {
    const std::vector<std::string>& w = l.words;
    const std::string& what = w[1];
    if (what == "events" && w.size() == 3) {
      const std::string got = std::to_string(state_.seq());
      return got == w[2] || Fail(l, "the ledger holds " + got + " events");
    }
    if (w.size() != 4) return Fail(l, "write: expect " + what + " PRECINCT VALUE");
    int64_t id = 0;
    try {
      id = std::stoll(w[2]);
    } catch (...) {
      id = 0;
    }
    const PrecinctRecord* r = state_.precinct(id);
    if (r == nullptr) return Fail(l, "no precinct " + w[2]);
    std::string got;
    if (what == "status") {
      got = state_.StatusOf(id);
    } else if (what == "ties") {
      got = std::to_string(r->ties.size());
    } else if (what == "revision") {
      got = std::to_string(r->revision);
    } else if (what == "disputed") {
      got = state_.Disputed(id) ? "true" : "false";
    } else if (what == "practice") {
      got = std::to_string(r->practice_reports);
    } else if (what == "first") {
      got = r->first ? state_.FiguresJson(*r->first).dump() : "none";
    } else if (what == "final") {
      got = r->final ? state_.FiguresJson(*r->final).dump() : "none";
    } else if (what == "delegates") {
      got = r->delegates ? state_.FiguresJson(*r->delegates).dump() : "none";
    } else {
      return Fail(l, "unknown expectation \"" + what + "\"");
    }
    return got == w[3] || Fail(l, fmt::format("{} of precinct {} is {}", what, id, got));
  }

  // What was accepted replays, from its export, as `canvass ledger verify --file` replays it.
  void ReplayAccepted() {
    std::string text;
    for (const StoredEvent& s : accepted_) text += s.line + "\n";
    // CANVASS_EVENTS_LEDGER_DIR=DIR writes each case's accepted events to DIR/NAME.jsonl: how
    // docs/example-ledger.jsonl was made from tests/cases/example.events.
    if (const char* dir = std::getenv("CANVASS_EVENTS_LEDGER_DIR"); dir != nullptr && *dir) {
      std::ofstream(std::filesystem::path(dir) / (case_.name + ".jsonl"), std::ios::binary) << text;
    }
    ElectionState again;
    ChainReport report = ReplayJsonLines(text, case_.name + ".jsonl", again);
    ASSERT_TRUE(report.ok()) << case_.file << ":" << case_.line << " " << case_.name
                             << ": the accepted events do not replay: " << report.problem->kind
                             << ": " << report.problem->message;
    EXPECT_EQ(report.head.seq, state_.seq());
    EXPECT_EQ(report.head.hash, state_.head_hash());
  }

  const Case& case_;
  ElectionState state_;
  std::vector<StoredEvent> accepted_;  // the lines state_ accepted (it keeps their hashes only)
  json ruleset_ = json::object();
  std::vector<std::string> candidates_;
  json precincts_ = json::array();
  bool uncreated_ = false;
  std::string time_ = "2020-02-03T19:00:00.000Z";
  std::string error_;
};

class EventsTest : public ::testing::TestWithParam<Case> {};

TEST_P(EventsTest, Holds) {
  const Case& c = GetParam();
  ASSERT_TRUE(c.error.empty()) << c.file << ":" << c.line << ": " << c.error;
  Runner(c).Run();
}

INSTANTIATE_TEST_SUITE_P(Events, EventsTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return TestName(info.param.name);
                         });

// docs/example-ledger.jsonl, the example of docs/ledger-format.md, replays as `canvass ledger
// verify --file` replays it, to the figures and statuses the document describes.
TEST(ExampleLedgerTest, ReplaysToWhatTheDocumentSays) {
  const std::string path = std::string(CANVASS_DATA_DIR) + "/../docs/example-ledger.jsonl";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  ElectionState state;
  std::set<std::string> types;
  ReplayOptions replay;
  replay.on_event = [&](const Event& e, const StoredEvent&) -> Status {
    types.insert(e.type);
    return Status::Ok();
  };
  ChainReport report = ReplayJsonLines(text.str(), "example-ledger.jsonl", state, replay);
  ASSERT_TRUE(report.ok()) << report.problem->kind << ": " << report.problem->message;
  EXPECT_EQ(report.events, 20);
  EXPECT_EQ(state.name(), "events case example-ledger");
  EXPECT_EQ(state.ruleset().name, "iowa-dem-2020");
  EXPECT_EQ(state.candidates(),
            (std::vector<std::string>{"Biden", "Buttigieg", "Sanders", "Warren"}));
  EXPECT_EQ(state.credentials().size(), 6u);
  EXPECT_EQ(state.publication_policy().mode, "interval");
  EXPECT_EQ(state.publication_policy().seconds, 60);
  // Precinct 1: the chair's report, a coin toss, a photo, confirmed.
  const PrecinctRecord& one = *state.precinct(1);
  EXPECT_EQ(state.StatusOf(1), "confirmed");
  EXPECT_EQ(one.practice_reports, 1);
  ASSERT_EQ(one.ties.size(), 1u);
  EXPECT_EQ(one.ties[0].detail, "Sanders called heads; heads");
  EXPECT_EQ(one.photos.size(), 1u);
  ASSERT_TRUE(one.delegates.has_value());
  EXPECT_EQ(state.FiguresJson(*one.delegates), (json{{"Buttigieg", 1}, {"Sanders", 2}}));
  ASSERT_TRUE(one.check->computed.has_value());
  EXPECT_EQ(state.FiguresJson(one.check->computed->delegates), state.FiguresJson(*one.delegates));
  // Precinct 2: phoned in, disputed, corrected, then confirmed by the campaign.
  const PrecinctRecord& two = *state.precinct(2);
  EXPECT_EQ(state.StatusOf(2), "first-reported");
  EXPECT_EQ(two.revision, 2);
  EXPECT_EQ(state.FiguresJson(*two.first), (json{{"Biden", 6}, {"Sanders", 14}, {"Warren", 20}}));
  EXPECT_FALSE(state.Disputed(2));
  EXPECT_EQ(two.attestations.size(), 2u);
  EXPECT_TRUE(two.hotline.empty());
  EXPECT_EQ(types, (std::set<std::string>{
                       "election-created", "credential-issued", "publication-policy-set",
                       "practice-report", "first-alignment-reported", "hotline-entry",
                       "final-alignment-reported", "tie-outcome-recorded", "photo-attached",
                       "report-confirmed", "campaign-attestation", "report-corrected"}));
}

// The ledger's types are spelled once (ledger/event_types.h): the document's table names exactly
// those, and the state machine reads every one of them (an empty payload is refused for what it
// lacks, never as an unknown type; a made-up type is).
TEST(EventTypesTest, TheDocumentAndTheStateMachineKnowEveryTypeTheHeaderNames) {
  const std::string doc = std::string(CANVASS_DATA_DIR) + "/../docs/ledger-format.md";
  std::ifstream in(doc, std::ios::binary);
  ASSERT_TRUE(in) << doc;
  std::set<std::string> documented;
  bool in_table = false;
  for (std::string line; std::getline(in, line);) {
    // The table of "## Event types", before its subsections (whose payload table names the
    // types again).
    if (line.starts_with("## ") || line.starts_with("### ")) in_table = line == "## Event types";
    if (in_table && line.starts_with("| `")) {
      const size_t end = line.find('`', 3);
      ASSERT_NE(end, std::string::npos) << line;
      EXPECT_TRUE(documented.insert(line.substr(3, end - 3)).second) << line;
    }
  }
  std::set<std::string> named;
  for (std::string_view t : event_type::kAll) {
    EXPECT_TRUE(named.insert(std::string(t)).second) << t << " is named twice";
  }
  EXPECT_EQ(documented, named);

  const std::string path = std::string(CANVASS_DATA_DIR) + "/../docs/example-ledger.jsonl";
  std::ifstream ledger(path, std::ios::binary);
  ASSERT_TRUE(ledger) << path;
  std::stringstream text;
  text << ledger.rdbuf();
  auto offer = [&](std::string_view type) -> std::string {
    ElectionState state;
    ChainReport report = ReplayJsonLines(text.str(), "example-ledger.jsonl", state, {});
    EXPECT_TRUE(report.ok());
    Event e;
    e.seq = state.seq() + 1;
    e.time = "2020-02-04T03:00:00.000Z";
    e.actor = Actor{"admin", "cli"};
    e.channel = "cli";
    e.type = std::string(type);
    e.prev = state.head_hash();
    auto stored = EncodeEvent(e);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (!stored.ok()) return "";
    auto refusal = state.Apply(e, *stored);
    return refusal ? refusal->code : "accepted";
  };
  for (std::string_view t : event_type::kAll) {
    EXPECT_NE(offer(t), "unknown-event") << t;
  }
  EXPECT_EQ(offer("results-decertified"), "unknown-event");
}

// The cases are there: an empty directory would make every rule untested without a failure.
TEST(EventsFilesTest, EveryFileHoldsCases) {
  std::map<std::string, int> per_file;
  for (const Case& c : LoadCases()) per_file[c.file] += 1;
  EXPECT_GE(per_file.size(), 5u);
  std::set<std::string> names;
  for (const Case& c : LoadCases()) {
    EXPECT_TRUE(names.insert(c.name).second)
        << c.file << ":" << c.line << ": case " << c.name << " is named twice";
  }
}

}  // namespace
}  // namespace canvass
