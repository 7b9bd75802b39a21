#!/usr/bin/env bash
# Docker HEALTHCHECK: GET /api/status on loopback with bash's /dev/tcp (no
# curl in the image). Healthy on 200 (ok or degraded); 503 (scanner down),
# 401 or no answer is unhealthy. Sends the dashboard token as a bearer token
# because token mode protects /api/status too.
set -euo pipefail
port=${FNO_HEALTH_PORT:-5000}
exec 3<>"/dev/tcp/127.0.0.1/$port"
auth=""
[[ -n ${DASHBOARD_TOKEN:-} ]] && auth=$'Authorization: Bearer '"$DASHBOARD_TOKEN"$'\r\n'
printf 'GET /api/status HTTP/1.0\r\nHost: 127.0.0.1\r\n%s\r\n' "$auth" >&3
IFS=' ' read -r _ code _ <&3
[[ $code == 200 ]]
