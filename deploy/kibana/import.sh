#!/usr/bin/env bash
# Imports the Discourse trends data views, saved search and dashboard into Kibana 8.8+ or 9.x through the saved
# objects import API, replacing earlier copies (overwrite=true: the ids are fixed, so re-running updates them).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
file="$here/discourse-trends.ndjson"
space=""

usage() {
  cat <<'EOF'
Usage: deploy/kibana/import.sh [--space SPACE] [--file NDJSON] KIBANA_URL

Imports deploy/kibana/discourse-trends.ndjson (data views discourse-trends, discourse-spikes,
discourse-event-impact, discourse-taxonomies; the saved search "Top posts behind spikes"; the dashboard
"Discourse trends") with POST KIBANA_URL[/s/SPACE]/api/saved_objects/_import?overwrite=true.

  KIBANA_URL      e.g. https://kibana.example.org:5601 (no trailing /app/...)
  --space SPACE   import into that Kibana space instead of the default one
  --file NDJSON   import another export instead (e.g. one you edited and exported from Kibana)
  -h, --help      this help

Credentials come from the environment, never from arguments (they are not printed):
  KIBANA_API_KEY                        an API key (the base64 "id:key" Kibana shows), sent as "ApiKey ..."
  KIBANA_USERNAME and KIBANA_PASSWORD   basic authentication, if no API key is set
  KIBANA_CA_CERT                        a PEM file with the CA of Kibana's certificate (https)
Neither set: the request goes without credentials (a Kibana without security).

Exit status: 0 when every object was imported; 1 when Kibana refused the import or some objects (their
errors are printed); 2 for a usage error; 3 when Kibana could not be reached.
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --space) [[ $# -ge 2 ]] || { echo "import.sh: --space needs a value" >&2; exit 2; }; space="$2"; shift 2 ;;
    --file) [[ $# -ge 2 ]] || { echo "import.sh: --file needs a value" >&2; exit 2; }; file="$2"; shift 2 ;;
    -*) echo "import.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [[ $# -ne 1 ]]; then
  echo "import.sh: give the Kibana URL, e.g. deploy/kibana/import.sh http://localhost:5601 (see --help)" >&2
  exit 2
fi
kibana="${1%/}"
if [[ ! "$kibana" =~ ^https?:// ]]; then
  echo "import.sh: $kibana is not an http(s) URL" >&2
  exit 2
fi
if [[ ! -r "$file" ]]; then
  echo "import.sh: cannot read $file" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "import.sh: curl is needed (apt-get install curl)" >&2; exit 2; }

base="$kibana${space:+/s/$space}"
url="$base/api/saved_objects/_import?overwrite=true"

# Credentials go to curl through a config on its standard input, so they never appear in the process list.
quote() { local v="${1//\\/\\\\}"; printf '"%s"' "${v//\"/\\\"}"; }
curl_config() {
  if [[ -n "${KIBANA_API_KEY:-}" ]]; then
    printf 'header = %s\n' "$(quote "Authorization: ApiKey $KIBANA_API_KEY")"
  elif [[ -n "${KIBANA_USERNAME:-}" || -n "${KIBANA_PASSWORD:-}" ]]; then
    if [[ -z "${KIBANA_USERNAME:-}" || -z "${KIBANA_PASSWORD:-}" ]]; then
      echo "import.sh: set both KIBANA_USERNAME and KIBANA_PASSWORD (or KIBANA_API_KEY)" >&2
      return 1
    fi
    printf 'user = %s\n' "$(quote "$KIBANA_USERNAME:$KIBANA_PASSWORD")"
  fi
  if [[ -n "${KIBANA_CA_CERT:-}" ]]; then
    printf 'cacert = %s\n' "$(quote "$KIBANA_CA_CERT")"
  fi
}
config="$(curl_config)" || exit 2

body="$(mktemp)"
trap 'rm -f "$body"' EXIT
echo "importing $(grep -c . "$file") saved objects from $file into $base ..."
status="$(printf '%s\n' "$config" | curl --silent --show-error --config - \
  --connect-timeout 10 --max-time 120 \
  -X POST "$url" -H 'kbn-xsrf: true' --form "file=@$file;type=application/x-ndjson" \
  --output "$body" --write-out '%{http_code}' 2>"$body.err")"
rc=$?
if [[ $rc -ne 0 ]]; then
  reason="$(cat "$body.err" 2>/dev/null)"; rm -f "$body.err"
  case $rc in
    6) echo "import.sh: cannot resolve the host of $kibana: $reason" >&2 ;;
    7) echo "import.sh: cannot connect to $kibana (is Kibana running and the port right?): $reason" >&2 ;;
    28) echo "import.sh: $kibana did not answer in time: $reason" >&2 ;;
    35|51|58|60|77|83) echo "import.sh: TLS with $kibana failed (set KIBANA_CA_CERT to the CA's PEM file?): $reason" >&2 ;;
    *) echo "import.sh: the request to $kibana failed (curl exit $rc): $reason" >&2 ;;
  esac
  exit 3
