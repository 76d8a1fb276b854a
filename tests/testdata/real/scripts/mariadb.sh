#!/bin/sh
# MariaDB 10.11.19 (Debian 10.11.19-0+deb12u1): the error log and the general
# query log (`--general-log=1`, its default FILE format); ids in SQL comments,
# sent by the mariadb client with -c (it strips comments otherwise).
# Usage: sh mariadb.sh OUTDIR   (listens on 127.0.0.1:18096, shut down when done)
set -eu
OUT=$(cd "$1" && pwd); RUN=$(mktemp -d); chmod 777 "$RUN" "$OUT"
mariadb-install-db --user=mysql --datadir="$RUN/data" \
  --auth-root-authentication-method=normal > "$RUN/install.log" 2>&1
mariadbd --user=mysql --datadir="$RUN/data" --socket="$RUN/sock" --port=18096 \
  --bind-address=127.0.0.1 --log-error="$OUT/error.log" --general-log=1 \
  --general-log-file="$OUT/general.log" --pid-file="$RUN/pid" > "$RUN/out" 2>&1 &
sleep 4
q() { mariadb -c -S "$RUN/sock" -uroot -e "$1" > /dev/null 2>&1 || true; }
q "SELECT 1 /* request_id=abc123 */; SELECT 2 /* request_id=abc1234 */;"; sleep 1.2
q "SELECT 3 /* request_id=xabc123 */; SELECT nosuch /* request_id=abc123 */;"; sleep 1.2
q "SELECT 4 /* request_id=abc123 */;"; sleep 1
mariadb -S "$RUN/sock" -uroot -e "SHUTDOWN"; sleep 2; rm -rf "$RUN"
