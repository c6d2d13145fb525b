// Runs the `canvass` binary as a shell would, for the end-to-end tests of tests/cli.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace canvass::cli_test {

struct CommandRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// `canvass ARGS` through /bin/sh (ARGS is a shell word list), to completion.
inline CommandRun Canvass(const std::string& args) {
  std::string cmd = std::string(CANVASS_BINARY) + " " + args + " 2>&1";
  CommandRun run;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The bytes of the file at `path` (empty when it cannot be read).
inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace canvass::cli_test
