#!/bin/sh
# Redis 7.0.15 (Debian 5:7.0.15-1~deb12u10) server log at `loglevel verbose` (the
# client lines are verbose's); ids as client names (CLIENT SETNAME).
# Usage: sh redis.sh OUTDIR   (listens on 127.0.0.1:18379, shut down when done)
set -eu
OUT=$(cd "$1" && pwd); RUN=$(mktemp -d)
redis-server --port 18379 --bind 127.0.0.1 --logfile "$OUT/redis.log" \
  --loglevel verbose --dir "$RUN" --daemonize yes --pidfile "$RUN/pid"
sleep 1
redis-cli -p 18379 CLIENT SETNAME req-abc123 > /dev/null
redis-cli -p 18379 CLIENT SETNAME req-abc1234 > /dev/null
redis-cli -p 18379 SHUTDOWN NOSAVE || true
sleep 1; rm -rf "$RUN"
