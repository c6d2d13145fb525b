#include "api/static_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/sha256.h"

namespace canvass {

namespace {

bool IsAssetHashChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// A request path that could name something outside the directory, or that we would have to
// decode to understand: refused before any lookup.
bool SuspiciousPath(const std::string& path) {
  if (path.find_first_of("%\\") != std::string::npos) return true;
  if (path.find('\0') != std::string::npos) return true;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    const std::string_view segment(path.data() + i, j - i);
    if (segment == ".." || segment == ".") return true;
    i = j + 1;
  }
  return false;
}

}  // namespace

std::string StaticFiles::ContentTypeFor(const std::string& name) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  };
  const size_t slash = name.rfind('/');
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext = name.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

bool StaticFiles::IsHashedAsset(const std::string& relative_path) {
  // Vite names a built file "<name>-<hash>.<ext>" under assets/, the hash 8 characters of
  // base64url (which may hold '-' and '_' themselves).
  constexpr size_t kHash = 8;
  if (relative_path.rfind("assets/", 0) != 0) return false;
  const std::string name = relative_path.substr(relative_path.rfind('/') + 1);
  const std::string stem = name.substr(0, name.find('.'));
  if (stem.size() < kHash + 2 || stem.size() == name.size()) return false;
  if (stem[stem.size() - kHash - 1] != '-') return false;
  return std::all_of(stem.end() - static_cast<std::ptrdiff_t>(kHash), stem.end(), IsAssetHashChar);
}

Result<std::unique_ptr<StaticFiles>> StaticFiles::Load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound(dir + ": no such directory");
  auto out = std::make_unique<StaticFiles>();
  const fs::path root = fs::path(dir);
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const std::string relative = it->path().lexically_relative(root).generic_string();
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return Status::IoError(it->path().string() + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    File f;
    f.body = std::make_shared<const std::string>(text.str());
    f.content_type = ContentTypeFor(relative);
    // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict) on "\"" + std::string.
    f.etag.push_back('"');
    f.etag.append(Sha256Hex(*f.body), 0, 32);
    f.etag.push_back('"');
    f.immutable = IsHashedAsset(relative);
    out->files_.emplace(relative, std::move(f));
  }
  if (ec) return Status::IoError(dir + ": " + ec.message());
  return out;
}

size_t StaticFiles::total_bytes() const {
  size_t n = 0;
  for (const auto& [name, f] : files_) n += f.body->size();
  return n;
}

HttpResponse StaticFiles::Serve(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = HttpResponse::Error(405, "method-not-allowed", "pages take GET");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (request.path.empty() || request.path[0] != '/' || SuspiciousPath(request.path)) {
    return HttpResponse::Error(400, "bad-path", "that is not a page of this site");
  }
  std::string name = request.path.substr(1);
  if (name.empty() || name.back() == '/') name += "index.html";
  auto it = files_.find(name);
  if (it == files_.end()) {
    return HttpResponse::Error(404, "not-found", "no such page: " + request.path);
  }
  const File& f = it->second;
  HttpResponse r;
  r.content_type = f.content_type;
  r.headers.emplace_back("ETag", f.etag);
  r.headers.emplace_back("Cache-Control",
                         f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (request.Header("if-none-match") == f.etag) {
    r.status = 304;
    return r;
  }
  r.shared_body = f.body;
  return r;
}

}  // namespace canvass
