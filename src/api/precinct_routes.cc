// The precincts (docs/api.md "Reading" and "Writing"): the list and each precinct's page; a
// chair's (or the hotline's, or an administrator's) reports, ties, photo, confirmation,
// corrections and practice; a campaign's attestations, and the evidence it cites; the photos.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "api/api.h"
#include "api/precinct_json.h"
#include "api/routes.h"
#include "api/status_http.h"
#include "core/sha256.h"
#include "intake/photo.h"
#include "ledger/event_types.h"
#include "publish/release.h"

namespace canvass {

using nlohmann::json;

HttpResponse Api::Precincts(const Call& c) {
  const std::vector<std::string>& seg = c.seg;
  if (seg.size() == 1) {
    if (c.req.method != "GET") return MethodNotAllowed(c.req, "GET");
    return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
      json list = json::array();
      for (size_t i = 0; i < s.precincts().size(); ++i) {
        const int64_t id = static_cast<int64_t>(i + 1);
        const PrecinctRecord& r = *s.precinct(id);
        list.push_back({{"id", id},
                        {"county", s.precincts()[i].county},
                        {"precinct", s.precincts()[i].precinct},
                        {"status", s.StatusOf(id)},
                        {"disputed", s.Disputed(id)},
                        {"flagged", r.check->has_error()},
                        {"revision", r.revision}});
      }
      return json{{"seq", s.seq()}, {"precincts", list}};
    }));
  }
  auto id = ParseId(seg[1]);
  const bool exists =
      id && intake_.Read([&](const ElectionState& s) { return s.precinct(*id) != nullptr; });
  if (!exists) {
    return HttpResponse::Error(404, "unknown-precinct", "there is no precinct " + seg[1]);
  }
  if (seg.size() == 2) {
    if (c.req.method != "GET") return MethodNotAllowed(c.req, "GET");
    return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
      json out = PrecinctJson(s, *id, true);
      // With early vote (Nevada): the alignments by source, as a release lists them.
      if (s.ruleset().precinct.early_vote.enabled) {
        const PrecinctRecord& r = *s.precinct(*id);
        out["alignments"] = AlignmentsBySourceJson(s, *id, r.first, r.final);
      }
      return out;
    }));
  }
  if (seg.size() != 3) return HttpResponse::Error(404, "not-found", "no such route");
  return PrecinctAction(c, *id);
}

// POST /api/v1/precincts/{id}/{action}: who may send it, then the event it becomes.
HttpResponse Api::PrecinctAction(const Call& c, int64_t id) {
  const std::string& action = c.seg[2];
  const Principal& who = c.who;
  static const std::set<std::string> kActions = {"first",   "final",        "ties",
                                                 "photo",   "confirm",      "corrections",
                                                 "preview", "attestations", "practice"};
  if (kActions.count(action) == 0) return HttpResponse::Error(404, "not-found", "no such route");
  if (c.req.method != "POST") return MethodNotAllowed(c.req, "POST");
  if (who.role == "public") return NeedLogin();
  const bool own_chair = who.role == role::kChair && who.subject == std::to_string(id);
  const bool reporter = own_chair || who.role == role::kAdmin;
  if (action == "attestations") {
    if (who.role != role::kCampaign) return Forbidden("only campaigns confirm or dispute reports");
  } else if (action == "ties" || action == "photo" || action == "confirm" || action == "preview") {
    if (!reporter && who.role != role::kOperator) {
      return Forbidden(who.role == role::kChair ? "you can report only for your own precinct"
                                                : "only the precinct's chair, a hotline operator "
                                                  "or an administrator can do this");
    }
  } else if (!reporter) {
    return Forbidden(who.role == role::kChair ? "you can report only for your own precinct"
                     : who.role == role::kOperator && action == "corrections"
                         ? "the hotline cannot change a recorded report: the precinct's chair "
                           "sends the correction from the chair page (or an administrator does)"
                     : who.role == role::kOperator
                         ? "operators enter reports at /api/v1/hotline/entries (double entry)"
                         : "only the precinct's chair or an administrator can report figures");
  }
  if (action == "photo") return AttachPhoto(c, id);
  // Only photos may use the larger body limit the HTTP layer allows under /precincts/.
  if (c.req.body.size() > kMaxJsonBody) {
    return HttpResponse::Error(413, "too-large", "the request body is larger than 64 KiB");
  }
  json body;
  if (auto e = ParseBody(c.req, body)) return *e;
  if (action == "preview") {
    // Checked and shown under one read of the state: the status beside it is the same moment's.
    auto result = intake_.Read([&](const ElectionState& s) -> std::variant<json, Rejection> {
      auto preview = s.Preview(id, body);
      if (auto* r = std::get_if<Rejection>(&preview)) return *r;
      return PrecinctRecordJson(s, id, std::get<PrecinctRecord>(preview), false);
    });
    if (auto* r = std::get_if<Rejection>(&result)) return RejectionResponse(*r);
    return JsonResponse(200, std::get<json>(result));
  }
  body["precinct"] = id;
  // A correction keeps the tie outcomes that still settle the same tie, unless told otherwise.
  if (action == "corrections" && body.is_object() && !body.contains("keep_ties")) {
    body["keep_ties"] = true;
  }
  static const std::map<std::string, std::string_view> kTypes = {
      {"first", event_type::kFirstAlignmentReported},
      {"final", event_type::kFinalAlignmentReported},
      {"ties", event_type::kTieOutcomeRecorded},
      {"confirm", event_type::kReportConfirmed},
      {"corrections", event_type::kReportCorrected},
      {"attestations", event_type::kCampaignAttestation},
      {"practice", event_type::kPracticeReport}};
  return Submit(c, kTypes.at(action), std::move(body));
}

