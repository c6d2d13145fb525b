// Nevada's early-vote cards in a release (docs/releases.md, docs/tabulation.md): the alignments
// are counted as the rules count them (in person plus the valid cards), and every precinct, county,
// district and the state carry the early and in-person parts beside the total, in the JSON, both
// CSVs and the CDF; total = in person + early everywhere, and the parts add up across areas. An
// election without early vote (Iowa) gets none of the new keys or columns (its golden files are
// unchanged).
//
// Regenerate golden/nevada/ after an intended format change with
//   CANVASS_UPDATE_GOLDEN=1 build-h1/tests/canvass_publish_tests --gtest_filter='GoldenNevada*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "io/csv.h"
#include "nevada_fixture.h"
#include "publish/release.h"
#include "publish/signing.h"

namespace canvass::publish_test {
namespace {

std::string GoldenDir() {
  return std::string(CANVASS_TEST_CASES_DIR) + "/../publish/golden/nevada";
}

void CheckGolden(const std::string& name, const std::string& bytes) {
  const std::string path = GoldenDir() + "/" + name;
  if (std::getenv("CANVASS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << bytes;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing: run with CANVASS_UPDATE_GOLDEN=1";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), bytes) << name << " differs from its golden file";
}

Release NevadaRelease(Ledger& l) {
  BuildNevadaFixture(l);
  auto rel = BuildRelease(l.state);
  EXPECT_TRUE(rel.ok()) << rel.status().ToString();
  return rel.ok() ? *rel : Release{};
}

// A CSV file as rows of column name -> cell.
std::vector<std::map<std::string, std::string>> Rows(const std::string& csv) {
  std::vector<std::map<std::string, std::string>> out;
  std::vector<std::string> head;
  CsvReader reader(csv, "release csv");
  bool more = true;
  while (true) {
    Status st = reader.Next(&more);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || !more) break;
    std::vector<std::string> cells;
    for (size_t i = 0; i < reader.size(); ++i) cells.emplace_back(reader[i]);
    if (head.empty()) {
      EXPECT_EQ(cells.size(), reader.size());
      head = std::move(cells);
      continue;
    }
    EXPECT_EQ(cells.size(), head.size());
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < head.size() && i < cells.size(); ++i) row[head[i]] = cells[i];
    out.push_back(std::move(row));
  }
  return out;
}

int64_t Fig(const json& figures, const std::string& name) {
  return figures.is_object() ? figures.value(name, int64_t{0}) : 0;
}

TEST(GoldenNevadaRelease, EveryFormatHasFixedBytes) {
  Ledger l;
  const Release rel = NevadaRelease(l);
  ASSERT_EQ(rel.number, 1);
  for (const ReleaseFile* f : rel.files()) CheckGolden(f->name, f->bytes);
  CheckGolden(ReleaseSignatureName(1), SignHex(FixtureKey(), rel.json.bytes) + "\n");
  CheckGolden("ledger.jsonl", l.JsonLines());
}

// The memo's examples, summed by hand: Clark 1003's card is never counted (not reported), the
// void card nowhere, Washoe 2003's card at the first alignment only.
TEST(NevadaRelease, StateTotalsAreInPersonPlusTheCards) {
  Ledger l;
  const Release rel = NevadaRelease(l);
  const json doc = json::parse(rel.json.bytes);
  const json& state = doc["tabulation"]["totals"]["computed"]["state"];
  struct Want {
    const char* name;
    int64_t first_in_person, first_early, final_in_person, final_early;
  };
  for (const Want& w :
       {Want{"Biden", 28, 1, 28, 1}, Want{"Buttigieg", 14, 0, 15, 1}, Want{"Sanders", 20, 2, 15, 3},
        Want{"Steyer", 0, 1, 0, 0}, Want{"Warren", 4, 2, 0, 0}}) {
    const json& t = state[w.name];
    EXPECT_EQ(t["first_in_person"], w.first_in_person) << w.name;
    EXPECT_EQ(t["first_early"], w.first_early) << w.name;
    EXPECT_EQ(t["first"], w.first_in_person + w.first_early) << w.name;
    EXPECT_EQ(t["final_in_person"], w.final_in_person) << w.name;
    EXPECT_EQ(t["final_early"], w.final_early) << w.name;
    EXPECT_EQ(t["final"], w.final_in_person + w.final_early) << w.name;
  }
  // The head counts are the same on both sides.
  EXPECT_EQ(doc["tabulation"]["totals"]["reported"]["state"]["Sanders"]["final_early"], 3);
  // Shares and the leader are of the totals: Biden 29 of 63 at the final alignment.
  EXPECT_EQ(doc["tabulation"]["totals"]["computed"]["summary"]["shares"]["Biden"]["final"],
            "46.03");
}

