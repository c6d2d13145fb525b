#include "rehearse/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace canvass {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

pid_t SpawnProcess(const std::string& program, const std::vector<std::string>& args,
                   const std::string& dir, const std::string& log) {
  std::vector<std::string> argv_strings;
  argv_strings.push_back(program);
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // The child.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
  if (!dir.empty() && chdir(dir.c_str()) != 0) _exit(127);
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) _exit(127);
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  close(fd);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) {
    dup2(null_fd, STDIN_FILENO);
    close(null_fd);
  }
  execv(argv[0], argv.data());
  _exit(127);
}

ServerProcess::ServerProcess(std::string program, std::string dir, std::vector<std::string> args,
                             std::string name, bool chdir)
    : program_(std::move(program)),
      dir_(std::move(dir)),
      args_(std::move(args)),
      name_(std::move(name)),
      chdir_(chdir) {}

ServerProcess::~ServerProcess() { Kill(); }

std::string ServerProcess::log() const { return ReadWhole(log_path()); }

Status ServerProcess::Start(std::chrono::seconds deadline) {
  Kill();
  const std::string port_file = dir_ + "/" + name_ + ".port";
  std::error_code ec;
  std::filesystem::remove(port_file, ec);
  std::vector<std::string> args = {"serve", "--port", "0", "--port-file", port_file};
  args.insert(args.end(), args_.begin(), args_.end());
  ++starts_;
  pid_ = SpawnProcess(program_, args, chdir_ ? dir_ : std::string(), log_path());
  if (pid_ < 0) return Status::IoError("cannot start " + name_ + " (fork failed)");
  const auto until = Clock::now() + deadline;
  while (Clock::now() < until) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::IoError(name_ + " exited before listening (log in " + log_path() + "):\n" +
                             log());
    }
    const std::string text = ReadWhole(port_file);
    if (!text.empty() && text.back() == '\n') {
      try {
        port_ = static_cast<uint16_t>(std::stoi(text));
        return Status::Ok();
      } catch (...) {
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Kill();
  return Status::IoError(name_ + " did not start listening (log in " + log_path() + "):\n" + log());
}

std::optional<int64_t> ServerProcess::PeakRssKib() const {
  if (pid_ <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      int64_t kib = 0;
      std::istringstream(line.substr(6)) >> kib;
      return kib;
    }
  }
  return std::nullopt;
}

int ServerProcess::Signal(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  const auto until = Clock::now() + std::chrono::seconds(120);
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (Clock::now() > until) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

}  // namespace canvass
