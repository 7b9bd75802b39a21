#include "dhan/codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <bit>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace fno::dhan {

// The wire is little-endian; reading it with memcpy is only correct on a
// little-endian host (x86-64, AArch64: every platform we ship).
static_assert(std::endian::native == std::endian::little, "codec assumes a little-endian host");

namespace {

constexpr std::size_t kDepthLevelSize = 20;

struct SegmentName {
  Segment segment;
  std::string_view name;
};
constexpr std::array<SegmentName, 8> kSegmentNames{{
    {Segment::kIdxI, "IDX_I"},
    {Segment::kNseEq, "NSE_EQ"},
    {Segment::kNseFno, "NSE_FNO"},
    {Segment::kNseCurrency, "NSE_CURRENCY"},
    {Segment::kBseEq, "BSE_EQ"},
    {Segment::kMcxComm, "MCX_COMM"},
    {Segment::kBseCurrency, "BSE_CURRENCY"},
    {Segment::kBseFno, "BSE_FNO"},
}};

// Kind slot in DecodeCounters::packets; kKinds for unknown codes.
constexpr std::size_t kind_index(std::uint8_t code) {
  switch (code) {
    case 1: return 0;
    case 2: return 1;
    case 4: return 2;
    case 5: return 3;
    case 6: return 4;
    case 7: return 5;
    case 8: return 6;
    case 50: return 7;
    default: return DecodeCounters::kKinds;
  }
}

// Whole-packet size per code, 0 for unknown codes.
constexpr std::size_t size_of_code(std::uint8_t code) {
  switch (code) {
    case 1:
    case 2: return kHeaderSize + 8;
    case 4: return 50;
    case 5: return kHeaderSize + 4;
    case 6: return kHeaderSize + 8;
    case 7: return kHeaderSize;
    case 8: return kHeaderSize + 54 + kDepthLevels * kDepthLevelSize;
    case 50: return kHeaderSize + 2;
    default: return 0;
  }
}

// Size and counter slot of every code byte, so the per-packet checks are one
// table load instead of two switches.
struct CodeInfo {
  std::uint16_t size = 0;  // 0: unknown code
  std::uint8_t kind = DecodeCounters::kKinds;
};
constexpr std::array<CodeInfo, 256> kCodes = [] {
  std::array<CodeInfo, 256> table{};
  for (std::size_t code = 0; code < table.size(); ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    table[code] = CodeInfo{static_cast<std::uint16_t>(size_of_code(c)), static_cast<std::uint8_t>(kind_index(c))};
  }
  return table;
}();

// Sequential unaligned little-endian reader over a buffer whose size the
// caller has already checked.
class Reader {
 public:
  explicit Reader(const std::uint8_t* p) : p_(p) {}
  template <typename T>
  T get() {
    T value;
    std::memcpy(&value, p_, sizeof(T));
    p_ += sizeof(T);
    return value;
  }

 private:
  const std::uint8_t* p_;
};

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}
  template <typename T>
  void put(T value) {
    const std::size_t at = out_.size();
    out_.resize(at + sizeof(T));
    std::memcpy(out_.data() + at, &value, sizeof(T));
  }

 private:
  std::vector<std::uint8_t>& out_;
};

// The bodies of nearly every packet; forced inline (see append below).
[[gnu::always_inline]] inline void read_into(Reader r, TickerBody& t) {
  t.ltp = r.get<float>();
  t.ltt = r.get<std::uint32_t>();
}

[[gnu::always_inline]] inline void read_into(Reader r, QuoteBody& q) {
  q.ltp = r.get<float>();
  q.ltq = r.get<std::uint16_t>();
  q.ltt = r.get<std::uint32_t>();
  q.atp = r.get<float>();
  q.volume = r.get<std::uint32_t>();
  q.total_sell_qty = r.get<std::uint32_t>();
  q.total_buy_qty = r.get<std::uint32_t>();
  q.open = r.get<float>();
  q.close = r.get<float>();
  q.high = r.get<float>();
  q.low = r.get<float>();
}

