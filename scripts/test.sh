#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Installs what the tests need into the
# repository (Azurite from npm into tools/azurite; nothing global) and, with apt, the browser and EPUB checker
# the book tests use (chromium, epubcheck), builds once, runs every test project,
# and ends with one line: "N passed, N failed" (skipped tests are counted on the line before it).
# Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
config=${CONFIGURATION:-Release}
results="$root/TestResults"

need() { command -v "$1" >/dev/null 2>&1 || { echo "scripts/test.sh: '$1' is not installed. $2" >&2; exit 2; }; }
need dotnet "Install the .NET 10 SDK: https://dot.net"
need npm "Install Node.js 20 or newer (it brings npm): apt-get install nodejs npm"

echo "==> Installing Azurite into tools/azurite (project-local)"
if [ ! -x tools/azurite/node_modules/.bin/azurite ]; then
  (cd tools/azurite && npm ci --no-audit --no-fund --loglevel=error) || { echo "Azurite install failed" >&2; exit 2; }
fi

echo "==> System packages for the browser and EPUB checks (chromium, epubcheck)"
if ! command -v chromium >/dev/null 2>&1 || [ ! -f /usr/share/java/epubcheck.jar ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    if $sudo true 2>/dev/null; then
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium epubcheck >/dev/null \
        || echo "note: apt could not install chromium/epubcheck; the tests that need them will be skipped" >&2
    else
      echo "note: not root and no passwordless sudo; tests that need chromium/epubcheck will be skipped" >&2
    fi
  else
    echo "note: no apt-get; tests that need chromium/epubcheck will be skipped" >&2
  fi
fi

echo "==> Building ($config)"
if ! dotnet build MiniGpt5.Functions.sln -c "$config" -nologo -v q; then
  echo "the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

rm -rf "$results"
mkdir -p "$results"
passed=0; failed=0; skipped=0; broken=()
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "==> $name"
  dotnet test "$project" -c "$config" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" --blame-hang-timeout 10m
  code=$?
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
    p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
    total=$(get total); executed=$(get executed)
    passed=$((passed + p)); failed=$((failed + f + e + t + a)); skipped=$((skipped + total - executed))
    if [ "$code" -ne 0 ] && [ $((f + e + t + a)) -eq 0 ]; then failed=$((failed + 1)); broken+=("$name (exit $code)"); fi
  elif [ "$code" -ne 0 ]; then
    failed=$((failed + 1)); broken+=("$name (no results, exit $code)")
  fi
done

for b in "${broken[@]}"; do echo "test run broke: $b"; done
echo "$skipped skipped (each skipped test states its reason in TestResults/*.trx)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
