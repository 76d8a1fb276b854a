#!/bin/sh
# Run a real nginx (Debian package) on loopback, send a few requests carrying
# request ids, and leave its logs in OUTDIR.  Usage: nginx.sh OUTDIR [TZ]
# Writes only under OUTDIR (runtime files in OUTDIR/.run, removed at the end).
set -eu
OUT=$(realpath "$1"); ZONE=${2:-UTC}; PORT=${PORT:-18080}
RUN="$OUT/.run"; mkdir -p "$RUN/html" "$RUN/tmp"; chmod 777 "$RUN/tmp"
cat > "$RUN/nginx.conf" <<CONF
worker_processes 1;
pid $RUN/nginx.pid;
error_log $OUT/error.log;                       # default level: error
events {}
http {
    # 'combined' is nginx's predefined format:
    # '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent "\$http_referer" "\$http_user_agent"'
    log_format rid '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent "\$http_referer" "\$http_user_agent" rid=\$http_x_request_id';
    client_body_temp_path $RUN/tmp; proxy_temp_path $RUN/tmp; fastcgi_temp_path $RUN/tmp;
    uwsgi_temp_path $RUN/tmp; scgi_temp_path $RUN/tmp;
    server {
        listen 127.0.0.1:$PORT;
        server_name localhost;
        root $RUN/html;
        access_log $OUT/access.log combined;
        access_log $OUT/access_rid.log rid;
        location /api/ { return 200 "ok\n"; }
    }
}
CONF
TZ=$ZONE nginx -p "$RUN" -c "$RUN/nginx.conf" -e "$OUT/error.log"
trap 'kill $(cat "$RUN/nginx.pid"); sleep 0.5; rm -rf "$RUN"' EXIT
sleep 0.5
U=http://127.0.0.1:$PORT
c() { curl -s -o /dev/null "$@"; sleep 1.1; }
c -H 'X-Request-ID: req-9f1c2a7b' -A 'curl/7.88.1' "$U/api/orders?request_id=req-9f1c2a7b"
c -H 'X-Request-ID: req-9f1c2a7b' -A 'curl/7.88.1' -e "$U/api/orders" -d 'sku=TEA' "$U/api/orders/confirm?request_id=req-9f1c2a7b"
c -H 'X-Request-ID: req-0d4e5f6a' -A 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0' "$U/static/missing.png?request_id=req-0d4e5f6a"
c -H 'X-Request-ID: req-9f1c2a7b0' -A 'curl/7.88.1' "$U/api/orders?request_id=req-9f1c2a7b0"
c -H 'X-Request-ID: req-5b6c7d8e' -A 'Mozilla/5.0 (compatible; rid=order-42)' "$U/api/health"
c -A 'Mozilla/5.0 (compatible; rid=order-42)' "$U/api/health?rid=order-42x"
c -H 'X-Request-ID: req-0d4e5f6a' -X DELETE "$U/favicon.ico"
