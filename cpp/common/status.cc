#include "cpp/common/status.h"

namespace awml {

char const* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kMismatch:
      return "mismatch";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

Status Status::WithContext(std::string const& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

Status InvalidArgumentError(std::string message) { return Status(StatusCode::kInvalidArgument, std::move(message)); }
Status NotFoundError(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }
Status FailedPreconditionError(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}
Status MismatchError(std::string message) { return Status(StatusCode::kMismatch, std::move(message)); }
Status UnavailableError(std::string message) { return Status(StatusCode::kUnavailable, std::move(message)); }
Status InternalError(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }

Status CheckBytes(std::string_view what, std::size_t got, std::size_t need, std::string_view detail) {
  if (got >= need) return OkStatus();
  return InvalidArgumentError(std::string(what) + " too small. Note: expected >= " + std::to_string(need) + " bytes" +
                              std::string(detail) + ", got " + std::to_string(got));
}

}  // namespace awml
