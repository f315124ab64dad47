// A fixed sequence of writes, fsyncs, renames, links and unlinks in directory argv[1], run
// under the power-cut shim by power_cut_test.cc, which knows what a power cut must leave of it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

std::string dir;

int Open(const char* name, int flags) {
  const std::string path = dir + "/" + name;
  const int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    _exit(2);
  }
  return fd;
}

void Write(int fd, const char* text) {
  if (write(fd, text, std::strlen(text)) != static_cast<ssize_t>(std::strlen(text))) _exit(3);
}

void SyncDir(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) _exit(4);
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 1;
  dir = argv[1];
  // a: synced, then written past the sync.
  int a = Open("a", O_CREAT | O_WRONLY);
  Write(a, "durable");
  if (fdatasync(a) != 0) return 5;
  Write(a, "-lost");
  // t: written under a temporary name, synced, renamed into place.
  int t = Open("t.tmp", O_CREAT | O_WRONLY);
  Write(t, "renamed");
  if (fsync(t) != 0) return 6;
  if (rename((dir + "/t.tmp").c_str(), (dir + "/t").c_str()) != 0) return 7;
  // u existed before: unlinked. v existed before: truncated and rewritten, not synced.
  if (unlink((dir + "/u").c_str()) != 0) return 8;
  int v = Open("v", O_WRONLY | O_TRUNC);
  Write(v, "new");
  // d2: a directory made before the sync below, holding a synced file whose name d2's own
  // sync makes durable.
  if (mkdir((dir + "/d2").c_str(), 0755) != 0) return 11;
  int g = Open("d2/g", O_CREAT | O_WRONLY);
  Write(g, "in d2");
  if (fsync(g) != 0) return 12;
  SyncDir(dir + "/d2");
  SyncDir(dir);  // a's, t's and d2's names are durable from here
  // b: never synced. c: synced, but its name never is. t2: a link made after the last sync of
  // the directory.
  int b = Open("b", O_CREAT | O_WRONLY);
  Write(b, "never synced");
  int c = Open("c", O_CREAT | O_WRONLY);
  Write(c, "synced, name not");
  if (fsync(c) != 0) return 9;
  if (link((dir + "/t").c_str(), (dir + "/t2").c_str()) != 0) return 10;
  // d1: like d2, but made after the last sync of its parent: gone, with its file.
  if (mkdir((dir + "/d1").c_str(), 0755) != 0) return 13;
  int f = Open("d1/f", O_CREAT | O_WRONLY);
  Write(f, "in d1");
  if (fsync(f) != 0) return 14;
  SyncDir(dir + "/d1");
  for (int fd : {a, b, c, f, g, t, v}) close(fd);
  return 0;
}
