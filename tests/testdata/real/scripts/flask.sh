#!/bin/sh
# Flask 3.1.3 / Werkzeug 3.1.9 development server (`flask run`), its stderr:
# werkzeug's request lines and Flask's default log handler.
# Usage: FLASK=/path/to/flask sh flask.sh OUTDIR   (listens on 127.0.0.1:18124)
set -eu
OUT=$(cd "$1" && pwd); HERE=$(cd "$(dirname "$0")" && pwd)
"${FLASK:-flask}" --app "$HERE/flask_app.py" run --port 18124 > /dev/null 2> "$OUT/stderr.log" &
PID=$!; sleep 2
for q in "/?request_id=abc123" "/boom?request_id=abc123" "/?request_id=abc1234"; do
  curl -s -o /dev/null "http://127.0.0.1:18124$q"
done
sleep 0.5; kill $PID; wait $PID || true
