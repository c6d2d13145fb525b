#include "io/csv.h"

#include <array>
#include <cstring>

namespace canvass {
namespace {

// The bytes that end an unquoted field or make it an error: everything else is copied as is, so
// the scan of a field is one table look-up per byte.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(',')] = true;
  t[static_cast<unsigned char>('\n')] = true;
  t[static_cast<unsigned char>('\r')] = true;
  t[static_cast<unsigned char>('"')] = true;
  return t;
}();

}  // namespace

CsvReader::CsvReader(std::string_view text, std::string origin)
    : text_(text), origin_(std::move(origin)) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = 3;
}

std::string_view CsvReader::operator[](size_t i) const {
  const Span& s = fields_[i];
  return s.in_scratch ? std::string_view(scratch_).substr(s.begin, s.length)
                      : text_.substr(s.begin, s.length);
}

Status CsvReader::ErrorAt(int64_t line, int64_t column, std::string_view message) const {
  std::string msg = origin_;
  msg += ':';
  msg += std::to_string(line);
  msg += ':';
  msg += std::to_string(column);
  msg += ": ";
  msg += message;
  return Status::ParseError(std::move(msg));
}

Status CsvReader::FieldError(size_t i, std::string_view message) const {
  return ErrorAt(fields_[i].line, fields_[i].column, message);
}

bool CsvReader::OnlyBlankLeft() const {
  for (size_t i = pos_; i < text_.size(); ++i) {
    char c = text_[i];
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') return false;
  }
  return true;
}

Status CsvReader::Next(bool* has_record) {
  *has_record = false;
  fields_.clear();
  scratch_.clear();
  if (pos_ >= text_.size()) return Status::Ok();
  char first = text_[pos_];
  if ((first == '\n' || first == '\r' || first == ' ' || first == '\t') && OnlyBlankLeft()) {
    pos_ = text_.size();
    return Status::Ok();
  }
  record_line_ = line_;
  const size_t n = text_.size();
  for (;;) {
    Span span;
    span.line = line_;
    span.column = Column();
    if (pos_ < n && text_[pos_] == '"') {
      ++pos_;
      size_t begin = pos_;
      bool doubled = false;
      for (;;) {
        const void* hit = pos_ < n ? std::memchr(text_.data() + pos_, '"', n - pos_) : nullptr;
        size_t quote = hit ? static_cast<size_t>(static_cast<const char*>(hit) - text_.data()) : n;
        // Keep line numbers right across line breaks inside the quotes.
        for (size_t i = pos_; i < quote;) {
          const void* nl = std::memchr(text_.data() + i, '\n', quote - i);
          if (nl == nullptr) break;
          i = static_cast<size_t>(static_cast<const char*>(nl) - text_.data()) + 1;
          NewLine(i);
        }
        if (quote == n) return ErrorAt(span.line, span.column, "unterminated quoted field");
        if (quote + 1 < n && text_[quote + 1] == '"') {
          doubled = true;
          pos_ = quote + 2;
          continue;
        }
        span.begin = begin;
        span.length = quote - begin;
        pos_ = quote + 1;
        break;
      }
      if (doubled) {
        size_t at = scratch_.size();
        std::string_view raw = text_.substr(span.begin, span.length);
        for (size_t i = 0; i < raw.size(); ++i) {
          scratch_ += raw[i];
          if (raw[i] == '"') ++i;  // the second quote of a doubled pair
        }
        span.begin = at;
        span.length = scratch_.size() - at;
        span.in_scratch = true;
      }
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' &&
          !(text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n')) {
        return ErrorAt(line_, Column(), "unexpected character after a closing quote");
      }
    } else {
      span.begin = pos_;
      const char* data = text_.data();
      size_t i = pos_;
      while (i < n && !kSpecial[static_cast<unsigned char>(data[i])]) ++i;
      pos_ = i;
      if (i < n) {
        const char c = data[i];
        if (c == '"') return ErrorAt(line_, Column(), "quote inside an unquoted field");
        if (c == '\r' && !(i + 1 < n && data[i + 1] == '\n')) {
          return ErrorAt(line_, Column(), "carriage return without a line feed");
        }
      }
      span.length = pos_ - span.begin;
    }
    fields_.push_back(span);
    if (pos_ < n && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    break;
  }
  // The record ends here, at a line end or at the end of the text.
  const int64_t end_line = line_;
  const int64_t end_column = Column();
  if (pos_ < n) {
    pos_ += (text_[pos_] == '\r') ? 2 : 1;
    NewLine(pos_);
  }
  if (expected_fields_ == 0) {
    expected_fields_ = fields_.size();
  } else if (fields_.size() != expected_fields_) {
    std::string msg = "record has " + std::to_string(fields_.size()) + " fields, the header has " +
                      std::to_string(expected_fields_);
    if (fields_.size() > expected_fields_) return FieldError(expected_fields_, msg);
    return ErrorAt(end_line, end_column, msg);
  }
  *has_record = true;
  return Status::Ok();
}

void AppendCsvCell(std::string& out, std::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos &&
      (cell.empty() || (cell.front() != ' ' && cell.back() != ' '))) {
    out += cell;
    return;
  }
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string CsvCell(std::string_view cell) {
  std::string out;
  AppendCsvCell(out, cell);
  return out;
}

}  // namespace canvass
