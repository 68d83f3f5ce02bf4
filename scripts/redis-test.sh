#!/usr/bin/env bash
# redis-test.sh: a throwaway redis-server on a loopback port for tests and benchmarks.
#
#   scripts/redis-test.sh start [PORT] [DIR]   prints the port; PORT 0 or absent = a random
#                                              free one; DIR defaults to var/redis-PORT
#   scripts/redis-test.sh stop PORT [DIR]      shuts it down and removes DIR
#   scripts/redis-test.sh run CMD...           start, run CMD with REDIS_PORT set, stop
#
# The server binds 127.0.0.1 only, with no persistence (--save '' --appendonly no) unless
# REDIS_EXTRA adds options (e.g. REDIS_EXTRA="--appendonly yes --appendfsync everysec" to
# measure AOF). redis-server comes from Debian (apt-get install redis-server).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local port="${1:-0}" dir="${2:-}"
    command -v redis-server >/dev/null || { echo "redis-server not installed" >&2; exit 2; }
    [ "$port" = 0 ] && port="$(free_port)"
    [ -n "$dir" ] || dir="$here/var/redis-$port"
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" \
        --daemonize yes --enable-debug-command local ${REDIS_EXTRA:-} >/dev/null
    for _ in $(seq 1 200); do
        if redis-cli -p "$port" ping >/dev/null 2>&1; then
            echo "$port"
            return 0
        fi
        sleep 0.05
    done
    echo "redis-server on port $port did not start; see $dir/redis.log" >&2
    exit 1
}

stop() {
    local port="$1" dir="${2:-$here/var/redis-$1}"
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 || break
        sleep 0.05
    done
    case "$dir" in
        "$here"/var/redis-*|/tmp/*) rm -rf "$dir" ;;
    esac
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; [ $# -ge 1 ] || { echo "usage: $0 stop PORT [DIR]" >&2; exit 2; }; stop "$@" ;;
    run)
        shift
        port="$(start 0)"
        trap 'stop "$port"' EXIT
        REDIS_PORT="$port" "$@"
        ;;
    *) echo "usage: $0 start [PORT] [DIR] | stop PORT [DIR] | run CMD..." >&2; exit 2 ;;
esac
