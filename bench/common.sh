# common.sh: shared helpers of the bench scripts (sourced): the instance's URLs and its camp-web children.
CAMP_ROOT=${CAMP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)}
CAMP_INSTANCE=${CAMP_INSTANCE:-dev}
envfile=$CAMP_ROOT/var/$CAMP_INSTANCE/camp.env
[ -f "$envfile" ] || { echo "bench: $envfile missing: start the instance (./dev up)" >&2; exit 2; }
HTTP_URL=$(sed -n 's/^CAMP_HTTP_URL=//p' "$envfile")
RUNTIME=$(sed -n 's/^CAMP_RUNTIME_DIR=//p' "$envfile")
curl -fsS --max-time 3 "$HTTP_URL/healthz" >/dev/null || { echo "bench: $HTTP_URL is not healthy" >&2; exit 2; }

# web_children: pids of the web pool's camp-web children (children of its multiwatch)
web_children() { pgrep -P "$(cat "$RUNTIME/run/web.pid")" -f 'camp-web --pool web' | sort -n; }

# rss_kb PID
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
