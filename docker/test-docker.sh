#!/usr/bin/env bash
# The Docker reproduction test (npm run test:docker), as root:
#  1. a Docker engine: installs Debian's docker.io if there is no dockerd, starts dockerd if no
#     engine answers (and stops it at the end);
#  2. the base: tsdrill-base:bookworm via docker/make-base.sh when missing (or TSDRILL_BASE_IMAGE,
#     e.g. node:20-bookworm-slim where a registry is reachable);
#  3. builds the image under a tag of its own and runs, through docker/run.sh:
#     --help (exit 0), a passing script (exit 0, TAP "ok"), a failing one (exit 1, "not ok"),
#     the ownership of files written in the mounted directory, and the hint given without
#     privileges (exit 2);
#  4. removes its containers, the image and the intermediate images of its build, and the base
#     image if it built it (TSDRILL_DOCKER_KEEP_BASE=1 keeps that one for the next run);
# TSDRILL_DOCKER_CONTEXT builds from another folder (default: this checkout).
#  5. prints "N passed, N failed" and exits 1 if anything failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DOCKER=${DOCKER:-docker}
BASE_IMAGE=${TSDRILL_BASE_IMAGE:-tsdrill-base:bookworm}
ID=tsdrill-test-$$-$RANDOM
TAG=tsdrill-test:$ID
PASS_SCRIPT=${TSDRILL_DOCKER_PASS:-test/docker/pass-connect-refused.pkt}
FAIL_SCRIPT=${TSDRILL_DOCKER_FAIL:-test/docker/fail-wrong-mss.pkt}
SCRATCH=$(mktemp -d /tmp/tsdrill-docker-test.XXXXXX)
passed=0 failed=0
started_dockerd= built_base=0 built_image=0

# shellcheck source=docker/test-lib.sh
source "$ROOT/docker/test-lib.sh"

((EUID == 0)) || { echo "test-docker: must run as root (dockerd, --privileged)" >&2; exit 2; }
cd "$ROOT" || exit 2

# ---- 1. engine
ensure_engine

# ---- 2. base
if ! "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  [[ $BASE_IMAGE == tsdrill-base:bookworm ]] || setup_fail "base image $BASE_IMAGE is missing (TSDRILL_BASE_IMAGE)"
  t0=$(now)
  out=$(docker/make-base.sh --base-only 2>&1) || setup_fail "docker/make-base.sh --base-only" "$out"
  built_base=1
  log "base $BASE_IMAGE built in $(took "$t0")"
fi

# ---- 3. image and runs
t0=$(now)
out=$("$DOCKER" build --network host --force-rm --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  --build-arg "TSDRILL_BUILD_ID=$ID" -t "$TAG" "${TSDRILL_DOCKER_CONTEXT:-.}" 2>&1)
rc=$?
built_image=1
[[ -n ${TSDRILL_DOCKER_BUILD_LOG:-} ]] && printf '%s\n' "$out" >"$TSDRILL_DOCKER_BUILD_LOG"
if ((rc != 0)); then setup_fail "docker build ($TAG on $BASE_IMAGE)" "$out"; fi
ok "docker build on $BASE_IMAGE ($(took "$t0"), image $("$DOCKER" image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"

# expect NAME WANT_RC OUT_FILE RC [REGEX...]: the exit code, and a line matching each REGEX.
expect() {
  local name=$1 want=$2 outf=$3 rc=$4 re why=
  shift 4
  ((rc == want)) || why="exit $rc, expected $want"
  for re in "$@"; do
    grep -Eq -- "$re" "$outf" || why="${why:+$why; }no line matches /$re/"
  done
  if [[ -z $why ]]; then ok "$name"; else not_ok "$name: $why"; indent <"$outf" | tail -30; fi
}

drun "$SCRATCH/help.out" --help; rc=$?
expect "tsdrill --help exits 0" 0 "$SCRATCH/help.out" $rc 'run'

t0=$(now)
drun "$SCRATCH/pass.out" run "$PASS_SCRIPT"; rc=$?
log "docker run of $PASS_SCRIPT: $(took "$t0")"
expect "passing script $PASS_SCRIPT: exit 0 and TAP ok" 0 "$SCRATCH/pass.out" $rc '^TAP version' '^1\.\.[0-9]+' '^ok [0-9]+'
# Top-level and subtest lines alike (tsdrill nests a directory's runs as a TAP subtest).
if grep -Eq '^[[:space:]]*not ok' "$SCRATCH/pass.out"; then not_ok "passing script printed 'not ok'"; indent <"$SCRATCH/pass.out"; fi

drun "$SCRATCH/fail.out" run "$FAIL_SCRIPT"; rc=$?
expect "failing script $FAIL_SCRIPT: exit 1 and TAP not ok" 1 "$SCRATCH/fail.out" $rc '^1\.\.[0-9]+' '^not ok [0-9]+' 'mss'

# Files written in the mounted directory go to its owner (the entrypoint's clean-up), here a
# stand-in tsdrill (TSDRILL=) that writes a results file and a pcap into a folder owned by 4242.
own=$SCRATCH/owned
mkdir -p "$own" && chown 4242:4343 "$own"
printf '#!/bin/sh\nmkdir -p results && echo "{}" > results/run.json && echo x > run.pcap\n' >"$own/fake-tsdrill"
chmod 0755 "$own/fake-tsdrill"
(cd "$own" && DRUN_ARGS="-e TSDRILL=$own/fake-tsdrill" drun "$SCRATCH/own.out" run x.pkt); rc=$?
owners=$(cd "$own" && stat -c '%u:%g %n' results results/run.json run.pcap 2>&1)
if ((rc == 0)) && [[ $(grep -c '^4242:4343 ' <<<"$owners") == 3 ]]; then
  ok "files written in the mounted directory belong to its owner"
else
  not_ok "files written in the mounted directory belong to its owner (exit $rc)"; indent <<<"$owners"; indent <"$SCRATCH/own.out"
fi

# Without privileges: a plain hint and exit 2, not a failure per run.
TSDRILL_IMAGE=$TAG "$DOCKER" run --rm --network none --label "tsdrill.test=$ID" "$TAG" run "$PASS_SCRIPT" \
  >"$SCRATCH/unpriv.out" 2>&1 </dev/null; rc=$?
expect "without --privileged: exit 2 with a hint" 2 "$SCRATCH/unpriv.out" $rc 'privileged'

finish
