#!/usr/bin/env bash
# The SPIR-V backend on a Debian 12 machine, from source: PoCL with SPIR-V input
# (scripts/setup/pocl-spirv.sh -> /opt/pocl-spirv), then a TornadoVM SDK with the OpenCL and SPIR-V
# backends dispatching SPIR-V through that PoCL (scripts/setup/tornadovm-sdk.sh -> /opt/tornadovm/sdk-spirv).
# Run as root (it installs Debian packages) with JAVA_HOME at a JDK 25. Each script's environment
# variables pass through (PREFIX, DEST, NICE, JOBS, the *_GIT repositories, ...).
#
#   scripts/setup/spirv.sh
#   source /opt/tornadovm/sdk-spirv/setvars.sh && scripts/sliced-attention devices
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POCL_PREFIX=${POCL_PREFIX:-${PREFIX:-/opt/pocl-spirv}}
PREFIX="$POCL_PREFIX" "$HERE/pocl-spirv.sh"
POCL_PREFIX="$POCL_PREFIX" BACKEND=opencl,spirv "$HERE/tornadovm-sdk.sh"
