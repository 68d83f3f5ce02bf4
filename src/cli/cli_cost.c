/*
 * cli_cost.c: `stepx cost DEF.json --rate N/s --duration-ms D [--memory-mb M]
 *             [--input FILE] [--type EXPRESS|STANDARD] [--pricing FILE] [--json]`
 *
 * Estimates a 30-day month of N executions per second (or /m, /h, /d), each lasting D ms,
 * under Express (requests + GB-s tiers) and Standard (state transitions) prices, names the
 * cheaper one and prints cost lints. Transitions per execution come from one run of the
 * definition on --input (virtual clock, Tasks echo their input; bill_profile_run), or from a
 * static walk when the run fails or does not finish within 10 s: the output says which.
 * Memory is --memory-mb rounded to 64 MB chunks, or AWS's estimate (50 MB + definition + input
 * size x Parallel/Map steps). Exit 0, or 2 for usage errors and invalid definitions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stepx/bill.h"
#include "stepx/exec.h"

#define RUN_TIMEOUT_MS 10000

typedef struct cost_args {
    const char *def, *rate, *duration, *memory, *input, *type, *pricing;
    int json;
} cost_args_t;

typedef struct cost_ctx {
    cost_args_t a;
    int64_t executions;   /* per month */
    double rate_per_s;    /* parsed --rate */
    int64_t duration_ms;  /* --duration-ms */
    int64_t mem_bytes;    /* AWS estimate, or 0 with --memory-mb */
    size_t input_len;     /* compact JSON bytes of the input */
    size_t def_len;       /* definition bytes */
    const char *why_static; /* reason the static estimate was used, or NULL */
    bill_profile_t prof;
    bill_estimate_t est;
    bill_lints_t lints;
} cost_ctx_t;

static int
usage(void)
{
    fprintf(stderr, "usage: stepx cost DEF.json --rate N/s --duration-ms D [--memory-mb M]\n"
                    "         [--input FILE] [--type EXPRESS|STANDARD] [--pricing FILE] "
                    "[--json]\n");
    return 2;
}

static int
parse_args(int argc, char **argv, cost_args_t *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        if (strcmp(o, "--json") == 0) {
            a->json = 1;
            continue;
        }
        if (strcmp(o, "--rate") == 0)
            slot = &a->rate;
        else if (strcmp(o, "--duration-ms") == 0)
            slot = &a->duration;
        else if (strcmp(o, "--memory-mb") == 0)
            slot = &a->memory;
        else if (strcmp(o, "--input") == 0)
            slot = &a->input;
        else if (strcmp(o, "--type") == 0)
            slot = &a->type;
        else if (strcmp(o, "--pricing") == 0)
            slot = &a->pricing;
        if (slot != NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "stepx cost: %s needs a value\n", o);
                return SX_ERR;
            }
            *slot = argv[++i];
            continue;
        }
        if ((o[0] == '-' && o[1] != '\0') || a->def != NULL) {
            fprintf(stderr, "stepx cost: unexpected argument '%s'\n", o);
            return SX_ERR;
        }
        a->def = o;
    }
    if (a->def == NULL || a->rate == NULL || a->duration == NULL) {
        fprintf(stderr, "stepx cost: DEF.json, --rate and --duration-ms are required\n");
        return SX_ERR;
    }
    return SX_OK;
}

/* "10/s", "0.5", "600/m", "36000/h", "1e6/d" -> executions per 30-day month. */
static int
rate_parse(cost_ctx_t *c)
{
    char *end;
    double v = strtod(c->a.rate, &end), per = 1;
    if (end == c->a.rate || !isfinite(v) || v < 0)
        return SX_ERR;
    if (strcmp(end, "/m") == 0 || strcmp(end, "/min") == 0)
        per = 60;
    else if (strcmp(end, "/h") == 0)
        per = 3600;
    else if (strcmp(end, "/d") == 0)
        per = 86400;
    else if (*end != '\0' && strcmp(end, "/s") != 0)
        return SX_ERR;
    c->rate_per_s = v / per;
    double month = v * (double)BILL_MONTH_S / per;
    if (month >= 9e18)
        return SX_ERR;
    c->executions = llround(month);
    return SX_OK;
}

