#!/bin/sh
# MPTCP variant of defaults.sh: the TCP sysctls our scripts pin, plus the per-namespace MPTCP
# knobs whose defaults would change the packets of scripts/mp_capable and scripts/dss.
# Written to /proc directly, like defaults.sh. No path-manager endpoint is configured, so the
# kernel never sends ADD_ADDR and never opens an extra subflow on its own.
set -e
"$(dirname "$0")/defaults.sh"
w() { printf '%s\n' "$2" > "/proc/sys/$1"; }
# Knobs that older kernels do not have: set where present. Such a kernel lacks what they tune
# (6.1 has no MPTCP blackhole detection; 6.12 falls back after 2 MP_CAPABLE SYN retransmissions,
# the value set here, without the knob), so the scripts that do not exercise that behave the
# same there; a script that does says `// require: sysctl ...` and is skipped on such a kernel.
w_if_present() { [ ! -e "/proc/sys/$1" ] || w "$1" "$2"; }
w net/mptcp/enabled 1
# DSS checksums off unless a script turns them on (RFC 8684 §3.3.1: negotiated with flag A).
w net/mptcp/checksum_enabled 0
w net/mptcp/pm_type 0
# The MP_CAPABLE SYN is retransmitted this many times before the kernel falls back to a plain
# TCP SYN (RFC 8684 §3.7, middlebox removing options).
w_if_present net/mptcp/syn_retrans_before_tcp_fallback 2
w_if_present net/mptcp/blackhole_timeout 3600
w net/mptcp/add_addr_timeout 120
