// The reconciliation on a real election: a few submissions through the intake over a SQLite
// store (a chair for Adair, two hotline operators for Stuart, nothing for the other three
// precincts), the release the server builds from it, the ledger's export and the receipts the
// intake answered. The true inputs reconcile; each doctored copy fails on its own counter.
#include "rehearse/reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_fixture.h"
#include "core/sha256.h"
#include "intake/intake.h"
#include "intake/setup.h"
#include "ledger/chain.h"
#include "ledger/event.h"
#include "publish/release.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace canvass::rehearse {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string kPhoto(64, 'a');  // a worksheet photo's SHA-256
const std::string kPhotoSubmission = "photo-" + kPhoto;

const json kAdairFigures = {{"Biden", 22}, {"Buttigieg", 31}, {"Sanders", 15}, {"Warren", 12}};
// As a chair's phone might send them: with a zero count, which the release leaves out.
const json kStuartFirst = {{"Biden", 15},   {"Buttigieg", 25}, {"Klobuchar", 10},
                           {"Sanders", 30}, {"Warren", 20},    {"Yang", 0}};
const json kStuartFinal = {{"Biden", 15}, {"Buttigieg", 30}, {"Sanders", 33}, {"Warren", 22}};
const json kStuartDelegates = {{"Biden", 2}, {"Buttigieg", 3}, {"Sanders", 4}, {"Warren", 2}};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out.append(line).append("\n");
  return out;
}

std::string Problems(const Reconciliation& r) { return r.ToJson().dump(2); }

