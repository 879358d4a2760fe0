#!/usr/bin/env bash
# doccano-server.sh start|stop|status -- a local doccano 1.8.4 for the `doccano` tests and for trying the loop.
#
# start: installs doccano in its own virtualenv when missing (doccano pins pydantic 2, pandas<2 and
#        Django 4.2; it cannot share thresher's environment), initialises a fresh SQLite database in
#        the run folder, creates an admin and one annotator with random passwords, starts gunicorn on
#        127.0.0.1 and the `doccano task` (celery) worker, writes their PID files, waits for
#        /v1/health/ and writes the credentials to $RUN/doccano.env (mode 600) for `source`.
# stop:  stops both processes by their PID files (TERM, then KILL after 15 s), children included.
#
# Settings (environment):
#   DOCCANO_VENV     the server's virtualenv (default ${XDG_CACHE_HOME:-~/.cache}/thresher/doccano-1.8.4)
#   DOCCANO_RUN_DIR  database, logs, PID files, doccano.env (default ${TMPDIR:-/tmp}/thresher-doccano)
#   DOCCANO_PORT     port on 127.0.0.1 (default: a free one)
#   PYTHON           the interpreter for the virtualenv (default python3.11, else python3)
# Passwords are generated here and handed over in files and the environment, never on a command line.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${DOCCANO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/thresher/doccano-1.8.4}"
RUN="${DOCCANO_RUN_DIR:-${TMPDIR:-/tmp}/thresher-doccano}"
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
ADMIN=admin
ANNOTATOR=annotator

log() { echo "doccano-server: $*" >&2; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install() {
  if "$VENV/bin/python" -c "import backend, pandas, environs, gunicorn" >/dev/null 2>&1; then
    return
  fi
  log "installing doccano 1.8.4 into $VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
  # numpy<2: doccano's pandas 1.5.3 breaks on numpy 2; marshmallow<4: environs 9.5 breaks on 4.
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -c "$HERE/doccano-server-constraints.txt" \
    "doccano==1.8.4" "numpy<2" "marshmallow<4"
}

server_env() {
  export DOCCANO_HOME="$RUN"                       # else the CLI writes ~/doccano
  export DATABASE_URL="sqlite:///$RUN/db.sqlite3"  # celery's broker defaults to sqla+ this same file
  export MEDIA_ROOT="$RUN/media"
  export DJANGO_SETTINGS_MODULE=thresher_doccano_settings
  export PYTHONPATH="$RUN"
  export STANDALONE=True
  SECRET_KEY="$(cat "$RUN/secret_key")"
  export SECRET_KEY
}

# descendants of the given PIDs (psutil comes with doccano; a fresh Debian may have no pgrep)
children() {
  "$VENV/bin/python" -c 'import sys, psutil
for pid in sys.argv[1:]:
    try:
        print(" ".join(str(c.pid) for c in psutil.Process(int(pid)).children(recursive=True)))
    except psutil.Error:
        pass' "$@" 2>/dev/null | tr '\n' ' '
}

stop() {
  local pids="" kids="" p
  for f in "$RUN/gunicorn.pid" "$RUN/celery.pid"; do
    if alive "$f"; then pids="$pids $(cat "$f")"; fi
  done
  # shellcheck disable=SC2086
  [ -n "$pids" ] && kids="$(children $pids)"
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 30); do  # celery's warm shutdown takes a few seconds
    local any=0
    for p in $pids $kids; do kill -0 "$p" 2>/dev/null && any=1; done
    [ $any = 0 ] && break
    sleep 0.5
  done
  for p in $pids $kids; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  rm -f "$RUN/gunicorn.pid" "$RUN/celery.pid" "$RUN/doccano.env"
  [ -n "$pids" ] && log "stopped (pids$pids)"
  return 0
}

# /v1/health/ answers 200 once the database, storage, migrations and a celery round trip work
healthy() {
  "$VENV/bin/python" -c 'import sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/v1/health/", headers={"Accept": "application/json"})
sys.exit(0 if urllib.request.urlopen(request, timeout=10).status == 200 else 1)' "$1" >/dev/null 2>&1
}

