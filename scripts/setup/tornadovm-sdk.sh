#!/usr/bin/env bash
# Builds a TornadoVM SDK (v5.2.0-jdk25) from source with the backends asked for, using Debian 12's
# packages and Maven Central only, and installs it into its own folder with a setvars.sh.
#
#   scripts/setup/tornadovm-sdk.sh                      OpenCL backend          -> /opt/tornadovm/sdk
#   BACKEND=opencl,spirv scripts/setup/tornadovm-sdk.sh OpenCL + SPIR-V backends -> /opt/tornadovm/sdk-spirv
#
# The SPIR-V backend needs an OpenCL runtime that accepts SPIR-V (scripts/setup/pocl-spirv.sh builds
# PoCL with it); the SDK's setvars.sh then points the ICD loader at that runtime (OCL_ICD_VENDORS),
# so that the OpenCL backend (tornado:0:0) and the SPIR-V backend (tornado:1:0) run on the same
# PoCL device. SPIR-V binaries are dispatched through OpenCL (-Dtornado.spirv.runtimes=opencl), not
# Level Zero, although the Level Zero JNI library is built too (TornadoVM's driver links it).
#
# Environment (all optional):
#   BACKEND        comma-separated TornadoVM backends         (default opencl)
#   DEST           the SDK folder (TORNADOVM_HOME)            (default /opt/tornadovm/sdk, or sdk-spirv with spirv)
#   SRC            build tree                                 (default /opt/src/tornadovm-<backends>)
#   JAVA_HOME      a JDK 25 (Temurin 25: adoptium.net)        (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   M2_REPO        Maven's local repository for the builds   (default ~/.m2/repository)
#   POCL_PREFIX    a PoCL from pocl-spirv.sh, named in setvars.sh's OCL_ICD_VENDORS
#                                                            (default /opt/pocl-spirv when BACKEND has spirv)
#   TORNADOVM_GIT, SPIRV_TOOLKIT_GIT, LEVELZERO_JNI_GIT      git repositories (default: GitHub's)
#   SPIRV_TOOLKIT_REF  the toolkit's branch or tag            (default master, as TornadoVM's bin/compile)
#   NICE           niceness of the builds                     (default 0)
set -euo pipefail

TAG=v5.2.0-jdk25
LEVELZERO_JNI_TAG=0.1.5            # the version tornado-drivers/spirv/pom.xml asks for
BACKEND=${BACKEND:-opencl}
case ",$BACKEND," in *,spirv,*) SPIRV=1 ;; *) SPIRV=0 ;; esac
if [ "$SPIRV" = 1 ]; then
  DEST=${DEST:-/opt/tornadovm/sdk-spirv}
  POCL_PREFIX=${POCL_PREFIX:-/opt/pocl-spirv}
else
  DEST=${DEST:-/opt/tornadovm/sdk}
  POCL_PREFIX=${POCL_PREFIX:-}
