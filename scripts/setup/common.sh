# Shared by the scripts in scripts/setup: step logging with measured times, and Debian packages.
# Sourced, not run.

# Prints a step's start time and name.
step() { echo "== $(date -u +%H:%M:%S) $*"; }

# timed NAME command...: runs the command and prints how long it took.
timed() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  echo "== $name took $((SECONDS - start)) s"
}

# install_packages PACKAGE...: installs the Debian packages that are missing (as root), or stops
# with the apt-get command to run.
install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages; run as root: apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
}

# checkout_tag REPOSITORY DIR TAG [EXCLUDED-PATH]: clones REPOSITORY into DIR (once) and checks out
# TAG, leaving EXCLUDED-PATH (a file or folder the build does not need) out of the work tree.
checkout_tag() {
  local repository=$1 dir=$2 tag=$3 excluded=${4:-}
  if [ ! -d "$dir/.git" ]; then
    git clone -q --no-checkout "$repository" "$dir"
    [ -z "$excluded" ] || git -C "$dir" sparse-checkout set --no-cone '/*' "!/$excluded"
  fi
  git -C "$dir" -c advice.detachedHead=false checkout -q "$tag"
}
