// The crash and power-cut tests again, through the whole server: `stela serve` is started as a
// child, an index is made over HTTP, and _bulk requests (the crash workload's operations, up to
// 64 per request) go in until the server is SIGKILLed at a random moment. With a power cut, the
// server ran under the shim (power_cut_shim.cc) and its data directory is cut back to what it
// had synced (power_cut.h). The next round's server recovers the node; every acknowledged item
// must be there, nothing unsent may be, and the index must pass check-index. Each round also
// makes a new index with one document, which every later round must find.
//   STELA_TEST_SEED replays a run; STELA_CRASH_ROUNDS sets the rounds (default 16 here).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "engine/check/check_index.h"
#include "engine/testing/temp_dir.h"
#include "tests/crash/crash_workload.h"
#include "tests/crash/power_cut.h"

namespace stela::crashtest {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr std::uint64_t kMaxBulk = 64;
constexpr std::uint64_t kIds = 1500;  // ids the workload writes: the index stays small

// The crash workload with its ids folded into kIds, so that a round's search sees them all.
Op NodeOpAt(std::uint64_t seed, std::uint64_t i) {
  Op op = OpAt(seed, i);
  if (!op.id.empty()) op.id = "d" + std::to_string(std::stoull(op.id.substr(1)) % kIds);
  return op;
}

// One HTTP request; nullopt when the connection fails (the server died).
std::optional<std::pair<int, std::string>> Send(std::uint16_t port, http::verb method,
                                                const std::string& target, const std::string& body,
                                                const char* type = "application/json") {
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(60));  // a hung server fails the test, not ctest
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(http::field::content_type, type);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 30);
    http::read(stream, buffer, parser);
    return std::make_pair(static_cast<int>(parser.get().result_int()), parser.get().body());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

struct Server;
void Kill(Server& s);

// A running `stela serve`; killed when it goes out of scope (a failed assertion included).
struct Server {
  pid_t pid = -1;
  std::uint16_t port = 0;
  Server() = default;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  Server(Server&& o) noexcept : pid(o.pid), port(o.port) { o.pid = -1; }
  ~Server() { Kill(*this); }
};

// Starts `stela serve` on DATA (under the shim when `journal` is set) and waits for its port.
Server Start(const std::string& data, const std::string& port_file, const std::string& journal) {
  fs::remove(port_file);
  std::vector<std::string> env = ChildEnvironment(STELA_POWERCUT_SHIM, journal, data);
  std::vector<char*> envp = Pointers(env);
  const char* argv[] = {STELA_BIN,     "serve", "--data",      data.c_str(),      "--port", "0",
                        "--grpc-port", "off",   "--port-file", port_file.c_str(), nullptr};
  Server s;
  s.pid = fork();
  if (s.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDERR_FILENO);
    execve(STELA_BIN, const_cast<char**>(argv), envp.data());
    _exit(127);
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    std::ifstream in(port_file);
    unsigned port = 0;
    if (in >> port) {
      s.port = static_cast<std::uint16_t>(port);
      return s;
    }
    int status = 0;
    if (waitpid(s.pid, &status, WNOHANG) == s.pid) {
      ADD_FAILURE() << "stela serve exited with status " << status;
      s.pid = -1;
      return s;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "stela serve did not start within 60 s";
  return s;
}

void Kill(Server& s) {
  if (s.pid <= 0) return;
  kill(s.pid, SIGKILL);
  waitpid(s.pid, nullptr, 0);
  s.pid = -1;
}

using State = std::map<std::string, std::string>;  // id -> minified source

std::string Minified(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(json.data(), json.size()).get(e)) return "<malformed " + std::string(json) + ">";
  return simdjson::minify(e);
}

void Apply(const Op& op, State* state) {
  if (op.kind == OpKind::kIndex || op.kind == OpKind::kReplace) {
    (*state)[op.id] = Minified(op.source);
  }
  if (op.kind == OpKind::kDelete) state->erase(op.id);
}

// Whether `got` is `expected`; reports the first document of each kind that differs if not.
bool Same(const State& got, const State& expected) {
  if (got == expected) return true;
  for (const auto& [id, source] : expected) {
    auto it = got.find(id);
    if (it == got.end()) {
      ADD_FAILURE() << "acknowledged document " << id << " is missing";
      break;
    }
  }
  for (const auto& [id, source] : expected) {
    auto it = got.find(id);
    if (it != got.end() && it->second != source) {
      ADD_FAILURE() << "document " << id << " is " << it->second << ", not " << source;
      break;
    }
  }
  for (const auto& [id, source] : got) {
    if (expected.count(id) == 0) {
      ADD_FAILURE() << "document " << id << " should not be there";
      break;
    }
  }
  ADD_FAILURE() << got.size() << " documents where " << expected.size() << " were expected";
  return false;
}

