#!/usr/bin/env bash
# bin/sliced-attention of a folder made by scripts/package: runs the packaged Java runtime on the
# packaged jars, with TornadoVM when the folder has it and this machine has a driver for a backend.
#   bin/sliced-attention [showcase|devices|attend|validate|chart] [options]   the CLI (--help)
#   bin/sliced-attention bench [options]     the JMH suite (bench --help)
#   bin/sliced-attention test [options]      the TornadoVM tests, when packaged --with-tests (test --help)
#   bin/sliced-attention info                what this launcher found on this machine
# Reads SA_HEAP (default 8g), SA_JAVA_OPTS, and SA_TORNADO_BACKENDS: auto (default: each packaged
# backend whose driver is found), a list such as opencl,ptx, or none.
set -euo pipefail

PKG="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
JAVA="$PKG/runtime/bin/java"
TH="$PKG/tornado"

die() {
  echo "error: $*" >&2
  exit 2
}
[ -x "$JAVA" ] || die "$JAVA is missing: this launcher runs inside a folder made by scripts/package"
java_feature="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$PKG/runtime/release" 2>/dev/null || true)"
java_feature="${java_feature:-21}"

# --- Drivers ---------------------------------------------------------------------------------------
# find_lib, backend_usable (ptx, opencl, spirv), driver_notes, driver_info, write_tornado_argfile.
source "$PKG/bin/lib/drivers.sh"

