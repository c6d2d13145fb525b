// Writing canonical JSON straight into a string, without building a tree first.
//
// A release's files are canonical JSON: members in the byte order of their names, no white
// space, integers and strings only (docs/releases.md). nlohmann::json::dump() writes exactly
// that, but the tree it dumps costs many times the text: the NIST CDF of 17,650 precincts is
// 98 MB of text and took over 600 MB as a tree (docs/performance.md, "National scale"). The
// writer appends the same bytes as dump() would, value by value, so the large arrays of a
// release never exist as a tree. Small parts may still be built as trees and written with
// Value().
//
// The caller gives each object's members in byte order of their names; the writer checks it and
// throws std::logic_error otherwise (a programming error: the text would not be canonical).
//
// The writer only appends to `out` and never reads it back, so the caller may take the text
// written so far out of it between two values (a release file stored by part as it is written,
// publish/release.cc).
//
// Thread-safety: one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace canvass {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The next member's name; must sort after the previous member's in the same object.
  JsonWriter& Key(std::string_view name);
  void String(std::string_view s);
  void Int(int64_t n);
  // A whole value built as a tree, dumped canonically (as nlohmann::json::dump()).
  void Value(const nlohmann::json& v);
  // A whole value the caller has already written canonically (as dump() would), appended as it
  // is: for the many small objects of a large file, written once from pre-escaped pieces.
  void Raw(std::string_view canonical);

  // Both at once: Key(name) then String / Int / Value.
  void Member(std::string_view name, std::string_view s) { Key(name).String(s); }
  void Member(std::string_view name, const char* s) { Key(name).String(s); }
  void Member(std::string_view name, const std::string& s) { Key(name).String(s); }
  void Member(std::string_view name, int64_t n) { Key(name).Int(n); }
  void Member(std::string_view name, const nlohmann::json& v) { Key(name).Value(v); }

  // Whether every object and array begun was ended.
  bool done() const { return levels_.empty(); }
  // Whether the array being written has no element yet.
  bool array_empty() const {
    return !levels_.empty() && !levels_.back().object && levels_.back().empty;
  }
  // Elements of the array being written were put in the text by other means (a stretch of a file
  // its writer did not write again, publish/release.cc): the next element needs its comma.
  void ElementsWrittenElsewhere() {
    if (!levels_.empty() && !levels_.back().object) levels_.back().empty = false;
  }

 private:
  struct Level {
    bool object = false;
    bool empty = true;
    std::string last_key;
  };
  // The separator before a value (an array element's comma); a member's was written by Key().
  void BeforeValue();

  std::string& out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

// Appends `text` as a JSON string exactly as nlohmann::json's dump() writes it (UTF-8 as is,
// control characters escaped; invalid UTF-8 throws nlohmann's type_error 316 as dump() does).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace canvass
