#include "dhan/codec.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <cstring>

namespace fno::dhan {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Little-endian byte builders, written independently of the codec so the
// golden tests check the codec against the PROTOCOL.md tables.
void u8(Bytes& b, std::uint8_t v) { b.push_back(v); }
void u16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void u32(Bytes& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void f32(Bytes& b, float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, 4);
  u32(b, bits);
}
void header(Bytes& b, std::uint8_t code, std::uint16_t len, std::uint8_t seg, std::uint32_t id) {
  u8(b, code);
  u16(b, len);
  u8(b, seg);
  u32(b, id);
}

std::vector<Packet> decode_all(const Bytes& bytes, DecodeCounters& c, FrameResult* result = nullptr) {
  std::vector<Packet> out;
  const FrameResult r = decode_frame(bytes, out, c);
  if (result) *result = r;
  EXPECT_EQ(r.packets, out.size());
  return out;
}

Packet decode_one(const Bytes& bytes) {
  DecodeCounters c;
  FrameResult r;
  auto out = decode_all(bytes, c, &r);
  EXPECT_FALSE(r.first_error.has_value());
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? Packet{} : out.front();
}

FullBody sample_full() {
  FullBody f;
  f.ltp = 152.3f;
  f.ltq = 50;
  f.ltt = 1795511700;
  f.atp = 151.9f;
  f.volume = 123456;
  f.total_sell_qty = 1000;
  f.total_buy_qty = 2000;
  f.open_interest = 777;
  f.oi_day_high = 800;
  f.oi_day_low = 700;
  f.open = 150.0f;
  f.close = 149.5f;
  f.high = 153.0f;
  f.low = 149.0f;
  for (std::size_t i = 0; i < kDepthLevels; ++i) {
    const auto n = static_cast<std::uint32_t>(i);
    f.depth[i] = {100 + n, 200 + n, static_cast<std::uint16_t>(3 + n), static_cast<std::uint16_t>(4 + n),
                  152.25f - 0.05f * static_cast<float>(n), 152.35f + 0.05f * static_cast<float>(n)};
  }
  return f;
}

QuoteBody sample_quote() {
  return {2450.5f, 25, 1795511700, 2449.75f, 987654, 11, 22, 2440.0f, 2430.0f, 2460.0f, 2435.0f};
}

std::vector<Packet> one_of_each() {
  return {
      {ResponseCode::kIndex, Segment::kIdxI, 13, TickerBody{24000.5f, 1795511700}},
      {ResponseCode::kTicker, Segment::kNseFno, 49229, TickerBody{101.25f, 1795511701}},
      {ResponseCode::kQuote, Segment::kNseFno, 49230, sample_quote()},
      {ResponseCode::kOi, Segment::kNseFno, 49231, OiBody{4567890}},
      {ResponseCode::kPrevClose, Segment::kNseFno, 49232, PrevCloseBody{99.5f, 1234}},
      {ResponseCode::kMarketStatus, Segment::kNseFno, 0, MarketStatusBody{}},
      {ResponseCode::kFull, Segment::kNseFno, 55796, sample_full()},
      {ResponseCode::kDisconnect, Segment::kNseFno, 0, DisconnectBody{805}},
  };
}

TEST(Segment, NamesFollowTheAnnexure) {
  EXPECT_EQ(segment_name(Segment::kIdxI), "IDX_I");
  EXPECT_EQ(static_cast<int>(Segment::kIdxI), 0);
  EXPECT_EQ(static_cast<int>(*segment_from_name("NSE_FNO")), 2);
  EXPECT_EQ(static_cast<int>(*segment_from_name("MCX_COMM")), 5);
  EXPECT_EQ(static_cast<int>(*segment_from_name("BSE_CURRENCY")), 7);
  EXPECT_EQ(static_cast<int>(*segment_from_name("BSE_FNO")), 8);
  EXPECT_EQ(segment_name(static_cast<Segment>(6)), "");
  EXPECT_FALSE(segment_from_name("nse_fno").has_value());
  for (int v : {0, 1, 2, 3, 4, 5, 7, 8}) {
    const auto s = static_cast<Segment>(v);
    EXPECT_EQ(segment_from_name(segment_name(s)), s);
  }
}

TEST(Decode, CapturedFullPacketGoldenBytes) {
  Bytes b{0x08, 0xa2, 0x00, 0x02, 0xf4, 0xd9, 0x00, 0x00, 0xcd, 0x4c, 0x18, 0x43};  // LTP 152.30f
  b.resize(162, 0);
  const Packet p = decode_one(b);
  EXPECT_EQ(p.code, ResponseCode::kFull);
  EXPECT_EQ(p.segment, Segment::kNseFno);
  EXPECT_EQ(p.security_id, 55796u);
  ASSERT_TRUE(std::holds_alternative<FullBody>(p.body));
  EXPECT_FLOAT_EQ(std::get<FullBody>(p.body).ltp, 152.30f);
}

TEST(Decode, FullGoldenBytesEveryField) {
  const FullBody f = sample_full();
  Bytes b;
  header(b, 8, 162, 2, 55796);
  f32(b, f.ltp);
  u16(b, f.ltq);
  u32(b, f.ltt);
  f32(b, f.atp);
  for (auto v : {f.volume, f.total_sell_qty, f.total_buy_qty, f.open_interest, f.oi_day_high, f.oi_day_low}) u32(b, v);
  for (auto v : {f.open, f.close, f.high, f.low}) f32(b, v);
  for (const auto& d : f.depth) {
    u32(b, d.bid_qty);
    u32(b, d.ask_qty);
    u16(b, d.bid_orders);
    u16(b, d.ask_orders);
    f32(b, d.bid_price);
    f32(b, d.ask_price);
  }
  ASSERT_EQ(b.size(), 162u);
  const Packet p = decode_one(b);
  EXPECT_EQ(std::get<FullBody>(p.body), f);
}

TEST(Decode, TickerAndIndexGoldenBytes) {
  Bytes b;
  header(b, 2, 16, 2, 49229);
  f32(b, 101.25f);
  u32(b, 1795511700);
  Packet p = decode_one(b);
  EXPECT_EQ(p.code, ResponseCode::kTicker);
  EXPECT_EQ(std::get<TickerBody>(p.body), (TickerBody{101.25f, 1795511700}));

  Bytes idx;
  header(idx, 1, 16, 0, 13);
  f32(idx, 24000.5f);
  u32(idx, 1795511700);
  p = decode_one(idx);
  EXPECT_EQ(p.code, ResponseCode::kIndex);
  EXPECT_EQ(p.segment, Segment::kIdxI);
  EXPECT_EQ(std::get<TickerBody>(p.body).ltp, 24000.5f);
}

TEST(Decode, QuoteGoldenBytes) {
  const QuoteBody q = sample_quote();
  Bytes b;
  header(b, 4, 50, 2, 49230);
  f32(b, q.ltp);
  u16(b, q.ltq);
  u32(b, q.ltt);
  f32(b, q.atp);
  u32(b, q.volume);
  u32(b, q.total_sell_qty);
  u32(b, q.total_buy_qty);
  for (auto v : {q.open, q.close, q.high, q.low}) f32(b, v);
  ASSERT_EQ(b.size(), 50u);
  EXPECT_EQ(std::get<QuoteBody>(decode_one(b).body), q);
}

TEST(Decode, OiPrevCloseStatusDisconnectGoldenBytes) {
  Bytes oi;
  header(oi, 5, 12, 2, 7);
  u32(oi, 4567890);
  EXPECT_EQ(std::get<OiBody>(decode_one(oi).body).open_interest, 4567890u);

  Bytes pc;
  header(pc, 6, 16, 2, 7);
  f32(pc, 99.5f);
  u32(pc, 1234);
  EXPECT_EQ(std::get<PrevCloseBody>(decode_one(pc).body), (PrevCloseBody{99.5f, 1234}));

  Bytes st;
  header(st, 7, 8, 2, 0);
  EXPECT_TRUE(std::holds_alternative<MarketStatusBody>(decode_one(st).body));

  Bytes dc;
  header(dc, 50, 10, 2, 0);
  u16(dc, 807);
  EXPECT_EQ(std::get<DisconnectBody>(decode_one(dc).body).reason, 807);
}

TEST(Encode, RoundTripsEveryPacketKind) {
  for (const Packet& p : one_of_each()) {
    Bytes b;
    encode(p, b);
    EXPECT_EQ(b.size(), *packet_size(static_cast<std::uint8_t>(p.code)));
    EXPECT_EQ(decode_one(b), p) << "code " << static_cast<int>(p.code);
  }
}

TEST(Encode, RejectsBodyThatDoesNotMatchCode) {
  Bytes b;
  EXPECT_THROW(encode({ResponseCode::kQuote, Segment::kNseFno, 1, TickerBody{}}, b), std::invalid_argument);
}

TEST(Decode, MultiPacketFrameDecodesToSeveralPackets) {
  Bytes frame;
  const auto packets = one_of_each();
  for (const auto& p : packets) encode(p, frame);
  DecodeCounters c;
  FrameResult r;
  EXPECT_EQ(decode_all(frame, c, &r), packets);
  EXPECT_FALSE(r.first_error);
  EXPECT_EQ(c.total_packets(), packets.size());
  EXPECT_EQ(c.packet_count(ResponseCode::kQuote), 1u);
  EXPECT_EQ(c.packet_count(ResponseCode::kIndex), 1u);
  EXPECT_EQ(c.frames, 1u);
}

TEST(Decode, EveryTruncationOfEveryPacketIsCountedNeverRead) {
  for (const Packet& p : one_of_each()) {
    Bytes full;
    encode(p, full);
    for (std::size_t len = 1; len < full.size(); ++len) {
      // Copy into an exactly-sized buffer so ASan catches any over-read.
      const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
      DecodeCounters c;
      FrameResult r;
      const auto out = decode_all(cut, c, &r);
      EXPECT_TRUE(out.empty());
      ASSERT_TRUE(r.first_error.has_value());
      EXPECT_EQ(*r.first_error, DecodeError::kTruncated) << "code " << static_cast<int>(p.code) << " len " << len;
      EXPECT_EQ(c.error_count(DecodeError::kTruncated), 1u);
    }
  }
}

TEST(Decode, TruncatedTailKeepsEarlierPackets) {
  Bytes frame;
  encode(one_of_each()[1], frame);
  encode(one_of_each()[2], frame);
  frame.pop_back();  // (resize(size()-1) trips a gcc -Wstringop-overflow false positive under ASan)
  DecodeCounters c;
  FrameResult r;
  EXPECT_EQ(decode_all(frame, c, &r).size(), 1u);
  EXPECT_EQ(r.first_error, DecodeError::kTruncated);
  EXPECT_EQ(r.error_offset, 16u);
}

TEST(Decode, UnknownCodeIsSkippedByLength) {
  Bytes frame;
  header(frame, 3, 12, 2, 1);  // code 3 is not a feed packet
  u32(frame, 0);
  encode(one_of_each()[1], frame);
  DecodeCounters c;
  FrameResult r;
  const auto out = decode_all(frame, c, &r);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].code, ResponseCode::kTicker);
  EXPECT_EQ(r.first_error, DecodeError::kUnknownCode);
  EXPECT_EQ(r.error_offset, 0u);
  EXPECT_EQ(c.error_count(DecodeError::kUnknownCode), 1u);
}

