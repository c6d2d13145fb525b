#include "io/file_text.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace canvass {

namespace {

std::atomic<FileText::Reading> g_reading{FileText::Reading::kMapped};

// Reads `fd` to its end into `out`, straight into the string: `expected` bytes (a regular file's
// size) in one piece and a byte to spare, so that the read finding the end needs no more room.
Status ReadToEnd(int fd, const std::string& path, size_t expected, std::string& out) {
  out.resize(std::max<size_t>(expected + 1, 1 << 16));
  size_t got = 0;
  for (;;) {
    if (got == out.size()) out.resize(2 * out.size());
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n == 0) break;
    if (n < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      return Status::IoError(path + ": read failed: " + std::strerror(error));
    }
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return Status::Ok();
}

}  // namespace

FileText::Reading FileText::SetReading(Reading reading) { return g_reading.exchange(reading); }

Result<FileText> FileText::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  FileText text;
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  if (regular && g_reading.load(std::memory_order_relaxed) == Reading::kMapped) {
    const size_t size = static_cast<size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map != MAP_FAILED) {
      ::close(fd);
      ::madvise(map, size, MADV_SEQUENTIAL);
      text.map_ = map;
      text.size_ = size;
      return text;
    }
  }
  // Read into memory when asked, or not a regular file, empty (its size may not be its length:
  // /proc), or not mappable: from the descriptor already open. (Opening it again would close a
  // pipe's only reader in between, and its writer would die of SIGPIPE.)
  const Status read =
      ReadToEnd(fd, path, regular ? static_cast<size_t>(st.st_size) : 0, text.read_);
  ::close(fd);
  if (!read.ok()) return read;
  return text;
}

FileText::FileText(FileText&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      read_(std::move(other.read_)) {}

FileText& FileText::operator=(FileText&& other) noexcept {
  if (this != &other) {
    if (map_ != nullptr) ::munmap(map_, size_);
    map_ = std::exchange(other.map_, nullptr);
    size_ = std::exchange(other.size_, 0);
    read_ = std::move(other.read_);
  }
  return *this;
}

FileText::~FileText() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

}  // namespace canvass