ExpectedPrecinct Unreported(int64_t id, std::string county, std::string precinct) {
  ExpectedPrecinct e;
  e.id = id;
  e.county = std::move(county);
  e.precinct = std::move(precinct);
  return e;
}

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    location_ = "sqlite:" + dir_.path() + "/ledger.db";
    auto setup = api_test::IowaSlice();
    ASSERT_TRUE(setup.ok()) << setup.status().ToString();
    auto intake = Intake::Open(location_);
    ASSERT_TRUE(intake.ok()) << intake.status().ToString();
    intake_ = std::move(intake).value();
    auto codes = CreateElection(*intake_, *setup);
    ASSERT_TRUE(codes.ok()) << codes.status().ToString();
    codes_ = *codes;
    ASSERT_NO_FATAL_FAILURE(Drive());
  }

  Actor Credential(const std::string& role, const std::string& subject) const {
    for (const IssuedCode& c : codes_) {
      if (c.role == role && c.subject == subject) return Actor{role, c.credential};
    }
    ADD_FAILURE() << "no " << role << " " << subject;
    return Actor{};
  }
  Actor Chair(int64_t id) const { return Credential("chair", std::to_string(id)); }
  Actor Operator(int n) const { return Credential("operator", "op-" + std::to_string(n)); }

  // Submits through the intake and keeps the receipt, as a simulated phone would.
  void Send(const std::string& type, const Actor& actor, json payload,
            Outcome::Kind want = Outcome::Kind::kAccepted) {
    const std::string submission = payload.at("submission").get<std::string>();
    const std::string channel = actor.role == "operator" ? "hotline" : "web";
    Outcome o = intake_->SubmitAndWait(Submission{type, actor, channel, std::move(payload)});
    ASSERT_EQ(o.kind, want) << type << " " << submission << ": " << OutcomeMessage(o);
    // The receipt, as the facts the answer is rendered from.
    input_.acks.push_back(Acknowledged{submission, o.answer.event, o.answer.seq});
    submitted_.push_back(Acknowledged{submission, type, o.answer.seq});
  }

  PublishedFiles ReleaseNow() {
    auto rel = intake_->Read([](const ElectionState& s) { return BuildRelease(s); });
    EXPECT_TRUE(rel.ok()) << rel.status().ToString();
    return rel.ok() ? PublishedFiles{rel->json.bytes, rel->records.bytes} : PublishedFiles{};
  }

  void Drive() {
    // Adair: the chair reports, attaches a photo (an operator attaches the same one, under the
    // same default id) and confirms; a retry of the final alignment is answered again.
    const Actor adair = Chair(1);
    Send("first-alignment-reported", adair,
         {{"precinct", 1}, {"submission", "adair-first"}, {"first", kAdairFigures}});
    Send("final-alignment-reported", adair,
         {{"precinct", 1}, {"submission", "adair-final"}, {"final", kAdairFigures}});
    Send("final-alignment-reported", adair,
         {{"precinct", 1}, {"submission", "adair-final"}, {"final", kAdairFigures}},
         Outcome::Kind::kDuplicate);
    const json photo = {{"precinct", 1},
                        {"sha256", kPhoto},
                        {"content_type", "image/jpeg"},
                        {"bytes", 1000},
                        {"submission", kPhotoSubmission}};
    Send("photo-attached", adair, photo);
    Send("photo-attached", Operator(3), photo);
    Send("report-confirmed", adair,
         {{"precinct", 1}, {"submission", "adair-confirm"}, {"revision", 1}});
    early_release_ = ReleaseNow();

    // Stuart: phoned in, entered by two operators for each alignment; a retry of the second
    // entry gets the report's receipt again.
    Send("hotline-entry", Operator(1),
         {{"precinct", 2}, {"submission", "op1-stuart-first"}, {"first", kStuartFirst}});
    Send("hotline-entry", Operator(2),
         {{"precinct", 2}, {"submission", "op2-stuart-first"}, {"first", kStuartFirst}});
    Send("hotline-entry", Operator(2),
         {{"precinct", 2}, {"submission", "op2-stuart-first"}, {"first", kStuartFirst}},
         Outcome::Kind::kDuplicate);
    Send("hotline-entry", Operator(2),
         {{"precinct", 2},
          {"submission", "op2-stuart-final"},
          {"final", kStuartFinal},
          {"delegates", kStuartDelegates}});
    Send("hotline-entry", Operator(1),
         {{"precinct", 2},
          {"submission", "op1-stuart-final"},
          {"final", kStuartFinal},
          {"delegates", kStuartDelegates}});
    Send("photo-attached", Operator(1),
         {{"precinct", 2},
          {"sha256", std::string(64, 'b')},
          {"content_type", "image/png"},
          {"bytes", 2000},
          {"submission", "op1-stuart-photo"}});

    // The release of everything, published (the ledger goes on past its head).
    auto rel = intake_->Read([](const ElectionState& s) { return BuildRelease(s); });
    ASSERT_TRUE(rel.ok()) << rel.status().ToString();
    input_.release_json = rel->json.bytes;
    input_.release_records = rel->records.bytes;
    Outcome published = intake_->SubmitAndWait(Submission{
        "release-published", Actor{"admin", "cli"}, "cli", ReleaseEventPayload(*rel, "")});
    ASSERT_EQ(published.kind, Outcome::Kind::kAccepted) << OutcomeMessage(published);

    auto store = OpenStore(location_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::ostringstream ledger;
    Status exported = ExportJsonLines(**store, ledger);
    ASSERT_TRUE(exported.ok()) << exported.ToString();
    input_.ledger_jsonl = ledger.str();

    // What the chairs and operators were told, precinct by precinct.
    for (size_t i = 0; i < std::size(api_test::kPlaces); ++i) {
      input_.expected.push_back(Unreported(static_cast<int64_t>(i) + 1, api_test::kPlaces[i].county,
                                           api_test::kPlaces[i].precinct));
    }
    ExpectedPrecinct& a = input_.expected[0];
    a.first = kAdairFigures;
    a.final = kAdairFigures;
    a.revision = 1;
    a.confirmed = true;
    a.photos = 1;
    ExpectedPrecinct& s = input_.expected[1];
    s.first = kStuartFirst;
    s.final = kStuartFinal;
    s.delegates = kStuartDelegates;
    s.revision = 1;
    s.photos = 1;
  }

  testing_store::TempDir dir_;
  std::string location_;
  std::unique_ptr<Intake> intake_;
  std::vector<IssuedCode> codes_;
  ReconcileInput input_;
  std::vector<Acknowledged> submitted_;  // with the type each submission asked for
  PublishedFiles early_release_;         // after Adair's reports, before Stuart's
};

