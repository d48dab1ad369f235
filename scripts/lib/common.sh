# Shared by the scripts: find a JDK, run Maven through the wrapper, and build the java command line
# (with TornadoVM's flags when TORNADOVM_HOME is set). Sourced, not run.

SA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SA_MIN_JAVA=21

sa_die() {
  echo "error: $*" >&2
  exit 2
}

# The feature version of the JDK at $1 (a JAVA_HOME), or nothing when it is not a JDK.
sa_jdk_version() {
  local home="$1"
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  local version=""
  # The JDK's release file names its version without starting a JVM (a tenth of a second each).
  if [ -f "$home/release" ]; then
    version="$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$home/release" | head -n1)"
    case "$version" in 1.*) version="${version#1.}" ;; esac
    version="${version%%.*}"
  fi
  [ -n "$version" ] || version="$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)"
  version="${version#1.}"
  [ -n "$version" ] && echo "$version"
}

# The newest JDK in the usual install places whose feature version is at least $1 (exactly $1 when
# $2 is "exact"); nothing when there is none.
sa_search_jdk() {
  local wanted="$1" exact="${2:-}" best="" best_version=0 candidate v
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
                   "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
                   /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] || continue
    v="$(sa_jdk_version "$candidate" || true)"
    [ -n "$v" ] || continue
    if [ "$exact" = exact ]; then [ "$v" -eq "$wanted" ] || continue; else [ "$v" -ge "$wanted" ] || continue; fi
    if [ "$v" -gt "$best_version" ]; then
      best="$candidate"
      best_version="$v"
    fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    v="$(sa_jdk_version "$candidate" || true)"
    if [ -n "$v" ] && { [ "$v" = "$wanted" ] || { [ "$exact" != exact ] && [ "$v" -ge "$wanted" ]; }; }; then
      best="$candidate"
    fi
  fi
  [ -n "$best" ] && echo "$best"
}

# Sets JAVA_HOME: with TornadoVM, the JDK its SDK was built for (found by sa_find_tornado); else
# JAVA_HOME if it is a JDK of at least $SA_MIN_JAVA, else the newest in the usual install places.
# Stops with what to install when there is none.
sa_find_jdk() {
  if [ -n "${SA_TORNADO_JAVA_HOME:-}" ]; then
    export JAVA_HOME="$SA_TORNADO_JAVA_HOME"
    return 0
  fi
  local wanted="$SA_MIN_JAVA" v best
  if [ -n "${JAVA_HOME:-}" ]; then
    v="$(sa_jdk_version "$JAVA_HOME" || true)"
    if [ -n "$v" ] && [ "$v" -ge "$wanted" ]; then
      export JAVA_HOME
      return 0
    fi
  fi
  best="$(sa_search_jdk "$wanted")" || sa_die "no JDK $wanted or newer found (JAVA_HOME=${JAVA_HOME:-unset}). Install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21/25 from adoptium.net, then set JAVA_HOME to it."
  export JAVA_HOME="$best"
}

# Runs Maven through the wrapper (which fetches Maven 3.9.9 on first use) with the JDK found above.
sa_mvn() {
  sa_find_jdk
  (cd "$SA_ROOT" && ./mvnw -B -q "$@")
}


# --- TornadoVM: which SDK, if any ------------------------------------------------------------------
# sa_find_tornado [ARGS...] decides whether the JVM runs with TornadoVM, and with which SDK:
#   - off when SA_TORNADO=off or ARGS hold --no-tornado;
#   - TORNADOVM_HOME when it is set (it is then the only SDK considered);
#   - else the first usable SDK in the usual places: SDKMAN's current candidate, /opt/tornadovm*,
#     ~/tornadovm* (each folder itself, its sdk* folders, and bin/sdk of a built source tree; the
#     project's scripts/setup recipes install under /opt/tornadovm). SA_TORNADO_SEARCH, a
#     colon-separated list of folders or globs, replaces that list.
# An SDK is usable when it is complete (tornado-api jar, argfile template, native library), a JDK of
# the release it was built for is here (its setvars.sh's JAVA_HOME, else the usual install places),
# and at least one of its backends has a driver (drivers.sh); the backends without one are left out
# of the argfile it writes. Sets and exports:
#   SA_TORNADO_STATUS   on | off | none | unusable
#   SA_TORNADO_NOTE     one line: which SDK and how it was found, or why none is used and the fix
#   with "on": TORNADOVM_HOME, SA_TORNADO_VERSION, SA_TORNADO_RELEASE, SA_TORNADO_JAVA_HOME,
#   SA_TORNADO_ARGFILE, SA_TORNADO_BACKENDS_LOADED; otherwise TORNADOVM_HOME is unset (Maven's
#   tornadovm profile follows it).
source "$SA_ROOT/scripts/lib/drivers.sh"

