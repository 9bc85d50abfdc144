#!/bin/sh
# Pins the per-namespace TCP sysctls our scripts' expectations depend on, so that a new kernel's
# defaults (e.g. a larger tcp_rmem, hence a larger window scale) do not change the packets.
# Written to /proc directly: no dependency on the sysctl binary.
set -e
w() { printf '%s\n' "$2" > "/proc/sys/$1"; }
w net/ipv4/tcp_rmem "4096 131072 6291456"
w net/ipv4/tcp_wmem "4096 16384 4194304"
w net/ipv4/tcp_timestamps 1
w net/ipv4/tcp_sack 1
w net/ipv4/tcp_window_scaling 1
w net/ipv4/tcp_syn_retries 6
w net/ipv4/tcp_ecn 2
