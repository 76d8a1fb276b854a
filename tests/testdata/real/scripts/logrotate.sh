#!/bin/sh
# Run real logrotate on a small logfmt app log, in several modes; each mode gets
# OUTDIR/<mode>/app.log plus the rotated files logrotate made.
# Usage: logrotate.sh OUTDIR   (writes only under OUTDIR; state file OUTDIR/.state, removed)
set -eu
OUT=$(realpath "$1"); mkdir -p "$OUT"
line() { printf 'time=%s level=%s request_id=%s msg="%s"\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$1" "$2" "$3"; sleep 0.3; }
for MODE in create copytruncate compress copytruncate-noappend; do
  D="$OUT/$MODE"; rm -rf "$D"; mkdir -p "$D"
  case $MODE in
    create) OPTS="create 0644 root root" ;;
    copytruncate*) OPTS="copytruncate" ;;
    compress) OPTS="create 0644 root root
    compress
    delaycompress" ;;
  esac
  printf '%s/app.log {\n    rotate 5\n    missingok\n    %s\n}\n' "$D" "$OPTS" > "$OUT/.conf"
  # the writer: reopens per line (create, compress) or keeps one fd open (copytruncate*)
  case $MODE in
    copytruncate) exec 3>>"$D/app.log" ;;
    copytruncate-noappend) exec 3>"$D/app.log" ;;
    *) exec 3>/dev/null ;;
  esac
  w() { if [ "${MODE#copytruncate}" != "$MODE" ]; then line "$@" >&3; else line "$@" >> "$D/app.log"; fi; }
  w info req-c0ffee01 "order received"
  w info req-5eed0002 "health check"
  logrotate -f -s "$OUT/.state" "$OUT/.conf"
  w warn req-c0ffee01 "payment slow"
  w info req-5eed0002 "health check"
  logrotate -f -s "$OUT/.state" "$OUT/.conf"
  w error req-c0ffee01 "charge failed"
  w info req-c0ffee010 "order received"
  exec 3>&-
done
rm -f "$OUT/.state" "$OUT/.conf"
