// push_session.hpp
//
// One live-push client on an upgraded connection: plain WebSocket (/ws,
// {"type","data"} frames) or Socket.IO v4 over WebSocket (Engine.IO open
// packet, ping/pong, `42["event",data]`). Runs on the connection's strand
// on the server's I/O thread (the dashboard's web thread). Sends at most one frame at a time, choosing the
// next one when the previous write finished: protocol frames, then queued
// alerts/candles, then the newest status, then the next part of the rows
// update being sent, then (at most every rows_interval, and on average at
// most rows_bytes_per_second) the rows changed since its cursor, pulled
// from the Hub in parts of about rows_frame_bytes.
// So an alert waits for at most one bounded frame, never behind a whole
// minute-boundary delta; a slow client gets coalesced rows (a fresh
// snapshot only when behind the hub's pruned tombstones, see hub.hpp), and
// is closed when even its bounded alert queue overflows.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "web/http_server.hpp"
#include "web/hub.hpp"

namespace fno::web {

struct PushOptions {
  std::size_t max_queue = 256;  // alerts/candles waiting for one client
  std::size_t max_queue_bytes = 8u << 20;
  std::chrono::milliseconds rows_interval{100};
  std::size_t rows_frame_bytes = 64 * 1024;  // a larger rows update goes out in several frames
  // After a rows update of B bytes the next one waits max(rows_interval,
  // B / rows_bytes_per_second): a large universe's table refreshes less
  // often (each update coalescing more changes) instead of streaming more
  // than a browser can parse. Alerts, candles and status are never held. 0: no limit.
  // 4 MiB/s does not bind at 5,000 instruments (~3.2 MB/s): there 2 MiB/s
  // made each pull larger and lengthened the alert tail (docs/PERFORMANCE.md).
  std::size_t rows_bytes_per_second = 4u << 20;
  std::size_t max_message = 64 * 1024;  // from the client
  std::size_t max_candle_subscriptions = 16;
  std::chrono::milliseconds ping_interval{25000};  // Socket.IO
  std::chrono::milliseconds ping_timeout{20000};
  std::string version;
  std::string mode;
};

// Takes over an upgraded connection (the WebSocket handshake is answered here).
void start_push_session(boost::beast::tcp_stream stream, Request req, PushProtocol protocol, std::shared_ptr<Hub> hub,
                        const PushOptions& options);

}  // namespace fno::web
