// Releases stored by part (docs/releases.md "Stored by part"): the files BuildAndStoreRelease
// writes into the store are BuildRelease's byte for byte; the next release with one precinct
// corrected adds a few parts, not a release; and a release published before parts (its event
// naming whole-file blobs) still reads, is compared with and served. (The static site reads
// through the same ReadReleaseFile; tests/cli covers `canvass publish`.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api/api.h"
#include "core/sha256.h"
#include "http/client.h"
#include "http/server.h"
#include "intake/setup.h"
#include "publish/certified_record.h"
#include "publish/publisher.h"
#include "publish/release_delta.h"
#include "publish/release_files.h"
#include "publish/release_fixture.h"
#include "test_data.h"

namespace canvass::publish_test {
namespace {

// The party's certified 2020 record, every precinct reported (the refused few left out).
void ReportIowa(Ledger& l) {
  const std::vector<PrecinctReport>& reports = CertifiedRecord().reports;
  auto table = LoadApportionmentFile(kIowa + "apportionment.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto districts = LoadDistrictsFile(kIowa + "county-congressional-district.csv");
  ASSERT_TRUE(districts.ok());
  std::map<std::pair<std::string, std::string>, const PrecinctApportionment*> by_name;
  for (const PrecinctApportionment& ap : *table) by_name[{ap.county, ap.precinct}] = &ap;
  json precincts = json::array();
  json counties = json::object();
  for (const PrecinctReport& r : reports) {
    const PrecinctApportionment& ap = *by_name.at({r.county, r.precinct});
    json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
    if (ap.delegates) row["delegates"] = *ap.delegates;
    if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
    if (ap.site_sde) row["site_sde"] = ap.site_sde->ToString();
    if (ap.district) row["district"] = *ap.district;
    precincts.push_back(row);
    if (districts->count(ap.county)) counties[ap.county] = districts->at(ap.county);
  }
  auto toml = ReadFile(*RulesetPath("iowa-dem-2020"));
  ASSERT_TRUE(toml.ok());
  auto ruleset = ParseRuleset(*toml, "iowa-dem-2020");
  ASSERT_TRUE(ruleset.ok());
  l.Add("election-created",
        {{"name", "Iowa Democratic caucuses 2020 (parts test)"},
         {"ruleset", {{"name", ruleset->name}, {"hash", ruleset->hash}, {"toml", *toml}}},
         {"candidates", CertifiedRecord().candidates},
         {"precincts", precincts},
         {"county_district", counties},
         {"signing_key", FixtureKey().public_hex}});
  for (size_t i = 0; i < reports.size(); ++i) {
    const std::string id = std::to_string(i + 1);
    if (l.TryAdd("first-alignment-reported", {{"precinct", i + 1},
                                              {"submission", "f" + id},
                                              {"first", Side(l.state, reports[i], false)}})) {
      continue;
    }
    (void)l.TryAdd("final-alignment-reported", {{"precinct", i + 1},
                                                {"submission", "g" + id},
                                                {"final", Side(l.state, reports[i], true)}});
  }
}

// `body` is file `name` of release `record`: its SHA-256 as the event names it, or, for a file
// named by its parts manifest alone (cut by group of precincts), that manifest, read from the
// store, hashes as named and checks the bytes part by part.
void ExpectNamedBy(const BlobGet& get, const ReleaseRecord& record, const std::string& name,
                   const std::string& body) {
  if (record.files.contains(name)) {
    EXPECT_EQ(Sha256Hex(body), record.files[name].get<std::string>()) << name;
    return;
  }
  ASSERT_TRUE(record.files.contains(ReleasePartsName(name))) << name;
  const std::string manifest_sha = record.files[ReleasePartsName(name)].get<std::string>();
  auto manifest = get(manifest_sha);
  ASSERT_TRUE(manifest.ok() && manifest->has_value()) << name;
  EXPECT_EQ(Sha256Hex(**manifest), manifest_sha) << name;
  Status st = CheckFileAgainstManifest(body, **manifest);
  EXPECT_TRUE(st.ok()) << name << ": " << st.ToString();
}

// Every file of `stored` as read back from `store`, against `built`'s bytes.
void ExpectSameFiles(MapStore& store, const Release& stored, const Release& built) {
  const std::vector<const ReleaseFile*> a = stored.files();
  const std::vector<const ReleaseFile*> b = built.files();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]->name, b[i]->name);
    EXPECT_EQ(a[i]->sha256, b[i]->sha256) << a[i]->name;
    EXPECT_EQ(a[i]->size, static_cast<int64_t>(b[i]->bytes.size())) << a[i]->name;
    ASSERT_FALSE(a[i]->manifest_sha256.empty()) << a[i]->name;
    if (b[i]->sha256.empty()) {
      // Cut by group of precincts: named by its manifest, the same whether stored or built in
      // memory, and the bytes hash part by part as it says.
      EXPECT_EQ(a[i]->manifest_sha256, b[i]->manifest_sha256) << a[i]->name;
      EXPECT_EQ(Sha256Hex(b[i]->manifest), b[i]->manifest_sha256) << a[i]->name;
      EXPECT_TRUE(CheckFileAgainstManifest(b[i]->bytes, b[i]->manifest).ok()) << a[i]->name;
    } else {
      EXPECT_EQ(a[i]->manifest_sha256, Sha256Hex(ManifestText(ManifestOf(b[i]->bytes))));
    }
    auto read = ReadStoredFile(store.Get(), a[i]->name, a[i]->sha256, a[i]->manifest_sha256);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_TRUE(*read == b[i]->bytes) << a[i]->name << " differs once joined";
  }
}

