#!/usr/bin/env bash
# The man page's .TH line names the version `llmcost --version` prints, which
# comes from CMake's project(VERSION): bump both together.
set -u
bin=$1
man=$(dirname "$0")/../man/llmcost.1
version=$("$bin" --version) # "llmcost X.Y.Z"
th=$(grep -m1 '^\.TH ' "$man")
if [[ $th != *"\"$version\""* ]]; then
  echo "man/llmcost.1: $th"
  echo "does not name \"$version\" (CMakeLists.txt project VERSION); update its .TH line"
  exit 1
fi
echo "man page names $version"
