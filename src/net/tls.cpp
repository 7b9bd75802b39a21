#include "net/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/host_name_verification.hpp>

namespace fno::net {

namespace ssl = boost::asio::ssl;

ssl::context make_client_tls_context(const TlsOptions& options, boost::system::error_code& error) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (!options.verify) {
    ctx.set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx.set_verify_mode(ssl::verify_peer);
  if (options.ca_file.empty()) {
    ctx.set_default_verify_paths(error);
  } else {
    ctx.load_verify_file(options.ca_file, error);
  }
  return ctx;
}

bool prepare_tls_stream(TlsStream& stream, const std::string& host, boost::system::error_code& error) {
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    error = boost::system::error_code(static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category());
    return false;
  }
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
  return true;
}

}  // namespace fno::net
