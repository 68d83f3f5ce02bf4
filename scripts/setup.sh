#!/usr/bin/env bash
# setup.sh: install what stepx needs to build, test and run, from Debian packages only.
# Idempotent: installs only packages that are missing. Needs root (or sudo) for apt-get.
set -euo pipefail

PKGS=(build-essential cmake pkg-config git python3
      libevent-dev libhiredis-dev libmsgpack-dev libjemalloc-dev libpcre2-dev libssl-dev
      libcurl4-openssl-dev redis-server clang llvm)
if [ "${1:-}" = "--bench" ]; then
    PKGS+=(nodejs npm libjansson-dev)
fi

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged redis-server starts a system service on port 6379; stepx runs its own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
    $SUDO systemctl stop redis-server || true
    $SUDO systemctl disable redis-server >/dev/null 2>&1 || true
fi
