// The NIST CDF a real night publishes, end to end through the binary: `canvass rehearse --demo`
// (the Iowa 2020 night over the server: every precinct, ties settled, corrections, satellites),
// `canvass publish` writes the site, `canvass release verify` rebuilds the release from the
// ledger export bit for bit, and tests/publish/validate_cdf.py (Debian's /usr/bin/python3 and
// python3-jsonschema) finds the site's CDF valid against the NIST V2 schema.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <sys/wait.h>

#include "cli/command.h"

namespace {

namespace fs = std::filesystem;
using canvass::cli_test::Canvass;
using canvass::cli_test::CommandRun;

std::string PublishTestDir() { return std::string(CANVASS_TEST_CASES_DIR) + "/../publish"; }

CommandRun Validate(const std::string& cdf) {
  const std::string cmd = "/usr/bin/python3 " + PublishTestDir() + "/validate_cdf.py " +
                          PublishTestDir() + "/nist-cdf/NIST_V2_election_results_reporting.json " +
                          cdf + " 2>&1";
  CommandRun run;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(ReleaseCdfCli, TheIowaNightsPublishedCdfIsValidAndVerifies) {
  const fs::path dir =
      fs::temp_directory_path() / ("canvass-release-cdf-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string night = (dir / "night").string();
  const std::string site = (dir / "site").string();

  CommandRun r = Canvass("rehearse --demo --dir " + night +
                         " --fast-kdf --compress max --publish manual --no-photos");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = Canvass("publish --store " + night + "/canvass.db --out " + site);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(fs::exists(site + "/release-1-cdf.json")) << r.out;

  r = Canvass("release verify --release " + site + "/release-1.json --ledger " + site +
              "/ledger.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("release-1-cdf.json: rebuilt bit for bit"), std::string::npos) << r.out;

  const CommandRun v = Validate(site + "/release-1-cdf.json");
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("release-1-cdf.json: 0 errors against"), std::string::npos) << v.out;

  fs::remove_all(dir);
}

}  // namespace
