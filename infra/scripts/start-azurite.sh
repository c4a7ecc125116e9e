#!/usr/bin/env bash
# Starts the project-local Azurite (tools/azurite, pinned 3.35.0; installed by scripts/test.sh or
# `cd tools/azurite && npm ci`). Blob 10000, queue 10001, table 10002 on 127.0.0.1; data under
# .minigpt5/azurite (git-ignored) unless --data or AZURITE_DATA says otherwise.
#
#   infra/scripts/start-azurite.sh                 # foreground; Ctrl-C stops it
#   infra/scripts/start-azurite.sh --background    # returns once all three ports accept connections
#   infra/scripts/start-azurite.sh --stop          # stops the one --background started
#
# Then point the app at it with AzureWebJobsStorage=UseDevelopmentStorage=true.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
azurite="$root/tools/azurite/node_modules/.bin/azurite"
data=${AZURITE_DATA:-"$root/.minigpt5/azurite"}
blob_port=${AZURITE_BLOB_PORT:-10000}
queue_port=${AZURITE_QUEUE_PORT:-10001}
table_port=${AZURITE_TABLE_PORT:-10002}
mode=foreground

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --background) mode=background ;;
    --stop) mode=stop ;;
    --data) data=${2:?--data needs a folder}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "start-azurite.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

pidfile="$data/azurite.pid"
logfile="$data/azurite.log"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ "$mode" = stop ]; then
  if [ ! -f "$pidfile" ]; then echo "start-azurite.sh: no $pidfile; nothing to stop"; exit 0; fi
  pid=$(cat "$pidfile")
  # Only stop the process we started: the pid must still belong to an Azurite command line.
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q azurite; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "Stopped Azurite (pid $pid)."
  else
    echo "start-azurite.sh: pid $pid is not a running Azurite; removing the stale pid file"
  fi
  rm -f "$pidfile"
  exit 0
fi

if [ ! -x "$azurite" ]; then
  echo "start-azurite.sh: Azurite is not installed in tools/azurite. Run: (cd tools/azurite && npm ci)" >&2
  exit 2
fi
for port in "$blob_port" "$queue_port" "$table_port"; do
  if port_open "$port"; then
    echo "start-azurite.sh: port $port on 127.0.0.1 is already in use (another Azurite?)." >&2
    exit 1
  fi
done

mkdir -p "$data"
args=(--blobHost 127.0.0.1 --blobPort "$blob_port"
      --queueHost 127.0.0.1 --queuePort "$queue_port"
      --tableHost 127.0.0.1 --tablePort "$table_port"
      --location "$data")

if [ "$mode" = foreground ]; then
  echo "Azurite: blob $blob_port, queue $queue_port, table $table_port; data in $data"
  exec "$azurite" "${args[@]}"
fi

nohup "$azurite" "${args[@]}" >"$logfile" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"
for _ in $(seq 1 150); do
  if port_open "$blob_port" && port_open "$queue_port" && port_open "$table_port"; then
    echo "Azurite running (pid $pid): blob $blob_port, queue $queue_port, table $table_port; data in $data"
    stop_hint="$0 --stop"
    [ -n "${AZURITE_DATA:-}" ] || [ "$data" = "$root/.minigpt5/azurite" ] || stop_hint="$stop_hint --data $data"
    echo "Use: export AzureWebJobsStorage=UseDevelopmentStorage=true    Stop: $stop_hint"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-azurite.sh: Azurite exited during start; see $logfile" >&2
    rm -f "$pidfile"
    exit 1
  fi
  sleep 0.2
done
echo "start-azurite.sh: Azurite did not open its ports within 30 s; see $logfile" >&2
kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
exit 1
