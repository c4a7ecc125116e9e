#!/usr/bin/env bash
# Container health probe without curl or wget: GET http://127.0.0.1:PORT/PATH with bash's /dev/tcp and
# succeed on a 2xx status. Used by the HEALTHCHECK in infra/Dockerfile.api (the aspnet image has no curl).
# Usage: http-probe PORT [PATH] [TIMEOUT_SECONDS]
set -euo pipefail
port=${1:?usage: http-probe PORT [PATH] [TIMEOUT_SECONDS]}
path=${2:-/healthz}
timeout_s=${3:-5}

exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\nUser-Agent: http-probe\r\n\r\n' "$path" "$port" >&3
status_line=""
IFS= read -r -t "$timeout_s" status_line <&3 || true
exec 3<&-
case "$status_line" in
  HTTP/1.[01]\ 2[0-9][0-9]*) exit 0 ;;
  *) echo "http-probe: GET ${path} on port ${port} answered '${status_line%$'\r'}'" >&2; exit 1 ;;
esac