TEST_F(ReconcileTest, TrueInputsReconcile) {
  const Reconciliation r = Reconcile(input_);
  EXPECT_TRUE(r.ok) << Problems(r);
  EXPECT_TRUE(r.problems.empty()) << Problems(r);
  EXPECT_EQ(r.release_number, 1);
  EXPECT_EQ(r.precincts, 5);
  EXPECT_EQ(r.matched, 5);
  EXPECT_EQ(r.differing, 0);
  EXPECT_EQ(r.missing, 0);
  EXPECT_EQ(r.extra, 0);
  EXPECT_TRUE(r.covers_last_ack);
  EXPECT_TRUE(r.chain_ok) << r.chain_problem;
  EXPECT_EQ(r.chain_problem, "");
  const int64_t lines = static_cast<int64_t>(Lines(input_.ledger_jsonl).size());
  EXPECT_EQ(r.events, lines);
  EXPECT_EQ(r.release_ledger_seq, lines - 1);  // the release-published event follows it
  // 12 receipts, two of them repeats; the photo id twice, from two actors: 10 acknowledgements,
  // all on the ledger.
  EXPECT_EQ(input_.acks.size(), 12u);
  EXPECT_EQ(r.acks, 10);
  EXPECT_EQ(r.acks_found, 10);
  EXPECT_EQ(r.acks_missing, 0);
  EXPECT_EQ(r.written_twice, 0);

  const json j = r.ToJson();
  for (const char* key :
       {"ok", "release_number", "release_ledger_seq", "precincts", "matched", "differing",
        "missing", "extra", "covers_last_ack", "events", "chain_ok", "chain_problem", "acks",
        "acks_found", "acks_missing", "written_twice", "problems"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["matched"], 5);
  EXPECT_EQ(j["acks_found"], 10);
  EXPECT_EQ(j["events"], lines);
}

TEST_F(ReconcileTest, HotlineReceiptsNameTheReportTheServerAppended) {
  // The second operator's entry is answered with the report appended for it: its seq and type,
  // the entry's submission id.
  bool seen = false;
  for (const Acknowledged& a : input_.acks) {
    if (a.submission != "op2-stuart-first") continue;
    seen = true;
    EXPECT_EQ(a.event_type, "first-alignment-reported");
  }
  EXPECT_TRUE(seen);
  // A client that records the type it asked for (hotline-entry) with that receipt's seq is
  // reconciled too.
  input_.acks = submitted_;
  const Reconciliation r = Reconcile(input_);
  EXPECT_TRUE(r.ok) << Problems(r);
  EXPECT_EQ(r.acks_found, 10);
  EXPECT_EQ(r.acks_missing, 0);
  // But not an entry type at the seq of a report that cites no entry of that submission.
  input_.acks.push_back(Acknowledged{"adair-first", "hotline-entry", input_.acks[0].seq});
  const Reconciliation bad = Reconcile(input_);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.acks_missing, 1) << Problems(bad);
}

TEST_F(ReconcileTest, TheSamePhotoIdFromTwoActorsIsNotWrittenTwice) {
  int64_t photo_events = 0;
  for (const std::string& line : Lines(input_.ledger_jsonl)) {
    if (line.find(kPhotoSubmission) != std::string::npos) ++photo_events;
  }
  EXPECT_EQ(photo_events, 2);  // the chair's and the operator's
  const Reconciliation r = Reconcile(input_);
  EXPECT_EQ(r.written_twice, 0) << Problems(r);
  EXPECT_EQ(r.matched, 5) << Problems(r);  // one distinct photo
}

