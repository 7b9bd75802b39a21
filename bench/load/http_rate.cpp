// http_rate.cpp
//
// Open-loop, fixed-rate HTTP/1.1 load generator for one loopback URL (what
// wrk cannot do: wrk waits for each answer before the next request, so a
// slow server lowers the offered rate and hides the queueing it causes).
// Request i is due at start + i / rate whatever happened before; a due
// request takes an idle keep-alive connection, opens a new one (up to
// --connections) or waits in a backlog. Latency is measured from the due
// time to the last byte of the answer, so time spent waiting for a
// connection counts (no coordinated omission). After --seconds it stops
// issuing and waits at most --drain-seconds for answers still out; those
// count as timeouts. Prints one JSON object (stdout):
//   {"url", "rate", "seconds", "sent", "completed", "non_2xx", "errors",
//    "timeouts", "achieved_rps", "p50_ms", "p99_ms", "p999_ms", "max_ms"}
// Single-threaded (one io_context): at 1,000 req/s of small answers it uses
// a few % of a core, so the server, not the generator, sets the latency.
//
// usage: fno_http_rate --url http://127.0.0.1:PORT/api/status --rate 1000
//                      [--seconds 15] [--connections 64] [--drain-seconds 5]
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host;
  std::string port;
  std::string target;
  double rate = 1000;
  double seconds = 15;
  std::size_t connections = 64;
  double drain_seconds = 5;
};

struct Tally {
  std::vector<double> latencies_ms;
  std::size_t sent = 0;
  std::size_t non_2xx = 0;
  std::size_t errors = 0;
};

class Generator;

// One keep-alive connection: connect once, then request/answer in turn.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Generator& owner) : stream_(io), owner_(owner) {}
  void send(Clock::time_point due);
  bool busy() const { return busy_; }

 private:
  void on_connect(beast::error_code ec);
  void write();
  void on_read(beast::error_code ec);
  void fail();

  beast::tcp_stream stream_;
  Generator& owner_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> req_;
  http::response<http::string_body> res_;
  Clock::time_point due_;
  bool connected_ = false;
  bool busy_ = false;
};

class Generator {
 public:
  Generator(asio::io_context& io, Options options) : io_(io), options_(std::move(options)), timer_(io) {}

  void run() {
    start_ = Clock::now();
    end_ = start_ + to_duration(options_.seconds);
    tick();
    io_.run();
  }

  const Options& options() const { return options_; }
  const tcp::resolver::results_type& endpoints() {
    if (endpoints_.empty()) endpoints_ = tcp::resolver(io_).resolve(options_.host, options_.port);
    return endpoints_;
  }
  Tally& tally() { return tally_; }
  Clock::time_point start() const { return start_; }
  Clock::time_point finished() const { return finished_; }

  // A connection finished one exchange (or failed): record it, hand it the next due request.
  void on_done(const std::shared_ptr<Connection>& conn, Clock::time_point due, std::optional<unsigned> status) {
    --outstanding_;
    if (!status) {
      ++tally_.errors;
      std::erase(pool_, conn);
    } else {
      tally_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
      if (*status / 100 != 2) ++tally_.non_2xx;
    }
    dispatch();
    maybe_finish();
  }

 private:
  static Clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  Clock::time_point due_time(std::size_t i) const {
    return start_ + to_duration(static_cast<double>(i) / options_.rate);
  }

  // Queues every request due by now, sends what connections allow, sleeps until the next one.
  void tick() {
    const auto now = Clock::now();
    while (due_time(issued_) <= now && due_time(issued_) < end_) backlog_.push_back(due_time(issued_++));
    dispatch();
    if (due_time(issued_) < end_) {
      timer_.expires_at(due_time(issued_));
      timer_.async_wait([this](beast::error_code ec) {
        if (!ec) tick();
      });
      return;
    }
    issuing_done_ = true;
    timer_.expires_at(end_ + to_duration(options_.drain_seconds));
    timer_.async_wait([this](beast::error_code ec) {
      if (!ec) stop();
    });
    maybe_finish();
  }

  void dispatch() {
    while (!backlog_.empty()) {
      auto conn = idle_connection();
      if (!conn) return;
      ++outstanding_;
      ++tally_.sent;
      const auto due = backlog_.front();
      backlog_.pop_front();
      conn->send(due);
    }
  }

  std::shared_ptr<Connection> idle_connection() {
    for (const auto& conn : pool_) {
      if (!conn->busy()) return conn;
    }
    if (pool_.size() >= options_.connections) return nullptr;
    pool_.push_back(std::make_shared<Connection>(io_, *this));
    return pool_.back();
  }

  void maybe_finish() {
    if (issuing_done_ && outstanding_ == 0 && backlog_.empty()) stop();
  }