// The photo of a precinct's worksheet: stored by its SHA-256, then recorded (photo-attached).
HttpResponse Api::AttachPhoto(const Call& c, int64_t id) {
  const HttpRequest& req = c.req;
  auto kind = PhotoKind(req.body);
  if (!kind.ok()) {
    return HttpResponse::Error(415, "unsupported-photo", kind.status().message());
  }
  if (req.body.size() > options_.max_photo_bytes) {
    return HttpResponse::Error(413, "too-large", "the photo is too large");
  }
  const std::string hash = Sha256Hex(req.body);
  Status put = intake_.PutBlob(hash, req.body);
  if (!put.ok()) {
    return HttpResponse::Error(
        503, "store-unavailable",
        "the photo could not be stored; send it again (" + put.message() + ")");
  }
  json payload = {{"precinct", id},
                  {"sha256", hash},
                  {"content_type", *kind},
                  {"bytes", static_cast<int64_t>(req.body.size())}};
  auto sub = req.query.find("submission");
  const std::string& header = req.Header("x-submission-id");
  if (sub != req.query.end()) {
    payload["submission"] = sub->second;
  } else if (!header.empty()) {
    payload["submission"] = header;
  } else {
    // Per precinct: an operator or administrator may send the same photo for two precincts.
    payload["submission"] = "photo-" + std::to_string(id) + "-" + hash;
  }
  return Submit(c, event_type::kPhotoAttached, std::move(payload));
}

HttpResponse Api::Photos(const Call& c) {
  const std::string& sha = c.seg[1];
  if (!IsSha256Hex(sha)) {
    return HttpResponse::Error(404, "not-found", "a photo is named by its SHA-256 (64 hex)");
  }
  auto blob = intake_.GetBlob(sha);
  if (!blob.ok()) return HttpResponse::Error(503, "store-unavailable", blob.status().message());
  if (!blob->has_value()) return HttpResponse::Error(404, "not-found", "no such photo");
  auto kind = EvidenceKind(**blob);
  HttpResponse r;
  r.content_type = kind.ok() ? *kind : "application/octet-stream";
  if (r.content_type == "application/pdf") {
    // A campaign's evidence document: downloaded, never rendered on the site's origin.
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + sha + ".pdf\"");
  }
  r.body = std::move(**blob);
  r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  r.headers.emplace_back("ETag", "\"" + sha + "\"");
  return r;
}

// A campaign's (or the party's) evidence for a request: stored by its SHA-256, which the
// request then names (docs/api.md "Audit"). No event: the request that cites it is the record.
HttpResponse Api::Evidence(const Call& c) {
  const HttpRequest& req = c.req;
  if (c.who.role == "public") return NeedLogin();
  if (c.who.role != role::kCampaign && c.who.role != role::kAdmin) {
    return Forbidden("only a campaign (or the party) attaches evidence to a request");
  }
  auto kind = EvidenceKind(req.body);
  if (!kind.ok()) return HttpResponse::Error(415, "unsupported-evidence", kind.status().message());
  if (req.body.size() > options_.max_photo_bytes) {
    return HttpResponse::Error(413, "too-large", "the evidence is too large");
  }
  const std::string hash = Sha256Hex(req.body);
  Status put = intake_.PutBlob(hash, req.body);
  if (!put.ok()) {
    return HttpResponse::Error(
        503, "store-unavailable",
        "the evidence could not be stored; send it again (" + put.message() + ")");
  }
  return JsonResponse(201, json{{"sha256", hash},
                                {"content_type", *kind},
                                {"bytes", static_cast<int64_t>(req.body.size())},
                                {"url", std::string(kApiPrefix) + "/photos/" + hash}});
}

// Every campaign verdict, in ledger order (each is public on its precinct's page too).
HttpResponse Api::Attestations(const Call& c) {
  std::string campaign;
  if (auto it = c.req.query.find("campaign"); it != c.req.query.end()) campaign = it->second;
  return JsonResponse(200, intake_.Read([&](const ElectionState& s) {
    json list = json::array();
    for (size_t i = 0; i < s.precincts().size(); ++i) {
      const int64_t id = static_cast<int64_t>(i + 1);
      const PrecinctRecord& r = *s.precinct(id);
      // standing: the campaign's latest verdict on the current revision (what Disputed reads).
      std::map<std::string, int64_t> standing;
      for (const Attestation& a : r.attestations) {
        if (a.revision == r.revision) standing[a.campaign] = a.seq;
      }
      for (const Attestation& a : r.attestations) {
        if (!campaign.empty() && a.campaign != campaign) continue;
        list.push_back({{"precinct", id},
                        {"county", s.precincts()[i].county},
                        {"name", s.precincts()[i].precinct},
                        {"seq", a.seq},
                        {"campaign", a.campaign},
                        {"verdict", a.verdict},
                        {"reason", a.reason},
                        {"revision", a.revision},
                        {"current_revision", r.revision},
                        {"standing", standing[a.campaign] == a.seq}});
      }
    }
    std::sort(list.begin(), list.end(), [](const json& a, const json& b) {
      return a["seq"].get<int64_t>() < b["seq"].get<int64_t>();
    });
    return json{{"seq", s.seq()}, {"attestations", list}};
  }));
}

}  // namespace canvass
