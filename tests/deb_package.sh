#!/usr/bin/env bash
# The Debian package: built by CPack from the build tree, it declares its
# runtime libraries, holds the binary, man page, completions and cards, and
# installs with dpkg into a throwaway root (--root, so the system is not
# touched) where the binary runs. Skipped, saying so, without dpkg-deb.
#   tests/deb_package.sh BUILD_DIR
set -u
build=$(realpath "$1")
if ! command -v dpkg-deb >/dev/null || ! command -v cpack >/dev/null; then
  echo "skip: dpkg-deb or cpack not installed"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
(cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) ||
  { echo "FAIL: cpack -G DEB"; cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/out/llmcost_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
# Depends names the package of every library the binary loads: libc6, plus
# libfmt9, libstdc++6 and libgcc-s1 when they are not linked in
# (LLMCOST_STATIC_RUNTIME=OFF or a sanitizer build).
grep -q "libc6" <<<"$depends" || { echo "FAIL: Depends lacks libc6: $depends"; fail=1; }
needed=$(LC_ALL=C readelf -d "$build/llmcost" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for pair in libfmt.so:libfmt9 libstdc++.so:libstdc++6 libgcc_s.so:libgcc-s1; do
  if grep -q "^${pair%%:*}" <<<"$needed" && ! grep -q "${pair#*:}" <<<"$depends"; then
    echo "FAIL: llmcost loads ${pair%%:*} but Depends lacks ${pair#*:}: $depends"
    fail=1
  fi
done
for f in ./usr/bin/llmcost ./usr/share/man/man1/llmcost.1 ./usr/share/bash-completion/completions/llmcost \
  ./usr/share/zsh/vendor-completions/_llmcost ./usr/share/fish/vendor_completions.d/llmcost.fish \
  ./usr/share/llmcost/pricing/moonshot.json; do
  dpkg-deb -c "$deb" | awk '{print $6}' | grep -qx "$f" || { echo "FAIL: package lacks $f"; fail=1; }
done
# Install into an empty root with its own dpkg database. Its dependencies are
# the host's libraries (the root has none of its own), hence --force-depends.
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
if ! dpkg --root="$root" --force-depends --force-not-root --log=/dev/null -i "$deb" >"$tmp/dpkg.log" 2>&1; then
  echo "FAIL: dpkg --root -i"
  cat "$tmp/dpkg.log"
  fail=1
fi
grep -q "^Status: install ok installed" "$root/var/lib/dpkg/status" || { echo "FAIL: not recorded as installed"; fail=1; }
version=$("$root/usr/bin/llmcost" --version) || fail=1
[ "$version" = "llmcost $(dpkg-deb -f "$deb" Version)" ] || { echo "FAIL: --version says '$version'"; fail=1; }
total=$("$root/usr/bin/llmcost" estimate --model moonshot/kimi-k2.6 --requests 100k --input-tokens 1000 \
  --output-tokens 300 --format json | grep -o '"total": "[0-9.]*"' | head -1)
[ "$total" = '"total": "215.00"' ] || { echo "FAIL: installed binary priced $total"; fail=1; }
[ $fail = 0 ] && echo "debian package: ok ($(basename "$deb"); Depends: $depends)"
exit $fail
