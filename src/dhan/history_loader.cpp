#include "dhan/history_loader.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <utility>

#include "dhan/codec.hpp"
#include "dhan/history_cache.hpp"
#include "dhan/history_client.hpp"
#include "dhan/history_plan.hpp"
#include "dhan/history_rate_limit.hpp"

namespace fno::dhan {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

std::string key_text(market::InstrumentKey key) {
  return fmt::format("{}:{}", segment_name(static_cast<Segment>(key.segment)), key.security_id);
}

// Sorted, one candle per minute, the newest `count` of them.
std::vector<market::Candle> newest_of(std::vector<market::Candle> candles, std::size_t count) {
  std::stable_sort(candles.begin(), candles.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  candles.erase(std::unique(candles.begin(), candles.end(), [](const auto& a, const auto& b) { return a.start == b.start; }),
                candles.end());
  if (candles.size() > count) candles.erase(candles.begin(), candles.end() - static_cast<std::ptrdiff_t>(count));
  return candles;
}

}  // namespace

struct HistoryLoader::Impl : std::enable_shared_from_this<HistoryLoader::Impl> {
  struct Item {
    HistoryRequest request;
    std::optional<IstRange> covered;
    std::size_t chunks_left = 0;
    std::vector<market::Candle> fetched;
    bool failed = false;
  };
  struct Job {
    std::size_t item = 0;
    IstRange range;
    int attempts = 0;      // retryable failures so far
    int rate_limited = 0;  // 429s so far
    RequestRateLimiter::Ticket ticket = 0;  // of the request in flight
  };
  struct Plan {
    bool cache_ok = false;
    std::vector<std::optional<IstRange>> covered;
  };

  Impl(asio::io_context& io, net::HttpClient& http, HistoryOptions options, HistoryCallbacks callbacks)
      : io_(io),
        client_(http, HistoryEndpoint{options.base_url, options.client_id, options.access_token, options.request_timeout}),
        options_(std::move(options)),
        callbacks_(std::move(callbacks)),
        limiter_(options_.requests_per_second, options_.admission_bound),
        timer_(io) {
    options_.fetch_concurrency = std::max(1, options_.fetch_concurrency);
  }

  ~Impl() {
    worker_.stop();
    worker_.join();
  }

  void start(std::vector<HistoryRequest> instruments, market::IstSeconds now);
  void stop();
  HistoryProgress progress() const;

 private:
  template <class Work, class Then>
  void on_worker(Work work, Then then);
  Plan open_cache(std::vector<market::InstrumentKey> keys);
  void plan(Plan plan);
  void pump();
  void arm_timer(Clock::time_point now);
  bool may_launch() const;
  void send(Job job, Clock::time_point now);
  void on_reply(Job job, ChartResult result);
  void handle(Job job, ChartResult result, Clock::time_point now);
  void retry(Job job, Clock::time_point at);
  Clock::duration backoff(int attempt) const;
  void chunk_done(std::size_t i);
  void fail(std::size_t i, const std::string& why);
  void finish_item(std::size_t i);
  void deliver(std::size_t i, std::vector<market::Candle> candles);
  void log_progress();
  void fatal(const std::string& message);

