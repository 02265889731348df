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

# --- issue #18: the FastCGI ceiling, measured through the same nginx -------------------------
# bench_nginx_up starts a bench-only copy of the instance's nginx (same config, its own ports
# and pid) with one extra location, /bench-trivial/, a copy of the /h5/ location (same limits,
# params and log) whose FastCGI server is bench/trivial-fcgi with as many children as the web
# pool. BENCH_URL is its plain-HTTP address; pages and the trivial answer are measured there
# in one run. bench_nginx_down stops both (called on exit).
HTTP_PORT=${HTTP_URL##*:}
BENCH_PORT=$((HTTP_PORT + 5))
BENCH_URL=http://127.0.0.1:$BENCH_PORT
bench_nginx_up() {
	local dir=$RUNTIME/bench n conf https_port sim_port
	mkdir -p "$dir"
	trap bench_nginx_down EXIT
	cc -O2 -o "$dir/trivial-fcgi" "$CAMP_ROOT/bench/trivial-fcgi.c" -lfcgi
	chmod 0755 "$dir" "$dir/trivial-fcgi"
	n=$(web_children | wc -l)
	rm -f "$RUNTIME/run/bench-trivial.sock"
	(exec setsid spawn-fcgi -n -s "$RUNTIME/run/bench-trivial.sock" -M 0660 -u camp -g camp -U camp -G camp -- \
		/usr/bin/multiwatch -f "$n" -s TERM -- "$dir/trivial-fcgi" >"$dir/trivial.log" 2>&1 </dev/null) &
	echo $! >"$dir/trivial.pid"
	https_port=$(sed -n 's/^CAMP_BASE_URL=.*:\([0-9]*\)$/\1/p' "$envfile")
	sim_port=$(sed -n 's/^CAMP_SIM_URL=.*:\([0-9]*\)$/\1/p' "$envfile")
	conf=$dir/nginx.conf
	awk -v rundir="$RUNTIME/run" -v hp="$HTTP_PORT" -v sp="$https_port" -v mp="$sim_port" -v bp="$BENCH_PORT" '
		/^pid / { print "pid " rundir "/bench-nginx.pid;"; next }
		{ sub(":" hp ";", ":" bp ";"); sub(":" sp " ssl;", ":" bp + 1 " ssl;"); sub(":" mp ";", ":" bp + 2 ";") }
		/^\t\tlocation \/h5\/ \{/ { grab = 1 }
		grab { block = block $0 "\n" }
		grab && /^\t\t\}/ {
			grab = 0
			t = block
			sub(/location \/h5\/ \{/, "location /bench-trivial/ {", t)
			sub(/fastcgi_pass camp_web;/, "fastcgi_pass unix:" rundir "/bench-trivial.sock;", t)
			printf "%s", t
			printf "%s", block
			block = ""
			next
		}
		!grab { print }
	' "$RUNTIME/nginx.conf" >"$conf"
	grep -q bench-trivial "$conf" || { echo "bench: cannot add /bench-trivial/ to $conf" >&2; exit 2; }
	nginx -c "$conf"
	local i
	for i in $(seq 1 50); do
		curl -fsS --max-time 1 "$BENCH_URL/bench-trivial/" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "bench: the bench nginx on $BENCH_URL does not answer" >&2
	exit 2
}
bench_nginx_down() {
	local dir=$RUNTIME/bench
	[ -f "$RUNTIME/run/bench-nginx.pid" ] && nginx -c "$dir/nginx.conf" -s quit 2>/dev/null || true
	if [ -f "$dir/trivial.pid" ]; then
		kill -TERM -- "-$(cat "$dir/trivial.pid")" 2>/dev/null || true   # its own session (setsid)
		rm -f "$dir/trivial.pid"
	fi
}
