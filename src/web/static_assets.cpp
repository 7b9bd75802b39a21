#include "web/static_assets.hpp"

#include <array>
#include <utility>

namespace fno::web {

namespace http = boost::beast::http;

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
    {".wasm", "application/wasm"},
}};

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

// Whether the Accept-Encoding header lists `coding` (q=0 is treated as absent).
bool accepts(std::string_view header, std::string_view coding) {
  const auto at = header.find(coding);
  if (at == std::string_view::npos) return false;
  const auto rest = header.substr(at + coding.size());
  return !rest.starts_with(";q=0") || rest.starts_with(";q=0.");
}

bool has_extension(std::string_view path) {
  const auto slash = path.rfind('/');
  return path.find('.', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos;
}

}  // namespace

std::string_view content_type_for(std::string_view path) {
  for (const auto& [ext, type] : kTypes) {
    if (path.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

StaticAssets::StaticAssets(std::span<const EmbeddedAsset> assets) {
  for (const auto& asset : assets) by_path_.emplace(asset.path, &asset);
}

const EmbeddedAsset* StaticAssets::find(std::string_view path) const {
  const auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : it->second;
}

std::optional<Response> StaticAssets::serve(const Request& req) const {
  std::string_view path = req.target();
  path = path.substr(0, path.find_first_of("?#"));
  if (path == "/") path = "/index.html";
  const EmbeddedAsset* asset = find(path);
  if (asset == nullptr && !has_extension(path)) asset = find("/index.html");  // SPA route
  if (asset == nullptr) return std::nullopt;

  Response res{http::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(http::field::content_type, content_type_for(asset->path));
  res.set(http::field::cache_control, asset->path.starts_with("/assets/") ? kImmutable : "no-cache");
  res.set(http::field::vary, "Accept-Encoding");
  const auto encodings = req[http::field::accept_encoding];
  std::string_view body = asset->body;
  if (!asset->brotli.empty() && accepts(encodings, "br")) {
    body = asset->brotli;
    res.set(http::field::content_encoding, "br");
  } else if (!asset->gzip.empty() && accepts(encodings, "gzip")) {
    body = asset->gzip;
    res.set(http::field::content_encoding, "gzip");
  }
  if (req.method() == http::verb::head) {
    res.content_length(body.size());
    return res;
  }
  res.body() = std::string(body);
  return res;
}

}  // namespace fno::web
