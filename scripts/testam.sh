#!/usr/bin/env bash
# Throwaway Prometheus Alertmanager on loopback for the test suite and the demo.
#   scripts/testam.sh start DIR   -> prints its URL (http://127.0.0.1:PORT)
#   scripts/testam.sh stop DIR
# No cluster port (an empty --cluster.listen-address: no gossip), one route to one empty
# receiver: it holds silences and alerts, and sends nothing anywhere.
set -euo pipefail
cmd="$1"; dir="$2"
am=$(command -v prometheus-alertmanager || command -v alertmanager || true)
case "$cmd" in
start)
  if [ -z "$am" ]; then
    echo "Alertmanager is not installed: run scripts/system-deps.sh (Debian's prometheus-alertmanager)." >&2
    exit 1
  fi
  mkdir -p "$dir/data"
  cat >"$dir/alertmanager.yml" <<'YAML'
route:
  receiver: nobody
receivers:
  - name: nobody
YAML
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$am" --config.file="$dir/alertmanager.yml" --storage.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
    >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  # Ready when its API answers (a second or so); give up after 20 s with its log.
  for _ in $(seq 1 200); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/-/ready', timeout=1)" 2>/dev/null; then
      echo "http://127.0.0.1:$port"
      exit 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/server.log" >&2
  exit 1
  ;;
stop)
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  ;;
esac
