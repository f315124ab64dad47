// Crash test: a child process indexes, replaces and deletes documents with durability=request
// and is killed with SIGKILL at a random moment; the index is reopened and must hold every
// acknowledged operation, nothing that was never sent, and pass check-index. Rounds continue on
// the same directory, so recovery of recovered indexes is exercised too.
//   STELA_TEST_SEED replays a run; STELA_CRASH_ROUNDS (default 50) sets the rounds.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "engine/check/check_index.h"
#include "engine/testing/temp_dir.h"
#include "stela/engine/index.h"
#include "tests/crash/crash_workload.h"

namespace stela::crashtest {
namespace {

std::uint64_t EnvOr(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

// Runs the child until it has acknowledged at least one operation and `ms` more milliseconds
// passed, then SIGKILLs it. Returns the last acknowledged op (nullopt if none).
std::optional<std::uint64_t> RunAndKill(const std::string& dir, std::uint64_t seed,
                                        std::uint64_t first, int ms) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string s = std::to_string(seed), f = std::to_string(first);
    execl(STELA_CRASH_CHILD, STELA_CRASH_CHILD, dir.c_str(), s.c_str(), f.c_str(),
          static_cast<char*>(nullptr));
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

void Apply(const Op& op, State* state) {
  if (op.kind == OpKind::kIndex || op.kind == OpKind::kReplace) (*state)[op.id] = op.source;
  if (op.kind == OpKind::kDelete) state->erase(op.id);
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

TEST(CrashTest, EveryAcknowledgedOperationSurvivesSigkill) {
  const std::uint64_t seed = EnvOr("STELA_TEST_SEED", std::random_device{}());
  const std::uint64_t rounds = EnvOr("STELA_CRASH_ROUNDS", 50);
  std::printf("crash test: STELA_TEST_SEED=%llu, %llu rounds\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(rounds));
  auto registry = std::move(analyzers::Registry::CreateBuiltin()).value();
  stela::testing::TempDir dir;
  const std::string shard = dir.Sub("shard");
  std::mt19937_64 rng(seed);
  State expected;
  std::uint64_t next = 0, in_flight_applied = 0, total_acked = 0, segments = 0;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round << " seed " << seed);
    const int ms = static_cast<int>(rng() % 120);
    const std::optional<std::uint64_t> last = RunAndKill(shard, seed, next, ms);
    ASSERT_TRUE(last.has_value());
    for (std::uint64_t i = next; i <= *last; ++i) Apply(OpAt(seed, i), &expected);
    total_acked += *last + 1 - next;
    const State got = Recovered(shard, *registry);
    // The operation in flight at the kill may or may not have become durable.
    State with_in_flight = expected;
    Apply(OpAt(seed, *last + 1), &with_in_flight);
    if (got == with_in_flight && got != expected) {
      expected = with_in_flight;
      ++in_flight_applied;
    } else {
      ASSERT_EQ(got.size(), expected.size()) << "documents lost or unexpected documents present";
      for (const auto& [id, source] : expected) {
        auto it = got.find(id);
        ASSERT_TRUE(it != got.end()) << "acknowledged document " << id << " is missing";
        ASSERT_EQ(it->second, source) << "document " << id << " has the wrong content";
      }
    }
    next = *last + 2;  // skip the in-flight op: its outcome is now settled either way
    auto report = engine::CheckIndex(shard);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->ok()) << report->Summary();
    segments = report->segments;
  }
  std::printf("crash test: %llu rounds, %llu acknowledged operations, %zu live documents in %llu "
              "segments, in-flight operation durable in %llu rounds\n",
              static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(total_acked),
              expected.size(), static_cast<unsigned long long>(segments),
              static_cast<unsigned long long>(in_flight_applied));
}

}  // namespace
}  // namespace stela::crashtest