// Every document of index "crash" as the server returns it.
std::optional<State> Documents(std::uint16_t port) {
  auto refreshed = Send(port, http::verb::post, "/crash/_refresh", "");
  if (!refreshed || refreshed->first != 200) {
    ADD_FAILURE() << "refresh failed: " << (refreshed ? refreshed->second : "no answer");
    return std::nullopt;
  }
  auto r = Send(port, http::verb::post, "/crash/_search",
                R"({"size": 10000, "query": {"match_all": {}}})");
  if (!r || r->first != 200) {
    ADD_FAILURE() << "search failed: " << (r ? r->second : "no answer");
    return std::nullopt;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array hits;
  if (parser.parse(r->second).get(root) || root["hits"]["hits"].get_array().get(hits)) {
    ADD_FAILURE() << "unexpected search answer: " << r->second;
    return std::nullopt;
  }
  State state;
  for (simdjson::dom::element h : hits) {
    std::string_view id;
    simdjson::dom::element source;
    if (h["_id"].get_string().get(id) || h["_source"].get(source)) {
      ADD_FAILURE() << "hit without _id or _source: " << simdjson::minify(h);
      return std::nullopt;
    }
    EXPECT_EQ(state.count(std::string(id)), 0u) << "document " << id << " is live twice";
    state[std::string(id)] = simdjson::minify(source);
  }
  return state;
}

// Sends the workload's operations from `next` in bulks until the server stops answering.
// acked: one past the last acknowledged operation; sent: one past the last sent one.
void SendBulks(std::uint16_t port, std::uint64_t seed, std::uint64_t next,
               std::atomic<std::uint64_t>* acked, std::atomic<std::uint64_t>* sent) {
  for (std::uint64_t i = next;;) {
    const std::uint64_t n = 1 + Mix(seed ^ i) % kMaxBulk;
    std::string body;
    for (std::uint64_t k = i; k < i + n; ++k) {
      const Op op = NodeOpAt(seed, k);
      if (op.kind == OpKind::kDelete) {
        body += R"({"delete": {"_id": ")" + op.id + "\"}}\n";
      } else if (op.kind != OpKind::kRefresh) {
        body += R"({"index": {"_id": ")" + op.id + "\"}}\n" + op.source + "\n";
      }
    }
    sent->store(i + n);
    // Some bulks ask for a refresh, so that kills also land in segment writes.
    const char* target = Mix(seed + i) % 4 == 0 ? "/crash/_bulk?refresh=true" : "/crash/_bulk";
    auto r = body.empty() ? std::optional<std::pair<int, std::string>>({200, ""})
                          : Send(port, http::verb::post, target, body, "application/x-ndjson");
    if (!r) return;
    if (r->first != 200 || r->second.find("\"errors\":true") != std::string::npos) {
      ADD_FAILURE() << "bulk failed: " << r->second;
      return;
    }
    i += n;
    acked->store(i);
  }
}

