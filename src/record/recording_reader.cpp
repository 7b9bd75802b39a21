#include "record/recording_reader.hpp"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace fno::record {

RecordingReader::RecordingReader(const std::filesystem::path& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) throw RecordingError("cannot open " + path.string() + ": " + std::strerror(errno));
  std::array<std::uint8_t, kFileHeaderFixed> fixed{};
  if (std::fread(fixed.data(), 1, fixed.size(), file_) != fixed.size() ||
      !std::equal(kMagic.begin(), kMagic.end(), fixed.begin(),
                  [](char m, std::uint8_t b) { return static_cast<std::uint8_t>(m) == b; })) {
    std::fclose(file_);
    throw RecordingError(path.string() + " is not an fno-scanner recording (bad magic)");
  }
  const std::uint32_t version = get_u32(fixed.data() + 8);
  const std::uint32_t metadata_size = get_u32(fixed.data() + 12);
  if (version != kVersion) {
    std::fclose(file_);
    throw RecordingError(path.string() + ": recording format version " + std::to_string(version) +
                         " is not supported (this build reads version " + std::to_string(kVersion) + ")");
  }
  metadata_.resize(std::min(metadata_size, kMaxMetadata));
  if (metadata_size > kMaxMetadata || std::fread(metadata_.data(), 1, metadata_.size(), file_) != metadata_.size()) {
    std::fclose(file_);
    throw RecordingError(path.string() + ": damaged header");
  }
  offset_ = fixed.size() + metadata_.size();
}

RecordingReader::~RecordingReader() {
  if (file_) std::fclose(file_);
}

std::optional<RecordedFrame> RecordingReader::next() {
  while (remaining_ == 0) {
    if (done_ || !load_block()) return std::nullopt;
  }
  if (raw_.size() - cursor_ < kRecordHeaderSize) {
    damaged("record header overruns its block");
    return std::nullopt;
  }
  const std::uint8_t* p = raw_.data() + cursor_;
  const std::uint32_t size = get_u32(p);
  if (size > raw_.size() - cursor_ - kRecordHeaderSize) {
    damaged("record of " + std::to_string(size) + " bytes overruns its block");
    return std::nullopt;
  }
  RecordedFrame frame;
  frame.receive_ns = get_i64(p + 4);
  frame.connection = get_u32(p + 12);
  frame.bytes.assign(p + kRecordHeaderSize, p + kRecordHeaderSize + size);
  cursor_ += kRecordHeaderSize + size;
  --remaining_;
  ++frames_read_;
  return frame;
}

bool RecordingReader::load_block() {
  block_offset_ = offset_;
  std::array<std::uint8_t, kBlockHeaderSize> bytes{};
  const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), file_);
  if (got == 0 && std::feof(file_)) {
    done_ = true;  // clean end
    return false;
  }
  if (got != bytes.size()) return damaged("truncated block header");
  const auto header = decode_block_header(bytes);
  if (!header) return damaged("bad block header");
  compressed_.resize(header->compressed_size);
  if (std::fread(compressed_.data(), 1, compressed_.size(), file_) != compressed_.size()) {
    return damaged("truncated block (" + std::to_string(header->compressed_size) + " bytes expected)");
  }
  raw_.resize(header->raw_size);
  const std::size_t n = ZSTD_decompress(raw_.data(), raw_.size(), compressed_.data(), compressed_.size());
  if (ZSTD_isError(n)) return damaged(std::string("corrupt block: ") + ZSTD_getErrorName(n));
  if (n != header->raw_size) return damaged("block holds " + std::to_string(n) + " bytes, header says " +
                                            std::to_string(header->raw_size));
  offset_ += kBlockHeaderSize + compressed_.size();
  cursor_ = 0;
  remaining_ = header->records;
  ++blocks_read_;
  return true;
}

bool RecordingReader::damaged(std::string what) {
  error_ = path_.string() + ": " + what + " at byte " + std::to_string(block_offset_) + " (" +
           std::to_string(frames_read_) + " frames before it were read)";
  done_ = true;
  remaining_ = 0;
  return false;
}

ReadAll read_all(const std::filesystem::path& path) {
  ReadAll all;
  RecordingReader reader(path);
  while (auto frame = reader.next()) all.frames.push_back(std::move(*frame));
  all.error = reader.error();
  return all;
}

}  // namespace fno::record
