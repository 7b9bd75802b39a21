// recording_reader.hpp
//
// Reads a recording file (format.hpp) frame by frame, in the order written.
// A file that is not a recording (bad magic, unknown version) fails at open
// with RecordingError. Damage later in the file (truncated or corrupt block,
// checksum mismatch, a record overrunning its block) ends the stream: every
// frame of the blocks before the damage is delivered, then next() returns
// nullopt and error() says what and at which byte offset.
//
// Owns its file handle. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "record/format.hpp"

namespace fno::record {

class RecordingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RecordingReader {
 public:
  // Throws RecordingError when the file cannot be opened or is not a recording.
  explicit RecordingReader(const std::filesystem::path& path);
  ~RecordingReader();
  RecordingReader(const RecordingReader&) = delete;
  RecordingReader& operator=(const RecordingReader&) = delete;

  // The JSON text stored in the header.
  const std::string& metadata() const { return metadata_; }
  // The next frame; nullopt at the end of the file or at damage (see error()).
  std::optional<RecordedFrame> next();
  // Empty while the file reads cleanly.
  const std::string& error() const { return error_; }
  std::uint64_t frames_read() const { return frames_read_; }
  std::uint64_t blocks_read() const { return blocks_read_; }

 private:
  bool load_block();
  bool damaged(std::string what);

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::string metadata_;
  std::uint64_t offset_ = 0;  // of the next unread byte in the file
  std::vector<std::uint8_t> compressed_;
  std::vector<std::uint8_t> raw_;
  std::size_t cursor_ = 0;      // within raw_
  std::uint32_t remaining_ = 0;  // records left in raw_
  std::uint64_t block_offset_ = 0;
  std::string error_;
  bool done_ = false;
  std::uint64_t frames_read_ = 0;
  std::uint64_t blocks_read_ = 0;
};

// Every frame of a file plus the reader's verdict (tests and small tools).
struct ReadAll {
  std::vector<RecordedFrame> frames;
  std::string error;
};
ReadAll read_all(const std::filesystem::path& path);

}  // namespace fno::record
