// `stela serve`: one node — the Elasticsearch REST API over HTTP on embedded defaults (no other
// service needed), data in a directory, clean shutdown on SIGTERM/SIGINT.
#pragma once

#include <span>

#include "api/server/flags.h"
#include "stela/common/status.h"

namespace stela::api {

std::span<const FlagSpec> ServeFlags();

// Serves until SIGTERM or SIGINT, then stops accepting, finishes the requests in hand and
// flushes every index. Returns IOError when the port cannot be bound or the data directory
// cannot be opened.
Status RunServe(const Flags& flags);

}  // namespace stela::api
