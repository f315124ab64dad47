#include "engine/common/sync_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace stela {

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open directory " + dir + ": " + std::strerror(errno));
  const int r = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // EINVAL: the file system cannot fsync directories (and has nothing to make durable that way).
  if (r != 0 && err != EINVAL) {
    return Status::IOError("cannot fsync directory " + dir + ": " + std::strerror(err));
  }
  return Status::OK();
}

Status SyncParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).lexically_normal().parent_path();
  if (std::filesystem::path(path).lexically_normal().filename().empty()) {
    parent = parent.parent_path();  // "a/b/" names b
  }
  return SyncDirectory(parent.empty() ? "." : parent.string());
}

}  // namespace stela
