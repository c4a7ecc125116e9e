#!/usr/bin/env bash
# Builds the Functions custom-handler package: publishes `minigpt5` (self-contained, linux-x64) into
# infra/functions/app/ and zips host.json, the function folders and app/ into infra/functions/minigpt5-functions.zip.
#   infra/functions/build.sh             then   func start   (run from infra/functions, needs Core Tools 4)
#   az functionapp deployment source config-zip -g RG -n APP --src infra/functions/minigpt5-functions.zip
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

rm -rf "$here/app" "$here/minigpt5-functions.zip"
# Self-contained: Function App images for custom handlers carry no .NET 10 runtime of their own.
dotnet publish "$root/src/MiniGpt5.Cli/MiniGpt5.Cli.csproj" \
  --configuration Release --runtime linux-x64 --self-contained \
  --output "$here/app" -p:PublishReadyToRun=true -nologo -v quiet
chmod +x "$here/app/minigpt5"

command -v zip >/dev/null 2>&1 || { echo "build.sh: 'zip' is not installed (apt-get install zip)" >&2; exit 2; }
(cd "$here" && zip -qr minigpt5-functions.zip host.json HttpApi IngestManuscript RunSchedules app)
echo "Built $here/minigpt5-functions.zip"
