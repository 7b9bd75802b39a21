// child_process.hpp
//
// Test support: runs the real fno-scanner binary (or any program) as a child
// process with a chosen working directory and environment, captures its
// output to a file, and stops it with a signal. Used by integration tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fno::test {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`; `env` replaces the environment (PATH and TZ
  // are inherited unless given). Output (stdout+stderr) goes to `log_path`.
  ChildProcess(std::vector<std::string> argv, std::filesystem::path cwd, std::map<std::string, std::string> env,
               std::filesystem::path log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `signal` and waits up to `timeout`; returns the exit code (128+sig
  // when killed by a signal), nullopt on timeout (then the child is SIGKILLed).
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout);
  // Waits for a natural exit; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string output() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path log_path_;
};

// Runs a command to completion; returns {exit code, combined output}.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult run_to_completion(std::vector<std::string> argv, const std::filesystem::path& cwd,
                            std::map<std::string, std::string> env = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A TCP port that was free a moment ago on 127.0.0.1.
int free_port();

// Plain HTTP/1.1 GET on 127.0.0.1; nullopt when nothing answers.
struct HttpReply {
  int status = 0;
  std::string body;
};
std::optional<HttpReply> http_get(int port, const std::string& target);
// Any method ("PUT", "POST", ...) with a JSON body and the loopback CSRF header.
std::optional<HttpReply> http_request(int port, std::string_view method, const std::string& target,
                                      const std::string& body = "");

// Polls http_get until it answers or `timeout` passes.
std::optional<HttpReply> wait_for_http(int port, const std::string& target, std::chrono::milliseconds timeout);

// The whole file as bytes ("" when it cannot be read).
std::string read_text(const std::filesystem::path& path);

// A fresh, empty temporary directory removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace fno::test
