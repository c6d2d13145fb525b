// The releases (docs/api.md "Releases"): the index and each release's stored files, the
// timeline of what each release counted, and, for administrators, the publication policy and
// publishing now. A precinct's proof in a release is release_proof.cc's.
#include <fmt/format.h>

#include "api/api.h"
#include "api/routes.h"
#include "api/status_http.h"
#include "core/sha256.h"
#include "ledger/event_types.h"
#include "publish/publisher.h"
#include "publish/release.h"
#include "publish/release_files.h"
#include "publish/site.h"

namespace canvass {

using nlohmann::json;

namespace {

// A release file that could not be read (ReadReleaseFile): the store unreachable (503), the file
// or one of its parts not in this node's store (`missing`: 404 for a file asked for, 503 when
// the answer needs it), or damaged (500); the message names the file and the part.
HttpResponse ReleaseFileError(const Status& st, int missing) {
  switch (st.code()) {
    case Status::Code::kNotFound:
      return HttpResponse::Error(missing, missing == 404 ? "not-found" : "store-unavailable",
                                 st.message() + " (on this node)");
    case Status::Code::kCorruption:
      return HttpResponse::Error(500, "release-unreadable", st.message());
    default:
      return HttpResponse::Error(503, "store-unavailable", st.message());
  }
}

BlobGet BlobsOf(Intake& intake) {
  return [&intake](const std::string& sha) { return intake.GetBlob(sha); };
}

}  // namespace

HttpResponse Api::Releases(const Call& c) {
  const std::vector<std::string>& seg = c.seg;
  if (seg.size() == 2 && seg[1] == "policy") return ReleasePolicy(c);
  if (seg.size() == 1 && c.req.method == "POST") {
    if (auto refused = RequireAdmin(c.who.role, "only an administrator publishes releases")) {
      return *refused;
    }
    return PublishRelease(c.who);
  }
  if (c.req.method != "GET" && c.req.method != "HEAD") {
    return MethodNotAllowed(c.req, seg.size() == 1 ? "GET, POST" : "GET");
  }
  if (seg.size() == 2 && seg[1] == "timeline") return ReleaseTimeline(c.req);
  if (seg.size() == 4 && seg[2] == "proof") return ReleaseProof(c.req, seg);
  return ReleaseFiles(c.req, seg);
}

// The policy the ledger holds, and whether this node can publish (holds the key); an
// administrator sets it.
HttpResponse Api::ReleasePolicy(const Call& c) {
  if (c.req.method == "GET") {
    const bool can = options_.publisher != nullptr && options_.publisher->can_publish();
    return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
      const PublicationPolicy& p = s.publication_policy();
      return json{{"mode", p.mode}, {"seconds", p.seconds}, {"seq", p.seq}, {"can_publish", can}};
    }));
  }
  if (c.req.method != "POST") return MethodNotAllowed(c.req, "GET, POST");
  if (auto refused =
          RequireAdmin(c.who.role, "only an administrator sets the publication policy")) {
    return *refused;
  }
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  json payload = {{"mode", body.value("mode", json())},
                  {"seconds", body.value("seconds", json(0))}};
  if (body.contains("submission")) payload["submission"] = body["submission"];
  return Submit(c, event_type::kPublicationPolicySet, std::move(payload));
}

HttpResponse Api::PublishRelease(const Principal& who) {
  if (options_.publisher == nullptr || !options_.publisher->can_publish()) {
    return HttpResponse::Error(503, "publishing-unavailable",
                               "this server holds no signing key: publish from a node that does, "
                               "or with `canvass publish`");
  }
  auto outcome =
      options_.publisher->PublishNow(Actor{std::string(role::kAdmin), who.credential}, "admin");
  if (!outcome.ok()) {
    return ErrorResponse(outcome.status(), "release-refused");
  }
  return JsonResponse(outcome->published ? 201 : 200, {{"published", outcome->published},
                                                       {"number", outcome->number},
                                                       {"ledger_seq", outcome->ledger_seq},
                                                       {"seq", outcome->seq}});
}

HttpResponse Api::ReleaseTimeline(const HttpRequest& req) {
  auto [records, latest] = intake_.Read([](const ElectionState& s) {
    return std::pair{s.releases(), s.releases().empty() ? int64_t{0} : s.releases().back().seq};
  });
  const std::string etag = fmt::format("\"t{}\"", latest);
  json points = json::array();
  if (req.Header("if-none-match") != etag) {
    for (const ReleaseRecord& record : records) {
      const std::string name = ReleaseJsonName(record.number);
      const std::string sha = record.files.value(name, std::string());
      if (!IsSha256Hex(sha)) {
        return HttpResponse::Error(500, "release-unreadable",
                                   fmt::format("release {} names no {}", record.number, name));
      }
      {
        std::lock_guard lock(timeline_mu_);
        auto hit = timeline_.find(sha);
        if (hit != timeline_.end()) {
          points.push_back(hit->second);
          continue;
        }
      }
      auto blob = ReadReleaseFile(BlobsOf(intake_), record, name);
      if (!blob.ok()) return ReleaseFileError(blob.status(), 503);
      json doc = json::parse(*blob, nullptr, /*allow_exceptions=*/false);
      auto point = ReleaseTimelinePoint(doc);
      if (!point.ok()) {
        return HttpResponse::Error(500, "release-unreadable",
                                   name + ": " + point.status().message());
      }
      points.push_back(*point);
      std::lock_guard lock(timeline_mu_);
      timeline_.emplace(sha, std::move(*point));
    }
  }
  HttpResponse r = JsonResponse(200, {{"releases", std::move(points)}});
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "public, max-age=5");
  if (req.Header("if-none-match") == etag) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

