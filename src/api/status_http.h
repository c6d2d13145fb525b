// How a refusal becomes an HTTP answer: the one mapping from Status and Rejection to an HTTP status
// and error body (docs/api.md, "Errors"). Every route answers its failures through it, so that the
// same kind of failure has the same status everywhere: the store failing is 503 (send it again),
// never a 409 that would tell the client its request was wrong.
#pragma once

#include <string>

#include "core/status.h"
#include "http/server.h"
#include "state/election_state.h"

namespace canvass {

// InvalidArgument 422, ParseError 400, NotFound 404, IoError 503, Corruption 500,
// FailedPrecondition 409.
int HttpStatusOf(Status::Code code);

// Invalid 422, Conflict 409, NotFound 404, Forbidden 403.
int HttpStatusOf(Rejection::Kind kind);

// The error answer for a failed Status. `code` names the refusal for the client
// ("release-refused"); a store failure is always `store-unavailable` and stored data that
// contradicts itself `corrupt-data`, whatever the route. `st` must not be ok.
HttpResponse ErrorResponse(const Status& st, const std::string& code);

// The error answer for a refused submission: its code, message and field.
HttpResponse RejectionResponse(const Rejection& r);

}  // namespace canvass