  void stop() {
    if (finished_ == Clock::time_point{}) finished_ = Clock::now();
    timeouts_ = outstanding_ + backlog_.size();
    io_.stop();
  }

 public:
  std::size_t timeouts() const { return timeouts_; }

 private:
  asio::io_context& io_;
  Options options_;
  asio::steady_timer timer_;
  tcp::resolver::results_type endpoints_;
  std::vector<std::shared_ptr<Connection>> pool_;
  std::deque<Clock::time_point> backlog_;
  Clock::time_point start_, end_, finished_;
  std::size_t issued_ = 0;
  std::size_t outstanding_ = 0;
  std::size_t timeouts_ = 0;
  bool issuing_done_ = false;
  Tally tally_;
};

void Connection::send(Clock::time_point due) {
  due_ = due;
  busy_ = true;
  if (connected_) return write();
  stream_.async_connect(owner_.endpoints(), [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
    self->on_connect(ec);
  });
}

void Connection::on_connect(beast::error_code ec) {
  if (ec) return fail();
  connected_ = true;
  stream_.socket().set_option(tcp::no_delay(true));
  write();
}

void Connection::write() {
  req_ = {http::verb::get, owner_.options().target, 11};
  req_.set(http::field::host, owner_.options().host + ":" + owner_.options().port);
  req_.keep_alive(true);
  http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->fail();
    self->res_ = {};
    http::async_read(self->stream_, self->buffer_, self->res_,
                     [self](beast::error_code ec, std::size_t) { self->on_read(ec); });
  });
}

void Connection::on_read(beast::error_code ec) {
  if (ec) return fail();
  busy_ = false;
  const auto status = res_.result_int();
  if (!res_.keep_alive()) {
    connected_ = false;
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }
  owner_.on_done(shared_from_this(), due_, status);
}

void Connection::fail() {
  busy_ = false;
  connected_ = false;
  beast::error_code ignored;
  stream_.socket().close(ignored);
  owner_.on_done(shared_from_this(), due_, std::nullopt);
}

// Nearest-rank percentile of sorted latencies as JSON text ("null" when nothing completed).
std::string percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return "null";
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return std::to_string(sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1]);
}

// http://HOST:PORT/PATH (loopback benchmarks only: no TLS, no redirects).
bool parse_url(std::string_view url, Options& out) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return false;
  url.remove_prefix(kScheme.size());
  const auto slash = url.find('/');
  const auto authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const auto colon = authority.rfind(':');
  out.host = std::string(authority.substr(0, colon));
  out.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  return !out.host.empty();
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "fno_http_rate: %s\nusage: fno_http_rate --url http://HOST:PORT/PATH --rate N "
               "[--seconds S] [--connections C] [--drain-seconds D]\n", why);
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  Options o;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) usage("every option takes a value");
    const char* value = argv[++i];
    if (arg == "--url") have_url = parse_url(value, o);
    else if (arg == "--rate") o.rate = std::atof(value);
    else if (arg == "--seconds") o.seconds = std::atof(value);
    else if (arg == "--connections") o.connections = static_cast<std::size_t>(std::atol(value));
    else if (arg == "--drain-seconds") o.drain_seconds = std::atof(value);
    else usage("unknown option");
  }
  if (!have_url) usage("--url http://HOST:PORT/PATH is required");
  if (o.rate <= 0 || o.seconds <= 0 || o.connections == 0 || o.drain_seconds < 0) usage("bad number");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_args(argc, argv);
  asio::io_context io;
  Generator generator(io, options);
  try {
    generator.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fno_http_rate: %s\n", e.what());
    return 1;
  }
  auto& tally = generator.tally();
  auto& lat = tally.latencies_ms;
  std::sort(lat.begin(), lat.end());
  const double wall = std::chrono::duration<double>(generator.finished() - generator.start()).count();
  std::printf("{\"url\":\"http://%s:%s%s\",\"rate\":%g,\"seconds\":%g,\"sent\":%zu,\"completed\":%zu,"
              "\"non_2xx\":%zu,\"errors\":%zu,\"timeouts\":%zu,\"achieved_rps\":%.1f,"
              "\"p50_ms\":%s,\"p99_ms\":%s,\"p999_ms\":%s,\"max_ms\":%s}\n",
              options.host.c_str(), options.port.c_str(), options.target.c_str(), options.rate, options.seconds,
              tally.sent, lat.size(), tally.non_2xx, tally.errors, generator.timeouts(),
              static_cast<double>(lat.size()) / std::max(wall, 1e-9), percentile(lat, 50).c_str(),
              percentile(lat, 99).c_str(), percentile(lat, 99.9).c_str(), percentile(lat, 100).c_str());
  return 0;
}