start() {
  if alive "$RUN/gunicorn.pid" && alive "$RUN/celery.pid" && [ -f "$RUN/doccano.env" ]; then
    # shellcheck disable=SC1091
    (. "$RUN/doccano.env"; healthy "$DOCCANO_URL") && { log "already running: $RUN/doccano.env"; return 0; }
  fi
  stop
  install
  rm -rf "$RUN"
  mkdir -p "$RUN"
  chmod 700 "$RUN"
  od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$RUN/secret_key"
  cat > "$RUN/thresher_doccano_settings.py" <<'PYEOF'
import os

from config.settings.production import *  # noqa: F401,F403

# keep django-drf-filepond's temporary uploads in the run folder, not in site-packages
DJANGO_DRF_FILEPOND_UPLOAD_TMP = os.path.join(os.environ["DOCCANO_HOME"], "filepond-tmp")
DJANGO_DRF_FILEPOND_ALLOW_EXTERNAL_UPLOAD_DIR = True
PYEOF
  server_env
  local backend port url admin_pw annot_pw
  backend="$("$VENV/bin/python" -c 'import backend, os; print(os.path.dirname(backend.__file__))')"
  port="${DOCCANO_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
  url="http://127.0.0.1:$port"
  admin_pw="admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  annot_pw="annot-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  "$VENV/bin/doccano" init > "$RUN/init.log" 2>&1 || { tail -20 "$RUN/init.log" >&2; return 1; }
  # users through Django, passwords through the environment (`doccano createuser` takes them in argv)
  (cd "$backend" && ADMIN_PW="$admin_pw" ANNOT_PW="$annot_pw" PYTHONPATH="$RUN:$backend" "$VENV/bin/python" - <<PYEOF
import os

import django

django.setup()
from django.contrib.auth.models import User

User.objects.create_superuser("$ADMIN", "", os.environ["ADMIN_PW"])
User.objects.create_user("$ANNOTATOR", "", os.environ["ANNOT_PW"])
PYEOF
  ) > "$RUN/users.log" 2>&1 || { tail -20 "$RUN/users.log" >&2; return 1; }
  # `doccano webserver` binds 0.0.0.0: run the same gunicorn app on loopback instead
  "$VENV/bin/gunicorn" --bind "127.0.0.1:$port" --workers 2 --chdir "$backend" --pid "$RUN/gunicorn.pid" \
    --capture-output --log-level warning config.wsgi > "$RUN/web.log" 2>&1 &
  echo $! > "$RUN/gunicorn.pid"
  "$VENV/bin/doccano" task --concurrency 1 > "$RUN/task.log" 2>&1 &
  echo $! > "$RUN/celery.pid"
  local ok=0
  for _ in $(seq 1 120); do
    if healthy "$url"; then ok=1; break; fi
    alive "$RUN/gunicorn.pid" && alive "$RUN/celery.pid" || break
    sleep 0.5
  done
  if [ $ok = 0 ]; then
    log "doccano did not become healthy at $url"
    tail -20 "$RUN/web.log" "$RUN/task.log" >&2 || true
    stop
    return 1
  fi
  umask 077
  cat > "$RUN/doccano.env" <<ENVEOF
export DOCCANO_URL=$url
export DOCCANO_USERNAME=$ADMIN
export DOCCANO_PASSWORD=$admin_pw
export DOCCANO_ANNOTATOR_USERNAME=$ANNOTATOR
export DOCCANO_ANNOTATOR_PASSWORD=$annot_pw
ENVEOF
  log "running at $url (gunicorn pid $(cat "$RUN/gunicorn.pid"), celery pid $(cat "$RUN/celery.pid")); credentials: . $RUN/doccano.env"
}

status() {
  if alive "$RUN/gunicorn.pid" && alive "$RUN/celery.pid" && [ -f "$RUN/doccano.env" ]; then
    (. "$RUN/doccano.env"; healthy "$DOCCANO_URL" && log "healthy at $DOCCANO_URL") && return 0
  fi
  log "not running"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
