// Every bad input gets its own error code and status in the API's error shape, and nothing of it
// reaches the ledger.
#include <gtest/gtest.h>

#include <string>

#include "api_fixture.h"

namespace canvass::api_test {
namespace {

template <typename Backend>
class ErrorsTest : public ApiFixture<Backend> {
 protected:
  // Sends a submission that must be refused; checks the error and that the ledger did not move.
  ::testing::AssertionResult Refused(const std::string& method, const std::string& target,
                                     const std::string& body, const std::string& token, int status,
                                     const std::string& code,
                                     std::optional<std::string> field = std::nullopt) {
    const int64_t before = this->Seq();
    Reply r = this->Call(method, target, body, token, {{"Content-Type", "application/json"}});
    ::testing::AssertionResult shape = IsError(r, status, code, field);
    if (!shape) return shape << " (" << method << " " << target << ")";
    const int64_t after = this->Seq();
    if (after != before) {
      return ::testing::AssertionFailure()
             << method << " " << target << " was refused but the ledger went from " << before
             << " to " << after;
    }
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult Refused(const std::string& target, const json& body,
                                     const std::string& token, int status, const std::string& code,
                                     std::optional<std::string> field = std::nullopt) {
    return Refused("POST", target, body.dump(), token, status, code, std::move(field));
  }
};
TYPED_TEST_SUITE(ErrorsTest, Backends, BackendNames);

TYPED_TEST(ErrorsTest, BadFiguresAreRefusedWithTheirCodes) {
  const std::string chair = this->Chair(kAdair);
  const std::string first = PrecinctPath(kAdair, "first");
  EXPECT_TRUE(this->Refused("POST", first, "{\"first\": {\"Sanders\": 12", chair, 400,
                            "malformed-json", ""));
  EXPECT_TRUE(this->Refused("POST", first, "[1, 2]", chair, 400, "malformed-json"));
  EXPECT_TRUE(this->Refused(first, {{"first", {{"Name", 3}}}}, chair, 404, "unknown-candidate",
                            "first.Name"));
  EXPECT_TRUE(this->Refused(first, {{"first", {{"Sanders", -1}}}}, chair, 422, "negative-count",
                            "first.Sanders"));
  // A fraction is refused as a count, naming it, before anything else looks at the body.
  EXPECT_TRUE(this->Refused(first, {{"first", {{"Sanders", 2.5}}}}, chair, 422, "malformed-count",
                            "first.Sanders"));
  EXPECT_TRUE(this->Refused(first, {{"first", {{"Sanders", "12"}}}}, chair, 422, "malformed-count",
                            "first.Sanders"));
  EXPECT_TRUE(this->Refused(first, {{"first", {{"Sanders", 100000000}}}}, chair, 422,
                            "count-too-large", "first.Sanders"));
  EXPECT_TRUE(
      this->Refused(first, {{"first", "Sanders 12"}}, chair, 422, "malformed-figures", "first"));
  EXPECT_TRUE(this->Refused(first, json::object(), chair, 422, "missing-figures", "first"));
  EXPECT_TRUE(
      this->Refused(first, {{"first", json::object()}}, chair, 422, "no-attendance", "first"));
  EXPECT_TRUE(this->Refused(first, {{"first", kFirst}, {"submission", 12}}, chair, 422,
                            "malformed-submission-id", "submission"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "final"), {{"final", kFirst}}, chair, 409,
                            "first-alignment-missing"));
  EXPECT_TRUE(
      this->Refused(PrecinctPath(kAdair, "confirm"), json::object(), chair, 409, "not-ready"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "corrections"),
                            {{"reason", "typo"}, {"first", kFirst}}, chair, 409, "not-reported"));
  EXPECT_TRUE(this->Refused(PrecinctPath(99, "first"), {{"first", kFirst}}, chair, 404,
                            "unknown-precinct"));
  EXPECT_TRUE(
      this->Refused(PrecinctPath(kAdair, "votes"), {{"first", kFirst}}, chair, 404, "not-found"));
  EXPECT_TRUE(this->Refused("GET", first, "", chair, 405, "method-not-allowed"));

  const int64_t before = this->Seq();
  ASSERT_EQ(this->Post(first, {{"first", kFirst}}, chair).status, 201);
  EXPECT_EQ(this->Seq(), before + 1);
  EXPECT_TRUE(this->Refused(first, {{"first", kFirst}}, chair, 409, "already-reported"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "final"),
                            {{"final", {{"Buttigieg", 40}, {"Sanders", 20}, {"Warren", 13}}}},
                            chair, 422, "final-exceeds-attendance", "final"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "ties"),
                            {{"tied", {"Sanders", "Biden"}}, {"favoured", {"Sanders"}}}, chair, 409,
                            "no-tie"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "corrections"),
                            {{"first", {{"Buttigieg", 31}, {"Sanders", 20}, {"Warren", 10}}}},
                            chair, 422, "reason-required", "reason"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "corrections"),
                            {{"reason", "  \n"}, {"first", kFirst}}, chair, 422, "reason-required",
                            "reason"));
  EXPECT_TRUE(this->Refused(PrecinctPath(kAdair, "preview"), {{"final", {{"Nobody", 1}}}}, chair,
                            404, "unknown-candidate", "final.Nobody"));

  // Not a photo: plain text, and an ISO media file that is not HEIC.
  EXPECT_TRUE(this->Refused("POST", PrecinctPath(kAdair, "photo"), "this is not a photo", chair,
                            415, "unsupported-photo"));
  EXPECT_TRUE(this->Refused("POST", PrecinctPath(kAdair, "photo"),
                            std::string("\0\0\0\x18"
                                        "ftypmp42\0\0\0\0",
                                        16),
                            chair, 415, "unsupported-photo"));
}