// Every area's total is its in-person part plus its early part, and each part is the sum of the
// included precincts' parts of that area.
TEST(NevadaRelease, EveryAreaAddsUp) {
  Ledger l;
  const Release rel = NevadaRelease(l);
  const json doc = json::parse(rel.json.bytes);
  const json entries = EntriesOf(rel);
  // Sums of the precinct entries, by area key ("state", "county:Clark", "district:3").
  std::map<std::string, std::map<std::string, std::map<std::string, int64_t>>> sums;
  int64_t with_cards = 0;
  for (const json& p : entries) {
    if (!p["included"].get<bool>()) {
      EXPECT_TRUE(p["alignments"].is_null()) << p.dump();
      continue;
    }
    const json& a = p["alignments"];
    ASSERT_TRUE(a.is_object()) << p.dump();
    EXPECT_EQ(a["in_person"]["first"], p["reported"]["first"]);
    with_cards += a["early"]["first"].empty() ? 0 : 1;
    std::vector<std::string> areas = {"state", "county:" + p["county"].get<std::string>()};
    if (p["district"].is_string()) areas.push_back("district:" + p["district"].get<std::string>());
    for (const std::string& c : kNevadaCandidates) {
      for (const char* al : {"first", "final"}) {
        const int64_t in_person = Fig(a["in_person"][al], c);
        const int64_t early = Fig(a["early"][al], c);
        EXPECT_EQ(Fig(a["total"][al], c), in_person + early) << p["id"] << " " << c << " " << al;
        if (a["in_person"][al].is_null()) {
          EXPECT_TRUE(a["early"][al].is_null() && a["total"][al].is_null());
        }
        for (const std::string& area : areas) {
          sums[area][c][std::string(al) + "_in_person"] += in_person;
          sums[area][c][std::string(al) + "_early"] += early;
        }
      }
    }
  }
  EXPECT_EQ(with_cards, 3);  // Clark 1001 and 1002, Washoe 2003
  for (const char* side : {"reported", "computed"}) {
    const json& totals = doc["tabulation"]["totals"][side];
    std::vector<std::pair<std::string, const json*>> areas = {{"state", &totals["state"]}};
    for (const auto& [name, t] : totals["counties"].items())
      areas.push_back({"county:" + name, &t});
    for (const auto& [name, t] : totals["districts"].items()) {
      areas.push_back({"district:" + name, &t});
    }
    EXPECT_EQ(areas.size(), 6u);  // the state, Clark and Washoe, districts 1, 2 and 3
    for (const auto& [key, area] : areas) {
      for (const std::string& c : kNevadaCandidates) {
        const json& t = (*area)[c];
        for (const char* al : {"first", "final"}) {
          const std::string a(al);
          EXPECT_EQ(t[a].get<int64_t>(),
                    t[a + "_in_person"].get<int64_t>() + t[a + "_early"].get<int64_t>())
              << side << " " << key << " " << c << " " << al;
          EXPECT_EQ(t[a + "_in_person"], sums[key][c][a + "_in_person"]) << key << " " << c;
          EXPECT_EQ(t[a + "_early"], sums[key][c][a + "_early"]) << key << " " << c;
        }
      }
    }
  }
}

// The CSVs say what the JSON says: the totals file per area, the precincts file per precinct.
TEST(NevadaRelease, CsvColumnsAreTheJsonFigures) {
  Ledger l;
  const Release rel = NevadaRelease(l);
  const json doc = json::parse(rel.json.bytes);
  const json entries = EntriesOf(rel);
  const json& totals = doc["tabulation"]["totals"]["computed"];
  const auto rows = Rows(rel.totals_csv.bytes);
  ASSERT_EQ(rows.size(), 6u * kNevadaCandidates.size());
  for (const auto& row : rows) {
    const std::string& type = row.at("area_type");
    const json& t = type == "state"    ? totals["state"][row.at("candidate")]
                    : type == "county" ? totals["counties"][row.at("area")][row.at("candidate")]
                                       : totals["districts"][row.at("area")][row.at("candidate")];
    for (const char* column :
         {"first", "first_in_person", "first_early", "final", "final_in_person", "final_early"}) {
      EXPECT_EQ(row.at(column), std::to_string(t[column].get<int64_t>()))
          << type << " " << row.at("area") << " " << row.at("candidate") << " " << column;
    }
  }
  const auto precincts = Rows(rel.precincts_csv.bytes);
  ASSERT_EQ(precincts.size(), 5u * kNevadaCandidates.size());
  for (const auto& row : precincts) {
    const json& entry = entries[std::stoi(row.at("precinct_id")) - 1];
    const std::string& c = row.at("candidate");
    for (const char* al : {"first", "final"}) {
      const std::string a(al);
      const json& alignments = entry["alignments"];
      if (alignments.is_null() || alignments["total"][a].is_null()) {
        for (const std::string& col : {a, a + "_in_person", a + "_early"}) {
          EXPECT_EQ(row.at(col), "") << entry["id"] << " " << col;
        }
        continue;
      }
      EXPECT_EQ(row.at(a), std::to_string(Fig(alignments["total"][a], c)));
      EXPECT_EQ(row.at(a + "_in_person"), std::to_string(Fig(alignments["in_person"][a], c)));
      EXPECT_EQ(row.at(a + "_early"), std::to_string(Fig(alignments["early"][a], c)));
    }
  }
}