TEST(Decode, LengthDisagreeingWithCodeIsBadLength) {
  Bytes frame;
  header(frame, 2, 20, 2, 1);  // ticker claims 20 bytes
  frame.resize(20, 0);
  encode(one_of_each()[3], frame);
  DecodeCounters c;
  FrameResult r;
  const auto out = decode_all(frame, c, &r);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].code, ResponseCode::kOi);
  EXPECT_EQ(r.first_error, DecodeError::kBadLength);
  EXPECT_EQ(c.error_count(DecodeError::kBadLength), 1u);
}

TEST(Decode, LengthBelowHeaderStopsTheFrame) {
  Bytes frame;
  header(frame, 2, 0, 2, 1);  // would loop forever if trusted
  f32(frame, 1.0f);
  u32(frame, 1);
  DecodeCounters c;
  FrameResult r;
  EXPECT_TRUE(decode_all(frame, c, &r).empty());
  EXPECT_EQ(r.first_error, DecodeError::kBadLength);
}

TEST(Decode, EmptyFrameIsNothing) {
  DecodeCounters c;
  FrameResult r;
  EXPECT_TRUE(decode_all({}, c, &r).empty());
  EXPECT_FALSE(r.first_error);
}

std::vector<market::InstrumentKey> keys(std::size_t n) {
  std::vector<market::InstrumentKey> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({2, static_cast<std::uint32_t>(40000 + i)});
  return out;
}

