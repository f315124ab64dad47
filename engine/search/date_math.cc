#include "engine/search/date_math.h"

#include <chrono>
#include <cstdio>

#include "engine/index/document.h"

namespace stela::engine::search {

using index::DaysFromCivil;

namespace {
constexpr std::int64_t kDay = 86400000;

Status BadDate(std::string_view text) {
  return Status::InvalidArgument("could not parse date [" + std::string(text) + "]");
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}
}  // namespace

std::int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void CivilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2);
}

StatusOr<std::int64_t> RoundDownToUnit(std::int64_t ms, char unit) {
  const std::int64_t days = FloorDiv(ms, kDay);
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  switch (unit) {
    case 'y': return DaysFromCivil(y, 1, 1) * kDay;
    case 'q': return DaysFromCivil(y, (m - 1) / 3 * 3 + 1, 1) * kDay;
    case 'M': return DaysFromCivil(y, m, 1) * kDay;
    case 'w': {
      // ISO weeks start on Monday; 1970-01-01 was a Thursday.
      const std::int64_t weekday = ((days % 7) + 7 + 3) % 7;  // 0 = Monday
      return (days - weekday) * kDay;
    }
    case 'd': return days * kDay;
    case 'h': case 'H': return FloorDiv(ms, 3600000) * 3600000;
    case 'm': return FloorDiv(ms, 60000) * 60000;
    case 's': return FloorDiv(ms, 1000) * 1000;
    default: return Status::InvalidArgument(std::string("unknown date unit [") + unit + "]");
  }
}

StatusOr<std::int64_t> AddUnits(std::int64_t ms, std::int64_t n, char unit) {
  switch (unit) {
    case 'y': case 'M': case 'q': {
      const std::int64_t months = unit == 'y' ? n * 12 : unit == 'q' ? n * 3 : n;
      const std::int64_t days = FloorDiv(ms, kDay);
      const std::int64_t in_day = ms - days * kDay;
      std::int64_t y = 0;
      unsigned m = 0, d = 0;
      CivilFromDays(days, &y, &m, &d);
      std::int64_t total = y * 12 + (m - 1) + months;
      const std::int64_t ny = FloorDiv(total, 12);
      const auto nm = static_cast<unsigned>(total - ny * 12 + 1);
      static constexpr unsigned kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      unsigned len = kLen[nm - 1];
      if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) len = 29;
      return DaysFromCivil(ny, nm, std::min(d, len)) * kDay + in_day;
    }
    case 'w': return ms + n * 7 * kDay;
    case 'd': return ms + n * kDay;
    case 'h': case 'H': return ms + n * 3600000;
    case 'm': return ms + n * 60000;
    case 's': return ms + n * 1000;
    default: return Status::InvalidArgument(std::string("unknown date unit [") + unit + "]");
  }
}

StatusOr<std::int64_t> ParseDateMath(std::string_view text, std::int64_t now_ms, bool round_up) {
  std::int64_t base = 0;
  std::string_view math;
  if (text.substr(0, 3) == "now") {
    base = now_ms;
    math = text.substr(3);
  } else {
    const std::size_t bars = text.find("||");
    const std::string_view date = bars == std::string_view::npos ? text : text.substr(0, bars);
    if (bars != std::string_view::npos) math = text.substr(bars + 2);
    auto parsed = index::ParseDateMillis(date);
    if (!parsed.ok()) {
      // epoch millis as a string
      std::int64_t v = 0;
      bool digits = !date.empty();
      std::size_t i = date[0] == '-' ? 1 : 0;
      if (i >= date.size()) digits = false;
      for (; digits && i < date.size(); ++i) {
        if (date[i] < '0' || date[i] > '9') digits = false;
      }
      if (!digits || std::sscanf(std::string(date).c_str(), "%ld", &v) != 1) {
        return BadDate(text);
      }
      base = v;
    } else {
      base = *parsed;
      // A date without time rounds like date/d when rounding up (lte "2024-05-01").
      if (round_up && math.empty() && date.size() == 10) return base + kDay - 1;
    }
  }
  std::size_t i = 0;
  while (i < math.size()) {
    const char op = math[i++];
    if (op == '/') {
      if (i >= math.size()) return BadDate(text);
      const char unit = math[i++];
      STELA_ASSIGN_OR_RETURN(std::int64_t down, RoundDownToUnit(base, unit));
      if (round_up) {
        STELA_ASSIGN_OR_RETURN(std::int64_t next, AddUnits(down, 1, unit));
        base = next - 1;
      } else {
        base = down;
      }
    } else if (op == '+' || op == '-') {
      std::int64_t n = 0;
      std::size_t start = i;
      while (i < math.size() && math[i] >= '0' && math[i] <= '9') n = n * 10 + (math[i++] - '0');
      if (i == start) n = 1;
      if (i >= math.size()) return BadDate(text);
      const char unit = math[i++];
      STELA_ASSIGN_OR_RETURN(base, AddUnits(base, op == '+' ? n : -n, unit));
    } else {
      return BadDate(text);
    }
  }
  return base;
}

std::string FormatDateMillis(std::int64_t ms) {
  const std::int64_t days = FloorDiv(ms, kDay);
  std::int64_t in_day = ms - days * kDay;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04ld-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", static_cast<long>(y),
                m, d, static_cast<long>(in_day / 3600000), static_cast<long>(in_day / 60000 % 60),
                static_cast<long>(in_day / 1000 % 60), static_cast<long>(in_day % 1000));
  return buf;
}

}  // namespace stela::engine::search