TYPED_TEST(ErrorsTest, AttestationsNeedAVerdictAndADisputeNeedsAReason) {
  const std::string chair = this->Chair(kAdair);
  const std::string campaign = this->Campaign("Sanders");
  const std::string path = PrecinctPath(kAdair, "attestations");
  EXPECT_TRUE(this->Refused(path, {{"verdict", "confirm"}}, campaign, 409, "not-reported"));
  ASSERT_EQ(this->Post(PrecinctPath(kAdair, "first"), {{"first", kFirst}}, chair).status, 201);
  EXPECT_TRUE(
      this->Refused(path, {{"verdict", "dispute"}}, campaign, 422, "reason-required", "reason"));
  EXPECT_TRUE(this->Refused(path, {{"verdict", "dispute"}, {"reason", " "}}, campaign, 422,
                            "reason-required", "reason"));
  EXPECT_TRUE(this->Refused(path, {{"verdict", "maybe"}}, campaign, 422, "malformed-attestation",
                            "verdict"));
  EXPECT_TRUE(this->Refused(path, {{"verdict", "confirm"}, {"revision", 2}}, campaign, 409,
                            "stale-revision", "revision"));
}

TYPED_TEST(ErrorsTest, WhoYouAreIsChecked) {
  const std::string first = PrecinctPath(kAdair, "first");
  const json body = {{"first", kFirst}};
  // No token, or not a bearer token.
  EXPECT_TRUE(this->Refused(first, body, "", 401, "unauthenticated"));
  {
    const int64_t before = this->Seq();
    Reply r = this->Call("POST", first, body.dump(), "",
                         {{"Authorization", "Basic " + this->Chair(kAdair)}});
    EXPECT_TRUE(IsError(r, 401, "unauthenticated"));
    EXPECT_EQ(this->Seq(), before);
  }
  // A chair of another precinct.
  EXPECT_TRUE(this->Refused(first, body, this->Chair(kStuart), 403, "forbidden"));

  // A token that is garbage, tampered with, signed with another key, or expired.
  const std::string token = this->Chair(kAdair);
  EXPECT_TRUE(this->Refused(first, body, "garbage", 401, "session-expired"));
  std::string tampered = token;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_TRUE(this->Refused(first, body, tampered, 401, "session-expired"));
  // Another credential's id under the same signature.
  const std::string other_id = this->Code("chair", std::to_string(kStuart)).substr(0, 4);
  std::string forged = token;
  forged.replace(3, 4, other_id);
  EXPECT_TRUE(this->Refused(first, body, forged, 401, "session-expired"));
  const std::string alien = IssueToken(NewSessionKey(), token.substr(3, 4), this->clock_ + 3600);
  EXPECT_TRUE(this->Refused(first, body, alien, 401, "session-expired"));
  EXPECT_TRUE(IsError(this->Get("/api/v1/results", "garbage"), 401, "session-expired"));

  this->clock_ += this->options_.session_seconds + 1;
  EXPECT_TRUE(this->Refused(first, body, token, 401, "session-expired"));
  EXPECT_TRUE(IsError(this->Get("/api/v1/session", token), 401, "session-expired"));
}

TYPED_TEST(ErrorsTest, WrongCodesAreRefusedAndRepeatedOnesLockTheCodeOut) {
  this->options_.guard.max_failures = 3;
  this->options_.guard.max_failures_per_address = 100;
  this->options_.guard.window = std::chrono::seconds(600);
  this->options_.guard.lockout = std::chrono::seconds(300);
  ASSERT_NO_FATAL_FAILURE(this->Restart());

  const std::string code = this->Code("chair", std::to_string(kAdair));
  std::string wrong = code;
  wrong.back() = wrong.back() == '2' ? '3' : '2';
  const int64_t before = this->Seq();
  EXPECT_TRUE(IsError(this->Post("/api/v1/session", json::object()), 422, "code-required", "code"));
  EXPECT_TRUE(IsError(this->LoginWith("12345"), 422, "malformed-code", "code"));
  EXPECT_TRUE(IsError(this->Call("POST", "/api/v1/session", "code=1234"), 400, "malformed-json"));
  // An id nobody holds is as wrong as a wrong secret.
  std::string unknown = "ZZZZ" + code.substr(4);
  if (unknown.substr(0, 4) == code.substr(0, 4)) unknown[0] = 'Y';
  EXPECT_TRUE(IsError(this->LoginWith(unknown), 401, "wrong-code", "code"));

  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(IsError(this->LoginWith(wrong), 401, "wrong-code", "code")) << "attempt " << i;
  }
  // Locked: even the right code is not checked now.
  Reply locked = this->LoginWith(code);
  EXPECT_TRUE(IsError(locked, 429, "locked-out"));
  EXPECT_FALSE(locked.Header("retry-after").empty());
  EXPECT_LE(std::stoll(locked.Header("retry-after")), 300);
  EXPECT_TRUE(IsError(this->LoginWith(wrong), 429, "locked-out"));
  // Other chairs are not locked out by it.
  EXPECT_EQ(this->LoginWith(this->Code("chair", std::to_string(kStuart))).status, 200);
  // After the lockout the right code works again.
  this->clock_ += 301;
  Reply ok = this->LoginWith(code);
  EXPECT_EQ(ok.status, 200) << ok;
  EXPECT_EQ(this->Seq(), before);  // logging in writes nothing
}

}  // namespace
}  // namespace canvass::api_test
