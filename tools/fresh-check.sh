#!/usr/bin/env bash
# The fresh-machine check: builds a bare Debian 12 root with debootstrap, gives it only what the
# .NET SDK needs to start (plus git), bind-mounts the host's .NET SDK read-only, clones the current
# HEAD commit into it and runs the README's two commands there (./build.sh study, ./build.sh test).
# Prints PASS or FAIL with the time and log of each; exits 1 if any failed, 2 on a setup error.
#
# Usage: tools/fresh-check.sh [--work DIR] [--keep] [--only study|test]
#   --work DIR  where the root and the logs go (default /var/tmp/xlaprune-fresh; outside the repo)
#   --keep      keep the root after the run (it is removed by default; logs are always kept)
#   --only CMD  run only that README command (for iterating on one failure)
# Needs root (debootstrap, chroot, mounts) and debootstrap (build.sh installs it for this target).
set -euo pipefail
# The whole script is one block, read before it runs: editing the checkout during a run (the
# check takes long) cannot change the script under the running shell.
{

work=/var/tmp/xlaprune-fresh
keep=0
commands=(study test)
while (($#)); do
  case "$1" in
    --work) work="${2:?--work needs a directory}"; shift 2 ;;
    --keep) keep=1; shift ;;
    --only) commands=("${2:?--only needs study or test}"); shift 2 ;;
    *) echo "fresh-check: unknown option '$1' (valid: --work, --keep, --only)" >&2; exit 2 ;;
  esac
