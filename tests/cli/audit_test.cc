// `canvass audit materiality` and `canvass audit eligibility` end to end on the certified Iowa
// record: the JSON's counts and smallest changes, a claimed change that moves a PLEO seat and one
// that does not, and bad claims refused with exit 2 naming what is wrong.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "test_data.h"

namespace {

using canvass::kIowa;
using canvass::cli_test::Canvass;

const std::string kFiles = "--results " + kIowa + "results-certified-2020-04-07-long.csv" +
                           " --apportionment " + kIowa + "apportionment.csv" + " --districts " +
                           kIowa + "county-congressional-district.csv";

TEST(AuditCliTest, MaterialityJsonListsEveryPrecinct) {
  auto run = Canvass("audit materiality --json " + kFiles);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["side"], "reported");
  EXPECT_EQ(doc["summary"]["precincts"], 1765);
  EXPECT_EQ(doc["summary"]["material"], 885);
  EXPECT_EQ(doc["summary"]["by_moving_delegates"], 438);
  EXPECT_EQ(doc["summary"]["only_by_all_delegates"], 447);
  ASSERT_EQ(doc["precincts"].size(), 1765u);
  bool seen = false;
  for (const auto& p : doc["precincts"]) {
    EXPECT_TRUE(p.contains("bound"));
    if (p["county"] == "Warren" && p["precinct"] == "INDIANOLA 1") {
      seen = true;
      EXPECT_EQ(p["bound"], "1.7521");
      const auto& ch = p["smallest_change"];
      EXPECT_EQ(ch["from"], "Buttigieg");
      EXPECT_EQ(ch["to"], "Sanders");
      EXPECT_EQ(ch["delegates"], 2);
      EXPECT_EQ(ch["sde_moved"], "0.4667");
      EXPECT_EQ(ch["pools"][0]["pool"], "PLEO");
      EXPECT_EQ(ch["pools"][0]["after"]["Sanders"], 2);
    }
  }
  EXPECT_TRUE(seen);
}

TEST(AuditCliTest, MaterialityTableLeadsWithTheSmallestChanges) {
  auto run = Canvass("audit materiality " + kFiles);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("a change confined to 885 of them alters a national delegate"),
            std::string::npos)
      << run.out.substr(0, 800);
  const size_t first_row = run.out.find("\nWarren ");
  ASSERT_NE(first_row, std::string::npos);
  EXPECT_NE(run.out.find("move 2 county delegates from Buttigieg to Sanders (0.4666 SDE): PLEO "
                         "Buttigieg 2-1 Sanders becomes 1-2"),
            std::string::npos);
}

TEST(AuditCliTest, EligibilityOfAClaimedChange) {
  const std::string where = " --county Warren --precinct 'INDIANOLA 1'";
  auto yes = Canvass("audit eligibility --json " + kFiles + where +
                     " --claim Buttigieg.delegates=0 --claim Sanders.delegates=2");
  ASSERT_EQ(yes.exit_code, 0) << yes.out;
  auto doc = nlohmann::json::parse(yes.out);
  EXPECT_TRUE(doc["eligible"]);
  EXPECT_EQ(doc["pools"][0]["text"], "PLEO Buttigieg 2-1 Sanders becomes 1-2");
  EXPECT_EQ(doc["failed_assertions"][0], "PLEO: Buttigieg 2 against Sanders 1");

  auto no = Canvass("audit eligibility " + kFiles + where +
                    " --claim Buttigieg.delegates=1 --claim Sanders.delegates=1");
  ASSERT_EQ(no.exit_code, 0) << no.out;
  EXPECT_NE(no.out.find("Not eligible"), std::string::npos) << no.out;
}

TEST(AuditCliTest, BadClaimsAreRefusedNamingWhatIsWrong) {
  const std::string where = " --county Warren --precinct 'INDIANOLA 1'";
  auto sum = Canvass("audit eligibility " + kFiles + where + " --claim Buttigieg.delegates=1");
  EXPECT_EQ(sum.exit_code, 2);
  EXPECT_NE(sum.out.find("the claimed delegates add up to 4, but the precinct elects 5"),
            std::string::npos)
      << sum.out;
  auto field = Canvass("audit eligibility " + kFiles + where + " --claim Sanders.votes=3");
  EXPECT_EQ(field.exit_code, 2);
  EXPECT_NE(field.out.find("unknown field \"votes\""), std::string::npos) << field.out;
  auto nowhere = Canvass("audit eligibility " + kFiles +
                         " --county Warren --precinct Atlantis --claim Sanders.sde=1");
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_NE(nowhere.out.find("Warren / Atlantis is not in the election's results"),
            std::string::npos)
      << nowhere.out;
}

}  // namespace
