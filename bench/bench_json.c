/*
 * bench_json.c: JSON parse+free throughput, our val_json_parse (hand-written, straight into
 * the arena value model) against jansson, to justify (or not) the hand-written parser.
 *
 *   bench_json [--ms MS] [--rounds R] [FILE...]
 *
 * Documents: a small event (~0.6 KB, the shape of an EventBridge/Lambda input), the shared
 * bench inputs of pass-chain (1.6 KB) and map-fanout (4 KB) when present, a generated 200 KB
 * document (orders with nested objects, arrays, floats, escapes and non-ASCII text), and any
 * FILE given. One iteration is what a state machine pays per input: parse into a fresh
 * arena, free the arena (ours); json_loadb, json_decref (jansson).
 *
 * The two parsers alternate in R rounds of MS/R milliseconds per document, and the median
 * round counts, so that load from other processes hits both alike. Output: one JSON line
 * {"docs":[{name, bytes, stepx:{parses_per_s, mb_per_s}, jansson:{...}, ratio}]} where
 * ratio = stepx parses/s / jansson parses/s.
 *
 * jansson is linked only when SX_HAVE_JANSSON is defined: scripts/bench.sh compiles this file
 * directly with cc and `pkg-config --libs jansson`. The copy CMake builds (bench/bench_*.c
 * glob, stepx libraries only) measures our parser alone and prints "jansson": null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/sx.h"
#include "stepx/val.h"

#ifdef SX_HAVE_JANSSON
#include <jansson.h>
#endif

#define BENCH_MAX_ROUNDS 15
#define BENCH_BIG_BYTES (200 * 1024)

typedef struct bench_doc {
    char name[64]; /* shown in the output */
    char *text;    /* heap, NUL-terminated */
    size_t len;    /* bytes */
} bench_doc_t;

typedef int (*bench_parse_fn)(const char *s, size_t n);

static const char small_event[] =
    "{\"version\":\"0\",\"id\":\"6a7e8feb-b491-4cf7-a9f1-bf3703467718\","
    "\"detail-type\":\"Order Placed\",\"source\":\"com.example.orders\","
    "\"account\":\"111122223333\",\"time\":\"2024-05-01T12:34:56Z\",\"region\":\"eu-west-1\","
    "\"resources\":[\"arn:aws:events:eu-west-1:111122223333:rule/orders\"],"
    "\"detail\":{\"orderId\":\"ord-7f3a9c21-0001\",\"customer\":{\"id\":\"cust-4411\","
    "\"name\":\"Ada Lovelace\",\"tier\":\"gold\"},\"total\":123.45,\"currency\":\"EUR\","
    "\"items\":[{\"sku\":\"SKU-000\",\"qty\":1,\"price\":9.99},{\"sku\":\"SKU-001\",\"qty\":2,"
    "\"price\":13.49}],\"gift\":false,\"note\":null,\"tags\":[\"priority\",\"b2c\"],"
    "\"attempt\":1}}";

/* ------------------------------------------------------------------ parsers */

static int
parse_stepx(const char *s, size_t n)
{
    sx_arena_t *a = sx_arena_new(0);
    const val_t *v;
    int rc = val_json_parse(a, s, n, &v, NULL);
    sx_arena_free(a);
    return rc;
}

#ifdef SX_HAVE_JANSSON
static int
parse_jansson(const char *s, size_t n)
{
    json_error_t err;
    json_t *j = json_loadb(s, n, 0, &err);
    if (j == NULL)
        return SX_ERR;
    json_decref(j);
    return SX_OK;
}
#endif

/* ------------------------------------------------------------------ documents */

/* Appends one generated order (index i) to b. */
static void
big_order_add(sx_sbuf_t *b, unsigned i)
{
    sx_sbuf_addf(b,
                 "{\"id\":\"ord-%08x\",\"createdAt\":\"2024-05-%02uT%02u:%02u:00Z\","
                 "\"customer\":{\"id\":\"cust-%u\",\"name\":\"Caf\\u00e9 \\\"Ren\\u00e9\\\" %u\","
                 "\"city\":\"Z\xc3\xbcrich\",\"vip\":%s,\"score\":%u.%02u},\"items\":[",
                 i * 2654435761u, 1 + i % 28, i % 24, i % 60, i, i, i % 3 ? "false" : "true",
                 i % 100, i % 97);
    for (unsigned k = 0; k < 1 + i % 4; k++)
        sx_sbuf_addf(b, "%s{\"sku\":\"SKU-%03u\",\"qty\":%u,\"price\":%u.%02u,\"gift\":null}",
                     k ? "," : "", (i + k) % 1000, 1 + k, 3 + (i * 7 + k) % 200, (i + k) % 100);
    sx_sbuf_addf(b, "],\"tags\":[\"t%u\",\"line\\nbreak\",\"e%ue-3\"],\"total\":%.6g}", i % 10, i,
                 (double)i * 1.37e-3 + 0.5);
}

