// metrics.hpp
//
// GET /metrics: renders a StatusReport and the web server's own counters in
// the Prometheus text exposition format 0.0.4 (families listed in
// docs/API.md). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "web/api_json.hpp"
#include "web/backend.hpp"

namespace fno::web {

// The web server's own figures for /metrics.
struct WebCounters {
  WebFigures clients;
  std::uint64_t push_drops_coalesced = 0;  // row deltas merged for slow clients
  std::uint64_t push_snapshots = 0;        // fresh snapshots sent to clients that fell behind
  std::uint64_t push_closed_slow = 0;      // clients closed because even urgent messages overflowed
  std::uint64_t push_inbox_drops = 0;      // publish_* refused (hub inbox full)
  std::uint64_t responses_2xx = 0;
  std::uint64_t responses_3xx = 0;
  std::uint64_t responses_4xx = 0;
  std::uint64_t responses_5xx = 0;
};

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const StatusReport& report, const WebCounters& web);

// Label value escaping per the exposition format (\\, \", \n).
std::string escape_label(std::string_view value);

}  // namespace fno::web
