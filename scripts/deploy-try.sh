#!/usr/bin/env bash
# docs/deploy.md, followed on this machine on loopback, every step from the shipped files:
# PostgreSQL (a throwaway cluster, scripts/testpg.sh) with a `caredesk` role and database, the
# settings from .env.example, migrate, collectstatic, an administrator, the ExecStart lines
# of deploy/systemd/ (gunicorn with two web processes, two workers), Debian's nginx with
# deploy/nginx/caredesk.conf (self-signed TLS), then the checks: /healthz, /readyz, /metrics
# with its token, a sign-in through nginx, and a timer a worker fires.
#   scripts/deploy-try.sh DIR [--demo] [--keep]
# --demo loads the demo (seed_demo) too; --keep leaves everything running (stop:
# scripts/deploy-try.sh stop DIR). Needs nginx (apt-get install nginx-light), openssl, curl.
# Paths under /srv, /etc are DIR/srv, DIR/etc; ports are free loopback ports, not 80/443/8000.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The virtualenv: VENV when given (make test's lives outside the checkout), else the checkout's.
VENV=$(cd "${VENV:-$ROOT/.venv}" && pwd)
PY="$VENV/bin/python"

stop_all() {
  local dir="$1"
  for f in "$dir"/run/*.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  [ -f "$dir/nginx/nginx.pid" ] && kill "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null || true
  sleep 1
  "$ROOT/scripts/testpg.sh" stop "$dir/pg"
}
if [ "${1:-}" = stop ]; then stop_all "$2"; exit 0; fi

DIR=$(mkdir -p "$1" && cd "$1" && pwd); shift
chmod 755 "$DIR"  # the postgres user reaches its cluster under it (a mktemp -d is 0700)
DEMO=""; KEEP=""
for a in "$@"; do case "$a" in --demo) DEMO=1 ;; --keep) KEEP=1 ;; esac; done
[ -n "$KEEP" ] || trap 'stop_all "$DIR"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
say() { printf '\n== %s\n' "$*"; }
APP="$DIR/srv/caredesk"
mkdir -p "$DIR/run" "$DIR/etc/caredesk" "$DIR/log" "$APP"/{static,attachments,media} "$DIR/nginx/tls"
WEB_PORT=$(free_port); TLS_PORT=$(free_port); HTTP_PORT=$(free_port)
HOST=desk.example.test; SITE="https://$HOST:$TLS_PORT"

say "1. PostgreSQL: a role and a database for CareDesk"
admin_url=$("$ROOT/scripts/testpg.sh" start "$DIR/pg")
pg_port=${admin_url##*:}; pg_port=${pg_port%%/*}
DB_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
psql -q "$admin_url" -c "CREATE ROLE caredesk LOGIN PASSWORD '$DB_PASSWORD'" \
  -c "CREATE DATABASE caredesk OWNER caredesk"
echo "database caredesk on 127.0.0.1:$pg_port"

say "2. Settings: .env.example filled in"
key() { python3 -c 'import secrets; print(secrets.token_urlsafe(64))'; }
METRICS_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
sed -e "s|^CAREDESK_SECRET_KEY=.*|CAREDESK_SECRET_KEY=$(key)|" \
    -e "s|^CAREDESK_AUDIT_KEY=.*|CAREDESK_AUDIT_KEY=$(key)|" \
    -e "s|^CAREDESK_ALLOWED_HOSTS=.*|CAREDESK_ALLOWED_HOSTS=$HOST|" \
    -e "s|^CAREDESK_SITE_URL=.*|CAREDESK_SITE_URL=$SITE|" \
    -e "s|^DATABASE_URL=.*|DATABASE_URL=postgres://caredesk:$DB_PASSWORD@127.0.0.1:$pg_port/caredesk|" \
    -e "s|^CAREDESK_EMAIL_HOST=.*|# (no SMTP server here: mail is written under var/mail/)|" \
    -e "s|^CAREDESK_METRICS_TOKEN=.*|CAREDESK_METRICS_TOKEN=$METRICS_TOKEN|" \
    -e "s|/srv/caredesk|$APP|g" -e "s|/var/log/caredesk|$DIR/log|g" \
    "$ROOT/.env.example" > "$DIR/etc/caredesk/caredesk.env"
chmod 600 "$DIR/etc/caredesk/caredesk.env"
set -a; . "$DIR/etc/caredesk/caredesk.env"; set +a
grep -v '^#' "$DIR/etc/caredesk/caredesk.env" | grep . | sed -E 's/(KEY|TOKEN|URL)=.*/\1=…/'

say "3. migrate, collectstatic, check --deploy, an administrator"
cd "$ROOT"
"$PY" manage.py compilemessages -v 0 --ignore '.venv*' && echo "catalogues compiled"
"$PY" manage.py migrate --no-input -v 0 && echo "migrated"
"$PY" manage.py collectstatic --no-input -v 0 && echo "static files: $(find "$APP/static" -type f | wc -l)"
"$PY" manage.py check --deploy 2>&1 | tail -n 4 || echo "(check --deploy: exit status $?; without SMTP here the mail warning is expected)"
ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(15))')
DJANGO_SUPERUSER_PASSWORD="$ADMIN_PASSWORD" "$PY" manage.py createsuperuser --no-input \
  --username opsadmin --email ops@example.test
