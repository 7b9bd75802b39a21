// packet_stream.hpp
//
// A deterministic stream of Dhan WS v2 server packets for the decode
// benchmarks: 1M packets, one per frame as Dhan sends them, either all quotes
// or the live mix (60 % quote, 30 % ticker, 10 % OI / prev-close / full) over
// 25,000 NSE_FNO instruments. It can be written to a file (plain
// concatenated packets, each carrying its own length) so that the C++ codec
// and bench/reference/dhan_decode.py decode the very same bytes.
// Benchmark support only; encodes with dhan::encode, so the bytes follow the
// wire contract the codec tests pin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace fno::bench {

// One contiguous buffer plus per-frame offsets (frames[i] = bytes[offsets[i], offsets[i+1])).
struct PacketStream {
  std::vector<std::uint8_t> bytes;
  std::vector<std::size_t> offsets{0};

  std::size_t frames() const { return offsets.size() - 1; }
  std::span<const std::uint8_t> frame(std::size_t i) const {
    return {bytes.data() + offsets[i], offsets[i + 1] - offsets[i]};
  }
};

// `packets` packets, quotes only or the mixed live kinds; same bytes for the same arguments.
PacketStream build_packet_stream(std::size_t packets, bool mixed);

// Writes the concatenated packets; throws std::runtime_error on I/O failure.
void write_packet_file(const std::filesystem::path& path, const PacketStream& stream);

// Reads a file written by write_packet_file, one frame per packet (split by
// the header's length field). Throws std::runtime_error on I/O failure or a
// length that does not fit the file.
PacketStream read_packet_file(const std::filesystem::path& path);

}  // namespace fno::bench
