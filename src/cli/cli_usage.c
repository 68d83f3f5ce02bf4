/*
 * cli_usage.c: `stepx usage [--redis HOST:PORT] [--tag stepx] [--tenant T]
 *              [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--pricing FILE] [--json]`
 *
 * Reads the usage counters stepxd writes in Redis (docs/metering.md) over one synchronous
 * hiredis connection, sums them per tenant and machine, prices them with the Express list
 * (tiers per tenant and calendar month) and prints a table, or one JSON document with --json.
 * Without --since it reads the all-time hashes; with it, the day buckets from --since to
 * --until (default: today, UTC). Exit 0 on success, 1 when Redis fails, 2 for usage errors.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "stepx/bill.h"

typedef struct usage_args {
    const char *redis, *tag, *tenant, *since, *until, *pricing;
    int json;
} usage_args_t;

static int
usage(void)
{
    fprintf(stderr, "usage: stepx usage [--redis HOST:PORT] [--tag stepx] [--tenant T]\n"
                    "         [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--pricing FILE] "
                    "[--json]\n");
    return 2;
}

static int
parse_args(int argc, char **argv, usage_args_t *a)
{
    memset(a, 0, sizeof(*a));
    a->redis = "127.0.0.1:6379";
    a->tag = "stepx";
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        if (strcmp(o, "--json") == 0) {
            a->json = 1;
            continue;
        }
        if (strcmp(o, "--redis") == 0)
            slot = &a->redis;
        else if (strcmp(o, "--tag") == 0)
            slot = &a->tag;
        else if (strcmp(o, "--tenant") == 0)
            slot = &a->tenant;
        else if (strcmp(o, "--since") == 0)
            slot = &a->since;
        else if (strcmp(o, "--until") == 0)
            slot = &a->until;
        else if (strcmp(o, "--pricing") == 0)
            slot = &a->pricing;
        if (slot == NULL) {
            fprintf(stderr, "stepx usage: unknown argument '%s'\n", o);
            return SX_ERR;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "stepx usage: %s needs a value\n", o);
            return SX_ERR;
        }
        *slot = argv[++i];
    }
    return SX_OK;
}

static redisContext *
connect_redis(const char *hostport)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    int port = 6379;
    struct timeval tv = {5, 0};
    if (colon == NULL) {
        snprintf(host, sizeof(host), "%s", hostport);
    } else {
        snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
        port = atoi(colon + 1);
    }
    if (port <= 0 || port > 65535 || host[0] == '\0') {
        fprintf(stderr, "stepx usage: --redis wants HOST:PORT, not '%s'\n", hostport);
        return NULL;
    }
    redisContext *c = redisConnectWithTimeout(host, port, tv);
    if (c == NULL || c->err) {
        fprintf(stderr, "stepx usage: cannot connect to %s: %s\n", hostport,
                c ? c->errstr : "out of memory");
        if (c != NULL)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    return c;
}

/* Checks the dates and fills the default --until (today, UTC) into today. */
static int
period_check(usage_args_t *a, char today[11])
{
    if (a->until != NULL && a->since == NULL)
        a->since = "0001-01-01"; /* --until alone: every day bucket up to it */
    if (a->since == NULL)
        return SX_OK;
    if (a->until == NULL) {
        time_t now = (time_t)(sx_wall_ms() / 1000);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(today, 11, "%Y-%m-%d", &tm);
        a->until = today;
    }
    if (!bill_day_valid(a->since, strlen(a->since)) ||
        !bill_day_valid(a->until, strlen(a->until))) {
        fprintf(stderr, "stepx usage: dates are written YYYY-MM-DD (UTC days)\n");
        return SX_ERR;
    }
    if (strcmp(a->since, a->until) > 0) {
        fprintf(stderr, "stepx usage: --since %s is after --until %s\n", a->since, a->until);
        return SX_ERR;
    }
    return SX_OK;
}

int
cli_usage(int argc, char **argv)
{
    usage_args_t a;
    bill_pricing_t price;
    bill_usage_t u;
    cfg_err_t cerr;
    char today[11], err[512];
    int rc = 1;
    if (parse_args(argc, argv, &a) != SX_OK)
        return usage();
    if (period_check(&a, today) != SX_OK)
        return 2;
    if (bill_pricing_load(&price, a.pricing, &cerr) != SX_OK) {
        fprintf(stderr, "stepx usage: %s\n", cerr.msg);
        return 2;
    }
    redisContext *c = connect_redis(a.redis);
    if (c == NULL)
        return 1;
    bill_usage_init(&u);
    if (bill_usage_read(c, a.tag, a.tenant, a.since, a.until, &u, err, sizeof(err)) != SX_OK) {
        fprintf(stderr, "stepx usage: %s\n", err);
        goto out;
    }
    if (bill_usage_price(&u, &price) != SX_OK) {
        fprintf(stderr, "stepx usage: amounts overflow 64-bit nano-dollars\n");
        goto out;
    }
    sx_sbuf_t b = SX_SBUF_INIT;
    if (a.json)
        bill_usage_json(&u, &price, a.since, a.until, &b);
    else
        bill_usage_table(&u, &price, a.since, a.until, &b);
    fwrite(b.p, 1, b.len, stdout);
    sx_sbuf_fini(&b);
    rc = 0;
out:
    bill_usage_fini(&u);
    redisFree(c);
    return rc;
}
