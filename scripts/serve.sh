#!/usr/bin/env bash
# Serve the web app and the worker until Ctrl-C (or SIGTERM).
# The web server is what people are using, so its end is the script's end. The worker is kept
# beside it: when it exits it is started again, after a pause that doubles with each restart
# (1 s up to WORKER_BACKOFF_MAX s) and drops back to 1 s once a worker has run
# WORKER_HEALTHY_AFTER s, so a worker that crashes at start does not spin.
# No `set -e`: a worker's failure is handled here, not a reason to stop serving.
set -uo pipefail
PY="$1"; HOST="$2"; PORT="$3"
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
}
trap stop EXIT
# Exiting runs the EXIT trap, which stops both.
trap 'exit 130' INT
trap 'exit 143' TERM

keep_worker & pids+=($!)
echo "CareDesk on http://$HOST:$PORT/  (Ctrl-C stops)"
"$PY" manage.py runserver --noreload "$HOST:$PORT" & server=$!
pids+=("$server")
wait "$server"
