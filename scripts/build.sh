#!/usr/bin/env bash
# build.sh [PRESET]: configure and build one CMake preset (default: release -> build/).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
case "$preset" in
    release) dir=build ;;
    *) dir="build-$preset" ;;
esac
cmake --preset "$preset" >/dev/null
cmake --build "$dir" -j"$(nproc)"
