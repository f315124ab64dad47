// Stems of Debian's snowball-data vocabulary (the Snowball project's own test pairs), run through
// Stela's whole chain (ICU segmentation, NFKC case folding, stemmer) for all 28 languages.
//
// A pair must agree exactly when the chain's tokenizer and case folding leave the word as it is
// (one token, same text). When folding changes the word (German "ß" -> "ss", Greek final "ς" ->
// "σ"), Snowball's expected stem is for a different input than the stemmer sees: those pairs are
// counted and their agreement printed, not required. Where Snowball stems a word to nothing
// (Turkish "sunuz"), the chain keeps the word: an empty term could never be searched.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "analyzers/chain/test_util.h"
#include "stela/analyzers/analyzer.h"
#include "stela/analyzers/registry.h"

namespace stela::analyzers {
namespace {

constexpr char kDataDir[] = "/usr/share/snowball/data";
constexpr std::size_t kSamplePerLanguage = 4000;

// Reads `dir/name` or `dir/name.gz` (through gzip), one entry per line.
std::vector<std::string> ReadLines(const std::filesystem::path& dir, const std::string& name) {
  std::string text;
  if (std::filesystem::exists(dir / name)) {
    std::ifstream in(dir / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  } else if (std::filesystem::exists(dir / (name + ".gz"))) {
    const std::string cmd = "gzip -dc '" + (dir / (name + ".gz")).string() + "'";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) return {};
    char buf[1 << 16];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
    pclose(pipe);
  }
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

class SnowballVocabularyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SnowballVocabularyTest, ChainStemsLikeSnowball) {
  const std::string algorithm = GetParam();
  const std::filesystem::path dir = std::filesystem::path(kDataDir) / algorithm;
  const std::vector<std::string> words = ReadLines(dir, "voc.txt");
  const std::vector<std::string> stems = ReadLines(dir, "output.txt");
  // The package is a dependency (scripts/deps.sh): missing data is a failure, not a skip.
  ASSERT_FALSE(words.empty()) << "snowball-data is not installed (" << dir << ")";
  ASSERT_EQ(words.size(), stems.size());

  ChainOptions fold_only;  // the chain without its stemmer
  fold_only.turkish_lowercase = algorithm == "turkish";
  ChainOptions stemmed = fold_only;
  stemmed.stemmer = algorithm;
  auto folder = NewChainAnalyzer("fold", fold_only);
  auto stemmer = NewChainAnalyzer(algorithm, stemmed);
  ASSERT_TRUE(folder.ok() && stemmer.ok());
  auto fold_stream = (*folder)->NewStream();
  auto stem_stream = (*stemmer)->NewStream();
  ASSERT_TRUE(fold_stream.ok() && stem_stream.ok());

  const std::size_t step = std::max<std::size_t>(1, words.size() / kSamplePerLanguage);
  std::size_t checked = 0, skipped = 0, wrong = 0, folded = 0, folded_agree = 0;
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < words.size(); i += step) {
    tokens.clear();
    ASSERT_TRUE((*fold_stream)->Analyze(words[i], &tokens).ok()) << words[i];
    if (tokens.size() != 1) {
      ++skipped;
      continue;
    }
    const bool unchanged = tokens[0].term == words[i];
    tokens.clear();
    ASSERT_TRUE((*stem_stream)->Analyze(words[i], &tokens).ok());
    const std::string& expected = stems[i].empty() ? words[i] : stems[i];
    if (!unchanged) {
      ++folded;
      folded_agree += tokens.size() == 1 && tokens[0].term == expected;
      continue;
    }
    ++checked;
    if (tokens.size() != 1 || tokens[0].term != expected) {
      ++wrong;
      if (wrong <= 5) {
        ADD_FAILURE() << algorithm << ": " << words[i] << " -> "
                      << (tokens.empty() ? "(nothing)" : tokens[0].term) << ", Snowball says "
                      << stems[i];
      }
    }
  }
  std::printf("[ %-10s ] %7zu pairs in the data; sampled: %zu exact-checked, %zu wrong; %zu "
              "changed by case folding (%zu of them agree anyway); %zu split by the tokenizer\n",
              algorithm.c_str(), words.size(), checked, wrong, folded, folded_agree, skipped);
  EXPECT_EQ(wrong, 0u);
  // The check must mean something: most sampled words reach the stemmer unchanged.
  EXPECT_GT(checked, (checked + folded + skipped) * 7 / 10);
}

INSTANTIATE_TEST_SUITE_P(
    AllLanguages, SnowballVocabularyTest,
    ::testing::Values("arabic", "armenian", "basque", "catalan", "danish", "dutch", "english",
                      "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian",
                      "irish", "italian", "lithuanian", "nepali", "norwegian", "portuguese",
                      "romanian", "russian", "serbian", "spanish", "swedish", "tamil", "turkish",
                      "yiddish"),
    [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace stela::analyzers