[ -n "$DEMO" ] && "$PY" manage.py seed_demo >/dev/null && echo "demo loaded"

# The ExecStart= line of a unit (with its continuation lines), paths and ports made local.
exec_start() {
  awk '/^ExecStart=/ {on = 1} on {print} on && !/\\$/ {exit}' "$ROOT/deploy/systemd/$1" \
    | sed -e 's/^ExecStart=//' -e 's/\\$//' | tr '\n' ' ' | sed -e "s|/srv/caredesk/app/.venv|$VENV|g" -e "s|/srv/caredesk/app|$ROOT|g" -e "s|127.0.0.1:8000|127.0.0.1:$WEB_PORT|" \
      -e "s|%H|$(hostname)|g" -e "s|%i|$2|g"
}

say "4. the web processes (deploy/systemd/caredesk-web.service's ExecStart)"
web=$(exec_start caredesk-web.service "")
echo "$web"
$web >"$DIR/log/web.log" 2>&1 & echo $! > "$DIR/run/web.pid"

say "5. two workers (deploy/systemd/caredesk-worker@.service, instances 1 and 2)"
for i in 1 2; do
  w=$(exec_start caredesk-worker@.service "$i")
  echo "$w"
  $w >"$DIR/log/worker-$i.log" 2>&1 & echo $! > "$DIR/run/worker-$i.pid"
done

say "6. nginx (deploy/nginx/caredesk.conf, self-signed certificate)"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$HOST" \
  -addext "subjectAltName=DNS:$HOST" -keyout "$DIR/nginx/tls/privkey.pem" \
  -out "$DIR/nginx/tls/fullchain.pem" 2>/dev/null
sed -e "s|desk.example.com|$HOST|g" -e "s|/etc/ssl/caredesk|$DIR/nginx/tls|g" \
    -e "s|/srv/caredesk|$APP|g" -e "s|127.0.0.1:8000|127.0.0.1:$WEB_PORT|" \
    -e "s|listen 443 ssl|listen 127.0.0.1:$TLS_PORT ssl|" -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e '/listen \[::\]/d' -e "s|https://\$host\$request_uri|https://\$host:$TLS_PORT\$request_uri|" \
    "$ROOT/deploy/nginx/caredesk.conf" > "$DIR/nginx/caredesk.conf"
cat > "$DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/log/nginx-error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $DIR/log/nginx-access.log;
  client_body_temp_path $DIR/nginx/body; proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fcgi; uwsgi_temp_path $DIR/nginx/uwsgi; scgi_temp_path $DIR/nginx/scgi;
  include $DIR/nginx/caredesk.conf;
}
EOF
nginx -t -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" 2>&1 | tail -n 1
nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx"

say "7. the checks"
failed=0
expect() {  # expect WHAT GOT WANTED-PATTERN
  case "$2" in $3) ;; *) echo "FAILED: $1: got $2" >&2; failed=1 ;; esac
}
CURL=(curl -sS --max-time 20 --cacert "$DIR/nginx/tls/fullchain.pem" --resolve "$HOST:$TLS_PORT:127.0.0.1")
for _ in $(seq 60); do
  "${CURL[@]}" -o /dev/null "$SITE/healthz" 2>/dev/null && break; sleep 1
