// `canvass serve` as a child process: what a rehearsal and the process-level tests both need.
//
// The child is started with fork/exec, its stdout and stderr appended to a log file, its stdin
// /dev/null, and asked to die with its parent (PR_SET_PDEATHSIG, which follows the forking
// thread: start children from a thread that outlives them, the main thread). It listens on port 0
// and says which port in a port file; Start waits for that file (or for the child to exit). A
// ServerProcess kills and reaps its child in its destructor, so no server is left running.
//
// Thread-safety: a ServerProcess is used by one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace canvass {

// Starts `program args...` with argv[0] = program, in `dir` (unless empty), stdout and stderr
// appended to `log`. Returns the pid, or -1 when fork fails. Everything the child does between
// fork and exec is async-signal-safe; it exits 127 when it cannot set itself up or exec.
pid_t SpawnProcess(const std::string& program, const std::vector<std::string>& args,
                   const std::string& dir, const std::string& log);

class ServerProcess {
 public:
  // `args` follow `serve`; `--port 0 --port-file DIR/NAME.port` are added. The log is
  // DIR/NAME.log. `dir` is also the child's working directory when `chdir` is true.
  ServerProcess(std::string program, std::string dir, std::vector<std::string> args,
                std::string name = "server", bool chdir = true);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server (killing one already running) and waits until it listens. The error says
  // whether it exited or did not listen in time, and carries its log.
  Status Start(std::chrono::seconds deadline = std::chrono::seconds(120));

  // SIGKILL, as a crash or a power cut would; reaps the child.
  void Kill() { Signal(SIGKILL); }
  // SIGTERM (a clean shutdown); reaps the child, with SIGKILL after the deadline. Returns its exit
  // code, or 128 + the signal that ended it, or -1 when none was running.
  int Terminate() { return Signal(SIGTERM); }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // -1 when not running
  uint16_t port() const { return port_; }
  int starts() const { return starts_; }
  std::string log_path() const { return dir_ + "/" + name_ + ".log"; }
  std::string log() const;

  // The running server's peak resident memory (VmHWM) in KiB, when the system says it.
  std::optional<int64_t> PeakRssKib() const;

 private:
  int Signal(int sig);

  std::string program_;
  std::string dir_;
  std::vector<std::string> args_;
  std::string name_;
  bool chdir_ = true;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int starts_ = 0;
};

}  // namespace canvass
