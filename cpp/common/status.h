// Status / StatusOr: the one error model of the kernels and the runtime. No exception crosses a public
// function of cpp/; only the pybind11 layer turns a bad Status into a Python exception.
#ifndef AWML_CPP_COMMON_STATUS_H_
#define AWML_CPP_COMMON_STATUS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace awml {

//! Coarse error categories; the message carries the detail ("<subject> | <problem>. Note: ...").
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     //!< The caller passed something that can never work (bad config, bad shape).
  kNotFound,            //!< A file, tensor name or plugin does not exist.
  kFailedPrecondition,  //!< The object is not in the state the call needs (e.g. enqueue before setup).
  kMismatch,            //!< A built or loaded artifact does not match its declared contract.
  kUnavailable,         //!< A needed SDK or device is missing (no GPU, TensorRT not installed).
  kInternal,            //!< A library call failed (CUDA, TensorRT, file IO).
};

//! Returns the stable lower-case name of `code` ("ok", "invalid_argument", ...).
char const* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  std::string const& message() const { return message_; }

  //! "<code name>: <message>", or "ok".
  std::string ToString() const;

  //! Returns a copy whose message is "<context>: <message>" (no-op on ok()).
  Status WithContext(std::string const& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status FailedPreconditionError(std::string message);
Status MismatchError(std::string message);
Status UnavailableError(std::string message);
Status InternalError(std::string message);

//! OkStatus when `got` >= `need`, else InvalidArgumentError("<what> too small. Note: expected >= <need> bytes<detail>,
//! got <got>"), e.g. what = "decode | workspace": the one form of every kernel's workspace and state size check.
//! Nothing is allocated when the size suffices (it runs for every launch).
Status CheckBytes(std::string_view what, std::size_t got, std::size_t need, std::string_view detail = {});

//! CheckBytes with a detail that costs something to build (`detail()` returns it): built only when the size is short.
template <typename Detail, typename = std::enable_if_t<std::is_invocable_r_v<std::string, Detail const&>>>
Status CheckBytes(std::string_view what, std::size_t got, std::size_t need, Detail const& detail) {
  if (got >= need) return OkStatus();
  return CheckBytes(what, got, need, std::string_view(detail()));
}

//! A value or the Status explaining why there is none. Constructing from an ok Status is a bug and
//! yields an internal error.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  StatusOr(Status status)                          // NOLINT(google-explicit-constructor)
      : status_(status.ok() ? InternalError("StatusOr | constructed from an ok Status without a value")
                            : std::move(status)) {}

  bool ok() const { return status_.ok(); }
  Status const& status() const { return status_; }

  //! Precondition: ok(). Accessing the value of an error StatusOr is a programming error.
  T& value() & { return *value_; }
  T const& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  T const* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  T const& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace awml

#define AWML_STATUS_CONCAT_INNER_(a, b) a##b
#define AWML_STATUS_CONCAT_(a, b) AWML_STATUS_CONCAT_INNER_(a, b)

//! Returns from the enclosing function when `expr` (a Status) is not ok.
#define AWML_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::awml::Status awml_status_ = (expr);        \
    if (!awml_status_.ok()) return awml_status_; \
  } while (false)

//! `lhs = value of expr` (a StatusOr), or returns its Status from the enclosing function.
#define AWML_ASSIGN_OR_RETURN(lhs, expr) \
  AWML_ASSIGN_OR_RETURN_IMPL_(AWML_STATUS_CONCAT_(awml_statusor_, __LINE__), lhs, expr)
#define AWML_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#endif  // AWML_CPP_COMMON_STATUS_H_