done
echo "GET /healthz → $("${CURL[@]}" "$SITE/healthz")"
echo "GET /healthz on gunicorn's own port, plain http → $(curl -sS -H "Host: $HOST" "http://127.0.0.1:$WEB_PORT/healthz")"
echo "GET http://…/ → $(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --resolve "$HOST:$HTTP_PORT:127.0.0.1" "http://$HOST:$HTTP_PORT/")"
for _ in $(seq 60); do
  [ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$SITE/readyz")" = 200 ] && break; sleep 1
done
ready=$("${CURL[@]}" -w ' (%{http_code})' "$SITE/readyz"); echo "GET /readyz → $ready"
expect /readyz "$ready" '*"ready"*(200)'
anonymous=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$SITE/metrics")
echo "GET /metrics without the token → $anonymous"; expect "/metrics without the token" "$anonymous" 404
scraped=$("${CURL[@]}" -H "Authorization: Bearer $METRICS_TOKEN" "$SITE/metrics" \
  | grep -E '^caredesk_(workers_alive|outbox_lag_seconds|timers_due) ' | tr '\n' ' ')
echo "GET /metrics with the token → $scraped"; expect "/metrics" "$scraped" "*caredesk_workers_alive 2.0*"
echo "GET /static/vendor/htmx/htmx.min.js (nginx) → $("${CURL[@]}" -o /dev/null -D - "$SITE/static/vendor/htmx/htmx.min.js" | grep -iE '^(HTTP|server|cache-control)' | tr -d '\r' | tr '\n' ' ')"

jar="$DIR/run/cookies"; rm -f "$jar"
"${CURL[@]}" -c "$jar" -o /dev/null "$SITE/login/"
csrf=$(awk '$6 == "csrftoken" {print $7}' "$jar")
signin=$("${CURL[@]}" -b "$jar" -c "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
  -H "Origin: $SITE" -H "Referer: $SITE/login/" \
  --data-urlencode "username=opsadmin" --data-urlencode "password=$ADMIN_PASSWORD" \
  --data-urlencode "csrfmiddlewaretoken=$csrf" "$SITE/login/")
echo "POST /login/ (opsadmin) → $signin"; expect "sign-in" "$signin" "302 $SITE/"
echo "cookies: $(grep -E 'sessionid|csrftoken' "$jar" | awk '{print $6, ($4 == "TRUE" ? "secure" : "NOT secure")}' | tr '\n' ';')"
admin=$("${CURL[@]}" -b "$jar" -o /dev/null -w '%{http_code}' "$SITE/admin/")
echo "GET /admin/ signed in → $admin"; expect "/admin/ signed in" "$admin" 200

if [ -n "$DEMO" ]; then
  demo="$DIR/run/demo-cookies"; rm -f "$demo"
  "${CURL[@]}" -c "$demo" -o /dev/null "$SITE/login/"
  csrf=$(awk '$6 == "csrftoken" {print $7}' "$demo")
  "${CURL[@]}" -b "$demo" -c "$demo" -o /dev/null -H "Origin: $SITE" \
    --data-urlencode "username=engineer.b" --data-urlencode "password=caredesk-demo" \
    --data-urlencode "csrfmiddlewaretoken=$csrf" "$SITE/login/"
  queue=$("${CURL[@]}" -b "$demo" -w ' %{http_code}' "$SITE/queue/" | grep -oE '工作台|网管服务器宕机| [0-9]{3}$' | sort -u | tr '\n' ' ')
  echo "GET /queue/ as engineer.b (the demo) → $queue"; expect "the demo's queue" "$queue" "*200*"; expect "the demo's queue in zh-Hans" "$queue" "*工作台*"
fi
"$PY" manage.py timers_probe --schedule 20
for _ in $(seq 60); do
  report=$("$PY" manage.py timers_probe --report)
  case "$report" in *pending=0*) break ;; esac; sleep 1
done
echo "timers fired by the workers: $report"; expect "probe timers" "$report" "done=20 pending=0 repeated=0"
echo "worker heartbeats: $("$PY" manage.py shell --no-imports -c 'from caredesk.runtime.models import WorkerBeat as B; print(sorted(B.objects.values_list("name", flat=True)))' 2>/dev/null)"
[ -n "$KEEP" ] && { echo; echo "left running: $SITE (curl --cacert $DIR/nginx/tls/fullchain.pem --resolve $HOST:$TLS_PORT:127.0.0.1); stop: $0 stop $DIR"; }
[ "$failed" = 0 ] || exit 1
echo "OK"
