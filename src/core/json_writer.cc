#include "core/json_writer.h"

#include <fmt/format.h>

#include <stdexcept>

namespace canvass {

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (!ascii) {
    // UTF-8 is validated (and written) by the library itself, so that a bad byte fails alike.
    out += nlohmann::json(std::string(text)).dump();
    return;
  }
  out += '"';
  size_t plain = 0;  // start of the run not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(text.data() + plain, text.size() - plain);
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

void JsonWriter::Raw(std::string_view canonical) {
  BeforeValue();
  out_ += canonical;
}

}  // namespace canvass
