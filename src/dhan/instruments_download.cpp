#include "dhan/instruments_download.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "util/atomic_file.hpp"
#include "util/redact.hpp"

namespace fno::dhan {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMaxTimeoutMs = 600'000;

std::optional<market::IstSeconds> optional_int(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_int64()) return v->get_int64();
  return std::nullopt;
}

std::string string_or_empty(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

std::string describe_failure(const net::HttpResponse& res) {
  if (res.error) return "transport error: " + res.error.message();
  return fmt::format("HTTP {}: {}", res.status, res.body.substr(0, 200));
}

}  // namespace

MasterSourceConfig parse_instruments_config(const json::object& section, std::vector<std::string>& warnings) {
  MasterSourceConfig c;
  for (const auto& [key, value] : section) {
    if (key == "url") {
      if (!value.is_string() || !(value.get_string().starts_with("https://") || value.get_string().starts_with("http://"))) {
        throw std::invalid_argument("instruments.url must be an http(s) URL string");
      }
      c.url = value.get_string();
    } else if (key == "cache_path") {
      if (!value.is_string() || value.get_string().empty()) {
        throw std::invalid_argument("instruments.cache_path must be a non-empty path string");
      }
      c.cache_path = std::string(value.get_string());
    } else if (key == "timeout_ms") {
      if (!value.is_int64() || value.get_int64() < 1000 || value.get_int64() > kMaxTimeoutMs) {
        throw std::invalid_argument(fmt::format("instruments.timeout_ms must be an integer in [1000, {}], got {}",
                                                kMaxTimeoutMs, json::serialize(value)));
      }
      c.timeout = std::chrono::milliseconds(value.get_int64());
    } else {
      warnings.push_back(fmt::format("instruments.{} is not a known key (ignored)", std::string_view(key)));
    }
  }
  return c;
}

std::optional<std::int64_t> MasterStatus::age_seconds(market::IstSeconds now) const {
  if (!fetched_at) return std::nullopt;
  return now - *fetched_at;
}

std::string_view source_name(MasterStatus::Source source) {
  switch (source) {
    case MasterStatus::Source::kDownloaded:
      return "downloaded";
    case MasterStatus::Source::kNotModified:
      return "not_modified";
    case MasterStatus::Source::kCache:
      return "cache";
    case MasterStatus::Source::kCacheAfterFailure:
      return "cache_after_failure";
  }
  return "";
}

MasterSource::MasterSource(MasterSourceConfig config) : config_(std::move(config)) {}

std::filesystem::path MasterSource::meta_path() const { return config_.cache_path.string() + ".meta.json"; }

MasterSource::Meta MasterSource::read_meta() const {
  Meta meta;
  std::ifstream in(meta_path());
  if (!in) return meta;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const json::value v = json::parse(text.str(), ec);
  if (ec || !v.is_object()) {
    spdlog::warn("instrument master: ignoring unreadable {} ({})", meta_path().string(), ec.message());
    return meta;
  }
  const auto& o = v.get_object();
  meta.etag = string_or_empty(o, "etag");
  meta.last_modified = string_or_empty(o, "last_modified");
  meta.fetched_at = optional_int(o, "fetched_at");
  meta.checked_at = optional_int(o, "checked_at");
  return meta;
}

void MasterSource::write_meta(const Meta& meta) const {
  json::object o{{"etag", meta.etag}, {"last_modified", meta.last_modified}};
  if (meta.fetched_at) o["fetched_at"] = *meta.fetched_at;
  if (meta.checked_at) o["checked_at"] = *meta.checked_at;
  util::replace_atomically(meta_path(), json::serialize(o));
}

bool MasterSource::refresh_due(market::IstSeconds now) const {
  if (!std::filesystem::exists(config_.cache_path)) return true;
  const Meta meta = read_meta();
  if (!meta.checked_at) return true;
  market::IstSeconds refresh_point = market::day_start(now) + kMasterRefreshSecondOfDay;
  if (now < refresh_point) refresh_point -= market::kSecondsPerDay;
  return *meta.checked_at < refresh_point;
}

std::optional<ParsedMaster> MasterSource::download(Meta& meta, market::IstSeconds now) const {
  net::HttpRequest req;
  req.url = config_.url;
  req.timeout = config_.timeout;
  if (std::filesystem::exists(config_.cache_path)) {
    if (!meta.etag.empty()) req.headers.emplace_back("If-None-Match", meta.etag);
    if (!meta.last_modified.empty()) req.headers.emplace_back("If-Modified-Since", meta.last_modified);
  }
  net::HttpResponse res = net::fetch(std::move(req), config_.tls);
  if (!res.error && res.status == 304) {
    meta.checked_at = now;
    write_meta(meta);
    return std::nullopt;
  }
  if (!res.ok()) throw std::runtime_error(util::redact(describe_failure(res)));

  // Validate before the cache is touched: a bad download must not replace a good file.
  const std::filesystem::path tmp = config_.cache_path.string() + ".download";
  util::write_synced(tmp, res.body);
  res.body = {};  // release the body before parsing (tens of MB)
  ParsedMaster parsed;
  try {
    parsed = parse_master_file(tmp);
  } catch (const std::exception& e) {
    std::filesystem::remove(tmp);
    throw std::runtime_error(fmt::format("downloaded master rejected: {}", util::redact(e.what())));
  }
  if (parsed.report.accepted == 0) {
    std::filesystem::remove(tmp);
    throw std::runtime_error("downloaded master rejected: no usable rows (" + parsed.report.summary() + ")");
  }
  std::filesystem::rename(tmp, config_.cache_path);
  meta.etag = res.header("etag");
  meta.last_modified = res.header("last-modified");
  meta.fetched_at = now;
  meta.checked_at = now;
  write_meta(meta);
  return parsed;
}

LoadedMaster MasterSource::load(market::IstSeconds now) {
  Meta meta = read_meta();
  MasterStatus status;
  const bool have_cache = std::filesystem::exists(config_.cache_path);
  std::optional<ParsedMaster> fresh;
  if (refresh_due(now)) {
    try {
      fresh = download(meta, now);
      status.source = fresh ? MasterStatus::Source::kDownloaded : MasterStatus::Source::kNotModified;
    } catch (const std::exception& e) {
      status.source = MasterStatus::Source::kCacheAfterFailure;
      status.last_error = util::redact(e.what());
      if (!have_cache) {
        throw MasterUnavailableError(fmt::format(
            "instrument master unavailable: downloading {} failed ({}) and there is no cache at {}",
            util::redact(config_.url), status.last_error, config_.cache_path.string()));
      }
      spdlog::warn("instrument master: refresh failed ({}); using the cached copy from {}", status.last_error,
                   meta.fetched_at ? market::format_ist(*meta.fetched_at) : std::string("an unknown time"));
    }
  }
  status.fetched_at = meta.fetched_at;
  status.checked_at = meta.checked_at;
  LoadedMaster out{fresh ? std::move(*fresh) : parse_master_file(config_.cache_path), status};
  spdlog::info("instrument master ({}): {}", source_name(status.source), out.master.report.summary());
  return out;
}

}  // namespace fno::dhan
