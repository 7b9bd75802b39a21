// static_assets.hpp
//
// The dashboard bundle compiled into the binary (embed_assets.cmake turns
// ui/dist into a table at build time; nothing is read from the filesystem at
// runtime, so no URL can reach a file). Serves `/` as index.html, hashed
// /assets/ files with immutable long-lived caching, the rest with no-cache,
// pre-compressed gzip/brotli variants when the client accepts them, and
// index.html for client-side routes (extension-less paths). Immutable after
// construction; thread-safe.
#pragma once

#include <span>
#include <string_view>
#include <unordered_map>

#include "web/http_server.hpp"

namespace fno::web {

struct EmbeddedAsset {
  std::string_view path;  // "/index.html", "/assets/index-3f2a9c.js"
  std::string_view body;
  std::string_view gzip;    // empty when not pre-compressed
  std::string_view brotli;  // empty when not pre-compressed
};

// Defined by the generated web_assets.cpp.
std::span<const EmbeddedAsset> embedded_assets();

std::string_view content_type_for(std::string_view path);

class StaticAssets {
 public:
  explicit StaticAssets(std::span<const EmbeddedAsset> assets = embedded_assets());

  // nullopt: not a static path (caller answers 404).
  std::optional<Response> serve(const Request& req) const;
  const EmbeddedAsset* find(std::string_view path) const;

 private:
  std::unordered_map<std::string_view, const EmbeddedAsset*> by_path_;
};

}  // namespace fno::web
