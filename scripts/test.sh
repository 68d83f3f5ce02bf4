#!/usr/bin/env bash
# test.sh: the whole test suite, as the README's test command runs it.
#
#   1. release build (jemalloc): unit tests, conformance suites (ASL, JSONata), CLI tests,
#      end-to-end tests against a real redis-server;
#   2. ASan+UBSan build (libc malloc): the same suites;
#   3. TSan build: the unit tests (threads live in the server modules);
#   4. fuzz build (clang, libFuzzer): each fuzz target for SX_FUZZ_SECONDS (default 60).
#
# Exits non-zero when anything fails. SX_TEST_QUICK=1 runs stage 1 only.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "test: setup failed"; exit 1; }

status=0
stage() { echo; echo "=== $* ==="; }
fail() { echo "test: FAILED: $*"; status=1; }
jobs=$(nproc)

stage "release build + all tests"
if bash scripts/build.sh release; then
    ctest --test-dir build --output-on-failure -j"$jobs" || fail "release tests"
else
    fail "release build"
fi

if [ "${SX_TEST_QUICK:-0}" != 1 ]; then
    stage "ASan+UBSan build + all tests"
    if bash scripts/build.sh asan; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 UBSAN_OPTIONS=print_stacktrace=1 \
            ctest --test-dir build-asan --output-on-failure -j"$jobs" || fail "asan tests"
    else
        fail "asan build"
    fi

    stage "TSan build + unit tests"
    if bash scripts/build.sh tsan; then
        ctest --test-dir build-tsan --output-on-failure -j"$jobs" -L unit || fail "tsan tests"
    else
        fail "tsan build"
    fi

    stage "fuzzers (${SX_FUZZ_SECONDS:-60}s each)"
    if bash scripts/build.sh fuzz; then
        for f in build-fuzz/bin/fuzz_*; do
            [ -x "$f" ] || continue
            name=$(basename "$f")
            corpus="tests/fuzz/corpus/${name#fuzz_}"
            work=$(mktemp -d)
            [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
            if "$f" -max_total_time="${SX_FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 \
                    -print_final_stats=0 "$work" >"$work.log" 2>&1; then
                echo "fuzz $name: ok ($(grep -c '' "$work.log") log lines)"
            else
                tail -40 "$work.log"
                fail "fuzzer $name"
            fi
            rm -rf "$work" "$work.log"
        done
    else
        fail "fuzz build"
    fi
fi

echo
if [ $status -eq 0 ]; then echo "test: all stages passed"; else echo "test: some stages FAILED"; fi
exit $status
