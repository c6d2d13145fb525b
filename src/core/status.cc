#include "core/status.h"

namespace canvass {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid argument";
    case Code::kParseError:
      return "parse error";
    case Code::kNotFound:
      return "not found";
    case Code::kIoError:
      return "i/o error";
    case Code::kCorruption:
      return "corruption";
    case Code::kFailedPrecondition:
      return "failed precondition";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace canvass
