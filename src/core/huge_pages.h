// Large buffers in transparent huge pages.
//
// A buffer of a hundred megabytes written once (a release's signed JSON at national scale) faults
// its pages in one at a time: some 25,000 faults of 10 to 25 us each on this project's machines,
// a third of the time it takes to write it. Advised before it is first written, the kernel backs
// it with 2 MiB pages where it can (transparent huge pages in "madvise" mode, Debian's default),
// some fifty faults instead.
//
// Thread-safety: a system call on memory the caller owns.
#pragma once

#include <cstddef>
#include <cstdint>

namespace canvass {

inline constexpr uintptr_t kHugePageBytes = uintptr_t{2} << 20;

// Advises MADV_HUGEPAGE for the whole 2 MiB pages within [p, p + n). False, changing nothing,
// when that range holds no whole huge page or the kernel refuses (no transparent huge pages).
bool AdviseHugePages(const void* p, size_t n);

}  // namespace canvass
