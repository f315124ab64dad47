// Dates in queries and aggregations: ISO dates, epoch milliseconds and date math ("now-1d/d",
// "2024-05-01||+1M"), and the ISO rendering of aggregation keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stela/common/status.h"

namespace stela::engine::search {

std::int64_t NowMillis();
// Parses `text` (ISO date or datetime, optionally followed by "||" and math; or "now" and math:
// +N or -N with a unit y M w d h H m s, then /unit rounding). `round_up` rounds to the last
// millisecond of the unit instead of the first. Returns InvalidArgument otherwise.
StatusOr<std::int64_t> ParseDateMath(std::string_view text, std::int64_t now_ms, bool round_up);
// 2024-05-01T00:00:00.000Z
std::string FormatDateMillis(std::int64_t ms);
// Civil-calendar helper (UTC); the inverse is index::DaysFromCivil (engine/index/document.h).
void CivilFromDays(std::int64_t days, std::int64_t* y, unsigned* m, unsigned* d);
// Rounds `ms` down to the start of its calendar unit (y, q, M, w, d, h, m, s).
StatusOr<std::int64_t> RoundDownToUnit(std::int64_t ms, char unit);
// Adds `n` calendar units.
StatusOr<std::int64_t> AddUnits(std::int64_t ms, std::int64_t n, char unit);

}  // namespace stela::engine::search