void read_into(Reader r, FullBody& f) {
  f.ltp = r.get<float>();
  f.ltq = r.get<std::uint16_t>();
  f.ltt = r.get<std::uint32_t>();
  f.atp = r.get<float>();
  f.volume = r.get<std::uint32_t>();
  f.total_sell_qty = r.get<std::uint32_t>();
  f.total_buy_qty = r.get<std::uint32_t>();
  f.open_interest = r.get<std::uint32_t>();
  f.oi_day_high = r.get<std::uint32_t>();
  f.oi_day_low = r.get<std::uint32_t>();
  f.open = r.get<float>();
  f.close = r.get<float>();
  f.high = r.get<float>();
  f.low = r.get<float>();
  for (DepthLevel& d : f.depth) {
    d.bid_qty = r.get<std::uint32_t>();
    d.ask_qty = r.get<std::uint32_t>();
    d.bid_orders = r.get<std::uint16_t>();
    d.ask_orders = r.get<std::uint16_t>();
    d.bid_price = r.get<float>();
    d.ask_price = r.get<float>();
  }
}

[[gnu::always_inline]] inline void read_into(Reader r, OiBody& o) { o.open_interest = r.get<std::uint32_t>(); }

[[gnu::always_inline]] inline void read_into(Reader r, PrevCloseBody& p) {
  p.prev_close = r.get<float>();
  p.prev_oi = r.get<std::uint32_t>();
}

void read_into(Reader, MarketStatusBody&) {}

void read_into(Reader r, DisconnectBody& d) { d.reason = r.get<std::uint16_t>(); }

template <typename Body>
Body read_as(Reader r) {
  Body body;
  read_into(r, body);
  return body;
}

// The packet a header and a body reader make, as a conversion: emplace_back(
// DecodedPacket<Body>{...}) constructs the vector's element in place from the
// conversion's result (copy elision). The obvious alternatives copy the
// whole packet: push_back(Packet{...}) builds it on the stack and copies all
// 168 bytes, and emplace_back() followed by body.emplace<Body>() zeroes it
// and then copies the whole variant from a temporary (libstdc++ emplaces
// trivially copyable variants that way): a quarter of a quote's decode.
template <typename Body>
struct DecodedPacket {
  std::uint8_t code;
  std::uint8_t segment;
  std::uint32_t security_id;
  Reader body;
  operator Packet() const {  // NOLINT(google-explicit-constructor): see above
    return Packet{static_cast<ResponseCode>(code), static_cast<Segment>(segment), security_id,
                  PacketBody(std::in_place_type<Body>, read_as<Body>(body))};
  }
};

template <typename Body>
[[gnu::always_inline]] inline void append(std::vector<Packet>& out, std::uint8_t code, std::uint8_t segment,
                                          std::uint32_t security_id, Reader r) {
  out.emplace_back(DecodedPacket<Body>{code, segment, security_id, r});
}

// Appends a packet whose code is known and whose length has been checked.
// Forced inline into decode_frame (GCC keeps it out of line for its size):
// the call costs more per packet than reading a quote's fields.
[[gnu::always_inline]] inline void append(std::vector<Packet>& out, std::uint8_t code, std::uint8_t segment,
                                          std::uint32_t security_id, Reader r) {
  switch (static_cast<ResponseCode>(code)) {
    case ResponseCode::kIndex:
    case ResponseCode::kTicker: return append<TickerBody>(out, code, segment, security_id, r);
    case ResponseCode::kQuote: return append<QuoteBody>(out, code, segment, security_id, r);
    case ResponseCode::kOi: return append<OiBody>(out, code, segment, security_id, r);
    case ResponseCode::kPrevClose: return append<PrevCloseBody>(out, code, segment, security_id, r);
    case ResponseCode::kMarketStatus: return append<MarketStatusBody>(out, code, segment, security_id, r);
    case ResponseCode::kFull: return append<FullBody>(out, code, segment, security_id, r);
    case ResponseCode::kDisconnect: return append<DisconnectBody>(out, code, segment, security_id, r);
  }
}

