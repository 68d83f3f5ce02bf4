/*
 * test_lib.h: shared harness of the JSONata library unit tests (test_lib_*.c).
 *
 * A case calls one built-in of jna_lib_core directly, the way the evaluator would after
 * signature checking: arguments are JSON texts ("@U" = undefined), and non-array arguments
 * of 'a' parameters are wrapped into one-element arrays. The result is rendered as compact
 * JSON, with sequences unwrapped as the evaluator does ("undefined" for nothing), or as
 * "!CODE" when the function failed (the message is kept in tl_last_msg).
 */
#ifndef TEST_LIB_H
#define TEST_LIB_H

#include <stdarg.h>
#include <stdlib.h>

#include "../sx_test.h"
#include "../../../src/jsonata/jna_lib_int.h"

#define TL_MAXARGS 8

static sx_arena_t *tl_arena;
static jna_error_t tl_err;
static const char *tl_last_msg;
static int64_t tl_now_ms = 1510067557121LL; /* 2017-11-07T15:12:37.121Z */

static inline const jna_builtin_t *
tl_find(const char *name, bool aws)
{
    for (const jna_builtin_t *b = jna_lib_core; b->name != NULL; b++) {
        if (strcmp(b->name, name) != 0)
            continue;
        if ((b->flags & JNA_BI_AWS_ONLY) && !aws)
            continue;
        if ((b->flags & JNA_BI_NOT_AWS) && aws)
            continue;
        return b;
    }
    return NULL;
}

static inline const val_t *
tl_json(const char *text)
{
    const val_t *v = NULL;
    val_json_err_t e;

    if (strcmp(text, "@U") == 0)
        return NULL;
    if (strncmp(text, "@S", 2) == 0) /* raw string bytes (e.g. WTF-8 lone surrogates) */
        return val_str(tl_arena, text + 2, strlen(text + 2));
    if (val_json_parse(tl_arena, text, strlen(text), &v, &e) != SX_OK) {
        fprintf(stderr, "  bad JSON in test: %s (%s)\n", text, e.msg);
        abort();
    }
    return v;
}

/* Returns the letter class of each top-level parameter of a signature ("a", "n", ...). */
static inline int
tl_sig_params(const char *sig, char *letters, char *mods, int max)
{
    int n = 0;
    const char *p = sig + 1;

    while (*p && *p != ':' && *p != '>' && n < max) {
        char l = *p;
        if (l == '(') {
            while (*p && *p != ')')
                p++;
        } else if (p[1] == '<') {
            int depth = 0;
            p++;
            do {
                depth += *p == '<' ? 1 : *p == '>' ? -1 : 0;
                p++;
            } while (*p && depth > 0);
            p--;
        }
        p++;
        mods[n] = (*p == '?' || *p == '+' || *p == '-') ? *p++ : ' ';
        letters[n++] = l;
    }
    return n;
}

static const val_t *tl_last_val; /* result of the last successful call */

static inline const val_t *
tl_unwrap(const val_t *v)
{
    if (v != NULL && val_is(v, VAL_ARR) && (v->flags & VAL_F_SEQ)) {
        if (val_len(v) == 0)
            v = NULL;
        else if (val_len(v) == 1)
            v = val_arr_at(v, 0);
    }
    return v;
}

static inline const char *
tl_render(const val_t *v)
{
    v = tl_unwrap(v);
    tl_last_val = v;
    if (v == NULL)
        return "undefined";
    return val_json_str(tl_arena, v, NULL);
}

