#!/bin/sh
# Usage: mptcp-signal-addr.sh ID [FLAGS...]
# Adds a second local address to the test device -- the run's local address (OPT_LOCAL_IP)
# plus one in the last byte (IPv4, also for ipv4-mapped-ipv6 runs) or group (IPv6) -- and
# registers it as an in-kernel path-manager endpoint with address id ID and the given flags
# (default: signal, i.e. announced to the peer with ADD_ADDR once a connection is
# established). IPv6 addresses skip DAD so that they are usable at once.
set -e
[ $# -ge 1 ] || { echo "usage: $0 ID [FLAGS...]" >&2; exit 2; }
id=$1; shift
[ $# -ge 1 ] || set -- signal
ip=${OPT_LOCAL_IP#::ffff:}
case "$OPT_IP_VERSION" in
  ipv6)
    last=${ip##*:}
    next=$(printf '%x' $((0x${last:-0} + 1)))
    addr="${ip%:*}:$next"
    ip -6 addr add "$addr/128" dev "$OPT_LOCAL_DEV" nodad
    ;;
  *)
    last=${ip##*.}
    addr="${ip%.*}.$((last + 1))"
    ip addr add "$addr/32" dev "$OPT_LOCAL_DEV"
    ;;
esac
ip mptcp endpoint add "$addr" id "$id" "$@"
