// The process of a command that reads a whole election, works once and exits (`check`,
// `tabulate`): it pays no set-up that only a long run earns back. Measured as a whole process,
// where every millisecond before and around the work counts (docs/performance.md, "canvass check
// --json of one Iowa release").
//
// PrepareOneShotCommand puts the heap in transparent huge pages (UseHugePagesForHeap, below);
// has SHA-256 computed by libsodium, which needs no set-up, rather than by libcrypto, whose first
// digest costs 1 to 6 ms (core/sha256.h: the command hashes its ruleset only); and, when the
// heap is in huge pages, has input files read into it rather than mapped (io/file_text.h).
//
// UseHugePagesForHeap: on the virtual machines this project runs on, a page of memory touched for
// the first time costs 10 to 25 us, and `canvass check` of one Iowa release first touched about
// 1,400 pages of heap (the election's figures, the checks, the JSON text): a third of the
// command's time. A 2 MiB page is one fault. It asks glibc's malloc to take its memory from the
// heap (not from a mapping of its own per large block, up to 32 MiB), to grow the heap 64 MiB at a
// time and not to give it back during the command; then it moves the heap's next allocation to a
// 2 MiB boundary (the few hundred KiB skipped are never touched, so never resident) and advises
// the heap from there on with MADV_HUGEPAGE. Where the kernel has no transparent huge pages, or
// their mode is "never", the advice changes nothing; under a sanitizer's allocator (which refuses
// mallopt) nothing is changed at all. Not for the server: its memory is large and long-lived, and
// huge pages would keep freed memory resident.
//
// Only the main thread's allocations come from the advised heap: another thread's come from an
// arena of its own. (Checking on two threads was measured: with one shared arena the threads
// wait on its lock, with two the second arena's pages fault one by one; neither was faster.)
//
// Thread-safety: call once, before other threads start.
#pragma once

#include <cstddef>

namespace canvass {

struct HugePageHeap {
  bool prepared = false;  // the heap was advised
  char* begin = nullptr;  // the advised range, 2 MiB aligned
  char* end = nullptr;
};

HugePageHeap UseHugePagesForHeap();

void PrepareOneShotCommand();

}  // namespace canvass
