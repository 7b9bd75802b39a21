// libFuzzer target for Dhan's charts REST replies as classify_chart_response
// sees them: any status, Retry-After header and body must classify without a
// crash or UB; candles come back sorted by start, unique, finite and
// non-negative; a Retry-After is capped (120 s); and no message ever carries
// the access token or client id, whatever the server echoes back.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "dhan/history_client.hpp"

namespace {

constexpr const char* kToken = "FUZZ-ACCESS-TOKEN-eyJ0eXAiOiJKV1QiLCJhbGciOi";
constexpr const char* kClientId = "FUZZCLIENT7731";

bool sane(const fno::market::Candle& c) {
  for (const double v : {c.open, c.high, c.low, c.close}) {
    if (!std::isfinite(v) || v < 0) return false;
  }
  return c.volume_known;
}

}  // namespace

// Layout: 2 bytes HTTP status, 1 byte Retry-After length, that many bytes of
// header value, then the body.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fno::dhan;
  if (size < 3) return 0;
  fno::net::HttpResponse response;
  response.status = (data[0] << 8 | data[1]) % 600;
  const std::size_t header_length = std::min<std::size_t>(data[2], size - 3);
  const char* text = reinterpret_cast<const char*>(data + 3);
  if (header_length > 0) response.headers["retry-after"] = std::string(text, header_length);
  response.body.assign(text + header_length, size - 3 - header_length);

  const ChartResult result = classify_chart_response(response, {kToken, kClientId});
  if (result.message.find(kToken) != std::string::npos || result.message.find(kClientId) != std::string::npos) {
    std::abort();
  }
  if (result.retry_after && (result.retry_after->count() < 0 || *result.retry_after > std::chrono::seconds(120))) {
    std::abort();
  }
  if (result.status != ChartStatus::kOk && !result.candles.empty()) std::abort();
  for (std::size_t i = 0; i < result.candles.size(); ++i) {
    if (!sane(result.candles[i])) std::abort();
    if (i > 0 && result.candles[i - 1].start >= result.candles[i].start) std::abort();
  }
  return 0;
}
