#include "bench/gen/corpus_gen.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <istream>
#include <map>
#include <ostream>
#include <random>

#include "engine/common/json_escape.h"

namespace stela::bench {

namespace {

struct Vocabulary {
  std::vector<std::string> words;  // in Zipf rank order
  std::vector<double> cdf;

  const std::string& Draw(std::mt19937_64& rng) const {
    const double u = std::uniform_real_distribution<double>(0, cdf.back())(rng);
    const auto it = std::lower_bound(cdf.begin(), cdf.end(), u);
    return words[static_cast<std::size_t>(it - cdf.begin())];
  }
};

std::string DictFile(const std::string& lang) {
  if (lang == "en") return "american-english";
  if (lang == "de") return "ngerman";
  if (lang == "fr") return "french";
  if (lang == "es") return "spanish";
  if (lang == "it") return "italian";
  return "";
}

std::string DictPackage(const std::string& lang) {
  if (lang == "en") return "wamerican";
  if (lang == "de") return "wngerman";
  if (lang == "fr") return "wfrench";
  if (lang == "es") return "wspanish";
  if (lang == "it") return "witalian";
  return "";
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

StatusOr<Vocabulary> LoadVocabulary(const GenOptions& o, const std::string& lang,
                                    std::uint64_t seed) {
  Vocabulary v;
  std::mt19937_64 rng(seed ^ std::hash<std::string>()(lang));
  if (lang == "zh" || lang == "ja") {
    // Ideographs from the common CJK block; words of 1-3 characters.
    for (int i = 0; i < 30000; ++i) {
      std::string w;
      const int len = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < len; ++k) AppendUtf8(0x4E00 + static_cast<char32_t>(rng() % 6000), &w);
      v.words.push_back(std::move(w));
    }
  } else {
    const std::string file = DictFile(lang);
    if (file.empty()) return Status::InvalidArgument("no word list for language [" + lang + "]");
    std::ifstream in(o.dict_dir + "/" + file);
    if (!in) {
      return Status::NotFound("word list " + o.dict_dir + "/" + file +
                              " is missing: apt-get install " + DictPackage(lang));
    }
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line.find('\'') != std::string::npos) continue;
      v.words.push_back(line);
    }
    std::sort(v.words.begin(), v.words.end());
    v.words.erase(std::unique(v.words.begin(), v.words.end()), v.words.end());
  }
  // The rank order is a seeded shuffle; weights 1 / rank.
  std::shuffle(v.words.begin(), v.words.end(), rng);
  double total = 0;
  v.cdf.reserve(v.words.size());
  for (std::size_t r = 0; r < v.words.size(); ++r) {
    total += 1.0 / static_cast<double>(r + 1);
    v.cdf.push_back(total);
  }
  return v;
}

std::string Sentence(const Vocabulary& v, std::mt19937_64& rng, std::size_t words,
                     const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < words; ++i) {
    if (i > 0) out += sep;
    out += v.Draw(rng);
    if (sep == " " && i > 0 && i + 1 < words && rng() % 12 == 0) out += ".";
  }
  return out;
}

}  // namespace

Status GenerateCorpus(const GenOptions& o, std::ostream& out,
                      const std::function<void(std::uint64_t)>& progress) {
  std::vector<Vocabulary> vocab;
  std::vector<double> shares;
  for (const auto& [lang, share] : o.languages) {
    STELA_ASSIGN_OR_RETURN(Vocabulary v, LoadVocabulary(o, lang, o.seed));
    vocab.push_back(std::move(v));
    shares.push_back(share);
  }
  std::mt19937_64 rng(o.seed);
  std::discrete_distribution<std::size_t> pick_lang(shares.begin(), shares.end());
  std::lognormal_distribution<double> body_len(std::log(120.0), 0.9);
  std::string line;
  for (std::uint64_t i = 0; i < o.docs; ++i) {
    const std::size_t l = pick_lang(rng);
    const std::string& lang = o.languages[l].first;
    const std::string sep = lang == "zh" || lang == "ja" ? "" : " ";
    const std::size_t title_words = 3 + rng() % 10;
    const std::size_t body_words =
        static_cast<std::size_t>(std::clamp(body_len(rng), 5.0, 5000.0));
    line.clear();
    line += "{\"id\":\"g" + std::to_string(i) + "\",\"lang\":\"" + lang + "\",\"title\":";
    AppendJsonString(Sentence(vocab[l], rng, title_words, sep), &line);
    line += ",\"body\":";
    AppendJsonString(Sentence(vocab[l], rng, body_words, sep), &line);
    // Keyword, numeric and date fields for filters and aggregations.
    const std::uint64_t tag = static_cast<std::uint64_t>(std::pow(1.0 + static_cast<double>(rng() % 10000), 0.5));
    line += ",\"tag\":\"t" + std::to_string(tag) + "\"";
    line += ",\"views\":" + std::to_string(static_cast<std::uint64_t>(std::exp(static_cast<double>(rng() % 1400) / 100.0)));
    const std::uint64_t day = rng() % 3650;
    const std::int64_t ms = (1420070400LL + static_cast<std::int64_t>(day) * 86400) * 1000;
    line += ",\"published\":" + std::to_string(ms);
    line += ",\"price\":" + std::to_string(static_cast<double>(rng() % 100000) / 100.0) + "}\n";
    out << line;
    if (progress && (i + 1) % 100000 == 0) progress(i + 1);
  }
  out.flush();
  return out ? Status::OK() : Status::IOError("cannot write the corpus");
}

