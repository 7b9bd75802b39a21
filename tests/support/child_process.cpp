#include "support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fno::test {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, fs::path cwd, std::map<std::string, std::string> env,
                           fs::path log_path)
    : log_path_(std::move(log_path)) {
  for (const char* inherited : {"PATH", "TZ", "ASAN_OPTIONS", "UBSAN_OPTIONS", "HOME"}) {
    if (const char* v = std::getenv(inherited); v && !env.contains(inherited)) env[inherited] = v;
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!exit_code_) stop(SIGKILL, std::chrono::seconds(5));
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = decode_status(status);
      return exit_code_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

std::optional<int> ChildProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  ::kill(pid_, signal);
  if (auto code = wait(timeout)) return code;
  ::kill(pid_, SIGKILL);
  wait(std::chrono::seconds(5));
  return std::nullopt;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ChildProcess::output() const { return read_text(log_path_); }

RunResult run_to_completion(std::vector<std::string> argv, const fs::path& cwd, std::map<std::string, std::string> env,
                            std::chrono::milliseconds timeout) {
  const fs::path log = cwd / ".run_to_completion.out";
  ChildProcess child(std::move(argv), cwd, std::move(env), log);
  RunResult result;
  const auto code = child.wait(timeout);
  if (!code) child.stop(SIGKILL, std::chrono::seconds(5));
  result.exit_code = code.value_or(-1);
  result.output = child.output();
  fs::remove(log);
  return result;
}

int free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::optional<HttpReply> http_get(int port, const std::string& target) { return http_request(port, "GET", target); }

std::optional<HttpReply> http_request(int port, std::string_view method, const std::string& target,
                                      const std::string& body) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (method != "GET") {
      req.set("X-CSRF-Token", "1");  // loopback mode: any non-empty value
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return HttpReply{static_cast<int>(res.result_int()), res.body()};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<HttpReply> wait_for_http(int port, const std::string& target, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto reply = http_get(port, target)) return reply;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

TempDir::TempDir(const std::string& tag) {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("fno_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace fno::test
