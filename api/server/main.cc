// `stela`: one binary, subcommands. This file only dispatches; each command lives in its own file.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "api/server/analyze_command.h"
#include "api/server/bench_command.h"
#include "api/server/flags.h"
#include "api/server/serve_command.h"
#include "engine/check/check_index.h"
#include "engine/common/malloc_tuning.h"
#include "stela/analyzers/registry.h"

#ifndef STELA_VERSION
#define STELA_VERSION "0.1.0"
#endif

namespace {

constexpr char kUsage[] =
    "usage: stela <command> [flags]\n"
    "\n"
    "commands:\n"
    "  serve [flags]              run a node: the Elasticsearch REST API over HTTP\n"
    "  bench gen|queries [flags]  generate a benchmark corpus or query set (JSON lines)\n"
    "  version                    print the version\n"
    "  analyze [flags] TEXT...    print the tokens of TEXT as JSON lines\n"
    "  check-index PATH           verify every invariant of a shard (not open elsewhere)\n"
    "  help                       this text\n";

int Fail(const stela::Status& s, int code) {
  std::fprintf(stderr, "stela: %s\n", s.ToString().c_str());
  return code;
}

int Analyze(const std::vector<std::string>& args) {
  auto flags = stela::api::Flags::Parse(args, stela::api::AnalyzeFlags(), stela::api::ProcessEnv());
  if (!flags.ok()) {
    std::fprintf(stderr, "stela analyze: %s\nflags:\n%s", flags.status().ToString().c_str(),
                 stela::api::FlagsHelp(stela::api::AnalyzeFlags()).c_str());
    return 2;
  }
  auto registry = stela::analyzers::Registry::CreateBuiltin();
  if (!registry.ok()) return Fail(registry.status(), 1);
  std::string out;
  stela::Status s = stela::api::RunAnalyze(*flags, **registry, &out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!s.ok()) return Fail(s, s.IsInvalidArgument() || s.IsNotFound() ? 2 : 1);
  return 0;
}

int Serve(const std::vector<std::string>& args) {
  auto flags = stela::api::Flags::Parse(args, stela::api::ServeFlags(), stela::api::ProcessEnv());
  if (!flags.ok()) {
    std::fprintf(stderr, "stela serve: %s\nflags:\n%s", flags.status().ToString().c_str(),
                 stela::api::FlagsHelp(stela::api::ServeFlags()).c_str());
    return 2;
  }
  stela::Status s = stela::api::RunServe(*flags);
  if (!s.ok()) return Fail(s, s.IsInvalidArgument() ? 2 : 1);
  return 0;
}

int CheckIndexCommand(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fputs("usage: stela check-index PATH\n", stderr);
    return 2;
  }
  auto report = stela::engine::CheckIndex(args[0]);
  if (!report.ok()) return Fail(report.status(), 1);
  std::fputs(report->Summary().c_str(), stdout);
  return report->ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  stela::TuneMalloc();
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "version" || command == "--version") {
    std::printf("stela %s\n", STELA_VERSION);
    return 0;
  }
  if (command == "analyze") return Analyze(args);
  if (command == "serve") return Serve(args);
  if (command == "bench") return stela::api::RunBench(args);
  if (command == "check-index") return CheckIndexCommand(args);
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "stela: unknown command [%s]\n%s", command.c_str(), kUsage);
  return 2;
}
