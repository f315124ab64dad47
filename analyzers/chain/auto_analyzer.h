// The `auto` analyzer: detects each value's language (or takes the one the document names) and
// runs that language's chain.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "stela/analyzers/analyzer.h"

namespace stela::analyzers {

// `chain_for` maps a canonical language code ("" when detection found none) to the analyzer to
// run; it must return non-null, be thread-safe and outlive the analyzer.
using ChainLookup = std::function<const Analyzer*(std::string_view code)>;

std::unique_ptr<Analyzer> NewAutoAnalyzer(std::string name, ChainLookup chain_for);

}  // namespace stela::analyzers
