/*
 * bench_produce.c: the event producer of the end-to-end benchmark (bench/bench_e2e.py).
 *
 * XADDs --events events {machine, tenant, input = the bytes of --input} to --stream,
 * pipelined --pipeline deep on one blocking hiredis connection, flat out or paced at --rate
 * events/s (open loop). It is the same loop as bench_ceiling's producer thread, so that
 * stepxd and the ceilings it is compared with are fed at the same client cost (a Python
 * producer costs several times more CPU per event, which on a small machine is taken from
 * the consumer being measured). Prints one JSON line: {"sent":N,"seconds":S}.
 *
 *   build/bin/bench_produce --port P --events 100000 \
 *       --input /work/shared/bench/workflows/pass-chain.input.json --machine pass-chain
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

#include "bench_pace.h"
#include "stepx/cfg.h"
#include "stepx/sx.h"

typedef struct opts {
    char *host, *stream, *machine, *tenant, *input;
    int64_t port, events, pipeline, rate;
} opts_t;

#define OFF(f) offsetof(opts_t, f)
static const cfg_directive_t opt_dirs[] = {
    {"host", CFG_STR, OFF(host), "127.0.0.1", NULL, 0, 0, "Redis host"},
    {"port", CFG_INT, OFF(port), "6379", NULL, 1, 65535, "Redis port"},
    {"stream", CFG_STR, OFF(stream), "{stepx}:events", NULL, 0, 0, "events stream key"},
    {"machine", CFG_STR, OFF(machine), "pass-chain", NULL, 0, 0, "machine field"},
    {"tenant", CFG_STR, OFF(tenant), "bench", NULL, 0, 0, "tenant field"},
    {"input", CFG_STR, OFF(input), "", NULL, 0, 0, "file whose bytes are every event's input"},
    {"events", CFG_INT, OFF(events), "100000", NULL, 1, 100000000, "events to send"},
    {"pipeline", CFG_INT, OFF(pipeline), "64", NULL, 1, 10000, "pipeline depth"},
    {"rate", CFG_INT, OFF(rate), "0", NULL, 0, 100000000, "events/s, 0 = flat out"},
    {NULL, CFG_STR, 0, NULL, NULL, 0, 0, NULL}};

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    sx_sbuf_t b = SX_SBUF_INIT;
    char chunk[4096];
    size_t n;
    if (f == NULL)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        sx_sbuf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    sx_sbuf_addc(&b, '\0');
    return b.p;
}

static void
put_arg(sx_sbuf_t *b, const char *p, size_t n)
{
    char head[32];
    int k = snprintf(head, sizeof(head), "$%zu\r\n", n);
    sx_sbuf_add(b, head, (size_t)k);
    sx_sbuf_add(b, p, n);
    sx_sbuf_add(b, "\r\n", 2);
}

int
main(int argc, char **argv)
{
    static opts_t opt;
    cfg_section_t os = {opt_dirs, &opt};
    cfg_err_t err;
    size_t ilen = 0;
    char *input;
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        cfg_usage_print(&os, 1, stdout);
        return 0;
    }
    if (cfg_load(&os, 1, argc, argv, &err) != SX_OK) {
        fprintf(stderr, "bench_produce: %s\n", err.msg);
        return 2;
    }
    if ((input = read_file(opt.input, &ilen)) == NULL) {
        fprintf(stderr, "bench_produce: cannot read --input '%s'\n", opt.input);
        return 2;
    }
    /* one XADD in RESP form, repeated pipeline times per round */
    sx_sbuf_t one = SX_SBUF_INIT, round = SX_SBUF_INIT;
    sx_sbuf_adds(&one, "*9\r\n");
    put_arg(&one, "XADD", 4);
    put_arg(&one, opt.stream, strlen(opt.stream));
    put_arg(&one, "*", 1);
    put_arg(&one, "machine", 7);
    put_arg(&one, opt.machine, strlen(opt.machine));
    put_arg(&one, "tenant", 6);
    put_arg(&one, opt.tenant, strlen(opt.tenant));
    put_arg(&one, "input", 5);
    put_arg(&one, input, ilen);
    for (int64_t i = 0; i < opt.pipeline; i++)
        sx_sbuf_add(&round, one.p, one.len);

    struct timeval tv = {5, 0};
    redisContext *r = redisConnectWithTimeout(opt.host, (int)opt.port, tv);
    if (r == NULL || r->err) {
        fprintf(stderr, "bench_produce: cannot connect: %s\n", r ? r->errstr : "oom");
        return 1;
    }
    uint64_t start = sx_mono_ns();
    for (int64_t sent = 0; sent < opt.events;) {
        int64_t n = opt.events - sent < opt.pipeline ? opt.events - sent : opt.pipeline;
        if (opt.rate > 0) {
            n = n < opt.rate / 500 + 1 ? n : opt.rate / 500 + 1; /* rounds of <= 2 ms */
            bench_pace(start, sent, opt.rate);
        }
        redisAppendFormattedCommand(r, round.p, one.len * (size_t)n);
        bench_replies(r, n, "bench_produce");
        sent += n;
    }
    printf("{\"sent\":%lld,\"seconds\":%.3f}\n", (long long)opt.events,
           (double)(sx_mono_ns() - start) / 1e9);
    redisFree(r);
    sx_sbuf_fini(&one);
    sx_sbuf_fini(&round);
    sx_free(input);
    cfg_sections_fini(&os, 1);
    return 0;
}
