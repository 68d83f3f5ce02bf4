/*
 * cli_jsonata.c: `stepx jsonata [--input FILE] [--bindings FILE] [--time-limit MS]
 * [--depth-limit N] [--aws] EXPR` evaluates one JSONata expression and prints one JSON
 * line: {"result": v}, {"undefined": true} or {"error": {"code": ..., "message": ...}}.
 * Exit 0 in those three cases, 2 on usage errors. Without --input there is no input
 * (undefined, not null).
 *
 * `stepx jsonata --batch` reads JSON lines {"expr", "data", "undefined_input", "bindings",
 * "timelimit", "depth", "aws"} from stdin ("expr_hex" may replace "expr") and prints one result line per case (used by the
 * suite runner: one process instead of a thousand).
 *
 * Printing: numbers as JavaScript prints them, NaN/Infinity as null; function values as
 * JSON.stringify treats them (omitted in objects, null in arrays, "" at the top).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stepx/jsonata.h"

static void
print_val(sx_sbuf_t *b, const val_t *v)
{
    char num[VAL_NUM_BUF];
    if (v == NULL || v->type == VAL_FUNC) {
        sx_sbuf_adds(b, "null");
        return;
    }
    switch (v->type) {
    case VAL_NUM:
        if (!isfinite(v->u.num.d)) {
            sx_sbuf_adds(b, "null");
        } else if (v->u.num.raw != NULL) {
            val_num_print(b, v);
        } else {
            sx_sbuf_add(b, num, val_num_fmt(v->u.num.d, num));
        }
        return;
    case VAL_ARR:
        sx_sbuf_addc(b, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i)
                sx_sbuf_addc(b, ',');
            print_val(b, v->u.items[i]);
        }
        sx_sbuf_addc(b, ']');
        return;
    case VAL_OBJ: {
        bool first = true;
        sx_sbuf_addc(b, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            const val_member_t *m = val_obj_at(v, i);
            if (m->val->type == VAL_FUNC)
                continue;
            if (!first)
                sx_sbuf_addc(b, ',');
            first = false;
            val_json_quote(b, m->key->u.str, m->key->len);
            sx_sbuf_addc(b, ':');
            print_val(b, m->val);
        }
        sx_sbuf_addc(b, '}');
        return;
    }
    default:
        val_json_print(b, v);
        return;
    }
}

static void
print_outcome(sx_sbuf_t *b, int rc, const val_t *v, const jna_error_t *err)
{
    if (rc != SX_OK) {
        sx_sbuf_adds(b, "{\"error\":{\"code\":");
        val_json_quote(b, err->code, strlen(err->code));
        sx_sbuf_adds(b, ",\"message\":");
        const char *m = err->message ? err->message : "";
        val_json_quote(b, m, strlen(m));
        if (err->position >= 0)
            sx_sbuf_addf(b, ",\"position\":%d", err->position);
        if (err->token != NULL) {
            sx_sbuf_adds(b, ",\"token\":");
            val_json_quote(b, err->token, strlen(err->token));
        }
        sx_sbuf_adds(b, "}}");
    } else if (v == NULL) {
        sx_sbuf_adds(b, "{\"undefined\":true}");
    } else {
        sx_sbuf_adds(b, "{\"result\":");
        if (v->type == VAL_FUNC)
            sx_sbuf_adds(b, "\"\"");
        else
            print_val(b, v);
        sx_sbuf_addc(b, '}');
    }
    sx_sbuf_addc(b, '\n');
}

static int
run_one(sx_arena_t *a, const char *expr, size_t n, const val_t *input, const jna_opts_t *o,
        sx_sbuf_t *b)
{
    const jna_expr_t *e;
    const val_t *v = NULL;
    jna_error_t err;
    int rc = jna_compile(a, expr, n, &e, &err);
    if (rc == SX_OK)
        rc = jna_eval(e, input, o, a, &v, &err);
    print_outcome(b, rc, v, &err);
    return rc;
}

/* "expr_hex": the expression's bytes in hex (lets the runner pass WTF-8 lone surrogates). */
static const val_t *
hex_decode(sx_arena_t *a, const val_t *h)
{
    size_t n = h->len / 2;
    char *s = sx_arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(h->u.str + 2 * i, "%2x", &v);
        s[i] = (char)v;
    }
    s[n] = 0;
    return val_str_nocopy(a, s, n);
}

