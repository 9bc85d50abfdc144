#!/usr/bin/env bash
# Tests the Linux kernel tree in the current directory, as the MPTCP CI's `auto-normal` does:
# configure it for tsdrill's tests, build it, boot it in QEMU and run the scripts there.
#
# Usage: kernel-auto.sh auto|auto-debug [SUITE_DIR...]
#   auto         defconfig (TSDRILL_KCONFIG_BASE) + docker/kconfig/tsdrill.config
#   auto-debug   the same + docker/kconfig/debug.config (KASAN, lockdep, kmemleak, UBSAN);
#                timing tolerances x8 (x8 times the TCG factor when there is no KVM)
#   SUITE_DIR    scripts to run (default: tsdrill's own scripts/); a mounted suite works too
# Environment:
#   TSDRILL_KCONFIG_BASE  make target for the base config (default defconfig; tinyconfig builds
#                         in a fraction of the time and the fragment makes it bootable)
#   TSDRILL_KCONFIG_EXTRA another fragment to merge last
#   TSDRILL_OUT           output folder (default .tsdrill/ in the tree): build-MODE/ (the O=
#                         build), results-MODE/ (artefacts), ccache/
#   TSDRILL_CCACHE_DIR    ccache's folder (default TSDRILL_OUT/ccache: kept between runs)
#   TSDRILL_JOBS          make -j (default nproc)
#   TSDRILL_RUN_ARGS      more `tsdrill run` arguments (e.g. "--filter mp_capable --vm-cpus 4")
# Artefacts in results-MODE/: tap/<dir>.tap (one TAP document per script directory), tsdrill.tap
# (all), junit.xml, results.json, kernel.log (console and dmesg of the guest), config, build.log.
# Exit status: tsdrill's (0 all passed, 1 a run failed, 4 the kernel could not run the suite),
# 3 when the tree does not configure or build.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TSDRILL=${TSDRILL:-$ROOT/bin/tsdrill.js}
KCONFIG=${TSDRILL_KCONFIG_DIR:-$HERE/kconfig}

say() { echo "tsdrill auto: $*" >&2; }
die() { say "error: $1"; exit "${2:-3}"; }

mode=${1:-}
case $mode in
  auto|auto-debug) shift ;;
  *) die "usage: $0 auto|auto-debug [SUITE_DIR...]" 2 ;;
esac
[[ -f Makefile && -f Kconfig && -d arch/x86 ]] || die "$PWD is not a Linux source tree (no Makefile, Kconfig, arch/x86)" 2
suites=("$@")
((${#suites[@]})) || suites=("$ROOT/scripts")

TREE=$PWD
OUT=${TSDRILL_OUT:-$TREE/.tsdrill}
BUILD=$OUT/build-$mode
RESULTS=$OUT/results-$mode
export CCACHE_DIR=${TSDRILL_CCACHE_DIR:-$OUT/ccache}
JOBS=${TSDRILL_JOBS:-$(nproc)}
mkdir -p "$BUILD" "$RESULTS/tap" "$CCACHE_DIR"
rm -f "$RESULTS"/tap/*.tap

fragments=("$KCONFIG/tsdrill.config")
[[ $mode == auto-debug ]] && fragments+=("$KCONFIG/debug.config")
[[ -n ${TSDRILL_KCONFIG_EXTRA:-} ]] && fragments+=("$TSDRILL_KCONFIG_EXTRA")
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"

t0=$(date +%s)
log=$RESULTS/build.log
: >"$log"
mk() { make -C "$TREE" O="$BUILD" CC="$cc" HOSTCC="$cc" "$@" >>"$log" 2>&1; }
say "configuring ($mode: ${TSDRILL_KCONFIG_BASE:-defconfig} + ${fragments[*]##*/}) in $BUILD"
mk "${TSDRILL_KCONFIG_BASE:-defconfig}" || die "make ${TSDRILL_KCONFIG_BASE:-defconfig} failed: see $log"
(cd "$TREE" && scripts/kconfig/merge_config.sh -m -O "$BUILD" "$BUILD/.config" "${fragments[@]}") >>"$log" 2>&1 \
  || die "merging the config fragments failed: see $log"
mk olddefconfig || die "make olddefconfig failed: see $log"
# A fragment line the kernel refused (a dependency missing) is a config this tree cannot give.
missing=$(cat "${fragments[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=y' | while read -r line; do
  grep -qxF "$line" "$BUILD/.config" || echo "${line%=y}"
done)
[[ -z $missing ]] || say "warning: not set in the final config (missing dependencies?): $(echo $missing)"
cp "$BUILD/.config" "$RESULTS/config"

targets=(bzImage)
grep -qx 'CONFIG_MODULES=y' "$BUILD/.config" && targets+=(modules)
say "building ${targets[*]} with -j$JOBS ($cc; log: $log)"
mk -j"$JOBS" "${targets[@]}" || { tail -30 "$log" >&2; die "the build failed: see $log"; }
t1=$(date +%s)
say "built $(cat "$BUILD/include/config/kernel.release") in $((t1 - t0)) s"

extra=()
if [[ $mode == auto-debug ]]; then
  factor=8
  [[ -r /dev/kvm && -w /dev/kvm ]] || factor=$((8 * 4))
  extra+=(--tolerance-scale "$factor")
  say "debug kernel: timing tolerances x$factor"
fi
set +e
# shellcheck disable=SC2086
"$TSDRILL" run --kernel "$BUILD" --vm-log "$RESULTS/kernel.log" \
  --junit "$RESULTS/junit.xml" --json "$RESULTS/results.json" "${extra[@]}" ${TSDRILL_RUN_ARGS:-} "${suites[@]}" \
  | tee "$RESULTS/tsdrill.tap"
rc=${PIPESTATUS[0]}
set -e
# One TAP document per directory: each `# Subtest: DIR` block, unindented.
awk -v dir="$RESULTS/tap" '
  /^# Subtest: / { name = substr($0, 12); gsub(/[^A-Za-z0-9_.-]/, "_", name); f = dir "/" name ".tap"; print "TAP version 13" > f; next }
  f && /^    / { print substr($0, 5) > f; next }
  f { close(f); f = "" }
' "$RESULTS/tsdrill.tap"
say "results in $RESULTS (exit $rc; build $((t1 - t0)) s, run $(($(date +%s) - t1)) s)"
exit "$rc"
