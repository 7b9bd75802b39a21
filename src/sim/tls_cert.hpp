// tls_cert.hpp
//
// A throwaway self-signed certificate for the simulator's wss:// and https://
// (EC P-256, valid 7 days, SAN localhost + 127.0.0.1 + ::1), generated in
// memory at startup so nothing secret ships with the binary. Clients trust
// it by loading `cert_pem` as their only CA. Throws std::runtime_error when
// OpenSSL fails. Thread-safe (no shared state).
#pragma once

#include <string>

namespace fno::sim {

struct SelfSignedCert {
  std::string cert_pem;
  std::string key_pem;
};

SelfSignedCert generate_self_signed_cert();

}  // namespace fno::sim
