// What each release adds to the store (docs/performance.md "Publication"): a night of K releases
// with one precinct corrected between them, every release built, compared with the previous one
// and stored in a real SQLite store as the publisher stores it (BuildAndStoreRelease: by part), or
// with --whole as releases were stored before parts (each file one blob). Prints, per release, its
// size and the bytes of blobs the store did not hold yet; at the end the blob file's size on disk
// and the process's peak RSS.
//
//   release_storage_bench [--precincts N] [--releases K] [--whole] [--dir DIR]
//
//   --precincts N  0 (the default): the real Iowa 2020 night (1,765 precincts, data/iowa-2020);
//                  N: a simulated election of N precincts, 8 candidates, seed 1 (bench/synthetic.h)
//   --releases K   releases after the first (default 10)
//   --whole        store each file whole (the format before parts)
//   --dir DIR      where the store goes (default: a new directory under $TMPDIR, removed)
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>

#include "bench/synthetic.h"
#include "cli/election_input.h"
#include "io/importers.h"
#include "ledger/event.h"
#include "publish/release.h"
#include "publish/release_files.h"
#include "publish/signing.h"
#include "rules/ruleset.h"
#include "store/store.h"

namespace canvass::bench {
namespace {

using nlohmann::json;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "release_storage_bench: %s\n", why.c_str());
  std::exit(1);
}

struct Night {
  ElectionState state;
  bool Append(const std::string& type, json payload) {
    Event e;
    e.seq = state.seq() + 1;
    e.prev = e.seq == 1 ? std::string(kGenesisPrev) : state.head_hash();
    e.time = fmt::format("2020-02-04T{:02}:{:02}:{:02}.000Z", 1 + e.seq / 3600 % 20,
                         e.seq / 60 % 60, e.seq % 60);
    e.actor = Actor{"admin", "cli"};
    e.channel = "cli";
    e.type = type;
    e.payload = std::move(payload);
    auto stored = EncodeEvent(e);
    if (!stored.ok()) Die(stored.status().ToString());
    if (auto r = state.Apply(e, *stored)) {
      if (type == "election-created" || type == "release-published") Die(r->message);
      return false;
    }
    return true;
  }
};

void Report(Night& n, const Election& election, const Ruleset& ruleset, const std::string& toml) {
  json precincts = json::array();
  std::map<std::pair<std::string, std::string>, int64_t> ids;
  for (const PrecinctApportionment& ap : election.apportionment) {
    json row = {{"county", ap.county}, {"precinct", ap.precinct}, {"satellite", ap.satellite}};
    if (ap.delegates) row["delegates"] = *ap.delegates;
    if (ap.sde_per_delegate) row["sde_per_delegate"] = ap.sde_per_delegate->ToString();
    if (ap.site_sde) row["site_sde"] = ap.site_sde->ToString();
    if (ap.district) row["district"] = *ap.district;
    precincts.push_back(std::move(row));
    ids[{ap.county, ap.precinct}] = static_cast<int64_t>(precincts.size());
  }
  json counties = json::object();
  for (const auto& [county, district] : election.county_district) counties[county] = district;
  n.Append("election-created",
           {{"name", "Release storage"},
            {"ruleset", {{"name", ruleset.name}, {"hash", ruleset.hash}, {"toml", toml}}},
            {"candidates", election.candidates},
            {"precincts", precincts},
            {"county_district", counties},
            {"signing_key", SigningKeyFromSeed(std::string(64, '7'))->public_hex}});
  for (const PrecinctReport& r : election.reports) {
    auto it = ids.find({r.county, r.precinct});
    if (it == ids.end()) continue;
    json first = json::object(), final = json::object();
    for (size_t c = 0; c < r.figures.size(); ++c) {
      const std::string& name = election.candidates[c];
      if (r.figures[c].first.value_or(0) != 0) first[name] = *r.figures[c].first;
      if (r.figures[c].final.value_or(0) != 0) final[name] = *r.figures[c].final;
    }
    const std::string sub = std::to_string(it->second);
    if (!n.Append("first-alignment-reported",
                  {{"precinct", it->second}, {"submission", "f" + sub}, {"first", first}})) {
      continue;
    }
    n.Append("final-alignment-reported",
             {{"precinct", it->second}, {"submission", "g" + sub}, {"final", final}});
  }
}

// Corrects one reported precinct from `from` on: one more person in its first candidate's group,
// in both alignments. Returns the precinct corrected.
int64_t CorrectOne(Night& n, int64_t from) {
  const int64_t total = static_cast<int64_t>(n.state.precincts().size());
  for (int64_t k = 0; k < total; ++k) {
    const int64_t id = 1 + (from + k) % total;
    const PrecinctRecord* r = n.state.precinct(id);
    if (r == nullptr || !r->first || !r->final) continue;
    std::vector<Count> first = *r->first;
    std::vector<Count> final = *r->final;
    first[0] += 1;
    final[0] += 1;
    if (n.Append("report-corrected", {{"precinct", id},
                                      {"reason", "a late arrival counted"},
                                      {"first", n.state.FiguresJson(first)},
                                      {"final", n.state.FiguresJson(final)}})) {
      return id;
    }
  }
  Die("no precinct could be corrected");
}

