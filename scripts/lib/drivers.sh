# Device drivers and TornadoVM's argfile, shared by the development scripts (common.sh) and the
# launcher of a package (package-launcher.sh, which the package carries as bin/lib/drivers.sh).
# Sourced, not run. TornadoVM starts every backend whose driver jar is on its module path and stops
# at start-up when one of them finds no driver, so a backend is loaded only where its driver is.

ldconfig_cmd="$(command -v ldconfig 2>/dev/null || true)"
for c in /sbin/ldconfig /usr/sbin/ldconfig; do
  if [ -z "$ldconfig_cmd" ] && [ -x "$c" ]; then ldconfig_cmd="$c"; fi
done
ldcache=""
[ -z "$ldconfig_cmd" ] || ldcache="$("$ldconfig_cmd" -p 2>/dev/null || true)"

# Finds a shared library as the dynamic loader would: LD_LIBRARY_PATH, the loader's cache, then the
# folders where drivers live (an NVIDIA container's /usr/local/nvidia among them). Sets found_path,
# and found_outside=1 when only that last search found it (its folder must then be added to
# LD_LIBRARY_PATH). Not to be called in $(...): the variables would stay in the subshell.
found_path=""
found_outside=0
find_lib() {
  local name="$1" dir
  found_path=""
  found_outside=0
  local IFS=:
  for dir in ${LD_LIBRARY_PATH:-}; do
    if [ -n "$dir" ] && [ -e "$dir/$name" ]; then found_path="$dir/$name"; return 0; fi
  done
  unset IFS
  found_path="$(printf '%s\n' "$ldcache" | awk -v n="$name" '$1 == n && /x86-64|x86_64/ { print $NF; exit }')"
  if [ -z "$found_path" ]; then found_path="$(printf '%s\n' "$ldcache" | awk -v n="$name" '$1 == n { print $NF; exit }')"; fi
  [ -z "$found_path" ] || return 0
  for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib \
             /usr/lib/x86_64-linux-gnu/nvidia/current /usr/lib/nvidia /usr/lib/wsl/lib /run/nvidia/driver/usr/lib/x86_64-linux-gnu; do
    if [ -e "$dir/$name" ]; then found_outside=1; found_path="$dir/$name"; return 0; fi
  done
  return 1
}

add_library_dir() {
  case ":${LD_LIBRARY_PATH:-}:" in
    *":$1:"*) ;;
    *) export LD_LIBRARY_PATH="$1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;;
  esac
}

driver_notes=()  # why a backend is not loaded, with the fix
driver_info=()   # what was found

ptx_usable() {
  if find_lib libcuda.so.1; then
    driver_info+=("PTX: libcuda.so.1 at $found_path")
    [ "$found_outside" = 0 ] || add_library_dir "$(dirname "$found_path")"
    return 0
  fi
  driver_notes+=("TornadoVM's PTX backend is not loaded: no CUDA driver (libcuda.so.1) here; install NVIDIA's driver (580 or newer)")
  return 1
}

