/*
 * bill_usage.c: usage counters read back from Redis and priced per tenant and month.
 *
 * stepxd's commit script HINCRBYs "<machine>|<metric>" fields into one all-time hash per
 * tenant, "{tag}:usage:<tenant>", and into one bucket per tenant and UTC day,
 * "{tag}:usage:<tenant>:<YYYY-MM-DD>" (docs/metering.md). Reading is plain synchronous
 * hiredis: SCAN MATCH for the keys (the tenant, glob-escaped, narrows the pattern), then
 * pipelined HGETALLs. Every field becomes a row (tenant, month, machine) with summed
 * counters; rows of the days of one month merge in bill_usage_done (sort, then fold
 * neighbours).
 *
 * A key is a day bucket when it ends in ":YYYY-MM-DD" with a real date; a tenant whose own
 * name ends that way would be ambiguous, which is why stepxd should refuse such tenants.
 *
 * Pricing: the Express tiers restart every calendar month and apply per tenant (a tenant is
 * billed as if it were one account). A row's cost is its requests plus its share of the
 * (tenant, month) duration cost in proportion to its MB·ms, so machine costs add up to the
 * tenant's within a few nano-dollars of share rounding.
 */
#include <ctype.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stepx/bill.h"

const char *const bill_status_names[BILL_NSTATUS] = {"SUCCEEDED", "FAILED", "TIMED_OUT",
                                                     "ABORTED"};

void
bill_usage_init(bill_usage_t *u)
{
    memset(u, 0, sizeof(*u));
}

void
bill_usage_fini(bill_usage_t *u)
{
    for (size_t i = 0; i < u->n; i++) {
        sx_free(u->rows[i].tenant);
        sx_free(u->rows[i].machine);
    }
    sx_free(u->rows);
    memset(u, 0, sizeof(*u));
}

/* ---- rows ---- */

static int
int_parse(const char *s, size_t n, int64_t *out)
{
    char buf[32], *end;
    if (n == 0 || n >= sizeof(buf))
        return SX_ERR;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno != 0 || *end != '\0' || isspace((unsigned char)buf[0]))
        return SX_ERR;
    *out = v;
    return SX_OK;
}

/* The counter a metric name designates, or NULL. */
static int64_t *
metric_slot(bill_counts_t *c, const char *m, size_t n)
{
    static const struct {
        const char *name;
        size_t off;
    } metrics[] = {
        {"requests", offsetof(bill_counts_t, requests)},
        {"billed_ms", offsetof(bill_counts_t, billed_ms)},
        {"billed_mb_ms", offsetof(bill_counts_t, billed_mb_ms)},
        {"transitions", offsetof(bill_counts_t, transitions)},
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(metrics); i++)
        if (strlen(metrics[i].name) == n && memcmp(metrics[i].name, m, n) == 0)
            return (int64_t *)((char *)c + metrics[i].off);
    for (int i = 0; i < BILL_NSTATUS; i++)
        if (strlen(bill_status_names[i]) == n && memcmp(bill_status_names[i], m, n) == 0)
            return &c->status[i];
    return NULL;
}

static bill_row_t *
row_get(bill_usage_t *u, const char *tenant, const char *month, const char *machine, size_t mlen)
{
    /* fields of one hash arrive together: look at the most recent rows first */
    for (size_t i = u->n, seen = 0; i > 0 && seen < 64; i--, seen++) {
        bill_row_t *r = &u->rows[i - 1];
        if (strncmp(r->machine, machine, mlen) == 0 && r->machine[mlen] == '\0' &&
            strcmp(r->month, month) == 0 && strcmp(r->tenant, tenant) == 0)
            return r;
    }
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 16;
        u->rows = sx_realloc(u->rows, u->cap * sizeof(*u->rows));
    }
    bill_row_t *r = &u->rows[u->n++];
    memset(r, 0, sizeof(*r));
    r->tenant = sx_strdup(tenant);
    r->machine = sx_strndup(machine, mlen);
    snprintf(r->month, sizeof(r->month), "%.7s", month);
    return r;
}

int
bill_usage_add(bill_usage_t *u, const char *tenant, const char *month, const char *field,
               size_t flen, const char *value, size_t vlen)
{
    bill_counts_t probe;
    const char *bar = NULL;
    int64_t v;
    for (size_t i = flen; i > 0; i--)
        if (field[i - 1] == '|') {
            bar = field + i - 1;
            break;
        }
    if (bar == NULL || bar == field ||
        metric_slot(&probe, bar + 1, (size_t)(field + flen - bar - 1)) == NULL) {
        u->skipped++;
        return SX_DECLINED;
    }
    if (int_parse(value, vlen, &v) != SX_OK)
        return SX_ERR;
    bill_row_t *r = row_get(u, tenant, month, field, (size_t)(bar - field));
    int64_t *slot = metric_slot(&r->c, bar + 1, (size_t)(field + flen - bar - 1));
    *slot += v;
    return SX_OK;
}

