#!/usr/bin/env bash
# A checkout must not depend on where one machine keeps things: no script,
# test or benchmark names an absolute path under /work or /home.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
if grep -rnE '(^|[^A-Za-z0-9_.])/(work|home)/' scripts tests bench .ci CMakeLists.txt \
  --include='*.sh' --include='*.py' --include='run' --include='CMakeLists.txt' --exclude='no_machine_paths.sh'; then
  echo "FAIL: absolute machine paths above (use \$LLMCOST_SHARED or paths relative to the checkout)"
  exit 1
fi
echo "no machine paths in scripts, tests or benchmarks"