static void
doc_big(bench_doc_t *d)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    sx_sbuf_adds(&b, "{\"orders\":[");
    for (unsigned i = 0; b.len < BENCH_BIG_BYTES - 300; i++) {
        if (i)
            sx_sbuf_addc(&b, ',');
        big_order_add(&b, i);
    }
    sx_sbuf_adds(&b, "],\"meta\":{\"generated\":true}}");
    snprintf(d->name, sizeof(d->name), "generated-200k");
    d->text = b.p;
    d->len = b.len;
}

static int
doc_file(bench_doc_t *d, const char *path)
{
    const char *base = strrchr(path, '/');
    if (sx_read_file(path, &d->text, &d->len) != SX_OK)
        return SX_ERR;
    snprintf(d->name, sizeof(d->name), "%s", base ? base + 1 : path);
    return SX_OK;
}

/* Fills docs (at most cap) and returns how many. */
static size_t
docs_load(bench_doc_t *docs, size_t cap, int nfiles, char **files)
{
    static const char *const shared[] = {
        "/work/shared/bench/workflows/pass-chain.input.json",
        "/work/shared/bench/workflows/map-fanout.input.json",
    };
    size_t n = 0;
    snprintf(docs[n].name, sizeof(docs[n].name), "small-event");
    docs[n].text = sx_strdup(small_event);
    docs[n++].len = sizeof(small_event) - 1;
    for (size_t i = 0; i < SX_ARRAY_LEN(shared) && n < cap; i++)
        if (doc_file(&docs[n], shared[i]) == SX_OK)
            n++;
    doc_big(&docs[n++]);
    for (int i = 0; i < nfiles && n < cap; i++) {
        if (doc_file(&docs[n], files[i]) == SX_OK)
            n++;
        else
            fprintf(stderr, "bench_json: cannot read %s\n", files[i]);
    }
    return n;
}

/* ------------------------------------------------------------------ timing */

/* Parses d repeatedly for about `ms`; returns parses per second, or -1 on a parse error. */
static double
time_round(bench_parse_fn fn, const bench_doc_t *d, double ms)
{
    uint64_t t0 = sx_mono_ns(), now = t0, limit = (uint64_t)(ms * 1e6);
    long n = 0;
    while (now - t0 < limit) {
        for (int k = 0; k < 8; k++)
            if (fn(d->text, d->len) != SX_OK)
                return -1;
        n += 8;
        now = sx_mono_ns();
    }
    return (double)n * 1e9 / (double)(now - t0);
}

static int
cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void
print_side(const char *name, double rate, const bench_doc_t *d)
{
    if (rate < 0)
        printf("\"%s\":null", name);
    else
        printf("\"%s\":{\"parses_per_s\":%.1f,\"mb_per_s\":%.2f}", name, rate,
               rate * (double)d->len / 1e6);
}

/* Measures one document with both parsers, alternating rounds; prints its JSON object. */
static void
doc_measure(const bench_doc_t *d, double ms, int rounds, bench_parse_fn other)
{
    double ours[BENCH_MAX_ROUNDS], theirs[BENCH_MAX_ROUNDS];
    double per = ms / rounds;
    for (int r = 0; r < rounds; r++) {
        ours[r] = time_round(parse_stepx, d, per);
        theirs[r] = other ? time_round(other, d, per) : -1;
    }
    qsort(ours, (size_t)rounds, sizeof(double), cmp_double);
    qsort(theirs, (size_t)rounds, sizeof(double), cmp_double);
    double a = ours[rounds / 2], b = theirs[rounds / 2];
    sx_sbuf_t name = SX_SBUF_INIT;
    val_json_quote(&name, d->name, strlen(d->name));
    printf("{\"name\":%s,\"bytes\":%zu,", name.p, d->len);
    sx_sbuf_fini(&name);
    print_side("stepx", a, d);
    putchar(',');
    print_side("jansson", b, d);
    if (a > 0 && b > 0)
        printf(",\"ratio\":%.2f}", a / b);
    else
        printf(",\"ratio\":null}");
}

int
main(int argc, char **argv)
{
    bench_doc_t docs[16];
    double ms = 600;
    int rounds = 3, i = 1;
    bench_parse_fn other = NULL;
#ifdef SX_HAVE_JANSSON
    other = parse_jansson;
#endif
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "--ms") == 0)
            ms = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = atoi(argv[i + 1]);
        else
            break;
    }
    if (ms <= 0 || rounds < 1 || rounds > BENCH_MAX_ROUNDS || (i < argc && argv[i][0] == '-')) {
        fprintf(stderr, "usage: bench_json [--ms MS] [--rounds R] [FILE...]\n");
        return 2;
    }
    size_t n = docs_load(docs, SX_ARRAY_LEN(docs), argc - i, argv + i);
    printf("{\"docs\":[");
    for (size_t k = 0; k < n; k++) {
        if (k)
            putchar(',');
        doc_measure(&docs[k], ms, rounds, other);
        sx_free(docs[k].text);
    }
    printf("]}\n");
    return 0;
}
