// tls.hpp
//
// Client-side TLS setup shared by every outgoing connection (REST, Telegram,
// the Dhan feed): TLS 1.2+, peer verification against the system store or a
// configured CA file, and per-connection SNI + host name verification.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>

#include <string>

namespace fno::net {

struct TlsOptions {
  std::string ca_file;  // PEM file to trust instead of the system store; empty = system store
  bool verify = true;   // false only for explicit local testing
};

// A client context per `options`. A CA file that cannot be loaded is
// reported in `error` (the context is still returned; connections using it
// must fail with that error rather than connect unverified).
boost::asio::ssl::context make_client_tls_context(const TlsOptions& options, boost::system::error_code& error);

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Sets SNI and host-name verification on `stream` for `host`. Returns false
// (with `error` set) when OpenSSL refuses the name.
bool prepare_tls_stream(TlsStream& stream, const std::string& host, boost::system::error_code& error);

}  // namespace fno::net
