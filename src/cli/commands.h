// The `canvass` command line: one function per subcommand, wired together by RunCanvass.
//
// Exit codes, for every subcommand: 0 ok; 1 error findings, or the work failed; 2 usage (bad
// options, unreadable or malformed input named with file, line and column).
//
// Thread-safety: runs on the calling thread; writes to the given streams.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace canvass {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Parses argv and runs the subcommand.
int RunCanvass(int argc, char** argv);

struct ElectionFiles {
  std::string rules = "iowa-dem-2020";
  std::string results;
  std::string apportionment;  // optional
  std::string districts;      // optional
  bool json = false;
};

int RunRulesList(std::ostream& out);
int RunRulesShow(const std::string& name, bool json, std::ostream& out, std::ostream& err);
int RunRulesCheck(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

struct AllocateOptions {
  std::string rules = "iowa-dem-2020";
  long long delegates = -1;
  bool satellite = false;
  std::optional<long long> attendance;
  std::vector<std::string> groups;  // NAME=FIRST[:FINAL]
  std::vector<std::string> cards;   // A>B>C  (Nevada early-vote ranked cards)
  std::vector<std::string> ties;    // A,B->A  (tied groups -> favoured groups)
  bool json = false;
};
int RunAllocate(const AllocateOptions& options, std::ostream& out, std::ostream& err);

int RunCheck(const ElectionFiles& files, std::ostream& out, std::ostream& err);
int RunTabulate(const ElectionFiles& files, std::ostream& out, std::ostream& err);

struct ConvertOptions {
  std::string results;            // any results format
  std::string apportionment;      // any apportionment format (optional)
  std::string districts;          // optional: fills districts into the apportionment written
  std::string results_out;        // write our results CSV here
  std::string apportionment_out;  // write our apportionment CSV here
};
int RunConvert(const ConvertOptions& options, std::ostream& out, std::ostream& err);

// The README's main job: the real Iowa 2020 releases, checked and tabulated from data/.
int RunDemo(const std::string& data_dir, std::ostream& out, std::ostream& err);

}  // namespace canvass