struct BodyWriter {
  Writer& w;
  void operator()(const TickerBody& t) const {
    w.put(t.ltp);
    w.put(t.ltt);
  }
  void operator()(const QuoteBody& q) const {
    w.put(q.ltp);
    w.put(q.ltq);
    w.put(q.ltt);
    w.put(q.atp);
    w.put(q.volume);
    w.put(q.total_sell_qty);
    w.put(q.total_buy_qty);
    w.put(q.open);
    w.put(q.close);
    w.put(q.high);
    w.put(q.low);
  }
  void operator()(const OiBody& o) const { w.put(o.open_interest); }
  void operator()(const PrevCloseBody& p) const {
    w.put(p.prev_close);
    w.put(p.prev_oi);
  }
  void operator()(const MarketStatusBody&) const {}
  void operator()(const FullBody& f) const {
    w.put(f.ltp);
    w.put(f.ltq);
    w.put(f.ltt);
    w.put(f.atp);
    w.put(f.volume);
    w.put(f.total_sell_qty);
    w.put(f.total_buy_qty);
    w.put(f.open_interest);
    w.put(f.oi_day_high);
    w.put(f.oi_day_low);
    w.put(f.open);
    w.put(f.close);
    w.put(f.high);
    w.put(f.low);
    for (const DepthLevel& d : f.depth) {
      w.put(d.bid_qty);
      w.put(d.ask_qty);
      w.put(d.bid_orders);
      w.put(d.ask_orders);
      w.put(d.bid_price);
      w.put(d.ask_price);
    }
  }
  void operator()(const DisconnectBody& d) const { w.put(d.reason); }
};

bool body_matches(ResponseCode code, const PacketBody& body) {
  switch (code) {
    case ResponseCode::kIndex:
    case ResponseCode::kTicker: return std::holds_alternative<TickerBody>(body);
    case ResponseCode::kQuote: return std::holds_alternative<QuoteBody>(body);
    case ResponseCode::kOi: return std::holds_alternative<OiBody>(body);
    case ResponseCode::kPrevClose: return std::holds_alternative<PrevCloseBody>(body);
    case ResponseCode::kMarketStatus: return std::holds_alternative<MarketStatusBody>(body);
    case ResponseCode::kFull: return std::holds_alternative<FullBody>(body);
    case ResponseCode::kDisconnect: return std::holds_alternative<DisconnectBody>(body);
  }
  return false;
}

std::optional<std::uint32_t> parse_security_id(const boost::json::value& v) {
  if (const auto* s = v.if_string()) {
    std::uint32_t id = 0;
    const char* end = s->data() + s->size();
    const auto [ptr, ec] = std::from_chars(s->data(), end, id);
    if (ec != std::errc{} || ptr != end || s->empty()) return std::nullopt;
    return id;
  }
  if (const auto* i = v.if_int64(); i && *i >= 0 && *i <= UINT32_MAX) return static_cast<std::uint32_t>(*i);
  if (const auto* u = v.if_uint64(); u && *u <= UINT32_MAX) return static_cast<std::uint32_t>(*u);
  return std::nullopt;
}

ParsedRequest fail(RequestError e) { return {std::nullopt, e}; }

}  // namespace

std::string_view segment_name(Segment segment) {
  for (const auto& s : kSegmentNames) {
    if (s.segment == segment) return s.name;
  }
  return {};
}

std::optional<Segment> segment_from_name(std::string_view name) {
  for (const auto& s : kSegmentNames) {
    if (s.name == name) return s.segment;
  }
  return std::nullopt;
}

bool is_subscribe(int request_code) { return request_code == 15 || request_code == 17 || request_code == 21; }
bool is_unsubscribe(int request_code) { return request_code == 16 || request_code == 18 || request_code == 22; }

