#include "engine/search/query_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace stela::engine::search {

namespace {

Status BadMsm(std::string_view spec) {
  return Status::InvalidArgument("parsing_exception: failed to parse minimum_should_match [" +
                                 std::string(spec) + "]");
}

// One "N" or "N%" spec applied to n.
StatusOr<std::int64_t> ApplySimple(std::string_view s, std::uint32_t n, std::string_view whole) {
  if (s.empty()) return BadMsm(whole);
  const bool percent = s.back() == '%';
  if (percent) s.remove_suffix(1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return BadMsm(whole);
  if (percent) {
    const std::int64_t part = static_cast<std::int64_t>(std::floor(static_cast<double>(n) *
                                                                   static_cast<double>(std::abs(v)) / 100.0));
    return v < 0 ? static_cast<std::int64_t>(n) - part : part;
  }
  return v < 0 ? static_cast<std::int64_t>(n) + v : v;
}

}  // namespace

StatusOr<std::uint32_t> MinimumShouldMatch(std::string_view spec, std::uint32_t n,
                                           std::uint32_t fallback) {
  while (!spec.empty() && spec.front() == ' ') spec.remove_prefix(1);
  while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
  if (spec.empty()) return fallback;
  std::int64_t result = 0;
  if (spec.find('<') == std::string_view::npos) {
    STELA_ASSIGN_OR_RETURN(result, ApplySimple(spec, n, spec));
  } else {
    // "a<b c<d": the spec of the largest threshold below n applies; at or below every
    // threshold, all clauses are required.
    result = n;
    std::size_t pos = 0;
    while (pos < spec.size()) {
      while (pos < spec.size() && spec[pos] == ' ') ++pos;
      if (pos >= spec.size()) break;
      std::size_t end = spec.find(' ', pos);
      if (end == std::string_view::npos) end = spec.size();
      const std::string_view part = spec.substr(pos, end - pos);
      const std::size_t lt = part.find('<');
      if (lt == std::string_view::npos) return BadMsm(spec);
      std::int64_t threshold = 0;
      const std::string_view th = part.substr(0, lt);
      auto [p, ec] = std::from_chars(th.data(), th.data() + th.size(), threshold);
      if (ec != std::errc() || p != th.data() + th.size()) return BadMsm(spec);
      if (static_cast<std::int64_t>(n) > threshold) {
        STELA_ASSIGN_OR_RETURN(result, ApplySimple(part.substr(lt + 1), n, spec));
      }
      pos = end;
    }
  }
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(result, 0, INT32_MAX));
}

std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + static_cast<std::size_t>(len) > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc >> 6) != 2) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += static_cast<std::size_t>(len);
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {
char32_t Fold(char32_t c, bool ci) {
  return ci && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}
}  // namespace

bool GlobMatch(std::string_view pattern_utf8, std::string_view text_utf8, bool case_insensitive) {
  // Tokens of the pattern: literal code points (escaped or not) and the two wildcards.
  struct Tok {
    char32_t c;
    int kind;  // 0 literal, 1 '?', 2 '*'
  };
  std::vector<Tok> pat;
  const std::u32string p = DecodeUtf8(pattern_utf8);
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == U'\\' && i + 1 < p.size()) {
      pat.push_back({p[++i], 0});
    } else if (p[i] == U'*') {
      pat.push_back({0, 2});
    } else if (p[i] == U'?') {
      pat.push_back({0, 1});
    } else {
      pat.push_back({p[i], 0});
    }
  }
  const std::u32string t = DecodeUtf8(text_utf8);
  // Greedy matching with backtracking to the last star: linear-ish, no exponential blow-up.
  std::size_t pi = 0, ti = 0, star = SIZE_MAX, mark = 0;
  while (ti < t.size()) {
    if (pi < pat.size() && (pat[pi].kind == 1 ||
                            (pat[pi].kind == 0 && Fold(pat[pi].c, case_insensitive) ==
                                                      Fold(t[ti], case_insensitive)))) {
      ++pi;
      ++ti;
    } else if (pi < pat.size() && pat[pi].kind == 2) {
      star = pi++;
      mark = ti;
    } else if (star != SIZE_MAX) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < pat.size() && pat[pi].kind == 2) ++pi;
  return pi == pat.size();
}

std::string EscapeWildcard(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string GlobLiteralPrefix(std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '*' || c == '?') break;
    if (c == '\\') {
      if (i + 1 >= pattern.size()) break;
      out.push_back(pattern[++i]);
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::uint32_t BoundedEditDistance(std::u32string_view a, std::u32string_view b,
                                  std::uint32_t max_edits, bool transpositions) {
  const std::size_t n = a.size(), m = b.size();
  const std::size_t diff = n > m ? n - m : m - n;
  if (diff > max_edits) return max_edits + 1;
  std::vector<std::uint32_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<std::uint32_t>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<std::uint32_t>(i);
    std::uint32_t row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::uint32_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::uint32_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > max_edits) return max_edits + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], max_edits + 1);
}

}  // namespace stela::engine::search
