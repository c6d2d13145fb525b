// What the appliers of ElectionState share (election_state.cc, review.cc): the refusals they
// build and reading an event's payload without ever throwing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ledger/event_types.h"
#include "state/election_state.h"

namespace canvass::state_internal {

inline Rejection Invalid(std::string code, std::string message, std::string field = "") {
  return {Rejection::Kind::kInvalid, std::move(code), std::move(message), std::move(field)};
}
inline Rejection Conflict(std::string code, std::string message, std::string field = "") {
  return {Rejection::Kind::kConflict, std::move(code), std::move(message), std::move(field)};
}
inline Rejection NotFound(std::string code, std::string message, std::string field = "") {
  return {Rejection::Kind::kNotFound, std::move(code), std::move(message), std::move(field)};
}
inline Rejection Forbidden(std::string message) {
  return {Rejection::Kind::kForbidden, "forbidden", std::move(message), ""};
}

inline const nlohmann::json* Member(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
inline std::optional<std::string> StringMember(const nlohmann::json& j, const char* key) {
  const nlohmann::json* m = Member(j, key);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return m->get<std::string>();
}
inline std::optional<int64_t> IntMember(const nlohmann::json& j, const char* key) {
  const nlohmann::json* m = Member(j, key);
  if (m == nullptr || !m->is_number_integer()) return std::nullopt;
  return m->get<int64_t>();
}
// An administrator: the local command line ("cli"), or a live admin credential.
inline bool IsAdmin(const Actor& a, const std::map<std::string, CredentialRecord>& creds) {
  if (a.role != role::kAdmin) return false;
  if (a.id == "cli") return true;
  auto it = creds.find(a.id);
  return it != creds.end() && !it->second.revoked && it->second.role == role::kAdmin;
}
// A live credential of `role` acting as `a` (null for the local command line, which has none).
inline const CredentialRecord* Live(const Actor& a,
                                    const std::map<std::string, CredentialRecord>& creds,
                                    std::string_view role) {
  if (a.role != role) return nullptr;
  auto it = creds.find(a.id);
  if (it == creds.end() || it->second.revoked || it->second.role != role) return nullptr;
  return &it->second;
}
// Empty or only white space: a reason not given.
inline bool Blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace canvass::state_internal
