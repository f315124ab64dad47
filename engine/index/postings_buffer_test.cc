#include "engine/index/postings_buffer.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/testing/seed.h"

namespace stela::engine::index {
namespace {

std::uint64_t Seed() {
  static const std::uint64_t seed = stela::testing::TestSeed("postings buffer");
  return seed;
}

// term -> docno -> positions, the model the buffer must reproduce.
using Model = std::map<std::string, std::map<std::uint32_t, std::vector<std::uint32_t>>>;

Model Collect(const PostingsBuffer& buffer) {
  Model out;
  std::string previous;
  bool first = true;
  const Status s = buffer.ForEachTerm([&](const TermPostings& p) -> Status {
    const std::string term(p.term);
    EXPECT_TRUE(first || previous < term) << "out of order: " << previous << ", " << term;
    first = false;
    previous = term;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < p.count; ++i) {
      if (i > 0) {
        EXPECT_LT(p.docs[i - 1], p.docs[i]) << term;
      }
      EXPECT_GT(p.freqs[i], 0u);
      auto& positions = out[term][p.docs[i]];
      for (std::uint32_t f = 0; f < p.freqs[i]; ++f) {
        positions.push_back(p.positions != nullptr ? p.positions[pos++] : 0);
      }
    }
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(TermDictionaryTest, InternsOnceAndSurvivesGrowth) {
  TermDictionary dict;
  std::vector<std::string> terms;
  for (int i = 0; i < 5000; ++i) terms.push_back("t" + std::to_string(i * 7919));
  terms.push_back("");  // the empty term is a term
  for (std::size_t i = 0; i < terms.size(); ++i) {
    bool added = false;
    EXPECT_EQ(dict.Intern(terms[i], HashTerm(terms[i]), &added), i);
    EXPECT_TRUE(added);
  }
  for (std::size_t i = 0; i < terms.size(); ++i) {
    bool added = true;
    EXPECT_EQ(dict.Intern(terms[i], HashTerm(terms[i]), &added), i);
    EXPECT_FALSE(added);
    EXPECT_EQ(dict.Term(static_cast<std::uint32_t>(i)), terms[i]);
  }
  EXPECT_EQ(dict.size(), terms.size());
}

TEST(TermDictionaryTest, TellsApartTermsWhoseHashesCollide) {
  // Every term under one hash: only their bytes tell them apart. Pairs share a length and a
  // prefix; a NUL byte must not end a term early; and the table grows while they all collide.
  std::vector<std::string> terms = {"abc",
                                    "abd",
                                    "ab",
                                    std::string("abc\0", 4),
                                    std::string("ab\0", 3),
                                    "abcdefg",
                                    "abcdefgh",
                                    "abcdefgi",
                                    "abcdefgh1",
                                    "abcdefgh2",
                                    ""};
  for (int i = 0; i < 600; ++i) terms.push_back("abcdefg-" + std::to_string(i));
  TermDictionary dict;
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < terms.size(); ++i) {
      bool added = round == 1;
      EXPECT_EQ(dict.Intern(terms[i], 42, &added), i) << terms[i];
      EXPECT_EQ(added, round == 0) << terms[i];
      EXPECT_EQ(dict.Term(static_cast<std::uint32_t>(i)), terms[i]);
    }
  }
  EXPECT_EQ(dict.size(), terms.size());
}

TEST(PostingsBufferTest, MatchesModelOnRandomDocs) {
  std::mt19937_64 rng(Seed());
  for (const bool positional : {true, false}) {
    PostingsBuffer buffer(positional);
    Model model;
    std::size_t bytes = 0;
    std::uniform_int_distribution<int> vocab(0, 300), length(0, 40);
    std::uint32_t docno = 0;
    // About 80k occurrences: past the buffer's first chunks and through several full ones.
    for (int d = 0; d < 4000; ++d) {
      docno += 1 + static_cast<std::uint32_t>(rng() % 3);  // gaps, as replaced docs leave
      const int n = length(rng);
      for (int p = 0; p < n; ++p) {
        // Multi-byte and prefix-sharing terms, so byte order is what is checked.
        const int v = vocab(rng);
        const std::string term = (v % 3 == 0 ? "\xc3\xa9" : "a") + std::to_string(v);
        bytes += buffer.Add(term, HashTerm(term), docno, static_cast<std::uint32_t>(p));
        model[term][docno].push_back(positional ? static_cast<std::uint32_t>(p) : 0);
      }
    }
    EXPECT_GT(bytes, 0u);
    EXPECT_EQ(buffer.terms(), model.size());
    EXPECT_EQ(Collect(buffer), model);
  }
}

TEST(PostingsBufferTest, EmptyBufferVisitsNothingAndErrorsStop) {
  PostingsBuffer empty(true);
  EXPECT_TRUE(Collect(empty).empty());
  PostingsBuffer buffer(false);
  buffer.Add("b", HashTerm("b"), 0, 0);
  buffer.Add("a", HashTerm("a"), 1, 0);
  int visits = 0;
  const Status s = buffer.ForEachTerm([&](const TermPostings&) {
    ++visits;
    return Status::IOError("stop");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(visits, 1);
}

}  // namespace
}  // namespace stela::engine::index
