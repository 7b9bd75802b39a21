#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries BINARY links,
# one per line, so the runtime image installs exactly those (no -dev
# packages, no toolchain). Run where the binary was built.
#   usage: runtime-packages.sh BINARY
set -euo pipefail
binary=${1:?usage: runtime-packages.sh BINARY}

libs=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3}')
[[ -n $libs ]] || { echo "runtime-packages: $binary links no shared libraries?" >&2; exit 1; }
for lib in $libs; do
  # Debian 12 is merged-/usr: dpkg may know /usr/lib/... while ldd prints
  # /lib/... (or the reverse), so ask for both spellings of the real path.
  path=$(realpath "$lib")
  owner=$(dpkg -S "/usr${path#/usr}" "${path#/usr}" 2>/dev/null | head -n1 | cut -d: -f1) || true
  [[ -n $owner ]] || { echo "runtime-packages: no package owns $lib" >&2; exit 1; }
  echo "$owner"
done | sort -u
