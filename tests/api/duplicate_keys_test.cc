// A body that names the same member twice is refused on every route that reads a JSON body,
// naming the member, and nothing of it reaches the ledger: a JSON reader would otherwise keep one
// of the two figures ({"Biden": 3, "Biden": 300} recorded 300) without a word.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class DuplicateKeysTest : public ApiFixture<Backend> {
 protected:
  ::testing::AssertionResult Refused(const std::string& target, const std::string& body,
                                     const std::string& token, const std::string& field) {
    const int64_t before = this->Seq();
    Reply r = this->Call("POST", target, body, token, {{"Content-Type", "application/json"}});
    ::testing::AssertionResult shape = IsError(r, 400, "duplicate-key", field);
    if (!shape) return shape << " (POST " << target << " " << body << ")";
    const std::string message = r.doc["error"]["message"].get<std::string>();
    const std::string name = field.substr(field.find_last_of(".]") + 1);
    if (message.find("\"" + name + "\" is given twice") == std::string::npos) {
      return ::testing::AssertionFailure()
             << "the message does not name " << name << ": " << message;
    }
    if (this->Seq() != before) {
      return ::testing::AssertionFailure()
             << "POST " << target << " was refused but the ledger went from " << before << " to "
             << this->Seq();
    }
    return ::testing::AssertionSuccess();
  }
};
TYPED_TEST_SUITE(DuplicateKeysTest, Backends, BackendNames);

TYPED_TEST(DuplicateKeysTest, ARepeatedCandidateIsRefusedNotRecorded) {
  const std::string chair = this->Chair(kAdair);
  const std::string first = PrecinctPath(kAdair, "first");
  EXPECT_TRUE(this->Refused(first, R"({"first": {"Biden": 3, "Sanders": 20, "Biden": 300}})", chair,
                            "first.Biden"));
  EXPECT_EQ(this->StatusOf(kAdair), "not-reported");
  // The same figures, each name once, are recorded as sent.
  Reply ok = this->Call("POST", first, R"({"first": {"Biden": 3, "Sanders": 20}})", chair,
                        {{"Content-Type", "application/json"}});
  ASSERT_EQ(ok.status, 201) << ok;
  const json reported = this->Precinct(kAdair)["reported"]["first"];
  EXPECT_EQ(reported, (json{{"Biden", 3}, {"Sanders", 20}}));
}

TYPED_TEST(DuplicateKeysTest, EveryBodyRouteRefusesRepeats) {
  const std::string chair = this->Chair(kAdair);
  EXPECT_TRUE(this->Refused("/api/v1/session", R"({"code": "x", "code": "y"})", "", "code"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "preview"),
                            R"({"first": {"Warren": 10, "Warren": 11}})", chair, "first.Warren"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "practice"),
                            R"({"first": {"Warren": 10}, "first": {"Warren": 11}})", chair,
                            "first"));
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"),
                       {{"first", {{"Buttigieg", 30}, {"Sanders", 20}, {"Warren", 10}}}}, chair)
                .status,
            201);
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "final"),
                            R"({"final": {"Buttigieg": 30, "Sanders": 20, "Sanders": 2}})", chair,
                            "final.Sanders"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "corrections"),
                            R"({"reason": "typo", "reason": "", "first": {"Sanders": 21}})", chair,
                            "reason"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "attestations"),
                            R"({"verdict": "confirm", "verdict": "dispute"})",
                            this->Campaign("Sanders"), "verdict"));
  EXPECT_TRUE(this->Refused("/api/v1/hotline/entries",
                            R"({"precinct": 2, "first": {"Biden": 3}, "precinct": 3})",
                            this->Operator(1), "precinct"));
  EXPECT_TRUE(this->Refused("/api/v1/releases/policy",
                            R"({"mode": "manual", "seconds": 5, "seconds": 0})", this->Admin(),
                            "seconds"));
  EXPECT_TRUE(this->Refused("/api/v1/credentials/reissue",
                            R"({"role": "chair", "subject": "1", "subject": "2"})", this->Admin(),
                            "subject"));
}

TYPED_TEST(DuplicateKeysTest, TheSameNameInTwoObjectsIsNoRepeat) {
  const std::string chair = this->Chair(kAdair);
  Reply r = this->Call("POST", PrecinctPath(kAdair, "preview"),
                       R"({"first": {"Sanders": 20, "Warren": 10}, "final": {"Sanders": 20,
                           "Warren": 10}})",
                       chair, {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 200) << r;
}

}  // namespace
}  // namespace canvass::api_test