TEST(ReleaseParts, ASecondReleaseWithOnePrecinctCorrectedAddsAFewParts) {
  Ledger l;
  ReportIowa(l);
  MapStore store;
  auto first = BuildAndStoreRelease(l.state, PublishedRelease{}, store.Put());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Written into the store as they were built: never whole in memory.
  EXPECT_TRUE(first->cdf.bytes.empty());
  EXPECT_TRUE(first->precincts_csv.bytes.empty());
  EXPECT_TRUE(first->records.bytes.empty());
  EXPECT_GT(first->cdf.size, int64_t{10} << 20);
  auto built = BuildRelease(l.state, PublishedRelease{});
  ASSERT_TRUE(built.ok());
  ExpectSameFiles(store, *first, *built);
  int64_t release_bytes = 0;
  for (const ReleaseFile* f : first->files()) release_bytes += f->size;
  // Release 1 stores about all its bytes (a part repeated within it, once).
  EXPECT_GT(store.bytes * 10, release_bytes * 9);

  const json payload = ReleaseEventPayload(*first, SignHex(FixtureKey(), first->json.bytes),
                                           SignHex(FixtureKey(), first->root.bytes));
  for (const ReleaseFile* f : first->files()) {
    EXPECT_EQ(payload["files"].value(f->name, ""), f->sha256);
    EXPECT_EQ(payload["files"].value(ReleasePartsName(f->name), ""), f->manifest_sha256);
  }
  l.Add("release-published", payload);
  ASSERT_EQ(l.state.releases().size(), 1u);

  // One precinct corrected (one more person in its first candidate's group, in both
  // alignments): its figures and the totals it is in change, nothing else.
  int64_t id = 101;
  while (l.state.precinct(id) == nullptr || !l.state.precinct(id)->final) ++id;
  std::vector<Count> first_alignment = *l.state.precinct(id)->first;
  std::vector<Count> final_alignment = *l.state.precinct(id)->final;
  first_alignment[0] += 1;
  final_alignment[0] += 1;
  const int64_t seq = l.state.seq();
  l.Add("report-corrected", {{"precinct", id},
                             {"reason", "a late arrival counted"},
                             {"first", l.state.FiguresJson(first_alignment)},
                             {"final", l.state.FiguresJson(final_alignment)}});
  ASSERT_EQ(l.state.seq(), seq + 1);

  auto previous = ReadPublishedRelease(store.Get(), l.state.releases().back());
  ASSERT_TRUE(previous.ok()) << previous.status().ToString();
  const int64_t before = store.bytes;
  auto second = BuildAndStoreRelease(l.state, previous->view(), store.Put());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto rebuilt = BuildRelease(l.state, previous->view());
  ASSERT_TRUE(rebuilt.ok());
  ExpectSameFiles(store, *second, *rebuilt);
  int64_t second_bytes = 0;
  for (const ReleaseFile* f : second->files()) second_bytes += f->size;
  const int64_t added = store.bytes - before;
  std::printf("release 2: %lld bytes; the store grew by %lld\n",
              static_cast<long long>(second_bytes), static_cast<long long>(added));
  EXPECT_GT(added, 0);
  EXPECT_LT(added * 10, second_bytes)
      << "release 2 added " << added << " of its " << second_bytes << " bytes";
}

