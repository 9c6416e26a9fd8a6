#!/usr/bin/env bash
# Makes the copy of TorchSharp's libLibTorchSharp.so in a build output load on Debian 12,
# whose libstdc++ lacks GLIBCXX_3.4.32 (see docs/torchsharp-on-debian.md). Called by
# TorchSharpCompat.targets after every build of a project that has TorchSharp in its output.
#   fix-torchsharp.sh NATIVE_DIR TOOLS_DIR
# Idempotent; does nothing when the system libstdc++ is new enough. Never touches the NuGet cache.
set -euo pipefail
native_dir=$1
tools_dir=$2
here=$(cd "$(dirname "$0")" && pwd)
lib=$native_dir/libLibTorchSharp.so
version=GLIBCXX_3.4.32
symbol=_ZSt21ios_base_library_initv
shim_name=libxlaprune_stdcxx_compat.so

[[ -f $lib ]] || exit 0
system_libstdcxx=$(/sbin/ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
if [[ -n $system_libstdcxx ]] && grep -q "$version" "$system_libstdcxx"; then
  exit 0
fi

stamp=$lib.xlaprune-compat
if [[ -f $stamp && -f $native_dir/$shim_name ]] && [[ "$(sha256sum < "$lib")" == "$(cat "$stamp")" ]]; then
  exit 0
fi

for tool in patchelf g++ gcc; do
  command -v "$tool" >/dev/null || { echo "fix-torchsharp.sh: $tool is required (run ./build.sh as root to install it)" >&2; exit 1; }
done

# Build the shim and the ELF tool once per checkout; parallel project builds share them.
mkdir -p "$tools_dir"
exec 9>"$tools_dir/.lock"
flock 9
shim=$tools_dir/$shim_name
weaken=$tools_dir/xlaprune_weaken_version
if [[ ! $shim -nt $here/ios_base_library_init.cc ]]; then
  g++ -std=c++17 -O2 -shared -fPIC "$here/ios_base_library_init.cc" -o "$shim.tmp" && mv "$shim.tmp" "$shim"
fi
if [[ ! $weaken -nt $here/weaken_version.c ]]; then
  gcc -std=c11 -O2 "$here/weaken_version.c" -o "$weaken.tmp" && mv "$weaken.tmp" "$weaken"
fi
flock -u 9

cp "$shim" "$native_dir/$shim_name"
patchelf --clear-symbol-version "$symbol" "$lib"
if ! patchelf --print-needed "$lib" | grep -qx "$shim_name"; then
  patchelf --add-needed "$shim_name" "$lib"
fi
patchelf --set-rpath '$ORIGIN' "$lib"
"$weaken" "$lib" "$version" || [[ $? -eq 3 ]]
sha256sum < "$lib" > "$stamp"
echo "fix-torchsharp.sh: patched $lib for this system's libstdc++"
