// codec.hpp
//
// Pure encode/decode of Dhan WebSocket v2 messages (docs/PROTOCOL.md is the
// wire contract): binary server packets in both directions (the client
// decodes them, the simulator and tests encode them) and the JSON client
// requests (the client encodes them, the simulator parses them).
//
// Owns no I/O, reads no clock, allocates nothing per decoded packet beyond
// the caller's output vector. Decoding never throws, never reads past the
// frame and reports malformed input as counted, typed errors. Encoding
// functions throw std::invalid_argument only on programming errors (a body
// that does not match its response code, an unnamed segment).
// Stateless free functions: safe to call from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "market/calendar.hpp"
#include "market/instrument_key.hpp"
#include "market/tick.hpp"

namespace fno::dhan {

// Exchange segments, numbered as in Dhan's annexure (not the shifted-by-one
// numbering some third-party parsers use). 6 is unassigned.
enum class Segment : std::uint8_t {
  kIdxI = 0,
  kNseEq = 1,
  kNseFno = 2,
  kNseCurrency = 3,
  kBseEq = 4,
  kMcxComm = 5,
  kBseCurrency = 7,
  kBseFno = 8,
};

// "IDX_I", "NSE_FNO", ...; empty for a value the annexure does not name.
std::string_view segment_name(Segment segment);
std::optional<Segment> segment_from_name(std::string_view name);

// Server -> client response codes (first header byte).
enum class ResponseCode : std::uint8_t {
  kIndex = 1,  // same layout as ticker
  kTicker = 2,
  kQuote = 4,
  kOi = 5,
  kPrevClose = 6,
  kMarketStatus = 7,
  kFull = 8,
  kDisconnect = 50,
};

// Client -> server request codes (JSON "RequestCode").
enum class RequestCode : int {
  kDisconnect = 12,
  kSubscribeTicker = 15,
  kUnsubscribeTicker = 16,
  kSubscribeQuote = 17,
  kUnsubscribeQuote = 18,
  kSubscribeFull = 21,
  kUnsubscribeFull = 22,
};
bool is_subscribe(int request_code);
bool is_unsubscribe(int request_code);

inline constexpr std::size_t kHeaderSize = 8;
inline constexpr std::size_t kDepthLevels = 5;
inline constexpr std::size_t kDefaultInstrumentsPerMessage = 100;

// ---- Packet bodies: the fields after the 8-byte header, in wire order. ----

struct TickerBody {  // codes 1 (index) and 2 (ticker)
  float ltp = 0;
  std::uint32_t ltt = 0;
  friend bool operator==(const TickerBody&, const TickerBody&) = default;
};

struct QuoteBody {  // code 4
  float ltp = 0;
  std::uint16_t ltq = 0;
  std::uint32_t ltt = 0;
  float atp = 0;
  std::uint32_t volume = 0;  // cumulative day volume
  std::uint32_t total_sell_qty = 0;
  std::uint32_t total_buy_qty = 0;
  float open = 0;
  float close = 0;  // previous session close (per Dhan's docs)
  float high = 0;
  float low = 0;
  friend bool operator==(const QuoteBody&, const QuoteBody&) = default;
};

struct OiBody {  // code 5
  std::uint32_t open_interest = 0;
  friend bool operator==(const OiBody&, const OiBody&) = default;
};

struct PrevCloseBody {  // code 6
  float prev_close = 0;
  std::uint32_t prev_oi = 0;
  friend bool operator==(const PrevCloseBody&, const PrevCloseBody&) = default;
};

struct MarketStatusBody {  // code 7: header only
  friend bool operator==(const MarketStatusBody&, const MarketStatusBody&) = default;
};

struct DepthLevel {
  std::uint32_t bid_qty = 0;
  std::uint32_t ask_qty = 0;
  std::uint16_t bid_orders = 0;
  std::uint16_t ask_orders = 0;
  float bid_price = 0;
  float ask_price = 0;
  friend bool operator==(const DepthLevel&, const DepthLevel&) = default;
};

struct FullBody {  // code 8
  float ltp = 0;
  std::uint16_t ltq = 0;
  std::uint32_t ltt = 0;
  float atp = 0;
  std::uint32_t volume = 0;
  std::uint32_t total_sell_qty = 0;
  std::uint32_t total_buy_qty = 0;
  std::uint32_t open_interest = 0;
  std::uint32_t oi_day_high = 0;
  std::uint32_t oi_day_low = 0;
  float open = 0;
  float close = 0;  // previous session close
  float high = 0;
  float low = 0;
  std::array<DepthLevel, kDepthLevels> depth{};
  friend bool operator==(const FullBody&, const FullBody&) = default;
};

struct DisconnectBody {  // code 50
  std::uint16_t reason = 0;
  friend bool operator==(const DisconnectBody&, const DisconnectBody&) = default;
};

using PacketBody =
    std::variant<TickerBody, QuoteBody, OiBody, PrevCloseBody, MarketStatusBody, FullBody, DisconnectBody>;

// One decoded server packet. `body` must be the alternative for `code`
// (TickerBody for both kIndex and kTicker).
struct Packet {
  ResponseCode code = ResponseCode::kTicker;
  Segment segment = Segment::kNseFno;
  std::uint32_t security_id = 0;
  PacketBody body;

