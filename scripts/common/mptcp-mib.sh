#!/bin/sh
# Usage: mptcp-mib.sh NAME VALUE [NAME VALUE ...]
# Checks MPTCP MIB counters of the current network namespace (MPTcpExt<NAME> in
# /proc/net/netstat, the counters `nstat` shows) and fails, naming the counter, when one
# differs. A NAME ending in `?` is checked only where the kernel has that counter: older
# kernels lack some (6.12 and 6.1 have no MPJoinRejected; 6.1 has no MPJoinSynTx, AddAddrTx,
# EchoAddTx), and the script's packets still test the behaviour there. Read from /proc
# directly, like defaults.sh: no dependency on nstat, and no nstat history file shared between
# parallel runs.
set -e
[ $# -ge 2 ] && [ $(($# % 2)) -eq 0 ] || { echo "usage: $0 NAME VALUE [NAME VALUE ...]" >&2; exit 2; }
while [ $# -ge 2 ]; do
  name=${1%\?}
  got=$(awk -v want="$name" '
    $1 == "MPTcpExt:" { if (!n) { for (i = 2; i <= NF; i++) name[i] = $i; n = 1 } else { for (i = 2; i <= NF; i++) if (name[i] == want) print $i } }
  ' /proc/net/netstat)
  if [ -z "$got" ]; then
    [ "$name" != "$1" ] || { echo "mptcp-mib.sh: no counter MPTcpExt $1" >&2; exit 1; }
  elif [ "$got" != "$2" ]; then echo "mptcp-mib.sh: MPTcpExt $name is $got, expected $2" >&2; exit 1; fi
  shift 2
done
