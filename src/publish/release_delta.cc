#include "publish/release_delta.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "core/sha256.h"
#include "publish/release.h"

namespace canvass {

using nlohmann::json;

namespace {

std::string NameKey(const std::string& county, const std::string& precinct) {
  std::string key = county;
  key.push_back('\0');
  key += precinct;
  return key;
}

// One entry's figures as a report of the election's candidates: a side the entry lists
// ("first", "final", "delegates") gives every candidate a figure (0 where it names none), a side
// it leaves out none; the SDEs likewise, when `with_sde`.
Result<PrecinctReport> EntryAsReport(const ElectionState& s, int64_t id, const json& reported,
                                     const json& computed, bool with_sde) {
  const PrecinctApportionment& ap = s.precincts()[static_cast<size_t>(id - 1)];
  PrecinctReport r;
  r.county = ap.county;
  r.precinct = ap.precinct;
  r.satellite = ap.satellite;
  r.source = SourceRef{"release", id};
  const size_t n = s.candidates().size();
  r.figures.resize(n);
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument(fmt::format("the previous release's precinct {} ({} / {}): {}",
                                               id, ap.county, ap.precinct, what));
  };
  if (!reported.is_object()) return bad("\"reported\" is not an object");
  using Slot = std::optional<Count> CandidateReport::*;
  for (auto [side, slot] : {std::pair{"first", Slot{&CandidateReport::first}},
                            std::pair{"final", Slot{&CandidateReport::final}},
                            std::pair{"delegates", Slot{&CandidateReport::delegates}}}) {
    auto it = reported.find(side);
    if (it == reported.end()) continue;
    if (!it->is_object()) return bad(fmt::format("reported.{} is not an object", side));
    for (CandidateReport& f : r.figures) f.*slot = 0;
    for (const auto& [name, value] : it->items()) {
      auto c = std::find(s.candidates().begin(), s.candidates().end(), name);
      if (c == s.candidates().end() || !value.is_number_integer()) {
        return bad(fmt::format("reported.{}.{} is not a candidate's count", side, name));
      }
      r.figures[static_cast<size_t>(c - s.candidates().begin())].*slot = value.get<Count>();
    }
  }
  if (!with_sde) return r;
  const json* sde = computed.is_object() && computed.contains("sde") ? &computed["sde"] : nullptr;
  if (sde == nullptr || !sde->is_object()) return r;
  for (CandidateReport& f : r.figures) f.sde = Rational(0);
  for (const auto& [name, value] : sde->items()) {
    auto c = std::find(s.candidates().begin(), s.candidates().end(), name);
    if (c == s.candidates().end() || !value.is_string()) {
      return bad(fmt::format("computed.sde.{} is not a candidate's SDE", name));
    }
    auto v = Rational::Parse(value.get<std::string>());
    if (!v.ok()) return bad(fmt::format("computed.sde.{}: {}", name, v.status().message()));
    r.figures[static_cast<size_t>(c - s.candidates().begin())].sde = *v;
  }
  return r;
}

bool HasSde(const json& computed) {
  return computed.is_object() && computed.contains("sde") && computed["sde"].is_object();
}

void SortHolds(std::vector<AnomalyHold>& holds) {
  std::stable_sort(holds.begin(), holds.end(), [](const AnomalyHold& a, const AnomalyHold& b) {
    return std::tie(a.precinct, a.flag.check) < std::tie(b.precinct, b.flag.check);
  });
}

// The previous release's figures of precinct `id` ("reported", {"sde"}) when `p` holds digests
// only: recomputed from the state it was built from, and given only when their digest is the
// one kept, that is, when they are what the release showed.
std::optional<std::pair<json, json>> KeptFigures(const PreviousRelease& p, int64_t id) {
  const ShownDigest& d = p.digests[static_cast<size_t>(id - 1)];
  if (!d.shown || p.built_from == nullptr) return std::nullopt;
  const ElectionState& was = *p.built_from;
  const PrecinctRecord& rec = *was.precinct(id);
  json reported = ReportedFiguresJson(was, rec);
  json sde = d.sde ? ComputedSdeJson(was, rec) : json();
  if (FiguresDigest(reported, sde) != d.sha) return std::nullopt;
  return std::pair{std::move(reported), json{{"sde", std::move(sde)}}};
}

}  // namespace

