#include "engine/index/spill_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stela::engine::index {

namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

Status Errno(const char* what) {
  return Status::IOError(std::string("spill file: ") + what + ": " + std::strerror(errno));
}

}  // namespace

StatusOr<std::unique_ptr<SpillFile>> SpillFile::Create(const std::string& dir) {
  int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    std::string path = dir + "/spill-XXXXXX";
    fd = mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0 && unlink(path.c_str()) != 0) {
      const Status s = Errno("unlink");
      close(fd);
      return s;
    }
  }
  if (fd < 0) return Errno("create");
  return std::unique_ptr<SpillFile>(new SpillFile(fd));
}

SpillFile::~SpillFile() { close(fd_); }

StatusOr<std::uint64_t> SpillFile::Append(std::string_view bytes) {
  const std::uint64_t offset = written_ + buffer_.size();
  buffer_.append(bytes);
  if (buffer_.size() >= kBufferBytes) STELA_RETURN_IF_ERROR(Flush());
  return offset;
}

Status SpillFile::Flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = pwrite(fd_, buffer_.data() + done, buffer_.size() - done,
                             static_cast<off_t>(written_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("write");
    done += static_cast<std::size_t>(n);
  }
  written_ += buffer_.size();
  buffer_.clear();
  return Status::OK();
}

Status SpillFile::Read(std::uint64_t offset, std::size_t size, std::string* out) {
  if (offset + size > written_ + buffer_.size()) {
    return Status::InvalidArgument("spill file: read past the end");
  }
  if (offset + size > written_) STELA_RETURN_IF_ERROR(Flush());
  out->resize(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n =
        pread(fd_, out->data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("read");
    done += static_cast<std::size_t>(n);
  }
  return Status::OK();
}

}  // namespace stela::engine::index
