// SpillFile: scratch space on disk for data a merge writes once, in one order, and reads back in
// another (a reordering merge's stored documents). The file has no name (O_TMPFILE, or a name
// removed at once where the file system lacks it), so it disappears with its descriptor, also
// when the process is killed: a crash leaves nothing to clean up.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "stela/common/status.h"

namespace stela::engine::index {

// Not thread-safe.
class SpillFile {
 public:
  // A new empty file in directory `dir`. Returns IOError when none can be made there.
  static StatusOr<std::unique_ptr<SpillFile>> Create(const std::string& dir);
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  // Appends `bytes`; returns the offset they start at.
  StatusOr<std::uint64_t> Append(std::string_view bytes);
  // Replaces *out with the `size` bytes at `offset`, which must have been appended.
  Status Read(std::uint64_t offset, std::size_t size, std::string* out);

 private:
  explicit SpillFile(int fd) : fd_(fd) {}
  Status Flush();

  int fd_;
  std::string buffer_;         // appended bytes not written yet
  std::uint64_t written_ = 0;  // bytes in the file
};

}  // namespace stela::engine::index
