// GET /api/v1/releases/{n|latest}/proof/{precinct}: one precinct's canonical record in a release
// with its Merkle inclusion path, the release's root statement and that statement's signature
// (docs/api.md, docs/releases.md "Precinct by precinct"; the document is proof.h's).
#include <fmt/format.h>

#include "api/api.h"
#include "api/routes.h"
#include "core/sha256.h"
#include "publish/release.h"
#include "publish/release_files.h"

namespace canvass {

using nlohmann::json;

namespace {

bool IsHashField(const json& v) {
  return v.is_string() && IsSha256Hex(v.get_ref<const std::string&>());
}

}  // namespace

HttpResponse Api::ReleaseProof(const HttpRequest& req, const std::vector<std::string>& seg) {
  const bool latest = seg[1] == "latest";
  const std::optional<int64_t> number = latest ? std::nullopt : ParseId(seg[1]);
  if (!latest && !number) {
    return HttpResponse::Error(404, "not-found", "a release is named by its number or \"latest\"");
  }
  const std::optional<int64_t> precinct = ParseId(seg[3]);
  if (!precinct) {
    return HttpResponse::Error(404, "not-found",
                               fmt::format("\"{}\" is not a precinct id (1, 2, ...)", seg[3]));
  }
  auto record = intake_.Read([&](const ElectionState& s) -> std::optional<ReleaseRecord> {
    if (s.releases().empty()) return std::nullopt;
    if (latest) return s.releases().back();
    if (*number > static_cast<int64_t>(s.releases().size())) return std::nullopt;
    return s.releases()[static_cast<size_t>(*number - 1)];
  });
  if (!record) return HttpResponse::Error(404, "not-found", "no such release (yet)");
  const int64_t n = record->number;
  const json json_sha = record->files.value(ReleaseJsonName(n), json());
  const json root_sha = record->files.value(ReleaseRootName(n), json());
  const json sig_sha = record->files.value(ReleaseRootSignatureName(n), json());
  if (!IsHashField(json_sha)) {
    return HttpResponse::Error(500, "release-unreadable",
                               fmt::format("release {} names no {}", n, ReleaseJsonName(n)));
  }
  if (!IsHashField(root_sha)) {
    return HttpResponse::Error(404, "no-merkle-root",
                               fmt::format("release {} was published before releases carried a "
                                           "Merkle root (format canvass-release-1): it has no "
                                           "precinct proofs",
                                           n));
  }
  auto read = [&](const json&, const std::string& name) {
    return ReadReleaseFile([this](const std::string& sha) { return intake_.GetBlob(sha); }, *record,
                           name);
  };
  std::shared_ptr<const ReleaseTree> tree;
  {
    std::lock_guard lock(proof_mu_);
    if (proof_tree_sha_ == json_sha.get<std::string>()) tree = proof_tree_;
  }
  if (!tree) {
    auto bytes = ReadPublishedRelease(
        [this](const std::string& sha) { return intake_.GetBlob(sha); }, *record);
    if (!bytes.ok()) return HttpResponse::Error(503, "store-unavailable", bytes.status().message());
    auto built = ReleaseTreeOf(bytes->json, bytes->records);
    if (!built.ok()) {
      return HttpResponse::Error(500, "release-unreadable",
                                 ReleaseJsonName(n) + ": " + built.status().message());
    }
    tree = std::make_shared<const ReleaseTree>(std::move(built).value());
    std::lock_guard lock(proof_mu_);
    proof_tree_sha_ = json_sha.get<std::string>();
    proof_tree_ = tree;
  }
  auto statement = read(root_sha, ReleaseRootName(n));
  if (!statement.ok()) {
    return HttpResponse::Error(503, "store-unavailable", statement.status().message());
  }
  std::string signature;
  if (IsHashField(sig_sha)) {
    auto sig = read(sig_sha, ReleaseRootSignatureName(n));
    if (!sig.ok()) return HttpResponse::Error(503, "store-unavailable", sig.status().message());
    signature = std::move(sig).value();
  }
  auto proof = PrecinctProof(*tree, *statement, signature, *precinct);
  if (!proof.ok()) {
    if (proof.status().code() == Status::Code::kNotFound) {
      return HttpResponse::Error(404, "unknown-precinct", proof.status().message());
    }
    return HttpResponse::Error(500, "release-unreadable", proof.status().message());
  }
  HttpResponse r = HttpResponse::Json(200, proof->dump());
  const std::string etag = fmt::format("\"p{}-{}\"", json_sha.get<std::string>(), *precinct);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control",
                         latest ? "public, max-age=5" : "public, max-age=31536000, immutable");
  if (req.Header("if-none-match") == etag) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

}  // namespace canvass