static int
int_arg(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || v < 0)
        return SX_ERR;
    *out = v;
    return SX_OK;
}

/* Profiles one execution: measured when the run succeeds, static otherwise. */
static void
profile(cost_ctx_t *c, asl_machine_t *m, const val_t *input)
{
    int rc = bill_profile_run(m, input, RUN_TIMEOUT_MS, &c->prof);
    if (rc == SX_OK && strcmp(c->prof.run_status, "SUCCEEDED") == 0)
        return;
    if (rc == SX_AGAIN)
        c->why_static = "the run did not finish within 10 s (an endless loop?)";
    else if (rc != SX_OK)
        c->why_static = "the definition could not be run";
    else
        c->why_static = "the run did not succeed";
    bill_profile_t run = c->prof;
    bill_profile_static(m, &c->prof);
    c->prof.run_error = run.run_error; /* keep the run's outcome for the report */
    run.run_error = NULL;
    memcpy(c->prof.run_status, run.run_status, sizeof(run.run_status));
    bill_profile_fini(&run);
}

static const char *
cheaper(const bill_estimate_t *e)
{
    if (e->express.total_nusd < e->std_nusd)
        return "EXPRESS";
    return e->express.total_nusd > e->std_nusd ? "STANDARD" : "EQUAL";
}

static void
print_text(const cost_ctx_t *c, sx_sbuf_t *b)
{
    char u1[40], u2[40], u3[40];
    const bill_estimate_t *e = &c->est;
    sx_sbuf_addf(b, "stepx cost %s\n", c->a.def);
    sx_sbuf_addf(b, "  workload     %s = %lld executions per 30-day month, %lld ms each\n",
                 c->a.rate, (long long)e->executions, (long long)c->duration_ms);
    if (c->why_static == NULL)
        sx_sbuf_addf(b, "  transitions  %llu per execution, measured: one run on %s (virtual "
                        "clock, Tasks echo their input)\n",
                     (unsigned long long)c->prof.transitions, c->a.input ? c->a.input : "{}");
    else
        sx_sbuf_addf(b, "  transitions  %llu per execution, static estimate (%s; loops "
                        "counted once, Maps for one item)\n",
                     (unsigned long long)c->prof.transitions, c->why_static);
    if (c->prof.run_error != NULL)
        sx_sbuf_addf(b, "               the run ended %s: %s\n", c->prof.run_status,
                     c->prof.run_error);
    if (c->mem_bytes > 0)
        sx_sbuf_addf(b, "  billed       %lld ms x %lld MB (AWS memory estimate: 50 MB + %zu B "
                        "definition + %zu B input x %llu Parallel/Map steps = %lld.%03lld MB)\n",
                     (long long)e->billed_ms, (long long)e->billed_mb, c->def_len, c->input_len,
                     (unsigned long long)c->prof.steps, (long long)(c->mem_bytes / 1000000),
                     (long long)(c->mem_bytes % 1000000 / 1000));
    else
        sx_sbuf_addf(b, "  billed       %lld ms x %lld MB (--memory-mb %s)\n",
                     (long long)e->billed_ms, (long long)e->billed_mb, c->a.memory);
    sx_sbuf_addf(b, "  Express      requests $%s + duration $%s (%lld GB-s) = $%s a month\n",
                 bill_money_fmt(e->express.requests_nusd, 2, u1, sizeof(u1)),
                 bill_money_fmt(e->express.duration_nusd, 2, u2, sizeof(u2)),
                 (long long)bill_muldiv(e->mbms, 1, BILL_MBMS_PER_GBS),
                 bill_money_fmt(e->express.total_nusd, 2, u3, sizeof(u3)));
    sx_sbuf_addf(b, "  Standard     %lld transitions, %lld billable after the free ones = $%s "
                    "a month\n",
                 (long long)e->transitions, (long long)e->std_billable,
                 bill_money_fmt(e->std_nusd, 2, u1, sizeof(u1)));
    if (strcmp(cheaper(e), "EQUAL") == 0) {
        sx_sbuf_adds(b, "  cheaper      neither (same cost)\n");
    } else {
        int64_t hi = e->express.total_nusd > e->std_nusd ? e->express.total_nusd : e->std_nusd;
        int64_t lo = e->express.total_nusd > e->std_nusd ? e->std_nusd : e->express.total_nusd;
        sx_sbuf_addf(b, "  cheaper      %s, by $%s a month\n",
                     strcmp(cheaper(e), "EXPRESS") == 0 ? "Express" : "Standard",
                     bill_money_fmt(hi - lo, 2, u1, sizeof(u1)));
    }
    sx_sbuf_addf(b, "  lints        %zu\n", c->lints.n);
    for (size_t i = 0; i < c->lints.n; i++)
        sx_sbuf_addf(b, "    [%s] %s\n", c->lints.v[i].code, c->lints.v[i].msg);
}