static int
row_cmp(const void *a, const void *b)
{
    const bill_row_t *x = a, *y = b;
    int c = strcmp(x->tenant, y->tenant);
    if (c == 0)
        c = strcmp(x->month, y->month);
    if (c == 0)
        c = strcmp(x->machine, y->machine);
    return c;
}

static void
counts_add(bill_counts_t *dst, const bill_counts_t *src)
{
    dst->requests += src->requests;
    dst->billed_ms += src->billed_ms;
    dst->billed_mb_ms += src->billed_mb_ms;
    dst->transitions += src->transitions;
    for (int i = 0; i < BILL_NSTATUS; i++)
        dst->status[i] += src->status[i];
}

void
bill_usage_done(bill_usage_t *u)
{
    size_t w = 0;
    if (u->n == 0)
        return;
    qsort(u->rows, u->n, sizeof(*u->rows), row_cmp);
    for (size_t i = 1; i < u->n; i++) {
        if (row_cmp(&u->rows[w], &u->rows[i]) == 0) {
            counts_add(&u->rows[w].c, &u->rows[i].c);
            sx_free(u->rows[i].tenant);
            sx_free(u->rows[i].machine);
        } else {
            u->rows[++w] = u->rows[i];
        }
    }
    u->n = w + 1;
}

/* ---- keys and dates ---- */

bool
bill_day_valid(const char *s, size_t len)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int y = atoi(s), m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1)
        return false;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

int
bill_usage_key_parse(const char *key, size_t len, const char *tag, const char **tenant,
                     size_t *tlen, char day[11])
{
    size_t tl = strlen(tag), pl = tl + 2 + 7; /* "{" tag "}" ":usage:" */
    if (len <= pl || key[0] != '{' || memcmp(key + 1, tag, tl) != 0 || key[tl + 1] != '}' ||
        memcmp(key + tl + 2, ":usage:", 7) != 0)
        return SX_DECLINED;
    const char *t = key + pl;
    size_t n = len - pl;
    day[0] = '\0';
    if (n > 11 && t[n - 11] == ':' && bill_day_valid(t + n - 10, 10)) {
        memcpy(day, t + n - 10, 10);
        day[10] = '\0';
        n -= 11;
    }
    *tenant = t;
    *tlen = n;
    return SX_OK;
}

/* ---- Redis ---- */

typedef struct reader {
    redisContext *c;       /* borrowed */
    const char *tag;       /* hash tag */
    const char *tenant;    /* filter or NULL */
    const char *since;     /* "YYYY-MM-DD" or NULL (all-time) */
    char until[11];        /* inclusive end when since is set */
    char **keys;           /* heap: keys to read */
    size_t nkeys, capkeys;
    char *err;             /* caller's buffer */
    size_t errlen;
} reader_t;

static void
key_push(reader_t *r, const char *k, size_t n)
{
    if (r->nkeys == r->capkeys) {
        r->capkeys = r->capkeys ? r->capkeys * 2 : 64;
        r->keys = sx_realloc(r->keys, r->capkeys * sizeof(char *));
    }
    r->keys[r->nkeys++] = sx_strndup(k, n);
}

/* Keeps key k when it matches the tenant filter and the period. */
static void
key_consider(reader_t *r, const char *k, size_t n)
{
    const char *t;
    size_t tl;
    char day[11];
    if (bill_usage_key_parse(k, n, r->tag, &t, &tl, day) != SX_OK || tl == 0)
        return;
    if (r->tenant != NULL && (strlen(r->tenant) != tl || memcmp(r->tenant, t, tl) != 0))
        return;
    if (r->since == NULL ? day[0] != '\0'
                         : day[0] == '\0' || strcmp(day, r->since) < 0 ||
                               strcmp(day, r->until) > 0)
        return;
    key_push(r, k, n);
}

static void
glob_escape(sx_sbuf_t *b, const char *s)
{
    for (; *s; s++) {
        if (strchr("*?[]\\", *s) != NULL)
            sx_sbuf_addc(b, '\\');
        sx_sbuf_addc(b, *s);
    }
}

static int
keys_scan(reader_t *r)
{
    sx_sbuf_t pat = SX_SBUF_INIT;
    char cursor[32] = "0";
    int rc = SX_ERR;
    sx_sbuf_adds(&pat, "{");
    glob_escape(&pat, r->tag);
    sx_sbuf_adds(&pat, "}:usage:");
    if (r->tenant != NULL)
        glob_escape(&pat, r->tenant);
    sx_sbuf_adds(&pat, "*");
    do {
        redisReply *rep = redisCommand(r->c, "SCAN %s MATCH %s COUNT 1000", cursor, pat.p);
        if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
            rep->element[0]->type != REDIS_REPLY_STRING ||
            rep->element[1]->type != REDIS_REPLY_ARRAY) {
            snprintf(r->err, r->errlen, "SCAN failed: %s",
                     rep == NULL ? r->c->errstr
                                 : rep->type == REDIS_REPLY_ERROR ? rep->str : "bad reply");
            if (rep != NULL)
                freeReplyObject(rep);
            goto out;
        }
        snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
        for (size_t i = 0; i < rep->element[1]->elements; i++) {
            redisReply *k = rep->element[1]->element[i];
            if (k->type == REDIS_REPLY_STRING)
                key_consider(r, k->str, k->len);
        }
        freeReplyObject(rep);
    } while (strcmp(cursor, "0") != 0);
    rc = SX_OK;
