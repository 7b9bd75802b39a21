// Connects to fno-scanner with the real socket.io-client (websocket transport
// only), waits for the first "alert" event and prints it as one JSON line.
// Usage: node socketio_alert.mjs <port>. Exit 0 on an alert, 1 on error/timeout.
import { io } from "socket.io-client";

const port = process.argv[2];
const socket = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false, timeout: 10000 });
const deadline = setTimeout(() => {
  console.error("no alert event within 20 s");
  process.exit(1);
}, 20000);

socket.on("connect", () => console.error(`connected sid=${socket.id}`));
socket.on("connect_error", (err) => {
  console.error(`connect_error: ${err.message}`);
  process.exit(1);
});
socket.on("alert", (alert) => {
  console.log(JSON.stringify(alert));
  clearTimeout(deadline);
  socket.close();
  process.exit(0);
});