sa_tornado_search_places() {
  if [ -n "${SA_TORNADO_SEARCH:-}" ]; then
    tr ':' '\n' <<<"$SA_TORNADO_SEARCH"
    return 0
  fi
  printf '%s\n' "${SDKMAN_DIR:-$HOME/.sdkman}/candidates/tornadovm/current" \
    '/opt/tornadovm*' '/opt/TornadoVM*' "$HOME/tornadovm*" "$HOME/TornadoVM*"
}

# The SDK folders to try, in order: each place (globs expanded), its sdk* folders, its bin/sdk.
sa_tornado_candidates() {
  local place dir sub
  while IFS= read -r place; do
    [ -n "$place" ] || continue
    for dir in $place; do
      [ -d "$dir" ] || continue
      dir="$(cd "$dir" && pwd -P)"
      echo "$dir"
      for sub in "$dir"/sdk* "$dir"/bin/sdk; do
        [ -d "$sub" ] && (cd "$sub" && pwd -P)
      done
    done
  done < <(sa_tornado_search_places)
}

# The TornadoVM version of the SDK at $1 (from tornado-api-<version>.jar), or nothing.
sa_tornado_version_of() {
  local jar
  jar="$(ls "$1"/share/java/tornado/tornado-api-*.jar 2>/dev/null | head -n1)"
  [ -n "$jar" ] || return 1
  jar="$(basename "$jar" .jar)"
  echo "${jar#tornado-api-}"
}

# The TornadoVM backends the SDK at $1 holds (opencl, ptx, spirv): etc/tornado.backend, else its driver jars.
sa_tornado_backends_of() {
  local line b
  line="$(sed -n 's/^tornado.backends=//p' "$1/etc/tornado.backend" 2>/dev/null | head -n1)"
  if [ -n "$line" ]; then
    tr ',' '\n' <<<"$line" | sed 's/-backend$//' | grep -v '^$'
    return 0
  fi
  for b in opencl ptx spirv; do
    ls "$1"/share/java/tornado/tornado-drivers-"$b"-[0-9]*.jar >/dev/null 2>&1 && echo "$b"
  done
  return 0
}

