// Durability of names: POSIX makes a new directory entry (a created file or directory, a rename)
// durable only once its parent directory is fsynced. Without it a power cut can lose a whole
// index directory, whatever was synced inside it.
#pragma once

#include <string>

#include "stela/common/status.h"

namespace stela {

// fsyncs directory `dir`, making the names in it durable. IOError when it cannot, except on a
// file system that does not fsync directories at all (EINVAL), where it does nothing.
Status SyncDirectory(const std::string& dir);

// SyncDirectory of the directory holding `path` ("." for a bare name).
Status SyncParentDirectory(const std::string& path);

}  // namespace stela
