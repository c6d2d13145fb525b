#include "publish/site.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/sha256.h"
#include "publish/release.h"
#include "publish/release_files.h"

namespace canvass {

using nlohmann::json;

namespace {

std::string Html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Str(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump();
}

const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:0 auto;padding:8px;max-width:60em;"
    "line-height:1.4;color:#111}h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}"
    ".scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9em}"
    "th,td{padding:2px 6px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}"
    "th:first-child,td:first-child{text-align:left}tr.flag td{background:#fff3cd}"
    ".meta{font-size:.85em;color:#444;word-break:break-all}";

std::string Page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" +
         Html(title) + "</title><style>" + kStyle + "</style></head><body>\n" + body +
         "</body></html>\n";
}

Status WriteIfChanged(const std::filesystem::path& path, const std::string& bytes) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str() == bytes) return Status::Ok();
  }
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) return Status::IoError(tmp.string() + ": write failed");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IoError(path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

json ReleaseIndexJson(const ElectionState& s) {
  json releases = json::array();
  for (const ReleaseRecord& r : s.releases()) {
    releases.push_back({{"number", r.number},
                        {"seq", r.seq},
                        {"time", r.time},
                        {"ledger_seq", r.ledger_seq},
                        {"ledger_head", r.ledger_head},
                        {"files", r.files},
                        {"signature", r.signature}});
  }
  return {{"election", s.name()},
          {"signing_key", s.signing_key().empty() ? json() : json(s.signing_key())},
          {"ledger", {{"seq", s.seq()}, {"head", s.head_hash()}}},
          {"latest", s.releases().empty() ? json() : json(s.releases().back().number)},
          {"releases", std::move(releases)}};
}

std::vector<std::pair<std::string, std::string>> ReleasePages(const json& rel,
                                                              const json& entries) {
  std::vector<std::pair<std::string, std::string>> pages;
  const int64_t n = rel.value("number", int64_t{0});
  const std::string name = Str(rel["election"]["name"]);
  const json& names = rel["election"]["candidates"];
  const json& totals = rel["tabulation"]["totals"];
  const json& reporting = rel["reporting"];

  std::map<std::string, std::vector<const json*>> by_county;
  for (const json& p : entries) by_county[Str(p["county"])].push_back(&p);
  std::map<std::string, std::string> county_page;
  for (const auto& [county, list] : by_county) {
    county_page[county] = fmt::format("county-{}.html", county_page.size() + 1);
  }

  auto totals_table = [&](const json& reported, const json& computed) {
    std::string t =
        "<div class=\"scroll\"><table><tr><th>Candidate</th><th>First</th><th>Final</th>"
        "<th>SDEs (computed)</th><th>County delegates (reported)</th></tr>\n";
    for (const json& c : names) {
      const std::string k = c.get<std::string>();
      const json& r = reported.contains(k) ? reported[k] : json::object();
      const json& m = computed.contains(k) ? computed[k] : json::object();
      t += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                       Html(k), Str(r.value("first", json())), Str(r.value("final", json())),
                       Html(Str(m.value("sde", json()))), Str(r.value("delegates", json())));
    }
    return t + "</table></div>\n";
  };
  const std::string files = fmt::format(
      "<p class=\"meta\">Files: <a href=\"{0}\">{0}</a> (<a href=\"{1}\">signature</a>), "
      "<a href=\"{2}\">{2}</a>, <a href=\"{3}\">{3}</a>, <a href=\"{4}\">{4}</a> (NIST SP "
      "1500-100), <a href=\"{5}\">{5}</a> (each precinct's record); <a "
      "href=\"releases.json\">all releases</a>, <a href=\"ledger.jsonl\">the ledger</a>, <a "
      "href=\"election.pub\">the public key</a>.</p>\n",
      ReleaseJsonName(n), ReleaseSignatureName(n), ReleasePrecinctsCsvName(n),
      ReleaseTotalsCsvName(n), ReleaseCdfName(n), ReleaseRecordsName(n));
  const std::string meta = fmt::format(
      "<p class=\"meta\">Release {} ({}), {}. Built from ledger events 1&ndash;{}, head {}; "
      "ruleset {} {} ({}).</p>\n",
      n, Html(Str(rel["status"])), Html(Str(rel["time"])), Str(rel["ledger"]["seq"]),
      Html(Str(rel["ledger"]["head"])), Html(Str(rel["ruleset"]["name"])),
      Html(Str(rel["ruleset"]["version"])), Html(Str(rel["ruleset"]["hash"])));

  std::string body = "<h1>" + Html(name) + "</h1>\n" + meta;
  body += fmt::format(
      "<p>{} of {} precincts in; {} confirmed; {} flagged by the rules; {} disputed by a "
      "campaign.</p>\n",
      Str(reporting["included"]), Str(reporting["precincts"]),
      Str(reporting["by_status"]["confirmed"]), Str(reporting["flagged"]),
      Str(reporting["disputed"]));
  body +=
      "<h2>State</h2>\n" + totals_table(totals["reported"]["state"], totals["computed"]["state"]);
  const json& national = rel["tabulation"]["national"];
  if (national.is_object() && national.contains("total")) {
    body += "<h2>National delegates (" + Html(Str(national["source"])) + ")</h2>\n";
    body += "<div class=\"scroll\"><table><tr><th>Candidate</th><th>Delegates</th></tr>\n";
    for (const auto& [k, v] : national["total"].items()) {
      body += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", Html(k), Str(v));
    }
    body += "</table></div>\n";
  }
  for (const auto& [d, area] : totals["reported"]["districts"].items()) {
    body += "<h2>Congressional district " + Html(d) + "</h2>\n" +
            totals_table(area, totals["computed"]["districts"][d]);
  }
  body +=
      "<h2>Counties</h2>\n<div class=\"scroll\"><table><tr><th>County</th>"
      "<th>Precincts in</th><th>Flagged</th><th>Disputed</th></tr>\n";
  for (const auto& [county, list] : by_county) {
    int in = 0, flagged = 0, disputed = 0;
    for (const json* p : list) {
      in += (*p)["included"].get<bool>() ? 1 : 0;
      flagged += (*p)["flags"]["flagged"].get<bool>() ? 1 : 0;
      disputed += (*p)["flags"]["disputed"].get<bool>() ? 1 : 0;
    }
    body += fmt::format(
        "<tr><td><a href=\"{}\">{}</a></td><td>{} / {}</td><td>{}</td><td>{}</td></tr>\n",
        county_page[county], Html(county), in, list.size(), flagged, disputed);
  }
  body += "</table></div>\n" + files;
  pages.emplace_back("index.html", Page(name, body));

  for (const auto& [county, list] : by_county) {
    std::string b = "<p><a href=\"index.html\">&larr; " + Html(name) + "</a></p>\n<h1>" +
                    Html(county) + "</h1>\n" + meta;
    if (totals["reported"]["counties"].contains(county)) {
      b += totals_table(totals["reported"]["counties"][county],
                        totals["computed"]["counties"][county]);
    }
    b += "<h2>Precincts</h2>\n";
    for (const json* p : list) {
      const json& pr = *p;
      std::string flags;
      if (pr["flags"]["flagged"].get<bool>()) {
        std::string codes;
        for (const json& c : pr["flags"]["findings"]) codes += (codes.empty() ? "" : ", ") + Str(c);
        flags += "flagged: " + codes + "; ";
      }
      if (pr["flags"]["disputed"].get<bool>()) flags += "disputed by a campaign; ";
      if (pr["flags"]["under_recanvass"].get<bool>()) flags += "under recanvass; ";
      b += fmt::format("<h3 id=\"p{}\">{}</h3>\n<p>Status: {}{}</p>\n", Str(pr["id"]),
                       Html(Str(pr["precinct"])), Html(Str(pr["status"])),
                       flags.empty() ? "" : " &mdash; " + Html(flags.substr(0, flags.size() - 2)));
      if (!pr["included"].get<bool>()) continue;
      b += "<div class=\"scroll\"><table><tr><th>Candidate</th><th>First</th><th>Final</th>"
           "<th>Delegates (reported)</th><th>Delegates (computed)</th><th>SDEs</th></tr>\n";
      const json& rep = pr["reported"];
      const json& com = pr["computed"];
      for (const json& c : names) {
        const std::string k = c.get<std::string>();
        auto fig = [&](const json& obj, const char* key) -> std::string {
          if (!obj.contains(key) || obj[key].is_null()) return "";
          return obj[key].contains(k) ? Str(obj[key][k]) : "0";
        };
        b += fmt::format(
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            pr["flags"]["flagged"].get<bool>() ? " class=\"flag\"" : "", Html(k), fig(rep, "first"),
            fig(rep, "final"), fig(rep, "delegates"), fig(com, "delegates"), Html(fig(com, "sde")));
      }
      b += "</table></div>\n";
    }
    pages.emplace_back(county_page[county], Page(county + " - " + name, b));
  }
  return pages;
}

