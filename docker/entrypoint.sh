#!/usr/bin/env bash
# Entrypoint of the tsdrill image: runs `tsdrill "$@"` as root (network namespaces and TUN need
# it), then gives the files the run created in the working directory back to the caller, so a
# `docker run -v "$PWD:$PWD" -w "$PWD" ...` leaves results and pcaps owned as if the caller had
# made them.
#
# Whose they become: HOST_UID / HOST_GID if given (`-e HOST_UID=$(id -u) -e HOST_GID=$(id -g)`),
# else the owner of the working directory. Nothing is changed when that is root, when the
# working directory is /, or with TSDRILL_CHOWN=0. Only files owned by root and modified during
# the run are changed (find -newer a stamp taken before the run), in the working directory
# and in any extra folders listed in TSDRILL_CHOWN_PATHS (space-separated).
set -uo pipefail

TSDRILL=${TSDRILL:-/usr/local/bin/tsdrill}
say() { echo "tsdrill (docker): $*" >&2; }

# `auto` / `auto-debug` in a Linux source tree: configure, build, boot and test that kernel
# (docker/kernel-auto.sh; the image must be built on the --kernel base of docker/make-base.sh).
case ${1:-} in
  auto|auto-debug)
    for tool in qemu-system-x86_64 gcc make flex bison; do
      command -v "$tool" >/dev/null || { say "this image has no $tool: build it on the kernel base (docker/make-base.sh --kernel, see docs/docker.md)"; exit 2; }
    done
    ;;
esac

# Commands that touch the kernel need /dev/net/tun and the right to make a network namespace:
# say so plainly instead of failing in every run.
case ${1:-} in
  run|repro)
    if [[ ! -c /dev/net/tun ]]; then
      say "/dev/net/tun is missing in the container: run it with --privileged (see docs/docker.md)"
      exit 2
    fi
    if ! unshare -n true 2>/dev/null; then
      say "cannot create a network namespace (unshare -n failed): run the container with --privileged (see docs/docker.md)"
      exit 2
    fi
    ;;
esac

wd=$PWD
uid=${HOST_UID:-} gid=${HOST_GID:-}
if [[ -z $uid ]]; then uid=$(stat -c %u "$wd" 2>/dev/null || echo 0); fi
if [[ -z $gid ]]; then gid=$(stat -c %g "$wd" 2>/dev/null || echo 0); fi
chown_wanted=1
if [[ ${TSDRILL_CHOWN:-1} == 0 || $wd == / || ( $uid == 0 && $gid == 0 ) ]]; then chown_wanted=0; fi

stamp=
if ((chown_wanted)); then
  stamp=$(mktemp /tmp/tsdrill-stamp.XXXXXX) || chown_wanted=0
  # find -newer is strict and file times move in clock ticks (a few ms): step the stamp 20 ms
  # back so that a file written in the same tick still counts as newer.
  [[ -n $stamp ]] && touch -d "@$(date -d '-0.02 seconds' +%s.%N)" "$stamp"
fi

# tsdrill runs as a child (not exec) so the clean-up below happens; signals reach it.
case ${1:-} in
  auto|auto-debug) TSDRILL=$TSDRILL /opt/tsdrill/docker/kernel-auto.sh "$@" & ;;
  *) "$TSDRILL" "$@" & ;;
esac
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
trap 'kill -HUP "$child" 2>/dev/null' HUP
while :; do
  wait "$child"
  rc=$?
  # wait returns >128 when a trapped signal interrupts it; the child may still be running.
  kill -0 "$child" 2>/dev/null || break
done

if ((chown_wanted)); then
  for dir in "$wd" ${TSDRILL_CHOWN_PATHS:-}; do
    [[ -d $dir ]] || continue
    find "$dir" -xdev -uid 0 -newer "$stamp" -exec chown -h "$uid:$gid" {} + 2>/dev/null \
      || say "warning: could not give the files under $dir to $uid:$gid"
  done
  rm -f "$stamp"
fi
exit "$rc"
