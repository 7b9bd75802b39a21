// http_client.hpp
//
// Asynchronous HTTP/1.1 client (Boost.Beast) for http:// and https:// URLs,
// used for Dhan REST (history), the instrument master download and Telegram.
// Runs on the caller's io_context (the network thread); completion handlers
// run there too and must not block. Keeps idle keep-alive connections per
// (scheme, host, port) and reuses them; every request has a deadline.
// TLS: SNI + certificate verification against the system store, or against
// `TlsOptions::ca_file` only (the simulator's self-signed certificate in
// tests/demo). Never logs URLs or headers unredacted.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/tls.hpp"

namespace fno::net {

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, DELETE, HEAD
  std::string url;             // http(s)://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{15000};  // whole request: connect + write + read
  std::size_t max_body_bytes = 256u << 20;
};

struct HttpResponse {
  boost::system::error_code error;  // transport failure (then status == 0)
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  bool ok() const { return !error && status >= 200 && status < 300; }
  // Header value or empty.
  std::string header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  HttpClient(boost::asio::io_context& io, TlsOptions tls);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Callback = std::function<void(HttpResponse)>;
  // Starts the request; `done` is always called exactly once, on the io_context.
  void request(HttpRequest req, Callback done);

  // Drops idle pooled connections (e.g. at shutdown).
  void close_idle();

  struct Stats {
    std::uint64_t requests = 0;
    std::uint64_t connections_opened = 0;  // requests - reused ones, plus stale-connection retries
  };
  // Read on the io_context's thread (or after it stopped).
  Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Blocking convenience for CLI subcommands and tests: runs its own
// io_context until the response arrives.
HttpResponse fetch(HttpRequest req, TlsOptions tls = {});

}  // namespace fno::net
