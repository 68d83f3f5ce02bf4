#!/usr/bin/env bash
# bench.sh: stepx against its peers, side by side, in one run (docs/benchmarks.md).
#
#   scripts/bench.sh [--reps N] [--quick] [--no-build] [--head] [--only LIST] [--update-docs]
#
#   --reps N       repetitions of each measurement (default 3); the report takes medians,
#                  and each ratio is formed within a repetition (ours and the peer back to
#                  back) before the median is taken.
#   --quick        1 repetition, smaller counts: a smoke run of a few tens of seconds.
#   --no-build     use the binaries already in build/.
#   --head         build the committed HEAD (a `git archive` copy under bench/out/head/) instead
#                  of the work tree, so that others' uncommitted edits neither break nor
#                  colour the figures; the commit is recorded with them.
#   --only LIST    comma-separated subset of engine,park,jsonata,json (default: all).
#   --update-docs  also rewrite the figures section of docs/benchmarks.md.
#
# Environment: BENCH_BUILD=DIR measures another release build directory (with --no-build);
# BENCH_COMMIT names the commit it was built from (default: this tree's HEAD).
# BENCH_OUT=DIR writes the results there instead of bench/out.
#
# Steps: builds the release preset (Release, jemalloc) into build/; compiles
# bench/bench_json.c with jansson into build/bin/bench_json_jansson (jansson is linked into
# that one executable only, via pkg-config); installs the node peers (npm ci in bench/peers)
# when missing; runs every benchmark, ours then the peer, per repetition; writes the raw
# lines under bench/out/raw/, the summary in bench/out/results.json and bench/out/results.md,
# and prints the markdown table. Other processes may share the machine: compare ratios, not
# absolute figures, and read the load averages printed with them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BENCH_BUILD:-$root/build}" # BENCH_BUILD: another release build dir (with --no-build)
out="${BENCH_OUT:-$root/bench/out}"
raw="$out/raw"
wf="/work/shared/bench/workflows"
[ -d "$wf" ] || wf="$root/../shared/bench/workflows"
suite="/work/shared/jsonata-suite"
[ -d "$suite" ] || suite="$root/../shared/jsonata-suite"
peers="$root/bench/peers"

reps=3
quick=0
do_build=1
only="engine,park,jsonata,json"
update_docs=0
head=0
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps="$2"; shift 2 ;;
        --quick) quick=1; reps=1; shift ;;
        --no-build) do_build=0; shift ;;
        --head) head=1; shift ;;
        --only) only="$2"; shift 2 ;;
        --update-docs) update_docs=1; shift ;;
        *) echo "usage: scripts/bench.sh [--reps N] [--quick] [--no-build] [--head]" \
                "[--only LIST] [--update-docs]" >&2; exit 2 ;;
    esac
done

wants() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
log() { echo "bench: $*" >&2; }

# Per workflow: executions for stepx, executions for the peer, executions in flight. The
# counts aim at 1-3 s per run on 2 busy cores; ours runs ~100x more executions than the peer.
engine_cfg() {
    if [ "$quick" = 1 ]; then
        echo "pass-chain 50000 300 10"
        echo "choice-loop 3000 30 10"
        echo "map-fanout 1000 8 10"
    else
        echo "pass-chain 300000 2000 10"
        echo "choice-loop 15000 150 10"
        echo "map-fanout 5000 30 10"
    fi
}
park_n=100000
peer_park_n=100000
peer_park_wait_ms=30000
jsonata_m=100
json_ms=900
if [ "$quick" = 1 ]; then
    peer_park_n=10000
    peer_park_wait_ms=5000
    jsonata_m=10
    json_ms=300
fi

build_all() {
    local src="$root"
    if [ "$head" = 1 ]; then
        src="$out/head"
        BENCH_COMMIT="$(git -C "$root" rev-parse --short HEAD)"
        export BENCH_COMMIT
        log "building HEAD ($BENCH_COMMIT) from a git archive in $src"
        rm -rf "$src"
        mkdir -p "$src"
        git -C "$root" archive HEAD | tar -x -C "$src"
        build="$src/build"
    else
        log "building the release preset into build/"
    fi
    (cd "$src" && cmake --preset release >/dev/null)
    cmake --build "$build" -j2 --target stepx bench_jsonata bench_json >/dev/null
}