void RunRounds(bool power_cut) {
  const std::uint64_t seed = EnvOr("STELA_TEST_SEED", std::random_device{}());
  const std::uint64_t rounds = EnvOr("STELA_CRASH_ROUNDS", 16);
  const char* what = power_cut ? "serve power-cut test" : "serve crash test";
  std::printf("%s: STELA_TEST_SEED=%llu, %llu rounds\n", what,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(rounds));
  stela::testing::TempDir dir;
  fs::create_directories(dir.Sub("node"));
  const std::string data = fs::canonical(dir.Sub("node")).string();
  const std::string journal = dir.Sub("journal"), port_file = dir.Sub("port");
  std::mt19937_64 rng(seed);
  State expected;
  std::uint64_t next = 0, total_acked = 0, in_flight_applied = 0;
  PowerCutReport cuts;
  for (std::uint64_t round = 0; round <= rounds; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round << " seed " << seed);
    FileTree before;
    if (power_cut) {
      fs::remove(journal);
      before = SnapshotTree(data);
    }
    const bool last_round = round == rounds;  // only recovers and checks
    Server server = Start(data, port_file, power_cut && !last_round ? journal : "");
    ASSERT_GT(server.pid, 0);
    if (round == 0) {
      auto r = Send(server.port, http::verb::put, "/crash",
                    R"({"mappings": {"properties": {"body": {"type": "text"}}}})");
      ASSERT_TRUE(r && r->first == 200) << (r ? r->second : "no answer");
    } else {
      // What the previous round's kill left, recovered by this server.
      std::optional<State> got = Documents(server.port);
      ASSERT_TRUE(got.has_value());
      ASSERT_TRUE(Same(*got, expected));
    }
    // Every index made in an earlier round, with its one document, is still there.
    for (std::uint64_t k = 0; k < round; ++k) {
      const std::string target = "/made-" + std::to_string(k) + "/_doc/x";
      auto r = Send(server.port, http::verb::get, target, "");
      ASSERT_TRUE(r && r->first == 200 && r->second.find("\"found\":true") != std::string::npos)
          << target << ": " << (r ? r->second : "no answer");
    }
    if (last_round) {
      Kill(server);
      std::uint64_t checked = 0;
      for (const auto& e : fs::directory_iterator(data + "/indices")) {
        auto report = engine::CheckIndex(e.path().string());
        ASSERT_TRUE(report.ok()) << e.path() << ": " << report.status().ToString();
        EXPECT_TRUE(report->ok()) << e.path() << ": " << report->Summary();
        ++checked;
      }
      EXPECT_EQ(checked, rounds + 1);  // "crash" and one made per round
      break;
    }
    // A new index and one document in it, acknowledged before the bulks start: making an index
    // (the node's metadata, the index's directory) must survive the cut too.
    {
      const std::string name = "/made-" + std::to_string(round);
      auto r = Send(server.port, http::verb::put, name,
                    R"({"mappings": {"properties": {"round": {"type": "long"}}}})");
      ASSERT_TRUE(r && r->first == 200) << (r ? r->second : "no answer");
      r = Send(server.port, http::verb::put, name + "/_doc/x",
               R"({"round": )" + std::to_string(round) + "}");
      ASSERT_TRUE(r && r->first == 201) << (r ? r->second : "no answer");
    }
    std::atomic<std::uint64_t> acked{next}, sent{next};
    std::thread sender(SendBulks, server.port, seed, next, &acked, &sent);
    // Kill at a random moment after the first acknowledged bulk.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acked.load() == next && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    Kill(server);
    sender.join();
    ASSERT_GT(acked.load(), next) << "nothing was acknowledged within 60 s";
    if (power_cut) {
      const PowerCutReport cut = ApplyPowerCut(data, std::move(before), journal);
      ASSERT_EQ(cut.error, "");
      ASSERT_GT(cut.events, 0u) << "the shim recorded nothing: is it loaded?";
      cuts.Add(cut);
    }
    for (std::uint64_t i = next; i < acked.load(); ++i) Apply(NodeOpAt(seed, i), &expected);
    total_acked += acked.load() - next;
    // The bulk in flight at the kill may have become durable in part, in order: peek at what
    // the next round's server holds and take the prefix that matches, if any.
    {
      Server peek = Start(data, port_file, "");
      ASSERT_GT(peek.pid, 0);
      std::optional<State> got = Documents(peek.port);
      // A clean stop: what the peek wrote (a refresh) is durable before the next snapshot.
      kill(peek.pid, SIGTERM);
      const auto stop_by = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      bool stopped = false;
      while (!(stopped = waitpid(peek.pid, nullptr, WNOHANG) == peek.pid)) {
        if (std::chrono::steady_clock::now() > stop_by) {
          ADD_FAILURE() << "stela serve did not stop within 60 s of SIGTERM";
          break;  // the destructor kills it
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (stopped) peek.pid = -1;
      ASSERT_TRUE(got.has_value());
      State candidate = expected;
      std::uint64_t k = acked.load();
      while (*got != candidate && k < sent.load()) Apply(NodeOpAt(seed, k++), &candidate);
      if (*got == candidate) {
        in_flight_applied += k > acked.load();
        expected = std::move(candidate);
      }  // else: the check at the start of the next round reports what differs
    }
    next = sent.load();  // past everything in flight: its outcome is now settled
  }
  std::printf(
      "%s: %llu rounds, %llu acknowledged operations, %zu live documents, in-flight "
      "bulk durable in part or whole in %llu rounds\n",
      what, static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(total_acked),
      expected.size(), static_cast<unsigned long long>(in_flight_applied));
  if (power_cut) {
    std::printf("%s: %s\n", what, cuts.Summary().c_str());
    EXPECT_GT(cuts.bytes_lost, 0u);
  }
}

TEST(ServeCrashTest, AcknowledgedBulksSurviveSigkill) { RunRounds(false); }

TEST(ServeCrashTest, AcknowledgedBulksSurvivePowerCut) { RunRounds(true); }

}  // namespace
}  // namespace stela::crashtest
