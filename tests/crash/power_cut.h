// The power-cut half of the crash test: after the child is killed, the files under the index
// directory are cut back to what a machine losing power at that moment would have kept, from the
// journal power_cut_shim.cc wrote in the child.
//
// The model, the usual one for testing storage engines:
//   - a file keeps the bytes it held when an fsync/fdatasync of it began (once that call
//     returned); later writes are gone;
//   - a name made in a directory (create, hard link, mkdir) survives only if an fsync of that
//     directory returned after it; a file whose name did not survive is gone whole, and so is a
//     directory with everything under it;
//   - O_TRUNC empties a file at once; renames and unlinks take effect at once (lenient: a real
//     crash could undo one made before the directory's fsync). A rename over a durable name
//     keeps the name durable: a real crash leaves the old file or the new one there, and this
//     model takes the new one.
//   - hard links share no state here: a sync through one name does not reach the other (the
//     engine syncs a linked file through its new name).
// Whatever existed when the round began counts as durable (SnapshotTree syncs it first).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace stela::crashtest {

struct FileState {
  std::uint64_t durable_bytes = 0;  // files only
  bool name_durable = false;
  bool directory = false;
  std::uint64_t named_at = 0;  // the journal line that made the name (0: before the round)
};
using FileTree = std::map<std::string, FileState>;

struct PowerCutReport {
  std::uint64_t events = 0;      // journal lines replayed
  std::uint64_t truncated = 0;   // files cut back to their synced length
  std::uint64_t removed = 0;     // files whose name or content never became durable
  std::uint64_t bytes_lost = 0;  // bytes the cut dropped (removed files included)
  std::string error;             // a journal line it could not read, or an I/O error

  void Add(const PowerCutReport& o) {
    events += o.events;
    truncated += o.truncated;
    removed += o.removed;
    bytes_lost += o.bytes_lost;
  }
  std::string Summary() const {
    return std::to_string(events) + " file-system events replayed; " + std::to_string(truncated) +
           " files cut back, " + std::to_string(removed) + " removed, " +
           std::to_string(bytes_lost) + " unsynced bytes dropped";
  }
};

// The environment of a child process: this one's, and with a `journal`, the shim preloaded
// (`shim`) and told where to write and what to watch. Build it before fork: a parent with
// threads must not allocate between fork and exec. Pointers(env) gives execve's array.
inline std::vector<std::string> ChildEnvironment(const char* shim, const std::string& journal,
                                                 const std::string& root) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).substr(0, 11) != "LD_PRELOAD=") env.push_back(*e);
  }
  if (!journal.empty()) {
    env.push_back(std::string("LD_PRELOAD=") + shim);
    env.push_back("STELA_POWERCUT_JOURNAL=" + journal);
    env.push_back("STELA_POWERCUT_ROOT=" + root);
  }
  return env;
}

inline std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// A number from the environment (STELA_TEST_SEED, STELA_CRASH_ROUNDS), or `fallback`.
inline std::uint64_t EnvOr(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

// Every regular file and directory under `root`, made durable first (fsync of each file and
// directory), so the round starts from a state a power cut cannot take back.
inline FileTree SnapshotTree(const std::string& root) {
  namespace fs = std::filesystem;
  const auto sync = [](const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  };
  FileTree tree;
  std::vector<std::string> dirs{root};
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string path = fs::absolute(e.path()).lexically_normal().string();
    if (e.is_directory()) {
      dirs.push_back(path);
      tree[path] = {0, true, true, 0};
      continue;
    }
    if (!e.is_regular_file()) continue;
    sync(path, 0);
    tree[path] = {static_cast<std::uint64_t>(e.file_size()), true, false, 0};
  }
  for (const std::string& d : dirs) sync(d, O_DIRECTORY);
  return tree;
}

