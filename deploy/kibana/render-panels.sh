#!/usr/bin/env bash
# Renders the Discourse trends dashboard's panels to docs/images/dashboard-*.svg from real data, without Kibana:
# runs DashboardPanelsIT (a local Kafka broker and Elasticsearch node, the demo's generated stream through the
# trends job, then every panel query of deploy/kibana/panels/ against the node, checked against a reference
# computation), then fills Vega-Lite specs with those query results and renders them headless with Node.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
results="$root/jobs/target/dashboard-panels"
images="$root/docs/images"
run_queries=true

usage() {
  cat <<'EOF'
Usage: deploy/kibana/render-panels.sh [--no-run] [--out DIR]

  1. mvn verify -Dit.test=DashboardPanelsIT: starts Kafka and Elasticsearch on this machine, replays the demo's
     generated stream through the trends job, runs each deploy/kibana/panels/*.json query, asserts the results,
     and writes them to jobs/target/dashboard-panels/ (about a minute; needs what `mvn verify` needs).
  2. npm ci in deploy/kibana/render (vega, vega-lite; once), then renders docs/images/dashboard-*.svg:
     engagement-by-topic, platform-split, topic-platform-heatmap, and, once the job writes spikes and event
     impact, active-spikes and event-impact.

  --no-run    render from the results of an earlier run (skip step 1)
  --out DIR   write the images there instead of docs/images
  -h, --help  this help

Needs: JDK 17 and Maven (step 1), a JDK 21+ for Elasticsearch (see the README), Node 18+ with npm (step 2).
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --no-run) run_queries=false; shift ;;
    --out) [[ $# -ge 2 ]] || { echo "render-panels.sh: --out needs a directory" >&2; exit 2; }
           images="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    *) echo "render-panels.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "render-panels.sh: Node 18+ with npm is needed (e.g. apt-get install nodejs npm)" >&2
  exit 2
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 18 )); then
  echo "render-panels.sh: Node $(node --version) is too old; 18 or newer is needed" >&2
  exit 2
fi

if $run_queries; then
  echo "[1/2] filling a local Elasticsearch node through the job and running the panel queries (DashboardPanelsIT) ..."
  (cd "$root" && mvn -B -q -pl jobs -am verify \
    -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=DashboardPanelsIT -Dfailsafe.failIfNoSpecifiedTests=false)
fi
if [[ ! -f "$results/engagement-by-topic.json" ]]; then
  echo "render-panels.sh: no query results in $results; run without --no-run first" >&2
  exit 1
fi

echo "[2/2] rendering the panels to $images ..."
render="$root/deploy/kibana/render"
if [[ ! -d "$render/node_modules/vega" || "$render/package-lock.json" -nt "$render/node_modules/.package-lock.json" ]]; then
  (cd "$render" && npm ci --no-audit --no-fund --loglevel=error)
fi
# Times on the axes are UTC, as the documents' bucket_start.
TZ=UTC node "$render/render.mjs" "$results" "$images"
