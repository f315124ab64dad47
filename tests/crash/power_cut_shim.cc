// LD_PRELOAD shim for the power-cut test: records, in the order they happen, the file-system
// events that decide what a power cut would keep of the files under STELA_POWERCUT_ROOT, in the
// journal STELA_POWERCUT_JOURNAL (one line per event, each written with one write(2) to an
// O_APPEND file, so a SIGKILL leaves whole lines):
//
//   C <path>          created (open with O_CREAT of a file that did not exist)
//   T <path>          truncated to nothing at open (O_TRUNC)
//   S <path> <bytes>  fsync/fdatasync of a regular file began when it held <bytes>: those are
//                     durable once the call returns (the line is written after it returns)
//   B <n>             fsync number n of a directory begins
//   D <path> <n>      that fsync returned: the names made in <path> before its B line are durable
//   R <from> <to>     renamed
//   L <from> <to>     hard-linked
//   U <path>          unlinked
//   M <path>          directory made
//   X <path>          directory removed
//
// power_cut.h replays the journal after the kill. Paths are absolute and tab-separated. Calls
// the shim does not see (writes, sync_file_range, fallocate) make nothing durable.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <initializer_list>
#include <mutex>
#include <string>

namespace {

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}

struct Config {
  int journal = -1;
  std::string root;  // with a trailing '/'
};

template <typename Fn>
Fn Real(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

const Config& Cfg() {
  static const Config config = [] {
    Config c;
    const char* journal = getenv("STELA_POWERCUT_JOURNAL");
    const char* root = getenv("STELA_POWERCUT_ROOT");
    if (journal == nullptr || root == nullptr) return c;
    using OpenFn = int (*)(const char*, int, ...);
    c.journal = Real<OpenFn>("open")(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    c.root = root;
    if (c.root.empty() || c.root.back() != '/') c.root.push_back('/');
    return c;
  }();
  return config;
}

// `path` made absolute against `dirfd` (AT_FDCWD or an open directory) and lexically cleaned of
// "." and "//"; "" when it cannot be.
std::string Absolute(int dirfd, const char* path) {
  if (path == nullptr) return "";
  std::string base;
  if (path[0] != '/') {
    char buf[PATH_MAX];
    if (dirfd == AT_FDCWD) {
      if (getcwd(buf, sizeof buf) == nullptr) return "";
      base = buf;
    } else {
      const std::string link = "/proc/self/fd/" + std::to_string(dirfd);
      const ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
      if (n <= 0) return "";
      base.assign(buf, static_cast<std::size_t>(n));
    }
    base.push_back('/');
  }
  base += path;
  std::string out;
  for (std::size_t i = 0; i < base.size();) {
    std::size_t j = base.find('/', i);
    if (j == std::string::npos) j = base.size();
    const std::string part = base.substr(i, j - i);
    if (!part.empty() && part != ".") out += "/" + part;
    i = j + 1;
  }
  return out.empty() ? "/" : out;
}

std::string PathOfFd(int fd) {
  char buf[PATH_MAX];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string p(buf, static_cast<std::size_t>(n));
  if (p.size() > 10 && p.compare(p.size() - 10, 10, " (deleted)") == 0) return "";
  return p;
}

bool Watched(const std::string& path) {
  const Config& c = Cfg();
  return c.journal >= 0 && !path.empty() &&
         (path.compare(0, c.root.size(), c.root) == 0 || path + "/" == c.root);
}

void Record(const std::string& line) {
  const Config& c = Cfg();
  if (c.journal < 0) return;
  const std::string l = line + "\n";
  using WriteFn = ssize_t (*)(int, const void*, size_t);
  static const WriteFn real_write = Real<WriteFn>("write");
  (void)real_write(c.journal, l.data(), l.size());
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

int OpenCommon(int dirfd, const char* path, int flags, mode_t mode, bool at) {
  const std::string abs = Absolute(dirfd, path);
  const bool watched = Watched(abs);
  std::unique_lock lock(Mu(), std::defer_lock);
  bool existed = true;
  if (watched && (flags & (O_CREAT | O_TRUNC)) != 0) {
    lock.lock();
    existed = Exists(abs);
  }
  int fd;
  if (at) {
    using OpenAtFn = int (*)(int, const char*, int, ...);
    static const OpenAtFn real = Real<OpenAtFn>("openat");
    fd = real(dirfd, path, flags, mode);
  } else {
    using OpenFn = int (*)(const char*, int, ...);
    static const OpenFn real = Real<OpenFn>("open");
    fd = real(path, flags, mode);
  }
  if (fd >= 0 && lock.owns_lock()) {
    if ((flags & O_CREAT) != 0 && !existed)
      Record("C\t" + abs);
    else if ((flags & O_TRUNC) != 0)
      Record("T\t" + abs);
  }
  return fd;
}

// O_TMPFILE includes O_DIRECTORY's bit: test for all of it.
mode_t ModeArg(int flags, va_list ap) {
  return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE
             ? static_cast<mode_t>(va_arg(ap, int))
             : 0;
}

template <typename Fn>
int SyncCommon(const char* name, int fd) {
  static const Fn real = Real<Fn>(name);
  struct stat st;
  const std::string path = PathOfFd(fd);
  if (!Watched(path) || fstat(fd, &st) != 0) return real(fd);
  // A directory fsync covers the names made before it began, not those another thread makes
  // while it runs: its start is journaled, numbered, and its end refers to it.
  static std::uint64_t next_ticket = 0;
  std::uint64_t ticket = 0;
  if (S_ISDIR(st.st_mode)) {
    std::lock_guard lock(Mu());
    ticket = ++next_ticket;
    Record("B\t" + std::to_string(ticket));
  }
  const int r = real(fd);
  if (r == 0) {
    std::lock_guard lock(Mu());
    if (S_ISDIR(st.st_mode)) {
      Record("D\t" + path + "\t" + std::to_string(ticket));
    } else if (S_ISREG(st.st_mode)) {
      Record("S\t" + path + "\t" + std::to_string(st.st_size));
    }
  }
  return r;
}

// Calls `real(args...)` under the journal's lock, so that lines come in the order the calls
// took effect, and on success records `kind` and `paths` when any of the paths is watched.
template <typename Fn, typename... Args>
int Journaled(Fn real, const char* kind, std::initializer_list<std::string> paths, Args... args) {
  bool watched = false;
  std::string line = kind;
  for (const std::string& p : paths) {
    watched = watched || Watched(p);
    line += "\t" + p;
  }
  std::lock_guard lock(Mu());
  const int r = real(args...);
  if (r == 0 && watched) Record(line);
  return r;
}

}  // namespace

extern "C" {

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return OpenCommon(AT_FDCWD, path, flags, mode, false);
}

int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return OpenCommon(AT_FDCWD, path, flags, mode, false);
}

int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return OpenCommon(dirfd, path, flags, mode, true);
}

