#include "io/file_text.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace canvass {

namespace {

std::atomic<FileText::Reading> g_reading{FileText::Reading::kMapped};

}  // namespace

FileText::Reading FileText::SetReading(Reading reading) { return g_reading.exchange(reading); }

Result<FileText> FileText::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  FileText text;
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  if (regular && g_reading.load(std::memory_order_relaxed) == Reading::kIntoMemory) {
    // Read at its size in one piece; a file that grows meanwhile is read to its end below.
    text.read_.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < text.read_.size()) {
      const ssize_t n = ::read(fd, text.read_.data() + got, text.read_.size() - got);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        const int error = errno;
        ::close(fd);
        return Status::IoError(path + ": read failed: " + std::strerror(error));
      }
      got += static_cast<size_t>(n);
    }
    text.read_.resize(got);
  } else if (regular) {
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
  // Not a regular file, empty (its size may not be its length: /proc), not mappable, or read
  // into memory up to its size at opening: read (the rest) from the descriptor already open.
  // (Opening it again would close a pipe's only reader in between, and its writer would die of
  // SIGPIPE.)
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return Status::IoError(path + ": read failed: " + std::strerror(error));
    }
    text.read_.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
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
