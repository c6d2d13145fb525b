// The bytes of an input file, read without copying them where the system allows.
//
// A regular file is mapped read-only: its pages come straight from the page cache, and a
// command that reads a 4 MB results file touches no new memory for it (a copy into a buffer
// was a third of `canvass check`'s page faults, and on a virtual machine a page first touched
// costs more than the parse of its bytes). Anything else (a pipe, a terminal, /dev/stdin) and
// an empty file are read into memory from the descriptor.
//
// A mapped file must not be truncated while it is read (the reader would get SIGBUS). Its users
// (the election loaders, and ReadFile, which copies the view) read files the user or the
// administrator named, once, when a command or the server starts: ruleset, key, input files.
//
// Thread-safety: an open FileText is immutable; its view may be read from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace canvass {

class FileText {
 public:
  // IoError names the path and the reason.
  static Result<FileText> Open(const std::string& path);

  // How every FileText of the process opens a regular file: mapped (the default), or read into
  // memory. A one-shot command whose heap is in huge pages (cli/one_shot.h) reads: there the copy
  // touches no new page, and the parse then reads bytes the copy left in the processor's cache
  // instead of the page cache's pages one by one (`canvass check` of one Iowa release: 32 ms
  // mapped, 28 ms read; docs/performance.md).
  enum class Reading { kMapped, kIntoMemory };
  // Sets it for the whole process; returns the one it replaces.
  static Reading SetReading(Reading reading);

  FileText(FileText&& other) noexcept;
  FileText& operator=(FileText&& other) noexcept;
  FileText(const FileText&) = delete;
  FileText& operator=(const FileText&) = delete;
  ~FileText();

  std::string_view view() const {
    return map_ != nullptr ? std::string_view(static_cast<const char*>(map_), size_)
                           : std::string_view(read_);
  }
  bool mapped() const { return map_ != nullptr; }

 private:
  FileText() = default;

  void* map_ = nullptr;  // the mapping, or nullptr when the bytes are in read_
  size_t size_ = 0;
  std::string read_;
};

}  // namespace canvass