HttpResponse Api::ReleaseFiles(const HttpRequest& req, const std::vector<std::string>& seg) {
  auto cached = [&](HttpResponse r, const std::string& etag, const char* cache) {
    r.headers.emplace_back("ETag", "\"" + etag + "\"");
    r.headers.emplace_back("Cache-Control", cache);
    if (req.Header("if-none-match") == "\"" + etag + "\"") {
      r.status = 304;
      r.body.clear();
    }
    return r;
  };
  if (seg.size() == 1) {
    auto [index, latest] = intake_.Read([](const ElectionState& s) {
      return std::pair{ReleaseIndexJson(s), s.releases().empty() ? 0 : s.releases().back().seq};
    });
    return cached(JsonResponse(200, index), fmt::format("i{}", latest), "public, max-age=5");
  }
  if (seg.size() > 3) return HttpResponse::Error(404, "not-found", "no such release file");
  const bool latest = seg[1] == "latest";
  const std::optional<int64_t> number = latest ? std::nullopt : ParseId(seg[1]);
  if (!latest && !number) {
    return HttpResponse::Error(404, "not-found", "a release is named by its number or \"latest\"");
  }
  const std::string kind = seg.size() == 3 ? seg[2] : "json";
  auto record = intake_.Read([&](const ElectionState& s) -> std::optional<ReleaseRecord> {
    if (s.releases().empty()) return std::nullopt;
    if (latest) return s.releases().back();
    if (*number > static_cast<int64_t>(s.releases().size())) return std::nullopt;
    return s.releases()[static_cast<size_t>(*number - 1)];
  });
  if (!record) return HttpResponse::Error(404, "not-found", "no such release (yet)");
  const char* cache = latest ? "public, max-age=5" : "public, max-age=31536000, immutable";
  const int64_t n = record->number;
  HttpResponse r;
  if (kind == "sig") {
    r.content_type = "text/plain; charset=utf-8";
    r.body = record->signature + "\n";
    const std::string etag = Sha256Hex(r.body);
    return cached(std::move(r), etag, cache);
  }
  static const std::map<std::string, std::pair<std::string (*)(int64_t), const char*>> kKinds = {
      {"json", {&ReleaseJsonName, "application/json"}},
      {"records.jsonl", {&ReleaseRecordsName, "application/jsonl"}},
      {"precincts.csv", {&ReleasePrecinctsCsvName, "text/csv; charset=utf-8"}},
      {"totals.csv", {&ReleaseTotalsCsvName, "text/csv; charset=utf-8"}},
      {"cdf.json", {&ReleaseCdfName, "application/json"}},
      {"root.json", {&ReleaseRootName, "application/json"}},
      {"root.json.sig", {&ReleaseRootSignatureName, "text/plain; charset=utf-8"}},
      // The parts manifests of the files named by them (cut by group of precincts): what the
      // signed release names, and what checks the file part by part.
      {"precincts.csv.parts",
       {+[](int64_t k) { return ReleasePartsName(ReleasePrecinctsCsvName(k)); },
        "text/plain; charset=utf-8"}},
      {"cdf.json.parts",
       {+[](int64_t k) { return ReleasePartsName(ReleaseCdfName(k)); },
        "text/plain; charset=utf-8"}},
      {"records.jsonl.parts",
       {+[](int64_t k) { return ReleasePartsName(ReleaseRecordsName(k)); },
        "text/plain; charset=utf-8"}}};
  auto it = kKinds.find(kind);
  if (it == kKinds.end()) {
    return HttpResponse::Error(404, "not-found",
                               "a release's files are json, records.jsonl, precincts.csv, "
                               "totals.csv, cdf.json, root.json, root.json.sig, sig, "
                               "records.jsonl.parts, precincts.csv.parts and cdf.json.parts");
  }
  const std::string name = it->second.first(n);
  const std::string sha = ReleaseFileTag(*record, name);
  if (sha.empty()) return HttpResponse::Error(404, "not-found", "the release names no " + name);
  r.content_type = it->second.second;
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + name + "\"");
  if (req.Header("if-none-match") != "\"" + sha + "\"") {
    std::shared_ptr<const std::string> bytes;
    // Cached by name and tag: a file named by its manifest has the manifest's SHA-256 as its tag.
    const std::string key = name + " " + sha;
    {
      std::lock_guard lock(files_mu_);
      auto hit = files_.find(key);
      if (hit != files_.end()) bytes = hit->second;
    }
    if (!bytes) {
      auto blob = ReadReleaseFile(BlobsOf(intake_), *record, name);
      if (!blob.ok()) return ReleaseFileError(blob.status(), 404);
      bytes = std::make_shared<const std::string>(std::move(blob).value());
      std::lock_guard lock(files_mu_);
      if (files_.emplace(key, bytes).second) {
        files_order_.push_back(key);
        files_bytes_ += bytes->size();
        while (files_bytes_ > kReleaseCacheBytes && files_order_.size() > 1) {
          auto old = files_.find(files_order_.front());
          files_bytes_ -= old->second->size();
          files_.erase(old);
          files_order_.pop_front();
        }
      }
    }
    r.shared_body = std::move(bytes);
  }
  return cached(std::move(r), sha, cache);
}

}  // namespace canvass