# OpenCL through the ICD loader: a vendor's .icd in /etc/OpenCL/vendors (or OCL_ICD_VENDORS /
# OPENCL_VENDOR_PATH as the user set them), else NVIDIA's OpenCL library, which NVIDIA's container
# runtime mounts without an .icd file.
opencl_usable() {
  if [ -n "${OCL_ICD_VENDORS:-}${OCL_ICD_FILENAMES:-}" ]; then
    driver_info+=("OpenCL: OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-} OCL_ICD_FILENAMES=${OCL_ICD_FILENAMES:-} (set by you)")
    return 0
  fi
  local vendors="${OPENCL_VENDOR_PATH:-/etc/OpenCL/vendors}" icd lib usable=()
  for icd in "$vendors"/*.icd; do
    [ -f "$icd" ] || continue
    lib="$(head -n1 "$icd" | tr -d '\r')"
    case "$lib" in
      /*) [ -e "$lib" ] && usable+=("$(basename "$icd")") ;;
      *)
        if find_lib "$lib"; then
          usable+=("$(basename "$icd")")
          # The loader opens it by name: its folder must be where the dynamic loader looks.
          [ "$found_outside" = 0 ] || add_library_dir "$(dirname "$found_path")"
        fi ;;
    esac
  done
  if [ ${#usable[@]} -gt 0 ]; then
    driver_info+=("OpenCL: ${usable[*]} in $vendors")
    return 0
  fi
  if find_lib libnvidia-opencl.so.1; then
    lib="$found_path"
    export OCL_ICD_VENDORS="$lib" OCL_ICD_FILENAMES="$lib"
    # NVIDIA's OpenCL library loads the driver's other libraries from its own folder.
    [ "$found_outside" = 0 ] || add_library_dir "$(dirname "$lib")"
    driver_info+=("OpenCL: NVIDIA's $lib, through OCL_ICD_VENDORS ($vendors has no usable .icd)")
    return 0
  fi
  driver_notes+=("TornadoVM's OpenCL backend is not loaded: no OpenCL platform (no usable .icd in $vendors, no libnvidia-opencl.so.1); install one, e.g. 'apt-get install pocl-opencl-icd' for the CPU or your GPU's driver")
  return 1
}

# SPIR-V through Level Zero (its loader and Intel's GPU driver, not the loader alone), or through an
# OpenCL runtime (TornadoVM's -Dtornado.spirv.runtimes).
spirv_usable() {
  if find_lib libze_loader.so.1 && find_lib libze_intel_gpu.so.1; then
    driver_info+=("SPIR-V: Level Zero, Intel's driver at $found_path")
    return 0
  fi
  local before=${#driver_notes[@]}
  if opencl_usable; then
    driver_info+=("SPIR-V: through OpenCL")
    return 0
  fi
  driver_notes=("${driver_notes[@]:0:$before}")
  driver_notes+=("TornadoVM's SPIR-V backend is not loaded: neither a Level Zero driver (libze_intel_gpu.so.1) nor an OpenCL platform here")
  return 1
}

# Whether the driver of TornadoVM backend $1 (opencl, ptx, spirv) is here.
backend_usable() {
  case "$1" in
    ptx) ptx_usable ;;
    opencl) opencl_usable ;;
    spirv) spirv_usable ;;
    *) return 0 ;;
  esac
}

# Writes TornadoVM's argfile: the SDK's template with HOME for ${TORNADOVM_HOME}, MODPATH as the
# module path, and the lines of the backends in DROP (a space-separated list) left out.
#   write_tornado_argfile TEMPLATE HOME MODPATH DROP TARGET
write_tornado_argfile() {
  local template="$1" home="$2" modpath="$3" drop="$4" target="$5" tmp
  tmp="$(mktemp "$target.XXXXXX")" || return 1
  awk -v home="$home" -v modpath="$modpath" -v drop="$drop " '
    function strip_modules(line,   n, parts, i, out, keep, d, dn, dparts) {
      n = split(line, parts, ",")
      out = ""
      dn = split(drop, dparts, " ")
      for (i = 1; i <= n; i++) {
        keep = 1
        for (d = 1; d <= dn; d++) if (dparts[d] != "" && parts[i] == "tornado.drivers." dparts[d]) keep = 0
        if (keep) out = (out == "" ? parts[i] : out "," parts[i])
      }
      return out
    }
    /^# ===/ {
      skip = 0
      if (match($0, /[a-z0-9]+-exports/)) {
        name = substr($0, RSTART, RLENGTH - 8)
        if (index(" " drop " ", " " name " ") > 0) skip = 1
      }
    }
    skip { next }
    /^--module-path / { print "--module-path " modpath; next }
    /^--add-modules / { print "--add-modules " strip_modules(substr($0, 15)); next }
    /^--enable-native-access=/ {
      v = strip_modules(substr($0, 24))
      if (v != "") print "--enable-native-access=" v
      next
    }
    { gsub(/\$\{TORNADOVM_HOME\}/, home); print }
  ' "$template" >"$tmp" && mv -f "$tmp" "$target"
}
