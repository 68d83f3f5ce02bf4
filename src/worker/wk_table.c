/*
 * wk_table.c: the machine table every worker reads: compiled machines by name, immutable
 * and refcounted.
 *
 * Design: a table is built once by the control thread (wk_table_build) and never modified.
 * Workers each hold one reference to their current table (their snapshot) and look names up
 * in an open-addressing hash (linear probing, power-of-two size, at most half full) built
 * with the table. A reload builds a new table; an entry whose definition and metadata digest
 * match prev's entry of the same name takes another reference to prev's compiled machine
 * instead of compiling again, so an unchanged machine is compiled once per process.
 * Executions hold their own machine reference (ex_exec_new), so dropping a table never
 * pulls a machine from under a running execution.
 *
 * Invariant: slots[i] is 0 (empty) or 1 + the index of an entry in v[].
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wk_int.h"

struct wk_table {
    atomic_int refs; /* references (workers' snapshots, the control thread) */
    uint64_t gen;    /* build number in this process */
    wk_machine_t *v; /* entries, sorted by name */
    size_t n;        /* entries */
    uint32_t *slots; /* hash slots: 0 = empty, else 1 + index into v */
    size_t nslots;   /* power of two, >= 2n */
};

static atomic_uint_fast64_t table_gen;

uint64_t
wk_hash(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    if (h == 0)
        h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* ---- entries ---- */

static void
entry_fini(wk_machine_t *e)
{
    sx_free(e->name);
    sx_free(e->tenant);
    sx_free(e->origin);
    if (e->m != NULL)
        asl_machine_unref(e->m);
    memset(e, 0, sizeof(*e));
}

static void
entry_copy(wk_machine_t *dst, const wk_machine_t *src)
{
    *dst = *src;
    dst->name = sx_strdup(src->name);
    dst->tenant = src->tenant ? sx_strdup(src->tenant) : NULL;
    dst->origin = sx_strdup(src->origin);
    dst->m = asl_machine_ref(src->m);
}

static void
logf_(wk_log_fn log, int level, const char *fmt, const char *a, const char *b)
{
    char msg[1024];
    if (log == NULL)
        return;
    snprintf(msg, sizeof(msg), fmt, a, b);
    log(level, msg);
}

/* True when s (n bytes) ends in ":DDDD-DD-DD" (reserved for usage day buckets). */
static bool
tenant_like_day(const char *s, size_t n)
{
    static const char pat[] = ":0000-00-00";
    if (n < sizeof(pat) - 1)
        return false;
    s += n - (sizeof(pat) - 1);
    for (size_t i = 0; i < sizeof(pat) - 1; i++)
        if (pat[i] == '0' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
            return false;
    return true;
}

/* Applies metadata JSON {type, tenant, loggingConfiguration, revision} to e. Returns SX_OK
 * or SX_ERR with a reason in why. */
static int
meta_apply(wk_machine_t *e, const char *meta, size_t len, char *why, size_t whylen)
{
    sx_arena_t *a = sx_arena_new(len + 256);
    const val_t *v, *f;
    val_json_err_t jerr;
    log_config_err_t lerr;
    asl_type_t type;
    int rc = SX_ERR;
    if (val_json_parse(a, meta, len, &v, &jerr) != SX_OK || !val_is(v, VAL_OBJ)) {
        snprintf(why, whylen, "metadata is not a JSON object");
        goto out;
    }
    if ((f = val_obj_gets(v, "type")) != NULL) {
        if (!val_is(f, VAL_STR) || asl_type_parse(val_str_get(f), &type) != SX_OK) {
            snprintf(why, whylen, "metadata type must be \"EXPRESS\" or \"STANDARD\"");
            goto out;
        }
        e->type = type;
    }
    if ((f = val_obj_gets(v, "tenant")) != NULL) {
        /* the tenant events without one are billed to: the event field's rules */
        if (!val_is(f, VAL_STR) || val_len(f) == 0 || val_len(f) > RS_TENANT_MAX ||
            tenant_like_day(val_str_get(f), val_len(f))) {
            snprintf(why, whylen,
                     "metadata tenant must be a string of 1..%d bytes not ending in "
                     "':YYYY-MM-DD'",
                     RS_TENANT_MAX);
            goto out;
        }
        e->tenant = sx_strdup(val_str_get(f));
    }
    if ((f = val_obj_gets(v, "revision")) != NULL && val_is(f, VAL_NUM))
        e->revision = (int64_t)val_num_get(f);
    if ((f = val_obj_gets(v, "loggingConfiguration")) != NULL) {
        if (log_config_parse(&e->log, f, &lerr) != SX_OK) {
            snprintf(why, whylen, "loggingConfiguration: %.64s: %.300s", lerr.name, lerr.msg);
            goto out;
        }
        e->logging = e->log.level != LOG_LEVEL_OFF;
    }
    rc = SX_OK;
out:
    sx_arena_free(a);
    return rc;
}

/* Compiles src into e. Returns SX_OK, or SX_ERR with the reason logged. */
static int
entry_compile(wk_machine_t *e, const wk_src_t *src, uint64_t digest, wk_log_fn log)
{
    char why[512];
    char *cwhy = NULL;
    memset(e, 0, sizeof(*e));
    e->type = ASL_TYPE_EXPRESS;
    log_config_init(&e->log);
    e->name = sx_strdup(src->name);
    e->origin = sx_strdup(src->origin ? src->origin : "?");
    e->digest = digest;
    if (src->meta != NULL && meta_apply(e, src->meta, src->meta_len, why, sizeof(why)) != SX_OK) {
        logf_(log, RS_LOG_ERROR, "machine %s: %s", src->name, why);
        goto fail;
    }
    if (asl_machine_compile_text(src->def, src->def_len, e->type, &e->m, &cwhy) != SX_OK) {
        logf_(log, RS_LOG_ERROR, "machine %s: definition rejected: %s", src->name,
              cwhy ? cwhy : "?");
        sx_free(cwhy);
        goto fail;
    }
    return SX_OK;
fail:
    entry_fini(e);
    return SX_ERR;
}

/* ---- tables ---- */

static int
entry_cmp(const void *a, const void *b)
{
    return strcmp(((const wk_machine_t *)a)->name, ((const wk_machine_t *)b)->name);
}

static size_t
slot_of(const wk_table_t *t, const char *name, size_t len)
{
    return (size_t)wk_hash(name, len, 0) & (t->nslots - 1);
}

static void
index_build(wk_table_t *t)
{
    t->nslots = 8;
    while (t->nslots < 2 * t->n)
        t->nslots *= 2;
    t->slots = sx_calloc(t->nslots, sizeof(*t->slots));
    for (size_t i = 0; i < t->n; i++) {
        size_t s = slot_of(t, t->v[i].name, strlen(t->v[i].name));
        while (t->slots[s] != 0)
            s = (s + 1) & (t->nslots - 1);
        t->slots[s] = (uint32_t)(i + 1);
    }
}

static const wk_machine_t *
find_exact(const wk_table_t *t, const char *name, size_t len)
{
    size_t s = slot_of(t, name, len);
    while (t->slots[s] != 0) {
        const wk_machine_t *e = &t->v[t->slots[s] - 1];
        if (strncmp(e->name, name, len) == 0 && e->name[len] == '\0')
            return e;
        s = (s + 1) & (t->nslots - 1);
    }
    return NULL;
}

const wk_machine_t *
wk_table_find(const wk_table_t *t, const char *name, size_t len)
{
    static const char arn_mark[] = ":stateMachine:";
    const wk_machine_t *e;
    if (t == NULL)
        return NULL;
    if ((e = find_exact(t, name, len)) != NULL)
        return e;
    /* an ARN: arn:aws:states:REGION:ACCOUNT:stateMachine:NAME */
    const char *p = memmem(name, len, arn_mark, sizeof(arn_mark) - 1);
    if (p == NULL)
        return NULL;
    p += sizeof(arn_mark) - 1;
    return find_exact(t, p, len - (size_t)(p - name));
}

static uint64_t
src_digest(const wk_src_t *s)
{
    uint64_t h = wk_hash(s->def, s->def_len, 0);
    h = wk_hash("\0", 1, h);
    return s->meta ? wk_hash(s->meta, s->meta_len, h) : h;
}

wk_table_t *
wk_table_build(const wk_table_t *prev, const wk_src_t *srcs, size_t n, wk_log_fn log,
               size_t *errors)
{
    wk_table_t *t = sx_calloc(1, sizeof(*t));
    size_t nerr = 0;
    atomic_init(&t->refs, 1);
    t->gen = atomic_fetch_add(&table_gen, 1) + 1;
    t->v = sx_calloc(n ? n : 1, sizeof(*t->v));
    for (size_t i = 0; i < n; i++) {
        uint64_t d = src_digest(&srcs[i]);
        size_t nl = strlen(srcs[i].name);
        const wk_machine_t *old = prev ? find_exact(prev, srcs[i].name, nl) : NULL;
        if (old != NULL && old->digest == d) {
            entry_copy(&t->v[t->n++], old);
            continue;
        }
        if (entry_compile(&t->v[t->n], &srcs[i], d, log) == SX_OK) {
            t->n++;
            continue;
        }
        nerr++;
        if (old != NULL) { /* keep the version that worked */
            logf_(log, RS_LOG_WARN, "machine %s: keeping the previous definition (%s)",
                  srcs[i].name, old->origin);
            entry_copy(&t->v[t->n++], old);
        }
    }
    qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
    index_build(t);
    if (errors != NULL)
        *errors = nerr;
    return t;
}

wk_table_t *
wk_table_ref(wk_table_t *t)
{
    if (t != NULL)
        atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
    return t;
}

void
wk_table_unref(wk_table_t *t)
{
    if (t == NULL || atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (size_t i = 0; i < t->n; i++)
        entry_fini(&t->v[i]);
    sx_free(t->v);
    sx_free(t->slots);
    sx_free(t);
}

size_t
wk_table_count(const wk_table_t *t)
{
    return t ? t->n : 0;
}

const wk_machine_t *
wk_table_at(const wk_table_t *t, size_t i)
{
    return t && i < t->n ? &t->v[i] : NULL;
}

uint64_t
wk_table_gen(const wk_table_t *t)
{
    return t ? t->gen : 0;
}