std::optional<std::size_t> packet_size(std::uint8_t code) {
  const std::size_t size = kCodes[code].size;
  return size != 0 ? std::optional<std::size_t>(size) : std::nullopt;
}

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::kTruncated: return "truncated";
    case DecodeError::kBadLength: return "bad_length";
    case DecodeError::kUnknownCode: return "unknown_code";
  }
  return "unknown";
}

std::uint64_t DecodeCounters::packet_count(ResponseCode code) const {
  const std::size_t i = kind_index(static_cast<std::uint8_t>(code));
  return i < kKinds ? packets[i] : 0;
}

std::uint64_t DecodeCounters::total_packets() const {
  std::uint64_t sum = 0;
  for (const auto n : packets) sum += n;
  return sum;
}

FrameResult decode_frame(std::span<const std::uint8_t> frame, std::vector<Packet>& out, DecodeCounters& counters) {
  FrameResult result;
  ++counters.frames;
  auto record = [&](DecodeError e, std::size_t offset) {
    ++counters.errors[static_cast<std::size_t>(e)];
    if (!result.first_error) {
      result.first_error = e;
      result.error_offset = offset;
    }
  };
  std::size_t at = 0;
  while (at < frame.size()) {
    const std::size_t remaining = frame.size() - at;
    const std::uint8_t* p = frame.data() + at;
    if (remaining < kHeaderSize) {
      record(DecodeError::kTruncated, at);
      break;
    }
    Reader header(p);
    const auto code = header.get<std::uint8_t>();
    const auto length = header.get<std::uint16_t>();
    const auto segment = header.get<std::uint8_t>();
    const auto security_id = header.get<std::uint32_t>();
    if (length < kHeaderSize) {  // cannot advance past it
      record(DecodeError::kBadLength, at);
      break;
    }
    if (length > remaining) {
      record(DecodeError::kTruncated, at);
      break;
    }
    const CodeInfo info = kCodes[code];
    if (info.size == length) {  // known code (size 0 never matches: length >= 8 here)
      append(out, code, segment, security_id, Reader(p + kHeaderSize));
      ++counters.packets[info.kind];
      ++result.packets;
    } else {
      record(info.size == 0 ? DecodeError::kUnknownCode : DecodeError::kBadLength, at);
    }
    at += length;
  }
  return result;
}

void encode(const Packet& packet, std::vector<std::uint8_t>& out) {
  const auto size = packet_size(static_cast<std::uint8_t>(packet.code));
  if (!size || !body_matches(packet.code, packet.body)) {
    throw std::invalid_argument("dhan::encode: body does not match response code");
  }
  Writer w(out);
  w.put(static_cast<std::uint8_t>(packet.code));
  w.put(static_cast<std::uint16_t>(*size));
  w.put(static_cast<std::uint8_t>(packet.segment));
  w.put(packet.security_id);
  std::visit(BodyWriter{w}, packet.body);
}

std::vector<std::string> encode_subscribe(int request_code, std::span<const market::InstrumentKey> instruments,
                                          std::size_t per_message) {
  if (!is_subscribe(request_code) && !is_unsubscribe(request_code)) {
    throw std::invalid_argument("encode_subscribe: not a subscribe/unsubscribe request code");
  }
  if (per_message == 0) throw std::invalid_argument("encode_subscribe: per_message must be > 0");
  std::vector<std::string> messages;
  for (std::size_t first = 0; first < instruments.size(); first += per_message) {
    const auto batch = instruments.subspan(first, std::min(per_message, instruments.size() - first));
    boost::json::array list;
    list.reserve(batch.size());
    for (const auto& key : batch) {
      const auto name = segment_name(static_cast<Segment>(key.segment));
      if (name.empty()) throw std::invalid_argument("encode_subscribe: segment without a Dhan name");
      list.push_back({{"ExchangeSegment", name}, {"SecurityId", std::to_string(key.security_id)}});
    }
    boost::json::object msg;
    msg["RequestCode"] = request_code;
    msg["InstrumentCount"] = batch.size();
    msg["InstrumentList"] = std::move(list);
    messages.push_back(boost::json::serialize(msg));
  }
  return messages;
}

