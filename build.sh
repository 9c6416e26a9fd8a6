#!/usr/bin/env bash
# Bootstrap: Debian packages (only what is missing), local dotnet tools, then Cake.
# Usage: ./build.sh <target> [cake args...]   e.g. ./build.sh test, ./build.sh study
#        ./build.sh fresh-check [--keep] [--work DIR] [--only study|test]   (see docs/reliability.md)
set -euo pipefail
cd "$(dirname "$0")"
target="${1:-build}"

packages=(cmake make g++ pkg-config patchelf libprotobuf-dev protobuf-compiler libdnnl-dev
  libopenblas-dev libgtest-dev dataset-fashion-mnist clang-14 libclang-rt-14-dev)
# The fresh-machine check runs the build inside a new Debian root, so the host needs only debootstrap.
if [[ $target == fresh-check ]]; then
  packages=(debootstrap)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "build.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "build.sh: missing Debian packages; run as root or install them:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

if [[ $target == fresh-check ]]; then
  shift
  exec tools/fresh-check.sh "$@"
fi

if ! command -v dotnet >/dev/null; then
  echo "build.sh: the .NET 10 SDK is required (dotnet not on PATH)" >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null

shift || true
exec dotnet cake build.cake --target="$target" "$@"
