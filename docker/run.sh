#!/usr/bin/env bash
# Runs tsdrill in its image against this machine's kernel, in the current directory:
#
#   docker/run.sh run scripts/          # = docker run --privileged --rm -v "$PWD:$PWD" -w "$PWD" tsdrill run scripts/
#
# It adds what the plain command needs on some hosts:
# - where this process's capability bounding set lacks capabilities (inside another container or
#   sandbox), `--privileged` fails with "unable to apply caps: operation not permitted"; then it
#   grants the same rights one by one: every capability that exists here, /dev/net/tun, no
#   seccomp/AppArmor confinement, writable /proc/sys (TSDRILL_DOCKER_PRIVILEGED=1 or 0 forces
#   either form);
# - -it when stdin is a terminal;
# - under sudo, HOST_UID/HOST_GID = the sudo caller, so the files written are theirs.
# Environment: TSDRILL_IMAGE (default tsdrill), DOCKER (default docker), TSDRILL_DOCKER_ARGS
# (extra `docker run` arguments, split on spaces).
set -euo pipefail

IMAGE=${TSDRILL_IMAGE:-tsdrill}
DOCKER=${DOCKER:-docker}

# Capability names by number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE (40).
CAPS=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
  NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO
  SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
  SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
  WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)

# The capabilities missing from this process's bounding set (dockerd, started from the same
# environment, cannot give containers more than that).
missing_caps() {
  local bnd i
  bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
  for i in "${!CAPS[@]}"; do
    (((0x$bnd >> i) & 1)) || echo "${CAPS[$i]}"
  done
}

privileged_flags() {
  local mode=${TSDRILL_DOCKER_PRIVILEGED:-auto} missing c
  missing=$(missing_caps)
  if [[ $mode == 1 || ($mode == auto && -z $missing) ]]; then
    echo --privileged
    return
  fi
  # One argument a line (read back with mapfile).
  printf '%s\n' --cap-add=ALL
  for c in $missing; do printf '%s\n' "--cap-drop=$c"; done
  printf '%s\n' --device=/dev/net/tun --security-opt=seccomp=unconfined \
    --security-opt=apparmor=unconfined --security-opt=systempaths=unconfined
}

args=(run --rm -v "$PWD:$PWD" -w "$PWD")
mapfile -t priv < <(privileged_flags)
args+=("${priv[@]}")
[[ -t 0 && -t 1 ]] && args+=(-it)
if [[ -n ${SUDO_UID:-} ]]; then args+=(-e "HOST_UID=$SUDO_UID" -e "HOST_GID=${SUDO_GID:-$SUDO_UID}"); fi
for v in HOST_UID HOST_GID TSDRILL_CHOWN TSDRILL_CHOWN_PATHS; do
  if [[ -n ${!v:-} ]]; then args+=(-e "$v=${!v}"); fi
done
# shellcheck disable=SC2206
[[ -n ${TSDRILL_DOCKER_ARGS:-} ]] && args+=(${TSDRILL_DOCKER_ARGS})
exec "$DOCKER" "${args[@]}" "$IMAGE" "$@"
