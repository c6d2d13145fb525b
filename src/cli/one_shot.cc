#include "cli/one_shot.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "core/huge_pages.h"
#include "core/sha256.h"
#include "io/file_text.h"

namespace canvass {

namespace {

constexpr uintptr_t kHugePage = kHugePageBytes;
constexpr int kGrowth = 64 << 20;
constexpr int kLargestFromHeap = 32 << 20;  // glibc's upper bound for M_MMAP_THRESHOLD

// The block that fills the heap up to the 2 MiB boundary, kept for the life of the process and
// never written: its pages are never resident.
void* volatile g_gap = nullptr;

}  // namespace

HugePageHeap UseHugePagesForHeap() {
  HugePageHeap heap;
  if (mallopt(M_MMAP_THRESHOLD, kLargestFromHeap) != 1 || mallopt(M_TOP_PAD, kGrowth) != 1 ||
      mallopt(M_TRIM_THRESHOLD, 2 * kGrowth) != 1) {
    return heap;
  }
  // A block larger than any freed one yet comes from the top of the heap: where it begins, the
  // heap's unused part begins.
  void* probe = std::malloc(256 << 10);
  if (probe == nullptr) return heap;
  const uintptr_t top = reinterpret_cast<uintptr_t>(probe);
  std::free(probe);
  const uintptr_t begin = (top + kHugePage - 1) & ~(kHugePage - 1);
  // A block of exactly (begin - top) bytes, header included (glibc's chunks carry 8 bytes of
  // size and are 16-byte multiples), so that the next block from the top begins at `begin`; its
  // allocation also grows the heap by the 64 MiB asked for above.
  if (begin - top >= 64) g_gap = std::malloc(begin - top - 8);
  const uintptr_t end = reinterpret_cast<uintptr_t>(sbrk(0)) & ~(kHugePage - 1);
  if (end <= begin) return heap;
  if (!AdviseHugePages(reinterpret_cast<void*>(begin), end - begin)) return heap;
  heap.prepared = true;
  heap.begin = reinterpret_cast<char*>(begin);
  heap.end = reinterpret_cast<char*>(end);
  return heap;
}

void PrepareOneShotCommand() {
  const HugePageHeap heap = UseHugePagesForHeap();
  SetSha256Engine(Sha256Engine::kLibsodium);
  if (heap.prepared) FileText::SetReading(FileText::Reading::kIntoMemory);
}

}  // namespace canvass