static int
batch(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    sx_sbuf_t out = SX_SBUF_INIT;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        sx_arena_t *a = sx_arena_new(65536);
        const val_t *c = NULL, *ex = NULL, *tl, *dp;
        jna_opts_t o = {0};
        if (val_json_parse(a, line, (size_t)n, &c, NULL) == SX_OK &&
            val_is(ex = val_obj_gets(c, "expr_hex"), VAL_STR))
            ex = hex_decode(a, ex);
        else if (c != NULL)
            ex = val_obj_gets(c, "expr");
        if (c == NULL || !val_is(ex, VAL_STR)) {
            sx_sbuf_adds(&out, "{\"error\":{\"code\":\"BATCH\",\"message\":\"bad line\"}}\n");
        } else {
            const val_t *input = val_obj_gets(c, "data");
            if (val_is(val_obj_gets(c, "undefined_input"), VAL_BOOL) &&
                val_bool_get(val_obj_gets(c, "undefined_input")))
                input = NULL;
            o.bindings = val_obj_gets(c, "bindings");
            o.aws = val_is(val_obj_gets(c, "aws"), VAL_BOOL) && val_bool_get(val_obj_gets(c, "aws"));
            if (val_is(tl = val_obj_gets(c, "timelimit"), VAL_NUM))
                o.time_limit_ms = (int)tl->u.num.d;
            if (val_is(dp = val_obj_gets(c, "depth"), VAL_NUM))
                o.depth_limit = (int)dp->u.num.d;
            run_one(a, ex->u.str, ex->len, input, &o, &out);
        }
        fwrite(out.p, 1, out.len, stdout);
        fflush(stdout);
        sx_sbuf_reset(&out);
        sx_arena_free(a);
    }
    free(line);
    sx_sbuf_fini(&out);
    return 0;
}

static int
usage(void)
{
    fprintf(stderr, "usage: stepx jsonata [--input FILE] [--bindings FILE] [--time-limit MS] "
                    "[--depth-limit N] [--aws] EXPR\n       stepx jsonata --batch < cases.jsonl\n");
    return 2;
}

int
cli_jsonata(int argc, char **argv)
{
    const char *in_path = NULL, *bind_path = NULL, *expr = NULL;
    jna_opts_t o = {0};
    const val_t *input = NULL;
    sx_sbuf_t out = SX_SBUF_INIT;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--batch") == 0)
            return batch();
        if (strcmp(a, "--aws") == 0)
            o.aws = true;
        else if (strcmp(a, "--input") == 0 && i + 1 < argc)
            in_path = argv[++i];
        else if (strcmp(a, "--bindings") == 0 && i + 1 < argc)
            bind_path = argv[++i];
        else if (strcmp(a, "--time-limit") == 0 && i + 1 < argc)
            o.time_limit_ms = atoi(argv[++i]);
        else if (strcmp(a, "--depth-limit") == 0 && i + 1 < argc)
            o.depth_limit = atoi(argv[++i]);
        else if (a[0] == '-' && a[1] == '-')
            return usage();
        else if (expr == NULL)
            expr = a;
        else
            return usage();
    }
    if (expr == NULL)
        return usage();
    sx_arena_t *a = sx_arena_new(65536);
    if ((in_path && cli_load_json("jsonata", in_path, a, &input) != SX_OK) ||
        (bind_path && cli_load_json("jsonata", bind_path, a, &o.bindings) != SX_OK)) {
        rc = 2;
        goto out;
    }
    if (o.bindings != NULL && !val_is(o.bindings, VAL_OBJ)) {
        fprintf(stderr, "stepx jsonata: --bindings must hold a JSON object\n");
        rc = 2;
        goto out;
    }
    run_one(a, expr, strlen(expr), input, &o, &out);
    fwrite(out.p, 1, out.len, stdout);
out:
    sx_sbuf_fini(&out);
    sx_arena_free(a);
    return rc;
}
