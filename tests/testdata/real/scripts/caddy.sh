#!/bin/sh
# Caddy 2.6.2 (Debian 2.6.2-5): the default JSON access log of a site with
# `log { output file … }`; four requests, the id in the query and the header.
# Usage: sh caddy.sh OUTDIR   (listens on 127.0.0.1:18095, stops when done)
set -eu
OUT=$(cd "$1" && pwd); RUN=$(mktemp -d)
sed "s#/tmp/p5/out/caddy#$OUT#; s#/tmp/p5/caddy#$RUN#" "$(dirname "$0")/Caddyfile" > "$RUN/Caddyfile"
HOME=$RUN XDG_DATA_HOME=$RUN caddy run --config "$RUN/Caddyfile" --adapter caddyfile > "$RUN/caddy.log" 2>&1 &
PID=$!; sleep 2
P=http://127.0.0.1:18095
curl -s -o /dev/null -H 'X-Request-Id: abc123' "$P/api/orders?request_id=abc123"; sleep 0.5
curl -s -o /dev/null -H 'X-Request-Id: abc1234' "$P/api/orders?request_id=abc1234"; sleep 0.5
curl -s -o /dev/null -H 'X-Request-Id: abc123' "$P/missing"; sleep 0.5
curl -s -o /dev/null -H 'X-Request-Id: xabc123' "$P/api/orders?rid=abc123x"; sleep 0.5
kill "$PID"; wait "$PID" || true; rm -rf "$RUN"
