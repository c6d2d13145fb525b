#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "rules/ruleset.h"

namespace canvass {

int RunRulesList(std::ostream& out) {
  for (const std::string& name : ListRulesets()) {
    auto ruleset = LoadRuleset(name);
    if (ruleset.ok()) {
      out << name << "  " << ruleset->ShortHash() << "  " << ruleset->description << "\n";
    } else {
      out << name << "  (invalid: " << ruleset.status().message() << ")\n";
    }
  }
  return kExitOk;
}

int RunRulesShow(const std::string& name, bool json, std::ostream& out, std::ostream& err) {
  auto ruleset = LoadRuleset(name);
  if (!ruleset.ok()) {
    err << "canvass: " << ruleset.status().message() << "\n";
    return kExitUsage;
  }
  const Ruleset& r = *ruleset;
  if (json) {
    nlohmann::json j = nlohmann::json::parse(r.CanonicalJson());
    j["hash"] = r.hash;
    out << j.dump(2) << "\n";
    return kExitOk;
  }
  // The canonical JSON holds every setting, defaults included: print it flattened, one per line.
  out << r.name << " version " << r.version << ", published " << r.published << "\n";
  out << "hash " << r.hash << "\n";
  if (!r.description.empty()) out << r.description << "\n";
  out << "\n";
  nlohmann::json flat = nlohmann::json::parse(r.CanonicalJson()).flatten();
  for (const auto& [key, value] : flat.items()) {
    out << "  " << key.substr(1) << " = " << value.dump() << "\n";
  }
  return kExitOk;
}

int RunRulesCheck(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int rc = kExitOk;
  for (const std::string& file : files) {
    auto ruleset = LoadRulesetFile(file);
    if (ruleset.ok()) {
      out << file << ": ok: " << ruleset->name << " version " << ruleset->version << ", hash "
          << ruleset->hash << "\n";
    } else {
      err << ruleset.status().message() << "\n";
      rc = kExitFailure;
    }
  }
  return rc;
}

}  // namespace canvass
