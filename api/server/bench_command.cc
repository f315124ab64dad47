#include "api/server/bench_command.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "api/server/flags.h"
#include "bench/gen/corpus_gen.h"

namespace stela::api {

namespace {

constexpr FlagSpec kGenFlags[] = {
    {"docs", true, "documents to generate (default 100000)"},
    {"seed", true, "random seed (default 42)"},
    {"languages", true, "language:share list (default en:4,de:2,fr:2,es:1,it:1,zh:1)"},
    {"dict-dir", true, "word lists directory (default /usr/share/dict)"},
    {"out", true, "output file (default: standard output)"},
};
constexpr FlagSpec kQueryFlags[] = {
    {"corpus", true, "corpus JSON lines (default: standard input)"},
    {"per-class", true, "queries per class (default 200)"},
    {"seed", true, "random seed (default 7)"},
    {"out", true, "output file (default: standard output)"},
};

int Usage() {
  std::fprintf(stderr,
               "usage: stela bench gen [--docs N] [--seed S] [--languages en:4,de:2] [--out F]\n"
               "       stela bench queries [--corpus F] [--per-class N] [--seed S] [--out F]\n");
  return 2;
}

}  // namespace

int RunBench(const std::vector<std::string>& args) {
  if (args.empty()) return Usage();
  const std::string sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "gen") {
    auto flags = Flags::Parse(rest, kGenFlags, ProcessEnv());
    if (!flags.ok()) {
      std::fprintf(stderr, "stela bench gen: %s\n%s", flags.status().ToString().c_str(),
                   FlagsHelp(kGenFlags).c_str());
      return 2;
    }
    bench::GenOptions o;
    o.docs = std::stoull(flags->Get("docs").value_or("100000"));
    o.seed = std::stoull(flags->Get("seed").value_or("42"));
    o.dict_dir = flags->Get("dict-dir").value_or("/usr/share/dict");
    if (auto l = flags->Get("languages")) {
      o.languages.clear();
      std::size_t start = 0;
      while (start < l->size()) {
        std::size_t comma = l->find(',', start);
        if (comma == std::string::npos) comma = l->size();
        const std::string part = l->substr(start, comma - start);
        const std::size_t colon = part.find(':');
        o.languages.emplace_back(part.substr(0, colon),
                                 colon == std::string::npos ? 1.0 : std::stod(part.substr(colon + 1)));
        start = comma + 1;
      }
    }
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (auto path = flags->Get("out")) {
      file.open(*path);
      out = &file;
    }
    const auto start = std::chrono::steady_clock::now();
    Status s = bench::GenerateCorpus(o, *out, [&](std::uint64_t n) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "\rbench gen: %llu/%llu documents (%.0f docs/s)",
                   static_cast<unsigned long long>(n), static_cast<unsigned long long>(o.docs),
                   static_cast<double>(n) / secs);
    });
    std::fprintf(stderr, "\n");
    if (!s.ok()) {
      std::fprintf(stderr, "stela bench gen: %s\n", s.ToString().c_str());
      return 1;
    }
    return 0;
  }
  if (sub == "queries") {
    auto flags = Flags::Parse(rest, kQueryFlags, ProcessEnv());
    if (!flags.ok()) {
      std::fprintf(stderr, "stela bench queries: %s\n%s", flags.status().ToString().c_str(),
                   FlagsHelp(kQueryFlags).c_str());
      return 2;
    }
    std::ifstream corpus_file;
    std::istream* in = &std::cin;
    if (auto path = flags->Get("corpus")) {
      corpus_file.open(*path);
      if (!corpus_file) {
        std::fprintf(stderr, "stela bench queries: cannot read %s\n", path->c_str());
        return 1;
      }
      in = &corpus_file;
    }
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (auto path = flags->Get("out")) {
      file.open(*path);
      out = &file;
    }
    Status s = bench::BuildQueries(*in, static_cast<std::uint32_t>(std::stoul(flags->Get("per-class").value_or("200"))),
                                   std::stoull(flags->Get("seed").value_or("7")), *out);
    if (!s.ok()) {
      std::fprintf(stderr, "stela bench queries: %s\n", s.ToString().c_str());
      return 1;
    }
    return 0;
  }
  return Usage();
}

}  // namespace stela::api
