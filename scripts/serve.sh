#!/usr/bin/env bash
# Serve the web app and the worker until Ctrl-C (or SIGTERM).
# The web server is what people are using, so its end is the script's end. The worker is kept
# beside it: when it exits it is started again, after a pause that doubles with each restart
# (1 s up to WORKER_BACKOFF_MAX s) and drops back to 1 s once a worker has run
# WORKER_HEALTHY_AFTER s, so a worker that crashes at start does not spin.
# No `set -e`: a worker's failure is handled here, not a reason to stop serving.
#
# When Alertmanager is installed (Debian's prometheus-alertmanager) and ALERTMANAGER_URL is
# not set, the demo's own Alertmanager is started first (scripts/testam.sh, under
# var/alertmanager; CAREDESK_DEMO_ALERTMANAGER=0 opts out), ALERTMANAGER_URL is exported to
# the web server and the worker, and it is stopped on exit. Any further arguments are
# manage.py commands run once it is up, before serving (`make run`: seed_demo, which pushes
# again what a restart lost).
set -uo pipefail
PY="$1"; HOST="$2"; PORT="$3"; shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
AM_DIR="${CAREDESK_AM_DIR:-var/alertmanager}"
am_started=""
BACKOFF_MAX="${WORKER_BACKOFF_MAX:-60}"
HEALTHY_AFTER="${WORKER_HEALTHY_AFTER:-60}"

keep_worker() {
  # Stopped by TERM from the script's trap, or by Ctrl-C's INT (which reaches this subshell
  # too; the second of the two is ignored so the wait for the worker's last batch is not cut
  # short): end whatever runs now, the worker or the pause. `jobs -p` rather than a saved
  # pid, so a worker started just as the signal came is ended too.
  trap 'trap "" TERM INT; kill $(jobs -p) 2>/dev/null; wait; exit 0' TERM INT
  local pause=1 began rc
  while true; do
    began=$SECONDS
    "$PY" manage.py worker &
    wait $!; rc=$?
    if (( SECONDS - began >= HEALTHY_AFTER )); then pause=1; fi
    echo "serve.sh: the worker exited (status $rc); starting it again in ${pause}s" >&2
    sleep "$pause" &
    wait $!
    pause=$(( pause * 2 > BACKOFF_MAX ? BACKOFF_MAX : pause * 2 ))
  done
}

pids=()
stop() {
  trap - EXIT INT TERM
  kill "${pids[@]}" 2>/dev/null
  wait
  if [ -n "$am_started" ]; then "$HERE/testam.sh" stop "$AM_DIR"; fi
}
trap stop EXIT
# Exiting runs the EXIT trap, which stops both.
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${ALERTMANAGER_URL:-}" ] && [ "${CAREDESK_DEMO_ALERTMANAGER:-1}" != 0 ] \
    && { command -v prometheus-alertmanager || command -v alertmanager; } >/dev/null; then
  "$HERE/testam.sh" stop "$AM_DIR"  # a previous run killed before its trap: start afresh
  if url=$("$HERE/testam.sh" start "$AM_DIR"); then
    export ALERTMANAGER_URL="$url"
    am_started=1
    echo "Alertmanager (the demo's) on $url"
  else
    echo "serve.sh: Alertmanager did not start; serving without it" >&2
  fi
fi
for command in "$@"; do
  "$PY" manage.py "$command" || echo "serve.sh: manage.py $command failed (status $?)" >&2
done

keep_worker & pids+=($!)
echo "CareDesk on http://$HOST:$PORT/  (Ctrl-C stops)"
"$PY" manage.py runserver --noreload "$HOST:$PORT" & server=$!
pids+=("$server")
wait "$server"
