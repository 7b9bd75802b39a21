#!/usr/bin/env bash
# Container entrypoint: picks the config and data locations, decides the bind
# address, keeps a single-file alerts.db mount durable, then execs
# fno-scanner (PID 1 gets SIGTERM from `docker stop` directly).
#
# Layouts:
#   -v $(pwd)/config.json:/app/config.json:ro   used when present; otherwise
#                                               /data/config.json, created from
#                                               the example on first run
#   -v $(pwd)/data:/data (recommended)          alerts.db, caches, logs in /data
#   -v $(pwd)/alerts.db:/app/alerts.db          the original project's form:
#                                               works, with periodic checkpoints
# Any arguments are passed on: `docker run IMAGE --demo`, `... IMAGE backup /data/b.db`.
set -euo pipefail

say() { echo "docker-entrypoint: $*" >&2; }

# The image's fixed locations; overridable so the tests can run this script
# outside a container.
app=${FNO_APP_DIR:-/app}
data=${FNO_DATA_DIR:-/data}
scanner=${FNO_SCANNER_BIN:-/usr/local/bin/fno-scanner}

config=$app/config.json
workdir=$data
if [[ -d $app/alerts.db ]]; then
  say "$app/alerts.db is a directory: Docker creates one when the host file did not exist."
  say "Either create the file first (rm -r alerts.db && touch alerts.db) or, better, mount a"
  say "directory: -v \"\$(pwd)/data:/data\" (alerts.db, caches and logs then live in ./data)."
  exit 2
fi
if [[ -f $app/alerts.db ]]; then
  # The seed's single-file mount: relative paths in the config (db_path
  # "alerts.db") must resolve inside /app.
  workdir=$app
fi
if [[ ! -f $config ]]; then
  config=$data/config.json
  [[ -f $config ]] || cp "$app/config.example.json" "$config"
  say "no $app/config.json mounted: using $config (edit it in the data volume, or mount yours read-only)"
fi
cd "$workdir"

bind=(--bind 127.0.0.1)
if [[ -n ${DASHBOARD_TOKEN:-} ]]; then
  bind=(--bind 0.0.0.0)
else
  say "DASHBOARD_TOKEN is not set, so the dashboard listens on 127.0.0.1 inside the container"
  say "and is NOT reachable through -p 5000:5000. Either:"
  say "  - set a token: -e DASHBOARD_TOKEN=\$(openssl rand -hex 24)   (the dashboard then asks for it), or"
  say "  - run with --network host (no -p): the dashboard is on the host's 127.0.0.1:5000 only."
fi

# With a single-file mount the -wal/-shm side files live in the container's
# own layer, which `docker rm` discards. SQLite folds the WAL into alerts.db
# on a clean shutdown; this loop does it every FNO_CHECKPOINT_SECONDS as well,
# so a crash or `docker kill` loses at most that window of committed alerts.
if [[ $workdir == "$app" ]]; then
  interval=${FNO_CHECKPOINT_SECONDS:-30}
  (
    while sleep "$interval"; do
      sqlite3 -cmd ".timeout 5000" "$app/alerts.db" "PRAGMA wal_checkpoint(PASSIVE);" >/dev/null 2>&1 || true
    done
  ) &
fi

exec "$scanner" --config "$config" "${bind[@]}" "$@"
