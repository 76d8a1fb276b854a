#!/bin/sh
# Run real gunicorn (sync worker, default log level info) with the tiny WSGI app
# gunicorn_app.py; send requests carrying ids; leave OUTDIR/access.log, OUTDIR/error.log.
# Usage: gunicorn.sh OUTDIR [TZ] [ACCESS_LOG_FORMAT]   (default format when omitted)
# Writes only under OUTDIR.  GUNICORN may name the gunicorn executable.
set -eu
OUT=$(realpath "$1"); ZONE=${2:-UTC}; FMT=${3:-}; PORT=${PORT:-18090}
HERE=$(dirname "$(realpath "$0")"); G=${GUNICORN:-gunicorn}
mkdir -p "$OUT"
set -- --bind 127.0.0.1:$PORT --workers 1 --chdir "$HERE" --pid "$OUT/.gunicorn.pid" \
       --control-socket "$OUT/.gunicorn.ctl" \
       --access-logfile "$OUT/access.log" --error-logfile "$OUT/error.log"
[ -n "$FMT" ] && set -- "$@" --access-logformat "$FMT"
TZ=$ZONE "$G" "$@" gunicorn_app:app &
trap 'kill $(cat "$OUT/.gunicorn.pid"); sleep 1; rm -f "$OUT/.gunicorn.pid" "$OUT/.gunicorn.ctl"' EXIT
sleep 2
U=http://127.0.0.1:$PORT
c() { curl -s -o /dev/null "$@"; sleep 1.1; }
c -H 'X-Request-ID: req-2b3c4d5e' -A 'curl/7.88.1' "$U/api/orders?request_id=req-2b3c4d5e"
c -H 'X-Request-ID: req-2b3c4d5e' -A 'curl/7.88.1' "$U/boom?request_id=req-2b3c4d5e"
c -H 'X-Request-ID: req-2b3c4d5e0' -A 'curl/7.88.1' "$U/api/orders?request_id=req-2b3c4d5e0"
c -H 'X-Request-ID: req-8d9e0f1a' -A 'Mozilla/5.0 (compatible; rid=order-42)' "$U/api/health"
