#!/usr/bin/env bash
# Installs what fno-scanner needs to build and test, from Debian 12 packages
# only. Idempotent and fast when everything is present (one dpkg-query call).
# As root it installs what is missing; otherwise it prints the exact command.
set -euo pipefail
# --e2e also installs Debian's Chromium for the dashboard e2e suite;
# --bench also installs wrk for the HTTP load run of `make bench` (never by default);
# --fuzz installs clang and its libFuzzer/sanitizer runtime for `make fuzz` (never by default).

# Debian 12's default Boost is 1.74, which lacks Boost.JSON and Boost.URL,
# so the 1.81 packages are pinned by name.
packages=(
  build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev ca-certificates
  libsqlite3-dev libsqlitecpp-dev sqlite3
  libzstd-dev
  libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy python3 python3-yaml curl
)
for flag in "$@"; do
  case $flag in
    --e2e) packages+=(chromium) ;;
    --bench) packages+=(wrk) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    *) echo "bootstrap: unknown option $flag (expected --e2e, --bench or --fuzz)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
# Node.js and npm build the dashboard; any existing install is fine.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "bootstrap: missing packages: ${missing[*]}" >&2
  echo "bootstrap: run as root:  apt-get update && $cmd" >&2
  exit 1
fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$cmd
