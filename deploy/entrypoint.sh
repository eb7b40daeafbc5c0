#!/bin/sh
# The image's entrypoint: the first argument names the process, so compose and the chart say
# `web` or `worker` instead of repeating command lines. Anything else is run as given
# (`python manage.py issue_token ...`). `exec` makes the process PID 1, so it receives
# SIGTERM itself: Daphne closes its sockets, Celery finishes (or, with acks_late,
# hands back) the task it runs.
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    exec daphne -b 0.0.0.0 -p 8000 "$@" webapp.asgi:application
    ;;
  worker)
    exec celery -A webapp worker --loglevel "${MESHWATCH_LOG_LEVEL:-INFO}" "$@"
    ;;
  beat)
    # The schedule file goes to /tmp: the root filesystem is read-only.
    exec celery -A webapp beat --loglevel "${MESHWATCH_LOG_LEVEL:-INFO}" \
      --schedule /tmp/celerybeat-schedule "$@"
    ;;
  watcher)
    # One watcher writes at a time (a database lease); a second one waits as a standby.
    exec python manage.py watch_cluster "$@"
    ;;
  migrate)
    exec python manage.py migrate --noinput "$@"
    ;;
  wait-for-migrations)
    # For init containers: wait until the migrate step has brought the schema up to date,
    # so no process starts against tables that do not exist yet.
    until python manage.py migrate --check >/dev/null 2>&1; do
      echo "waiting for migrations..." >&2
      sleep 3
    done
    ;;
  exporter)
    exec python manage.py simulator_exporter --bind 0.0.0.0 --port 9102 "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
