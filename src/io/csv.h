// CsvReader: a strict RFC 4180 reader over text already in memory.
//
// Fields are views into the text (or, for quoted fields with doubled quotes, into a buffer the
// reader owns), valid until the next call to Next(). The reader knows where every field began,
// so that every importer error can name file, line and column ("results.csv:12:5: ...").
//
// Accepted: quoted fields holding commas, line breaks and doubled quotes; LF or CRLF line ends;
// a final record without a line end; a UTF-8 byte order mark before the header; blank lines at
// the end. Refused, with the position: an unterminated quote, a quote inside an unquoted field,
// anything but a comma or line end after a closing quote, a carriage return without a line feed,
// and a record whose field count differs from the first record's (the header's).
//
// Thread-safety: one reader per thread; the text must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace canvass {

class CsvReader {
 public:
  CsvReader(std::string_view text, std::string origin);

  // Reads the next record. Sets *has_record to false when only blank lines are left.
  Status Next(bool* has_record);

  size_t size() const { return fields_.size(); }
  std::string_view operator[](size_t i) const;
  // Where the current record and its fields start (1-based; columns count bytes).
  int64_t line() const { return record_line_; }
  int64_t field_line(size_t i) const { return fields_[i].line; }
  int64_t field_column(size_t i) const { return fields_[i].column; }
  const std::string& origin() const { return origin_; }

  // "origin:line:column: message" at field i of the current record.
  Status FieldError(size_t i, std::string_view message) const;
  // "origin:line:column: message".
  Status ErrorAt(int64_t line, int64_t column, std::string_view message) const;

 private:
  struct Span {
    size_t begin = 0;
    size_t length = 0;
    bool in_scratch = false;
    int64_t line = 0;
    int64_t column = 0;
  };

  bool OnlyBlankLeft() const;
  int64_t Column() const { return static_cast<int64_t>(pos_ - line_start_) + 1; }
  void NewLine(size_t next_line_start) {
    ++line_;
    line_start_ = next_line_start;
  }

  std::string_view text_;
  std::string origin_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
  size_t expected_fields_ = 0;
  std::vector<Span> fields_;
  std::string scratch_;
};

// Appends one CSV cell (RFC 4180): as it is, or quoted with doubled quotes when it holds a comma,
// a quote, a line break, or space at either end (which a reader would otherwise trim).
void AppendCsvCell(std::string& out, std::string_view cell);
// The same, as a string.
std::string CsvCell(std::string_view cell);

}  // namespace canvass
