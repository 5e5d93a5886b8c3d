#!/usr/bin/env bash
# Installs what is missing (Debian packages) and builds llmcost into build/.
# Used by scripts/quickstart.sh and scripts/test.sh; safe to run again.
#   BUILD_DIR (default build), BUILD_TYPE (default Release), WERROR=1 for -Werror.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config libcli11-dev libfmt-dev nlohmann-json3-dev doctest-dev zlib1g-dev ccache python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DLLMCOST_WERROR="${WERROR:-0}" \
  -DLLMCOST_SANITIZE="${SANITIZE:-0}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