  asio::io_context& io_;
  HistoryClient client_;
  HistoryOptions options_;
  HistoryCallbacks callbacks_;
  RequestRateLimiter limiter_;
  asio::steady_timer timer_;
  Clock::time_point timer_at_ = Clock::time_point::max();
  std::vector<Item> items_;
  std::deque<Job> queue_;
  std::multimap<Clock::time_point, Job> delayed_;  // retries waiting for their backoff
  IstRange window_;
  HistoryProgress progress_;
  std::size_t pending_worker_ = 0;
  std::size_t idle_connections_ = 0;  // our estimate of the HttpClient's keep-alive pool
  std::size_t logged_decile_ = 0;
  bool use_cache_ = false;
  bool started_ = false;
  bool stopped_ = false;
  std::unique_ptr<HistoryCache> cache_;  // touched only on the worker
  asio::thread_pool worker_{1};          // last: joined first (in ~Impl)
};

template <class Work, class Then>
void HistoryLoader::Impl::on_worker(Work work, Then then) {
  ++pending_worker_;
  // `this` on the worker is safe: ~Impl joins the worker before members die.
  asio::post(worker_, [this, weak = weak_from_this(), work = std::move(work), then = std::move(then)]() mutable {
    auto result = work();
    asio::post(io_, [weak, then = std::move(then), result = std::move(result)]() mutable {
      const auto self = weak.lock();
      if (!self) return;
      --self->pending_worker_;
      if (!self->stopped_) then(std::move(result));
    });
  });
}

void HistoryLoader::Impl::start(std::vector<HistoryRequest> instruments, market::IstSeconds now) {
  if (started_ || stopped_) return;
  started_ = true;
  if (options_.hist_days <= 0 || instruments.empty()) {
    // total stays 0: nothing to warm up, so no progress bar waits for it.
    spdlog::info("history: warm-up off (hist_days {}, {} instruments); strategies warm up from live candles",
                 options_.hist_days, instruments.size());
    asio::post(io_, [weak = weak_from_this()] {
      if (auto self = weak.lock(); self && !self->stopped_ && self->callbacks_.on_done) self->callbacks_.on_done();
    });
    return;
  }
  window_ = warm_up_window(now, options_.hist_days);
  progress_.total = instruments.size();
  progress_.running = true;
  std::vector<market::InstrumentKey> keys;
  for (auto& request : instruments) {
    keys.push_back(request.key);
    items_.push_back(Item{request, std::nullopt, 0, {}, false});
  }
  spdlog::info("history: warming up {} instruments with {} days of 1-minute candles ({} req/s, {} in flight)",
               items_.size(), options_.hist_days, options_.requests_per_second, options_.fetch_concurrency);
  if (options_.cache_path.empty()) {
    plan(Plan{false, std::vector<std::optional<IstRange>>(items_.size())});
    return;
  }
  on_worker([this, keys = std::move(keys)]() mutable { return open_cache(std::move(keys)); },
            [this](Plan p) { plan(std::move(p)); });
}

// Worker thread.
HistoryLoader::Impl::Plan HistoryLoader::Impl::open_cache(std::vector<market::InstrumentKey> keys) {
  Plan p;
  try {
    cache_ = std::make_unique<HistoryCache>(options_.cache_path);
    const std::size_t pruned = cache_->prune_before(window_.from);
    if (pruned > 0) spdlog::info("history: pruned {} cached candles older than {} days", pruned, options_.hist_days);
    for (const auto& key : keys) p.covered.push_back(cache_->coverage(key));
    p.cache_ok = true;
  } catch (const std::exception& e) {
    spdlog::error("history: candle cache {} is unusable ({}); fetching everything without it",
                  options_.cache_path.string(), e.what());
    cache_.reset();
    p.covered.assign(keys.size(), std::nullopt);
  }
  return p;
}

void HistoryLoader::Impl::plan(Plan p) {
  use_cache_ = p.cache_ok;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    items_[i].covered = p.covered[i];
    const auto ranges = plan_fetch(window_, items_[i].covered, options_.calendar, kMaxIntradayRequestSeconds);
    items_[i].chunks_left = ranges.size();
    for (const auto& range : ranges) queue_.push_back(Job{i, range, 0, 0});
  }
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].chunks_left == 0) {
      ++progress_.from_cache;
      finish_item(i);
    }
  }
  pump();
}

bool HistoryLoader::Impl::may_launch() const {
  const auto concurrency = static_cast<std::size_t>(options_.fetch_concurrency);
  return !queue_.empty() && progress_.in_flight < concurrency && pending_worker_ < 2 * concurrency;
}

