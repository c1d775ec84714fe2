#!/bin/bash
# The 503 timing with the database stopped and hung, over HTTP (gunicorn, production settings), against a
# throwaway PostgreSQL 15 cluster started and thrown away here (run as root: initdb runs as `postgres`).
# Figures, not pass/fail: tests/test_database_unavailable.py asserts the behaviour.
set -u
cd "$(dirname "$0")/.."
OUT=$(mktemp -d)
PGBIN=/usr/lib/postgresql/15/bin
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PGPORT=$(freeport); WEBPORT=$(freeport)
PGROOT=$(mktemp -d); chown postgres:postgres "$PGROOT"
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  [ -n "${GPID:-}" ] && kill "$GPID" 2>/dev/null; wait "$GPID" 2>/dev/null
  [ -n "${LOCKPID:-}" ] && kill "$LOCKPID" 2>/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$PGROOT" "$OUT"
}
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
start_pg() { as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 30 -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGROOT -c fsync=off" start >/dev/null; }
start_pg
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB" -c "CREATE DATABASE app OWNER app"
export DATABASE_URL="postgres://app:app@127.0.0.1:$PGPORT/app" DJANGO_ENV=production DJANGO_SECRET_KEY=measure-only-key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \
  DJANGO_ALLOWED_HOSTS=127.0.0.1 EMAIL_HOST=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_STATIC_ROOT=$OUT/static
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py collectstatic --no-input -v0
KEY=$(.venv/bin/python manage.py shell -c "
from django.contrib.sessions.backends.db import SessionStore
from symphony_portal.trust.models import User
u = User.objects.create_user(email='m@symphony.test', password='measure-password-1', full_name='M Easure')
s = SessionStore(); s['_auth_user_id'] = str(u.pk); s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'
s['_auth_user_hash'] = u.get_session_auth_hash(); s.create(); print(s.session_key)" | tail -1)
.venv/bin/gunicorn symphony_portal.wsgi --bind 127.0.0.1:$WEBPORT --workers 2 --timeout 60 --error-logfile $OUT/gunicorn.log --capture-output >/dev/null 2>&1 &
GPID=$!
for i in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$WEBPORT/accounts/login/" && break; sleep 0.2; done
get() { curl -s -o $OUT/body -w "%{http_code} %{time_total}s" --max-time 60 -H "X-Forwarded-Proto: https" -b "sessionid=$KEY" "http://127.0.0.1:$WEBPORT/"; echo " $(grep -o 'temporarily unavailable' $OUT/body | head -1)"; }
echo "normal:            $(get)"; echo "normal:            $(get)"
as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null
for i in 1 2 3; do echo "stopped ($i):       $(get)"; done
start_pg
echo "restarted:         $(get)"; echo "restarted:         $(get)"
# hung 1: another session holds the sessions table; every request's first query waits on the lock
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d app -c "BEGIN; LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(40);" >/dev/null 2>&1 &
LOCKPID=$!; sleep 1
for i in 1 2; do echo "hung (lock) ($i):   $(get)"; done
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d app -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()" >/dev/null
wait $LOCKPID 2>/dev/null; LOCKPID=; sleep 0.5
echo "lock released:     $(get)"
# hung 2: the postmaster frozen (SIGSTOP): the kernel accepts connections, nobody answers
# the workers' kept connections are ended first, so each request must open a new one
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d app -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'" >/dev/null
PM=$(head -1 "$PGROOT/data/postmaster.pid")
kill -STOP "$PM"
for i in 1 2; do echo "hung (frozen) ($i): $(get)"; done
kill -CONT "$PM"; sleep 0.5
echo "thawed:            $(get)"; echo "thawed:            $(get)"
echo "--- log lines:"; grep -c "Database unavailable" $OUT/gunicorn.log; grep -c Traceback $OUT/gunicorn.log; grep "Database unavailable" $OUT/gunicorn.log | head -3
