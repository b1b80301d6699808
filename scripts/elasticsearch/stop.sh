#!/usr/bin/env bash
# Stop the node that scripts/elasticsearch/start.sh started.
#
#   bash scripts/elasticsearch/stop.sh [--clean]
#
# --clean (or ES_CLEAN=1) also deletes its data. Stopping a node that is not running is not an
# error. Honours ES_SERVICE_DIR as start.sh does.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base="${ES_SERVICE_DIR:-$root/.services/elasticsearch}"
run="$base/run"
clean="${ES_CLEAN:-0}"
[ "${1:-}" = "--clean" ] && clean=1

log() { echo "[elasticsearch] $*" >&2; }

if [ -f "$run/es.pid" ]; then
  pid="$(cat "$run/es.pid")"
  if kill -0 "$pid" 2>/dev/null && { [ ! -r "/proc/$pid/cmdline" ] ||
       tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'org.elasticsearch'; }; then
    log "stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "still running after 30s: killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    log "not running"
  fi
else
  log "not running"
fi
rm -f "$run/es.pid" "$run/url"

if [ "$clean" = 1 ]; then
  rm -rf "$base/data"
  log "data deleted"
fi