fi
SRC=${SRC:-/opt/src/tornadovm-${BACKEND//,/-}}
TORNADOVM_GIT=${TORNADOVM_GIT:-https://github.com/beehive-lab/TornadoVM.git}
SPIRV_TOOLKIT_GIT=${SPIRV_TOOLKIT_GIT:-https://github.com/beehive-lab/beehive-spirv-toolkit.git}
SPIRV_TOOLKIT_REF=${SPIRV_TOOLKIT_REF:-master}
LEVELZERO_JNI_GIT=${LEVELZERO_JNI_GIT:-https://github.com/beehive-lab/levelzero-jni.git}
NICE=${NICE:-0}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
M2_REPO=${M2_REPO:-$HOME/.m2/repository}
# Read by Maven (and its wrapper) in every build below, TornadoVM's bin/compile included.
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$M2_REPO"

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ -x "$JAVA_HOME/bin/javac" ] || { echo "error: no JDK at JAVA_HOME=$JAVA_HOME; install a JDK 25 (Temurin 25 from adoptium.net) and set JAVA_HOME" >&2; exit 2; }
if [ "$SPIRV" = 1 ] && [ ! -f "$POCL_PREFIX/etc/OpenCL/vendors/pocl.icd" ]; then
  echo "warning: no SPIR-V OpenCL runtime at POCL_PREFIX=$POCL_PREFIX (scripts/setup/pocl-spirv.sh builds one); the SDK will list no SPIR-V device without it" >&2
fi

# 1. Debian packages: the native toolchain, the OpenCL ICD loader and headers, Level Zero's loader and
#    headers for the SPIR-V backend, and the Python modules TornadoVM's build scripts import.
PACKAGES=(build-essential cmake git python3 ocl-icd-opencl-dev opencl-headers clinfo)
[ "$SPIRV" = 1 ] && PACKAGES+=(libze-dev libze1)
python3 -c 'import requests, tqdm, urllib3, packaging, psutil' 2>/dev/null \
  || PACKAGES+=(python3-requests python3-tqdm python3-urllib3 python3-packaging python3-psutil)
step "packages"
timed packages install_packages "${PACKAGES[@]}"

# 2. TornadoVM's source at the release tag. tornado-benchmarks/src/main/resources/bcsstk32.mtx (a
#    large matrix read only by one benchmark at run time) is left out of the checkout.
step "source $TORNADOVM_GIT $TAG -> $SRC"
timed source checkout_tag "$TORNADOVM_GIT" "$SRC" "$TAG" tornado-benchmarks/src/main/resources/bcsstk32.mtx
cd "$SRC"
MVNW="$SRC/mvnw"

# 3. Local changes to build with Debian's packages and Maven Central only.
#    a) compiler-management-25.0.2.jar is missing from Maven Central: drop it from the Graal jar list.
sed -i '/compiler-management/d' bin/pull_graal_jars.py
#    b) 'wget' and 'streamlit' are not needed by bin/compile: make them optional instead of pip-installing.
python3 - <<'EOF'
p = 'bin/install_python_modules.py'
s = open(p).read()
for mod in ['wget', 'streamlit']:
    s = s.replace(f'''    except:
        subprocess.call(["pip3", "install", "{mod}"], stderr=subprocess.DEVNULL)
        import {mod}
''', f'''    except ImportError:
        print("[WARNING] optional python module '{mod}' not available; continuing without it")
''')
open(p, 'w').write(s)
EOF
#    c) bin/compile clones KhronosGroup/OpenCL-Headers when this folder is missing: use Debian's.
mkdir -p tornado-drivers/opencl-jni/src/main/cpp/headers/include
cp -r /usr/include/CL tornado-drivers/opencl-jni/src/main/cpp/headers/include/

# 4. The SPIR-V backend's two dependencies, which are not on Maven Central. bin/compile would clone
#    and build them (and Level Zero's loader from oneapi-src); here they are built beforehand, the
#    loader coming from Debian's libze-dev, and bin/compile is told to skip that part.
build_spirv_toolkit() {
  if [ ! -d beehive-spirv-toolkit/.git ]; then
    git clone -q "$SPIRV_TOOLKIT_GIT" beehive-spirv-toolkit
  fi
  git -C beehive-spirv-toolkit -c advice.detachedHead=false checkout -q "$SPIRV_TOOLKIT_REF"
  local built wanted
  built=$(sed -n 's/^  <version>\(.*\)<\/version>.*/\1/p' beehive-spirv-toolkit/lib/pom.xml | head -n1)
  # Its own .mvn folder makes it its own Maven project: without one, the wrapper would apply
  # TornadoVM's .mvn/maven.config (-T1.5C), and the library would compile in parallel with the
  # generator that writes part of its sources.
  mkdir -p beehive-spirv-toolkit/.mvn
  if [ ! -f "$M2_REPO/beehive-lab/beehive-spirv-lib/$built/beehive-spirv-lib-$built.jar" ]; then
    (cd beehive-spirv-toolkit && nice -n "$NICE" "$MVNW" -B -q install -DskipTests)
  fi
  # TornadoVM asks for the toolkit version of its release; the toolkit's own pom says which version
  # the checked-out source is. Build against what was built, and say so when they differ.
  wanted=$(grep -A1 '<artifactId>beehive-spirv-lib</artifactId>' tornado-drivers/spirv/pom.xml | sed -n 's/.*<version>\(.*\)<\/version>.*/\1/p')
  if [ "$built" != "$wanted" ]; then
    echo "note: TornadoVM $TAG asks for beehive-spirv-lib $wanted; $SPIRV_TOOLKIT_GIT@$SPIRV_TOOLKIT_REF is $built: building against $built"
    sed -i "/<artifactId>beehive-spirv-lib<\/artifactId>/{n;s/<version>$wanted</<version>$built</}" tornado-drivers/spirv/pom.xml
  fi
}
build_levelzero_jni() {
  if [ ! -d levelzero-jni/.git ]; then
    git clone -q "$LEVELZERO_JNI_GIT" levelzero-jni
  fi
  git -C levelzero-jni -c advice.detachedHead=false checkout -q "$LEVELZERO_JNI_TAG"
  mkdir -p levelzero-jni/.mvn
  (cd levelzero-jni && nice -n "$NICE" "$MVNW" -B -q install -DskipTests)
  # The JNI library, where tornado-assembly/assembly.xml picks it up (levelZeroLib/build), against
  # Debian's Level Zero headers (in a subfolder) and loader.
  rm -rf levelzero-jni/levelZeroLib/build
  mkdir -p levelzero-jni/levelZeroLib/build
  (cd levelzero-jni/levelZeroLib/build \
    && ZE_SHARED_LOADER="$(ls /usr/lib/*/libze_loader.so | head -n1)" \
       cmake .. -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-I/usr/include/level_zero >/dev/null \
    && nice -n "$NICE" cmake --build . --config Release)
  [ -f levelzero-jni/levelZeroLib/build/libtornado-levelzero.so ]
}
if [ "$SPIRV" = 1 ]; then
  step "beehive-spirv-toolkit ($SPIRV_TOOLKIT_REF)"
  timed spirv-toolkit build_spirv_toolkit
  step "levelzero-jni ($LEVELZERO_JNI_TAG)"
  timed levelzero-jni build_levelzero_jni
  python3 - <<'EOF'
p = 'bin/compile'
s = open(p).read()
old = '    if "spirv" in args.backend:\n        # 1) Build the SPIR-V Toolkit'
new = '    if "spirv" in args.backend and not os.environ.get("TORNADO_SPIRV_DEPS_BUILT"):\n        # 1) Build the SPIR-V Toolkit'
if old in s:
    s = s.replace(old, new)
    open(p, 'w').write(s)
elif new not in s:
    raise SystemExit("bin/compile: the SPIR-V dependency step was not found; cannot skip it")
EOF
  export TORNADO_SPIRV_DEPS_BUILT=1
fi

# 5. Build as the project's Makefile does (bin/compile --jdk jdk25 --backend ...): Graal jars into
#    graalJars/, mvn install with the backends' profiles, the SDK assembled under dist/.
step "TornadoVM ($BACKEND)"
timed tornadovm nice -n "$NICE" make jdk25 BACKEND="$BACKEND"

# 6. Copy the SDK to $DEST, its argfile pointing there, and a setvars.sh.
install_sdk() {
  local built
  built=$(readlink -f bin/sdk)
  rm -rf "$DEST"
  mkdir -p "$(dirname "$DEST")"
  cp -a "$built" "$DEST"
  sed "s#\${TORNADOVM_HOME}#$DEST#g" "$DEST/tornado-argfile.template" > "$DEST/tornado-argfile"
  {
    echo '#!/bin/bash'
    echo "export JAVA_HOME=\"$JAVA_HOME\""
    echo "export TORNADOVM_HOME=\"$DEST\""
    echo 'export PATH="$TORNADOVM_HOME/bin:$JAVA_HOME/bin:$PATH"'
    if [ -n "$POCL_PREFIX" ]; then
      echo "# The OpenCL runtime that accepts SPIR-V (scripts/setup/pocl-spirv.sh); the only ICD loaded."
      echo "export OCL_ICD_VENDORS=\"$POCL_PREFIX/etc/OpenCL/vendors\""
    fi
  } > "$DEST/setvars.sh"
  chmod +x "$DEST/setvars.sh"
  if [ "$SPIRV" = 1 ]; then
    # etc/tornado.properties is read by every JVM that runs TornadoVM, through the tornado launcher
    # or the argfile alike; a -D on the command line still wins.
    # - TornadoVM's default SPIR-V runtimes are "opencl,levelzero", and without a Level Zero driver
    #   ("Level Zero Driver Not Found") no backend starts at all.
    # - TornadoVM 5.2.0's SPIR-V load/store optimisation (tornado.spirv.loadstore, on by default)
    #   emits phis whose operands are undefined or do not dominate them when a float is carried
    #   through loops (spirv-val rejects the module, llvm-spirv fails, clBuildProgram returns -11).
    cat >> "$DEST/etc/tornado.properties" <<'PROPS'

# Set by scripts/setup/tornadovm-sdk.sh: SPIR-V goes through OpenCL ("opencl,levelzero" stops
# TornadoVM from starting where no Level Zero driver is installed), and without the load/store
# optimisation, whose phis are invalid SPIR-V for floats carried through loops.
tornado.spirv.runtimes=opencl
tornado.spirv.loadstore=false
PROPS
  fi
}
step "install -> $DEST"
timed install install_sdk

# 7. Smoke test: the devices, and a matrix multiplication on the SPIR-V device when it was built
#    (else the first OpenCL device), with no bailout to Java.
step "check"
source "$DEST/setvars.sh"
devices=$(tornado --devices | sed 's/\x1b\[[0-9;]*m//g')
echo "$devices"
if [ "$SPIRV" = 1 ]; then
  # TornadoVM numbers the backends by its own priorities (SPIR-V before OpenCL here): look it up.
  device=$(echo "$devices" | awk '/^Driver: /{driver=$2} /Tornado device=/ && driver=="SPIR-V" {sub(/.*device=/, ""); print $1; exit}')
  [ -n "$device" ] || { echo "error: the SDK lists no SPIR-V device (is a SPIR-V OpenCL runtime installed? scripts/setup/pocl-spirv.sh builds one)" >&2; exit 1; }
else
  device=0:0
fi
echo "smoke test on tornado device $device"
smoke=$(mktemp)
# TornadoVM's own matrix multiplication needs the SPIR-V load/store optimisation that this SDK turns
# off for the project's kernels: with it off, llvm-spirv-15 rejects the kernel ("Invalid type for
# binary instruction"). The smoke test checks the chain (TornadoVM, SPIR-V, PoCL), so it turns it on.
tornado --jvm="-Ds0.t0.device=$device -Dtornado.recover.bailout=False -Dtornado.spirv.loadstore=true" \
  -m tornado.examples/uk.ac.manchester.tornado.examples.compute.MatrixMultiplication2D 256 | tee "$smoke"
grep -q "Verification true" "$smoke"
if grep -qi bailout "$smoke"; then echo "error: bailout in the smoke test" >&2; exit 1; fi
echo "TornadoVM SDK ($BACKEND) ready: source $DEST/setvars.sh"
