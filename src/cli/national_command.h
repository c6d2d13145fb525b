// `canvass national`: the national delegate count from a delegates file and a votes file
// (docs/cli.md). Its own header so that the command can be wired without touching commands.h.
#pragma once

#include <iosfwd>
#include <string>

namespace canvass {

struct NationalOptions {
  std::string rules = "dnc-2020";
  std::string delegates;
  std::string votes;
  std::string published;  // optional
  bool json = false;
};

// Exit 0 when the count is made and no published pool differs, 1 when one does, 2 on unreadable
// or malformed input.
int RunNational(const NationalOptions& options, std::ostream& out, std::ostream& err);

}  // namespace canvass