std::array<unsigned char, 32> FiguresDigest(const json& reported, const json& sde) {
  std::string text = reported.dump();
  text += '\n';
  text += sde.dump();
  const std::string raw = Sha256Bytes(text);
  std::array<unsigned char, 32> out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

json ReportedFiguresJson(const ElectionState& s, const PrecinctRecord& r) {
  json reported = json::object();
  if (r.first) reported["first"] = s.FiguresJson(*r.first);
  if (r.final) reported["final"] = s.FiguresJson(*r.final);
  if (r.delegates) reported["delegates"] = s.FiguresJson(*r.delegates);
  return reported;
}

json ComputedSdeJson(const ElectionState& s, const PrecinctRecord& r) {
  const auto& names = s.candidates();
  if (!r.final || r.check->computed_sde.size() != names.size()) return json();
  const int places = s.ruleset().precinct.sde_places;
  json sde = json::object();
  for (size_t c = 0; c < names.size(); ++c) {
    if (!r.check->computed_sde[c].is_zero()) {
      sde[names[c]] = r.check->computed_sde[c].ToDecimal(places);
    }
  }
  return sde;
}

Result<PreviousRelease> ReadPreviousRelease(const ElectionState& s,
                                            const PublishedRelease& previous) {
  const std::string_view bytes = previous.json;
  if (s.releases().empty()) {
    return Status::InvalidArgument("release 1 has no previous release to be compared with");
  }
  const ReleaseRecord& last = s.releases().back();
  PreviousRelease p;
  p.number = last.number;
  p.sha256 = Sha256Hex(bytes);
  const std::string name = ReleaseJsonName(last.number);
  const json* recorded =
      last.files.is_object() && last.files.contains(name) && last.files[name].is_string()
          ? &last.files[name]
          : nullptr;
  if (recorded == nullptr || recorded->get<std::string>() != p.sha256) {
    return Status::FailedPrecondition(fmt::format(
        "the {} given has SHA-256 {}, not the {} that its release-published event (event {}) "
        "recorded",
        name, p.sha256, recorded ? recorded->get<std::string>() : std::string("(none)"), last.seq));
  }
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument(fmt::format("{}: {}", name, what));
  };
  const json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  if (!doc.contains("number") || doc["number"] != last.number) {
    return bad(fmt::format("\"number\" is not {}", last.number));
  }
  if (!doc.contains("ledger") || !doc["ledger"].is_object() || !doc["ledger"].contains("seq") ||
      !doc["ledger"]["seq"].is_number_integer()) {
    return bad("no \"ledger\".\"seq\"");
  }
  p.ledger_seq = doc["ledger"]["seq"].get<int64_t>();
  if (!doc.contains("election") || !doc["election"].is_object() ||
      doc["election"].value("candidates", json()) != json(s.candidates())) {
    return bad("\"election\".\"candidates\" are not this election's");
  }
  if (!doc.contains("precincts")) {  // format canvass-release-4 on: the entries are beside
    const json& files = doc.value("files", json::object());
    const json ref = files.is_object() ? files.value("records", json()) : json();
    const std::string records = ReleaseRecordsName(last.number);
    if (!ref.is_object() || !ref.contains("manifest")) return bad("no \"files\".\"records\"");
    if (ref["manifest"] != ReleaseRecordsManifestSha256(previous.records)) {
      return Status::FailedPrecondition(
          fmt::format("the {} given is not the one {} names (its parts manifest's SHA-256 differs)",
                      records, name));
    }
  }
  auto entries = ReleaseEntries(doc, previous.records);
  if (!entries.ok()) return bad(entries.status().message());
  const int64_t n = static_cast<int64_t>(s.precincts().size());
  for (const json& entry : *entries) {
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_number_integer()) {
      return bad("a precinct entry has no \"id\"");
    }
    const int64_t id = entry["id"].get<int64_t>();
    if (id < 1 || id > n) return bad(fmt::format("precinct id {} is not one of 1..{}", id, n));
    const PrecinctApportionment& ap = s.precincts()[static_cast<size_t>(id - 1)];
    if (entry.value("county", json()) != json(ap.county) ||
        entry.value("precinct", json()) != json(ap.precinct)) {
      return bad(fmt::format("precinct {} is not {} / {}", id, ap.county, ap.precinct));
    }
    const json reported = entry.value("reported", json::object());
    const json computed = entry.value("computed", json::object());
    if (!reported.is_object()) return bad(fmt::format("precinct {}: \"reported\"", id));
    if (reported.contains("first")) p.shown.emplace(id, std::pair{reported, computed});
    const json included = entry.value("included", json(false));
    if (!included.is_boolean()) return bad(fmt::format("precinct {}: \"included\"", id));
    if (included.get<bool>()) p.counted.push_back(id);
  }
  return p;
}

