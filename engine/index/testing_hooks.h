// Seams for engine tests only: nothing outside tests calls these.
#pragma once

#include "stela/engine/index.h"

namespace stela::testing {

// While held, background merges pick no new work (one under way finishes), so a test can put
// the index in the state of merges falling behind. Writers that reach the outright merge wait
// (a level over 3 * merge_factor) would wait until release: tests stay below it.
void HoldMerges(engine::Index& index, bool hold);

// While set, reordering merges cannot make their spill file (as when the disk is full) and
// fall back to reading stored documents in merged order. Process-wide.
void FailSpillFiles(bool fail);

}  // namespace stela::testing
