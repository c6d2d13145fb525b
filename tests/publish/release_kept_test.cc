// The publisher's releases compared through what it kept of the previous one (release_delta.h
// PreviousRelease::digests_only) instead of reading it back: the same bytes as a release compared
// with the previous release's JSON, without reading it while the kept figures suffice, and
// reading it when they do not (another release's, or figures that are not what it showed).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "core/sha256.h"
#include "publish/release_delta.h"
#include "publish/release_files.h"
#include "publish/release_fixture.h"

namespace canvass::publish_test {
namespace {

class ReleaseKept : public ::testing::Test {
 protected:
  // Builds the next release as the publisher does, through `kept`; checks every file against
  // BuildRelease compared with the previous release as published; publishes it; returns what to
  // keep (built_from set as the publisher sets it). `reads` counts the reads of the previous
  // release.
  std::unique_ptr<PreviousRelease> Next(const PreviousRelease* kept) {
    reads = 0;
    const PublishedFiles previous =
        l.state.releases().empty() ? PublishedFiles{}
                                   : *ReadPublishedRelease(store.Get(), l.state.releases().back());
    auto read = [&]() -> Result<PublishedFiles> {
      ++reads;
      return previous;
    };
    auto keep = std::make_unique<PreviousRelease>();
    ReleaseTimings timings;
    auto rel = BuildAndStoreRelease(l.state, kept, read, store.Put(), keep.get(), &timings);
    entries_kept = timings.entries_kept;
    EXPECT_TRUE(rel.ok()) << rel.status().ToString();
    if (!rel.ok()) return nullptr;
    auto expected = BuildRelease(l.state, previous.view());
    EXPECT_TRUE(expected.ok()) << expected.status().ToString();
    if (!expected.ok()) return nullptr;
    const auto a = rel->files();
    const auto b = expected->files();
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i]->sha256, b[i]->sha256) << a[i]->name;
      auto read_back = ReadStoredFile(store.Get(), a[i]->name, a[i]->sha256, a[i]->manifest_sha256);
      EXPECT_TRUE(read_back.ok() && *read_back == b[i]->bytes) << a[i]->name;
    }
    EXPECT_TRUE(keep->digests_only);
    EXPECT_EQ(keep->number, rel->number);
    EXPECT_EQ(keep->sha256, rel->json.sha256);
    EXPECT_EQ(keep->digests.size(), l.state.precincts().size());
    keep->built_from = l.state.Snapshot();
    l.Add("release-published", ReleaseEventPayload(*rel, SignHex(FixtureKey(), rel->json.bytes),
                                                   SignHex(FixtureKey(), rel->root.bytes)));
    return keep;
  }

  // Adair 1NW (precinct 1) corrected: Biden's group in both alignments, the others as reported.
  void CorrectAdair(const std::string& reason, int biden) {
    const json figures =
        Figures({{"Biden", biden}, {"Buttigieg", 31}, {"Sanders", 15}, {"Warren", 12}});
    l.Add("report-corrected",
          {{"precinct", 1}, {"reason", reason}, {"first", figures}, {"final", figures}});
  }

  int64_t Precincts() const { return static_cast<int64_t>(l.state.precincts().size()); }

  Ledger l;
  MapStore store;
  int reads = 0;
  int64_t entries_kept = 0;  // entries written as the previous release wrote them
};

TEST_F(ReleaseKept, NewAndChangedPrecinctsAreComparedWithoutReadingThePreviousRelease) {
  BuildFixture(l);
  auto one = Next(nullptr);
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(reads, 0);  // release 1 has no previous release

  // A precinct reports for the first time; Stuart, shown with its first alignment only, reports
  // its final: a new precinct and a changed one.
  AddVermillion(l);
  l.Add("final-alignment-reported",
        {{"precinct", 2},
         {"submission", "s2"},
         {"final", Figures({{"Buttigieg", 30}, {"Sanders", 40}, {"Warren", 30}})}});
  auto two = Next(one.get());
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(reads, 0);
  // Every other precinct's entry written as release 1 wrote it (and checked above byte for
  // byte against a release built afresh).
  EXPECT_EQ(entries_kept, Precincts() - 2);

  // A correction of a counted precinct, and nothing else new: of the four counted, one updated.
  CorrectAdair("a late arrival counted", 23);
  auto three = Next(two.get());
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(reads, 0);
  EXPECT_EQ(entries_kept, Precincts() - 1);
  auto text = ReadReleaseFile(store.Get(), l.state.releases().back(), ReleaseJsonName(3));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const json doc = json::parse(*text);
  EXPECT_EQ(doc["delta"]["precincts"]["updated"], 1) << doc["delta"].dump();
  EXPECT_EQ(doc["delta"]["precincts"]["unchanged"], 3) << doc["delta"].dump();
}

