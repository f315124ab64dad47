#include "api/server/bench_command.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>

#include "api/server/flags.h"
#include "bench/gen/corpus_gen.h"
#include "bench/load/driver.h"

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

constexpr FlagSpec kLoadFlags[] = {
    {"url", true, "the node's HTTP address (default http://127.0.0.1:9200)"},
    {"grpc", true, "send the bulk requests over gRPC to this host:port instead of HTTP"},
    {"index", true, "index to load (default bench; created when missing)"},
    {"corpus", true, "JSON lines to load, - for standard input (a string \"id\" field becomes the _id)"},
    {"batch", true, "documents per bulk request (default 1000)"},
    {"clients", true, "concurrent bulk requests (default 1)"},
    {"rate", true, "documents per second (default 0: as fast as the node takes them)"},
    {"max-docs", true, "stop after this many documents (default: the whole file)"},
    {"create-body", true, "create-index body (settings, mappings) when the index is missing"},
    {"out", true, "write OUT.json, OUT.dat and the plot OUT.png"},
};
constexpr FlagSpec kSearchFlags[] = {
    {"url", true, "the node's HTTP address (default http://127.0.0.1:9200)"},
    {"grpc", true, "send the searches over gRPC to this host:port instead of HTTP"},
    {"index", true, "index to search (default bench)"},
    {"queries", true, "query lines from `stela bench queries` or known-item lines"},
    {"fields", true, "fields of known-item queries (default title,body)"},
    {"concurrency", true, "requests in flight (default 8)"},
    {"rate", true, "requests per second (default 0: closed loop at --concurrency)"},
    {"duration", true, "seconds to run (default 30)"},
    {"requests", true, "stop after this many requests instead"},
    {"out", true, "write OUT.json, OUT.dat and the plot OUT.png"},
};

// One progress line, rewritten in place each second.
void PrintProgress(const bench::RunReport& r, double fraction) {
  const bench::Second* s = r.timeline.empty() ? nullptr : &r.timeline.back();
  const double dt = r.timeline.size() >= 2 ? s->t - r.timeline[r.timeline.size() - 2].t : (s ? s->t : 1);
  const double pct = fraction > 1 ? 100 : 100 * fraction;
  const double eta = fraction > 0.001 && s != nullptr ? s->t * (1 - fraction) / fraction : 0;
  if (r.kind == "load") {
    std::fprintf(stderr, "\r%5.1f%% %llu docs, %.0f docs/s, %.2f MB/s, p99 %.0f ms, node RSS %.0f MB, ETA %.0f s   ",
                 pct, static_cast<unsigned long long>(r.docs),
                 s ? static_cast<double>(s->docs) / dt : 0, s ? static_cast<double>(s->bytes) / 1e6 / dt : 0,
                 s ? s->p99_ms : 0, s ? s->server_rss_mb : 0, eta);
  } else {
    std::fprintf(stderr, "\r%5.1f%% %llu requests, %.0f/s, p50 %.2f ms, p99 %.2f ms, %llu errors, ETA %.0f s   ",
                 pct, static_cast<unsigned long long>(r.requests), s ? static_cast<double>(s->ops) / dt : 0,
                 s ? s->p50_ms : 0, s ? s->p99_ms : 0, static_cast<unsigned long long>(r.errors), eta);
  }
}

extern "C" void StopOnSignal(int) { bench::RequestStop(); }

int Finish(const char* name, StatusOr<bench::RunReport> report, const std::optional<std::string>& out) {
  std::fprintf(stderr, "\n");
  if (!report.ok()) {
    std::fprintf(stderr, "stela bench %s: %s\n", name, report.status().ToString().c_str());
    return 1;
  }
  std::fputs(report->Summary().c_str(), stdout);
  if (out) {
    Status s = bench::WriteReport(*report, *out);
    if (!s.ok()) std::fprintf(stderr, "stela bench %s: %s\n", name, s.ToString().c_str());
    else std::printf("  wrote %s.json, %s.dat, %s.png\n", out->c_str(), out->c_str(), out->c_str());
  }
  return report->errors == 0 && report->failed_docs == 0 ? 0 : 1;
}

int Usage() {
  std::fprintf(stderr,
               "usage: stela bench gen [--docs N] [--seed S] [--languages en:4,de:2] [--out F]\n"
               "       stela bench queries [--corpus F] [--per-class N] [--seed S] [--out F]\n"
               "       stela bench load --corpus F [--url U] [--grpc H:P] [--index I] [--batch N]\n"
               "                        [--clients N] [--rate DOCS/S] [--max-docs N] [--out PREFIX]\n"
               "       stela bench search --queries F [--url U] [--grpc H:P] [--index I]\n"
               "                        [--concurrency N | --rate QPS] [--duration S] [--requests N]\n"
               "                        [--out PREFIX]\n");
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
  if (sub == "load" || sub == "search") {
    const bool load = sub == "load";
    auto flags = Flags::Parse(rest, load ? std::span<const FlagSpec>(kLoadFlags)
                                         : std::span<const FlagSpec>(kSearchFlags),
                              ProcessEnv());
    if (!flags.ok()) {
      std::fprintf(stderr, "stela bench %s: %s\n%s", sub.c_str(), flags.status().ToString().c_str(),
                   FlagsHelp(load ? std::span<const FlagSpec>(kLoadFlags)
                                  : std::span<const FlagSpec>(kSearchFlags)).c_str());
      return 2;
    }
    // Ctrl-C / SIGTERM: stop sending, finish what is in flight, write the report.
    std::signal(SIGINT, StopOnSignal);
    std::signal(SIGTERM, StopOnSignal);
    bench::Target target;
    target.http_url = flags->Get("url").value_or(target.http_url);
    target.grpc_address = flags->Get("grpc").value_or("");
    target.index = flags->Get("index").value_or(target.index);
    try {
      if (load) {
        bench::LoadOptions o;
        o.target = target;
        o.corpus_path = flags->Get("corpus").value_or("");
        if (o.corpus_path.empty()) return Usage();
        o.batch_docs = std::stoul(flags->Get("batch").value_or("1000"));
        o.clients = std::stoul(flags->Get("clients").value_or("1"));
        o.rate_docs = std::stod(flags->Get("rate").value_or("0"));
        o.max_docs = std::stoull(flags->Get("max-docs").value_or("0"));
        o.create_body = flags->Get("create-body").value_or("");
        return Finish("load", bench::RunLoad(o, PrintProgress), flags->Get("out"));
      }
      bench::SearchOptions o;
      o.target = target;
      o.queries_path = flags->Get("queries").value_or("");
      if (o.queries_path.empty()) return Usage();
      o.fields = flags->Get("fields").value_or(o.fields);
      o.concurrency = std::stoul(flags->Get("concurrency").value_or("8"));
      o.rate = std::stod(flags->Get("rate").value_or("0"));
      o.duration_s = std::stod(flags->Get("duration").value_or("30"));
      o.max_requests = std::stoull(flags->Get("requests").value_or("0"));
      return Finish("search", bench::RunSearch(o, PrintProgress), flags->Get("out"));
    } catch (const std::exception& e) {  // std::stoul and friends on a bad number
      std::fprintf(stderr, "stela bench %s: bad number in a flag (%s)\n", sub.c_str(), e.what());
      return 2;
    }
  }
  return Usage();
}

}  // namespace stela::api
