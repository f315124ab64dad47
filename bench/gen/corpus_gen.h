// The benchmark corpus generator and query-set builder behind `stela bench gen` and
// `stela bench queries`: deterministic, streaming (any document count in constant memory).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "stela/common/status.h"

namespace stela::bench {

struct GenOptions {
  std::uint64_t docs = 100000;
  std::uint64_t seed = 42;
  // Language codes with the share of documents each gets (normalised).
  std::vector<std::pair<std::string, double>> languages = {
      {"en", 4}, {"de", 2}, {"fr", 2}, {"es", 1}, {"it", 1}, {"zh", 1}};
  std::string dict_dir = "/usr/share/dict";
};

// Writes `options.docs` JSON lines to `out`: {"id","lang","title","body","tag","views",
// "published","price"}. Words are drawn per language from a Zipf (s = 1) distribution over the
// language's word list (Debian's wamerican, wngerman, wfrench, wspanish, witalian; Chinese words
// are 1-3 ideographs from a seeded vocabulary). Titles have 3-12 words, bodies a log-normal
// length (median ~120 words). `progress` is called about every 100,000 documents. Returns
// NotFound naming the Debian package when a word list is missing.
Status GenerateCorpus(const GenOptions& options, std::ostream& out,
                      const std::function<void(std::uint64_t)>& progress);

// Reads a corpus (JSON lines with "lang" and "body") and writes query lines
// {"qid","class","lang","text"} for the classes term, and, or, phrase: `per_class` each, words
// taken from sampled documents' bodies (so every query matches something).
Status BuildQueries(std::istream& corpus, std::uint32_t per_class, std::uint64_t seed,
                    std::ostream& out);

// The Elasticsearch search body for one query line. Classes from BuildQueries: term, and, or
// (a `match` on body with that operator), phrase (`match_phrase` on body), agg (a terms
// aggregation over every document; the text is the field). Without a class (known-item lines),
// a `multi_match` of `type` over `fields`, with `language` when it is not empty. Top 10, no
// _source.
std::string QueryLineBody(const std::string& cls, const std::string& text,
                          const std::vector<std::string>& fields, const std::string& type,
                          const std::string& language);

}  // namespace stela::bench