std::string encode_disconnect() { return R"({"RequestCode":12})"; }

std::string_view to_string(RequestError error) {
  switch (error) {
    case RequestError::kBadJson: return "bad_json";
    case RequestError::kMissingCode: return "missing_request_code";
    case RequestError::kBadInstrumentList: return "bad_instrument_list";
    case RequestError::kUnknownSegment: return "unknown_segment";
    case RequestError::kBadSecurityId: return "bad_security_id";
  }
  return "unknown";
}

ParsedRequest parse_client_request(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object()) return fail(RequestError::kBadJson);
  const auto& obj = doc.get_object();
  const auto* code = obj.if_contains("RequestCode");
  if (!code || !code->is_int64()) return fail(RequestError::kMissingCode);
  ClientRequest req;
  req.request_code = static_cast<int>(code->get_int64());
  const auto* list = obj.if_contains("InstrumentList");
  if (!list) return {std::move(req), RequestError::kBadJson};
  if (!list->is_array()) return fail(RequestError::kBadInstrumentList);
  req.instruments.reserve(list->get_array().size());
  for (const auto& item : list->get_array()) {
    const auto* entry = item.if_object();
    const auto* seg = entry ? entry->if_contains("ExchangeSegment") : nullptr;
    const auto* id = entry ? entry->if_contains("SecurityId") : nullptr;
    if (!seg || !seg->is_string() || !id) return fail(RequestError::kBadInstrumentList);
    const auto segment = segment_from_name(std::string_view(seg->get_string()));
    if (!segment) return fail(RequestError::kUnknownSegment);
    const auto security_id = parse_security_id(*id);
    if (!security_id) return fail(RequestError::kBadSecurityId);
    req.instruments.push_back({static_cast<std::uint8_t>(*segment), *security_id});
  }
  return {std::move(req), RequestError::kBadJson};
}

market::IstSeconds ltt_to_ist(std::uint32_t ltt) { return static_cast<market::IstSeconds>(ltt); }

std::uint32_t ist_to_ltt(market::IstSeconds ist) { return static_cast<std::uint32_t>(ist); }

std::optional<market::Tick> to_tick(const Packet& packet) {
  market::Tick tick;
  tick.key = packet.key();
  if (const auto* t = std::get_if<TickerBody>(&packet.body)) {
    tick.ltp = t->ltp;
    tick.ltt = ltt_to_ist(t->ltt);
    return tick;
  }
  if (const auto* q = std::get_if<QuoteBody>(&packet.body)) {
    tick.ltp = q->ltp;
    tick.ltt = ltt_to_ist(q->ltt);
    tick.day_volume = q->volume;
    tick.prev_close = q->close;
    return tick;
  }
  if (const auto* f = std::get_if<FullBody>(&packet.body)) {
    tick.ltp = f->ltp;
    tick.ltt = ltt_to_ist(f->ltt);
    tick.day_volume = f->volume;
    tick.prev_close = f->close;
    tick.open_interest = f->open_interest;
    return tick;
  }
  return std::nullopt;
}

std::string_view describe_disconnect(std::uint16_t reason) {
  switch (reason) {
    case 800: return "internal server error";
    case 804: return "too many instruments requested";
    case 805: return "too many requests or connections";
    case 806: return "data APIs not subscribed";
    case 807: return "access token expired";
    case 808: return "authentication failed (client id or token invalid)";
    case 809: return "access token invalid";
    case 810: return "client id invalid";
    case 811: return "invalid expiry date";
    case 812: return "invalid date format";
    case 813: return "invalid security id";
    case 814: return "invalid request";
    default: return "unknown disconnect reason";
  }
}

bool is_fatal_disconnect(std::uint16_t reason) { return reason >= 806 && reason <= 810; }

}  // namespace fno::dhan
