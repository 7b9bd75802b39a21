#include "util/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace fno::util {

namespace {

bool ieq_prefix(std::string_view text, std::size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != word[i]) return false;
  }
  return true;
}

bool is_value_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' || c == '%' || c == '+' ||
         c == '/' || c == '=' || c == ':';
}

// Masks the value that follows one of the secret-bearing field names, e.g.
// `token=abc`, `access-token: abc`, `"accessToken":"abc"`, `Bearer abc`.
std::string mask_fields(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kFields = {
      "access-token", "access_token", "accesstoken", "token", "bearer", "password", "secret"};
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const bool word_start = i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1]));
    std::string_view hit;
    if (word_start || ieq_prefix(text, i, "token")) {
      for (auto f : kFields) {
        if (ieq_prefix(text, i, f)) {
          hit = f;
          break;
        }
      }
    }
    if (hit.empty()) {
      out += text[i++];
      continue;
    }
    std::size_t j = i + hit.size();
    // Separator: '=', ':', '"', spaces (in any short combination).
    std::size_t sep_end = j;
    while (sep_end < text.size() && sep_end - j < 4 &&
           (text[sep_end] == '=' || text[sep_end] == ':' || text[sep_end] == '"' || text[sep_end] == ' ' ||
            text[sep_end] == '\'')) {
      ++sep_end;
    }
    std::size_t value_end = sep_end;
    while (value_end < text.size() && is_value_char(text[value_end]) &&
           !(text[value_end] == '&' || text[value_end] == '"')) {
      ++value_end;
    }
    out.append(text.substr(i, sep_end - i));
    if (sep_end > j && value_end > sep_end) {
      out += kMask;
      i = value_end;
    } else {
      i = sep_end;
    }
  }
  return out;
}

// Telegram: https://api.telegram.org/bot123456:ABC-def/sendMessage
std::string mask_bot_urls(std::string text) {
  std::size_t pos = 0;
  while ((pos = text.find("/bot", pos)) != std::string::npos) {
    const std::size_t start = pos + 4;
    std::size_t end = start;
    while (end < text.size() && text[end] != '/' && text[end] != '?' && text[end] != ' ' && text[end] != '"') ++end;
    const auto colon = text.find(':', start);
    if (colon != std::string::npos && colon < end && end > start) {
      text.replace(start, end - start, kMask);
      pos = start + kMask.size();
    } else {
      pos = start;
    }
  }
  return text;
}

}  // namespace

std::string redact(std::string_view text, const std::vector<std::string>& known_secrets) {
  std::string out(text);
  for (const auto& secret : known_secrets) {
    if (secret.size() < 4) continue;
    std::size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), kMask);
      pos += kMask.size();
    }
  }
  return mask_fields(mask_bot_urls(std::move(out)));
}

std::string mask_secret(std::string_view secret) {
  if (secret.empty()) return "(not set)";
  return std::string(secret.substr(0, std::min<std::size_t>(2, secret.size() / 4))) + std::string(kMask);
}

}  // namespace fno::util