Status BuildQueries(std::istream& corpus, std::uint32_t per_class, std::uint64_t seed,
                    std::ostream& out) {
  // Reservoir-sample documents' bodies per language.
  std::mt19937_64 rng(seed);
  const std::size_t keep = static_cast<std::size_t>(per_class) * 4;
  std::vector<std::pair<std::string, std::string>> sample;  // (lang, body)
  simdjson::dom::parser parser;
  std::string line;
  std::uint64_t seen = 0;
  while (std::getline(corpus, line)) {
    simdjson::dom::element e;
    if (parser.parse(line).get(e)) continue;
    std::string_view lang, body;
    if (e["lang"].get_string().get(lang) || e["body"].get_string().get(body)) continue;
    ++seen;
    if (sample.size() < keep) {
      sample.emplace_back(std::string(lang), std::string(body));
    } else {
      const std::uint64_t j = rng() % seen;
      if (j < keep) sample[j] = {std::string(lang), std::string(body)};
    }
  }
  if (sample.empty()) return Status::InvalidArgument("the corpus has no documents with a body");
  auto words_of = [](const std::string& body, const std::string& lang) {
    std::vector<std::string> w;
    if (lang == "zh" || lang == "ja") {
      // Three-byte ideographs: take 2-character pieces as "words".
      for (std::size_t i = 0; i + 6 <= body.size(); i += 6) w.push_back(body.substr(i, 6));
      return w;
    }
    std::size_t start = 0;
    while (start < body.size()) {
      std::size_t sp = body.find(' ', start);
      if (sp == std::string::npos) sp = body.size();
      std::string word = body.substr(start, sp - start);
      while (!word.empty() && word.back() == '.') word.pop_back();
      if (!word.empty()) w.push_back(word);
      start = sp + 1;
    }
    return w;
  };
  static const char* kClasses[] = {"term", "and", "or", "phrase"};
  std::uint64_t qid = 0;
  for (const char* cls : kClasses) {
    for (std::uint32_t q = 0; q < per_class; ++q) {
      const auto& [lang, body] = sample[rng() % sample.size()];
      const std::vector<std::string> w = words_of(body, lang);
      if (w.size() < 4) {
        --q;
        continue;
      }
      std::string text;
      const std::string sep = lang == "zh" || lang == "ja" ? "" : " ";
      if (std::string(cls) == "term") {
        text = w[rng() % w.size()];
      } else if (std::string(cls) == "phrase") {
        const std::size_t at = rng() % (w.size() - 2);
        text = w[at] + " " + w[at + 1] + (rng() % 2 ? " " + w[at + 2] : "");
      } else {
        const std::size_t n = std::string(cls) == "and" ? 2 : 3;
        for (std::size_t k = 0; k < n; ++k) text += (k ? " " : "") + w[rng() % w.size()];
      }
      std::string o = "{\"qid\":\"" + std::string(cls) + "-" + std::to_string(++qid) +
                      "\",\"class\":\"" + cls + "\",\"lang\":\"" + lang + "\",\"text\":";
      AppendJsonString(text, &o);
      out << o << "}\n";
    }
  }
  return out ? Status::OK() : Status::IOError("cannot write the queries");
}

std::string QueryLineBody(const std::string& cls, const std::string& text,
                          const std::vector<std::string>& fields, const std::string& type,
                          const std::string& language) {
  std::string q;
  AppendJsonString(text, &q);
  if (cls == "agg") {
    return R"({"size": 0, "track_total_hits": true, "aggs": {"a": {"terms": {"field": )" + q +
           "}}}}";
  }
  if (cls == "phrase") {
    return R"({"size": 10, "_source": false, "query": {"match_phrase": {"body": )" + q + "}}}";
  }
  if (!cls.empty()) {
    return R"({"size": 10, "_source": false, "query": {"match": {"body": {"query": )" + q +
           R"(, "operator": ")" + (cls == "and" ? "and" : "or") + R"("}}}})";
  }
  std::string body = R"({"size": 10, "_source": false, "query": {"multi_match": {"query": )" + q +
                     R"(, "type": )";
  AppendJsonString(type, &body);
  body += R"(, "fields": [)";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) body += ",";
    AppendJsonString(fields[i], &body);
  }
  body += "]";
  if (!language.empty()) {
    body += R"(, "language": )";
    AppendJsonString(language, &body);
  }
  return body + "}}}";
}

}  // namespace stela::bench