# bench_json linked with jansson, rebuilt when missing or older than its source or libraries.
build_json_jansson() {
    local exe="$build/bin/bench_json_jansson"
    if [ -x "$exe" ] && [ "$exe" -nt "$root/bench/bench_json.c" ] \
        && [ "$exe" -nt "$build/libsx_val.a" ] && [ "$exe" -nt "$build/libsx_base.a" ]; then
        return 0
    fi
    if pkg-config --exists jansson; then
        # -flto=auto: harmless without LTO, needed if the preset builds LTO objects again.
        # shellcheck disable=SC2046
        cc -std=c11 -O2 -flto=auto -DNDEBUG -D_GNU_SOURCE -DSX_HAVE_JANSSON -I"$root/include" \
            "$root/bench/bench_json.c" "$build/libsx_val.a" "$build/libsx_base.a" \
            $(pkg-config --cflags --libs jansson jemalloc) -lm \
            -o "$exe"
    else
        log "jansson not installed (scripts/setup.sh --bench): JSON comparison skipped"
    fi
}

peers_install() {
    if [ -d "$peers/node_modules/aws-local-stepfunctions" ] && [ -d "$peers/node_modules/jsonata" ] \
        && [ -d "$peers/node_modules/jsonata-2.0.6" ]; then
        return 0
    fi
    command -v npm >/dev/null || { log "npm missing (scripts/setup.sh --bench)"; exit 2; }
    log "installing the node peers (npm ci)"
    (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

# run FILE CMD...: runs CMD, keeping its stdout in FILE (empty on failure, stderr shown).
run() {
    local file="$1"
    shift
    mkdir -p "$(dirname "$file")"
    if ! "$@" >"$file" 2>"$file.err"; then
        log "FAILED ($(tail -n 1 "$file.err" 2>/dev/null)): $*"
    fi
    [ -s "$file.err" ] || rm -f "$file.err"
}

# same_output NAME: runs the workflow once on each side and records whether the outputs agree
# (raw/engine/NAME/outputs.json), so the figures are known to compare the same work.
same_output() {
    local name="$1" d="$raw/engine/$1"
    mkdir -p "$d"
    "$build/bin/stepx" run "$wf/$name.asl.json" --input "$wf/$name.input.json" \
        >"$d/stepx.output" 2>/dev/null || true
    node "$peers/asl_peer.mjs" "$wf/$name.asl.json" --input "$wf/$name.input.json" \
        --print-output >"$d/peer.output" 2>/dev/null || true
    python3 - "$d" <<'EOF2' >"$d/outputs.json"
import json, sys
d = sys.argv[1]
def load(name):
    try:
        return json.load(open(f"{d}/{name}.output"))
    except (OSError, ValueError):
        return None
ours, peer = load("stepx"), load("peer")
ok = isinstance(ours, dict) and ours.get("status") == "SUCCEEDED" and peer is not None
print(json.dumps({"same": bool(ok and ours.get("output") == peer)}))
EOF2
}

bench_engine() {
    local rep="$1" name n_ours n_peer c
    while read -r name n_ours n_peer c; do
        log "engine $name rep $rep"
        [ "$rep" = 1 ] && same_output "$name"
        run "$raw/engine/$name/stepx.$rep.json" "$build/bin/stepx" bench \
            "$wf/$name.asl.json" --input "$wf/$name.input.json" -n "$n_ours" -c "$c"
        run "$raw/engine/$name/peer.$rep.json" node "$peers/asl_peer.mjs" \
            "$wf/$name.asl.json" --input "$wf/$name.input.json" -n "$n_peer" -c "$c"
    done < <(engine_cfg)
}

bench_park() {
    local w="$root/bench/workflows"
    log "park: $park_n stepx executions parked in a Wait"
    run "$raw/park/wait-park/stepx.1.json" "$build/bin/stepx" bench "$w/wait-park.asl.json" \
        --input "$w/wait-park.input.json" --park -n "$park_n" -c "$park_n"
    log "park: $peer_park_n peer executions parked in a Wait (${peer_park_wait_ms} ms)"
    run "$raw/park/wait-park/peer.1.json" node "$peers/asl_peer.mjs" "$w/wait-park.asl.json" \
        --input "$w/wait-park.input.json" -n "$peer_park_n" -c "$peer_park_n" \
        --wait-ms "$peer_park_wait_ms" --warmup 1 --count first
}

bench_jsonata() {
    local rep="$1" d="$raw/jsonata/suite" ids="$raw/jsonata/ids.txt"
    log "jsonata rep $rep"
    run "$d/stepx.$rep.json" "$build/bin/bench_jsonata" --suite "$suite" -m "$jsonata_m" \
        --per-case "$d/stepx.$rep.cases.jsonl"
    # The peers run exactly the cases we measured (same ids); if we measured none (no
    # evaluator yet), they run the whole selection so their figure is still recorded.
    if [ "$rep" = 1 ]; then
        if [ -s "$d/stepx.1.cases.jsonl" ]; then
            python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1]) if l.strip()]' \
                "$d/stepx.1.cases.jsonl" >"$ids"
        else
            rm -f "$ids"
        fi
    fi
    local sel=()
    [ -s "$ids" ] && sel=(--ids "$ids")
    run "$d/peer.$rep.json" node "$peers/jsonata_peer.mjs" --suite "$suite" -m "$jsonata_m" \
        --version 2.2.2 "${sel[@]}" --per-case "$d/peer.$rep.cases.jsonl"
    run "$d/peer-2.0.6.$rep.json" node "$peers/jsonata_peer.mjs" --suite "$suite" \
        -m "$jsonata_m" --version 2.0.6 "${sel[@]}"
}

