// The process of a one-shot command (src/cli/one_shot.h): its heap in transparent huge pages.
#include "cli/one_shot.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/huge_pages.h"
#include "core/sha256.h"
#include "io/file_text.h"

namespace canvass {
namespace {

// The mapping of /proc/self/smaps that holds `address`: its first line (ending with its name,
// "[heap]" for the heap) and its VmFlags line.
struct Mapping {
  std::string line;
  std::string flags;
};

Mapping MappingHolding(const void* address) {
  const auto at = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  Mapping found;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= at && at < end;
      if (inside) found.line = line;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) found.flags = line;
  }
  return found;
}

bool OnHeap(const Mapping& m) {
  return m.line.size() >= 6 && m.line.compare(m.line.size() - 6, 6, "[heap]") == 0;
}

// core/huge_pages.h on a mapping of its own: the whole 2 MiB pages inside the range are advised
// (the kernel splits the mapping there), the bytes before the first boundary are not; a range
// holding no whole huge page is refused.
TEST(HugePages, TheWholeHugePagesOfABufferAreAdvised) {
  const size_t n = 8 * kHugePageBytes;
  void* map = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(map, MAP_FAILED);
  char* base = static_cast<char*>(map);
  EXPECT_FALSE(AdviseHugePages(base + 1, kHugePageBytes));  // no whole huge page inside
  EXPECT_FALSE(AdviseHugePages(base, 0));
  // From 4 KiB past the mapping's start: the first boundary is the start's next 2 MiB multiple.
  char* from = base + 4096;
  const auto first =
      (reinterpret_cast<uintptr_t>(from) + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  if (!AdviseHugePages(from, n - 4096)) {
    ::munmap(map, n);
    GTEST_SKIP() << "the kernel gives no transparent huge pages here";
  }
  EXPECT_NE(MappingHolding(reinterpret_cast<void*>(first)).flags.find(" hg"), std::string::npos);
  if (first > reinterpret_cast<uintptr_t>(from)) {
    EXPECT_EQ(MappingHolding(from).flags.find(" hg"), std::string::npos)
        << "the bytes before the first 2 MiB boundary were advised too";
  }
  ::munmap(map, n);
}

TEST(OneShotHeap, LaterBlocksComeFromAnAdvisedRangeOnAHugePageBoundary) {
  const HugePageHeap heap = UseHugePagesForHeap();
  if (!heap.prepared) {
    GTEST_SKIP() << "the allocator refused mallopt (a sanitizer's) or the kernel has no "
                    "transparent huge pages";
  }
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(heap.begin) % kHugePage, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(heap.end) % kHugePage, 0u);
  EXPECT_GE(heap.end - heap.begin, std::ptrdiff_t{32} << 20);
  // 1 MiB is above glibc's usual threshold (128 KiB) for a block in a mapping of its own.
  void* block = std::malloc(1 << 20);
  ASSERT_NE(block, nullptr);
  EXPECT_GE(static_cast<char*>(block), heap.begin);
  EXPECT_LE(static_cast<char*>(block) + (1 << 20), heap.end);
  const Mapping mapping = MappingHolding(block);
  EXPECT_TRUE(OnHeap(mapping)) << mapping.line;
  EXPECT_NE(mapping.flags.find(" hg"), std::string::npos) << mapping.flags;  // MADV_HUGEPAGE
  EXPECT_EQ(MappingHolding(heap.begin).line, mapping.line);
  // Blocks of 4 MiB past the advised range still come from the heap, grown, not each from a
  // mapping of its own.
  std::vector<void*> blocks;
  for (int i = 0; i < 24; ++i) {
    blocks.push_back(std::malloc(4 << 20));
    ASSERT_NE(blocks.back(), nullptr);
    EXPECT_TRUE(OnHeap(MappingHolding(blocks.back()))) << "block " << i;
  }
  EXPECT_GT(static_cast<char*>(blocks.back()), heap.end);
  for (void* b : blocks) std::free(b);
  std::free(block);
}

// A one-shot command hashes with libsodium, and reads its files into its heap when the heap is in
// huge pages (mapped otherwise: under a sanitizer's allocator, or without transparent huge pages).
TEST(OneShot, PrepareHashesWithLibsodiumAndReadsFilesIntoTheHeap) {
  PrepareOneShotCommand();
  const bool huge = UseHugePagesForHeap().prepared;
  EXPECT_EQ(SetSha256Engine(Sha256Engine::kLibcrypto), Sha256Engine::kLibsodium);
  EXPECT_EQ(FileText::SetReading(FileText::Reading::kMapped),
            huge ? FileText::Reading::kIntoMemory : FileText::Reading::kMapped);
  auto text = FileText::Open(CANVASS_RULES_DIR "/iowa-dem-2020.toml");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_TRUE(text->mapped());  // the setting given back
}

}  // namespace
}  // namespace canvass
