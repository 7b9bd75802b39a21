#include "record/recording_writer.hpp"

#include <spdlog/spdlog.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "market/calendar.hpp"

namespace fno::record {

namespace {

constexpr int kMaxNameAttempts = 1000;
constexpr std::int64_t kNsPerSecond = 1'000'000'000;

// "2026-11-25 09:15:03" -> "20261125-091503"
std::string file_stamp(std::int64_t receive_ns) {
  std::string stamp;
  for (char c : market::format_ist(market::ist_from_utc(receive_ns / kNsPerSecond))) {
    if (c == ' ') stamp += '-';
    else if (c != '-' && c != ':') stamp += c;
  }
  return stamp;
}

}  // namespace

struct RecordingWriter::ZstdContext {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ~ZstdContext() { ZSTD_freeCCtx(cctx); }
};

std::int64_t ist_day_of(std::int64_t receive_ns) {
  return market::day_start(market::ist_from_utc(receive_ns / kNsPerSecond));
}

RecordingWriter::RecordingWriter(WriterOptions options)
    : options_(std::move(options)), zstd_(std::make_unique<ZstdContext>()) {
  if (!zstd_->cctx) throw std::runtime_error("zstd: cannot create a compression context");
  ZSTD_CCtx_setParameter(zstd_->cctx, ZSTD_c_compressionLevel, options_.compression_level);
  ZSTD_CCtx_setParameter(zstd_->cctx, ZSTD_c_checksumFlag, 1);
  raw_.reserve(options_.block_bytes + kRecordHeaderSize + 4096);
}

RecordingWriter::~RecordingWriter() { close_file(); }

AppendResult RecordingWriter::append(const FrameView& frame) {
  if (state_ == State::kNone || ist_day_of(frame.receive_ns) != day_) rotate(frame.receive_ns);
  if (state_ == State::kCapped) {
    ++stats_.capped_frames;
    return AppendResult::kCapped;
  }
  if (state_ != State::kOpen || frame.bytes.size() > kMaxFrame) {
    ++stats_.failed_frames;
    return AppendResult::kFailed;
  }
  append_record(frame, raw_);
  ++records_;
  ++stats_.frames;
  if (raw_.size() >= options_.block_bytes) flush();
  return AppendResult::kBuffered;
}

bool RecordingWriter::flush() {
  if (records_ == 0 || state_ != State::kOpen) return state_ != State::kFailed;
  out_.resize(kBlockHeaderSize + ZSTD_compressBound(raw_.size()));
  const std::size_t n = ZSTD_compress2(zstd_->cctx, out_.data() + kBlockHeaderSize, out_.size() - kBlockHeaderSize,
                                       raw_.data(), raw_.size());
  if (ZSTD_isError(n)) {
    fail(std::string("zstd: ") + ZSTD_getErrorName(n));
    return false;
  }
  out_.resize(kBlockHeaderSize + n);
  std::vector<std::uint8_t> header;
  encode_block_header({static_cast<std::uint32_t>(raw_.size()), static_cast<std::uint32_t>(n), records_}, header);
  std::copy(header.begin(), header.end(), out_.begin());
  if (!write_bytes(out_)) return false;
  ++stats_.blocks;
  stats_.raw_bytes += raw_.size();
  raw_.clear();
  records_ = 0;
  if (file_size_ >= options_.max_bytes) {
    spdlog::warn("recording {} reached record.max_bytes ({} bytes): recording paused until the next IST day",
                 path_.string(), options_.max_bytes);
    close_file();
    state_ = State::kCapped;
  }
  return true;
}

void RecordingWriter::rotate(std::int64_t receive_ns) {
  close_file();
  day_ = ist_day_of(receive_ns);
  state_ = open_file(receive_ns) ? State::kOpen : State::kFailed;
}

bool RecordingWriter::open_file(std::int64_t receive_ns) {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) {
    fail("cannot create " + options_.dir.string() + ": " + ec.message());
    return false;
  }
  const std::string stem = "feed-" + file_stamp(receive_ns);
  for (int attempt = 0; attempt < kMaxNameAttempts; ++attempt) {
    const std::string suffix = attempt == 0 ? "" : "-" + std::to_string(attempt);
    path_ = options_.dir / (stem + suffix + ".fnorec");
    file_ = std::fopen(path_.c_str(), "wbx");  // exclusive: never overwrite an earlier session
    if (file_ || errno != EEXIST) break;
  }
  if (!file_) {
    fail("cannot create " + path_.string() + ": " + std::strerror(errno));
    return false;
  }
  file_size_ = 0;
  ++stats_.files;
  std::vector<std::uint8_t> header;
  encode_file_header(options_.metadata, header);
  if (!write_bytes(header)) return false;
  spdlog::info("recording feed frames to {}", path_.string());
  return true;
}

bool RecordingWriter::write_bytes(const std::vector<std::uint8_t>& bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size() || std::fflush(file_) != 0) {
    fail("write to " + path_.string() + " failed: " + std::strerror(errno));
    return false;
  }
  file_size_ += bytes.size();
  stats_.file_bytes += bytes.size();
  return true;
}

void RecordingWriter::close_file() {
  if (state_ == State::kOpen) flush();
  if (file_) std::fclose(file_);
  file_ = nullptr;
}

void RecordingWriter::fail(const std::string& what) {
  stats_.last_error = what;
  spdlog::error("recording stopped for today: {}", what);
  stats_.failed_frames += records_;
  raw_.clear();
  records_ = 0;
  if (file_) std::fclose(file_);
  file_ = nullptr;
  state_ = State::kFailed;
}

}  // namespace fno::record
