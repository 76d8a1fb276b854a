#!/bin/sh
# Run a real PostgreSQL 15 (initdb defaults: stderr logging, log_line_prefix
# '%m [%p] '), as user nobody, with log_statement=all and log_connections=on,
# run a few sessions carrying request ids, leave OUTDIR/postgresql.log.
# Usage: postgres.sh OUTDIR [ZONE]   (ZONE sets timezone and log_timezone)
# Writes only under OUTDIR (cluster in OUTDIR/.run, removed at the end).
set -eu
OUT=$(realpath "$1"); ZONE=${2:-UTC}; PORT=${PORT:-15432}
BIN=$(dirname "$(readlink -f "$(command -v postgres)")")
RUN="$OUT/.run"; mkdir -p "$RUN"; chown nobody "$RUN"
AS="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
echo secret > "$RUN/pw"; chown nobody "$RUN/pw"
$AS "$BIN/initdb" -D "$RUN/data" -U postgres --pwfile="$RUN/pw" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
$AS "$BIN/postgres" -D "$RUN/data" -p "$PORT" -k "$RUN" -c listen_addresses=127.0.0.1 \
    -c log_statement=all -c log_connections=on \
    -c timezone="$ZONE" -c log_timezone="$ZONE" 2>>"$OUT/postgresql.log" &
trap '$AS "$BIN/pg_ctl" -D "$RUN/data" stop -m fast >/dev/null; rm -rf "$RUN"' EXIT
sleep 2
S="host=$RUN port=$PORT dbname=postgres user=postgres"
psql -q "$S application_name=req-a1b2c3d4" >/dev/null 2>&1 \
  -c "CREATE TABLE orders (id int PRIMARY KEY, sku text)" \
  -c "/* request_id=req-a1b2c3d4 */ INSERT INTO orders VALUES (1, 'TEA')" \
  -c "/* request_id=req-a1b2c3d4 */ INSERT INTO orders VALUES (1, 'MUG')" \
  -c "SELECT id,
       sku
  FROM orders
 WHERE sku = 'TEA' -- request_id=req-a1b2c3d4" \
  -c "DO \$\$ BEGIN RAISE WARNING 'slow order request_id=%', 'req-a1b2c3d4' USING HINT = 'check the index'; END \$\$" || true
sleep 1.1
psql -q "$S application_name=req-e5f60718" >/dev/null 2>&1 \
  -c "SELECT no_such_function(1) /* request_id=req-e5f60718 */" \
  -c "SELECT * FROM missing_table" \
  -c "/* request_id=café-42 */ SELECT 1" || true
sleep 1.1
PGPASSWORD=wrong psql -q "host=127.0.0.1 port=$PORT dbname=postgres user=postgres application_name=req-0badc0de" -c 'SELECT 1' >/dev/null 2>&1 || true
PGPASSWORD=wrong psql -q "host=127.0.0.1 port=$PORT dbname=postgres user=nosuch" -c 'SELECT 1' >/dev/null 2>&1 || true
sleep 0.5
