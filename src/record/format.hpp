// format.hpp
//
// The on-disk format of a feed recording (`*.fnorec`), shared by the writer
// and the reader. Owns the byte layout only: no files, no threads, no clock.
//
//   file   = header block*
//   header = magic[8] "FNOREC\r\n" | u32 version | u32 metadata_length | metadata (JSON text)
//   block  = u32 kBlockMagic | u32 raw_size | u32 compressed_size | u32 records | zstd frame
//   raw    = record*   (the zstd frame's content, with zstd's content checksum)
//   record = u32 frame_length | i64 receive_ns | u32 connection | frame bytes
//
// Integers are little-endian. `receive_ns` is UTC epoch nanoseconds when the
// feed client read the frame; `connection` is the feed connection id (from
// 1). An empty frame on connection 0 marks a lost feed connection (a gap the
// scanner must see on replay). The
// "\r\n" in the magic catches text-mode mangling, as PNG's does.
// Pure value code, safe to share between threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fno::record {

inline constexpr std::array<char, 8> kMagic = {'F', 'N', 'O', 'R', 'E', 'C', '\r', '\n'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kBlockMagic = 0x314B4C42;  // "BLK1"
inline constexpr std::size_t kFileHeaderFixed = 16;        // magic + version + metadata length
inline constexpr std::size_t kBlockHeaderSize = 16;
inline constexpr std::size_t kRecordHeaderSize = 16;
// Bounds a reader trusts before allocating: a damaged length field must not
// turn into a huge allocation.
inline constexpr std::uint32_t kMaxMetadata = 1U << 20;
inline constexpr std::uint32_t kMaxBlockRaw = 64U << 20;
inline constexpr std::uint32_t kMaxFrame = 16U << 20;

inline constexpr std::uint32_t kGapConnection = 0;

// One received frame, borrowed.
struct FrameView {
  std::int64_t receive_ns = 0;
  std::uint32_t connection = 0;
  std::span<const std::uint8_t> bytes;
};

// One received frame, owned (what the reader returns).
struct RecordedFrame {
  std::int64_t receive_ns = 0;
  std::uint32_t connection = 0;
  std::vector<std::uint8_t> bytes;
  bool is_gap() const { return connection == kGapConnection && bytes.empty(); }
  friend bool operator==(const RecordedFrame&, const RecordedFrame&) = default;
};

struct BlockHeader {
  std::uint32_t raw_size = 0;
  std::uint32_t compressed_size = 0;
  std::uint32_t records = 0;
};

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v);
void put_i64(std::vector<std::uint8_t>& out, std::int64_t v);
std::uint32_t get_u32(const std::uint8_t* p);
std::int64_t get_i64(const std::uint8_t* p);

// Appends the file header.
void encode_file_header(std::string_view metadata, std::vector<std::uint8_t>& out);
// Appends one record to a block's raw content.
void append_record(const FrameView& frame, std::vector<std::uint8_t>& raw);
void encode_block_header(const BlockHeader& header, std::vector<std::uint8_t>& out);
// nullopt when the magic is wrong or a size exceeds the bounds above.
std::optional<BlockHeader> decode_block_header(std::span<const std::uint8_t, kBlockHeaderSize> bytes);

}  // namespace fno::record
