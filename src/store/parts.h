// Files stored by part (docs/storage.md "Files stored by part"): a large file that changes a
// little from one version to the next (a release's NIST CDF, its precinct CSV) is cut into
// content-defined parts, each stored as a blob under its own SHA-256, plus a small manifest
// naming them. A new version whose bytes differ in a few places shares every other part with the
// old one, and PutBlob of a part already stored writes nothing: the store grows with what changed,
// not with the file's size.
//
// The cut points are a function of the bytes alone (a gear rolling hash, FastCDC-style, with the
// fixed parameters below), so anyone can cut a file the same way and find the same parts and the
// same manifest. Parts are at least kPartMinBytes and at most kPartMaxBytes (the last part may be
// shorter), about kPartAverageBytes on average; an edit changes the part it falls in and, rarely,
// the next few, until the cut points line up again (tests/store/parts_test.cc counts them).
//
// The manifest is text (ManifestText):
//
//   canvass-parts-1
//   file <SHA-256 of the whole file> <size in bytes>
//   part <SHA-256> <size>            one line per part, in order
//
// every line ending in "\n", hashes in lower-case hex, sizes in decimal without leading zeros.
//
// A file cut where its writer says instead (SegmentWriter: at the boundaries of its structure,
// such as a group of precincts, so that an unchanged stretch is an unchanged part whose bytes
// need not even be written again) has a manifest of the second format, which names no hash of the
// whole file: the file is identified by its manifest's SHA-256, which covers every part's.
//
//   canvass-parts-2
//   file <size in bytes>
//   part <SHA-256> <size>            one line per part, in order
//
// Thread-safety: PartCutter and PartWriter are values used by one thread; the functions are pure
// (apart from what `put` and `get` do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sha256.h"
#include "core/status.h"

namespace canvass {

inline constexpr size_t kPartMinBytes = 16 * 1024;
inline constexpr size_t kPartAverageBytes = 64 * 1024;
inline constexpr size_t kPartMaxBytes = 256 * 1024;

// The gear table: entry i is the (i+1)-th output of SplitMix64 seeded with 0 (core/random.h).
const uint64_t* PartGearTable();

// Cuts a stream of bytes into parts. Within a part, the first kPartMinBytes bytes are not hashed;
// from then on each byte b updates h = (h << 1) + gear[b] (h starts at 0 in each part), and the
// part ends after the byte where its length reaches kPartMaxBytes, or where h has none of the
// bits of the mask set: the top 18 bits while the part is shorter than kPartAverageBytes, the top
// 14 bits from then on (normalized chunking: parts cluster around the average).
class PartCutter {
 public:
  // `emit` is called with each part as soon as it is cut; its first error stops the cutter and is
  // returned by every later Write and by Finish.
  explicit PartCutter(std::function<Status(std::string_view part)> emit);
  Status Write(std::string_view bytes);
  // Emits the last part (unless the stream was empty or ended on a cut).
  Status Finish();

 private:
  std::function<Status(std::string_view)> emit_;
  std::string part_;  // the current part's bytes so far
  uint64_t hash_ = 0;
  Status status_;
};

// The parts of `bytes`, in order (views into `bytes`).
std::vector<std::string_view> CutParts(std::string_view bytes);

struct PartRef {
  std::string sha256;
  int64_t size = 0;
};

struct PartManifest {
  int format = 1;      // canvass-parts-1 (cut by content) or canvass-parts-2 (cut by its writer)
  std::string sha256;  // of the whole file; empty in format 2
  int64_t size = 0;
  std::vector<PartRef> parts;
};

// The manifest's text (format above).
std::string ManifestText(const PartManifest& manifest);
// The manifest `bytes` would be stored with.
PartManifest ManifestOf(std::string_view bytes);

// Parses a manifest; ParseError naming the line and what is wrong: not the format's first line,
// a malformed hash or size, a part empty or larger than kPartMaxBytes, sizes that do not add up
// to the file's, anything after the last line break.
Result<PartManifest> ParseManifest(std::string_view text);

using BlobPut = std::function<Status(const std::string& sha256, std::string_view bytes)>;
using BlobGet = std::function<Result<std::optional<std::string>>(const std::string& sha256)>;

// A file stored by part: its whole SHA-256 (empty when cut by its writer) and size, and its
// manifest's SHA-256.
struct StoredFile {
  std::string sha256;
  int64_t size = 0;
  std::string manifest_sha256;
};

// Writes a file into the store as it is built: each part is stored (`put`) as soon as it is cut,
// the whole file is hashed as it goes, and only the current part is held in memory.
class PartWriter {
 public:
  explicit PartWriter(BlobPut put);
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;

