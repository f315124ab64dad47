#include "engine/common/malloc_tuning.h"

#include <malloc.h>

namespace stela {

void TuneMalloc() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 4 << 20);
#endif
}

}  // namespace stela