TEST(Subscribe, BatchesAtMostPerMessage) {
  const std::vector<std::pair<std::size_t, std::size_t>> cases{{0, 0}, {1, 1}, {100, 1}, {101, 2}, {5000, 50}};
  for (const auto& [n, messages] : cases) {
    const auto all = keys(n);
    const auto out = encode_subscribe(17, all, 100);
    ASSERT_EQ(out.size(), messages) << n;
    std::vector<market::InstrumentKey> back;
    for (const auto& m : out) {
      const auto parsed = parse_client_request(m);
      ASSERT_TRUE(parsed.request.has_value());
      EXPECT_EQ(parsed.request->request_code, 17);
      EXPECT_LE(parsed.request->instruments.size(), 100u);
      const auto doc = boost::json::parse(m).as_object();
      EXPECT_EQ(doc.at("InstrumentCount").as_int64(), static_cast<std::int64_t>(parsed.request->instruments.size()));
      back.insert(back.end(), parsed.request->instruments.begin(), parsed.request->instruments.end());
    }
    EXPECT_EQ(back, all);
  }
}

TEST(Subscribe, JsonShapeMatchesDhan) {
  const std::vector<market::InstrumentKey> two{{2, 49229}, {0, 13}};
  const auto out = encode_subscribe(15, two);
  ASSERT_EQ(out.size(), 1u);
  const auto doc = boost::json::parse(out[0]).as_object();
  EXPECT_EQ(doc.at("RequestCode").as_int64(), 15);
  const auto& list = doc.at("InstrumentList").as_array();
  EXPECT_EQ(list[0].at("ExchangeSegment").as_string(), "NSE_FNO");
  EXPECT_EQ(list[0].at("SecurityId").as_string(), "49229");  // a string, not a number
  EXPECT_EQ(list[1].at("ExchangeSegment").as_string(), "IDX_I");
}

