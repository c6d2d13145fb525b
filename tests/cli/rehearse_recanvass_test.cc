// `canvass rehearse --recanvass`: after the night, the 2020 recanvass played on the party's own
// record over the API (src/rehearse/recanvass.h), checked against counts derived apart from the
// engine.
//
// The counts below come from the two files alone, with this Python (NormaliseName's spaces and
// entities; SDEs compared at the four places the releases print):
//
//   import csv, collections, re, html
//   from decimal import Decimal, ROUND_HALF_UP
//   def norm(s): return re.sub(r'\s+', ' ', html.unescape(html.unescape(s)).strip())
//   def load(f):
//     d = collections.defaultdict(lambda: collections.defaultdict(dict))
//     for r in csv.DictReader(open(f)):
//       v = r['value']
//       d[norm(r['county']), norm(r['precinct'])][r['measure']][r['candidate']] = (
//           Decimal(v).quantize(Decimal('0.0001'), ROUND_HALF_UP) if r['measure'] == 'sde'
//           else int(v))
//     return d
//   a = load('results-first-complete-2020-02-08-long.csv')
//   b = load('results-certified-2020-04-07-long.csv')
//   units = {(norm(r['county']), norm(r['precinct'])) for r in csv.DictReader(open(
//       'apportionment.csv'))}
//   differ = [k for k in units if a[k] != b[k]]                       # 101
//   heads = [k for k in differ if a[k]['expression_1'] != b[k]['expression_1']
//            or a[k]['expression_2'] != b[k]['expression_2']]          # 69: head counts differ
//   exceeds = [k for k in differ if sum(b[k]['expression_2'].values())
//              > sum(b[k]['expression_1'].values())]                   # 7: certified final > T
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "cli/command.h"
#include "core/text.h"
#include "io/csv.h"
#include "rehearse/server_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;
using canvass::cli_test::Slurp;

const std::string kData = std::string(CANVASS_DATA_DIR) + "/iowa-2020/";

class RehearseRecanvassTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("canvass-recanvass-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The report's "recanvass" member.
  json Recanvass(const std::string& path) {
    json j = json::parse(Slurp(path), nullptr, false);
    EXPECT_TRUE(j.is_object()) << path;
    return j.is_object() ? j.value("recanvass", json()) : json();
  }

  fs::path dir_;
};

// The whole night of the 8 February release, then the recanvass. The rules refuse 92 of its
// reports (tests/cli/rehearse_test.cc): those precincts never have a final alignment, so no
// release is ever complete and the request window never opens. Each of the 101 precincts where
// the two records differ is still asked for, and each request is refused, named, in the report.
TEST_F(RehearseRecanvassTest, OnTheDemoNightTheWindowNeverOpensAndEveryRefusalIsReported) {
  const std::string report = (dir_ / "report.json").string();
  CommandRun run = Canvass(
      "rehearse --demo --recanvass --compress max --fast-kdf --faults none --publish interval:1 "
      "--dir " +
      (dir_ / "iowa").string() + " --json " + report);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("No complete release: requests never open. 92 precincts"),
            std::string::npos)
      << run.out;
  const json r = Recanvass(report);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["compared"], 1765);
  EXPECT_EQ(r["differing"], 101);  // `differ` above
  EXPECT_EQ(r["missing_final"], 92);
  EXPECT_TRUE(r["deadline"].is_null());
  EXPECT_EQ(r["requested"], 101);
  EXPECT_EQ(r["refused"], 101);
  EXPECT_EQ(r["refusals"], json({{"no-complete-release", 101}}));
  EXPECT_EQ(r["accepted"], 0);
  EXPECT_EQ(r["entered"], 0);
  EXPECT_EQ(r["corrected"], 0);
  // Nothing was corrected; what already equals the certified record is where only an SDE
  // differs and the rules, on the night, computed the certified delegates. Every other precinct
  // is named with the refusal.
  int64_t refused_named = 0;
  for (const json& p : r["precincts"]) {
    EXPECT_EQ(p["request"], 0);
    if (!p["matches"].get<bool>()) {
      ++refused_named;
      EXPECT_NE(p["why"].get<std::string>().find("no-complete-release"), std::string::npos);
    }
  }
  EXPECT_EQ(r["now_equal"].get<int64_t>() + refused_named, 101);
  EXPECT_EQ(r["unmatched_why"], json({{"request refused", refused_named}}));
}