void HistoryLoader::Impl::pump() {
  if (stopped_ || !progress_.running) return;
  const auto now = Clock::now();
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    queue_.push_front(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
  }
  while (may_launch()) {
    if (items_[queue_.front().item].failed) {
      queue_.pop_front();
      continue;
    }
    if (limiter_.next_start(now) > now) break;
    const Job job = queue_.front();
    queue_.pop_front();
    send(job, now);
  }
  arm_timer(now);
}

void HistoryLoader::Impl::arm_timer(Clock::time_point now) {
  auto wake = delayed_.empty() ? Clock::time_point::max() : delayed_.begin()->first;
  if (may_launch()) wake = std::min(wake, limiter_.next_start(now));
  // Time::max(): a reply or a worker result will pump; an earlier armed wake-up re-pumps anyway.
  if (wake == Clock::time_point::max() || wake >= timer_at_) return;
  timer_at_ = wake;
  timer_.expires_at(wake);
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: stop(), or re-armed earlier
    if (auto self = weak.lock()) {
      self->timer_at_ = Clock::time_point::max();
      self->pump();
    }
  });
}

void HistoryLoader::Impl::send(Job job, Clock::time_point now) {
  // The client reuses idle keep-alive connections; with none, this request connects first.
  const bool new_connection = idle_connections_ == 0;
  if (!new_connection) --idle_connections_;
  job.ticket = limiter_.acquire(now, new_connection);
  ++progress_.in_flight;
  ++progress_.requests;
  progress_.max_in_flight = std::max(progress_.max_in_flight, progress_.in_flight);
  const auto& request = items_[job.item].request;
  const ChartRequest chart{request.key, request.type, ChartKind::kIntraday1m, job.range.from, job.range.to};
  client_.fetch(chart, [weak = weak_from_this(), job](ChartResult result) {
    if (auto self = weak.lock()) self->on_reply(job, std::move(result));
  });
}

void HistoryLoader::Impl::on_reply(Job job, ChartResult result) {
  const auto now = Clock::now();
  --progress_.in_flight;
  limiter_.release(job.ticket, now);
  // A server reply leaves its connection open for reuse; a transport failure may not.
  if (result.status != ChartStatus::kRetryable) ++idle_connections_;
  if (stopped_) return;
  if (!items_[job.item].failed) handle(job, std::move(result), now);
  pump();
}

void HistoryLoader::Impl::handle(Job job, ChartResult result, Clock::time_point now) {
  switch (result.status) {
    case ChartStatus::kOk: {
      auto& fetched = items_[job.item].fetched;
      fetched.insert(fetched.end(), result.candles.begin(), result.candles.end());
      chunk_done(job.item);
      return;
    }
    case ChartStatus::kNoData:
      chunk_done(job.item);
      return;
    case ChartStatus::kRateLimited: {
      ++progress_.rate_limited;
      if (++job.rate_limited > options_.max_rate_limit_retries) return fail(job.item, "still rate limited: " + result.message);
      const auto delay = result.retry_after ? Clock::duration(*result.retry_after) : backoff(job.rate_limited);
      limiter_.on_rate_limited(now + delay);  // the server's window is full for everyone
      return retry(job, now + delay);
    }
    case ChartStatus::kRetryable:
      if (++job.attempts > options_.max_retries) return fail(job.item, result.message);
      return retry(job, now + backoff(job.attempts));
    case ChartStatus::kRejected:
      return fail(job.item, result.message);
    case ChartStatus::kFatal:
      return fatal(result.message);
  }
}

void HistoryLoader::Impl::retry(Job job, Clock::time_point at) {
  ++progress_.retries;
  delayed_.emplace(at, job);
}

Clock::duration HistoryLoader::Impl::backoff(int attempt) const {
  const int doublings = std::clamp(attempt - 1, 0, 20);
  return std::min<Clock::duration>(options_.backoff_max, options_.backoff_initial * (std::int64_t{1} << doublings));
}

void HistoryLoader::Impl::chunk_done(std::size_t i) {
  if (--items_[i].chunks_left == 0) finish_item(i);
}

