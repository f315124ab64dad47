// Stemmer: a Snowball stemmer (libstemmer 2.2) for one language, over UTF-8.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"

struct sb_stemmer;

namespace stela::analyzers::snowball {

// Not thread-safe (libstemmer keeps the result in the stemmer): one per thread.
class Stemmer {
 public:
  // `algorithm` is a Snowball name ("german", "english", "porter"). Returns InvalidArgument if
  // libstemmer has no such algorithm, Internal if it cannot allocate one.
  static StatusOr<std::unique_ptr<Stemmer>> Create(std::string_view algorithm);
  ~Stemmer();
  Stemmer(const Stemmer&) = delete;
  Stemmer& operator=(const Stemmer&) = delete;

  // Stems lowercase UTF-8 `word`. The view stays valid until the next call or destruction.
  // A word too long for libstemmer's int lengths, or an allocation failure inside libstemmer,
  // yields the word unchanged.
  std::string_view Stem(std::string_view word);

  const std::string& algorithm() const { return algorithm_; }

 private:
  Stemmer(sb_stemmer* stemmer, std::string algorithm)
      : stemmer_(stemmer), algorithm_(std::move(algorithm)) {}
  sb_stemmer* stemmer_;
  std::string algorithm_;
};

// The canonical algorithm names libstemmer knows, sorted ("arabic" ... "yiddish", and "porter").
std::vector<std::string> Algorithms();

// True if libstemmer knows `algorithm`.
bool HasAlgorithm(std::string_view algorithm);

}  // namespace stela::analyzers::snowball