// The recanvass itself, on an election of the 90 differing precincts whose 8 February reports
// the rules accept (the 101 of `differ` less the 11 refused on the night: Black Hawk / WL 1-1,
// Buena Vista / TRUESDALE WASHINGTON GRANT, Cherokee / #7 Cherokee Ward 3, Davis / Bloomfield
// Ward 3, Dubuque / Dubuque_43, Polk / DES MOINES-55, -62 and -80, Scott / (B23) City of
// Bettendorf and (D63) City of Davenport, Webster / Fort Dodge 09). Same code path as the demo,
// with a complete release: every request is filed, accepted and entered.
constexpr std::pair<const char*, const char*> kAccepted[] = {
    {"Adair", "4SE ORIENT"},
    {"Adams", "Adams 2"},
    {"Appanoose", "Bellair/Lincoln"},
    {"Black Hawk", "CF W4 P1"},
    {"Buchanan", "Independence 2nd Ward"},
    {"CD1 Satellite", "Cedar Rapids, IA - Cedar Rapids Public Library, Whipple Auditorium"},
    {"CD1 Satellite", "Cedar Rapids, IA - Hoover Elementary School"},
    {"CD1 Satellite", "Cedar Rapids, IA - RWDSU Local 110"},
    {"CD1 Satellite", "Cedar Rapids, IA - The Hotel at Kirkwood Center"},
    {"CD1 Satellite", "Cedar Rapids, IA - The Meth-Wick Community"},
    {"CD1 Satellite", "Dubuque, IA - University of Dubuque Heritage Center, Room 204"},
    {"CD1 Satellite", "Edgewood, IA - Edgewood Convalescent"},
    {"CD1 Satellite", "Grinnell, IA - Drake Library"},
    {"CD1 Satellite", "Grinnell, IA - Mayflower Retirement Community Carmen Center"},
    {"CD1 Satellite", "Osage, IA - Faith Luthern Home"},
    {"Carroll", "Carroll Ward Two & N1/2 Maple River Twp"},
    {"Carroll", "Washington-Roselle"},
    {"Cedar", "LINN/PIONEER"},
    {"Cerro Gordo", "Mason City W-2 P-3"},
    {"Cherokee", "#2 Cleghorn"},
    {"Cherokee", "#3 Quimby"},
    {"Chickasaw", "City of New Hampton Ward Three"},
    {"Clayton", "MARION"},
    {"Clinton", "CLINTON 2-1"},
    {"Clinton", "ELK RIVER HAMPSHIRE ANDOV"},
    {"Decatur", "DE/Decatur City"},
    {"Delaware", "Richland/Coffins Grove"},
    {"Des Moines", "PCT 1T"},
    {"Dickinson", "Precinct No. 05"},
    {"Dubuque", "Dubuque_31"},
    {"Dubuque", "Dubuque_36"},
    {"Dubuque", "Dubuque_45"},
    {"Fayette", "AUBURN TWP"},
    {"Fayette", "BETHEL-WINDSOR TWP"},
    {"Fayette", "HARLAN TWP"},
    {"Fayette", "WEST UNION - WARD 2"},
    {"Guthrie", "Gold"},
    {"Hardin", "Iowa Falls #2"},
    {"Harrison", "Precinct #07 - Woodbine"},
    {"Henry", "Mt. Pleasant Ward 4"},
    {"Jackson", "Jackson 10"},
    {"Jasper", "Newton 4-2"},
    {"Johnson", "BIG GROVE TOWNSHIP"},
    {"Johnson", "IOWA CITY 08"},
    {"Johnson", "IOWA CITY 24"},
    {"Johnson", "NL06/MADISON /CCN"},
    {"Linn", "Marion 08"},
    {"Linn", "Monroe 1"},
    {"Marion", "Lake Prairie Township"},
    {"Marshall", "TIMBER CREEK"},
    {"Monroe", "MELROSE - Monroe Precinct 7"},
    {"Muscatine", "Muscatine 02nd"},
    {"Muscatine", "Muscatine 03rd"},
    {"Muscatine", "Muscatine 08th"},
    {"Muscatine", "Muscatine 09th"},
    {"O'Brien", "Sheldon 3rd Ward"},
    {"Osceola", "Ocheyedan Precinct 0500"},
    {"Out of State Satellite", "Fairfax, VA - George Mason University"},
    {"Page", "Clarinda Ward 2"},
    {"Plymouth", "Plymouth 06/Wf"},
    {"Polk", "DES MOINES-14"},
    {"Polk", "DES MOINES-24"},
    {"Polk", "DES MOINES-28"},
    {"Polk", "DES MOINES-40"},
    {"Polk", "DES MOINES-42"},
    {"Polk", "DES MOINES-71"},
    {"Polk", "WDM-212"},
    {"Pottawattamie", "Council Bluff 04"},
    {"Pottawattamie", "Walnut"},
    {"Sac", "Early"},
    {"Scott", "(BG) Blue Grass Township"},
    {"Scott", "(D52) City of Davenport"},
    {"Scott", "(D62) City of Davenport"},
    {"Scott", "(LB) Liberty Township"},
    {"Sioux", "OC 1/Holland West"},
    {"Wapello", "Ottumwa Pct 08"},
    {"Warren", "GR1-DM86 CITY"},
    {"Warren", "INDIANOLA 2"},
    {"Warren", "NORWALK 1"},
    {"Warren", "PALMYRA TWP"},
    {"Washington", "Ainsworth"},
    {"Washington", "Washington Ward 2"},
    {"Webster", "Otho-Pleasant Valley"},
    {"Winnebago", "Newton Forest"},
    {"Winneshiek", "PCT 06 - DEW5 (Decorah Ward 5)"},
    {"Woodbury", "36 Lawton/Banner"},
    {"Woodbury", "Sioux City 17"},
    {"Woodbury", "Sioux City 20"},
    {"Worth", "Barton/Deer Creek/Union/Grafton"},
    {"Wright", "Eagle Grove #2"},
};

