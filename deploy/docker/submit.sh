#!/usr/bin/env bash
# The compose stack's job service: submits the trends job to the session cluster, detached, unless a job of
# that name is already running. DISCOURSE_RESUME_FROM=<savepoint or retained checkpoint path> resumes from it
# (`docker compose run --rm -e DISCOURSE_RESUME_FROM=file:///opt/flink/state/savepoints/savepoint-... job`).
set -euo pipefail

jobmanager="${FLINK_JOBMANAGER:-jobmanager:8081}"
conf="${DISCOURSE_CONF:-/opt/discourse-trends/conf/job.properties}"
name=discourse-trends

running="$(curl --silent --fail "http://$jobmanager/jobs/overview" \
  | jq -r --arg n "$name" '[.jobs[] | select(.name == $n and .state == "RUNNING")] | length')"
if [[ "$running" != "0" ]]; then
  echo "submit: a job named $name is already running on $jobmanager; stop it with a savepoint first (README)"
  exit 0
fi

args=(run --detached --jobmanager "$jobmanager" --class io.discoursetrends.job.ClusterEntryPoint)
if [[ -n "${DISCOURSE_RESUME_FROM:-}" ]]; then
  args+=(--fromSavepoint "$DISCOURSE_RESUME_FROM")
fi
exec /opt/flink/bin/flink "${args[@]}" /opt/flink/usrlib/discourse-trends.jar run --conf "$conf"