Status WriteSite(const std::string& dir, const ElectionState& s, const BlobReader& blobs,
                 const LedgerReader& read_ledger) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError(dir + ": " + ec.message());
  const fs::path root(dir);
  std::optional<json> latest;
  std::string latest_records;
  for (const ReleaseRecord& r : s.releases()) {
    for (const std::string& name : ReleaseFileNames(r)) {
      if (name.find('/') != std::string::npos || name.rfind("release-", 0) != 0) {
        return Status::Corruption("release " + std::to_string(r.number) + " names file " + name);
      }
      // A file stored by part is joined from its parts; its manifest (NAME.parts) is written
      // beside it, so that a mirror can fetch only the parts it lacks.
      auto bytes = ReadReleaseFile(blobs, r, name);
      if (!bytes.ok()) return bytes.status();
      CANVASS_RETURN_IF_ERROR(WriteIfChanged(root / name, *bytes));
      if (&r == &s.releases().back() && name == ReleaseJsonName(r.number)) {
        latest = json::parse(*bytes, nullptr, false);
      }
      if (&r == &s.releases().back() && name == ReleaseRecordsName(r.number)) {
        latest_records = std::move(bytes).value();
      }
    }
    CANVASS_RETURN_IF_ERROR(
        WriteIfChanged(root / ReleaseSignatureName(r.number), r.signature + "\n"));
  }
  CANVASS_RETURN_IF_ERROR(
      WriteIfChanged(root / "releases.json", ReleaseIndexJson(s).dump(2) + "\n"));
  // The lines the state was built from, read from the store a page at a time (the state keeps
  // only their hashes: each line is checked against its hash).
  std::string ledger;
  for (int64_t at = 0; at < s.seq();) {
    auto page = read_ledger(at, std::min<int64_t>(s.seq() - at, 4096));
    if (!page.ok()) return page.status();
    if (page->empty()) {
      return Status::Corruption(
          fmt::format("the store's ledger ends at event {}, not {}", at, s.seq()));
    }
    for (const StoredEvent& e : *page) {
      if (e.seq != at + 1 || Sha256Hex(e.line) != s.hash_of(e.seq)) {
        return Status::Corruption(
            fmt::format("the store's event {} is not the one the state holds", at + 1));
      }
      ledger += e.line;
      ledger += '\n';
      at = e.seq;
    }
  }
  CANVASS_RETURN_IF_ERROR(WriteIfChanged(root / "ledger.jsonl", ledger));
  if (!s.signing_key().empty()) {
    CANVASS_RETURN_IF_ERROR(WriteIfChanged(root / "election.pub", s.signing_key() + "\n"));
  }
  if (latest && !latest->is_discarded()) {
    auto entries = ReleaseEntries(*latest, latest_records);
    if (!entries.ok()) {
      return Status::Corruption(ReleaseJsonName(s.releases().back().number) + ": " +
                                entries.status().message());
    }
    for (const auto& [name, bytes] : ReleasePages(*latest, *entries)) {
      CANVASS_RETURN_IF_ERROR(WriteIfChanged(root / name, bytes));
    }
  } else {
    CANVASS_RETURN_IF_ERROR(WriteIfChanged(
        root / "index.html",
        Page(s.name(),
             "<h1>" + Html(s.name()) + "</h1>\n<p>No results have been released yet.</p>\n")));
  }
  return Status::Ok();
}

}  // namespace canvass
