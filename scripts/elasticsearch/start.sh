#!/usr/bin/env bash
# Start a single-node Elasticsearch 8 server on 127.0.0.1 for development and tests.
#
#   bash scripts/elasticsearch/start.sh [--port N] [--clean] [--heap 512m]
#
# Prints the node's URL (http://127.0.0.1:PORT) as the only line on stdout once the cluster
# health is yellow or green; progress goes to stderr. Running it again while the node is up
# prints the same URL and starts nothing. Stop it with scripts/elasticsearch/stop.sh.
#
# What it uses: a JDK (17 or later: javac is needed once), Maven, Node (for the port and health
# probes). Everything else comes from Maven Central through `mvn`, into .services/elasticsearch/:
#   - the real Elasticsearch distribution org.elasticsearch.distribution.integ-test-zip:elasticsearch
#     (the only 8.x distribution Maven Central holds; its modules are transport-netty4, x-pack-core,
#     x-pack-security and apm);
#   - plus extras/ of this folder, a small module of the project's own compiled against that
#     distribution's jars, which adds what the stripped distribution lacks and the project uses:
#     the analysis components (edge_ngram and ngram tokenizers and filters, lowercase, asciifolding,
#     html_strip, mapping, pattern_replace, ...) and GET / and HEAD / (client info() and ping()).
# Not available on this node (their modules are not on Maven Central): painless scripts,
# _reindex / _update_by_query / _delete_by_query, ingest processors, ILM, synonyms, word_delimiter_graph.
#
# Use @elastic/elasticsearch 8.x as the client: a 9.x client asks for compatible-with=9, which an
# 8.x server refuses.
#
# Environment: ES_PORT (same as --port), ES_HEAP (default 512m), ES_CLEAN=1 (same as --clean:
# wipe the data first), ES_VERSION (default 8.19.21), ES_SERVICE_DIR (default
# <repo>/.services/elasticsearch), ES_JAVA_HOME or JAVA_HOME (default: the `java` on PATH),
# ES_START_TIMEOUT seconds (default 120), ES_ROOT_MODE (auto, unshare or nobody: see below).
#
# Elasticsearch refuses to run as root. As root this script runs the node in a user namespace
# (unshare --user), where it is an ordinary user that owns the files; where that is not allowed
# (or with ES_ROOT_MODE=nobody), it runs the node as `nobody` with setpriv, which then needs every
# parent folder of the service dir to be world-readable.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

port="${ES_PORT:-}"
heap="${ES_HEAP:-512m}"
clean="${ES_CLEAN:-0}"
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --port=*) port="${1#*=}"; shift ;;
    --heap) heap="$2"; shift 2 ;;
    --heap=*) heap="${1#*=}"; shift ;;
    --clean) clean=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "start.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

version="${ES_VERSION:-8.19.21}"
base="${ES_SERVICE_DIR:-$root/.services/elasticsearch}"
dist_dir="$base/dist/$version"
es_home="$dist_dir/elasticsearch-$version"
conf="$base/config"
data="$base/data"
logs="$base/logs"
tmp="$base/tmp"
run="$base/run"
timeout_s="${ES_START_TIMEOUT:-120}"

log() { echo "[elasticsearch] $*" >&2; }
die() { echo "[elasticsearch] error: $*" >&2; exit 1; }

mkdir -p "$base" "$run"

# One start at a time per service dir.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$base/.lock"
  flock -w 600 9 || die "another start.sh holds $base/.lock"
fi

command -v node >/dev/null 2>&1 || die "node is required"

# health URL TIMEOUT_S: wait until the cluster health is yellow or green; prints the status.
health() {
  node -e '
    const [url, secs] = process.argv.slice(1);
    const until = Date.now() + Number(secs) * 1000;
    (async () => {
      for (;;) {
        try {
          const r = await fetch(url + "/_cluster/health?wait_for_status=yellow&timeout=2s",
            { signal: AbortSignal.timeout(5000) });
          if (r.ok) {
            const b = await r.json();
            if (b.status === "yellow" || b.status === "green") { console.log(b.status); return; }
          }
        } catch {}
        if (Date.now() > until) process.exit(1);
        await new Promise((res) => setTimeout(res, 250));
      }
    })();' "$1" "$2"
}

