/*
 * bill_report.c: priced usage printed as one JSON document or a text table (bill.h).
 *
 * Input: the sorted, priced rows of bill_usage_t (tenant, month, machine). One pass over the
 * rows of each tenant builds its months (tiers recomputed per month, the exact source of the
 * tenant's cost) and its machines (row costs summed across months). Money is printed from
 * nano-dollars: exact in JSON (trailing zeros trimmed), to the micro-dollar in the table.
 */
#include <stdio.h>
#include <string.h>

#include "stepx/bill.h"

typedef struct agg {
    bill_counts_t c;     /* summed counters */
    int64_t req_nusd;    /* request cost */
    int64_t dur_nusd;    /* duration cost */
    int64_t cost_nusd;   /* total */
    int64_t tier_mbms[BILL_TIERS]; /* months only: usage per tier */
} agg_t;

static void
agg_counts(agg_t *a, const bill_counts_t *c)
{
    a->c.requests += c->requests;
    a->c.billed_ms += c->billed_ms;
    a->c.billed_mb_ms += c->billed_mb_ms;
    a->c.transitions += c->transitions;
    for (int i = 0; i < BILL_NSTATUS; i++)
        a->c.status[i] += c->status[i];
}

static void
agg_add(agg_t *a, const agg_t *b)
{
    agg_counts(a, &b->c);
    a->req_nusd += b->req_nusd;
    a->dur_nusd += b->dur_nusd;
    a->cost_nusd += b->cost_nusd;
}

/* Index one past the last row of the group starting at i whose tenant (and month when
 * by_month) equal row i's. */
static size_t
group_end(const bill_usage_t *u, size_t i, int by_month)
{
    size_t j = i;
    while (j < u->n && strcmp(u->rows[j].tenant, u->rows[i].tenant) == 0 &&
           (!by_month || strcmp(u->rows[j].month, u->rows[i].month) == 0))
        j++;
    return j;
}

/* Sums rows [i, j) of one (tenant, month) and prices the month. */
static void
month_agg(const bill_usage_t *u, const bill_pricing_t *p, size_t i, size_t j, agg_t *a)
{
    bill_express_cost_t cost;
    memset(a, 0, sizeof(*a));
    for (size_t k = i; k < j; k++)
        agg_counts(a, &u->rows[k].c);
    if (bill_express_month(p, a->c.requests, a->c.billed_mb_ms, &cost) != SX_OK)
        return; /* overflow: bill_usage_price failed already and the caller said so */
    a->req_nusd = cost.requests_nusd;
    a->dur_nusd = cost.duration_nusd;
    a->cost_nusd = cost.total_nusd;
    memcpy(a->tier_mbms, cost.tier_mbms, sizeof(a->tier_mbms));
}

/* ---- JSON ---- */

/* MB·ms as GB-s (or GB-h) with 3 decimals, rounded half up. */
static void
json_units(sx_sbuf_t *b, int64_t mbms, int64_t per)
{
    int64_t milli = bill_muldiv(mbms, 1000, per);
    sx_sbuf_addf(b, "%lld.%03lld", (long long)(milli / 1000), (long long)(milli % 1000));
}

static void
json_counts(sx_sbuf_t *b, const agg_t *a)
{
    sx_sbuf_addf(b, "\"requests\":%lld,\"billed_ms\":%lld,\"billed_mb_ms\":%lld,\"gb_s\":",
                 (long long)a->c.requests, (long long)a->c.billed_ms,
                 (long long)a->c.billed_mb_ms);
    json_units(b, a->c.billed_mb_ms, BILL_MBMS_PER_GBS);
    sx_sbuf_addf(b, ",\"transitions\":%lld,\"statuses\":{", (long long)a->c.transitions);
    for (int i = 0; i < BILL_NSTATUS; i++)
        sx_sbuf_addf(b, "%s\"%s\":%lld", i ? "," : "", bill_status_names[i],
                     (long long)a->c.status[i]);
    sx_sbuf_adds(b, "},\"requests_usd\":");
    bill_money_json(b, a->req_nusd);
    sx_sbuf_adds(b, ",\"duration_usd\":");
    bill_money_json(b, a->dur_nusd);
    sx_sbuf_adds(b, ",\"cost_usd\":");
    bill_money_json(b, a->cost_nusd);
}

