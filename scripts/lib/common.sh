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

# Sets JAVA_HOME to a JDK of at least $SA_MIN_JAVA: TornadoVM's own JDK when TORNADOVM_HOME is set
# (its SDK is built for one release), else JAVA_HOME if it qualifies, else the newest in the usual
# install places. Stops with what to install when there is none.
sa_find_jdk() {
  local wanted="$SA_MIN_JAVA"
  if [ -n "${TORNADOVM_HOME:-}" ] && [ -n "${SA_TORNADO_RELEASE:-}" ]; then
    wanted="$SA_TORNADO_RELEASE"
  fi
  if [ -n "${JAVA_HOME:-}" ]; then
    local v
    v="$(sa_jdk_version "$JAVA_HOME" || true)"
    if [ -n "$v" ] && [ "$v" -ge "$wanted" ]; then
      export JAVA_HOME
      return 0
    fi
  fi
  local best="" best_version=0 candidate v
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
                   "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
                   /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] || continue
    v="$(sa_jdk_version "$candidate" || true)"
    if [ -n "$v" ] && [ "$v" -ge "$wanted" ] && [ "$v" -gt "$best_version" ]; then
      best="$candidate"
      best_version="$v"
    fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    v="$(sa_jdk_version "$candidate" || true)"
    if [ -n "$v" ] && [ "$v" -ge "$wanted" ]; then
      best="$candidate"
    fi
  fi
  [ -n "$best" ] || sa_die "no JDK $wanted or newer found (JAVA_HOME=${JAVA_HOME:-unset}). Install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21/25 from adoptium.net, then set JAVA_HOME to it."
  export JAVA_HOME="$best"
}

# Runs Maven through the wrapper (which fetches Maven 3.9.9 on first use) with the JDK found above.
sa_mvn() {
  sa_find_jdk
  (cd "$SA_ROOT" && ./mvnw -B -q "$@")
}

# The TornadoVM SDK's release and version, read from its jars (tornado-api-<version>.jar).
sa_tornado_version() {
  [ -n "${TORNADOVM_HOME:-}" ] || return 1
  local jar
  jar="$(ls "$TORNADOVM_HOME"/share/java/tornado/tornado-api-*.jar 2>/dev/null | head -n1)"
  [ -n "$jar" ] || return 1
  jar="$(basename "$jar" .jar)"
  echo "${jar#tornado-api-}"
}

# Checks TORNADOVM_HOME when it is set, and learns the JDK release its SDK needs.
sa_check_tornado() {
  [ -n "${TORNADOVM_HOME:-}" ] || return 0
  [ -d "$TORNADOVM_HOME" ] || sa_die "TORNADOVM_HOME=$TORNADOVM_HOME is not a directory. Unset it to run without TornadoVM, or point it at the SDK (source its setvars.sh)."
  [ -f "$TORNADOVM_HOME/tornado-argfile" ] || sa_die "TORNADOVM_HOME=$TORNADOVM_HOME has no tornado-argfile: is it a TornadoVM SDK (the folder setvars.sh points to)?"
  local version
  version="$(sa_tornado_version)" || sa_die "no tornado-api jar under $TORNADOVM_HOME/share/java/tornado"
  export SA_TORNADO_VERSION="$version"
  case "$version" in
    *jdk21*) export SA_TORNADO_RELEASE=21 ;;
    *jdk25*) export SA_TORNADO_RELEASE=25 ;;
    *) export SA_TORNADO_RELEASE=21 ;;
  esac
}

# The java command's leading arguments: TornadoVM's argfile when TORNADOVM_HOME is set.
sa_java_flags() {
  if [ -n "${TORNADOVM_HOME:-}" ]; then
    echo "@$TORNADOVM_HOME/tornado-argfile"
  fi
}