// In the CDF, every reporting unit's total count is its in-person count plus its early-vote
// count, for both alignments, and the state's are the JSON's.
TEST(NevadaRelease, CdfCountsAddUp) {
  Ledger l;
  const Release rel = NevadaRelease(l);
  const json cdf = json::parse(rel.cdf.bytes);
  const json doc = json::parse(rel.json.bytes);
  const json& contest = cdf["Election"][0]["Contest"][0];
  int64_t units = 0;
  for (size_t c = 0; c < kNevadaCandidates.size(); ++c) {
    std::map<std::string, std::map<std::string, int64_t>> by_unit;
    for (const json& v : contest["ContestSelection"][c]["VoteCounts"]) {
      by_unit[v["GpUnitId"].get<std::string>()][v["OtherType"].get<std::string>()] =
          v["Count"].get<int64_t>();
    }
    for (auto& [unit, counts] : by_unit) {
      for (const std::string al : {"first-alignment", "final-alignment"}) {
        if (!counts.count(al)) continue;
        ASSERT_TRUE(counts.count(al + "-in-person") && counts.count(al + "-early-vote")) << unit;
        EXPECT_EQ(counts[al], counts[al + "-in-person"] + counts[al + "-early-vote"])
            << unit << " " << kNevadaCandidates[c] << " " << al;
        ++units;
      }
    }
    const json& state = doc["tabulation"]["totals"]["computed"]["state"][kNevadaCandidates[c]];
    EXPECT_EQ(by_unit["gpu-state"]["first-alignment-early-vote"], state["first_early"]);
    EXPECT_EQ(by_unit["gpu-state"]["final-alignment"], state["final"]);
  }
  // Per candidate: the state, 3 districts, 2 counties, 4 precincts reported (first) and 3 with
  // a final alignment.
  EXPECT_EQ(units, static_cast<int64_t>(kNevadaCandidates.size()) * (6 * 2 + 4 + 3));
}

// A precinct the anomaly gate holds keeps its alignments in its entry (what was reported, with
// its cards) but adds nothing to any total, its cards included.
TEST(NevadaRelease, AHeldPrecinctsCardsCountNowhere) {
  Ledger l;
  BuildNevadaFixture(l);
  // Clark 1003 reports Washoe 2002's figures, in both alignments: a duplicate, held with it.
  const json same = Figures({{"Biden", 8}, {"Sanders", 12}});
  l.Add("first-alignment-reported", {{"precinct", 5}, {"submission", "y1"}, {"first", same}});
  l.Add("final-alignment-reported", {{"precinct", 5}, {"submission", "y2"}, {"final", same}});
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  const json doc = json::parse(rel->json.bytes);
  const json entries = EntriesOf(*rel);
  const json& held = entries[4];
  ASSERT_TRUE(held["flags"]["held"].get<bool>()) << held.dump();
  EXPECT_TRUE(entries[2]["flags"]["held"].get<bool>());
  EXPECT_EQ(held["alignments"]["early"]["first"], json({{"Biden", 1}}));
  EXPECT_EQ(held["alignments"]["total"]["first"], json({{"Biden", 9}, {"Sanders", 12}}));
  // Clark 1001 and 1002 and Washoe 2003 alone: Biden 10 + 10 in person, 1 card.
  const json& biden = doc["tabulation"]["totals"]["computed"]["state"]["Biden"];
  EXPECT_EQ(biden["first_in_person"], 20);
  EXPECT_EQ(biden["first_early"], 1);
  EXPECT_EQ(biden["first"], 21);
  for (const auto& row : Rows(rel->precincts_csv.bytes)) {
    if (row.at("held") == "true") {
      EXPECT_EQ(row.at("first_early"), "") << row.at("precinct_id");
    }
  }
}

// An election without early vote publishes none of it.
TEST(NevadaRelease, IowaHasNoEarlyVoteKeys) {
  Ledger l;
  BuildFixture(l);
  auto rel = BuildRelease(l.state);
  ASSERT_TRUE(rel.ok());
  for (const ReleaseFile* f : rel->files()) {
    for (const char* word : {"early", "in_person", "in-person", "alignments"}) {
      EXPECT_EQ(f->bytes.find(word), std::string::npos) << f->name << " has " << word;
    }
  }
}

}  // namespace
}  // namespace canvass::publish_test
