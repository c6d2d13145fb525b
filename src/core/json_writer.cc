#include "core/json_writer.h"

#include <fmt/format.h>

#include <stdexcept>

namespace canvass {

void AppendJsonString(std::string& out, std::string_view s) {
  // Plain printable ASCII (every generated id and name in a release) needs no escape; anything
  // else goes through nlohmann's own serializer, so the bytes are dump()'s whatever they hold.
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += nlohmann::json(std::string(s)).dump();
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  Level& l = levels_.back();
  if (l.object) throw std::logic_error("JsonWriter: a value in an object needs a member name");
  if (!l.empty) out_ += ',';
  l.empty = false;
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  levels_.push_back(Level{true, true, {}});
}

void JsonWriter::EndObject() {
  if (levels_.empty() || !levels_.back().object || after_key_) {
    throw std::logic_error("JsonWriter: EndObject without an open object");
  }
  levels_.pop_back();
  out_ += '}';
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  levels_.push_back(Level{false, true, {}});
}

void JsonWriter::EndArray() {
  if (levels_.empty() || levels_.back().object) {
    throw std::logic_error("JsonWriter: EndArray without an open array");
  }
  levels_.pop_back();
  out_ += ']';
}

JsonWriter& JsonWriter::Key(std::string_view name) {
  if (levels_.empty() || !levels_.back().object || after_key_) {
    throw std::logic_error("JsonWriter: a member name outside an object");
  }
  Level& l = levels_.back();
  if (!l.empty && !(l.last_key < name)) {
    throw std::logic_error(
        fmt::format("JsonWriter: member \"{}\" after \"{}\": not in byte order", name, l.last_key));
  }
  if (!l.empty) out_ += ',';
  l.empty = false;
  l.last_key.assign(name);
  AppendJsonString(out_, name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s);
}

void JsonWriter::Int(int64_t n) {
  BeforeValue();
  fmt::format_to(std::back_inserter(out_), "{}", n);
}

void JsonWriter::Value(const nlohmann::json& v) {
  BeforeValue();
  out_ += v.dump();
}

}  // namespace canvass