out:
    sx_sbuf_fini(&pat);
    return rc;
}

/* Adds the fields of one HGETALL reply for key k. */
static int
hash_add(reader_t *r, bill_usage_t *u, const char *k, const redisReply *rep)
{
    const char *t;
    size_t tl;
    char day[11], month[8] = "", *tenant;
    int rc = SX_OK;
    if (rep->type != REDIS_REPLY_ARRAY) /* not a hash (WRONGTYPE): not ours */
        return SX_OK;
    if (bill_usage_key_parse(k, strlen(k), r->tag, &t, &tl, day) != SX_OK)
        return SX_OK;
    if (day[0] != '\0')
        snprintf(month, sizeof(month), "%.7s", day);
    tenant = sx_strndup(t, tl);
    for (size_t i = 0; i + 1 < rep->elements; i += 2) {
        const redisReply *f = rep->element[i], *v = rep->element[i + 1];
        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (bill_usage_add(u, tenant, month, f->str, f->len, v->str, v->len) == SX_ERR) {
            snprintf(r->err, r->errlen, "%s: field '%s' is not an integer: '%s'", k, f->str,
                     v->str);
            rc = SX_ERR;
            break;
        }
    }
    sx_free(tenant);
    return rc;
}

static int
hashes_read(reader_t *r, bill_usage_t *u)
{
    size_t i;
    int rc = SX_OK;
    for (i = 0; i < r->nkeys; i++)
        if (redisAppendCommand(r->c, "HGETALL %s", r->keys[i]) != REDIS_OK)
            break;
    size_t sent = i;
    for (i = 0; i < sent; i++) {
        redisReply *rep = NULL;
        if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || rep == NULL) {
            snprintf(r->err, r->errlen, "HGETALL failed: %s", r->c->errstr);
            return SX_ERR;
        }
        if (rc == SX_OK)
            rc = hash_add(r, u, r->keys[i], rep);
        freeReplyObject(rep);
    }
    if (sent < r->nkeys && rc == SX_OK) {
        snprintf(r->err, r->errlen, "HGETALL failed: %s", r->c->errstr);
        rc = SX_ERR;
    }
    return rc;
}

int
bill_usage_read(struct redisContext *c, const char *tag, const char *tenant, const char *since,
                const char *until, bill_usage_t *u, char *err, size_t errlen)
{
    reader_t r;
    int rc = SX_ERR;
    memset(&r, 0, sizeof(r));
    r.c = c;
    r.tag = tag;
    r.tenant = tenant;
    r.since = since;
    r.err = err;
    r.errlen = errlen;
    if (until != NULL) {
        snprintf(r.until, sizeof(r.until), "%s", until);
    } else {
        time_t now = (time_t)(sx_wall_ms() / 1000);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(r.until, sizeof(r.until), "%Y-%m-%d", &tm);
    }
    if ((since != NULL && !bill_day_valid(since, strlen(since))) ||
        !bill_day_valid(r.until, strlen(r.until))) {
        snprintf(err, errlen, "dates are written YYYY-MM-DD");
        return SX_ERR;
    }
    if (keys_scan(&r) != SX_OK)
        goto out;
    rc = hashes_read(&r, u);
    bill_usage_done(u);
out:
    for (size_t i = 0; i < r.nkeys; i++)
        sx_free(r.keys[i]);
    sx_free(r.keys);
    return rc;
}

/* ---- pricing ---- */

int
bill_usage_price(bill_usage_t *u, const bill_pricing_t *p)
{
    size_t i = 0;
    while (i < u->n) {
        size_t j = i;
        bill_counts_t sum;
        bill_express_cost_t cost;
        memset(&sum, 0, sizeof(sum));
        for (; j < u->n && strcmp(u->rows[j].tenant, u->rows[i].tenant) == 0 &&
               strcmp(u->rows[j].month, u->rows[i].month) == 0;
             j++)
            counts_add(&sum, &u->rows[j].c);
        if (bill_express_month(p, sum.requests, sum.billed_mb_ms, &cost) != SX_OK)
            return SX_ERR;
        for (size_t k = i; k < j; k++) {
            bill_row_t *r = &u->rows[k];
            int64_t share = sum.billed_mb_ms == 0
                                ? 0
                                : bill_muldiv(cost.duration_nusd, r->c.billed_mb_ms,
                                              sum.billed_mb_ms);
            int64_t req = bill_muldiv(r->c.requests, p->request_nusd, 1);
            if (share < 0 || req < 0 || share > INT64_MAX - req)
                return SX_ERR;
            r->cost_nusd = req + share;
        }
        i = j;
    }
    return SX_OK;
}
