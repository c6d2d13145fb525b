// The one mapping from a refusal to an HTTP answer (src/api/status_http.h, docs/api.md "Errors").
#include "api/status_http.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace canvass {
namespace {

nlohmann::json ErrorOf(const HttpResponse& r) {
  return nlohmann::json::parse(r.body, nullptr, false)["error"];
}

TEST(StatusHttpTest, EachKindOfFailureHasItsStatus) {
  EXPECT_EQ(HttpStatusOf(Status::Code::kInvalidArgument), 422);
  EXPECT_EQ(HttpStatusOf(Status::Code::kParseError), 400);
  EXPECT_EQ(HttpStatusOf(Status::Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(Status::Code::kIoError), 503);
  EXPECT_EQ(HttpStatusOf(Status::Code::kCorruption), 500);
  EXPECT_EQ(HttpStatusOf(Status::Code::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusOf(Rejection::Kind::kInvalid), 422);
  EXPECT_EQ(HttpStatusOf(Rejection::Kind::kConflict), 409);
  EXPECT_EQ(HttpStatusOf(Rejection::Kind::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(Rejection::Kind::kForbidden), 403);
}

// A release that the store could not keep is "send it again" (503), not "your request
// contradicts the record" (409).
TEST(StatusHttpTest, AStoreFailureIsUnavailableWhateverTheRoute) {
  const HttpResponse r = ErrorResponse(Status::IoError("the database is full"), "release-refused");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(ErrorOf(r)["code"], "store-unavailable");
  EXPECT_NE(ErrorOf(r)["message"].get<std::string>().find("the database is full"),
            std::string::npos);

  const HttpResponse refused = ErrorResponse(
      Status::FailedPrecondition("other nodes kept publishing first"), "release-refused");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(ErrorOf(refused)["code"], "release-refused");

  const HttpResponse corrupt = ErrorResponse(Status::Corruption("event 4 does not hash"), "x");
  EXPECT_EQ(corrupt.status, 500);
  EXPECT_EQ(ErrorOf(corrupt)["code"], "corrupt-data");
}

TEST(StatusHttpTest, ARejectionKeepsItsCodeAndField) {
  Rejection r{Rejection::Kind::kInvalid, "final-exceeds-attendance", "too many", "final"};
  const HttpResponse h = RejectionResponse(r);
  EXPECT_EQ(h.status, 422);
  EXPECT_EQ(ErrorOf(h)["code"], "final-exceeds-attendance");
  EXPECT_EQ(ErrorOf(h)["field"], "final");
}

}  // namespace
}  // namespace canvass
