#include "packet_stream.hpp"

#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

#include "dhan/codec.hpp"

namespace fno::bench {
namespace {

using dhan::Packet;
using dhan::ResponseCode;
using dhan::Segment;

Packet make_packet(std::uint32_t n, int kind) {
  const std::uint32_t id = 35000 + n % 25000;
  const float ltp = 100.0f + static_cast<float>(n % 1000) * 0.05f;
  switch (kind) {
    case 0: return {ResponseCode::kQuote, Segment::kNseFno, id,
                    dhan::QuoteBody{ltp, 25, 1795511700 + n, ltp, n, 1, 2, ltp, ltp, ltp, ltp}};
    case 1: return {ResponseCode::kTicker, Segment::kNseFno, id, dhan::TickerBody{ltp, 1795511700 + n}};
    case 2: return {ResponseCode::kOi, Segment::kNseFno, id, dhan::OiBody{n}};
    case 3: return {ResponseCode::kPrevClose, Segment::kNseFno, id, dhan::PrevCloseBody{ltp, n}};
    default: return {ResponseCode::kFull, Segment::kNseFno, id, dhan::FullBody{}};
  }
}

}  // namespace

PacketStream build_packet_stream(std::size_t packets, bool mixed) {
  PacketStream s;
  std::mt19937 rng(7);
  for (std::size_t n = 0; n < packets; ++n) {
    int kind = 0;
    if (mixed) {
      const auto r = rng() % 100;
      kind = r < 60 ? 0 : r < 90 ? 1 : 2 + static_cast<int>(r % 3);
    }
    dhan::encode(make_packet(static_cast<std::uint32_t>(n), kind), s.bytes);
    s.offsets.push_back(s.bytes.size());
  }
  return s;
}

void write_packet_file(const std::filesystem::path& path, const PacketStream& stream) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(stream.bytes.data()), static_cast<std::streamsize>(stream.bytes.size()));
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

PacketStream read_packet_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  PacketStream s;
  s.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  // Header: u8 code, u16 little-endian whole-packet length (docs/PROTOCOL.md).
  std::size_t at = 0;
  while (at < s.bytes.size()) {
    if (s.bytes.size() - at < dhan::kHeaderSize) throw std::runtime_error("truncated packet in " + path.string());
    const std::size_t length = s.bytes[at + 1] | (static_cast<std::size_t>(s.bytes[at + 2]) << 8);
    if (length < dhan::kHeaderSize || length > s.bytes.size() - at) {
      throw std::runtime_error("bad packet length in " + path.string());
    }
    at += length;
    s.offsets.push_back(at);
  }
  return s;
}

}  // namespace fno::bench
