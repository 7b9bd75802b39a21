// redact.hpp
//
// Masks secrets in any text before it reaches a log line, an error message or
// the API: `token=`/`access-token`/`accessToken` query or header values,
// `Bearer` credentials, Telegram bot URLs (`/bot<id>:<secret>/`), and any
// explicitly registered secret value (the configured access token etc.).
// Every log call that can carry a URL, header or server reply goes through it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fno::util {

inline constexpr std::string_view kMask = "***";

// Returns `text` with secrets replaced by `***`. `known_secrets` are exact
// values to mask wherever they appear (empty and very short values ignored).
std::string redact(std::string_view text, const std::vector<std::string>& known_secrets = {});

// Keeps the first two characters of a secret, for "is it the one I set?" hints.
std::string mask_secret(std::string_view secret);

}  // namespace fno::util