static void
json_machines(sx_sbuf_t *b, const bill_usage_t *u, const bill_pricing_t *p, size_t i, size_t j)
{
    int first = 1;
    sx_sbuf_adds(b, ",\"machines\":[");
    /* rows are sorted by month first: gather each machine across the tenant's months */
    for (size_t k = i; k < j; k++) {
        int dup = 0;
        for (size_t q = i; q < k && !dup; q++)
            dup = strcmp(u->rows[q].machine, u->rows[k].machine) == 0;
        if (dup)
            continue;
        agg_t a;
        memset(&a, 0, sizeof(a));
        for (size_t q = k; q < j; q++) {
            const bill_row_t *r = &u->rows[q];
            if (strcmp(r->machine, u->rows[k].machine) != 0)
                continue;
            int64_t req = bill_muldiv(r->c.requests, p->request_nusd, 1);
            agg_counts(&a, &r->c);
            a.req_nusd += req;
            a.dur_nusd += r->cost_nusd - req;
            a.cost_nusd += r->cost_nusd;
        }
        sx_sbuf_adds(b, first ? "{\"machine\":" : ",{\"machine\":");
        first = 0;
        val_json_quote(b, u->rows[k].machine, strlen(u->rows[k].machine));
        sx_sbuf_addc(b, ',');
        json_counts(b, &a);
        sx_sbuf_addc(b, '}');
    }
    sx_sbuf_addc(b, ']');
}

/* One tenant: rows [i, j). Adds its totals to *tot. */
static void
json_tenant(sx_sbuf_t *b, const bill_usage_t *u, const bill_pricing_t *p, size_t i, size_t j,
            agg_t *tot)
{
    sx_sbuf_t months = SX_SBUF_INIT;
    agg_t t;
    memset(&t, 0, sizeof(t));
    for (size_t k = i; k < j;) {
        size_t e = group_end(u, k, 1);
        agg_t m;
        month_agg(u, p, k, e, &m);
        agg_add(&t, &m);
        sx_sbuf_adds(&months, k == i ? "{\"month\":" : ",{\"month\":");
        if (u->rows[k].month[0] != '\0')
            val_json_quote(&months, u->rows[k].month, strlen(u->rows[k].month));
        else
            sx_sbuf_adds(&months, "null");
        sx_sbuf_addc(&months, ',');
        json_counts(&months, &m);
        sx_sbuf_adds(&months, ",\"gb_h_by_tier\":[");
        for (int q = 0; q < BILL_TIERS; q++) {
            if (q)
                sx_sbuf_addc(&months, ',');
            json_units(&months, m.tier_mbms[q], BILL_MBMS_PER_GBH);
        }
        sx_sbuf_adds(&months, "]}");
        k = e;
    }
    sx_sbuf_adds(b, "{\"tenant\":");
    val_json_quote(b, u->rows[i].tenant, strlen(u->rows[i].tenant));
    sx_sbuf_addc(b, ',');
    json_counts(b, &t);
    sx_sbuf_adds(b, ",\"months\":[");
    if (months.len)
        sx_sbuf_add(b, months.p, months.len);
    sx_sbuf_addc(b, ']');
    json_machines(b, u, p, i, j);
    sx_sbuf_addc(b, '}');
    agg_add(tot, &t);
    sx_sbuf_fini(&months);
}

void
bill_usage_json(const bill_usage_t *u, const bill_pricing_t *p, const char *since,
                const char *until, sx_sbuf_t *b)
{
    agg_t tot;
    memset(&tot, 0, sizeof(tot));
    if (since != NULL) {
        sx_sbuf_adds(b, "{\"since\":");
        val_json_quote(b, since, strlen(since));
        sx_sbuf_adds(b, ",\"until\":");
        val_json_quote(b, until, strlen(until));
        sx_sbuf_adds(b, ",\"tiers\":\"per tenant and calendar month\"");
    } else {
        sx_sbuf_adds(b, "{\"since\":null,\"until\":null,"
                        "\"tiers\":\"all-time counters priced as one month\"");
    }
    sx_sbuf_adds(b, ",\"tenants\":[");
    for (size_t i = 0; i < u->n;) {
        size_t j = group_end(u, i, 0);
        if (i)
            sx_sbuf_addc(b, ',');
        json_tenant(b, u, p, i, j, &tot);
        i = j;
    }
    sx_sbuf_adds(b, "],\"total\":{");
    json_counts(b, &tot);
    sx_sbuf_adds(b, "}}\n");
}

