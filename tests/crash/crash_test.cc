// Crash test: a child process indexes, replaces and deletes documents with durability=request
// and is killed with SIGKILL at a random moment; the index is reopened and must hold every
// acknowledged operation, nothing that was never sent, and pass check-index. Rounds continue on
// the same directory, so recovery of recovered indexes is exercised too. The power-cut variant
// also drops, after each kill, everything the child wrote but did not fsync (power_cut.h).
//   STELA_TEST_SEED replays a run; STELA_CRASH_ROUNDS (default 50) sets the rounds.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/check/check_index.h"
#include "engine/testing/temp_dir.h"
#include "stela/engine/index.h"
#include "tests/crash/crash_workload.h"
#include "tests/crash/power_cut.h"

namespace stela::crashtest {
namespace {

// Runs the child until it has acknowledged at least one operation and `ms` more milliseconds
// passed, then SIGKILLs it. Returns the last acknowledged op (nullopt if none). With a
// `journal`, the child runs under the power-cut shim, which writes there its file-system events
// under `root`.
std::optional<std::uint64_t> RunAndKill(const std::string& dir, std::uint64_t seed,
                                        std::uint64_t first, int ms, const char* mode,
                                        const std::string& journal, const std::string& root) {
  // Everything the child needs is built before fork: the parent has threads (RocksDB's pools).
  const std::string s = std::to_string(seed), f = std::to_string(first);
  std::vector<std::string> env = ChildEnvironment(STELA_POWERCUT_SHIM, journal, root);
  std::vector<char*> envp = Pointers(env);
  const char* argv[] = {STELA_CRASH_CHILD, dir.c_str(), s.c_str(), f.c_str(), mode, nullptr};
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execve(STELA_CRASH_CHILD, const_cast<char**>(argv), envp.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::time_point::max();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::chrono::steady_clock::now() > give_up) {
      ADD_FAILURE() << "child acknowledged nothing within 60 s";
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 5) > 0) {
      const ssize_t n = read(fds[0], buf, sizeof buf);
      if (n <= 0) break;  // the child exited on its own: an error, reported below
      out.append(buf, static_cast<std::size_t>(n));
      if (deadline == std::chrono::steady_clock::time_point::max() &&
          out.find('\n') != std::string::npos) {
        deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      }
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child ended by itself, status " << status;
  // Acks the child wrote before it died are still in the pipe.
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fds[0]);
  std::optional<std::uint64_t> last;
  std::istringstream lines(out);
  for (std::string word; lines >> word;) {
    std::uint64_t i = 0;
    lines >> i;
    EXPECT_EQ(word, "ack");
    if (last) {
      EXPECT_EQ(i, *last + 1) << "acks out of order";
    }
    last = i;
  }
  return last;
}

using State = std::map<std::string, std::string>;  // id -> source

constexpr std::uint64_t kMaxBulk = 64;  // crash_child's largest bulk

// An order-independent hash of a state, kept up to date by Apply, so that searching thousands
// of prefixes for the one that matches costs a compare of two numbers per prefix.
std::uint64_t EntryHash(const std::string& id, const std::string& source) {
  return Mix(std::hash<std::string>()(id) * 31 + std::hash<std::string>()(source));
}

std::uint64_t Digest(const State& state) {
  std::uint64_t d = 0;
  for (const auto& [id, source] : state) d += EntryHash(id, source);
  return d;
}

void Apply(const Op& op, State* state, std::uint64_t* digest = nullptr) {
  auto it = op.id.empty() ? state->end() : state->find(op.id);
  if (digest != nullptr && it != state->end() && op.kind != OpKind::kRefresh) {
    *digest -= EntryHash(it->first, it->second);
  }
  if (op.kind == OpKind::kIndex || op.kind == OpKind::kReplace) {
    (*state)[op.id] = op.source;
    if (digest != nullptr) *digest += EntryHash(op.id, op.source);
  }
  if (op.kind == OpKind::kDelete && it != state->end()) state->erase(it);
}

State Recovered(const std::string& dir, const analyzers::Registry& registry) {
  State state;
  auto index = engine::Index::Open(dir, engine::IndexOptions{}, registry);
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  if (!index.ok()) return state;
  EXPECT_TRUE((*index)->Refresh().ok());
  Status s = (*index)->AcquireSnapshot()->ForEachDocument([&](const engine::StoredDocument& d) {
    EXPECT_EQ(state.count(d.id), 0u) << "document " << d.id << " is live twice";
    state[d.id] = d.source;
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return state;
}

// `power_cut`: after each kill, the files are also cut back to what they held at their last
// fsync (power_cut.h), as if the machine had lost power rather than the process being killed.
// `async`: the child's index uses durability async, where an ack promises nothing; what
// survives must still be the operations up to some point, with no holes.
void RunRounds(bool power_cut, bool async = false) {
  const std::uint64_t seed = EnvOr("STELA_TEST_SEED", std::random_device{}());
  const std::uint64_t rounds = EnvOr("STELA_CRASH_ROUNDS", 50);
  const char* what = async ? "async power-cut test" : power_cut ? "power-cut test" : "crash test";
  std::printf("%s: STELA_TEST_SEED=%llu, %llu rounds\n", what,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(rounds));
  auto registry = std::move(analyzers::Registry::CreateBuiltin()).value();
  stela::testing::TempDir dir;
  // Canonical: the shim sees the paths the kernel reports, with symbolic links resolved. The
  // child's first open makes the shard's directory, which must survive a power cut too.
  std::filesystem::create_directories(dir.Sub("data"));
  const std::string data = std::filesystem::canonical(dir.Sub("data")).string();
  const std::string shard = data + "/shard";
  const std::string journal = dir.Sub("journal");
  std::mt19937_64 rng(seed);
  State expected;
  std::uint64_t next = 0, in_flight_applied = 0, total_acked = 0, segments = 0, lost = 0;
  PowerCutReport cuts;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round << " seed " << seed);
    const int ms = static_cast<int>(rng() % 120);
    // Odd rounds send bulks (crash_child.cc): up to a whole bulk is in flight at the kill.
    const bool bulk = !async && round % 2 == 1;
    const char* mode = async ? "async" : bulk ? "bulk" : nullptr;
    FileTree before;
    if (power_cut) {
      std::filesystem::remove(journal);
      before = SnapshotTree(data);
    }
    const std::optional<std::uint64_t> last =
        RunAndKill(shard, seed, next, ms, mode, power_cut ? journal : "", data);
    ASSERT_TRUE(last.has_value());
    if (power_cut) {
      const PowerCutReport cut = ApplyPowerCut(data, std::move(before), journal);
      ASSERT_EQ(cut.error, "");
      ASSERT_GT(cut.events, 0u) << "the shim recorded nothing: is it loaded?";
      cuts.Add(cut);
    }
    total_acked += *last + 1 - next;
    const State got = Recovered(shard, *registry);
    // The state must be the previous one plus the operations from `next` up to some point:
    // with durability request, at least every acknowledged one, and at most a prefix of those in
    // flight (sent, not acknowledged); with async, any prefix at all.
    const std::uint64_t max_in_flight = bulk ? kMaxBulk : 1;
    const std::uint64_t acked_end = *last + 1;
    State candidate = expected;
    std::uint64_t digest = Digest(candidate);
    const std::uint64_t got_digest = Digest(got);
    std::uint64_t applied = next;
    for (; !async && applied < acked_end; ++applied) {
      Apply(OpAt(seed, applied), &candidate, &digest);
    }
    while ((digest != got_digest || got != candidate) && applied < acked_end + max_in_flight) {
      Apply(OpAt(seed, applied), &candidate, &digest);
      ++applied;
    }
    if (got == candidate) {
      expected = std::move(candidate);
      in_flight_applied += applied > acked_end;
      lost += applied < acked_end ? acked_end - applied : 0;
    } else {
      if (!async) {
        for (const auto& [id, source] : candidate) {
          auto it = got.find(id);
          ASSERT_TRUE(it != got.end()) << "acknowledged document " << id << " is missing";
          ASSERT_EQ(it->second, source) << "document " << id << " has the wrong content";
        }
      }
      FAIL() << "the recovered documents match no prefix of the operations sent";
    }
    // Past every operation that was in flight: their outcome is now settled either way.
    next = *last + 1 + kMaxBulk;
    auto report = engine::CheckIndex(shard);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->ok()) << report->Summary();
    segments = report->segments;
  }
  std::printf(
      "%s: %llu rounds, %llu acknowledged operations, %zu live documents in %llu "
      "segments, in-flight operations durable in %llu rounds\n",
      what, static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(total_acked),
      expected.size(), static_cast<unsigned long long>(segments),
      static_cast<unsigned long long>(in_flight_applied));
  if (async) {
    std::printf("%s: %llu acknowledged operations lost in all (async promises none of them)\n",
                what, static_cast<unsigned long long>(lost));
  } else {
    EXPECT_EQ(lost, 0u);
  }
  if (power_cut) {
    std::printf("%s: %s\n", what, cuts.Summary().c_str());
    // The cut must have had something to take, or the test shows nothing.
    EXPECT_GT(cuts.bytes_lost, 0u);
  }
}

TEST(CrashTest, EveryAcknowledgedOperationSurvivesSigkill) { RunRounds(false); }

TEST(CrashTest, EveryAcknowledgedOperationSurvivesPowerCut) { RunRounds(true); }

TEST(CrashTest, AsyncDurabilityKeepsAPrefixThroughPowerCuts) { RunRounds(true, true); }

}  // namespace
}  // namespace stela::crashtest
