#!/bin/bash
# The backup/restore drill: a generated trust (3,000 people, 12 schools, acknowledgements) plus reports with
# evidence, backed up and restored into a new empty database, on SQLite and on a throwaway PostgreSQL 15
# cluster (run as root: initdb runs as `postgres`). Prints sizes, counts and times; compares every table's
# rows and every acknowledgement's fingerprint (stored, and recomputed from the restored text).
set -eu
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=$(mktemp -d)
PGBIN=/usr/lib/postgresql/15/bin
PGROOT=$(mktemp -d); chown postgres:postgres "$PGROOT"
as_pg() { runuser -u postgres -- "$@"; }
trap 'as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$PGROOT" "$OUT"' EXIT
PROBE='
import json, hashlib
from acknowledgements.models import Acknowledgement
from policies.selectors import fingerprint
from symphony_portal.lib.backup import table_counts
acks = sorted((a.pk, a.fingerprint, fingerprint(a.version)) for a in Acknowledgement.objects.select_related("version"))
assert all(stored == again for _, stored, again in acks), "a fingerprint differs from its text"
counts = table_counts()
print(json.dumps({"tables": len(counts), "rows": sum(counts.values()), "acknowledgements": len(acks),
                  "digest": hashlib.sha256(json.dumps([counts, acks]).encode()).hexdigest()}))'
FILL='
from datetime import date
from reports import services
from reports.evidence import CheckedFile
from symphony_portal.trust.models import User
from tests.reports.builders import details, png_bytes, pdf_bytes
people = list(User.objects.active().filter(school__isnull=False).order_by("pk")[:41])
for i in range(20):
    services.submit(details(people[i + 1]), by=people[i], notify=False,
                    files=[CheckedFile("a.png", "png", png_bytes((800, 600))), CheckedFile("b.pdf", "pdf", pdf_bytes())])
print("reports made")'
drill() {  # $1: label; env says which database
  local src_env=("${@:2}")
  env "${src_env[@]}" $PY manage.py migrate -v0
  env "${src_env[@]}" $PY manage.py load_seed_policy >/dev/null
  env "${src_env[@]}" $PY manage.py generate_trust --schools 12 --people 3000 --seed 1 >/dev/null
  env "${src_env[@]}" $PY manage.py shell -c "$FILL" >/dev/null
  local before; before=$(env "${src_env[@]}" $PY manage.py shell -c "$PROBE" | tail -1)
  local t0; t0=$(date +%s.%N)
  env "${src_env[@]}" $PY manage.py backup "$OUT/$1.tar.gz"
  local t1; t1=$(date +%s.%N)
  echo "$1 backup: $(stat -c %s "$OUT/$1.tar.gz") bytes in $(echo "$t1 - $t0" | bc) s; database member: $(tar -tzvf "$OUT/$1.tar.gz" | grep database | awk '{print $3}') bytes; $(tar -tzf "$OUT/$1.tar.gz" | grep -c '^private/') private files"
  echo "$1 source:   $before"
}
restore_into() {  # $1 label; env of the empty target
  local t0; t0=$(date +%s.%N)
  env "${@:2}" $PY manage.py restore "$OUT/$1.tar.gz"
  local t1; t1=$(date +%s.%N)
  echo "$1 restore: $(echo "$t1 - $t0" | bc) s"
  echo "$1 restored: $(env "${@:2}" $PY manage.py shell -c "$PROBE" | tail -1)"
}
unset DATABASE_URL || true
mkdir -p "$OUT/sqlite-src" "$OUT/sqlite-dst"
drill sqlite SYMPHONY_VAR_DIR="$OUT/sqlite-src"
restore_into sqlite SYMPHONY_VAR_DIR="$OUT/sqlite-dst"

PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 30 -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGROOT -c fsync=off" start >/dev/null
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB" \
  -c "CREATE DATABASE src OWNER app" -c "CREATE DATABASE dst OWNER app"
drill postgresql DATABASE_URL="postgres://app:app@127.0.0.1:$PGPORT/src" SYMPHONY_VAR_DIR="$OUT/pg-src"
restore_into postgresql DATABASE_URL="postgres://app:app@127.0.0.1:$PGPORT/dst" SYMPHONY_VAR_DIR="$OUT/pg-dst"
