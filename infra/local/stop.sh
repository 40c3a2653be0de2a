#!/usr/bin/env bash
# Stops the local stack started by start.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pid_file="$here/.local-stack.pid"
if [[ ! -f "$pid_file" ]]; then
  echo "local stack not running"
  exit 0
fi
pid="$(cat "$pid_file")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
  fi
fi
rm -f "$pid_file"
echo "local stack stopped"