bench_json() {
    local rep="$1" exe="$build/bin/bench_json_jansson"
    [ -x "$exe" ] || exe="$build/bin/bench_json"
    log "json rep $rep"
    run "$raw/json/docs/stepx.$rep.json" "$exe" --ms "$json_ms" --rounds 3
}

machine_json() {
    local load_start="$1"
    python3 - "$load_start" "$reps" <<'EOF' >"$raw/machine.json"
import json, os, platform, subprocess, sys, time
def sh(*c):
    try:
        return subprocess.run(c, capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return None
model = None
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
print(json.dumps({
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    "git": os.environ.get("BENCH_COMMIT") or sh("git", "-C", os.environ.get("ROOT", "."), "rev-parse", "--short", "HEAD"),
    "build": os.environ.get("BUILD"),
    # The allocator the measured stepx really loads (an LTO build once dropped jemalloc).
    "allocator": "jemalloc" if "jemalloc" in (sh("ldd", os.path.join(os.environ.get("BUILD", "."), "bin", "stepx")) or "") else "libc malloc",
    "reps": int(sys.argv[2]),
    "cpus": os.cpu_count(),
    "cpu_model": model,
    "kernel": platform.release(),
    "node": sh("node", "--version"),
    "load_start": sys.argv[1],
    "load_end": " ".join(open("/proc/loadavg").read().split()[:3]),
}))
EOF
}

main() {
    local load_start
    load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
    [ "$do_build" = 1 ] && build_all
    [ -x "$build/bin/stepx" ] || { log "no $build/bin/stepx: run without --no-build"; exit 2; }
    wants json && build_json_jansson
    peers_install
    rm -rf "$raw"
    mkdir -p "$raw"
    for rep in $(seq 1 "$reps"); do
        wants engine && bench_engine "$rep"
        wants jsonata && bench_jsonata "$rep"
        wants json && bench_json "$rep"
    done
    wants park && bench_park
    ROOT="$root" BUILD="$build" machine_json "$load_start"
    local docs=()
    [ "$update_docs" = 1 ] && docs=(--docs "$root/docs/benchmarks.md")
    python3 "$root/bench/bench_report.py" "$raw" --json "$out/results.json" \
        --markdown "$out/results.md" "${docs[@]}"
}

main
