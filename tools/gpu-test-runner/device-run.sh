#!/usr/bin/env bash
# Runs on the GPU machine (after pack.sh here): unpacks the runtime, finds the CUDA libraries and runs every test
# of the CUDA test assembly, GPU ones included. Logs go to $OUT when set. Exit status: non-zero if any test failed.
# Usage: tools/gpu-test-runner/device-run.sh [--filter <substring>]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
log=${OUT:-/tmp}/gpu-tests.log
mkdir -p /tmp/dotnet && tar -C /tmp/dotnet -xJf .gpu/dotnet-runtime.tar.xz
export DOTNET_ROOT=/tmp/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# NVRTC and cuBLASLt come from the toolkit or from pip's nvidia-* wheels; the loader needs their folders.
libs=$(find /usr/local /opt /usr/lib -name 'libnvrtc.so*' -o -name 'libcublasLt.so*' 2>/dev/null | xargs -r -n1 dirname | sort -u | paste -sd:)
export LD_LIBRARY_PATH=${libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "CUDA library folders: $libs"
/tmp/dotnet/dotnet .gpu/runner/GpuTestRunner.dll .gpu/cuda-tests/MiniGpt5.Tensors.Cuda.Tests.dll "$@" 2>&1 | tee "$log"
