#include "store/parts.h"

#include <fmt/format.h>

#include <array>
#include <cassert>
#include <charconv>

#include "core/random.h"

namespace canvass {

namespace {

constexpr char kManifestFormat[] = "canvass-parts-1";
constexpr char kSegmentManifestFormat[] = "canvass-parts-2";
constexpr uint64_t kMaskSmall = ~uint64_t{0} << (64 - 18);  // before the average: rarer cuts
constexpr uint64_t kMaskLarge = ~uint64_t{0} << (64 - 14);  // after it: likelier

const std::array<uint64_t, 256>& Gear() {
  static const std::array<uint64_t, 256> table = [] {
    std::array<uint64_t, 256> t{};
    SplitMix64 g(0);
    for (uint64_t& v : t) v = g.Next();
    return t;
  }();
  return table;
}

}  // namespace

const uint64_t* PartGearTable() { return Gear().data(); }

PartCutter::PartCutter(std::function<Status(std::string_view)> emit) : emit_(std::move(emit)) {}

Status PartCutter::Write(std::string_view bytes) {
  if (!status_.ok()) return status_;
  const std::array<uint64_t, 256>& gear = Gear();
  size_t i = 0;
  while (i < bytes.size()) {
    // The part goes on from part_ (what earlier writes left of it), or begins here.
    const size_t begin = i;
    size_t length = part_.size();
    // The part's first kPartMinBytes bytes are taken without hashing.
    if (length < kPartMinBytes) {
      const size_t take = std::min(kPartMinBytes - length, bytes.size() - i);
      i += take;
      length += take;
    }
    // Scan for a cut point in place.
    bool cut = false;
    if (length >= kPartMinBytes) {
      while (i < bytes.size()) {
        hash_ = (hash_ << 1) + gear[static_cast<unsigned char>(bytes[i])];
        ++i;
        ++length;
        const uint64_t mask = length < kPartAverageBytes ? kMaskSmall : kMaskLarge;
        if (length >= kPartMaxBytes || (hash_ & mask) == 0) {
          cut = true;
          break;
        }
      }
    }
    const std::string_view scanned = bytes.substr(begin, i - begin);
    if (!cut) {  // the part goes on in the next write (or ends at Finish)
      part_.append(scanned);
      break;
    }
    if (part_.empty()) {
      status_ = emit_(scanned);  // begun and ended in these bytes: emitted without a copy
    } else {
      part_.append(scanned);
      status_ = emit_(part_);
      part_.clear();
    }
    hash_ = 0;
    if (!status_.ok()) return status_;
  }
  return Status::Ok();
}

Status PartCutter::Finish() {
  if (!status_.ok()) return status_;
  if (!part_.empty()) status_ = emit_(part_);
  part_.clear();
  hash_ = 0;
  return status_;
}

std::vector<std::string_view> CutParts(std::string_view bytes) {
  std::vector<std::string_view> parts;
  size_t at = 0;
  PartCutter cutter([&](std::string_view part) {
    parts.push_back(bytes.substr(at, part.size()));
    at += part.size();
    return Status::Ok();
  });
  (void)cutter.Write(bytes);
  (void)cutter.Finish();
  return parts;
}

std::string ManifestText(const PartManifest& m) {
  std::string out = m.format == 2
                        ? fmt::format("{}\nfile {}\n", kSegmentManifestFormat, m.size)
                        : fmt::format("{}\nfile {} {}\n", kManifestFormat, m.sha256, m.size);
  for (const PartRef& p : m.parts) out += fmt::format("part {} {}\n", p.sha256, p.size);
  return out;
}

PartManifest ManifestOf(std::string_view bytes) {
  PartManifest m;
  m.sha256 = Sha256Hex(bytes);
  m.size = static_cast<int64_t>(bytes.size());
  for (std::string_view part : CutParts(bytes)) {
    m.parts.push_back({Sha256Hex(part), static_cast<int64_t>(part.size())});
  }
  return m;
}

namespace {

// A size: decimal digits, no leading zero.
bool ParseSize(std::string_view n, int64_t& size) {
  if (n.empty() || n.size() > 18 || (n.size() > 1 && n[0] == '0')) return false;
  // Digits only: from_chars would take "-0" or "-00" as 0, a second spelling of the same size.
  for (char c : n) {
    if (c < '0' || c > '9') return false;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
  if (ec != std::errc() || end != n.data() + n.size() || v < 0) return false;
  size = v;
  return true;
}

// "<word> <64 hex> <decimal>" into hash and size.
bool ParseEntry(std::string_view line, std::string_view word, std::string& hash, int64_t& size) {
  if (line.size() < word.size() + 1 + 64 + 2 || line.substr(0, word.size()) != word ||
      line[word.size()] != ' ') {
    return false;
  }
  const std::string_view h = line.substr(word.size() + 1, 64);
  if (!IsSha256Hex(h) || line[word.size() + 65] != ' ') return false;
  if (!ParseSize(line.substr(word.size() + 66), size)) return false;
  hash = std::string(h);
  return true;
}

}  // namespace

Result<PartManifest> ParseManifest(std::string_view text) {
  PartManifest m;
  int64_t line_no = 0;
  int64_t sum = 0;
  size_t at = 0;
  auto bad = [&](const std::string& what) {
    return Status::ParseError(fmt::format("parts manifest, line {}: {}", line_no, what));
  };
  while (at < text.size()) {
    ++line_no;
    const size_t end = text.find('\n', at);
    if (end == std::string_view::npos) return bad("no line break at the end");
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line_no == 1) {
      if (line == kSegmentManifestFormat) {
        m.format = 2;
      } else if (line != kManifestFormat) {
        return bad(fmt::format("not a parts manifest (the first line is not \"{}\" or \"{}\")",
                               kManifestFormat, kSegmentManifestFormat));
      }
      continue;
    }
    if (line_no == 2) {
      if (m.format == 2) {
        if (line.substr(0, 5) != "file " || !ParseSize(line.substr(5), m.size)) {
          return bad("expected \"file <bytes>\"");
        }
      } else if (!ParseEntry(line, "file", m.sha256, m.size)) {
        return bad("expected \"file <SHA-256> <bytes>\"");
      }
      continue;
    }
    PartRef p;
    if (!ParseEntry(line, "part", p.sha256, p.size)) {
      return bad("expected \"part <SHA-256> <bytes>\"");
    }
    if (p.size < 1 || p.size > static_cast<int64_t>(kPartMaxBytes)) {
      return bad(fmt::format("a part of {} bytes (parts are 1 to {})", p.size, kPartMaxBytes));
    }
    sum += p.size;
    if (sum > m.size)
      return bad(fmt::format("the parts add up to more than the file's {} bytes", m.size));
    m.parts.push_back(std::move(p));
  }
  if (line_no < 2) {
    line_no = std::max<int64_t>(line_no, 1);
    return bad("no \"file\" line");
  }
  if (sum != m.size) {
    return bad(fmt::format("the parts add up to {} bytes, not the file's {}", sum, m.size));
  }
  return m;
}

PartWriter::PartWriter(BlobPut put)
    : put_(std::move(put)), cutter_([this](std::string_view part) {
        PartRef ref{Sha256Hex(part), static_cast<int64_t>(part.size())};
        Status st = put_(ref.sha256, part);
        if (st.ok()) parts_.push_back(std::move(ref));
        return st;
      }) {}

Status PartWriter::Write(std::string_view bytes) {
  whole_.Update(bytes);
  size_ += static_cast<int64_t>(bytes.size());
  return cutter_.Write(bytes);
}

Result<StoredFile> PartWriter::Finish() {
  CANVASS_RETURN_IF_ERROR(cutter_.Finish());
  PartManifest m;
  m.sha256 = whole_.FinishHex();
  m.size = size_;
  m.parts = std::move(parts_);
  const std::string text = ManifestText(m);
  StoredFile f{m.sha256, m.size, Sha256Hex(text)};
  CANVASS_RETURN_IF_ERROR(put_(f.manifest_sha256, text));
  return f;
}

Result<std::vector<PartRef>> SegmentWriter::Cut() {
  std::vector<PartRef> made;
  for (size_t at = 0; at < out_.size(); at += kPartMaxBytes) {
    const std::string_view part = std::string_view(out_).substr(at, kPartMaxBytes);
    PartRef ref{Sha256Hex(part), static_cast<int64_t>(part.size())};
    if (put_ != nullptr) {
      CANVASS_RETURN_IF_ERROR((*put_)(ref.sha256, part));
    }
    made.push_back(std::move(ref));
  }
  if (put_ == nullptr) bytes_ += out_;
  size_ += static_cast<int64_t>(out_.size());
  out_.clear();
  parts_.insert(parts_.end(), made.begin(), made.end());
  return made;
}

void SegmentWriter::Reuse(const std::vector<PartRef>& parts) {
  assert(put_ != nullptr && out_.empty());
  for (const PartRef& p : parts) size_ += p.size;
  parts_.insert(parts_.end(), parts.begin(), parts.end());
}

Result<StoredFile> SegmentWriter::Finish() {
  auto last = Cut();
  if (!last.ok()) return last.status();
  PartManifest m;
  m.format = 2;
  m.size = size_;
  m.parts = std::move(parts_);
  manifest_ = ManifestText(m);
  StoredFile f{std::string(), m.size, Sha256Hex(manifest_)};
  if (put_ != nullptr) {
    CANVASS_RETURN_IF_ERROR((*put_)(f.manifest_sha256, manifest_));
  }
  return f;
}

Result<StoredFile> PutFileByParts(const BlobPut& put, std::string_view bytes) {
  PartWriter w(put);
  CANVASS_RETURN_IF_ERROR(w.Write(bytes));
  return w.Finish();
}

Status CheckFileAgainstManifest(std::string_view bytes, std::string_view manifest_text) {
  auto manifest = ParseManifest(manifest_text);
  if (!manifest.ok()) return manifest.status();
  if (manifest->size != static_cast<int64_t>(bytes.size())) {
    return Status::Corruption(fmt::format("the file has {} bytes, its parts manifest names {}",
                                          bytes.size(), manifest->size));
  }
  size_t at = 0;
  const size_t n = manifest->parts.size();
  for (size_t i = 0; i < n; ++i) {
    const PartRef& p = manifest->parts[i];
    const std::string_view part = bytes.substr(at, static_cast<size_t>(p.size));
    if (Sha256Hex(part) != p.sha256) {
      return Status::Corruption(fmt::format("part {} of {} (bytes {} to {}) does not hash to {}",
                                            i + 1, n, at, at + part.size(), p.sha256));
    }
    at += part.size();
  }
  if (manifest->format == 1 && Sha256Hex(bytes) != manifest->sha256) {
    return Status::Corruption("the file does not hash to the SHA-256 its parts manifest names");
  }
  return Status::Ok();
}

Result<std::string> ReadStoredFile(const BlobGet& get, const std::string& name,
                                   const std::string& sha256, const std::string& manifest_sha256) {
  if (manifest_sha256.empty()) {
    auto blob = get(sha256);
    if (!blob.ok()) return blob.status();
    if (!blob->has_value()) {
      return Status::NotFound(fmt::format("{} (SHA-256 {}) is not in the store", name, sha256));
    }
    if (Sha256Hex(**blob) != sha256) {
      return Status::Corruption(
          fmt::format("the stored {} is damaged: its bytes hash to {}, not {}", name,
                      Sha256Hex(**blob), sha256));
    }
    return std::move(**blob);
  }
  auto text = get(manifest_sha256);
  if (!text.ok()) return text.status();
  if (!text->has_value()) {
    return Status::NotFound(fmt::format("{}: its parts manifest (SHA-256 {}) is not in the store",
                                        name, manifest_sha256));
  }
  if (Sha256Hex(**text) != manifest_sha256) {
    return Status::Corruption(
        fmt::format("{}: the stored parts manifest {} is damaged", name, manifest_sha256));
  }
  auto manifest = ParseManifest(**text);
  if (!manifest.ok()) {
    return Status::Corruption(fmt::format("{}: {}", name, manifest.status().message()));
  }
  if (manifest->format == 2 && !sha256.empty()) {
    return Status::Corruption(
        fmt::format("{}: its parts manifest {} names no whole-file hash, but {} was expected", name,
                    manifest_sha256, sha256));
  }
  if (manifest->sha256 != sha256) {
    return Status::Corruption(fmt::format("{}: its parts manifest {} describes file {}, not {}",
                                          name, manifest_sha256, manifest->sha256, sha256));
  }
  std::string out;
  out.reserve(static_cast<size_t>(manifest->size));
  Sha256Stream whole;
  const size_t n = manifest->parts.size();
  for (size_t i = 0; i < n; ++i) {
    const PartRef& p = manifest->parts[i];
    const std::string where =
        fmt::format("{}: part {} of {} (SHA-256 {}, bytes {} to {})", name, i + 1, n, p.sha256,
                    out.size(), out.size() + static_cast<size_t>(p.size));
    auto part = get(p.sha256);
    if (!part.ok()) return part.status();
    if (!part->has_value()) return Status::NotFound(where + " is not in the store");
    if (static_cast<int64_t>((*part)->size()) != p.size || Sha256Hex(**part) != p.sha256) {
      return Status::Corruption(where + " is damaged: its stored bytes do not hash to its name");
    }
    whole.Update(**part);
    out += **part;
  }
  const std::string got = whole.FinishHex();
  if (manifest->format == 1 && got != sha256) {
    return Status::Corruption(
        fmt::format("{}: its parts join to bytes hashing to {}, not {}", name, got, sha256));
  }
  return out;
}

}  // namespace canvass