TEST(Subscribe, CustomCapAndUnsubscribeCodes) {
  EXPECT_EQ(encode_subscribe(22, keys(120), 50).size(), 3u);
  EXPECT_THROW(encode_subscribe(19, keys(1)), std::invalid_argument);
  EXPECT_THROW(encode_subscribe(15, keys(1), 0), std::invalid_argument);
  const std::vector<market::InstrumentKey> unnamed{{6, 1}};
  EXPECT_THROW(encode_subscribe(15, unnamed), std::invalid_argument);
}

TEST(ClientRequest, DisconnectAndErrors) {
  const auto dc = parse_client_request(encode_disconnect());
  ASSERT_TRUE(dc.request);
  EXPECT_EQ(dc.request->request_code, 12);
  EXPECT_EQ(parse_client_request("{not json").error, RequestError::kBadJson);
  EXPECT_EQ(parse_client_request("[1]").error, RequestError::kBadJson);
  EXPECT_EQ(parse_client_request(R"({"InstrumentList":[]})").error, RequestError::kMissingCode);
  EXPECT_EQ(parse_client_request(R"({"RequestCode":15,"InstrumentList":5})").error, RequestError::kBadInstrumentList);
  EXPECT_EQ(parse_client_request(R"({"RequestCode":15,"InstrumentList":[{"ExchangeSegment":"XX","SecurityId":"1"}]})")
                .error,
            RequestError::kUnknownSegment);
  EXPECT_EQ(parse_client_request(R"({"RequestCode":15,"InstrumentList":[{"ExchangeSegment":"NSE_FNO","SecurityId":"1a"}]})")
                .error,
            RequestError::kBadSecurityId);
  const auto numeric =
      parse_client_request(R"({"RequestCode":15,"InstrumentList":[{"ExchangeSegment":"NSE_FNO","SecurityId":42}]})");
  ASSERT_TRUE(numeric.request);
  EXPECT_EQ(numeric.request->instruments[0], (market::InstrumentKey{2, 42}));
}

TEST(Ltt, PinsNineFifteenIst) {
  // 2026-11-24 09:15:00 IST wall clock, counted from 1970-01-01 00:00 IST.
  constexpr std::uint32_t kLtt = 1795511700;
  const market::IstSeconds t = ltt_to_ist(kLtt);
  EXPECT_EQ(market::format_ist(t), "2026-11-24 09:15:00");
  EXPECT_EQ(market::seconds_of_day(t), 9 * 3600 + 15 * 60);
  EXPECT_EQ(ist_to_ltt(t), kLtt);
}

TEST(ToTick, ProjectsOnlyFieldsThePacketCarries) {
  const auto packets = one_of_each();
  const auto ticker = to_tick(packets[1]);
  ASSERT_TRUE(ticker);
  EXPECT_EQ(ticker->key, (market::InstrumentKey{2, 49229}));
  EXPECT_DOUBLE_EQ(ticker->ltp, 101.25);
  EXPECT_FALSE(ticker->day_volume);
  EXPECT_FALSE(ticker->prev_close);

  const auto quote = to_tick(packets[2]);
  ASSERT_TRUE(quote);
  EXPECT_EQ(quote->day_volume, 987654u);
  EXPECT_EQ(quote->prev_close, 2430.0);
  EXPECT_FALSE(quote->open_interest);

  const auto full = to_tick(packets[6]);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->open_interest, 777u);
  EXPECT_EQ(full->day_volume, 123456u);

  EXPECT_TRUE(to_tick(packets[0]));  // index
  for (std::size_t i : {3u, 4u, 5u, 7u}) EXPECT_FALSE(to_tick(packets[i])) << i;
}

TEST(Disconnect, ReasonsAndFatality) {
  EXPECT_EQ(describe_disconnect(807), "access token expired");
  EXPECT_EQ(describe_disconnect(1), "unknown disconnect reason");
  for (std::uint16_t r : {806, 807, 808, 809, 810}) EXPECT_TRUE(is_fatal_disconnect(r)) << r;
  for (std::uint16_t r : {800, 804, 805, 811, 814}) EXPECT_FALSE(is_fatal_disconnect(r)) << r;
}

}  // namespace
}  // namespace fno::dhan