TEST_F(ReleaseKept, WhatWasKeptOfAnotherReleaseOrDoesNotMatchIsNotUsed) {
  BuildFixture(l);
  auto one = Next(nullptr);
  ASSERT_NE(one, nullptr);
  AddVermillion(l);
  auto two = Next(one.get());
  ASSERT_NE(two, nullptr);
  ASSERT_EQ(reads, 0);

  // Kept of release 1, not of release 2: release 3 reads release 2.
  CorrectAdair("a late arrival counted", 23);
  auto three = Next(one.get());
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(entries_kept, 0);  // nor its entries

  // A kept digest that is not what release 3 showed of a precinct that changed since: its
  // figures cannot be recomputed and trusted, so release 4 reads release 3.
  CorrectAdair("counted twice", 22);
  three->digests[0].sha[0] ^= 1;
  auto four = Next(three.get());
  ASSERT_NE(four, nullptr);
  EXPECT_EQ(reads, 1);

  // Without the state it was built from, a changed precinct's figures are not known either.
  CorrectAdair("the first count was right", 23);
  four->built_from = nullptr;
  auto five = Next(four.get());
  ASSERT_NE(five, nullptr);
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(entries_kept, 0);  // nor whether a precinct's record is the same

  // And a ledger with nothing new about precincts still compares through the kept digests.
  l.Add("campaign-attestation",
        {{"precinct", 3},
         {"submission", "d2"},
         {"verdict", "dispute"},
         {"reason", "the coin toss"},
         {"revision", 1}},
        Actor{"campaign", "SAN1"});
  auto six = Next(five.get());
  ASSERT_NE(six, nullptr);
  EXPECT_EQ(reads, 0);
  // The disputed precinct's entry is built again (its flag changed); the others are kept.
  EXPECT_EQ(entries_kept, Precincts() - 1);
}

// The tabulation through the kept running sums: a precinct held by the gate is taken away from
// them, and added again when its hold ends; a county whose only precinct is held leaves the
// totals, and its district with it. Every release is checked byte for byte against one built
// afresh (Next).
TEST_F(ReleaseKept, HeldPrecinctsLeaveTheKeptSumsAndComeBack) {
  BuildFixture(l);
  auto one = Next(nullptr);
  ASSERT_NE(one, nullptr);
  auto tabulated = [&](int64_t n) {
    auto text = ReadReleaseFile(store.Get(), l.state.releases().back(), ReleaseJsonName(n));
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? json::parse(*text) : json();
  };
  const json adair = Figures({{"Biden", 22}, {"Buttigieg", 31}, {"Sanders", 15}, {"Warren", 12}});
  // Fontanelle (5) reports Adair 1NW's figures: one form keyed twice, both held.
  l.Add("first-alignment-reported", {{"precinct", 5}, {"submission", "f1"}, {"first", adair}});
  l.Add("final-alignment-reported", {{"precinct", 5}, {"submission", "f2"}, {"final", adair}});
  auto two = Next(one.get());
  ASSERT_NE(two, nullptr);
  json doc = tabulated(2);
  EXPECT_EQ(doc["held"].size(), 2u) << doc["held"].dump();
  EXPECT_TRUE(doc["tabulation"]["totals"]["reported"]["counties"].contains("Osceola"));
  EXPECT_TRUE(doc["tabulation"]["totals"]["reported"]["districts"].contains("4"));

  // Ocheyedan (4), Osceola's only precinct, corrected to the same figures: held too, so that
  // Osceola and its district 4 leave the totals.
  l.Add("report-corrected",
        {{"precinct", 4}, {"reason", "misread"}, {"first", adair}, {"final", adair}});
  auto three = Next(two.get());
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(reads, 0);
  doc = tabulated(3);
  EXPECT_EQ(doc["held"].size(), 3u) << doc["held"].dump();
  EXPECT_FALSE(doc["tabulation"]["totals"]["reported"]["counties"].contains("Osceola"));
  EXPECT_FALSE(doc["tabulation"]["totals"]["reported"]["districts"].contains("4"));

  // Corrections end the holds one by one: Adair 1NW differs (4 and 5 stay alike), then
  // Ocheyedan does.
  CorrectAdair("a late arrival counted", 23);
  auto four = Next(three.get());
  ASSERT_NE(four, nullptr);
  EXPECT_EQ(tabulated(4)["held"].size(), 2u);
  const json och = Figures({{"Buttigieg", 3}, {"Klobuchar", 1}, {"Sanders", 1}});
  l.Add("report-corrected",
        {{"precinct", 4}, {"reason", "the worksheet"}, {"first", och}, {"final", och}});
  auto five = Next(four.get());
  ASSERT_NE(five, nullptr);
  doc = tabulated(5);
  EXPECT_EQ(doc["held"].size(), 0u) << doc["held"].dump();
  EXPECT_TRUE(doc["tabulation"]["totals"]["reported"]["counties"].contains("Osceola"));
  EXPECT_EQ(doc["reporting"]["included"], 4);  // Vermillion (3) has not reported
}

}  // namespace
}  // namespace canvass::publish_test
