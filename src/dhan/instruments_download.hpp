// instruments_download.hpp
//
// Keeps a local cache of Dhan's instrument master and loads it.
//
// Once per day (the first load at or after 08:00 IST, i.e. before the 09:00
// pre-open) the master is re-checked with a conditional GET (If-None-Match /
// If-Modified-Since). A 200 is written to a temp file beside the cache,
// parsed, and only then renamed over the cache (atomic; a truncated or
// malformed download never replaces a good cache). A 304 only records the
// check. When the download fails the last good cache is used and the failure
// is reported in `MasterStatus` (for the log and /api/status); with no cache
// at all, load() throws MasterUnavailableError with a clear message.
// Metadata (ETag, Last-Modified, times) lives in `<cache>.meta.json`.
//
// Blocking (network and disk): call at startup or from a worker thread,
// never from the network or engine thread. Not thread-safe. Time is an input.
// URLs and server replies are redacted before they reach logs or messages.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dhan/instruments_csv.hpp"
#include "market/calendar.hpp"
#include "net/http_client.hpp"

namespace fno::dhan {

inline constexpr const char* kDefaultMasterUrl = "https://images.dhan.co/api-data/api-scrip-master.csv";
inline constexpr int kMasterRefreshSecondOfDay = 8 * 3600;  // 08:00 IST

// No usable master: download failed and there is no cache.
class MasterUnavailableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MasterSourceConfig {
  std::string url = kDefaultMasterUrl;
  std::filesystem::path cache_path = "api-scrip-master.csv";
  std::chrono::milliseconds timeout{120'000};
  net::TlsOptions tls;
};

// Validates the `instruments` config section (keys: url, cache_path,
// timeout_ms); throws std::invalid_argument naming the key. Unknown keys are
// reported in `warnings`.
MasterSourceConfig parse_instruments_config(const boost::json::object& section, std::vector<std::string>& warnings);

struct MasterStatus {
  enum class Source : std::uint8_t {
    kDownloaded,         // fresh 200 this load
    kNotModified,        // 304: cache confirmed current
    kCache,              // no check due; cache used
    kCacheAfterFailure,  // check failed; last good cache used
  };
  Source source = Source::kCache;
  std::optional<market::IstSeconds> fetched_at;  // when the cached copy was downloaded
  std::optional<market::IstSeconds> checked_at;  // last successful 200/304
  std::string last_error;                         // redacted; empty when the last check succeeded

  // Seconds since the cached copy was downloaded (nullopt when unknown).
  std::optional<std::int64_t> age_seconds(market::IstSeconds now) const;
};

std::string_view source_name(MasterStatus::Source source);

struct LoadedMaster {
  ParsedMaster master;
  MasterStatus status;
};

class MasterSource {
 public:
  explicit MasterSource(MasterSourceConfig config);

  // True when no cache exists or the last successful check is older than the
  // most recent 08:00 IST.
  bool refresh_due(market::IstSeconds now) const;

  // Refreshes when due, then parses the master. Throws MasterUnavailableError
  // (no cache and no download) or MasterFormatError (the cache itself is bad).
  LoadedMaster load(market::IstSeconds now);

 private:
  struct Meta {
    std::string etag;
    std::string last_modified;
    std::optional<market::IstSeconds> fetched_at;
    std::optional<market::IstSeconds> checked_at;
  };
  Meta read_meta() const;
  void write_meta(const Meta& meta) const;
  // Downloads into the cache; returns the parsed master on a 200, nullopt on
  // a 304; throws std::runtime_error (redacted message) on failure.
  std::optional<ParsedMaster> download(Meta& meta, market::IstSeconds now) const;
  std::filesystem::path meta_path() const;

  MasterSourceConfig config_;
};

}  // namespace fno::dhan