done
for c in "${commands[@]}"; do
  [[ $c == study || $c == test ]] || { echo "fresh-check: --only must be study or test, not '$c'" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "fresh-check: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v dotnet >/dev/null || { echo "fresh-check: the .NET SDK (dotnet on PATH) is required on the host" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "fresh-check: debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse HEAD)
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
case "$(readlink -f "$work")/" in
  "$(readlink -f "$repo")"/*) echo "fresh-check: --work must be outside the repository" >&2; exit 2 ;;
esac
root="$work/root"
logs="$work/logs"
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no) ]]; then
  echo "fresh-check: note: uncommitted changes are not checked; the root gets commit $commit"
fi

# --- cleanup: runs on every exit, including Ctrl-C, and never deletes through a mount ---------
mounts_under_root() { awk -v r="$root/" 'index($5 "/", r) == 1 { print $5 }' /proc/self/mountinfo | sort -r; }
processes_in_root() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/root" 2>/dev/null) == "$root" ]] && echo "${p#/proc/}"
  done
  return 0
}
# Long steps run in their own process group, in the background, so that Ctrl-C interrupts the
# `wait` at once (debootstrap ignores SIGINT) and the cleanup can stop the whole group.
child=
run() {
  setsid "$@" &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=
  return "$status"
}
cleanup() {
  local status=$? pids
  trap - EXIT INT TERM
  if [[ -n $child ]]; then
    kill -TERM -- "-$child" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$child" 2>/dev/null || true
  fi
  pids=$(processes_in_root)
  if [[ -n $pids ]]; then
    kill $pids 2>/dev/null || true
    sleep 2
    pids=$(processes_in_root)
    [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
  fi
  local m
  for m in $(mounts_under_root); do umount -l "$m" 2>/dev/null || true; done
  if [[ -n $(mounts_under_root) ]]; then
    echo "fresh-check: mounts remain under $root; not removing it" >&2
  elif ((keep)); then
    echo "fresh-check: root kept at $root"
  elif [[ -d $root ]]; then
    rm -rf --one-file-system "$root"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -e $root ]]; then
  [[ -z $(mounts_under_root) ]] || { echo "fresh-check: $root has mounts from an earlier run; unmount them first" >&2; exit 2; }
  rm -rf --one-file-system "$root"
fi
mkdir -p "$root" "$logs"
# The root grows to about 12 GiB (packages, NuGet cache, build outputs, the sanitizer and fuzz builds).
free_gib=$(df --output=avail -BG "$work" | tail -1 | tr -dc 0-9)
if ((free_gib < 16)); then
  echo "fresh-check: $work has ${free_gib} GiB free; the check needs about 16 GiB" >&2
  exit 2
fi

# The host's Debian mirror (first URIs: line, deb822 or one-line format).
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[[ -n $mirror ]] || mirror=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

step() { echo "fresh-check: $*"; }
started=$(date +%s)
step "debootstrap --variant=minbase bookworm from $mirror (log: $logs/debootstrap.log)"
run debootstrap --variant=minbase bookworm "$root" "$mirror" >"$logs/debootstrap.log" 2>&1 \
  || { echo "fresh-check: debootstrap failed; see $logs/debootstrap.log" >&2; exit 2; }

# Network the way the host reaches it: name resolution, the host's apt sources and apt network
# settings, and any local CA certificates the host trusts (a TLS-inspecting proxy's CA, say).
# None of this is a package the project needs; it is this host's way out to the mirrors and NuGet.
cp /etc/resolv.conf "$root/etc/resolv.conf"
if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
  rm -f "$root/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
fi
for f in /etc/apt/apt.conf.d/*; do
  grep -q -E '^[[:space:]]*Acquire::(Check-Valid-Until|Check-Date|https?::Proxy)' "$f" 2>/dev/null \
    && cp "$f" "$root/etc/apt/apt.conf.d/"
done
mkdir -p "$root/usr/local/share/ca-certificates"
cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
mkdir -p "$root/usr/share/dotnet"
mount --bind "$dotnet_root" "$root/usr/share/dotnet"
mount -o remount,bind,ro "$root/usr/share/dotnet"
ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"

# The environment inside: a login root shell of a new machine, plus the host's NuGet/.NET and
# proxy variables (so NuGet is reached as the host reaches it). The package cache starts empty.
chroot_env=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb)
while IFS='=' read -r name _; do
  [[ $name =~ ^(NUGET_|DOTNET_|https?_proxy$|HTTPS?_PROXY$|no_proxy$|NO_PROXY$) ]] && chroot_env+=("$name=${!name}")
done < <(env)
in_root() { run chroot "$root" /usr/bin/env -i "${chroot_env[@]}" /bin/bash -c "$1"; }
if [[ -f $HOME/.nuget/NuGet/NuGet.Config ]]; then
  mkdir -p "$root/root/.nuget/NuGet"
  cp "$HOME/.nuget/NuGet/NuGet.Config" "$root/root/.nuget/NuGet/NuGet.Config"
fi

# Only what `dotnet` needs to start and reach NuGet (libicu72; ca-certificates, which brings
# openssl/libssl3), and git to clone. Everything else must come from ./build.sh itself.
step "installing libicu72 ca-certificates git in the root (log: $logs/base-packages.log)"
in_root 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends libicu72 ca-certificates git' \
  >"$logs/base-packages.log" 2>&1 || { echo "fresh-check: base packages failed; see $logs/base-packages.log" >&2; exit 2; }

step "cloning $commit into /root/xlaprune"
git -C "$repo" bundle create "$root/root/xlaprune.bundle" HEAD >/dev/null 2>&1
in_root "git clone -q /root/xlaprune.bundle /root/xlaprune && git -C /root/xlaprune checkout -q --detach $commit && rm /root/xlaprune.bundle" \
  >"$logs/clone.log" 2>&1 || { echo "fresh-check: clone failed; see $logs/clone.log" >&2; exit 2; }
step "root ready in $(($(date +%s) - started)) s"

failed=0
for c in "${commands[@]}"; do
  log="$logs/$c.log"
  step "running ./build.sh $c (log: $log)"
  t0=$(date +%s)
  if in_root "cd /root/xlaprune && ./build.sh $c" >"$log" 2>&1; then result=PASS; else result=FAIL; failed=1; fi
  seconds=$(($(date +%s) - t0))
  # Build servers started by the command must not outlive it (they hold the root's mounts busy).
  in_root 'dotnet build-server shutdown' >/dev/null 2>&1 || true
  printf '%s ./build.sh %s  %dm%02ds  %s\n' "$result" "$c" $((seconds / 60)) $((seconds % 60)) "$log"
done
step "total $(($(date +%s) - started)) s"
exit "$failed"
}