static void
json_str(sx_sbuf_t *b, const char *key, const char *s)
{
    sx_sbuf_addf(b, ",\"%s\":", key);
    if (s == NULL)
        sx_sbuf_adds(b, "null");
    else
        val_json_quote(b, s, strlen(s));
}

static void
json_usd(sx_sbuf_t *b, const char *key, int64_t nusd)
{
    sx_sbuf_addf(b, ",\"%s\":", key);
    bill_money_json(b, nusd);
}

static void
print_json(const cost_ctx_t *c, sx_sbuf_t *b)
{
    const bill_estimate_t *e = &c->est;
    sx_sbuf_adds(b, "{\"definition\":");
    val_json_quote(b, c->a.def, strlen(c->a.def));
    sx_sbuf_addf(b, ",\"executions_per_month\":%lld,\"duration_ms\":%lld,\"billed_ms\":%lld,"
                    "\"billed_mb\":%lld,\"memory_estimate_bytes\":",
                 (long long)e->executions, (long long)c->duration_ms, (long long)e->billed_ms,
                 (long long)e->billed_mb);
    if (c->mem_bytes > 0)
        sx_sbuf_addf(b, "%lld", (long long)c->mem_bytes);
    else
        sx_sbuf_adds(b, "null");
    sx_sbuf_addf(b, ",\"transitions_per_execution\":%llu,\"steps_per_execution\":%llu",
                 (unsigned long long)c->prof.transitions, (unsigned long long)c->prof.steps);
    json_str(b, "basis", c->why_static ? "static" : "measured");
    json_str(b, "static_reason", c->why_static);
    json_str(b, "run_status", c->prof.run_status[0] ? c->prof.run_status : NULL);
    json_str(b, "run_error", c->prof.run_error);
    sx_sbuf_addf(b, ",\"express\":{\"gb_s\":%lld", (long long)bill_muldiv(e->mbms, 1,
                                                                          BILL_MBMS_PER_GBS));
    json_usd(b, "requests_usd", e->express.requests_nusd);
    json_usd(b, "duration_usd", e->express.duration_nusd);
    json_usd(b, "total_usd", e->express.total_nusd);
    sx_sbuf_addf(b, "},\"standard\":{\"transitions\":%lld,\"billable\":%lld",
                 (long long)e->transitions, (long long)e->std_billable);
    json_usd(b, "total_usd", e->std_nusd);
    sx_sbuf_adds(b, "}");
    json_str(b, "cheaper", cheaper(e));
    sx_sbuf_adds(b, ",\"lints\":[");
    for (size_t i = 0; i < c->lints.n; i++) {
        sx_sbuf_adds(b, i ? ",{\"code\":" : "{\"code\":");
        val_json_quote(b, c->lints.v[i].code, strlen(c->lints.v[i].code));
        json_str(b, "state", c->lints.v[i].state);
        json_str(b, "message", c->lints.v[i].msg);
        sx_sbuf_addc(b, '}');
    }
    sx_sbuf_adds(b, "]}\n");
}

