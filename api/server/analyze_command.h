// `stela analyze`: prints the tokens of a text as JSON lines, as `_analyze` would list them.
#pragma once

#include <span>
#include <string>

#include "api/server/flags.h"
#include "stela/analyzers/registry.h"

namespace stela::api {

// The flags `stela analyze` accepts.
std::span<const FlagSpec> AnalyzeFlags();

// Analyzes the text named by `flags` (positional words joined by spaces, or --file PATH, "-" for
// standard input) with --analyzer NAME (default "standard") or --language CODE|auto, and appends
// one JSON object per token to `*out`:
//   {"token":"haus","start_offset":4,"end_offset":11,"type":"<ALPHANUM>","position":1}
// plus "language" when the analyzer detects it. Returns NotFound for an unknown analyzer,
// InvalidArgument for bad UTF-8 or conflicting flags, IOError for an unreadable file.
Status RunAnalyze(const Flags& flags, const analyzers::Registry& registry, std::string* out);

}  // namespace stela::api
