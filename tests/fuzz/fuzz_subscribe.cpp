// libFuzzer target for the feed's subscribe JSON. Even first byte: instruments
// built from the input are encoded with encode_subscribe() and every message
// must parse back (parse_client_request, the simulator's side) to the same
// request code and, concatenated, the same instruments in order, none over
// `per_message`; the encoder throws exactly when it must (bad code,
// per_message 0, a segment without a Dhan name). Odd first byte: the rest is
// a client message as the simulator receives it; whatever parses re-encodes
// and parses back to itself.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "dhan/codec.hpp"

namespace {

using fno::market::InstrumentKey;

constexpr std::array<int, 7> kCodes = {15, 16, 17, 18, 21, 22, 12};  // 12 (disconnect) must be refused

bool named(const InstrumentKey& key) { return !fno::dhan::segment_name(static_cast<fno::dhan::Segment>(key.segment)).empty(); }

// Encodes and parses back; false when the encoder refused the input.
bool round_trip(int code, const std::vector<InstrumentKey>& instruments, std::size_t per_message) {
  using namespace fno::dhan;
  std::vector<std::string> messages;
  try {
    messages = encode_subscribe(code, instruments, per_message);
  } catch (const std::invalid_argument&) {
    return false;
  }
  std::vector<InstrumentKey> decoded;
  for (const auto& message : messages) {
    const ParsedRequest parsed = parse_client_request(message);
    if (!parsed.request || parsed.request->request_code != code) std::abort();
    const auto& batch = parsed.request->instruments;
    if (batch.empty() || batch.size() > per_message) std::abort();
    decoded.insert(decoded.end(), batch.begin(), batch.end());
  }
  if (decoded != instruments) std::abort();
  return true;
}

void encoder_case(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  const int code = kCodes[data[0] % kCodes.size()];
  const std::size_t per_message = data[1];
  std::vector<InstrumentKey> instruments;
  for (std::size_t at = 2; at + 5 <= size; at += 5) {
    std::uint32_t id = 0;
    std::memcpy(&id, data + at + 1, sizeof id);
    instruments.push_back({data[at], id});
  }
  const bool must_refuse = fno::dhan::is_subscribe(code) == fno::dhan::is_unsubscribe(code) || per_message == 0 ||
                           !std::all_of(instruments.begin(), instruments.end(), named);
  if (round_trip(code, instruments, per_message) == must_refuse) std::abort();
}

void client_message_case(const std::uint8_t* data, std::size_t size) {
  using namespace fno::dhan;
  const ParsedRequest parsed = parse_client_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.request) return;
  const ClientRequest& req = *parsed.request;
  if (!std::all_of(req.instruments.begin(), req.instruments.end(), named)) std::abort();
  if (!is_subscribe(req.request_code) && !is_unsubscribe(req.request_code)) return;
  if (!round_trip(req.request_code, req.instruments, kDefaultInstrumentsPerMessage)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    encoder_case(data + 1, size - 1);
  } else {
    client_message_case(data + 1, size - 1);
  }
  return 0;
}