TEST_F(ReconcileTest, ChangedFigureDiffers) {
  input_.expected[0].final["Biden"] = 23;
  const Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.differing, 1);
  EXPECT_EQ(r.matched, 4);
  ASSERT_EQ(r.problems.size(), 1u) << Problems(r);
  EXPECT_THAT(r.problems[0], HasSubstr("precinct 1 (Adair / 1NW ADAIR)"));
  EXPECT_THAT(r.problems[0], HasSubstr("final: Biden expected 23, the release has 22"));
}

TEST_F(ReconcileTest, StatusRevisionPhotosAndDelegatesAreCompared) {
  auto differing = [&](auto change) {
    ReconcileInput copy = input_;
    change(copy);
    const Reconciliation r = Reconcile(copy);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.matched, 4) << Problems(r);
    return r.differing;
  };
  EXPECT_EQ(differing([](ReconcileInput& in) { in.expected[1].confirmed = true; }), 1);
  EXPECT_EQ(differing([](ReconcileInput& in) { in.expected[0].confirmed = false; }), 1);
  EXPECT_EQ(differing([](ReconcileInput& in) { in.expected[0].revision = 2; }), 1);
  EXPECT_EQ(differing([](ReconcileInput& in) { in.expected[1].photos = 2; }), 1);
  EXPECT_EQ(differing([](ReconcileInput& in) { in.expected[1].delegates = json(); }), 1);
  EXPECT_EQ(differing([](ReconcileInput& in) { in.expected[0].delegates = {{"Biden", 2}}; }), 1);
  EXPECT_EQ(differing([](ReconcileInput& in) { in.expected[0].final = json(); }), 1);
  EXPECT_EQ(differing([](ReconcileInput& in) { in.expected[0].county = "Polk"; }), 1);
  // Not differences: no delegates reported and an empty delegates object; a zero count.
  input_.expected[0].delegates = json::object();
  input_.expected[0].first["Yang"] = 0;
  EXPECT_TRUE(Reconcile(input_).ok) << Problems(Reconcile(input_));
}

TEST_F(ReconcileTest, ExpectedReportTheReleaseLacksIsMissing) {
  ExpectedPrecinct& v = input_.expected[2];
  v.first = {{"Biden", 50}, {"Sanders", 50}, {"Warren", 100}};
  v.revision = 1;
  const Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.missing, 1);
  EXPECT_EQ(r.matched, 4);
  EXPECT_EQ(r.differing, 0);
  ASSERT_EQ(r.problems.size(), 1u) << Problems(r);
  EXPECT_THAT(r.problems[0], HasSubstr("precinct 3 (Appanoose / Vermillion/Douglas/Sharon)"));
  EXPECT_THAT(r.problems[0], HasSubstr("missing"));
}

TEST_F(ReconcileTest, ReleaseReportingAPrecinctNobodyReportedIsExtra) {
  ExpectedPrecinct& a = input_.expected[0];
  a.first = a.final = a.delegates = json();
  a.revision = 0;
  a.confirmed = false;
  const Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.extra, 1);
  EXPECT_EQ(r.matched, 4);
  ASSERT_GE(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], HasSubstr("precinct 1 (Adair / 1NW ADAIR): extra"));
  // A release listing a reported precinct that is not expected at all is extra too.
  input_.expected.erase(input_.expected.begin());
  const Reconciliation r2 = Reconcile(input_);
  EXPECT_EQ(r2.extra, 1) << Problems(r2);
}

TEST_F(ReconcileTest, AckNotOnTheLedgerIsMissing) {
  ReconcileInput wrong_submission = input_;
  wrong_submission.acks.push_back(
      Acknowledged{"never-written", "first-alignment-reported", input_.acks[0].seq});
  Reconciliation r = Reconcile(wrong_submission);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.acks_missing, 1) << Problems(r);
  EXPECT_EQ(r.acks_found, 10);
  ASSERT_EQ(r.problems.size(), 1u) << Problems(r);
  EXPECT_THAT(r.problems[0], HasSubstr("never-written"));

  ReconcileInput wrong_seq = input_;
  wrong_seq.acks[0].seq += 1;  // adair-first, answered with the next event's seq
  r = Reconcile(wrong_seq);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.acks_missing, 1) << Problems(r);

  ReconcileInput wrong_type = input_;
  wrong_type.acks[0].event_type = "final-alignment-reported";
  r = Reconcile(wrong_type);
  EXPECT_EQ(r.acks_missing, 1) << Problems(r);
}

