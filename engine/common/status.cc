#include "stela/common/status.h"

#include <cstdio>
#include <cstdlib>

namespace stela {

Status::Status(Code code, std::string_view message) {
  if (code != Code::kOk) rep_ = std::make_unique<Rep>(Rep{code, std::string(message)});
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  return out;
}

std::string_view CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kNotFound: return "NotFound";
    case Status::Code::kInvalidArgument: return "InvalidArgument";
    case Status::Code::kCorruption: return "Corruption";
    case Status::Code::kIOError: return "IOError";
    case Status::Code::kUnavailable: return "Unavailable";
    case Status::Code::kDeadlineExceeded: return "DeadlineExceeded";
    case Status::Code::kResourceExhausted: return "ResourceExhausted";
    case Status::Code::kAborted: return "Aborted";
    case Status::Code::kNotSupported: return "NotSupported";
    case Status::Code::kInternal: return "Internal";
  }
  return "Unknown";
}

namespace internal {

void DieOnBadStatusOr(const Status& status) {
  std::fprintf(stderr, "stela: value() of a StatusOr holding %s\n", status.ToString().c_str());
  std::abort();
}

void CheckFailed(const char* file, int line, const char* expr) {
  std::fprintf(stderr, "stela: check failed at %s:%d: %s\n", file, line, expr);
  std::abort();
}

}  // namespace internal
}  // namespace stela