// The publisher's way (what it kept of the release it built last): a group of precincts whose
// entries are all unchanged has its segments of the records, the precincts CSV and the CDF named
// again from that release's parts, not written; the files are byte for byte those of a release
// built afresh, and the segments of a group with one precinct corrected or confirmed are written.
// Builds and publishes the next release of `l` as the publisher does, through `kept` (what it kept
// of the previous one, replaced by what it keeps of this one), checks every file against the
// release built afresh, compared with the previous release as published; returns the segments
// named again.
int64_t NextKeptRelease(Ledger& l, MapStore& store, std::unique_ptr<PreviousRelease>& kept) {
  PublishedFiles previous;
  if (!l.state.releases().empty()) {
    auto text = ReadPublishedRelease(store.Get(), l.state.releases().back());
    EXPECT_TRUE(text.ok());
    if (text.ok()) previous = std::move(text).value();
  }
  auto keep = std::make_unique<PreviousRelease>();
  ReleaseTimings timings;
  auto rel = BuildAndStoreRelease(
      l.state, kept.get(), [&]() -> Result<PublishedFiles> { return previous; }, store.Put(),
      keep.get(), &timings);
  EXPECT_TRUE(rel.ok()) << rel.status().ToString();
  if (!rel.ok()) return -1;
  auto fresh = BuildRelease(l.state, previous.view());
  EXPECT_TRUE(fresh.ok());
  if (!fresh.ok()) return -1;
  ExpectSameFiles(store, *rel, *fresh);
  keep->built_from = l.state.Snapshot();
  kept = std::move(keep);
  l.Add("release-published", ReleaseEventPayload(*rel, SignHex(FixtureKey(), rel->json.bytes),
                                                 SignHex(FixtureKey(), rel->root.bytes)));
  return timings.groups_reused;
}

TEST(ReleaseParts, UnchangedGroupsOfPrecinctsAreNamedAgainNotWritten) {
  Ledger l;
  ReportIowa(l);
  MapStore store;
  const auto precincts = static_cast<int64_t>(l.state.precincts().size());
  const auto g = static_cast<int64_t>(kReleaseGroupPrecincts);
  const int64_t groups = (precincts + g - 1) / g;
  const auto candidates = static_cast<int64_t>(l.state.candidates().size());
  ASSERT_GE(groups, 10);
  // The CDF's lists of the precincts each county and district is composed of: the same in every
  // release of the election.
  std::set<std::string> counties;
  std::set<std::string> districts;
  for (const PrecinctApportionment& ap : l.state.precincts()) {
    counties.insert(ap.county);
    if (ap.district) {
      districts.insert(*ap.district);
    } else if (auto d = l.state.county_district().find(ap.county);
               d != l.state.county_district().end()) {
      districts.insert(d->second);
    }
  }
  const auto lists = static_cast<int64_t>(counties.size() + districts.size());
  std::unique_ptr<PreviousRelease> kept;
  auto next = [&]() { return NextKeptRelease(l, store, kept); };
  EXPECT_EQ(next(), 0);  // release 1: nothing to name again

  // A precinct of the first group corrected, one of a later group confirmed (a status, no figure).
  auto reported = [&](int64_t id) {
    while (id < precincts && (l.state.precinct(id) == nullptr || !l.state.precinct(id)->final)) {
      ++id;
    }
    return id;
  };
  const int64_t a = reported(5);
  const int64_t b = reported(700);
  ASSERT_NE((a - 1) / g, (b - 1) / g);
  std::vector<Count> first = *l.state.precinct(a)->first;
  std::vector<Count> final = *l.state.precinct(a)->final;
  first[0] += 1;
  final[0] += 1;
  l.Add("report-corrected", {{"precinct", a},
                             {"reason", "a late arrival counted"},
                             {"first", l.state.FiguresJson(first)},
                             {"final", l.state.FiguresJson(final)}});
  l.Add("report-confirmed",
        {{"precinct", b}, {"submission", "c1"}, {"revision", l.state.precinct(b)->revision}});
  // Per unchanged group: its records, its CSV rows, its reporting units and its counts of each
  // candidate; and every list of a county's or district's precincts.
  EXPECT_EQ(next(), (groups - 2) * (3 + candidates) + lists);

  // The last group (shorter than the others) changes; every other is named again.
  const int64_t c = reported(precincts - (precincts % g == 0 ? g : precincts % g) + 1);
  ASSERT_EQ((c - 1) / g, groups - 1);
  l.Add("report-confirmed",
        {{"precinct", c}, {"submission", "c2"}, {"revision", l.state.precinct(c)->revision}});
  EXPECT_EQ(next(), (groups - 1) * (3 + candidates) + lists);
}