# port_free PORT: exit 0 when nothing listens on 127.0.0.1:PORT.
port_free() {
  node -e '
    const s = require("net").createServer();
    s.once("error", () => process.exit(1));
    s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close(() => process.exit(0)));' "$1"
}

any_free_port() {
  node -e '
    const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });'
}

# alive PIDFILE: exit 0 when the pid in it is a running Elasticsearch server.
alive() {
  local pid
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'org.elasticsearch' || return 1
  fi
}

# ---------------------------------------------------------------- already running?
if alive "$run/es.pid" && [ -f "$run/url" ]; then
  url="$(cat "$run/url")"
  if [ -n "$port" ] && [ "$url" != "http://127.0.0.1:$port" ]; then
    die "a node from $base is already running at $url; stop it first (scripts/elasticsearch/stop.sh)"
  fi
  if health "$url" 30 >/dev/null; then
    log "already running"
    echo "$url"
    exit 0
  fi
  die "a node from $base runs (pid $(cat "$run/es.pid")) but $url does not answer; see $logs"
fi
rm -f "$run/es.pid" "$run/url"

# ---------------------------------------------------------------- Java
java_home="${ES_JAVA_HOME:-${JAVA_HOME:-}}"
if [ -z "$java_home" ]; then
  java_bin="$(command -v java || true)"
  [ -n "$java_bin" ] || die "no java on PATH and neither ES_JAVA_HOME nor JAVA_HOME is set"
  java_home="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"
fi
[ -x "$java_home/bin/java" ] || die "$java_home/bin/java not found"
java_major="$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 |
  sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1)"
[ "${java_major:-0}" -ge 17 ] 2>/dev/null || die "Elasticsearch $version needs Java 17 or later; $java_home is ${java_major:-unknown}"

