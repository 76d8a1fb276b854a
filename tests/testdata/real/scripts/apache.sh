#!/bin/sh
# Apache 2.4 (Debian's apache2) with its default combined access log and
# error log (ErrorLogFormat default, LogLevel warn); ids in query strings.
# Usage: sh apache.sh OUTDIR   (root; listens on 127.0.0.1:18090, stopped when done)
set -eu
OUT=$(cd "$1" && pwd); RUN=$(mktemp -d); chmod 755 "$RUN"; mkdir "$RUN/html"; echo ok > "$RUN/html/index.html"
cat > "$RUN/httpd.conf" <<CONF
ServerRoot /etc/apache2
Include /etc/apache2/mods-enabled/*.load
Include /etc/apache2/mods-enabled/*.conf
PidFile $RUN/httpd.pid
Listen 127.0.0.1:18090
ServerName localhost
User nobody
Group nogroup
ErrorLog $OUT/error.log
LogLevel warn
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
CustomLog $OUT/access.log combined
DocumentRoot $RUN/html
<Directory $RUN/html>
  Require all granted
</Directory>
CONF
apache2 -f "$RUN/httpd.conf" -k start; sleep 1
for q in "/?request_id=abc123" "/missing?request_id=abc123" "/../../etc?request_id=abc123" \
    "/?request_id=abc1234"; do
  curl -s -o /dev/null --path-as-is "http://127.0.0.1:18090$q"
done
sleep 0.5; apache2 -f "$RUN/httpd.conf" -k stop; sleep 1; rm -rf "$RUN"