Status AddReleaseDeltaHolds(const ElectionState& s, const PreviousRelease& previous,
                            AnomalyGate& gate, bool* figures_needed) {
  const std::map<int64_t, std::pair<json, json>>* shown = &previous.shown;
  std::map<int64_t, std::pair<json, json>> changed;
  if (previous.digests_only) {
    // Only the precincts whose figures changed are compared: the others would compare equal.
    const ElectionState* was = previous.built_from.get();
    for (size_t i = 0; i < previous.digests.size(); ++i) {
      const ShownDigest& d = previous.digests[i];
      if (!d.shown) continue;
      const auto id = static_cast<int64_t>(i + 1);
      const PrecinctRecord& rec = *s.precinct(id);
      if (d.from_record && was != nullptr && was->precinct(id) == &rec) continue;
      if (rec.first && FiguresDigest(ReportedFiguresJson(s, rec),
                                     d.sde ? ComputedSdeJson(s, rec) : json()) == d.sha) {
        continue;
      }
      auto figures = KeptFigures(previous, id);
      if (!figures) {
        *figures_needed = true;
        return Status::Ok();
      }
      changed.emplace(id, std::move(*figures));
    }
    shown = &changed;
  }
  Election before;
  Election now;
  before.candidates = now.candidates = s.candidates();
  std::vector<PrecinctId> corrected;
  std::unordered_map<std::string, int64_t> id_of;
  for (const auto& [id, figures] : *shown) {
    // SDEs are compared where the previous release showed them (a precinct held for another
    // check is listed without them).
    const bool with_sde = HasSde(figures.second);
    auto b = EntryAsReport(s, id, figures.first, figures.second, with_sde);
    if (!b.ok()) return b.status();
    id_of.emplace(NameKey(b->county, b->precinct), id);
    before.reports.push_back(std::move(b).value());
    const PrecinctRecord& rec = *s.precinct(id);
    if (!rec.first) continue;  // no longer reported: "removed"
    auto c = EntryAsReport(s, id, ReportedFiguresJson(s, rec),
                           json{{"sde", ComputedSdeJson(s, rec)}}, with_sde);
    if (!c.ok()) return c.status();
    if (rec.figures_seq > previous.ledger_seq) corrected.push_back({c->county, c->precinct});
    now.reports.push_back(std::move(c).value());
  }
  auto delta = CompareReleases(before, now, corrected);
  if (!delta.ok()) return delta.status();
  for (AnomalyFlag& f : DeltaFlags(*delta)) {
    AnomalyHold h;
    h.precinct = id_of.at(NameKey(f.county, f.precinct));
    h.revision = s.precinct(h.precinct)->revision;
    h.flag = std::move(f);
    h.override_seq = FindAnomalyOverride(s, h.precinct, h.revision, AnomalyCheck::kReleaseDelta);
    (h.override_seq != 0 ? gate.overridden : gate.held).push_back(std::move(h));
  }
  SortHolds(gate.held);
  SortHolds(gate.overridden);
  return Status::Ok();
}

