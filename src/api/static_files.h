// The built web front end (web/dist), served at `/` beside the API: every regular file under one
// directory, read into memory once at start, so answering never touches the disk and no path
// from a request ever reaches the file system. `/` is index.html; a file's Content-Type follows
// its extension; Vite's hashed asset names (assets/index-B1x2y3z4.js) are cached for a year,
// everything else is revalidated (ETag, If-None-Match answers 304).
//
// Paths are looked up as they were sent, never percent-decoded: a segment that is `..` or `.`,
// a backslash, a NUL or any `%` escape is refused with 400 before the lookup, and a name that was
// not under the directory at start is a 404.
//
// Thread-safety: immutable after Load; Serve may be called from any thread at once.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/server.h"

namespace canvass {

class StaticFiles {
 public:
  // Reads every regular file under `dir` (recursively; symbolic links are not followed).
  // NotFound when `dir` is not a directory.
  static Result<std::unique_ptr<StaticFiles>> Load(const std::string& dir);

  // The answer for a GET or HEAD of `request.path` (405 for other methods).
  HttpResponse Serve(const HttpRequest& request) const;

  size_t file_count() const { return files_.size(); }
  size_t total_bytes() const;

  // "text/html; charset=utf-8" for "index.html", ...; "application/octet-stream" when unknown.
  static std::string ContentTypeFor(const std::string& name);
  // Whether a file name carries a content hash (Vite's "name-HASH.ext" under assets/).
  static bool IsHashedAsset(const std::string& relative_path);

 private:
  struct File {
    std::shared_ptr<const std::string> body;
    std::string content_type;
    std::string etag;
    bool immutable = false;
  };
  std::map<std::string, File> files_;  // by path relative to the directory, '/'-separated
};

}  // namespace canvass