TEST(ReleaseParts, TheReaderSaysWhichReleaseNamesNoSuchFile) {
  ReleaseRecord record;
  record.number = 4;
  record.files = {{"release-4.json", Sha256Hex("x")}, {"release-4.json.parts", "not a hash"}};
  MapStore store;
  auto none = ReadReleaseFile(store.Get(), record, "release-4-cdf.json");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(none.status().message(), "release 4 names no release-4-cdf.json");
  auto bad = ReadReleaseFile(store.Get(), record, "release-4.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kCorruption);
}

// Through the server: release 1 as published before parts (whole-file blobs, no manifests), then
// release 2 by the publisher, compared with release 1 and stored by part; both serve.
class PartsRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("canvass-release-parts-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto intake = Intake::Open((dir_ / "store.db").string());
    ASSERT_TRUE(intake.ok()) << intake.status().ToString();
    intake_ = std::move(intake).value();
    auto table = LoadApportionmentFile(kIowa + "apportionment.csv");
    ASSERT_TRUE(table.ok());
    auto toml = ReadFile(*RulesetPath("iowa-dem-2020"));
    ASSERT_TRUE(toml.ok());
    ElectionSetup setup;
    setup.name = "Release parts";
    setup.ruleset_toml = *toml;
    setup.candidates = {"Biden", "Buttigieg", "Sanders", "Warren"};
    setup.precincts.assign(table->begin(), table->begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                precincts_, table->size())));
    setup.operators = 0;
    setup.campaign_accounts = false;
    setup.cost = KdfCost::Test();
    setup.signing_key = FixtureKey().public_hex;
    auto codes = CreateElection(*intake_, setup);
    ASSERT_TRUE(codes.ok()) << codes.status().ToString();
    publisher_ = std::make_unique<Publisher>(*intake_, FixtureKey());
    ApiOptions options;
    options.session_key = std::string(64, 'a');
    options.kdf = KdfCost::Test();
    options.publisher = publisher_.get();
    api_ = std::make_unique<Api>(*intake_, metrics_, options);
    HttpServerOptions http;
    http.port = 0;
    server_ = std::make_unique<HttpServer>(
        http, [this](HttpRequest req, Respond respond) { api_->Handle(std::move(req), respond); },
        &metrics_, &Api::RouteLabel);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    if (publisher_) publisher_->Stop();
    intake_.reset();
    server_.reset();
    api_.reset();
    publisher_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string Get(const std::string& target) {
    auto r = client_->Request("GET", target, "", {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r.ok() ? r->status : 0, 200) << target << ": " << (r.ok() ? r->body : "");
    return r.ok() ? r->body : "";
  }
  Outcome Submit(const std::string& type, json payload) {
    return intake_->SubmitAndWait(Submission{type, Actor{"admin", "cli"}, "admin", payload});
  }

  size_t precincts_ = 2;  // the first precincts of Iowa's apportionment
  std::filesystem::path dir_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<Publisher> publisher_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(PartsRoutes, AReleasePublishedBeforePartsStillReadsAndServes) {
  ASSERT_EQ(
      Submit("first-alignment-reported",
             {{"precinct", 1}, {"submission", "a"}, {"first", {{"Biden", 20}, {"Warren", 9}}}})
          .kind,
      Outcome::Kind::kAccepted);
  // Release 1 the way it was published before parts: each file one blob, the event naming
  // those blobs and no manifest.
  auto snapshot = intake_->Read([](const ElectionState& s) { return s.Snapshot(); });
  auto old = BuildRelease(*snapshot, PublishedRelease{});
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  // (The records, the precincts CSV and the CDF named by their SHA-256, as every file was then.)
  for (ReleaseFile* f : {&old->records, &old->precincts_csv, &old->cdf}) {
    f->sha256 = Sha256Hex(f->bytes);
    f->manifest_sha256.clear();
  }
  const std::string root_sig = SignHex(FixtureKey(), old->root.bytes);
  for (const ReleaseFile* f : old->files()) ASSERT_TRUE(intake_->PutBlob(f->sha256, f->bytes).ok());
  const std::string root_sig_file = SignatureFileBytes(root_sig);
  ASSERT_TRUE(intake_->PutBlob(Sha256Hex(root_sig_file), root_sig_file).ok());
  const json payload = ReleaseEventPayload(*old, SignHex(FixtureKey(), old->json.bytes), root_sig);
  for (const auto& [name, hash] : payload["files"].items()) {
    EXPECT_EQ(name.find(".parts"), std::string::npos) << name;
  }
  ASSERT_EQ(Submit("release-published", payload).kind, Outcome::Kind::kAccepted);

  const std::pair<const char*, const ReleaseFile*> kinds[] = {
      {"", &old->json},
      {"/precincts.csv", &old->precincts_csv},
      {"/totals.csv", &old->totals_csv},
      {"/cdf.json", &old->cdf},
      {"/root.json", &old->root}};
  for (const auto& [kind, file] : kinds) {
    EXPECT_TRUE(Get(std::string("/api/v1/releases/1") + kind) == file->bytes) << kind;
  }
  EXPECT_EQ(Get("/api/v1/releases/1/proof/1").empty(), false);

  // Release 2 by the publisher: compared with release 1 read whole, stored by part.
  ASSERT_EQ(
      Submit("final-alignment-reported",
             {{"precinct", 1}, {"submission", "b"}, {"final", {{"Biden", 20}, {"Warren", 9}}}})
          .kind,
      Outcome::Kind::kAccepted);
  auto outcome = publisher_->PublishNow(Actor{"admin", "cli"}, "admin");
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  ASSERT_TRUE(outcome->published);
  EXPECT_EQ(outcome->number, 2);
  auto state = intake_->Read([](const ElectionState& s) { return s.Snapshot(); });
  const ReleaseRecord& two = state->releases().back();
  for (const std::string& name : {ReleaseJsonName(2), ReleasePrecinctsCsvName(2),
                                  ReleaseTotalsCsvName(2), ReleaseCdfName(2), ReleaseRootName(2)}) {
    ASSERT_TRUE(two.files.contains(ReleasePartsName(name))) << name;
  }
  const std::pair<const char*, std::string> kinds2[] = {
      {"", ReleaseJsonName(2)},
      {"/precincts.csv", ReleasePrecinctsCsvName(2)},
      {"/totals.csv", ReleaseTotalsCsvName(2)},
      {"/cdf.json", ReleaseCdfName(2)},
      {"/root.json", ReleaseRootName(2)}};
  for (const auto& [kind, name] : kinds2) {
    const std::string body = Get(std::string("/api/v1/releases/2") + kind);
    ExpectNamedBy([this](const std::string& sha) { return intake_->GetBlob(sha); }, two, name,
                  body);
  }
  const json timeline = json::parse(Get("/api/v1/releases/timeline"));
  EXPECT_EQ(timeline["releases"].size(), 2u);
  EXPECT_EQ(Get("/api/v1/releases/2/proof/1").empty(), false);
}

// The publisher does not hand the store again the blobs the last release it published stored:
// release 2 hands it only its new parts, yet every file of it reads back whole from the store;
// after a restart (a new publisher, nothing known) every blob is handed over again.
class PartsRoutesIowa : public PartsRoutes {
 protected:
  PartsRoutesIowa() { precincts_ = 1765; }  // files of several parts
};

TEST_F(PartsRoutesIowa, APublisherHandsTheStoreOnlyWhatItsLastReleaseDidNotStore) {
  auto report = [&](const std::string& type, int precinct, const std::string& submission,
                    const json& figures) {
    const char* side = type == "first-alignment-reported" ? "first" : "final";
    ASSERT_EQ(
        Submit(type, {{"precinct", precinct}, {"submission", submission}, {side, figures}}).kind,
        Outcome::Kind::kAccepted);
  };
  const BlobGet get = [this](const std::string& sha) { return intake_->GetBlob(sha); };
  // Every file of the latest release reads back from the store as the ledger recorded it.
  auto reads_back = [&](int64_t number) {
    auto state = intake_->Read([](const ElectionState& s) { return s.Snapshot(); });
    const ReleaseRecord& last = state->releases().back();
    ASSERT_EQ(last.number, number);
    for (const std::string& name :
         {ReleaseJsonName(number), ReleasePrecinctsCsvName(number), ReleaseTotalsCsvName(number),
          ReleaseCdfName(number), ReleaseRootName(number)}) {
      auto bytes = ReadReleaseFile(get, last, name);
      ASSERT_TRUE(bytes.ok()) << name << ": " << bytes.status().ToString();
      ExpectNamedBy(get, last, name, *bytes);
    }
  };
  report("first-alignment-reported", 1, "a", {{"Biden", 20}, {"Warren", 9}});
  auto one = publisher_->PublishNow(Actor{"admin", "cli"}, "admin");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(one->published);
  EXPECT_GT(one->blobs_put, 0);
  EXPECT_EQ(one->blobs_known, 0);

  report("first-alignment-reported", 2, "b", {{"Sanders", 14}, {"Buttigieg", 3}});
  auto two = publisher_->PublishNow(Actor{"admin", "cli"}, "admin");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  ASSERT_TRUE(two->published);
  EXPECT_GT(two->blobs_put, 0);    // what changed: at least each file's manifest
  EXPECT_GT(two->blobs_known, 0);  // the parts release 1 stored that release 2 has too
  reads_back(2);

  // A new publisher knows nothing of what was stored: it hands every blob over again (the
  // store keeps one copy of each).
  Publisher fresh(*intake_, FixtureKey());
  report("final-alignment-reported", 1, "c", {{"Biden", 20}, {"Warren", 9}});
  auto three = fresh.PublishNow(Actor{"admin", "cli"}, "admin");
  ASSERT_TRUE(three.ok()) << three.status().ToString();
  ASSERT_TRUE(three->published);
  EXPECT_EQ(three->blobs_known, 0);
  EXPECT_GT(three->blobs_put, two->blobs_put);
  reads_back(3);
}

// A whole night's releases through what the publisher kept (the tabulation's running sums, the
// rows, the Merkle tree, the parts), each checked file by file against the release built afresh
// (NextKeptRelease): a correction, a form keyed twice (both precincts held: out of the sums and
// the totals) and the hold ended by a correction.
TEST(ReleaseParts, KeptReleasesThroughHoldsAreTheReleasesBuiltAfresh) {
  Ledger l;
  ReportIowa(l);
  MapStore store;
  std::unique_ptr<PreviousRelease> kept;
  ASSERT_EQ(NextKeptRelease(l, store, kept), 0);
  const auto precincts = static_cast<int64_t>(l.state.precincts().size());
  auto final_reported = [&](int64_t id) {  // the first precinct from `id` with more than 10 in
    while (id < precincts) {
      const PrecinctRecord* r = l.state.precinct(id);
      if (r != nullptr && r->final) {
        Count people = 0;
        for (Count v : *r->first) people += v;
        if (people > 10) break;
      }
      ++id;
    }
    return id;
  };
  const int64_t a = final_reported(40);
  const int64_t b = final_reported(1200);
  const int64_t c = final_reported(1500);
  auto correct = [&](int64_t id, std::vector<Count> first, std::vector<Count> final) {
    l.Add("report-corrected", {{"precinct", id},
                               {"reason", "the worksheet"},
                               {"first", l.state.FiguresJson(first)},
                               {"final", l.state.FiguresJson(final)}});
  };
  auto held = [&]() {
    auto text = ReadReleaseFile(store.Get(), l.state.releases().back(),
                                ReleaseJsonName(static_cast<int64_t>(l.state.releases().size())));
    EXPECT_TRUE(text.ok());
    std::set<int64_t> ids;
    if (text.ok()) {
      const json doc = json::parse(*text);
      for (const json& h : doc["held"]) ids.insert(h["precinct"].get<int64_t>());
      EXPECT_EQ(doc["reporting"]["held"], ids.size());
    }
    return ids;
  };
  const std::vector<Count> a_first = *l.state.precinct(a)->first;
  const std::vector<Count> a_final = *l.state.precinct(a)->final;
  // Precinct a keyed with b's figures; c corrected.
  correct(a, *l.state.precinct(b)->first, *l.state.precinct(b)->final);
  std::vector<Count> c_first = *l.state.precinct(c)->first;
  std::vector<Count> c_final = *l.state.precinct(c)->final;
  c_first[0] += 1;
  c_final[0] += 1;
  correct(c, c_first, c_final);
  ASSERT_GE(NextKeptRelease(l, store, kept), 0);
  EXPECT_EQ(held(), (std::set<int64_t>{a, b}));
  // Nothing new: the same release again, the holds kept.
  l.Add("report-confirmed",
        {{"precinct", c}, {"submission", "c1"}, {"revision", l.state.precinct(c)->revision}});
  ASSERT_GE(NextKeptRelease(l, store, kept), 0);
  EXPECT_EQ(held(), (std::set<int64_t>{a, b}));
  // a's own figures again: the hold ends, both come back into the totals.
  correct(a, a_first, a_final);
  ASSERT_GE(NextKeptRelease(l, store, kept), 0);
  EXPECT_TRUE(held().empty());
}

}  // namespace
}  // namespace canvass::publish_test
