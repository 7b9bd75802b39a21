#include "record/format.hpp"

#include <string_view>

namespace fno::record {

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_i64(std::vector<std::uint8_t>& out, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

std::uint32_t get_u32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::int64_t get_i64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return static_cast<std::int64_t>(v);
}

void encode_file_header(std::string_view metadata, std::vector<std::uint8_t>& out) {
  out.insert(out.end(), kMagic.begin(), kMagic.end());
  put_u32(out, kVersion);
  put_u32(out, static_cast<std::uint32_t>(metadata.size()));
  out.insert(out.end(), metadata.begin(), metadata.end());
}

void append_record(const FrameView& frame, std::vector<std::uint8_t>& raw) {
  put_u32(raw, static_cast<std::uint32_t>(frame.bytes.size()));
  put_i64(raw, frame.receive_ns);
  put_u32(raw, frame.connection);
  raw.insert(raw.end(), frame.bytes.begin(), frame.bytes.end());
}

void encode_block_header(const BlockHeader& header, std::vector<std::uint8_t>& out) {
  put_u32(out, kBlockMagic);
  put_u32(out, header.raw_size);
  put_u32(out, header.compressed_size);
  put_u32(out, header.records);
}

std::optional<BlockHeader> decode_block_header(std::span<const std::uint8_t, kBlockHeaderSize> bytes) {
  if (get_u32(bytes.data()) != kBlockMagic) return std::nullopt;
  BlockHeader h{get_u32(bytes.data() + 4), get_u32(bytes.data() + 8), get_u32(bytes.data() + 12)};
  // zstd never expands incompressible input by more than a small margin.
  if (h.raw_size > kMaxBlockRaw || h.compressed_size > kMaxBlockRaw + (kMaxBlockRaw >> 7) + 1024) return std::nullopt;
  return h;
}

}  // namespace fno::record