/* Parses the numeric arguments and the price list. */
static int
setup(cost_ctx_t *c, bill_pricing_t *price)
{
    cfg_err_t cerr;
    int64_t mb = 0;
    if (rate_parse(c) != SX_OK) {
        fprintf(stderr, "stepx cost: --rate wants N/s (or /m, /h, /d), not '%s'\n", c->a.rate);
        return SX_ERR;
    }
    if (int_arg(c->a.duration, &c->duration_ms) != SX_OK) {
        fprintf(stderr, "stepx cost: --duration-ms wants milliseconds\n");
        return SX_ERR;
    }
    if (c->a.memory != NULL && (int_arg(c->a.memory, &mb) != SX_OK || mb == 0)) {
        fprintf(stderr, "stepx cost: --memory-mb wants a positive number of MB\n");
        return SX_ERR;
    }
    if (bill_pricing_load(price, c->a.pricing, &cerr) != SX_OK) {
        fprintf(stderr, "stepx cost: %s\n", cerr.msg);
        return SX_ERR;
    }
    return SX_OK;
}

int
cli_cost(int argc, char **argv)
{
    cost_ctx_t c;
    bill_pricing_t price;
    asl_type_t type = ASL_TYPE_EXPRESS;
    asl_machine_t *m = NULL;
    sx_arena_t *arena = NULL;
    char *text = NULL, *why = NULL;
    const val_t *input;
    int rc = 2;
    memset(&c, 0, sizeof(c));
    if (parse_args(argc, argv, &c.a) != SX_OK)
        return usage();
    if (setup(&c, &price) != SX_OK)
        return 2;
    if (c.a.type != NULL && asl_type_parse(c.a.type, &type) != SX_OK) {
        fprintf(stderr, "stepx cost: --type must be EXPRESS or STANDARD\n");
        return 2;
    }
    if (sx_read_file(c.a.def, &text, &c.def_len) != SX_OK) {
        fprintf(stderr, "stepx cost: cannot read definition '%s'\n", c.a.def);
        return 2;
    }
    /* validated as Express by default: what Express cannot run is an error to know about */
    if (asl_machine_compile_text(text, c.def_len, type, &m, &why) != SX_OK) {
        fprintf(stderr, "%s", why ? why : "invalid definition\n");
        goto out;
    }
    c.def_len = m->def_len; /* compact JSON: what the estimate counts */
    arena = sx_arena_new(0);
    if (cli_load_json("cost", c.a.input, arena, &input) != SX_OK)
        goto out;
    c.input_len = val_json_len(input);
    profile(&c, m, input);
    int64_t mb;
    if (c.a.memory != NULL) {
        mb = bill_memory_billed_from_mb(strtoll(c.a.memory, NULL, 10));
    } else {
        c.mem_bytes = bill_memory_estimate_bytes(m->def_len, c.input_len, c.prof.steps);
        mb = bill_memory_billed_mb(c.mem_bytes);
    }
    if (bill_estimate_month(&price, c.executions, bill_duration_billed_ms(c.duration_ms), mb,
                            c.prof.transitions, &c.est) != SX_OK) {
        fprintf(stderr, "stepx cost: the month's amounts overflow 64-bit nano-dollars\n");
        goto out;
    }
    bill_lints_find(m, &c.prof, &c.est, &price, c.duration_ms, &c.lints);
    sx_sbuf_t b = SX_SBUF_INIT;
    if (c.a.json)
        print_json(&c, &b);
    else
        print_text(&c, &b);
    fwrite(b.p, 1, b.len, stdout);
    sx_sbuf_fini(&b);
    rc = 0;
out:
    bill_lints_fini(&c.lints);
    bill_profile_fini(&c.prof);
    sx_free(text);
    sx_free(why);
    asl_machine_unref(m);
    sx_arena_free(arena);
    return rc;
}
