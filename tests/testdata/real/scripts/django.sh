#!/bin/sh
# Django 5.2.19's development server (`runserver`), its stderr.
# Usage: PYTHON=/venv/with/django/bin/python sh django.sh OUTDIR   (port 18126)
set -eu
OUT=$(cd "$1" && pwd); HERE=$(cd "$(dirname "$0")" && pwd)
"${PYTHON:-python3}" "$HERE/django_site.py" runserver 18126 --noreload \
  > /dev/null 2> "$OUT/stderr.log" &
PID=$!; sleep 3
for q in "/?request_id=abc123" "/boom?request_id=abc123" "/missing?request_id=abc123" \
    "/?request_id=abc1234"; do
  curl -s -o /dev/null "http://127.0.0.1:18126$q"
done
sleep 0.5; kill $PID; wait $PID || true
