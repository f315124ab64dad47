#include "analyzers/snowball/stemmer.h"

#include <libstemmer.h>

#include <algorithm>
#include <climits>

namespace stela::analyzers::snowball {

StatusOr<std::unique_ptr<Stemmer>> Stemmer::Create(std::string_view algorithm) {
  if (!HasAlgorithm(algorithm)) {
    return Status::InvalidArgument("unknown Snowball stemmer [" + std::string(algorithm) + "]");
  }
  std::string name(algorithm);
  sb_stemmer* stemmer = sb_stemmer_new(name.c_str(), "UTF_8");
  if (stemmer == nullptr) return Status::Internal("libstemmer could not create [" + name + "]");
  return std::unique_ptr<Stemmer>(new Stemmer(stemmer, std::move(name)));
}

Stemmer::~Stemmer() { sb_stemmer_delete(stemmer_); }

std::string_view Stemmer::Stem(std::string_view word) {
  if (word.size() > static_cast<std::size_t>(INT_MAX)) return word;
  const sb_symbol* out = sb_stemmer_stem(
      stemmer_, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
  if (out == nullptr) return word;
  return std::string_view(reinterpret_cast<const char*>(out),
                          static_cast<std::size_t>(sb_stemmer_length(stemmer_)));
}

std::vector<std::string> Algorithms() {
  std::vector<std::string> names;
  for (const char** p = sb_stemmer_list(); *p != nullptr; ++p) names.emplace_back(*p);
  std::sort(names.begin(), names.end());
  return names;
}

bool HasAlgorithm(std::string_view algorithm) {
  for (const char** p = sb_stemmer_list(); *p != nullptr; ++p) {
    if (algorithm == *p) return true;
  }
  return false;
}

}  // namespace stela::analyzers::snowball
