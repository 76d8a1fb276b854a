#!/bin/sh
# pino's and bunyan's JSON lines as their own CLIs print them (what users save
# from `node app.js | pino-pretty`): pino-pretty 13.2.0 and pino 10.4.0 (default, and -c colour),
# bunyan 2.0.5's CLI (default long format, and -o short).
# Usage: NODE_MODULES=/path/to/node_modules sh node_pretty.sh OUTDIR
set -eu
OUT=$(cd "$1" && pwd); M=${NODE_MODULES:?where pino, pino-pretty and bunyan are}
NODE_PATH="$M" node -e '
const log = require("pino")();
log.info({ request_id: "abc123" }, "order received");
log.warn({ request_id: "abc123", elapsed_ms: 1840 }, "payment slow");
try { throw new Error("card declined"); } catch (err) {
  log.error({ err, request_id: "abc123" }, "charge failed");
}
log.info({ request_id: "abc1234" }, "other");
' > "$OUT/.pino.ndjson"
"$M/.bin/pino-pretty" < "$OUT/.pino.ndjson" > "$OUT/pino-pretty.log"
"$M/.bin/pino-pretty" -c < "$OUT/.pino.ndjson" > "$OUT/pino-pretty-color.log"
NODE_PATH="$M" node -e '
const log = require("bunyan").createLogger({ name: "shop" });
log.info({ request_id: "abc123" }, "order received");
log.warn({ request_id: "abc123", note: "a long note with spaces, and a comma" }, "payment slow");
log.info({ request_id: "abc1234" }, "other");
' > "$OUT/.bunyan.ndjson"
"$M/.bin/bunyan" < "$OUT/.bunyan.ndjson" > "$OUT/bunyan-cli.log"
"$M/.bin/bunyan" -o short < "$OUT/.bunyan.ndjson" > "$OUT/bunyan-cli-short.log"
rm "$OUT/.pino.ndjson" "$OUT/.bunyan.ndjson"
