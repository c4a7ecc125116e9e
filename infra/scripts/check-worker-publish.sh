#!/usr/bin/env bash
# Publishes the worker exactly as infra/Dockerfile.worker does (self-contained, linux-x64, ReadyToRun) and
# runs `minigpt5 --help` and `minigpt5 worker --help` on the result, so a broken self-contained publish is
# caught without a Docker engine. Prints how long the publish took and how large the output is.
#
#   infra/scripts/check-worker-publish.sh [--no-ready-to-run] [--output DIR]
#
# Needs network access to nuget.org the first time (runtime packs and, with ReadyToRun, crossgen2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/.minigpt5/worker-publish"
r2r=true

while [ $# -gt 0 ]; do
  case "$1" in
    --no-ready-to-run) r2r=false ;;
    --output) out=${2:?--output needs a folder}; shift ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-worker-publish.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

rm -rf "$out"
start=$(date +%s.%N)
dotnet publish "$root/src/MiniGpt5.Cli/MiniGpt5.Cli.csproj" \
  --configuration Release --runtime linux-x64 --self-contained \
  --output "$out" -p:PublishReadyToRun="$r2r" -nologo -v quiet
publish_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

binary="$out/minigpt5"
[ -x "$binary" ] || { echo "check-worker-publish.sh: $binary was not produced" >&2; exit 1; }

# A clean environment: no DOTNET_ROOT, so the binary must run on the runtime it carries.
env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" "$binary" --help >"$out.help.txt"
# Until the app registers `worker`, say so; once it is listed, its help must work too.
if grep -qE '^[[:space:]]+worker([[:space:]]|$)' "$out.help.txt"; then
  env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" "$binary" worker --help >"$out.worker-help.txt"
  worker_help=ok
else
  worker_help="not registered yet (no 'worker' command in minigpt5 --help)"
fi
size=$(du -sh "$out" | cut -f1)

printf 'publish: %s s (ReadyToRun=%s), output %s in %s\n' "$publish_s" "$r2r" "$size" "$out"
echo "minigpt5 --help: ok"
echo "minigpt5 worker --help: $worker_help"
