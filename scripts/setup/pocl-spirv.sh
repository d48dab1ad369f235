#!/usr/bin/env bash
# Builds an OpenCL runtime that accepts SPIR-V: PoCL (a CPU device) from source with Debian 12's
# LLVM/Clang 15 and the LLVM SPIR-V translator (llvm-spirv-15), installed into its own prefix.
# Debian's own PoCL (3.1) reports no IL version, so TornadoVM's SPIR-V backend cannot use it.
#
#   scripts/setup/pocl-spirv.sh
#
# Environment (all optional):
#   PREFIX     install prefix                         (default /opt/pocl-spirv)
#   SRC        source/build tree                      (default /opt/src/pocl)
#   POCL_GIT   PoCL's git repository                  (default https://github.com/pocl/pocl.git)
#   POCL_TAG   release tag: LLVM 15 needs 4.0 .. 6.0  (default v6.0)
#   JOBS       parallel compile jobs                  (default: the number of CPUs)
#   NICE       niceness of the compile                (default 0)
#   CPU_VARIANTS  PoCL's KERNELLIB_HOST_CPU_VARIANTS  (default native: the kernel library is built
#              for this machine's CPU only; 'distro' builds every x86-64 level, several times slower)
#
# The runtime is not registered system-wide: its ICD file is $PREFIX/etc/OpenCL/vendors/pocl.icd,
# and a program sees it with   OCL_ICD_VENDORS=$PREFIX/etc/OpenCL/vendors   (ocl-icd then loads
# only this PoCL). To add it to the system's platforms instead: cp that file /etc/OpenCL/vendors/pocl-spirv.icd
# Then `clinfo` (with that variable) lists a device whose "IL version" is SPIR-V_1.2.
set -euo pipefail

PREFIX=${PREFIX:-/opt/pocl-spirv}
SRC=${SRC:-/opt/src/pocl}
POCL_GIT=${POCL_GIT:-https://github.com/pocl/pocl.git}
POCL_TAG=${POCL_TAG:-v6.0}
JOBS=${JOBS:-$(nproc)}
NICE=${NICE:-0}
CPU_VARIANTS=${CPU_VARIANTS:-native}
LLVM=15

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# 1. Debian packages: LLVM/Clang 15 with their development files, the SPIR-V translator, the ICD
#    loader and its development files, hwloc, and clinfo/spirv-tools to look at the result.
PACKAGES=(build-essential cmake git pkg-config python3 llvm-$LLVM-dev clang-$LLVM libclang-$LLVM-dev
          libclang-cpp$LLVM-dev llvm-spirv-$LLVM libllvmspirvlib-$LLVM-dev libhwloc-dev ocl-icd-dev
          ocl-icd-opencl-dev opencl-headers clinfo spirv-tools)
step "packages"
timed packages install_packages "${PACKAGES[@]}"

# 2. Source at the release tag. The examples are not built (ENABLE_EXAMPLES=OFF) and are left out
#    of the checkout.
step "source $POCL_GIT $POCL_TAG -> $SRC"
timed source checkout_tag "$POCL_GIT" "$SRC" "$POCL_TAG" examples/

# 3. Configure: LLVM 15 from Debian, SPIR-V input through llvm-spirv-15, an ICD-loadable library,
#    no tests or examples. ENABLE_SPIRV must come out ON, or the device has no IL version.
configure() {
  mkdir -p "$SRC/build"
  cd "$SRC/build"
  nice -n "$NICE" cmake .. -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" \
    -DWITH_LLVM_CONFIG=/usr/bin/llvm-config-$LLVM -DLLVM_SPIRV=/usr/bin/llvm-spirv-$LLVM \
    -DENABLE_ICD=ON -DPOCL_INSTALL_ICD_VENDORDIR="$PREFIX/etc/OpenCL/vendors" \
    -DKERNELLIB_HOST_CPU_VARIANTS="$CPU_VARIANTS" -DENABLE_TESTS=OFF -DENABLE_EXAMPLES=OFF \
    | tee cmake-summary.log | grep -E 'LLVM_VERSION:|ENABLE_SPIRV|llvm-spirv|CPU variants'
  grep -q 'ENABLE_SPIRV: ON' cmake-summary.log || { echo "error: PoCL configured without SPIR-V (is llvm-spirv-$LLVM installed?)" >&2; exit 1; }
}
step "configure"
timed configure configure

# 4. Build and install.
step "build (-j$JOBS)"
timed build nice -n "$NICE" make -C "$SRC/build" -j"$JOBS"
step "install -> $PREFIX"
timed install make -C "$SRC/build" install >/dev/null

# 5. Check: the new platform's device takes SPIR-V.
step "check"
export OCL_ICD_VENDORS="$PREFIX/etc/OpenCL/vendors"
info=$(clinfo)
echo "$info" | grep -E 'Platform Name|Platform Version|Device Name|IL version' | sed 's/^ */  /' | sort -u
echo "$info" | grep -q 'IL version *SPIR-V' || { echo "error: the PoCL device reports no SPIR-V IL version" >&2; exit 1; }
echo "PoCL with SPIR-V ready: OCL_ICD_VENDORS=$OCL_ICD_VENDORS"
