#include "api/status_http.h"

namespace canvass {

int HttpStatusOf(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 422;
    case Status::Code::kParseError:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kIoError:
      return 503;
    case Status::Code::kCorruption:
      return 500;
    case Status::Code::kFailedPrecondition:
      return 409;
  }
  return 500;
}

int HttpStatusOf(Rejection::Kind kind) {
  switch (kind) {
    case Rejection::Kind::kInvalid:
      return 422;
    case Rejection::Kind::kConflict:
      return 409;
    case Rejection::Kind::kNotFound:
      return 404;
    case Rejection::Kind::kForbidden:
      return 403;
  }
  return 400;
}

HttpResponse ErrorResponse(const Status& st, const std::string& code) {
  switch (st.code()) {
    case Status::Code::kIoError:
      return HttpResponse::Error(503, "store-unavailable",
                                 st.message() + "; nothing was changed, try again in a moment");
    case Status::Code::kCorruption:
      return HttpResponse::Error(500, "corrupt-data", st.message());
    default:
      return HttpResponse::Error(HttpStatusOf(st.code()), code, st.message());
  }
}

HttpResponse RejectionResponse(const Rejection& r) {
  return HttpResponse::Error(HttpStatusOf(r.kind), r.code, r.message, r.field);
}

}  // namespace canvass
