// Test helpers for analyzer tests: analyze a text and compare token lists compactly.
#pragma once

#include <string>
#include <vector>

#include "stela/analyzers/analyzer.h"

namespace stela::analyzers::testing {

// Analyzes `text` with a fresh stream of `analyzer`; fails the test on error.
std::vector<Token> Analyze(const Analyzer& analyzer, std::string_view text,
                           std::string_view language = "");

// "term@position[start,end)" per token, space-separated: compact and diff-friendly.
std::string Describe(const std::vector<Token>& tokens);

// Just the terms.
std::vector<std::string> Terms(const std::vector<Token>& tokens);

}  // namespace stela::analyzers::testing
