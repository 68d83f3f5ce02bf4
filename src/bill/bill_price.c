/*
 * bill_price.c: money in nano-dollars, billed units and the monthly price list (bill.h).
 *
 * Design: every amount is an exact rational computed with 128-bit intermediates and rounded
 * once, half up, to the nano-dollar (bill_muldiv). Express duration cost walks the tiers in
 * MB·ms: a tier of G GB-hours is G x 3,686,400,000 MB·ms wide, and the usage that falls in it
 * costs usage x price_per_GBh / 3,686,400,000. The price list is a cfg.h directive table:
 * prices are decimal strings (cfg has no decimal type) checked by bill_money_parse and
 * resolved into integers after loading, so a bad price names its file and line.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "stepx/bill.h"

__extension__ typedef unsigned __int128 u128_t;

/* ---- money ---- */

int
bill_money_parse(const char *s, int64_t *nusd)
{
    uint64_t whole = 0, frac = 0;
    int nfrac = 0;
    const char *p = s;
    if (s == NULL || !isdigit((unsigned char)*p))
        return SX_ERR;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (uint64_t)INT64_MAX / 10)
            return SX_ERR;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return SX_ERR;
        for (; isdigit((unsigned char)*p); p++) {
            if (++nfrac > 9)
                return SX_ERR;
            frac = frac * 10 + (uint64_t)(*p - '0');
        }
    }
    if (*p != '\0')
        return SX_ERR;
    for (int i = nfrac; i < 9; i++)
        frac *= 10;
    if (whole > (uint64_t)(INT64_MAX - (int64_t)frac) / BILL_NUSD_PER_USD)
        return SX_ERR;
    *nusd = (int64_t)(whole * BILL_NUSD_PER_USD + frac);
    return SX_OK;
}

char *
bill_money_fmt(int64_t nusd, int decimals, char *buf, size_t len)
{
    static const int64_t pow10[] = {1,         10,         100,         1000,      10000,
                                    100000,    1000000,    10000000,    100000000, 1000000000};
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    int neg = nusd < 0;
    u128_t v = neg ? (u128_t)(-(nusd + 1)) + 1 : (u128_t)nusd;
    u128_t unit = (u128_t)pow10[9 - decimals];
    v = (v + unit / 2) / unit; /* half up, away from zero; unit/2 = 0 for 9 decimals */
    uint64_t whole = (uint64_t)(v / (u128_t)pow10[decimals]);
    uint64_t frac = (uint64_t)(v % (u128_t)pow10[decimals]);
    if (decimals == 0)
        snprintf(buf, len, "%s%llu", neg && v ? "-" : "", (unsigned long long)whole);
    else
        snprintf(buf, len, "%s%llu.%0*llu", neg && v ? "-" : "", (unsigned long long)whole,
                 decimals, (unsigned long long)frac);
    return buf;
}

void
bill_money_json(sx_sbuf_t *b, int64_t nusd)
{
    char buf[40];
    bill_money_fmt(nusd, 9, buf, sizeof(buf));
    size_t n = strlen(buf);
    while (buf[n - 1] == '0')
        n--;
    if (buf[n - 1] == '.')
        n--;
    sx_sbuf_add(b, buf, n);
}

int64_t
bill_muldiv(int64_t a, int64_t b, int64_t d)
{
    if (a < 0 || b < 0 || d <= 0)
        return -1;
    u128_t q = ((u128_t)a * (u128_t)b + (u128_t)d / 2) / (u128_t)d;
    if (q > (u128_t)INT64_MAX)
        return -1;
    return (int64_t)q;
}

/* ---- billed units ---- */

int64_t
bill_duration_billed_ms(int64_t ms)
{
    if (ms < 1)
        ms = 1;
    if (ms > INT64_MAX - 99)
        return INT64_MAX / 100 * 100;
    return (ms + 99) / 100 * 100;
}

#define MB_BYTES 1000000LL /* decimal megabyte: AWS's example arithmetic (bill.h) */

