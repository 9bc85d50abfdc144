# Shared by the Docker tests (docker/test-docker.sh, docker/test-docker-kernel.sh), sourced after
# they set DOCKER, ID, TAG, BASE_IMAGE, SCRATCH, ROOT and passed=0 failed=0 started_dockerd=
# built_base=0 built_image=0: TAP-like output, the engine, running the image, the clean-up.

log() { echo "# $*"; }
ok() { passed=$((passed + 1)); echo "ok $((passed + failed)) - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok $((passed + failed)) - $*"; }
indent() { sed 's/^/#   /'; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

cleanup() {
  local ids
  log "cleaning up"
  ids=$("$DOCKER" ps -aq --filter "label=tsdrill.test=$ID" 2>/dev/null)
  [[ -n $ids ]] && "$DOCKER" rm -f $ids >/dev/null
  if ((built_image)); then
    "$DOCKER" image rm -f "$TAG" >/dev/null 2>&1
    ids=$("$DOCKER" image ls -aq --filter "label=tsdrill.build-id=$ID" 2>/dev/null | sort -u)
    [[ -n $ids ]] && "$DOCKER" image rm -f $ids >/dev/null 2>&1
  fi
  if ((built_base)) && [[ ${TSDRILL_DOCKER_KEEP_BASE:-0} != 1 ]]; then
    "$DOCKER" image rm "$BASE_IMAGE" >/dev/null 2>&1 || log "warning: could not remove $BASE_IMAGE"
  fi
  if [[ -n $started_dockerd ]]; then
    kill -TERM "$started_dockerd" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf --one-file-system "$SCRATCH"
}

finish() {
  cleanup
  echo "$passed passed, $failed failed"
  if ((failed)); then exit 1; fi
  exit 0
}

# Set-up failures are failures of the test, not of tsdrill: one "not ok", then the summary.
setup_fail() { not_ok "$1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | tail -25 | indent; finish; }

# ensure_engine: installs docker.io if there is no dockerd, starts dockerd if no engine answers.
ensure_engine() {
  if ! command -v dockerd >/dev/null || ! command -v "$DOCKER" >/dev/null; then
    log "installing docker.io (no dockerd or docker client here)"
    out=$( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io) 2>&1) \
      || setup_fail "apt-get install docker.io" "$out"
  fi
  if ! "$DOCKER" info >/dev/null 2>&1; then
    log "no Docker engine answers: starting dockerd (log: $SCRATCH/dockerd.log)"
    # No bridge and no iptables rules: the containers need no network (tsdrill makes its own
    # namespaces) and the build uses --network host, so nothing is left on the host's firewall.
    dockerd --host=unix:///var/run/docker.sock --bridge=none --iptables=false --ip6tables=false \
      >"$SCRATCH/dockerd.log" 2>&1 &
    started_dockerd=$!
    for _ in $(seq 60); do "$DOCKER" info >/dev/null 2>&1 && break; kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.5; done
    "$DOCKER" info >/dev/null 2>&1 || setup_fail "dockerd did not come up" "$(cat "$SCRATCH/dockerd.log")"
    log "dockerd up, storage driver $("$DOCKER" info -f '{{.Driver}}')"
  fi
}

# drun OUT_FILE ARGS...: runs the image through docker/run.sh in the current directory; exit code
# of the container.
drun() {
  local outf=$1; shift
  TSDRILL_IMAGE=$TAG TSDRILL_DOCKER_ARGS="--network none --label tsdrill.test=$ID ${DRUN_ARGS:-}" \
    "$ROOT/docker/run.sh" "$@" >"$outf" 2>&1 </dev/null
}