TEST_F(ReconcileTest, AcksOfOneSubmissionAtTwoSeqsAreAProblem) {
  // adair-first acknowledged twice, the second time naming another seq.
  input_.acks.push_back(input_.acks[0]);
  input_.acks.back().seq = input_.acks[1].seq;
  const Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.acks, 11);
  EXPECT_EQ(r.acks_missing, 1) << Problems(r);
}

TEST_F(ReconcileTest, DuplicatedOrAlteredLineBreaksTheChain) {
  std::vector<std::string> lines = Lines(input_.ledger_jsonl);
  ASSERT_GT(lines.size(), 10u);
  ReconcileInput duplicated = input_;
  std::vector<std::string> twice = lines;
  twice.insert(twice.begin() + 5, lines[5]);
  duplicated.ledger_jsonl = JoinLines(twice);
  Reconciliation r = Reconcile(duplicated);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.chain_ok);
  EXPECT_NE(r.chain_problem, "");
  EXPECT_EQ(r.events, 6);
  EXPECT_EQ(r.acks_missing, 0) << Problems(r);  // every acknowledged line is still there

  // Adair's first alignment with one count changed: the next line's prev no longer matches.
  ReconcileInput altered = input_;
  std::vector<std::string> changed = lines;
  size_t at = 0;
  for (size_t i = 0; i < changed.size(); ++i) {
    if (changed[i].find("\"adair-first\"") != std::string::npos) at = i;
  }
  ASSERT_NE(at, 0u);
  const size_t pos = changed[at].find("\"Sanders\":15");
  ASSERT_NE(pos, std::string::npos) << changed[at];
  changed[at].replace(pos, 12, "\"Sanders\":16");
  altered.ledger_jsonl = JoinLines(changed);
  r = Reconcile(altered);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.chain_ok);
  EXPECT_THAT(r.chain_problem, HasSubstr("prev-mismatch")) << r.chain_problem;
  EXPECT_EQ(r.events, static_cast<int64_t>(at) + 1);

  // Cut before the release's head (the last line, release-published, comes after it).
  ReconcileInput truncated = input_;
  truncated.ledger_jsonl = JoinLines({lines.begin(), lines.end() - 2});
  r = Reconcile(truncated);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.chain_ok);
  EXPECT_THAT(r.chain_problem, HasSubstr("truncated")) << r.chain_problem;

  ReconcileInput garbage = input_;
  garbage.ledger_jsonl = "not a ledger\n";
  r = Reconcile(garbage);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.chain_ok);
  EXPECT_EQ(r.acks_missing, 10);
}

TEST_F(ReconcileTest, ReleaseFromAnotherLedgerFailsTheChain) {
  json doc = json::parse(input_.release_json);
  doc["ledger"]["head"] = std::string(64, 'c');
  input_.release_json = doc.dump();
  const Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.chain_ok);
  EXPECT_THAT(r.chain_problem, HasSubstr("head-mismatch")) << r.chain_problem;
  EXPECT_EQ(r.matched, 5);
}

TEST_F(ReconcileTest, ReleaseBeforeTheLastAckDoesNotCoverIt) {
  input_.release_json = early_release_.json;
  input_.release_records = early_release_.records;
  const Reconciliation r = Reconcile(input_);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.covers_last_ack);
  EXPECT_TRUE(r.chain_ok) << r.chain_problem;
  EXPECT_EQ(r.acks_missing, 0);
  EXPECT_EQ(r.missing, 1);  // Stuart came after it
  EXPECT_THAT(Problems(r), HasSubstr("before the last acknowledged event"));
  // Only the cover fails when the acknowledgements stop where the release does.
  std::erase_if(input_.acks, [&](const Acknowledged& a) { return a.seq > r.release_ledger_seq; });
  input_.expected[1] = Unreported(2, "Adair", "2NE STUART");
  const Reconciliation covered = Reconcile(input_);
  EXPECT_TRUE(covered.covers_last_ack);
  EXPECT_EQ(covered.missing, 0);
  // Stuart's photo is on the ledger, and not expected: a difference, not a loss.
  EXPECT_EQ(covered.differing, 1) << Problems(covered);
}

