// Status and StatusOr<T>: how every Stela module reports errors without exceptions.
//
// A Status is either OK (no allocation) or a Code plus a message. Foreign errors (RocksDB, ICU,
// gRPC, Asio) are translated to a Status once, in the folder that wraps that library.
// Thread-compatible: distinct objects may be used from different threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace stela {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kInvalidArgument,
    kCorruption,
    kIOError,
    kUnavailable,
    kDeadlineExceeded,
    kResourceExhausted,
    kAborted,
    kNotSupported,
    kInternal,
  };

  Status() noexcept = default;
  Status(Code code, std::string_view message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status ResourceExhausted(std::string_view msg) {
    return Status(Code::kResourceExhausted, msg);
  }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status Internal(std::string_view msg) { return Status(Code::kInternal, msg); }
  static Status Aborted(std::string_view msg) { return Status(Code::kAborted, msg); }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  // The message without the code name; empty for OK.
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }
  // "InvalidArgument: message", or "OK".
  std::string ToString() const;

  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;  // null means OK
};

// The name of a code, e.g. "InvalidArgument".
std::string_view CodeName(Status::Code code);

// Holds a T or a non-OK Status. Accessing value() of an error is a bug (aborts).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status);  // NOLINT: implicit by design, like absl::StatusOr.
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { CheckOk(); return *value_; }
  const T& value() const& { CheckOk(); return *value_; }
  T&& value() && { CheckOk(); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void CheckOk() const;
  Status status_;
  std::optional<T> value_;
};

namespace internal {
[[noreturn]] void DieOnBadStatusOr(const Status& status);
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);
}  // namespace internal

template <typename T>
StatusOr<T>::StatusOr(Status status) : status_(std::move(status)) {
  if (status_.ok()) status_ = Status::Internal("StatusOr constructed from an OK Status");
}

template <typename T>
void StatusOr<T>::CheckOk() const {
  if (!value_.has_value()) internal::DieOnBadStatusOr(status_);
}

}  // namespace stela

// A broken invariant is a bug: abort with the location, in release builds too.
#define STELA_CHECK(cond)                                                     \
  do {                                                                        \
    if (!(cond)) ::stela::internal::CheckFailed(__FILE__, __LINE__, #cond);   \
  } while (0)

#ifdef NDEBUG
#define STELA_DCHECK(cond) \
  do {                     \
  } while (0)
#else
#define STELA_DCHECK(cond) STELA_CHECK(cond)
#endif

#define STELA_INTERNAL_CONCAT2(a, b) a##b
#define STELA_INTERNAL_CONCAT(a, b) STELA_INTERNAL_CONCAT2(a, b)

#define STELA_RETURN_IF_ERROR(expr)        \
  do {                                     \
    ::stela::Status stela_status_ = (expr); \
    if (!stela_status_.ok()) return stela_status_; \
  } while (0)

#define STELA_ASSIGN_OR_RETURN(lhs, expr) \
  STELA_INTERNAL_ASSIGN_OR_RETURN(STELA_INTERNAL_CONCAT(stela_statusor_, __LINE__), lhs, expr)
#define STELA_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()