fi
rm -f "$body.err"

# Prints "field" of the JSON response with jq, or python3, or nothing if neither is there.
json() {
  if command -v jq >/dev/null; then
    jq -r "$1" "$body" 2>/dev/null
  elif command -v python3 >/dev/null; then
    python3 - "$body" "$2" <<'PY' 2>/dev/null
import json, sys
r = json.load(open(sys.argv[1]))
what = sys.argv[2]
if what == "message":
    print(r.get("message") or r.get("error") or "")
elif what == "success":
    print(str(r.get("success")).lower())
elif what == "count":
    print(r.get("successCount", 0))
elif what == "errors":
    for e in r.get("errors", []):
        err = e.get("error", {})
        refs = ", ".join(x["type"] + " " + x["id"] for x in err.get("references", []))
        title = e.get("title") or e.get("meta", {}).get("title") or ""
        print("  %s %s (%s): %s%s" % (e.get("type"), e.get("id"), title, err.get("type"),
              (": " + (err.get("message") or refs)) if (err.get("message") or refs) else ""))
PY
  fi
}

case "$status" in
  200) ;;
  401) echo "import.sh: Kibana refused the credentials (401 Unauthorized): set KIBANA_API_KEY, or KIBANA_USERNAME and KIBANA_PASSWORD, to a user that may manage saved objects" >&2; exit 1 ;;
  403) echo "import.sh: the user may not import saved objects here (403 Forbidden): it needs the Saved Objects Management and Dashboard privileges${space:+ in space $space}: $(json '.message // empty' message)" >&2; exit 1 ;;
  404) echo "import.sh: $url was not found (404): is $kibana Kibana${space:+, and does space $space exist}?" >&2; exit 1 ;;
  *) echo "import.sh: Kibana answered $status: $(json '.message // .error // empty' message)" >&2
     [[ -s "$body" ]] && head -c 2000 "$body" >&2 && echo >&2
     exit 1 ;;
esac

success="$(json '.success' success)"
count="$(json '.successCount // 0' count)"
if [[ "$success" == "true" ]]; then
  echo "imported $count saved objects; open the dashboard at $base/app/dashboards#/view/discourse-trends"
  exit 0
fi
if [[ -z "$success" ]]; then
  echo "import.sh: Kibana's answer could not be read (install jq or python3 to see it parsed):" >&2
  head -c 2000 "$body" >&2; echo >&2
  exit 1
fi
echo "import.sh: the import failed; $count objects imported, these were not:" >&2
json '.errors[] | "  \(.type) \(.id) (\(.title // .meta.title // "")): \(.error.type)\(if .error.message then ": " + .error.message elif .error.references then ": " + ([.error.references[] | "\(.type) \(.id)"] | join(", ")) else "" end)"' errors >&2
exit 1