ReleaseDeltaBuilder::ReleaseDeltaBuilder(const ElectionState& s, const PreviousRelease* previous,
                                         const AnomalyGate& gate)
    : s_(s), previous_(previous), gate_(gate) {
  const size_t n = s.candidates().size();
  paired_.candidates = s.candidates();
  sde_new_.assign(n, Rational(0));
  sde_back_.assign(n, Rational(0));
  heads_back_.assign(n, 0);
  counted_before_.assign(s.precincts().size(), false);
  same_.assign(s.precincts().size(), false);
  if (previous == nullptr) return;
  if (previous->digests_only) {
    for (size_t i = 0; i < previous->digests.size() && i < counted_before_.size(); ++i) {
      counted_before_[i] = previous->digests[i].counted && previous->digests[i].shown;
    }
  } else {
    for (int64_t id : previous->counted) {
      if (previous->shown.count(id)) counted_before_[static_cast<size_t>(id - 1)] = true;
    }
  }
}

Status ReleaseDeltaBuilder::Add(int64_t id, const json& reported, const json& computed,
                                const std::array<unsigned char, 32>& digest) {
  const auto i = static_cast<size_t>(id - 1);
  if (previous_ != nullptr && previous_->digests_only && counted_before_[i] &&
      digest == previous_->digests[i].sha) {
    same_[i] = true;  // compares equal: nothing more to know of it
    ++unchanged_;
    return Status::Ok();
  }
  auto r = EntryAsReport(s_, id, reported, computed, true);
  if (!r.ok()) return r.status();
  if (counted_before_[i]) {
    paired_ids_.emplace(NameKey(r->county, r->precinct), id);
    paired_.reports.push_back(std::move(r).value());
    return Status::Ok();
  }
  // Counted now and not before: new, or unexplained when an override of release-delta put it
  // back (as CompareReleases and the buckets below would count it).
  const bool back = gate_.Find(id, AnomalyCheck::kReleaseDelta) != nullptr;
  for (size_t c = 0; c < r->figures.size() && c < sde_new_.size(); ++c) {
    const CandidateReport& f = r->figures[c];
    if (f.sde) (back ? sde_back_ : sde_new_)[c] += *f.sde;
    if (back) heads_back_[c] += std::abs(f.first.value_or(0)) + std::abs(f.final.value_or(0));
  }
  ++(back ? back_ : new_);
  return Status::Ok();
}

bool ReleaseDeltaBuilder::AddUnchanged(int64_t id) {
  const auto i = static_cast<size_t>(id - 1);
  if (previous_ == nullptr || !previous_->digests_only || !counted_before_[i]) return false;
  same_[i] = true;
  ++unchanged_;
  return true;
}