/* Calls builtin `name` with JSON-text arguments (NULL-terminated list). */
static inline const char *
tl_vcall(bool aws, const char *name, va_list ap)
{
    const val_t *argv[TL_MAXARGS], *out = NULL;
    char letters[TL_MAXARGS], mods[TL_MAXARGS];
    const jna_builtin_t *b = tl_find(name, aws);
    jna_fctx_t c;
    size_t argc = 0;
    int np;
    const char *t;

    if (tl_arena == NULL)
        tl_arena = sx_arena_new(0);
    if (b == NULL)
        return "!nofn";
    np = tl_sig_params(b->signature, letters, mods, TL_MAXARGS);
    while ((t = va_arg(ap, const char *)) != NULL && argc < TL_MAXARGS) {
        const val_t *v = tl_json(t);
        int pi = (int)argc < np ? (int)argc : np - 1;
        if (pi >= 0 && letters[pi] == 'a' && v != NULL && !val_is(v, VAL_ARR)) {
            const val_t *one[1] = {v};
            v = val_arr(tl_arena, one, 1, 0);
        }
        argv[argc++] = v;
    }
    memset(&c, 0, sizeof(c));
    memset(&tl_err, 0, sizeof(tl_err));
    c.arena = tl_arena;
    c.err = &tl_err;
    c.now_ms = tl_now_ms;
    c.aws = aws;
    if (b->fn(&c, argv, argc, &out) != SX_OK) {
        tl_last_msg = tl_err.message;
        return sx_arena_printf(tl_arena, NULL, "!%s", tl_err.code);
    }
    return tl_render(out);
}

static inline const char *
tl_call(const char *name, ...)
{
    va_list ap;
    const char *r;

    va_start(ap, name);
    r = tl_vcall(false, name, ap);
    va_end(ap);
    return r;
}

static inline const char *
tl_call_aws(const char *name, ...)
{
    va_list ap;
    const char *r;

    va_start(ap, name);
    r = tl_vcall(true, name, ap);
    va_end(ap);
    return r;
}

/* CALLN(want, "fn", args...): one case. */
#define CALLN(want, ...) CHECK_STR(tl_call(__VA_ARGS__, (const char *)NULL), want)
#define CALLA(want, ...) CHECK_STR(tl_call_aws(__VA_ARGS__, (const char *)NULL), want)

/* A table case: function, up to 4 JSON args, expected rendering. */
typedef struct tl_case {
    const char *fn;
    const char *args[4];
    const char *want;
} tl_case_t;

static inline int
tl_run_cases(const tl_case_t *cases, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const tl_case_t *k = &cases[i];
        const char *a[4] = {NULL, NULL, NULL, NULL};
        int na = 0;
        while (na < 4 && k->args[na] != NULL) {
            a[na] = k->args[na];
            na++;
        }
        const char *got = tl_call(k->fn, a[0], a[1], a[2], a[3], (const char *)NULL);
        if (strcmp(got, k->want) != 0) {
            fprintf(stderr, "  case %zu $%s(%s%s%s%s%s%s%s): got %s, want %s\n", i, k->fn,
                    a[0] ? a[0] : "", a[1] ? ", " : "", a[1] ? a[1] : "", a[2] ? ", " : "",
                    a[2] ? a[2] : "", a[3] ? ", " : "", a[3] ? a[3] : "", got, k->want);
            bad++;
        }
    }
    return bad;
}

#define RUN_CASES(arr) CHECK_INT(tl_run_cases(arr, SX_ARRAY_LEN(arr)), 0)

/* A case ported from the JSONata suite: the expectation is a JSON value compared by deep
 * equality, "undefined", or "!CODE". */
typedef struct tl_scase {
    const char *id;
    const char *fn;
    const char *args[4];
    const char *want;
} tl_scase_t;

/* Runs the suite cases whose id starts with `prefix`; returns the number that failed and
 * counts the cases run in *ran. */
static inline int
tl_run_suite(const tl_scase_t *cases, size_t n, const char *prefix, int *ran)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const tl_scase_t *k = &cases[i];
        if (strncmp(k->id, prefix, strlen(prefix)) != 0)
            continue;
        (*ran)++;
        const char *got = tl_call(k->fn, k->args[0], k->args[1], k->args[2], k->args[3],
                                  (const char *)NULL);
        bool ok;
        if (k->want[0] == '!' || strcmp(k->want, "undefined") == 0 || got[0] == '!' ||
            strcmp(got, "undefined") == 0)
            ok = strcmp(got, k->want) == 0;
        else
            ok = val_equal(tl_last_val, tl_json(k->want));
        if (!ok) {
            fprintf(stderr, "  %s: got %s, want %s%s%s\n", k->id, got, k->want,
                    got[0] == '!' ? " -- " : "", got[0] == '!' ? tl_last_msg : "");
            bad++;
        }
    }
    return bad;
}

#endif