// The rows of a party CSV (county and precinct first) whose unit is in kAccepted.
std::string Subset(const std::string& text, const std::string& origin) {
  std::set<std::string> keep;
  for (auto [c, p] : kAccepted) keep.insert(canvass::NormaliseName(c) + "|" + p);
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  canvass::CsvReader r(text, origin);
  bool has = false;
  std::string out = lines[0] + "\n";
  EXPECT_TRUE(r.Next(&has).ok());
  while (r.Next(&has).ok() && has) {
    const std::string key = canvass::NormaliseName(r[0]) + "|" +
                            canvass::NormaliseName(canvass::NormaliseName(std::string(r[1])));
    if (keep.count(key) != 0) out += lines[static_cast<size_t>(r.line() - 1)] + "\n";
  }
  return out;
}

TEST_F(RehearseRecanvassTest, TheDifferingPrecinctsAreRecanvassedClassifiedAndCompared) {
  const std::string ap = (dir_ / "apportionment.csv").string();
  const std::string feb = (dir_ / "feb.csv").string();
  const std::string cert = (dir_ / "certified.csv").string();
  std::ofstream(ap) << Subset(Slurp(kData + "apportionment.csv"), "apportionment");
  std::ofstream(feb) << Subset(Slurp(kData + "results-first-complete-2020-02-08-long.csv"), "feb");
  std::ofstream(cert) << Subset(Slurp(kData + "results-certified-2020-04-07-long.csv"), "cert");
  const std::string store = (dir_ / "night.db").string();
  const std::string codes = (dir_ / "codes.csv").string();
  CommandRun init =
      Canvass("init --store " + store + " --rules iowa-dem-2020 --apportionment " + ap +
              " --districts " + kData + "county-congressional-district.csv --candidates-from " +
              feb + " --codes-out " + codes + " --fast-kdf");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  ASSERT_NE(init.out.find("90 reporting units"), std::string::npos) << init.out;
  canvass::ServerProcess server(CANVASS_BINARY, dir_.string(), {"--store", store, "--fast-kdf"});
  ASSERT_TRUE(server.Start().ok()) << server.log();
  const std::string report = (dir_ / "report.json").string();
  CommandRun run =
      Canvass("rehearse --url http://127.0.0.1:" + std::to_string(server.port()) + " --codes " +
              codes + " --results " + feb + " --recanvass --certified " + cert +
              " --compress max --faults none --publish interval:1 --json " + report);
  server.Terminate();
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const json r = Recanvass(report);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["compared"], 90);
  EXPECT_EQ(r["differing"], 90);
  EXPECT_EQ(r["missing_final"], 0);
  EXPECT_TRUE(r["deadline"].is_string());
  EXPECT_EQ(r["requested"], 90);
  EXPECT_EQ(r["refused"], 0);
  EXPECT_EQ(r["accepted"], 90);
  EXPECT_EQ(r["entered"], 90);
  // The 5 whose certified counts the rules refuse (`count` below) are first asked for with those
  // counts as claims, refused (impossible-claim), then asked for without claims.
  EXPECT_EQ(r["filed_again"], 5);
  EXPECT_EQ(r["refusals"], json({{"impossible-claim", 5}}));

  // The layers. Every one of the 59 precincts where a head count differs (`heads` above, less the
  // 10 of the 11 refused on the night that are in it) is a transcription, and 4 more where the
  // certified delegates differ from those the record holds; the 31 where only SDEs differ are, but
  // for those 4, entries that agree (27). `count`: the 4 of `exceeds` among the 90 (Adair / 4SE
  // ORIENT 36 > 34, Fayette / BETHEL-WINDSOR TWP 35 > 28, Muscatine / Muscatine 03rd 80 > 75, Polk
  // / DES MOINES-24 69 > 68) and Monroe / MELROSE - Monroe Precinct 7, where Biden grows from 4 to
  // 6 with 1 person free to realign (members of viable groups are locked in). Rule misapplication:
  // 9 worksheets whose delegates are not those the rules give their counts with the record's coin
  // tosses: `canvass check` on the certified subset flags 6 of them allocation-differs; the other 3
  // it accepts as another outcome of a tie (Cherokee / #2 Cleghorn: Biden and Klobuchar 13 each),
  // where the record holds the night's toss.
  EXPECT_EQ(r["layers"],
            json({{"transcription", 63}, {"rule-misapplication", 9}, {"count", 5}, {"none", 27}}));
  int64_t heads = 0, count = 0, agree = 0;
  for (const json& p : r["precincts"]) {
    bool head = false;
    for (const json& d : p["differences"])
      head = head || d.get<std::string>().rfind("sde.", 0) != 0;
    heads += head ? 1 : 0;
    const json& layers = p["layers"];
    const bool in_count = std::find(layers.begin(), layers.end(), "count") != layers.end();
    count += in_count ? 1 : 0;
    if (layers.empty()) {
      ++agree;
      EXPECT_FALSE(head) << p.dump();  // only an SDE differed, and the rules gave it
      EXPECT_TRUE(p["matches"].get<bool>()) << p.dump();
    }
    if (head) {
      EXPECT_EQ(layers[0], "transcription") << p.dump();
    }
    if (in_count) {
      // Never corrected by a recanvass under iowa-dem-2020: only a recount settles it.
      EXPECT_TRUE(p["corrected"].empty()) << p.dump();
      EXPECT_FALSE(p["matches"].get<bool>()) << p.dump();
      EXPECT_NE(p["why"].get<std::string>().find("only a recount"), std::string::npos);
    }
  }
  EXPECT_EQ(heads, 59);
  EXPECT_EQ(count, 5);
  EXPECT_EQ(agree, 27);

  // The comparison with the certified record: 56 corrections; 76 precincts now hold the
  // certified figures (the 27 that agreed and 49 corrected); 14 do not, each with its reason.
  // Linn / Monroe 1 and Woodbury / 36 Lawton/Banner are among the 76: their corrected final
  // alignments leave a tie the room settled, and the worksheet's delegates record it.
  EXPECT_EQ(r["corrected"], 56);
  EXPECT_EQ(r["now_equal"], 76);
  EXPECT_EQ(r["unmatched_why"], json({{"count", 5}, {"rules' delegates", 9}}));
  EXPECT_NE(run.out.find("90 requested, 0 refused (5 filed again without claims), 90 accepted, "
                         "90 worksheets entered, 56 corrected by the workflow; 76 now equal the "
                         "certified record."),
            std::string::npos)
      << run.out;
}

TEST_F(RehearseRecanvassTest, RecanvassOptionsAreCheckedFirst) {
  CommandRun alone = Canvass("rehearse --simulate 5 --certified x.csv --dir " + dir_.string());
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.out.find("--certified goes with --recanvass"), std::string::npos) << alone.out;
  CommandRun none = Canvass("rehearse --simulate 5 --recanvass --dir " + dir_.string());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("--recanvass needs --certified"), std::string::npos) << none.out;
  CommandRun missing = Canvass("rehearse --simulate 5 --recanvass --certified " +
                               (dir_ / "no.csv").string() + " --dir " + dir_.string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("--certified:"), std::string::npos) << missing.out;
}

}  // namespace
