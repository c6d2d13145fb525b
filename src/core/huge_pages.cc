#include "core/huge_pages.h"

#include <sys/mman.h>

namespace canvass {

bool AdviseHugePages(const void* p, size_t n) {
  const uintptr_t from = reinterpret_cast<uintptr_t>(p);
  const uintptr_t begin = (from + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const uintptr_t end = (from + n) & ~(kHugePageBytes - 1);
  if (n == 0 || end <= begin) return false;
  return ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) == 0;
}

}  // namespace canvass
