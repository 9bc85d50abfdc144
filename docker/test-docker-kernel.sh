#!/usr/bin/env bash
# The kernel-tree image test (npm run test:docker-kernel), as root:
#  1. a Docker engine (installs docker.io / starts dockerd as docker/test-docker.sh does);
#  2. the kernel base tsdrill-base:trixie-kernel via `docker/make-base.sh --kernel --base-only`
#     when missing, then the image under a tag of its own;
#  3. a Linux tree: Debian's linux-source-6.12 (apt-get download; TSDRILL_DOCKER_KERNEL_SOURCE
#     names another package, TSDRILL_DOCKER_KERNEL_TREE an unpacked tree to use as it is);
#  4. `auto` in that tree through docker/run.sh, with tinyconfig as the base (the fragment makes it
#     bootable; a defconfig build takes too long for CI) and scripts/tcp as the suite: exit 0,
#     TAP per directory, JUnit, results.json naming the built kernel, the kernel log, files owned
#     by the tree's owner; and `auto` outside a kernel tree: exit 2 with a message;
#  5. removes its containers, image, the base if it built it (TSDRILL_DOCKER_KEEP_BASE=1 keeps it),
#     the tree it unpacked, and dockerd if it started it; prints "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DOCKER=${DOCKER:-docker}
BASE_IMAGE=${TSDRILL_KERNEL_BASE_IMAGE:-tsdrill-base:trixie-kernel}
ID=tsdrill-ktest-$$-$RANDOM
TAG=tsdrill-kernel-test:$ID
SOURCE_PKG=${TSDRILL_DOCKER_KERNEL_SOURCE:-linux-source-6.12}
SUITE=${TSDRILL_DOCKER_KERNEL_SUITE:-/opt/tsdrill/scripts/tcp}
# A kernel tree and its build are a few GB: a real disk, not /tmp.
SCRATCH=$(mktemp -d /var/tmp/tsdrill-docker-kernel.XXXXXX)
passed=0 failed=0
started_dockerd= built_base=0 built_image=0

# shellcheck source=docker/test-lib.sh
source "$ROOT/docker/test-lib.sh"
trap 'finish' INT TERM

((EUID == 0)) || { echo "test-docker-kernel: must run as root (dockerd, --privileged)" >&2; exit 2; }
cd "$ROOT" || exit 2

# ---- 1. engine
ensure_engine

# ---- 2. base and image
if ! "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  t0=$(now)
  out=$(docker/make-base.sh --kernel --base-only --base-tag "$BASE_IMAGE" 2>&1) || setup_fail "docker/make-base.sh --kernel --base-only" "$out"
  built_base=1
  log "base $BASE_IMAGE built in $(took "$t0")"
fi
t0=$(now)
out=$("$DOCKER" build --network host --force-rm --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "TSDRILL_BUILD_ID=$ID" -t "$TAG" . 2>&1)
rc=$?
built_image=1
((rc == 0)) || setup_fail "docker build ($TAG on $BASE_IMAGE)" "$out"
ok "docker build on $BASE_IMAGE ($(took "$t0"))"

# ---- 3. a kernel tree
if [[ -n ${TSDRILL_DOCKER_KERNEL_TREE:-} ]]; then
  TREE=$TSDRILL_DOCKER_KERNEL_TREE
else
  t0=$(now)
  out=$(cd "$SCRATCH" && apt-get download -q "$SOURCE_PKG" 2>&1 && dpkg-deb -x "$SCRATCH"/"$SOURCE_PKG"_*.deb "$SCRATCH/pkg" 2>&1) \
    || setup_fail "apt-get download $SOURCE_PKG" "$out"
  out=$(tar -C "$SCRATCH" -xaf "$SCRATCH"/pkg/usr/src/linux-source-*.tar.* 2>&1) || setup_fail "unpacking $SOURCE_PKG" "$out"
  rm -rf "$SCRATCH/pkg" "$SCRATCH"/*.deb
  TREE=$(echo "$SCRATCH"/linux-source-*)
  chown -R 4242:4343 "$TREE"
  log "kernel tree $TREE ready in $(took "$t0")"
fi

# ---- 4. auto
t0=$(now)
(cd "$TREE" && DRUN_ARGS="-e TSDRILL_KCONFIG_BASE=tinyconfig" drun "$SCRATCH/auto.out" auto "$SUITE"); rc=$?
log "auto: $(took "$t0"): $(grep -E '^tsdrill auto: (built|results)' "$SCRATCH/auto.out" | tr '\n' ' ')"
res=$TREE/.tsdrill/results-auto
why=
((rc == 0)) || why="exit $rc"
grep -Eq '^\s*not ok' "$SCRATCH/auto.out" && why="${why:+$why; }a run failed"
for f in tap/tcp.tap junit.xml results.json kernel.log config build.log; do [[ -s $res/$f ]] || why="${why:+$why; }no $f"; done
release=$(cat "$TREE/.tsdrill/build-auto/include/config/kernel.release" 2>/dev/null)
grep -q "\"kernel\": \"$release\"" "$res/results.json" 2>/dev/null || why="${why:+$why; }results.json does not name $release"
[[ $(stat -c %u:%g "$res/results.json" 2>/dev/null) == 4242:4343 ]] || why="${why:+$why; }results.json is not the tree owner's"
if [[ -z $why ]]; then ok "auto in $SOURCE_PKG: built $release, booted it, ran $SUITE, wrote the artefacts"
else not_ok "auto in $SOURCE_PKG: $why"; tail -40 "$SCRATCH/auto.out" | indent; fi

mkdir -p "$SCRATCH/not-a-tree"
(cd "$SCRATCH/not-a-tree" && drun "$SCRATCH/notree.out" auto); rc=$?
if ((rc == 2)) && grep -q 'not a Linux source tree' "$SCRATCH/notree.out"; then ok "auto outside a kernel tree: exit 2 with a message"
else not_ok "auto outside a kernel tree (exit $rc)"; indent <"$SCRATCH/notree.out"; fi

finish