# ---------------------------------------------------------------- distribution, through Maven
if [ ! -f "$es_home/.complete" ]; then
  command -v mvn >/dev/null 2>&1 || die "mvn is required to fetch Elasticsearch"
  log "fetching org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version through Maven"
  rm -rf "$dist_dir.partial"
  mkdir -p "$dist_dir.partial/work"
  # The plugin writes marker files under the working directory: run it in a scratch one.
  if ! (cd "$dist_dir.partial/work" && mvn -B -q -Dstyle.color=never \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack \
        -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" \
        -DoutputDirectory="$dist_dir.partial/out" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2); then
    die "mvn could not fetch the Elasticsearch $version distribution"
  fi
  [ -x "$dist_dir.partial/out/elasticsearch-$version/bin/elasticsearch" ] ||
    chmod +x "$dist_dir.partial/out/elasticsearch-$version/bin/"* 2>/dev/null || true
  rm -rf "$dist_dir"
  mkdir -p "$dist_dir"
  mv "$dist_dir.partial/out/elasticsearch-$version" "$es_home"
  rm -rf "$dist_dir.partial"
  touch "$es_home/.complete"
fi

# ---------------------------------------------------------------- the project's extras module
extras_src="$here/extras/src"
extras_dir="$es_home/modules/local-extras"
src_sum="$(cat $(find "$extras_src" -name '*.java' | sort) | cksum | cut -d' ' -f1)-$version"
if [ "$(cat "$extras_dir/.source" 2>/dev/null || true)" != "$src_sum" ]; then
  [ -x "$java_home/bin/javac" ] || die "$java_home has no javac: a JDK is needed to build scripts/elasticsearch/extras"
  log "building the extras module"
  build="$base/build/extras"
  rm -rf "$build" "$extras_dir"
  mkdir -p "$build/classes"
  "$java_home/bin/javac" --release 17 -nowarn -encoding UTF-8 -cp "$es_home/lib/*" -d "$build/classes" \
    $(find "$extras_src" -name '*.java') >&2 || die "javac failed on scripts/elasticsearch/extras"
  mkdir -p "$extras_dir"
  "$java_home/bin/jar" cf "$extras_dir/local-extras.jar" -C "$build/classes" .
  cat > "$extras_dir/plugin-descriptor.properties" <<EOF
description=Project-local: analysis components and GET / missing from the integ-test distribution
version=$version
name=local-extras
classname=local.es.extras.ExtrasPlugin
java.version=17
elasticsearch.version=$version
EOF
  echo "$src_sum" > "$extras_dir/.source"
  rm -rf "$base/build"
fi

# ---------------------------------------------------------------- configuration
if [ -z "$port" ]; then
  if port_free 9200; then port=9200; else port="$(any_free_port)"; fi
elif ! port_free "$port"; then
  die "port $port on 127.0.0.1 is taken"
fi

if [ "$clean" = 1 ]; then
  log "wiping $data"
  rm -rf "$data"
fi
mkdir -p "$conf" "$data" "$logs" "$tmp"
cp "$es_home/config/jvm.options" "$es_home/config/log4j2.properties" "$conf/"
cat > "$conf/elasticsearch.yml" <<EOF
# Written by scripts/elasticsearch/start.sh at every start.
cluster.name: local-test
node.name: node-1
network.host: 127.0.0.1
http.port: $port
discovery.type: single-node
xpack.security.enabled: false
path.data: $data
path.logs: $logs
# test conveniences
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
EOF

# ---------------------------------------------------------------- who runs it
runas=()
root_mode="${ES_ROOT_MODE:-auto}"   # auto | unshare | nobody
if [ "$(id -u)" = 0 ]; then
  if [ "$root_mode" != nobody ] && unshare --user --map-user=1000 --map-group=1000 true 2>/dev/null; then
    runas=(unshare --user --map-user=1000 --map-group=1000)
    # Files left by a start as nobody would not be writable inside the namespace.
    chown -R 0:0 "$conf" "$data" "$logs" "$tmp" "$run"
  elif [ "$root_mode" != unshare ] && command -v setpriv >/dev/null 2>&1; then
    runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    chown -R 65534:65534 "$conf" "$data" "$logs" "$tmp" "$run"
    setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$es_home/lib/elasticsearch-$version.jar" ||
      die "user nobody cannot read $es_home (a parent folder is not world-readable); set ES_SERVICE_DIR"
  else
    die "running as root, and neither unshare --user nor setpriv is available (ES_ROOT_MODE=$root_mode)"
  fi
fi

# ---------------------------------------------------------------- start
log "starting Elasticsearch $version on 127.0.0.1:$port (heap $heap, data $data)"
started=$(date +%s)
if ! "${runas[@]}" env HOME="$tmp" ES_HOME="$es_home" ES_JAVA_HOME="$java_home" ES_PATH_CONF="$conf" \
      ES_TMPDIR="$tmp" ES_JAVA_OPTS="-Xms$heap -Xmx$heap ${ES_JAVA_OPTS:-}" \
      "$es_home/bin/elasticsearch" -d -p "$run/es.pid" >"$logs/startup.log" 2>&1; then
  tail -n 40 "$logs/startup.log" >&2 || true
  die "Elasticsearch did not start; logs in $logs"
fi

url="http://127.0.0.1:$port"
if ! status="$(health "$url" "$timeout_s")"; then
  tail -n 40 "$logs/local-test.log" >&2 2>/dev/null || true
  die "$url did not reach yellow within ${timeout_s}s; logs in $logs"
fi
echo "$url" > "$run/url"
log "up in $(( $(date +%s) - started ))s, health $status, pid $(cat "$run/es.pid")"
echo "$url"
