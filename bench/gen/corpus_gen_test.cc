#include "bench/gen/corpus_gen.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/testing/temp_dir.h"

namespace stela::bench {
namespace {

// A tiny word list directory, so the test needs no dictionary package.
GenOptions TinyOptions(const stela::testing::TempDir& dir) {
  std::ofstream(dir.Sub("american-english")) << "alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\n";
  std::ofstream(dir.Sub("ngerman")) << "Haus\nStraße\nBaum\nGarten\n";
  GenOptions o;
  o.docs = 500;
  o.seed = 7;
  o.dict_dir = dir.path();
  o.languages = {{"en", 2}, {"de", 1}, {"zh", 1}};
  return o;
}

TEST(CorpusGenTest, DeterministicValidJsonWithEveryField) {
  stela::testing::TempDir dir;
  const GenOptions o = TinyOptions(dir);
  std::ostringstream a, b;
  std::uint64_t reported = 0;
  ASSERT_TRUE(GenerateCorpus(o, a, [&](std::uint64_t n) { reported = n; }).ok());
  ASSERT_TRUE(GenerateCorpus(o, b, nullptr).ok());
  EXPECT_EQ(a.str(), b.str());  // same seed, same bytes
  std::istringstream lines(a.str());
  std::string line;
  simdjson::dom::parser parser;
  std::set<std::string> langs, ids;
  int n = 0;
  while (std::getline(lines, line)) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    std::string_view s;
    ASSERT_FALSE(e["id"].get_string().get(s));
    ids.insert(std::string(s));
    ASSERT_FALSE(e["lang"].get_string().get(s));
    langs.insert(std::string(s));
    ASSERT_FALSE(e["title"].get_string().get(s));
    ASSERT_FALSE(e["body"].get_string().get(s));
    EXPECT_FALSE(s.empty());
    std::int64_t v = 0;
    ASSERT_FALSE(e["published"].get_int64().get(v));
    ++n;
  }
  EXPECT_EQ(n, 500);
  EXPECT_EQ(ids.size(), 500u);
  EXPECT_EQ(langs, (std::set<std::string>{"de", "en", "zh"}));
  GenOptions other = o;
  other.seed = 8;
  std::ostringstream c;
  ASSERT_TRUE(GenerateCorpus(other, c, nullptr).ok());
  EXPECT_NE(a.str(), c.str());
}

TEST(CorpusGenTest, QueriesComeFromTheCorpus) {
  stela::testing::TempDir dir;
  std::ostringstream corpus;
  ASSERT_TRUE(GenerateCorpus(TinyOptions(dir), corpus, nullptr).ok());
  std::istringstream in(corpus.str());
  std::ostringstream queries;
  ASSERT_TRUE(BuildQueries(in, 25, 3, queries).ok());
  std::istringstream lines(queries.str());
  std::string line;
  simdjson::dom::parser parser;
  std::map<std::string, int> classes;
  while (std::getline(lines, line)) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS);
    std::string_view cls, text;
    ASSERT_FALSE(e["class"].get_string().get(cls));
    ASSERT_FALSE(e["text"].get_string().get(text));
    EXPECT_FALSE(text.empty());
    ++classes[std::string(cls)];
  }
  EXPECT_EQ(classes, (std::map<std::string, int>{{"and", 25}, {"or", 25}, {"phrase", 25}, {"term", 25}}));
}

TEST(CorpusGenTest, MissingWordListNamesThePackage) {
  GenOptions o;
  o.dict_dir = "/nonexistent";
  o.languages = {{"fr", 1}};
  std::ostringstream out;
  Status s = GenerateCorpus(o, out, nullptr);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_NE(s.message().find("wfrench"), std::string_view::npos);
}

}  // namespace
}  // namespace stela::bench