# --- TornadoVM -------------------------------------------------------------------------------------
tornado_on=0
loaded=()
packaged=()
java_flags=()
if [ -d "$TH/backends" ]; then
  for dir in "$TH"/backends/*/; do packaged+=("$(basename "$dir")"); done
  choice="${SA_TORNADO_BACKENDS:-auto}"
  case "$choice" in
    none|off) driver_notes+=("TornadoVM is not loaded: SA_TORNADO_BACKENDS=$choice") ;;
    auto|all)
      for b in "${packaged[@]}"; do
        if backend_usable "$b"; then loaded+=("$b"); fi
      done ;;
    *)
      IFS=, read -r -a wanted <<<"$choice"
      for b in "${wanted[@]}"; do
        [ -d "$TH/backends/$b" ] || die "SA_TORNADO_BACKENDS=$choice: no backend '$b' in this package (it has: ${packaged[*]})"
        backend_usable "$b" || true
        loaded+=("$b")
      done ;;
  esac
  if [ ${#loaded[@]} -gt 0 ]; then
    tornado_on=1
    [[ " ${loaded[*]} " != *" opencl "* ]] || add_library_dir "$TH/lib/opencl"
  fi
fi

# TornadoVM's argfile for this machine: the SDK's template with the package's paths, the module
# path holding only the loaded backends' drivers, and the other backends' lines left out (TornadoVM
# starts every backend it finds and stops when one has no driver). It is written into the package
# (the JMH forks of 'bench' read $TORNADOVM_HOME/tornado-argfile), or, where the package is
# read-only, into a private copy of its tornado/ folder made of links.
write_argfile() {
  local home="$1" target="$2" modpath drop="" b
  modpath="$home/share/java/tornado"
  for b in "${loaded[@]}"; do modpath="$modpath:$home/backends/$b"; done
  for b in "${packaged[@]}"; do
    [[ " ${loaded[*]} " == *" $b "* ]] || drop="$drop $b"
  done
  write_tornado_argfile "$TH/tornado-argfile.template" "$home" "$modpath" "$drop" "$target"
}

tornado_home=""
if [ "$tornado_on" = 1 ]; then
  [ -f "$TH/tornado-argfile.template" ] || die "$TH/tornado-argfile.template is missing: the package is incomplete"
  if [ -w "$TH" ] && write_argfile "$TH" "$TH/tornado-argfile" 2>/dev/null; then
    tornado_home="$TH"
  else
    tornado_home="${TMPDIR:-/tmp}/sliced-attention-tornado-$(id -u)-$(printf '%s' "$PKG" | cksum | cut -d' ' -f1)"
    mkdir -p "$tornado_home"
    for entry in "$TH"/*; do
      [ "$(basename "$entry")" = tornado-argfile ] || ln -sfn "$entry" "$tornado_home/$(basename "$entry")"
    done
    write_argfile "$tornado_home" "$tornado_home/tornado-argfile" || die "cannot write TornadoVM's argfile into $tornado_home"
  fi
  export TORNADOVM_HOME="$tornado_home"
  SA_TORNADO_VERSION="$(cat "$TH/VERSION" 2>/dev/null || echo unknown)"
  export SA_TORNADO_VERSION
  # Bailouts to sequential Java become errors, so a device result is always a device result.
  java_flags+=("@$tornado_home/tornado-argfile" "-Dtornado.recover.bailout=False")
else
  unset TORNADOVM_HOME SA_TORNADO_VERSION
fi

classpath="$PKG/lib/*"
if [ "$tornado_on" = 1 ]; then classpath="$classpath:$TH/app/*"; fi
if [ -t 2 ]; then java_flags+=("-Dsliced.attention.stderrTty=true"); else java_flags+=("-Dsliced.attention.stderrTty=false"); fi
read -r -a user_opts <<<"${SA_JAVA_OPTS:-}"

command="${1:-}"
case "$command" in
  info)
    echo "sliced-attention package at $PKG"
    sed 's/^/  /' "$PKG/BUILD-INFO.txt" 2>/dev/null || true
    echo "  java: $("$JAVA" -version 2>&1 | sed -n 2p)"
    if [ ${#packaged[@]} -gt 0 ]; then
      echo "  TornadoVM backends packaged: ${packaged[*]}; loaded here: ${loaded[*]:-none}"
    else
      echo "  TornadoVM: not in this package"
    fi
    for line in ${driver_info[@]+"${driver_info[@]}"} ${driver_notes[@]+"${driver_notes[@]}"}; do echo "  $line"; done
    echo "  TORNADOVM_HOME=${TORNADOVM_HOME:-}"
    echo "  LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    echo "  OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-}"
    exit 0 ;;
  java-version)
    # The package's own check: the JVM starts with these flags (TornadoVM's modules resolve).
    exec "$JAVA" ${java_flags[@]+"${java_flags[@]}"} ${user_opts[@]+"${user_opts[@]}"} -cp "$classpath" -version ;;
  bench)
    shift
    bench_flags=(-Xmx512m)
    # JMH reads field offsets with sun.misc.Unsafe; JDK 24+ warns without this.
    [ "$java_feature" -lt 24 ] || bench_flags+=(--sun-misc-unsafe-memory-access=allow)
    exec "$JAVA" ${java_flags[@]+"${java_flags[@]}"} ${user_opts[@]+"${user_opts[@]}"} "${bench_flags[@]}" \
      -cp "$classpath" dev.slicedattention.bench.BenchMain "$@" ;;
  test)
    shift
    [ -d "$PKG/tests" ] || die "this package has no tests: make it with scripts/package --with-tests"
    [ "$tornado_on" = 1 ] || die "the tests are TornadoVM's and no TornadoVM backend is loaded here (bin/sliced-attention info says why)"
    device="tornado"
    reports=""
    junit_args=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --device) [ $# -ge 2 ] || die "--device needs a backend name such as tornado:1:0"; device="$2"; shift 2 ;;
        --reports) [ $# -ge 2 ] || die "--reports needs a folder"; reports="$2"; shift 2 ;;
        -h|--help)
          cat <<'EOF'
Usage: bin/sliced-attention test [--device NAME] [--reports DIR] [JUnit console options]
Runs the tornado-tasks tests (tag "tornado", as scripts/test does) on the packaged JVM with
TornadoVM's flags, through JUnit's console launcher. --device picks the device the tests open
(default: tornado, TornadoVM's default device; e.g. tornado:1:0). --reports writes JUnit's XML
reports. Run it from the tornado-tasks folder of a checkout: one test reads ../README.md.
More options go to the console launcher (e.g. --select-class dev.slicedattention.tornado.ProviderTest).
EOF
          exit 0 ;;
        *) junit_args+=("$1"); shift ;;
      esac
    done
    [ -z "$reports" ] || junit_args+=("--reports-dir" "$reports")
    tests_jar="$PKG/tests/sliced-attention-tornado-tests.jar"
    selected=0
    for a in ${junit_args[@]+"${junit_args[@]}"}; do case "$a" in --select*|-c|-m|-p|-d) selected=1 ;; esac; done
    [ "$selected" = 1 ] || junit_args=(--scan-class-path "$tests_jar" ${junit_args[@]+"${junit_args[@]}"})
    details=(--details=tree)
    for a in ${junit_args[@]+"${junit_args[@]}"}; do case "$a" in --details*) details=() ;; esac; done
    exec "$JAVA" ${java_flags[@]+"${java_flags[@]}"} ${user_opts[@]+"${user_opts[@]}"} -Xmx${SA_HEAP:-8g} \
      -Djava.awt.headless=true --enable-native-access=ALL-UNNAMED "-Dsliced.attention.test.device=$device" \
      -cp "$PKG/tests/*:$classpath" org.junit.platform.console.ConsoleLauncher execute \
      --include-tag tornado --include-tag long --fail-if-no-tests --disable-banner ${details[@]+"${details[@]}"} ${junit_args[@]+"${junit_args[@]}"} ;;
esac

if [ "$command" = devices ]; then
  for line in ${driver_notes[@]+"${driver_notes[@]}"}; do echo "sliced-attention: $line" >&2; done
fi
exec "$JAVA" ${java_flags[@]+"${java_flags[@]}"} ${user_opts[@]+"${user_opts[@]}"} -Xmx${SA_HEAP:-8g} -Djava.awt.headless=true \
  --enable-native-access=ALL-UNNAMED -cp "$classpath" dev.slicedattention.host.Main "$@"