/* ---- table ---- */

static void
table_line(sx_sbuf_t *b, int tw, const char *tenant, int mw, const char *machine,
           const agg_t *a)
{
    char cost[40];
    int64_t gbs_milli = bill_muldiv(a->c.billed_mb_ms, 1000, BILL_MBMS_PER_GBS);
    sx_sbuf_addf(b, "%-*s  %-*s %10lld %10lld.%01lld %12lld.%03lld %12lld", tw, tenant, mw,
                 machine, (long long)a->c.requests, (long long)(a->c.billed_ms / 1000),
                 (long long)(a->c.billed_ms % 1000 / 100),
                 (long long)(gbs_milli / 1000), (long long)(gbs_milli % 1000),
                 (long long)a->c.transitions);
    for (int i = 0; i < BILL_NSTATUS; i++)
        sx_sbuf_addf(b, " %10lld", (long long)a->c.status[i]);
    sx_sbuf_addf(b, " %16s\n", bill_money_fmt(a->cost_nusd, 6, cost, sizeof(cost)));
}

void
bill_usage_table(const bill_usage_t *u, const bill_pricing_t *p, const char *since,
                 const char *until, sx_sbuf_t *b)
{
    int tw = 6, mw = 7;
    agg_t tot;
    memset(&tot, 0, sizeof(tot));
    for (size_t i = 0; i < u->n; i++) {
        int t = (int)strlen(u->rows[i].tenant), m = (int)strlen(u->rows[i].machine);
        tw = t > tw ? t : tw;
        mw = m > mw ? m : mw;
    }
    if (since != NULL)
        sx_sbuf_addf(b, "usage %s .. %s (Express tiers per tenant and calendar month)\n", since,
                     until);
    else
        sx_sbuf_adds(b, "usage all-time (counters priced as one month of Express tiers)\n");
    sx_sbuf_addf(b, "%-*s  %-*s %10s %12s %16s %12s", tw, "TENANT", mw, "MACHINE", "REQUESTS",
                 "BILLED_S", "GB_S", "TRANSITIONS");
    for (int i = 0; i < BILL_NSTATUS; i++)
        sx_sbuf_addf(b, " %10s", bill_status_names[i]);
    sx_sbuf_addf(b, " %16s\n", "COST_USD");
    for (size_t i = 0; i < u->n;) {
        size_t j = group_end(u, i, 0);
        agg_t t;
        memset(&t, 0, sizeof(t));
        for (size_t k = i; k < j;) {
            size_t e = group_end(u, k, 1);
            agg_t m;
            month_agg(u, p, k, e, &m);
            agg_add(&t, &m);
            k = e;
        }
        /* one line per machine, summed over months */
        for (size_t k = i; k < j; k++) {
            int dup = 0;
            for (size_t q = i; q < k && !dup; q++)
                dup = strcmp(u->rows[q].machine, u->rows[k].machine) == 0;
            if (dup)
                continue;
            agg_t a;
            memset(&a, 0, sizeof(a));
            for (size_t q = k; q < j; q++)
                if (strcmp(u->rows[q].machine, u->rows[k].machine) == 0) {
                    agg_counts(&a, &u->rows[q].c);
                    a.cost_nusd += u->rows[q].cost_nusd;
                }
            table_line(b, tw, u->rows[i].tenant, mw, u->rows[k].machine, &a);
        }
        table_line(b, tw, u->rows[i].tenant, mw, "(total)", &t);
        agg_add(&tot, &t);
        i = j;
    }
    table_line(b, tw, "(all)", mw, "(total)", &tot);
}