TEST_F(ReconcileTest, SubmissionWrittenTwiceIsCounted) {
  // The chair's photo event appended again at the end of the chain, properly linked: the
  // replay accepts it (a photo is attached once however often it is sent), the count does not.
  std::vector<std::string> lines = Lines(input_.ledger_jsonl);
  std::string photo_line;
  for (const std::string& line : lines) {
    if (line.find(kPhotoSubmission) != std::string::npos) {
      photo_line = line;
      break;
    }
  }
  ASSERT_NE(photo_line, "");
  auto event = DecodeEvent(photo_line);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  event->seq = static_cast<int64_t>(lines.size()) + 1;
  event->prev = Sha256Hex(lines.back());
  auto stored = EncodeEvent(*event);
  ASSERT_TRUE(stored.ok());
  lines.push_back(stored->line);
  input_.ledger_jsonl = JoinLines(lines);
  const Reconciliation r = Reconcile(input_);
  EXPECT_TRUE(r.chain_ok) << r.chain_problem;
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.written_twice, 1) << Problems(r);
  EXPECT_THAT(Problems(r), HasSubstr(kPhotoSubmission));
}

TEST_F(ReconcileTest, BadReleaseBytesFailWithAReason) {
  // The records: a figure written as a floating point number, a line that is not JSON, none.
  std::string floats = input_.release_records;
  const size_t pos = floats.find("\"Sanders\":15");
  ASSERT_NE(pos, std::string::npos);
  floats.replace(pos, 12, "\"Sanders\":15.0");
  const std::string json_text = input_.release_json;
  const std::string not_json = input_.release_records + "{\"id\":\n";
  const std::pair<std::string, std::string> releases[] = {
      {"", ""},
      {"garbage \x01\xff", ""},
      {"[]", ""},
      {"{}", ""},
      {"{\"number\":1,\"ledger\":{\"seq\":\"x\"},\"precincts\":[1,{\"id\":2}]}", ""},
      {"{\"number\":1.5,\"ledger\":{\"seq\":-1,\"head\":3},\"precincts\":{}}", ""},
      {json_text, ""},
      {json_text, floats},
      {json_text, not_json}};
  for (const auto& [bytes, records] : releases) {
    ReconcileInput in = input_;
    in.release_json = bytes;
    in.release_records = records;
    const Reconciliation r = Reconcile(in);
    EXPECT_FALSE(r.ok) << bytes;
    EXPECT_FALSE(r.covers_last_ack) << bytes;
    ASSERT_FALSE(r.problems.empty()) << bytes;
    EXPECT_THAT(r.problems[0], HasSubstr("release: ")) << bytes;
    EXPECT_TRUE(r.chain_ok) << r.chain_problem;  // the ledger is still checked
    EXPECT_EQ(r.acks_found, 10);
  }
  ReconcileInput in = input_;
  in.release_records = floats;
  EXPECT_THAT(Reconcile(in).problems[0], HasSubstr("Sanders"));
}

TEST_F(ReconcileTest, ProblemListIsCappedButEverythingIsCounted) {
  for (int64_t id = 100; id < 130; ++id) {
    ExpectedPrecinct e = Unreported(id, "Nowhere", "Precinct " + std::to_string(id));
    e.first = {{"Biden", 1}};
    e.revision = 1;
    input_.expected.push_back(e);
  }
  const Reconciliation r = Reconcile(input_);
  EXPECT_EQ(r.missing, 30);
  EXPECT_LE(r.problems.size(), 21u);
  EXPECT_THAT(r.problems.back(), HasSubstr("10 more"));
}

}  // namespace
}  // namespace canvass::rehearse