int64_t
bill_memory_estimate_bytes(uint64_t def_bytes, uint64_t data_bytes, uint64_t steps)
{
    u128_t v = (u128_t)50 * MB_BYTES + def_bytes + (u128_t)data_bytes * steps;
    return v > (u128_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

int64_t
bill_memory_billed_mb(int64_t bytes)
{
    int64_t chunk = 64 * MB_BYTES;
    if (bytes <= chunk)
        return 64;
    return (bytes / chunk + (bytes % chunk != 0)) * 64;
}

int64_t
bill_memory_billed_from_mb(int64_t mb)
{
    if (mb <= 64)
        return 64;
    return (mb / 64 + (mb % 64 != 0)) * 64;
}

/* ---- the price list ---- */

/* What the directive table fills: prices as text, checked and resolved afterwards. */
typedef struct price_conf {
    char *request;          /* USD per request */
    int64_t tier1_gbh;      /* GB-hours in tier 1 */
    int64_t tier2_gbh;      /* GB-hours in tier 2 */
    char *tier1, *tier2, *tier3; /* USD per GB-hour */
    char *std_per_1000;     /* USD per 1000 Standard transitions */
    int64_t std_free;       /* free Standard transitions per month */
} price_conf_t;

/* Prices are at most $1000 per unit, so that usage x price never nears 2^127. */
#define PRICE_MAX_NUSD (1000 * BILL_NUSD_PER_USD)

static int
check_price(const cfg_directive_t *d, const void *field, char *msg, size_t len)
{
    const char *s = *(char *const *)field;
    int64_t v;
    SX_UNUSED(d);
    if (s == NULL || bill_money_parse(s, &v) != SX_OK || v > PRICE_MAX_NUSD) {
        snprintf(msg, len, "'%s' is not a price in dollars (digits, at most 9 decimals, "
                           "at most 1000)", s ? s : "");
        return SX_ERR;
    }
    return SX_OK;
}

#define GBH_MAX (INT64_MAX / BILL_MBMS_PER_GBH / 4)

static const cfg_directive_t price_dirs[] = {
    {"express_request_price", CFG_STR, offsetof(price_conf_t, request), "0.000001", check_price,
     0, 0, "Express: USD per request (execution started)"},
    {"express_tier1_gbh", CFG_INT, offsetof(price_conf_t, tier1_gbh), "1000", NULL, 0, GBH_MAX,
     "Express: GB-hours per month in the first duration tier"},
    {"express_tier1_price", CFG_STR, offsetof(price_conf_t, tier1), "0.06", check_price, 0, 0,
     "Express: USD per GB-hour in the first tier"},
    {"express_tier2_gbh", CFG_INT, offsetof(price_conf_t, tier2_gbh), "4000", NULL, 0, GBH_MAX,
     "Express: GB-hours per month in the second tier (after the first)"},
    {"express_tier2_price", CFG_STR, offsetof(price_conf_t, tier2), "0.03", check_price, 0, 0,
     "Express: USD per GB-hour in the second tier"},
    {"express_tier3_price", CFG_STR, offsetof(price_conf_t, tier3), "0.01642", check_price, 0,
     0, "Express: USD per GB-hour beyond the first two tiers"},
    {"standard_transition_price", CFG_STR, offsetof(price_conf_t, std_per_1000), "0.025",
     check_price, 0, 0, "Standard: USD per 1000 state transitions"},
    {"standard_free_transitions", CFG_INT, offsetof(price_conf_t, std_free), "4000", NULL, 0,
     INT64_MAX / 2, "Standard: free state transitions per month"},
    {NULL, CFG_STR, 0, NULL, NULL, 0, 0, NULL},
};

static void
resolve(const price_conf_t *c, bill_pricing_t *p)
{
    /* every string passed check_price, so the parses below succeed */
    memset(p, 0, sizeof(*p));
    (void)bill_money_parse(c->request, &p->request_nusd);
    p->tier_gbh[0] = c->tier1_gbh;
    p->tier_gbh[1] = c->tier2_gbh;
    (void)bill_money_parse(c->tier1, &p->tier_nusd_gbh[0]);
    (void)bill_money_parse(c->tier2, &p->tier_nusd_gbh[1]);
    (void)bill_money_parse(c->tier3, &p->tier_nusd_gbh[2]);
    (void)bill_money_parse(c->std_per_1000, &p->std_nusd_per_1000);
    p->std_free_transitions = c->std_free;
}

static int
load(bill_pricing_t *p, const char *path, const char *origin, const char *text,
     cfg_err_t *err)
{
    price_conf_t c;
    cfg_section_t sec = {price_dirs, &c};
    int rc;
    memset(&c, 0, sizeof(c));
    rc = cfg_defaults_apply(&sec, 1, err);
    if (rc == SX_OK && path != NULL)
        rc = cfg_file_load(&sec, 1, path, err);
    else if (rc == SX_OK && text != NULL)
        rc = cfg_text_load(&sec, 1, origin, text, strlen(text), err);
    if (rc == SX_OK)
        resolve(&c, p);
    cfg_sections_fini(&sec, 1);
    return rc;
}

void
bill_pricing_default(bill_pricing_t *p)
{
    cfg_err_t err;
    if (SX_NEVER(load(p, NULL, NULL, NULL, &err) != SX_OK))
        memset(p, 0, sizeof(*p));
}

int
bill_pricing_load(bill_pricing_t *p, const char *path, cfg_err_t *err)
{
    return load(p, path, NULL, NULL, err);
}

int
bill_pricing_load_text(bill_pricing_t *p, const char *origin, const char *text, cfg_err_t *err)
{
    return load(p, NULL, origin, text, err);
}

/* ---- monthly cost ---- */

int
bill_express_month(const bill_pricing_t *p, int64_t requests, int64_t mbms,
                   bill_express_cost_t *out)
{
    int64_t left = mbms < 0 ? 0 : mbms;
    memset(out, 0, sizeof(*out));
    out->requests_nusd = bill_muldiv(requests < 0 ? 0 : requests, p->request_nusd, 1);
    if (out->requests_nusd < 0)
        goto overflow;
    for (int t = 0; t < BILL_TIERS; t++) {
        int64_t width = t < BILL_TIERS - 1 ? p->tier_gbh[t] * BILL_MBMS_PER_GBH : left;
        int64_t used = left < width ? left : width;
        out->tier_mbms[t] = used;
        out->tier_nusd[t] = bill_muldiv(used, p->tier_nusd_gbh[t], BILL_MBMS_PER_GBH);
        if (out->tier_nusd[t] < 0 || out->duration_nusd > INT64_MAX - out->tier_nusd[t])
            goto overflow;
        out->duration_nusd += out->tier_nusd[t];
        left -= used;
    }
    if (out->duration_nusd > INT64_MAX - out->requests_nusd)
        goto overflow;
    out->total_nusd = out->requests_nusd + out->duration_nusd;
    return SX_OK;
overflow:
    memset(out, 0, sizeof(*out));
    return SX_ERR;
}

int64_t
bill_standard_month(const bill_pricing_t *p, int64_t transitions, int64_t *billable)
{
    int64_t n = transitions - p->std_free_transitions;
    if (n < 0)
        n = 0;
    if (billable != NULL)
        *billable = n;
    return bill_muldiv(n, p->std_nusd_per_1000, 1000);
}
