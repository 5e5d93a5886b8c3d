#!/usr/bin/env bash
# README command 1: install what is missing, build, and price the bundled sample workloads.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/llmcost estimate samples/workloads.json "$@"
