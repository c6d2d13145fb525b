// The static site: every release's files, the index, the ledger export, the public key and
// plain HTML pages (no script; readable on a 360-pixel phone), for any web server or CDN.
//
//   DIR/releases.json            the index: every release, its prefix, head, files and signature
//   DIR/release-N.json, ...      each release's four files and release-N.json.sig
//   DIR/ledger.jsonl             the ledger export (docs/ledger-format.md)
//   DIR/election.pub             the election's public key, hex
//   DIR/index.html               the latest release: state and district totals, counties
//   DIR/county-K.html            one county's precincts: status, flags, figures
//
// The pages are rendered from the latest release's JSON, never from the live state, so that
// what a reader sees is what was signed.
//
// Thread-safety: pure functions of their arguments (and the file system).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "state/election_state.h"

namespace canvass {

using BlobReader = std::function<Result<std::optional<std::string>>(const std::string& sha256)>;

// releases.json for the state's releases.
nlohmann::json ReleaseIndexJson(const ElectionState& state);

// The ledger's events with seq > after, ascending, at most `limit` (Store::ReadAfter).
using LedgerReader = std::function<Result<std::vector<StoredEvent>>(int64_t after, int64_t limit)>;

// Writes the whole site into `dir` (created when missing). Release files come from `blobs`, the
// ledger's lines (1 to state.seq()) from `ledger`; files already there with the right bytes are
// left alone.
Status WriteSite(const std::string& dir, const ElectionState& state, const BlobReader& blobs,
                 const LedgerReader& ledger);

// The HTML pages of a release (parsed release JSON, and its precinct entries: ReleaseEntries):
// file name -> bytes.
std::vector<std::pair<std::string, std::string>> ReleasePages(const nlohmann::json& release,
                                                              const nlohmann::json& entries);

}  // namespace canvass