inline std::string ParentOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Replays `journal` over `tree` (from SnapshotTree at the start of the round) and cuts the files
// under `root` to what survives.
inline PowerCutReport ApplyPowerCut(const std::string& root, FileTree tree,
                                    const std::string& journal) {
  namespace fs = std::filesystem;
  PowerCutReport report;
  std::ifstream in(journal);
  std::map<std::string, std::uint64_t> sync_began;  // directory fsync ticket -> its B line
  std::uint64_t line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string part; std::getline(fields, part, '\t');) f.push_back(part);
    const auto need = [&](std::size_t n) {
      if (f.size() == n) return true;
      report.error = "bad journal line: " + line;
      return false;
    };
    if (f.empty()) continue;
    ++report.events;
    const std::string& kind = f[0];
    if (kind == "C") {
      if (!need(2)) return report;
      tree[f[1]] = {0, false, false, line_number};
    } else if (kind == "T") {
      if (!need(2)) return report;
      auto it = tree.find(f[1]);
      if (it == tree.end()) it = tree.emplace(f[1], FileState{0, false, false, line_number}).first;
      it->second.durable_bytes = 0;
    } else if (kind == "S") {
      if (!need(3)) return report;
      auto it = tree.find(f[1]);
      if (it == tree.end()) {
        // Made by a call the shim does not see (fopen): its name is not durable yet.
        it = tree.emplace(f[1], FileState{0, false, false, line_number}).first;
      }
      it->second.durable_bytes = std::stoull(f[2]);
    } else if (kind == "B") {
      if (!need(2)) return report;
      sync_began[f[1]] = line_number;
    } else if (kind == "D") {
      if (!need(3)) return report;
      auto began = sync_began.find(f[2]);
      if (began == sync_began.end()) {
        report.error = "directory sync without its start: " + line;
        return report;
      }
      for (auto& [path, state] : tree) {
        if (ParentOf(path) == f[1] && state.named_at < began->second) state.name_durable = true;
      }
    } else if (kind == "R") {
      if (!need(3)) return report;
      // The entry and, for a directory, everything under it.
      FileTree moved;
      for (auto it = tree.begin(); it != tree.end();) {
        if (it->first == f[1] || it->first.starts_with(f[1] + "/")) {
          moved[f[2] + it->first.substr(f[1].size())] = it->second;
          it = tree.erase(it);
        } else {
          ++it;
        }
      }
      if (moved.empty()) moved[f[2]] = {0, false, false, line_number};  // nothing durable
      // Replacing a durable name leaves a durable name (holding the old file or the new).
      auto replaced = tree.find(f[2]);
      const bool over_durable = replaced != tree.end() && replaced->second.name_durable;
      for (auto& [path, state] : moved) {
        if (!state.name_durable) state.named_at = line_number;
        tree[path] = state;
      }
      if (over_durable) tree[f[2]].name_durable = true;
    } else if (kind == "L") {
      if (!need(3)) return report;
      auto it = tree.find(f[1]);
      tree[f[2]] = {it == tree.end() ? 0 : it->second.durable_bytes, false, false, line_number};
    } else if (kind == "U") {
      if (!need(2)) return report;
      tree.erase(f[1]);
    } else if (kind == "M") {
      if (!need(2)) return report;
      tree[f[1]] = {0, false, true, line_number};
    } else if (kind == "X") {
      if (!need(2)) return report;
      for (auto it = tree.begin(); it != tree.end();) {
        it =
            it->first == f[1] || it->first.starts_with(f[1] + "/") ? tree.erase(it) : std::next(it);
      }
    } else {
      report.error = "bad journal line: " + line;
      return report;
    }
  }
  // Directories first, shallowest first: one whose name did not survive goes with everything
  // under it.
  std::vector<std::string> lost_dirs;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_directory()) continue;
    const std::string path = fs::absolute(e.path()).lexically_normal().string();
    bool under_lost = false;
    for (const std::string& d : lost_dirs) under_lost = under_lost || path.starts_with(d + "/");
    if (under_lost) continue;
    auto it = tree.find(path);
    if (it == tree.end() || !it->second.directory || !it->second.name_durable) {
      lost_dirs.push_back(path);
    }
  }
  for (const std::string& d : lost_dirs) {
    for (const auto& e : fs::recursive_directory_iterator(d)) {
      if (!e.is_regular_file()) continue;
      ++report.removed;
      report.bytes_lost += e.file_size();
    }
    std::error_code ec;
    fs::remove_all(d, ec);
    if (ec) report.error = "cannot cut " + d + ": " + ec.message();
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  for (const fs::path& p : files) {
    const std::string path = fs::absolute(p).lexically_normal().string();
    const std::uint64_t size = fs::file_size(p);
    auto it = tree.find(path);
    std::error_code ec;
    if (it == tree.end() || it->second.directory || !it->second.name_durable) {
      fs::remove(p, ec);
      ++report.removed;
      report.bytes_lost += size;
    } else if (size > it->second.durable_bytes) {
      fs::resize_file(p, it->second.durable_bytes, ec);
      ++report.truncated;
      report.bytes_lost += size - it->second.durable_bytes;
    }
    if (ec) report.error = "cannot cut " + path + ": " + ec.message();
  }
  return report;
}

}  // namespace stela::crashtest