  market::InstrumentKey key() const { return {static_cast<std::uint8_t>(segment), security_id}; }
  friend bool operator==(const Packet&, const Packet&) = default;
};

// Whole-packet size (header included) for a known code; nullopt otherwise.
std::optional<std::size_t> packet_size(std::uint8_t code);

// ---- Decoding ----

enum class DecodeError : std::uint8_t { kTruncated, kBadLength, kUnknownCode };
std::string_view to_string(DecodeError error);

// Running totals for /metrics. Index by `kind_index(code)` / error value.
struct DecodeCounters {
  static constexpr std::size_t kKinds = 8;  // index, ticker, quote, oi, prev close, status, full, disconnect
  std::array<std::uint64_t, kKinds> packets{};
  std::array<std::uint64_t, 3> errors{};  // by DecodeError
  std::uint64_t frames = 0;

  std::uint64_t error_count(DecodeError e) const { return errors[static_cast<std::size_t>(e)]; }
  std::uint64_t packet_count(ResponseCode code) const;
  std::uint64_t total_packets() const;
};

// Outcome of one frame. On an error the packets before it are still in `out`.
// Unknown codes and bad lengths inside a well-formed length field are skipped
// and decoding continues; a truncated packet (or a length below the header
// size) ends the frame, because nothing after it can be trusted.
struct FrameResult {
  std::size_t packets = 0;                 // appended to `out`
  std::optional<DecodeError> first_error;  // for the caller's (rate-limited) log line
  std::size_t error_offset = 0;            // byte offset of that error in the frame
};

// Decodes every packet of `frame` into `out` (appended), walking by the
// header's length field.
FrameResult decode_frame(std::span<const std::uint8_t> frame, std::vector<Packet>& out, DecodeCounters& counters);

// ---- Encoding server packets (simulator, tests) ----

// Appends the wire bytes of `packet` to `out`. Throws std::invalid_argument
// when the body does not match the code.
void encode(const Packet& packet, std::vector<std::uint8_t>& out);

// ---- Client requests (JSON text frames) ----

// Subscribe/unsubscribe messages for `instruments`, at most `per_message`
// instruments each (none for an empty list). Throws std::invalid_argument for
// a code that is not a (un)subscribe code, per_message == 0 or an instrument
// whose segment has no name.
std::vector<std::string> encode_subscribe(int request_code, std::span<const market::InstrumentKey> instruments,
                                          std::size_t per_message = kDefaultInstrumentsPerMessage);
// `{"RequestCode":12}`: sent before a clean close.
std::string encode_disconnect();

struct ClientRequest {
  int request_code = 0;
  std::vector<market::InstrumentKey> instruments;
};

enum class RequestError : std::uint8_t { kBadJson, kMissingCode, kBadInstrumentList, kUnknownSegment, kBadSecurityId };
std::string_view to_string(RequestError error);

struct ParsedRequest {
  std::optional<ClientRequest> request;  // set on success
  RequestError error = RequestError::kBadJson;
};

// Parses a client JSON request (the simulator's side). Accepts SecurityId as
// string or number. Never throws.
ParsedRequest parse_client_request(std::string_view json);

// ---- Conversions ----

// Dhan LTT (seconds since 1970-01-01 00:00 IST wall time) -> IstSeconds.
market::IstSeconds ltt_to_ist(std::uint32_t ltt);
// Inverse, for the simulator.
std::uint32_t ist_to_ltt(market::IstSeconds ist);

// Ticker/index/quote/full -> engine tick; other kinds -> nullopt.
std::optional<market::Tick> to_tick(const Packet& packet);

// Disconnect reason text per the annexure ("unknown disconnect reason" else).
std::string_view describe_disconnect(std::uint16_t reason);
// True when reconnecting cannot help until the user acts (token, subscription, ids).
bool is_fatal_disconnect(std::uint16_t reason);

}  // namespace fno::dhan
