#!/usr/bin/env bash
# Serve the web app (and, once it exists, the worker) until Ctrl-C.
set -euo pipefail
PY="$1"; HOST="$2"; PORT="$3"
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
if "$PY" manage.py help worker >/dev/null 2>&1; then
  "$PY" manage.py worker & pids+=($!)
fi
echo "CareDesk on http://$HOST:$PORT/  (Ctrl-C stops)"
"$PY" manage.py runserver --noreload "$HOST:$PORT" & pids+=($!)
wait -n "${pids[@]}"
