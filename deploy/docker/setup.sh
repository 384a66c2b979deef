#!/usr/bin/env bash
# The compose stack's one-shot setup (service `setup`): Elasticsearch users, Kafka topics, the index templates
# (`discourse-trends es-setup`) and the Kibana saved objects (deploy/kibana/import.sh). Idempotent: run it again
# after an upgrade. Every secret comes from the environment (deploy/docker/.env); none is printed.
set -euo pipefail

es="${ES_URL:-http://elasticsearch:9200}"
kibana="${KIBANA_URL:-http://kibana:5601}"
bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
partitions="${RAW_TOPIC_PARTITIONS:-4}"
conf="${DISCOURSE_CONF:-/opt/discourse-trends/conf/job.properties}"
jar=/opt/flink/usrlib/discourse-trends.jar
: "${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD in deploy/docker/.env}"
: "${KIBANA_SYSTEM_PASSWORD:?set KIBANA_SYSTEM_PASSWORD in deploy/docker/.env}"
: "${DISCOURSE_ES_USERNAME:?set DISCOURSE_ES_USERNAME in deploy/docker/.env}"
: "${DISCOURSE_ES_PASSWORD:?set DISCOURSE_ES_PASSWORD in deploy/docker/.env}"

log() { echo "setup: $*"; }

# curl as the elastic superuser; the credentials go through a config on standard input, never the process list.
es_curl() {
  local method="$1" path="$2" body="${3:-}"
  printf 'user = "elastic:%s"\n' "$ELASTIC_PASSWORD" | curl --silent --show-error --fail-with-body --config - \
    -X "$method" "$es$path" -H 'Content-Type: application/json' ${body:+--data "$body"}
}

log "waiting for Elasticsearch at $es"
for _ in $(seq 1 60); do
  es_curl GET '/_cluster/health?wait_for_status=yellow&timeout=5s' >/dev/null 2>&1 && break
  sleep 5
done
es_curl GET '/_cluster/health?wait_for_status=yellow&timeout=5s' >/dev/null

# Kibana connects as kibana_system; the job and es-setup as their own user, with only what they need.
es_curl POST /_security/user/kibana_system/_password \
  "$(jq -n --arg p "$KIBANA_SYSTEM_PASSWORD" '{password: $p}')" >/dev/null
es_curl PUT /_security/role/discourse_trends "$(jq -n '{
  cluster: ["monitor", "manage_index_templates", "manage_ilm"],
  indices: [{names: ["discourse-*"], privileges: ["all"]}]}')" >/dev/null
es_curl PUT "/_security/user/$DISCOURSE_ES_USERNAME" \
  "$(jq -n --arg p "$DISCOURSE_ES_PASSWORD" '{password: $p, roles: ["discourse_trends"]}')" >/dev/null
log "users kibana_system and $DISCOURSE_ES_USERNAME set"

# The raw topics must exist before the job starts (a Kafka source on a missing topic sits idle without a word).
# The job creates its control and output topics itself; they are made here too so the stack is complete before
# the first submission. Names are the job's defaults (JobOptions); change both together.
topics=/opt/kafka/bin/kafka-topics.sh
for t in discourse.raw.bluesky discourse.raw.mastodon discourse.raw.reddit discourse.raw.hackernews; do
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$t" \
    --partitions "$partitions" --replication-factor 1
done
for t in discourse.dead-letters discourse.late-events discourse.spikes discourse.dead-letters.elasticsearch; do
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$t" --partitions 1 --replication-factor 1
done
for t in discourse.control.taxonomy discourse.control.events; do
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$t" --partitions 1 \
    --replication-factor 1 --config cleanup.policy=compact
done
log "topics ready"

java -jar "$jar" es-setup --conf "$conf"

log "waiting for Kibana at $kibana"
for _ in $(seq 1 60); do
  curl --silent --fail --output /dev/null "$kibana/api/status" && break
  sleep 5
done
KIBANA_USERNAME=elastic KIBANA_PASSWORD="$ELASTIC_PASSWORD" /opt/discourse-trends/kibana/import.sh "$kibana"
log "done"
