#include "analyzers/icu/case_folder.h"

#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "analyzers/icu/utf8.h"

namespace stela::analyzers::icu {

namespace {

Status IcuError(const char* what, UErrorCode code) {
  return Status::Internal(std::string(what) + ": " + u_errorName(code));
}

void AsciiLower(std::string_view in, std::string* out) {
  out->resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    (*out)[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
  }
}

// Letters that have no canonical decomposition but a customary ASCII spelling.
const char* AsciiSpelling(UChar32 c) {
  switch (c) {
    case 0x00C6: return "AE";  // Æ
    case 0x00E6: return "ae";  // æ
    case 0x00D8: return "O";   // Ø
    case 0x00F8: return "o";   // ø
    case 0x00D0: return "D";   // Ð
    case 0x00F0: return "d";   // ð
    case 0x00DE: return "TH";  // Þ
    case 0x00FE: return "th";  // þ
    case 0x00DF: return "ss";  // ß
    case 0x0110: return "D";   // Đ
    case 0x0111: return "d";   // đ
    case 0x0126: return "H";   // Ħ
    case 0x0127: return "h";   // ħ
    case 0x0131: return "i";   // ı
    case 0x0141: return "L";   // Ł
    case 0x0142: return "l";   // ł
    case 0x0152: return "OE";  // Œ
    case 0x0153: return "oe";  // œ
    case 0x0166: return "T";   // Ŧ
    case 0x0167: return "t";   // ŧ
    case 0x2018: case 0x2019: return "'";
    default: return nullptr;
  }
}

}  // namespace

StatusOr<CaseFolder> CaseFolder::Create() {
  UErrorCode status = U_ZERO_ERROR;
  const ::icu::Normalizer2* nfkc_cf = ::icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) return IcuError("loading NFKC_Casefold data", status);
  const ::icu::Normalizer2* nfd = ::icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) return IcuError("loading NFD data", status);
  return CaseFolder(nfkc_cf, nfd);
}

Status CaseFolder::Fold(std::string_view in, CaseMode mode, bool turkish, std::string* out) {
  if (mode == CaseMode::kNone) {
    out->assign(in);
    return Status::OK();
  }
  if (turkish) {
    // Dotted/dotless i: Turkish 'I' lowercases to 'ı' (U+0131), 'İ' (U+0130) to 'i'.
    scratch_.clear();
    for (std::size_t i = 0; i < in.size();) {
      const std::size_t at = i;
      const std::int32_t c = NextCodePoint(in, &i);
      if (c == 'I') {
        scratch_ += "\xC4\xB1";
      } else if (c == 0x0130) {
        scratch_ += 'i';
      } else {
        scratch_.append(in.substr(at, i - at));
      }
    }
    std::string tmp;
    tmp.swap(scratch_);
    Status s = Fold(tmp, mode, /*turkish=*/false, out);
    scratch_.swap(tmp);
    return s;
  }
  if (IsAscii(in)) {
    // NFKC_Casefold and lowercase agree on ASCII: only A-Z change.
    AsciiLower(in, out);
    return Status::OK();
  }
  out->clear();
  ::icu::StringByteSink<std::string> sink(out, static_cast<int32_t>(in.size()));
  UErrorCode status = U_ZERO_ERROR;
  const ::icu::StringPiece piece(in.data(), static_cast<int32_t>(in.size()));
  if (mode == CaseMode::kNfkcCaseFold) {
    nfkc_cf_->normalizeUTF8(0, piece, sink, nullptr, status);
  } else {
    ::icu::CaseMap::utf8ToLower("", 0, piece, sink, nullptr, status);
  }
  if (U_FAILURE(status)) return IcuError("case folding", status);
  return Status::OK();
}

Status CaseFolder::FoldToAscii(std::string_view in, std::string* out) {
  if (IsAscii(in)) {
    out->assign(in);
    return Status::OK();
  }
  scratch_.clear();
  {
    ::icu::StringByteSink<std::string> sink(&scratch_, static_cast<int32_t>(in.size() + 8));
    UErrorCode status = U_ZERO_ERROR;
    nfd_->normalizeUTF8(0, ::icu::StringPiece(in.data(), static_cast<int32_t>(in.size())), sink,
                        nullptr, status);
    if (U_FAILURE(status)) return IcuError("decomposing (NFD)", status);
  }
  out->clear();
  for (std::size_t i = 0; i < scratch_.size();) {
    const std::size_t at = i;
    const std::int32_t c = NextCodePoint(scratch_, &i);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (u_charType(c) == U_NON_SPACING_MARK) {
      continue;  // the diacritic NFD split off
    } else if (const char* ascii = AsciiSpelling(c)) {
      out->append(ascii);
    } else {
      out->append(scratch_, at, i - at);
    }
  }
  return Status::OK();
}

}  // namespace stela::analyzers::icu