int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return OpenCommon(dirfd, path, flags, mode, true);
}

int creat(const char* path, mode_t mode) {
  return OpenCommon(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, false);
}

int fsync(int fd) { return SyncCommon<int (*)(int)>("fsync", fd); }
int fdatasync(int fd) { return SyncCommon<int (*)(int)>("fdatasync", fd); }

int rename(const char* from, const char* to) {
  static const auto real = Real<int (*)(const char*, const char*)>("rename");
  return Journaled(real, "R", {Absolute(AT_FDCWD, from), Absolute(AT_FDCWD, to)}, from, to);
}

int renameat(int fromfd, const char* from, int tofd, const char* to) {
  static const auto real = Real<int (*)(int, const char*, int, const char*)>("renameat");
  return Journaled(real, "R", {Absolute(fromfd, from), Absolute(tofd, to)}, fromfd, from, tofd, to);
}

int link(const char* from, const char* to) {
  static const auto real = Real<int (*)(const char*, const char*)>("link");
  return Journaled(real, "L", {Absolute(AT_FDCWD, from), Absolute(AT_FDCWD, to)}, from, to);
}

int linkat(int fromfd, const char* from, int tofd, const char* to, int flags) {
  static const auto real = Real<int (*)(int, const char*, int, const char*, int)>("linkat");
  return Journaled(real, "L", {Absolute(fromfd, from), Absolute(tofd, to)}, fromfd, from, tofd, to,
                   flags);
}

int unlink(const char* path) {
  static const auto real = Real<int (*)(const char*)>("unlink");
  return Journaled(real, "U", {Absolute(AT_FDCWD, path)}, path);
}

int unlinkat(int dirfd, const char* path, int flags) {
  static const auto real = Real<int (*)(int, const char*, int)>("unlinkat");
  return Journaled(real, (flags & AT_REMOVEDIR) != 0 ? "X" : "U", {Absolute(dirfd, path)}, dirfd,
                   path, flags);
}

int mkdir(const char* path, mode_t mode) {
  static const auto real = Real<int (*)(const char*, mode_t)>("mkdir");
  return Journaled(real, "M", {Absolute(AT_FDCWD, path)}, path, mode);
}

int mkdirat(int dirfd, const char* path, mode_t mode) {
  static const auto real = Real<int (*)(int, const char*, mode_t)>("mkdirat");
  return Journaled(real, "M", {Absolute(dirfd, path)}, dirfd, path, mode);
}

int rmdir(const char* path) {
  static const auto real = Real<int (*)(const char*)>("rmdir");
  return Journaled(real, "X", {Absolute(AT_FDCWD, path)}, path);
}

}  // extern "C"