int64_t FileBytes(const std::filesystem::path& p) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

int Main(int argc, char** argv) {
  int64_t precincts = 0;
  int releases = 10;
  bool whole = false;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--precincts" && i + 1 < argc) {
      precincts = std::atoll(argv[++i]);
    } else if (a == "--releases" && i + 1 < argc) {
      releases = std::atoi(argv[++i]);
    } else if (a == "--whole") {
      whole = true;
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      Die("usage: release_storage_bench [--precincts N] [--releases K] [--whole] [--dir DIR]");
    }
  }
  auto path = RulesetPath("iowa-dem-2020");
  if (!path.ok()) Die(path.status().ToString());
  auto toml = ReadFile(*path);
  if (!toml.ok()) Die(toml.status().ToString());
  auto ruleset = ParseRuleset(*toml, *path);
  if (!ruleset.ok()) Die(ruleset.status().ToString());
  Election election;
  if (precincts == 0) {
    const std::string d = std::string(CANVASS_SOURCE_DIR) + "/data/iowa-2020";
    auto loaded =
        LoadElectionFiles(d + "/results-first-complete-2020-02-08-long.csv",
                          d + "/apportionment.csv", d + "/county-congressional-district.csv");
    if (!loaded.ok()) Die(loaded.status().ToString());
    election = std::move(loaded).value();
  } else {
    election = MakeSyntheticElection(*ruleset, precincts, 8, 1);
  }
  Night night;
  Report(night, election, *ruleset, *toml);

  const bool temporary = dir.empty();
  if (temporary) {
    dir = (std::filesystem::temp_directory_path() /
           fmt::format("canvass-release-storage-{}", ::getpid()))
              .string();
  }
  std::filesystem::create_directories(dir);
  const std::string location = dir + "/store.db";
  auto store = OpenStore(location);
  if (!store.ok()) Die(store.status().ToString());
  Store& db = **store;
  int64_t added = 0;  // bytes of blobs the store did not hold yet
  const BlobPut put = [&](const std::string& sha, std::string_view bytes) {
    auto had = db.GetBlob(sha);
    if (!had.ok()) return had.status();
    if (!had->has_value()) added += static_cast<int64_t>(bytes.size());
    return db.PutBlob(sha, bytes);
  };
  const BlobGet get = [&](const std::string& sha) { return db.GetBlob(sha); };
  const SigningKey key = *SigningKeyFromSeed(std::string(64, '7'));

  std::printf("%s, %zu precincts, %s\n", precincts == 0 ? "Iowa 2020" : "simulated",
              night.state.precincts().size(),
              whole ? "files stored whole" : "files stored by part");
  std::printf("release  corrected  release_bytes  added_bytes  build_store_ms\n");
  int64_t from = 1;
  int64_t added_after_first = 0;
  int64_t bytes_after_first = 0;
  for (int k = 0; k <= releases; ++k) {
    int64_t corrected = 0;
    if (k > 0) {
      corrected = CorrectOne(night, from);
      from = corrected + 97;
    }
    PublishedFiles previous;
    if (!night.state.releases().empty()) {
      auto bytes = ReadPublishedRelease(get, night.state.releases().back());
      if (!bytes.ok()) Die(bytes.status().ToString());
      previous = std::move(bytes).value();
    }
    const int64_t before = added;
    const auto start = std::chrono::steady_clock::now();
    Result<Release> rel = Status::Ok();
    if (whole) {
      rel = BuildRelease(night.state, previous.view());
      if (!rel.ok()) Die(rel.status().ToString());
      for (const ReleaseFile* f : rel->files()) {
        Status st = put(f->sha256, f->bytes);
        if (!st.ok()) Die(st.ToString());
      }
    } else {
      rel = BuildAndStoreRelease(night.state, previous.view(), put);
      if (!rel.ok()) Die(rel.status().ToString());
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    int64_t size = 0;
    for (const ReleaseFile* f : rel->files()) size += f->size;
    std::printf("%7lld  %9lld  %13lld  %11lld  %14.0f\n", static_cast<long long>(rel->number),
                static_cast<long long>(corrected), static_cast<long long>(size),
                static_cast<long long>(added - before), ms);
    if (k > 0) {
      added_after_first += added - before;
      bytes_after_first += size;
    }
    night.Append("release-published", ReleaseEventPayload(*rel, SignHex(key, rel->json.bytes),
                                                          SignHex(key, rel->root.bytes)));
  }
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "releases 2..%d: %lld bytes of releases, %lld bytes added to the store (%.1f%%, %lld per "
      "release)\n",
      releases + 1, static_cast<long long>(bytes_after_first),
      static_cast<long long>(added_after_first),
      bytes_after_first == 0 ? 0.0 : 100.0 * added_after_first / bytes_after_first,
      static_cast<long long>(releases == 0 ? 0 : added_after_first / releases));
  std::printf(
      "blob file on disk: %lld bytes (%s-blobs and its WAL); peak RSS %ld MiB\n",
      static_cast<long long>(FileBytes(location + "-blobs") + FileBytes(location + "-blobs-wal")),
      location.c_str(), usage.ru_maxrss / 1024);
  store->reset();
  if (temporary) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace canvass::bench

int main(int argc, char** argv) { return canvass::bench::Main(argc, argv); }