  Status Write(std::string_view bytes);
  // Stores the last part and the manifest. The writer is spent.
  Result<StoredFile> Finish();

 private:
  BlobPut put_;
  Sha256Stream whole_;
  int64_t size_ = 0;
  std::vector<PartRef> parts_;
  PartCutter cutter_;
};

// Writes a file cut where its writer says (manifest format canvass-parts-2): the bytes written
// into out() since the last Cut() are one part, or, when longer than kPartMaxBytes, parts of
// kPartMaxBytes and the rest. A stretch the store holds already from an earlier version (the same
// bytes: its writer knows they have not changed) is named by Reuse() without being written.
// With `put`, each part is stored as it is cut and only the current segment is in memory; without
// it, nothing is stored and the file's bytes are kept (TakeBytes), its manifest computed all the
// same (to rebuild and compare a file the store holds).
class SegmentWriter {
 public:
  explicit SegmentWriter(const BlobPut* put) : put_(put) {}
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Where the file's text is written; Cut() empties it.
  std::string& out() { return out_; }
  // Ends the current segment. Returns the parts it made (none when nothing was written since the
  // last cut), for a later version to Reuse; `put`'s first error.
  Result<std::vector<PartRef>> Cut();
  // Appends `parts`, stored already, after the last cut. Only with `put`; nothing may have been
  // written since the last cut.
  void Reuse(const std::vector<PartRef>& parts);
  // Cuts the last segment and stores the manifest (with `put`). The writer is spent.
  Result<StoredFile> Finish();
  // The file's bytes, without `put`.
  std::string TakeBytes() { return std::move(bytes_); }
  // The manifest's text, after Finish.
  const std::string& manifest() const { return manifest_; }

 private:
  const BlobPut* put_;
  std::string out_;
  std::string bytes_;  // without put_
  std::string manifest_;
  int64_t size_ = 0;
  std::vector<PartRef> parts_;
};

// Stores `bytes` by part (a PartWriter given them all at once).
Result<StoredFile> PutFileByParts(const BlobPut& put, std::string_view bytes);

// Checks `bytes` against the manifest `manifest_text` (either format): it parses, names the
// file's size, and each part's bytes hash to its line (and, in format 1, the whole file to its
// hash). Corruption naming the first part that differs (its number, hash and byte range), or the
// manifest's parse error.
Status CheckFileAgainstManifest(std::string_view bytes, std::string_view manifest_text);

// The one way to read a stored file back. With `manifest_sha256` empty, the file was stored whole
// (as releases were before they were stored by part): its blob `sha256`. Otherwise the manifest
// and every part it names, each checked against its hash, and the whole file against `sha256`
// (a manifest of format 2 names no whole-file hash: `sha256` must then be empty, and the parts
// must add up to the size it names).
// `name` is for messages: NotFound naming the manifest or the part (its number, hash and byte
// range) the store lacks; Corruption naming the one whose bytes do not hash to its name, a
// manifest that does not parse or describes another file, or a whole file whose hash differs;
// the store's own error as it is.
Result<std::string> ReadStoredFile(const BlobGet& get, const std::string& name,
                                   const std::string& sha256, const std::string& manifest_sha256);

}  // namespace canvass