Result<json> ReleaseDeltaBuilder::Finish(bool* figures_needed) {
  const ElectionState& s = s_;
  const PreviousRelease* previous = previous_;
  // The previous release's side of the precincts it counted that are not unchanged: changed
  // since, or no longer counted.
  Election before;
  before.candidates = s.candidates();
  std::vector<PrecinctId> corrected;
  // Every precinct the comparison can name is on one side: the previous release's (changed since,
  // or no longer counted) or this one's (paired_, with its id). Not a map of every precinct: at
  // national scale that took a tenth of a second per release for a few changed ones.
  std::unordered_map<std::string, int64_t> id_of = paired_ids_;
  if (previous != nullptr) {
    for (size_t i = 0; i < counted_before_.size(); ++i) {
      if (!counted_before_[i] || same_[i]) continue;
      const auto id = static_cast<int64_t>(i + 1);
      std::optional<std::pair<json, json>> kept;
      const std::pair<json, json>* figures = nullptr;
      if (previous->digests_only) {
        kept = KeptFigures(*previous, id);
        if (!kept) {
          *figures_needed = true;
          return json();
        }
        figures = &*kept;
      } else {
        figures = &previous->shown.at(id);
      }
      auto b = EntryAsReport(s, id, figures->first, figures->second, true);
      if (!b.ok()) return b.status();
      id_of.emplace(NameKey(b->county, b->precinct), id);
      before.reports.push_back(std::move(b).value());
    }
    for (size_t i = 0; i < s.precincts().size(); ++i) {
      if (s.precinct(static_cast<int64_t>(i + 1))->figures_seq > previous->ledger_seq) {
        corrected.push_back({s.precincts()[i].county, s.precincts()[i].precinct});
      }
    }
  }
  auto delta = CompareReleases(before, paired_, corrected);
  if (!delta.ok()) return delta.status();
  delta->unchanged += unchanged_;

  enum Bucket { kNew, kUpdated, kHeld, kUnexplained, kBuckets };
  const size_t n = delta->candidates.size();  // the election's: both sides name the same
  if (n != sde_new_.size()) return Status::InvalidArgument("the releases' candidates differ");
  std::vector<std::array<Rational, kBuckets>> sde(n);
  std::vector<Count> heads_unexplained(n, 0);
  std::array<int64_t, kBuckets> count{};
  // The new precincts, summed as they came (Add).
  count[kNew] += new_;
  count[kUnexplained] += back_;
  for (size_t c = 0; c < n; ++c) {
    sde[c][kNew] += sde_new_[c];
    sde[c][kUnexplained] += sde_back_[c];
    heads_unexplained[c] += heads_back_[c];
  }
  const AnomalyGate& gate = gate_;
  for (const PrecinctDelta& d : delta->precincts) {
    const int64_t id = id_of.at(NameKey(d.county, d.precinct));
    Bucket b = kUnexplained;
    switch (d.kind) {
      case DeltaKind::kNew:
        // Newly counted: first reported, or out of a hold; unexplained when an override of
        // release-delta put it back.
        b = gate.Find(id, AnomalyCheck::kReleaseDelta) != nullptr ? kUnexplained : kNew;
        break;
      case DeltaKind::kCorrected:
        b = kUpdated;
        break;
      case DeltaKind::kChanged:
        b = kUnexplained;
        break;
      case DeltaKind::kRemoved:
        b = gate.Held(id) ? kHeld : kUnexplained;
        break;
    }
    ++count[b];
    for (size_t c = 0; c < n; ++c) {
      sde[c][b] += d.sde[c];
      if (b == kUnexplained) heads_unexplained[c] += std::abs(d.first[c]) + std::abs(d.final[c]);
    }
  }
  const int places = s.ruleset().precinct.sde_places;
  json candidates = json::object();
  for (size_t c = 0; c < n; ++c) {
    Rational total;
    for (const Rational& x : sde[c]) total += x;
    candidates[delta->candidates[c]] = {
        {"sde", total.ToDecimal(places)},
        {"sde_new", sde[c][kNew].ToDecimal(places)},
        {"sde_updated", sde[c][kUpdated].ToDecimal(places)},
        {"sde_held", sde[c][kHeld].ToDecimal(places)},
        {"sde_unexplained", sde[c][kUnexplained].ToDecimal(places)},
        {"explained", sde[c][kUnexplained].is_zero() && heads_unexplained[c] == 0}};
  }
  json prev = previous == nullptr ? json()
                                  : json{{"number", previous->number},
                                         {"ledger_seq", previous->ledger_seq},
                                         {"sha256", previous->sha256}};
  return json{{"previous", std::move(prev)},
              {"precincts",
               {{"new", count[kNew]},
                {"updated", count[kUpdated]},
                {"held", count[kHeld]},
                {"unexplained", count[kUnexplained]},
                {"unchanged", delta->unchanged}}},
              {"candidates", std::move(candidates)}};
}

}  // namespace canvass
