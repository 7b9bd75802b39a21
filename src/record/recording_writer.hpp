// recording_writer.hpp
//
// Writes feed frames to recording files (format.hpp): one file per session
// and IST day (a new day's first frame opens a new file), frames gathered
// into blocks of about `block_bytes` and zstd-compressed with a content
// checksum. A file stops taking frames once it reaches `max_bytes` (it may
// overshoot by one block); later frames of that day are counted as capped.
// An I/O error closes the file and counts later frames as failed until the
// next day's file opens. Each block is flushed to the OS when written, so a
// crash loses at most the pending block.
//
// Owns its files; does blocking disk I/O, so it belongs on a writer thread,
// never on the network thread. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "record/format.hpp"

namespace fno::record {

struct WriterOptions {
  std::filesystem::path dir = "recordings";
  std::uint64_t max_bytes = 4ULL << 30;  // per file
  std::size_t block_bytes = 256 << 10;   // raw bytes per compressed block
  int compression_level = 1;             // zstd: fast; feed frames compress ~4x even so
  std::string metadata = "{}";           // JSON text stored in every file header
};

enum class AppendResult { kBuffered, kCapped, kFailed };

struct WriterStats {
  std::uint64_t frames = 0;         // accepted into a block
  std::uint64_t blocks = 0;
  std::uint64_t raw_bytes = 0;      // record bytes before compression
  std::uint64_t file_bytes = 0;     // bytes written to disk, headers included
  std::uint64_t files = 0;
  std::uint64_t capped_frames = 0;  // refused: file reached max_bytes
  std::uint64_t failed_frames = 0;  // refused: file unusable after an I/O error
  std::string last_error;
};

class RecordingWriter {
 public:
  explicit RecordingWriter(WriterOptions options);
  ~RecordingWriter();
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  AppendResult append(const FrameView& frame);
  // Compresses and writes the pending block (if any); false on I/O failure.
  bool flush();
  bool has_pending() const { return records_ > 0; }
  const WriterStats& stats() const { return stats_; }
  // The file being written (empty before the first frame).
  const std::filesystem::path& current_file() const { return path_; }

 private:
  enum class State { kNone, kOpen, kCapped, kFailed };
  void rotate(std::int64_t receive_ns);
  bool open_file(std::int64_t receive_ns);
  bool write_bytes(const std::vector<std::uint8_t>& bytes);
  void close_file();
  void fail(const std::string& what);

  WriterOptions options_;
  struct ZstdContext;
  std::unique_ptr<ZstdContext> zstd_;
  std::FILE* file_ = nullptr;
  std::filesystem::path path_;
  State state_ = State::kNone;
  std::int64_t day_ = 0;  // IST midnight of the current file's day
  std::uint64_t file_size_ = 0;
  std::vector<std::uint8_t> raw_;
  std::uint32_t records_ = 0;
  std::vector<std::uint8_t> out_;
  WriterStats stats_;
};

// IST day (IST midnight, seconds) of a receive time in UTC ns.
std::int64_t ist_day_of(std::int64_t receive_ns);

}  // namespace fno::record