# Checks the SDK at $1: on success sets sdk_* variables and returns 0; else sets sdk_problem.
sa_tornado_check_sdk() {
  local home="$1" setvars_java="" b
  sdk_problem=""
  sdk_set_icd=0
  if [ ! -d "$home" ]; then sdk_problem="$home is not a folder"; return 1; fi
  sdk_version="$(sa_tornado_version_of "$home" || true)"
  if [ -z "$sdk_version" ]; then
    sdk_problem="$home is not a complete TornadoVM SDK: no share/java/tornado/tornado-api-*.jar"; return 1
  fi
  if [ ! -f "$home/tornado-argfile.template" ] && [ ! -f "$home/tornado-argfile" ]; then
    sdk_problem="$home is not a complete TornadoVM SDK: no tornado-argfile.template"; return 1
  fi
  if ! ls "$home"/lib/libtornado-*.so >/dev/null 2>&1; then
    sdk_problem="$home is not a complete TornadoVM SDK: no native library lib/libtornado-*.so"; return 1
  fi
  case "$sdk_version" in
    *jdk[0-9]*) sdk_release="$(sed 's/.*jdk\([0-9][0-9]*\).*/\1/' <<<"$sdk_version")" ;;
    *) sdk_release=21 ;;
  esac
  # The JDK: the one its setvars.sh names when it is that release, else one found in the usual places.
  setvars_java="$(sed -n 's/^export JAVA_HOME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/setvars.sh" 2>/dev/null | head -n1)"
  sdk_java=""
  if [ -n "$setvars_java" ] && [ "$(sa_jdk_version "$setvars_java" || true)" = "$sdk_release" ]; then
    sdk_java="$setvars_java"
  elif [ -n "${JAVA_HOME:-}" ] && [ "$(sa_jdk_version "$JAVA_HOME" || true)" = "$sdk_release" ]; then
    sdk_java="$JAVA_HOME"
  else
    sdk_java="$(sa_search_jdk "$sdk_release" exact || true)"
  fi
  if [ -z "$sdk_java" ]; then
    sdk_problem="TornadoVM $sdk_version at $home needs JDK $sdk_release and none is installed; install it (e.g. Temurin $sdk_release from adoptium.net, or 'sdk install java $sdk_release-tem')"
    return 1
  fi
  # The OpenCL runtime the SDK's setvars.sh names (a SPIR-V SDK's own PoCL, scripts/setup), unless the
  # user chose one: as sourcing setvars.sh would.
  local setvars_icd
  setvars_icd="$(sed -n 's/^export OCL_ICD_VENDORS="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/setvars.sh" 2>/dev/null | head -n1)"
  if [ -z "${OCL_ICD_VENDORS:-}" ] && [ -n "$setvars_icd" ] && [ -e "$setvars_icd" ]; then
    export OCL_ICD_VENDORS="$setvars_icd"
    sdk_set_icd=1
  fi
  # Drivers: the backends whose driver is here are loaded, the others left out.
  sdk_loaded=()
  sdk_dropped=()
  driver_notes=()
  while IFS= read -r b; do
    [ -n "$b" ] || continue
    # SA_TORNADO_DRIVERS=any (scripts/package): every backend, for a machine with other drivers.
    if [ "${SA_TORNADO_DRIVERS:-}" = any ] || backend_usable "$b"; then sdk_loaded+=("$b"); else sdk_dropped+=("$b"); fi
  done < <(sa_tornado_backends_of "$home")
  if [ ${#sdk_loaded[@]} -eq 0 ]; then
    [ "${sdk_set_icd:-0}" = 0 ] || unset OCL_ICD_VENDORS
    sdk_problem="TornadoVM $sdk_version at $home has no usable backend: ${driver_notes[*]:-it lists none in etc/tornado.backend}"
    return 1
  fi
  return 0
}

# TornadoVM's argfile for the SDK at $1 with the backends in sdk_dropped left out: the SDK's own
# tornado-argfile when it fits (written for this folder, every backend loaded), else one written
# from its template into the user's cache (the SDK's folder may be read-only, as under SDKMAN).
sa_tornado_argfile() {
  local home="$1" cache modpath jar b skip
  if [ ${#sdk_dropped[@]} -eq 0 ] && [ -f "$home/tornado-argfile" ] \
     && grep -q -- "-Djava.library.path=$home/lib\$" "$home/tornado-argfile"; then
    echo "$home/tornado-argfile"
    return 0
  fi
  [ -f "$home/tornado-argfile.template" ] || return 1
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/sliced-attention/tornado/$(printf '%s' "$home ${sdk_dropped[*]}" | cksum | cut -d' ' -f1)"
  mkdir -p "$cache" || return 1
  modpath="$home/share/java/tornado"
  if [ ${#sdk_dropped[@]} -gt 0 ]; then
    # A module folder without the left-out backends' driver jars: TornadoVM starts every backend it finds.
    rm -rf "$cache/modules"
    mkdir -p "$cache/modules"
    for jar in "$home"/share/java/tornado/*.jar; do
      skip=0
      for b in "${sdk_dropped[@]}"; do
        case "$(basename "$jar")" in tornado-drivers-"$b"-*) skip=1 ;; esac
      done
      [ "$skip" = 1 ] || ln -s "$jar" "$cache/modules/"
    done
    modpath="$cache/modules"
  fi
  write_tornado_argfile "$home/tornado-argfile.template" "$home" "$modpath" "${sdk_dropped[*]:-}" "$cache/tornado-argfile" || return 1
  echo "$cache/tornado-argfile"
}

sa_find_tornado() {
  local arg how candidate problems=() argfile
  unset SA_TORNADO_VERSION SA_TORNADO_RELEASE SA_TORNADO_JAVA_HOME SA_TORNADO_ARGFILE SA_TORNADO_BACKENDS_LOADED
  SA_TORNADO_STATUS=none
  SA_TORNADO_NOTE=""
  for arg in "$@"; do
    [ "$arg" != --no-tornado ] || SA_TORNADO=off
  done
  if [ "${SA_TORNADO:-}" = off ]; then
    SA_TORNADO_STATUS=off
    SA_TORNADO_NOTE="TornadoVM: off (${TORNADOVM_HOME:+TORNADOVM_HOME=$TORNADOVM_HOME is not used; }SA_TORNADO=off or --no-tornado); the JVM backends only"
    unset TORNADOVM_HOME
    export SA_TORNADO_STATUS SA_TORNADO_NOTE
    return 0
  fi
  local found=""
  if [ -n "${TORNADOVM_HOME:-}" ]; then
    how="TORNADOVM_HOME"
    if sa_tornado_check_sdk "$TORNADOVM_HOME"; then found="$(cd "$TORNADOVM_HOME" && pwd -P)"; else problems+=("TORNADOVM_HOME: $sdk_problem"); fi
  else
    while IFS= read -r candidate; do
      if sa_tornado_check_sdk "$candidate"; then
        found="$candidate"
        how="found in the usual places; TORNADOVM_HOME is not set"
        break
      fi
      # A folder that only holds SDKs (/opt/tornadovm holding sdk/) is no SDK itself: not worth a word.
      case "$sdk_problem" in *"no share/java/tornado"*) ;; *) problems+=("$sdk_problem") ;; esac
    done < <(sa_tornado_candidates | awk '!seen[$0]++')
  fi
  if [ -z "$found" ]; then
    unset TORNADOVM_HOME
    if [ ${#problems[@]} -gt 0 ]; then
      SA_TORNADO_STATUS=unusable
      SA_TORNADO_NOTE="TornadoVM: not used: ${problems[0]}; running with the JVM backends (SA_TORNADO=off silences this)"
    else
      SA_TORNADO_NOTE="TornadoVM: no SDK found (TORNADOVM_HOME is not set; looked in SDKMAN's candidates, /opt/tornadovm*, ~/tornadovm*); the JVM backends only. To use a GPU or OpenCL device, install TornadoVM (README: 'Add a device')"
    fi
    export SA_TORNADO_STATUS SA_TORNADO_NOTE
    return 0
  fi
  # sa_tornado_check_sdk left sdk_* for the SDK found (the search stopped on it): no second check.
  if ! argfile="$(sa_tornado_argfile "$found")"; then
    unset TORNADOVM_HOME
    SA_TORNADO_STATUS=unusable
    SA_TORNADO_NOTE="TornadoVM: not used: cannot write its argfile for $found into ${XDG_CACHE_HOME:-$HOME/.cache}/sliced-attention; running with the JVM backends"
    export SA_TORNADO_STATUS SA_TORNADO_NOTE
    return 0
  fi
  export TORNADOVM_HOME="$found" SA_TORNADO_VERSION="$sdk_version" SA_TORNADO_RELEASE="$sdk_release" \
         SA_TORNADO_JAVA_HOME="$sdk_java" SA_TORNADO_ARGFILE="$argfile" SA_TORNADO_BACKENDS_LOADED="${sdk_loaded[*]}"
  SA_TORNADO_STATUS=on
  SA_TORNADO_NOTE="TornadoVM $sdk_version at $found ($how), backends: ${sdk_loaded[*]}, JDK $sdk_release at $sdk_java"
  if [ ${#sdk_dropped[@]} -gt 0 ]; then
    SA_TORNADO_NOTE="$SA_TORNADO_NOTE; left out: ${sdk_dropped[*]} (${driver_notes[*]})"
  fi
  export SA_TORNADO_STATUS SA_TORNADO_NOTE
}

# The java command's leading arguments with TornadoVM: its argfile, bailouts to sequential Java as
# errors (a device result is always a device result), and what discovery found, for 'devices',
# 'info' and the showcase's first line. Without TornadoVM: only the latter.
sa_java_flags() {
  local flags=("-Dsliced.attention.tornado.status=$SA_TORNADO_STATUS" "-Dsliced.attention.tornado.note=$SA_TORNADO_NOTE")
  if [ "$SA_TORNADO_STATUS" = on ]; then
    flags=("@$SA_TORNADO_ARGFILE" "-Dtornado.recover.bailout=False" "${flags[@]}")
  fi
  printf '%s\n' "${flags[@]}"
}

# Maven's flags for tornado-tasks when TornadoVM is on: the SDK's version, JDK release and argfile.
sa_tornado_maven_flags() {
  [ "$SA_TORNADO_STATUS" = on ] || return 0
  printf '%s\n' "-Dtornadovm.version=$SA_TORNADO_VERSION" "-Dtornadovm.release=$SA_TORNADO_RELEASE" \
    "-Dtornadovm.argfile=$SA_TORNADO_ARGFILE"
}