void HistoryLoader::Impl::fail(std::size_t i, const std::string& why) {
  spdlog::warn("history: giving up on {}: {}", key_text(items_[i].request.key), why);
  items_[i].failed = true;
  finish_item(i);
}

void HistoryLoader::Impl::finish_item(std::size_t i) {
  Item& item = items_[i];
  auto fetched = std::exchange(item.fetched, {});
  if (!use_cache_) return deliver(i, newest_of(std::move(fetched), options_.deliver_candles));
  // The gaps are adjacent to what was covered, so the union is contiguous.
  std::optional<IstRange> covered;
  if (!item.failed) covered = IstRange{window_.from, std::max(window_.to, item.covered ? item.covered->to : window_.to)};
  const bool changed = item.covered != covered;
  on_worker(
      [this, key = item.request.key, fetched = std::move(fetched), covered, changed]() mutable {
        try {
          if (covered && changed) cache_->store(key, fetched, *covered);
          return cache_->newest(key, window_, options_.deliver_candles);
        } catch (const std::exception& e) {
          spdlog::warn("history: candle cache error for {} ({}); using the fetched candles", key_text(key), e.what());
          return newest_of(std::move(fetched), options_.deliver_candles);
        }
      },
      [this, i](std::vector<market::Candle> candles) { deliver(i, std::move(candles)); });
}

void HistoryLoader::Impl::deliver(std::size_t i, std::vector<market::Candle> candles) {
  if (items_[i].failed) {
    ++progress_.failed;
  } else {
    ++progress_.done;
    if (candles.empty()) ++progress_.no_history;
  }
  if (!candles.empty() && callbacks_.on_candles) callbacks_.on_candles(items_[i].request.key, std::move(candles));
  log_progress();
  if (progress_.done + progress_.failed == progress_.total) {
    progress_.running = false;
    timer_.cancel();
    if (callbacks_.on_done) callbacks_.on_done();
    return;
  }
  pump();
}

void HistoryLoader::Impl::log_progress() {
  const std::size_t resolved = progress_.done + progress_.failed;
  const std::size_t decile = resolved * 10 / progress_.total;
  if (decile <= logged_decile_) return;
  logged_decile_ = decile;
  const auto eta = progress().eta_seconds;
  spdlog::info("history: {}% ({}/{} instruments, {} failed, {} without history, {} from cache, {} requests, {} rate "
               "limited){}",
               decile * 10, resolved, progress_.total, progress_.failed, progress_.no_history, progress_.from_cache,
               progress_.requests, progress_.rate_limited, eta ? fmt::format(", ETA {:.0f} s", *eta) : std::string());
}

void HistoryLoader::Impl::fatal(const std::string& message) {
  spdlog::error("history: {}", message);
  progress_.fatal = true;
  stop();
  if (callbacks_.on_fatal) callbacks_.on_fatal(message);
}

void HistoryLoader::Impl::stop() {
  stopped_ = true;
  progress_.running = false;
  queue_.clear();
  delayed_.clear();
  timer_.cancel();
}

HistoryProgress HistoryLoader::Impl::progress() const {
  HistoryProgress p = progress_;
  if (p.running) {
    // The rate limit dominates: what is left, at the configured rate.
    const auto left = queue_.size() + delayed_.size() + p.in_flight;
    p.eta_seconds = static_cast<double>(left) / options_.requests_per_second;
  }
  return p;
}

HistoryLoader::HistoryLoader(asio::io_context& io, net::HttpClient& http, HistoryOptions options,
                             HistoryCallbacks callbacks)
    : impl_(std::make_shared<Impl>(io, http, std::move(options), std::move(callbacks))) {}

HistoryLoader::~HistoryLoader() { impl_->stop(); }

void HistoryLoader::start(std::vector<HistoryRequest> instruments, market::IstSeconds now) {
  impl_->start(std::move(instruments), now);
}

HistoryProgress HistoryLoader::progress() const { return impl_->progress(); }

void HistoryLoader::stop() { impl_->stop(); }

}  // namespace fno::dhan
