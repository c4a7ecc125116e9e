#!/usr/bin/env bash
# Packs what a machine with a GPU but no .NET SDK needs to run the GPU tests into .gpu/ (git-ignored via
# .git/info/exclude): a trimmed .NET runtime, this runner and the built CUDA test assembly. device-run.sh unpacks
# and runs them there. Usage: tools/gpu-test-runner/pack.sh   (from anywhere; builds Release first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=.gpu
mkdir -p "$out"
dotnet build tools/gpu-test-runner -c Release -v q -nologo
dotnet build tests/MiniGpt5.Tensors.Cuda.Tests -c Release -v q -nologo
rm -rf "$out/runner" "$out/cuda-tests"
cp -r tools/gpu-test-runner/bin/Release/net10.0 "$out/runner"
mkdir -p "$out/cuda-tests"
# The test assembly and what it loads; the test platform and resource folders stay behind (the runner replaces them).
for f in tests/MiniGpt5.Tensors.Cuda.Tests/bin/Release/net10.0/*; do
  case "$(basename "$f")" in
    MiniGpt5.*|xunit.*|System.Numerics.Tensors.dll|*.deps.json|*.runtimeconfig.json) cp "$f" "$out/cuda-tests/" ;;
  esac
done

if [ ! -f "$out/dotnet-runtime.tar.xz" ]; then
  # The shared runtime without the debugger, XML, data and VB parts these tests never load (the carry limit is 64 MiB).
  root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  version=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')
  stage=$(mktemp -d)
  mkdir -p "$stage/shared/Microsoft.NETCore.App"
  cp -a "$root/dotnet" "$root/host" "$stage/"
  cp -a "$root/shared/Microsoft.NETCore.App/$version" "$stage/shared/Microsoft.NETCore.App/"
  (cd "$stage/shared/Microsoft.NETCore.App/$version" && rm -f System.Private.Xml*.dll System.Data.Common.dll libmscordaccore.so \
    libmscordbi.so Microsoft.VisualBasic.Core.dll System.Private.DataContractSerialization.dll libclrgcexp.so libclrgc.so \
    libcoreclrtraceptprovider.so createdump System.Linq.AsyncEnumerable.dll System.Text.Encoding.CodePages.dll)
  tar -C "$stage" -cJf "$out/dotnet-runtime.tar.xz" .
  rm -rf "$stage"
fi
du -sh "$out"
