#include "api/server/analyze_command.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "engine/common/json_escape.h"

namespace stela::api {

namespace {

constexpr FlagSpec kAnalyzeFlags[] = {
    {"analyzer", true, "analyzer name: standard, english, german, cjk, icu_analyzer, auto, ..."},
    {"language", true, "language code (de, ja, ...) or auto; instead of --analyzer"},
    {"file", true, "read the text from this file ('-' for standard input)"},
};

Status ReadText(const Flags& flags, std::string* text) {
  std::optional<std::string> file = flags.Get("file");
  if (file && !flags.positional().empty()) {
    return Status::InvalidArgument("give the text either as arguments or with --file, not both");
  }
  if (file) {
    if (*file == "-") {
      text->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      return Status::OK();
    }
    std::ifstream in(*file, std::ios::binary);
    if (!in) return Status::IOError("cannot read [" + *file + "]");
    text->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return Status::OK();
  }
  for (const std::string& word : flags.positional()) {
    if (!text->empty()) text->push_back(' ');
    text->append(word);
  }
  return Status::OK();
}

}  // namespace

std::span<const FlagSpec> AnalyzeFlags() { return kAnalyzeFlags; }

Status RunAnalyze(const Flags& flags, const analyzers::Registry& registry, std::string* out) {
  std::optional<std::string> name = flags.Get("analyzer");
  std::optional<std::string> language = flags.Get("language");
  if (name && language) {
    return Status::InvalidArgument("give --analyzer or --language, not both");
  }
  const analyzers::Analyzer* analyzer = nullptr;
  if (language) {
    STELA_ASSIGN_OR_RETURN(analyzer, registry.ForLanguage(*language));
  } else {
    STELA_ASSIGN_OR_RETURN(analyzer, registry.Find(name.value_or("standard")));
  }
  std::string text;
  STELA_RETURN_IF_ERROR(ReadText(flags, &text));
  STELA_ASSIGN_OR_RETURN(std::unique_ptr<analyzers::TokenStream> stream, analyzer->NewStream());
  std::vector<analyzers::Token> tokens;
  STELA_RETURN_IF_ERROR(stream->Analyze(text, &tokens));
  const bool detects = analyzer->language() == "auto";
  for (const analyzers::Token& t : tokens) {
    out->append("{\"token\":");
    AppendJsonString(t.term, out);
    out->append(",\"start_offset\":" + std::to_string(t.start_offset));
    out->append(",\"end_offset\":" + std::to_string(t.end_offset));
    out->append(",\"type\":");
    AppendJsonString(analyzers::TokenTypeName(t.type), out);
    out->append(",\"position\":" + std::to_string(t.position));
    if (detects) {
      out->append(",\"language\":");
      AppendJsonString(stream->last_language(), out);
    }
    out->append("}\n");
  }
  return Status::OK();
}

}  // namespace stela::api
