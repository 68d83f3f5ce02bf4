/*
 * fuzz_exec.c: libFuzzer target for the whole engine: arbitrary bytes as a definition.
 *
 * The bytes are parsed, validated and compiled (asl_machine_compile_text, as EXPRESS); a
 * definition that compiles is run on a fixed input with a virtual clock, the
 * arn:stepx:test:* resource and bounds on everything that could run away: at most 2,000
 * state transitions (ex_opts.max_transitions), 50 ms per JSONata evaluation, the Express
 * 5-minute limit on the virtual clock, and at most 200,000 scheduler callbacks (then it is
 * stopped). History is on, so the event details are built and printed too. Nothing may
 * crash, leak (ASan) or trip UBSan, and a finished or stopped execution must leave no task
 * or timer behind.
 *
 * Build: cmake --preset fuzz && cmake --build build-fuzz -j2 --target fuzz_exec
 * Run:   build-fuzz/bin/fuzz_exec -max_total_time=60 -max_len=4096 \
 *        -dict=tests/fuzz/fuzz_asl_parse.dict WORKDIR tests/fuzz/corpus/exec
 * Seeds: tests/fuzz/corpus/exec/ (the conformance definitions, one file each).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stepx/exec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char INPUT[] = "{\"a\":1,\"b\":\"x\",\"items\":[1,2,{\"k\":\"v\"}],\"n\":null,"
                            "\"t\":\"2024-01-01T00:00:00Z\",\"s\":3}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asl_machine_t *m = NULL;
    char *why = NULL;
    if (asl_machine_compile_text((const char *)data, size, ASL_TYPE_EXPRESS, &m, &why) != SX_OK) {
        sx_free(why);
        return 0;
    }
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1700000000000);
    ex_engine_t e;
    ex_engine_init(&e, s);
    ex_engine_add_test_resource(&e);
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    o.type = ASL_TYPE_EXPRESS;
    o.sm_name = "fuzz";
    o.exec_name = "x";
    o.history = true;
    o.max_transitions = 2000;
    o.jsonata_time_ms = 50;
    ex_exec_t *ex = ex_exec_new(&e, m, &o);
    const val_t *in = NULL;
    if (val_json_parse(ex_exec_arena(ex), INPUT, sizeof(INPUT) - 1, &in, NULL) != SX_OK)
        __builtin_trap();
    ex_exec_start(ex, in);
    sch_run_bounded(s, 200000);
    if (ex_exec_status(ex) == EX_RUNNING)
        ex_exec_stop(ex); /* e.g. a 1 ms heartbeat for 5 virtual minutes: bounded here */
    sch_run_bounded(s, 1000);
    if (!sch_idle(s))
        __builtin_trap(); /* a stopped execution left work behind */
    sx_sbuf_t b = SX_SBUF_INIT;
    val_json_print(&b, ex_exec_history(ex));
    if (ex_exec_output(ex) != NULL)
        val_json_print(&b, ex_exec_output(ex));
    sx_sbuf_fini(&b);
    ex_exec_free(ex);
    asl_machine_unref(m);
    sch_free(s);
    return 0;
}
