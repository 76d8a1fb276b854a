#!/bin/sh
# HAProxy 2.6.12 (Debian 2.6.12-1+deb12u4): `option httplog` to stdout, as
# `log stdout format raw local0` (haproxy.log) and as plain `log stdout local0`
# (RFC 3164, haproxy-rfc3164.log: drop `format raw` from haproxy.cfg); the
# X-Request-Id header captured; a python3 http.server backend on 18091.
# Usage: sh haproxy.sh OUTDIR   (listens on 127.0.0.1:18092, stops when done)
set -eu
OUT=$(cd "$1" && pwd); CFG="$(dirname "$0")/haproxy.cfg"
python3 -m http.server 18091 --bind 127.0.0.1 > /dev/null 2>&1 & BACK=$!
haproxy -f "$CFG" > "$OUT/haproxy.log" 2>&1 & HAP=$!; sleep 1
P=http://127.0.0.1:18092
curl -s -o /dev/null -H 'X-Request-Id: abc123' "$P/?request_id=abc123"; sleep 0.5
curl -s -o /dev/null -H 'X-Request-Id: abc1234' "$P/?request_id=abc1234"; sleep 0.5
curl -s -o /dev/null -H 'X-Request-Id: abc123' "$P/missing?request_id=abc123"; sleep 1
kill "$HAP" "$BACK"
